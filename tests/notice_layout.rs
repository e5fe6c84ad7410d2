//! GB/T 9704-2012 layout rules, checked on the example notice's PDF.
//!
//! The example project (the repository's `content/`) is built once with the real
//! binary (`support::cli::example_notice`) and `output/notice.pdf` is read back with
//! `mutool trace` (`support::pdf`): every glyph with its position, size, font and
//! colour, and every stroke and fill. Each test checks one rule of
//! `/work/shared/spec/gbt9704.md` (its id starts the test's name) by measuring that
//! read-back, in points with the origin at the page's top-left corner.
//!
//! Conventions used throughout:
//! * The type area (版心) is x ∈ [28 mm, 184 mm] (28 mm + 156 mm, leaving the 26 mm
//!   right margin of P2) and y ∈ [37 mm, 262 mm].
//! * A line's em box is the one the template gives every line: from 0.88 em above the
//!   baseline to 0.12 em below it. Lines of any size are centred in their grid cells,
//!   so a line's grid position is measured at the centre of its em box; grid cell `k`
//!   of a page spans [37 mm + k × pitch, 37 mm + (k + 1) × pitch].
//! * "One character" is the character pitch 156 mm / 28 (≈ 15.79 pt) unless a rule
//!   measures in 四号 (14 pt) characters.
//! * What the content says (issuer, title lines, document number, dates) is read from
//!   `content/*.yaml`; which text forms a paragraph comes from the seed notice
//!   (`tests/support/bengshan-2023-notice.txt`, one paragraph a line).

mod support;

use std::sync::OnceLock;

use serde_json::Value;
use support::cli;
use support::pdf::{Color, Glyph, MM, Page, Pdf, TextLine};

// ---------------------------------------------------------------------------
// The standard's numbers.
// ---------------------------------------------------------------------------

/// A4 portrait (P1).
const PAGE_WIDTH: f64 = 210.0 * MM;
const PAGE_HEIGHT: f64 = 297.0 * MM;
/// The type area (P2): 28 mm from the left, 37 mm from the top, 156 mm × 225 mm.
const LEFT: f64 = 28.0 * MM;
const TYPE_WIDTH: f64 = 156.0 * MM;
const RIGHT: f64 = LEFT + TYPE_WIDTH;
const TOP: f64 = 37.0 * MM;
const BOTTOM: f64 = TOP + 225.0 * MM;
/// 22 lines of 28 characters (P4).
const LINES_PER_PAGE: usize = 22;
const PITCH: f64 = 225.0 * MM / 22.0;
const CHARS_PER_LINE: f64 = 28.0;
const CHAR: f64 = TYPE_WIDTH / CHARS_PER_LINE;
/// 三号, 四号, 二号.
const BODY_SIZE: f64 = 16.0;
const SMALL_SIZE: f64 = 14.0;
const TITLE_SIZE: f64 = 22.0;
/// The em box the template gives every line (`top-edge: 0.88em, bottom-edge: -0.12em`).
const ASCENT: f64 = 0.88;
const DESCENT: f64 = 0.12;

/// The spec's own tolerance for margins and positions in millimetres.
const MM_TOL: f64 = 1.0 * MM;
/// Float tolerance for grid measurements.
const GRID_TOL: f64 = 0.5;
/// Tolerance for positions the rules give in characters.
const CHAR_TOL: f64 = 1.0;
/// Font sizes are exact up to rounding in the PDF.
const SIZE_TOL: f64 = 0.05;

/// The body's font families: 仿宋, 黑体 and 楷体 (level-1 and level-2 headings).
const BODY_FONTS: [&str; 3] = ["FandolFang", "FandolHei", "FandolKai"];
/// Marks that may not start a line: a line break before them is forced earlier.
const CLOSING: &str = "，。、；：？！）》”’〉】〕」』…—";
/// Marks that may not end a line.
const OPENING: &str = "（《“‘〈【〔「『";
/// The page plan of the example: pages 2–5 are full pages of the plan's body.
const FULL_BODY_PAGES: std::ops::RangeInclusive<usize> = 2..=5;

// ---------------------------------------------------------------------------
// Reading the PDF.
// ---------------------------------------------------------------------------

fn notice() -> &'static Pdf {
    cli::example_notice()
}

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

/// Grid position of a line: 0.0 is the first cell of the type area, 21.0 the last.
fn slot(line: &TextLine) -> f64 {
    (em_centre(line) - TOP - PITCH / 2.0) / PITCH
}

/// The nearest whole grid cell and how far (in pt) the line is from it.
fn grid_cell(line: &TextLine) -> (i64, f64) {
    let s = slot(line);
    (s.round() as i64, (s - s.round()).abs() * PITCH)
}

/// Grid cell counted through the document: page 1 holds cells 0..22, page 2 22..44, ...
fn absolute_cell(page: usize, line: &TextLine) -> i64 {
    (page as i64 - 1) * LINES_PER_PAGE as i64 + grid_cell(line).0
}

fn centre_x(line: &TextLine) -> f64 {
    (line.x0 + line.x1) / 2.0
}

fn is_black(c: Color) -> bool {
    c.approx_eq(Color::BLACK, 0.05)
}

fn is_red(c: Color) -> bool {
    c.r > 0.9 && c.g < 0.1 && c.b < 0.1
}

fn all_in_font(line: &TextLine, family: &str) -> bool {
    line.glyphs.iter().all(|g| g.font.starts_with(family))
}

fn all_of_size(line: &TextLine, size: f64) -> bool {
    line.glyphs.iter().all(|g| close(g.size, size, SIZE_TOL))
}

fn is_body_glyph(g: &Glyph) -> bool {
    BODY_FONTS.iter().any(|f| g.font.starts_with(f)) && close(g.size, BODY_SIZE, SIZE_TOL)
}

fn is_ideograph(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// One line's description for assertion messages.
fn describe(page: usize, line: &TextLine) -> String {
    format!(
        "page {page}, baseline {}, x {}..{}: {:?}",
        pt(line.baseline),
        pt(line.x0),
        pt(line.x1),
        line.text
    )
}

/// A horizontal rule: a stroked line or a thin filled rectangle.
#[derive(Debug, Clone, Copy)]
struct Rule {
    x0: f64,
    x1: f64,
    /// Centre of the rule's thickness.
    y: f64,
    thickness: f64,
    color: Color,
}

fn rules(page: &Page) -> Vec<Rule> {
    let strokes = page.strokes.iter().filter(|s| s.y1 - s.y0 < 0.5).map(|s| Rule {
        x0: s.x0,
        x1: s.x1,
        y: (s.y0 + s.y1) / 2.0,
        thickness: s.width,
        color: s.color,
    });
    let fills = page.fills.iter().filter(|f| f.y1 - f.y0 < 3.0 && f.x1 - f.x0 > 10.0).map(|f| Rule {
        x0: f.x0,
        x1: f.x1,
        y: (f.y0 + f.y1) / 2.0,
        thickness: f.y1 - f.y0,
        color: f.color,
    });
    let mut all: Vec<Rule> = strokes.chain(fills).collect();
    all.sort_by(|a, b| a.y.total_cmp(&b.y));
    all
}

/// The red rule under the document number (H4).
fn red_rule(pdf: &Pdf) -> Rule {
    let red: Vec<Rule> = rules(pdf.page(1)).into_iter().filter(|r| is_red(r.color)).collect();
    assert_eq!(red.len(), 1, "H4: page 1 must have exactly one red horizontal rule, found {red:?}");
    red[0]
}

/// Whether a line lies below the type area (where only the page number may be).
fn below_type_area(line: &TextLine) -> bool {
    em_top(line) > BOTTOM
}

/// The lines inside the type area, top to bottom (the page number left out).
fn text_lines(page: &Page) -> Vec<TextLine> {
    page.lines().into_iter().filter(|l| !below_type_area(l)).collect()
}

fn page_number_line(page: &Page) -> TextLine {
    let below: Vec<TextLine> = page.lines().into_iter().filter(below_type_area).collect();
    assert_eq!(
        below.len(),
        1,
        "N1: page {} must have exactly one line under the type area (its page number), found {:?}",
        page.number,
        below.iter().map(|l| &l.text).collect::<Vec<_>>()
    );
    below.into_iter().next().expect("one line")
}

/// Body lines of a page: 16 pt 仿宋/黑体/楷体 text in the type area, below the 版头 on page 1.
fn body_lines(pdf: &Pdf, page: &Page) -> Vec<TextLine> {
    let below = if page.number == 1 { red_rule(pdf).y } else { f64::NEG_INFINITY };
    text_lines(page).into_iter().filter(|l| em_top(l) > below && l.glyphs.iter().all(is_body_glyph)).collect()
}

/// A line and the page it is on.
#[derive(Debug, Clone)]
struct Placed {
    page: usize,
    line: TextLine,
}

impl Placed {
    fn describe(&self) -> String {
        describe(self.page, &self.line)
    }
}

/// The first page of the attachment: its first line is 附件 (or 附件N) in 黑体.
fn attachment_page(pdf: &Pdf) -> usize {
    pdf.pages
        .iter()
        .find(|p| {
            text_lines(p).first().is_some_and(|l| {
                let t = stripped(&l.text);
                t.strip_prefix("附件").is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
                    && all_in_font(l, "FandolHei")
            })
        })
        .map(|p| p.number)
        .expect("A1: no page starts with an 附件 label in 黑体")
}

/// The body lines of the notice and the plan, in reading order (pages before the attachment).
fn prose(pdf: &Pdf) -> Vec<Placed> {
    let end = attachment_page(pdf);
    pdf.pages
        .iter()
        .filter(|p| p.number < end)
        .flat_map(|p| body_lines(pdf, p).into_iter().map(|line| Placed { page: p.number, line }))
        .collect()
}

// ---------------------------------------------------------------------------
// What the content and the seed say.
// ---------------------------------------------------------------------------

/// Facts from `content/*.yaml` that the layout must show.
struct Content {
    /// The issuing office (发文机关, also the 印发机关 and the signature).
    office: String,
    /// The title's lines as the content breaks them.
    title: Vec<String>,
    /// The document number, e.g. 蚌山政办秘〔2023〕82号.
    number: String,
    /// The signing date, written as B9 wants (2023年11月25日).
    signed: String,
    /// The imprint date, as B9 wants.
    printed: String,
}

fn read_yaml(name: &str) -> Value {
    let path = cli::repo().join("content").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

fn yaml_str(v: &Value, path: &[&str]) -> String {
    let mut node = v;
    for key in path {
        node = &node[*key];
    }
    match node {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("content: {} is not a scalar: {other:?}", path.join(".")),
    }
}

/// `2023-11-25` as GB/T 9704 writes dates: 2023年11月25日 (no zero padding).
fn chinese_date(iso: &str) -> String {
    let parts: Vec<u32> =
        iso.split('-').map(|p| p.parse().unwrap_or_else(|e| panic!("date {iso:?}: {e}"))).collect();
    assert_eq!(parts.len(), 3, "date {iso:?} is not YYYY-MM-DD");
    format!("{}年{}月{}日", parts[0], parts[1], parts[2])
}

fn content() -> &'static Content {
    static CONTENT: OnceLock<Content> = OnceLock::new();
    CONTENT.get_or_init(|| {
        let campaign = read_yaml("campaign.yaml");
        let notice = read_yaml("notice.yaml");
        let env = minijinja::Environment::new();
        let ctx = minijinja::Value::from(minijinja::value::Serde(&campaign));
        let render = |s: &str| env.render_str(s, ctx.clone()).unwrap_or_else(|e| panic!("render {s:?}: {e}"));
        let title = notice["title"]
            .as_array()
            .expect("content/notice.yaml: title is a list of lines")
            .iter()
            .map(|l| render(l.as_str().expect("title line is text")))
            .collect();
        Content {
            office: yaml_str(&campaign, &["office"]),
            title,
            number: format!(
                "{}〔{}〕{}号",
                yaml_str(&notice, &["number", "agency"]),
                yaml_str(&campaign, &["year"]),
                yaml_str(&notice, &["number", "sequence"])
            ),
            signed: chinese_date(&yaml_str(&notice, &["signature", "date"])),
            printed: chinese_date(&yaml_str(&notice, &["imprint", "date"])),
        }
    })
}

/// The seed notice, one paragraph a line (one paragraph of the plan is split in two).
const SEED: &str = include_str!("support/bengshan-2023-notice.txt");

/// A paragraph of the notice or the plan and the PDF lines that set it.
#[derive(Debug)]
struct Paragraph {
    text: String,
    lines: Vec<Placed>,
    /// The recipients (主送机关) line, flush left by B2 rather than indented.
    recipients: bool,
}

/// The seed's paragraphs of running text: the recipients, the notice's body (up to the
/// date), and the plan's body (after its title up to the 附件说明).
fn seed_paragraphs(signed: &str) -> Vec<(String, bool)> {
    let lines: Vec<String> = SEED.lines().map(stripped).filter(|l| !l.is_empty()).collect();
    let recipients = lines.iter().position(|l| l.ends_with('：')).expect("seed: no recipients line");
    let date = (recipients..lines.len())
        .find(|&i| lines[i] == signed)
        .expect("seed: no signing date after the recipients");
    let plan_start = lines.iter().position(|l| l == "总体工作方案").expect("seed: no plan title") + 1;
    let plan_end = lines.iter().position(|l| l.starts_with("附件：")).expect("seed: no 附件说明");
    let mut out = vec![(lines[recipients].clone(), true)];
    out.extend(lines[recipients + 1..date].iter().map(|l| (l.clone(), false)));
    out.extend(lines[plan_start..plan_end].iter().map(|l| (l.clone(), false)));
    out
}

/// Finds each seed paragraph as a run of whole lines of [`prose`], in order. A seed
/// paragraph that ends mid-line is joined with the next one (the seed splits one).
fn paragraphs(pdf: &Pdf) -> Vec<Paragraph> {
    let lines = prose(pdf);
    let texts: Vec<String> = lines.iter().map(|p| stripped(&p.line.text)).collect();
    let mut seed = seed_paragraphs(&content().signed).into_iter();
    let mut out = Vec::new();
    let mut cursor = 0;
    while let Some((mut text, recipients)) = seed.next() {
        let start = (cursor..lines.len())
            .find(|&k| !texts[k].is_empty() && (text.starts_with(&texts[k]) || texts[k].starts_with(&text)))
            .unwrap_or_else(|| {
                panic!(
                    "paragraph {text:?} does not start a body line after {} (see notice_text for the text)",
                    lines.get(cursor).map_or("the end".to_string(), Placed::describe)
                )
            });
        let mut end = start;
        let mut set = String::new();
        loop {
            while set.chars().count() < text.chars().count() && end < lines.len() {
                set.push_str(&texts[end]);
                end += 1;
            }
            if set == text {
                break;
            }
            match seed.next() {
                Some((more, _)) if set.starts_with(&text) => text.push_str(&more),
                _ => panic!(
                    "paragraph {text:?} is not set as whole lines: its lines read {set:?} (from {})",
                    lines[start].describe()
                ),
            }
        }
        out.push(Paragraph { text, lines: lines[start..end].to_vec(), recipients });
        cursor = end;
    }
    out
}

// ---------------------------------------------------------------------------
// Characters and cells (P4).
// ---------------------------------------------------------------------------

/// Width of a character in cells: half-width ASCII is half a cell, everything else one.
fn char_cells(c: char) -> f64 {
    if c.is_whitespace() {
        0.0
    } else if c.is_ascii_graphic() {
        0.5
    } else {
        1.0
    }
}

/// Cells a line fills: its indent (in whole characters) plus its characters.
fn line_cells(line: &TextLine) -> f64 {
    let indent = ((line.x0 - LEFT) / CHAR).round().max(0.0);
    indent + line.text.chars().map(char_cells).sum::<f64>()
}

/// The text a line break cannot split at the start of `text`: opening marks, then one
/// character (or a run of ASCII digits/letters/points), then any closing marks.
fn leading_unit(text: &str) -> String {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut i = 0;
    while i < chars.len() && OPENING.contains(chars[i]) {
        i += 1;
    }
    if i < chars.len() {
        if chars[i].is_ascii_alphanumeric() {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    while i < chars.len() && CLOSING.contains(chars[i]) {
        i += 1;
    }
    chars[..i].iter().collect()
}

/// Whether a line runs to the right edge of the type area (a justified, full line).
fn spans(line: &TextLine) -> bool {
    close(line.x1, RIGHT, CHAR_TOL)
}

// ---------------------------------------------------------------------------
// Page and grid (P1–P4).
// ---------------------------------------------------------------------------

#[test]
fn p1_a4_portrait() {
    let pdf = notice();
    assert!(!pdf.pages.is_empty(), "P1: the notice has no pages");
    for p in &pdf.pages {
        assert!(
            close(p.width, PAGE_WIDTH, 0.5) && close(p.height, PAGE_HEIGHT, 0.5),
            "P1: page {} is {:.2} × {:.2} pt, expected A4 portrait {:.2} × {:.2} pt",
            p.number,
            p.width,
            p.height,
            PAGE_WIDTH,
            PAGE_HEIGHT
        );
    }
}

#[test]
fn p2_type_area_margins() {
    let pdf = notice();
    let mut bad = Vec::new();
    let (mut min_x, mut max_x) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in &pdf.pages {
        for g in
            p.glyphs.iter().filter(|g| g.font.starts_with("FandolFang") && close(g.size, BODY_SIZE, SIZE_TOL))
        {
            let (top, bottom) = (g.baseline - ASCENT * g.size, g.baseline + DESCENT * g.size);
            min_x = min_x.min(g.x);
            max_x = max_x.max(g.x + g.advance);
            if g.x < LEFT - MM_TOL
                || g.x + g.advance > RIGHT + MM_TOL
                || top < TOP - MM_TOL
                || bottom > BOTTOM + MM_TOL
            {
                bad.push(format!(
                    "page {}: {:?} at x {}..{}, y {}..{}",
                    p.number,
                    g.text,
                    pt(g.x),
                    pt(g.x + g.advance),
                    pt(top),
                    pt(bottom)
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "P2: body glyphs outside the type area x {}..{}, y {}..{} (±1 mm):\n{}",
        pt(LEFT),
        pt(RIGHT),
        pt(TOP),
        pt(BOTTOM),
        bad.join("\n")
    );
    // The body fills the type area's width: the left margin is 28 mm, the right 26 mm.
    assert!(close(min_x, LEFT, MM_TOL), "P2: body text starts at {}, expected the 28 mm margin", pt(min_x));
    assert!(
        close(max_x, RIGHT, MM_TOL),
        "P2: body text reaches {}, expected 184 mm (26 mm margin)",
        pt(max_x)
    );
}

#[test]
fn p3_body_text_black_16pt_fangsong() {
    let pdf = notice();
    let mark = issuer_mark(pdf);
    let mut bad = Vec::new();
    for p in &pdf.pages {
        for g in &p.glyphs {
            let in_mark = p.number == 1 && mark.glyphs.contains(g);
            if !in_mark && !is_black(g.color) {
                bad.push(format!("page {}: {:?} in {} is coloured {:?}", p.number, g.text, g.font, g.color));
            }
        }
        for l in body_lines(pdf, p) {
            if !all_of_size(&l, BODY_SIZE) {
                bad.push(format!("{}: not all 16 pt", describe(p.number, &l)));
            }
        }
    }
    // Paragraphs of running text (headings aside, see B5) are in 仿宋.
    for para in paragraphs(pdf).iter().filter(|p| heading_level(&p.text).is_none()) {
        for l in &para.lines {
            if !all_in_font(&l.line, "FandolFang") {
                bad.push(format!("{}: fonts {:?}, expected FandolFang", l.describe(), l.line.fonts()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "P3: body text must be black 16 pt 仿宋 (only the issuer mark is red):\n{}",
        bad.join("\n")
    );
}

#[test]
fn p4_body_lines_on_grid() {
    let pdf = notice();
    let anchor = body_lines(pdf, pdf.page(2))
        .into_iter()
        .next()
        .expect("P4: page 2 has no body line to anchor the grid");
    let anchor_centre = em_centre(&anchor);
    // The grid itself sits in the type area: the anchor is a whole number of pitches
    // below the centre of the type area's first line (P2's 37 mm top margin, ±1 mm).
    let (cell, off) = grid_cell(&anchor);
    assert!(
        off <= MM_TOL,
        "P2/P4: page 2's first body line ({}) is {} off the type area's grid (nearest cell {cell})",
        describe(2, &anchor),
        pt(off)
    );
    let mut bad = Vec::new();
    for p in &pdf.pages {
        for l in body_lines(pdf, p) {
            let pitches = (em_centre(&l) - anchor_centre) / PITCH;
            let off = (pitches - pitches.round()).abs() * PITCH;
            let cell = grid_cell(&l).0;
            if off > GRID_TOL || !(0..LINES_PER_PAGE as i64).contains(&cell) {
                bad.push(format!(
                    "{}: {:.3} pitches from page 2's first line, cell {cell}",
                    describe(p.number, &l),
                    pitches
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "P4: body lines must be whole pitches ({:.3} pt, ±{GRID_TOL} pt) from page 2's first body line and \
         within the 22 lines of the type area:\n{}",
        PITCH,
        bad.join("\n")
    );
}

#[test]
fn p4_at_most_22_lines_per_page() {
    let pdf = notice();
    for p in &pdf.pages {
        let lines = body_lines(pdf, p);
        assert!(
            lines.len() <= LINES_PER_PAGE,
            "P4: page {} has {} body lines, at most {LINES_PER_PAGE} allowed",
            p.number,
            lines.len()
        );
        let mut cells: Vec<i64> = lines.iter().map(|l| grid_cell(l).0).collect();
        cells.dedup();
        assert_eq!(
            cells.len(),
            lines.len(),
            "P4: page {} has two body lines in one grid cell: {cells:?}",
            p.number
        );
    }
}

#[test]
fn p4_full_pages_fill_all_22_lines() {
    let pdf = notice();
    let mut bad = Vec::new();
    for n in FULL_BODY_PAGES {
        let lines = text_lines(pdf.page(n));
        let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
            bad.push(format!("page {n} is empty"));
            continue;
        };
        let (first_cell, first_off) = grid_cell(first);
        let (last_cell, last_off) = grid_cell(last);
        if first_cell != 0 || first_off > GRID_TOL {
            bad.push(format!(
                "page {n} starts in cell {first_cell} ({} off), expected cell 0 (em box centred at {}): {}",
                pt(first_off),
                pt(TOP + PITCH / 2.0),
                describe(n, first)
            ));
        }
        // A heading is kept with the text after it (a heading never ends a
        // page), so a page may end early by exactly the heading lines that
        // open the next page.
        let kept = pdf
            .pages
            .get(n)
            .map(|next| text_lines(next).iter().take_while(|l| is_heading(l)).count() as i64)
            .unwrap_or(0);
        let empty = LINES_PER_PAGE as i64 - 1 - last_cell;
        if !(0..=kept).contains(&empty) || last_off > GRID_TOL {
            bad.push(format!(
                "page {n} ends in cell {last_cell} ({} off), expected cell 21 (em box centred at {}): {}",
                pt(last_off),
                pt(BOTTOM - PITCH / 2.0),
                describe(n, last)
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "P4: full body pages {FULL_BODY_PAGES:?} hold exactly 22 lines, from the type area's first line \
         to its 22nd:\n{}",
        bad.join("\n")
    );
}

/// Whether a line is a numbered heading (一、 （一） 1. （1）) on its own line.
fn is_heading(line: &TextLine) -> bool {
    let t = line.text.trim_start();
    let cn = |s: &str| s.chars().take_while(|c| "一二三四五六七八九十".contains(*c)).count();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let rest_cn = &t[t.char_indices().nth(cn(t)).map_or(t.len(), |(i, _)| i)..];
    (cn(t) > 0 && rest_cn.starts_with('、'))
        || t.strip_prefix('（').is_some_and(|r| {
            let k = cn(r).max(r.chars().take_while(char::is_ascii_digit).count());
            k > 0 && r.chars().nth(k) == Some('）')
        })
        || (digits > 0 && t[digits..].starts_with(['.', '．']))
}

#[test]
fn p4_28_characters_per_full_line() {
    let pdf = notice();
    let mut bad = Vec::new();
    let mut checked = 0;
    for para in paragraphs(pdf) {
        for pair in para.lines.windows(2) {
            let (line, next) = (&pair[0], &pair[1]);
            if !spans(&line.line) {
                continue;
            }
            checked += 1;
            let cells = line_cells(&line.line);
            let unit = leading_unit(&next.line.text);
            let unit_cells: f64 = unit.chars().map(char_cells).sum();
            if cells > CHARS_PER_LINE || cells + unit_cells <= CHARS_PER_LINE {
                bad.push(format!(
                    "{}: {cells} cells (indent included); the next line starts with {unit:?} ({unit_cells} cells)",
                    line.describe()
                ));
            }
        }
    }
    assert!(checked > 0, "P4: no full line found to count");
    assert!(
        bad.is_empty(),
        "P4: a full line holds 28 characters (half-width ASCII counts ½): at most 28 cells, and fewer only \
         when what starts the next line (a character with its closing marks) could not fit:\n{}",
        bad.join("\n")
    );
}

#[test]
fn p4_character_pitch() {
    let pdf = notice();
    let mut bad = Vec::new();
    let mut checked = 0;
    for para in paragraphs(pdf) {
        // Lines that are not stretched to the right edge show the natural pitch.
        for l in para.lines.iter().filter(|l| !spans(&l.line)) {
            for pair in l.line.glyphs.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                let ideographs =
                    [a, b].iter().all(|g| g.text.chars().count() == 1 && g.text.chars().all(is_ideograph));
                if !ideographs || a.font != b.font {
                    continue;
                }
                checked += 1;
                let step = b.x - a.x;
                if !close(step, CHAR, 0.3) {
                    bad.push(format!("{}: {}→{} step {step:.3} pt", l.describe(), a.text, b.text));
                }
            }
        }
    }
    assert!(checked > 0, "P4: no unjustified run of ideographs found to measure");
    assert!(
        bad.is_empty(),
        "P4: ideographs in an unjustified line must step 156 mm / 28 = {CHAR:.3} pt (±0.3):\n{}",
        bad.join("\n")
    );
}

// ---------------------------------------------------------------------------
// Header (H2–H4).
// ---------------------------------------------------------------------------

/// The issuer mark: the red text on page 1.
fn issuer_mark(pdf: &Pdf) -> TextLine {
    let red: Vec<TextLine> =
        pdf.page(1).lines().into_iter().filter(|l| l.glyphs.iter().all(|g| is_red(g.color))).collect();
    assert_eq!(
        red.len(),
        1,
        "H2: page 1 must have exactly one line of red text (the issuer mark), found {:?}",
        red.iter().map(|l| &l.text).collect::<Vec<_>>()
    );
    red.into_iter().next().expect("one line")
}

fn document_number(pdf: &Pdf) -> TextLine {
    let number = &content().number;
    pdf.page(1)
        .lines()
        .into_iter()
        .find(|l| stripped(&l.text) == *number)
        .unwrap_or_else(|| panic!("H3: page 1 has no line reading {number:?}"))
}

#[test]
fn h2_issuer_mark() {
    let pdf = notice();
    let mark = issuer_mark(pdf);
    let what = describe(1, &mark);
    assert_eq!(stripped(&mark.text), content().office, "H2: the issuer mark must read the issuer's name");
    assert!(
        all_in_font(&mark, "FandolSong-Bold"),
        "H2: issuer mark fonts {:?}, expected FandolSong-Bold",
        mark.fonts()
    );
    assert!(
        close(centre_x(&mark), (LEFT + RIGHT) / 2.0, MM_TOL),
        "H2: issuer mark centred at x {}, expected the type area's centre {} (±1 mm): {what}",
        pt(centre_x(&mark)),
        pt((LEFT + RIGHT) / 2.0)
    );
    assert!(
        close(em_top(&mark), 72.0 * MM, MM_TOL),
        "H2: issuer mark top (baseline − 0.88 × {:.2} pt) at {}, expected 72 mm from the paper top (±1 mm): {what}",
        mark.size(),
        pt(em_top(&mark))
    );
    assert!(
        mark.x1 - mark.x0 <= TYPE_WIDTH,
        "H2: issuer mark is {} wide, wider than the type area (156 mm): {what}",
        pt(mark.x1 - mark.x0)
    );
}

#[test]
fn h3_document_number() {
    let pdf = notice();
    let mark = issuer_mark(pdf);
    let number = document_number(pdf);
    let what = describe(1, &number);
    assert!(
        all_in_font(&number, "FandolFang") && all_of_size(&number, BODY_SIZE),
        "H3: document number must be 16 pt FandolFang, is {:.2} pt {:?}: {what}",
        number.size(),
        number.fonts()
    );
    assert!(
        close(centre_x(&number), (LEFT + RIGHT) / 2.0, MM_TOL),
        "H3: document number centred at x {}, expected {} (±1 mm): {what}",
        pt(centre_x(&number)),
        pt((LEFT + RIGHT) / 2.0)
    );
    let gap = em_top(&number) - em_bottom(&mark);
    assert!(
        gap >= 2.0 * PITCH - 1.0,
        "H3: document number top is {} below the issuer mark's bottom, expected two blank lines (≥ {}): {what}",
        pt(gap),
        pt(2.0 * PITCH - 1.0)
    );
}

#[test]
fn h4_red_rule_under_document_number() {
    let pdf = notice();
    let rule = red_rule(pdf);
    let number = document_number(pdf);
    assert!(
        close(rule.x0, LEFT, MM_TOL) && close(rule.x1 - rule.x0, TYPE_WIDTH, MM_TOL),
        "H4: red rule spans x {}..{} ({} wide), expected the type area from 28 mm, 156 mm wide (±1 mm)",
        pt(rule.x0),
        pt(rule.x1),
        pt(rule.x1 - rule.x0)
    );
    let below = rule.y - (number.baseline + DESCENT * BODY_SIZE);
    assert!(
        close(below, 4.0 * MM, MM_TOL),
        "H4: red rule at y {} is {} below the document number line's bottom, expected 4 mm (±1 mm)",
        pt(rule.y),
        pt(below)
    );
}

// ---------------------------------------------------------------------------
// Body (B1–B7).
// ---------------------------------------------------------------------------

/// The title lines on page 1: 22 pt 小标宋 text under the red rule.
fn title_lines(pdf: &Pdf) -> Vec<TextLine> {
    let rule = red_rule(pdf);
    text_lines(pdf.page(1))
        .into_iter()
        .filter(|l| l.baseline > rule.y && all_in_font(l, "FandolSong-Bold") && all_of_size(l, TITLE_SIZE))
        .collect()
}

#[test]
fn b1_title() {
    let pdf = notice();
    let lines = title_lines(pdf);
    let texts: Vec<String> = lines.iter().map(|l| stripped(&l.text)).collect();
    assert_eq!(texts, content().title, "B1: the title must break exactly as content/notice.yaml says");
    for l in &lines {
        assert!(
            close(centre_x(l), (LEFT + RIGHT) / 2.0, MM_TOL),
            "B1: title line centred at x {}, expected {} (±1 mm): {}",
            pt(centre_x(l)),
            pt((LEFT + RIGHT) / 2.0),
            describe(1, l)
        );
    }
    for pair in lines.windows(2) {
        let step = pair[1].baseline - pair[0].baseline;
        assert!(
            close(step, PITCH, GRID_TOL),
            "B1: title lines must be one line pitch ({PITCH:.2} pt) apart, are {step:.2} pt: {:?} / {:?}",
            pair[0].text,
            pair[1].text
        );
    }
    let rule = red_rule(pdf);
    let gap = em_top(&lines[0]) - rule.y;
    assert!(
        gap >= 2.0 * PITCH - 1.0,
        "B1: the title's top is {} under the red rule, expected two blank lines (≥ {})",
        pt(gap),
        pt(2.0 * PITCH - 1.0)
    );
}

#[test]
fn b2_recipients() {
    let pdf = notice();
    let paras = paragraphs(pdf);
    let recipients = paras.iter().find(|p| p.recipients).expect("B2: no recipients paragraph");
    let first = &recipients.lines[0];
    let last_title = title_lines(pdf).pop().expect("B1: no title lines");
    for l in &recipients.lines {
        assert!(
            close(l.line.x0, LEFT, GRID_TOL),
            "B2: recipients lines start flush left at {}, this one at {}: {}",
            pt(LEFT),
            pt(l.line.x0),
            l.describe()
        );
    }
    let step = em_centre(&first.line) - em_centre(&last_title);
    assert!(
        first.page == 1 && close(step, 2.0 * PITCH, GRID_TOL),
        "B2: recipients line must follow the title's last line after one blank line ({} between line \
         centres), is {}: {}",
        pt(2.0 * PITCH),
        pt(step),
        first.describe()
    );
    assert!(
        recipients.text.ends_with('：'),
        "B2: recipients must end with a full-width colon: {:?}",
        recipients.text
    );
}

#[test]
fn b4_paragraph_indents() {
    let pdf = notice();
    let mut bad = Vec::new();
    for para in paragraphs(pdf).iter().filter(|p| !p.recipients) {
        let first = &para.lines[0];
        if !close(first.line.x0, LEFT + 2.0 * CHAR, GRID_TOL) {
            bad.push(format!(
                "first line at {}, expected {}: {}",
                pt(first.line.x0),
                pt(LEFT + 2.0 * CHAR),
                first.describe()
            ));
        }
        for l in &para.lines[1..] {
            if !close(l.line.x0, LEFT, GRID_TOL) {
                bad.push(format!(
                    "continuation at {}, expected {}: {}",
                    pt(l.line.x0),
                    pt(LEFT),
                    l.describe()
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "B4: paragraphs indent two characters, continuation lines flush left:\n{}",
        bad.join("\n")
    );
}

/// A structure heading's level (B5): 一、 (1), （一） (2), 1. (3), （1） (4).
fn heading_level(text: &str) -> Option<u8> {
    const NUMERALS: &str = "一二三四五六七八九十";
    let t = stripped(text);
    let chinese = |s: &str| !s.is_empty() && s.chars().all(|c| NUMERALS.contains(c));
    let arabic = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if let Some((n, _)) = t.split_once('、')
        && chinese(n)
    {
        return Some(1);
    }
    if let Some(rest) = t.strip_prefix('（')
        && let Some((n, _)) = rest.split_once('）')
    {
        if chinese(n) {
            return Some(2);
        }
        if arabic(n) {
            return Some(4);
        }
    }
    if let Some((n, _)) = t.split_once('.')
        && arabic(n)
    {
        return Some(3);
    }
    None
}

#[test]
fn b5_heading_fonts() {
    let pdf = notice();
    let mut found = [0usize; 5];
    let mut bad = Vec::new();
    for para in paragraphs(pdf) {
        let Some(level) = heading_level(&para.text) else { continue };
        found[level as usize] += 1;
        let font = match level {
            1 => "FandolHei",
            2 => "FandolKai",
            _ => "FandolFang",
        };
        // The heading runs to its first full stop, or is the whole paragraph.
        let glyphs = para.lines.iter().flat_map(|l| l.line.glyphs.iter().map(move |g| (l, g)));
        let mut head = Vec::new();
        for (l, g) in glyphs {
            head.push((l, g));
            if g.text == "。" {
                break;
            }
        }
        for (l, g) in head {
            if !g.font.starts_with(font) || !close(g.size, BODY_SIZE, SIZE_TOL) {
                bad.push(format!(
                    "level {level} {:?}: glyph {:?} is {:.2} pt {}, expected 16 pt {font} ({})",
                    para.text,
                    g.text,
                    g.size,
                    g.font,
                    l.describe()
                ));
                break;
            }
        }
    }
    assert!(
        found[1] > 0 && found[2] > 0 && found[3] > 0,
        "B5: expected headings of levels 1, 2 and 3 in the plan, found {:?} (per level 1..4)",
        &found[1..]
    );
    assert!(
        bad.is_empty(),
        "B5: level 1 in 黑体, level 2 in 楷体, levels 3–4 in 仿宋, all 16 pt:\n{}",
        bad.join("\n")
    );
}

/// The 附件说明 line: 附件：name, in the body before the attachment.
fn attachment_note(pdf: &Pdf) -> (usize, Placed) {
    let lines = prose(pdf);
    let i = lines
        .iter()
        .position(|l| stripped(&l.line.text).starts_with("附件："))
        .expect("B6: no body line starting with 附件：");
    (i, lines[i].clone())
}

/// The attachment's title: the 22 pt 小标宋 lines on its first page, joined.
fn attachment_title(pdf: &Pdf) -> (TextLine, String) {
    let lines: Vec<TextLine> = text_lines(pdf.page(attachment_page(pdf)))
        .into_iter()
        .filter(|l| all_in_font(l, "FandolSong-Bold") && all_of_size(l, TITLE_SIZE))
        .collect();
    let first = lines.first().cloned().expect("A2: the attachment page has no 22 pt 小标宋 title");
    (first, lines.iter().map(|l| stripped(&l.text)).collect())
}

#[test]
fn b6_attachment_list() {
    let pdf = notice();
    let (i, note) = attachment_note(pdf);
    let what = note.describe();
    assert!(
        close(note.line.x0, LEFT + 2.0 * CHAR, GRID_TOL),
        "B6: 附件说明 starts at {}, expected two characters in ({}): {what}",
        pt(note.line.x0),
        pt(LEFT + 2.0 * CHAR)
    );
    let name = stripped(&note.line.text).trim_start_matches("附件：").to_string();
    let (_, title) = attachment_title(pdf);
    assert_eq!(name, title, "B6/A2: the 附件说明 names the attachment by its title");
    let last = name.chars().last().expect("B6: 附件说明 has no name");
    assert!(
        !CLOSING.contains(last) && !"。.,;:".contains(last),
        "B6: no punctuation after the attachment's name, found {last:?}: {what}"
    );
    // One blank line after the body, counting grid lines across the page break.
    let body = &prose(pdf)[i.checked_sub(1).expect("B6: the 附件说明 cannot be the first body line")];
    let step = absolute_cell(note.page, &note.line) - absolute_cell(body.page, &body.line);
    assert_eq!(
        step,
        2,
        "B6: one blank line between the body ({}) and the 附件说明 ({what})",
        body.describe()
    );
}

#[test]
fn b7_signature_and_date() {
    let pdf = notice();
    let c = content();
    let lines = prose(pdf);
    let i = lines
        .iter()
        .position(|l| stripped(&l.line.text) == c.office)
        .unwrap_or_else(|| panic!("B7: no signature line {:?} in 仿宋", c.office));
    let (body, name) = (&lines[i.checked_sub(1).expect("B7: no body above the signature")], &lines[i]);
    let date = lines.get(i + 1).expect("B7: nothing follows the signature");
    assert_eq!(name.page, 1, "B7: the signature is on page 1 of the example: {}", name.describe());
    assert_eq!(
        stripped(&date.line.text),
        c.signed,
        "B7: the line under the signature is the date: {}",
        date.describe()
    );
    assert!(
        close(name.line.x1, RIGHT - 2.0 * CHAR, CHAR_TOL),
        "B7: signature ends at {}, expected two characters in from the right ({}, ±1 pt): {}",
        pt(name.line.x1),
        pt(RIGHT - 2.0 * CHAR),
        name.describe()
    );
    let blank = absolute_cell(name.page, &name.line) - absolute_cell(body.page, &body.line);
    assert_eq!(
        blank,
        2,
        "B7: one blank line between the body ({}) and the signature ({})",
        body.describe(),
        name.describe()
    );
    assert!(
        date.page == name.page && close(date.line.baseline - name.line.baseline, PITCH, GRID_TOL),
        "B7: the date must be on the line right under the signature ({} below), is {}: {}",
        pt(PITCH),
        pt(date.line.baseline - name.line.baseline),
        date.describe()
    );
    let shift = date.line.x0 - name.line.x0;
    assert!(
        close(shift, 2.0 * CHAR, CHAR_TOL),
        "B7: the date must start two characters ({}) right of the signature's first character, starts {} right",
        pt(2.0 * CHAR),
        pt(shift)
    );
}

// ---------------------------------------------------------------------------
// Attachment (A1, A2).
// ---------------------------------------------------------------------------

#[test]
fn a1_attachment_starts_new_page() {
    let pdf = notice();
    let page = attachment_page(pdf);
    let (_, note) = attachment_note(pdf);
    assert!(
        page > note.page,
        "A1: the attachment (page {page}) must start on a page after the 附件说明 (page {})",
        note.page
    );
    let first = text_lines(pdf.page(page)).into_iter().next().expect("attachment page has lines");
    assert_eq!(grid_cell(&first).0, 0, "A1: the 附件 label opens its page: {}", describe(page, &first));
}

#[test]
fn a2_attachment_label_and_title() {
    let pdf = notice();
    let page = attachment_page(pdf);
    let label = text_lines(pdf.page(page)).into_iter().next().expect("attachment page has lines");
    let what = describe(page, &label);
    assert!(
        all_in_font(&label, "FandolHei") && all_of_size(&label, BODY_SIZE),
        "A2: 附件 label must be 16 pt 黑体, is {:.2} pt {:?}: {what}",
        label.size(),
        label.fonts()
    );
    assert!(
        close(label.x0, LEFT, GRID_TOL),
        "A2: 附件 label must be flush left ({}), is at {}: {what}",
        pt(LEFT),
        pt(label.x0)
    );
    let (cell, off) = grid_cell(&label);
    assert!(
        cell == 0 && off <= GRID_TOL,
        "A2: 附件 label must be on the first grid line, is in cell {cell} ({} off): {what}",
        pt(off)
    );

    let (title, _) = attachment_title(pdf);
    let twhat = describe(page, &title);
    assert!(
        close(centre_x(&title), (LEFT + RIGHT) / 2.0, MM_TOL),
        "A2: attachment title centred at x {}, expected {} (±1 mm): {twhat}",
        pt(centre_x(&title)),
        pt((LEFT + RIGHT) / 2.0)
    );
    // Centred on the third line: its em box centred two pitches under the label's.
    // (A 22 pt line centred on a 16 pt grid line has its baseline 0.38 × 6 pt lower.)
    let step = em_centre(&title) - em_centre(&label);
    assert!(
        close(step, 2.0 * PITCH, 1.0),
        "A2: attachment title must be centred on the third line ({} under the label, ±1 pt), is {}: {twhat}",
        pt(2.0 * PITCH),
        pt(step)
    );
}

// ---------------------------------------------------------------------------
// Imprint (V1–V4).
// ---------------------------------------------------------------------------

fn last_page(pdf: &Pdf) -> &Page {
    pdf.pages.last().expect("the notice has pages")
}

/// The 抄送 lines on the last page: from 抄送： to the line ending with 。.
fn copies_to(pdf: &Pdf) -> Vec<TextLine> {
    let lines = text_lines(last_page(pdf));
    let start = lines
        .iter()
        .position(|l| stripped(&l.text).starts_with("抄送："))
        .expect("V1: the last page has no 抄送 line");
    let end =
        (start..lines.len()).find(|&i| stripped(&lines[i].text).ends_with('。')).unwrap_or(lines.len() - 1);
    lines[start..=end].to_vec()
}

/// The 印发 line on the last page: the printing office and the date …印发.
fn printed_line(pdf: &Pdf) -> TextLine {
    text_lines(last_page(pdf))
        .into_iter()
        .find(|l| stripped(&l.text).ends_with("印发"))
        .expect("V1: the last page has no line ending with 印发")
}

/// Full-width black rules on the last page, top to bottom.
fn imprint_rules(pdf: &Pdf) -> Vec<Rule> {
    rules(last_page(pdf))
        .into_iter()
        .filter(|r| is_black(r.color) && close(r.x1 - r.x0, TYPE_WIDTH, MM_TOL) && close(r.x0, LEFT, MM_TOL))
        .collect()
}

#[test]
fn v1_imprint_on_even_last_page() {
    let pdf = notice();
    let last = last_page(pdf);
    copies_to(pdf);
    printed_line(pdf);
    assert!(
        last.number.is_multiple_of(2),
        "V1: the 版记 is on page {}, the last page must be even",
        last.number
    );
}

#[test]
fn v2_imprint_separators() {
    let pdf = notice();
    let rules = imprint_rules(pdf);
    assert!(
        rules.len() >= 2,
        "V2: expected at least two 156 mm black separators on the last page, found {rules:?}"
    );
    let n = rules.len();
    for (i, r) in rules.iter().enumerate() {
        let want = if i == 0 || i == n - 1 { 0.35 } else { 0.25 };
        assert!(
            close(r.thickness / MM, want, 0.05),
            "V2: separator {} of {n} (y {}) is {:.3} mm thick, expected {want} mm (±0.05)",
            i + 1,
            pt(r.y),
            r.thickness / MM
        );
    }
    let last = rules[n - 1];
    assert!(
        close(last.y, BOTTOM, MM_TOL),
        "V2: the last separator is at {}, expected on the type area's bottom edge {} (±1 mm)",
        pt(last.y),
        pt(BOTTOM)
    );
    let first_text = copies_to(pdf)[0].clone();
    assert!(
        rules[0].y < em_top(&first_text),
        "V2: the first separator ({}) must be above the first 版记 element ({})",
        pt(rules[0].y),
        describe(last_page(pdf).number, &first_text)
    );
}

#[test]
fn v3_copies_to() {
    let pdf = notice();
    let page = last_page(pdf).number;
    let lines = copies_to(pdf);
    let first = &lines[0];
    for l in &lines {
        assert!(
            all_in_font(l, "FandolFang") && all_of_size(l, SMALL_SIZE),
            "V3: 抄送 must be 14 pt 仿宋, is {:.2} pt {:?}: {}",
            l.size(),
            l.fonts(),
            describe(page, l)
        );
        assert!(
            l.x1 <= RIGHT - SMALL_SIZE + CHAR_TOL,
            "V3: 抄送 must stay one character in from the right ({}), reaches {}: {}",
            pt(RIGHT - SMALL_SIZE),
            pt(l.x1),
            describe(page, l)
        );
    }
    assert!(
        close(first.x0, LEFT + SMALL_SIZE, CHAR_TOL),
        "V3: 抄送 starts at {}, expected one 14 pt character in ({}, ±1 pt): {}",
        pt(first.x0),
        pt(LEFT + SMALL_SIZE),
        describe(page, first)
    );
    let after_colon = first.glyphs.get(3).map(|g| g.x).expect("V3: 抄送 line is too short");
    for l in &lines[1..] {
        assert!(
            close(l.x0, after_colon, GRID_TOL),
            "V3: continuation lines align after 抄送： ({}), this one starts at {}: {}",
            pt(after_colon),
            pt(l.x0),
            describe(page, l)
        );
    }
    let last = lines.last().expect("at least the first line");
    assert!(stripped(&last.text).ends_with('。'), "V3: 抄送 must end with 。: {}", describe(page, last));
}

#[test]
fn v4_printer_and_date() {
    let pdf = notice();
    let c = content();
    let page = last_page(pdf).number;
    let line = printed_line(pdf);
    let what = describe(page, &line);
    assert!(
        all_in_font(&line, "FandolFang") && all_of_size(&line, SMALL_SIZE),
        "V4: 印发 line must be 14 pt 仿宋, is {:.2} pt {:?}: {what}",
        line.size(),
        line.fonts()
    );
    let split =
        line.glyphs.iter().position(|g| g.text.chars().all(|c| c.is_ascii_digit())).expect("V4: no date");
    let printer: String = line.glyphs[..split].iter().map(|g| g.text.as_str()).collect();
    let date: String = line.glyphs[split..].iter().map(|g| g.text.as_str()).collect();
    assert_eq!(stripped(&printer), c.office, "V4: the printing office: {what}");
    assert_eq!(
        stripped(&date),
        format!("{}印发", c.printed),
        "V4: the printing date, as B9 writes dates: {what}"
    );
    assert!(
        close(line.x0, LEFT + SMALL_SIZE, CHAR_TOL),
        "V4: the office starts at {}, expected one 14 pt character in ({}, ±1 pt): {what}",
        pt(line.x0),
        pt(LEFT + SMALL_SIZE)
    );
    assert!(
        close(line.x1, RIGHT - SMALL_SIZE, CHAR_TOL),
        "V4: the date ends at {}, expected one 14 pt character in from the right ({}, ±1 pt): {what}",
        pt(line.x1),
        pt(RIGHT - SMALL_SIZE)
    );
    // On the last line above the last separator: inside that line's grid cell.
    let sep = imprint_rules(pdf).last().map(|r| r.y).expect("V2: no separators");
    assert!(
        em_top(&line) >= sep - PITCH - GRID_TOL && em_bottom(&line) <= sep + GRID_TOL,
        "V4: the 印发 line must sit on the last line above the last separator, i.e. its em box within \
         {}..{} (one pitch above the separator at {}); it spans {}..{}: {what}",
        pt(sep - PITCH),
        pt(sep),
        pt(sep),
        pt(em_top(&line)),
        pt(em_bottom(&line))
    );
}

// ---------------------------------------------------------------------------
// Page numbers (N1–N4).
// ---------------------------------------------------------------------------

#[test]
fn n1_page_number_text_and_font() {
    let pdf = notice();
    for p in &pdf.pages {
        let line = page_number_line(p);
        let what = describe(p.number, &line);
        assert_eq!(
            stripped(&line.text),
            format!("—{}—", p.number),
            "N1: page number of page {}: {what}",
            p.number
        );
        let first = line.glyphs.first().expect("page number has glyphs");
        let last = line.glyphs.last().expect("page number has glyphs");
        assert!(
            first.text == "\u{2014}" && last.text == "\u{2014}",
            "N1: the dashes must be U+2014 (一字线): {what}"
        );
        assert!(
            all_in_font(&line, "FandolSong") && all_of_size(&line, SMALL_SIZE),
            "N1: page number must be 14 pt 宋体 (FandolSong), is {:.2} pt {:?}: {what}",
            line.size(),
            line.fonts()
        );
        for g in line.glyphs.iter().filter(|g| g.text.chars().any(|c| c.is_numeric())) {
            assert!(
                g.text.chars().all(|c| c.is_ascii_digit()) && close(g.advance, SMALL_SIZE / 2.0, 0.5),
                "N1: page number digits must be half-width Arabic numerals; {:?} advances {:.2} pt: {what}",
                g.text,
                g.advance
            );
        }
    }
}

#[test]
fn n2_page_number_height() {
    let pdf = notice();
    let top = BOTTOM + 7.0 * MM;
    for p in &pdf.pages {
        let line = page_number_line(p);
        assert!(
            line.baseline >= top && line.baseline <= top + SMALL_SIZE,
            "N2: page {}: page number baseline at {}, expected within {}..{} (its line box starts 7 mm \
             under the type area)",
            p.number,
            pt(line.baseline),
            pt(top),
            pt(top + SMALL_SIZE)
        );
    }
}

#[test]
fn n3_page_number_sides() {
    let pdf = notice();
    for p in &pdf.pages {
        let line = page_number_line(p);
        let what = describe(p.number, &line);
        if !p.number.is_multiple_of(2) {
            assert!(
                close(line.x1, RIGHT - CHAR, 1.5),
                "N3: odd page {}: page number ends at {}, expected one character in from the right ({}, ±1.5 pt): {what}",
                p.number,
                pt(line.x1),
                pt(RIGHT - CHAR)
            );
        } else {
            assert!(
                close(line.x0, LEFT + CHAR, 1.5),
                "N3: even page {}: page number starts at {}, expected one character in from the left ({}, ±1.5 pt): {what}",
                p.number,
                pt(line.x0),
                pt(LEFT + CHAR)
            );
        }
    }
}

#[test]
fn n4_pages_numbered_consecutively() {
    let pdf = notice();
    let numbers: Vec<String> = pdf.pages.iter().map(|p| stripped(&page_number_line(p).text)).collect();
    let expected: Vec<String> = (1..=pdf.pages.len()).map(|n| format!("—{n}—")).collect();
    assert_eq!(
        numbers, expected,
        "N4: every page numbered, 1 to the last, in order (the example has no blank page)"
    );
}

// ---------------------------------------------------------------------------
// Fonts and stray text.
// ---------------------------------------------------------------------------

#[test]
fn fonts_embedded_fandol_only_no_tofu() {
    let pdf = notice();
    let fonts = pdf.fonts_embedded();
    assert!(!fonts.is_empty(), "the PDF has no fonts");
    for (name, embedded) in &fonts {
        assert!(embedded, "font {name} is not embedded (all fonts: {fonts:?})");
        assert!(
            name.starts_with("Fandol"),
            "font {name} is not a Fandol font (fallback?); all fonts: {fonts:?}"
        );
    }
    for p in &pdf.pages {
        for g in &p.glyphs {
            assert!(
                g.font.starts_with("Fandol"),
                "page {}: glyph {:?} in non-Fandol font {}",
                p.number,
                g.text,
                g.font
            );
            assert!(
                !g.text.is_empty() && !g.text.contains('\u{FFFD}'),
                "page {}: glyph at x {}, baseline {} in {} has no usable text ({:?}): missing character?",
                p.number,
                pt(g.x),
                pt(g.baseline),
                g.font,
                g.text
            );
        }
    }
}

#[test]
fn no_text_outside_type_area_but_page_numbers() {
    let pdf = notice();
    for p in &pdf.pages {
        let mut outside: Vec<&Glyph> = Vec::new();
        for g in &p.glyphs {
            let (top, bottom) = (g.baseline - ASCENT * g.size, g.baseline + DESCENT * g.size);
            assert!(
                g.x >= 0.0 && g.x + g.advance <= p.width && top >= 0.0 && bottom <= p.height,
                "page {}: glyph {:?} at x {}, baseline {} lies off the page",
                p.number,
                g.text,
                pt(g.x),
                pt(g.baseline)
            );
            let inside = g.x >= LEFT - MM_TOL
                && g.x + g.advance <= RIGHT + MM_TOL
                && top >= TOP - MM_TOL
                && bottom <= BOTTOM + MM_TOL;
            if !inside {
                outside.push(g);
            }
        }
        outside.sort_by(|a, b| a.x.total_cmp(&b.x));
        let text: String = outside.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(
            stripped(&text),
            format!("—{}—", p.number),
            "page {}: the only text in the margins must be the page number",
            p.number
        );
    }
}
