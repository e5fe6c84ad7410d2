//! `pressroom new-year`: next year's campaign from the example's, and the notice built
//! from it.
//!
//! Each test copies the example's `content/` (without `content/photos`, which only the
//! booklet and flyers need) into a temporary project and runs the real binary
//! (`support::cli::run`, Fandol fonts only): `pressroom new-year 2024 --to NEW`. Then:
//!
//! * the new `campaign.yaml` and `notice.yaml`, parsed, equal the old ones with the year
//!   set to 2024, every date one year on and `number.sequence` emptied, and nothing else
//!   changed; every comment line survives;
//! * the review list (`NEW/new-year-review.md`, also printed) names every literal year in
//!   text by `file:line:column` (the seed's two 2022s and the two 2023s of the
//!   `facts.市方案` reference) and lists the leading group;
//! * a plain `pressroom build` on the new project builds all but what waits for its number;
//! * `pressroom build notice` on the new project refuses to print without a sequence
//!   number, and `--draft` prints a notice that says 2024 wherever 2023 was data: every
//!   2023 left in its text lies inside the quoted 市方案 reference;
//! * new-year into a folder that is not empty fails without `--force`.

mod support;

use std::path::Path;

use serde_json::Value;
use support::cli::{self, Run};
use support::example;
use support::pdf::read_pdf;
use tempfile::TempDir;

const OLD_YEAR: i64 = 2023;
const NEW_YEAR: i64 = 2024;
const CAMPAIGN: &str = "content/campaign.yaml";
const NOTICE: &str = "content/notice.yaml";
const REVIEW: &str = "new-year-review.md";

// ---------------------------------------------------------------------------
// Projects and runs.
// ---------------------------------------------------------------------------

fn temp_dir(prefix: &str) -> TempDir {
    tempfile::Builder::new().prefix(prefix).tempdir().expect("create a temporary folder")
}

/// The example's content (photos left out) in a temporary project.
fn example_copy() -> TempDir {
    let dir = temp_dir("pressroom-newyear-src-");
    let content = cli::repo().join("content");
    example::copy_dir(&content, &dir.path().join("content"), &[content.join("photos")]);
    dir
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// `pressroom new-year YEAR --to TO --project FROM [EXTRA…]`.
fn new_year(from: &Path, to: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["new-year", "2024", "--to", path_str(to), "--project", path_str(from)];
    args.extend_from_slice(extra);
    let out = cli::run(&args, &[]);
    Run::from_output(&out, &format!("pressroom {args:?}"))
}

/// The example copied, and next year's project written from it (the run must succeed).
struct NextYear {
    old: TempDir,
    new: TempDir,
    run: Run,
}

impl NextYear {
    fn old_file(&self, file: &str) -> String {
        read(&self.old.path().join(file))
    }

    fn new_file(&self, file: &str) -> String {
        read(&self.new.path().join(file))
    }
}

fn next_year() -> NextYear {
    let old = example_copy();
    let new = temp_dir("pressroom-newyear-dst-");
    let run = new_year(old.path(), new.path(), &[]);
    assert_eq!(run.code, 0, "pressroom new-year 2024 failed:\n{}", run.describe());
    NextYear { old, new, run }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn parse(text: &str, what: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("parse {what}: {e}"))
}

// ---------------------------------------------------------------------------
// Small text helpers.
// ---------------------------------------------------------------------------

/// `YYYY-MM-DD` split into numbers.
fn iso_date(s: &str) -> Option<(i64, u32, u32)> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    Some((s[..4].parse().ok()?, s[5..7].parse().ok()?, s[8..].parse().ok()?))
}

/// The old tree as next year's should be: every date a year on, `year` set, and
/// `number.sequence` emptied (on the notice).
fn advanced(v: &Value) -> Value {
    match v {
        Value::String(s) => match iso_date(s) {
            Some((y, m, d)) => Value::String(format!("{:04}-{m:02}-{d:02}", y + 1)),
            None => v.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(advanced).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, x)| (k.clone(), advanced(x))).collect()),
        _ => v.clone(),
    }
}

/// Every date string in a tree, with its path.
fn dates(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) if iso_date(s).is_some() => out.push((path.to_string(), s.clone())),
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                dates(x, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, x) in map {
                dates(x, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// The comment of a YAML line: a whole-line comment, or what follows ` #`.
fn comment(line: &str) -> Option<&str> {
    if line.trim_start().starts_with('#') {
        return Some(line.trim_start());
    }
    line.find(" #").map(|i| line[i + 1..].trim_end())
}

/// A line without its comment.
fn without_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    line.find(" #").map_or(line, |i| &line[..i])
}

/// `file:line:column` (1-based, column in characters) of byte `offset` of `text`.
fn location(file: &str, text: &str, offset: usize) -> String {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    format!("{file}:{line}:{}", before[line_start..].chars().count() + 1)
}

/// Every literal year written in the text of a content file: four digits from 1900 to
/// 2099 standing alone (not part of a longer number, not a `YYYY-MM-DD` date), outside
/// comments and outside the fields that hold a year as data (the campaign's `year:`,
/// an area's or township's `updated_for:`). Returns (location, year).
fn literal_years(file: &str, text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code = without_comment(line);
        if !code.starts_with("year:") && !code.starts_with("updated_for:") {
            let b = code.as_bytes();
            for i in 0..b.len().saturating_sub(3) {
                let four = &b[i..i + 4];
                let is_year = four.iter().all(u8::is_ascii_digit)
                    && (four.starts_with(b"19") || four.starts_with(b"20"));
                let alone = (i == 0 || !b[i - 1].is_ascii_digit())
                    && b.get(i + 4).is_none_or(|c| !c.is_ascii_digit() && *c != b'-');
                if is_year && alone {
                    out.push((location(file, text, offset + i), code[i..i + 4].to_string()));
                }
            }
        }
        offset += line.len();
    }
    out
}

/// Every YAML file under `dir`, as paths relative to `root`, sorted.
fn yaml_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let path = entry.expect("read a directory entry").path();
        if path.is_dir() {
            yaml_files(root, &path, out);
        } else if path.extension().is_some_and(|x| x == "yaml") {
            let rel = path.strip_prefix(root).expect("under the root");
            out.push(rel.to_str().expect("UTF-8 path").replace('\\', "/"));
        }
    }
    out.sort();
}

// ---------------------------------------------------------------------------
// The new project's files.
// ---------------------------------------------------------------------------

#[test]
fn the_year_advances_and_every_date_moves_one_year_on() {
    let ny = next_year();
    let old = parse(&ny.old_file(CAMPAIGN), "the old campaign.yaml");
    let new = parse(&ny.new_file(CAMPAIGN), "the new campaign.yaml");
    assert_eq!(new["year"].as_i64(), Some(NEW_YEAR), "campaign.yaml year: {:?}", new["year"]);
    assert_eq!(old["year"].as_i64(), Some(OLD_YEAR), "the example's year");

    for (file, old, new) in [
        (CAMPAIGN, old, new),
        (
            NOTICE,
            parse(&ny.old_file(NOTICE), "the old notice"),
            parse(&ny.new_file(NOTICE), "the new notice"),
        ),
    ] {
        let (mut before, mut after) = (Vec::new(), Vec::new());
        dates(&old, "", &mut before);
        dates(&new, "", &mut after);
        assert!(!before.is_empty(), "{file} has dates");
        let paths = |v: &[(String, String)]| v.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&after), paths(&before), "{file}: the same fields hold dates");
        for ((path, was), (_, now)) in before.iter().zip(&after) {
            let (y, m, d) = iso_date(was).expect("a date");
            assert_eq!(
                iso_date(now),
                Some((y + 1, m, d)),
                "{file}{path}: {was} should have moved one year on, is {now}"
            );
        }
        // Nothing else changed (apart from the year and the sequence, checked elsewhere).
        let mut expected = advanced(&old);
        if file == CAMPAIGN {
            expected["year"] = Value::from(NEW_YEAR);
        } else {
            expected["number"]["sequence"] = Value::Null;
        }
        assert_eq!(new, expected, "{file}: only the year, the dates and the sequence may change");
    }
}

#[test]
fn the_sequence_number_is_emptied() {
    let ny = next_year();
    let old = parse(&ny.old_file(NOTICE), "the old notice");
    let new = parse(&ny.new_file(NOTICE), "the new notice");
    assert!(old["number"]["sequence"].is_number(), "the example has a sequence: {:?}", old["number"]);
    assert!(new["number"]["sequence"].is_null(), "number.sequence must be null: {:?}", new["number"]);
}

#[test]
fn comments_and_layout_survive() {
    let ny = next_year();
    for file in [CAMPAIGN, NOTICE] {
        let (old, new) = (ny.old_file(file), ny.new_file(file));
        let (old_lines, new_lines): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
        assert_eq!(new_lines.len(), old_lines.len(), "{file}: the same number of lines");
        for (i, (a, b)) in old_lines.iter().zip(&new_lines).enumerate() {
            assert_eq!(comment(b), comment(a), "{file}:{}: the comment must stay as written", i + 1);
        }
    }
    let campaign = ny.new_file(CAMPAIGN);
    for line in [
        "# 群众满意度调查活动的基础数据。",
        "# 部门名录：简称: 全称。部门改名只改这里，所有输出随之改变。",
        "year: 2024                     # 活动年度",
        "      - title: 安排部署2022年群众满意度调查工作     # 原文如此",
    ] {
        assert!(campaign.lines().any(|l| l == line), "the new campaign.yaml should hold the line {line:?}");
    }
    let notice = ny.new_file(NOTICE);
    assert!(
        notice
            .lines()
            .any(|l| l.starts_with("  sequence:") && l.ends_with("# 序号（新年度时清空，填写后才能印制）")),
        "the emptied sequence keeps its comment:\n{notice}"
    );
    assert!(
        notice.lines().any(|l| l.trim() == "date: 2024-11-25                 # 成文日期"),
        "the signature date keeps its comment:\n{notice}"
    );
    // Documents: their dates moved on and sequence emptied, nothing else.
    let request = ny.new_file("content/documents/city-request.yaml");
    // Emptied as a clerk reads it: no `~`, a note of what to write there.
    assert!(
        request.lines().any(|l| l.starts_with("  sequence:    # 待填：发文序号") && l.contains("去年为 41")),
        "the document's sequence is emptied, with a note of what to fill in:\n{request}"
    );
    assert!(
        !request.contains('~') && !ny.new_file(NOTICE).contains('~'),
        "no `~` for the clerk to puzzle over"
    );
    assert!(request.lines().any(|l| l == "  date: 2024-12-18"), "the document's dates move on:\n{request}");
    let old_request = ny.old_file("content/documents/city-request.yaml");
    let unchanged = |l: &&str| !l.starts_with("  sequence:") && !l.starts_with("  date:");
    assert_eq!(
        request.lines().filter(unchanged).collect::<Vec<_>>(),
        old_request.lines().filter(unchanged).collect::<Vec<_>>(),
        "the rest of a document stays as written"
    );
    // The other content files are copied as they are.
    let mut files = Vec::new();
    yaml_files(ny.old.path(), &ny.old.path().join("content"), &mut files);
    for file in
        files.iter().filter(|f| *f != CAMPAIGN && *f != NOTICE && !f.starts_with("content/documents/"))
    {
        assert_eq!(ny.new_file(file), ny.old_file(file), "{file} should be copied unchanged");
    }
}

// ---------------------------------------------------------------------------
// The review list.
// ---------------------------------------------------------------------------

/// The `file:line:column` entries the review lists, in the order written.
fn listed_places(review: &str) -> Vec<String> {
    review
        .lines()
        .filter_map(|l| {
            let start = l.find("content/")?;
            let rest = &l[start..];
            let end = rest.find(|c: char| c == '`' || c.is_whitespace()).unwrap_or(rest.len());
            let place = &rest[..end];
            (place.matches(':').count() == 2).then(|| place.to_string())
        })
        .collect()
}

#[test]
fn the_review_names_every_literal_year_in_text() {
    let ny = next_year();
    let review = ny.new_file(REVIEW);
    let mut files = Vec::new();
    yaml_files(ny.new.path(), &ny.new.path().join("content"), &mut files);
    let mut literal = Vec::new();
    for file in &files {
        literal.extend(literal_years(file, &ny.new_file(file)));
    }
    // The example's literal years: the two 2022s of 二（二）2 and the two 2023s of the
    // 市方案 reference in `facts`.
    let count = |y: &str| literal.iter().filter(|(_, year)| year == y).count();
    assert_eq!((count("2022"), count("2023"), literal.len()), (2, 2, 4), "literal years found: {literal:?}");
    let facts_line = ny
        .new_file(CAMPAIGN)
        .lines()
        .position(|l| l.trim_start().starts_with("市方案:"))
        .expect("facts.市方案");
    for (place, year) in literal.iter().filter(|(_, y)| y == "2023") {
        assert!(
            place.starts_with(&format!("{CAMPAIGN}:{}:", facts_line + 1)),
            "the literal 2023s are in facts.市方案 (line {}), found one at {place}",
            facts_line + 1
        );
        assert_eq!(year, "2023");
    }

    let listed = listed_places(&review);
    for (place, year) in &literal {
        assert!(listed.contains(place), "the review should name the literal {year} at {place}:\n{review}");
        let line =
            review.lines().find(|l| l.contains(&format!("{place}`")) || l.contains(&format!("{place} ")));
        assert!(
            line.is_some_and(|l| l.contains(year.as_str())),
            "the review's entry for {place} should quote {year}:\n{review}"
        );
        assert!(ny.run.stdout.contains(place.as_str()), "stdout should name {place}:\n{}", ny.run.describe());
    }
    // The sample documents name days of last year's campaign (12月8日前 …):
    // each is a literal date to review, and listed as one.
    let (in_documents, listed): (Vec<&String>, Vec<&String>) =
        listed.iter().partition(|p| p.starts_with("content/documents/"));
    for doc in ["liaison-minutes.yaml", "inspection-bulletin.yaml"] {
        assert!(
            in_documents.iter().any(|p| p.starts_with(&format!("content/documents/{doc}:"))),
            "the review names the literal dates of {doc}:\n{review}"
        );
    }
    let mut expected: Vec<&String> = literal.iter().map(|(p, _)| p).collect();
    let mut found: Vec<&String> = listed;
    expected.sort();
    found.sort();
    assert_eq!(
        found, expected,
        "the review lists these places and no others (outside the documents, the example has no literal dates):\n{review}"
    );
    assert!(
        ny.run.stdout.contains(review.trim_end()),
        "stdout should print the review list as written to {REVIEW}:\n--- review ---\n{review}\n{}",
        ny.run.describe()
    );
}

#[test]
fn the_review_lists_the_leading_group() {
    let ny = next_year();
    let review = ny.new_file(REVIEW);
    let campaign = parse(&ny.new_file(CAMPAIGN), "the new campaign.yaml");
    let members = campaign["leading_group"]["members"].as_array().expect("leading_group.members is a list");
    assert!(!members.is_empty(), "the example has a leading group");
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    for m in members {
        let (role, name, title) = (s(&m["role"]), s(&m["name"]), s(&m["title"]));
        let post = if m["post"].is_string() {
            s(&m["post"])
        } else if m["department"].is_string() {
            format!("{}{title}", s(&campaign["departments"][s(&m["department"]).as_str()]))
        } else {
            format!("{}{title}", s(&m["township"]))
        };
        for text in [&review, &ny.run.stdout] {
            let line = text.lines().find(|l| l.contains(name.as_str()));
            assert!(
                line.is_some_and(|l| l.contains(role.as_str()) && l.contains(post.as_str())),
                "the review should list {role} {name} ({post}) on one line, found {line:?}:\n{text}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Building next year's notice.
// ---------------------------------------------------------------------------

#[test]
fn the_new_notice_is_refused_until_the_sequence_is_filled() {
    let ny = next_year();
    let built = cli::build(ny.new.path(), &["notice"]);
    let what = built.describe();
    assert_eq!(built.code(), 1, "building without a sequence number must fail with exit 1:\n{what}");
    assert!(
        built.stderr.contains("content/no-sequence") && built.stderr.contains("number.sequence"),
        "the failure should name content/no-sequence and number.sequence:\n{what}"
    );
    assert!(!built.file("notice.pdf").exists(), "no notice.pdf may be written:\n{what}");
}

#[test]
fn a_plain_build_of_the_new_year_builds_the_rest_and_says_what_waits() {
    let ny = next_year();
    example::ensure_photos();
    let photos = cli::repo().join("content/photos");
    example::copy_dir(&photos, &ny.new.path().join("content/photos"), &[]);
    let built = cli::build(ny.new.path(), &[]);
    let what = built.describe();
    assert_eq!(built.code(), 0, "the rest is built:\n{what}");
    assert!(!built.file("notice.pdf").exists(), "the notice waits for its number:\n{what}");
    for out in ["booklet.pdf", "annex/leading-group.pdf", "flyers/湖滨社区中心.pdf"] {
        assert!(built.file(out).is_file(), "{out} is built:\n{what}");
    }
    assert!(
        built.stderr.contains("build/skipped-no-number") && built.stderr.contains("notice.pdf not built"),
        "the summary says what was left out and why:\n{what}"
    );
    assert!(!built.stderr.contains("content/no-sequence"), "once, not twice:\n{what}");
}

/// Plain text without whitespace.
fn stripped(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn the_draft_notice_says_2024_wherever_2023_was_data() {
    let ny = next_year();
    let built = cli::build(ny.new.path(), &["notice", "--draft"]);
    let what = built.describe();
    assert_eq!(built.code(), 0, "a draft build must succeed:\n{what}");
    let pdf = read_pdf(&built.file("notice.pdf"));
    let text = stripped(&pdf.text());

    let campaign = parse(&ny.new_file(CAMPAIGN), "the new campaign.yaml");
    let notice = parse(&ny.new_file(NOTICE), "the new notice.yaml");
    let district = campaign["district"].as_str().expect("district");
    let signed = notice["signature"]["date"].as_str().expect("signature.date");
    let (y, m, d) = iso_date(signed).expect("an ISO date");
    let signed = format!("{y}年{m}月{d}日");
    assert_eq!(signed, "2024年11月25日", "the new signature date");
    let title = notice["title"][1].as_str().expect("title line 2").replace("{{ district }}", district);
    let title = title.replace("{{ year }}", "2024");
    let agency = notice["number"]["agency"].as_str().expect("number.agency");

    let page1 = stripped(&pdf.page(1).text());
    assert!(
        page1.contains(&format!("{agency}〔2024〕")),
        "page 1 should carry the number {agency}〔2024〕…: {page1}"
    );
    assert!(page1.contains(&title), "page 1 should carry the title line {title:?}: {page1}");
    assert!(text.contains(&signed), "the notice should be signed {signed}: {text}");
    assert!(text.contains("2024年11月25日印发"), "the imprint date should be 2024年11月25日: {text}");

    // Every 2023 left must lie inside the quoted 市方案 reference (a literal in `facts`).
    let fact = stripped(campaign["facts"]["市方案"].as_str().expect("facts.市方案"));
    let inside: Vec<(usize, usize)> = text.match_indices(&fact).map(|(i, f)| (i, i + f.len())).collect();
    assert!(!inside.is_empty(), "the plan quotes the 市方案 reference {fact:?}: {text}");
    let stray: Vec<String> = text
        .match_indices("2023")
        .filter(|(i, _)| !inside.iter().any(|(a, b)| a <= i && i + 4 <= *b))
        .map(|(i, _)| {
            let from = text[..i].char_indices().rev().nth(15).map_or(0, |(j, _)| j);
            let to = text[i..].char_indices().nth(16).map_or(text.len(), |(j, _)| i + j);
            text[from..to].to_string()
        })
        .collect();
    assert!(stray.is_empty(), "2023 left in the 2024 notice outside the 市方案 reference: {stray:?}");
    assert_eq!(text.matches("2023").count(), 2 * inside.len(), "two 2023s per quoted 市方案 reference");
}

// ---------------------------------------------------------------------------
// The target folder.
// ---------------------------------------------------------------------------

#[test]
fn new_year_into_a_non_empty_folder_needs_force() {
    let old = example_copy();
    let to = temp_dir("pressroom-newyear-dst-");
    let keep = to.path().join("notes.txt");
    std::fs::write(&keep, "keep me").expect("write a file into the target");
    let run = new_year(old.path(), to.path(), &[]);
    assert_eq!(
        run.code,
        2,
        "new-year into a non-empty folder without --force must exit 2:\n{}",
        run.describe()
    );
    assert_eq!(read(&keep), "keep me", "the folder's file is untouched");
    assert!(!to.path().join("content").exists(), "nothing may be written:\n{}", run.describe());

    let run = new_year(old.path(), to.path(), &["--force"]);
    assert_eq!(run.code, 0, "with --force it writes the project:\n{}", run.describe());
    let campaign = parse(&read(&to.path().join(CAMPAIGN)), "the forced campaign.yaml");
    assert_eq!(campaign["year"].as_i64(), Some(NEW_YEAR));
}

// ---------------------------------------------------------------------------
// Year-bound facts: drafts until their owners confirm them.
// ---------------------------------------------------------------------------

/// The area and township files of a project, project-relative.
fn year_bound_files(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for dir in ["content/areas", "content/townships"] {
        yaml_files(root, &root.join(dir), &mut files);
    }
    files.sort();
    files
}

/// Sets a file's `updated_for:` to `year`, keeping the rest of its line.
fn confirm(root: &Path, file: &str, year: i64) {
    let path = root.join(file);
    let text = read(&path);
    let mut found = false;
    let lines: Vec<String> = text
        .lines()
        .map(|l| match l.strip_prefix("updated_for: ") {
            Some(rest) => {
                found = true;
                let comment = rest.find('#').map_or("", |i| &rest[i..]);
                format!("updated_for: {year}    {comment}")
            }
            None => l.to_owned(),
        })
        .collect();
    assert!(found, "{file} has an updated_for line:\n{text}");
    std::fs::write(&path, lines.join("\n") + "\n").expect("write the confirmed file");
}

/// How many pages of a PDF carry the draft mark (a large, turned 草稿: its two
/// glyphs sit on different baselines), and how many pages it has.
fn drafts(path: &Path) -> (usize, usize) {
    let pdf = read_pdf(path);
    let large = |p: &support::pdf::Page, c: &str| p.glyphs.iter().any(|g| g.text == c && g.size > 40.0);
    let marked = pdf.pages.iter().filter(|p| large(p, "草") && large(p, "稿")).count();
    (marked, pdf.pages.len())
}

#[test]
fn carried_over_facts_print_only_as_drafts_until_their_owners_confirm_them() {
    let ny = next_year();
    example::ensure_photos();
    let photos = cli::repo().join("content/photos");
    example::copy_dir(&photos, &ny.new.path().join("content/photos"), &[]);
    let files = year_bound_files(ny.new.path());
    assert_eq!(files.len(), 20, "ten areas and ten townships: {files:?}");

    // The review list names every such file and who confirms it.
    let review = ny.new_file(REVIEW);
    for file in &files {
        assert!(
            review.lines().any(|l| l.contains(&format!("`{file}`"))),
            "the review names {file}:\n{review}"
        );
    }
    assert!(review.contains("`content/areas/education.yaml`（区教育体育局）"), "with its owner:\n{review}");
    assert!(review.contains("`content/townships/huaihe.yaml`（淮河社区中心）"), "with its owner:\n{review}");

    // A plain build prints every output that uses them as a draft, and says why.
    let built = cli::build(ny.new.path(), &["booklet", "flyers"]);
    let what = built.describe();
    assert_eq!(built.code(), 0, "drafts are built:\n{what}");
    // One finding for all twenty (not twenty), counting them and naming the
    // first twelve; the review list names them all.
    let unwrapped = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace() && *c != '│').collect() };
    let said = unwrapped(&built.stderr);
    assert_eq!(built.stderr.matches("content/not-updated").count(), 1, "one finding:\n{what}");
    assert!(said.contains(&unwrapped("20 files still hold an earlier year's")), "counted:\n{what}");
    for file in files.iter().take(12) {
        assert!(said.contains(&unwrapped(file)), "the build names {file} as not yet updated:\n{what}");
    }
    let (marked, pages) = drafts(&built.file("booklet.pdf"));
    assert_eq!(marked, pages, "every booklet page is marked 草稿:\n{what}");
    let flyers: Vec<_> = std::fs::read_dir(built.file("flyers"))
        .expect("the flyers folder")
        .map(|e| e.expect("a flyer").path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    assert_eq!(flyers.len(), 10, "ten flyers:\n{what}");
    for flyer in &flyers {
        let (marked, pages) = drafts(flyer);
        assert_eq!(marked, pages, "every page of {} is marked 草稿", flyer.display());
    }

    // A final build refuses them, naming each file.
    let final_build = cli::build(ny.new.path(), &["booklet", "flyers", "--final"]);
    let what = final_build.describe();
    assert_eq!(final_build.code(), 1, "a final build refuses last year's facts:\n{what}");
    // (miette wraps long messages: compare without the wrapping.) Three with
    // their lines, the other seventeen in one error.
    let said = unwrapped(&final_build.stderr);
    for file in files.iter().take(3) {
        assert!(
            said.contains(&unwrapped(&format!("{file}:")))
                && said.contains(&unwrapped("not final: not yet updated for 2024")),
            "the final build names {file}:\n{what}"
        );
    }
    assert!(said.contains(&unwrapped("17 more files are not yet updated for 2024")), "{what}");
    for file in &files {
        assert!(said.contains(&unwrapped(file)), "the final build names {file}:\n{what}");
    }
    assert!(!final_build.file("booklet.pdf").exists(), "nothing is written:\n{what}");

    // Confirmed but one township: the booklet and the other flyers are final.
    let (last, rest) = files.split_last().expect("files");
    for file in rest {
        confirm(ny.new.path(), file, NEW_YEAR);
    }
    let built = cli::build(ny.new.path(), &["booklet", "flyers"]);
    let what = built.describe();
    assert_eq!(built.code(), 0, "{what}");
    assert_eq!(drafts(&built.file("booklet.pdf")).0, 0, "the confirmed booklet is no draft:\n{what}");
    let township = read(&ny.new.path().join(last));
    let name = township
        .lines()
        .find_map(|l| l.strip_prefix("township: "))
        .and_then(|r| r.split_whitespace().next())
        .expect("the township's name");
    for flyer in std::fs::read_dir(built.file("flyers")).expect("flyers").map(|e| e.expect("a flyer").path())
    {
        if flyer.extension().is_none_or(|x| x != "pdf") {
            continue;
        }
        let (marked, pages) = drafts(&flyer);
        if flyer.file_stem().is_some_and(|s| s == name) {
            assert_eq!(marked, pages, "{name}'s flyer is still a draft");
        } else {
            assert_eq!(marked, 0, "{} is confirmed, no draft", flyer.display());
        }
    }
    let refused = cli::build(ny.new.path(), &["booklet", "flyers", "--final"]);
    assert_eq!(refused.code(), 1, "{}", refused.describe());
    assert!(refused.stderr.contains(last.as_str()), "{}", refused.describe());
    confirm(ny.new.path(), last, NEW_YEAR);
    let done = cli::build(ny.new.path(), &["booklet", "flyers", "--final"]);
    assert_eq!(done.code(), 0, "all confirmed, the final build goes through:\n{}", done.describe());
}

#[test]
fn new_year_marks_files_that_do_not_yet_say_their_year() {
    let old = example_copy();
    // A township file written before `updated_for` existed.
    let file = old.path().join("content/townships/huaihe.yaml");
    let old_text = read(&file);
    let cut = old_text.find("\n\n# 内容年度").expect("the example ends with its updated_for");
    let text = old_text[..cut + 1].to_owned();
    assert!(!text.contains("updated_for"), "{text}");
    std::fs::write(&file, &text).expect("write");
    let new = temp_dir("pressroom-newyear-dst-");
    new_year(old.path(), new.path(), &[]).assert_success("new-year");
    let after = read(&new.path().join("content/townships/huaihe.yaml"));
    let lines: Vec<&str> = after.lines().collect();
    let n = lines.len();
    assert!(
        lines[n - 1] == "updated_for: 2023"
            && lines[n - 2].starts_with("# ")
            && lines[n - 2].contains("改为 2024"),
        "the old year is written at the end, with what to do:\n{after}"
    );
    assert_eq!(&lines[..n - 3], &text.lines().collect::<Vec<_>>()[..], "the rest stays as written:\n{after}");
}
