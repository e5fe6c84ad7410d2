//! The publicity booklet, its saddle-stitch imposition and the township flyers
//! (issue 3), checked on real builds read back from their PDFs.
//!
//! How:
//! * The example project (the repository's `content/` and `templates/`) is copied into a
//!   temporary project under Cargo's test temp folder (photos hard-linked, so the copy is
//!   cheap) and built once per test binary with the real `pressroom` binary and the Fandol
//!   fonts (`support::cli`): first `build booklet` alone, so the fresh photo cache
//!   (`<project>/.cache/pressroom`) then holds exactly the downsampled photos the booklet
//!   uses, then `build` of every target. The PDFs are read back with `mutool`
//!   (`support::pdf`: glyphs with positions, sizes and fonts, image boxes, font resources).
//!   The example's photos are generated first if missing (`sample-photos`, as
//!   `./dev.sh photos` does).
//! * What the PDFs must show comes from the content files (`content/campaign.yaml`,
//!   `content/areas/*.yaml`, `content/townships/*.yaml`), never from the code under test.
//! * Behaviour (overflow, `--only`, photo warnings and errors) is checked on temporary copies
//!   of the example with one file changed, or on `tests/fixtures/booklet-one-photo/` (a
//!   one-chapter booklet whose photo the test writes: a 4000×3000 phone-size JPEG from
//!   `sample-photos`, a small 600×400 JPEG, or none).
//!
//! What (one test each, in the order of the issue's "How it is checked"):
//! 1. page sizes and counts of the booklet (A5, a multiple of 4), the imposition (A4
//!    landscape, half as many) and every flyer (`flyer`: 2 × A4; `card`: 1 × 210×99 mm);
//! 2. every area's chapter title in campaign order, each opening an even page (a spread),
//!    listed in the contents with the page it opens on, and the lead departments credited;
//! 3. every township's name and phone in its own flyer and in no other, its grid workers on
//!    the back, and the nine survey indicators on every flyer's back (the card's one side);
//! 4. no glyph outside its page, no U+FFFD, every font embedded and a Fandol font;
//! 5. the imposition's order: each half of each side is identified by comparing its glyphs
//!    with the booklet's pages, and must be saddle-stitch order (side 1 = [N, 1], side 2 =
//!    [2, N−1], …), placed unscaled, still as text;
//! 6. photos: image boxes are the frames the photos were downsampled for (300 dpi), the
//!    booklet PDF is within 115 % of its downsampled photos, and one 4000×3000 photo adds at
//!    most 1.15 × its downsampled size to a booklet;
//! 7. an overflowing flyer fails (exit 1) naming township, region and mm, writes nothing
//!    and leaves an earlier good PDF untouched;
//! 8. `--only` by name or file stem builds one flyer; an unknown name exits 1 with help;
//! 9. two builds of the same input give byte-identical files;
//! 10. a low-resolution photo warns with its YAML location, and the build succeeds;
//! 11. a missing photo is an error at its YAML file, line and column.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;
use support::cli::{self, Run};
use support::example;
use support::pdf::{Glyph, MM, Page, Pdf, read_pdf};
use tempfile::TempDir;

// ---------------------------------------------------------------------------
// Sizes and limits.
// ---------------------------------------------------------------------------

/// A5 portrait.
const A5: (f64, f64) = (148.0 * MM, 210.0 * MM);
/// A4 landscape (the imposed sheets).
const A4_LANDSCAPE: (f64, f64) = (297.0 * MM, 210.0 * MM);
/// A4 portrait (the `flyer` layout).
const A4: (f64, f64) = (210.0 * MM, 297.0 * MM);
/// One third of A4 (the `card` layout, 明白卡).
const CARD: (f64, f64) = (210.0 * MM, 99.0 * MM);
/// Page sizes are exact up to rounding.
const PAGE_TOL: f64 = 0.5;
/// The em box of a glyph: 0.88 em above the baseline, 0.12 em below.
const ASCENT: f64 = 0.88;
const DESCENT: f64 = 0.12;
/// Photos are downsampled for 300 dpi at their placed size.
const DPI: f64 = 300.0;
/// Allowed distance from 300 dpi (rounding to whole pixels).
const DPI_TOL: f64 = 3.0;
/// A PDF may be this much larger than the photos it carries.
const PHOTO_OVERHEAD: f64 = 1.15;
/// A line at least this large is a heading, not a running head (8 pt) or body text (10.5 pt).
const HEADING_SIZE: f64 = 12.0;
/// The township used for single-flyer builds, and its file stem.
const HUBIN: &str = "湖滨社区中心";
const HUBIN_STEM: &str = "hubin";

// ---------------------------------------------------------------------------
// What the content says.
// ---------------------------------------------------------------------------

/// One indicator area, in the campaign's order.
#[derive(Debug)]
struct Area {
    /// Its id in `campaign.yaml`.
    id: String,
    /// The indicator's name (the survey's wording).
    indicator: String,
    /// Whether the survey asks about it (`in_survey`, true unless false).
    in_survey: bool,
    /// Full names of the lead departments (`leads`, looked up in `departments`).
    leads: Vec<String>,
    /// The chapter title: the area file's `title`, else the indicator.
    title: String,
    /// Number of photos in the area file.
    photos: usize,
}

/// One township's file.
#[derive(Debug)]
struct Township {
    name: String,
    phone: String,
    /// `flyer` unless the file says otherwise.
    layout: String,
    /// Grid workers' names and phones.
    workers: Vec<(String, String)>,
}

#[derive(Debug)]
struct Content {
    areas: Vec<Area>,
    townships: Vec<Township>,
    /// Whether `booklet.yaml` has a cover photo.
    cover_photo: bool,
}

fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

fn str_at<'v>(v: &'v Value, key: &str, file: &Path) -> &'v str {
    v[key].as_str().unwrap_or_else(|| panic!("{}: `{key}` is not text", file.display()))
}

/// The YAML files of a content folder, sorted by name.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("list {}: {e}", dir.display()))
        .map(|e| e.expect("read a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    files
}

fn content() -> &'static Content {
    static CONTENT: OnceLock<Content> = OnceLock::new();
    CONTENT.get_or_init(|| {
        let dir = cli::repo().join("content");
        let campaign_path = dir.join("campaign.yaml");
        let campaign = read_yaml(&campaign_path);
        // Text fields may use the campaign's template expressions ({{ year }} …).
        let env = minijinja::Environment::new();
        let ctx = minijinja::Value::from(minijinja::value::Serde(&campaign));
        let render = |s: &str| env.render_str(s, ctx.clone()).unwrap_or_else(|e| panic!("render {s:?}: {e}"));
        let full_name = |short: &str| {
            campaign["departments"][short]
                .as_str()
                .unwrap_or_else(|| panic!("campaign.yaml: department {short:?} is not registered"))
                .to_string()
        };
        let area_files: Vec<(PathBuf, Value)> =
            yaml_files(&dir.join("areas")).into_iter().map(|p| (p.clone(), read_yaml(&p))).collect();
        let areas = campaign["areas"]
            .as_array()
            .expect("campaign.yaml: areas is a list")
            .iter()
            .map(|a| {
                let id = str_at(a, "id", &campaign_path).to_string();
                let indicator = str_at(a, "indicator", &campaign_path).to_string();
                let (_, area) = area_files
                    .iter()
                    .find(|(_, f)| f["area"].as_str() == Some(id.as_str()))
                    .unwrap_or_else(|| panic!("no content/areas/*.yaml for the campaign's area {id:?}"));
                let title = match area["title"].as_str() {
                    Some(t) => render(t),
                    None => indicator.clone(),
                };
                let leads = a["leads"]
                    .as_array()
                    .unwrap_or_else(|| panic!("campaign.yaml: area {id:?} has no leads"))
                    .iter()
                    .map(|l| full_name(l.as_str().expect("a lead is a short name")))
                    .collect();
                let photos = area["photos"].as_array().map_or(0, Vec::len);
                Area {
                    in_survey: a["in_survey"].as_bool().unwrap_or(true),
                    id,
                    indicator,
                    leads,
                    title,
                    photos,
                }
            })
            .collect();
        let townships = yaml_files(&dir.join("townships"))
            .iter()
            .map(|path| {
                let t = read_yaml(path);
                // A 明白卡 township gives none: the card does not print them.
                let layout = t["layout"].as_str().unwrap_or("flyer");
                let workers = match t["grid_workers"].as_array() {
                    Some(list) => list
                        .iter()
                        .map(|w| (render(str_at(w, "name", path)), render(str_at(w, "phone", path))))
                        .collect(),
                    None if layout == "card" => Vec::new(),
                    None => panic!("{}: no grid_workers", path.display()),
                };
                Township {
                    name: str_at(&t, "township", path).to_string(),
                    phone: render(str_at(&t, "phone", path)),
                    layout: t["layout"].as_str().unwrap_or("flyer").to_string(),
                    workers,
                }
            })
            .collect();
        let booklet = read_yaml(&dir.join("booklet.yaml"));
        Content { areas, townships, cover_photo: !booklet["cover_photo"].is_null() }
    })
}

// ---------------------------------------------------------------------------
// Temporary projects and builds.
// ---------------------------------------------------------------------------

/// A temporary copy of the example project (content with its photos, templates, fonts),
/// with a cache of its own.
fn example_copy() -> TempDir {
    example::ensure_photos();
    let project = example::temp_dir("pressroom-example-");
    for part in ["content", "templates", "fonts"] {
        let src = cli::repo().join(part);
        if src.is_dir() {
            example::copy_tree(&src, &project.path().join(part));
        }
    }
    project
}

/// A temporary copy of `tests/fixtures/<name>/`, with the repository's templates when the
/// fixture has none of its own (the booklet's templates are the project's, as in the example).
fn fixture_copy(name: &str) -> TempDir {
    let project = example::temp_dir(&format!("pressroom-{name}-"));
    example::copy_tree(&cli::repo().join("tests/fixtures").join(name), project.path());
    if !project.path().join("templates").exists() {
        example::copy_tree(&cli::repo().join("templates"), &project.path().join("templates"));
    }
    project
}

/// `pressroom build ARGS --project PROJECT --out OUT` with the Fandol fonts, English
/// messages and no `SOURCE_DATE_EPOCH`.
fn build(project: &Path, out: &Path, args: &[&str]) -> Run {
    let project = project.to_str().expect("project path is UTF-8");
    let out = out.to_str().expect("output path is UTF-8");
    let mut full = vec!["build"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--project", project, "--out", out]);
    let output = cli::run(&full, &[("SOURCE_DATE_EPOCH", None)]);
    Run::from_output(&output, &format!("pressroom {full:?}"))
}

/// Every file under `dir`, by path relative to it (with `/`), and its bytes.
fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("list {}: {e}", d.display())) {
            let path = entry.expect("read a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("under dir").to_string_lossy().replace('\\', "/");
                files.insert(
                    rel,
                    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display())),
                );
            }
        }
    }
    files
}

/// File names (not folders) directly in `dir`, sorted; empty if it does not exist.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Sizes of the files in a project's photo cache, by name.
fn cache_files(project: &Path) -> BTreeMap<String, u64> {
    let dir = project.join(".cache/pressroom");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("list the photo cache {}: {e}", dir.display()))
        .map(|e| e.expect("read a directory entry"))
        .filter(|e| e.path().is_file())
        .map(|e| {
            (e.file_name().to_string_lossy().into_owned(), e.metadata().expect("stat a cache file").len())
        })
        .collect()
}

/// The example, built once per test binary.
struct Example {
    booklet: Pdf,
    imposed: Pdf,
    /// Every flyer, by file name without `.pdf`.
    flyers: BTreeMap<String, Pdf>,
    /// Every other PDF of the build (the notice, its attachments), by relative path.
    others: BTreeMap<String, Pdf>,
    /// Every output file of the full build, by relative path.
    files: BTreeMap<String, Vec<u8>>,
    /// The `build booklet` run's outputs (made with a cold photo cache).
    booklet_only_files: BTreeMap<String, Vec<u8>>,
    /// The downsampled photos the booklet uses: the cache after `build booklet` alone.
    booklet_photos: BTreeMap<String, u64>,
    /// Pixel sizes of the booklet's images, by page, in the order of `Page::images`.
    booklet_image_pixels: BTreeMap<usize, Vec<(u32, u32)>>,
    /// Lengths of the booklet PDF's image streams.
    booklet_image_streams: Vec<u64>,
}

fn example() -> &'static Example {
    static EXAMPLE: OnceLock<Example> = OnceLock::new();
    EXAMPLE.get_or_init(|| {
        let project = example_copy();
        let booklet_out = example::temp_dir("pressroom-out-");
        build(project.path(), booklet_out.path(), &["booklet"]).assert_success("build booklet (the example)");
        let booklet_photos = cache_files(project.path());
        let out = example::temp_dir("pressroom-out-");
        build(project.path(), out.path(), &[]).assert_success("build (the example, every target)");
        let flyers = names_in(&out.path().join("flyers"))
            .into_iter()
            .filter_map(|n| {
                Some((n.strip_suffix(".pdf")?.to_string(), read_pdf(&out.path().join("flyers").join(&n))))
            })
            .collect();
        let files = files_under(out.path());
        // Every other PDF of the build (the notice and its attachments).
        let others = files
            .keys()
            .filter(|n| n.ends_with(".pdf") && !n.starts_with("booklet") && !n.starts_with("flyers/"))
            .map(|n| (n.clone(), read_pdf(&out.path().join(n))))
            .collect();
        let booklet = out.path().join("booklet.pdf");
        Example {
            booklet: read_pdf(&booklet),
            booklet_image_pixels: image_pixels(&booklet),
            booklet_image_streams: image_stream_lengths(&booklet),
            imposed: read_pdf(&out.path().join("booklet-imposed.pdf")),
            flyers,
            others,
            files,
            booklet_only_files: files_under(booklet_out.path()),
            booklet_photos,
        }
    })
}

// ---------------------------------------------------------------------------
// Reading text and images.
// ---------------------------------------------------------------------------

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A page's text without any whitespace (line breaks included).
fn page_text(page: &Page) -> String {
    squash(&page.text())
}

/// Pixel sizes of the images painted on each page, in painting order (the order of
/// `Page::images`), from `mutool trace`.
fn image_pixels(path: &Path) -> BTreeMap<usize, Vec<(u32, u32)>> {
    let output = std::process::Command::new("mutool")
        .arg("trace")
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("run mutool trace {}: {e}", path.display()));
    let trace = String::from_utf8_lossy(&output.stdout);
    let attr = |line: &str, key: &str| -> Option<String> {
        let at = line.find(&format!(" {key}=\""))? + key.len() + 3;
        Some(line[at..].split('"').next()?.to_string())
    };
    let mut pages: BTreeMap<usize, Vec<(u32, u32)>> = BTreeMap::new();
    let mut page = 0;
    for line in trace.lines().map(str::trim_start) {
        if line.starts_with("<page ") {
            page = attr(line, "number").and_then(|n| n.parse().ok()).expect("<page> has a number");
        } else if line.starts_with("<fill_image") {
            let px = |key| attr(line, key).and_then(|v| v.parse().ok()).unwrap_or(0);
            pages.entry(page).or_default().push((px("width"), px("height")));
        }
    }
    pages
}

/// `/Length` of every image stream in the PDF (`mutool show -g FILE grep`).
fn image_stream_lengths(path: &Path) -> Vec<u64> {
    let output = std::process::Command::new("mutool")
        .args(["show", "-g"])
        .arg(path)
        .arg("grep")
        .output()
        .unwrap_or_else(|e| panic!("run mutool show {}: {e}", path.display()));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.contains("/Subtype/Image"))
        .filter_map(|l| l.split("/Length ").nth(1)?.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .collect()
}

/// The em box of a glyph: (left, top, right, bottom).
fn glyph_box(g: &Glyph) -> (f64, f64, f64, f64) {
    (
        g.x.min(g.x + g.advance),
        g.baseline - ASCENT * g.size,
        g.x.max(g.x + g.advance),
        g.baseline + DESCENT * g.size,
    )
}

fn assert_page_size(pdf: &Pdf, page: &Page, (w, h): (f64, f64), what: &str) {
    assert!(
        (page.width - w).abs() <= PAGE_TOL && (page.height - h).abs() <= PAGE_TOL,
        "{} page {}: {:.2} × {:.2} pt, expected {what} {w:.2} × {h:.2} pt",
        pdf.path.display(),
        page.number,
        page.width,
        page.height
    );
}

// ---------------------------------------------------------------------------
// 1. Page sizes and counts.
// ---------------------------------------------------------------------------

#[test]
fn page_sizes_and_counts() {
    let ex = example();
    let n = ex.booklet.pages.len();
    assert!(n > 0 && n.is_multiple_of(4), "booklet.pdf has {n} pages, not a (non-zero) multiple of 4");
    for page in &ex.booklet.pages {
        assert_page_size(&ex.booklet, page, A5, "A5 portrait");
    }
    assert_eq!(ex.imposed.pages.len(), n / 2, "booklet-imposed.pdf should have booklet pages / 2 sides");
    for page in &ex.imposed.pages {
        assert_page_size(&ex.imposed, page, A4_LANDSCAPE, "A4 landscape");
    }
    let expected: BTreeSet<&str> = content().townships.iter().map(|t| t.name.as_str()).collect();
    let built: BTreeSet<&str> = ex.flyers.keys().map(String::as_str).collect();
    assert_eq!(built, expected, "output/flyers/ should hold one PDF per township file");
    for t in &content().townships {
        let pdf = &ex.flyers[&t.name];
        let (pages, size, what) = match t.layout.as_str() {
            "flyer" => (2, A4, "A4 portrait"),
            "card" => (1, CARD, "210 × 99 mm"),
            other => panic!("township {} uses layout {other:?}, which this test does not know", t.name),
        };
        assert_eq!(pdf.pages.len(), pages, "{} ({} layout) should have {pages} page(s)", t.name, t.layout);
        for page in &pdf.pages {
            assert_page_size(pdf, page, size, what);
        }
    }
}

// ---------------------------------------------------------------------------
// 2. Chapters: titles in order on spreads, contents, credits.
// ---------------------------------------------------------------------------

/// The page on which a chapter opens: the first with a heading-size line reading `title`.
fn chapter_page(booklet: &Pdf, title: &str) -> Option<usize> {
    let title = squash(title);
    booklet.pages.iter().find_map(|p| {
        p.lines().iter().any(|l| squash(&l.text) == title && l.size() >= HEADING_SIZE).then_some(p.number)
    })
}

/// The contents entries: (title, page number printed) for every line of the contents page
/// that reads `title` + leader dots + a number, top to bottom.
fn contents_entries(booklet: &Pdf, titles: &[String]) -> (usize, Vec<(String, usize)>) {
    let page = booklet
        .pages
        .iter()
        .find(|p| p.lines().iter().any(|l| squash(&l.text) == "目录"))
        .expect("booklet.pdf has no contents page (a line reading 目录)");
    let mut entries = Vec::new();
    for line in page.lines() {
        let text = squash(&line.text);
        for title in titles {
            let Some(rest) = text.strip_prefix(&squash(title)) else { continue };
            let number = rest.trim_start_matches(['·', '.', '…', '⋯']);
            if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()) {
                entries.push((title.clone(), number.parse().expect("digits")));
            }
        }
    }
    (page.number, entries)
}

#[test]
fn booklet_chapters_follow_the_campaign_on_spreads_with_contents_and_credits() {
    let booklet = &example().booklet;
    let areas = &content().areas;
    let starts: Vec<(String, Option<usize>)> =
        areas.iter().map(|a| (a.title.clone(), chapter_page(booklet, &a.title))).collect();
    let missing: Vec<&str> = starts.iter().filter(|(_, p)| p.is_none()).map(|(t, _)| t.as_str()).collect();
    assert!(missing.is_empty(), "chapter titles not set as a heading anywhere in booklet.pdf: {missing:?}");
    let pages: Vec<usize> = starts.iter().map(|(_, p)| p.expect("checked above")).collect();
    assert!(
        pages.windows(2).all(|w| w[0] < w[1]),
        "chapters are not in campaign.yaml's order; (title, opening page): {starts:?}"
    );
    let odd: Vec<&(String, Option<usize>)> =
        starts.iter().filter(|(_, p)| p.is_some_and(|p| p % 2 == 1)).collect();
    assert!(odd.is_empty(), "chapters must open on an even (left) page, as a spread; these do not: {odd:?}");

    let titles: Vec<String> = areas.iter().map(|a| a.title.clone()).collect();
    let (contents_page, entries) = contents_entries(booklet, &titles);
    let expected: Vec<(String, usize)> = titles.iter().cloned().zip(pages.iter().copied()).collect();
    assert_eq!(
        entries, expected,
        "the contents (page {contents_page}) should list every chapter in order with the page it opens on"
    );

    for (i, area) in areas.iter().enumerate() {
        let end = pages.get(i + 1).map_or(booklet.pages.len(), |next| next - 1);
        let text: String = (pages[i]..=end).map(|n| page_text(booklet.page(n))).collect();
        let credit = text.find("牵头部门").unwrap_or_else(|| {
            panic!("chapter {:?} (pages {}–{end}) has no 牵头部门 credit", area.title, pages[i])
        });
        for lead in &area.leads {
            assert!(
                text[credit..].contains(&squash(lead)),
                "chapter {:?} (pages {}–{end}, area {}) does not credit its lead department {lead:?} after 牵头部门",
                area.title,
                pages[i],
                area.id
            );
        }
    }
}

// ---------------------------------------------------------------------------
// 3. Flyers: each township in its own file, grid workers, the survey's indicators.
// ---------------------------------------------------------------------------

#[test]
fn every_flyer_carries_its_own_township_and_the_survey_areas() {
    let ex = example();
    let townships = &content().townships;
    let survey: Vec<&str> =
        content().areas.iter().filter(|a| a.in_survey).map(|a| a.indicator.as_str()).collect();
    assert_eq!(survey.len(), 9, "campaign.yaml should have 9 survey areas (in_survey not false)");
    let texts: BTreeMap<&str, String> =
        ex.flyers.iter().map(|(name, pdf)| (name.as_str(), squash(&pdf.text()))).collect();
    let mut problems = Vec::new();
    for t in townships {
        let Some(pdf) = ex.flyers.get(&t.name) else {
            problems.push(format!("{}: no flyers/{}.pdf", t.name, t.name));
            continue;
        };
        for (what, value) in [("name", &t.name), ("phone", &t.phone)] {
            let value = squash(value);
            if !texts[t.name.as_str()].contains(&value) {
                problems.push(format!("{}: its {what} {value:?} is not in its own flyer", t.name));
            }
            for (other, text) in &texts {
                if *other != t.name && text.contains(&value) {
                    problems.push(format!("{}: its {what} {value:?} appears in {other}'s flyer", t.name));
                }
            }
        }
        let back = pdf.pages.last().expect("a flyer has pages");
        let back_text = page_text(back);
        if t.layout == "flyer" {
            for (name, phone) in &t.workers {
                if !back_text.contains(&squash(name)) || !back_text.contains(&squash(phone)) {
                    problems.push(format!(
                        "{}: grid worker {name} {phone} is not on the back (page {})",
                        t.name, back.number
                    ));
                }
            }
        }
        let absent: Vec<&&str> = survey.iter().filter(|i| !back_text.contains(&squash(i))).collect();
        if !absent.is_empty() {
            problems.push(format!(
                "{} ({} layout): survey indicators missing from page {}: {absent:?}",
                t.name, t.layout, back.number
            ));
        }
    }
    assert!(problems.is_empty(), "flyer content problems:\n  {}", problems.join("\n  "));
}

// ---------------------------------------------------------------------------
// 4. Text inside the page, no replacement glyphs, embedded Fandol fonts only.
// ---------------------------------------------------------------------------

#[test]
fn no_text_outside_the_page_no_replacement_glyphs_only_embedded_fandol_fonts() {
    let ex = example();
    let pdfs = [&ex.booklet, &ex.imposed].into_iter().chain(ex.flyers.values()).chain(ex.others.values());
    let mut problems = Vec::new();
    for pdf in pdfs {
        let file = pdf.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if pdf.pages.iter().all(|p| p.glyphs.is_empty()) {
            problems.push(format!("{file}: no text at all (not extractable)"));
        }
        for page in &pdf.pages {
            let outside: Vec<String> = page
                .glyphs
                .iter()
                .filter(|g| {
                    let (l, t, r, b) = glyph_box(g);
                    l < -0.01 || t < -0.01 || r > page.width + 0.01 || b > page.height + 0.01
                })
                .map(|g| format!("{:?} at ({:.1}, {:.1}) size {:.1}", g.text, g.x, g.baseline, g.size))
                .collect();
            if !outside.is_empty() {
                problems.push(format!(
                    "{file} page {}: {} glyph(s) outside the {:.1} × {:.1} pt page, e.g. {:?}",
                    page.number,
                    outside.len(),
                    page.width,
                    page.height,
                    &outside[..outside.len().min(5)]
                ));
            }
            let replaced = page.glyphs.iter().filter(|g| g.text.contains('\u{FFFD}')).count();
            if replaced > 0 {
                problems
                    .push(format!("{file} page {}: {replaced} glyph(s) read back as U+FFFD", page.number));
            }
            let foreign: BTreeSet<&str> =
                page.glyphs.iter().map(|g| g.font.as_str()).filter(|f| !f.starts_with("Fandol")).collect();
            if !foreign.is_empty() {
                problems
                    .push(format!("{file} page {}: text set in non-Fandol fonts {foreign:?}", page.number));
            }
        }
        for (font, embedded) in pdf.fonts_embedded() {
            if !embedded {
                problems.push(format!("{file}: font {font} is not embedded"));
            }
            if !font.starts_with("Fandol") {
                problems.push(format!("{file}: font resource {font} is not a Fandol font"));
            }
        }
    }
    assert!(problems.is_empty(), "text problems:\n  {}", problems.join("\n  "));
}

// ---------------------------------------------------------------------------
// 5. Imposition order.
// ---------------------------------------------------------------------------

/// Saddle-stitch order for `pages` pages padded to a multiple of 4: for each sheet, the
/// front [last, first] then the back [first + 1, last − 1]; 0 for padding.
fn saddle_stitch(pages: usize) -> Vec<[usize; 2]> {
    let total = pages.div_ceil(4) * 4;
    let real = |p: usize| if p <= pages { p } else { 0 };
    (0..total / 4)
        .flat_map(|s| [[real(total - 2 * s), real(2 * s + 1)], [real(2 * s + 2), real(total - 2 * s - 1)]])
        .collect()
}

/// The booklet page whose glyphs (text, in painting order) equal `glyphs`; 0 for none
/// painted (a blank page), `usize::MAX` when no page matches.
fn identify(booklet: &Pdf, glyphs: &[&Glyph]) -> usize {
    if glyphs.is_empty() {
        return 0;
    }
    booklet
        .pages
        .iter()
        .find(|p| {
            p.glyphs.len() == glyphs.len() && p.glyphs.iter().zip(glyphs).all(|(a, b)| a.text == b.text)
        })
        .map_or(usize::MAX, |p| p.number)
}

#[test]
fn imposition_is_saddle_stitch_order_and_keeps_text() {
    let ex = example();
    let (booklet, imposed) = (&ex.booklet, &ex.imposed);
    let n = booklet.pages.len();
    // A booklet page without text (padding) looks blank once imposed.
    let expected: Vec<[usize; 2]> = saddle_stitch(n)
        .into_iter()
        .map(|side| side.map(|p| if p == 0 || booklet.page(p).glyphs.is_empty() { 0 } else { p }))
        .collect();
    let mut halves: Vec<[Vec<&Glyph>; 2]> = Vec::new();
    let mut crossing = Vec::new();
    for page in &imposed.pages {
        let fold = page.width / 2.0;
        let mut sides: [Vec<&Glyph>; 2] = [Vec::new(), Vec::new()];
        for g in &page.glyphs {
            let (l, _, r, _) = glyph_box(g);
            if l < fold - 0.01 && r > fold + 0.01 {
                crossing.push(format!("side {}: {:?} at x {:.1}", page.number, g.text, g.x));
            }
            sides[usize::from((l + r) / 2.0 >= fold)].push(g);
        }
        halves.push(sides);
    }
    assert!(crossing.is_empty(), "glyphs cross the fold of the imposed sheet: {crossing:?}");
    let found: Vec<[usize; 2]> =
        halves.iter().map(|[l, r]| [identify(booklet, l), identify(booklet, r)]).collect();
    assert_eq!(
        found,
        expected,
        "booklet pages on each side of booklet-imposed.pdf ([left, right]; 0 = blank, {} = text of no \
         booklet page) should be in saddle-stitch order for {n} pages",
        usize::MAX
    );
    // Each page is placed as is: same glyphs at the same size, shifted by one offset.
    for (side, pages) in halves.iter().zip(&found) {
        for (glyphs, &number) in side.iter().zip(pages) {
            if number == 0 {
                continue;
            }
            let original = &booklet.page(number).glyphs;
            let (dx, dy) = (glyphs[0].x - original[0].x, glyphs[0].baseline - original[0].baseline);
            let moved = original.iter().zip(glyphs).find(|(a, b)| {
                (b.x - a.x - dx).abs() > 0.05
                    || (b.baseline - a.baseline - dy).abs() > 0.05
                    || (a.size - b.size).abs() > 0.01
            });
            assert!(
                moved.is_none(),
                "booklet page {number} is not placed unscaled and unrotated on the imposed sheet: {moved:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// 6. Photos.
// ---------------------------------------------------------------------------

#[test]
fn booklet_image_boxes_are_the_frames_the_photos_were_downsampled_for() {
    let booklet = &example().booklet;
    let pixels = &example().booklet_image_pixels;
    let mut problems = Vec::new();
    let mut count = 0;
    for page in &booklet.pages {
        let px = pixels.get(&page.number).cloned().unwrap_or_default();
        assert_eq!(px.len(), page.images.len(), "page {}: traced images and image boxes differ", page.number);
        for (b, (w, h)) in page.images.iter().zip(px) {
            count += 1;
            let (bw, bh) = (b.x1 - b.x0, b.y1 - b.y0);
            let (dpi_x, dpi_y) = (f64::from(w) / (bw / 72.0), f64::from(h) / (bh / 72.0));
            if (dpi_x - DPI).abs() > DPI_TOL || (dpi_y - DPI).abs() > DPI_TOL {
                problems.push(format!(
                    "page {}: {w}×{h} px image in a {:.1}×{:.1} mm box: {dpi_x:.0}×{dpi_y:.0} dpi, not {DPI} \
                     (the photo was not downsampled for the frame it is placed in)",
                    page.number,
                    bw / MM,
                    bh / MM
                ));
            }
        }
    }
    assert!(problems.is_empty(), "image boxes that are not their frames:\n  {}", problems.join("\n  "));
    let c = content();
    let expected = c.areas.iter().map(|a| a.photos).sum::<usize>() + usize::from(c.cover_photo);
    assert_eq!(count, expected, "booklet.pdf should place every area photo once, plus the cover photo");
    if c.cover_photo {
        // Framed with the print file's bleed on its outer sides (issue 16), so
        // it runs past the page on the left, top and right.
        let cover = booklet.page(1).images.iter().any(|b| {
            b.x0 <= PAGE_TOL && b.x1 >= A5.0 - PAGE_TOL && b.y0 <= PAGE_TOL && b.y1 - b.y0 > 50.0 * MM
        });
        assert!(cover, "the cover photo should bleed across the top of page 1: {:?}", booklet.page(1).images);
    }
}

#[test]
fn booklet_embeds_its_photos_as_the_downsampled_files() {
    let ex = example();
    let photos: u64 = ex.booklet_photos.values().sum();
    assert!(photos > 0, "the photo cache is empty after building the booklet");
    let streams: u64 = ex.booklet_image_streams.iter().sum();
    assert!(
        streams as f64 <= PHOTO_OVERHEAD * photos as f64,
        "booklet.pdf's image streams total {streams} bytes, more than {PHOTO_OVERHEAD} × the {} downsampled \
         photos ({photos} bytes)",
        ex.booklet_photos.len()
    );
}

/// Removes the `photos:` list from an area file.
fn without_photos(yaml: &str) -> String {
    let mut out = String::new();
    let mut in_photos = false;
    for line in yaml.lines() {
        if line.starts_with("photos:") {
            in_photos = true;
            continue;
        }
        if in_photos && (line.starts_with("  ") || line.trim().is_empty()) {
            continue;
        }
        in_photos = false;
        out.push_str(line);
        out.push('\n');
    }
    out
}

const FIXTURE: &str = "booklet-one-photo";
const FIXTURE_AREA: &str = "content/areas/employment.yaml";
const FIXTURE_PHOTO: &str = "photos/one.jpg";

#[test]
fn one_phone_photo_adds_no_more_than_its_downsampled_size() {
    let with = fixture_copy(FIXTURE);
    example::sample_photos(&with.path().join("content/photos"), &["one.jpg".to_string()]);
    let out = example::temp_dir("pressroom-out-");
    build(with.path(), out.path(), &["booklet"]).assert_success("build booklet (one photo)");
    let cache = cache_files(with.path());
    assert_eq!(cache.len(), 1, "one photo should give one downsampled file: {cache:?}");
    let downsampled = *cache.values().next().expect("one file");
    let with_photo = std::fs::metadata(out.path().join("booklet.pdf")).expect("booklet.pdf written").len();

    let without = fixture_copy(FIXTURE);
    let area = without.path().join(FIXTURE_AREA);
    let yaml = std::fs::read_to_string(&area).expect("read the fixture's area file");
    std::fs::write(&area, without_photos(&yaml)).expect("write the area file without photos");
    let out2 = example::temp_dir("pressroom-out-");
    build(without.path(), out2.path(), &["booklet"]).assert_success("build booklet (no photo)");
    let without_photo =
        std::fs::metadata(out2.path().join("booklet.pdf")).expect("booklet.pdf written").len();

    let source = std::fs::metadata(with.path().join("content").join(FIXTURE_PHOTO)).expect("the photo").len();
    let limit = PHOTO_OVERHEAD * downsampled as f64 + without_photo as f64;
    assert!(
        (with_photo as f64) <= limit,
        "a {source}-byte 4000×3000 photo made booklet.pdf {with_photo} bytes; without it the PDF is \
         {without_photo} bytes and the downsampled photo is {downsampled} bytes, so at most {limit:.0} bytes"
    );
}

// ---------------------------------------------------------------------------
// 7. Overflow.
// ---------------------------------------------------------------------------

/// Every achievement of a township file written five times over.
fn long_achievements(yaml: &str) -> String {
    let mut out = String::new();
    let mut in_list = false;
    for line in yaml.lines() {
        if line.starts_with("achievements:") {
            in_list = true;
        } else if in_list && let Some(item) = line.strip_prefix("  - ") {
            let item = item.trim();
            out.push_str(&format!("  - {}\n", [item; 5].join("；")));
            continue;
        } else if !line.starts_with(' ') {
            in_list = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn an_overflowing_flyer_fails_names_the_region_and_keeps_the_old_pdf() {
    let project = example_copy();
    let out = example::temp_dir("pressroom-out-");
    let flyer = out.path().join("flyers").join(format!("{HUBIN}.pdf"));
    build(project.path(), out.path(), &["flyers", "--only", HUBIN]).assert_success("build the good flyer");
    let good = std::fs::read(&flyer).expect("the good flyer was written");

    let file = project.path().join("content/townships").join(format!("{HUBIN_STEM}.yaml"));
    let yaml = std::fs::read_to_string(&file).expect("read the township file");
    let long = long_achievements(&yaml);
    assert_ne!(long, yaml, "the test could not lengthen {}'s achievements", file.display());
    std::fs::write(&file, long).expect("write the overflowing township file");

    let run = build(project.path(), out.path(), &["flyers", "--only", HUBIN]);
    assert_eq!(run.code, 1, "an overflowing flyer must fail with exit 1: {}", run.describe());
    let stderr = squash(&run.stderr);
    assert!(stderr.contains(HUBIN), "the error should name the township {HUBIN}: {}", run.stderr);
    assert!(
        run.stderr.contains("achievements") || stderr.contains("我们的成绩"),
        "the error should name the region (achievements): {}",
        run.stderr
    );
    let amount = run
        .stderr
        .split("mm")
        .next()
        .is_some_and(|before| before.trim_end().chars().last().is_some_and(|c| c.is_ascii_digit()));
    assert!(amount, "the error should say roughly how much is over, in mm: {}", run.stderr);
    assert_eq!(
        std::fs::read(&flyer).expect("the earlier flyer is still there"),
        good,
        "the earlier good flyer was changed by the failed build"
    );
    assert_eq!(names_in(&out.path().join("flyers")), [format!("{HUBIN}.pdf")], "stray files in flyers/");

    let fresh = example::temp_dir("pressroom-out-");
    let run = build(project.path(), fresh.path(), &["flyers", "--only", HUBIN]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert!(
        names_in(&fresh.path().join("flyers")).is_empty(),
        "a flyer that does not fit must not be written: {:?}",
        names_in(&fresh.path().join("flyers"))
    );
}

/// The township file with its last achievement lengthened by `extra` characters.
fn lengthened(yaml: &str, extra: usize) -> String {
    let mut lines: Vec<String> = yaml.lines().map(str::to_owned).collect();
    let last = lines
        .iter()
        .rposition(|l| l.starts_with("  - ") && l.contains('，'))
        .expect("the township file lists achievements");
    let filler: String = "辖区居民满意度持续提升".chars().cycle().take(extra).collect();
    lines[last].push_str(&filler);
    lines.join("\n") + "\n"
}

/// Overflow is found as soon as the content passes the region's foot: the
/// first length that fails is over by less than two lines (about 11 mm at
/// the flyer's 11 pt), and one character less still fits. A check that
/// missed overflows would first fail much later, by much more.
#[test]
fn overflow_is_caught_at_the_first_line_too_many() {
    let project = example_copy();
    let file = project.path().join("content/townships").join(format!("{HUBIN_STEM}.yaml"));
    let yaml = std::fs::read_to_string(&file).expect("read the township file");
    let out = example::temp_dir("pressroom-out-");
    let try_len = |extra: usize| {
        std::fs::write(&file, lengthened(&yaml, extra)).expect("write the township file");
        build(project.path(), out.path(), &["flyers", "--only", HUBIN, "--no-previews"])
    };
    let (mut fits, mut fails) = (0, 1200);
    assert_eq!(try_len(fits).code, 0, "the example township must fit");
    let run = try_len(fails);
    assert_eq!(run.code, 1, "1,200 more characters must overflow: {}", run.describe());
    while fails - fits > 1 {
        let mid = (fits + fails) / 2;
        if try_len(mid).code == 0 { fits = mid } else { fails = mid }
    }
    let run = try_len(fails);
    let over: f64 = run
        .stderr
        .split("about ")
        .nth(1)
        .and_then(|rest| rest.split(" mm").next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no amount in: {}", run.stderr));
    println!("first failing length: {fails} more characters, {over} mm over");
    assert!(
        over <= 11.0,
        "the first failing length ({fails} more characters) is {over} mm over: overflow went unnoticed before it"
    );
}

#[test]
fn no_previews_writes_the_flyers_and_a_proof_sheet_without_pictures() {
    let project = example_copy();
    let out = example::temp_dir("pressroom-out-");
    build(project.path(), out.path(), &["flyers", "--only", HUBIN, "--no-previews"])
        .assert_success("build without previews");
    assert_eq!(names_in(&out.path().join("flyers")), [format!("{HUBIN}.pdf")]);
    let previews = out.path().join("previews");
    assert!(
        !previews.exists() || names_in(&previews).is_empty(),
        "--no-previews rendered previews anyway: {:?}",
        names_in(&previews)
    );
    let index = std::fs::read_to_string(out.path().join("index.html")).expect("the proof sheet is written");
    assert!(index.contains(HUBIN), "the proof sheet should list the flyer");
    assert!(!index.contains("class=\"pages\""), "the proof sheet should show no page pictures");
    assert!(index.contains("--no-previews"), "the proof sheet should say why there are no pictures");
}

// ---------------------------------------------------------------------------
// 8. --only.
// ---------------------------------------------------------------------------

#[test]
fn only_builds_one_flyer_by_name_or_file_stem_and_rejects_unknown_names() {
    let project = example_copy();
    let expected = [format!("{HUBIN}.pdf")];
    for only in [HUBIN, HUBIN_STEM] {
        let out = example::temp_dir("pressroom-out-");
        build(project.path(), out.path(), &["flyers", "--only", only]).assert_success("build flyers --only");
        assert_eq!(names_in(&out.path().join("flyers")), expected, "`--only {only}` should build one flyer");
        let pdfs: Vec<String> = files_under(out.path()).into_keys().filter(|f| f.ends_with(".pdf")).collect();
        assert_eq!(pdfs, [format!("flyers/{HUBIN}.pdf")], "`--only {only}` wrote other PDFs too");
    }
    let out = example::temp_dir("pressroom-out-");
    let run = build(project.path(), out.path(), &["flyers", "--only", "不存在"]);
    assert_eq!(run.code, 2, "an unknown township is a usage error (exit 2): {}", run.describe());
    let stderr = squash(&run.stderr);
    let lists_names = content().townships.iter().all(|t| stderr.contains(&squash(&t.name)));
    assert!(
        run.stderr.contains("did you mean") || lists_names,
        "an unknown township should get a did-you-mean or the list of names: {}",
        run.stderr
    );
    assert!(names_in(&out.path().join("flyers")).is_empty(), "nothing should be written for an unknown name");
}

#[test]
fn only_is_not_stopped_by_another_townships_broken_file() {
    let project = example_copy();
    let full = example();
    let broken = project.path().join("content/townships/huaihe.yaml");
    let mut text = std::fs::read_to_string(&broken).expect("huaihe.yaml");
    // It even names 湖滨社区中心, so its text is a candidate for `--only 湖滨社区中心`.
    text.push_str("# 与湖滨社区中心联合开展\nphone: [not closed\n");
    std::fs::write(&broken, text).expect("break huaihe.yaml");

    let out = example::temp_dir("pressroom-out-");
    let run = build(project.path(), out.path(), &["flyers", "--only", HUBIN]);
    run.assert_success("build flyers --only 湖滨社区中心 beside a broken huaihe.yaml");
    assert!(
        !run.stderr.contains("huaihe"),
        "a build of one township spoke of another's file: {}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("content/missing"),
        "a build of one township warned about the others' files: {}",
        run.stderr
    );
    let name = format!("flyers/{HUBIN}.pdf");
    assert!(
        files_under(out.path()).get(&name) == full.files.get(&name),
        "{name} built alone differs from the full build's"
    );

    let out = example::temp_dir("pressroom-out-");
    let run = build(project.path(), out.path(), &["flyers"]);
    assert_eq!(run.code, 1, "all flyers with a broken file must fail: {}", run.describe());
    assert!(
        run.stderr.contains("content/townships/huaihe.yaml:"),
        "the error names the file: {}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------
// 9. Same input, same bytes.
// ---------------------------------------------------------------------------

#[test]
fn same_input_gives_the_same_bytes() {
    let ex = example();
    let project = example_copy();
    let out = example::temp_dir("pressroom-out-");
    build(project.path(), out.path(), &[]).assert_success("second build of the example");
    let again = files_under(out.path());
    assert_eq!(
        again.keys().collect::<Vec<_>>(),
        ex.files.keys().collect::<Vec<_>>(),
        "two builds wrote different sets of files"
    );
    let differ: Vec<&String> = ex.files.iter().filter(|(k, v)| again[*k] != **v).map(|(k, _)| k).collect();
    assert!(differ.is_empty(), "two builds of the same input gave different bytes for {differ:?}");
    // The booklet built alone with a cold photo cache is the same as in the full build
    // (the proof sheet lists what each build wrote, so it differs by design).
    for (name, bytes) in ex.booklet_only_files.iter().filter(|(name, _)| name.as_str() != "index.html") {
        assert!(
            ex.files.get(name) == Some(bytes),
            "{name} from `build booklet` (cold photo cache) differs from the full build's (warm cache)"
        );
    }
}

// ---------------------------------------------------------------------------
// 10–11. Photo warnings and errors point into the YAML.
// ---------------------------------------------------------------------------

/// `file:line:column` (1-based, column in characters) of the first `needle` in a project file.
fn location_of(project: &Path, file: &str, needle: &str) -> String {
    let text = std::fs::read_to_string(project.join(file)).unwrap_or_else(|e| panic!("read {file}: {e}"));
    let (n, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| !l.trim_start().starts_with('#') && l.contains(needle))
        .unwrap_or_else(|| panic!("{file} has no {needle:?}"));
    let column = line[..line.find(needle).expect("found")].chars().count() + 1;
    format!("{file}:{}:{column}", n + 1)
}

/// A valid 600×400 baseline JPEG (a gradient).
fn small_jpeg() -> Vec<u8> {
    let (w, h) = (600u16, 400u16);
    let mut pixels = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    for y in 0..h {
        for x in 0..w {
            pixels.extend_from_slice(&[(x / 3) as u8, (y / 2) as u8, 128]);
        }
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb)
        .expect("encode a small JPEG");
    out
}

#[test]
fn a_low_resolution_photo_warns_with_its_yaml_location() {
    let project = fixture_copy(FIXTURE);
    let photo = project.path().join("content").join(FIXTURE_PHOTO);
    std::fs::create_dir_all(photo.parent().expect("a folder")).expect("create content/photos");
    std::fs::write(&photo, small_jpeg()).expect("write the small photo");
    let out = example::temp_dir("pressroom-out-");
    let run = build(project.path(), out.path(), &["booklet"]);
    run.assert_success("a booklet with a low-resolution photo");
    assert!(out.path().join("booklet.pdf").is_file(), "no booklet.pdf written: {}", run.describe());
    let at = location_of(project.path(), FIXTURE_AREA, FIXTURE_PHOTO);
    // The diagnostic's code heads it; its location follows within the same block.
    let warning = run.stderr.split("content/low-resolution").nth(1).map(|rest| {
        let end = rest.find("╰────").unwrap_or(rest.len());
        rest[..end].to_string()
    });
    let warning = warning.unwrap_or_else(|| panic!("no content/low-resolution warning: {}", run.describe()));
    assert!(warning.contains(&at), "the low-resolution warning should point at {at}: {}", run.describe());
}

#[test]
fn a_missing_photo_is_an_error_at_its_yaml_location() {
    let project = fixture_copy(FIXTURE);
    assert!(
        !project.path().join("content").join(FIXTURE_PHOTO).exists(),
        "the fixture must not commit its photo"
    );
    let out = example::temp_dir("pressroom-out-");
    let run = build(project.path(), out.path(), &["booklet"]);
    assert_eq!(run.code, 1, "a missing photo must fail the build with exit 1: {}", run.describe());
    let at = location_of(project.path(), FIXTURE_AREA, FIXTURE_PHOTO);
    assert!(run.stderr.contains(&at), "the error should point at {at}: {}", run.describe());
    assert!(!out.path().join("booklet.pdf").exists(), "a booklet was written despite the missing photo");
}

/// A build of one flyer (`--only`) keeps every output of the folder on the
/// proof sheet: it lists what is on disk, not only what this build wrote.
#[test]
fn a_build_of_one_flyer_keeps_the_whole_proof_sheet() {
    let out = tempfile::Builder::new().prefix("pressroom-proof-only-").tempdir().expect("out");
    let o = out.path().to_str().expect("utf-8");
    let run = |args: &[&str]| {
        let mut all = vec!["build", "--no-previews", "--out", o, "--project"];
        let repo = cli::repo();
        let repo = repo.to_str().expect("utf-8").to_owned();
        all.push(&repo);
        all.extend_from_slice(args);
        let output = cli::run(&all, &[]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        std::fs::read_to_string(out.path().join("index.html")).expect("index.html")
    };
    let full = run(&[]);
    let one = run(&["--only", "湖滨社区中心"]);
    let listed = |html: &str| html.matches(r#"<section class="doc""#).count();
    assert!(listed(&full) > 20, "the full build lists every output");
    assert_eq!(listed(&one), listed(&full), "a build of one flyer lists them all still");
    for name in ["notice.pdf", "booklet.pdf", "documents/city-request.pdf"] {
        assert!(one.contains(name), "{name} stays on the proof sheet");
    }
}

// ---------------------------------------------------------------------------
// Typesetting details of the flyer's text.
// ---------------------------------------------------------------------------

/// Achievements that wrap: two that left a lone character (安, 家) on their
/// last line, and text with commas mid-line.
const WRAPPING: &[&str] = &[
    "组建平安志愿者巡逻队，辖区盗窃警情同比下降22%，群众安",
    "开办“四点半课堂”2个，寒暑假免费托管学生600余人次，家",
    "新建社区老年食堂一个，每天为一百二十余名老人提供助餐服务，深受欢迎",
    "开展文明创建志愿服务，组织居民清理楼道杂物，改善小区环境",
];

/// Glyphs of the achievements column (left of the photo) between the section's
/// title and the next section's, grouped into lines.
fn achievement_lines(back: &Page) -> Vec<Vec<Glyph>> {
    let lines = back.lines();
    let top =
        lines.iter().find(|l| squash(&l.text).contains("我们的成绩")).expect("the section title").baseline;
    let bottom =
        lines.iter().find(|l| squash(&l.text).contains("联系我们")).expect("the next section").baseline;
    // The column ends where the photo (62 mm wide, at the right margin) begins.
    let column_end = back.width - (18.0 + 62.0 + 4.0) / 25.4 * 72.0;
    lines
        .iter()
        .filter(|l| l.baseline > top + 1.0 && l.baseline < bottom - 1.0)
        .map(|l| l.glyphs.iter().filter(|g| g.x < column_end).cloned().collect::<Vec<_>>())
        .filter(|g| !g.is_empty())
        .collect()
}

fn is_cjk(s: &str) -> bool {
    s.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Full-width marks that must keep a whole cell.
const FULL: &str = "，。、；：？！";

/// Every full-width mark followed by a character on its line starts a whole
/// cell before it (justification used to squeeze it to half a cell).
fn squeezed_marks(pdf: &Pdf) -> Vec<String> {
    let mut found = Vec::new();
    for page in &pdf.pages {
        for line in page.lines() {
            for pair in line.glyphs.windows(2) {
                let (mark, next) = (&pair[0], &pair[1]);
                if FULL.contains(mark.text.as_str())
                    && is_cjk(&next.text)
                    && (next.size - mark.size).abs() < 0.1
                {
                    let step = next.x - mark.x;
                    if step < 0.95 * mark.size {
                        found.push(format!(
                            "page {}: “{}” takes {:.1} pt of a {:.1} pt cell in {:?}",
                            page.number, mark.text, step, mark.size, line.text
                        ));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn flyer_text_keeps_full_cells_no_lone_characters_and_items_apart() {
    let project = example_copy();
    let file = project.path().join("content/townships/huaihe.yaml");
    let text = std::fs::read_to_string(&file).expect("read huaihe.yaml");
    let start = text.find("achievements:").expect("achievements");
    let end = start + text[start..].find("\n\n").expect("a blank line after them");
    let items: String = WRAPPING.iter().map(|a| format!("  - \"{a}\"\n")).collect();
    std::fs::write(&file, format!("{}achievements:\n{}{}", &text[..start], items, &text[end + 1..]))
        .expect("write huaihe.yaml");
    let out = example::temp_dir("pressroom-out-");
    build(project.path(), out.path(), &["flyers", "--only", "淮河社区中心"])
        .assert_success("build the flyer");
    let pdf = read_pdf(&out.path().join("flyers/淮河社区中心.pdf"));
    let lines = achievement_lines(pdf.pages.last().expect("a back page"));

    // Items start with their red number; the lines after it until the next
    // number are the item's own.
    let mut items: Vec<Vec<&Vec<Glyph>>> = Vec::new();
    for line in &lines {
        let numbered = line.first().is_some_and(|g| g.text.chars().all(|c| c.is_ascii_digit()));
        if numbered || items.is_empty() {
            items.push(Vec::new());
        }
        items.last_mut().expect("an item").push(line);
    }
    assert_eq!(items.len(), WRAPPING.len(), "one item per achievement: {lines:?}");
    let baseline = |l: &Vec<Glyph>| l.iter().map(|g| g.baseline).sum::<f64>() / l.len() as f64;
    // Every problem of the three kinds, reported together.
    let mut problems = Vec::new();
    let mut within = Vec::new();
    let mut between = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.len() < 2 {
            problems.push(format!("achievement {} does not wrap: {item:?}", i + 1));
        }
        // No lone character on an item's last line.
        let last = item.last().expect("a line");
        if item.len() >= 2 && last.iter().filter(|g| !g.text.trim().is_empty()).count() < 2 {
            problems.push(format!(
                "achievement {} ends with a lone character: {:?}",
                i + 1,
                last.iter().map(|g| g.text.as_str()).collect::<String>()
            ));
        }
        within.extend(item.windows(2).map(|w| baseline(w[1]) - baseline(w[0])));
        if let Some(next) = items.get(i + 1) {
            between.push(baseline(next[0]) - baseline(last));
        }
    }
    let widest_within = within.iter().copied().fold(0.0, f64::max);
    let closest_between = between.iter().copied().fold(f64::MAX, f64::min);
    if widest_within + 2.0 > closest_between {
        problems.push(format!(
            "the lines of an item ({widest_within:.1} pt apart) must sit closer than the items ({closest_between:.1} pt)"
        ));
    }

    // Commas and stops keep their whole cell, here and in every example flyer.
    problems.extend(squeezed_marks(&pdf));
    for (name, flyer) in &example().flyers {
        problems.extend(squeezed_marks(flyer).into_iter().map(|s| format!("{name}: {s}")));
    }
    assert!(problems.is_empty(), "flyer typesetting:\n  {}", problems.join("\n  "));
}
