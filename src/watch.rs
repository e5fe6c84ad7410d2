//! `pressroom watch`: builds once, then watches the project's `content/`,
//! `templates/` and `fonts/` and rebuilds only the outputs that depend on
//! what changed, until Ctrl-C.
//!
//! # What a change rebuilds
//!
//! Decided by [`plan`] from the changed paths and the content as loaded
//! right after the change (so membership is current: a township that just
//! started featuring an area is rebuilt with it):
//!
//! | changed (project-relative)              | rebuilt                                                   |
//! |-----------------------------------------|-----------------------------------------------------------|
//! | `content/campaign.yaml`                 | everything                                                |
//! | `content/notice.yaml`                   | the notice (and everything if the signing date changed¹)  |
//! | `content/booklet.yaml`                  | the booklet                                               |
//! | `content/flyer.yaml`                    | every flyer                                               |
//! | `content/areas/<a>.yaml`                | the booklet + the flyers of townships featuring area `a`² |
//! | `content/townships/<t>.yaml`            | that township's flyer (nothing if the file was deleted)   |
//! | an image under `content/`               | what names it: area → booklet, township → its flyer, booklet cover → booklet, seal → notice; named nowhere → booklet + every flyer³ |
//! | `templates/notice.typ` / `annex.typ`    | the notice / the annex                                    |
//! | `templates/booklet.typ` / `imposed.typ` | the booklet                                               |
//! | `templates/<layout>.typ`                | the flyers of townships using that layout (none if none do) |
//! | another file under `templates/`         | what the templates naming it rebuild (found by its file name in the project's templates, transitively); nothing if none name it |
//! | a font file under `fonts/`              | everything                                                |
//!
//! ¹ The signing date in `notice.yaml` is printed on every flyer (the
//! letter's date) and is the date of every PDF and spreadsheet, so when it
//! changed since the last good build everything is rebuilt; other notice
//! edits rebuild the notice alone (the annex tables come from
//! `campaign.yaml`). ² An area file that no longer loads as an area (deleted
//! or renamed) rebuilds the booklet and every flyer, since which townships
//! featured it is no longer known. ³ A photo no file names could still be
//! reached through a link, and is about to be named in the usual workflow.
//!
//! Files no output can read are not changes: editor temporaries and backups
//! (`*~`, `.#*`, `#*#`, `*.swp`, vim's `4913`, `*.tmp`, …), anything under
//! `output/` or `.cache/`, and files of the wrong kind (a `.txt` among the
//! photos, a `.yaml` outside the folders content is read from).
//!
//! # Saves, not events
//!
//! One save is many file-system events (write to a temporary, rename over
//! the file, a backup, a second write). Events are collected until the
//! project has been quiet for the debounce interval (40 ms by default: an
//! editor's events for one save come within a few milliseconds), and
//! everything collected is then one rebuild. Events that arrive during a
//! rebuild make the next one.
//!
//! # Errors
//!
//! A failed rebuild prints its errors exactly as `pressroom build` does and
//! the watch goes on. Builds write atomically and write nothing for a failed
//! document, so the previous good outputs stay in place. The changes of a
//! failed rebuild stay pending and are rebuilt, with the next change, once
//! the project builds again.
//!
//! # The proof sheet
//!
//! A build writes `output/index.html` for the files it wrote; after a partial
//! rebuild the watch rewrites it with every output of the session (the
//! rebuilt ones replaced), so the sheet keeps showing the whole campaign.
//! Page previews are rendered after the rebuild has written its files and
//! reported, on a background thread that the next change stops (pages not
//! rendered then are taken up again after that rebuild): a burst of saves
//! waits for no pictures.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};

use crate::build::{self, BuildConfig, Output, Report};
use crate::content::date::Date;
use crate::content::{self, Content, Text};
use crate::diag::{self, Diagnostic, Diagnostics, Lang};
use crate::proof::PendingPreviews;
use crate::targets::{Target, booklet, flyers};
use crate::typeset::fonts::FontSet;

/// How long the project must be quiet before a rebuild starts.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(40);

/// The folders watched (recursively), relative to the project.
pub const WATCHED: [&str; 3] = ["content", "templates", "fonts"];

/// Extensions of images content may name (photos, seals).
const IMAGE_EXTENSIONS: [&str; 9] = ["jpg", "jpeg", "png", "gif", "webp", "svg", "bmp", "tif", "tiff"];
/// Extensions of files a document's attachments may name (tables, PDFs).
const ATTACHMENT_EXTENSIONS: [&str; 3] = ["csv", "xlsx", "pdf"];
/// Extensions of font files.
const FONT_EXTENSIONS: [&str; 6] = ["ttf", "otf", "ttc", "otc", "woff", "woff2"];
/// Extensions of files templates may read besides other templates.
const TEMPLATE_ASSET_EXTENSIONS: [&str; 9] =
    ["typ", "json", "yaml", "yml", "toml", "csv", "xml", "txt", "bib"];

/// Which flyers (by township name) or documents (by file stem) a rebuild
/// makes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Selection {
    /// None.
    #[default]
    None,
    /// These, by name.
    Only(BTreeSet<String>),
    /// Every one.
    All,
}

/// Which flyers a rebuild makes.
pub type Flyers = Selection;

impl Selection {
    /// Adds `other`'s to these.
    fn add(&mut self, other: Selection) {
        *self = match (std::mem::take(self), other) {
            (Flyers::All, _) | (_, Flyers::All) => Flyers::All,
            (Flyers::None, x) | (x, Flyers::None) => x,
            (Flyers::Only(mut a), Flyers::Only(b)) => {
                a.extend(b);
                Flyers::Only(a)
            }
        };
    }
}

/// The outputs one rebuild makes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// `notice.pdf`.
    pub notice: bool,
    /// `documents/*`.
    pub documents: Selection,
    /// `annex/*`.
    pub annex: bool,
    /// `booklet.pdf` and `booklet-imposed.pdf`.
    pub booklet: bool,
    /// `flyers/*.pdf`.
    pub flyers: Flyers,
}

impl Plan {
    /// Every output.
    pub fn everything() -> Self {
        Plan { notice: true, documents: Selection::All, annex: true, booklet: true, flyers: Flyers::All }
    }

    fn booklet() -> Self {
        Plan { booklet: true, ..Plan::default() }
    }

    fn notice() -> Self {
        Plan { notice: true, ..Plan::default() }
    }

    fn document(name: String) -> Self {
        Plan { documents: Selection::Only(BTreeSet::from([name])), ..Plan::default() }
    }

    fn flyers(flyers: Flyers) -> Self {
        Plan { flyers, ..Plan::default() }
    }

    /// Whether nothing is to be rebuilt.
    pub fn is_empty(&self) -> bool {
        *self == Plan::default()
    }

    /// Whether every output is to be rebuilt.
    pub fn is_everything(&self) -> bool {
        *self == Plan::everything()
    }

    /// Adds `other`'s outputs to these.
    pub fn add(&mut self, other: Plan) {
        self.notice |= other.notice;
        self.documents.add(other.documents);
        self.annex |= other.annex;
        self.booklet |= other.booklet;
        self.flyers.add(other.flyers);
    }

    /// The targets to build, in build order.
    pub fn targets(&self) -> Vec<Target> {
        Target::ALL
            .into_iter()
            .filter(|t| match t {
                Target::Notice => self.notice,
                Target::Documents => self.documents != Selection::None,
                Target::Annex => self.annex,
                Target::Booklet => self.booklet,
                Target::Flyers => self.flyers != Flyers::None,
            })
            .collect()
    }

    /// `base` narrowed to this plan's targets and townships.
    pub fn config(&self, base: &BuildConfig) -> BuildConfig {
        let mut config = base.clone();
        config.targets = self.targets();
        // `only` names townships and documents alike; a selection of one
        // kind must not narrow the other to nothing, so an "all" of either
        // kind clears it (a few of one and all of the other rebuilds more
        // than needed, never less).
        let only = |s: &Selection| match s {
            Selection::Only(names) => Some(names.iter().cloned().collect::<Vec<_>>()),
            Selection::None => Some(Vec::new()),
            Selection::All => None,
        };
        config.only = match (only(&self.flyers), only(&self.documents)) {
            (Some(mut a), Some(b)) => {
                a.extend(b);
                a
            }
            _ => Vec::new(),
        };
        config
    }

    /// The plan after the notice's signing date went from `before` (at the
    /// last good build; `None` if there was none) to `after`: the date is on
    /// every output, so a new date rebuilds everything.
    pub fn dated(self, before: Option<Date>, after: Date) -> Self {
        if before.is_some_and(|b| b != after) { Plan::everything() } else { self }
    }

    /// What is rebuilt, in the message language.
    pub fn describe(&self) -> String {
        let zh = diag::lang() == Lang::Zh;
        if self.is_everything() {
            return if zh { "全部输出".to_owned() } else { "everything".to_owned() };
        }
        let mut parts = Vec::new();
        for (on, z, e) in [
            (self.notice, "通知", "notice"),
            (self.documents != Selection::None, "公文", "documents"),
            (self.annex, "附件表格", "annex"),
            (self.booklet, "宣传册", "booklet"),
        ] {
            if on {
                parts.push(if zh { z } else { e }.to_owned());
            }
        }
        match &self.flyers {
            Flyers::None => {}
            Flyers::All => parts.push(if zh { "全部传单" } else { "all flyers" }.to_owned()),
            Flyers::Only(names) => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                parts.push(if zh {
                    format!("传单（{}）", names.join("、"))
                } else {
                    format!("flyers ({})", names.join(", "))
                });
            }
        }
        parts.join(if zh { "、" } else { ", " })
    }
}

/// What the `changed` paths (relative to the project) rebuild, given the
/// content loaded after the change. See the module documentation for the
/// table.
pub fn plan(changed: &[PathBuf], content: &Content) -> Plan {
    let mut plan = Plan::default();
    for path in changed {
        plan.add(plan_one(path, content));
    }
    plan
}

fn plan_one(path: &Path, content: &Content) -> Plan {
    if !relevant(path) {
        return Plan::default();
    }
    let parts = parts(path);
    let top = parts.first().map(String::as_str);
    // A watched folder itself (created, moved in or out): anything in it
    // may have changed.
    if parts.len() == 1 {
        return Plan::everything();
    }
    match top {
        Some("content") if is_yaml(path) => content_file(path, content),
        Some("content") => image(path, content),
        Some("templates") => template(&parts, content),
        Some("fonts") => Plan::everything(),
        _ => Plan::default(),
    }
}

/// A YAML file under `content/`.
fn content_file(path: &Path, content: &Content) -> Plan {
    let is = |file: &str| path == Path::new(file);
    if is(content::CAMPAIGN_FILE) {
        Plan::everything()
    } else if is(content::NOTICE_FILE) {
        Plan::notice()
    } else if path.parent() == Some(Path::new(content::DOCUMENTS_DIR)) {
        match path.file_stem() {
            Some(stem) => Plan::document(stem.to_string_lossy().into_owned()),
            None => Plan::default(),
        }
    } else if is(content::BOOKLET_FILE) {
        Plan::booklet()
    } else if is(content::FLYER_FILE) {
        Plan::flyers(Flyers::All)
    } else if path.parent() == Some(Path::new(content::AREAS_DIR)) {
        match content.areas.iter().find(|(p, _)| p == path) {
            Some((_, area)) => {
                let id = &area.area.value;
                let featuring: BTreeSet<String> = content
                    .townships
                    .iter()
                    .filter(|(_, t)| t.features.iter().any(|f| &f.value == id))
                    .map(|(_, t)| t.township.value.clone())
                    .collect();
                let flyers = if featuring.is_empty() { Flyers::None } else { Flyers::Only(featuring) };
                Plan { booklet: true, flyers, ..Plan::default() }
            }
            None => Plan { booklet: true, flyers: Flyers::All, ..Plan::default() },
        }
    } else if path.parent() == Some(Path::new(content::TOWNSHIPS_DIR)) {
        match content.townships.iter().find(|(p, _)| p == path) {
            Some((_, t)) => Plan::flyers(Flyers::Only(BTreeSet::from([t.township.value.clone()]))),
            None => Plan::default(),
        }
    } else {
        // Not a file content is read from.
        Plan::default()
    }
}

/// An image under `content/`: the outputs of the files that name it.
fn image(path: &Path, content: &Content) -> Plan {
    let names = |file: &Text| Path::new(content::assets::BASE).join(file.value.trim()) == path;
    let mut plan = Plan::default();
    if content.areas.iter().any(|(_, a)| a.photos.iter().any(|p| names(&p.file))) {
        plan.booklet = true;
    }
    if content.booklet.as_ref().and_then(|b| b.cover_photo.as_ref()).is_some_and(|p| names(&p.file)) {
        plan.booklet = true;
    }
    for (file, d) in content.official() {
        let signed = d
            .signature
            .iter()
            .flat_map(|s| s.seal.iter().chain(&s.seals).chain(s.stamp.as_ref().map(|st| &st.image)));
        if signed.chain(d.attachments.iter().filter_map(|a| a.file.as_ref())).any(&names) {
            if file == Path::new(content::NOTICE_FILE) {
                plan.notice = true;
            } else if let Some(stem) = file.file_stem() {
                plan.add(Plan::document(stem.to_string_lossy().into_owned()));
            }
        }
    }
    let townships: BTreeSet<String> = content
        .townships
        .iter()
        .filter(|(_, t)| t.photo.as_ref().is_some_and(|p| names(&p.file)))
        .map(|(_, t)| t.township.value.clone())
        .collect();
    if !townships.is_empty() {
        plan.flyers = Flyers::Only(townships);
    }
    let attachment = extension(path).is_some_and(|e| ATTACHMENT_EXTENSIONS.contains(&e.as_str()));
    if plan.is_empty() && !attachment {
        // Named nowhere (yet): the outputs with photos.
        plan = Plan { booklet: true, flyers: Flyers::All, ..Plan::default() };
    }
    plan
}

/// A file under `templates/` (`parts` has at least two components).
fn template(parts: &[String], content: &Content) -> Plan {
    let [_, name] = parts else {
        // In a subfolder: reached only through a template that names it,
        // which `with_template_users` added.
        return Plan::default();
    };
    let Some(stem) = name.strip_suffix(".typ") else {
        return Plan::default();
    };
    match name.as_str() {
        "notice.typ" => return Plan { notice: true, documents: Selection::All, ..Plan::default() },
        "annex.typ" => return Plan { annex: true, ..Plan::default() },
        "imposed.typ" => return Plan::booklet(),
        // Shared by the booklet and the default flyer layouts.
        "press.typ" => return Plan { booklet: true, flyers: Flyers::All, ..Plan::default() },
        n if n == booklet::TEMPLATE => return Plan::booklet(),
        _ => {}
    }
    let users: BTreeSet<String> = content
        .townships
        .iter()
        .filter(|(_, t)| flyers::layout(t) == stem)
        .map(|(_, t)| t.township.value.clone())
        .collect();
    if users.is_empty() { Plan::default() } else { Plan::flyers(Flyers::Only(users)) }
}

/// The normal components of a relative path, as text.
fn parts(path: &Path) -> Vec<String> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

fn extension(path: &Path) -> Option<String> {
    path.extension().map(|e| e.to_string_lossy().to_lowercase())
}

fn is_yaml(path: &Path) -> bool {
    extension(path).is_some_and(|e| e == "yaml" || e == "yml")
}

/// Whether a file name is an editor's temporary, backup or lock file, or a
/// file-manager's note, never content.
pub fn is_temporary(name: &str) -> bool {
    let lower = name.to_lowercase();
    name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.starts_with(".~lock.")
        || name.starts_with("~$")
        || name.starts_with(".goutputstream-")
        || name.starts_with(crate::output::TEMP_PREFIX)
        // vim's write test file (4913, then 5036, …) and swap files.
        || (!name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()))
        || [".swp", ".swo", ".swx", ".swn", ".tmp", ".temp", ".bak", ".orig", ".part", ".crdownload", ".kate-swp"]
            .iter()
            .any(|s| lower.ends_with(s))
        || lower.contains("___jb_tmp___")
        || lower.contains("___jb_old___")
        || lower == ".ds_store"
        || lower == "thumbs.db"
        || lower == "desktop.ini"
}

/// Whether a change to `path` (relative to the project) can matter to an
/// output: inside a watched folder, not under `output/` or `.cache/`, not an
/// editor's temporary file, and of a kind the folder's readers read.
pub fn relevant(path: &Path) -> bool {
    let parts = parts(path);
    let Some(top) = parts.first() else { return false };
    if !WATCHED.contains(&top.as_str()) {
        return false;
    }
    if parts.iter().any(|p| p == "output" || p == ".cache" || is_temporary(p)) {
        return false;
    }
    if parts.len() == 1 {
        return true;
    }
    let ext = extension(path);
    let is = |list: &[&str]| ext.as_deref().is_some_and(|e| list.contains(&e));
    match top.as_str() {
        "content" => is_yaml(path) || is(&IMAGE_EXTENSIONS) || is(&ATTACHMENT_EXTENSIONS),
        "templates" => is(&TEMPLATE_ASSET_EXTENSIONS) || is(&IMAGE_EXTENSIONS),
        "fonts" => is(&FONT_EXTENSIONS),
        _ => false,
    }
}

/// Adds to `changed` the project templates that name a changed file under
/// `templates/` (by its file name in their text: an import, an include, an
/// image), transitively, so that a change to a helper rebuilds what uses
/// the templates importing it.
pub fn with_template_users(changed: &[PathBuf], root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = changed.to_vec();
    let names = |p: &Path| -> Option<String> {
        (parts(p).first().map(String::as_str) == Some("templates"))
            .then(|| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .flatten()
    };
    let mut queue: Vec<String> = changed.iter().filter_map(|p| names(p)).collect();
    if queue.is_empty() {
        return out;
    }
    let texts: Vec<(PathBuf, String)> = std::fs::read_dir(root.join("templates"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "typ"))
                .filter_map(|p| {
                    let text = std::fs::read_to_string(&p).ok()?;
                    Some((Path::new("templates").join(p.file_name()?), text))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    while let Some(name) = queue.pop() {
        for (path, text) in &texts {
            let Some(user) = names(path) else { continue };
            if user != name && text.contains(name.as_str()) && seen.insert(user.clone()) {
                out.push(path.clone());
                queue.push(user);
            }
        }
    }
    out
}

/// Runs `pressroom watch` with `config` (the full build) until the process
/// is interrupted. Returns only when watching cannot start or stops.
pub fn run(config: BuildConfig, debounce: Duration) -> ExitCode {
    let root = match config.root.canonicalize() {
        Ok(root) => root,
        Err(e) => {
            eprintln!(
                "{}",
                msg_text(
                    &format!("无法读取项目目录 {}：{e}", config.root.display()),
                    &format!("cannot read the project folder {}: {e}", config.root.display())
                )
            );
            return ExitCode::from(2);
        }
    };
    let (tx, rx) = mpsc::channel::<notify::Result<Event>>();
    let mut watcher = match notify::recommended_watcher(move |event| {
        // The receiver is gone only when the watch ends.
        let _ = tx.send(event);
    }) {
        Ok(w) => w,
        Err(e) => return watch_error(&e),
    };
    // The project folder itself (not recursively) shows watched folders
    // appearing; each watched folder is watched recursively. Watching starts
    // before the first build, so that nothing saved meanwhile is missed.
    if let Err(e) = watcher.watch(&root, RecursiveMode::NonRecursive) {
        return watch_error(&e);
    }
    for dir in WATCHED {
        let path = root.join(dir);
        if path.is_dir()
            && let Err(e) = watcher.watch(&path, RecursiveMode::Recursive)
        {
            return watch_error(&e);
        }
    }

    let mut session = Session::new(BuildConfig { defer_previews: true, ..config });
    session.rebuild(&[]);
    println!(
        "{}",
        msg_text(
            "正在监视 content/、templates/、fonts/ 的改动（按 Ctrl-C 结束）",
            "watching content/, templates/ and fonts/ for changes (Ctrl-C to stop)"
        )
    );

    loop {
        let mut batch = BTreeSet::new();
        // Wait for a change that matters (reads and editor files do not).
        while batch.is_empty() {
            let Ok(event) = rx.recv() else { return ExitCode::SUCCESS };
            collect(event, &root, &mut watcher, &mut batch);
        }
        // Everything until the project has been quiet for `debounce` is one
        // save; only changes that matter restart the wait.
        let mut deadline = Instant::now() + debounce;
        loop {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(event) => {
                    if collect(event, &root, &mut watcher, &mut batch) {
                        deadline = Instant::now() + debounce;
                    }
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return ExitCode::SUCCESS,
            }
        }
        let batch: Vec<PathBuf> = batch.into_iter().collect();
        session.rebuild(&batch);
    }
}

fn watch_error(e: &notify::Error) -> ExitCode {
    eprintln!(
        "{}",
        msg_text(&format!("无法监视项目目录：{e}"), &format!("cannot watch the project folder: {e}"))
    );
    ExitCode::from(2)
}

/// Adds the relevant paths of one watcher event to `batch`; returns whether
/// it had any. A watched folder that appears is watched from then on.
fn collect(
    event: notify::Result<Event>,
    root: &Path,
    watcher: &mut notify::RecommendedWatcher,
    batch: &mut BTreeSet<PathBuf>,
) -> bool {
    let event = match event {
        Ok(event) => event,
        Err(e) => {
            eprintln!("{}", msg_text(&format!("监视出错：{e}"), &format!("watch error: {e}")));
            return false;
        }
    };
    if event.need_rescan() {
        // Events were lost: anything may have changed.
        batch.extend(WATCHED.iter().map(PathBuf::from));
        return true;
    }
    // Reading (every build reads the content) is not a change.
    if let EventKind::Access(kind) = event.kind
        && kind != AccessKind::Close(AccessMode::Write)
    {
        return false;
    }
    let mut any = false;
    for path in &event.paths {
        let Ok(rel) = path.strip_prefix(root) else { continue };
        if !relevant(rel) {
            continue;
        }
        if rel.components().count() == 1 && path.is_dir() {
            // A watched folder created (or moved in): watch it too. Watching
            // a folder already watched is harmless.
            let _ = watcher.watch(path, RecursiveMode::Recursive);
        }
        batch.insert(rel.to_path_buf());
        any = true;
    }
    any
}

/// The state kept between rebuilds.
struct Session {
    /// The full build, as asked on the command line.
    base: BuildConfig,
    /// Changes not yet built successfully.
    pending: BTreeSet<PathBuf>,
    /// Whether everything is to be built (no good build yet).
    pending_all: bool,
    /// The signing date at the last good build.
    built_date: Option<Date>,
    /// Every output of the session and the findings, for the proof sheet.
    sheet: Option<(Vec<Output>, Diagnostics)>,
    /// The fonts, found and parsed once; found again when `fonts/` changes.
    fonts: Option<Arc<FontSet>>,
    /// Page previews being rendered in the background.
    previews: Option<Previews>,
}

/// A background thread rendering page previews, and its stop switch.
struct Previews {
    stop: Arc<AtomicBool>,
    /// Gives back the previews it did not finish.
    worker: JoinHandle<Vec<PendingPreviews>>,
}

impl Previews {
    /// Starts rendering `pending` (nothing to do: no thread).
    fn start(pending: Vec<PendingPreviews>) -> Option<Self> {
        if pending.is_empty() {
            return None;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let worker = std::thread::spawn(move || {
            let mut left = pending.into_iter();
            while let Some(p) = left.next() {
                if !p.render(&flag) {
                    return std::iter::once(p).chain(left).collect();
                }
            }
            Vec::new()
        });
        Some(Self { stop, worker })
    }

    /// Stops after the pages under way; returns what is left to render.
    fn stop(self) -> Vec<PendingPreviews> {
        self.stop.store(true, Ordering::Relaxed);
        self.worker.join().unwrap_or_default()
    }
}

impl Session {
    fn new(base: BuildConfig) -> Self {
        Self {
            base,
            pending: BTreeSet::new(),
            pending_all: true,
            built_date: None,
            sheet: None,
            fonts: None,
            previews: None,
        }
    }

    /// Stops the background previews; returns what they had left to do.
    fn stop_previews(&mut self) -> Vec<PendingPreviews> {
        self.previews.take().map(Previews::stop).unwrap_or_default()
    }

    /// Rebuilds what `changed` (and the changes of failed rebuilds) affect;
    /// the first call builds everything. Prints one line (plus errors).
    fn rebuild(&mut self, changed: &[PathBuf]) {
        // Previews wait: the change may make them obsolete anyway.
        let unfinished = self.stop_previews();
        let (mut pending, rebuilt) = self.build_changes(changed);
        // An output rebuilt has new previews (or fresh ones): its old,
        // unfinished ones are dropped.
        pending.extend(unfinished.into_iter().filter(|p| !rebuilt.iter().any(|o| o == p.output())));
        self.previews = Previews::start(pending);
    }

    /// [`Session::rebuild`] but for the previews: returns the previews the
    /// rebuild left to render and the outputs it wrote.
    fn build_changes(&mut self, changed: &[PathBuf]) -> (Vec<PendingPreviews>, Vec<PathBuf>) {
        let started = Instant::now();
        self.pending.extend(changed.iter().cloned());
        let what = changed_list(changed);
        let root = self.base.root.clone();
        let content = match build::load(&root) {
            Ok(content) => content,
            Err(failure) => {
                crate::cli::fail(&failure, &root);
                self.print_failed(&what, &failure.diags);
                return (Vec::new(), Vec::new());
            }
        };
        let pending: Vec<PathBuf> = self.pending.iter().cloned().collect();
        let date = content.notice_date();
        let plan = if self.pending_all {
            Plan::everything()
        } else {
            plan(&with_template_users(&pending, &root), &content).dated(self.built_date, date)
        };
        drop(content);
        if plan.is_empty() {
            self.pending.clear();
            println!(
                "{}",
                msg_text(
                    &format!("已改动 {what} → 没有输出依赖它"),
                    &format!("changed {what} → no output depends on it")
                )
            );
            return (Vec::new(), Vec::new());
        }
        let initial = self.pending_all;
        let config = if initial { self.base.clone() } else { plan.config(&self.base) };
        if pending.iter().any(|p| p.starts_with("fonts")) {
            self.fonts = None;
        }
        let fonts = self
            .fonts
            .get_or_insert_with(|| Arc::new(FontSet::discover(&self.base.root, &self.base.fonts)))
            .clone();
        let result = build::build_with_fonts(&config, &fonts);
        // Memoized layouts of documents no longer built are dropped after a
        // few rebuilds; recent ones speed up the next rebuild.
        comemo::evict(10);
        match result {
            Ok(mut report) => {
                let pending = std::mem::take(&mut report.pending_previews);
                let rebuilt = report.outputs.iter().map(|o| o.path.clone()).collect();
                self.pending.clear();
                self.pending_all = false;
                self.built_date = Some(date);
                if initial {
                    crate::cli::print_report(&report, &root);
                } else {
                    self.print_new_warnings(&report);
                    println!(
                        "{}",
                        msg_text(
                            &format!(
                                "已改动 {what} → 已重建{}：{} 个文件，用时 {:.2} 秒",
                                plan.describe(),
                                report.outputs.len(),
                                started.elapsed().as_secs_f64()
                            ),
                            &format!(
                                "changed {what} → rebuilt {}: {} file(s) in {:.2} s",
                                plan.describe(),
                                report.outputs.len(),
                                started.elapsed().as_secs_f64()
                            )
                        )
                    );
                }
                self.update_sheet(report, &config, changed, plan.is_everything() || initial);
                (pending, rebuilt)
            }
            Err(failure) => {
                crate::cli::fail(&failure, &root);
                self.print_failed(&what, &failure.diags);
                (Vec::new(), Vec::new())
            }
        }
    }

    fn print_failed(&self, what: &str, diags: &[Diagnostic]) {
        let errors = diags.iter().filter(|d| d.is_error()).count();
        if self.pending_all {
            println!(
                "{}",
                msg_text(
                    &format!("首次构建未完成：{errors} 个错误（见上）；改正后保存即重新构建"),
                    &format!("the first build failed: {errors} error(s) above; save a fix to build again")
                )
            );
            return;
        }
        println!(
            "{}",
            msg_text(
                &format!("已改动 {what} → 未重建：{errors} 个错误（见上），之前的输出保持不变"),
                &format!(
                    "changed {what} → not rebuilt: {errors} error(s) above; the previous outputs are kept"
                )
            )
        );
    }

    /// Prints the warnings of `report` the session has not shown yet.
    fn print_new_warnings(&self, report: &Report) {
        let known: BTreeSet<String> = self
            .sheet
            .as_ref()
            .map(|(_, w)| w.iter().map(|d| d.to_json().to_string()).collect())
            .unwrap_or_default();
        let new: Diagnostics =
            report.warnings.iter().filter(|d| !known.contains(&d.to_json().to_string())).cloned().collect();
        if !new.is_empty() {
            eprint!("{}", diag::render(&new, &self.base.root, &report.sources));
        }
    }

    /// Keeps the session's outputs and findings, and after a partial rebuild
    /// rewrites the proof sheet with all of them.
    fn update_sheet(&mut self, report: Report, config: &BuildConfig, changed: &[PathBuf], complete: bool) {
        let (outputs, warnings) = match self.sheet.take() {
            Some((mut outputs, old)) if !complete => {
                for o in &report.outputs {
                    match outputs.iter_mut().find(|x| x.path == o.path) {
                        Some(x) => *x = o.clone(),
                        None => outputs.push(o.clone()),
                    }
                }
                // Earlier findings stay unless the rebuild found them again
                // or their file changed (then they are current in `report`).
                let mut warnings = report.warnings.clone();
                let keys: BTreeSet<String> = warnings.iter().map(|d| d.to_json().to_string()).collect();
                warnings.extend(old.into_iter().filter(|d| {
                    !keys.contains(&d.to_json().to_string())
                        && !d.location.as_ref().is_some_and(|l| changed.iter().any(|c| c == &l.file))
                }));
                (outputs, warnings)
            }
            _ => (report.outputs.clone(), report.warnings.clone()),
        };
        if !complete {
            let sheet = Report {
                outputs: outputs.clone(),
                warnings: warnings.clone(),
                fonts: report.fonts.clone(),
                sources: report.sources.clone(),
                photo_bytes: report.photo_bytes,
                elapsed: report.elapsed,
                stages: report.stages.clone(),
                pending_previews: Vec::new(),
                worker_peak_rss_kib: Vec::new(),
            };
            if let Err(e) = crate::proof::write_index(&sheet, &config.out_dir, &config.root) {
                eprintln!(
                    "{}",
                    msg_text(&format!("无法写入校样页：{e}"), &format!("cannot write the proof sheet: {e}"))
                );
            }
        }
        self.sheet = Some((outputs, warnings));
    }
}

/// The changed files for a message: the first three, then how many more.
fn changed_list(changed: &[PathBuf]) -> String {
    let mut names: Vec<String> = changed
        .iter()
        .take(3)
        .map(|p| parts(p).join("/"))
        .map(|n| if n.is_empty() { ".".into() } else { n })
        .collect();
    if changed.len() > 3 {
        names.push(msg_text(
            &format!("等 {} 个文件", changed.len()),
            &format!("and {} more", changed.len() - 3),
        ));
    }
    names.join(" ")
}

fn msg_text(zh: &str, en: &str) -> String {
    match diag::lang() {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example project's content (the repository's `content/`).
    fn example() -> Content {
        build::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("the example loads")
    }

    fn p(path: &str) -> PathBuf {
        PathBuf::from(path)
    }

    #[test]
    fn stopped_previews_give_back_exactly_what_they_did_not_finish() {
        let out = tempfile::tempdir().expect("tempdir");
        let doc = crate::proof::tests::blank(4);
        let jobs: Vec<PendingPreviews> = (0..6)
            .filter_map(|i| {
                crate::proof::plan_previews(
                    &doc,
                    &[i],
                    out.path(),
                    &p(&format!("f{i}.pdf")),
                    crate::proof::PreviewSize::Proofreading,
                )
                .1
            })
            .collect();
        let stamps = |n: u8| out.path().join(crate::proof::PREVIEWS).join(format!("f{n}.blake3"));
        let left = Previews::start(jobs).expect("work to do").stop();
        // Whatever the timing: each output is either finished (stamped) or given back.
        for i in 0..6u8 {
            let output = out.path().join(format!("f{i}.pdf"));
            let returned = left.iter().any(|p| p.output() == output);
            assert_ne!(stamps(i).exists(), returned, "f{i}.pdf: finished and given back, or neither");
        }
        // Started again, the rest is finished.
        let rest = Previews::start(left).map(|p| p.worker.join().expect("no panic")).unwrap_or_default();
        assert!(rest.is_empty());
        assert!((0..6u8).all(|i| stamps(i).exists()));
        assert!(Previews::start(Vec::new()).is_none(), "nothing to render, no thread");
    }

    fn only(names: &[&str]) -> Flyers {
        Flyers::Only(names.iter().map(|n| (*n).to_owned()).collect())
    }

    /// The names of the townships whose file matches `pred`.
    fn townships(content: &Content, pred: impl Fn(&content::TownshipFile) -> bool) -> Flyers {
        Flyers::Only(
            content
                .townships
                .iter()
                .filter(|(_, t)| pred(t))
                .map(|(_, t)| t.township.value.clone())
                .collect(),
        )
    }

    #[test]
    fn a_township_file_rebuilds_its_flyer_only() {
        let c = example();
        assert_eq!(
            plan(&[p("content/townships/huaihe.yaml")], &c),
            Plan { flyers: only(&["淮河社区中心"]), ..Plan::default() }
        );
        // Two townships in one save: both flyers, one build.
        assert_eq!(
            plan(&[p("content/townships/huaihe.yaml"), p("content/townships/yanshan.yaml")], &c).flyers,
            only(&["淮河社区中心", "燕山乡"])
        );
        // A deleted township file: nothing is left to build.
        assert!(plan(&[p("content/townships/gone.yaml")], &c).is_empty());
    }

    #[test]
    fn an_area_file_rebuilds_the_booklet_and_the_flyers_featuring_it() {
        let c = example();
        let featuring = townships(&c, |t| t.features.iter().any(|f| f.value == "居住环境"));
        assert_eq!(
            plan(&[p("content/areas/environment.yaml")], &c),
            Plan { booklet: true, flyers: featuring, ..Plan::default() }
        );
        // No township features 交通出行: the booklet alone.
        assert_eq!(plan(&[p("content/areas/transport.yaml")], &c), Plan::booklet());
        // An area file that does not load as an area (deleted, renamed).
        assert_eq!(
            plan(&[p("content/areas/gone.yml")], &c),
            Plan { booklet: true, flyers: Flyers::All, ..Plan::default() }
        );
    }

    #[test]
    fn shared_files_rebuild_their_readers() {
        let c = example();
        assert_eq!(plan(&[p("content/booklet.yaml")], &c), Plan::booklet());
        assert_eq!(plan(&[p("content/flyer.yaml")], &c), Plan::flyers(Flyers::All));
        assert_eq!(plan(&[p("content/notice.yaml")], &c), Plan::notice());
        assert!(plan(&[p("content/campaign.yaml")], &c).is_everything());
        // A flyer and a township together: every flyer.
        assert_eq!(
            plan(&[p("content/flyer.yaml"), p("content/townships/huaihe.yaml")], &c),
            Plan::flyers(Flyers::All)
        );
        // A YAML file content is not read from.
        assert!(plan(&[p("content/notes.yaml"), p("content/areas/old/x.yaml")], &c).is_empty());
    }

    #[test]
    fn a_new_signing_date_rebuilds_everything() {
        let d = |day| Date::new(2023, 11, day).expect("a date");
        assert!(Plan::notice().dated(Some(d(1)), d(2)).is_everything());
        assert_eq!(Plan::notice().dated(Some(d(1)), d(1)), Plan::notice());
        assert_eq!(Plan::notice().dated(None, d(1)), Plan::notice());
    }

    #[test]
    fn a_photo_rebuilds_what_names_it() {
        let c = example();
        assert_eq!(plan(&[p("content/photos/huaihe.jpg")], &c), Plan::flyers(only(&["淮河社区中心"])));
        assert_eq!(plan(&[p("content/photos/cover.jpg")], &c), Plan::booklet());
        assert_eq!(plan(&[p("content/photos/education-1.jpg")], &c), Plan::booklet());
        // Named nowhere: the outputs with photos.
        assert_eq!(
            plan(&[p("content/photos/new.JPG")], &c),
            Plan { booklet: true, flyers: Flyers::All, ..Plan::default() }
        );
        // Not a photo.
        assert!(plan(&[p("content/photos/notes.txt")], &c).is_empty());
    }

    #[test]
    fn a_template_rebuilds_the_targets_using_it() {
        let c = example();
        // The notice's template sets every official document.
        assert_eq!(
            plan(&[p("templates/notice.typ")], &c),
            Plan { documents: Selection::All, ..Plan::notice() }
        );
        assert_eq!(
            plan(&[p("content/documents/city-request.yaml")], &c),
            Plan::document("city-request".into())
        );
        assert_eq!(
            plan(&[p("content/documents/data/inspection-scores.csv")], &c),
            Plan::document("inspection-bulletin".into())
        );
        assert_eq!(plan(&[p("templates/annex.typ")], &c), Plan { annex: true, ..Plan::default() });
        assert_eq!(plan(&[p("templates/booklet.typ")], &c), Plan::booklet());
        assert_eq!(plan(&[p("templates/imposed.typ")], &c), Plan::booklet());
        assert_eq!(plan(&[p("templates/card.typ")], &c), Plan::flyers(only(&["黄庄街道", "燕山乡"])));
        assert_eq!(
            plan(&[p("templates/flyer.typ")], &c),
            Plan::flyers(townships(&c, |t| flyers::layout(t) == "flyer"))
        );
        // A template no output names (a helper: its users are added by
        // `with_template_users`).
        assert!(plan(&[p("templates/poster.typ")], &c).is_empty());
    }

    #[test]
    fn fonts_rebuild_everything() {
        let c = example();
        assert!(plan(&[p("fonts/FZXBSJW.TTF")], &c).is_everything());
        assert!(plan(&[p("fonts/official/simsun.ttc")], &c).is_everything());
        assert!(plan(&[p("fonts/README.txt")], &c).is_empty());
        // A watched folder appearing.
        assert!(plan(&[p("fonts")], &c).is_everything());
    }

    #[test]
    fn editor_files_and_outputs_are_not_changes() {
        let c = example();
        for path in [
            "content/areas/environment.yaml~",
            "content/areas/.environment.yaml.swp",
            "content/areas/.environment.yaml.swx",
            "content/areas/4913",
            "content/areas/.#environment.yaml",
            "content/areas/#environment.yaml#",
            "content/areas/environment.yaml.tmp",
            "content/areas/environment.yaml___jb_tmp___",
            "content/areas/.goutputstream-ABC123",
            "content/townships/.~lock.huaihe.yaml#",
            "content/photos/.DS_Store",
            "content/output/notice.pdf",
            "output/booklet.pdf",
            ".cache/pressroom/abc.jpg",
            "templates/.flyer.typ.swp",
            "README.md",
            "pressroom.yaml",
        ] {
            assert!(!relevant(Path::new(path)), "{path} counted as a change");
            assert!(plan(&[p(path)], &c).is_empty(), "{path} rebuilds something");
        }
        assert!(relevant(Path::new("content/areas/environment.yaml")));
        assert!(relevant(Path::new("content/photos/a.jpeg")));
        assert!(!is_temporary("2023.jpg"));
    }

    #[test]
    fn templates_naming_a_changed_helper_are_added() {
        let dir = tempfile::tempdir().expect("tempdir");
        let t = dir.path().join("templates");
        std::fs::create_dir_all(&t).expect("templates");
        std::fs::write(t.join("helper.typ"), "#let x = 1").expect("write");
        std::fs::write(t.join("parts.typ"), "#import \"helper.typ\": x").expect("write");
        std::fs::write(t.join("card.typ"), "#import \"/templates/parts.typ\": *").expect("write");
        std::fs::write(t.join("notice.typ"), "#image(\"logo.png\")").expect("write");
        let mut got = with_template_users(&[p("templates/helper.typ")], dir.path());
        got.sort();
        assert_eq!(got, [p("templates/card.typ"), p("templates/helper.typ"), p("templates/parts.typ")]);
        let got = with_template_users(&[p("templates/logo.png")], dir.path());
        assert_eq!(got, [p("templates/logo.png"), p("templates/notice.typ")]);
        // Nothing under templates/: nothing read, nothing added.
        assert_eq!(with_template_users(&[p("content/flyer.yaml")], dir.path()), [p("content/flyer.yaml")]);
    }

    #[test]
    fn a_plan_narrows_the_build() {
        let base = BuildConfig::new("/project");
        let config = Plan { booklet: true, flyers: only(&["燕山乡"]), ..Plan::default() }.config(&base);
        assert_eq!(config.targets, [Target::Booklet, Target::Flyers]);
        assert_eq!(config.only, ["燕山乡"]);
        let config = Plan::everything().config(&base);
        assert_eq!(config.targets, Target::ALL);
        assert!(config.only.is_empty());
        let mut f = only(&["a"]);
        f.add(Flyers::None);
        assert_eq!(f, only(&["a"]));
        f.add(only(&["b"]));
        assert_eq!(f, only(&["a", "b"]));
        f.add(Flyers::All);
        assert_eq!(f, Flyers::All);
    }
}
