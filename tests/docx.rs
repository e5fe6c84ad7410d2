//! The official documents as DOCX (written by default beside each PDF), checked by
//! programs no one here wrote.
//!
//! The example is built once with the default formats. Then:
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
//! * Fixtures for what the example does not show, each compared with pressroom's own
//!   PDF in LibreOffice's: an order (L4 header within 3 mm vertically and 1.5 mm
//!   horizontally, no red rule; S1 stamp edge within 1 mm, post and date ends within
//!   1.5 mm); joint issuers with seals (S2: each seal centred on its third of the
//!   line within 1.5 mm, over its own name); a short document whose 版记 shares its
//!   last page (its last rule at the type area's foot within 2 mm, under the text).
//! * Text filling two pages: the blank page pressroom adds before the 版记 and the
//!   版记's page carry no number in LibreOffice's PDF either (N4).
//! * python-docx also opens the order fixture's DOCX and reads its mark and number.
//! * city-request's landscape table is a landscape section whose turned page number
//!   stands 7 mm under the portrait type area, one character in (A3, N2).

mod support;

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use support::pdf::{MM, Pdf, read_pdf};
use support::{cli, example};

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
        fonts.join("FandolSong-Bold.ttf").display()
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

/// LibreOffice's PDFs of `docx`, converted headless into `<out>/libreoffice/`
/// with the Fandol fonts under the official names; returns that folder.
fn libreoffice(out: &Path, docx: &[PathBuf]) -> PathBuf {
    let lo = out.join("libreoffice");
    let setup = out.join("lo-setup");
    std::fs::create_dir_all(&setup).expect("a folder");
    let conf = fontconfig(&setup);
    let status = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", setup.join("profile").display()))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&lo)
        .args(docx)
        .env("FONTCONFIG_FILE", &conf)
        .env("HOME", &setup)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run soffice ({e}): install Debian's libreoffice-writer-nogui (./dev.sh test does)")
        });
    assert!(status.status.success(), "soffice failed: {}", String::from_utf8_lossy(&status.stderr));
    lo
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let built = cli::build(&cli::repo(), &["notice", "documents"]);
        built.assert_success();
        let out = built.out.path().to_path_buf();
        let mut docx = BTreeMap::new();
        for d in DOCUMENTS {
            let path = out.join(format!("{d}.docx"));
            assert!(path.is_file(), "{d}.docx was not written: {}", built.describe());
            docx.insert((*d).to_owned(), path);
        }
        let lo = libreoffice(&out, &docx.values().cloned().collect::<Vec<_>>());
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
            // — N —: right on odd pages, left on even ones, 7 mm under the type area
            // (on landscape pages turned; checked on its own below).
            if page.width > page.height {
                continue;
            }
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

/// The body text python-docx reads from `docx`, without white space.
fn python_docx_text(docx: &Path) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import docx, sys; d = docx.Document(sys.argv[1]); print('\\n'.join(p.text for p in d.paragraphs))",
        ])
        .arg(docx)
        .output()
        .expect("run python3");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "python-docx cannot open {} (install it with pip; ./dev.sh test does): {stderr}",
        docx.display()
    );
    String::from_utf8_lossy(&out.stdout).chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn python_docx_opens_every_document() {
    let b = built();
    for (name, path) in &b.docx {
        let text = python_docx_text(path);
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
    let a = cli::build(&cli::repo(), &["notice", "documents"]);
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

/// pressroom's PDF and LibreOffice's PDF of the DOCX of each fixture
/// document (name, YAML) the example does not show.
fn fixture_pair(documents: &[(&str, &str)], stamp: bool) -> (Vec<tempfile::TempDir>, Vec<(Pdf, Pdf)>) {
    let dir = example::project(documents);
    if stamp {
        example::write_stamp(&dir.path().join("content/images/stamp.png"));
    }
    let built = cli::build(dir.path(), &["documents"]);
    built.assert_success();
    let out = built.out.path();
    let docx: Vec<PathBuf> = documents.iter().map(|(n, _)| out.join(format!("documents/{n}.docx"))).collect();
    let lo = libreoffice(out, &docx);
    let pairs = documents
        .iter()
        .map(|(n, _)| {
            (read_pdf(&out.join(format!("documents/{n}.pdf"))), read_pdf(&lo.join(format!("{n}.pdf"))))
        })
        .collect();
    (vec![dir, built.out], pairs)
}

/// Red pixels of `page` rendered at 72 dpi (one pixel a point) inside
/// `(x0, y0, x1, y1)`, in points from the top left.
fn red_pixels(pdf: &Path, page: usize, (x0, y0, x1, y1): (f64, f64, f64, f64)) -> usize {
    let out = Command::new("mutool")
        .args(["draw", "-q", "-r", "72", "-c", "rgb", "-F", "pnm", "-o", "-"])
        .arg(pdf)
        .arg(page.to_string())
        .output()
        .expect("run mutool draw");
    // P6\n<w> <h>\n255\n then RGB bytes.
    let data = out.stdout;
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        let start = at;
        while at < data.len() && !data[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..at]).into_owned());
        at += 1;
    }
    let width: usize = fields[1].parse().expect("a width");
    let pixels = &data[at..];
    let mut red = 0;
    for y in y0.max(0.0) as usize..y1 as usize {
        for x in x0.max(0.0) as usize..(x1 as usize).min(width) {
            let i = (y * width + x) * 3;
            if let [r, g, b] = pixels.get(i..i + 3).unwrap_or(&[0, 0, 0])
                && *r > 180
                && *g < 120
                && *b < 120
            {
                red += 1;
            }
        }
    }
    red
}

fn is_red(c: support::pdf::Color) -> bool {
    c.r > 0.8 && c.g < 0.3 && c.b < 0.3
}

/// The first line on `page` containing `needle`.
fn line_with(page: &support::pdf::Page, needle: &str) -> Option<support::pdf::TextLine> {
    page.lines().into_iter().find(|l| l.text.replace(' ', "").contains(needle))
}

/// The last line on `page` containing `needle`.
fn last_line_with(page: &support::pdf::Page, needle: &str) -> Option<support::pdf::TextLine> {
    page.lines().into_iter().rfind(|l| l.text.replace(' ', "").contains(needle))
}

#[test]
fn an_order_keeps_its_header_and_signature_stamp_in_the_docx() {
    let filler = "为进一步提升群众满意度各单位要结合实际认真组织实施确保各项工作任务落到实处";
    let order = format!(
        "format: order\nissuers: [\"{{{{ office }}}}\"]\nmark_suffix: 令\nnumber: {{ sequence: 3 }}\n\
         body: |\n  {filler}。\nsignature:\n  date: 2023-11-25\n  stamp: {{ post: 区长, image: images/stamp.png }}\n"
    );
    let (dirs, pairs) = fixture_pair(&[("order", &order)], true);
    let (ours, lo) = (&pairs[0].0.pages[0], &pairs[0].1.pages[0]);
    // A second reader takes the order format too.
    let text = python_docx_text(&dirs[1].path().join("documents/order.docx"));
    assert!(text.contains("蚌山区人民政府办公室令") && text.contains("第3号"), "python-docx reads: {text}");
    let mut problems = Vec::new();
    let near = |problems: &mut Vec<String>, what: &str, theirs: f64, want: f64, tol_mm: f64| {
        if (theirs - want).abs() > tol_mm * MM {
            problems.push(format!("{what}: {:.1} mm from pressroom's", (theirs - want) / MM));
        }
    };
    // L4: the mark 20 mm under the type area (LibreOffice places the line's
    // glyphs by its own ascent: 3 mm), the number centred, no red rule.
    let (Some(mark), Some(mark_lo)) = (line_with(ours, "令"), line_with(lo, "令")) else {
        panic!("no mark in one of the PDFs");
    };
    near(&mut problems, "the mark's baseline", mark_lo.baseline, mark.baseline, 3.0);
    near(&mut problems, "the mark's centre", (mark_lo.x0 + mark_lo.x1) / 2.0, (mark.x0 + mark.x1) / 2.0, 1.5);
    let (Some(number), Some(number_lo)) = (line_with(ours, "第3号"), line_with(lo, "第3号")) else {
        panic!("no order number in one of the PDFs");
    };
    near(
        &mut problems,
        "the number's centre",
        (number_lo.x0 + number_lo.x1) / 2.0,
        (number.x0 + number.x1) / 2.0,
        1.5,
    );
    near(&mut problems, "the number's baseline", number_lo.baseline, number.baseline, 3.0);
    if lo.strokes.iter().any(|s| is_red(s.color)) || lo.fills.iter().any(|f| is_red(f.color)) {
        problems.push("L4: a red rule in the order's DOCX".to_owned());
    }
    // S1: the stamp four characters from the right, the post two characters
    // left of it, the date four characters in.
    let (Some(stamp), Some(stamp_lo)) = (ours.images.first(), lo.images.first()) else {
        panic!("S1: no stamp picture in one of the PDFs (LibreOffice: {} images)", lo.images.len());
    };
    near(&mut problems, "the stamp's right edge", stamp_lo.x1, stamp.x1, 1.0);
    near(&mut problems, "the stamp's width", stamp_lo.x1 - stamp_lo.x0, stamp.x1 - stamp.x0, 0.5);
    near(&mut problems, "the stamp's top", stamp_lo.y0, stamp.y0, 3.0);
    for needle in ["区长", "2023年11月25日"] {
        let (Some(a), Some(b)) = (line_with(ours, needle), line_with(lo, needle)) else {
            panic!("no {needle} in one of the PDFs");
        };
        near(&mut problems, &format!("{needle}'s right end"), b.x1, a.x1, 1.5);
        near(&mut problems, &format!("{needle}'s baseline"), b.baseline, a.baseline, 3.0);
    }
    assert!(problems.is_empty(), "the order's DOCX in LibreOffice:\n  {}", problems.join("\n  "));
}

#[test]
fn joint_issuers_each_get_their_seal_over_their_name_in_the_docx() {
    const NAMES: [&str; 3] = ["区人力资源社保局", "区教育体育局", "区卫生健康委"];
    let joint = "issuers: [区人力资源社保局, 区教育体育局, 区卫生健康委]\n\
        number: { agency: 蚌山政办, sequence: 2 }\ntitle: [关于开展就业服务的通知]\nrecipients: 各乡街：\n\
        body: 区人力资源社保局将开展就业服务。\n\
        signature:\n  date: 2023-11-25\n  seals: [images/seal.svg, images/seal.svg, images/seal.svg]\n\
        imprint: { date: 2023-11-25 }\n";
    let (_dir, pairs) = fixture_pair(&[("joint", joint)], false);
    let lo = &pairs[0].1;
    // (pressroom's PDF draws the SVG seals as vectors; LibreOffice's has
    // the pictures the DOCX carries.)
    let mut b: Vec<_> = lo
        .pages
        .iter()
        .flat_map(|p| p.images.iter().cloned())
        .filter(|i| ((i.x1 - i.x0) / MM - 42.0).abs() < 1.0)
        .collect();
    b.sort_by(|x, y| x.x0.total_cmp(&y.x0));
    assert_eq!(b.len(), 3, "S2: LibreOffice's PDF of the DOCX has a 42 mm seal per issuer");
    let mut problems = Vec::new();
    // S2: three a row, each centred in a third of the type area.
    for (i, seal) in b.iter().enumerate() {
        let want = (28.0 + 156.0 / 6.0 * (2 * i + 1) as f64) * MM;
        let centre = (seal.x0 + seal.x1) / 2.0;
        if (centre - want).abs() > 1.5 * MM {
            problems.push(format!("seal {}: centre {:.1} mm from its column's", i + 1, (centre - want) / MM));
        }
    }
    // Each name centred under its seal: the glyphs of the names' line that
    // lie under it.
    let page = lo.pages.iter().find(|p| !p.images.is_empty()).expect("the signature page");
    let line = last_line_with(page, "区教育体育局").expect("the names' line");
    for (seal, name) in b.iter().zip(NAMES) {
        let under: Vec<_> =
            line.glyphs.iter().filter(|g| g.x >= seal.x0 - 3.0 * MM && g.x < seal.x1).collect();
        let text: String = under.iter().map(|g| g.text.as_str()).collect();
        let (Some(first), Some(last)) = (under.first(), under.last()) else {
            problems.push(format!("{name}: nothing under its seal"));
            continue;
        };
        let centre = (first.x + last.x + last.advance) / 2.0;
        let top = line.baseline - 16.0 * 0.88;
        if seal.y0 < top - 225.0 * MM / 22.0 - 2.0 * MM || seal.y0 > top + 1.0 * MM {
            problems.push(format!("{name}: its seal's top {:.1} mm from the name's", (seal.y0 - top) / MM));
        }
        if text != name || (centre - (seal.x0 + seal.x1) / 2.0).abs() > 2.0 * MM {
            problems.push(format!(
                "under the seal {text:?} centred {:.1} mm from it, expected {name}",
                (centre - (seal.x0 + seal.x1) / 2.0) / MM
            ));
        }
    }
    // pressroom's own PDF shows each seal whole, not cut to the names'
    // line (its seals are vectors: look at the rendered page, red below the
    // date where the seals' lower halves are).
    let ours = &pairs[0].0;
    let below = line_with(ours.page(1), "2023年11月25日").expect("our date line").baseline + 3.0 * MM;
    for (i, seal) in b.iter().enumerate() {
        let red = red_pixels(&ours.path, 1, (seal.x0, below, seal.x1, below + 8.0 * MM));
        if red < 20 {
            problems
                .push(format!("pressroom's PDF: seal {} cut off under the date ({red} red pixels)", i + 1));
        }
    }
    assert!(problems.is_empty(), "joint seals in the DOCX:\n  {}", problems.join("\n  "));
}

#[test]
fn a_short_documents_imprint_floats_to_the_foot_of_its_last_page() {
    // Two pages of text and room to spare on the second: pressroom's PDF
    // puts the 版记 at the foot of page 2, beside the text (V1); the DOCX
    // must keep it there whatever the word processor reflows.
    let line = "为进一步提升群众满意度各单位要结合实际认真组织实施确保各项工作任务落到实处";
    let body: String = (0..3).map(|_| format!("  {line}{line}。\n\n")).collect();
    let doc = format!(
        "issuers: [\"{{{{ office }}}}\"]\nnumber: {{ agency: 蚌山政办, sequence: 5 }}\n\
         title: [关于做好群众满意度提升工作的通知]\nrecipients: 各乡街，区直各单位：\nbody: |\n{body}\
         signature: {{ date: 2023-11-25 }}\n\
         imprint: {{ cc: [区委办公室, 区人大常委会办公室], printer: \"{{{{ office }}}}\", date: 2023-11-25 }}\n"
    );
    let (_dir, pairs) = fixture_pair(&[("shared", &doc)], false);
    let (ours, lo) = (&pairs[0].0, &pairs[0].1);
    assert_eq!(ours.pages.len(), 2, "the fixture's PDF has two pages");
    assert_eq!(lo.pages.len(), 2, "LibreOffice's PDF of the DOCX has two pages");
    let page = lo.page(2);
    let lines = page.lines();
    let imprint = lines.iter().find(|l| l.text.contains("印发")).expect("the 印发 line on page 2");
    let date =
        lines.iter().find(|l| l.text.replace(' ', "") == "2023年11月25日").expect("the date on page 2");
    assert!(date.baseline < imprint.baseline - 30.0 * MM, "the text stays at the top, the 版记 under it");
    // The last rule (the lowest horizontal black line) at the type area's
    // foot, 262 mm from the paper's top, within 2 mm.
    let rules: Vec<f64> = page
        .strokes
        .iter()
        .filter(|s| (s.y0 - s.y1).abs() < 0.5 && s.x1 - s.x0 > 100.0 * MM)
        .map(|s| s.y0)
        .chain(page.fills.iter().filter(|f| f.x1 - f.x0 > 100.0 * MM && f.y1 - f.y0 < 1.0 * MM).map(|f| f.y1))
        .collect();
    let lowest = rules.iter().copied().fold(f64::MIN, f64::max);
    assert!(
        (lowest - 262.0 * MM).abs() < 2.0 * MM,
        "the 版记's last rule at {:.1} mm, not at the type area's foot (262 mm); rules at {:?}",
        lowest / MM,
        rules.iter().map(|r| format!("{:.1}", r / MM)).collect::<Vec<_>>()
    );
    let ours_imprint = ours.page(2).lines().into_iter().find(|l| l.text.contains("印发")).expect("our 印发");
    assert!(
        (imprint.baseline - ours_imprint.baseline).abs() < 3.0 * MM,
        "the 印发 line {:.1} mm from pressroom's",
        (imprint.baseline - ours_imprint.baseline) / MM
    );
}

#[test]
fn a_landscape_table_gets_a_landscape_section_with_the_number_where_portrait_pages_have_it() {
    // city-request's attachment is a wide table (A3).
    let b = built();
    let xml = part(&b.docx["documents/city-request"], "word/document.xml").expect("document.xml");
    assert!(xml.contains(r#"w:orient="landscape""#), "no landscape section in city-request.docx");
    let lo = &b.theirs["documents/city-request"];
    let landscape: Vec<_> = lo.pages.iter().filter(|p| p.width > p.height).collect();
    assert_eq!(landscape.len(), 1, "LibreOffice: one landscape page for the table");
    let page = landscape[0];
    assert!(
        page.lines().iter().any(|l| l.text.contains("序号") || l.text.contains("序")),
        "the table is on it"
    );
    // The page number, turned, 7 mm under the portrait type area: on the
    // landscape page its em box spans x = 23.1–28.0 mm (A3, N2); odd pages
    // one character in from the portrait right edge, i.e. ending at
    // y = 178.4 mm.
    let number: Vec<_> = page.glyphs.iter().filter(|g| g.x < 31.0 * MM).collect();
    let text: String = number.iter().map(|g| g.text.as_str()).collect();
    assert!(
        text.contains('—') && text.contains(&page.number.to_string()),
        "no page number at the left edge: {text:?}"
    );
    for g in &number {
        assert!(
            (22.0 * MM..29.5 * MM).contains(&g.x),
            "page number glyph {:?} at x {:.1} mm, not 7 mm under the type area",
            g.text,
            g.x / MM
        );
    }
    let end = number.iter().map(|g| g.baseline).fold(f64::MIN, f64::max);
    let start = number.iter().map(|g| g.baseline).fold(f64::MAX, f64::min);
    assert!(
        page.number % 2 == 1 && (start - 162.0 * MM).abs() < 3.0 * MM && end < 179.0 * MM,
        "odd page {}: the number along y {:.1}–{:.1} mm, should end one character before 184 mm",
        page.number,
        start / MM,
        end / MM
    );
}

#[test]
fn the_title_recipients_and_a_letters_cc_stand_where_the_pdf_has_them() {
    // The 版头 (mark, number, red rule) must not push the text down in Word or
    // LibreOffice: the title's first line and the recipients within 3 mm of
    // pressroom's (the same tolerance as the mark, for the same reason).
    let b = built();
    let mut problems = Vec::new();
    for (name, needles) in [
        ("notice", ["关于印发蚌山区", "各乡政府"]),
        ("documents/city-request", ["关于支持蚌山区", "蚌埠市人民政府"]),
    ] {
        for needle in needles {
            let (Some(ours), Some(theirs)) = (
                last_line_with(b.ours[name].page(1), needle),
                last_line_with(b.theirs[name].page(1), needle),
            ) else {
                problems.push(format!("{name}: no line with {needle}"));
                continue;
            };
            let off = (theirs.baseline - ours.baseline) / MM;
            if off.abs() > 3.0 {
                problems.push(format!("{name}: {needle}… {off:.1} mm from pressroom's"));
            }
        }
    }
    // A letter's 抄送 (L3) at the foot of its last page, as in the PDF.
    let name = "documents/voice-push-letter";
    let last = |pdf: &Pdf| last_line_with(pdf.page(pdf.pages.len()), "抄送").map(|l| l.baseline);
    match (last(&b.ours[name]), last(&b.theirs[name])) {
        (Some(ours), Some(theirs)) if ((theirs - ours) / MM).abs() <= 3.0 => {}
        other => problems.push(format!("{name}: 抄送 at {other:?} (pressroom's, LibreOffice's baseline)")),
    }
    assert!(problems.is_empty(), "in LibreOffice:\n  {}", problems.join("\n  "));
}

#[test]
fn the_blank_page_before_the_imprint_and_the_imprints_page_carry_no_number() {
    // Text filling two pages: pressroom's PDF adds a blank page so that the
    // 版记 stands on an even page (4); neither carries a number (N4).
    let line = "为进一步提升群众满意度各单位要结合实际认真组织实施确保各项工作任务落到实处";
    let body: String = (0..9).map(|_| format!("  {line}{line}。\n")).collect();
    let doc = format!(
        "issuers: [\"{{{{ office }}}}\"]\nnumber: {{ agency: 蚌山政办, sequence: 5 }}\n\
         title: [关于做好群众满意度提升工作的通知]\nrecipients: 各乡街，区直各单位：\nbody: |\n{body}\
         signature: {{ date: 2023-11-25 }}\n\
         imprint: {{ cc: [区委办公室, 区人大常委会办公室], printer: \"{{{{ office }}}}\", date: 2023-11-25 }}\n"
    );
    let (_dir, pairs) = fixture_pair(&[("blank", &doc)], false);
    let (ours, lo) = (&pairs[0].0, &pairs[0].1);
    assert_eq!(ours.pages.len(), 4, "the fixture's PDF: two pages of text, a blank one, the 版记's");
    assert_eq!(lo.pages.len(), 4, "LibreOffice's PDF of the DOCX has four pages");
    let numbered = |page: &support::pdf::Page| {
        page.lines().iter().any(|l| l.text.contains('—') && l.baseline > 262.0 * MM)
    };
    let numbers: Vec<bool> = lo.pages.iter().map(numbered).collect();
    assert_eq!(numbers, [true, true, false, false], "page numbers on pages 1–4 in LibreOffice's PDF");
    assert!(lo.page(3).lines().is_empty(), "page 3 is blank");
    let imprint = last_line_with(lo.page(4), "印发").expect("the 版记 on page 4");
    assert!(imprint.baseline > 240.0 * MM, "the 版记 at the foot of page 4");
}
