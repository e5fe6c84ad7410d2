//! `pressroom new <dir>`: a new campaign project from the built-in example.
//!
//! * The example's content files compiled into the binary
//!   (`pressroom::newproject::EXAMPLE_CONTENT`) are exactly the files of the
//!   repository's `content/` (photos aside), byte for byte; and every template in
//!   `templates/` is built in, so a project without `templates/` builds.
//! * `pressroom new DIR` writes the content, a sample photo for every photo the
//!   content names, `.gitignore` and a bilingual README; `pressroom build --project DIR`
//!   then succeeds with every output the example has, and no warning the example does
//!   not have.
//! * `--templates` adds copies of the built-in templates; a non-empty folder is refused
//!   (exit 2, in both languages, nothing written) unless `--force`.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use pressroom::newproject::{EXAMPLE_CONTENT, PHOTO_SIZE, example_photos};
use pressroom::typeset::world::EMBEDDED_TEMPLATES;
use support::cli;
use tempfile::TempDir;

/// Runs `pressroom ARGS` (no font options: `new` takes none) with `LANG=C`.
fn pressroom(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pressroom"))
        .args(args)
        .env("LANG", "C")
        .output()
        .expect("run pressroom");
    (
        out.status.code().expect("pressroom exited"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_dir() -> TempDir {
    tempfile::Builder::new().prefix("pressroom-new-").tempdir().expect("create a temporary folder")
}

/// Files under `dir`, relative to `root`, with `/` separators.
fn files_under(root: &Path, dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(root, &path));
        } else {
            let rel = path.strip_prefix(root).expect("inside root");
            found.insert(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    found
}

/// A fresh project from `pressroom new` (in a subfolder that does not exist yet).
fn new_project(extra: &[&str]) -> (TempDir, PathBuf) {
    let tmp = temp_dir();
    let dir = tmp.path().join("我的活动");
    let mut args = vec!["new", dir.to_str().expect("UTF-8 path")];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = pressroom(&args);
    assert_eq!(code, 0, "pressroom new failed:\n{stdout}\n{stderr}");
    (tmp, dir)
}

#[test]
fn the_embedded_example_is_the_content_folder() {
    let repo = cli::repo();
    let on_disk: BTreeSet<String> = files_under(&repo, &repo.join("content"))
        .into_iter()
        .filter(|f| !f.starts_with("content/photos/"))
        .collect();
    let embedded: BTreeSet<String> = EXAMPLE_CONTENT.iter().map(|(p, _)| (*p).to_owned()).collect();
    assert_eq!(
        embedded, on_disk,
        "src/newproject.rs's EXAMPLE_CONTENT must list exactly the files of content/ (photos aside)"
    );
    for (path, text) in EXAMPLE_CONTENT {
        let disk = std::fs::read_to_string(repo.join(path)).expect("read a content file");
        assert_eq!(*text, disk, "{path}: the embedded copy is stale (rebuild)");
    }
}

#[test]
fn every_default_template_is_built_in() {
    let repo = cli::repo();
    let on_disk: BTreeSet<String> = files_under(&repo.join("templates"), &repo.join("templates"))
        .into_iter()
        .filter(|f| f.ends_with(".typ"))
        .collect();
    let embedded: BTreeSet<String> = EMBEDDED_TEMPLATES.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(
        embedded, on_disk,
        "src/typeset/world.rs's EMBEDDED_TEMPLATES must hold every templates/*.typ"
    );
}

#[test]
fn a_new_project_builds_every_output_at_once() {
    let (_tmp, dir) = new_project(&[]);

    // What was written.
    let files = files_under(&dir, &dir);
    for (path, text) in EXAMPLE_CONTENT {
        assert!(files.contains(*path), "{path} was not written");
        assert_eq!(std::fs::read_to_string(dir.join(path)).expect("read"), *text, "{path}");
    }
    let photos = example_photos();
    for photo in &photos {
        let path = dir.join("content").join(photo);
        let (w, h) = pressroom::typeset::images::probe(&path).expect("a readable sample photo");
        let expected = if photo.contains("portrait") { (PHOTO_SIZE.1, PHOTO_SIZE.0) } else { PHOTO_SIZE };
        assert_eq!((w, h), expected, "{photo}");
    }
    let gitignore = std::fs::read_to_string(dir.join(".gitignore")).expect(".gitignore");
    let ignored: Vec<&str> = gitignore.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(ignored, ["output/", ".cache/"]);
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("README.md");
    let (zh, en) =
        (readme.find("生成文件").expect("Chinese part"), readme.find("## English").expect("English part"));
    assert!(zh < en, "Chinese comes first");
    for needle in ["content/townships/", "content/photos/", "pressroom build", "phone:", "--only"] {
        assert!(
            readme[..en].contains(needle) && readme[en..].contains(needle),
            "README: {needle} in both parts"
        );
    }
    assert!(!dir.join("templates").exists(), "templates/ only with --templates");
    let expected_count = EXAMPLE_CONTENT.len() + photos.len() + 2;
    assert_eq!(files.len(), expected_count, "unexpected files: {files:?}");

    // It builds, with every output the example has.
    let built = cli::build(&dir, &[]);
    built.assert_success();
    let outputs: BTreeSet<String> = files_under(built.out.path(), built.out.path())
        .into_iter()
        .filter(|f| [".pdf", ".xlsx", ".csv"].iter().any(|x| f.ends_with(x)))
        .collect();
    let mut expected: BTreeSet<String> =
        ["notice.pdf", "booklet.pdf", "booklet-imposed.pdf"].into_iter().map(str::to_owned).collect();
    for table in ["leading-group", "responsibilities", "schedule"] {
        for ext in ["pdf", "xlsx", "csv"] {
            expected.insert(format!("annex/{table}.{ext}"));
        }
    }
    // Each document, and each of its table attachments as sheets.
    for (doc, sheets) in [
        ("voice-push-letter", false),
        ("liaison-minutes", false),
        ("inspection-bulletin", true),
        ("city-request", true),
    ] {
        expected.insert(format!("documents/{doc}.pdf"));
        if sheets {
            expected.insert(format!("documents/{doc}-附件1.xlsx"));
            expected.insert(format!("documents/{doc}-附件1.csv"));
        }
    }
    for (path, text) in EXAMPLE_CONTENT.iter().filter(|(p, _)| p.starts_with("content/townships/")) {
        let name = text
            .lines()
            .find_map(|l| l.strip_prefix("township:"))
            .and_then(|rest| rest.split('#').next())
            .unwrap_or_else(|| panic!("{path} has no township: line"))
            .trim();
        expected.insert(format!("flyers/{name}.pdf"));
    }
    assert_eq!(outputs, expected, "{}", built.describe());
    assert!(built.file("index.html").is_file(), "the proof sheet");
    // Only the example's own findings (two literal years); no low-resolution photos.
    assert!(!built.stderr.contains("low resolution"), "{}", built.stderr);
    assert!(built.stdout.contains("2 warning(s)"), "{}", built.describe());
}

#[test]
fn templates_are_copied_when_asked() {
    let (_tmp, dir) = new_project(&["--templates"]);
    for (name, text) in EMBEDDED_TEMPLATES {
        let copy = std::fs::read_to_string(dir.join("templates").join(name)).expect("a template copy");
        assert_eq!(copy, *text, "{name}");
    }
    assert_eq!(files_under(&dir, &dir.join("templates")).len(), EMBEDDED_TEMPLATES.len());
}

#[test]
fn a_folder_that_is_not_empty_is_refused_unless_forced() {
    let tmp = temp_dir();
    let dir = tmp.path();
    std::fs::write(dir.join("notes.txt"), "mine").expect("write");
    let path = dir.to_str().expect("UTF-8 path");

    let (code, stdout, stderr) = pressroom(&["new", path]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(stderr.contains("is not empty") && stderr.contains("--force"), "{stderr}");
    let (code, _, stderr) = pressroom(&["new", path, "--lang", "zh"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("不是空的") && stderr.contains("--force"), "{stderr}");
    assert_eq!(files_under(dir, dir).len(), 1, "nothing was written");

    let (code, stdout, stderr) = pressroom(&["new", path, "--force"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(std::fs::read_to_string(dir.join("notes.txt")).expect("kept"), "mine");
    assert!(dir.join("content/campaign.yaml").is_file());
}
