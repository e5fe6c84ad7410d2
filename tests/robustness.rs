//! Issue 5's robustness checks on real builds: outputs survive `kill -9` at any
//! moment, a failing build keeps the old file, and nothing outside the project is
//! ever read.
//!
//! How:
//! * **Kill tests.** The example project (the repository's `content/`, photos
//!   hard-linked, and `templates/`) is copied to a temporary folder under Cargo's test
//!   temp folder. Two versions of it are built cleanly first (A and B: one line of
//!   `flyer.yaml`, or the booklet's subtitle, differs), so that every output has two
//!   known complete versions. Then `pressroom build flyers` (or `booklet`) is started
//!   again and again as a child process, alternating the content between B and A, and
//!   killed with SIGKILL (`Child::kill`): every other time after a pseudo-random delay
//!   (fixed seeds) between 0 and 1.1 × the time of a full warm build, otherwise as
//!   soon as a new temporary file shows in the output folder (mid-write). After every
//!   kill each PDF under the output folder (recursively) must be byte-identical to its
//!   A or B version, start with `%PDF-`, end with `%%EOF`, parse with `mutool trace`
//!   (`support::pdf::read_pdf`) and have the page count of the clean build (for flyers
//!   also the township file's layout: `flyer` 2 pages, `card` 1). Temporary files
//!   (`.pressroom-tmp-*`) may be left by a kill, but none may survive the next
//!   successful build, whose page previews (`previews/*.png`, shown by the proof
//!   sheet `index.html`) must be those of the clean build of the same content.
//!   Dedicated kills land while a preview is written, after a preview of version B
//!   replaced one of A (then A is built again: its previews must come back), and
//!   while a photo is written to the photo cache (`.cache/pressroom`, cold): cached
//!   photos must be whole and no temporary file may survive the next build.
//! * **A failing build keeps the old file.** The notice of `tests/fixtures/minimal`
//!   is built, then the content is broken (an undefined template name; a character no
//!   font has) and built again: exit 1 or 2 with a message, the old `notice.pdf`
//!   byte-identical, no temporary file.
//! * **Sandbox.** A copy of `tests/fixtures/minimal` gets a sibling folder `outside/`
//!   holding `secret.txt`, `secret.svg` (the marker as SVG `<text>`), `secret.jpg` (a
//!   JPEG carrying the marker in a comment segment: typst embeds JPEGs verbatim, so
//!   the marker would show in the PDF's bytes) and a copy of a Fandol font. Each route
//!   out is tried on a fresh copy: a seal `../`, absolute, through a symlinked file
//!   or folder; an SVG seal linking an outside image; a symlinked project template
//!   (file or folder) and project templates reading outside files; a symlinked font
//!   (file or folder) in `fonts/`; a photo symlinked out; typst code and template
//!   includes in content text. Every file under the output folder and the photo
//!   cache is scanned for the marker (raw bytes, bytes after `mutool clean -d`, and
//!   the PDF text), and refusals must say so (exit 1 or 2, naming the path, with
//!   "outside"/"project"). Positive controls (the same files placed inside the
//!   project) prove that the scan finds the marker when a file is read.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pressroom::output::TEMP_PREFIX;
use support::cli::{self, Run};
use support::example;
use support::pdf::read_pdf;
use tempfile::TempDir;

/// The secret that must never reach an output.
const MARKER: &str = "QZXSECRETMARKER7731";

// ---------------------------------------------------------------------------
// Projects and runs.
// ---------------------------------------------------------------------------

/// A temporary copy of the example project (content with photos, templates).
fn example_copy() -> TempDir {
    example::ensure_photos();
    let project = example::temp_dir("pressroom-kill-");
    for part in ["content", "templates"] {
        example::copy_tree(&cli::repo().join(part), &project.path().join(part));
    }
    project
}

/// The `pressroom ARGS` command with the Fandol fonts only, English messages and
/// no `SOURCE_DATE_EPOCH` (builds are then reproducible from the content).
fn pressroom(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pressroom"));
    cmd.args(args)
        .arg("--font-path")
        .arg(cli::font_dir())
        .arg("--no-system-fonts")
        .env("LANG", "C")
        .env_remove("PRESSROOM_FONT_PATH")
        .env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// The arguments of `pressroom build TARGETS --project PROJECT --out OUT`.
fn build_args<'a>(targets: &[&'a str], project: &'a Path, out: &'a Path) -> Vec<&'a str> {
    let mut args = vec!["build"];
    args.extend_from_slice(targets);
    args.extend_from_slice(&[
        "--project",
        project.to_str().expect("project path is UTF-8"),
        "--out",
        out.to_str().expect("output path is UTF-8"),
    ]);
    args
}

/// Runs `pressroom ARGS` (with the fonts of [`pressroom`]) to completion; a
/// process killed by a signal (a crash) fails the test.
fn run(args: &[&str]) -> Run {
    let output = pressroom(args).output().expect("run pressroom");
    Run::from_output(&output, &format!("pressroom {args:?}"))
}

/// `pressroom build TARGETS --project PROJECT --out OUT`.
fn build(project: &Path, out: &Path, targets: &[&str]) -> Run {
    run(&build_args(targets, project, out))
}

/// Every file under `dir` (recursively), sorted; empty if it does not exist.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries {
            let path = entry.expect("read a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn is_temp(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().starts_with(TEMP_PREFIX))
}

/// Replaces `from` by `to` in a project file; panics if `from` is not there.
fn edit(project: &Path, rel: &str, from: &str, to: &str) {
    let path = project.join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1))
        .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

// ---------------------------------------------------------------------------
// Kill tests.
// ---------------------------------------------------------------------------

/// A small deterministic pseudo-random generator (64-bit LCG, high bits).
struct Lcg(u64);

impl Lcg {
    fn next_below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// The complete outputs of a clean build: bytes and page count, by path relative
/// to the output folder.
type Outputs = BTreeMap<String, (Vec<u8>, usize)>;

/// Reads every PDF of a clean build's output folder, with its page count.
fn clean_outputs(out: &Path) -> Outputs {
    let mut outputs = Outputs::new();
    for path in files_under(out) {
        assert!(!is_temp(&path), "a clean build left the temporary file {}", path.display());
        if path.extension().is_some_and(|e| e == "pdf") {
            let rel = path.strip_prefix(out).expect("under out").to_string_lossy().replace('\\', "/");
            let bytes = std::fs::read(&path).expect("read a PDF");
            outputs.insert(rel, (bytes, read_pdf(&path).pages.len()));
        }
    }
    assert!(!outputs.is_empty(), "the clean build wrote no PDF into {}", out.display());
    outputs
}

/// Checks that every PDF under `out` is one of the complete versions `a` or `b`:
/// same set of files, bytes identical to one version, a PDF header and trailer,
/// readable by mutool with the right page count. Returns the temporary files found.
fn check_complete(out: &Path, a: &Outputs, b: &Outputs, when: &str) -> Vec<PathBuf> {
    let mut temps = Vec::new();
    let mut seen = Vec::new();
    for path in files_under(out) {
        if is_temp(&path) {
            temps.push(path);
            continue;
        }
        if path.extension().is_none_or(|e| e != "pdf") {
            continue;
        }
        let rel = path.strip_prefix(out).expect("under out").to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{when}: read {rel}: {e}"));
        assert!(bytes.starts_with(b"%PDF-"), "{when}: {rel} ({} bytes) has no PDF header", bytes.len());
        assert!(
            bytes.trim_ascii_end().ends_with(b"%%EOF"),
            "{when}: {rel} ({} bytes) is cut short: no %%EOF at its end",
            bytes.len()
        );
        let (va, pages) = a.get(&rel).unwrap_or_else(|| panic!("{when}: unexpected output {rel}"));
        let vb = &b[&rel].0;
        assert!(
            bytes == *va || bytes == *vb,
            "{when}: {rel} ({} bytes) is neither complete version ({} or {} bytes)",
            bytes.len(),
            va.len(),
            vb.len()
        );
        let read = read_pdf(&path).pages.len();
        assert_eq!(read, *pages, "{when}: {rel} has {read} pages, the clean build {pages}");
        seen.push(rel);
    }
    let missing: Vec<&String> = a.keys().filter(|k| !seen.contains(k)).collect();
    assert!(missing.is_empty(), "{when}: complete outputs disappeared: {missing:?}");
    temps
}

/// Temporary files anywhere under the folders given.
fn temps_under(dirs: &[&Path]) -> Vec<PathBuf> {
    dirs.iter().flat_map(|d| files_under(d)).filter(|p| is_temp(p)).collect()
}

/// Polls `dirs` until a new temporary file (one not there at the start) shows in
/// one of them, the child ends, or `limit` passes; says which.
fn kill_when(child: &mut std::process::Child, dirs: &[&Path], limit: Duration) -> String {
    let old = temps_under(dirs);
    let started = Instant::now();
    while started.elapsed() < limit {
        for dir in dirs {
            if let Ok(entries) = std::fs::read_dir(dir)
                && let Some(e) = entries.flatten().find(|e| is_temp(&e.path()) && !old.contains(&e.path()))
            {
                return format!(
                    "when {} appeared after {} ms",
                    e.path().display(),
                    started.elapsed().as_millis()
                );
            }
        }
        if child.try_wait().ok().flatten().is_some() {
            return "after the build ended, no temporary file seen".to_owned();
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    format!("after {} ms, no temporary file seen", limit.as_millis())
}

/// The kill loop shared by the flyer and booklet tests: builds content versions A
/// and B cleanly (`edit_b` turns A into B, `edit_a` back), then kills `kills`
/// builds of `target` alternating B, A, … and checks the outputs after each.
fn kill_loop(
    target: &str,
    kills: usize,
    seed: u64,
    edit_b: &dyn Fn(&Path),
    edit_a: &dyn Fn(&Path),
) -> Outputs {
    let project = example_copy();
    let root = project.path();

    // The two complete versions of every output, each from a clean build.
    let out_a = root.join("clean-a");
    build(root, &out_a, &[target]).assert_success("the clean build of version A");
    let a = clean_outputs(&out_a);
    edit_b(root);
    let out_b = root.join("clean-b");
    build(root, &out_b, &[target]).assert_success("the clean build of version B");
    let b = clean_outputs(&out_b);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "A and B write the same files");
    assert!(a.iter().any(|(k, v)| v.0 != b[k].0), "versions A and B should differ");
    edit_a(root);

    // The output folder starts with version A; a warm build sets the time scale.
    let out = root.join("out");
    let started = Instant::now();
    build(root, &out, &[target]).assert_success("the first build into out/");
    let full = started.elapsed();
    check_complete(&out, &a, &a, "after the first build");

    let mut rng = Lcg(seed);
    let mut version_b = false;
    let mut left_temps = 0;
    for i in 0..kills {
        version_b = !version_b;
        if version_b {
            edit_b(root)
        } else {
            edit_a(root)
        }
        let mut child = pressroom(&build_args(&[target], root, &out))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pressroom");
        // Odd kills land at a pseudo-random moment; even ones as soon as a
        // temporary file shows in the output folder, that is while a file is
        // being written.
        let how = if i % 2 == 0 {
            let delay = Duration::from_millis(rng.next_below(full.as_millis() as u64 * 11 / 10 + 1));
            std::thread::sleep(delay);
            format!("after {} ms", delay.as_millis())
        } else {
            let seen = kill_when(&mut child, &[&out, &out.join("flyers")], full * 3);
            format!("{seen}, mid-write")
        };
        child.kill().expect("kill pressroom");
        let status = child.wait().expect("wait for pressroom");
        let when = format!("kill {} of {target} {how} ({status})", i + 1);
        let temps = check_complete(&out, &a, &b, &when);
        left_temps += temps.len();
        eprintln!("{when}: {} temporary file(s) left", temps.len());
    }
    eprintln!(
        "{target}: a full build takes {} ms; kills left {left_temps} temporary file(s)",
        full.as_millis()
    );

    // The next successful build removes every leftover and writes the complete
    // version of the content as it now is.
    let (now, clean) = if version_b { (&b, &out_b) } else { (&a, &out_a) };
    build(root, &out, &[target]).assert_success("the build after the kills");
    check_complete(&out, now, now, "after the build that follows the kills");
    let temps = temps_under(&[&out]);
    assert!(temps.is_empty(), "temporary files survived the next successful build: {temps:?}");
    let stale = stale_previews(&out, clean);
    assert!(stale.is_empty(), "page previews that are not those of the PDFs: {stale:?}");
    a
}

/// Flyers are typeset on worker threads and each written as it completes, so a
/// kill can land between or during the writes of ten files.
#[test]
fn killed_flyer_builds_leave_only_complete_pdfs() {
    const LETTER: (&str, &str) = ("salutation: 尊敬的居民朋友：", "salutation: 亲爱的居民朋友：");
    let a =
        kill_loop("flyers", 10, 0x5eed_f1e5, &|p| edit(p, "content/flyer.yaml", LETTER.0, LETTER.1), &|p| {
            edit(p, "content/flyer.yaml", LETTER.1, LETTER.0)
        });

    // The page counts of the clean build are those of each township's layout.
    let dir = cli::repo().join("content/townships");
    let mut townships = 0;
    for entry in std::fs::read_dir(&dir).expect("list the townships") {
        let path = entry.expect("read a directory entry").path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read a township file");
        let t: serde_json::Value = serde_saphyr::from_str(&text).expect("a township file parses");
        let name = t["township"].as_str().expect("a township name");
        let pages = match t["layout"].as_str().unwrap_or("flyer") {
            "card" => 1,
            _ => 2,
        };
        let rel = format!("flyers/{name}.pdf");
        let (_, got) = a.get(&rel).unwrap_or_else(|| panic!("no {rel} for {}", path.display()));
        assert_eq!(*got, pages, "{rel}: pages of its layout");
        townships += 1;
    }
    assert_eq!(a.len(), townships, "one flyer per township: {:?}", a.keys().collect::<Vec<_>>());
}

/// The booklet (about 2.7 MB) and its imposition are the largest files written.
#[test]
fn killed_booklet_builds_leave_only_complete_pdfs() {
    const SUBTITLE: (&str, &str) = ("subtitle: 宣传手册", "subtitle: 宣传册页");
    let a = kill_loop(
        "booklet",
        6,
        0x0b00_c1e7,
        &|p| edit(p, "content/booklet.yaml", SUBTITLE.0, SUBTITLE.1),
        &|p| edit(p, "content/booklet.yaml", SUBTITLE.1, SUBTITLE.0),
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), ["booklet-imposed.pdf", "booklet.pdf"]);
}

/// The page previews (`previews/*.png`) that differ from those of the clean build
/// `clean` of the same content, or are missing.
fn stale_previews(out: &Path, clean: &Path) -> Vec<String> {
    let mut stale = Vec::new();
    for path in files_under(&clean.join("previews")) {
        let rel = path.strip_prefix(clean).expect("under clean").to_string_lossy().into_owned();
        let want = std::fs::read(&path).expect("read a preview");
        match std::fs::read(out.join(&rel)) {
            Ok(got) if got == want => {}
            Ok(_) => stale.push(rel),
            Err(_) => stale.push(format!("{rel} (missing)")),
        }
    }
    stale
}

/// Page previews (`previews/NAME-N.png`, shown by `index.html`) are rendered
/// after each PDF, page by page, and a stamp (`NAME.blake3`, the PDF's hash)
/// written last lets the next build reuse them. A build of version B killed
/// after some of the booklet's previews were replaced, but before its stamp, is
/// followed by a build of version A: the previews must be A's again, and no
/// temporary file may survive in `previews/`.
#[test]
fn killed_preview_rendering_leaves_no_stale_or_stray_previews() {
    const TITLE: (&str, &str) = ("年群众满意度调查\"", "年群众满意度测评\"");
    let project = example_copy();
    let root = project.path();
    let out_a = root.join("clean-a");
    build(root, &out_a, &["booklet"]).assert_success("the clean build of version A");
    edit(root, "content/booklet.yaml", TITLE.0, TITLE.1);
    let out_b = root.join("clean-b");
    build(root, &out_b, &["booklet"]).assert_success("the clean build of version B");
    let differing = stale_previews(&out_b, &out_a);
    assert!(differing.len() > 4, "the title shows on many pages: only {differing:?} differ");

    let out = root.join("out");
    let previews = out.join("previews");
    let mut caught = false;
    for attempt in 1..=4 {
        edit(root, "content/booklet.yaml", TITLE.1, TITLE.0);
        build(root, &out, &["booklet"]).assert_success("a build of version A");
        // Only the PNGs that differ between A and B: the stamp, written last,
        // and pages that look the same must not be the trigger.
        let before: BTreeMap<PathBuf, std::time::SystemTime> = files_under(&previews)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "png"))
            .filter(|p| differing.iter().any(|d| out.join(d) == *p))
            .filter_map(|p| Some((p.clone(), std::fs::metadata(&p).ok()?.modified().ok()?)))
            .collect();
        edit(root, "content/booklet.yaml", TITLE.0, TITLE.1);
        let mut child = pressroom(&build_args(&["booklet"], root, &out))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pressroom");
        // Kill as soon as a preview has been replaced by one of version B.
        assert!(!before.is_empty(), "no preview of version A to watch");
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) && child.try_wait().ok().flatten().is_none() {
            let replaced = before
                .iter()
                .any(|(p, t)| std::fs::metadata(p).and_then(|m| m.modified()).is_ok_and(|now| now != *t));
            if replaced {
                caught = true;
                break;
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        child.kill().expect("kill pressroom");
        let status = child.wait().expect("wait for pressroom");
        eprintln!("attempt {attempt}: killed={caught} ({status}) after {} ms", started.elapsed().as_millis());
        if caught {
            break;
        }
    }
    assert!(caught, "no build could be killed while it replaced previews");

    edit(root, "content/booklet.yaml", TITLE.1, TITLE.0);
    build(root, &out, &["booklet"]).assert_success("the build of version A after the kill");
    let mut problems = Vec::new();
    let stale = stale_previews(&out, &out_a);
    if !stale.is_empty() {
        problems.push(format!("previews of the interrupted version B are shown for version A: {stale:?}"));
    }
    let temps = temps_under(&[&out]);
    if !temps.is_empty() {
        problems.push(format!("temporary files survived the next successful build: {temps:?}"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A build killed while it writes a page preview leaves a temporary file in
/// `previews/`; the next successful build must remove it, as it does in the
/// output folder itself and in `flyers/`.
#[test]
fn killed_preview_writes_leave_no_stray_temporary_files() {
    let project = example_copy();
    let root = project.path();
    let out = root.join("out");
    let previews = out.join("previews");
    let mut left = Vec::new();
    for attempt in 1..=4 {
        // A changed PDF makes the build render its previews again.
        let _ = std::fs::remove_dir_all(&previews);
        let mut child = pressroom(&build_args(&["flyers"], root, &out))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pressroom");
        let seen = kill_when(&mut child, &[&previews], Duration::from_secs(60));
        child.kill().expect("kill pressroom");
        let status = child.wait().expect("wait for pressroom");
        left = temps_under(&[&previews]);
        eprintln!("attempt {attempt}: killed {seen} ({status}): {} temporary file(s)", left.len());
        if !left.is_empty() {
            break;
        }
    }
    assert!(!left.is_empty(), "no build could be killed while it wrote a preview");
    build(root, &out, &["flyers"]).assert_success("the build after the kill");
    let temps = temps_under(&[&out]);
    assert!(temps.is_empty(), "temporary files survived the next successful build: {temps:?}");
}

/// Photos are downsampled into the project's cache (`.cache/pressroom`), each
/// written atomically. Builds with a cold cache are killed while a photo is being
/// written there: every cached photo left must be complete, and no temporary file
/// may survive the next successful build.
#[test]
fn killed_photo_preparation_leaves_only_complete_cache_files() {
    let project = example_copy();
    let root = project.path();
    let cache = root.join(".cache/pressroom");
    let out = root.join("out");
    let mut left = 0;
    for i in 0..6 {
        let mut child = pressroom(&build_args(&["booklet"], root, &out))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pressroom");
        let seen = kill_when(&mut child, &[&cache], Duration::from_secs(60));
        child.kill().expect("kill pressroom");
        let status = child.wait().expect("wait for pressroom");
        let temps = temps_under(&[&cache]);
        left += temps.len();
        eprintln!("cold kill {} {seen} ({status}): {} temporary file(s) in the cache", i + 1, temps.len());
        assert_complete_images(&cache, &format!("cold kill {}", i + 1));
    }
    eprintln!("cold kills left {left} temporary file(s) in the photo cache");
    build(root, &out, &["booklet"]).assert_success("the build after the kills");
    assert_complete_images(&cache, "after the build that follows the kills");
    let temps = temps_under(&[&cache, &out]);
    assert!(temps.is_empty(), "temporary files survived the next successful build: {temps:?}");
}

/// Every cached photo (not a temporary file) in `dir` is a whole JPEG or PNG.
fn assert_complete_images(dir: &Path, when: &str) {
    for path in files_under(dir).into_iter().filter(|p| !is_temp(p)) {
        let bytes = std::fs::read(&path).expect("read a cached photo");
        let whole = match path.extension().and_then(|e| e.to_str()) {
            Some("jpg" | "jpeg") => bytes.starts_with(&[0xFF, 0xD8]) && bytes.ends_with(&[0xFF, 0xD9]),
            Some("png") => bytes.starts_with(b"\x89PNG") && bytes.ends_with(&[0xAE, 0x42, 0x60, 0x82]),
            _ => true,
        };
        assert!(whole, "{when}: the cached photo {} ({} bytes) is cut short", path.display(), bytes.len());
    }
}

// ---------------------------------------------------------------------------
// A failing build keeps the old file.
// ---------------------------------------------------------------------------

/// A temporary copy of `tests/fixtures/<name>` as `<tmp>/project`, with the
/// repository's templates when `templates` is set.
fn fixture(name: &str, templates: bool) -> (TempDir, PathBuf) {
    let dir = example::temp_dir(&format!("pressroom-{name}-"));
    let project = dir.path().join("project");
    example::copy_tree(&cli::repo().join("tests/fixtures").join(name), &project);
    if templates {
        example::copy_tree(&cli::repo().join("templates"), &project.join("templates"));
    }
    (dir, project)
}

#[test]
fn a_failing_build_keeps_the_old_notice() {
    let (dir, project) = fixture("minimal", false);
    let out = dir.path().join("out");
    build(&project, &out, &["notice"]).assert_success("the first build");
    let before = std::fs::read(out.join("notice.pdf")).expect("notice.pdf written");
    let body = "  现将有关事项通知如下，请认真贯彻落实。";

    // An undefined name in a template expression: a content error.
    edit(&project, "content/notice.yaml", body, "  现将{{ no_such_name }}通知如下。");
    let failed = build(&project, &out, &["notice"]);
    assert_eq!(failed.code, 1, "an undefined name is a content error: {}", failed.describe());
    assert!(failed.stderr.contains("no_such_name"), "the message names it: {}", failed.describe());
    assert_eq!(std::fs::read(out.join("notice.pdf")).expect("notice.pdf kept"), before);

    // A character no font has (private use): refused before anything is written.
    edit(&project, "content/notice.yaml", "  现将{{ no_such_name }}通知如下。", "  现将\u{E000}通知如下。");
    let failed = build(&project, &out, &["notice"]);
    assert!(matches!(failed.code, 1 | 2), "a character no font has is refused: {}", failed.describe());
    assert!(failed.stderr.contains("U+E000"), "the message names the codepoint: {}", failed.describe());
    assert_eq!(std::fs::read(out.join("notice.pdf")).expect("notice.pdf kept"), before);

    assert_eq!(temps_under(&[&out]), Vec::<PathBuf>::new(), "no temporary file is left");
}

// ---------------------------------------------------------------------------
// Sandbox.
// ---------------------------------------------------------------------------

/// A copy of a fixture at `<tmp>/project` with secrets in `<tmp>/outside`.
struct Sandbox {
    dir: TempDir,
    project: PathBuf,
    outside: PathBuf,
}

/// A small JPEG that carries [`MARKER`] in a comment segment.
fn marked_jpeg() -> Vec<u8> {
    let (w, h) = (64u16, 64u16);
    let pixels: Vec<u8> = (0..usize::from(w) * usize::from(h)).flat_map(|_| [230u8, 0, 18]).collect();
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, 90)
        .encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb)
        .expect("encode a JPEG");
    let len = u16::try_from(MARKER.len() + 2).expect("short marker");
    let mut segment = vec![0xFF, 0xFE];
    segment.extend_from_slice(&len.to_be_bytes());
    segment.extend_from_slice(MARKER.as_bytes());
    jpeg.splice(2..2, segment);
    jpeg
}

/// An SVG showing [`MARKER`] as text.
fn marked_svg() -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"100\" viewBox=\"0 0 400 100\">\
         <text x=\"10\" y=\"60\" font-family=\"FandolSong\" font-size=\"30\">{MARKER}</text></svg>\n"
    )
}

impl Sandbox {
    fn new(fixture_name: &str, templates: bool) -> Self {
        let (dir, project) = fixture(fixture_name, templates);
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&outside).expect("create outside/");
        std::fs::write(outside.join("secret.txt"), format!("{MARKER}\n")).expect("write secret.txt");
        std::fs::write(outside.join("secret.svg"), marked_svg()).expect("write secret.svg");
        std::fs::write(outside.join("secret.jpg"), marked_jpeg()).expect("write secret.jpg");
        std::fs::copy(cli::font_dir().join("FandolHei-Regular.ttf"), outside.join("FandolHei-Regular.ttf"))
            .expect("copy a font outside");
        Sandbox { dir, project, outside }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn secret(&self, name: &str) -> String {
        self.outside.join(name).to_str().expect("UTF-8 path").to_owned()
    }

    /// Sets the notice's seal to `seal` (a YAML scalar).
    fn seal(&self, seal: &str) {
        edit(
            &self.project,
            "content/notice.yaml",
            "  date: 2023-11-25\n",
            &format!("  date: 2023-11-25\n  seal: {seal}\n"),
        );
    }

    fn symlink(&self, target: &Path, link: &str) {
        let link = self.project.join(link);
        std::fs::create_dir_all(link.parent().expect("has a parent")).expect("create the link's folder");
        std::os::unix::fs::symlink(target, &link)
            .unwrap_or_else(|e| panic!("symlink {} -> {}: {e}", link.display(), target.display()));
    }

    fn build(&self, targets: &[&str]) -> Run {
        build(&self.project, &self.out(), targets)
    }

    /// Where the marker shows in the outputs or the photo cache.
    fn leaks(&self) -> Vec<String> {
        let mut found = Vec::new();
        let cache = self.project.join(".cache");
        for path in files_under(&self.out()).into_iter().chain(files_under(&cache)) {
            let bytes = std::fs::read(&path).expect("read an output");
            let name = path.display().to_string();
            if contains(&bytes, MARKER.as_bytes()) {
                found.push(format!("{name}: bytes"));
            }
            if path.extension().is_some_and(|e| e == "pdf") && !is_temp(&path) {
                let clean = self.dir.path().join("decompressed.pdf");
                let status = Command::new("mutool")
                    .arg("clean")
                    .arg("-d")
                    .arg(&path)
                    .arg(&clean)
                    .stderr(Stdio::null())
                    .status()
                    .expect("run mutool clean");
                assert!(status.success(), "mutool clean -d {name} failed");
                if contains(&std::fs::read(&clean).expect("read the decompressed PDF"), MARKER.as_bytes()) {
                    found.push(format!("{name}: decompressed streams"));
                }
                let text: String = read_pdf(&path).text().split_whitespace().collect();
                if text.contains(MARKER) {
                    found.push(format!("{name}: text"));
                }
            }
        }
        found
    }

    fn assert_no_leak(&self, route: &str, run: &Run) {
        let leaks = self.leaks();
        assert!(leaks.is_empty(), "{route}: the outside secret was read into {leaks:?}\n{}", run.describe());
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A refusal: exit 1 or 2, a message naming `path`, saying it leads outside the
/// project.
fn assert_refused(route: &str, run: &Run, path: &str) {
    assert!(matches!(run.code, 1 | 2), "{route}: expected a refusal: {}", run.describe());
    let text = run.all();
    assert!(text.contains(path), "{route}: the message should name {path}: {}", run.describe());
    assert!(
        text.contains("outside") || text.contains("project"),
        "{route}: the message should say the file is outside the project: {}",
        run.describe()
    );
}

/// The scan finds the marker when the secret files are placed inside the project,
/// so the sandbox tests below would see a leak.
#[test]
fn sandbox_positive_controls_find_the_marker() {
    let sb = Sandbox::new("minimal", false);
    std::fs::write(sb.project.join("content/images/in.jpg"), marked_jpeg()).expect("write in.jpg");
    sb.seal("images/in.jpg");
    let run = sb.build(&["notice"]);
    run.assert_success("a seal JPEG inside the project");
    assert!(sb.leaks().iter().any(|l| l.ends_with("bytes")), "the JPEG's marker is in the PDF bytes");

    let sb = Sandbox::new("minimal", false);
    std::fs::write(sb.project.join("content/images/in.svg"), marked_svg()).expect("write in.svg");
    sb.seal("images/in.svg");
    sb.build(&["notice"]).assert_success("a seal SVG inside the project");
    assert!(sb.leaks().iter().any(|l| l.ends_with("text")), "the SVG's marker is in the PDF text");

    let sb = Sandbox::new("minimal", false);
    std::fs::create_dir_all(sb.project.join("templates")).expect("create templates/");
    std::fs::write(sb.project.join("templates/notice.typ"), format!("#let notice(data) = [{MARKER}]\n"))
        .expect("write a template");
    sb.build(&["notice"]).assert_success("a project template");
    assert!(sb.leaks().iter().any(|l| l.ends_with("text")), "a project template's text is in the PDF");
}

/// Seal paths with `..`, absolute, or through a symlinked file or folder that
/// leads out: refused with a message, nothing read.
#[test]
fn sandbox_refuses_seals_outside_the_project() {
    for secret in ["secret.jpg", "secret.svg"] {
        let sb = Sandbox::new("minimal", false);
        let path = format!("../../outside/{secret}");
        sb.seal(&path);
        let run = sb.build(&["notice"]);
        assert_refused(&format!("seal {path}"), &run, &path);
        sb.assert_no_leak(&path, &run);

        let sb = Sandbox::new("minimal", false);
        let path = sb.secret(secret);
        sb.seal(&path);
        let run = sb.build(&["notice"]);
        assert_refused("an absolute seal path", &run, &path);
        sb.assert_no_leak(&path, &run);

        let sb = Sandbox::new("minimal", false);
        sb.symlink(&sb.outside.join(secret), &format!("content/images/link-{secret}"));
        let path = format!("images/link-{secret}");
        sb.seal(&path);
        let run = sb.build(&["notice"]);
        assert_refused("a seal symlinked out", &run, &path);
        sb.assert_no_leak(&path, &run);

        let sb = Sandbox::new("minimal", false);
        sb.symlink(&sb.outside, "content/images/dir");
        let path = format!("images/dir/{secret}");
        sb.seal(&path);
        let run = sb.build(&["notice"]);
        assert_refused("a seal in a folder symlinked out", &run, &path);
        sb.assert_no_leak(&path, &run);
    }
}

/// An SVG seal inside the project that links images outside it: the links are
/// not followed (typst refuses them, or they stay empty).
#[test]
fn sandbox_svg_links_do_not_leave_the_project() {
    let mk = |href: &str| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
             width=\"200\" height=\"200\"><circle cx=\"100\" cy=\"100\" r=\"90\" fill=\"red\"/>\
             <image x=\"0\" y=\"0\" width=\"64\" height=\"64\" xlink:href=\"{href}\"/></svg>\n"
        )
    };
    let probe = Sandbox::new("minimal", false);
    let abs = probe.secret("secret.jpg");
    for href in [
        "../../../outside/secret.jpg".to_owned(),
        "../../../outside/secret.svg".to_owned(),
        abs.clone(),
        format!("file://{abs}"),
        "link.jpg".to_owned(),
        "link.svg".to_owned(),
    ] {
        let sb = Sandbox::new("minimal", false);
        sb.symlink(&sb.outside.join("secret.jpg"), "content/images/link.jpg");
        sb.symlink(&sb.outside.join("secret.svg"), "content/images/link.svg");
        std::fs::write(sb.project.join("content/images/linking.svg"), mk(&href)).expect("write the SVG");
        sb.seal("images/linking.svg");
        let run = sb.build(&["notice"]);
        assert!(matches!(run.code, 0 | 1), "SVG linking {href}: no crash: {}", run.describe());
        sb.assert_no_leak(&format!("SVG linking {href}"), &run);
    }
}

/// A project template that is a symlink leading out (or in a templates folder
/// that is one) is refused or ignored, never read.
#[test]
fn sandbox_ignores_templates_linked_from_outside() {
    let template = format!("#let notice(data) = [{MARKER}]\n");
    let sb = Sandbox::new("minimal", false);
    std::fs::write(sb.outside.join("notice.typ"), &template).expect("write the outside template");
    sb.symlink(&sb.outside.join("notice.typ"), "templates/notice.typ");
    let run = sb.build(&["notice"]);
    assert!(matches!(run.code, 0..=2), "{}", run.describe());
    sb.assert_no_leak("templates/notice.typ symlinked out", &run);

    let sb = Sandbox::new("minimal", false);
    std::fs::write(sb.outside.join("notice.typ"), &template).expect("write the outside template");
    sb.symlink(&sb.outside, "templates");
    let run = sb.build(&["notice"]);
    assert!(matches!(run.code, 0..=2), "{}", run.describe());
    sb.assert_no_leak("templates/ symlinked out", &run);
}

/// Project templates are code, but even they cannot read outside the project:
/// through a symlink, with `..`, or through the photo cache's virtual folder.
#[test]
fn sandbox_templates_cannot_read_outside() {
    for read in [
        "/content/images/link.txt".to_owned(),
        "../../outside/secret.txt".to_owned(),
        "/../outside/secret.txt".to_owned(),
        "/__cache__/../../../outside/secret.txt".to_owned(),
    ] {
        let sb = Sandbox::new("minimal", false);
        sb.symlink(&sb.outside.join("secret.txt"), "content/images/link.txt");
        std::fs::create_dir_all(sb.project.join("templates")).expect("create templates/");
        std::fs::write(
            sb.project.join("templates/notice.typ"),
            format!("#let notice(data) = [#read(\"{read}\")]\n"),
        )
        .expect("write a template");
        let run = sb.build(&["notice"]);
        assert_eq!(run.code, 1, "a template reading {read} fails: {}", run.describe());
        sb.assert_no_leak(&format!("template reading {read}"), &run);
    }
}

/// A font in the project's `fonts/` that is a symlink leading out (or a `fonts/`
/// folder that is one) must be refused with a message, or at least not used: the
/// build's font summary and `pressroom fonts` must not list it.
fn assert_font_link_not_used(folder_link: bool) {
    let sb = Sandbox::new("minimal", false);
    let route =
        if folder_link { "fonts/ symlinked out" } else { "fonts/FandolHei-Regular.ttf symlinked out" };
    if folder_link {
        sb.symlink(&sb.outside, "fonts");
    } else {
        sb.symlink(&sb.outside.join("FandolHei-Regular.ttf"), "fonts/FandolHei-Regular.ttf");
    }
    let outside = sb.outside.to_str().expect("UTF-8 path");
    let used = |run: &Run| -> Vec<String> {
        run.stdout
            .lines()
            .filter(|l| l.contains("project fonts/") || l.contains(outside))
            .map(str::to_owned)
            .collect()
    };
    let run = sb.build(&["notice"]);
    assert!(matches!(run.code, 0..=2), "{route}: {}", run.describe());
    if run.code == 0 {
        let used = used(&run);
        assert!(
            used.is_empty(),
            "{route}: a font from outside the project is used: {used:?}\n{}",
            run.describe()
        );
    } else {
        assert!(
            run.stderr.contains("fonts/") && run.stderr.contains("outside"),
            "{route}: the refusal names the font and says it is outside: {}",
            run.describe()
        );
    }
    let fonts = run_fonts(&sb.project);
    let listed = used(&fonts);
    assert!(
        fonts.code != 0 || listed.is_empty(),
        "{route}: `pressroom fonts` uses a font from outside: {listed:?}\n{}",
        fonts.describe()
    );
}

#[test]
fn sandbox_refuses_a_font_file_linked_from_outside() {
    assert_font_link_not_used(false);
}

#[test]
fn sandbox_refuses_a_fonts_folder_linked_from_outside() {
    assert_font_link_not_used(true);
}

fn run_fonts(project: &Path) -> Run {
    run(&["fonts", "--project", project.to_str().expect("UTF-8 path")])
}

/// A booklet photo that is a symlink leading out: refused with its path, and
/// nothing of it reaches the outputs or the photo cache.
#[test]
fn sandbox_refuses_photos_linked_from_outside() {
    let sb = Sandbox::new("booklet-one-photo", true);
    sb.symlink(&sb.outside.join("secret.jpg"), "content/photos/one.jpg");
    let run = sb.build(&["booklet"]);
    assert_refused("a photo symlinked out", &run, "photos/one.jpg");
    sb.assert_no_leak("a photo symlinked out", &run);
    let cached = files_under(&sb.project.join(".cache"));
    assert!(cached.is_empty(), "nothing is cached from outside: {cached:?}");
}

/// Typst code in content text is printed literally; template includes cannot
/// read files.
#[test]
fn sandbox_content_code_is_printed_literally() {
    let sb = Sandbox::new("minimal", false);
    let txt = sb.secret("secret.txt");
    let jpg = sb.secret("secret.jpg");
    let lines = [
        format!("#read(\"{txt}\")"),
        format!("#image(\"{jpg}\")"),
        "#read(\"/etc/passwd\")".to_owned(),
        "#image(\"/etc/passwd\")".to_owned(),
        "#read(\"../../outside/secret.txt\")".to_owned(),
    ];
    let body = lines.iter().map(|l| format!("  {l}\n")).collect::<String>();
    edit(&sb.project, "content/notice.yaml", "  现将有关事项通知如下，请认真贯彻落实。\n", &body);
    let run = sb.build(&["notice"]);
    run.assert_success("typst code in content");
    sb.assert_no_leak("typst code in content", &run);
    let text: String = read_pdf(&sb.out().join("notice.pdf")).text().split_whitespace().collect();
    for line in &lines {
        let want: String = line.split_whitespace().collect();
        assert!(text.contains(&want), "{line} is printed literally; the PDF has:\n{text}");
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    if let Some(first) = passwd.lines().next() {
        assert!(!text.contains(first), "/etc/passwd was read into the PDF");
    }

    for include in [
        format!("{{% include \"{txt}\" %}}"),
        "{% include \"../../outside/secret.txt\" %}".to_owned(),
        format!("{{% import \"{txt}\" as x %}}"),
    ] {
        let sb = Sandbox::new("minimal", false);
        let body = format!("  {include}\n");
        edit(&sb.project, "content/notice.yaml", "  现将有关事项通知如下，请认真贯彻落实。\n", &body);
        let run = sb.build(&["notice"]);
        assert_eq!(run.code, 1, "{include}: a template include is an error: {}", run.describe());
        sb.assert_no_leak(&include, &run);
    }
}
