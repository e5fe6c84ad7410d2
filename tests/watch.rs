//! `pressroom watch` as a user runs it: a child process on a temporary copy of the
//! example project (content with its photos, templates; fonts from `support::cli`),
//! its standard output read line by line.
//!
//! One test, in phases on the same running watch (the first build is the slow part):
//! 1. a township file's phone is edited in place: exactly one rebuild, of exactly that
//!    township's flyer (the line names it; no other PDF's modification time changes),
//!    and the new phone is in the flyer's PDF;
//! 2. an editor's save of an area file (vim's `4913` probe, a backup `~` file, a
//!    temporary renamed over the file, a second write 20 ms later): exactly one rebuild,
//!    of the booklet and the flyers of the townships featuring that area;
//! 3. an undefined template name in a flyer text: the error is printed, the watch keeps
//!    running, the flyer's PDF stays byte-identical; the fix rebuilds it.
//!
//! "Exactly one" is checked by waiting, after the rebuild's line, longer than a second
//! rebuild of the same outputs would take (1.5 × the first one's time, plus 2 s), and
//! finding no further line.
//!
//! The benchmark (not a test; `cargo test --release --test watch -- --ignored --nocapture`)
//! measures the time from saving a one-line edit of an area file to the rebuilt
//! `booklet.pdf` on disk, photos cached, at the default debounce and at a short one.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use tempfile::TempDir;

use support::{cli, example};

/// How long the first (full) build may take on a loaded machine.
const FIRST_BUILD: Duration = Duration::from_secs(300);
/// How long one rebuild may take.
const REBUILD: Duration = Duration::from_secs(180);

// ---------------------------------------------------------------------------
// A temporary copy of the example project.
// ---------------------------------------------------------------------------

/// A temporary copy of the example project under Cargo's test temp folder (on the
/// repository's file system, so photos can be hard-linked).
fn example_copy() -> TempDir {
    example::ensure_photos();
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&base).unwrap_or_else(|e| panic!("create {}: {e}", base.display()));
    let project = tempfile::Builder::new()
        .prefix("pressroom-watch-")
        .tempdir_in(&base)
        .expect("create a temporary folder");
    for part in ["content", "templates", "fonts"] {
        let src = cli::repo().join(part);
        if src.is_dir() {
            example::copy_tree(&src, &project.path().join(part));
        }
    }
    project
}

// ---------------------------------------------------------------------------
// The watch process.
// ---------------------------------------------------------------------------

/// A running `pressroom watch`, killed on drop.
struct Watch {
    child: Child,
    /// Standard output, line by line.
    lines: Receiver<String>,
    /// Every line read so far, for failure messages.
    stdout: Arc<Mutex<Vec<String>>>,
    /// Standard error so far.
    stderr: Arc<Mutex<String>>,
}

impl Watch {
    /// Starts `pressroom watch --project PROJECT ARGS` with the test fonts and
    /// English messages, and waits for its first build and the "watching" line.
    fn start(project: &Path, args: &[&str]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pressroom"))
            .arg("watch")
            .arg("--project")
            .arg(project)
            .args(args)
            .arg("--font-path")
            .arg(cli::font_dir())
            .arg("--no-system-fonts")
            .env("LANG", "C")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("PRESSROOM_FONT_PATH")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", env!("CARGO_BIN_EXE_pressroom")));
        let (tx, lines) = mpsc::channel();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().expect("stdout is piped");
        let all = Arc::clone(&stdout);
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                all.lock().expect("stdout lock").push(line.clone());
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().expect("stderr is piped");
        let text = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                text.lock().expect("stderr lock").push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let watch = Watch { child, lines, stdout, stderr };
        watch.expect_line(|l| l.starts_with("done:"), FIRST_BUILD, "the first build's summary");
        watch.expect_line(|l| l.starts_with("watching "), Duration::from_secs(10), "the watching line");
        watch
    }

    /// Both output streams so far, for assertion messages.
    fn describe(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout.lock().expect("stdout lock").join("\n"),
            self.stderr.lock().expect("stderr lock")
        )
    }

    /// The next line that `pred` accepts (earlier lines are skipped); panics after
    /// `timeout`.
    fn expect_line(&self, pred: impl Fn(&str) -> bool, timeout: Duration, what: &str) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if pred(&line) => return line,
                Ok(_) => {}
                Err(_) => panic!("no {what} within {timeout:?}\n{}", self.describe()),
            }
        }
    }

    /// The next rebuild line (`changed … → …`).
    fn next_rebuild(&self) -> String {
        self.expect_line(|l| l.starts_with("changed "), REBUILD, "rebuild line")
    }

    /// Panics if a rebuild line arrives within `quiet`.
    fn expect_no_rebuild(&self, quiet: Duration, after: &str) {
        let deadline = Instant::now() + quiet;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with("changed ") => {
                    panic!("a second rebuild after “{after}”: “{line}”\n{}", self.describe())
                }
                Ok(_) => {}
                Err(mpsc::RecvTimeoutError::Timeout) => return,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    panic!("pressroom watch ended\n{}", self.describe())
                }
            }
        }
    }

    /// Panics unless the process is still running.
    fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().expect("query the child") {
            panic!("pressroom watch ended ({status})\n{}", self.describe());
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How long to wait for a second rebuild after one that took as long as `line`
/// says (`… in 1.23 s`): longer than the same rebuild again, after the debounce.
fn quiet_after(line: &str) -> Duration {
    let secs: f64 = line
        .rsplit(" in ")
        .next()
        .and_then(|t| t.trim_end_matches(" s").parse().ok())
        .unwrap_or_else(|| panic!("no time in “{line}”"));
    Duration::from_secs_f64(secs * 1.5 + 2.0)
}

// ---------------------------------------------------------------------------
// Outputs and content.
// ---------------------------------------------------------------------------

/// Every PDF under the output folder with its modification time.
fn pdf_times(out: &Path) -> BTreeMap<String, SystemTime> {
    let mut times = BTreeMap::new();
    for dir in [out.to_path_buf(), out.join("flyers"), out.join("annex")] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "pdf") {
                let rel = path.strip_prefix(out).expect("inside the output folder").display().to_string();
                let time = entry.metadata().and_then(|m| m.modified()).expect("modification time");
                times.insert(rel, time);
            }
        }
    }
    times
}

/// The PDFs whose modification time differs between `before` and `after`.
fn changed_pdfs(
    before: &BTreeMap<String, SystemTime>,
    after: &BTreeMap<String, SystemTime>,
) -> BTreeSet<String> {
    after.iter().filter(|(k, t)| before.get(*k) != Some(t)).map(|(k, _)| k.clone()).collect()
}

/// A township file's `township:` name.
fn township_name(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("township:"))
        .map(|rest| rest.split('#').next().unwrap_or(rest).trim().to_owned())
        .expect("a township: line")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Replaces the value of the first `key:` line (keeping its comment).
fn set_line(text: &str, key: &str, value: &str) -> String {
    let mut done = false;
    text.lines()
        .map(|l| {
            if !done && l.starts_with(&format!("{key}:")) {
                done = true;
                let comment = l.find(" #").map(|i| &l[i..]).unwrap_or("");
                format!("{key}: {value}{comment}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The names of the townships whose `features` include `area`, read with the
/// library's loader.
fn featuring(project: &Path, area: &str) -> BTreeSet<String> {
    let content =
        pressroom::build::load(project).unwrap_or_else(|f| panic!("load the example: {:?}", f.diags));
    content
        .townships
        .iter()
        .filter(|(_, t)| t.features.iter().any(|f| f.value == area))
        .map(|(_, t)| t.township.value.clone())
        .collect()
}

// ---------------------------------------------------------------------------
// The test.
// ---------------------------------------------------------------------------

#[test]
fn watch_rebuilds_exactly_what_a_save_changes_and_survives_errors() {
    let project = example_copy();
    let root = project.path();
    let out = root.join("output");
    let mut watch = Watch::start(root, &[]);

    // 1. A township's phone, edited in place.
    let township_file = root.join("content/townships/huaihe.yaml");
    let original = read(&township_file);
    let name = township_name(&original);
    let flyer = format!("flyers/{name}.pdf");
    let before = pdf_times(&out);
    assert!(before.contains_key(&flyer), "no {flyer} after the first build: {before:?}");
    write(&township_file, &set_line(&original, "phone", "\"0552-7654321\""));
    let line = watch.next_rebuild();
    assert_eq!(
        line.split(" in ").next().unwrap_or_default(),
        format!("changed content/townships/huaihe.yaml → rebuilt flyers ({name}): 1 file(s)"),
        "{}",
        watch.describe()
    );
    watch.expect_no_rebuild(quiet_after(&line), &line);
    let after = pdf_times(&out);
    assert_eq!(changed_pdfs(&before, &after), BTreeSet::from([flyer.clone()]), "{}", watch.describe());
    let text = support::pdf::read_pdf(&out.join(&flyer)).text();
    assert!(text.contains("0552-7654321"), "the new phone is not in {flyer}:\n{text}");

    // 2. An editor's save of an area file: vim's probe file, a backup, a temporary
    // renamed over the file, and a second write 20 ms later.
    let area_file = root.join("content/areas/environment.yaml");
    let area_text = read(&area_file);
    let area_id = area_text
        .lines()
        .find_map(|l| l.strip_prefix("area:"))
        .map(|r| r.split('#').next().unwrap_or(r).trim().to_owned())
        .expect("an area: line");
    let expected = featuring(root, &area_id);
    assert!(!expected.is_empty(), "no township features {area_id}");
    let edited = set_line(&area_text, "headline", "老旧小区换新貌，城市环境更宜居");
    let before = pdf_times(&out);
    let areas = root.join("content/areas");
    write(&areas.join("4913"), "");
    std::fs::remove_file(areas.join("4913")).expect("remove vim's probe file");
    std::fs::copy(&area_file, areas.join("environment.yaml~")).expect("write a backup");
    write(&areas.join(".environment.yaml.tmp"), &edited);
    std::fs::rename(areas.join(".environment.yaml.tmp"), &area_file).expect("rename over the area file");
    std::thread::sleep(Duration::from_millis(20));
    write(&area_file, &edited);
    let line = watch.next_rebuild();
    let names: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(
        line.split(": ").next().unwrap_or_default(),
        format!("changed content/areas/environment.yaml → rebuilt booklet, flyers ({})", names.join(", ")),
        "{}",
        watch.describe()
    );
    watch.expect_no_rebuild(quiet_after(&line), &line);
    let after = pdf_times(&out);
    let mut want: BTreeSet<String> = expected.iter().map(|n| format!("flyers/{n}.pdf")).collect();
    want.insert("booklet.pdf".into());
    want.insert("booklet-imposed.pdf".into());
    assert_eq!(changed_pdfs(&before, &after), want, "{}", watch.describe());

    // 3. An undefined name in a flyer text: reported, nothing written, still watching.
    let good = read(&township_file);
    let flyer_bytes = std::fs::read(out.join(&flyer)).expect("read the flyer");
    let broken = good.replacen("  - ", "  - 注意{{ no_such_name }}", 1);
    assert_ne!(broken, good, "no achievement line to break");
    write(&township_file, &broken);
    let line = watch.next_rebuild();
    assert!(line.contains("→ not rebuilt: 1 error(s)"), "{line}\n{}", watch.describe());
    let stderr = watch.stderr.lock().expect("stderr lock").clone();
    assert!(
        stderr.contains("no_such_name") && stderr.contains("content/townships/huaihe.yaml"),
        "the error is not shown with its place:\n{stderr}"
    );
    watch.assert_running();
    assert_eq!(
        std::fs::read(out.join(&flyer)).expect("read the flyer"),
        flyer_bytes,
        "the old flyer changed"
    );

    write(&township_file, &set_line(&good, "phone", "\"0552-1112222\""));
    let line = watch.next_rebuild();
    assert!(line.contains(&format!("→ rebuilt flyers ({name}): 1 file(s)")), "{line}\n{}", watch.describe());
    let text = support::pdf::read_pdf(&out.join(&flyer)).text();
    assert!(text.contains("0552-1112222"), "the fixed flyer lacks the new phone:\n{text}");
    watch.assert_running();
}

// ---------------------------------------------------------------------------
// The benchmark.
// ---------------------------------------------------------------------------

/// Save-to-PDF latency: a one-line text edit of an area file that no township
/// features (so only the booklet is rebuilt) until `booklet.pdf` is replaced, photos
/// cached by the first build. Prints the times; asserts nothing about them.
#[test]
#[ignore = "a benchmark: cargo test --release --test watch -- --ignored --nocapture"]
fn benchmark_save_to_booklet_pdf() {
    const SAVES: usize = 6;
    let project = example_copy();
    let root = project.path();
    let pdf = root.join("output/booklet.pdf");
    // An area no township features, else the first one.
    let content = pressroom::build::load(root).unwrap_or_else(|f| panic!("load the example: {:?}", f.diags));
    let featured: BTreeSet<&str> =
        content.townships.iter().flat_map(|(_, t)| t.features.iter().map(|f| f.value.as_str())).collect();
    let (area_path, _) = content
        .areas
        .iter()
        .find(|(_, a)| !featured.contains(a.area.value.as_str()))
        .or(content.areas.first())
        .expect("an area file");
    let area_file = root.join(area_path);
    let text = read(&area_file);
    for debounce in ["40", "15"] {
        let watch = Watch::start(root, &["--debounce", debounce]);
        let mut times = Vec::new();
        for i in 0..SAVES {
            let before = std::fs::metadata(&pdf).and_then(|m| m.modified()).expect("booklet.pdf");
            let edited = set_line(&text, "headline", &format!("一句话标题第{i}版，共十六个字左右的样子"));
            let saved = Instant::now();
            write(&area_file, &edited);
            loop {
                if std::fs::metadata(&pdf).and_then(|m| m.modified()).is_ok_and(|t| t != before) {
                    break;
                }
                assert!(saved.elapsed() < REBUILD, "booklet.pdf not rebuilt\n{}", watch.describe());
                std::thread::sleep(Duration::from_millis(1));
            }
            let to_pdf = saved.elapsed();
            let line = watch.next_rebuild();
            println!(
                "debounce {debounce} ms, save {i}: booklet.pdf after {:.0} ms; {line}",
                to_pdf.as_secs_f64() * 1000.0
            );
            times.push(to_pdf);
        }
        // The first save after the first build warms caches; report the rest.
        let mut rest: Vec<Duration> = times[1..].to_vec();
        rest.sort();
        println!(
            "debounce {debounce} ms: save → booklet.pdf median {:.0} ms, min {:.0} ms, max {:.0} ms (first {:.0} ms)",
            rest[rest.len() / 2].as_secs_f64() * 1000.0,
            rest[0].as_secs_f64() * 1000.0,
            rest[rest.len() - 1].as_secs_f64() * 1000.0,
            times[0].as_secs_f64() * 1000.0
        );
        drop(watch);
    }
}
