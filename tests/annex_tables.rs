//! Annex tables: the leading group, the responsibility table and the schedule, built
//! standalone (`pressroom build annex`) and as attachments of the notice.
//!
//! * Standalone, on the example project (the repository root): the three `.xlsx` files
//!   are read back cell by cell with calamine and compared with `content/campaign.yaml`
//!   (parsed here, its few template expressions rendered with minijinja); the `.csv`
//!   files must start with a UTF-8 byte-order mark, end every record with CRLF and parse
//!   (RFC 4180) to the same rows as the spreadsheets; the PDFs carry the tables' titles.
//!   The workbook layout: the title in A1, the header row under it (row index 1, i.e.
//!   spreadsheet row 2), data from row index 2 on.
//! * In the notice: a copy of the example whose `notice.yaml` lists
//!   `- table: responsibilities` and `- table: schedule` after the leading group. The
//!   PDF is read back with `mutool trace` (`support::pdf`) and measured against
//!   `/work/shared/spec/gbt9704.md`: the 附件说明 lists 附件：1.… 2.… 3.… with the
//!   attachment pages' titles (B6, A2); each attachment page opens with 附件N in 黑体;
//!   the schedule is set landscape, turned on portrait pages (A3): its text runs up the
//!   page (consecutive glyphs keep their x and advance towards −y) while page numbers
//!   stay where portrait pages have them (N2, N3); the 版记 never shares a page with the
//!   turned table and sits on an even last page (V1).
//! * Building the annex twice gives byte-identical files.
//!
//! Positions are in points from the page's top-left corner; "one character" is the
//! character pitch 156 mm / 28, as in `tests/notice_layout.rs`.

mod support;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use calamine::{Reader, Xlsx};
use serde_json::Value;
use support::pdf::{Glyph, MM, Page, Pdf, TextLine, read_pdf};
use support::{cli, example};
use tempfile::TempDir;

// ---------------------------------------------------------------------------
// The standard's numbers (see tests/notice_layout.rs).
// ---------------------------------------------------------------------------

const LEFT: f64 = 28.0 * MM;
const TYPE_WIDTH: f64 = 156.0 * MM;
const RIGHT: f64 = LEFT + TYPE_WIDTH;
const TOP: f64 = 37.0 * MM;
const BOTTOM: f64 = TOP + 225.0 * MM;
const CHAR: f64 = TYPE_WIDTH / 28.0;
const BODY_SIZE: f64 = 16.0;
const SMALL_SIZE: f64 = 14.0;
const TITLE_SIZE: f64 = 22.0;
const SIZE_TOL: f64 = 0.05;
/// Glyphs whose origins differ by less than this across the writing direction share a line.
const LINE_TOL: f64 = 0.5;

/// The three tables: file id, column headers.
const TABLES: [(&str, [&str; 4]); 3] = [
    ("leading-group", ["职务", "姓名", "单位及职务", ""]),
    ("responsibilities", ["序号", "测评指标", "牵头部门", ""]),
    ("schedule", ["阶段", "工作内容", "时间", "责任单位"]),
];

fn headers(id: &str) -> Vec<String> {
    let (_, h) = TABLES.iter().find(|(t, _)| *t == id).expect("a known table");
    h.iter().filter(|s| !s.is_empty()).map(|s| (*s).to_string()).collect()
}

// ---------------------------------------------------------------------------
// The example's data.
// ---------------------------------------------------------------------------

fn campaign() -> &'static Value {
    static CAMPAIGN: OnceLock<Value> = OnceLock::new();
    CAMPAIGN.get_or_init(|| {
        let path = cli::repo().join("content/campaign.yaml");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
    })
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("campaign.yaml: expected a scalar, found {other:?}"),
    }
}

/// `YYYY-MM-DD` split into numbers.
fn iso_date(text: &str) -> (i64, u32, u32) {
    let parse = || -> Option<(i64, u32, u32)> {
        let mut parts = text.split('-');
        let date = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
        parts.next().is_none().then_some(date)
    };
    parse().unwrap_or_else(|| panic!("{text:?} is not a YYYY-MM-DD date"))
}

/// `2023-11-30` as 11月30日.
fn month_day(text: &str) -> String {
    let (_, m, d) = iso_date(text);
    format!("{m}月{d}日")
}

/// Renders a content template with the campaign's values (plus `extra`), and the
/// `md` filter (a date as 11月30日).
fn render(template: &str, extra: &[(&str, Value)]) -> String {
    let mut env = minijinja::Environment::new();
    env.add_filter("md", |d: String| month_day(&d));
    let mut ctx = campaign().clone();
    for (k, v) in extra {
        ctx[*k] = v.clone();
    }
    env.render_str(template, minijinja::Value::from(minijinja::value::Serde(&ctx)))
        .unwrap_or_else(|e| panic!("render {template:?}: {e}"))
}

fn department(short: &Value) -> String {
    s(&campaign()["departments"][s(short).as_str()])
}

fn list(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}

/// The leading group's title, rows (职务, 姓名, 单位及职务) and office paragraph.
fn leading_group() -> (String, Vec<Vec<String>>, String) {
    let g = &campaign()["leading_group"];
    let rows = list(&g["members"])
        .iter()
        .map(|m| {
            let title = m["title"].as_str().unwrap_or_default();
            let post = if m["post"].is_string() {
                render(&s(&m["post"]), &[])
            } else if m["department"].is_string() {
                format!("{}{title}", department(&m["department"]))
            } else {
                format!("{}{title}", s(&m["township"]))
            };
            vec![s(&m["role"]), s(&m["name"]), post]
        })
        .collect();
    (render(&s(&g["title"]), &[]), rows, render(&s(&g["note"]), &[]).trim().to_string())
}

/// The responsibility table's rows: 序号, 测评指标, 牵头部门 (full names).
fn responsibilities() -> Vec<Vec<String>> {
    list(&campaign()["areas"])
        .iter()
        .filter(|a| a["in_survey"].as_bool() != Some(false))
        .enumerate()
        .map(|(i, a)| {
            let leads: Vec<String> = list(&a["leads"]).iter().map(department).collect();
            vec![(i + 1).to_string(), s(&a["indicator"]), leads.join("、")]
        })
        .collect()
}

/// One schedule row as the data gives it.
#[derive(Debug)]
struct Step {
    phase: String,
    task: String,
    /// Texts the 时间 cell must hold; `exact` when the cell must equal the only one.
    when: Vec<String>,
    exact: bool,
    /// Full names of departments (in order, joined with 、) and other units.
    departments: Vec<String>,
    others: Vec<String>,
    etc: bool,
}

fn schedule_steps() -> Vec<Step> {
    let mut out = Vec::new();
    for phase in list(&campaign()["phases"]) {
        let name = s(&phase["name"]);
        let steps = list(&phase["steps"]);
        if steps.is_empty() {
            let end = s(&phase["end"]);
            let ctx = serde_json::json!({ "name": name, "end": end });
            out.push(Step {
                phase: name.clone(),
                task: render(&s(&phase["text"]), &[("phase", ctx)]).trim().to_string(),
                when: vec![format!("{}前", month_day(&end))],
                exact: true,
                departments: Vec::new(),
                others: Vec::new(),
                etc: false,
            });
            continue;
        }
        for step in steps {
            let mut when = Vec::new();
            let mut exact = false;
            if step["due"].is_string() {
                when.push(format!("{}前", month_day(&s(&step["due"]))));
            }
            if step["from"].is_string() {
                let (y, m, d) = iso_date(&s(&step["from"]));
                when.push(format!("{y}年{m}月{d}日"));
            }
            if step["to"].is_string() {
                when.push(month_day(&s(&step["to"])));
            }
            if step["until"].is_string() {
                when.push(s(&step["until"]));
            }
            if step["when"].is_string() {
                when.push(s(&step["when"]));
                exact = true;
            }
            let r = &step["responsible"];
            out.push(Step {
                phase: name.clone(),
                task: render(&s(&step["title"]), &[]),
                when,
                exact,
                departments: list(&r["departments"]).iter().map(department).collect(),
                others: list(&r["others"]).iter().map(s).collect(),
                etc: r["etc"].as_bool() == Some(true),
            });
        }
    }
    out
}

/// The schedule's title: 蚌山区2023年群众满意度调查提升工作进度安排表.
fn schedule_title() -> String {
    format!("{}{}年群众满意度调查提升工作进度安排表", s(&campaign()["district"]), s(&campaign()["year"]))
}

fn responsibilities_title() -> String {
    format!("{}群众满意度测评指标责任分工表", s(&campaign()["district"]))
}

// ---------------------------------------------------------------------------
// The standalone annex, built once.
// ---------------------------------------------------------------------------

/// Every file of `output/annex/`, read into memory, and the PDFs read back.
struct Annex {
    files: BTreeMap<String, Vec<u8>>,
    pdfs: BTreeMap<String, Pdf>,
}

impl Annex {
    fn file(&self, name: &str) -> &[u8] {
        self.files
            .get(name)
            .unwrap_or_else(|| panic!("output/annex/{name} was not written: {:?}", self.files.keys()))
    }
}

/// `pressroom build annex` on the example, into a fresh folder; returns its files.
fn build_annex() -> (TempDir, BTreeMap<String, Vec<u8>>) {
    let built = cli::build(&cli::repo(), &["annex"]);
    built.assert_success();
    let dir = built.file("annex");
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}\n{}", dir.display(), built.describe()))
    {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("a UTF-8 name").to_string();
        files.insert(name, std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display())));
    }
    (built.out, files)
}

fn annex() -> &'static Annex {
    static ANNEX: OnceLock<Annex> = OnceLock::new();
    ANNEX.get_or_init(|| {
        let (dir, files) = build_annex();
        let mut pdfs = BTreeMap::new();
        for name in files.keys().filter(|n| n.ends_with(".pdf")) {
            pdfs.insert(name.clone(), read_pdf(&dir.path().join("annex").join(name)));
        }
        Annex { files, pdfs }
    })
}

/// The workbook's only sheet: its name and every cell as text, row by row.
fn sheet(name: &str) -> (String, Vec<Vec<String>>, calamine::StyleRange) {
    let bytes = annex().file(name).to_vec();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .unwrap_or_else(|e| panic!("calamine cannot open {name}: {e}"));
    let names = book.sheet_names();
    assert_eq!(names.len(), 1, "{name}: one sheet expected, found {names:?}");
    let sheet = names[0].clone();
    let range = book.worksheet_range(&sheet).unwrap_or_else(|e| panic!("{name}: read sheet {sheet:?}: {e}"));
    let styles =
        book.worksheet_style(&sheet).unwrap_or_else(|e| panic!("{name}: read styles of {sheet:?}: {e}"));
    let (rows, cols) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
    let cells = (0..rows)
        .map(|r| {
            (0..cols).map(|c| range.get_value((r, c)).map(ToString::to_string).unwrap_or_default()).collect()
        })
        .collect();
    (sheet, cells, styles)
}

/// The first `n` cells of a row, trailing empty columns ignored.
fn trimmed(row: &[String]) -> Vec<String> {
    let mut row = row.to_vec();
    while row.last().is_some_and(String::is_empty) {
        row.pop();
    }
    row
}

/// Checks the sheet's name, title (A1), header row and style; returns the data rows
/// (from row index 2 to the first empty row) and what follows them.
fn check_sheet(file: &str, id: &str, title: &str) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let (name, cells, styles) = sheet(file);
    let short: String = title.chars().take(31).collect();
    assert_eq!(name, short, "{file}: the sheet is named after the table's title");
    assert!(cells.len() >= 2, "{file}: a title row and a header row at least: {cells:?}");
    assert_eq!(trimmed(&cells[0]), vec![title.to_string()], "{file}: A1 holds the title");
    assert_eq!(trimmed(&cells[1]), headers(id), "{file}: the header row (row index 1)");
    for c in 0..headers(id).len() {
        let style = styles.get((1, c as u32)).cloned().unwrap_or_default();
        assert!(
            style.font.as_ref().is_some_and(calamine::Font::is_bold),
            "{file}: header cell {c} should be bold: {style:?}"
        );
    }
    let end = (2..cells.len()).find(|&r| trimmed(&cells[r]).is_empty()).unwrap_or(cells.len());
    let data: Vec<Vec<String>> = cells[2..end].iter().map(|r| trimmed(r)).collect();
    for (r, row) in data.iter().enumerate() {
        for c in 0..row.len() {
            let style = styles.get((r as u32 + 2, c as u32)).cloned().unwrap_or_default();
            assert!(
                style.alignment.as_ref().is_some_and(|a| a.wrap_text),
                "{file}: data cell ({}, {c}) should wrap its text: {style:?}",
                r + 2
            );
        }
    }
    (data, cells[end..].iter().map(|r| trimmed(r)).collect())
}

#[test]
fn annex_writes_pdf_xlsx_and_csv_for_each_table() {
    let names: Vec<&String> = annex().files.keys().collect();
    let mut expected: Vec<String> =
        TABLES.iter().flat_map(|(id, _)| ["pdf", "xlsx", "csv"].map(|x| format!("{id}.{x}"))).collect();
    expected.sort();
    assert_eq!(names, expected.iter().collect::<Vec<_>>(), "output/annex/ holds these files");
}

#[test]
fn leading_group_xlsx_cells_match_the_campaign() {
    let (title, rows, note) = leading_group();
    let (data, after) = check_sheet("leading-group.xlsx", "leading-group", &title);
    assert_eq!(
        data.first().map(Vec::as_slice),
        Some(&["组长".to_string(), "韩莉".to_string(), "区委常委、区政府常务副区长".to_string()][..]),
        "the first member"
    );
    assert_eq!(data, rows, "leading-group.xlsx: one row per member (职务, 姓名, 单位及职务)");
    let notes: Vec<&Vec<String>> = after.iter().filter(|r| !r.is_empty()).collect();
    assert_eq!(notes, vec![&vec![note.clone()]], "the office paragraph follows the table");
}

#[test]
fn responsibilities_xlsx_cells_match_the_campaign() {
    let rows = responsibilities();
    assert_eq!(rows.len(), 9, "the example surveys 9 areas");
    let (data, after) = check_sheet("responsibilities.xlsx", "responsibilities", &responsibilities_title());
    assert_eq!(data, rows, "responsibilities.xlsx: one row per surveyed area (序号, 测评指标, 牵头部门)");
    assert!(after.iter().all(Vec::is_empty), "nothing after the table: {after:?}");
}

/// Compares schedule rows (from the xlsx or the csv) with the campaign's phases and steps.
fn check_schedule_rows(file: &str, data: &[Vec<String>]) {
    let steps = schedule_steps();
    assert_eq!(
        data.len(),
        steps.len(),
        "{file}: one row per step, plus one for the stepless first phase: {data:#?}"
    );
    for (row, step) in data.iter().zip(&steps) {
        let cell = |i: usize| row.get(i).map_or("", String::as_str);
        assert_eq!(cell(0), step.phase, "{file}: 阶段 of {step:?}");
        assert_eq!(cell(1), step.task, "{file}: 工作内容 of {step:?}");
        let when = cell(2);
        if step.exact {
            assert_eq!(vec![when.to_string()], step.when, "{file}: 时间 of {step:?}");
        }
        for w in &step.when {
            assert!(when.contains(w.as_str()), "{file}: 时间 {when:?} should hold {w:?} ({step:?})");
        }
        let units = cell(3);
        let depts = step.departments.join("、");
        assert!(units.contains(&depts), "{file}: 责任单位 {units:?} should list {depts:?}");
        for o in &step.others {
            assert!(units.contains(o.as_str()), "{file}: 责任单位 {units:?} should list {o:?}");
        }
        assert_eq!(
            units.contains('等'),
            step.etc,
            "{file}: 责任单位 {units:?} says 等 exactly when etc is set"
        );
        if step.departments.is_empty() && step.others.is_empty() {
            assert_eq!(units, "", "{file}: no responsible units for {step:?}");
        }
    }
}

#[test]
fn schedule_xlsx_cells_match_the_campaign() {
    let (data, after) = check_sheet("schedule.xlsx", "schedule", &schedule_title());
    check_schedule_rows("schedule.xlsx", &data);
    assert!(after.iter().all(Vec::is_empty), "nothing after the table: {after:?}");
}

// ---------------------------------------------------------------------------
// CSV.
// ---------------------------------------------------------------------------

/// Parses RFC 4180 CSV, requiring the UTF-8 BOM and CRLF after every record (a line
/// break inside a quoted field is data).
fn parse_csv(name: &str, bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or_else(|| {
        panic!(
            "{name} must start with the UTF-8 byte-order mark EF BB BF: {:02X?}",
            &bytes[..bytes.len().min(3)]
        )
    });
    let text = std::str::from_utf8(body).unwrap_or_else(|e| panic!("{name} is not UTF-8: {e}"));
    assert!(text.ends_with("\r\n"), "{name}: the last record must end with CRLF");
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let (mut quoted, mut was_quoted) = (false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            }
            '"' if field.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            _ if quoted => field.push(c),
            ',' => {
                row.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\r' => {
                assert_eq!(
                    chars.next(),
                    Some('\n'),
                    "{name}: record {} ends with CR without LF",
                    rows.len() + 1
                );
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                was_quoted = false;
            }
            '\n' => panic!("{name}: record {} ends with a bare LF, not CRLF", rows.len() + 1),
            _ => field.push(c),
        }
    }
    assert!(!quoted, "{name}: an unterminated quoted field");
    rows
}

#[test]
fn csv_files_have_a_bom_crlf_and_the_spreadsheets_rows() {
    for (id, _) in TABLES {
        let csv = parse_csv(&format!("{id}.csv"), annex().file(&format!("{id}.csv")));
        let (_, cells, _) = sheet(&format!("{id}.xlsx"));
        let end = (2..cells.len()).find(|&r| trimmed(&cells[r]).is_empty()).unwrap_or(cells.len());
        let width = headers(id).len();
        let mut expected: Vec<Vec<String>> = vec![headers(id)];
        expected.extend(cells[2..end].iter().map(|r| {
            let mut r = r.clone();
            r.resize(width, String::new());
            r
        }));
        assert_eq!(csv, expected, "{id}.csv: the header row and the spreadsheet's data rows");
    }
    let csv = parse_csv("schedule.csv", annex().file("schedule.csv"));
    check_schedule_rows("schedule.csv", &csv[1..]);
    let csv = parse_csv("responsibilities.csv", annex().file("responsibilities.csv"));
    assert_eq!(csv[1..], responsibilities()[..], "responsibilities.csv rows");
}

// ---------------------------------------------------------------------------
// Standalone PDFs.
// ---------------------------------------------------------------------------

/// A PDF's glyph texts in drawing order (good for any rotation), without whitespace.
fn drawn_text(pdf: &Pdf) -> String {
    pdf.pages
        .iter()
        .flat_map(|p| p.glyphs.iter())
        .map(|g| g.text.as_str())
        .filter(|t| !t.trim().is_empty())
        .collect()
}

#[test]
fn annex_pdfs_carry_the_titles() {
    let (group, rows, _) = leading_group();
    for (file, title, sample) in [
        ("leading-group.pdf", group, rows[0][1].clone()),
        ("responsibilities.pdf", responsibilities_title(), responsibilities()[0][1].clone()),
        ("schedule.pdf", schedule_title(), schedule_steps()[1].task.clone()),
    ] {
        let pdf = &annex().pdfs[file];
        let text = drawn_text(pdf);
        assert!(text.contains(&title), "{file} should carry the title {title:?}: {text}");
        assert!(text.contains(&sample), "{file} should carry the cell {sample:?}: {text}");
    }
}

#[test]
fn building_the_annex_twice_gives_the_same_bytes() {
    let (_first_dir, first) = build_annex();
    // Anything taken from the clock would differ a second later.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (_second_dir, second) = build_annex();
    assert_eq!(first.keys().collect::<Vec<_>>(), second.keys().collect::<Vec<_>>(), "the same files");
    for (name, bytes) in &first {
        assert!(second[name] == *bytes, "{name} differs between two builds of the same content");
    }
}

// ---------------------------------------------------------------------------
// The tables as attachments of the notice.
// ---------------------------------------------------------------------------

/// The notice built from a copy of the example with all three tables attached.
fn notice_with_tables() -> &'static Pdf {
    static NOTICE: OnceLock<Pdf> = OnceLock::new();
    NOTICE.get_or_init(|| {
        let project = tempfile::Builder::new().prefix("pressroom-annex-").tempdir().expect("a temp folder");
        let content = cli::repo().join("content");
        example::copy_dir(&content, &project.path().join("content"), &[content.join("photos")]);
        let notice = project.path().join("content/notice.yaml");
        let text = std::fs::read_to_string(&notice).expect("read notice.yaml");
        let line = "  - table: leading_group           # 领导小组名单\n";
        assert_eq!(text.matches(line).count(), 1, "the example's notice.yaml attaches the leading group");
        let text =
            text.replacen(line, &format!("{line}  - table: responsibilities\n  - table: schedule\n"), 1);
        std::fs::write(&notice, text).expect("write notice.yaml");
        let built = cli::build(project.path(), &["notice"]);
        built.assert_success();
        read_pdf(&built.file("notice.pdf"))
    })
}

fn stripped(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn pt(v: f64) -> String {
    format!("{v:.2} pt ({:.2} mm)", v / MM)
}

/// Glyphs of the page number area: under the type area (N2 puts the number 7 mm below).
fn is_page_number_glyph(g: &Glyph) -> bool {
    g.baseline > BOTTOM + 3.0 * MM
}

/// How consecutive glyphs (in drawing order, same size, at most 1.5 em apart) step:
/// along +x on one baseline, or along −y or +y at one x.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Steps {
    right: usize,
    up: usize,
    down: usize,
}

fn steps(glyphs: &[&Glyph]) -> Steps {
    let mut out = Steps::default();
    for pair in glyphs.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if (a.size - b.size).abs() > SIZE_TOL || a.text.trim().is_empty() || b.text.trim().is_empty() {
            continue;
        }
        let (dx, dy) = (b.x - a.x, b.baseline - a.baseline);
        let reach = 1.5 * a.size;
        if dy.abs() < 0.3 && dx > 0.0 && dx <= reach {
            out.right += 1;
        } else if dx.abs() < 0.3 && dy < 0.0 && -dy <= reach {
            out.up += 1;
        } else if dx.abs() < 0.3 && dy > 0.0 && dy <= reach {
            out.down += 1;
        }
    }
    out
}

/// The page's glyphs without the page number.
fn content_glyphs(page: &Page) -> Vec<&Glyph> {
    page.glyphs.iter().filter(|g| !is_page_number_glyph(g)).collect()
}

/// Whether the page's text is turned (runs along y rather than x).
fn is_turned(page: &Page) -> bool {
    let s = steps(&content_glyphs(page));
    s.up + s.down > s.right
}

/// The page's content lines in the frame the text is written in: as printed for
/// upright pages; for a page turned so that text runs up (−y), x' = height − y and the
/// baseline is x; for text running down (+y), x' = y and the baseline is width − x.
fn reading_lines(page: &Page) -> Vec<TextLine> {
    let glyphs = content_glyphs(page);
    let s = steps(&glyphs);
    let turned: Vec<Glyph> = glyphs
        .iter()
        .map(|g| {
            let (x, baseline) = if s.up + s.down <= s.right {
                (g.x, g.baseline)
            } else if s.up >= s.down {
                (page.height - g.baseline, g.x)
            } else {
                (g.baseline, page.width - g.x)
            };
            Glyph { x, baseline, ..(*g).clone() }
        })
        .collect();
    let mut sorted = turned;
    sorted.sort_by(|a, b| a.baseline.total_cmp(&b.baseline));
    let mut lines: Vec<Vec<Glyph>> = Vec::new();
    for g in sorted {
        match lines.last_mut() {
            Some(line) if g.baseline - line[0].baseline <= LINE_TOL => line.push(g),
            _ => lines.push(vec![g]),
        }
    }
    lines
        .into_iter()
        .map(|mut glyphs| {
            glyphs.sort_by(|a, b| a.x.total_cmp(&b.x));
            TextLine {
                text: glyphs.iter().map(|g| g.text.as_str()).collect(),
                baseline: glyphs.iter().map(|g| g.baseline).sum::<f64>() / glyphs.len() as f64,
                x0: glyphs.first().map_or(0.0, |g| g.x),
                x1: glyphs.iter().map(|g| g.x + g.advance).fold(f64::NEG_INFINITY, f64::max),
                glyphs,
            }
        })
        .collect()
}

fn all_in_font(line: &TextLine, family: &str) -> bool {
    line.glyphs.iter().all(|g| g.font.starts_with(family))
}

fn all_of_size(line: &TextLine, size: f64) -> bool {
    line.glyphs.iter().all(|g| (g.size - size).abs() < SIZE_TOL)
}

/// The first page of attachment `n`: its first line is 附件n.
fn attachment_page(pdf: &Pdf, n: usize) -> Option<&Page> {
    pdf.pages
        .iter()
        .find(|p| reading_lines(p).first().is_some_and(|l| stripped(&l.text) == format!("附件{n}")))
}

/// The attachment's title: the 22 pt 小标宋 lines of its first page, joined.
fn attachment_title(page: &Page) -> String {
    reading_lines(page)
        .iter()
        .filter(|l| all_in_font(l, "FandolSong-Bold") && all_of_size(l, TITLE_SIZE))
        .map(|l| stripped(&l.text))
        .collect()
}

/// The 版记 page: the one with the 抄送 line.
fn imprint_page(pdf: &Pdf) -> &Page {
    pdf.pages
        .iter()
        .find(|p| p.lines().iter().any(|l| stripped(&l.text).starts_with("抄送：")))
        .expect("V1: no page has the 抄送 line of the 版记")
}

#[test]
fn the_notice_lists_and_labels_three_attachments() {
    let pdf = notice_with_tables();
    let mut titles = Vec::new();
    let mut last_page = 0;
    for n in 1..=3 {
        let page = attachment_page(pdf, n).unwrap_or_else(|| panic!("A2: no page opens with 附件{n}"));
        assert!(page.number > last_page, "A1: 附件{n} starts on a later page than the one before");
        last_page = page.number;
        let label = reading_lines(page).into_iter().next().expect("the label line");
        assert!(
            all_in_font(&label, "FandolHei") && all_of_size(&label, BODY_SIZE),
            "A2: 附件{n} must be 16 pt 黑体 (FandolHei), is {:.2} pt {:?} on page {}",
            label.size(),
            label.fonts(),
            page.number
        );
        let title = attachment_title(page);
        assert!(!title.is_empty(), "A2: 附件{n} (page {}) has no 22 pt 小标宋 title", page.number);
        titles.push(title);
    }
    assert_eq!(
        titles,
        vec![leading_group().0, responsibilities_title(), schedule_title()],
        "the attachments in the order notice.yaml lists them"
    );

    // B6: 附件：1.name 2.name 3.name in the body, the names as the attachments' titles.
    let body: String = pdf
        .pages
        .iter()
        .filter(|p| !is_turned(p))
        .flat_map(|p| p.lines())
        .filter(|l| !l.glyphs.iter().any(is_page_number_glyph))
        .map(|l| stripped(&l.text))
        .collect();
    let start = body.find("附件：").expect("B6: no 附件说明 (附件：) in the notice");
    let expected: String =
        titles.iter().enumerate().map(|(i, t)| format!("{}.{t}", i + 1)).collect::<Vec<_>>().concat();
    let note = &body[start + "附件：".len()..];
    assert!(
        note.starts_with(&expected),
        "B6: the 附件说明 should read 附件：{expected}, reads 附件：{}",
        note.chars().take(expected.chars().count() + 10).collect::<String>()
    );
}

/// The pages of the schedule: from 附件3's page up to the 版记, those with text.
fn schedule_pages(pdf: &Pdf) -> Vec<&Page> {
    let first = attachment_page(pdf, 3).expect("A2: no page opens with 附件3").number;
    let imprint = imprint_page(pdf).number;
    pdf.pages
        .iter()
        .filter(|p| p.number >= first && p.number < imprint && !content_glyphs(p).is_empty())
        .collect()
}

#[test]
fn a3_the_schedule_is_turned_and_reads_up_the_page() {
    let pdf = notice_with_tables();
    let pages = schedule_pages(pdf);
    assert!(!pages.is_empty(), "the schedule has pages");
    let mut bad = Vec::new();
    for page in &pages {
        let s = steps(&content_glyphs(page));
        if s.right > 0 || s.down > 0 || s.up == 0 {
            bad.push(format!(
                "page {}: {} glyph steps up (−y), {} down (+y), {} to the right (+x)",
                page.number, s.up, s.down, s.right
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "A3: the landscape schedule is turned on portrait pages, every line running up the page \
         (glyph x constant, advancing towards −y; head on the binding side of odd pages and the outer \
         side of even pages, i.e. the same turn on both):\n{}",
        bad.join("\n")
    );
}

#[test]
fn a3_n2_n3_page_numbers_stay_where_portrait_pages_have_them() {
    let pdf = notice_with_tables();
    let turned: Vec<usize> = schedule_pages(pdf).iter().map(|p| p.number).collect();
    let top = BOTTOM + 7.0 * MM;
    let mut bad = Vec::new();
    for page in &pdf.pages {
        let glyphs: Vec<&Glyph> = page.glyphs.iter().filter(|g| is_page_number_glyph(g)).collect();
        if glyphs.is_empty() {
            if turned.contains(&page.number) {
                bad.push(format!("page {} (turned table) has no page number", page.number));
            }
            continue;
        }
        let text: String = glyphs.iter().map(|g| g.text.as_str()).collect::<String>();
        let text = stripped(&text);
        let (lo, hi) = glyphs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), g| (lo.min(g.baseline), hi.max(g.baseline)));
        let x0 = glyphs.iter().map(|g| g.x).fold(f64::INFINITY, f64::min);
        let x1 = glyphs.iter().map(|g| g.x + g.advance).fold(f64::NEG_INFINITY, f64::max);
        let what = format!("page {}: {text:?} at x {}..{}, baseline {}", page.number, pt(x0), pt(x1), pt(lo));
        if text != format!("—{}—", page.number) {
            bad.push(format!("{what}: should read —{}—", page.number));
        }
        if hi - lo > LINE_TOL {
            bad.push(format!("{what}: not on one horizontal line (baselines {}..{})", pt(lo), pt(hi)));
        }
        if !(top..=top + SMALL_SIZE).contains(&lo) {
            bad.push(format!("{what}: N2 wants the baseline within {}..{}", pt(top), pt(top + SMALL_SIZE)));
        }
        if !page.number.is_multiple_of(2) && (x1 - (RIGHT - CHAR)).abs() > 1.5 {
            bad.push(format!(
                "{what}: N3 odd page ends one character in from the right ({})",
                pt(RIGHT - CHAR)
            ));
        }
        if page.number.is_multiple_of(2) && (x0 - (LEFT + CHAR)).abs() > 1.5 {
            bad.push(format!(
                "{what}: N3 even page starts one character in from the left ({})",
                pt(LEFT + CHAR)
            ));
        }
    }
    assert!(bad.is_empty(), "page numbers (turned pages: {turned:?}):\n{}", bad.join("\n"));
}

#[test]
fn v1_the_imprint_is_on_an_even_last_page_without_the_turned_table() {
    let pdf = notice_with_tables();
    let imprint = imprint_page(pdf);
    let last = pdf.pages.last().expect("pages");
    assert_eq!(imprint.number, last.number, "V1: the 版记 is on the last page");
    assert!(last.number.is_multiple_of(2), "V1: the last page ({}) must be even", last.number);
    assert!(
        !is_turned(imprint),
        "V1: the 版记 (page {}) never shares a page with a turned table",
        imprint.number
    );
    let turned: Vec<usize> = pdf.pages.iter().filter(|p| is_turned(p)).map(|p| p.number).collect();
    assert!(
        !turned.is_empty() && !turned.contains(&imprint.number),
        "turned pages {turned:?}, 版记 on {}",
        imprint.number
    );
}
