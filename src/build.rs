//! The build pipeline, top to bottom: load content → render text → resolve
//! fonts → typeset each target → write outputs atomically.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use typst_layout::PagedDocument;

use crate::content::{self, Content, Sources};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::msg;
use crate::render::Renderer;
use crate::targets::media::Media;
use crate::targets::{Target, annex, booklet, flyers, imposition, notice};
use crate::typeset::fonts::{self, FontOptions, FontSet, RoleFonts};
use crate::typeset::world::Engine;
use crate::typeset::{self, datetime};

/// Everything a build needs to know, validated once.
#[derive(Clone, Debug)]
pub struct BuildConfig {
    /// The project folder.
    pub root: PathBuf,
    /// Where outputs go.
    pub out_dir: PathBuf,
    /// What to build.
    pub targets: Vec<Target>,
    /// Where fonts come from.
    pub fonts: FontOptions,
    /// Photo resolution in dots per inch at the placed size.
    pub dpi: f64,
    /// Build only these townships' flyers (by name or file stem) and these
    /// documents (by file stem); all when empty.
    pub only: Vec<String>,
    /// Show a progress bar (only when standard error is a terminal).
    pub progress: bool,
    /// Workers for batches of documents: threads, or processes for large
    /// batches of flyers (with `worker_program`).
    pub jobs: usize,
    /// Draft: the notice may lack its sequence number and is marked 草稿.
    pub draft: bool,
    /// Write each official document also as DOCX, beside its PDF.
    pub docx: bool,
    /// Write an OFD beside each official document's PDF.
    pub ofd: bool,
    /// Also write the print shop's files (bleed, crop marks, CMYK) of the
    /// booklet and flyers under `output/print/`.
    pub print: bool,
    /// Final: every output is built as it will be printed or fails; a
    /// notice without its number or a file still holding an earlier year's
    /// facts stops the build instead of being skipped or drafted.
    pub final_build: bool,
    /// Render PNG previews of every page for the proof sheet. Rendering
    /// costs more than typesetting, so large batches and scripts may skip it.
    pub previews: bool,
    /// With `previews`: name the previews but leave rendering them to the
    /// caller ([`Report::pending_previews`]), as `watch` does while it
    /// waits for the next change (those of the first 64 outputs; the rest
    /// are rendered during the build).
    pub defer_previews: bool,
    /// Flyers' previews at proofreading size even in a batch (by default
    /// a batch of flyers gets the proof sheet's thumbnails only).
    pub full_previews: bool,
    /// A program that serves [`crate::workers::WORKER_ARG`] (a pressroom
    /// binary that calls [`crate::workers::serve_if_asked`] first): with
    /// it, large batches of flyers are typeset by `jobs` worker processes
    /// instead of threads (see [`crate::workers`]).
    pub worker_program: Option<PathBuf>,
}

impl BuildConfig {
    /// A configuration with defaults for everything but the project.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        Self {
            out_dir: root.join("output"),
            root,
            targets: Target::ALL.to_vec(),
            fonts: FontOptions { paths: Vec::new(), system: true },
            dpi: 300.0,
            only: Vec::new(),
            progress: false,
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()).min(8),
            draft: false,
            final_build: false,
            docx: true,
            ofd: false,
            print: false,
            previews: true,
            defer_previews: false,
            full_previews: false,
            worker_program: None,
        }
    }

    /// Where downsampled photos are kept between builds.
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join(".cache").join("pressroom")
    }
}

/// Why a build stopped.
#[derive(Debug)]
pub struct Failure {
    /// Problems with content or templates (exit 1) or the environment (exit 2).
    pub kind: FailureKind,
    /// What went wrong.
    pub diags: Diagnostics,
    /// File texts, to quote in the report.
    pub sources: Sources,
}

/// The class of a failure, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The content or templates have problems.
    Content,
    /// Something outside the content is wrong (fonts, file system), or the
    /// command line asks for something that does not exist.
    Environment,
}

/// One file written.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Output {
    /// Its path.
    pub path: PathBuf,
    /// Number of pages (0 for files that have none).
    pub pages: usize,
    /// Size in bytes.
    pub bytes: usize,
    /// Page previews (PNG), relative to the output folder.
    pub previews: Vec<PathBuf>,
    /// Whether the previews are the proof sheet's thumbnails only
    /// ([`crate::proof::PreviewSize::Thumbnail`]).
    pub thumbnails: bool,
}

/// How many outputs' previews a build defers at most (`defer_previews`).
const DEFER_AT_MOST: usize = 64;

/// What a successful build did.
#[derive(Debug)]
pub struct Report {
    /// Files written.
    pub outputs: Vec<Output>,
    /// Warnings found on the way.
    pub warnings: Diagnostics,
    /// The font serving each role.
    pub fonts: RoleFonts,
    /// Texts of content files, to quote warnings.
    pub sources: Sources,
    /// Total bytes of the downsampled photos placed.
    pub photo_bytes: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Wall time of each stage, in the order they ran.
    pub stages: Vec<(&'static str, Duration)>,
    /// Previews named in `outputs` but not rendered yet (with
    /// `defer_previews`).
    pub pending_previews: Vec<crate::proof::PendingPreviews>,
    /// Peak resident memory of each worker process, in KiB (empty when the
    /// build used none).
    pub worker_peak_rss_kib: Vec<u64>,
}

/// Stage times of a build, for `--json` and for finding where time goes.
struct Stages {
    last: Instant,
    done: Vec<(&'static str, Duration)>,
}

impl Stages {
    fn new() -> Self {
        Self { last: Instant::now(), done: Vec::new() }
    }

    /// Ends the stage `name`, which ran since the previous one ended.
    fn end(&mut self, name: &'static str) {
        let now = Instant::now();
        self.done.push((name, now - self.last));
        self.last = now;
    }
}

/// A typeset notice, ready to export.
pub struct TypesetNotice {
    /// The pages.
    pub document: PagedDocument,
    /// The data the template received.
    pub data: serde_json::Value,
    /// Warnings from rendering and typesetting.
    pub warnings: Diagnostics,
    /// The font serving each role.
    pub fonts: RoleFonts,
}

/// Loads content, or fails with every problem found.
pub fn load(root: &Path) -> Result<Content, Failure> {
    load_for(root, &[])
}

impl BuildConfig {
    /// A build of every target ([`Target::ALL`]) makes those the project
    /// has: a project of documents alone has no notice, booklet or flyers to
    /// fail on. Targets asked for by name stay, and fail when missing.
    fn for_project(&self, content: &Content) -> BuildConfig {
        let mut config = self.clone();
        if config.targets == Target::ALL {
            let has_campaign_tables = content.campaign.leading_group.is_some()
                || !content.campaign.areas.is_empty()
                || !content.campaign.phases.is_empty();
            config.targets.retain(|t| match t {
                Target::Notice => content.notice.is_some(),
                Target::Documents => true,
                Target::Annex => has_campaign_tables,
                Target::Booklet => content.booklet.is_some(),
                Target::Flyers => content.flyer.is_some() || !content.townships.is_empty(),
            });
        }
        config
    }
}

/// [`load`] for a build of the flyers of `only` (all when empty): of the
/// township files, only theirs are read (see [`content::load_townships`]).
fn load_for(root: &Path, only: &[String]) -> Result<Content, Failure> {
    // Names of documents select documents, not townships.
    let documents = content::document_stems(root);
    let townships: Vec<String> = only.iter().filter(|o| !documents.contains(o)).cloned().collect();
    content::load_townships(root, &townships).map_err(|(diags, sources)| Failure {
        kind: FailureKind::Content,
        diags,
        sources,
    })
}

/// Runs the whole build described by `config`: load and check content,
/// prepare each target's data (text rendered, photos downsampled), resolve
/// fonts once, typeset every document, write each file atomically.
pub fn build(config: &BuildConfig) -> Result<Report, Failure> {
    build_with_fonts(config, &std::sync::Arc::new(FontSet::discover(&config.root, &config.fonts)))
}

/// [`build`] with fonts found earlier (by `FontSet::discover` with the
/// project and `config.fonts`), for processes that build repeatedly.
pub fn build_with_fonts(config: &BuildConfig, fonts: &std::sync::Arc<FontSet>) -> Result<Report, Failure> {
    let started = Instant::now();
    let mut stages = Stages::new();
    crate::render::title::load_dictionary_in_background();
    let mut content = load_for(&config.root, &config.only)?;
    stages.end("load");
    // A plain build (every target) builds what it can; an output asked for
    // by name must be built or the build fails.
    let plain = config.targets == Target::ALL && !config.final_build;
    let mut config = config.for_project(&content);
    let fail = |kind, diags| Failure { kind, diags, sources: content.sources.clone() };
    let engine = Engine::new(&config.root, fonts.clone(), &config.cache_dir())
        .map_err(|e| io_failure(&config.root, &e, &content.sources))?;
    stages.end("engine");
    // Temporary files left by an interrupted earlier run go, wherever this
    // build writes.
    for dir in [
        config.out_dir.clone(),
        config.out_dir.join("flyers"),
        config.out_dir.join(PRINT_DIR),
        config.out_dir.join(PRINT_DIR).join("flyers"),
        config.out_dir.join("annex"),
        config.out_dir.join("documents"),
        config.out_dir.join(crate::proof::PREVIEWS),
        config.cache_dir(),
    ] {
        crate::output::clean_stale(&dir);
    }

    // The official-style lint: its errors stop the build, its warnings are
    // reported with the others.
    let lint_config =
        crate::lint::load_config(&config.root).map_err(|d| fail(FailureKind::Content, vec![d]))?;
    // Every text of every output is rendered up front, so one run reports
    // all template mistakes, whichever outputs were asked for.
    // (Photos are checked by the outputs that place them.)
    let mut texts = check_texts(&content, config.jobs);
    texts.retain(|d| d.code != "content/image");
    if texts.iter().any(Diagnostic::is_error) {
        return Err(fail(FailureKind::Content, texts));
    }
    let mut lint = crate::lint::lint(&content, &lint_config);
    let mut skipped: Vec<String> = Vec::new();
    let mut skipped_files: Vec<PathBuf> = Vec::new();
    let mut notice_waits = false;
    // A final document is never printed without its document number: the
    // notice's when the notice is built, a document's when it is.
    if !config.draft {
        let built = |file: &Path| {
            if file == Path::new(content::NOTICE_FILE) {
                return config.targets.contains(&Target::Notice);
            }
            let names = document_names(&content);
            let chosen = config.only.iter().any(|o| names.contains(o));
            config.targets.contains(&Target::Documents) && (!chosen || config.only.contains(&stem(file)))
        };
        let names = document_names(&content);
        let named = |file: &Path| config.only.contains(&stem(file));
        for d in content.warnings.iter().filter(|d| d.code == "content/no-sequence") {
            let Some(file) = d.location.as_ref().map(|l| l.file.clone()) else { continue };
            if !built(&file) {
                continue;
            }
            // A document among all the others, or the notice in a plain
            // build, waits for its number while the rest is built; the notice
            // or a document asked for by name fails.
            let notice = file == Path::new(content::NOTICE_FILE);
            let document = names.contains(&stem(&file)) && !notice;
            if (document && !named(&file) && !config.final_build) || (notice && plain) {
                let output =
                    if notice { "notice.pdf".to_owned() } else { format!("documents/{}.pdf", stem(&file)) };
                if notice {
                    notice_waits = true;
                } else {
                    skipped.push(stem(&file));
                }
                skipped_files.push(file.clone());
                lint.push(
                    Diagnostic::warning(
                        "build/skipped-no-number",
                        msg!(
                            "未生成 {}：还没有发文序号（number.sequence）",
                            "{} not built: it has no sequence number yet (number.sequence)",
                            output
                        ),
                    )
                    .at(d.location.clone().unwrap_or_else(|| crate::diag::Location::file(&file)))
                    .hint(msg!(
                        "填写序号后再生成；草稿可用 pressroom build --draft。",
                        "fill in the number, then build; for a draft use pressroom build --draft."
                    )),
                );
            } else {
                lint.push(Diagnostic { severity: crate::diag::Severity::Error, ..d.clone() });
            }
        }
    }
    if config.final_build {
        lint.extend(not_final(&config, &content));
    }
    if lint.iter().any(Diagnostic::is_error) {
        return Err(fail(FailureKind::Content, lint));
    }
    if notice_waits {
        config.targets.retain(|t| *t != Target::Notice);
    }
    let config = &config;
    stages.end("check");
    let mut prepared = prepare(config, &content, &engine, &skipped)?;
    // A document left out for want of its number is reported once, by the
    // warning that says it was not built.
    prepared.warnings.retain(|d| {
        d.code != "content/no-sequence"
            || !d.location.as_ref().is_some_and(|l| skipped_files.contains(&l.file))
    });
    stages.end("data");
    prepared.warnings.extend(lint);
    for path in &engine.fonts().skipped {
        prepared.warnings.push(Diagnostic::warning(
            "fonts/outside",
            msg!(
                "fonts/ 中的 {} 指向项目之外，未使用",
                "{} in fonts/ leads outside the project and was not used",
                path.display()
            ),
        ));
    }
    let fonts = resolve_fonts(&engine, &content, &prepared.needs)?;
    stages.end("fonts");
    // Everything about the township files is checked: typesetting parses
    // each one again, so memory does not grow with their number.
    content.release_townships();
    let fail = |kind, diags| Failure { kind, diags, sources: content.sources.clone() };
    let press = if config.print && (prepared.booklet.is_some() || !prepared.flyers.is_empty()) {
        Some(Press::for_project(&content).map_err(|d| fail(FailureKind::Environment, vec![d]))?)
    } else {
        None
    };
    let mut run = Run {
        config,
        content: &content,
        engine: &engine,
        press,
        fonts,
        outputs: Vec::new(),
        warnings: prepared.warnings,
        deferred: crate::proof::Deferred::new(DEFER_AT_MOST),
        worker_rss: Vec::new(),
    };
    let date = pdf_date(&content);
    if let Some(data) = prepared.notice {
        let typeset = typeset_notice_data(&content, &engine, data, &run.fonts)?;
        run.warnings.extend(typeset.warnings);
        let pdf = typeset::export_pdf(&typeset.document, "pressroom-notice", date)
            .map_err(|d| fail(FailureKind::Content, d))?;
        run.write(config.out_dir.join("notice.pdf"), &pdf, Some(&typeset.document))?;
        if config.docx {
            run.docx(config.out_dir.join("notice.docx"), &typeset.data, date)?;
        }
        if config.ofd {
            run.ofd(
                config.out_dir.join("notice.ofd"),
                &typeset.document,
                &typeset.data,
                "pressroom-notice",
                date,
            )?;
        }
        stages.end("notice");
    }
    if !prepared.documents.is_empty() {
        run.documents(prepared.documents)?;
        stages.end("documents");
    }
    if config.targets.contains(&Target::Annex) {
        run.annex()?;
        stages.end("annex");
    }
    if let Some(data) = prepared.booklet {
        run.booklet(data)?;
        stages.end("booklet");
    }
    if !prepared.flyers.is_empty() {
        run.flyers(prepared.flyers)?;
        stages.end("flyers");
    }
    let pending_previews = run.deferred.into_pending();
    let (outputs, warnings, fonts, worker_rss) = (run.outputs, run.warnings, run.fonts, run.worker_rss);
    let report = Report {
        outputs,
        warnings,
        fonts,
        // Moved, not copied: a district's thousands of township files are
        // tens of megabytes of text.
        sources: std::mem::take(&mut content.sources),
        photo_bytes: prepared.photo_bytes,
        elapsed: started.elapsed(),
        stages: stages.done,
        pending_previews,
        worker_peak_rss_kib: worker_rss,
    };
    // The proof sheet lists what this build wrote.
    let index = config.out_dir.join(crate::proof::INDEX);
    crate::proof::write_index(&report, &config.out_dir, &config.root)
        .map_err(|e| io_failure(&index, &e, &report.sources))?;
    Ok(report)
}

/// The exact data the template of `target` receives (for a township's
/// flyer when `config.only` names one; else the first township's), for
/// people customising a template: `pressroom data <target>`.
pub fn template_data(config: &BuildConfig, target: Target) -> Result<serde_json::Value, Failure> {
    let content = load_for(&config.root, &config.only)?;
    let font_set = FontSet::discover(&config.root, &config.fonts);
    let engine = Engine::new(&config.root, font_set, &config.cache_dir())
        .map_err(|e| io_failure(&config.root, &e, &content.sources))?;
    let mut config = config.clone();
    config.targets = vec![target];
    let prepared = prepare(&config, &content, &engine, &[])?;
    let fonts = resolve_fonts(&engine, &content, &prepared.needs)?.to_json();
    let mut data = match target {
        Target::Notice => prepared.notice.unwrap_or_default(),
        Target::Documents => {
            // The document `--only` names, else the first.
            let mut jobs = prepared.documents;
            let at = jobs.iter().position(|j| config.only.contains(&j.name)).unwrap_or(0);
            if jobs.is_empty() { serde_json::Value::default() } else { jobs.swap_remove(at).data }
        }
        Target::Booklet => prepared.booklet.unwrap_or_default(),
        Target::Flyers => match prepared.flyers.first() {
            Some(job) => {
                let renderer = Renderer::new(&content.campaign, &content.sources);
                flyer_data(&config, &content, job, &renderer, &config.cache_dir()).unwrap_or_default()
            }
            None => serde_json::Value::default(),
        },
        Target::Annex => {
            let mut r = Renderer::new(&content.campaign, &content.sources);
            json!({ "office": content.campaign.office(), "tables": annex::all(&content, &mut r) })
        }
    };
    if let Some(map) = data.as_object_mut() {
        map.insert("fonts".into(), fonts);
        if matches!(target, Target::Notice | Target::Documents) {
            map.insert("imprint_mode".into(), json!("here"));
        }
    }
    Ok(data)
}

/// Renders every text of every target (without typesetting or touching
/// photos beyond checking they exist), so `check` finds template mistakes
/// in texts that only one output prints.
/// Township flyers are rendered on `threads` threads.
pub fn check_texts(content: &Content, threads: usize) -> Diagnostics {
    let mut r = Renderer::new(&content.campaign, &content.sources);
    // The townships' flyers first, on threads, while the title dictionary
    // (which the notice needs) may still be loading; the findings are
    // joined in the order of one pass that renders flyers last.
    let mut flyer_diags = Vec::new();
    if content.flyer.is_some() {
        flyer_diags = crate::batch::chunks(threads, &content.townships, |townships| {
            let (mut r, mut media) = (r.fork(), Media::dry(&content.root, &content.sources));
            let errors: Diagnostics = townships
                .iter()
                .filter_map(|(path, t)| flyers::data(content, &mut r, &mut media, path, t).err())
                .collect();
            (errors, r.diags, media.errors)
        });
    }
    let mut media = Media::dry(&content.root, &content.sources);
    let mut diags = Diagnostics::new();
    let _ = notice::data(content, &mut r);
    for (path, doc) in &content.documents {
        let _ = notice::document(content, &mut r, &path.to_string_lossy(), doc);
    }
    let _ = annex::all(content, &mut r);
    if content.booklet.is_some()
        && let Err(d) = booklet::data(content, &mut r, &mut media)
    {
        diags.push(d);
    }
    let (mut rendered, mut photos) = (Diagnostics::new(), Diagnostics::new());
    for (errors, r_diags, media_errors) in flyer_diags {
        diags.extend(errors);
        rendered.extend(r_diags);
        photos.extend(media_errors);
    }
    diags.append(&mut r.diags);
    diags.append(&mut rendered);
    diags.append(&mut media.errors);
    diags.append(&mut photos);
    // The same mistake in a text rendered twice is one finding.
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert((d.code, d.location.as_ref().map(|l| (l.file.clone(), l.line, l.column)))));
    diags
}

/// Each target's data, before typesetting.
struct Prepared {
    notice: Option<serde_json::Value>,
    documents: Vec<DocumentJob>,
    booklet: Option<serde_json::Value>,
    flyers: Vec<FlyerJob>,
    needs: fonts::Needs,
    warnings: Diagnostics,
    photo_bytes: u64,
}

/// A flyer's data, made again as in `prepare` (photos come from the cache
/// that made them there).
fn flyer_data(
    config: &BuildConfig,
    content: &Content,
    job: &FlyerJob,
    renderer: &Renderer<'_>,
    cache: &Path,
) -> Result<serde_json::Value, Diagnostics> {
    let t = township_file(content, &job.path)?;
    let mut r = renderer.fork();
    let mut media = Media::new(&config.root, cache, config.dpi, &content.sources);
    let data = flyers::data(content, &mut r, &mut media, &job.path, &t).map_err(|d| vec![d])?;
    let mut errors = r.diags;
    errors.append(&mut media.errors);
    if errors.is_empty() { Ok(data) } else { Err(errors) }
}

/// The township file of a flyer job, parsed again (it parsed at load, from
/// the same text).
fn township_file(content: &Content, path: &Path) -> Result<crate::content::TownshipFile, Diagnostics> {
    content.township_file(path).ok_or_else(|| {
        vec![
            Diagnostic::error(
                "content/unreadable",
                msg!("无法再次读取乡街文件", "the township file could not be read again"),
            )
            .at(Location::file(path)),
        ]
    })
}

/// An official document of `content/documents/` to typeset.
struct DocumentJob {
    /// Its file stem: the output's name.
    name: String,
    data: serde_json::Value,
    /// Its attachment tables, by attachment number.
    tables: Vec<(usize, annex::Table)>,
}

/// The names of a project's documents (file stems), in file order.
pub fn document_names(content: &Content) -> Vec<String> {
    content.documents.iter().map(|(p, _)| stem(p)).collect()
}

fn stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// A flyer to typeset. Its data is made again by the worker that typesets
/// it: holding the data of thousands of flyers at once made memory grow
/// with the count.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct FlyerJob {
    name: String,
    layout: String,
    /// The township's file (parsed again from its text by the worker).
    path: PathBuf,
}

/// `skipped`: documents not to build (waiting for their number).
fn prepare(
    config: &BuildConfig,
    content: &Content,
    engine: &Engine,
    skipped: &[String],
) -> Result<Prepared, Failure> {
    let mut r = Renderer::new(&content.campaign, &content.sources);
    let cache = config.cache_dir();
    // Photos first, all at once on worker threads: downsampling phone
    // photos one by one made a booklet's first build several seconds longer.
    let mut planner = Media::planning(&config.root, &cache, config.dpi, &content.sources);
    if config.targets.contains(&Target::Booklet) {
        let _ = booklet::data(content, &mut r.fork(), &mut planner);
    }
    if config.targets.contains(&Target::Flyers) {
        for (path, t) in &content.townships {
            if t.photo.is_some()
                && (config.only.is_empty() || config.only.iter().any(|o| content::names_township(o, path, t)))
            {
                let _ = flyers::data(content, &mut r.fork(), &mut planner, path, t);
            }
        }
    }
    planner.prepare_planned(config.jobs);
    let mut media = Media::new(&config.root, &cache, config.dpi, &content.sources);
    let mut errors = Diagnostics::new();
    let wants = |t| config.targets.contains(&t);

    // The notice's data always exists: its text feeds the font needs of
    // every role, and its date is the date of every output.
    if wants(Target::Notice) && content.notice.is_none() {
        errors.push(
            Diagnostic::error(
                "content/no-notice",
                msg!(
                    "项目中没有 {}，无法生成通知",
                    "the project has no {}, so there is no notice",
                    content::NOTICE_FILE
                ),
            )
            .at(crate::diag::Location::file(Path::new(content::NOTICE_FILE)))
            .hint(msg!(
                "公文放在 content/documents/ 中时，用 pressroom build documents。",
                "for documents in content/documents/, use pressroom build documents."
            )),
        );
    }
    let mut notice = notice::data(content, &mut r);
    notice["draft"] = json!(config.draft);
    let mut needs = notice::font_needs(&notice);
    let mut documents = Vec::new();
    if wants(Target::Documents) {
        let names = document_names(content);
        let chosen: Vec<&String> = config.only.iter().filter(|o| names.contains(o)).collect();
        for (path, doc) in &content.documents {
            let name = stem(path);
            if (!chosen.is_empty() && !chosen.contains(&&name)) || skipped.contains(&name) {
                continue;
            }
            let d = notice::document(content, &mut r, &path.to_string_lossy(), doc);
            let mut data = d.data;
            data["draft"] = json!(config.draft);
            for (role, chars) in notice::font_needs(&data) {
                needs.entry(role).or_default().extend(chars);
            }
            documents.push(DocumentJob { name, data, tables: d.tables });
        }
    }
    let booklet = if wants(Target::Booklet) {
        match booklet::data(content, &mut r, &mut media) {
            Ok(data) => Some(data),
            Err(d) => {
                errors.push(d);
                None
            }
        }
    } else {
        None
    };
    let mut flyers = Vec::new();
    if wants(Target::Flyers) {
        let selected: Vec<&(PathBuf, crate::content::TownshipFile)> = content
            .townships
            .iter()
            .filter(|(path, t)| {
                config.only.is_empty() || config.only.iter().any(|o| content::names_township(o, path, t))
            })
            .collect();
        let names: Vec<&str> = content.townships.iter().map(|(_, t)| t.township.value.as_str()).collect();
        let documents = document_names(content);
        let unknown: Vec<Diagnostic> = config
            .only
            .iter()
            .filter(|o| !documents.contains(o))
            .filter(|o| !content.townships.iter().any(|(path, t)| content::names_township(o, path, t)))
            .map(|only| {
                Diagnostic::error(
                    "usage/unknown-township",
                    msg!("没有名为“{}”的乡街文件", "no township file for “{}”", only),
                )
                .hint(match crate::diag::did_you_mean(only, names.iter().copied()) {
                    Some(s) => msg!("您是否想写“{}”？", "did you mean “{}”?", s),
                    None => msg!("可用：{}", "available: {}", names.join("、")),
                })
            })
            .collect();
        if !unknown.is_empty() {
            // A usage error (exit 2), reported alone.
            return Err(Failure {
                kind: FailureKind::Environment,
                sources: content.sources.clone(),
                diags: unknown,
            });
        }
        // On threads, in consecutive parts joined in order: the same
        // findings, in the same order, as one pass.
        let parts = crate::batch::chunks(config.jobs, &selected, |townships| {
            let (mut r, mut media) =
                (r.fork(), Media::new(&config.root, &cache, config.dpi, &content.sources));
            let mut needs = fonts::Needs::new();
            let jobs: Vec<Result<FlyerJob, Diagnostic>> = townships
                .iter()
                .map(|(path, t)| {
                    let job = flyer_job(content, engine, path, t)?;
                    // Made here to find every problem and character up
                    // front, then dropped (see `FlyerJob`).
                    let data = flyers::data(content, &mut r, &mut media, path, t)?;
                    for role in [fonts::Role::Song, fonts::Role::Hei, fonts::Role::Kai, fonts::Role::Mark] {
                        notice::collect_chars(&data, needs.entry(role).or_default());
                    }
                    Ok(job)
                })
                .collect();
            (jobs, needs, r.diags, media)
        });
        for (jobs, part_needs, mut diags, mut part_media) in parts {
            for job in jobs {
                match job {
                    Ok(job) => flyers.push(job),
                    Err(d) => errors.push(d),
                }
            }
            for (role, chars) in part_needs {
                needs.entry(role).or_default().extend(chars);
            }
            r.diags.append(&mut diags);
            media.warnings.append(&mut part_media.warnings);
            media.errors.append(&mut part_media.errors);
            media.bytes += part_media.bytes;
        }
    }
    errors.append(&mut r.diags);
    errors.append(&mut media.errors);
    if !errors.is_empty() {
        return Err(Failure { kind: FailureKind::Content, diags: errors, sources: content.sources.clone() });
    }
    // Booklets (and flyers, above) set their text in every role but the
    // notice's.
    if let Some(data) = &booklet {
        for role in [fonts::Role::Song, fonts::Role::Hei, fonts::Role::Kai, fonts::Role::Mark] {
            notice::collect_chars(data, needs.entry(role).or_default());
        }
    }
    let mut warnings = content.warnings.clone();
    warnings.append(&mut media.warnings);
    Ok(Prepared {
        notice: wants(Target::Notice).then_some(notice),
        documents,
        booklet,
        flyers,
        needs,
        warnings,
        photo_bytes: media.bytes,
    })
}

/// A township's flyer job, or the error of a layout that does not exist.
fn flyer_job(
    content: &Content,
    engine: &Engine,
    path: &Path,
    t: &crate::content::TownshipFile,
) -> Result<FlyerJob, Diagnostic> {
    let layout = flyers::layout(t).to_owned();
    if !engine.has_template(&format!("{layout}.typ"))
        || !layout.chars().all(|c| c.is_ascii_lowercase() || c == '-')
    {
        let mut d = Diagnostic::error(
            "content/unknown-layout",
            msg!("没有名为“{}”的传单版式", "there is no flyer layout “{}”", layout),
        )
        .hint(msg!(
            "可用：flyer（A4 双面传单）、card（明白卡），或项目 templates/ 中自己的版式。",
            "use flyer (two-sided A4), card (明白卡), or a layout of the project's templates/."
        ));
        if let Some(l) = &t.layout {
            d = d.at(content.sources.locate(path, &l.referenced));
        }
        return Err(d);
    }
    Ok(FlyerJob { name: t.township.value.clone(), layout, path: path.to_owned() })
}

/// In a final build, the files still holding an earlier year's facts that
/// an output to be built prints: each an error naming the file and its
/// owner (their `content/not-updated` warnings say the same at the line).
fn not_final(config: &BuildConfig, content: &Content) -> Diagnostics {
    let wants = |t| config.targets.contains(&t);
    let flyer_of = |path: &Path, t: &content::TownshipFile| {
        config.only.is_empty() || config.only.iter().any(|o| content::names_township(o, path, t))
    };
    let townships: Vec<_> = if wants(Target::Flyers) {
        content.townships.iter().filter(|(p, t)| flyer_of(p, t)).collect()
    } else {
        Vec::new()
    };
    let mut stale: Vec<(&Path, Option<&serde_saphyr::Spanned<i32>>)> = Vec::new();
    for (path, a) in content.stale_areas() {
        let featured = townships.iter().any(|(_, t)| t.features.iter().any(|f| f.value == a.area.value));
        if wants(Target::Booklet) || featured {
            stale.push((path, a.updated_for.as_ref()));
        }
    }
    for (path, t) in townships {
        if content.stale(t.updated_for.as_ref()) {
            stale.push((path, t.updated_for.as_ref()));
        }
    }
    let year = content.campaign.year().unwrap_or_default();
    // Three with their lines; the rest (a new year of hundreds of townships)
    // named in one error.
    let rest: Vec<String> = stale
        .iter()
        .skip(3)
        .map(|(p, _)| format!("{}（{}）", p.display(), content::validate::owner(content, p)))
        .collect();
    stale.truncate(3);
    let mut errors: Diagnostics = stale
        .into_iter()
        .map(|(path, updated)| {
            let mut d = Diagnostic::error(
                "build/not-updated",
                msg!(
                    "不能定稿：尚未按 {} 年度核对更新（负责：{}）",
                    "not final: not yet updated for {} (owner: {})",
                    year,
                    content::validate::owner(content, path)
                ),
            )
            .hint(msg!(
                "核对后把 updated_for 改为 {}；校样可先用不带 --final 的 pressroom build（印为草稿）。",
                "once checked, change updated_for to {}; for proofs run pressroom build without --final (printed as drafts).",
                year
            ));
            if let Some(u) = updated {
                d = d.at(content.sources.locate(path, &u.referenced));
            }
            d
        })
        .collect();
    if !rest.is_empty() {
        errors.push(
            Diagnostic::error(
                "build/not-updated",
                crate::diag::Msg::new(
                    format!("不能定稿：另有 {} 个文件尚未按 {year} 年度核对更新：{}", rest.len(), rest.join("、")),
                    format!("not final: {} more files are not yet updated for {year}: {}", rest.len(), rest.join(", ")),
                ),
            )
            .hint(msg!(
                "核对后把各文件的 updated_for 改为 {}；核对清单 new-year-review.md 列出全部文件。",
                "once checked, change each file's updated_for to {}; the review list new-year-review.md names them all.",
                year
            )),
        );
    }
    errors
}

/// The line pitches, as fractions of the grid's, tried in turn when the
/// signature does not fit under the text (K3): closer than 0.8 reads as
/// crowded, and then the last paragraph goes with the signature instead.
const SQUEEZE: [f64; 4] = [0.95, 0.9, 0.85, 0.8];

/// A build in progress: where outputs go and what has been written.
/// The print shop's requirements for this build.
struct Press {
    profile: crate::typeset::press::Profile,
    /// Bleed in millimetres.
    bleed: f64,
}

/// The folder of `output/` that holds the print shop's files.
pub const PRINT_DIR: &str = "print";
/// Room outside the bleed for crop marks and the slug line, in millimetres.
const MARKS_MM: f64 = 10.0;
/// Paper thickness for creep when the content gives none (about 110 g/m²
/// coated, what booklets are usually printed on).
const DEFAULT_CALIPER_MM: f64 = 0.1;

impl Press {
    fn for_project(content: &Content) -> Result<Self, Diagnostic> {
        use crate::typeset::press::{PROFILE_ENV, Profile, SYSTEM_PROFILE};
        let spec = content.campaign.print.as_ref();
        let named = spec.and_then(|p| p.profile.as_ref());
        let project = match named {
            Some(t) => Some(crate::content::assets::project_file(&content.root, &t.value).map_err(|m| {
                Diagnostic::error("print/profile", m)
                    .at(content.sources.locate(Path::new(content::CAMPAIGN_FILE), &t.referenced))
            })?),
            None => None,
        };
        let profile = Profile::find(project.as_deref()).map_err(|e| {
            let d = Diagnostic::error("print/profile", e.message()).hint(msg!(
                "在 campaign.yaml 的 print.profile 写上印刷厂给的 CMYK 特性文件（.icc），或设置环境变量 {}，或安装 Debian 的 libgs-common（提供 {}）。",
                "name the print shop's CMYK profile (.icc) as print.profile in campaign.yaml, set {}, or install Debian's libgs-common (which provides {}).",
                PROFILE_ENV,
                SYSTEM_PROFILE
            ));
            match named {
                Some(t) => d.at(content.sources.locate(Path::new(content::CAMPAIGN_FILE), &t.referenced)),
                None => d,
            }
        })?;
        let bleed = spec.and_then(|p| p.bleed.as_ref()).map_or(booklet::DEFAULT_BLEED, |b| b.value);
        Ok(Self { profile, bleed })
    }

    /// The `print` part of a template's data for the file `name`.
    fn data(&self, name: &str, date: crate::content::date::Date) -> serde_json::Value {
        json!({
            "bleed": self.bleed,
            "marks": MARKS_MM,
            "slug": format!("{name} · {:04}-{:02}-{:02} · {}", date.year, date.month, date.day, self.profile.description),
        })
    }
}

/// The booklet paper's thickness in millimetres, for creep.
fn caliper(content: &Content) -> f64 {
    let spec = content.campaign.print.as_ref();
    match (spec.and_then(|p| p.caliper.as_ref()), spec.and_then(|p| p.paper_weight.as_ref())) {
        (Some(c), _) => c.value,
        (None, Some(w)) => crate::typeset::press::caliper_from_weight(w.value),
        _ => DEFAULT_CALIPER_MM,
    }
}

struct Run<'a> {
    config: &'a BuildConfig,
    content: &'a Content,
    engine: &'a Engine,
    /// For `--print`: how the print shop's files are made.
    press: Option<Press>,
    fonts: RoleFonts,
    outputs: Vec<Output>,
    warnings: Diagnostics,
    /// Previews left to the caller (`BuildConfig::defer_previews`); flyers
    /// add theirs from worker threads.
    deferred: crate::proof::Deferred,
    /// Peak memory of the worker processes, in KiB.
    worker_rss: Vec<u64>,
}

impl Run<'_> {
    fn fail(&self, diags: Diagnostics) -> Failure {
        Failure {
            kind: FailureKind::Content,
            diags,
            sources: with_templates(&self.content.sources, self.engine),
        }
    }

    /// Writes an output; a PDF's typeset document gives its page previews.
    fn write(&mut self, path: PathBuf, bytes: &[u8], doc: Option<&PagedDocument>) -> Result<(), Failure> {
        crate::output::write_atomic(&path, bytes)
            .map_err(|e| io_failure(&path, &e, &self.content.sources))?;
        let size = crate::proof::PreviewSize::Proofreading;
        let previews = doc.map(|d| self.previews(d, bytes, &path, size, None)).unwrap_or_default();
        let pages = doc.map_or(0, |d| d.pages().len());
        self.outputs.push(Output { path, pages, bytes: bytes.len(), previews, thumbnails: false });
        Ok(())
    }

    /// The previews of one output, drawn now unless the caller draws them
    /// later (`defer_previews`). In a batch (`writer`), pages are drawn one
    /// after another, the batch's other workers keeping the cores busy, and
    /// written by the batch's writer.
    fn previews(
        &self,
        doc: &PagedDocument,
        pdf: &[u8],
        path: &Path,
        size: crate::proof::PreviewSize,
        writer: Option<&crate::output::Writer>,
    ) -> Vec<PathBuf> {
        if !self.config.previews {
            return Vec::new();
        }
        let rel = path.strip_prefix(&self.config.out_dir).unwrap_or(path);
        let (names, pending) = crate::proof::plan_previews(doc, pdf, &self.config.out_dir, rel, size);
        if let Some(p) = pending {
            match writer {
                _ if self.config.defer_previews => self.deferred.offer(p),
                Some(writer) => p.render_to(writer),
                None => {
                    p.render(&std::sync::atomic::AtomicBool::new(false));
                }
            }
        }
        names
    }

    fn today(&self) -> typst::foundations::Datetime {
        datetime(pdf_date(self.content))
            .unwrap_or_else(|| typst::foundations::Datetime::from_ymd(2000, 1, 1).expect("valid"))
    }

    fn compile(
        &self,
        template: &str,
        function: &str,
        data: &serde_json::Value,
    ) -> Result<(PagedDocument, Diagnostics), Failure> {
        self.compile_with(template, function, data, false)
    }

    /// [`Self::compile`] for the print shop (CMYK colours; see
    /// [`crate::typeset::world::PRINT_INPUT`]).
    fn compile_print(
        &self,
        template: &str,
        function: &str,
        data: &serde_json::Value,
    ) -> Result<(PagedDocument, Diagnostics), Failure> {
        let entry =
            format!("#import \"/templates/{template}\": {function}\n#{function}(json(\"/__data__.json\"))\n");
        let bytes = serde_json::to_vec(data).unwrap_or_default();
        let world = self.engine.world(&entry, bytes, self.today()).printing();
        typeset::compile(&world).map_err(|d| self.fail(d))
    }

    /// [`Self::compile`], with the templates' regions measuring themselves
    /// exactly when `measuring` (see [`crate::typeset::world::MEASURE_INPUT`]).
    fn compile_with(
        &self,
        template: &str,
        function: &str,
        data: &serde_json::Value,
        measuring: bool,
    ) -> Result<(PagedDocument, Diagnostics), Failure> {
        let entry =
            format!("#import \"/templates/{template}\": {function}\n#{function}(json(\"/__data__.json\"))\n");
        let bytes = serde_json::to_vec(data).unwrap_or_default();
        let world = self.engine.world(&entry, bytes, self.today());
        let world = if measuring { world.measuring() } else { world };
        typeset::compile(&world).map_err(|d| self.fail(d))
    }

    /// The booklet, padded to a multiple of four pages with blanks before
    /// the back page, then imposed for saddle stitching.
    fn booklet(&mut self, mut data: serde_json::Value) -> Result<(), Failure> {
        data["fonts"] = self.fonts.to_json();
        let (mut doc, mut warnings) = self.compile(booklet::TEMPLATE, "booklet", &data)?;
        let pages = doc.pages().len();
        if pages % 4 != 0 {
            data["padding"] = json!(4 - pages % 4);
            (doc, warnings) = self.compile(booklet::TEMPLATE, "booklet", &data)?;
        }
        self.check_glyphs(&doc)?;
        self.warnings.extend(warnings);
        let date = pdf_date(self.content);
        let pdf = typeset::export_pdf(&doc, "pressroom-booklet", date).map_err(|d| self.fail(d))?;
        let pages = doc.pages().len();
        self.write(self.config.out_dir.join("booklet.pdf"), &pdf, Some(&doc))?;
        let imposed = self.impose(pdf, pages, None)?;
        self.write(self.config.out_dir.join("booklet-imposed.pdf"), &imposed.1, Some(&imposed.0))?;

        let Some(press) = &self.press else { return Ok(()) };
        let press = Press { profile: press.profile.clone(), bleed: press.bleed };
        // The print shop's booklet: the same data, typeset with bleed,
        // marks and CMYK; its photos in the press's CMYK.
        let dir = self.config.out_dir.join(PRINT_DIR);
        let mut data = data;
        crate::targets::media::for_press(&mut data, &self.config.cache_dir(), &press.profile)
            .map_err(|d| self.fail(vec![d]))?;
        data["print"] = press.data("booklet-print.pdf", date);
        let (doc, _) = self.compile_print(booklet::TEMPLATE, "booklet", &data)?;
        let pdf = typeset::export_pdf(&doc, "pressroom-booklet-print", date).map_err(|d| self.fail(d))?;
        let pdf = self.finish_print(pdf)?;
        self.write(dir.join("booklet-print.pdf"), &pdf, None)?;
        // The imposition places the pages with their bleed but without
        // their own marks (hidden under the clip, a press's preflight would
        // still find them).
        data["print"]["marks"] = json!(0.0);
        let (bare, _) = self.compile_print(booklet::TEMPLATE, "booklet", &data)?;
        let bare = typeset::export_pdf(&bare, "pressroom-booklet-print", date).map_err(|d| self.fail(d))?;
        let print = press.data("booklet-imposed.pdf", date);
        let (_, imposed) = self.impose(bare, pages, Some(print))?;
        let imposed = self.finish_print(imposed)?;
        self.write(dir.join("booklet-imposed.pdf"), &imposed, None)
    }

    /// The booklet's `pdf` of `pages` A5 pages imposed for saddle stitching,
    /// with creep; for the print shop when `print` (the template's print
    /// data) is given.
    fn impose(
        &self,
        pdf: Vec<u8>,
        pages: usize,
        print: Option<serde_json::Value>,
    ) -> Result<(PagedDocument, Vec<u8>), Failure> {
        let sides = imposition::saddle_stitch(pages);
        let per_sheet = crate::typeset::press::creep(sides.len() / 2, caliper(self.content));
        // Two sides to a sheet.
        let creep: Vec<f64> = (0..sides.len()).map(|i| per_sheet[i / 2]).collect();
        let printing = print.is_some();
        let data = json!({
            "source": crate::typeset::world::SOURCE_PDF_PATH,
            "sides": sides,
            "creep": creep,
            "page": { "width": 148.0, "height": 210.0 },
            "source-bleed": if printing { self.press.as_ref().map_or(0.0, |p| p.bleed) } else { 0.0 },
            "print": print,
        });
        let entry = "#import \"/templates/imposed.typ\": imposed\n#imposed(json(\"/__data__.json\"))\n";
        let world = self
            .engine
            .world(entry, serde_json::to_vec(&data).unwrap_or_default(), self.today())
            .with_source_pdf(pdf);
        let world = if printing { world.printing() } else { world };
        let (imposed, _) = typeset::compile(&world).map_err(|d| self.fail(d))?;
        let ident = if printing { "pressroom-booklet-imposed-print" } else { "pressroom-booklet-imposed" };
        let bytes = typeset::export_pdf(&imposed, ident, pdf_date(self.content)).map_err(|d| self.fail(d))?;
        Ok((imposed, bytes))
    }

    /// typst's print PDF with the BleedBox and output intent added.
    fn finish_print(&self, pdf: Vec<u8>) -> Result<Vec<u8>, Failure> {
        let Some(press) = &self.press else { return Ok(pdf) };
        crate::typeset::press::finish_pdf(pdf, press.bleed, &press.profile)
            .map_err(|e| self.fail(vec![Diagnostic::error("print/pdf", e.message())]))
    }

    /// Each document of `content/documents/` as `documents/<name>.pdf`, and
    /// each of its attachment tables as `<name>-附件N.xlsx` and `.csv`.
    fn documents(&mut self, jobs: Vec<DocumentJob>) -> Result<(), Failure> {
        let dir = self.config.out_dir.join("documents");
        crate::output::clean_stale(&dir);
        let date = pdf_date(self.content);
        for job in jobs {
            let typeset = typeset_notice_data(self.content, self.engine, job.data, &self.fonts)?;
            self.warnings.extend(typeset.warnings);
            let pdf =
                typeset::export_pdf(&typeset.document, &format!("pressroom-document-{}", job.name), date)
                    .map_err(|d| self.fail(d))?;
            self.write(dir.join(format!("{}.pdf", job.name)), &pdf, Some(&typeset.document))?;
            if self.config.docx {
                self.docx(dir.join(format!("{}.docx", job.name)), &typeset.data, date)?;
            }
            if self.config.ofd {
                let ident = format!("pressroom-document-{}", job.name);
                self.ofd(
                    dir.join(format!("{}.ofd", job.name)),
                    &typeset.document,
                    &typeset.data,
                    &ident,
                    date,
                )?;
            }
            for (number, table) in &job.tables {
                self.sheets(&dir, &format!("{}-附件{number}", job.name), table, date)?;
            }
        }
        Ok(())
    }

    /// An official document's DOCX, from the data its PDF was set from.
    fn docx(
        &mut self,
        path: PathBuf,
        data: &serde_json::Value,
        date: crate::content::date::Date,
    ) -> Result<(), Failure> {
        let (engine, today) = (self.engine, self.today());
        let pictures =
            |path: &str, height_mm: f64| typeset::docx::draw_picture(engine, path, height_mm, today);
        let bytes = typeset::docx::export_docx(data, date, &pictures).map_err(|e| {
            self.fail(vec![Diagnostic::error(
                "output/docx",
                msg!("无法生成 Word 文件：{}", "cannot write the Word file: {}", e),
            )])
        })?;
        self.write(path, &bytes, None)
    }

    /// An official document's OFD, from the pages its PDF was made of.
    fn ofd(
        &mut self,
        path: PathBuf,
        doc: &PagedDocument,
        data: &serde_json::Value,
        ident: &str,
        date: crate::content::date::Date,
    ) -> Result<(), Failure> {
        let join = |v: &serde_json::Value, sep: &str| -> String {
            v.as_array().into_iter().flatten().filter_map(|s| s.as_str()).collect::<Vec<_>>().join(sep)
        };
        let author = join(&data["header"]["issuers"], "、");
        // Minutes have no title of their own: their mark names them.
        let title = match join(&data["title"], "") {
            t if t.is_empty() => {
                format!(
                    "{}{}",
                    join(&data["header"]["issuers"], ""),
                    data["header"]["mark_suffix"].as_str().unwrap_or("")
                )
            }
            t => t,
        };
        let day = format!("{:04}-{:02}-{:02}", date.year, date.month, date.day);
        let info = typeset::ofd::DocInfo { title: &title, author: &author, date: &day, ident };
        let bytes = typeset::ofd::export_ofd(doc, &info).map_err(|e| {
            self.fail(vec![Diagnostic::error(
                "output/ofd",
                msg!("无法生成 OFD 文件：{}", "cannot write the OFD file: {}", e),
            )])
        })?;
        self.write(path, &bytes, None)
    }

    /// A table's XLSX and CSV copies, `<dir>/<name>.xlsx` and `.csv`.
    fn sheets(
        &mut self,
        dir: &Path,
        name: &str,
        table: &annex::Table,
        date: crate::content::date::Date,
    ) -> Result<(), Failure> {
        let xlsx = crate::targets::sheets::xlsx(table, date).map_err(|e| {
            self.fail(vec![Diagnostic::error(
                "output/xlsx",
                msg!("无法生成电子表格：{}", "cannot write the spreadsheet: {}", e),
            )])
        })?;
        self.write(dir.join(format!("{name}.xlsx")), &xlsx, None)?;
        self.write(dir.join(format!("{name}.csv")), &crate::targets::sheets::csv(table), None)
    }

    /// Every annex table as PDF, XLSX and CSV in `annex/`.
    fn annex(&mut self) -> Result<(), Failure> {
        let mut r = Renderer::new(&self.content.campaign, &self.content.sources);
        let tables = annex::all(self.content, &mut r);
        if !r.diags.is_empty() {
            return Err(self.fail(r.diags));
        }
        let dir = self.config.out_dir.join("annex");
        crate::output::clean_stale(&dir);
        let date = pdf_date(self.content);
        for table in &tables {
            let data = json!({ "fonts": self.fonts.to_json(), "office": self.content.campaign.office(), "table": table });
            let (doc, warnings) = self.compile("annex.typ", "annex", &data)?;
            self.check_glyphs(&doc)?;
            self.warnings.extend(warnings);
            let pdf = typeset::export_pdf(&doc, &format!("pressroom-annex-{}", table.id), date)
                .map_err(|d| self.fail(d))?;
            self.write(dir.join(format!("{}.pdf", table.id)), &pdf, Some(&doc))?;
            self.sheets(&dir, &table.id, table, date)?;
        }
        Ok(())
    }

    fn check_glyphs(&self, doc: &PagedDocument) -> Result<(), Failure> {
        let missing = typeset::missing_glyphs(doc, &self.fonts);
        if missing.is_empty() { Ok(()) } else { Err(self.fail(missing)) }
    }

    /// One township's flyer: data, layout, fit, PDF and previews.
    fn flyer(
        &self,
        job: &FlyerJob,
        renderer: &Renderer<'_>,
        fonts: &serde_json::Value,
        dir: &Path,
        writer: &crate::output::Writer,
        size: crate::proof::PreviewSize,
    ) -> Result<(Vec<Output>, Diagnostics), Failure> {
        let mut data = flyer_data(self.config, self.content, job, renderer, &self.config.cache_dir())
            .map_err(|d| self.fail(d))?;
        data["fonts"] = fonts.clone();
        let template = format!("{}.typ", job.layout);
        let (doc, w) = self.compile(&template, &job.layout, &data)?;
        self.check_glyphs(&doc)?;
        if check_fit(&doc, &job.name).is_err() {
            // It does not fit: lay it out again measuring each region, for
            // exact amounts in the message, which points at the source.
            let t = township_file(self.content, &job.path).map_err(|d| self.fail(d))?;
            let at = |diags: Vec<(String, Diagnostic)>| {
                self.fail(
                    diags
                        .into_iter()
                        .map(|(region, d)| {
                            // A template mistake is the template's; text too long is the content's.
                            let at = if d.code == "layout/region-not-clipped" {
                                Location::file(Path::new("templates").join(&template))
                            } else {
                                region_source(self.content, &job.path, &t, &region)
                            };
                            d.at(at)
                        })
                        .collect(),
                )
            };
            let (measured, _) = self.compile_with(&template, &job.layout, &data, true)?;
            check_fit(&measured, &job.name).map_err(at)?;
            check_fit(&doc, &job.name).map_err(at)?;
        }
        let ident = format!("pressroom-flyer-{}", job.name);
        let pdf = typeset::export_pdf(&doc, &ident, pdf_date(self.content)).map_err(|d| self.fail(d))?;
        let path = dir.join(format!("{}.pdf", flyers::file_name(&job.name)));
        let previews = self.previews(&doc, &pdf, &path, size, Some(writer));
        let thumbnails = size == crate::proof::PreviewSize::Thumbnail && !previews.is_empty();
        let mut outputs = vec![Output {
            path: path.clone(),
            pages: doc.pages().len(),
            bytes: pdf.len(),
            previews,
            thumbnails,
        }];
        writer.write(path, pdf);
        if let Some(press) = &self.press {
            let name = format!("{}.pdf", flyers::file_name(&job.name));
            let date = pdf_date(self.content);
            crate::targets::media::for_press(&mut data, &self.config.cache_dir(), &press.profile)
                .map_err(|d| self.fail(vec![d]))?;
            data["print"] = press.data(&name, date);
            let (doc, _) = self.compile_print(&template, &job.layout, &data)?;
            let pdf = typeset::export_pdf(&doc, &format!("{ident}-print"), date).map_err(|d| self.fail(d))?;
            let pdf = self.finish_print(pdf)?;
            let path = self.config.out_dir.join(PRINT_DIR).join("flyers").join(name);
            outputs.push(Output {
                path: path.clone(),
                pages: doc.pages().len(),
                bytes: pdf.len(),
                previews: Vec::new(),
                thumbnails: false,
            });
            writer.write(path, pdf);
        }
        Ok((outputs, w))
    }

    /// Every selected township's flyer: on worker processes for a large
    /// batch when the build has a worker program, else on threads sharing
    /// the engine (fonts and library load once). Problems in one flyer do
    /// not stop the others; all are reported at the end.
    fn flyers(&mut self, jobs: Vec<FlyerJob>) -> Result<(), Failure> {
        let progress = crate::progress::bar(self.config.progress, jobs.len() as u64, "flyers");
        // A batch's previews are drawn as large as the proof sheet shows
        // them; one flyer (a township's own) is proofread page by page.
        let size = if jobs.len() > 1 && !self.config.full_previews {
            crate::proof::PreviewSize::Thumbnail
        } else {
            crate::proof::PreviewSize::Proofreading
        };
        let mut results: Vec<Option<FlyerResult>> = (0..jobs.len()).map(|_| None).collect();
        let workers = self.worker_count(jobs.len());
        if let (Some(program), true) = (&self.config.worker_program, workers > 1) {
            let (done, rss) = self.flyers_on_workers(program, &jobs, workers, size, &progress);
            self.worker_rss = rss;
            for (index, outputs) in done {
                results[index] = Some(Ok((outputs, Diagnostics::new())));
            }
        }
        // Whatever the workers did not do (all of it without them), and
        // every flyer that failed or warned there, for its diagnostics.
        let left: Vec<usize> = (0..jobs.len()).filter(|i| results[*i].is_none()).collect();
        let dir = self.config.out_dir.join("flyers");
        let fonts = self.fonts.to_json();
        let renderer = Renderer::new(&self.content.campaign, &self.content.sources);
        let writer = crate::output::Writer::new();
        let here = crate::batch::run_typesetting(self.config.jobs, &left, |i| {
            let outcome = self.flyer(&jobs[*i], &renderer, &fonts, &dir, &writer, size);
            progress.inc(1);
            outcome
        });
        for (i, outcome) in left.into_iter().zip(here) {
            results[i] = Some(outcome);
        }
        let unwritten = writer.finish();
        progress.finish_and_clear();
        if let Some((path, e)) = unwritten.first() {
            return Err(io_failure(path, e, &self.content.sources));
        }
        let mut errors = Diagnostics::new();
        for result in results.into_iter().flatten() {
            match result {
                Ok((outputs, w)) => {
                    self.outputs.extend(outputs);
                    self.warnings.extend(w);
                }
                Err(f) => errors.extend(f.diags),
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(self.fail(errors)) }
    }

    /// How many worker processes a batch of `flyers` gets: none (1) below
    /// [`WORKER_SHARD_MIN`] flyers each, where starting one costs more than
    /// it saves, or while `watch` keeps layouts in this process for the
    /// next rebuild.
    fn worker_count(&self, flyers: usize) -> usize {
        if self.config.worker_program.is_none() || self.config.defer_previews {
            return 1;
        }
        self.config.jobs.min(flyers / WORKER_SHARD_MIN).max(1)
    }

    /// Typesets `jobs` on `workers` processes, flyers dealt round-robin.
    /// Returns the flyers done cleanly (index and outputs, their files
    /// written) and each worker's peak memory.
    fn flyers_on_workers(
        &self,
        program: &Path,
        jobs: &[FlyerJob],
        workers: usize,
        size: crate::proof::PreviewSize,
        progress: &indicatif::ProgressBar,
    ) -> (Vec<(usize, Vec<Output>)>, Vec<u64>) {
        let shards: Vec<FlyerShard> = (0..workers)
            .map(|w| FlyerShard {
                root: self.config.root.clone(),
                out_dir: self.config.out_dir.clone(),
                fonts: self.config.fonts.clone(),
                dpi: self.config.dpi,
                previews: self.config.previews,
                print: self.press.is_some(),
                size,
                role_fonts: self.fonts.roles.clone(),
                jobs: jobs.iter().enumerate().skip(w).step_by(workers).map(|(i, j)| (i, j.clone())).collect(),
            })
            .collect();
        let reports: Vec<std::sync::Mutex<WorkerReport>> =
            shards.iter().map(|_| std::sync::Mutex::new(WorkerReport::default())).collect();
        let clean = crate::workers::run(program, &shards, |w, message: FromWorker| {
            let Ok(mut report) = reports[w].lock() else { return };
            match message {
                FromWorker::Done { index, outputs } => {
                    progress.inc(1);
                    report.done.push((index, outputs));
                }
                FromWorker::Redo { .. } => {}
                FromWorker::Finished { unwritten, peak_rss_kib } => {
                    report.finished = Some((unwritten, peak_rss_kib))
                }
            }
        });
        let mut done = Vec::new();
        let mut rss = Vec::new();
        for (report, clean) in reports.into_iter().zip(clean) {
            let Ok(WorkerReport { done: flyers, finished: Some((unwritten, peak)) }) = report.into_inner()
            else {
                continue;
            };
            rss.push(peak);
            // A worker that did not finish cleanly may have left files
            // unwritten: all its flyers are done again.
            if clean {
                let written = |o: &Output| {
                    !unwritten.contains(&o.path)
                        && !o.previews.iter().any(|p| unwritten.contains(&self.config.out_dir.join(p)))
                };
                done.extend(flyers.into_iter().filter(|(_, outputs)| outputs.iter().all(written)));
            }
        }
        (done, rss)
    }
}

/// What one worker process reported.
#[derive(Default)]
struct WorkerReport {
    /// Flyers done (batch index and outputs), their files queued.
    done: Vec<(usize, Vec<Output>)>,
    /// Its closing message: files left unwritten, and its peak memory.
    finished: Option<(Vec<PathBuf>, u64)>,
}

/// A flyer's outputs and warnings, or why it failed.
type FlyerResult = Result<(Vec<Output>, Diagnostics), Failure>;

/// Flyers per worker process below which a batch stays on threads: a
/// worker's start (content, fonts, the template's first evaluation) costs
/// about as much as a few flyers.
const WORKER_SHARD_MIN: usize = 16;

/// A worker process's share of a batch of flyers: what of the build's
/// configuration typesetting a flyer needs, the fonts the parent resolved
/// (so every worker uses exactly those), and the flyers by batch index.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct FlyerShard {
    root: PathBuf,
    out_dir: PathBuf,
    fonts: FontOptions,
    dpi: f64,
    previews: bool,
    print: bool,
    size: crate::proof::PreviewSize,
    role_fonts: Vec<fonts::Resolved>,
    jobs: Vec<(usize, FlyerJob)>,
}

/// One line from a worker process.
#[derive(serde::Serialize, serde::Deserialize)]
enum FromWorker {
    /// A flyer typeset without a problem; its files are queued for writing.
    Done { index: usize, outputs: Vec<Output> },
    /// A flyer that failed or warned: the parent typesets it again.
    Redo { index: usize },
    /// Every queued file is written but these; the worker's peak memory.
    Finished { unwritten: Vec<PathBuf>, peak_rss_kib: u64 },
}

/// Typesets a shard of flyers in this (worker) process and reports on `out`.
pub(crate) fn serve_flyer_shard(shard: FlyerShard, out: &mut impl std::io::Write) -> Result<(), String> {
    let mut config = BuildConfig::new(&shard.root);
    config.out_dir = shard.out_dir;
    config.fonts = shard.fonts;
    config.dpi = shard.dpi;
    config.previews = shard.previews;
    config.targets = vec![Target::Flyers];
    config.jobs = 1;
    // Only these townships' files are read.
    config.only = shard.jobs.iter().map(|(_, j)| stem(&j.path)).collect();
    let content = load_for(&config.root, &config.only).map_err(|_| "the content does not load".to_owned())?;
    let font_set = std::sync::Arc::new(FontSet::discover(&config.root, &config.fonts));
    let engine = Engine::new(&config.root, font_set, &config.cache_dir()).map_err(|e| e.to_string())?;
    let press = match shard.print {
        true => Some(Press::for_project(&content).map_err(|_| "no CMYK profile".to_owned())?),
        false => None,
    };
    let run = Run {
        config: &config,
        content: &content,
        engine: &engine,
        press,
        fonts: RoleFonts { roles: shard.role_fonts },
        outputs: Vec::new(),
        warnings: Diagnostics::new(),
        deferred: crate::proof::Deferred::new(0),
        worker_rss: Vec::new(),
    };
    let renderer = Renderer::new(&content.campaign, &content.sources);
    let fonts = run.fonts.to_json();
    let dir = config.out_dir.join("flyers");
    let writer = crate::output::Writer::new();
    let io = |e: std::io::Error| format!("cannot report to the parent: {e}");
    for (index, job) in &shard.jobs {
        let message = match run.flyer(job, &renderer, &fonts, &dir, &writer, shard.size) {
            Ok((outputs, warnings)) if warnings.is_empty() => FromWorker::Done { index: *index, outputs },
            _ => FromWorker::Redo { index: *index },
        };
        crate::batch::evict();
        crate::workers::send(out, &message).map_err(io)?;
    }
    let unwritten = writer.finish().into_iter().map(|(path, _)| path).collect();
    let peak_rss_kib = crate::workers::peak_rss_kib();
    crate::workers::send(out, &FromWorker::Finished { unwritten, peak_rss_kib }).map_err(io)
}

/// Where most of the text of a flyer's region comes from: the township's
/// file, or `flyer.yaml` for the letter (the township's file itself for
/// regions neither fills).
fn region_source(content: &Content, path: &Path, t: &crate::content::TownshipFile, region: &str) -> Location {
    let (file, text) = match region {
        "achievements" => (path, t.achievements.first()),
        "grid workers" => (path, t.grid_workers.first().map(|w| &w.name)),
        "contacts" => (path, Some(&t.address)),
        "letter" => (Path::new(crate::content::FLYER_FILE), content.flyer.as_ref().map(|f| &f.opening)),
        _ => (path, None),
    };
    text.map_or_else(|| Location::file(path), |text| content.sources.locate(file, &text.referenced))
}

/// A flyer must have exactly the pages its layout declares, and no region
/// may overflow: either names the township, the region and the excess.
/// Each problem comes with the region it is about (empty for the page count).
fn check_fit(doc: &PagedDocument, township: &str) -> Result<(), Vec<(String, Diagnostic)>> {
    let mut diags = Vec::new();
    for (region, fault) in typeset::overflows(doc) {
        let zh = match region.as_str() {
            "letter" => "致居民的一封信",
            "achievements" => "我们的成绩",
            "contacts" => "联系我们",
            "grid workers" => "网格员",
            "survey" => "满意度调查问什么",
            other => other,
        };
        let d = match fault {
            typeset::RegionFault::Over(over) => Diagnostic::error(
                "layout/overflow",
                crate::diag::Msg::new(
                    format!("{township}的传单放不下：“{zh}”一栏超出约 {over:.0} 毫米"),
                    format!("{township}'s flyer does not fit: the “{region}” region is about {over:.0} mm too long"),
                ),
            )
            .hint(msg!(
                "请删减这一栏的文字或条目（或换用版式）；内容不会被截断印出。",
                "shorten that region's text or entries (or use another layout); nothing is printed cut off."
            )),
            // A template mistake: without a clip the region's size cannot
            // be checked, and overflowing text would print over the next.
            typeset::RegionFault::NotClipped => Diagnostic::error(
                "layout/region-not-clipped",
                crate::diag::Msg::new(
                    format!("{township}的传单版式中“{zh}”一栏无法检查是否放得下"),
                    format!("{township}'s flyer layout: the “{region}” region cannot be checked for fit"),
                ),
            )
            .hint(msg!(
                "版式中这一栏的 block 需要 clip: true（参照默认版式 templates/flyer.typ 的 region）。",
                "the region's block needs clip: true (see `region` in the default templates/flyer.typ)."
            )),
        };
        diags.push((region.clone(), d));
    }
    if let Some(expected) = typeset::declared_pages(doc)
        && doc.pages().len() != expected
        && diags.is_empty()
    {
        diags.push((
            String::new(),
            Diagnostic::error(
                "layout/pages",
                msg!(
                    "{}的传单排出 {} 页，版式要求 {} 页",
                    "{}'s flyer came out at {} pages; its layout has {}",
                    township,
                    doc.pages().len(),
                    expected
                ),
            ),
        ));
    }
    if diags.is_empty() { Ok(()) } else { Err(diags) }
}

/// The date written into PDFs and served as typst's "today":
/// `SOURCE_DATE_EPOCH` when set, else the notice's signing date.
pub fn pdf_date(content: &Content) -> crate::content::date::Date {
    source_date_epoch().unwrap_or(content.notice_date())
}

fn source_date_epoch() -> Option<crate::content::date::Date> {
    let secs: i64 = std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()?;
    let days = secs.div_euclid(86_400);
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    crate::content::date::Date::new(year, month, day)
}

/// Resolves role fonts against what the outputs need. A character no font
/// has is a content problem (exit 1, pointed at where it is written); no
/// fonts at all is an environment problem (exit 2).
fn resolve_fonts(engine: &Engine, content: &Content, needs: &fonts::Needs) -> Result<RoleFonts, Failure> {
    fonts::resolve(engine.fonts(), needs).map_err(|diags| Failure {
        kind: if diags.iter().all(|d| d.code == "fonts/missing-char") {
            FailureKind::Content
        } else {
            FailureKind::Environment
        },
        diags: locate_chars(diags, content),
        sources: content.sources.clone(),
    })
}

/// Points missing-character errors at the first place the character occurs.
fn locate_chars(diags: Diagnostics, content: &Content) -> Diagnostics {
    diags
        .into_iter()
        .map(|d| {
            if d.location.is_some() {
                return d;
            }
            let ch = d.message.en.split('“').nth(1).and_then(|s| s.chars().next());
            let Some(ch) = ch else { return d };
            for (file, text) in content.sources.iter() {
                if let Some(off) = text.find(ch) {
                    let (line, column) = crate::diag::line_col(text, off);
                    let mut loc = Location::new(file, line, column);
                    loc.offset = Some(off);
                    loc.len = ch.len_utf8();
                    return d.at(loc);
                }
            }
            d
        })
        .collect()
}

/// Renders, resolves fonts for, and typesets the notice on its own.
pub fn typeset_notice(content: &Content, engine: &Engine) -> Result<TypesetNotice, Failure> {
    let mut renderer = Renderer::new(&content.campaign, &content.sources);
    let data = notice::data(content, &mut renderer);
    if !renderer.diags.is_empty() {
        return Err(Failure {
            kind: FailureKind::Content,
            diags: renderer.diags,
            sources: content.sources.clone(),
        });
    }
    let roles = resolve_fonts(engine, content, &notice::font_needs(&data))?;
    typeset_notice_data(content, engine, data, &roles)
}

/// Typesets the notice from its data. The 版记 must end up at the foot of
/// an even page; where the first layout puts it on an odd page, the notice
/// is laid out once more with a page (or a blank page) added.
fn typeset_notice_data(
    content: &Content,
    engine: &Engine,
    mut data: serde_json::Value,
    roles: &RoleFonts,
) -> Result<TypesetNotice, Failure> {
    let failure = |kind, diags| Failure { kind, diags, sources: content.sources.clone() };
    data["fonts"] = roles.to_json();
    let today = datetime(pdf_date(content)).ok_or_else(|| {
        failure(
            FailureKind::Content,
            vec![Diagnostic::error("content/date", msg!("日期无效", "invalid date"))],
        )
    })?;
    let entry =
        format!("#import \"/templates/{}\": notice\n#notice(json(\"/__data__.json\"))\n", notice::TEMPLATE);
    let layout = |mode: &str, data: &mut serde_json::Value| {
        data["imprint_mode"] = json!(mode);
        let bytes = serde_json::to_vec(data).unwrap_or_default();
        let world = engine.world(&entry, bytes, today);
        typeset::compile(&world).map_err(|diags| Failure {
            kind: FailureKind::Content,
            diags,
            sources: with_templates(&content.sources, engine),
        })
    };
    let (mut document, mut warnings) = layout("here", &mut data)?;
    // The signature did not fit under the text and went to the next page,
    // leaving the body's page short or its end behind (B11, K3): set the
    // text of that page closer, as little as does it (7.3.5.4), and only if
    // that fails keep the last paragraph with the signature.
    let signature = typeset::page_of(&document, "pressroom-signature");
    if let (Some(sig), Some(end)) = (signature, typeset::page_of(&document, "pressroom-body-end"))
        && sig > end
    {
        let paragraphs = typeset::pages_of(&document, "pressroom-par");
        let last = data["body"].as_array().map_or(0, Vec::len).saturating_sub(1);
        let from = paragraphs.iter().position(|&p| p == end).unwrap_or(last).min(last);
        data["keep_last"] = json!(true);
        let mut fitted = false;
        for factor in SQUEEZE {
            data["squeeze"] = json!({ "from": from, "factor": factor });
            (document, warnings) = layout("here", &mut data)?;
            if typeset::page_of(&document, "pressroom-signature") == Some(end) {
                fitted = true;
                break;
            }
        }
        if !fitted {
            data["squeeze"] = serde_json::Value::Null;
            (document, warnings) = layout("here", &mut data)?;
        }
    }
    // A letter's 版记 (only 抄送) stays at the foot of its last page (L3).
    let letter = data["format"] == "letter";
    if let Some(mode) = imprint_fix(&document).filter(|_| !letter) {
        (document, warnings) = layout(mode, &mut data)?;
    }
    let missing = typeset::missing_glyphs(&document, roles);
    if !missing.is_empty() {
        return Err(failure(FailureKind::Content, missing));
    }
    Ok(TypesetNotice { document, data, warnings, fonts: roles.clone() })
}

/// Where the 版记 landed on an odd page, or on a page with a landscape
/// table (V1): `next` moves it to the following page; `blank` adds a blank
/// page first when the content ends on an even page.
fn imprint_fix(doc: &PagedDocument) -> Option<&'static str> {
    let imprint = typeset::page_of(doc, "pressroom-imprint")?;
    let landscape = typeset::pages_of(doc, "pressroom-landscape");
    if imprint % 2 == 0 && !landscape.contains(&imprint) {
        return None;
    }
    let end = typeset::page_of(doc, "pressroom-end").unwrap_or(imprint);
    Some(if end % 2 == 1 { "next" } else { "blank" })
}

/// Template diagnostics point into templates, which may be embedded: add
/// their texts so the report can quote them.
fn with_templates(sources: &Sources, engine: &Engine) -> Sources {
    let mut sources = sources.clone();
    if let Some(text) = engine.template_text(notice::TEMPLATE) {
        sources.insert(PathBuf::from("templates").join(notice::TEMPLATE), text.to_owned());
    }
    sources
}

fn io_failure(path: &Path, err: &std::io::Error, sources: &Sources) -> Failure {
    Failure {
        kind: FailureKind::Environment,
        diags: vec![Diagnostic::error(
            "io",
            msg!("无法写入或读取 {}：{}", "cannot read or write {}: {}", path.display(), err),
        )],
        sources: sources.clone(),
    }
}

/// Fonts for `pressroom fonts`: resolves the roles for the project's notice.
pub fn font_report(root: &Path, options: &FontOptions) -> Result<(RoleFonts, FontSet), Failure> {
    let content = load(root)?;
    let engine_fonts = FontSet::discover(root, options);
    let mut renderer = Renderer::new(&content.campaign, &content.sources);
    let data = notice::data(&content, &mut renderer);
    let roles = fonts::resolve(&engine_fonts, &notice::font_needs(&data)).map_err(|diags| Failure {
        kind: FailureKind::Environment,
        diags: locate_chars(diags, &content),
        sources: content.sources.clone(),
    })?;
    Ok((roles, engine_fonts))
}
