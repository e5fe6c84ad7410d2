//! The bad-input corpus (issue 5): every mistake a clerk can make in a project,
//! each pinned to the exact message `pressroom` answers it with, in English and
//! in Chinese.
//!
//! Each folder `tests/bad-inputs/<NN-name>/` is one case (folders starting with `_`
//! are not cases; `_bases/` holds base projects). A case is a small change to a base
//! project, a command to run on it, and the expected answer:
//!
//! * `base` (optional): the project the case starts from: `minimal`
//!   (`tests/fixtures/minimal`, the default), `example` (the repository's `content/`
//!   without its photos, plus `templates/`) or the name of a folder in
//!   `tests/bad-inputs/_bases/` (copied, plus the repository's `templates/`).
//! * every other file or folder of the case that is not a control file (e.g.
//!   `content/notice.yaml`, `pressroom.yaml`) is copied over the base, replacing
//!   files of the same name;
//! * `generate` (optional): one instruction a line for files that cannot be
//!   committed as text (see [`apply`]): `remove`, `gbk`, `utf16le`, `bom`, `crlf`,
//!   `append-hex`, `empty`, `jpeg`, `truncate`, `png-header`, `repeat`, `symlink`,
//!   `mkdir`;
//! * `args` (optional): the command, default `check`. The harness appends
//!   `--project <temp project>` (and `--out <temp folder>` for `build`), the Fandol
//!   fonts (`--font-path`, `--no-system-fonts`) and runs it once with `--lang en`
//!   and once with `--lang zh`, each on a fresh copy;
//! * `timeout` (optional): seconds before the run counts as hung (default 60);
//! * `pin-stdout` (optional, empty): standard output is pinned too, in
//!   `expected.stdout` and `expected.zh.stdout` (for commands whose output is stable);
//! * `about`: one line saying what the case is;
//! * `expected.stderr`, `expected.zh.stderr`, `expected.code`: the pinned answer.
//!   Standard error is compared exactly after normalising: ANSI escapes removed,
//!   trailing spaces trimmed, and the temporary folders written as `[PROJECT]`,
//!   `[OUT]`, `[OUTSIDE]` (a folder next to the project holding `secret.jpg`, a
//!   valid JPEG that must never be read) and `[TMP]`, the fonts as `[FONTS]`, the
//!   repository as `[REPO]`; a panic's thread id is dropped and its source line
//!   written `LL:CC`. The code is the exit status, `signal N` or `timeout`.
//!
//! `BLESS=1 cargo test --release --test bad_inputs` (re)writes the expected files.
//! Without it, one test runs every case and reports every mismatch as a diff.

mod support;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use support::cli;
use support::pdf::read_pdf;
use tempfile::TempDir;

/// The corpus folder, relative to the repository.
const CORPUS: &str = "tests/bad-inputs";
/// The issue asks for at least this many cases.
const MIN_CASES: usize = 40;
/// Seconds a run may take before it counts as hung, unless the case says.
const DEFAULT_TIMEOUT: u64 = 60;
/// Files of a case folder that steer the harness instead of being copied.
const CONTROL: &[&str] = &["about", "args", "base", "generate", "pin-stdout", "timeout"];
/// The two message languages every case is run in, with the suffix of their file.
const LANGS: [&str; 2] = ["en", "zh"];

fn corpus() -> PathBuf {
    cli::repo().join(CORPUS)
}

/// Every case folder, sorted by name.
fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(corpus())
        .expect("read tests/bad-inputs")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| !e.file_name().to_string_lossy().starts_with('_'))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs
}

fn name_of(case: &Path) -> String {
    case.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// A control file's text, trimmed, if the case has it.
fn control(case: &Path, file: &str) -> Option<String> {
    fs::read_to_string(case.join(file)).ok().map(|s| s.trim().to_owned())
}

// ---------------------------------------------------------------------------
// Setting a case up.
// ---------------------------------------------------------------------------

/// A case's project in a temporary folder: `<tmp>/project`, `<tmp>/out`,
/// `<tmp>/outside`.
struct Setup {
    tmp: TempDir,
}

impl Setup {
    fn project(&self) -> PathBuf {
        self.tmp.path().join("project")
    }

    fn out(&self) -> PathBuf {
        self.tmp.path().join("out")
    }

    fn outside(&self) -> PathBuf {
        self.tmp.path().join("outside")
    }
}

fn copy_tree(from: &Path, to: &Path, skip: &dyn Fn(&Path) -> bool) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    let entries = fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display()));
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if skip(&path) {
            continue;
        }
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap_or_else(|e| panic!("stat {}: {e}", path.display()));
        if kind.is_dir() {
            copy_tree(&path, &target, skip);
        } else {
            fs::copy(&path, &target)
                .unwrap_or_else(|e| panic!("copy {} to {}: {e}", path.display(), target.display()));
        }
    }
}

/// Builds the case's project: base, overlay, generated files.
fn setup(case: &Path) -> Setup {
    let tmp = tempfile::Builder::new().prefix("pressroom-bad-").tempdir().expect("create a temporary folder");
    let setup = Setup { tmp };
    let project = setup.project();
    let repo = cli::repo();
    let nothing = |_: &Path| false;
    match control(case, "base").as_deref().unwrap_or("minimal") {
        "minimal" => copy_tree(&repo.join("tests/fixtures/minimal"), &project, &nothing),
        "example" => {
            let photos = repo.join("content/photos");
            copy_tree(&repo.join("content"), &project.join("content"), &|p: &Path| p == photos);
            copy_tree(&repo.join("templates"), &project.join("templates"), &nothing);
        }
        other => {
            let base = corpus().join("_bases").join(other);
            assert!(base.is_dir(), "{}: unknown base `{other}`", name_of(case));
            copy_tree(&base, &project, &nothing);
            copy_tree(&repo.join("templates"), &project.join("templates"), &nothing);
        }
    }
    copy_tree(case, &project, &|p: &Path| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        CONTROL.contains(&name.as_str()) || name.starts_with("expected.")
    });
    fs::create_dir_all(setup.outside()).expect("create the outside folder");
    fs::write(setup.outside().join("secret.jpg"), jpeg(32, 24)).expect("write the outside secret");
    if let Some(script) = control(case, "generate") {
        for (n, line) in script.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            apply(&setup, line).unwrap_or_else(|e| panic!("{}: generate line {}: {e}", name_of(case), n + 1));
        }
    }
    setup
}

/// Runs one `generate` instruction; paths are relative to the project.
///
/// * `remove PATH` deletes a file or folder;
/// * `mkdir PATH` creates a folder;
/// * `empty PATH` writes a zero-byte file;
/// * `gbk PATH` / `utf16le PATH` re-encode a (UTF-8) file as GBK / as UTF-16LE with
///   its byte-order mark (Notepad's "Unicode");
/// * `bom PATH` puts a UTF-8 byte-order mark in front; `crlf PATH` turns LF into CRLF,
///   `cr PATH` into lone CRs (classic Mac);
/// * `append-hex PATH HEX…` appends bytes;
/// * `jpeg PATH W H` writes a valid W×H JPEG of noise (about 1 KB per 1000 pixels);
/// * `truncate PATH N` keeps the first N bytes;
/// * `png-header PATH W H` writes a PNG whose header claims W×H pixels, with one
///   tiny data chunk;
/// * `repeat PATH MARKER TEXT N` replaces MARKER in the file with TEXT N times;
/// * `symlink PATH TARGET` makes PATH a symbolic link to TARGET, where `[OUTSIDE]`
///   stands for the folder next to the project and `[FONTS]` for the Fandol fonts.
fn apply(setup: &Setup, line: &str) -> Result<(), String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let (op, rest) = words.split_first().ok_or("empty instruction")?;
    let path = setup.project().join(rest.first().ok_or("no path")?);
    let read = || fs::read(&path).map_err(|e| format!("read {}: {e}", path.display()));
    let text = || String::from_utf8(read()?).map_err(|e| format!("{}: {e}", path.display()));
    let number = |i: usize| -> Result<u32, String> {
        rest.get(i).ok_or(format!("`{op}` needs {} arguments", i + 1))?.parse().map_err(|e| format!("{e}"))
    };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let bytes: Vec<u8> = match *op {
        "remove" => {
            let removed = if path.is_dir() { fs::remove_dir_all(&path) } else { fs::remove_file(&path) };
            return removed.map_err(|e| format!("remove {}: {e}", path.display()));
        }
        "mkdir" => return fs::create_dir_all(&path).map_err(|e| e.to_string()),
        "symlink" => {
            let target = rest.get(1).ok_or("`symlink` needs a target")?;
            let target = target
                .replace("[OUTSIDE]", &setup.outside().to_string_lossy())
                .replace("[FONTS]", &cli::font_dir().to_string_lossy());
            return symlink(Path::new(&target), &path);
        }
        "empty" => Vec::new(),
        "gbk" => encoding_rs::GBK.encode(&text()?).0.into_owned(),
        "utf16le" => {
            let mut out = vec![0xFF, 0xFE];
            out.extend(text()?.encode_utf16().flat_map(u16::to_le_bytes));
            out
        }
        "bom" => [b"\xEF\xBB\xBF".as_slice(), &read()?].concat(),
        "crlf" => text()?.replace('\n', "\r\n").into_bytes(),
        "cr" => text()?.replace('\n', "\r").into_bytes(),
        "append-hex" => {
            let mut out = read()?;
            for hex in &rest[1..] {
                out.push(u8::from_str_radix(hex, 16).map_err(|e| format!("{hex}: {e}"))?);
            }
            out
        }
        "jpeg" => jpeg(number(1)? as u16, number(2)? as u16),
        "truncate" => {
            let mut out = read()?;
            let keep = number(1)? as usize;
            if out.len() <= keep {
                return Err(format!("{} has only {} bytes", path.display(), out.len()));
            }
            out.truncate(keep);
            out
        }
        "png-header" => png_header(number(1)?, number(2)?),
        "repeat" => {
            let (Some(marker), Some(piece)) = (rest.get(1), rest.get(2)) else {
                return Err("`repeat` needs a marker, a text and a count".to_owned());
            };
            let text = text()?;
            if !text.contains(marker) {
                return Err(format!("{} has no {marker}", path.display()));
            }
            text.replace(marker, &piece.repeat(number(3)? as usize)).into_bytes()
        }
        other => return Err(format!("unknown instruction `{other}`")),
    };
    fs::write(&path, bytes).map_err(|e| format!("write {}: {e}", path.display()))
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> Result<(), String> {
    std::os::unix::fs::symlink(target, link).map_err(|e| e.to_string())
}

#[cfg(not(unix))]
fn symlink(_: &Path, _: &Path) -> Result<(), String> {
    Err("symbolic links are only made on Unix".to_owned())
}

/// A W×H JPEG of deterministic noise (noise does not compress, so the file is
/// large enough to be cut short).
fn jpeg(width: u16, height: u16) -> Vec<u8> {
    let mut state: u32 = 0x2545_F491;
    let pixels: Vec<u8> = (0..usize::from(width) * usize::from(height) * 3)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb)
        .expect("encode a JPEG");
    out
}

/// A PNG whose IHDR claims `width`×`height` RGB pixels, followed by one small
/// IDAT (a few rows of zeros at most) and IEND: the header lies about the size.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8 bits, RGB, deflate, adaptive filter, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    // A zlib stream holding one empty stored block.
    chunk(&mut out, b"IDAT", &[0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

// ---------------------------------------------------------------------------
// Running a case.
// ---------------------------------------------------------------------------

/// What one run answered, normalised.
#[derive(Debug, Clone, PartialEq)]
struct Answer {
    /// `0`, `1`, … or `signal N` or `timeout`.
    code: String,
    /// Standard error, normalised.
    stderr: String,
    /// Standard output, normalised.
    stdout: String,
    /// Wall time.
    elapsed: Duration,
}

/// The command line of a case: its `args` plus project, output and fonts.
fn command_line(case: &Path, setup: &Setup, lang: &str) -> Vec<String> {
    let args = control(case, "args").unwrap_or_else(|| "check".to_owned());
    let mut line = vec!["--lang".to_owned(), lang.to_owned()];
    line.extend(args.split_whitespace().map(str::to_owned));
    line.extend(["--project".to_owned(), setup.project().to_string_lossy().into_owned()]);
    if line.get(2).is_some_and(|a| a == "build") {
        line.extend(["--out".to_owned(), setup.out().to_string_lossy().into_owned()]);
    }
    line.extend(["--font-path".to_owned(), cli::font_dir().to_string_lossy().into_owned()]);
    line.push("--no-system-fonts".to_owned());
    line
}

/// Runs the case's command on `setup` in `lang`, killing it after its timeout.
fn run(case: &Path, setup: &Setup, lang: &str) -> Answer {
    let timeout = control(case, "timeout").and_then(|t| t.parse().ok()).unwrap_or(DEFAULT_TIMEOUT);
    let stdout_path = setup.tmp.path().join("stdout");
    let stderr_path = setup.tmp.path().join("stderr");
    let file = |p: &Path| fs::File::create(p).unwrap_or_else(|e| panic!("create {}: {e}", p.display()));
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pressroom"))
        .args(command_line(case, setup, lang))
        .current_dir(setup.tmp.path())
        .env("LANG", "C")
        .env("RUST_BACKTRACE", "0")
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("PRESSROOM_FONT_PATH")
        .env_remove("SOURCE_DATE_EPOCH")
        .stdin(Stdio::null())
        .stdout(file(&stdout_path))
        .stderr(file(&stderr_path))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", env!("CARGO_BIN_EXE_pressroom")));
    let code = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status_code(status),
            Ok(None) if started.elapsed() > Duration::from_secs(timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                break "timeout".to_owned();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("waiting for pressroom: {e}"),
        }
    };
    let elapsed = started.elapsed();
    let read = |p: &Path| normalise(&String::from_utf8_lossy(&fs::read(p).unwrap_or_default()), setup);
    Answer { code, stderr: read(&stderr_path), stdout: read(&stdout_path), elapsed }
}

fn status_code(status: std::process::ExitStatus) -> String {
    if let Some(code) = status.code() {
        return code.to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("signal {signal}");
        }
    }
    "killed".to_owned()
}

/// Removes ANSI escapes and trailing spaces, and writes machine-specific paths
/// as placeholders.
fn normalise(text: &str, setup: &Setup) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        plain.push(c);
    }
    let mut paths: Vec<(String, &str)> = Vec::new();
    let mut add = |path: PathBuf, name: &'static str| {
        if let Ok(real) = path.canonicalize() {
            paths.push((real.to_string_lossy().into_owned(), name));
        }
        paths.push((path.to_string_lossy().into_owned(), name));
    };
    add(setup.project(), "[PROJECT]");
    add(setup.out(), "[OUT]");
    add(setup.outside(), "[OUTSIDE]");
    add(setup.tmp.path().to_path_buf(), "[TMP]");
    add(cli::font_dir(), "[FONTS]");
    add(cli::repo(), "[REPO]");
    // Longest first, so a folder never replaces part of a longer one.
    paths.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    for (path, name) in &paths {
        plain = plain.replace(path.as_str(), name);
    }
    let mut out: String = plain.lines().map(|l| format!("{}\n", stable_panic_line(l).trim_end())).collect();
    if !plain.is_empty() && !plain.ends_with('\n') {
        out.pop();
    }
    out
}

/// A panic's first line, `thread 'main' (12345) panicked at src/x.rs:10:5:`,
/// without the thread id (it differs on every run) and with the line and
/// column as `LL:CC` (they move with every edit of the file).
fn stable_panic_line(line: &str) -> String {
    let Some(rest) = line.strip_prefix("thread '") else { return line.to_owned() };
    let Some((name, after)) = rest.split_once('\'') else { return line.to_owned() };
    let after = match after.strip_prefix(" (").and_then(|a| a.split_once(')')) {
        Some((id, tail)) if id.chars().all(|c| c.is_ascii_digit()) => tail,
        _ => after,
    };
    let Some(place) = after.strip_prefix(" panicked at ") else { return line.to_owned() };
    let file = place.split(':').next().unwrap_or(place);
    format!("thread '{name}' panicked at {file}:LL:CC:")
}

// ---------------------------------------------------------------------------
// Comparing.
// ---------------------------------------------------------------------------

/// A line diff of `expected` against `actual`: `-` lines are expected only,
/// `+` lines actual only, with two lines of context.
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    // Longest common subsequence table, from the end.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            ops.push(('+', b[j]));
            j += 1;
        } else {
            ops.push(('-', a[i]));
            i += 1;
        }
    }
    const CONTEXT: usize = 2;
    let near_change = |k: usize| {
        ops[k.saturating_sub(CONTEXT)..(k + CONTEXT + 1).min(ops.len())].iter().any(|(op, _)| *op != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (op, line)) in ops.iter().enumerate() {
        if near_change(k) {
            if skipped {
                out.push_str("  …\n");
                skipped = false;
            }
            let _ = writeln!(out, "{op} {line}");
        } else {
            skipped = true;
        }
    }
    if expected.ends_with('\n') != actual.ends_with('\n') {
        out.push_str("  (the texts differ in their final newline)\n");
    }
    out
}

/// The outcome of one case in both languages.
struct Outcome {
    name: String,
    answers: Vec<(&'static str, Answer)>,
}

fn run_case(case: &Path) -> Outcome {
    let answers = LANGS
        .iter()
        .map(|lang| {
            let setup = setup(case);
            (*lang, run(case, &setup, lang))
        })
        .collect();
    Outcome { name: name_of(case), answers }
}

/// Runs every case on a few threads, in case order.
fn run_all(cases: &[PathBuf]) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(8);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = cases.get(i) else { break };
                    let outcome = run_case(case);
                    results.lock().expect("results lock").push((i, outcome));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("results lock");
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, o)| o).collect()
}

/// Compares (or, when blessing, writes) one case's expected files; returns the
/// problems found.
fn check_case(dir: &Path, outcome: &Outcome, bless: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let codes: Vec<&str> = outcome.answers.iter().map(|(_, a)| a.code.as_str()).collect();
    if codes.windows(2).any(|w| w[0] != w[1]) {
        problems.push(format!("the exit code depends on the language: {codes:?}"));
    }
    let code = format!("{}\n", codes[0]);
    let mut files: Vec<(String, &str)> = vec![("expected.code".to_owned(), code.as_str())];
    let pin_stdout = dir.join("pin-stdout").exists();
    for (lang, answer) in &outcome.answers {
        let infix = if *lang == "en" { String::new() } else { format!(".{lang}") };
        files.push((format!("expected{infix}.stderr"), answer.stderr.as_str()));
        if pin_stdout {
            files.push((format!("expected{infix}.stdout"), answer.stdout.as_str()));
        }
    }
    for (file, actual) in files {
        let path = dir.join(&file);
        if bless {
            fs::write(&path, actual).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
            continue;
        }
        match fs::read_to_string(&path) {
            Err(_) => problems.push(format!("{file} is missing (run with BLESS=1); actual:\n{actual}")),
            Ok(expected) if expected != actual => {
                problems.push(format!("{file} differs (- expected, + actual):\n{}", diff(&expected, actual)));
            }
            Ok(_) => {}
        }
    }
    problems
}

#[test]
fn every_bad_input_gets_its_pinned_answer() {
    let bless = std::env::var_os("BLESS").is_some_and(|v| !v.is_empty() && v != "0");
    let cases = cases();
    let outcomes = run_all(&cases);
    let mut report = String::new();
    let mut failures = 0;
    for (dir, outcome) in cases.iter().zip(&outcomes) {
        let times: Vec<String> =
            outcome.answers.iter().map(|(l, a)| format!("{l} {} ms", a.elapsed.as_millis())).collect();
        println!("{:<44} exit {:<8} {}", outcome.name, outcome.answers[0].1.code, times.join(", "));
        let problems = check_case(dir, outcome, bless);
        if !problems.is_empty() {
            failures += 1;
            let _ = writeln!(report, "\n=== {} ===", outcome.name);
            for p in problems {
                let _ = writeln!(report, "{p}");
            }
        }
    }
    assert!(
        failures == 0,
        "{failures} of {} bad-input cases do not give their pinned answer \
         (if the new answers are right: BLESS=1 cargo test --release --test bad_inputs):\n{report}",
        cases.len()
    );
}

#[test]
fn the_corpus_has_enough_cases_and_each_is_complete() {
    let cases = cases();
    assert!(cases.len() >= MIN_CASES, "only {} bad-input cases; issue 5 asks for {MIN_CASES}", cases.len());
    for case in &cases {
        assert!(
            control(case, "about").is_some_and(|a| !a.is_empty()),
            "{}: no `about` line saying what the case is",
            name_of(case)
        );
    }
}

/// Text that looks like typst markup or code is data: the case that holds it
/// builds (its pinned code is 0), and this checks the PDF prints it literally.
#[test]
fn typst_lookalike_text_is_printed_literally() {
    let case = cases()
        .into_iter()
        .find(|c| name_of(c).ends_with("-typst-lookalike-text"))
        .expect("a case named NN-typst-lookalike-text");
    let setup = setup(&case);
    let answer = run(&case, &setup, "en");
    assert_eq!(answer.code, "0", "the build failed:\n{}", answer.stderr);
    let pdf = read_pdf(&setup.out().join("notice.pdf"));
    let text: String = pdf.text().chars().filter(|c| !c.is_whitespace()).collect();
    let body = fs::read_to_string(case.join("content/notice.yaml")).expect("read the case's notice");
    let mut literal = Vec::new();
    for line in body.lines().skip_while(|l| !l.starts_with("body:")).skip(1) {
        let Some(line) = line.strip_prefix("  ") else { break };
        literal.push(line.chars().filter(|c| !c.is_whitespace()).collect::<String>());
    }
    assert!(literal.len() >= 5, "the case's body has too few lines: {literal:?}");
    let missing: Vec<&String> = literal.iter().filter(|l| !text.contains(l.as_str())).collect();
    assert!(missing.is_empty(), "not printed literally: {missing:?}\nPDF text:\n{}", pdf.text());
    assert!(!text.contains("root:"), "the PDF holds /etc/passwd");
}
