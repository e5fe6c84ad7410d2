//! Property tests (issue 5, "no panics on any input"): random and mutated input
//! through loading, rich-text parsing and typesetting.
//!
//! * **Rich text.** Random strings from every Unicode plane, weighted towards C0/C1
//!   controls, bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069), zero-width
//!   characters (U+200B–U+200D, U+FEFF), line separators and the parser's own marks
//!   (`**`, `\*`, `- `, `· `, 一、 （一） 1. （1）), go through
//!   `pressroom::render::richtext::parse`. It must not panic, and no text may be lost or
//!   invented: the blocks' plain text is, line by line, the trimmed input line with a
//!   list mark removed, `**` removed and `\*` turned into `*` (a reference model written
//!   here). A line without marks is one paragraph holding exactly the trimmed line.
//! * **YAML.** The fixture `tests/fixtures/minimal` and the example project's content
//!   files are mutated as text (lines deleted, duplicated, swapped, re-indented; random
//!   bytes, YAML tokens and scalars inserted; truncation) and as trees (a node replaced
//!   by a random value, deleted, a key added; written back as JSON, which is YAML), or
//!   replaced by random text, then loaded with `pressroom::content::load` in a temporary
//!   project. Loading must not panic; a failure must carry at least one error, every
//!   location must point into its file (line, column, byte offset on a character
//!   boundary), and rendering the report (`pressroom::diag::render`) must not panic.
//!   Content that loads goes on through the notice's data, the annex tables and the
//!   lint, which must not panic either.
//! * **Typesetting.** Random printable text (GB 2312 hanzi and punctuation, which the
//!   Fandol fonts cover, ASCII, and typst's special characters
//!   `# $ * _ ` [ ] \ < > @ = - + / { } "`) is put into the notice body of the minimal
//!   fixture and built with the real binary (`pressroom build notice`, Fandol fonts
//!   only). The build either succeeds, and then the PDF's text (`mutool trace`, spaces
//!   and line breaks removed) holds each paragraph's plain text (from
//!   `richtext::parse`) in order, or fails with exit 1 or 2 and a message: never a
//!   panic (exit 101), a signal or a hang. A second property does the same with
//!   arbitrary strings from all planes; there only the visible characters are compared.
//!
//! Case counts are bounded for CI: `PROPTEST_CASES` (default 64) for the in-process
//! properties, a quarter of it (default 24) for the typesetting ones, which print
//! how many builds succeeded and the codes of the refusals (`PROPERTIES_VERBOSE=1`
//! prints each refused body with its messages). Failures are
//! not persisted to files; proptest prints the minimal failing input. Known bugs
//! found this way are pinned by the regular tests at the end, with their minimal
//! input.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use pressroom::render::richtext::{self, Block};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use serde_json::Value;
use support::pdf::read_pdf;
use support::{cli, example};
use tempfile::TempDir;

// ---------------------------------------------------------------------------
// Configuration.
// ---------------------------------------------------------------------------

/// `PROPTEST_CASES`, if set to a number.
fn env_cases() -> Option<u32> {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.trim().parse().ok())
}

/// Config for the in-process properties.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: env_cases().unwrap_or(64),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Config for the properties that run the binary (~0.1–0.3 s a case).
fn build_config() -> ProptestConfig {
    ProptestConfig {
        cases: env_cases().map_or(24, |n| (n / 4).max(1)),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// Strategies.
// ---------------------------------------------------------------------------

/// Bidi embeddings, overrides and isolates, zero-width characters, line separators.
const INVISIBLES: &[char] = &[
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{FEFF}', '\u{200E}', '\u{200F}', '\u{2028}',
    '\u{2029}', '\u{85}', '\u{AD}', '\u{34F}', '\u{FE0F}', '\r', '\n', '\t', '\u{B}', '\u{C}',
];

/// The rich-text parser's marks and typst's and minijinja's special characters.
const MARKUP: &[char] = &[
    '*', '*', '\\', '-', '·', ' ', ' ', '、', '（', '）', '.', '．', '。', '一', '二', '十', '百', '1', '9',
    '0', '#', '$', '_', '`', '[', ']', '<', '>', '@', '=', '+', '/', '{', '}', '"', '%', '\'', '~', '|',
];

/// Any character, weighted towards the troublesome ones.
fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        2 => prop::char::range('\0', '\u{9F}'),
        2 => prop::sample::select(INVISIBLES),
        3 => prop::sample::select(MARKUP),
        2 => prop::char::range('\u{4E00}', '\u{9FA5}'),
        1 => prop::char::range('\u{10000}', '\u{10FFFF}'),
    ]
}

/// Up to `max` characters of [`any_char`].
fn any_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any_char(), 0..max).prop_map(String::from_iter)
}

/// A GB 2312 character: `lead` row (0xB0–0xD7: level-1 hanzi; 0xA1: punctuation;
/// 0xA3: full-width ASCII), decoded from GBK.
fn gb2312_char(lead: std::ops::RangeInclusive<u8>) -> impl Strategy<Value = char> {
    (lead, 0xA1u8..=0xFE).prop_filter_map("unassigned GB 2312 code", |(hi, lo)| {
        let code = [hi, lo];
        let (text, _, bad) = encoding_rs::GBK.decode(&code);
        let mut chars = text.chars();
        match (bad, chars.next(), chars.next()) {
            // GBK maps a few unassigned GB 2312 codes to private-use characters.
            (false, Some(c), None)
                if c != '\u{FFFD}' && !c.is_whitespace() && !('\u{E000}'..='\u{F8FF}').contains(&c) =>
            {
                Some(c)
            }
            _ => None,
        }
    })
}

/// Printable text the Fandol fonts can set: GB 2312 hanzi and punctuation,
/// ASCII, typst's special characters, spaces and a few line breaks.
fn printable_text() -> impl Strategy<Value = String> {
    /// Line starts the rich-text parser reads: list items, the four numbering
    /// levels, emphasis.
    const STARTS: &[&str] = &["", "", "", "- ", "· ", "一、", "（二）", "3.", "（4）", "**", "\\*"];
    let line = (prop::sample::select(STARTS), prop::collection::vec(printable_char(), 0..30))
        .prop_map(|(start, chars)| format!("{start}{}", String::from_iter(chars)));
    prop::collection::vec(line, 1..4)
        .prop_map(|lines| lines.join("\n"))
        // `{{`, `{%` and `{#` start template expressions: rendered, not printed.
        .prop_filter("template syntax", |s| !(s.contains("{{") || s.contains("{%") || s.contains("{#")))
        .prop_filter("some text", |s| !s.trim().is_empty())
}

/// One character of [`printable_text`].
fn printable_char() -> impl Strategy<Value = char> {
    prop_oneof![
        5 => gb2312_char(0xB0..=0xD7),
        1 => gb2312_char(0xA1..=0xA1),
        1 => gb2312_char(0xA3..=0xA3),
        2 => prop::char::range('a', 'z'),
        1 => prop::char::range('0', '9'),
        3 => prop::sample::select(&['#', '$', '*', '_', '`', '[', ']', '\\', '<', '>', '@', '=', '-', '+', '/', '{', '}', '"', '\'', '(', ')', ':', ';', ',', '.', '!', '?', '&', '%', '~', '^', '|'][..]),
        1 => Just(' '),
        1 => Just('\n'),
    ]
}

// ---------------------------------------------------------------------------
// Rich text.
// ---------------------------------------------------------------------------

/// Removes the inline marks the way the documentation describes them: `**`
/// toggles emphasis (and prints nothing), `\*` is a literal star.
fn unmark(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some('*')) => {
                out.push('*');
                chars.next();
            }
            ('*', Some('*')) => {
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// The plain text rich text must keep: one entry per non-blank line.
fn expected_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.strip_prefix("- ").or_else(|| line.strip_prefix("· ")) {
            Some(item) => unmark(item.trim()),
            None => unmark(line),
        })
        .collect()
}

/// The plain text of each block's lines (a list gives one line per item).
fn block_lines(blocks: &[Block]) -> Vec<String> {
    blocks
        .iter()
        .flat_map(|b| match b {
            Block::Par { inlines } => vec![richtext::plain(inlines)],
            Block::Heading { number, head, body, .. } => {
                vec![format!("{number}{}{}", richtext::plain(head), richtext::plain(body))]
            }
            Block::List { items } => items.iter().map(|i| richtext::plain(i)).collect(),
        })
        .collect()
}

fn check_richtext(text: &str) -> Result<(), TestCaseError> {
    let blocks = richtext::parse(text);
    prop_assert_eq!(block_lines(&blocks), expected_lines(text), "plain text of {:?}", text);
    prop_assert_eq!(richtext::plain_blocks(&blocks), expected_lines(text).join("\n"));
    for b in &blocks {
        let runs: Vec<&richtext::Inline> = match b {
            Block::Par { inlines } => inlines.iter().collect(),
            Block::Heading { head, body, .. } => head.iter().chain(body).collect(),
            Block::List { items } => items.iter().flatten().collect(),
        };
        for run in runs {
            prop_assert!(!run.text.is_empty(), "an empty run in {:?}: {:?}", text, blocks);
            prop_assert!(!run.text.contains('\n'), "a line break inside a run of {:?}", text);
        }
    }
    // A line without marks is one paragraph holding exactly the trimmed line.
    let line = text.trim();
    if !text.contains(['*', '\\', '\n'])
        && !line.is_empty()
        && !line.starts_with("- ")
        && !line.starts_with("· ")
        && richtext::numbering(line).is_none()
    {
        prop_assert_eq!(
            blocks,
            vec![Block::Par { inlines: vec![richtext::Inline { text: line.to_owned(), strong: false }] }]
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn richtext_keeps_every_character(text in any_text(64)) {
        check_richtext(&text)?;
    }

    #[test]
    fn richtext_of_unmarked_lines_is_the_line(text in any_text(48).prop_map(|s| s.replace(['*', '\\', '\n'], ""))) {
        check_richtext(&text)?;
    }
}

// ---------------------------------------------------------------------------
// YAML.
// ---------------------------------------------------------------------------

/// A temporary folder under Cargo's test temp folder.
fn temp_dir(prefix: &str) -> TempDir {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&base).unwrap_or_else(|e| panic!("create {}: {e}", base.display()));
    tempfile::Builder::new().prefix(prefix).tempdir_in(&base).expect("create a temporary folder")
}

/// The YAML files of a content folder, relative to the project, sorted.
fn yaml_files(project: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![project.join("content")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("list {}: {e}", dir.display())) {
            let path = entry.expect("read a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                let rel = path.strip_prefix(project).expect("inside").to_string_lossy().replace('\\', "/");
                files.push(rel);
            }
        }
    }
    files.sort();
    files
}

/// A project to load: the minimal fixture or the example's content.
struct Project {
    _dir: TempDir,
    root: PathBuf,
    /// Each YAML file and its original bytes.
    files: Vec<(String, Vec<u8>)>,
}

impl Project {
    fn new(example: bool) -> Self {
        let dir = temp_dir("pressroom-prop-");
        let root = dir.path().join("project");
        if example {
            example::copy_tree(&cli::repo().join("content"), &root.join("content"));
        } else {
            example::copy_tree(&cli::repo().join("tests/fixtures/minimal"), &root);
        }
        let files = yaml_files(&root)
            .into_iter()
            .map(|rel| {
                let bytes = std::fs::read(root.join(&rel)).expect("read a content file");
                (rel, bytes)
            })
            .collect();
        Project { _dir: dir, root, files }
    }

    /// Writes `bytes` as file number `which`, loads, checks, restores the file
    /// (also when the check panics, so the next case starts from the original).
    fn check_with(&self, which: Index, bytes: &[u8]) -> Result<(), TestCaseError> {
        self.check_file(which.index(self.files.len()), bytes)
    }

    /// [`Project::check_with`] for file number `i`.
    fn check_file(&self, i: usize, bytes: &[u8]) -> Result<(), TestCaseError> {
        let (rel, original) = &self.files[i];
        let path = self.root.join(rel);
        std::fs::write(&path, bytes).expect("write a mutated file");
        let _restore = Restore { path: &path, bytes: original };
        check_load(&self.root).map_err(|e| {
            TestCaseError::fail(format!("{rel}: {e}\n--- the file ---\n{}", String::from_utf8_lossy(bytes)))
        })
    }
}

/// Writes a file's original bytes back when dropped.
struct Restore<'a> {
    path: &'a Path,
    bytes: &'a [u8],
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        std::fs::write(self.path, self.bytes).expect("restore the file");
    }
}

/// Loads the project; failures must be well-formed. Content that loads goes on
/// through the notice's data, the annex tables and the lint.
fn check_load(root: &Path) -> Result<(), String> {
    match pressroom::content::load(root) {
        Ok(content) => {
            let mut r = pressroom::render::Renderer::new(&content.campaign, &content.sources);
            let notice = pressroom::targets::notice::data(&content, &mut r);
            let _ = pressroom::targets::notice::font_needs(&notice);
            let _ = pressroom::targets::annex::all(&content, &mut r);
            if let Ok(config) = pressroom::lint::load_config(root) {
                let _ = pressroom::lint::lint(&content, &config);
            }
            check_diags(&r.diags, root, &content.sources, false)
        }
        Err((diags, sources)) => check_diags(&diags, root, &sources, true),
    }
}

fn check_diags(
    diags: &[pressroom::diag::Diagnostic],
    root: &Path,
    sources: &pressroom::content::Sources,
    failed: bool,
) -> Result<(), String> {
    if failed && !diags.iter().any(pressroom::diag::Diagnostic::is_error) {
        return Err(format!("loading failed without an error: {diags:?}"));
    }
    for d in diags {
        if d.code.is_empty() {
            return Err(format!("a diagnostic without a code: {d:?}"));
        }
        let Some(loc) = &d.location else { continue };
        let text = sources
            .get(&loc.file)
            .map(str::to_owned)
            .or_else(|| std::fs::read_to_string(root.join(&loc.file)).ok());
        let Some(text) = text else { continue };
        // YAML counts a lone CR (old Mac line ends) as a line break too.
        let lines = text.replace("\r\n", "\n").split(['\n', '\r']).count();
        if loc.line > lines + 1 {
            return Err(format!("line {} is past the end ({lines} lines): {d:?}", loc.line));
        }
        if let Some(offset) = loc.offset {
            if offset > text.len() || !text.is_char_boundary(offset) {
                return Err(format!("offset {offset} is not a character boundary of the file: {d:?}"));
            }
            if !text.is_char_boundary((offset + loc.len).min(text.len())) {
                return Err(format!("the range {offset}+{} ends inside a character: {d:?}", loc.len));
            }
        }
    }
    let report = pressroom::diag::render(diags, root, sources);
    for d in diags {
        if !report.contains(d.code) {
            return Err(format!("the report lacks {}:\n{report}", d.code));
        }
    }
    Ok(())
}

/// Short strings YAML and the content model treat specially.
const TOKENS: &[&str] = &[
    ": ",
    "- ",
    "? ",
    "&a ",
    "*a",
    "<<: *a",
    "!!binary ",
    "!!str ",
    "!custom ",
    "|",
    ">",
    "|-",
    "'",
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    "#",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "\t",
    "\r\n",
    "\u{FEFF}",
    "~",
    "null",
    "true",
    "1e999",
    "-0",
    "0x7FFFFFFF",
    "99999999999999999999",
    "2023-02-30",
    "2023-13-01",
    "0000-01-01",
    "9999-12-31",
    "-2023-01-01",
    "{{ year }}",
    "{{ year + }}",
    "{% for i in range(1000000) %}x{% endfor %}",
    "{{ departments.政府办 }}",
    "{#",
    "一、",
    "（一）",
    "**",
    "\\*",
    "\u{202E}",
    "\u{200B}",
    "蚌山区",
    "\u{0}",
    "\u{7}",
];

/// Text-level mutations.
#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    Indent(Index, i8),
    InsertBytes(Index, Vec<u8>),
    InsertToken(Index, &'static str),
    InsertText(Index, String),
    Truncate(Index),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<Index>().prop_map(Edit::DeleteLine),
        any::<Index>().prop_map(Edit::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (any::<Index>(), -4i8..=4).prop_map(|(a, d)| Edit::Indent(a, d)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..6)).prop_map(|(a, b)| Edit::InsertBytes(a, b)),
        (any::<Index>(), prop::sample::select(TOKENS)).prop_map(|(a, t)| Edit::InsertToken(a, t)),
        (any::<Index>(), any_text(12)).prop_map(|(a, t)| Edit::InsertText(a, t)),
        any::<Index>().prop_map(Edit::Truncate),
    ]
}

/// Applies text-level edits to a file's bytes.
fn apply_edits(original: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for e in edits {
        let mut lines: Vec<Vec<u8>> = bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
        match e {
            Edit::DeleteLine(i) => {
                lines.remove(i.index(lines.len()));
            }
            Edit::DuplicateLine(i) => {
                let i = i.index(lines.len());
                lines.insert(i, lines[i].clone());
            }
            Edit::SwapLines(a, b) => {
                let (a, b) = (a.index(lines.len()), b.index(lines.len()));
                lines.swap(a, b);
            }
            Edit::Indent(i, d) => {
                let n = lines.len();
                let line = &mut lines[i.index(n)];
                if *d > 0 {
                    line.splice(0..0, std::iter::repeat_n(b' ', *d as usize));
                } else {
                    let n = line.iter().take((-*d) as usize).take_while(|b| **b == b' ').count();
                    line.drain(..n);
                }
            }
            Edit::InsertBytes(..) | Edit::InsertToken(..) | Edit::InsertText(..) | Edit::Truncate(..) => {}
        }
        bytes = lines.join(&b'\n');
        match e {
            Edit::InsertBytes(i, b) => {
                let at = i.index(bytes.len() + 1);
                bytes.splice(at..at, b.iter().copied());
            }
            Edit::InsertToken(i, t) => insert_at_char(&mut bytes, *i, t),
            Edit::InsertText(i, t) => insert_at_char(&mut bytes, *i, t),
            Edit::Truncate(i) => bytes.truncate(i.index(bytes.len() + 1)),
            _ => {}
        }
    }
    bytes
}

/// Inserts `text` at a character boundary (any byte position if not UTF-8).
fn insert_at_char(bytes: &mut Vec<u8>, i: Index, text: &str) {
    let mut at = i.index(bytes.len() + 1);
    if let Ok(s) = std::str::from_utf8(bytes) {
        while !s.is_char_boundary(at) {
            at -= 1;
        }
    }
    bytes.splice(at..at, text.bytes());
}

/// A random YAML value for tree mutations.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-3000i64..3000).prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(TOKENS).prop_map(|t| Value::from(t.to_owned())),
        any_text(16).prop_map(Value::from),
        (0i32..10000, 0u8..14, 0u8..33).prop_map(|(y, m, d)| Value::from(format!("{y:04}-{m:02}-{d:02}"))),
        Just(Value::Array(Vec::new())),
        Just(Value::Object(serde_json::Map::new())),
        prop::collection::vec(any_text(6).prop_map(Value::from), 0..4).prop_map(Value::Array),
    ]
}

/// Tree-level mutations.
#[derive(Debug, Clone)]
enum TreeEdit {
    Replace(Index, Value),
    Delete(Index),
    AddKey(Index, String, Value),
    Duplicate(Index),
}

fn tree_edit_strategy() -> impl Strategy<Value = TreeEdit> {
    let key = prop_oneof![
        3 => prop::sample::select(&[
            "year", "city", "district", "office", "departments", "townships", "areas", "phases", "leading_group",
            "issuers", "number", "title", "recipients", "body", "signature", "imprint", "seal", "date", "sequence",
            "agency", "photos", "file", "layout", "township", "features", "grid_workers", "end", "text", "enclosure",
            "attachments", "note", "signers", "copy_number", "urgency", "secrecy", "members", "facts", "hotline",
        ][..]).prop_map(str::to_owned),
        1 => any_text(6),
    ];
    prop_oneof![
        (any::<Index>(), leaf()).prop_map(|(i, v)| TreeEdit::Replace(i, v)),
        any::<Index>().prop_map(TreeEdit::Delete),
        (any::<Index>(), key, leaf()).prop_map(|(i, k, v)| TreeEdit::AddKey(i, k, v)),
        any::<Index>().prop_map(TreeEdit::Duplicate),
    ]
}

/// JSON-pointer-like paths of every node but the root.
fn node_paths(v: &Value, here: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                here.push(PathStep::Key(k.clone()));
                out.push(here.clone());
                node_paths(child, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                here.push(PathStep::Item(i));
                out.push(here.clone());
                node_paths(child, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum PathStep {
    Key(String),
    Item(usize),
}

fn node_mut<'v>(mut v: &'v mut Value, path: &[PathStep]) -> Option<&'v mut Value> {
    for step in path {
        v = match (step, v) {
            (PathStep::Key(k), Value::Object(m)) => m.get_mut(k)?,
            (PathStep::Item(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

fn apply_tree_edits(tree: &mut Value, edits: &[TreeEdit]) {
    for e in edits {
        let mut paths = Vec::new();
        node_paths(tree, &mut Vec::new(), &mut paths);
        if paths.is_empty() {
            continue;
        }
        let pick = |i: &Index| paths[i.index(paths.len())].clone();
        match e {
            TreeEdit::Replace(i, v) => {
                if let Some(n) = node_mut(tree, &pick(i)) {
                    *n = v.clone();
                }
            }
            TreeEdit::Delete(i) => {
                let path = pick(i);
                let (last, parent) = path.split_last().expect("not the root");
                match (node_mut(tree, parent), last) {
                    (Some(Value::Object(m)), PathStep::Key(k)) => {
                        m.remove(k);
                    }
                    (Some(Value::Array(a)), PathStep::Item(i)) => {
                        a.remove(*i);
                    }
                    _ => {}
                }
            }
            TreeEdit::AddKey(i, key, v) => {
                let path = pick(i);
                let parent = &path[..path.len() - 1];
                match node_mut(tree, parent) {
                    Some(Value::Object(m)) => {
                        m.insert(key.clone(), v.clone());
                    }
                    Some(Value::Array(a)) => a.push(v.clone()),
                    _ => {}
                }
            }
            TreeEdit::Duplicate(i) => {
                let path = pick(i);
                let (last, parent) = path.split_last().expect("not the root");
                if let (Some(Value::Array(a)), PathStep::Item(i)) = (node_mut(tree, parent), last) {
                    let item = a[*i].clone();
                    a.insert(*i, item);
                }
            }
        }
    }
}

fn minimal_project() -> &'static std::sync::Mutex<Project> {
    static P: OnceLock<std::sync::Mutex<Project>> = OnceLock::new();
    P.get_or_init(|| std::sync::Mutex::new(Project::new(false)))
}

fn example_project() -> &'static std::sync::Mutex<Project> {
    static P: OnceLock<std::sync::Mutex<Project>> = OnceLock::new();
    P.get_or_init(|| std::sync::Mutex::new(Project::new(true)))
}

fn lock(p: &'static std::sync::Mutex<Project>) -> std::sync::MutexGuard<'static, Project> {
    // A failed case poisons the lock; the project is restored after each case.
    p.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_yaml_never_panics(
        example in any::<bool>(),
        which in any::<Index>(),
        edits in prop::collection::vec(edit_strategy(), 1..6),
    ) {
        let project = lock(if example { example_project() } else { minimal_project() });
        let original = &project.files[which.index(project.files.len())].1;
        let bytes = apply_edits(original, &edits);
        project.check_with(which, &bytes)?;
    }

    #[test]
    fn mutated_yaml_trees_never_panic(
        example in any::<bool>(),
        which in any::<Index>(),
        edits in prop::collection::vec(tree_edit_strategy(), 1..5),
    ) {
        let project = lock(if example { example_project() } else { minimal_project() });
        let original = &project.files[which.index(project.files.len())].1;
        let mut tree: Value = serde_saphyr::from_str(&String::from_utf8_lossy(original))
            .map_err(|e| TestCaseError::fail(format!("the original does not parse: {e}")))?;
        apply_tree_edits(&mut tree, &edits);
        let text = serde_json::to_string_pretty(&tree).expect("serialize JSON");
        project.check_with(which, text.as_bytes())?;
    }

    #[test]
    fn random_yaml_text_never_panics(which in any::<Index>(), text in any_text(200)) {
        let project = lock(minimal_project());
        project.check_with(which, text.as_bytes())?;
    }

    #[test]
    fn random_bytes_never_panic(which in any::<Index>(), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let project = lock(minimal_project());
        project.check_with(which, &bytes)?;
    }
}

// ---------------------------------------------------------------------------
// Typesetting.
// ---------------------------------------------------------------------------

/// How long one build may take before it counts as a hang.
const BUILD_LIMIT: Duration = Duration::from_secs(60);

/// The body line of the minimal fixture's notice.
const BODY: &str = "body: |\n  现将有关事项通知如下，请认真贯彻落实。\n";

/// `text` as a YAML double-quoted scalar; everything YAML does not allow raw (or
/// would fold) is escaped.
fn yaml_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        let code = c as u32;
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            _ if matches!(code, 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
                && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}') =>
            {
                out.push(c)
            }
            _ if code <= 0xFFFF => out.push_str(&format!("\\u{code:04X}")),
            _ => out.push_str(&format!("\\U{code:08X}")),
        }
    }
    out.push('"');
    out
}

/// One finished build.
struct Outcome {
    code: i32,
    /// Standard error: the diagnostics of a failed build.
    stderr: String,
    /// The notice's text with all whitespace removed, if it was written.
    text: Option<String>,
}

/// A minimal fixture whose notice body is rewritten for each case.
struct Typesetter {
    dir: TempDir,
    project: PathBuf,
    notice: String,
}

impl Typesetter {
    fn new() -> Self {
        let dir = temp_dir("pressroom-prop-build-");
        let project = dir.path().join("project");
        example::copy_tree(&cli::repo().join("tests/fixtures/minimal"), &project);
        let notice = std::fs::read_to_string(project.join("content/notice.yaml")).expect("read notice.yaml");
        assert!(notice.contains(BODY), "the fixture's body changed: {notice}");
        Typesetter { dir, project, notice }
    }

    /// Builds the notice with `body` as its body text.
    fn build(&self, body: &str) -> Result<Outcome, TestCaseError> {
        let notice = self.notice.replace(BODY, &format!("body: {}\n", yaml_quoted(body)));
        std::fs::write(self.project.join("content/notice.yaml"), notice).expect("write notice.yaml");
        let out = self.dir.path().join("out");
        let _ = std::fs::remove_dir_all(&out);
        let stderr_path = self.dir.path().join("stderr.txt");
        let mut child = Command::new(env!("CARGO_BIN_EXE_pressroom"))
            .args(["build", "notice", "--project"])
            .arg(&self.project)
            .arg("--out")
            .arg(&out)
            .arg("--font-path")
            .arg(cli::font_dir())
            .arg("--no-system-fonts")
            .env("LANG", "C")
            .env_remove("PRESSROOM_FONT_PATH")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr_path).expect("create stderr.txt"))
            .spawn()
            .expect("start pressroom");
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("poll pressroom") {
                break status;
            }
            if started.elapsed() > BUILD_LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                return Err(TestCaseError::fail(format!("the build hangs (over {BUILD_LIMIT:?})")));
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        let Some(code) = status.code() else {
            return Err(TestCaseError::fail(format!("pressroom crashed ({status}):\n{stderr}")));
        };
        prop_assert!(!stderr.contains("panicked"), "pressroom panicked (exit {}):\n{}", code, stderr);
        prop_assert!(matches!(code, 0..=2), "exit {} (a crash):\n{}", code, stderr);
        if code != 0 {
            prop_assert!(stderr.trim().len() > 10, "exit {} without a message: {:?}", code, stderr);
            if stderr.contains("fonts/missing-char") {
                prop_assert!(stderr.contains("U+"), "a missing character without its codepoint:\n{}", stderr);
            }
        }
        let pdf = out.join("notice.pdf");
        let text = (code == 0).then(|| read_pdf(&pdf).text().split_whitespace().collect::<String>());
        Ok(Outcome { code, stderr, text })
    }
}

/// The plain text of each block's lines, whitespace removed: what the PDF must show.
fn expected_pieces(body: &str, keep: impl Fn(char) -> bool) -> Vec<String> {
    block_lines(&richtext::parse(body))
        .into_iter()
        .map(|l| l.chars().filter(|c| !c.is_whitespace() && keep(*c)).collect::<String>())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Checks that the pieces appear in order in the notice text, after the recipients.
fn check_text(body: &str, text: &str, pieces: &[String]) -> Result<(), TestCaseError> {
    let start = text.find("各有关单位：").map_or(0, |i| i + "各有关单位：".len());
    let mut at = start;
    for piece in pieces {
        match text[at..].find(piece.as_str()) {
            Some(i) => at += i + piece.len(),
            None => {
                return Err(TestCaseError::fail(format!(
                    "the body {body:?} was accepted, but the PDF lacks {piece:?}; its text after the recipients:\n{}",
                    &text[start..]
                )));
            }
        }
    }
    Ok(())
}

/// Whether a character prints as a glyph (not a space, control or format
/// character such as a bidi mark or a zero-width joiner).
fn visible(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || matches!(c as u32,
            0xAD | 0x34F | 0x61C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F | 0x200B..=0x200F
            | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF))
}

/// The diagnostic codes in a build's messages (the lines like `fonts/missing-char`).
fn codes(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .map(str::trim)
        .filter(|l| {
            l.split_once('/').is_some_and(|(a, b)| {
                !a.is_empty()
                    && !b.is_empty()
                    && l.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/')
            })
        })
        .map(str::to_owned)
        .collect()
}

/// Runs a typesetting property and reports how many builds succeeded and why
/// the others failed; at least `min_ok` of them must succeed, so the property is
/// not vacuous.
fn run_typesetting(strategy: impl Strategy<Value = String>, keep: fn(char) -> bool, min_ok: f64) {
    let typesetter = Typesetter::new();
    let counts = std::cell::RefCell::new([0usize; 3]);
    let reasons = std::cell::RefCell::new(std::collections::BTreeMap::<String, usize>::new());
    let mut runner = TestRunner::new(build_config());
    let result = runner.run(&strategy, |body| {
        let outcome = typesetter.build(&body)?;
        counts.borrow_mut()[outcome.code as usize] += 1;
        match outcome.text {
            Some(text) => check_text(&body, &text, &expected_pieces(&body, keep))?,
            None => {
                if std::env::var_os("PROPERTIES_VERBOSE").is_some() {
                    eprintln!("refused {body:?}:\n{}", outcome.stderr);
                }
                for code in codes(&outcome.stderr) {
                    *reasons.borrow_mut().entry(code).or_default() += 1;
                }
            }
        }
        Ok(())
    });
    let [ok, content, env] = *counts.borrow();
    eprintln!(
        "builds: {ok} succeeded, {content} failed with exit 1, {env} with exit 2; messages: {:?}",
        reasons.borrow()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    let total = (ok + content + env).max(1);
    assert!(
        ok as f64 / total as f64 >= min_ok,
        "only {ok} of {total} builds succeeded: the property checks too little text"
    );
}

#[test]
fn printable_text_is_typeset_as_written() {
    run_typesetting(printable_text(), |_| true, 0.5);
}

/// Printable text with odd characters mixed in: any character from any plane,
/// C0/C1 controls, bidi marks, zero-width characters, line separators.
fn odd_text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        40 => printable_char(),
        1 => prop::sample::select(INVISIBLES),
        1 => prop::char::range('\0', '\u{9F}'),
        2 => any::<char>(),
    ];
    prop::collection::vec(c, 1..40)
        .prop_map(String::from_iter)
        .prop_filter("template syntax", |s| !(s.contains("{{") || s.contains("{%") || s.contains("{#")))
}

#[test]
fn any_text_is_typeset_as_written_or_refused() {
    run_typesetting(odd_text(), visible, 0.0);
}

// ---------------------------------------------------------------------------
// Bugs found, with their minimal input.
// ---------------------------------------------------------------------------

/// The official-style lint located findings at `char_indices().last() + 1`, inside a
/// multi-byte last character, and `diag::line_col` sliced there: loading
/// `recipients: 各有关单位` (no colon, so the lint reports its end) panicked with
/// "byte index … is not a char boundary" (found by `mutated_yaml_never_panics` as a
/// ZERO WIDTH SPACE after the recipients' colon).
#[test]
fn lint_locations_after_a_multibyte_last_character() {
    let project = lock(minimal_project());
    let notice = project.files.iter().position(|(rel, _)| rel.ends_with("notice.yaml")).expect("notice.yaml");
    let original = String::from_utf8(project.files[notice].1.clone()).expect("UTF-8");
    for recipients in ["各有关单位", "各有关单位：\u{200B}", "各有关单位\u{200B}"] {
        let text = original.replace("recipients: 各有关单位：", &format!("recipients: {recipients}"));
        assert_ne!(text, original, "the fixture's recipients changed");
        project.check_file(notice, text.as_bytes()).unwrap_or_else(|e| panic!("{recipients:?}: {e}"));
    }
}

/// Control characters written as YAML escapes (`body: "a\u0007b\u001Bc"`) were
/// accepted (exit 0) and printed as blank gaps of 1/3 em (FandolFang's glyph 20),
/// the PDF's text mapping that glyph to U+0007 for both: not the text written
/// (found by `any_text_is_typeset_as_written_or_refused`). Characters no font has
/// are refused with their codepoint (bidi marks, zero-width spaces); a control
/// character must be refused the same way.
#[test]
fn control_characters_are_refused_not_dropped() {
    let typesetter = Typesetter::new();
    for (body, codepoint) in [("a\u{7}b", "U+0007"), ("a\u{1B}b", "U+001B")] {
        let outcome = typesetter.build(body).unwrap_or_else(|e| panic!("{body:?}: {e}"));
        assert!(
            outcome.code != 0 && outcome.stderr.contains(codepoint),
            "the body {body:?} was accepted (exit {}) and prints as {:?}; expected a refusal naming {codepoint}\n{}",
            outcome.code,
            outcome.text.as_deref().map(|t| t
                .split("各有关单位：")
                .nth(1)
                .unwrap_or(t)
                .chars()
                .take(8)
                .collect::<String>()),
            outcome.stderr
        );
    }
}
