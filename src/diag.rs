//! Diagnostics: every problem pressroom reports, in Chinese and English, with
//! the place in a user's file it comes from. Rendering happens once, at the edge.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The language user-facing messages are printed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Chinese only.
    Zh,
    /// English only.
    En,
}

static LANG: OnceLock<Lang> = OnceLock::new();

/// Chooses the message language for this process (first call wins).
pub fn set_lang(lang: Lang) {
    let _ = LANG.set(lang);
}

/// The language chosen with [`set_lang`], else the one the locale asks for.
pub fn lang() -> Lang {
    *LANG.get_or_init(lang_from_env)
}

/// Chinese when `LC_ALL`, `LC_MESSAGES` or `LANG` (first one set) starts with `zh`.
pub fn lang_from_env() -> Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|key| std::env::var(key).ok().filter(|v| !v.is_empty()))
        .unwrap_or_default();
    if locale.starts_with("zh") { Lang::Zh } else { Lang::En }
}

/// A message that exists in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    /// Chinese text.
    pub zh: String,
    /// English text.
    pub en: String,
}

impl Msg {
    /// A message from its Chinese and English texts.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { zh: zh.into(), en: en.into() }
    }

    /// The text in the chosen language.
    pub fn text(&self) -> &str {
        match lang() {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

/// Builds a [`Msg`] from two format strings sharing the same arguments.
#[macro_export]
macro_rules! msg {
    ($zh:literal, $en:literal $(, $arg:expr)* $(,)?) => {
        $crate::diag::Msg::new(format!($zh $(, $arg)*), format!($en $(, $arg)*))
    };
}

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The build goes on; the finding is reported.
    Warning,
    /// Nothing is written for the affected output.
    Error,
}

/// A place in a file: 1-based line and column (in characters), plus the byte
/// range when known so a snippet can be underlined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file, relative to the project when it is inside it.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// Byte offset of the start, when known.
    pub offset: Option<usize>,
    /// Length in bytes of the highlighted range.
    pub len: usize,
}

impl Location {
    /// A location from a file and a 1-based line and column.
    pub fn new(file: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        Self { file: file.into(), line, column, offset: None, len: 0 }
    }

    /// A whole-file location (used when no finer position exists).
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Self::new(file, 0, 0)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file.display())
        } else {
            write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }
}

/// One problem found in the project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable identifier, e.g. `content/unknown-department`.
    pub code: &'static str,
    /// What is wrong.
    pub message: Msg,
    /// Where, when known.
    pub location: Option<Location>,
    /// What to do about it.
    pub hint: Option<Msg>,
}

impl Diagnostic {
    /// An error with a code and message.
    pub fn error(code: &'static str, message: Msg) -> Self {
        Self { severity: Severity::Error, code, message, location: None, hint: None }
    }

    /// A warning with a code and message.
    pub fn warning(code: &'static str, message: Msg) -> Self {
        Self { severity: Severity::Warning, code, message, location: None, hint: None }
    }

    /// Attaches the place the problem is at.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Attaches a hint.
    pub fn hint(mut self, hint: Msg) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl Diagnostic {
    /// The diagnostic as JSON, for `--json` output and scripts.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "severity": match self.severity { Severity::Error => "error", Severity::Warning => "warning" },
            "code": self.code,
            "message": { "zh": self.message.zh, "en": self.message.en },
            "hint": self.hint.as_ref().map(|h| serde_json::json!({ "zh": h.zh, "en": h.en })),
            "file": self.location.as_ref().map(|l| l.file.display().to_string()),
            "line": self.location.as_ref().map(|l| l.line).filter(|l| *l > 0),
            "column": self.location.as_ref().map(|l| l.column).filter(|c| *c > 0),
        })
    }
}

/// A list of findings from one stage.
pub type Diagnostics = Vec<Diagnostic>;

/// Renders diagnostics with source snippets, reading each file once from `root`.
pub fn render(diags: &[Diagnostic], root: &Path, sources: &dyn SourceLookup) -> String {
    use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false)
        .without_primary_span_start();
    let mut out = String::new();
    for d in diags {
        let severity = match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        };
        let title = match &d.location {
            Some(loc) => format!("{loc}: {}", d.message),
            None => d.message.to_string(),
        };
        let mut report = MietteDiagnostic::new(title).with_code(d.code).with_severity(severity);
        if let Some(h) = &d.hint {
            report = report.with_help(h.to_string());
        }
        let mut text = String::new();
        let rendered = match d.location.as_ref().and_then(|loc| {
            let src = sources.text(&loc.file, root)?;
            let offset = loc.offset.or_else(|| offset_of(&src, loc.line, loc.column))?;
            Some((loc, src, offset))
        }) {
            Some((loc, src, offset)) => {
                let len = loc.len.min(src.len().saturating_sub(offset));
                let label = msg!("在这里", "here").to_string();
                let report = report.with_label(LabeledSpan::at(offset..offset + len, label));
                let report = miette::Report::new(report)
                    .with_source_code(NamedSource::new(loc.file.display().to_string(), src));
                handler.render_report(&mut text, report.as_ref())
            }
            None => handler.render_report(&mut text, &report),
        };
        if rendered.is_err() {
            text = format!("{}: {}\n", d.code, d.message);
        }
        out.push_str(&text);
    }
    out
}

/// Where the renderer gets the text of files that diagnostics point into.
pub trait SourceLookup {
    /// The text of `file` (relative to `root` or absolute), if it can be read.
    fn text(&self, file: &Path, root: &Path) -> Option<String>;
}

/// Reads sources from disk.
pub struct DiskSources;

impl SourceLookup for DiskSources {
    fn text(&self, file: &Path, root: &Path) -> Option<String> {
        std::fs::read_to_string(root.join(file)).ok()
    }
}

/// Byte offset of a 1-based line and character column.
pub fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let line_text = &text[start..];
    let col = line_text.char_indices().nth(column.saturating_sub(1)).map_or(line_text.len(), |(i, _)| i);
    Some(start + col)
}

/// 1-based line and character column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The candidate closest to `word` by edit distance, if it is close enough to
/// be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance counting a swap of two neighbours as one edit (optimal
/// string alignment), since swapped letters are the commonest typo.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_trip_on_cjk_text() {
        let text = "年度: 2023\n部门: 区教育体育局\n";
        let off = offset_of(text, 2, 5).expect("offset");
        assert_eq!(&text[off..off + 3], "区");
        assert_eq!(line_col(text, off), (2, 5));
    }

    #[test]
    fn suggests_close_department_names() {
        let names = ["区人力资源社会保障局", "区教育体育局"];
        assert_eq!(did_you_mean("区人力资源社保局", names), Some("区人力资源社会保障局"));
        assert_eq!(did_you_mean("区财政局", names), None);
        assert_eq!(did_you_mean("yaer", ["year", "city"]), Some("year"));
    }
}
