//! The print shop's files (issue 16): `pressroom build --print` on the example campaign,
//! read back from the PDFs and checked with programs pressroom did not write.
//!
//! How:
//! * The repository's example is built once per test binary with `--print`
//!   (`support::cli`), into a temporary folder. The CMYK profile is the one `./dev.sh`
//!   provides (Debian's Ghostscript profile; `PRESSROOM_CMYK_PROFILE` or its system path).
//! * Page boxes, output intent, colour operators and image colour spaces are read with
//!   lopdf (content streams parsed, form XObjects followed); marks, glyph positions and
//!   fonts with `mutool trace` (`support::pdf`).
//! * Ghostscript renders the print pages: no white edge inside the trim where colour
//!   touches it, and the trimmed rendering looks like the screen PDF's.
//! * `zbarimg` (Debian's zbar-tools) reads every QR code back from Ghostscript's rendering.
//! * Bleed, paper weight and the QR text come from `content/campaign.yaml`.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use lopdf::{Document, Object, ObjectId};
use support::cli::{self, Built};
use support::pdf::{MM, read_pdf};

/// Room for crop marks outside the bleed, as pressroom lays it out (mm).
const MARKS: f64 = 10.0;

struct Example {
    built: Built,
    bleed: f64,
    caliper: f64,
    qr: String,
}

fn example() -> &'static Example {
    static EXAMPLE: OnceLock<Example> = OnceLock::new();
    EXAMPLE.get_or_init(|| {
        support::example::ensure_photos();
        let built = cli::build(&cli::repo(), &["booklet", "flyers", "--print", "--no-previews"]);
        built.assert_success();
        let text = std::fs::read_to_string(cli::repo().join("content/campaign.yaml")).expect("campaign.yaml");
        let campaign: serde_json::Value = serde_saphyr::from_str(&text).expect("campaign.yaml parses");
        let print = &campaign["print"];
        let bleed = print["bleed"].as_f64().unwrap_or(3.0);
        // The documented bulk of coated paper: 0.9 cm³/g.
        let caliper = print["caliper"]
            .as_f64()
            .or_else(|| print["paper_weight"].as_f64().map(|w| w * 0.9 / 1000.0))
            .unwrap_or(0.1);
        let qr = campaign["qr"]["link"].as_str().expect("the example has a QR link").trim().to_owned();
        Example { built, bleed, caliper, qr }
    })
}

/// Every print PDF of the example: the booklet's two and one per flyer.
fn print_files() -> Vec<PathBuf> {
    let out = example().built.file("print");
    let mut files = vec![out.join("booklet-print.pdf"), out.join("booklet-imposed.pdf")];
    let mut flyers: Vec<PathBuf> = std::fs::read_dir(out.join("flyers"))
        .expect("output/print/flyers")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    flyers.sort();
    assert!(flyers.len() >= 10, "one print flyer per township: {flyers:?}");
    files.extend(flyers);
    files
}

fn load(path: &Path) -> Document {
    Document::load(path).unwrap_or_else(|e| panic!("lopdf cannot read {}: {e}", path.display()))
}

fn rect(doc: &Document, page: ObjectId, key: &[u8]) -> Option<[f64; 4]> {
    let dict = doc.get_dictionary(page).ok()?;
    let array = dict.get(key).ok()?.as_array().ok()?;
    let v: Vec<f64> = array
        .iter()
        .map(|o| o.as_float().map(f64::from).unwrap_or_else(|_| o.as_i64().unwrap_or(0) as f64))
        .collect();
    v.try_into().ok()
}

fn size_mm(r: [f64; 4]) -> (f64, f64) {
    ((r[2] - r[0]) / MM, (r[3] - r[1]) / MM)
}

#[test]
fn page_boxes_are_the_trim_with_bleed_and_room_for_marks() {
    let e = example();
    for path in print_files() {
        let doc = load(&path);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        // The trim each kind of file is cut to.
        let sizes: &[(f64, f64)] = if name == "booklet-print.pdf" {
            &[(148.0, 210.0)]
        } else if name == "booklet-imposed.pdf" {
            &[(296.0, 210.0)]
        } else {
            &[(210.0, 297.0), (210.0, 99.0)]
        };
        for (n, id) in doc.get_pages() {
            let media = rect(&doc, id, b"MediaBox").expect("MediaBox");
            let trim = rect(&doc, id, b"TrimBox").unwrap_or_else(|| panic!("{name} p{n}: no TrimBox"));
            let bleed = rect(&doc, id, b"BleedBox").unwrap_or_else(|| panic!("{name} p{n}: no BleedBox"));
            let (tw, th) = size_mm(trim);
            assert!(
                sizes.iter().any(|(w, h)| (tw - w).abs() < 0.05 && (th - h).abs() < 0.05),
                "{name} p{n}: trim {tw:.2}×{th:.2} mm, expected one of {sizes:?}"
            );
            for i in 0..4 {
                let outward = if i < 2 { -1.0 } else { 1.0 };
                assert!(
                    (bleed[i] - (trim[i] + outward * e.bleed * MM)).abs() < 0.01,
                    "{name} p{n}: BleedBox {bleed:?} is not the TrimBox {trim:?} + {} mm",
                    e.bleed
                );
                assert!(
                    (media[i] - (trim[i] + outward * (e.bleed + MARKS) * MM)).abs() < 0.01,
                    "{name} p{n}: MediaBox {media:?} leaves no {MARKS} mm for marks outside the bleed"
                );
            }
        }
    }
}

#[test]
fn output_intent_carries_a_cmyk_profile() {
    for path in print_files() {
        let doc = load(&path);
        let catalog = doc.catalog().expect("catalog");
        let intents = catalog.get(b"OutputIntents").and_then(Object::as_array).expect("OutputIntents");
        assert_eq!(intents.len(), 1, "{}", path.display());
        let intent = doc.dereference(&intents[0]).expect("intent").1.as_dict().expect("dict").clone();
        assert_eq!(intent.get(b"S").and_then(Object::as_name).ok(), Some(&b"GTS_PDFX"[..]));
        assert!(intent.get(b"OutputConditionIdentifier").is_ok());
        let profile = doc.dereference(intent.get(b"DestOutputProfile").expect("profile")).expect("stream").1;
        let stream = profile.as_stream().expect("a stream");
        assert_eq!(stream.dict.get(b"N").and_then(Object::as_i64).ok(), Some(4));
        let bytes = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
        assert_eq!(&bytes[16..20], b"CMYK", "{}: the embedded profile is not CMYK", path.display());
        assert_eq!(
            &bytes[12..16],
            b"prtr",
            "{}: the embedded profile is not an output profile",
            path.display()
        );
    }
}

/// What paints in RGB in a content stream with its resources (forms followed).
fn rgb_uses(
    doc: &Document,
    content: &[u8],
    resources: Option<&lopdf::Dictionary>,
    seen: &mut BTreeSet<ObjectId>,
    found: &mut Vec<String>,
) {
    let ops = lopdf::content::Content::decode(content).map(|c| c.operations).unwrap_or_default();
    let spaces = resources
        .and_then(|r| r.get(b"ColorSpace").ok())
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok().cloned());
    let xobjects = resources
        .and_then(|r| r.get(b"XObject").ok())
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok().cloned());
    for op in ops {
        match op.operator.as_str() {
            "rg" | "RG" => found.push(format!("{} {:?}", op.operator, op.operands)),
            "cs" | "CS" => {
                let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) else { continue };
                let space = match &spaces {
                    Some(s) if s.has(name) => {
                        s.get(name).ok().and_then(|o| doc.dereference(o).ok()).map(|(_, o)| o.clone())
                    }
                    _ => Some(Object::Name(name.to_vec())),
                };
                if let Some(space) = space
                    && is_rgb(doc, &space)
                {
                    found.push(format!("{} {}", op.operator, String::from_utf8_lossy(name)));
                }
            }
            "Do" => {
                let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) else { continue };
                let Some(Ok(Object::Reference(id))) = xobjects.as_ref().map(|x| x.get(name)) else {
                    continue;
                };
                if !seen.insert(*id) {
                    continue;
                }
                let Ok(Object::Stream(stream)) = doc.get_object(*id) else { continue };
                let subtype = stream.dict.get(b"Subtype").and_then(Object::as_name).unwrap_or(b"");
                if subtype == b"Image" {
                    if let Ok(cs) = stream.dict.get(b"ColorSpace") {
                        let cs = doc.dereference(cs).map(|(_, o)| o.clone()).unwrap_or(Object::Null);
                        if is_rgb(doc, &cs) {
                            found.push(format!("RGB image {id:?}"));
                        }
                    }
                } else if subtype == b"Form" {
                    if let Ok(group) = stream
                        .dict
                        .get(b"Group")
                        .and_then(|g| doc.dereference(g))
                        .and_then(|(_, g)| g.as_dict())
                        && let Ok(cs) = group.get(b"CS")
                    {
                        let cs = doc.dereference(cs).map(|(_, o)| o.clone()).unwrap_or(Object::Null);
                        if is_rgb(doc, &cs) {
                            found.push(format!("RGB transparency group {id:?}"));
                        }
                    }
                    let res = stream
                        .dict
                        .get(b"Resources")
                        .ok()
                        .and_then(|r| doc.dereference(r).ok())
                        .and_then(|(_, r)| r.as_dict().ok().cloned());
                    let content = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
                    rgb_uses(doc, &content, res.as_ref().or(resources), seen, found);
                }
            }
            _ => {}
        }
    }
}

fn is_rgb(doc: &Document, space: &Object) -> bool {
    match space {
        Object::Name(n) => n == b"DeviceRGB" || n == b"CalRGB",
        Object::Array(a) => {
            let kind = a.first().and_then(|o| o.as_name().ok()).unwrap_or(b"");
            match kind {
                b"ICCBased" => {
                    a.get(1)
                        .and_then(|o| doc.dereference(o).ok())
                        .and_then(|(_, o)| o.as_stream().ok())
                        .and_then(|s| s.dict.get(b"N").and_then(Object::as_i64).ok())
                        == Some(3)
                }
                b"Indexed" | b"Separation" | b"DeviceN" => {
                    let base = a.get(if kind == b"Indexed" { 1 } else { 2 });
                    base.and_then(|b| doc.dereference(b).ok()).is_some_and(|(_, b)| is_rgb(doc, b))
                }
                b"CalRGB" => true,
                _ => false,
            }
        }
        _ => false,
    }
}

#[test]
fn no_rgb_colour_and_no_rgb_image_in_the_print_files() {
    for path in print_files() {
        let doc = load(&path);
        let mut found = Vec::new();
        let mut seen = BTreeSet::new();
        for (n, id) in doc.get_pages() {
            let page = doc.get_dictionary(id).expect("page");
            if let Ok(group) =
                page.get(b"Group").and_then(|g| doc.dereference(g)).and_then(|(_, g)| g.as_dict())
                && let Ok(cs) = group.get(b"CS")
                && is_rgb(&doc, doc.dereference(cs).map(|(_, o)| o).unwrap_or(&Object::Null))
            {
                found.push(format!("p{n}: RGB page group"));
            }
            let content = doc.get_page_content(id);
            let (res, _) = doc.get_page_resources(id).expect("resources");
            let mut here = Vec::new();
            rgb_uses(&doc, &content, res, &mut seen, &mut here);
            found.extend(here.into_iter().map(|f| format!("p{n}: {f}")));
        }
        assert!(found.is_empty(), "{} paints in RGB: {:?}", path.display(), &found[..found.len().min(10)]);
    }
}

#[test]
fn fonts_are_embedded_and_crop_marks_lie_outside_the_bleed() {
    let e = example();
    for path in print_files() {
        let pdf = read_pdf(&path);
        for (font, embedded) in pdf.fonts_embedded() {
            assert!(embedded, "{}: font {font} is not embedded", path.display());
        }
        let off = (e.bleed + MARKS) * MM;
        for page in &pdf.pages {
            let (tx0, ty0, tx1, ty1) = (off, off, page.width - off, page.height - off);
            let outside_trim = |s: &support::pdf::Stroke| {
                s.x0.max(s.x1) < tx0 || s.x0.min(s.x1) > tx1 || s.y0.max(s.y1) < ty0 || s.y0.min(s.y1) > ty1
            };
            let marks: Vec<_> = page.strokes.iter().filter(|s| outside_trim(s)).collect();
            assert_eq!(
                marks.len(),
                8,
                "{} p{}: two crop marks at each corner, found {}",
                path.display(),
                page.number,
                marks.len()
            );
            let b = e.bleed * MM;
            for m in marks {
                let clear = m.x0.max(m.x1) < tx0 - b
                    || m.x0.min(m.x1) > tx1 + b
                    || m.y0.max(m.y1) < ty0 - b
                    || m.y0.min(m.y1) > ty1 + b;
                assert!(clear, "{} p{}: crop mark {m:?} reaches into the bleed", path.display(), page.number);
            }
            // The slug line: the file's name below the trim.
            let stem = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let slug: String =
                page.glyphs.iter().filter(|g| g.baseline > ty1 + b).map(|g| g.text.as_str()).collect();
            assert!(
                slug.contains(&stem),
                "{} p{}: slug line {slug:?} does not name the file",
                path.display(),
                page.number
            );
        }
    }
}

/// A page rendered by Ghostscript as 8-bit RGB (ppmraw), optionally cut to its TrimBox.
fn ghostscript(pdf: &Path, page: usize, dpi: u32, trim: bool) -> (usize, usize, Vec<u8>) {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("page.ppm");
    let mut cmd = Command::new("gs");
    cmd.args(["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=ppmraw", &format!("-r{dpi}")]);
    cmd.arg(format!("-dFirstPage={page}")).arg(format!("-dLastPage={page}"));
    if trim {
        cmd.arg("-dUseTrimBox");
    }
    cmd.arg(format!("-sOutputFile={}", out.display())).arg(pdf);
    let status = cmd.status().expect("Ghostscript (gs) runs; ./dev.sh test installs it");
    assert!(status.success(), "gs failed on {} p{page}", pdf.display());
    let bytes = std::fs::read(&out).expect("ppm");
    // P6\n<w> <h>\n255\n<data>
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() || bytes[at] == b'#' {
            if bytes[at] == b'#' {
                while bytes[at] != b'\n' {
                    at += 1;
                }
            }
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
    }
    let (w, h): (usize, usize) = (fields[1].parse().expect("w"), fields[2].parse().expect("h"));
    (w, h, bytes[at + 1..].to_vec())
}

fn page_count(pdf: &Path) -> usize {
    load(pdf).get_pages().len()
}

#[test]
fn ghostscript_shows_no_white_edge_inside_the_trim() {
    let e = example();
    let dpi = 50u32;
    let px = |mm: f64| (mm / 25.4 * f64::from(dpi)).round() as usize;
    let mut touching = 0;
    for path in print_files() {
        for n in 1..=page_count(&path) {
            let (w, h, rgb) = ghostscript(&path, n, dpi, false);
            let at = |x: usize, y: usize| {
                let i = (y * w + x) * 3;
                rgb[i..i + 3].iter().any(|c| *c < 235)
            };
            let off = px(e.bleed + MARKS);
            // 0.6 mm inside the trim and 2 mm out, into the bleed.
            let (inside, outside) = (px(0.6), px(2.0));
            let (x0, y0, x1, y1) = (off, off, w - off, h - off);
            let mut white = Vec::new();
            // Away from the corners, where the marks and rounded boxes are.
            for x in (x0 + px(5.0)..x1 - px(5.0)).step_by(2) {
                for (yi, yo) in [(y0 + inside, y0 - outside), (y1 - inside, y1 + outside)] {
                    if at(x, yi) {
                        touching += 1;
                        if !at(x, yo) {
                            white.push((x, yi));
                        }
                    }
                }
            }
            for y in (y0 + px(5.0)..y1 - px(5.0)).step_by(2) {
                for (xi, xo) in [(x0 + inside, x0 - outside), (x1 - inside, x1 + outside)] {
                    if at(xi, y) {
                        touching += 1;
                        if !at(xo, y) {
                            white.push((xi, y));
                        }
                    }
                }
            }
            assert!(
                white.is_empty(),
                "{} p{n}: colour reaches the trim but stops before the bleed at {} points, e.g. {:?} px",
                path.display(),
                white.len(),
                &white[..white.len().min(5)]
            );
        }
    }
    // The cover, the back page and the flyers' bands touch the trim.
    eprintln!("{touching} edge samples where colour touches the trim, none white in the bleed");
    assert!(
        touching > 500,
        "too few samples where colour touches the trim ({touching}): the test saw nothing"
    );
}

#[test]
fn trimmed_print_pages_look_like_the_screen_pages() {
    let out = &example().built;
    let pairs = [
        (out.file("print/booklet-print.pdf"), out.file("booklet.pdf")),
        (out.file("print/flyers/湖滨社区中心.pdf"), out.file("flyers/湖滨社区中心.pdf")),
        (out.file("print/flyers/燕山乡.pdf"), out.file("flyers/燕山乡.pdf")),
    ];
    let mut worst: f64 = 0.0;
    for (print, screen) in pairs {
        for n in 1..=page_count(&screen) {
            let (w, h, a) = ghostscript(&print, n, 30, true);
            let (w2, h2, b) = ghostscript(&screen, n, 30, false);
            assert!(
                w.abs_diff(w2) <= 1 && h.abs_diff(h2) <= 1,
                "{} p{n}: {w}×{h} against {w2}×{h2}",
                print.display()
            );
            let (w, h) = (w.min(w2), h.min(h2));
            let mut sum = 0u64;
            for y in 0..h {
                for x in 0..w {
                    for c in 0..3 {
                        sum += u64::from(a[(y * w.max(w2) + x) * 3 + c].abs_diff(b[(y * w2 + x) * 3 + c]));
                    }
                }
            }
            let mean = sum as f64 / (w * h * 3) as f64;
            eprintln!("{} p{n}: mean difference {mean:.2}/255", print.display());
            worst = worst.max(mean);
            // The press's gamut and the profile's conversion shift colours a little;
            // a misplaced element or a missing photo shifts them a lot.
            assert!(
                mean < 8.0,
                "{} p{n}: mean difference {mean:.2}/255 from the screen page",
                print.display()
            );
        }
    }
    eprintln!("worst mean difference print vs screen: {worst:.2}/255");
}

#[test]
fn every_qr_code_scans_back_to_the_content_text() {
    let e = example();
    let out = &e.built;
    let booklet = out.file("print/booklet-print.pdf");
    let mut pages = vec![(booklet.clone(), page_count(&booklet))];
    for path in print_files().into_iter().filter(|p| p.parent().is_some_and(|d| d.ends_with("flyers"))) {
        pages.push((path, 1));
    }
    for (path, n) in pages {
        let (w, h, rgb) = ghostscript(&path, n, 200, false);
        let dir = tempfile::tempdir().expect("dir");
        let ppm = dir.path().join("page.ppm");
        let mut bytes = format!("P6\n{w} {h}\n255\n").into_bytes();
        bytes.extend_from_slice(&rgb);
        std::fs::write(&ppm, bytes).expect("write");
        let output = Command::new("zbarimg")
            .args(["-q", "--raw"])
            .arg(&ppm)
            .output()
            .expect("zbarimg runs; ./dev.sh test installs zbar-tools");
        let text = String::from_utf8_lossy(&output.stdout);
        assert_eq!(text.trim(), e.qr, "{} p{n}: zbarimg read {text:?}", path.display());
    }
}

#[test]
fn imposed_pages_move_toward_the_spine_by_the_creep_of_their_sheet() {
    let e = example();
    let out = &e.built;
    for (imposed, source, fold, width) in [
        (out.file("booklet-imposed.pdf"), out.file("booklet.pdf"), 148.5, 297.0),
        (out.file("print/booklet-imposed.pdf"), out.file("print/booklet-print.pdf"), 148.0, 296.0),
    ] {
        let sheet = read_pdf(&imposed);
        let pages = read_pdf(&source);
        let total = pages.pages.len();
        assert_eq!(sheet.pages.len() * 2, total);
        // Offsets of the media corners: in the print files both have the marks' room.
        let margin = (sheet.pages[0].width - width * MM) / 2.0;
        let src_margin = (pages.pages[0].width - 148.0 * MM) / 2.0;
        let mut checked = 0;
        for (i, side) in sheet.pages.iter().enumerate() {
            let k = i / 2;
            let shift = k as f64 * e.caliper * MM;
            let outer = 2 * k;
            let halves = if i % 2 == 0 { [total - outer, outer + 1] } else { [outer + 2, total - outer - 1] };
            for (half, p) in halves.into_iter().enumerate() {
                let page = pages.page(p);
                // A glyph inside the trim (not the slug line).
                let inside = |g: &&support::pdf::Glyph| {
                    g.upright && g.baseline > src_margin && g.baseline < page.height - src_margin
                };
                let Some(g) = page.glyphs.iter().find(inside) else { continue };
                let trim_x = if half == 0 { fold * MM - 148.0 * MM + shift } else { fold * MM - shift };
                let expected = margin + trim_x + (g.x - src_margin);
                let found = side
                    .glyphs
                    .iter()
                    .filter(|s| {
                        s.text == g.text && (s.baseline - margin - (g.baseline - src_margin)).abs() < 0.1
                    })
                    .map(|s| s.x - expected)
                    .min_by(|a, b| a.abs().total_cmp(&b.abs()));
                let dx = found.unwrap_or_else(|| {
                    panic!("{} side {}: page {p}'s “{}” not found", imposed.display(), i + 1, g.text)
                });
                assert!(
                    dx.abs() < 0.02 * MM,
                    "{} side {} (sheet {}): page {p} is {:.3} mm from its creep position ({:.3} mm toward the spine)",
                    imposed.display(),
                    i + 1,
                    k + 1,
                    dx / MM,
                    shift / MM
                );
                checked += 1;
            }
        }
        assert!(checked > total / 2, "{}: only {checked} pages checked", imposed.display());
    }
}

#[test]
fn a_print_build_without_a_profile_says_what_to_do() {
    let empty = tempfile::tempdir().expect("dir");
    let missing = empty.path().join("none.icc");
    let built = cli::build_with_env(
        &cli::repo(),
        &["booklet", "--print", "--no-previews"],
        &[("PRESSROOM_CMYK_PROFILE", Some(missing.to_str().expect("utf-8")))],
    );
    assert_eq!(built.code(), 2, "{}", built.describe());
    assert!(built.stderr.contains("none.icc"), "{}", built.describe());
    assert!(built.stderr.contains("print.profile"), "names the setting: {}", built.describe());
}

#[test]
fn same_input_gives_the_same_print_bytes() {
    let again = cli::build(&cli::repo(), &["booklet", "flyers", "--print", "--no-previews"]);
    again.assert_success();
    for path in print_files() {
        let rel = path.strip_prefix(example().built.out.path()).expect("inside the output");
        let other = again.out.path().join(rel);
        assert!(
            std::fs::read(&path).expect("read") == std::fs::read(&other).expect("read"),
            "{} differs between two builds",
            rel.display()
        );
    }
}
