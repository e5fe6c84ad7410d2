//! Files content refers to (seal images, photos): written relative to the
//! `content/` folder (`photos/school.jpg` is `content/photos/school.jpg`),
//! and they must lie inside the project. Absolute paths, `..` and symlinks
//! that lead out are refused, so nothing outside the project is ever read.

use std::path::{Component, Path, PathBuf};

use crate::diag::Msg;
use crate::msg;

/// The folder content paths are relative to.
pub const BASE: &str = "content";

/// Resolves `rel` (as written in content, with `/` separators) against the
/// project's `content/` folder, or says why it cannot be used.
pub fn project_file(root: &Path, rel: &str) -> Result<PathBuf, Msg> {
    let rel_path = Path::new(rel);
    if rel.is_empty() {
        return Err(msg!("文件路径为空", "the file path is empty"));
    }
    if rel_path.is_absolute() || rel.starts_with('/') || rel.contains('\\') || rel.contains(':') {
        return Err(msg!(
            "“{}”不是项目内的相对路径：只能使用项目目录中的文件，例如 images/seal.png",
            "“{}” is not a path inside the project: use a relative path such as images/seal.png",
            rel
        ));
    }
    if rel_path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(msg!(
            "“{}”含有 ..，指向项目目录之外",
            "“{}” contains .., which leads outside the project",
            rel
        ));
    }
    let path = root.join(BASE).join(rel_path);
    let canonical_root = root
        .canonicalize()
        .map_err(|e| msg!("无法读取项目目录：{}", "cannot read the project folder: {}", e))?;
    match path.canonicalize() {
        Ok(real) if real.starts_with(&canonical_root) => {
            if real.is_file() {
                Ok(path)
            } else {
                Err(msg!("“{}”不是文件", "“{}” is not a file", rel))
            }
        }
        Ok(_) => Err(msg!(
            "“{}”是指向项目目录之外的链接，已拒绝读取",
            "“{}” is a link that leads outside the project; it was not read",
            rel
        )),
        Err(_) => Err(msg!("找不到文件“{}”", "file “{}” not found", rel)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_leading_outside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("project");
        std::fs::create_dir_all(root.join("content/images")).expect("mkdir");
        std::fs::write(dir.path().join("secret.txt"), "secret").expect("write");
        std::fs::write(root.join("content/images/seal.png"), "png").expect("write");
        assert!(project_file(&root, "images/seal.png").is_ok());
        assert!(project_file(&root, "/etc/passwd").is_err());
        assert!(project_file(&root, "../secret.txt").is_err());
        assert!(project_file(&root, "images/missing.png").is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("content/images/link.png"))
                .expect("symlink");
            let err = project_file(&root, "images/link.png").expect_err("link leads out");
            assert!(err.en.contains("outside"), "{}", err.en);
        }
    }
}
