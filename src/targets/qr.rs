//! QR codes for publicity: the modules of a code as runs of dark modules
//! per row, which the templates draw as vector rectangles (pure black, K
//! only in print). Error correction M: a scratched flyer still scans.

use qrcode::{Color, EcLevel, QrCode};
use serde_json::{Value as Json, json};

use crate::content::model::Qr;
use crate::diag::Diagnostic;
use crate::msg;
use crate::render::Renderer;

/// The template data of a QR code from content (`file` is where it is
/// written), or `None` with the reason added to the renderer's problems.
pub fn data(r: &mut Renderer<'_>, file: &str, qr: &Qr) -> Option<Json> {
    let link = r.text(file, &qr.link, &[]);
    let caption = r.text(file, &qr.caption, &[]);
    match code(link.trim(), &caption) {
        Ok(json) => Some(json),
        Err(e) => {
            let at = r.locate(file, &qr.link);
            r.diags.push(
                Diagnostic::error(
                    "content/qr",
                    match e {
                        qrcode::types::QrError::DataTooLong => msg!(
                            "二维码的内容太长（{} 字节），超过了二维码能容纳的量",
                            "the QR code's text is too long ({} bytes) for a QR code",
                            link.len()
                        ),
                        other => msg!(
                            "二维码内容无法编码（{} 字节）：{}",
                            "the QR code's text cannot be encoded ({} bytes): {}",
                            link.len(),
                            other
                        ),
                    },
                )
                .at(at)
                .hint(msg!(
                    "二维码宜放一个短网址（几十个字符），不要放整段文字。",
                    "put a short web address (a few dozen characters) in a QR code, not a paragraph."
                )),
            );
            None
        }
    }
}

/// The code for `text` with its caption, as the templates take it: `size`
/// (modules per side, without the quiet zone), `runs` (`[x, y, length]`
/// of each horizontal run of dark modules) and `caption`; or why `text`
/// cannot be a QR code (too long).
pub fn code(text: &str, caption: &str) -> Result<Json, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
    let size = code.width();
    let colors = code.to_colors();
    let mut runs = Vec::new();
    for (y, row) in colors.chunks(size).enumerate() {
        let mut x = 0;
        while x < size {
            if row[x] == Color::Dark {
                let start = x;
                while x < size && row[x] == Color::Dark {
                    x += 1;
                }
                runs.push([start, y, x - start]);
            } else {
                x += 1;
            }
        }
    }
    Ok(json!({ "size": size, "runs": runs, "caption": caption }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_exactly_the_dark_modules() {
        let json = code("https://example.org/survey", "扫码").expect("code");
        let size = json["size"].as_u64().expect("size") as usize;
        let reference =
            QrCode::with_error_correction_level(b"https://example.org/survey", EcLevel::M).expect("qr");
        let dark = reference.to_colors().iter().filter(|c| **c == Color::Dark).count();
        let covered: u64 =
            json["runs"].as_array().expect("runs").iter().map(|r| r[2].as_u64().expect("len")).sum();
        assert_eq!(size, reference.width());
        assert_eq!(covered as usize, dark);
    }

    #[test]
    fn too_long_text_is_an_error_not_a_panic() {
        assert!(code(&"x".repeat(5000), "").is_err());
    }
}
