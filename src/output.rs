//! Writing outputs atomically: a file is written under a temporary name in the
//! same folder and renamed over the old one, so a failed or interrupted build
//! leaves either the complete old file or the complete new one.

use std::io::Write;
use std::path::Path;

/// Prefix of temporary files, followed by the writing process's id; stray
/// ones from a killed run are removed by a later run's [`clean_stale`].
pub const TEMP_PREFIX: &str = ".pressroom-tmp-";

/// How old a temporary file of a process that cannot be checked must be
/// before it counts as stray.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Writes `bytes` to `path` atomically, creating the folder if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    // A temporary file is private (0600); an output is an ordinary file,
    // readable as the user's umask allows, so a shared folder or a web
    // server can serve it. (The mode is given at creation; umask applies.)
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Removes temporary files left in `dir` by an interrupted earlier run.
/// Those of a process still running are another build's work in progress
/// (a `watch` and a `build` into one folder) and stay.
pub fn clean_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else { continue };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| p != std::process::id() && running(p, &entry)) {
            continue;
        }
        let _ = std::fs::remove_file(entry.path());
    }
}

/// Whether the process `pid` that wrote `entry` may still be running.
fn running(pid: u32, entry: &std::fs::DirEntry) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        // No cheap process check: young files are presumed in progress.
        entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age < STALE_AFTER))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn another_running_process_keeps_its_temporaries_a_dead_one_does_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        // pid 1 always runs; the largest pid never does.
        let alive = dir.path().join(format!("{TEMP_PREFIX}1-abc"));
        let dead = dir.path().join(format!("{TEMP_PREFIX}{}-abc", u32::MAX));
        let old_style = dir.path().join(format!("{TEMP_PREFIX}abcdef"));
        for p in [&alive, &dead, &old_style] {
            std::fs::write(p, b"partial").expect("write");
        }
        clean_stale(dir.path());
        assert!(alive.exists(), "a running process's temporary was removed");
        assert!(!dead.exists() && !old_style.exists());
    }

    #[test]
    #[cfg(unix)]
    fn an_output_gets_the_permissions_of_an_ordinary_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let ordinary = dir.path().join("ordinary");
        std::fs::write(&ordinary, b"x").expect("write");
        let ours = dir.path().join("a.pdf");
        write_atomic(&ours, b"x").expect("write");
        let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode(&ours), mode(&ordinary), "as a file created under the same umask");
    }

    #[test]
    fn replaces_the_old_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out").join("a.pdf");
        write_atomic(&path, b"old").expect("write");
        write_atomic(&path, b"new").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("dir")).expect("list").collect();
        assert_eq!(names.len(), 1);
    }
}
