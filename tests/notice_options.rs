//! GB/T 9704-2012 rules for the notice's optional elements and page plans, checked
//! on PDFs built from small variations of the fixture project `tests/fixtures/minimal`.
//!
//! Each test copies the fixture into a temporary folder, edits its
//! `content/notice.yaml` with [`project_with`] (top-level keys are appended, or
//! replaced when the fixture already has them), builds it with the real binary
//! (`pressroom build notice`, Fandol fonts only, see `support::cli`) and reads the PDF
//! back with `mutool trace` (`support::pdf`): glyphs with position, size, font and
//! colour, stroked and filled paths. Everything is measured in points from the
//! page's top-left corner, against the rules of `/work/shared/spec/gbt9704.md`
//! (each test's name starts with the rule's id):
//!
//! * H1 份号/密级/紧急程度 on the first grid lines, flush left, in the right fonts;
//! * H2 a joint issuer mark (names stacked and spread to one width, 文件 centred
//!   against them) and B7 the joint signature;
//! * H3 签发人 for a document to a superior, and the document number beside it;
//! * B8 the seal (typst turns the SVG seal into vector paths, so the seal is found
//!   as the red paths on page 1 that are not the H4 rule), the date and issuer name
//!   under it;
//! * B10 the note (附注) under the date;
//! * V1/N4 the three page plans of the 版记 (next page, blank page, same page),
//!   made by body length, each asserting that its case was really hit;
//! * B11 the signature is not alone on a page;
//! * B1 a title given as one long line is broken symmetrically between words, and
//!   a title line given explicitly but too long is an error pointing at the file.
//!
//! Conventions are those of `tests/notice_layout.rs`: the type area is
//! x ∈ [28 mm, 184 mm], y ∈ [37 mm, 262 mm]; every line box is 1 em tall (0.88 em
//! above the baseline, 0.12 em below) and centred in its grid cell, so grid cell `k`
//! of a page has its centre at 37 mm + (k + ½) × pitch; "one character" is the
//! character pitch 156 mm / 28 ≈ 15.79 pt.

mod support;

use support::pdf::{Color, Glyph, MM, Page, Pdf, TextLine, read_pdf};
use support::{cli, example};
use tempfile::TempDir;

// ---------------------------------------------------------------------------
// The standard's numbers.
// ---------------------------------------------------------------------------

/// The type area (P2): 28 mm from the left, 37 mm from the top, 156 mm × 225 mm.
const LEFT: f64 = 28.0 * MM;
const TYPE_WIDTH: f64 = 156.0 * MM;
const RIGHT: f64 = LEFT + TYPE_WIDTH;
const CENTRE: f64 = (LEFT + RIGHT) / 2.0;
const TOP: f64 = 37.0 * MM;
const BOTTOM: f64 = TOP + 225.0 * MM;
/// 22 lines of 28 characters (P4).
const LINES_PER_PAGE: i64 = 22;
const PITCH: f64 = 225.0 * MM / 22.0;
const CHAR: f64 = TYPE_WIDTH / 28.0;
/// 三号 and 二号.
const BODY_SIZE: f64 = 16.0;
const TITLE_SIZE: f64 = 22.0;
/// The em box every line gets (`top-edge: 0.88em, bottom-edge: -0.12em`).
const ASCENT: f64 = 0.88;
const DESCENT: f64 = 0.12;

/// The spec's tolerance for positions in millimetres.
const MM_TOL: f64 = 1.0 * MM;
/// Tolerance for grid positions.
const GRID_TOL: f64 = 0.5;
/// Tolerance for positions given in characters.
const CHAR_TOL: f64 = 1.0;
/// Font sizes are exact up to rounding in the PDF.
const SIZE_TOL: f64 = 0.05;

// ---------------------------------------------------------------------------
// Projects: the minimal fixture with an edited notice.yaml.
// ---------------------------------------------------------------------------

/// The fixture every test starts from.
const FIXTURE: &str = "tests/fixtures/minimal";

/// The key of a top-level YAML mapping line (`key: …` at column 0).
fn top_level_key(line: &str) -> Option<&str> {
    let (key, _) = line.split_once(':')?;
    (!key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')).then_some(key)
}

/// A copy of the fixture in a temporary folder, with `edit` (top-level YAML keys)
/// merged into `content/notice.yaml`: keys the fixture has are replaced (the key's
/// line and its indented continuation are dropped), the others are added.
fn project_with(edit: &str) -> TempDir {
    let dir = tempfile::Builder::new().prefix("pressroom-options-").tempdir().expect("create a temp folder");
    example::copy_dir(&cli::repo().join(FIXTURE), dir.path(), &[]);
    let path = dir.path().join("content/notice.yaml");
    let base = std::fs::read_to_string(&path).expect("read the fixture's notice.yaml");
    let replaced: Vec<&str> = edit.lines().filter_map(top_level_key).collect();
    let mut out = String::new();
    let mut dropping = false;
    for line in base.lines() {
        if let Some(key) = top_level_key(line) {
            dropping = replaced.contains(&key);
        } else if !line.is_empty() && !line.starts_with([' ', '#']) {
            dropping = false;
        }
        if !dropping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str(edit);
    if !edit.ends_with('\n') {
        out.push('\n');
    }
    std::fs::write(&path, out).expect("write notice.yaml");
    dir
}

/// Builds the notice of `project` and reads its PDF back.
fn build(project: &TempDir) -> Pdf {
    let built = cli::build(project.path(), &["notice"]);
    built.assert_success();
    let path = built.file("notice.pdf");
    assert!(path.is_file(), "pressroom exited 0 but wrote no notice.pdf: {}", built.describe());
    read_pdf(&path)
}

/// The fixture with `edit` merged in, built and read back.
fn notice_with(edit: &str) -> Pdf {
    build(&project_with(edit))
}

// ---------------------------------------------------------------------------
// Body text of known length.
// ---------------------------------------------------------------------------

/// Ideographs the generated paragraphs are made of: no punctuation (which could
/// move a line break), and none of the characters of the issuer's name, so a line
/// made of them is body text and nothing else.
const FILLER: &str = "为进一步提升群众满意度各单位要结合实际认真组织实施确保各项工作任务落到实处切实增强人民群众的获得感幸福感安全感";

/// A paragraph that fills exactly `lines` full lines: 26 characters after the
/// two-character indent, then 28 per line (P4), the last one a 。.
fn paragraph(lines: usize) -> String {
    assert!(lines > 0, "a paragraph has at least one line");
    let cells = 26 + 28 * (lines - 1);
    let mut text: String = FILLER.chars().cycle().take(cells - 1).collect();
    text.push('。');
    text
}

/// A `body:` key whose paragraphs fill the given numbers of lines.
fn body_of(paragraph_lines: &[usize]) -> String {
    let mut yaml = String::from("body: |\n");
    for &lines in paragraph_lines {
        yaml.push_str("  ");
        yaml.push_str(&paragraph(lines));
        yaml.push('\n');
    }
    yaml
}

/// Whether a line is generated body text.
fn is_filler(line: &TextLine) -> bool {
    let text = stripped(&line.text);
    !text.is_empty() && text.chars().all(|c| c == '。' || FILLER.contains(c))
}

// ---------------------------------------------------------------------------
// Measuring the read-back.
// ---------------------------------------------------------------------------

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// A length in points, with millimetres for readers of the standard.
fn pt(v: f64) -> String {
    format!("{v:.2} pt ({:.2} mm)", v / MM)
}

fn stripped(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn em_top(line: &TextLine) -> f64 {
    line.baseline - ASCENT * line.size()
}

fn em_bottom(line: &TextLine) -> f64 {
    line.baseline + DESCENT * line.size()
}

fn em_centre(line: &TextLine) -> f64 {
    line.baseline - (ASCENT - 0.5) * line.size()
}

/// Centre of grid cell `k` of a page (cell 0 is the type area's first line).
fn cell_centre(k: i64) -> f64 {
    TOP + (k as f64 + 0.5) * PITCH
}

/// The nearest grid cell of a line and how far (in pt) its em box's centre is from it.
fn grid_cell(line: &TextLine) -> (i64, f64) {
    let s = (em_centre(line) - TOP - PITCH / 2.0) / PITCH;
    (s.round() as i64, (s - s.round()).abs() * PITCH)
}

fn centre_x(line: &TextLine) -> f64 {
    (line.x0 + line.x1) / 2.0
}

fn is_red(c: Color) -> bool {
    c.r > 0.8 && c.g < 0.2 && c.b < 0.2
}

fn is_black(c: Color) -> bool {
    c.approx_eq(Color::BLACK, 0.05)
}

fn all_in_font(glyphs: &[Glyph], family: &str) -> bool {
    glyphs.iter().all(|g| g.font.starts_with(family))
}

fn all_of_size(line: &TextLine, size: f64) -> bool {
    line.glyphs.iter().all(|g| close(g.size, size, SIZE_TOL))
}

fn fonts_of(glyphs: &[Glyph]) -> Vec<&str> {
    let mut fonts: Vec<&str> = glyphs.iter().map(|g| g.font.as_str()).collect();
    fonts.dedup();
    fonts
}

/// One line's description for assertion messages.
fn describe(page: usize, line: &TextLine) -> String {
    format!(
        "page {page}, baseline {}, x {}..{}, {:.2} pt {:?}: {:?}",
        pt(line.baseline),
        pt(line.x0),
        pt(line.x1),
        line.size(),
        line.fonts(),
        line.text
    )
}

/// Every line of a page, for assertion messages.
fn page_text(page: &Page) -> String {
    page.lines().iter().map(|l| format!("  {}", describe(page.number, l))).collect::<Vec<_>>().join("\n")
}

/// A line made of some glyphs of another (sorted by x).
fn line_of(mut glyphs: Vec<Glyph>) -> TextLine {
    assert!(!glyphs.is_empty(), "line_of needs glyphs");
    glyphs.sort_by(|a, b| a.x.total_cmp(&b.x));
    TextLine {
        text: glyphs.iter().map(|g| g.text.as_str()).collect(),
        baseline: glyphs.iter().map(|g| g.baseline).sum::<f64>() / glyphs.len() as f64,
        x0: glyphs[0].x,
        x1: glyphs.iter().map(|g| g.x + g.advance).fold(f64::NEG_INFINITY, f64::max),
        glyphs,
    }
}

/// Lines in the type area (the page number, below it, left out).
fn text_lines(page: &Page) -> Vec<TextLine> {
    page.lines().into_iter().filter(|l| em_top(l) <= BOTTOM).collect()
}

/// The page number line, if the page has one: text below the type area.
fn page_number(page: &Page) -> Option<TextLine> {
    let below: Vec<TextLine> = page.lines().into_iter().filter(|l| em_top(l) > BOTTOM).collect();
    assert!(
        below.len() <= 1,
        "N1: page {} has {} lines under the type area, at most one (its number) allowed:\n{}",
        page.number,
        below.len(),
        page_text(page)
    );
    below.into_iter().next()
}

/// The line on `page` reading exactly `text` (spaces ignored).
fn find_line(page: &Page, text: &str) -> TextLine {
    page.lines().into_iter().find(|l| stripped(&l.text) == text).unwrap_or_else(|| {
        panic!("page {} has no line reading {text:?}; its lines:\n{}", page.number, page_text(page))
    })
}

/// The page and line reading exactly `text`, searching every page.
fn find_in(pdf: &Pdf, text: &str) -> (usize, TextLine) {
    pdf.pages
        .iter()
        .find_map(|p| p.lines().into_iter().find(|l| stripped(&l.text) == text).map(|l| (p.number, l)))
        .unwrap_or_else(|| panic!("no page has a line reading {text:?}; the text:\n{}", pdf.text()))
}

/// The page and line of the signature: the issuer's name in 仿宋 (the issuer mark
/// on page 1 reads the same, in 小标宋).
fn signature(pdf: &Pdf) -> (usize, TextLine) {
    pdf.pages
        .iter()
        .find_map(|p| {
            text_lines(p)
                .into_iter()
                .find(|l| stripped(&l.text) == OFFICE && all_in_font(&l.glyphs, "FandolFang"))
                .map(|l| (p.number, l))
        })
        .unwrap_or_else(|| {
            panic!("B7: no signature {OFFICE:?} in 仿宋 on any page; the text:\n{}", pdf.text())
        })
}

/// A horizontal rule: a stroked line or a thin filled rectangle.
#[derive(Debug, Clone, Copy)]
struct Rule {
    x0: f64,
    x1: f64,
    y: f64,
    color: Color,
}

fn rules(page: &Page) -> Vec<Rule> {
    let strokes = page.strokes.iter().filter(|s| s.y1 - s.y0 < 0.5).map(|s| Rule {
        x0: s.x0,
        x1: s.x1,
        y: (s.y0 + s.y1) / 2.0,
        color: s.color,
    });
    let fills = page.fills.iter().filter(|f| f.y1 - f.y0 < 3.0 && f.x1 - f.x0 > 10.0).map(|f| Rule {
        x0: f.x0,
        x1: f.x1,
        y: (f.y0 + f.y1) / 2.0,
        color: f.color,
    });
    let mut all: Vec<Rule> = strokes.chain(fills).collect();
    all.sort_by(|a, b| a.y.total_cmp(&b.y));
    all
}

/// The red rule under the document number (H4): everything above it is the 版头.
fn red_rule_y(pdf: &Pdf) -> f64 {
    let red: Vec<Rule> = rules(pdf.page(1)).into_iter().filter(|r| is_red(r.color)).collect();
    assert_eq!(red.len(), 1, "H4: page 1 must have exactly one red rule, found {red:?}");
    red[0].y
}

/// The issuer's name as the fixture's campaign gives it (also the signature).
const OFFICE: &str = "蚌山区人民政府办公室";
/// The fixture's signing date as B9 writes it.
const SIGNED: &str = "2023年11月25日";

// ---------------------------------------------------------------------------
// H1: 份号, 密级和保密期限, 紧急程度.
// ---------------------------------------------------------------------------

/// Checks that `text` is on grid line `cell` of page 1, flush left, 16 pt, in `font`.
fn assert_top_line(pdf: &Pdf, text: &str, cell: i64, font: &str, what: &str) {
    let line = find_line(pdf.page(1), text);
    let d = describe(1, &line);
    assert!(
        close(em_centre(&line), cell_centre(cell), GRID_TOL),
        "H1: {what} must be on grid line {} of page 1 (em box centred at {}, ±{GRID_TOL} pt), \
         its em box is centred at {}: {d}",
        cell + 1,
        pt(cell_centre(cell)),
        pt(em_centre(&line))
    );
    assert!(
        close(line.x0, LEFT, GRID_TOL),
        "H1: {what} must be flush left at {} (±{GRID_TOL} pt), starts at {}: {d}",
        pt(LEFT),
        pt(line.x0)
    );
    assert!(
        all_in_font(&line.glyphs, font) && all_of_size(&line, BODY_SIZE),
        "H1: {what} must be 16 pt {font}, is {:.2} pt {:?}: {d}",
        line.size(),
        line.fonts()
    );
    assert!(line.glyphs.iter().all(|g| is_black(g.color)), "P3: {what} must be black: {d}");
}

#[test]
fn h1_copy_number_secrecy_and_urgency_on_the_first_three_lines() {
    let pdf = notice_with("copy_number: \"000123\"\nsecrecy: 秘密★1年\nurgency: 特急\n");
    assert_top_line(&pdf, "000123", 0, "FandolFang", "the copy number (份号, body font)");
    assert_top_line(&pdf, "秘密★1年", 1, "FandolHei", "the secrecy level (密级, 黑体)");
    assert_top_line(&pdf, "特急", 2, "FandolHei", "the urgency (紧急程度, 黑体)");
}

#[test]
fn h1_urgency_alone_is_on_the_first_line() {
    let pdf = notice_with("urgency: 特急\n");
    assert_top_line(&pdf, "特急", 0, "FandolHei", "the urgency given alone (紧急程度, 黑体)");
}

// ---------------------------------------------------------------------------
// H2 and B7 for a joint notice.
// ---------------------------------------------------------------------------

const JOINT: [&str; 3] = ["蚌山区人民政府办公室", "蚌山区财政局", "蚌山区统计局"];
const JOINT_EDIT: &str = "issuers: [蚌山区人民政府办公室, 蚌山区财政局, 蚌山区统计局]\nmark_suffix: 文件\n";

#[test]
fn h2_joint_issuer_mark() {
    let pdf = notice_with(JOINT_EDIT);
    let page = pdf.page(1);
    let red: Vec<Glyph> = page.glyphs.iter().filter(|g| is_red(g.color)).cloned().collect();
    assert!(!red.is_empty(), "H2: page 1 has no red text (the issuer mark):\n{}", page_text(page));
    // The issuers' names contain neither 文 nor 件, so those glyphs are the suffix.
    assert!(JOINT.iter().all(|n| !n.contains(['文', '件'])), "fixture: issuer names must not contain 文件");
    let (suffix, names): (Vec<Glyph>, Vec<Glyph>) =
        red.into_iter().partition(|g| g.text == "文" || g.text == "件");
    let names = Page { glyphs: names, ..page.clone() }.lines();
    let texts: Vec<String> = names.iter().map(|l| stripped(&l.text)).collect();
    assert_eq!(texts, JOINT, "H2: the names must be stacked, main issuer first (top)");
    assert!(!suffix.is_empty(), "H2: no red 文件 next to the names");
    let suffix = line_of(suffix);
    assert_eq!(stripped(&suffix.text), "文件", "H2: the suffix must read 文件 on one line");

    let mut all = names.clone();
    all.push(suffix.clone());
    for l in &all {
        assert!(
            all_in_font(&l.glyphs, "FandolSong-Bold"),
            "H2: the mark must be in 小标宋 (FandolSong-Bold): {}",
            describe(1, l)
        );
    }

    // Spread: every name as wide as the others (first glyph's origin to last glyph's advance).
    let widths: Vec<f64> = names.iter().map(|l| l.x1 - l.x0).collect();
    let (min, max) =
        widths.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), w| (a.min(*w), b.max(*w)));
    assert!(
        max - min <= 1.0,
        "H2: joint issuers' names must be spread to the same width (±1 pt); widths {}:\n{}",
        widths.iter().map(|w| pt(*w)).collect::<Vec<_>>().join(", "),
        names.iter().map(|l| describe(1, l)).collect::<Vec<_>>().join("\n")
    );

    // 文件 to the right of the names, vertically centred against the stack.
    let names_right = names.iter().map(|l| l.x1).fold(f64::NEG_INFINITY, f64::max);
    assert!(
        suffix.x0 > names_right,
        "H2: 文件 ({}) must stand right of the names (which reach {})",
        describe(1, &suffix),
        pt(names_right)
    );
    let stack_centre = (em_top(&names[0]) + em_bottom(&names[names.len() - 1])) / 2.0;
    assert!(
        close(em_centre(&suffix), stack_centre, 2.0),
        "H2: 文件 must be centred vertically against the names (stack centre {}), its em box is centred at \
         {} (±2 pt): {}",
        pt(stack_centre),
        pt(em_centre(&suffix)),
        describe(1, &suffix)
    );

    // The whole mark: inside the type area's width, centred, its top at 72 mm.
    let x0 = all.iter().map(|l| l.x0).fold(f64::INFINITY, f64::min);
    let x1 = all.iter().map(|l| l.x1).fold(f64::NEG_INFINITY, f64::max);
    assert!(
        x0 >= LEFT - 0.5 && x1 <= RIGHT + 0.5,
        "H2: the mark spans {}..{}, it must fit the type area {}..{}",
        pt(x0),
        pt(x1),
        pt(LEFT),
        pt(RIGHT)
    );
    assert!(
        close((x0 + x1) / 2.0, CENTRE, MM_TOL),
        "H2: the mark ({}..{}) must be centred on the type area ({}, ±1 mm)",
        pt(x0),
        pt(x1),
        pt(CENTRE)
    );
    let top = all.iter().map(em_top).fold(f64::INFINITY, f64::min);
    assert!(
        close(top, 72.0 * MM, MM_TOL),
        "H2: the mark's top (its first name's em box) is at {}, expected 72 mm from the paper top (±1 mm): {}",
        pt(top),
        describe(1, &names[0])
    );
}

#[test]
fn b7_joint_signature_lists_every_issuer() {
    let pdf = notice_with(JOINT_EDIT);
    let page = pdf.page(1);
    let title_y = red_rule_y(&pdf);
    let lines: Vec<TextLine> = text_lines(page).into_iter().filter(|l| l.baseline > title_y).collect();
    let first = lines
        .iter()
        .position(|l| stripped(&l.text) == JOINT[0])
        .unwrap_or_else(|| panic!("B7: no signature line {:?} on page 1:\n{}", JOINT[0], page_text(page)));
    let block = &lines[first..];
    let texts: Vec<String> = block.iter().take(4).map(|l| stripped(&l.text)).collect();
    let mut expected: Vec<String> = JOINT.iter().map(|s| s.to_string()).collect();
    expected.push(SIGNED.to_string());
    assert_eq!(texts, expected, "B7: a joint signature stacks every issuer (main first), then the date");
    let names = &block[..3];
    let date = &block[3];
    for pair in block[..4].windows(2) {
        assert!(
            close(pair[1].baseline - pair[0].baseline, PITCH, GRID_TOL),
            "B7: the names and the date are on consecutive lines ({} apart): {} / {}",
            pt(PITCH),
            describe(1, &pair[0]),
            describe(1, &pair[1])
        );
    }
    for l in &block[..4] {
        assert!(
            all_in_font(&l.glyphs, "FandolFang") && all_of_size(l, BODY_SIZE),
            "B7: signature in 16 pt 仿宋: {}",
            describe(1, l)
        );
        assert!(
            l.x0 >= LEFT - 0.5 && l.x1 <= RIGHT + 0.5,
            "B7: signature lines must lie inside the type area: {}",
            describe(1, l)
        );
    }
    // B7 for one name, applied to the stack: the widest name ends two characters
    // in; the others are aligned with it on the left or on the right.
    let widest = names.iter().max_by(|a, b| (a.x1 - a.x0).total_cmp(&(b.x1 - b.x0))).expect("three names");
    assert!(
        close(widest.x1, RIGHT - 2.0 * CHAR, CHAR_TOL),
        "B7: the longest issuer name must end two characters in ({}, ±1 pt), ends at {}: {}",
        pt(RIGHT - 2.0 * CHAR),
        pt(widest.x1),
        describe(1, widest)
    );
    for n in names {
        assert!(
            close(n.x0, widest.x0, CHAR_TOL) || close(n.x1, widest.x1, CHAR_TOL),
            "B7: stacked names must line up with the longest one ({}) on the left or the right: {}",
            describe(1, widest),
            describe(1, n)
        );
    }
    assert!(
        close(date.x0 - widest.x0, 2.0 * CHAR, CHAR_TOL),
        "B7: the date must start two characters ({}) right of the name's first character, starts {} right: {}",
        pt(2.0 * CHAR),
        pt(date.x0 - widest.x0),
        describe(1, date)
    );
}

// ---------------------------------------------------------------------------
// H3: 签发人 (上行文).
// ---------------------------------------------------------------------------

#[test]
fn h3_signers_and_document_number() {
    let signers = ["韩莉", "袁志哲", "张岩"];
    let pdf = notice_with("signers: [韩莉, 袁志哲, 张岩]\n");
    let page = pdf.page(1);
    let rule = red_rule_y(&pdf);
    let header: Vec<TextLine> = page.lines().into_iter().filter(|l| l.baseline < rule).collect();
    let label_line = header
        .iter()
        .find(|l| stripped(&l.text).contains("签发人："))
        .unwrap_or_else(|| panic!("H3: no 签发人： on page 1:\n{}", page_text(page)));

    // 签发人： in 仿宋 (the label's glyphs are the four before the first name).
    let label_at = label_line.glyphs.iter().position(|g| g.text == "签").expect("签 in the label line");
    let label: Vec<Glyph> = label_line.glyphs[label_at..label_at + 4].to_vec();
    assert_eq!(line_of(label.clone()).text, "签发人：", "H3: the label reads 签发人：");
    assert!(
        all_in_font(&label, "FandolFang"),
        "H3: 签发人： must be in 仿宋 (FandolFang), is in {:?}: {}",
        fonts_of(&label),
        describe(1, label_line)
    );

    // The names: every 楷体 glyph in the header, row by row.
    let rows: Vec<TextLine> = header
        .iter()
        .filter_map(|l| {
            let kai: Vec<Glyph> =
                l.glyphs.iter().filter(|g| g.font.starts_with("FandolKai")).cloned().collect();
            (!kai.is_empty()).then(|| line_of(kai))
        })
        .collect();
    let row_texts: Vec<String> = rows.iter().map(|r| stripped(&r.text)).collect();
    assert_eq!(
        row_texts,
        [format!("{}{}", signers[0], signers[1]), signers[2].to_string()],
        "H3: signer names in 楷体 (FandolKai), two to a row"
    );
    let name_glyphs: String = header
        .iter()
        .flat_map(|l| &l.glyphs)
        .filter(|g| signers.iter().any(|s| s.contains(g.text.as_str())) && !g.text.is_empty())
        .filter(|g| !g.font.starts_with("FandolKai"))
        .map(|g| format!("{} in {}", g.text, g.font))
        .collect::<Vec<_>>()
        .join(", ");
    assert!(name_glyphs.is_empty(), "H3: signer names must be in 楷体, found {name_glyphs}");

    let (first, last) = (&rows[0], &rows[rows.len() - 1]);
    assert!(
        close(last.x0, first.x0, CHAR_TOL),
        "H3: later signer rows align with the first name of the first row: the second row starts at {}, \
         the first name at {} (±1 pt)\n  {}\n  {}",
        pt(last.x0),
        pt(first.x0),
        describe(1, first),
        describe(1, last)
    );
    let block_right = rows.iter().map(|r| r.x1).fold(f64::NEG_INFINITY, f64::max);
    assert!(
        close(block_right, RIGHT - CHAR, CHAR_TOL),
        "H3: the 签发人 block must end one character in from the right ({}, ±1 pt), ends at {}",
        pt(RIGHT - CHAR),
        pt(block_right)
    );

    // The document number: left, one character in, on the last signer row's baseline.
    let number = "蚌山政办秘〔2023〕7号";
    let number_line = header
        .iter()
        .find_map(|l| {
            let fang: Vec<Glyph> =
                l.glyphs.iter().filter(|g| g.font.starts_with("FandolFang")).cloned().collect();
            (!fang.is_empty() && stripped(&line_of(fang.clone()).text) == number).then(|| line_of(fang))
        })
        .unwrap_or_else(|| {
            panic!("H3: no document number {number:?} in 仿宋 on page 1:\n{}", page_text(page))
        });
    assert!(
        close(number_line.baseline, last.baseline, GRID_TOL),
        "H3: the document number must share the last signer row's baseline ({}), is at {}: {}",
        pt(last.baseline),
        pt(number_line.baseline),
        describe(1, &number_line)
    );
    assert!(
        close(number_line.x0, LEFT + CHAR, CHAR_TOL),
        "H3: the document number must start one character in ({}, ±1 pt), starts at {}: {}",
        pt(LEFT + CHAR),
        pt(number_line.x0),
        describe(1, &number_line)
    );
}

// ---------------------------------------------------------------------------
// B8: the seal.
// ---------------------------------------------------------------------------

/// Bounding box of painted ink.
#[derive(Debug, Clone, Copy)]
struct BBox {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl BBox {
    fn union(self, o: BBox) -> BBox {
        BBox { x0: self.x0.min(o.x0), y0: self.y0.min(o.y0), x1: self.x1.max(o.x1), y1: self.y1.max(o.y1) }
    }

    fn overlaps(&self, line: &TextLine) -> bool {
        self.x0 < line.x1 && line.x0 < self.x1 && self.y0 < em_bottom(line) && em_top(line) < self.y1
    }
}

/// The seal on `page`: images, or (typst draws SVG as vector paths) the red paths
/// that are not rules, each stroke widened by half its line width.
fn seal_box(page: &Page) -> Option<BBox> {
    let images = page.images.iter().map(|i| BBox { x0: i.x0, y0: i.y0, x1: i.x1, y1: i.y1 });
    let strokes = page.strokes.iter().filter(|s| is_red(s.color) && s.y1 - s.y0 > 5.0).map(|s| BBox {
        x0: s.x0 - s.width / 2.0,
        y0: s.y0 - s.width / 2.0,
        x1: s.x1 + s.width / 2.0,
        y1: s.y1 + s.width / 2.0,
    });
    let fills = page.fills.iter().filter(|f| is_red(f.color) && f.y1 - f.y0 > 5.0).map(|f| BBox {
        x0: f.x0,
        y0: f.y0,
        x1: f.x1,
        y1: f.y1,
    });
    images.chain(strokes).chain(fills).reduce(BBox::union)
}

#[test]
fn b8_seal_over_signature_and_date() {
    let pdf = notice_with("signature:\n  date: 2023-11-25\n  seal: images/seal.svg\n");
    let page = pdf.page(1);
    let (name_page, name) = signature(&pdf);
    assert_eq!(name_page, 1, "fixture: the signature is on page 1: {}", describe(name_page, &name));
    let date = find_line(page, SIGNED);
    let body = find_line(page, "现将有关事项通知如下，请认真贯彻落实。");

    // Date right-aligned four characters in, the name centred over it.
    assert!(
        close(date.x1, RIGHT - 4.0 * CHAR, CHAR_TOL),
        "B8: with a seal the date ends four characters in ({}, ±1 pt), ends at {}: {}",
        pt(RIGHT - 4.0 * CHAR),
        pt(date.x1),
        describe(1, &date)
    );
    assert!(
        close(centre_x(&name), centre_x(&date), CHAR_TOL),
        "B8: the issuer name must be centred over the date (date centre {}), its centre is {} (±1 pt): {}",
        pt(centre_x(&date)),
        pt(centre_x(&name)),
        describe(1, &name)
    );
    assert!(
        close(date.baseline - name.baseline, PITCH, GRID_TOL),
        "B8: the date is on the line under the name: name {}, date {}",
        describe(1, &name),
        describe(1, &date)
    );

    // The seal: placed (not blank), ~42 mm wide, centred on the date line.
    let seal = seal_box(page).unwrap_or_else(|| {
        panic!("B8: no seal on page 1: no image and no red paths besides the H4 rule:\n{}", page_text(page))
    });
    let width = seal.x1 - seal.x0;
    // The test seal's ink (ring outer edge) is 408/420 of its 42 mm image.
    assert!(
        close(width, 42.0 * MM, 2.0 * MM),
        "B8: the seal's ink is {} wide, expected about 42 mm (±2 mm): {seal:?}",
        pt(width)
    );
    let seal_centre = (seal.x0 + seal.x1) / 2.0;
    assert!(
        close(seal_centre, centre_x(&date), 2.0 * MM),
        "B8: the seal must be centred on the date line (date centre {}), its centre is {} (±2 mm): {seal:?}",
        pt(centre_x(&date)),
        pt(seal_centre)
    );
    let gap = seal.y0 - em_bottom(&body);
    assert!(
        (-GRID_TOL..=PITCH).contains(&gap),
        "B8: the seal's top must be within one line ({}) below the body's last line, it is {} below \
         (top {}, body line bottom {}): {}",
        pt(PITCH),
        pt(gap),
        pt(seal.y0),
        pt(em_bottom(&body)),
        describe(1, &body)
    );
    assert!(
        seal.overlaps(&name),
        "B8: the seal {seal:?} must press on the issuer name: {}",
        describe(1, &name)
    );
    assert!(seal.overlaps(&date), "B8: the seal {seal:?} must press on the date: {}", describe(1, &date));
}

// ---------------------------------------------------------------------------
// B10: 附注.
// ---------------------------------------------------------------------------

#[test]
fn b10_note_on_the_line_after_the_date() {
    let pdf = notice_with("note: 此件公开发布\n");
    let (date_page, date) = find_in(&pdf, SIGNED);
    let (page, note) = find_in(&pdf, "（此件公开发布）");
    assert!(
        page == date_page && close(note.baseline - date.baseline, PITCH, GRID_TOL),
        "B10: the note must be on the line right after the date ({} below it), it is {} below: {} / {}",
        pt(PITCH),
        pt(note.baseline - date.baseline),
        describe(date_page, &date),
        describe(page, &note)
    );
    assert!(
        close(note.x0, LEFT + 2.0 * CHAR, CHAR_TOL),
        "B10: the note must start two characters in ({}, ±1 pt), starts at {}: {}",
        pt(LEFT + 2.0 * CHAR),
        pt(note.x0),
        describe(page, &note)
    );
    assert!(
        all_in_font(&note.glyphs, "FandolFang") && all_of_size(&note, BODY_SIZE),
        "B10: the note is body text, 16 pt 仿宋: {}",
        describe(page, &note)
    );
}

// ---------------------------------------------------------------------------
// V1 and N4: where the 版记 goes.
// ---------------------------------------------------------------------------

/// Whether nothing at all is painted on a page.
fn is_blank(page: &Page) -> bool {
    page.glyphs.is_empty() && page.strokes.is_empty() && page.fills.is_empty() && page.images.is_empty()
}

/// What a page of a notice holds, as the page-plan tests see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holds {
    /// Nothing at all.
    Blank,
    /// Body text and no 版记.
    Body,
    /// Body text (or the signature) and the 版记.
    BodyAndImprint,
    /// The 版记 alone.
    Imprint,
}

fn holds(page: &Page) -> Holds {
    if is_blank(page) {
        return Holds::Blank;
    }
    let lines = text_lines(page);
    let imprint = lines.iter().any(|l| stripped(&l.text).starts_with("抄送："));
    let other = lines.iter().any(|l| close(l.size(), BODY_SIZE, SIZE_TOL));
    match (other, imprint) {
        (true, false) => Holds::Body,
        (true, true) => Holds::BodyAndImprint,
        (false, true) => Holds::Imprint,
        (false, false) => {
            panic!("page {} holds neither body text nor the 版记:\n{}", page.number, page_text(page))
        }
    }
}

/// V1 and N4 on any notice: the 版记 is on the last page only, which is even, its last
/// rule on the type area's bottom edge; blank pages and a 版记 page after a blank
/// page have no number, every other page its physical page number (— n —).
fn assert_imprint_and_numbers(pdf: &Pdf) {
    let last = pdf.pages.last().expect("the notice has pages");
    assert!(
        last.number.is_multiple_of(2),
        "V1: the notice has {} pages; the 版记's page, the last, must be even (pages hold {:?})",
        pdf.pages.len(),
        plan(pdf)
    );
    for p in &pdf.pages {
        let has = matches!(holds(p), Holds::Imprint | Holds::BodyAndImprint);
        assert_eq!(
            has,
            p.number == last.number,
            "V1: the 版记 must be on the last page only; page {} has it: {has}",
            p.number
        );
    }
    let printed = text_lines(last)
        .into_iter()
        .find(|l| stripped(&l.text).ends_with("印发"))
        .unwrap_or_else(|| panic!("V4: the last page has no …印发 line:\n{}", page_text(last)));
    let black: Vec<Rule> = rules(last)
        .into_iter()
        .filter(|r| is_black(r.color) && close(r.x0, LEFT, MM_TOL) && close(r.x1 - r.x0, TYPE_WIDTH, MM_TOL))
        .collect();
    let final_rule =
        black.last().unwrap_or_else(|| panic!("V2: no 156 mm black rule on the last page {}", last.number));
    assert!(
        close(final_rule.y, BOTTOM, MM_TOL),
        "V1/V2: the 版记's last rule is at {}, expected on the type area's bottom edge {} (262 mm, ±1 mm)",
        pt(final_rule.y),
        pt(BOTTOM)
    );
    assert!(final_rule.y > printed.baseline, "V4: the last rule must be under the 印发 line");

    let mut expected = Vec::new();
    let mut actual = Vec::new();
    for (i, p) in pdf.pages.iter().enumerate() {
        let after_blank = i > 0 && is_blank(&pdf.pages[i - 1]);
        let silent = is_blank(p) || (p.number == last.number && after_blank);
        expected.push(if silent { "none".to_string() } else { format!("—{}—", p.number) });
        actual.push(page_number(p).map_or("none".to_string(), |l| stripped(&l.text)));
    }
    assert_eq!(
        actual, expected,
        "N4: page numbers by physical page; blank pages and a 版记 page after a blank page carry none"
    );
}

/// The page plan: what each page holds.
fn plan(pdf: &Pdf) -> Vec<Holds> {
    pdf.pages.iter().map(holds).collect()
}

/// The page and grid cell of the date, the content's last line.
fn date_position(pdf: &Pdf) -> (usize, i64) {
    let (page, date) = find_in(pdf, SIGNED);
    (page, grid_cell(&date).0)
}

// Page 1 of the fixture holds nine body lines (grid cells 13–21 under its
// 版头, title and recipients), later pages 22. After the body come a blank line,
// the issuer name and the date; the 版记 takes the page's last two lines.

#[test]
fn v1_n4_content_ends_on_odd_page_with_room_imprint_on_next_page() {
    // 38 one-line paragraphs: 9 on page 1, 22 on page 2, 7 on page 3, then the blank
    // line, name and date in cells 7–9 of page 3. The 版记 would fit under them, but
    // page 3 is odd, so it moves to page 4, which is numbered (no blank page before).
    let pdf = notice_with(&body_of(&[1; 38]));
    assert_eq!(date_position(&pdf), (3, 9), "case moved: the date should be on page 3, cell 9");
    assert_imprint_and_numbers(&pdf);
    assert_eq!(
        plan(&pdf),
        [Holds::Body, Holds::Body, Holds::Body, Holds::Imprint],
        "V1: content ending on odd page 3 with room: the 版记 moves to page 4"
    );
}

#[test]
fn v1_n4_content_fills_even_page_blank_page_before_imprint() {
    // 28 one-line paragraphs: 9 on page 1, 19 on page 2 (cells 0–18), then the blank
    // line, name and date in cells 19–21: page 2 is full and the 版记 does not fit.
    // It must be on an even page, so page 3 stays blank and page 4 holds the 版记;
    // neither carries a number.
    let pdf = notice_with(&body_of(&[1; 28]));
    assert_eq!(date_position(&pdf), (2, 21), "case moved: the date should be on page 2, cell 21 (the last)");
    assert_imprint_and_numbers(&pdf);
    assert_eq!(
        plan(&pdf),
        [Holds::Body, Holds::Body, Holds::Blank, Holds::Imprint],
        "V1: content filling even page 2: blank page 3, 版记 on page 4"
    );
}

#[test]
fn v1_n4_content_ends_on_even_page_with_room_imprint_on_same_page() {
    // 26 one-line paragraphs: 9 on page 1, 17 on page 2 (cells 0–16), then the blank
    // line, name and date in cells 17–19: exactly the last two lines are left, which
    // the 版记 takes on page 2.
    let pdf = notice_with(&body_of(&[1; 26]));
    assert_eq!(date_position(&pdf), (2, 19), "case moved: the date should be on page 2, cell 19");
    assert_imprint_and_numbers(&pdf);
    assert_eq!(
        plan(&pdf),
        [Holds::Body, Holds::BodyAndImprint],
        "V1: content ending on even page 2 with room: the 版记 on page 2"
    );
}

// ---------------------------------------------------------------------------
// B11: the signature never alone on a page.
// ---------------------------------------------------------------------------

#[test]
fn b11_signature_and_date_not_alone_on_a_page() {
    // Six one-line paragraphs and a three-line one: nine body lines, exactly page 1's
    // cells 13–21, so the last paragraph ends on page 1's last line and the blank
    // line, name and date would start page 2 on their own.
    let pdf = notice_with(&body_of(&[1, 1, 1, 1, 1, 1, 3]));
    let body: Vec<(usize, TextLine)> = pdf
        .pages
        .iter()
        .flat_map(|p| text_lines(p).into_iter().filter(is_filler).map(|l| (p.number, l)))
        .collect();
    assert_eq!(
        body.len(),
        9,
        "fixture: the body must set as nine lines, found:\n{}",
        body.iter().map(|(p, l)| describe(*p, l)).collect::<Vec<_>>().join("\n")
    );
    let (first_page, first) = &body[0];
    let first_cell = grid_cell(first).0;
    assert!(
        *first_page == 1 && first_cell + 9 - 1 == LINES_PER_PAGE - 1,
        "case moved: the body starts in cell {first_cell} of page {first_page}; nine lines from there must \
         end on page 1's last line (cell 21)"
    );

    let (name_page, name) = signature(&pdf);
    let (date_page, date) = find_in(&pdf, SIGNED);
    assert_eq!(name_page, date_page, "B7: name and date on one page");
    let with_signature: Vec<&TextLine> =
        body.iter().filter(|(p, _)| *p == name_page).map(|(_, l)| l).collect();
    assert!(
        !with_signature.is_empty(),
        "B11: the issuer name and date ({}, {}) are alone on page {name_page}: no body text on that page",
        describe(name_page, &name),
        describe(date_page, &date)
    );
    let last = with_signature.last().expect("non-empty");
    assert!(
        close(name.baseline - last.baseline, 2.0 * PITCH, GRID_TOL),
        "B7/B11: one blank line between the body's last line ({}) and the name ({})",
        describe(name_page, last),
        describe(name_page, &name)
    );
}

// ---------------------------------------------------------------------------
// B1: title breaking.
// ---------------------------------------------------------------------------

#[test]
fn b1_one_line_title_is_broken_symmetrically_between_words() {
    let title = "蚌山区人民政府办公室关于印发蚌山区2023年群众满意度调查提升总体工作方案的通知";
    let pdf = notice_with(&format!("title: [{title}]\n"));
    let rule = red_rule_y(&pdf);
    let page = pdf.page(1);
    let lines: Vec<TextLine> = text_lines(page)
        .into_iter()
        .filter(|l| {
            l.baseline > rule && all_in_font(&l.glyphs, "FandolSong-Bold") && all_of_size(l, TITLE_SIZE)
        })
        .collect();
    let texts: Vec<String> = lines.iter().map(|l| stripped(&l.text)).collect();
    assert_eq!(texts.concat(), title, "B1: the title lines must read the title, in order: {texts:?}");
    assert!((2..=3).contains(&lines.len()), "B1: the title must break into 2–3 lines, got {texts:?}");
    for l in &lines {
        assert!(
            l.x1 - l.x0 <= TYPE_WIDTH && l.x0 >= LEFT - 0.5 && l.x1 <= RIGHT + 0.5,
            "B1: a title line must fit the type area: {}",
            describe(1, l)
        );
        assert!(
            close(centre_x(l), CENTRE, MM_TOL),
            "B1: title lines are centred ({}, ±1 mm): {}",
            pt(CENTRE),
            describe(1, l)
        );
    }
    let widths: Vec<f64> = lines.iter().map(|l| l.x1 - l.x0).collect();
    if lines.len() == 3 {
        let longest = widths.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert!(
            widths[2] < longest - 1.0,
            "B1: a three-line title is a diamond or trapezoid, its longest line not the last: {texts:?} \
             (widths {})",
            widths.iter().map(|w| pt(*w)).collect::<Vec<_>>().join(", ")
        );
    }
    for word in ["满意度", "工作方案", "蚌山区人民政府办公室", "2023年"] {
        assert!(
            texts.iter().any(|t| t.contains(word)),
            "B1: a line break splits the word {word:?}: {texts:?}"
        );
    }
}

#[test]
fn b1_explicit_title_line_too_long_is_an_error() {
    // 25 characters on one given line; 二号 lines hold 20.
    let long = "关于进一步做好蚌山区群众满意度调查提升相关工作任务";
    assert_eq!(long.chars().count(), 25, "fixture: the long line's length");
    let project = project_with(&format!("title:\n  - {long}\n  - 的通知\n"));
    let yaml = std::fs::read_to_string(project.path().join("content/notice.yaml")).expect("read notice.yaml");
    let line_no = yaml.lines().position(|l| l.contains(long)).expect("the long line is in the file") + 1;

    let built = cli::build(project.path(), &["notice"]);
    assert_eq!(
        built.code(),
        1,
        "a too-long title line must fail the build with exit code 1: {}",
        built.describe()
    );
    assert!(!built.file("notice.pdf").exists(), "no notice.pdf may be written when the build fails");
    let output = format!("{}\n{}", built.stdout, built.stderr);
    let at = format!("content/notice.yaml:{line_no}");
    assert!(
        output.contains(&format!("{at}:")) || output.contains(&format!("{at}\n")),
        "the message must name content/notice.yaml and the title line's number ({at}): {}",
        built.describe()
    );
    assert!(
        output.contains("title") || output.contains("标题"),
        "the message must say it is about the title (title / 标题): {}",
        built.describe()
    );
}
