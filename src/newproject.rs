//! `pressroom new <dir>`: a new campaign project from the built-in example.
//!
//! The example's content files are compiled into the binary ([`EXAMPLE_CONTENT`],
//! the one list of them), so `new` works from an installed `pressroom` without
//! the repository. A new project gets `content/` (the example's YAML files and
//! small generated sample photos for every photo they name, so it builds at
//! once), a `.gitignore`, a `README.md` for the people who fill it in, and, when
//! asked, `templates/` with copies of the built-in templates to customise.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics};
use crate::msg;
use crate::typeset::world::EMBEDDED_TEMPLATES;

/// One example file: its path inside the project and its text.
macro_rules! example {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../", $path)))),*]
    };
}

/// The example project's content files, compiled in: (path relative to the
/// project, text). A test compares this list with the repository's
/// `content/` folder, so a file added there must be added here too.
pub const EXAMPLE_CONTENT: &[(&str, &str)] = example![
    "content/campaign.yaml",
    "content/notice.yaml",
    "content/booklet.yaml",
    "content/flyer.yaml",
    "content/areas/education.yaml",
    "content/areas/efficiency.yaml",
    "content/areas/employment.yaml",
    "content/areas/environment.yaml",
    "content/areas/food-safety.yaml",
    "content/areas/income.yaml",
    "content/areas/medical.yaml",
    "content/areas/public-security.yaml",
    "content/areas/social-security.yaml",
    "content/areas/transport.yaml",
    "content/townships/huaihe.yaml",
    "content/townships/huangzhuang.yaml",
    "content/townships/hubin.yaml",
    "content/townships/longhuxincun.yaml",
    "content/townships/qingnian.yaml",
    "content/townships/shengli.yaml",
    "content/townships/tianqiao.yaml",
    "content/townships/weierlu.yaml",
    "content/townships/xuehua.yaml",
    "content/townships/yanshan.yaml",
    "content/documents/voice-push-letter.yaml",
    "content/documents/liaison-minutes.yaml",
    "content/documents/inspection-bulletin.yaml",
    "content/documents/data/inspection-scores.csv",
    "content/documents/city-request.yaml",
    "content/images/seal-sample.svg",
];

/// Sample photos in a new project: long side × short side in pixels. Smaller
/// than a phone's (the `sample-photos` tool writes 4000×3000) to keep new
/// projects light, and still sharp enough (150 dpi) for every frame the
/// example places them in.
pub const PHOTO_SIZE: (u32, u32) = (1600, 1200);

/// The project's `.gitignore`: outputs and caches are rebuilt, never committed.
pub const GITIGNORE: &str =
    "# pressroom 生成的文件和缓存，不提交 · built files and caches, never committed\noutput/\n.cache/\n";

/// The README written into a new project, for the people who fill it in.
pub const PROJECT_README: &str = include_str!("newproject-README.md");

/// What [`new_project`] wrote.
#[derive(Debug, Default)]
pub struct Created {
    /// Every file written, relative to the project folder.
    pub files: Vec<PathBuf>,
    /// How many of them are sample photos.
    pub photos: usize,
}

/// The photo files (`photos/….jpg`, relative to `content/`) the example's
/// content refers to, sorted and without repeats.
pub fn example_photos() -> Vec<String> {
    let re = regex::Regex::new(r"photos/[A-Za-z0-9._-]+\.jpg").expect("the photo pattern is valid");
    let mut names: Vec<String> = EXAMPLE_CONTENT
        .iter()
        .flat_map(|(_, text)| re.find_iter(text).map(|m| m.as_str().to_owned()))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Writes a new project into `dir` (created if missing). `dir` must be empty
/// or missing unless `force` is set, in which case files of the same name are
/// overwritten and other files are left alone. With `templates`, copies of
/// the built-in templates go into `templates/`.
pub fn new_project(dir: &Path, templates: bool, force: bool) -> Result<Created, Diagnostics> {
    if dir.exists() && !dir.is_dir() {
        return Err(vec![Diagnostic::error(
            "usage/not-a-folder",
            msg!("{} 已存在，但不是文件夹", "{} exists and is not a folder", dir.display()),
        )]);
    }
    let not_empty = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some());
    if not_empty && !force {
        return Err(vec![
            Diagnostic::error(
                "usage/not-empty",
                msg!("目标目录 {} 不是空的", "the folder {} is not empty", dir.display()),
            )
            .hint(msg!(
                "换一个新的目录名，或加 --force 覆盖同名文件（其他文件不动）。",
                "choose a new folder name, or pass --force to overwrite files of the same name (others are left alone)."
            )),
        ]);
    }
    let io = |e: std::io::Error, p: &Path| {
        vec![Diagnostic::error("io", msg!("无法写入 {}：{}", "cannot write {}: {}", p.display(), e))]
    };
    let mut created = Created::default();
    let mut write = |rel: &str, bytes: &[u8]| {
        let path = dir.join(rel);
        write_file(&path, bytes).map_err(|e| io(e, &path))?;
        created.files.push(PathBuf::from(rel));
        Ok::<(), Diagnostics>(())
    };
    for (rel, text) in EXAMPLE_CONTENT {
        write(rel, text.as_bytes())?;
    }
    write(".gitignore", GITIGNORE.as_bytes())?;
    write("README.md", PROJECT_README.as_bytes())?;
    if templates {
        for (name, text) in EMBEDDED_TEMPLATES {
            write(&format!("templates/{name}"), text.as_bytes())?;
        }
    }

    // Photos: one scene each, drawn in parallel (each is one thread's work).
    let photos = example_photos();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let content = dir.join("content");
    let results = crate::batch::run(threads, &photos, |name| {
        let path = content.join(name);
        // Seeded by the file name alone, like the `sample-photos` tool: the
        // same scenes as the repository's example photos, only smaller.
        let file = name.rsplit('/').next().unwrap_or(name);
        crate::sample_photos::scene_jpeg(file, PHOTO_SIZE.0, PHOTO_SIZE.1)
            .and_then(|jpeg| write_file(&path, &jpeg).map_err(|e| e.to_string()))
            .map_err(|e| {
                Diagnostic::error("io", msg!("无法写入 {}：{}", "cannot write {}: {}", path.display(), e))
            })
    });
    let errors: Diagnostics = results.into_iter().filter_map(Result::err).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    created.files.extend(photos.iter().map(|n| Path::new("content").join(n)));
    created.photos = photos.len();
    Ok(created)
}

/// Writes a project file with the usual permissions (unlike outputs, which
/// are written atomically under a private temporary name).
fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes)
}

/// `pressroom new`: writes the project and says what to do next. Exit code
/// 0, or 2 when the folder is not empty (without `force`) or cannot be
/// written.
pub fn run(dir: &Path, templates: bool, force: bool) -> std::process::ExitCode {
    match new_project(dir, templates, force) {
        Ok(created) => {
            let shown = dir.display();
            let templates_note = if templates {
                msg!(
                    "templates/ 中是内置版式的副本，可以修改。\n",
                    "templates/ holds copies of the built-in templates to customise.\n"
                )
            } else {
                msg!("", "")
            };
            println!(
                "{}",
                msg!(
                    "已创建新项目 {}：{} 个文件，其中 {} 张示例照片。\n{}下一步：阅读 {}/README.md，然后运行\n  pressroom build --project {}",
                    "created the project {}: {} files, {} of them sample photos.\n{}Next: read {}/README.md, then run\n  pressroom build --project {}",
                    shown,
                    created.files.len(),
                    created.photos,
                    templates_note,
                    shown,
                    shown
                )
            );
            std::process::ExitCode::SUCCESS
        }
        Err(diags) => {
            eprint!("{}", crate::diag::render(&diags, Path::new("."), &crate::diag::DiskSources));
            std::process::ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_photo_name_is_a_plain_file_name() {
        let photos = example_photos();
        assert!(photos.len() > 10, "{photos:?}");
        assert!(photos.iter().all(|p| p.starts_with("photos/") && !p[7..].contains('/')), "{photos:?}");
        assert!(photos.contains(&"photos/cover.jpg".to_owned()));
    }

    #[test]
    fn refuses_a_folder_that_is_not_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("notes.txt"), "mine").expect("write");
        let err = new_project(dir.path(), false, false).expect_err("not empty");
        assert_eq!(err[0].code, "usage/not-empty");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1, "nothing was written");
    }
}
