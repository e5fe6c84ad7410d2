//! pressroom against the engine it drives (issue 17): the same flyers,
//! template, data and fonts typeset by typst's own Python binding in a plain
//! loop (`bench/typst_peer.py`, no pressroom code), in the same run.
//!
//! Every figure is taken `runs` times, the peer and pressroom alternating
//! so that a slow stretch of the shared machine falls on both, and printed
//! as min / median / max. "Per core" runs are pinned to the first CPU
//! (`taskset -c 0`): typst's own worker threads and pressroom's writing
//! thread then share that core instead of borrowing the second.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{
    FlyersArgs, Res, Scratch, flyer_build_args, flyers_project, num, phases_args, run_child, run_tagged,
    verdict,
};

/// pressroom's wall time per flyer on one core, at most this times the engine's.
const TARGET_PER_CORE: f64 = 0.95;
/// Throughput from one worker on one core to two workers on two cores.
const TARGET_SCALING: f64 = 1.9;
/// The peer's Python package, as pinned by `./dev.sh bench`.
pub const PEER_PACKAGE: &str = "typst==0.15.2";

/// min, median, max.
pub fn spread(values: &[f64]) -> (f64, f64, f64) {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let mid = if v.len() % 2 == 1 { v[v.len() / 2] } else { (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0 };
    (v[0], mid, v[v.len() - 1])
}

/// "a / b / c" with `digits` decimals.
pub fn show(values: &[f64], digits: usize) -> String {
    let (lo, mid, hi) = spread(values);
    format!("{lo:.digits$} / {mid:.digits$} / {hi:.digits$}")
}

/// The typst version of the Python binding, if it is installed.
fn peer_version() -> Option<String> {
    let out = Command::new("python3").args(["-c", "import typst; print(typst.__version__)"]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The flyers of one project and their dumped data, for one set of fonts.
struct Flyers<'a> {
    project: &'a Path,
    work: &'a Path,
    fonts: &'a [PathBuf],
    /// The template data, one flyer per line (see `phases --dump-data`).
    data: PathBuf,
    /// The PDFs' date, as `[year, month, day]`.
    date: [String; 3],
    count: usize,
}

impl<'a> Flyers<'a> {
    fn dump(project: &'a Path, work: &'a Path, fonts: &'a [PathBuf], label: &str, count: usize) -> Res<Self> {
        let data = work.join(format!("data-{label}.jsonl"));
        let mut args = phases_args(project, &work.join("dump-out"), fonts, count);
        args.extend(["--dump-data".to_owned(), data.display().to_string()]);
        let result = run_child(&args)?;
        let part = |i: usize| result["date"][i].as_i64().unwrap_or(1).to_string();
        Ok(Self { project, work, fonts, data, date: [part(0), part(1), part(2)], count })
    }

    /// The plain-engine loop on one core: wall and CPU ms per flyer.
    fn peer(&self) -> Res<(f64, f64)> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/typst_peer.py");
        let out = self.work.join("peer-out");
        let _ = std::fs::remove_dir_all(&out);
        let mut cmd = Command::new("python3");
        cmd.arg(script).arg(self.project).arg(&self.data).arg(&out).args(&self.date).args(self.fonts);
        let r = run_tagged(&cmd, true)?;
        let n = self.count as f64;
        Ok((num(&r, "wall_ms") / n, num(&r, "cpu_ms") / n))
    }

    /// A whole `build()` of the flyers (load, checks, data, typesetting,
    /// atomic writes), no previews: wall and CPU ms per flyer.
    fn pressroom(&self, jobs: usize, one_core: bool) -> Res<(f64, f64)> {
        let out = self.work.join(format!("out-{jobs}"));
        let _ = std::fs::remove_dir_all(&out);
        let mut args = flyer_build_args(self.project, &out, self.fonts);
        args.extend(["--jobs".to_owned(), jobs.to_string(), "--no-previews".into()]);
        let r = run_tagged(Command::new(super::this_program()?).args(&args), one_core)?;
        let written = r["outputs"].as_u64().unwrap_or(0) as usize;
        if written != self.count {
            return Err(format!("the build wrote {written} flyers, expected {}", self.count));
        }
        let n = self.count as f64;
        Ok((num(&r, "wall_ms") / n, num(&r, "cpu_ms") / n))
    }

    /// Layout and PDF export alone, on one core: ms per flyer of each.
    fn phases(&self) -> Res<(f64, f64)> {
        let mut args = phases_args(self.project, &self.work.join("phases-out"), self.fonts, self.count);
        args.extend(["--write".to_owned(), "none".into()]);
        let r = run_tagged(Command::new(super::this_program()?).args(&args), true)?;
        let n = num(&r, "flyers").max(1.0);
        Ok((num(&r, "compile_ms") / n, num(&r, "export_ms") / n))
    }
}

/// Wall and CPU series of one contender.
#[derive(Default)]
struct Series {
    wall: Vec<f64>,
    cpu: Vec<f64>,
}

impl Series {
    fn push(&mut self, (wall, cpu): (f64, f64)) {
        self.wall.push(wall);
        self.cpu.push(cpu);
    }
}

/// The CFF-outline fonts to compare with, if there are any.
fn cff_fonts(args: &FlyersArgs) -> Option<PathBuf> {
    let dir = args
        .cff_font_path
        .clone()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/fonts/fandol-otf"));
    dir.is_dir().then(|| std::path::absolute(&dir).unwrap_or(dir))
}

/// Runs the comparison and returns its report section.
pub fn section(args: &FlyersArgs, fonts: &[PathBuf]) -> Res<String> {
    let mut r = String::new();
    let n = args.engine_count;
    let runs = args.runs.max(1);
    let _ =
        writeln!(r, "Against the engine (issue 17): {n} generated flyers, {runs} runs, min / median / max");
    let Some(version) = peer_version() else {
        let _ = writeln!(
            r,
            "  not measured: typst's Python binding is not installed (`pip install {PEER_PACKAGE}`; \
             `./dev.sh bench` installs it)"
        );
        return Ok(r);
    };
    let scratch = Scratch::new("engine")?;
    let work = &scratch.path;
    let project = work.join("project");
    flyers_project(&args.common.example, &project, n, None)?;
    let main = Flyers::dump(&project, work, fonts, "main", n)?;
    let cff_dir = cff_fonts(args);
    let cff_list: Vec<PathBuf> = cff_dir.iter().cloned().collect();
    let cff = match &cff_dir {
        Some(_) => Some(Flyers::dump(&project, work, &cff_list, "cff", n)?),
        None => None,
    };

    let (mut peer, mut one, mut two) = (Series::default(), Series::default(), Series::default());
    let (mut peer_c, mut one_c, mut two_c) = (Series::default(), Series::default(), Series::default());
    let (mut phases, mut phases_c) = (Vec::new(), Vec::new());
    for run in 1..=runs {
        eprintln!("engine: run {run} of {runs}: typst's Python binding, then pressroom…");
        peer.push(main.peer()?);
        one.push(main.pressroom(1, true)?);
        two.push(main.pressroom(2, false)?);
        phases.push(main.phases()?);
        if let Some(cff) = &cff {
            peer_c.push(cff.peer()?);
            one_c.push(cff.pressroom(1, true)?);
            two_c.push(cff.pressroom(2, false)?);
            phases_c.push(cff.phases()?);
        }
    }
    let ratios =
        |a: &Series, b: &Series| -> Vec<f64> { a.wall.iter().zip(&b.wall).map(|(x, y)| x / y).collect() };
    let _ = writeln!(
        r,
        "  peer: typst {version} through its Python binding (bench/typst_peer.py): one Compiler, a loop of\n        \
         compile(format=\"pdf\") over the same flyers' data (sys.inputs), PDFs written without fsync;\n        \
         pressroom: a whole build() (load, checks, data, typesetting, atomic writes), no previews"
    );
    let mut table = |label: &str, fonts: &str, p: &Series, a: &Series, b: &Series, ph: &[(f64, f64)]| {
        let _ = writeln!(r, "  fonts: {fonts}");
        let _ = writeln!(r, "    {:<40} {:>24}  {:>24}", "ms per flyer", "wall", "CPU");
        for (name, s) in [
            ("typst's Python binding, 1 core", p),
            ("pressroom --jobs 1, 1 core", a),
            ("pressroom --jobs 2, 2 cores", b),
        ] {
            let _ = writeln!(r, "    {name:<40} {:>24}  {:>24}", show(&s.wall, 2), show(&s.cpu, 2));
        }
        let compile: Vec<f64> = ph.iter().map(|x| x.0).collect();
        let export: Vec<f64> = ph.iter().map(|x| x.1).collect();
        let _ = writeln!(
            r,
            "    of which, on 1 core: layout {} ms, PDF export {} ms per flyer",
            show(&compile, 2),
            show(&export, 2)
        );
        let per_core = ratios(a, p);
        let scaling = ratios(a, b);
        let (_, ratio, _) = spread(&per_core);
        let (_, scale, _) = spread(&scaling);
        let _ = writeln!(
            r,
            "    {label}per core, pressroom / engine ≤ {TARGET_PER_CORE}: {}× (each run against the peer run \
             before it)  {}",
            show(&per_core, 3),
            verdict(ratio <= TARGET_PER_CORE)
        );
        let _ = writeln!(
            r,
            "    {label}scaling, 1 worker on 1 core → 2 on 2 cores ≥ {TARGET_SCALING}×: {}×  {}",
            show(&scaling, 2),
            verdict(scale >= TARGET_SCALING)
        );
    };
    let fonts_label = fonts.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
    table(
        "",
        &format!("{fonts_label} (the default: Fandol with TrueType outlines, made by ./dev.sh fonts)"),
        &peer,
        &one,
        &two,
        &phases,
    );
    if cff.is_some() {
        table(
            "with CFF outlines: ",
            "Fandol as Debian ships it (CFF outlines), .cache/fonts/fandol-otf",
            &peer_c,
            &one_c,
            &two_c,
            &phases_c,
        );
        let gain: Vec<f64> = phases_c.iter().zip(&phases).map(|(c, t)| c.1 / t.1).collect();
        let _ = writeln!(r, "  PDF export, CFF / TrueType outlines: {}× (same run)", show(&gain, 2));
    } else {
        let _ = writeln!(
            r,
            "  CFF outlines: not measured (no .cache/fonts/fandol-otf; `./dev.sh fonts` fetches it)"
        );
    }
    if args.common.keep {
        let mut s = scratch;
        s.keep();
        let _ = writeln!(r, "  kept: {}", s.path.display());
    }
    Ok(r)
}
