//! The official documents as DOCX (`build --format pdf,docx`), checked by programs no
//! one here wrote.
//!
//! The example is built once with `--format pdf,docx`. Then:
//!
//! * **The XML** (read with roxmltree from the package, unzipped with the zip crate):
//!   A4 with the margins of P2, a line grid of 22 lines in the type area, the body
//!   style in 三号 with `仿宋_GB2312` for every script (no theme font), the tracking that
//!   fits 28 characters, level 1 and 2 headings in 黑体 and 楷体_GB2312, the title in
//!   方正小标宋简体 二号, odd and even footers with a PAGE field, even-and-odd headers
//!   switched on, and no editing protection.
//! * **LibreOffice** (Debian's `libreoffice-writer-nogui`, which `./dev.sh test`
//!   installs) converts every DOCX to PDF headless, with a fontconfig file of the test
//!   that offers only the Fandol fonts under the official names (FandolSong Bold as
//!   方正小标宋简体). Its PDF is read back like pressroom's own: the same number of pages;
//!   on every full body page 22 lines of 16 pt text at the grid pitch (within 0.3 pt:
//!   LibreOffice rounds the 579-twip pitch to its own units); full lines of 28
//!   characters and none longer; the mark red, its top 35 mm under the type area
//!   (within 3 mm: Word and LibreOffice place a line's glyphs by their own ascent
//!   rules, where typst places them on the grid); page numbers — N — one character in
//!   from the right on odd pages and from the left on even ones (within 1.5 mm), 7 mm
//!   under the type area (within 2 mm, the same reason).
//! * **python-docx** (PyPI, installed by `./dev.sh test`) opens every DOCX and finds
//!   the issuer mark in its text: a second, independent reader accepts the package.
//! * The notice's 版记, on a page of its own, stands at the foot of that even page, where
//!   pressroom's PDF has it (within 3 mm).
//! * A letter (信函格式) carries its mark 30 mm from the paper's top (within 3 mm) and no
//!   page number on page 1.
//! * The seal of each sealed document (请示, 通报, 函) is a 42 mm picture in LibreOffice's
//!   PDF, centred on the date as pressroom sets it (within 2 mm), its top between a line above the name and
//!   the name's top (B8).
//! * Two builds of the same content write the same DOCX bytes.

mod support;

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use support::cli;
use support::pdf::{MM, Pdf, read_pdf};

/// The example's official documents, by output path without extension.
const DOCUMENTS: &[&str] = &[
    "notice",
    "documents/city-request",
    "documents/inspection-bulletin",
    "documents/liaison-minutes",
    "documents/voice-push-letter",
];

struct Built {
    _out: tempfile::TempDir,
    /// pressroom's PDFs and LibreOffice's PDFs of the DOCX files.
    ours: BTreeMap<String, Pdf>,
    theirs: BTreeMap<String, Pdf>,
    docx: BTreeMap<String, PathBuf>,
}

/// Fontconfig for LibreOffice: the Fandol fonts only, found under the names the
/// DOCX asks for.
fn fontconfig(dir: &Path) -> PathBuf {
    let fonts = cli::font_dir();
    let alias = |official: &str, fandol: &str| {
        format!(
            "<match target=\"pattern\"><test name=\"family\"><string>{official}</string></test>\
             <edit name=\"family\" mode=\"assign\" binding=\"strong\"><string>{fandol}</string></edit></match>"
        )
    };
    let xiaobiaosong = format!(
        "<match target=\"scan\"><test name=\"file\"><string>{}</string></test>\
         <edit name=\"family\" mode=\"assign\" binding=\"strong\"><string>方正小标宋简体</string></edit></match>",
        fonts.join("FandolSong-Bold.otf").display()
    );
    let conf = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig><dir>{}</dir>\
         <cachedir>{}</cachedir>{xiaobiaosong}{}{}{}{}</fontconfig>\n",
        fonts.display(),
        dir.join("cache").display(),
        alias("仿宋_GB2312", "FandolFang R"),
        alias("黑体", "FandolHei"),
        alias("楷体_GB2312", "FandolKai"),
        alias("宋体", "FandolSong"),
    );
    let path = dir.join("fonts.conf");
    std::fs::write(&path, conf).expect("write fonts.conf");
    path
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let built = cli::build(&cli::repo(), &["notice", "documents", "--format", "pdf,docx"]);
        built.assert_success();
        let out = built.out.path().to_path_buf();
        let lo = out.join("libreoffice");
        let setup = out.join("lo-setup");
        std::fs::create_dir_all(&setup).expect("a folder");
        let conf = fontconfig(&setup);
        let mut docx = BTreeMap::new();
        for d in DOCUMENTS {
            let path = out.join(format!("{d}.docx"));
            assert!(path.is_file(), "{d}.docx was not written: {}", built.describe());
            docx.insert((*d).to_owned(), path);
        }
        let status = Command::new("soffice")
            .arg(format!("-env:UserInstallation=file://{}", setup.join("profile").display()))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(&lo)
            .args(docx.values())
            .env("FONTCONFIG_FILE", &conf)
            .env("HOME", &setup)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run soffice ({e}): install Debian's libreoffice-writer-nogui (./dev.sh test does)"
                )
            });
        assert!(status.status.success(), "soffice failed: {}", String::from_utf8_lossy(&status.stderr));
        let mut ours = BTreeMap::new();
        let mut theirs = BTreeMap::new();
        for d in DOCUMENTS {
            ours.insert((*d).to_owned(), read_pdf(&out.join(format!("{d}.pdf"))));
            let name = Path::new(d).file_name().expect("a name").to_string_lossy().into_owned();
            let pdf = lo.join(format!("{name}.pdf"));
            assert!(pdf.is_file(), "LibreOffice wrote no {}", pdf.display());
            theirs.insert((*d).to_owned(), read_pdf(&pdf));
        }
        Built { _out: built.out, ours, theirs, docx }
    })
}

/// A part of a DOCX package, as text.
fn part(docx: &Path, name: &str) -> Option<String> {
    let file = std::fs::File::open(docx).expect("open the docx");
    let mut zip = zip::ZipArchive::new(file).expect("the docx is a zip");
    let mut entry = zip.by_name(name).ok()?;
    let mut text = String::new();
    entry.read_to_string(&mut text).expect("UTF-8 XML");
    Some(text)
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn attr<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.attribute((W, name))
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|c| c.has_tag_name((W, name)))
}

#[test]
fn the_xml_carries_page_grid_styles_and_footers() {
    let b = built();
    for (name, path) in &b.docx {
        let document = part(path, "word/document.xml").expect("document.xml");
        let doc = roxmltree::Document::parse(&document).expect("document.xml parses");
        let sect = doc.descendants().rfind(|n| n.has_tag_name((W, "sectPr"))).expect("a sectPr");
        let size = child(sect, "pgSz").expect("pgSz");
        assert_eq!((attr(size, "w"), attr(size, "h")), (Some("11906"), Some("16838")), "{name}: A4");
        let mar = child(sect, "pgMar").expect("pgMar");
        let twips =
            |k: &str| attr(mar, k).and_then(|v| v.parse::<f64>().ok()).expect("a margin") / 1440.0 * 25.4;
        for (k, mm) in [("top", 37.0), ("bottom", 35.0), ("left", 28.0), ("right", 26.0)] {
            assert!((twips(k) - mm).abs() < 0.1, "{name}: {k} margin {:.2} mm, P2 wants {mm}", twips(k));
        }
        let grid = child(sect, "docGrid").expect("docGrid");
        let pitch: f64 = attr(grid, "linePitch").and_then(|v| v.parse().ok()).expect("linePitch");
        let area = 225.0 / 25.4 * 1440.0;
        assert!(
            22.0 * pitch <= area && 23.0 * pitch > area,
            "{name}: a {pitch}-twip pitch must give exactly 22 lines in the 225 mm type area"
        );

        let styles = part(path, "word/styles.xml").expect("styles.xml");
        assert!(!styles.contains("Theme"), "{name}: no theme font overrides the official ones");
        let st = roxmltree::Document::parse(&styles).expect("styles.xml parses");
        let style = |id: &str| {
            st.descendants()
                .find(|n| n.has_tag_name((W, "style")) && attr(*n, "styleId") == Some(id))
                .unwrap_or_else(|| panic!("{name}: no style {id}"))
        };
        let normals = st.descendants().filter(|n| attr(*n, "styleId") == Some("Normal")).count();
        assert_eq!(normals, 1, "{name}: one Normal style");
        for (id, font, size) in [
            ("Normal", "仿宋_GB2312", "32"),
            ("PressroomHeading1", "黑体", "32"),
            ("PressroomHeading2", "楷体_GB2312", "32"),
            ("PressroomTitle", "方正小标宋简体", "44"),
            ("PressroomImprint", "仿宋_GB2312", "28"),
            ("PressroomPageNumber", "宋体", "28"),
        ] {
            let s = style(id);
            let fonts = s.descendants().find(|n| n.has_tag_name((W, "rFonts"))).expect("rFonts");
            for script in ["ascii", "hAnsi", "eastAsia"] {
                assert_eq!(attr(fonts, script), Some(font), "{name}: {id} {script} font");
            }
            let sz = s.descendants().find(|n| n.has_tag_name((W, "sz"))).and_then(|n| attr(n, "val"));
            assert_eq!(sz, Some(size), "{name}: {id} size");
        }
        // 28 characters of 16 pt in 156 mm.
        let spacing: f64 = style("Normal")
            .descendants()
            .find(|n| {
                n.has_tag_name((W, "spacing")) && n.parent().is_some_and(|p| p.has_tag_name((W, "rPr")))
            })
            .and_then(|n| attr(n, "val"))
            .and_then(|v| v.parse().ok())
            .expect("the body's tracking");
        let advance = 16.0 + spacing / 20.0;
        let width = 156.0 * MM;
        assert!(28.0 * advance <= width && 29.0 * advance > width, "{name}: {advance} pt per character");

        let settings = part(path, "word/settings.xml").expect("settings.xml");
        assert!(settings.contains("evenAndOddHeaders"), "{name}: odd and even footers differ");
        assert!(!settings.contains("documentProtection"), "{name}: editing is not locked");
        // Each footer the section names, through the relationships: odd and
        // even ones with — PAGE —, a letter's first page without (L3).
        let rels = part(path, "word/_rels/document.xml.rels").expect("document.xml.rels");
        let rels = roxmltree::Document::parse(&rels).expect("rels parse");
        let target = |id: &str| {
            rels.descendants()
                .find(|n| n.attribute("Id") == Some(id))
                .and_then(|n| n.attribute("Target"))
                .map(|t| format!("word/{t}"))
                .unwrap_or_else(|| panic!("{name}: no relationship {id}"))
        };
        let mut kinds = Vec::new();
        for f in sect.children().filter(|c| c.has_tag_name((W, "footerReference"))) {
            let kind = attr(f, "type").expect("a footer type");
            let id = f
                .attribute(("http://schemas.openxmlformats.org/officeDocument/2006/relationships", "id"))
                .expect("r:id");
            let footer =
                part(path, &target(id)).unwrap_or_else(|| panic!("{name}: the {kind} footer is missing"));
            let numbered = footer.contains("PAGE") && footer.contains("— ");
            assert_eq!(numbered, kind != "first", "{name}: the {kind} footer's page number");
            kinds.push(kind);
        }
        assert!(
            kinds.contains(&"default") && kinds.contains(&"even"),
            "{name}: odd and even footers: {kinds:?}"
        );
        assert_eq!(
            kinds.contains(&"first"),
            name.contains("letter"),
            "{name}: a first-page footer for letters only"
        );
    }
}

/// Lines of body text (16 pt glyphs) on a page.
fn body_lines(pdf: &Pdf, page: usize) -> Vec<support::pdf::TextLine> {
    pdf.page(page)
        .lines()
        .into_iter()
        .filter(|l| l.glyphs.iter().filter(|g| (g.size - 16.0).abs() < 0.6).count() * 2 > l.glyphs.len())
        .filter(|l| l.baseline > 37.0 * MM && l.baseline < (297.0 - 35.0) * MM)
        .collect()
}

#[test]
fn libreoffice_lays_the_docx_out_on_the_grid() {
    let b = built();
    let mut problems = Vec::new();
    let mut full_pages = 0;
    let mut seen = Vec::new();
    for (name, lo) in &b.theirs {
        let ours = &b.ours[name];
        if lo.pages.len() != ours.pages.len() {
            problems.push(format!(
                "{name}: LibreOffice {} pages, pressroom {}",
                lo.pages.len(),
                ours.pages.len()
            ));
        }
        for page in &lo.pages {
            let lines = body_lines(lo, page.number);
            seen.push(format!(
                "{name} p{}: {} lines, last at {:.1} mm",
                page.number,
                lines.len(),
                lines.last().map_or(0.0, |l| l.baseline / MM)
            ));
            // Full pages: text reaching the type area's last line.
            let full =
                lines.last().is_some_and(|l| l.baseline > (297.0 - 35.0 - 8.0) * MM) && lines.len() >= 20;
            if full {
                full_pages += 1;
                if lines.len() != 22 {
                    problems.push(format!("{name} p{}: {} body lines, not 22", page.number, lines.len()));
                }
                let pitches: Vec<f64> = lines.windows(2).map(|w| w[1].baseline - w[0].baseline).collect();
                let grid = 225.0 * MM / 22.0;
                for p in pitches {
                    if (p - grid).abs() > 0.3 {
                        problems.push(format!("{name} p{}: a {p:.2} pt pitch, not {grid:.2}", page.number));
                        break;
                    }
                }
            }
            for l in &lines {
                let cjk = l.glyphs.iter().filter(|g| g.text.chars().all(|c| !c.is_ascii())).count();
                let ascii: usize = l.glyphs.iter().filter(|g| g.text.is_ascii()).count();
                if cjk as f64 + ascii as f64 / 2.0 > 28.5 {
                    problems.push(format!("{name} p{}: more than 28 characters: {}", page.number, l.text));
                }
            }
            // — N —: right on odd pages, left on even ones, 7 mm under the type area.
            let number = page.lines().into_iter().find(|l| l.text.contains('—') && l.baseline > 262.0 * MM);
            if let Some(n) = &number {
                let top = n.baseline - 14.0 * 0.88;
                if (top - 269.0 * MM).abs() > 2.0 * MM {
                    problems.push(format!(
                        "{name} p{}: page number top at {:.1} mm, not 269",
                        page.number,
                        top / MM
                    ));
                }
                let right = (210.0 - 26.0) * MM - n.x1;
                let left = n.x0 - 28.0 * MM;
                // One character (5.6 mm) in, within 1.5 mm.
                let odd = page.number % 2 == 1;
                let inset = if odd { right } else { left };
                if (inset - 156.0 / 28.0 * MM).abs() > 1.5 * MM {
                    problems.push(format!(
                        "{name} p{}: page number on the wrong side ({:.1} mm from the left edge of the type area, {:.1} mm from the right)",
                        page.number,
                        left / MM,
                        right / MM
                    ));
                }
            } else if !(name.contains("letter") && page.number == 1) {
                problems.push(format!("{name} p{}: no page number", page.number));
            }
            if name.contains("letter") && page.number == 1 && number.is_some() {
                problems.push(format!("{name}: a letter has no page number on page 1 (L3)"));
            }
        }
        // A letter's mark stands 30 mm from the paper's top (L1).
        if name.contains("letter") {
            let mark = lo
                .page(1)
                .lines()
                .into_iter()
                .find(|l| l.glyphs.iter().all(|g| g.color.r > 0.9 && g.color.g < 0.1));
            match mark {
                Some(m) => {
                    let top = m.baseline - m.glyphs[0].size * 0.88;
                    if (top - 30.0 * MM).abs() > 3.0 * MM {
                        problems.push(format!("{name}: the mark's top at {:.1} mm, not 30", top / MM));
                    }
                }
                None => problems.push(format!("{name}: no red mark on page 1")),
            }
        }
        // Full lines hold 28 characters: the notice's body has many.
        if name == "notice" {
            let full28 = (1..=lo.pages.len())
                .flat_map(|p| body_lines(lo, p))
                .filter(|l| l.glyphs.len() == 28 && l.glyphs.iter().all(|g| !g.text.is_ascii()))
                .count();
            if full28 < 40 {
                problems.push(format!("notice: only {full28} lines of 28 characters"));
            }
            // The 版记 on a page of its own stands at the foot of an even page,
            // where pressroom's PDF has it (within 3 mm).
            let last = lo.pages.len();
            let find = |pdf: &Pdf| {
                pdf.page(pdf.pages.len())
                    .lines()
                    .into_iter()
                    .find(|l| l.text.contains("印发"))
                    .map(|l| l.baseline)
            };
            match (find(lo), find(ours)) {
                (Some(theirs), Some(mine)) => {
                    if (theirs - mine).abs() > 3.0 * MM || last % 2 == 1 {
                        problems.push(format!(
                            "notice: the 版记 on page {last} at {:.1} mm, pressroom's at {:.1} mm",
                            theirs / MM,
                            mine / MM
                        ));
                    }
                }
                other => problems.push(format!("notice: no 印发 line on the last page: {other:?}")),
            }
            // The mark: red, its top 35 mm under the type area.
            let mark = lo
                .page(1)
                .lines()
                .into_iter()
                .find(|l| l.text.contains("蚌山区人民政府办公室") && l.glyphs[0].size > 30.0);
            match mark {
                Some(m) => {
                    let c = m.glyphs[0].color;
                    if c.r < 0.9 || c.g > 0.1 || c.b > 0.1 {
                        problems.push(format!("notice: the mark is not red: {c:?}"));
                    }
                    let top = m.baseline - m.glyphs[0].size * 0.88;
                    if (top - 72.0 * MM).abs() > 3.0 * MM {
                        problems.push(format!("notice: the mark's top at {:.1} mm, not 72", top / MM));
                    }
                }
                None => problems.push("notice: no issuer mark on page 1".to_owned()),
            }
        }
    }
    // The plan's pages 3–5 are full (page 2 starts with its title, page 6
    // ends before a level-1 heading kept with its text, as in the PDF).
    assert!(full_pages >= 3, "{full_pages} full body pages found:\n  {}", seen.join("\n  "));
    assert!(problems.is_empty(), "LibreOffice's rendering of the DOCX:\n  {}", problems.join("\n  "));
}

#[test]
fn python_docx_opens_every_document() {
    let b = built();
    for (name, path) in &b.docx {
        let out = Command::new("python3")
            .args([
                "-c",
                "import docx, sys; d = docx.Document(sys.argv[1]); print('\\n'.join(p.text for p in d.paragraphs))",
            ])
            .arg(path)
            .output()
            .expect("run python3");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "python-docx cannot open {name}.docx (install it with pip; ./dev.sh test does): {stderr}"
        );
        let text: String =
            String::from_utf8_lossy(&out.stdout).chars().filter(|c| !c.is_whitespace()).collect();
        // The red text of page 1 in pressroom's PDF: the issuer mark.
        let page = b.ours[name].page(1);
        let mark = page
            .lines()
            .into_iter()
            .filter(|l| l.glyphs.iter().all(|g| g.color.r > 0.9 && g.color.g < 0.1))
            .max_by(|a, b| a.glyphs[0].size.total_cmp(&b.glyphs[0].size))
            .map(|l| l.text.chars().filter(|c| !c.is_whitespace()).collect::<String>())
            .expect("a line");
        assert!(text.contains(&mark), "{name}: python-docx does not read the mark {mark:?} in:\n{text}");
    }
}

#[test]
fn the_same_content_gives_the_same_docx_bytes() {
    let a = cli::build(&cli::repo(), &["notice", "documents", "--format", "pdf,docx"]);
    a.assert_success();
    for d in DOCUMENTS {
        let first = std::fs::read(a.file(&format!("{d}.docx"))).expect("read the docx");
        let again = std::fs::read(&built().docx[*d]).expect("read the docx");
        assert!(first == again, "{d}.docx differs between two builds of the same content");
    }
}

#[test]
fn the_seal_presses_on_name_and_date() {
    let b = built();
    let mut seals = 0;
    let mut problems = Vec::new();
    for name in ["documents/city-request", "documents/inspection-bulletin", "documents/voice-push-letter"] {
        let lo = &b.theirs[name];
        let found = lo.pages.iter().find_map(|p| {
            let img = p.images.iter().find(|i| ((i.x1 - i.x0) / MM - 42.0).abs() < 1.0)?;
            Some((p, img.clone()))
        });
        let Some((page, img)) = found else {
            problems.push(format!("{name}: no 42 mm seal picture in LibreOffice's PDF"));
            continue;
        };
        seals += 1;
        let lines = page.lines();
        let Some(date) =
            lines.iter().find(|l| l.text.contains('年') && l.text.ends_with('日') && l.x1 > 100.0 * MM)
        else {
            problems.push(format!("{name}: no date line beside the seal"));
            continue;
        };
        // The date's right end is fixed (four characters in); its width is
        // pressroom's, since LibreOffice 7.4 adds a quarter em between digits
        // and Chinese whatever autoSpaceDE says (Word does not).
        let ours = b.ours[name]
            .pages
            .iter()
            .flat_map(|p| p.lines())
            .find(|l| l.text == date.text.replace(' ', ""))
            .map_or(date.x1 - date.x0, |l| l.x1 - l.x0);
        let centre = (img.x0 + img.x1) / 2.0;
        let date_centre = date.x1 - ours / 2.0;
        if (centre - date_centre).abs() > 2.0 * MM {
            problems.push(format!(
                "{name}: the seal's centre {:.1} mm from the date's",
                (centre - date_centre) / MM
            ));
        }
        let pitch = 225.0 * MM / 22.0;
        let name_top = date.baseline - pitch - 16.0 * 0.88;
        if img.y0 < name_top - pitch - 2.0 * MM || img.y0 > name_top + 1.0 * MM {
            problems.push(format!(
                "{name}: the seal's top at {:.1} mm, the name's top at {:.1} mm",
                img.y0 / MM,
                name_top / MM
            ));
        }
    }
    assert!(problems.is_empty(), "seals in the DOCX:\n  {}", problems.join("\n  "));
    assert_eq!(seals, 3, "three sealed documents");
}
