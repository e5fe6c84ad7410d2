//! The example project as test material: its photos (generated on demand,
//! as `./dev.sh photos` does) and copies of it in temporary folders.
// Each test binary uses only some of these helpers.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::cli;

/// Names of the photos the example's content refers to (`photos/<name>.jpg`).
pub fn photo_names() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut stack = vec![cli::repo().join("content")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("list {}: {e}", dir.display())) {
            let path = entry.expect("read a directory entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "photos") {
                    stack.push(path);
                }
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            for (at, _) in text.match_indices("photos/") {
                let name: String = text[at + "photos/".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
                    .collect();
                if name.ends_with(".jpg") {
                    names.insert(name);
                }
            }
        }
    }
    names
}

/// Makes sure `content/photos/` holds every photo the example uses,
/// generating missing ones with the project's `sample-photos` tool.
pub fn ensure_photos() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let dir = cli::repo().join("content/photos");
        let missing: Vec<String> = photo_names()
            .into_iter()
            .filter(|n| std::fs::metadata(dir.join(n)).map_or(true, |m| m.len() == 0))
            .collect();
        if !missing.is_empty() {
            sample_photos(&dir, &missing);
        }
    });
}

/// Writes deterministic 4000×3000 phone-size JPEGs named `names` into `dir`.
pub fn sample_photos(dir: &Path, names: &[String]) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sample-photos"))
        .arg(dir)
        .args(names)
        .output()
        .expect("run the sample-photos tool");
    assert!(
        output.status.success(),
        "sample-photos {} {names:?} failed: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Copies the folder `from` into `to`; files in folders named `photos` are
/// hard-linked (copied where linking fails), since photos are large.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    let link = from.file_name().is_some_and(|n| n == "photos");
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("list {}: {e}", from.display())) {
        let entry = entry.expect("read a directory entry");
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst);
        } else if !(link && std::fs::hard_link(&src, &dst).is_ok()) {
            std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("copy {}: {e}", src.display()));
        }
    }
}

/// Copies `from` into `to`, leaving out the paths in `skip` (no hard links).
pub fn copy_dir(from: &Path, to: &Path, skip: &[PathBuf]) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())) {
        let entry = entry.expect("read a directory entry");
        if skip.contains(&entry.path()) {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target, skip);
        } else {
            std::fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("copy {}: {e}", entry.path().display()));
        }
    }
}

/// A fresh folder under Cargo's temp folder for integration tests (in `target/`, so on
/// the repository's file system and photos can be hard-linked).
pub fn temp_dir(prefix: &str) -> tempfile::TempDir {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&base).unwrap_or_else(|e| panic!("create {}: {e}", base.display()));
    tempfile::Builder::new().prefix(prefix).tempdir_in(&base).expect("create a temporary folder")
}

/// A copy of the minimal fixture project (`tests/fixtures/minimal`) with
/// `documents` (name, YAML) added to `content/documents/`.
pub fn project(documents: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = temp_dir("pressroom-documents-");
    copy_dir(&cli::repo().join("tests/fixtures/minimal"), dir.path(), &[]);
    let docs = dir.path().join("content/documents");
    std::fs::create_dir_all(&docs).expect("documents folder");
    for (name, yaml) in documents {
        std::fs::write(docs.join(format!("{name}.yaml")), yaml).expect("write a document");
    }
    dir
}

/// A red 2:1 PNG standing in for a signature stamp.
pub fn write_stamp(path: &Path) {
    let (w, h) = (120u32, 60u32);
    let file = std::fs::File::create(path).expect("create the stamp");
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().expect("png header");
    let data: Vec<u8> = (0..w * h).flat_map(|_| [230u8, 0, 18]).collect();
    writer.write_image_data(&data).expect("png data");
}
