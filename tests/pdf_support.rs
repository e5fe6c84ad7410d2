//! Checks the PDF read-back helpers in `support::pdf` on a small PDF written by hand,
//! whose every position is known from its content streams.

mod support;

use std::path::Path;

use support::pdf::*;

/// A long, non-standard base font name: MuPDF cuts font names to 31 bytes in its
/// trace, and the helpers must restore the full name.
const LONG_FONT: &str = "AVeryLongFontNameThatExceedsThirtyTwoBytes";

/// Page 1: A4 with "Hello" in 24 pt red Helvetica at (100, 700) and a 2 pt blue
/// line from (100, 100) to (300, 100), in PDF coordinates (origin bottom-left).
const PAGE1: &str = "BT /F1 24 Tf 1 0 0 rg 100 700 Td (Hello) Tj ET\n\
                     0 0 1 RG 2 w 100 100 m 300 100 l S";

/// Page 2: its MediaBox starts at (50, 50), so page x = PDF x - 50 and
/// page y = 891.89 - PDF y. Under a 2x CTM: a CMYK red rectangle and a 1 pt
/// (so 2 pt) gray line. Three runs on one baseline, written out of order, the
/// last one filled and stroked (traced twice); text scaled by a 1.5x CTM; one
/// glyph in a font with a long name.
const PAGE2: &str = "q 2 0 0 2 0 0 cm 0 1 1 0 k 50 100 100 1 re f\n\
                     1 w 0.5 G 60 50 m 60 150 l S Q\n\
                     BT /F1 12 Tf 0.5 g 200 400 Td (World) Tj ET\n\
                     BT /F1 12 Tf 150 400 Td (Hi) Tj ET\n\
                     BT /F1 12 Tf 2 Tr 0 0 1 RG 240 400 Td (Bold) Tj ET\n\
                     q 1.5 0 0 1.5 0 0 cm BT /F1 10 Tf 100 200 Td (Big) Tj ET Q\n\
                     BT /F2 10 Tf 100 100 Td (x) Tj ET";

/// Serialises numbered objects (1, 2, ...) into a PDF with a correct xref table.
fn pdf_bytes(objects: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    // Every xref entry is exactly 20 bytes, ending in space + newline.
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
            .as_bytes(),
    );
    out
}

fn stream(content: &str) -> String {
    format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len())
}

fn write_sample(path: &Path) {
    let resources = "<< /Font << /F1 5 0 R /F2 6 0 R >> >>";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R 7 0 R] /Count 2 >>".to_string(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] \
             /Resources {resources} /Contents 4 0 R >>"
        ),
        stream(PAGE1),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        format!("<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+{LONG_FONT} >>"),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [50 50 645.28 891.89] \
             /Resources {resources} /Contents 8 0 R >>"
        ),
        stream(PAGE2),
    ];
    std::fs::write(path, pdf_bytes(&objects)).expect("write the sample PDF");
}

fn read_sample() -> Pdf {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let path = dir.path().join("sample.pdf");
    write_sample(&path);
    read_pdf(&path)
}

#[track_caller]
fn assert_near(actual: f64, expected: f64, what: &str) {
    assert!((actual - expected).abs() <= 0.5, "{what}: expected {expected}, got {actual}");
}

#[test]
fn millimetre_constant() {
    assert_near(210.0 * MM, 595.28, "A4 width");
    assert_near(297.0 * MM, 841.89, "A4 height");
}

#[test]
fn page_sizes() {
    let pdf = read_sample();
    assert_eq!(pdf.pages.len(), 2);
    for page in &pdf.pages {
        assert_near(page.width, 595.28, "width");
        assert_near(page.height, 841.89, "height");
    }
    assert_eq!(pdf.page(2).number, 2);
}

#[test]
fn glyphs_in_top_left_coordinates() {
    let pdf = read_sample();
    let page = pdf.page(1);
    let text: String = page.glyphs.iter().map(|g| g.text.as_str()).collect();
    assert_eq!(text, "Hello");
    let h = &page.glyphs[0];
    assert_near(h.x, 100.0, "H x");
    assert_near(h.baseline, 841.89 - 700.0, "H baseline");
    assert_near(h.size, 24.0, "H size");
    assert_near(h.advance, 24.0 * 0.722, "H advance");
    assert_eq!(h.font, "Helvetica");
    for g in &page.glyphs {
        assert!(g.color.approx_eq(Color::RED, 0.01), "{g:?}");
    }
}

#[test]
fn stroke_box_width_and_colour() {
    let pdf = read_sample();
    let page = pdf.page(1);
    assert_eq!(page.strokes.len(), 1);
    let line = &page.strokes[0];
    assert_near(line.x0, 100.0, "x0");
    assert_near(line.x1, 300.0, "x1");
    assert_near(line.y0, 841.89 - 100.0, "y0");
    assert_near(line.y1, 841.89 - 100.0, "y1");
    assert_near(line.width, 2.0, "width");
    assert!(line.color.approx_eq(Color::rgb(0.0, 0.0, 1.0), 0.01));
    assert!(page.fills.is_empty() && page.images.is_empty());
}

#[test]
fn transformed_paths_and_colour_spaces() {
    let pdf = read_sample();
    let page = pdf.page(2);
    assert_eq!(page.fills.len(), 1);
    let rule = &page.fills[0];
    // PDF box (50, 100)-(150, 101), doubled, then shifted by the page origin.
    assert_near(rule.x0, 2.0 * 50.0 - 50.0, "fill x0");
    assert_near(rule.x1, 2.0 * 150.0 - 50.0, "fill x1");
    assert_near(rule.y0, 891.89 - 2.0 * 101.0, "fill y0");
    assert_near(rule.y1, 891.89 - 2.0 * 100.0, "fill y1");
    assert!(rule.color.approx_eq(Color::RED, 0.01), "CMYK red: {rule:?}");

    assert_eq!(page.strokes.len(), 1);
    let line = &page.strokes[0];
    assert_near(line.width, 2.0, "scaled width");
    assert_near(line.x0, 70.0, "stroke x0");
    assert_near(line.y0, 891.89 - 300.0, "stroke y0");
    assert_near(line.y1, 891.89 - 100.0, "stroke y1");
    assert!(line.color.approx_eq(Color::rgb(0.5, 0.5, 0.5), 0.01));
}

#[test]
fn lines_group_and_sort() {
    let pdf = read_sample();
    let lines = pdf.page(1).lines();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].text, "Hello");
    assert_near(lines[0].baseline, 141.89, "baseline");
    assert_near(lines[0].x0, 100.0, "line x0");
    let width = 24.0 * (0.722 + 0.556 + 0.222 + 0.222 + 0.556);
    assert_near(lines[0].x1, 100.0 + width, "line x1");
    assert_eq!(lines[0].fonts(), ["Helvetica"]);
    assert_near(lines[0].size(), 24.0, "line size");

    let lines = pdf.page(2).lines();
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, ["HiWorldBold", "Big", "x"]);
    assert_near(lines[0].x0, 100.0, "HiWorld x0");
    assert_near(lines[0].baseline, 891.89 - 400.0, "HiWorld baseline");
    assert!(lines[0].glyphs[0].color.approx_eq(Color::rgb(0.5, 0.5, 0.5), 0.01));
    assert_near(lines[1].size(), 15.0, "size under a 1.5x CTM");
    assert_near(lines[1].x0, 150.0 - 50.0, "Big x0");
    assert_near(lines[1].baseline, 891.89 - 300.0, "Big baseline");
    assert_eq!(lines[2].fonts(), [LONG_FONT]);
    assert!(pdf.page(2).line_containing("Wor").is_some());
    // The stroked run keeps its fill colour, not the blue stroke colour.
    let bold = &lines[0].glyphs[lines[0].glyphs.len() - 1];
    assert!(bold.color.approx_eq(Color::rgb(0.5, 0.5, 0.5), 0.01), "{bold:?}");
}

#[test]
fn text_of_pages_and_document() {
    let pdf = read_sample();
    assert_eq!(pdf.page(1).text(), "Hello");
    assert_eq!(pdf.text(), "Hello\nHiWorldBold\nBig\nx");
}

#[test]
fn standard_fonts_are_not_embedded() {
    let pdf = read_sample();
    assert_eq!(pdf.fonts_embedded(), [(LONG_FONT.to_string(), false), ("Helvetica".to_string(), false)]);
}
