//! `pressroom-bench`: the benchmarks of issue 3, printed as a report (not
//! timed tests; the command exits 0 whether targets are met or missed).
//!
//! ```text
//! cargo build --release --bins        # the peer and the photos use the other binaries
//! cargo run --release --bin pressroom-bench -- flyers --count 1000
//! cargo run --release --bin pressroom-bench -- flyers --count 1000 --profile
//! cargo run --release --bin pressroom-bench -- booklet --photos 40
//! ```
//!
//! `flyers` generates a temporary project from the example (the example's
//! ten townships stay in `campaign.yaml`, because the leadership group names
//! them, but their files are replaced by N generated township files, layout
//! `flyer`, no photo unless `--shared-photo`) and measures:
//! - in-process: one `build()` of the flyers target in a child process of its
//!   own per count (so peak RSS, read from `VmHWM`, is per count);
//! - the peer: the same flyers each built by a fresh `pressroom build flyers
//!   --only <name>` process, on a sample of K flyers, extrapolated to N.
//!
//! `booklet` generates a temporary project whose areas carry `--photos`
//! phone-size photos (4000×3000 JPEG from `sample-photos`) and builds the
//! booklet twice, each time in a fresh process: with an empty photo cache,
//! then with the cache filled.
//!
//! Everything is written to temporary folders that are removed afterwards
//! (`--keep` keeps them and prints where they are).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{Value as Json, json};

use pressroom::build::{self, BuildConfig};
use pressroom::content::Content;
use pressroom::targets::Target;
use pressroom::typeset::fonts::FontOptions;

mod engine;

/// The allocator of the `pressroom` command (see src/main.rs), so that
/// in-process builds measure what the command does.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What a child process prints before its JSON result on stdout.
const RESULT_TAG: &str = "pressroom-bench-result ";

/// Targets from issue 3.
const TARGET_MS_PER_FLYER: f64 = 3.0;
/// The in-process batch must be at least this many times faster.
const TARGET_SPEEDUP: f64 = 10.0;
/// "Memory flat": peak RSS at the larger count at most this much above the
/// smaller count's.
const FLAT_RSS_RATIO: f64 = 1.15;
/// A default build (with previews) at most this much slower than one without.
const TARGET_PREVIEW_RATIO: f64 = 1.5;
/// The booklet PDF may be at most this much larger than its photos.
const TARGET_PDF_RATIO: f64 = 1.15;

type Res<T> = Result<T, String>;

/// Benchmarks for pressroom's flyer batch and photo booklet (issue 3).
#[derive(Parser)]
#[command(name = "pressroom-bench")]
struct Cli {
    /// Which benchmark.
    #[command(subcommand)]
    command: Cmd,
}

/// The benchmarks (and the internal commands their child processes run).
#[derive(Subcommand)]
enum Cmd {
    /// N generated township flyers: in-process batch against fresh processes.
    Flyers(FlyersArgs),
    /// The booklet with many phone-size photos: first build and cached rebuild.
    Booklet(BookletArgs),
    /// (internal) One `build()` in this process; prints a JSON result.
    #[command(hide = true)]
    Child(ChildArgs),
    /// (internal) The flyer pipeline re-assembled from the library's parts,
    /// timing each phase; prints a JSON result.
    #[command(hide = true)]
    Phases(PhasesArgs),
}

/// Options both benchmarks share.
#[derive(Args, Clone)]
struct Common {
    /// The example project to copy (default: this repository).
    #[arg(long, value_name = "DIR", default_value = env!("CARGO_MANIFEST_DIR"))]
    example: PathBuf,
    /// Font folder (repeatable). Default: PRESSROOM_FONT_PATH, else
    /// <repository>/.cache/fonts/fandol. System fonts are never used.
    #[arg(long = "font-path", value_name = "DIR")]
    font_path: Vec<PathBuf>,
    /// Worker threads for the in-process build (default: pressroom's default).
    #[arg(long)]
    jobs: Option<usize>,
    /// Keep the temporary projects and outputs, and print where they are.
    #[arg(long)]
    keep: bool,
    /// Build without page previews (`pressroom build --no-previews`), in
    /// this process and in the fresh processes alike.
    #[arg(long)]
    no_previews: bool,
}

impl Common {
    /// The options every measured build gets, on a command line.
    fn mode_args(&self) -> Vec<String> {
        if self.no_previews { vec!["--no-previews".to_owned()] } else { Vec::new() }
    }
}

/// Options of `flyers`.
#[derive(Args)]
struct FlyersArgs {
    /// Number of generated townships (flyers).
    #[arg(long, default_value_t = 1000)]
    count: usize,
    /// A second, larger count for the memory comparison (0: skip).
    #[arg(long, default_value_t = 5000)]
    memory_count: usize,
    /// How many fresh processes to time (spread over the N flyers); the
    /// total is extrapolated. 0 times none; K >= N times all.
    #[arg(long, default_value_t = 100)]
    peer_sample: usize,
    /// Give every township the same photo (one 4000×3000 JPEG) instead of none.
    #[arg(long)]
    shared_photo: bool,
    /// Also break the time down: phases, threads, fsync, eviction, template parts.
    #[arg(long)]
    profile: bool,
    /// Flyers used by each profiling run (default: all N, at most 1000).
    #[arg(long)]
    profile_limit: Option<usize>,
    /// Flyers in the comparison against the plain engine (0: skip it).
    #[arg(long, default_value_t = 300)]
    engine_count: usize,
    /// Runs of each figure reported as min / median / max.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Fonts with CFF outlines to compare with (default:
    /// <repository>/.cache/fonts/fandol-otf, Fandol as Debian ships it).
    #[arg(long, value_name = "DIR")]
    cff_font_path: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

/// Options of `booklet`.
#[derive(Args)]
struct BookletArgs {
    /// Number of phone-size photos, spread evenly over the areas (the cover
    /// photo comes on top).
    #[arg(long, default_value_t = 40)]
    photos: usize,
    #[command(flatten)]
    common: Common,
}

/// What a child process builds.
#[derive(Clone, Copy, ValueEnum)]
enum ChildTarget {
    /// Every township's flyer (or `--only` one).
    Flyers,
    /// The booklet and its imposition.
    Booklet,
}

/// Options of the internal `child` command.
#[derive(Args)]
struct ChildArgs {
    /// The project folder.
    #[arg(long)]
    project: PathBuf,
    /// The output folder.
    #[arg(long)]
    out: PathBuf,
    /// What to build.
    #[arg(long, value_enum)]
    target: ChildTarget,
    /// Font folders (system fonts are never used).
    #[arg(long = "font-path")]
    font_path: Vec<PathBuf>,
    /// Worker threads (default: pressroom's).
    #[arg(long)]
    jobs: Option<usize>,
    /// Build only this township's flyer.
    #[arg(long)]
    only: Option<String>,
    /// No page previews.
    #[arg(long)]
    no_previews: bool,
}

/// How the phases run writes each PDF.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum WriteMode {
    /// `pressroom::output::write_atomic` (temporary file, fsync, rename), as the build does.
    Atomic,
    /// A plain `std::fs::write` (no fsync).
    Plain,
    /// Not written at all.
    None,
}

/// Options of the internal `phases` command.
#[derive(Args)]
struct PhasesArgs {
    /// The project folder.
    #[arg(long)]
    project: PathBuf,
    /// The output folder.
    #[arg(long)]
    out: PathBuf,
    /// Font folders (system fonts are never used).
    #[arg(long = "font-path")]
    font_path: Vec<PathBuf>,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Evict memoized results every this many documents (0: never).
    #[arg(long, default_value_t = 64)]
    evict_every: usize,
    /// The `max_age` passed to `comemo::evict` (batch.rs uses 10).
    #[arg(long, default_value_t = 10)]
    evict_age: usize,
    /// Template file in the project's templates/ (its function is `flyer`).
    #[arg(long, default_value = "flyer.typ")]
    template: String,
    /// How each PDF is written.
    #[arg(long, value_enum, default_value = "atomic")]
    write: WriteMode,
    /// Use only the first this many flyers.
    #[arg(long)]
    limit: Option<usize>,
    /// Skip the glyph and overflow checks (for template variants).
    #[arg(long)]
    skip_checks: bool,
    /// Only write each flyer's template data (fonts included), one JSON
    /// object per line, to this file: what the plain-engine peer typesets.
    #[arg(long, value_name = "FILE")]
    dump_data: Option<PathBuf>,
}

fn main() -> ExitCode {
    // `child` builds start this program again as their flyer workers.
    if let Some(code) = pressroom::workers::serve_if_asked() {
        return code;
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Flyers(args) => flyers(&args),
        Cmd::Booklet(args) => booklet(&args),
        Cmd::Child(args) => child(&args),
        Cmd::Phases(args) => phases(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pressroom-bench: {e}");
            ExitCode::from(2)
        }
    }
}

// ---------------------------------------------------------------------------
// Environment: fonts, sibling binaries, temporary folders.

/// The font folders to use: `--font-path`, else PRESSROOM_FONT_PATH, else
/// the repository's Fandol fonts.
fn font_paths(common: &Common) -> Res<Vec<PathBuf>> {
    let mut paths = common.font_path.clone();
    if paths.is_empty()
        && let Some(env) = std::env::var_os("PRESSROOM_FONT_PATH")
    {
        paths.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()));
    }
    if paths.is_empty() {
        paths.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/fonts/fandol"));
    }
    let paths: Vec<PathBuf> = paths.into_iter().filter(|p| p.is_dir()).collect();
    if paths.is_empty() {
        return Err("no font folder found: run `./dev.sh fonts`, or pass --font-path DIR".into());
    }
    // Children get absolute paths: they run with other working directories'
    // projects. A folder named twice (dev.sh adds its own) counts once.
    let mut unique: Vec<PathBuf> = Vec::new();
    for p in paths.into_iter().map(|p| std::path::absolute(&p).unwrap_or(p)) {
        if !unique.contains(&p) {
            unique.push(p);
        }
    }
    Ok(unique)
}

/// Font-path arguments for a child command line.
fn font_args(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().flat_map(|p| ["--font-path".to_owned(), p.display().to_string()]).collect()
}

/// The path of this program (see [`pressroom::workers::this_program`]).
fn this_program() -> Res<PathBuf> {
    pressroom::workers::this_program().ok_or_else(|| "cannot find this program".to_owned())
}

/// A binary built next to this one (`target/release/<name>`). Warns when it
/// is older than the library this bench was linked with, i.e. possibly stale.
fn sibling(name: &str) -> Res<PathBuf> {
    let exe = this_program()?;
    let dir = exe.parent().ok_or("this program has no folder")?;
    let path = dir.join(name);
    if !path.is_file() {
        return Err(format!("{} is missing: run `cargo build --release --bins` first", path.display()));
    }
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(tool), Some(lib)) = (mtime(&path), mtime(&dir.join("libpressroom.rlib")))
        && tool < lib
    {
        eprintln!(
            "warning: {} is older than the library; its numbers may be stale \
             (run `cargo build --release --bins`)",
            path.display()
        );
    }
    Ok(path)
}

/// A temporary folder, removed on drop unless kept.
struct Scratch {
    /// The folder's guard; `None` once kept.
    dir: Option<tempfile::TempDir>,
    /// Its path.
    path: PathBuf,
}

impl Scratch {
    fn new(label: &str) -> Res<Self> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("pressroom-bench-{label}-"))
            .tempdir()
            .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
        let path = dir.path().to_path_buf();
        Ok(Self { dir: Some(dir), path })
    }

    /// Keeps the folder after the program ends.
    fn keep(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = dir.keep();
        }
    }
}

/// Copies a folder tree, skipping entries for which `skip` holds.
fn copy_dir(from: &Path, to: &Path, skip: &dyn Fn(&Path) -> bool) -> Res<()> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let path = entry.path();
        if skip(&path) {
            continue;
        }
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target, skip)?;
        } else {
            std::fs::copy(&path, &target).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn read(path: &Path) -> Res<String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Res<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Sum of file sizes under `dir` and their number (recursively).
fn dir_size(dir: &Path) -> (u64, usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return (0, 0) };
    let mut total = (0, 0);
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            let (b, n) = dir_size(&path);
            total = (total.0 + b, total.1 + n);
        } else if let Ok(m) = entry.metadata() {
            total = (total.0 + m.len(), total.1 + 1);
        }
    }
    total
}

/// Peak resident set size of this process in KiB (`VmHWM`).
fn peak_rss_kib() -> u64 {
    status_kib("VmHWM:")
}

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// CPU time (user + system) in ms of this process and of its waited-for
/// children, from /proc/self/stat (in USER_HZ ticks, 100 per second).
fn cpu_ms() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<f64> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().map(|f| f.parse().unwrap_or(0.0)).collect())
        .unwrap_or_default();
    let tick = |i: usize| fields.get(i).copied().unwrap_or(0.0) * 10.0;
    // After the command name: state is field 3; utime 14, stime 15, cutime 16, cstime 17.
    (tick(11) + tick(12), tick(13) + tick(14))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "MISS" }
}

/// Runs a child process of this program and returns its JSON result.
fn run_child(args: &[String]) -> Res<Json> {
    run_tagged(Command::new(this_program()?).args(args), false)
}

/// Runs a command that prints a [`RESULT_TAG`] line and returns its JSON;
/// `one_core` runs it on the first CPU only (`taskset -c 0`), so that
/// nothing it does runs beside it on the other core.
fn run_tagged(command: &Command, one_core: bool) -> Res<Json> {
    let mut cmd = if one_core {
        let mut pinned = Command::new("taskset");
        pinned.args(["-c", "0"]).arg(command.get_program()).args(command.get_args());
        pinned
    } else {
        let mut plain = Command::new(command.get_program());
        plain.args(command.get_args());
        plain
    };
    let args: Vec<String> = command.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
    let out = cmd
        .env_remove("PRESSROOM_FONT_PATH")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start a child process: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find_map(|l| l.strip_prefix(RESULT_TAG));
    match line {
        Some(json) if out.status.success() => {
            serde_json::from_str(json).map_err(|e| format!("child printed a bad result: {e}"))
        }
        _ => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let tail: String =
                stderr.chars().rev().take(4000).collect::<Vec<_>>().into_iter().rev().collect();
            Err(format!("child `{}` failed ({}):\n{tail}", args.join(" "), out.status))
        }
    }
}

fn num(v: &Json, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(f64::NAN)
}

// ---------------------------------------------------------------------------
// Child processes.

/// One `build()` in this process, then its wall time and peak RSS.
fn child(args: &ChildArgs) -> Res<()> {
    let mut config = BuildConfig::new(&args.project);
    config.out_dir = args.out.clone();
    config.targets = vec![match args.target {
        ChildTarget::Flyers => Target::Flyers,
        ChildTarget::Booklet => Target::Booklet,
    }];
    config.fonts = FontOptions { paths: args.font_path.clone(), system: false };
    config.only = args.only.clone().into_iter().collect();
    config.previews = !args.no_previews;
    config.worker_program = pressroom::workers::this_program();
    if let Some(jobs) = args.jobs {
        config.jobs = jobs.max(1);
    }
    let started = Instant::now();
    let report = build::build(&config).map_err(|f| {
        format!("build failed:\n{}", pressroom::diag::render(&f.diags, &config.root, &f.sources))
    })?;
    let wall = started.elapsed();
    let pages: usize = report.outputs.iter().map(|o| o.pages).sum();
    let bytes: usize = report.outputs.iter().map(|o| o.bytes).sum();
    // Per-file sizes and pages, for the booklet's few outputs.
    let outputs: BTreeMap<String, Json> = report
        .outputs
        .iter()
        .filter_map(|o| Some((o.path.file_name()?.to_string_lossy().into_owned(), o)))
        .filter(|(name, _)| name.starts_with("booklet"))
        .map(|(name, o)| (name, json!({ "bytes": o.bytes, "pages": o.pages })))
        .collect();
    let result = json!({
        "wall_ms": ms(wall),
        "outputs": report.outputs.len(),
        "pages": pages,
        "bytes": bytes,
        "files": outputs,
        "photo_bytes": report.photo_bytes,
        "warnings": report.warnings.len(),
        "jobs": config.jobs,
        "stages_ms": report.stages.iter().map(|(name, d)| (name.to_string(), ms(*d))).collect::<BTreeMap<_, _>>(),
        // With its worker processes' (waited for, so counted by the kernel).
        "cpu_ms": cpu_ms().0 + cpu_ms().1,
        // This process and its workers, each at its own peak: an upper
        // bound of what they held at once.
        "peak_rss_kib": peak_rss_kib() + report.worker_peak_rss_kib.iter().sum::<u64>(),
        "worker_processes": report.worker_peak_rss_kib.len(),
        "parent_peak_rss_kib": peak_rss_kib(),
        "worker_peak_rss_kib": report.worker_peak_rss_kib,
    });
    println!("{RESULT_TAG}{result}");
    Ok(())
}

/// Sums of per-document phase times across worker threads.
#[derive(Default)]
struct PhaseTimes {
    /// `typst::compile` (evaluation, layout and introspection passes).
    compile: Duration,
    /// Missing-glyph and overflow checks on the laid-out pages.
    check: Duration,
    /// PDF export (font subsetting, compression).
    export: Duration,
    /// Writing the PDF file.
    write: Duration,
    /// `comemo::evict` calls.
    evict: Duration,
}

/// The flyer pipeline of `build()` re-assembled from the library's public
/// parts, so each phase can be timed. It mirrors build.rs (data, fonts,
/// compile, glyph and overflow checks, PDF export, write) and batch.rs
/// (worker threads with 8 MiB stacks, periodic `comemo::evict(10)`), with
/// the thread count, eviction interval, template and write mode as knobs.
fn phases(args: &PhasesArgs) -> Res<()> {
    use pressroom::render::Renderer;
    use pressroom::targets::{flyers, media::Media, notice};
    use pressroom::typeset::{self, fonts, world::Engine};

    let root = &args.project;
    let t = Instant::now();
    let content: Content = build::load(root)
        .map_err(|f| format!("content: {}", pressroom::diag::render(&f.diags, root, &f.sources)))?;
    let load = t.elapsed();

    let t = Instant::now();
    let config = BuildConfig::new(root);
    let options = FontOptions { paths: args.font_path.clone(), system: false };
    let font_set = fonts::FontSet::discover(root, &options);
    let engine = Engine::new(root, font_set, &config.cache_dir()).map_err(|e| format!("engine: {e}"))?;
    let engine_time = t.elapsed();

    let t = Instant::now();
    let mut r = Renderer::new(&content.campaign, &content.sources);
    let cache = config.cache_dir();
    let mut media = Media::new(root, &cache, config.dpi, &content.sources);
    let notice_data = notice::data(&content, &mut r);
    let mut needs = notice::font_needs(&notice_data);
    let limit = args.limit.unwrap_or(usize::MAX);
    let mut jobs = Vec::new();
    for (path, township) in content.townships.iter().take(limit) {
        let data = flyers::data(&content, &mut r, &mut media, path, township)
            .map_err(|d| format!("flyer data: {}", d.message.en))?;
        jobs.push((township.township.value.clone(), data));
    }
    let prepare = t.elapsed();

    let t = Instant::now();
    for (_, data) in &jobs {
        for role in [fonts::Role::Song, fonts::Role::Hei, fonts::Role::Kai, fonts::Role::Mark] {
            notice::collect_chars(data, needs.entry(role).or_default());
        }
    }
    let roles = fonts::resolve(engine.fonts(), &needs).map_err(|_| "fonts do not cover the text")?;
    let fonts_json = roles.to_json();
    let font_time = t.elapsed();
    if let Some(file) = &args.dump_data {
        let mut lines = String::new();
        for (name, data) in &jobs {
            let mut data = data.clone();
            data["fonts"] = fonts_json.clone();
            let _ = writeln!(lines, "{}", json!({ "name": name, "data": data }));
        }
        write(file, &lines)?;
        let d = build::pdf_date(&content);
        println!("{RESULT_TAG}{}", json!({ "flyers": jobs.len(), "date": [d.year, d.month, d.day] }));
        return Ok(());
    }

    let date = build::pdf_date(&content);
    let today = typeset::datetime(date).ok_or("invalid date")?;
    let entry =
        format!("#import \"/templates/{}\": flyer\n#flyer(json(\"/__data__.json\"))\n", args.template);
    let out_dir = args.out.join("flyers");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;

    let totals = Mutex::new(PhaseTimes::default());
    let first = Mutex::new(None::<Duration>);
    let failures = Mutex::new(Vec::<String>::new());
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let t = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..args.threads.max(1) {
            let work = || {
                let mut mine = PhaseTimes::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((name, data)) = jobs.get(i) else { break };
                    let mut data = data.clone();
                    data["fonts"] = fonts_json.clone();
                    let bytes = serde_json::to_vec(&data).unwrap_or_default();
                    let c = Instant::now();
                    let world = engine.world(&entry, bytes, today);
                    let compiled = typeset::compile(&world);
                    let compile = c.elapsed();
                    mine.compile += compile;
                    if i == 0
                        && let Ok(mut f) = first.lock()
                    {
                        *f = Some(compile);
                    }
                    let doc = match compiled {
                        Ok((doc, _)) => doc,
                        Err(d) => {
                            let msg = d.first().map(|d| d.message.en.clone()).unwrap_or_default();
                            if let Ok(mut f) = failures.lock() {
                                f.push(format!("{name}: {msg}"));
                            }
                            continue;
                        }
                    };
                    let c = Instant::now();
                    let missing = typeset::missing_glyphs(&doc, &roles);
                    let over = typeset::overflows(&doc);
                    mine.check += c.elapsed();
                    if !args.skip_checks
                        && (!missing.is_empty() || !over.is_empty())
                        && let Ok(mut f) = failures.lock()
                    {
                        f.push(format!("{name}: {} missing glyphs, overflow {over:?}", missing.len()));
                    }
                    let c = Instant::now();
                    let pdf = typeset::export_pdf(&doc, &format!("pressroom-flyer-{name}"), date);
                    mine.export += c.elapsed();
                    let Ok(pdf) = pdf else { continue };
                    let c = Instant::now();
                    let path = out_dir.join(format!("{}.pdf", flyers::file_name(name)));
                    let written = match args.write {
                        WriteMode::Atomic => pressroom::output::write_atomic(&path, &pdf),
                        WriteMode::Plain => std::fs::write(&path, &pdf),
                        WriteMode::None => Ok(()),
                    };
                    mine.write += c.elapsed();
                    if let Err(e) = written
                        && let Ok(mut f) = failures.lock()
                    {
                        f.push(format!("{}: {e}", path.display()));
                    }
                    drop(doc);
                    if args.evict_every > 0
                        && (done.fetch_add(1, Ordering::Relaxed) + 1).is_multiple_of(args.evict_every)
                    {
                        let c = Instant::now();
                        comemo::evict(args.evict_age);
                        mine.evict += c.elapsed();
                    }
                }
                if let Ok(mut all) = totals.lock() {
                    all.compile += mine.compile;
                    all.check += mine.check;
                    all.export += mine.export;
                    all.write += mine.write;
                    all.evict += mine.evict;
                }
            };
            std::thread::Builder::new()
                .stack_size(8 << 20)
                .spawn_scoped(scope, work)
                .expect("a bench can spawn its worker threads");
        }
    });
    let batch = t.elapsed();
    let failures = failures.into_inner().unwrap_or_default();
    if let Some(f) = failures.first() {
        return Err(format!("{} flyer(s) failed, first: {f}", failures.len()));
    }
    let totals = totals.into_inner().unwrap_or_default();
    let first = first.into_inner().ok().flatten().unwrap_or_default();
    let result = json!({
        "flyers": jobs.len(),
        "threads": args.threads,
        "load_ms": ms(load),
        "engine_ms": ms(engine_time),
        "prepare_ms": ms(prepare),
        "fonts_ms": ms(font_time),
        "batch_ms": ms(batch),
        "compile_ms": ms(totals.compile),
        "first_compile_ms": ms(first),
        "check_ms": ms(totals.check),
        "export_ms": ms(totals.export),
        "write_ms": ms(totals.write),
        "evict_ms": ms(totals.evict),
        "cpu_ms": cpu_ms().0,
        "peak_rss_kib": peak_rss_kib(),
    });
    println!("{RESULT_TAG}{result}");
    Ok(())
}

// ---------------------------------------------------------------------------
// Generated content.

/// A small deterministic generator (SplitMix64), so every run writes the
/// same townships.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// `k` distinct items, in random order.
    fn choose<T: Clone>(&mut self, items: &[T], k: usize) -> Vec<T> {
        let mut pool = items.to_vec();
        let mut out = Vec::new();
        while out.len() < k && !pool.is_empty() {
            out.push(pool.swap_remove(self.below(pool.len())));
        }
        out
    }
}

/// Local achievements in the style of the example's (20–40 characters).
const ACHIEVEMENTS: &[&str] = &[
    "完成辖区3个老旧小区综合改造，新增停车位260个",
    "社区卫生服务站提档升级，家庭医生签约居民4800余人",
    "开办“四点半课堂”2个，寒暑假免费托管学生600余人次",
    "组建平安志愿者巡逻队，辖区盗窃警情同比下降22%",
    "新建居家养老服务站2个，为高龄独居老人上门服务1.3万人次",
    "举办“家门口”招聘会和技能培训班18场，帮助520人实现就业",
    "打通片区断头路1条，新增公共停车泊位180个",
    "建成智慧安防小区5个，新增高清监控点位160个",
    "改造农贸市场1处，实现“明厨亮灶”和快检全覆盖",
    "为辖区困难群众发放救助金和慰问金共计86万元",
    "新建口袋公园3处，改造绿地1.2万平方米",
    "推进雨污分流改造，解决低洼片区积水问题",
    "便民服务大厅实现“一窗通办”，办事平均等待时间缩短一半",
    "新增普惠性托育托位120个，缓解双职工家庭带娃难题",
    "为60周岁以上老人免费体检2100人次",
    "开展消防安全隐患排查整治，加装电动车充电桩400个",
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何",
    "郭", "马", "罗",
];
const GIVEN: &[&str] = &[
    "芳", "娜", "伟", "静", "敏", "磊", "婷", "军", "洋", "丽", "强", "霞", "杰", "艳", "涛", "明义", "文杰",
    "晓燕", "海波", "玉兰", "建国", "秀英", "志强", "红梅",
];
const ESTATES: &[&str] = &[
    "幸福花园小区",
    "锦湖苑小区",
    "滨河新村",
    "和谐家园小区",
    "翠湖苑小区",
    "安居小区",
    "康宁小区",
    "商贸城及周边商户",
    "沿街商户",
    "东风新村",
    "阳光城小区",
    "学府家园",
];
const ROADS: &[&str] = &["湖滨路", "淮河路", "纬二路", "胜利路", "天桥路", "燕山路", "龙湖路", "青年路"];
const HOURS: &[&str] = &[
    "周一至周五 8:30—12:00 14:30—17:30",
    "周一至周六 8:00—12:00 14:00—17:30",
    "工作日 9:00—17:00（中午不休）",
];
const CN_DIGITS: &[&str] = &["一", "二", "三", "四", "五", "六"];

/// A YAML double-quoted scalar (JSON strings are valid YAML).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// The generated township names: 示例街道0001, …
fn township_names(n: usize) -> Vec<String> {
    let width = n.to_string().len().max(4);
    (1..=n).map(|i| format!("示例街道{i:0width$}")).collect()
}

/// One township file modelled on the example's `hubin.yaml`.
fn township_yaml(name: &str, index: usize, areas: &[String], photo: Option<&str>) -> String {
    let mut rng = Rng(index as u64 * 7919 + 17);
    let road = rng.pick(ROADS);
    let k = 3 + rng.below(2);
    let features = rng.choose(areas, k);
    let k = 3 + rng.below(3);
    let achievements = rng.choose(ACHIEVEMENTS, k);
    let workers = 3 + rng.below(4);
    let mut y = String::new();
    let _ = writeln!(y, "# 示例内容（虚构，仅供演示；由 pressroom-bench 生成）");
    let _ = writeln!(y, "township: {}", quoted(name));
    let _ = writeln!(y, "address: {}", quoted(&format!("蚌山区{road}{}号", 1 + rng.below(300))));
    let _ = writeln!(y, "phone: \"0552-30{:05}\"", rng.below(100_000));
    let _ = writeln!(y, "hours: {}", quoted(rng.pick(HOURS)));
    let _ = writeln!(y, "layout: flyer");
    let features: Vec<String> = features.iter().map(|f| quoted(f)).collect();
    let _ = writeln!(y, "features: [{}]", features.join(", "));
    let _ = writeln!(y, "achievements:");
    for a in achievements {
        let _ = writeln!(y, "  - {}", quoted(a));
    }
    let _ = writeln!(y, "grid_workers:");
    let short = &road[..road.len() - "路".len()];
    for digit in CN_DIGITS.iter().take(workers) {
        let person = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN));
        let area = format!("{short}{digit}网格（{}）", rng.pick(ESTATES));
        let _ = writeln!(
            y,
            "  - {{ name: {}, phone: \"139055{:05}\", area: {} }}",
            quoted(&person),
            rng.below(100_000),
            quoted(&area)
        );
    }
    if let Some(photo) = photo {
        let _ = writeln!(y, "photo: {{ file: {}, caption: {} }}", quoted(photo), quoted("社区党群服务中心"));
    }
    y
}

/// Appends `names` to the `townships:` list of campaign.yaml's text.
fn add_townships(campaign: &str, names: &[String]) -> Res<String> {
    let lines: Vec<&str> = campaign.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end().starts_with("townships:"))
        .ok_or("campaign.yaml has no `townships:` list")?;
    let mut end = start + 1;
    while end < lines.len() && lines[end].trim_start().starts_with("- ") {
        end += 1;
    }
    if end == start + 1 {
        return Err("campaign.yaml's `townships:` is not a block list of `- name` lines".into());
    }
    let indent: String = lines[start + 1].chars().take_while(|c| *c == ' ').collect();
    let mut out: Vec<String> = lines[..end].iter().map(|l| (*l).to_owned()).collect();
    out.extend(names.iter().map(|n| format!("{indent}- {}", quoted(n))));
    out.extend(lines[end..].iter().map(|l| (*l).to_owned()));
    Ok(out.join("\n") + "\n")
}

/// Copies the example's content (without photos and, for flyers, without
/// its township files) and templates into `root`.
fn copy_example(example: &Path, root: &Path, skip_townships: bool) -> Res<()> {
    let content = example.join("content");
    if !content.join("campaign.yaml").is_file() {
        return Err(format!("{} is not a pressroom project (no content/campaign.yaml)", example.display()));
    }
    let photos = content.join("photos");
    let townships = content.join("townships");
    copy_dir(&content, &root.join("content"), &|p| p == photos || (skip_townships && p == townships))?;
    let templates = example.join("templates");
    if templates.is_dir() {
        copy_dir(&templates, &root.join("templates"), &|_| false)?;
    }
    Ok(())
}

/// Writes a flyers project with `n` generated townships; returns their names.
fn flyers_project(example: &Path, root: &Path, n: usize, shared_photo: Option<&Path>) -> Res<Vec<String>> {
    copy_example(example, root, true)?;
    let content = build::load(example).map_err(|f| {
        format!(
            "the example project does not load:\n{}",
            pressroom::diag::render(&f.diags, example, &f.sources)
        )
    })?;
    let areas: Vec<String> = content.campaign.areas.iter().map(|a| a.id.value.clone()).collect();
    let names = township_names(n);
    let campaign_path = root.join("content/campaign.yaml");
    write(&campaign_path, &add_townships(&read(&campaign_path)?, &names)?)?;
    let photo = match shared_photo {
        Some(src) => {
            let dst = root.join("content/photos/shared.jpg");
            if let Some(dir) = dst.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            std::fs::copy(src, &dst).map_err(|e| format!("{}: {e}", src.display()))?;
            Some("photos/shared.jpg")
        }
        None => None,
    };
    let dir = root.join("content/townships");
    for (i, name) in names.iter().enumerate() {
        let file = dir.join(format!("bench{:05}.yaml", i + 1));
        write(&file, &township_yaml(name, i, &areas, photo))?;
    }
    Ok(names)
}

/// Runs `sample-photos` to write phone-size photos into `dir`.
fn sample_photos(dir: &Path, names: &[String]) -> Res<Duration> {
    let tool = sibling("sample-photos")?;
    let t = Instant::now();
    let out = Command::new(&tool)
        .arg(dir)
        .args(names)
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", tool.display()))?;
    if !out.status.success() {
        return Err(format!("sample-photos failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(t.elapsed())
}

// ---------------------------------------------------------------------------
// The flyers benchmark.

/// In-process result for one count.
struct InProcess {
    /// Number of flyers.
    count: usize,
    /// Wall time of the whole `build()`.
    wall_ms: f64,
    /// Wall time of a `build()` of the same project with `--only` one flyer.
    one_ms: f64,
    /// Peak RSS of the process that built all flyers, plus its worker
    /// processes' (each at its own peak).
    peak_rss_kib: u64,
    /// Of which: the building process's own, and each worker's.
    parent_rss_kib: u64,
    workers_rss_kib: Vec<u64>,
    /// Peak RSS of the process that built one flyer.
    one_rss_kib: u64,
    /// Bytes of all PDFs written.
    bytes: f64,
    /// Worker threads used.
    jobs: usize,
    /// CPU time (user + system) of the process that built all flyers.
    cpu_ms: f64,
}

/// Timings of fresh processes.
struct Peer {
    /// How the processes were run.
    label: String,
    /// How many were timed.
    sampled: usize,
    /// Wall time per flyer (for concurrent runs: total wall / flyers).
    mean_ms: f64,
    /// The fastest single process.
    min_ms: f64,
    /// The slowest single process.
    max_ms: f64,
    /// CPU time (user + system) of the fresh processes, per flyer.
    cpu_ms: f64,
}

fn flyers(args: &FlyersArgs) -> Res<()> {
    let load_before = load_average();
    let fonts = font_paths(&args.common)?;
    let cli = sibling("pressroom")?;
    if args.count == 0 {
        return Err("--count must be at least 1".into());
    }
    let mut counts = vec![args.count];
    if args.memory_count > args.count {
        counts.push(args.memory_count);
    }
    let mut scratch = Vec::new();
    let photo_dir = if args.shared_photo { Some(Scratch::new("photo")?) } else { None };
    let shared = match &photo_dir {
        Some(dir) => {
            sample_photos(&dir.path, &["shared.jpg".to_owned()])?;
            Some(dir.path.join("shared.jpg"))
        }
        None => None,
    };

    eprintln!("flyers: generating projects and building ({} core(s))…", cores());
    let mut results = Vec::new();
    let mut main_project = None;
    for &n in &counts {
        let s = Scratch::new(&format!("flyers{n}"))?;
        let project = s.path.join("project");
        let t = Instant::now();
        let names = flyers_project(&args.common.example, &project, n, shared.as_deref())?;
        eprintln!("  {n} township files written in {:.1} s", t.elapsed().as_secs_f64());
        let jobs = args.common.jobs.map(|j| vec!["--jobs".to_owned(), j.to_string()]).unwrap_or_default();
        let base = |out: &str| {
            let mut a = flyer_build_args(&project, &s.path.join(out), &fonts);
            a.extend(jobs.clone());
            a.extend(args.common.mode_args());
            a
        };
        let mut one = base("out-one");
        one.extend(["--only".to_owned(), names[0].clone()]);
        let one = run_child(&one)?;
        eprintln!("  one flyer of {n}: {:.0} ms", num(&one, "wall_ms"));
        let all = run_child(&base("out"))?;
        eprintln!("  all {n} flyers: {:.0} ms", num(&all, "wall_ms"));
        let outputs = all["outputs"].as_u64().unwrap_or(0) as usize;
        if outputs != n {
            return Err(format!("the build wrote {outputs} flyers, expected {n}"));
        }
        results.push(InProcess {
            count: n,
            wall_ms: num(&all, "wall_ms"),
            one_ms: num(&one, "wall_ms"),
            peak_rss_kib: all["peak_rss_kib"].as_u64().unwrap_or(0),
            parent_rss_kib: all["parent_peak_rss_kib"].as_u64().unwrap_or(0),
            workers_rss_kib: all["worker_peak_rss_kib"]
                .as_array()
                .map(|a| a.iter().filter_map(Json::as_u64).collect())
                .unwrap_or_default(),
            one_rss_kib: one["peak_rss_kib"].as_u64().unwrap_or(0),
            bytes: num(&all, "bytes"),
            jobs: all["jobs"].as_u64().unwrap_or(0) as usize,
            cpu_ms: num(&all, "cpu_ms"),
        });
        if n == args.count {
            main_project = Some((project.clone(), names, s.path.clone()));
        }
        scratch.push(s);
    }
    let Some((project, names, work)) = main_project else {
        return Err("no project for the main count".into());
    };

    // The peer: fresh processes, built the same way.
    let mode = args.common.mode_args();
    let peer = PeerCli { program: &cli, fonts: &fonts, mode: &mode };
    let mut peers = Vec::new();
    let k = args.peer_sample.min(names.len());
    if k > 0 {
        let sample: Vec<&String> = (0..k).map(|i| &names[(2 * i + 1) * names.len() / (2 * k)]).collect();
        eprintln!("peer: {k} fresh `pressroom build flyers --only …` processes, one at a time…");
        peers.push(fresh_processes(
            &peer,
            &project,
            &work.join("peer-out"),
            &sample,
            1,
            format!("fresh process per flyer, one at a time (project of {} townships)", names.len()),
        )?);
        eprintln!("peer: the same, two at a time…");
        peers.push(fresh_processes(
            &peer,
            &project,
            &work.join("peer-out2"),
            &sample,
            2,
            "fresh process per flyer, two at a time (like `xargs -P 2`)".to_owned(),
        )?);
        eprintln!("peer: one at a time, each in a one-township project…");
        peers.push(fresh_single_projects(&peer, &project, &work, &sample)?);
    }

    let previews = previews_section(args, &project, &work, &fonts)?;
    let engine = if args.engine_count > 0 { Some(engine::section(args, &fonts)?) } else { None };
    let profile = if args.profile {
        let limit = args.profile_limit.unwrap_or(args.count.min(1000)).min(args.count);
        Some(profile(&project, &work, &fonts, limit, args.count)?)
    } else {
        None
    };

    let load = load_line(load_before, load_average());
    let sections: Vec<&str> =
        [engine.as_deref(), Some(previews.as_str()), profile.as_deref()].into_iter().flatten().collect();
    print_flyers_report(args, &load, &results, &peers, &sections);
    if args.common.keep {
        for s in &mut scratch {
            s.keep();
            println!("kept: {}", s.path.display());
        }
    }
    Ok(())
}

/// A default build of the N flyers (page previews for the proof sheet)
/// against one without previews, `runs` times each, alternating.
fn previews_section(args: &FlyersArgs, project: &Path, work: &Path, fonts: &[PathBuf]) -> Res<String> {
    let n = args.count;
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for run in 1..=args.runs.max(1) {
        eprintln!("previews: run {run} of {}: {n} flyers with previews, then without…", args.runs.max(1));
        for (previews, series) in [(true, &mut with), (false, &mut without)] {
            let out = work.join("previews-out");
            let _ = std::fs::remove_dir_all(&out);
            let mut a = flyer_build_args(project, &out, fonts);
            if let Some(j) = args.common.jobs {
                a.extend(["--jobs".to_owned(), j.to_string()]);
            }
            if !previews {
                a.push("--no-previews".into());
            }
            series.push(num(&run_child(&a)?, "wall_ms") / n as f64);
        }
    }
    let ratio: Vec<f64> = with.iter().zip(&without).map(|(a, b)| a / b).collect();
    let (_, median, _) = engine::spread(&ratio);
    let mut r = String::new();
    let _ = writeln!(
        r,
        "Previews (issue 17): {n} flyers, default jobs, {} runs, min / median / max",
        args.runs.max(1)
    );
    let _ = writeln!(r, "  with previews (the default build):  {} ms per flyer", engine::show(&with, 2));
    let _ = writeln!(r, "  --no-previews:                      {} ms per flyer", engine::show(&without, 2));
    let _ = writeln!(
        r,
        "  with / without ≤ {TARGET_PREVIEW_RATIO}×: {}×  {}",
        engine::show(&ratio, 2),
        verdict(median <= TARGET_PREVIEW_RATIO)
    );
    Ok(r)
}

/// Whether the measured builds rendered the proof sheet's page previews.
fn previews_line(common: &Common) -> &'static str {
    if common.no_previews {
        "builds: --no-previews (PDFs and the proof sheet's list, no PNG page previews), peers likewise"
    } else {
        "builds: as `pressroom build` by default, with a PNG preview of every page for the proof sheet"
    }
}

/// The 1-minute load average, to show whether other work shared the machine.
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(f64::NAN)
}

/// A report line on the machine's load before and after the benchmark.
fn load_line(before: f64, after: f64) -> String {
    let busy =
        if before > 0.5 { "  (the machine was busy before the run: timings are inflated)" } else { "" };
    format!("load average (1 min): {before:.2} before, {after:.2} after{busy}")
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Times `pressroom build flyers --only <name>` once per sampled name, on
/// `parallel` concurrent workers.
fn fresh_processes(
    cli: &PeerCli,
    project: &Path,
    out: &Path,
    sample: &[&String],
    parallel: usize,
    label: String,
) -> Res<Peer> {
    let next = AtomicUsize::new(0);
    let times = Mutex::new(Vec::new());
    let error = Mutex::new(None::<String>);
    let cpu_before = cpu_ms().1;
    let t = Instant::now();
    std::thread::scope(|scope| {
        for worker in 0..parallel {
            let (next, times, error) = (&next, &times, &error);
            // One output folder per worker, so that each process writes its
            // own proof sheet and previews, as separate shell jobs would.
            let out = out.join(format!("worker{worker}"));
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(name) = sample.get(i) else { break };
                    match time_cli(cli, project, &out, name) {
                        Ok(d) => {
                            if let Ok(mut v) = times.lock() {
                                v.push(ms(d));
                            }
                        }
                        Err(e) => {
                            if let Ok(mut slot) = error.lock() {
                                *slot = Some(e);
                            }
                            break;
                        }
                    }
                }
            });
        }
    });
    let wall = ms(t.elapsed());
    let cpu = cpu_ms().1 - cpu_before;
    if let Some(e) = error.into_inner().ok().flatten() {
        return Err(e);
    }
    let times = times.into_inner().unwrap_or_default();
    let n = times.len().max(1) as f64;
    Ok(Peer {
        label,
        sampled: times.len(),
        // Throughput: wall time per flyer (equals the mean latency when serial).
        mean_ms: wall / n,
        min_ms: times.iter().copied().fold(f64::INFINITY, f64::min),
        max_ms: times.iter().copied().fold(0.0, f64::max),
        cpu_ms: cpu / n,
    })
}

/// How the peer runs the command line: the program, its fonts and the
/// options every measured build gets.
struct PeerCli<'a> {
    program: &'a Path,
    fonts: &'a [PathBuf],
    mode: &'a [String],
}

/// One fresh CLI build of one township's flyer.
fn time_cli(cli: &PeerCli, project: &Path, out: &Path, name: &str) -> Res<Duration> {
    let (fonts, mode) = (cli.fonts, cli.mode);
    let t = Instant::now();
    let result = Command::new(cli.program)
        .args(["build", "flyers", "--only", name, "--project"])
        .arg(project)
        .arg("--out")
        .arg(out)
        .args(font_args(fonts))
        .arg("--no-system-fonts")
        .args(mode)
        .env_remove("PRESSROOM_FONT_PATH")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cli.program.display()))?;
    let d = t.elapsed();
    if !result.status.success() {
        return Err(format!(
            "`pressroom build flyers --only {name}` failed:\n{}",
            String::from_utf8_lossy(&result.stderr)
        ));
    }
    Ok(d)
}

/// The peer without the cost of loading N township files: each sampled
/// township alone in a project of its own (what a loop over a one-document
/// typst CLI pays: process start, fonts, library, one compile).
fn fresh_single_projects(cli: &PeerCli, project: &Path, work: &Path, sample: &[&String]) -> Res<Peer> {
    let single = work.join("single");
    copy_dir(project, &single, &|p| p.ends_with("content/townships"))?;
    let dir = single.join("content/townships");
    let all = project.join("content/townships");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&all)
        .map_err(|e| format!("{}: {e}", all.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let names = township_names(files.len());
    let mut times = Vec::new();
    let mut total = Duration::ZERO;
    let cpu_before = cpu_ms().1;
    for name in sample {
        let Some(i) = names.iter().position(|n| n == *name) else { continue };
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let file = &files[i];
        let target = dir.join(file.file_name().unwrap_or_default());
        std::fs::copy(file, &target).map_err(|e| format!("{}: {e}", file.display()))?;
        let d = time_cli(cli, &single, &work.join("single-out"), name)?;
        total += d;
        times.push(ms(d));
    }
    let n = times.len().max(1) as f64;
    Ok(Peer {
        label: "fresh process per flyer, one at a time, each in a one-township project".to_owned(),
        sampled: times.len(),
        mean_ms: ms(total) / n,
        min_ms: times.iter().copied().fold(f64::INFINITY, f64::min),
        max_ms: times.iter().copied().fold(0.0, f64::max),
        cpu_ms: (cpu_ms().1 - cpu_before) / n,
    })
}

fn print_flyers_report(
    args: &FlyersArgs,
    load: &str,
    results: &[InProcess],
    peers: &[Peer],
    sections: &[&str],
) {
    let mut r = String::new();
    let _ = writeln!(r);
    let _ = writeln!(r, "== pressroom-bench flyers ==");
    let _ = writeln!(
        r,
        "machine: {} core(s); typst in-process via pressroom::build::build(); fonts: Fandol, no system fonts",
        cores()
    );
    let _ = writeln!(r, "{}", previews_line(&args.common));
    let _ = writeln!(r, "{load}");
    let _ = writeln!(
        r,
        "content: generated townships 示例街道0001…, layout flyer (2 A4 pages), {}; 3–4 featured areas,\n         \
         3–5 achievements, 3–6 grid workers each; the example's 10 townships stay listed in\n         \
         campaign.yaml (the leadership group names them) but have no files, so only generated flyers are built",
        if args.shared_photo { "one shared 4000×3000 photo on every flyer" } else { "no photo" }
    );
    let _ = writeln!(r);
    let _ = writeln!(r, "In-process, one build() per count, each in its own child process:");
    let _ = writeln!(
        r,
        "  {:>6}  {:>4}  {:>9}  {:>9}  {:>9}  {:>9}  {:>10}  {:>9}",
        "flyers", "jobs", "wall", "ms/flyer", "CPU ms/f", "marginal*", "peak RSS", "PDF total"
    );
    for p in results {
        let marginal = if p.count > 1 { (p.wall_ms - p.one_ms) / (p.count - 1) as f64 } else { f64::NAN };
        let _ = writeln!(
            r,
            "  {:>6}  {:>4}  {:>7.2} s  {:>9.2}  {:>9.2}  {:>9.2}  {:>6.0} MiB  {:>5.0} MiB",
            p.count,
            p.jobs,
            p.wall_ms / 1000.0,
            p.wall_ms / p.count as f64,
            p.cpu_ms / p.count as f64,
            marginal,
            mib(p.peak_rss_kib),
            p.bytes / 1_048_576.0
        );
    }
    if let Some(p) = results.first() {
        let _ = writeln!(
            r,
            "  ms/flyer = wall of the whole build() / N (load, fonts, data, typeset, PDF, write);\n  \
             CPU ms/f = user + system CPU time of that process / N (less sensitive to other load);\n  \
             * marginal = (wall − wall of a build with --only one flyer) / (N − 1); that fixed part\n    \
             (load all N files, fonts, one flyer) took {:.0} ms, {:.0} MiB peak, for N = {}",
            p.one_ms,
            mib(p.one_rss_kib),
            p.count
        );
        for q in &results[1..] {
            let _ = writeln!(
                r,
                "    and {:.0} ms, {:.0} MiB peak, for N = {}.",
                q.one_ms,
                mib(q.one_rss_kib),
                q.count
            );
        }
    }
    let _ = writeln!(r);
    let main = &results[0];
    let inproc = main.wall_ms / main.count as f64;
    let inproc_cpu = main.cpu_ms / main.count as f64;
    if !peers.is_empty() {
        let _ = writeln!(r, "Peer, fresh processes (`target/release/pressroom build flyers --only <name>`):");
        for p in peers {
            let _ = writeln!(r, "  {}:", p.label);
            let _ = writeln!(
                r,
                "    timed {} of {} flyers: {:.1} ms wall per flyer (single runs {:.1}–{:.1} ms), {:.1} ms CPU\n    \
                 → extrapolated to all {}: {:.1} s; {:.1}× the in-process wall time, {:.1}× its CPU time",
                p.sampled,
                main.count,
                p.mean_ms,
                p.min_ms,
                p.max_ms,
                p.cpu_ms,
                main.count,
                p.mean_ms * main.count as f64 / 1000.0,
                p.mean_ms / inproc,
                p.cpu_ms / inproc_cpu
            );
        }
        let _ = writeln!(r);
    }
    // Issue 3's targets (3 ms per flyer, 10× fresh processes) were replaced
    // by issue 17's, measured against the engine itself (sections below).
    let _ = writeln!(r, "Targets:");
    let _ = writeln!(
        r,
        "  (issue 3's ≤ {TARGET_MS_PER_FLYER} ms per flyer and ≥ {TARGET_SPEEDUP}× fresh processes were replaced by issue 17's;\n   \
         here {:.2} ms per flyer{})",
        inproc,
        peers
            .first()
            .map(|p| format!(", {:.1}× a fresh process per flyer", p.mean_ms / inproc))
            .unwrap_or_default()
    );
    if let Some(big) = results.get(1) {
        let ratio = big.peak_rss_kib as f64 / main.peak_rss_kib.max(1) as f64;
        let slope = (big.peak_rss_kib as f64 - main.peak_rss_kib as f64) / (big.count - main.count) as f64;
        let _ = writeln!(
            r,
            "  memory flat ({} → {} flyers, ≤ {:.0}% growth): {:.0} → {:.0} MiB ({:+.0}%, {:.1} KiB per extra flyer)  {}",
            main.count,
            big.count,
            (FLAT_RSS_RATIO - 1.0) * 100.0,
            mib(main.peak_rss_kib),
            mib(big.peak_rss_kib),
            (ratio - 1.0) * 100.0,
            slope,
            verdict(ratio <= FLAT_RSS_RATIO)
        );
        let workers =
            |p: &InProcess| p.workers_rss_kib.iter().map(|k| format!("{:.0}", mib(*k))).collect::<Vec<_>>();
        let _ = writeln!(
            r,
            "      of which the building process {:.0} → {:.0} MiB, its worker processes {:?} → {:?} MiB",
            mib(main.parent_rss_kib),
            mib(big.parent_rss_kib),
            workers(main),
            workers(big)
        );
        let _ = writeln!(
            r,
            "      ms per flyer at {}: {:.2} (at {}: {:.2})",
            big.count,
            big.wall_ms / big.count as f64,
            main.count,
            inproc
        );
    }
    let _ = writeln!(r, "  (targets are information only; this command exits 0 either way)");
    for section in sections {
        let _ = writeln!(r);
        r.push_str(section);
    }
    print!("{r}");
}

// ---------------------------------------------------------------------------
// Profiling: where the time of a flyer goes.

/// Template variants for the profile, made from the project's flyer.typ by
/// text edits; a variant whose edit no longer applies is left out.
fn template_variants(templates: &Path) -> Res<Vec<(String, String)>> {
    let original = read(&templates.join("flyer.typ"))?;
    let mut variants = vec![("flyer.typ".to_owned(), "as shipped".to_owned())];
    // Regions without layout()+measure(): a plain fixed-height block.
    let plain_region =
        "#let region(name, height, body) = block(width: 100%, height: height, clip: true, body)\n\n";
    let no_measure = original.contains("#let region(") && original.contains("#let flyer(");
    let no_measure_text = original.replacen("#let flyer(", &format!("{plain_region}#let flyer("), 1);
    if no_measure {
        write(&templates.join("bench-no-measure.typ"), &no_measure_text)?;
        variants.push(("bench-no-measure.typ".into(), "regions without layout()+measure()".into()));
    }
    if original.contains("table(") {
        let grid = original.replace("table.header(", "grid.header(").replace("table(", "grid(");
        write(&templates.join("bench-grid.typ"), &grid)?;
        variants.push(("bench-grid.typ".into(), "grid workers as grid() instead of table()".into()));
        if no_measure {
            let both = no_measure_text.replace("table.header(", "grid.header(").replace("table(", "grid(");
            write(&templates.join("bench-plain.typ"), &both)?;
            variants.push(("bench-plain.typ".into(), "both of the above".into()));
        }
    }
    if let Some(back) = original.find("pagebreak()") {
        // Front page only: everything after the page break dropped.
        let mut front = original[..back].to_owned();
        front.push_str("}\n");
        if let Some(pages) = front.find("(pages: 2)") {
            front.replace_range(pages..pages + "(pages: 2)".len(), "(pages: 1)");
        }
        write(&templates.join("bench-front.typ"), &front)?;
        variants.push(("bench-front.typ".into(), "front page only (the letter)".into()));
    }
    // Every role set in one face (FandolSong): what each extra font face
    // costs, mostly in PDF export (one subset per face and document).
    let font_def = "#let font(fonts, key) =";
    if let Some(at) = original.find(font_def)
        && let Some(eol) = original[at..].find('\n')
    {
        let mut one = original.clone();
        one.insert_str(
            at + eol + 1,
            "#let font(fonts, key) = (font: fonts.at(\"song\").family, weight: fonts.at(\"song\").weight, \
             fallback: false)\n",
        );
        write(&templates.join("bench-one-face.typ"), &one)?;
        variants.push(("bench-one-face.typ".into(), "one font face for every role (song)".into()));
    }
    Ok(variants)
}

/// The arguments of a `child` that builds the flyers of `project` into `out`.
fn flyer_build_args(project: &Path, out: &Path, fonts: &[PathBuf]) -> Vec<String> {
    let mut a = vec![
        "child".to_owned(),
        "--target".into(),
        "flyers".into(),
        "--project".into(),
        project.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    a.extend(font_args(fonts));
    a
}

fn phases_args(project: &Path, out: &Path, fonts: &[PathBuf], limit: usize) -> Vec<String> {
    let mut a = vec![
        "phases".to_owned(),
        "--project".into(),
        project.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--limit".into(),
        limit.to_string(),
    ];
    a.extend(font_args(fonts));
    a
}

/// Runs the profiling children and returns the report section.
fn profile(project: &Path, work: &Path, fonts: &[PathBuf], limit: usize, count: usize) -> Res<String> {
    let variants = template_variants(&project.join("templates"))?;
    let out = work.join("profile-out");
    let run = |extra: &[&str]| -> Res<Json> {
        let _ = std::fs::remove_dir_all(&out);
        let mut a = phases_args(project, &out, fonts, limit);
        a.extend(extra.iter().map(|s| (*s).to_owned()));
        eprintln!("profile: phases {}", extra.join(" "));
        run_child(&a)
    };
    let mut r = String::new();
    let _ = writeln!(
        r,
        "Profile ({limit} flyers per run unless said otherwise; each run a fresh child process):"
    );

    // 1. The phase split on one thread, as build() does it.
    let one = run(&["--threads", "1", "--write", "atomic"])?;
    let per = |v: &Json, key: &str| num(v, key) / num(v, "flyers");
    let _ =
        writeln!(r, "  Phases, 1 thread, atomic writes (build.rs's pipeline re-assembled from the library):");
    let _ = writeln!(
        r,
        "    once per run: load content {:.0} ms (all {} files), fonts + engine {:.0} ms, flyer data {:.0} ms \
         ({:.2} ms/flyer), font roles {:.0} ms",
        num(&one, "load_ms"),
        count,
        num(&one, "engine_ms"),
        num(&one, "prepare_ms"),
        per(&one, "prepare_ms"),
        num(&one, "fonts_ms")
    );
    let _ = writeln!(
        r,
        "    per flyer:    compile {:.2} ms (first one {:.0} ms), checks {:.3} ms, PDF export {:.2} ms, \
         write {:.2} ms, evict {:.3} ms",
        per(&one, "compile_ms"),
        num(&one, "first_compile_ms"),
        per(&one, "check_ms"),
        per(&one, "export_ms"),
        per(&one, "write_ms"),
        per(&one, "evict_ms")
    );
    let _ = writeln!(
        r,
        "    batch wall {:.2} ms/flyer; peak RSS {:.0} MiB",
        per(&one, "batch_ms"),
        mib(one["peak_rss_kib"].as_u64().unwrap_or(0))
    );

    // 2. Threads and writes.
    let _ = writeln!(r, "  Threads and writes (batch wall per flyer, after data preparation):");
    let mut rows = Vec::new();
    for (threads, write) in [("1", "atomic"), ("2", "atomic"), ("1", "plain"), ("2", "plain"), ("2", "none")]
    {
        let v = if threads == "1" && write == "atomic" {
            one.clone()
        } else {
            run(&["--threads", threads, "--write", write])?
        };
        rows.push((threads, write, v));
    }
    for (threads, write, v) in &rows {
        let _ = writeln!(
            r,
            "    {threads} thread(s), write {:<6}: {:>6.2} ms/flyer wall, {:>6.2} ms/flyer CPU (whole process), \
             write {:.2} ms/flyer (summed over threads)",
            write,
            per(v, "batch_ms"),
            per(v, "cpu_ms"),
            per(v, "write_ms"),
        );
    }

    // 3. Eviction: interval and max_age.
    let _ = writeln!(
        r,
        "  comemo::evict(max_age) every k documents (2 threads, plain writes); build() uses k=64, age 10:"
    );
    for (every, age) in
        [("1", "10"), ("16", "10"), ("64", "10"), ("256", "10"), ("16", "2"), ("64", "0"), ("0", "10")]
    {
        let v = run(&["--threads", "2", "--write", "plain", "--evict-every", every, "--evict-age", age])?;
        let label = if every == "0" { "never".to_owned() } else { format!("k={every:<3} age {age:<2}") };
        let _ = writeln!(
            r,
            "    {:<14} {:>6.2} ms/flyer wall, {:>6.2} ms/flyer CPU, peak RSS {:>5.0} MiB",
            label,
            per(&v, "batch_ms"),
            per(&v, "cpu_ms"),
            mib(v["peak_rss_kib"].as_u64().unwrap_or(0))
        );
    }

    // 4. Template parts.
    let _ = writeln!(r, "  Template parts (1 thread, no writes; compile and export per flyer):");
    for (file, label) in &variants {
        let v = run(&["--threads", "1", "--write", "none", "--skip-checks", "--template", file])?;
        let _ = writeln!(
            r,
            "    {:<44} compile {:>5.2} ms, export {:>4.2} ms",
            label,
            per(&v, "compile_ms"),
            per(&v, "export_ms")
        );
    }
    Ok(r)
}

// ---------------------------------------------------------------------------
// The booklet benchmark.

/// Replaces the `photos:` block list of an area file with `photos`
/// (file, caption) entries; captions are taken from the file's own.
fn set_area_photos(text: &str, photos: &[String]) -> Res<String> {
    let lines: Vec<&str> = text.lines().collect();
    let captions: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            l.split_once("caption:").map(|(_, c)| c.trim().trim_end_matches('}').trim().to_owned())
        })
        .filter(|c| !c.is_empty())
        .collect();
    let start = lines.iter().position(|l| l.starts_with("photos:"));
    let (before, after) = match start {
        Some(s) => {
            let mut end = s + 1;
            while end < lines.len() && lines[end].trim_start().starts_with("- ") {
                end += 1;
            }
            (&lines[..s], &lines[end..])
        }
        None => (&lines[..], &lines[lines.len()..]),
    };
    let mut out: Vec<String> = before.iter().map(|l| (*l).to_owned()).collect();
    if !photos.is_empty() {
        out.push("photos:".to_owned());
        for (i, p) in photos.iter().enumerate() {
            let caption = captions
                .get(i % captions.len().max(1))
                .cloned()
                .unwrap_or_else(|| quoted(&format!("示例照片第{}张说明", i + 1)));
            out.push(format!("  - {{ file: {}, caption: {caption} }}", quoted(&format!("photos/{p}"))));
        }
    }
    out.extend(after.iter().map(|l| (*l).to_owned()));
    Ok(out.join("\n") + "\n")
}

/// Bytes of a PDF's streams by kind (images, embedded fonts, everything
/// else), found by scanning each stream's dictionary. Approximate, and
/// enough for typst's output, which writes no object streams.
#[derive(Default)]
struct PdfParts {
    /// Image XObject streams.
    images: u64,
    /// Embedded font programs.
    fonts: u64,
    /// Every other stream (page contents, ICC profiles, CMaps).
    other: u64,
}

fn pdf_parts(pdf: &[u8]) -> PdfParts {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let rfind = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).rposition(|w| w == needle);
    let mut parts = PdfParts::default();
    let mut at = 0;
    while let Some(i) = find(&pdf[at..], b"stream") {
        let start = at + i;
        at = start + b"stream".len();
        // Only "stream" right after a dictionary, not "endstream".
        let before = &pdf[..start];
        let trimmed = before.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |p| p + 1);
        if !before[..trimmed].ends_with(b">>") {
            continue;
        }
        let Some(obj) = rfind(&before[..trimmed], b" obj") else { continue };
        let dict = String::from_utf8_lossy(&before[obj..trimmed]);
        let Some(length) = dict
            .split("/Length")
            .nth(1)
            .and_then(|rest| rest.trim_start().split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        let compact = dict.replace(' ', "");
        if compact.contains("/Subtype/Image") {
            parts.images += length;
        } else if compact.contains("/Subtype/CIDFontType0C")
            || compact.contains("/Subtype/OpenType")
            || compact.contains("/Length1")
        {
            parts.fonts += length;
        } else {
            parts.other += length;
        }
        at += length as usize;
    }
    parts
}

fn booklet(args: &BookletArgs) -> Res<()> {
    let load_before = load_average();
    let fonts = font_paths(&args.common)?;
    let mut s = Scratch::new("booklet")?;
    let project = s.path.join("project");
    copy_example(&args.common.example, &project, false)?;

    // Spread the photos over the areas, round robin; every fifth a portrait
    // shot (stored rotated with EXIF orientation, as phones do).
    let areas_dir = project.join("content/areas");
    let mut area_files: Vec<PathBuf> = std::fs::read_dir(&areas_dir)
        .map_err(|e| format!("{}: {e}", areas_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    area_files.sort();
    if area_files.is_empty() {
        return Err("the example has no content/areas/*.yaml".into());
    }
    let mut per_area: Vec<Vec<String>> = vec![Vec::new(); area_files.len()];
    for i in 0..args.photos {
        let a = i % area_files.len();
        let stem = area_files[a].file_stem().unwrap_or_default().to_string_lossy().into_owned();
        let n = per_area[a].len() + 1;
        let kind = if i % 5 == 4 { "portrait-" } else { "" };
        per_area[a].push(format!("bench-{stem}-{kind}{n}.jpg"));
    }
    for (file, photos) in area_files.iter().zip(&per_area) {
        write(file, &set_area_photos(&read(file)?, photos)?)?;
    }
    // Other photos the booklet names (the cover).
    let booklet_yaml = read(&project.join("content/booklet.yaml"))?;
    let mut names: Vec<String> = per_area.concat();
    let extra: Vec<String> = booklet_yaml
        .split("photos/")
        .skip(1)
        .filter_map(|rest| {
            let name: String =
                rest.chars().take_while(|c| c.is_ascii_alphanumeric() || "._-".contains(*c)).collect();
            (name.ends_with(".jpg") || name.ends_with(".png")).then_some(name)
        })
        .collect();
    names.extend(extra.iter().cloned());
    eprintln!("booklet: generating {} photos (4000×3000 JPEG)…", names.len());
    let photos_dir = project.join("content/photos");
    let gen_time = sample_photos(&photos_dir, &names)?;
    let (source_bytes, source_count) = dir_size(&photos_dir);

    let out = s.path.join("out");
    let child_args = || {
        let mut a = vec![
            "child".to_owned(),
            "--target".into(),
            "booklet".into(),
            "--project".into(),
            project.display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ];
        a.extend(font_args(&fonts));
        if let Some(j) = args.common.jobs {
            a.extend(["--jobs".to_owned(), j.to_string()]);
        }
        a.extend(args.common.mode_args());
        a
    };
    let cache = BuildConfig::new(&project).cache_dir();
    let _ = std::fs::remove_dir_all(&cache);
    eprintln!("booklet: first build (empty photo cache)…");
    let first = run_child(&child_args())?;
    eprintln!("booklet: rebuild (photo cache filled)…");
    let second = run_child(&child_args())?;
    let (cache_bytes, cache_files) = dir_size(&cache);
    let pdf = second["files"]["booklet.pdf"]["bytes"].as_f64().unwrap_or(f64::NAN);
    let pages = second["files"]["booklet.pdf"]["pages"].as_u64().unwrap_or(0);
    let imposed = second["files"]["booklet-imposed.pdf"]["bytes"].as_f64().unwrap_or(f64::NAN);
    let photo_bytes = num(&second, "photo_bytes");
    let ratio = pdf / cache_bytes as f64;
    let parts = std::fs::read(out.join("booklet.pdf")).map(|b| pdf_parts(&b)).unwrap_or_default();
    let load = load_line(load_before, load_average());

    let mut r = String::new();
    let _ = writeln!(r);
    let _ = writeln!(r, "== pressroom-bench booklet ==");
    let _ = writeln!(
        r,
        "machine: {} core(s); each build a fresh child process running pressroom::build::build()",
        cores()
    );
    let _ = writeln!(r, "{}", previews_line(&args.common));
    let _ = writeln!(r, "{load}");
    let _ = writeln!(
        r,
        "content: the example's booklet with {} phone photos spread over {} areas (4000×3000 JPEG, every fifth a\n         \
         portrait stored with EXIF rotation) + {} other photo(s) it names (cover): {} source files, {:.0} MiB\n         \
         (generated by sample-photos in {:.1} s, not timed below)",
        args.photos,
        area_files.len(),
        extra.len(),
        source_count,
        source_bytes as f64 / 1_048_576.0,
        gen_time.as_secs_f64()
    );
    let _ = writeln!(r);
    let _ = writeln!(
        r,
        "  first build, empty photo cache:  {:>7.2} s   peak RSS {:>5.0} MiB",
        num(&first, "wall_ms") / 1000.0,
        mib(first["peak_rss_kib"].as_u64().unwrap_or(0))
    );
    let _ = writeln!(
        r,
        "  rebuild, photo cache filled:     {:>7.2} s   peak RSS {:>5.0} MiB",
        num(&second, "wall_ms") / 1000.0,
        mib(second["peak_rss_kib"].as_u64().unwrap_or(0))
    );
    let _ = writeln!(
        r,
        "  booklet.pdf: {} pages, {:.2} MiB; booklet-imposed.pdf {:.2} MiB",
        pages,
        pdf / 1_048_576.0,
        imposed / 1_048_576.0
    );
    let _ = writeln!(
        r,
        "  downsampled photos in the cache: {cache_files} files, {:.2} MiB (build report: {:.2} MiB placed)",
        cache_bytes as f64 / 1_048_576.0,
        photo_bytes / 1_048_576.0
    );
    let _ = writeln!(
        r,
        "  inside booklet.pdf: images {:.2} MiB ({:.1}% of the cached photos), embedded font subsets {:.2} MiB,\n    \
         other streams (page contents, ICC, CMaps) {:.2} MiB, the rest (dictionaries, xref) {:.2} MiB",
        parts.images as f64 / 1_048_576.0,
        parts.images as f64 / cache_bytes as f64 * 100.0,
        parts.fonts as f64 / 1_048_576.0,
        parts.other as f64 / 1_048_576.0,
        (pdf - (parts.images + parts.fonts + parts.other) as f64) / 1_048_576.0
    );
    let _ = writeln!(r, "  warnings: {}", second["warnings"].as_u64().unwrap_or(0));
    let _ = writeln!(r);
    let _ = writeln!(r, "Targets (issue 3):");
    let _ = writeln!(
        r,
        "  booklet.pdf within {:.0}% of the downsampled photos: {:.1}% of them ({:+.2} MiB of text, fonts, pages)  {}",
        (TARGET_PDF_RATIO - 1.0) * 100.0,
        ratio * 100.0,
        (pdf - cache_bytes as f64) / 1_048_576.0,
        verdict(ratio <= TARGET_PDF_RATIO)
    );
    let _ = writeln!(
        r,
        "  cached rebuild faster than the first: {:.1}× faster",
        num(&first, "wall_ms") / num(&second, "wall_ms")
    );
    let _ = writeln!(r, "  (targets are information only; this command exits 0 either way)");
    print!("{r}");
    if args.common.keep {
        s.keep();
        println!("kept: {}", s.path.display());
    }
    Ok(())
}
