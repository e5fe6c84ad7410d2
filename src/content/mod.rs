//! Stage 1, content: reads the project's YAML files into typed values and
//! validates them, reporting every problem with its file, line and column.

pub mod assets;
pub mod clerk;
pub mod date;
pub mod model;
pub mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::diag::{Diagnostic, Diagnostics, Location, SourceLookup, line_col};
use crate::msg;
pub use model::{
    AreaFile, BookletFile, CampaignFile, DocumentFile, FlyerFile, NoticeFile, Text, TownshipFile,
};

/// Where the campaign facts live, relative to the project.
pub const CAMPAIGN_FILE: &str = "content/campaign.yaml";
/// Where the notice lives, relative to the project.
pub const NOTICE_FILE: &str = "content/notice.yaml";
/// The booklet's own pages.
pub const BOOKLET_FILE: &str = "content/booklet.yaml";
/// The district letter on every flyer.
pub const FLYER_FILE: &str = "content/flyer.yaml";
/// One file per indicator area.
pub const AREAS_DIR: &str = "content/areas";
/// One file per township.
pub const TOWNSHIPS_DIR: &str = "content/townships";
/// The file stems of the project's documents (`content/documents/*.yaml`),
/// sorted; empty when there are none.
pub fn document_stems(root: &Path) -> Vec<String> {
    let mut stems: Vec<String> = std::fs::read_dir(root.join(DOCUMENTS_DIR))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    stems.sort();
    stems
}

/// One file per official document besides the notice.
pub const DOCUMENTS_DIR: &str = "content/documents";

/// The text of every content file read, by project-relative path, so that
/// diagnostics can quote them.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: BTreeMap<PathBuf, String>,
}

impl Sources {
    /// The text of a file read earlier.
    pub fn get(&self, file: &Path) -> Option<&str> {
        self.files.get(file).map(String::as_str)
    }

    /// Every file read, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&Path, &str)> {
        self.files.iter().map(|(p, t)| (p.as_path(), t.as_str()))
    }

    /// Remembers a file's text.
    pub fn insert(&mut self, file: PathBuf, text: String) {
        self.files.insert(file, text);
    }

    /// A location for a spanned value from `file`, with a byte range for
    /// underlining when the value came from a string source.
    pub fn locate(&self, file: &Path, loc: &serde_saphyr::Location) -> Location {
        let mut out = Location::new(file, loc.line() as usize, loc.column() as usize);
        let span = loc.span();
        if let (Some(off), Some(len)) = (span.byte_offset(), span.byte_len()) {
            out.offset = Some(off as usize);
            out.len = len as usize;
        }
        out
    }
}

impl SourceLookup for Sources {
    fn text(&self, file: &Path, root: &Path) -> Option<String> {
        self.get(file).map(str::to_owned).or_else(|| std::fs::read_to_string(root.join(file)).ok())
    }
}

/// A loaded, validated project: the campaign facts and the notice.
#[derive(Debug)]
pub struct Content {
    /// The project folder.
    pub root: PathBuf,
    /// `content/campaign.yaml` (all empty when the project has none).
    pub campaign: CampaignFile,
    /// `content/notice.yaml`, if the project has one.
    pub notice: Option<NoticeFile>,
    /// `content/areas/*.yaml`, in file-name order, with their paths.
    pub areas: Vec<(PathBuf, AreaFile)>,
    /// `content/townships/*.yaml`, in file-name order, with their paths.
    /// Only the files of the named townships when loaded with
    /// [`load_townships`] (then `townships_selected` is true).
    pub townships: Vec<(PathBuf, TownshipFile)>,
    /// Whether `townships` holds only some township files, so that checks
    /// across all of them (which townships lack a file) do not apply.
    pub townships_selected: bool,
    /// `content/documents/*.yaml`, in file-name order, with their paths.
    pub documents: Vec<(PathBuf, DocumentFile)>,
    /// `content/booklet.yaml`, if the project makes a booklet.
    pub booklet: Option<BookletFile>,
    /// `content/flyer.yaml`, if the project makes flyers.
    pub flyer: Option<FlyerFile>,
    /// Texts of the files, for diagnostics.
    pub sources: Sources,
    /// Warnings found while loading.
    pub warnings: Diagnostics,
}

impl Content {
    /// Frees the parsed township files (their texts stay in `sources`):
    /// once every flyer's data was made and checked, a batch of thousands
    /// of townships need not hold them all while typesetting; a worker
    /// parses its one again with [`Content::township_file`].
    pub fn release_townships(&mut self) {
        self.townships = Vec::new();
    }

    /// The campaign's date: the notice's signing date, else the first
    /// document's, else the first day of the campaign year; a fixed date
    /// when the project gives none, so that outputs stay reproducible.
    pub fn notice_date(&self) -> date::Date {
        self.official().find_map(|(_, d)| d.date()).unwrap_or_else(|| {
            date::Date::new(self.campaign.year().unwrap_or(2000), 1, 1)
                .expect("1 January exists in every year")
        })
    }

    /// The year of a document: its number's, else the campaign's, else its
    /// signing date's.
    pub fn document_year(&self, doc: &DocumentFile) -> Option<i32> {
        doc.number
            .as_ref()
            .and_then(|n| n.year.as_ref())
            .map(|y| y.value)
            .or(self.campaign.year())
            .or(doc.date().map(|d| d.year))
    }

    /// The year the project is for: the campaign's, else that of its first
    /// dated document.
    pub fn year(&self) -> Option<i32> {
        self.campaign.year().or_else(|| self.official().find_map(|(_, d)| d.date()).map(|d| d.year))
    }

    /// Every official document: the notice (when the project has one), then
    /// `content/documents/` in file-name order, each with its project-relative
    /// path.
    pub fn official(&self) -> impl Iterator<Item = (&Path, &DocumentFile)> {
        self.notice
            .iter()
            .map(|n| (Path::new(NOTICE_FILE), n))
            .chain(self.documents.iter().map(|(p, d)| (p.as_path(), d)))
    }

    /// Whether a file that says it holds the facts of `updated_for` is
    /// behind the campaign year: its figures and things done are last
    /// year's until its owner confirms it, so it prints only as a draft.
    pub fn stale(&self, updated_for: Option<&serde_saphyr::Spanned<i32>>) -> bool {
        matches!((updated_for, self.campaign.year()), (Some(u), Some(y)) if u.value < y)
    }

    /// The area files still holding an earlier year's facts.
    pub fn stale_areas(&self) -> impl Iterator<Item = &(PathBuf, AreaFile)> {
        self.areas.iter().filter(|(_, a)| self.stale(a.updated_for.as_ref()))
    }

    /// The township file at `path`, parsed from the text read at load.
    pub fn township_file(&self, path: &Path) -> Option<TownshipFile> {
        serde_saphyr::from_str(self.sources.get(path)?).ok()
    }
}

/// Loads and validates the content of the project at `root`. On failure,
/// returns every problem found across all files (and the sources read, for
/// rendering them).
pub fn load(root: &Path) -> Result<Content, (Diagnostics, Sources)> {
    load_townships(root, &[])
}

/// [`load`], reading of the township files only those that can belong to
/// the townships in `only` (names or file stems; all when empty): a
/// township building its own flyer neither waits for the district's other
/// files nor stops at another township's mistake. A file is read when its
/// stem is named or its text contains a named township, and kept when it is
/// a named township's; when a name matches no file at all, every file is
/// read, so that the error can list them.
pub fn load_townships(root: &Path, only: &[String]) -> Result<Content, (Diagnostics, Sources)> {
    let mut sources = Sources::default();
    let mut diags = Diagnostics::new();
    if !is_project(root) {
        diags.push(not_a_project(root));
        return Err((diags, sources));
    }
    if let Some(bound) = campaign_bound(root)
        && !root.join(CAMPAIGN_FILE).exists()
    {
        diags.push(
            Diagnostic::error(
                "content/no-campaign",
                msg!(
                    "缺少 {}：{} 属于一次活动，需要活动的年度、区县、指标领域等信息",
                    "{} is missing: {} belongs to a campaign and needs its year, district, areas and the rest",
                    CAMPAIGN_FILE,
                    bound
                ),
            )
            .hint(msg!(
                "恢复 {}（pressroom new 生成的项目带有一份），或只保留公文时删去 {}。",
                "restore {} (a project made by pressroom new has one), or, for documents only, remove {}.",
                CAMPAIGN_FILE,
                bound
            )),
        );
        return Err((diags, sources));
    }
    // A project of documents alone has neither a campaign nor a notice.
    let campaign = read_optional::<CampaignFile>(root, Path::new(CAMPAIGN_FILE), &mut sources, &mut diags);
    let notice = read_optional::<NoticeFile>(root, Path::new(NOTICE_FILE), &mut sources, &mut diags);
    let areas = read_dir_yaml::<AreaFile>(root, Path::new(AREAS_DIR), &mut sources, &mut diags);
    let selected =
        if only.is_empty() { None } else { read_named_townships(root, only, &mut sources, &mut diags) };
    let townships_selected = selected.is_some();
    let townships = selected.unwrap_or_else(|| {
        read_dir_yaml::<TownshipFile>(root, Path::new(TOWNSHIPS_DIR), &mut sources, &mut diags)
    });
    let documents = read_dir_yaml::<DocumentFile>(root, Path::new(DOCUMENTS_DIR), &mut sources, &mut diags);
    let booklet = read_optional::<BookletFile>(root, Path::new(BOOKLET_FILE), &mut sources, &mut diags);
    let flyer = read_optional::<FlyerFile>(root, Path::new(FLYER_FILE), &mut sources, &mut diags);
    // The campaign and the notice are what every other file refers to:
    // checking the rest against a half-read one would only add noise.
    let failed = |read: bool, rel: &str| !read && root.join(rel).exists();
    if failed(campaign.is_some(), CAMPAIGN_FILE) || failed(notice.is_some(), NOTICE_FILE) {
        return Err((diags, sources));
    }
    let content = Content {
        root: root.to_path_buf(),
        campaign: campaign.unwrap_or_default(),
        notice,
        areas,
        townships,
        townships_selected,
        documents,
        booklet,
        flyer,
        sources,
        warnings: Vec::new(),
    };
    diags.extend(validate::validate(&content));
    if diags.iter().any(Diagnostic::is_error) {
        return Err((diags, content.sources));
    }
    Ok(Content { warnings: diags, ..content })
}

/// Reads every `*.yaml` in a folder (sorted by name); a missing folder is
/// an empty list.
fn read_dir_yaml<T: DeserializeOwned>(
    root: &Path,
    dir: &Path,
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Vec<(PathBuf, T)> {
    yaml_files(root, dir)
        .into_iter()
        .filter_map(|rel| read_yaml::<T>(root, &rel, sources, diags).map(|v| (rel, v)))
        .collect()
}

/// The `*.yaml` files of a folder, relative to `root`, sorted by name.
fn yaml_files(root: &Path, dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .filter_map(|p| p.file_name().map(|n| dir.join(n)))
        .collect();
    files.sort();
    files
}

/// The township files that can belong to `only` (see [`load_townships`]),
/// or `None` when some name matches no file. Problems of files left unread
/// are not reported; those of a file named by its stem are.
fn read_named_townships(
    root: &Path,
    only: &[String],
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Option<Vec<(PathBuf, TownshipFile)>> {
    // Problems stay aside until it is clear that these files are the answer.
    let mut problems = Diagnostics::new();
    let mut matched = vec![false; only.len()];
    let mut texts = Vec::new();
    for rel in yaml_files(root, Path::new(TOWNSHIPS_DIR)) {
        let stem = rel.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let by_stem = only.contains(&stem);
        let mut own = Diagnostics::new();
        let Some(text) = read_text(root, &rel, &mut own) else {
            if by_stem {
                problems.extend(own);
                matched.iter_mut().zip(only).filter(|(_, o)| **o == stem).for_each(|(m, _)| *m = true);
            }
            continue;
        };
        let mut wanted = false;
        for (m, o) in matched.iter_mut().zip(only) {
            if *o == stem || text.contains(o.as_str()) {
                *m = true;
                wanted = true;
            }
        }
        if wanted {
            problems.extend(own);
            texts.push((rel, text));
        }
    }
    if matched.contains(&false) {
        return None;
    }
    let candidates = texts.len();
    let files: Vec<(PathBuf, TownshipFile)> = texts
        .into_iter()
        .filter_map(|(rel, text)| {
            parse_yaml::<TownshipFile>(&rel, text, sources, &mut problems).map(|t| (rel, t))
        })
        .collect();
    // A text can hold a name without being its file ("湖滨社区" is in
    // 湖滨社区中心's; another township's achievements may name it): only the
    // files that are a named township's, or have a named stem, are kept.
    if only.iter().all(|o| files.iter().any(|(rel, t)| names_township(o, rel, t))) {
        let files: Vec<(PathBuf, TownshipFile)> =
            files.into_iter().filter(|(rel, t)| only.iter().any(|o| names_township(o, rel, t))).collect();
        diags.extend(
            problems
                .into_iter()
                .filter(|d| d.location.as_ref().is_some_and(|l| files.iter().any(|(rel, _)| *rel == l.file))),
        );
        return Some(files);
    }
    // Some name is no parsed file's: if a candidate is broken, its problems
    // are the answer (it is likely the one asked for); else read all files,
    // so that the message can list the townships.
    if files.len() == candidates {
        return None;
    }
    diags.extend(problems);
    Some(files)
}

/// Whether `name` (as given to `--only`) names the township file `t` at
/// `path`: by township name or by file stem.
pub fn names_township(name: &str, path: &Path, t: &TownshipFile) -> bool {
    t.township.value == name || path.file_stem().is_some_and(|s| s == name)
}

/// Reads a YAML file that a project may leave out.
/// Whether `root` holds a project: a campaign, a notice or documents.
fn is_project(root: &Path) -> bool {
    [CAMPAIGN_FILE, NOTICE_FILE, DOCUMENTS_DIR].iter().any(|p| root.join(p).exists())
}

fn not_a_project(root: &Path) -> Diagnostic {
    Diagnostic::error(
        "content/not-a-project",
        msg!(
            "{} 不是 pressroom 项目：没有 {}、{}，也没有 {}/",
            "{} is not a pressroom project: it has no {}, no {} and no {}/",
            root.display(),
            CAMPAIGN_FILE,
            NOTICE_FILE,
            DOCUMENTS_DIR
        ),
    )
    .hint(msg!(
        "请在项目目录中运行，或用 --project 指定项目目录；新项目用 pressroom new 创建。",
        "run pressroom in the project folder or name it with --project; pressroom new makes a new project."
    ))
}

/// The files of a project that belong to a campaign (areas, townships, the
/// booklet and flyers), for the error when the campaign is missing.
fn campaign_bound(root: &Path) -> Option<&'static str> {
    [AREAS_DIR, TOWNSHIPS_DIR, BOOKLET_FILE, FLYER_FILE].into_iter().find(|p| {
        if p.ends_with(".yaml") { root.join(p).exists() } else { !yaml_files(root, Path::new(p)).is_empty() }
    })
}

fn read_optional<T: DeserializeOwned>(
    root: &Path,
    rel: &Path,
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Option<T> {
    if root.join(rel).exists() { read_yaml(root, rel, sources, diags) } else { None }
}

/// Reads one YAML file into `T`, recording its text and any problem.
fn read_yaml<T: DeserializeOwned>(
    root: &Path,
    rel: &Path,
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Option<T> {
    let text = read_text(root, rel, diags)?;
    parse_yaml(rel, text, sources, diags)
}

/// Reads and decodes one content file (see [`decode`]).
fn read_text(root: &Path, rel: &Path, diags: &mut Diagnostics) -> Option<String> {
    let text = match std::fs::read(root.join(rel)) {
        Ok(bytes) => match decode(&bytes) {
            Ok((text, warning)) => {
                if let Some(w) = warning {
                    diags.push(w.at(Location::file(rel)));
                }
                text
            }
            Err(d) => {
                diags.push(d.at(Location::file(rel)));
                return None;
            }
        },
        Err(err) => {
            diags.push(
                Diagnostic::error(
                    "content/unreadable",
                    msg!("无法读取文件：{}", "cannot read the file: {}", err),
                )
                .at(Location::file(rel))
                .hint(msg!(
                    "请确认在项目目录中运行，或用 --project 指定项目目录。",
                    "run pressroom in the project folder, or name it with --project."
                )),
            );
            return None;
        }
    };
    Some(text)
}

/// Parses the text of `rel` into `T`, recording the text and any problem.
fn parse_yaml<T: DeserializeOwned>(
    rel: &Path,
    text: String,
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Option<T> {
    if let Some(d) = tab_indentation(&text, rel) {
        sources.insert(rel.to_path_buf(), text);
        diags.push(d);
        return None;
    }
    let clerk = clerk::check(&text, rel);
    diags.extend(clerk.warnings);
    if let Some(d) = clerk.error {
        sources.insert(rel.to_path_buf(), text);
        diags.push(d);
        return None;
    }
    let parsed = serde_saphyr::from_str::<T>(&text);
    let result = match parsed {
        Ok(value) => Some(value),
        Err(err) => {
            diags.push(yaml_error(&err, rel, &text));
            None
        }
    };
    sources.insert(rel.to_path_buf(), text);
    result
}

/// Turns file bytes into text. UTF-8 (with or without a byte-order mark) is
/// read as is. Files from Chinese Windows tools are often GBK/GB18030 or
/// UTF-16 ("Unicode" in Notepad): those are read correctly, with a warning
/// asking to save as UTF-8. Line ends are normalised to LF.
fn decode(bytes: &[u8]) -> Result<(String, Option<Diagnostic>), Diagnostic> {
    let resave = || {
        msg!(
            "请用“另存为”选择 UTF-8 编码保存（记事本、WPS 均可）。",
            "save it again as UTF-8 (Notepad and WPS both offer this under Save As)."
        )
    };
    let (text, warning) = if let Ok(text) =
        std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
    {
        (text.to_owned(), None)
    } else if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _, bad) = encoding.decode(bytes);
        if bad {
            return Err(Diagnostic::error(
                "content/encoding",
                msg!("文件编码无法识别（{}）", "the file's encoding could not be read ({})", encoding.name()),
            )
            .hint(resave()));
        }
        let w = Diagnostic::warning(
            "content/encoding",
            msg!(
                "文件是 {} 编码，已按此读取",
                "the file is {}-encoded; it was read as such",
                encoding.name()
            ),
        )
        .hint(resave());
        (text.into_owned(), Some(w))
    } else if let Some(text) = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
    {
        let w = Diagnostic::warning(
            "content/encoding",
            msg!(
                "文件是 GBK/GB18030 编码（中文 Windows 默认），已按此读取",
                "the file is GBK/GB18030-encoded (the Chinese Windows default); it was read as such"
            ),
        )
        .hint(resave());
        (text.into_owned(), Some(w))
    } else {
        return Err(Diagnostic::error(
            "content/not-utf8",
            msg!("文件不是 UTF-8 编码，也不是 GBK 编码", "the file is neither UTF-8 nor GBK encoded"),
        )
        .hint(resave()));
    };
    // YAML counts a lone CR (classic Mac) as a line break as well: so must
    // the snippets, or every error would point into one endless line.
    Ok((text.replace("\r\n", "\n").replace('\r', "\n"), warning))
}

/// YAML forbids tabs in indentation; say so in words a clerk understands.
fn tab_indentation(text: &str, rel: &Path) -> Option<Diagnostic> {
    let (idx, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.chars().take_while(|c| c.is_whitespace()).any(|c| c == '\t'))?;
    let col = line.chars().position(|c| c == '\t').unwrap_or(0) + 1;
    Some(
        Diagnostic::error(
            "content/tab-indent",
            msg!("缩进中有制表符（Tab）。", "a tab character is used for indentation."),
        )
        .at(Location::new(rel, idx + 1, col))
        .hint(msg!(
            "YAML 只能用空格缩进：请把 Tab 换成空格。",
            "YAML indentation must use spaces: replace the tab with spaces."
        )),
    )
}

/// Converts a YAML parser error into a diagnostic at its location.
fn yaml_error(err: &serde_saphyr::Error, rel: &Path, text: &str) -> Diagnostic {
    let mut location = Location::file(rel);
    if let Some(loc) = err.location() {
        location = Location::new(rel, loc.line() as usize, loc.column() as usize);
        if let Some(off) = loc.span().byte_offset() {
            location.offset = Some(off as usize);
            location.len = loc.span().byte_len().unwrap_or(0) as usize;
            let (line, column) = line_col(text, off as usize);
            location.line = line;
            location.column = column;
        }
    }
    let detail = first_line(&err.to_string());
    let (message, hint) = explain_yaml(&detail);
    let mut d = Diagnostic::error("content/yaml", message).at(location);
    if let Some(h) = hint {
        d = d.hint(h);
    }
    d
}

/// The parser's message without its own snippet (we render our own).
fn first_line(text: &str) -> String {
    let mut line = text.lines().next().unwrap_or_default().trim();
    // Drop the parser's own "error: line N column M:" prefix and trailing
    // " at line N column M": the location is shown by us.
    line = line.strip_prefix("error:").map_or(line, str::trim_start);
    if let Some(rest) = line.strip_prefix("line ")
        && let Some(i) = rest.find(": ")
        && rest[..i].contains("column")
    {
        line = &rest[i + 2..];
    }
    match line.find(" at line ") {
        Some(i) => line[..i].to_owned(),
        None => line.to_owned(),
    }
}

/// A bilingual message and hint for the YAML errors users meet most.
fn explain_yaml(detail: &str) -> (crate::diag::Msg, Option<crate::diag::Msg>) {
    if let Some(rest) = detail.strip_prefix("unknown field ") {
        let field = rest.split(',').next().unwrap_or(rest).trim_matches(['`', '"', ' ']);
        let expected = rest.split_once("expected ").map(|(_, e)| e.to_owned()).unwrap_or_default();
        let names: Vec<&str> = expected
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|s| !s.is_empty() && *s != "one" && *s != "of" && *s != "or")
            .collect();
        let hint = match crate::diag::did_you_mean(field, names.iter().copied()) {
            Some(s) => msg!("您是否想写 `{}`？", "did you mean `{}`?", s),
            None => msg!("可用的字段：{}", "fields allowed here: {}", expected),
        };
        return (msg!("未知字段 `{}`", "unknown field `{}`", field), Some(hint));
    }
    if let Some(rest) = detail.strip_prefix("unknown variant ") {
        let value = rest.split(',').next().unwrap_or(rest).trim_matches(['`', '"', ' ']);
        let expected = rest
            .split_once("expected ")
            .map(|(_, e)| e.trim_start_matches("one of ").to_owned())
            .unwrap_or_default();
        let names: Vec<&str> = expected.split(", ").map(|s| s.trim_matches(['`', ' '])).collect();
        let hint = match crate::diag::did_you_mean(value, names.iter().copied()) {
            Some(s) => msg!("您是否想写 `{}`？", "did you mean `{}`?", s),
            // The one enumeration users type most: a document's format.
            None if names == ["file", "letter", "order", "minutes"] => msg!(
                "format 可写 file（文件格式：通知、通报、请示、报告、意见、决定等）、letter（信函格式：函）、order（命令格式）或 minutes（纪要格式）。",
                "format is one of file (通知, 通报, 请示, 报告, 意见, 决定 …), letter (函), order (命令) or minutes (纪要)."
            ),
            None => msg!("可以写：{}", "allowed here: {}", names.join(", ")),
        };
        return (msg!("这里不能写 `{}`", "`{}` is not allowed here", value), Some(hint));
    }
    if let Some(rest) = detail.strip_prefix("missing field ") {
        let field = rest.trim_matches(['`', '"', ' ']);
        return (
            msg!("缺少必填字段 `{}`", "missing required field `{}`", field),
            Some(msg!("请补上 `{}:` 一项。", "add a `{}:` entry.", field)),
        );
    }
    if detail.contains("duplicate") {
        let detail = detail
            .split(" (set DuplicateKeyPolicy")
            .next()
            .unwrap_or(detail)
            .split("; set ")
            .next()
            .unwrap_or(detail);
        return (
            msg!("重复的键：{}", "duplicate key: {}", detail),
            Some(msg!("同一层级中每个键只能出现一次。", "each key may appear only once at one level.")),
        );
    }
    // The parser's type words, in words a clerk knows.
    let plain: &[(&str, crate::diag::Msg, crate::diag::Msg)] = &[
        (
            "invalid i32",
            msg!("这里应是一个整数（如 2023）", "a whole number (such as 2023) is expected here"),
            msg!(
                "只写阿拉伯数字，不写“年”或汉字数字。",
                "write Arabic digits only, without 年 or Chinese numerals."
            ),
        ),
        (
            "invalid u32",
            msg!("这里应是一个正整数（如 82）", "a positive whole number (such as 82) is expected here"),
            msg!("只写阿拉伯数字，不补零。", "write Arabic digits only, without leading zeros."),
        ),
        (
            "expected string scalar",
            msg!(
                "这里应是一段文字，而不是列表或多项内容",
                "text is expected here, not a list or a group of keys"
            ),
            msg!("把内容写在同一行，或用 | 写多行文字。", "write it on one line, or as a | block of lines."),
        ),
        (
            "expected sequence start",
            msg!("这里应是一个列表", "a list is expected here"),
            msg!(
                "写作 [第一项, 第二项]，或每项一行、以“- ”开头。",
                "write [first, second], or one item per line starting with “- ”."
            ),
        ),
        (
            "expected mapping start",
            msg!("这里应是“键: 值”的形式", "“key: value” entries are expected here"),
            msg!(
                "冒号用英文半角“:”并在后面空一格，不要用中文“：”。",
                "use the ASCII colon “:” followed by a space, not the full-width “：”."
            ),
        ),
        (
            "budget breached",
            msg!(
                "文件展开后过大（别名 *引用 嵌套太多），已拒绝读取",
                "the file expands too much (nested *aliases); it was refused"
            ),
            msg!("不要用多层别名互相引用。", "do not nest aliases inside aliases."),
        ),
        (
            "recursion limit exceeded",
            msg!("文件嵌套层级太深，已拒绝读取", "the file is nested too deeply; it was refused"),
            msg!("检查缩进和括号是否配对。", "check the indentation and that brackets are closed."),
        ),
    ];
    for (needle, message, hint) in plain {
        if detail.contains(needle) {
            return (message.clone(), Some(hint.clone()));
        }
    }
    (msg!("YAML 格式错误：{}", "invalid YAML: {}", detail), None)
}

/// Where a spanned value sits, for callers that hold the file name.
pub fn locate(sources: &Sources, file: &str, loc: &serde_saphyr::Location) -> Location {
    sources.locate(Path::new(file), loc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_byte_order_mark_and_crlf() {
        assert_eq!(decode(b"\xEF\xBB\xBFyear: 2023\r\n").expect("utf-8").0, "year: 2023\n");
    }

    #[test]
    fn only_reads_the_named_townships_files() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let names =
            |c: &Content| c.townships.iter().map(|(_, t)| t.township.value.clone()).collect::<Vec<_>>();
        let c = load_townships(root, &["湖滨社区中心".into(), "yanshan".into()]).expect("example loads");
        assert!(c.townships_selected);
        assert_eq!(names(&c), ["湖滨社区中心", "燕山乡"]);
        // A part of a name is in its file's text but names no file: all are read, for the message.
        let c = load_townships(root, &["湖滨社区".into()]).expect("example loads");
        assert!(!c.townships_selected);
        assert_eq!(c.townships.len(), 10);
    }

    #[test]
    fn lone_carriage_returns_end_lines_too() {
        assert_eq!(decode(b"year: 2023\rdistrict: x\r").expect("utf-8").0, "year: 2023\ndistrict: x\n");
    }

    #[test]
    fn reads_gbk_with_a_warning() {
        let (bytes, _, _) = encoding_rs::GBK.encode("district: 蚌山区\n");
        let (text, warning) = decode(&bytes).expect("gbk");
        assert_eq!(text, "district: 蚌山区\n");
        assert_eq!(warning.expect("warned").code, "content/encoding");
    }

    #[test]
    fn reads_utf16_from_notepad_with_a_warning() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend("year: 2023".encode_utf16().flat_map(u16::to_le_bytes));
        let (text, warning) = decode(&bytes).expect("utf-16");
        assert_eq!(text, "year: 2023");
        assert!(warning.is_some());
    }

    #[test]
    fn finds_tab_indentation() {
        let d = tab_indentation("a:\n\tb: 1\n", Path::new("x.yaml")).expect("tab found");
        assert_eq!(d.location.expect("located").line, 2);
    }
}
