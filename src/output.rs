//! Writing outputs atomically: a file is written under a temporary name in the
//! same folder and renamed over the old one, so a failed or interrupted build
//! leaves either the complete old file or the complete new one.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::SyncSender;

/// Prefix of temporary files, followed by the writing process's id; stray
/// ones from a killed run are removed by a later run's [`clean_stale`].
pub const TEMP_PREFIX: &str = ".pressroom-tmp-";

/// How old a temporary file of a process that cannot be checked must be
/// before it counts as stray.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Writes `bytes` to `path` atomically, creating the folder if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temporary(path, bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// `bytes` in a temporary file beside `path`, not yet synced.
fn temporary(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
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
    Ok(tmp)
}

/// A file that could not be written, and why.
pub type WriteError = (PathBuf, std::io::Error);

/// Files handed to a [`Writer`] and not yet written.
const QUEUE: usize = 32;

/// Writes files atomically on a thread of its own, so that a batch's
/// typesetting does not wait for the disk: each `fsync` took about as long
/// as a sixth of a flyer's typesetting, all of it idle on the typesetting
/// thread. Files that queue up while one group is synced are written as
/// the next group: all written, then all synced (the first sync carries
/// the others' data in the same journal commit), then all renamed.
pub struct Writer {
    queue: Option<SyncSender<(PathBuf, Vec<u8>)>>,
    thread: Option<std::thread::JoinHandle<Vec<WriteError>>>,
    /// Errors of writes done here when the thread could not take them.
    inline: Mutex<Vec<WriteError>>,
}

impl Writer {
    pub fn new() -> Self {
        let (queue, files) = std::sync::mpsc::sync_channel::<(PathBuf, Vec<u8>)>(QUEUE);
        let thread = std::thread::Builder::new()
            .name("pressroom-writer".into())
            .spawn(move || {
                let mut errors = Vec::new();
                while let Ok(first) = files.recv() {
                    let mut group = vec![first];
                    group.extend(files.try_iter().take(QUEUE));
                    errors.extend(write_group(group));
                }
                errors
            })
            .ok();
        let queue = thread.as_ref().map(|_| queue);
        Self { queue, thread, inline: Mutex::new(Vec::new()) }
    }

    /// Queues `bytes` for `path` (waiting while the queue is full); written
    /// here and now if the writing thread is gone.
    pub fn write(&self, path: PathBuf, bytes: Vec<u8>) {
        let (path, bytes) = match &self.queue {
            Some(queue) => match queue.send((path, bytes)) {
                Ok(()) => return,
                Err(std::sync::mpsc::SendError(file)) => file,
            },
            None => (path, bytes),
        };
        if let Err(e) = write_atomic(&path, &bytes)
            && let Ok(mut inline) = self.inline.lock()
        {
            inline.push((path, e));
        }
    }

    /// Waits for every queued file; the ones that could not be written.
    pub fn finish(mut self) -> Vec<WriteError> {
        drop(self.queue.take());
        let mut errors = match self.thread.take().map(|t| t.join()) {
            Some(Ok(errors)) => errors,
            Some(Err(_)) => vec![(PathBuf::new(), std::io::Error::other("the writing thread panicked"))],
            None => Vec::new(),
        };
        errors.append(&mut self.inline.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default());
        errors
    }
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

/// Writes a group of files atomically: every file complete under its
/// temporary name and synced before any is renamed over an old one.
fn write_group(group: Vec<(PathBuf, Vec<u8>)>) -> Vec<WriteError> {
    let mut errors = Vec::new();
    let mut written = Vec::new();
    for (path, bytes) in group {
        match temporary(&path, &bytes) {
            Ok(tmp) => written.push((path, tmp)),
            Err(e) => errors.push((path, e)),
        }
    }
    for (path, tmp) in written {
        if let Err(e) = tmp.as_file().sync_all() {
            errors.push((path, e));
        } else if let Err(e) = tmp.persist(&path) {
            errors.push((path, e.error));
        }
    }
    errors
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
    fn the_writer_writes_every_file_and_reports_the_ones_it_cannot() {
        let dir = tempfile::tempdir().expect("tempdir");
        let writer = Writer::new();
        for i in 0..100 {
            writer.write(dir.path().join(format!("{i}.pdf")), vec![i as u8; 1000]);
        }
        // A folder cannot be replaced by a file.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir_all(blocked.join("inside")).expect("mkdir");
        writer.write(blocked.clone(), b"x".to_vec());
        let errors = writer.finish();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, blocked);
        for i in 0..100 {
            assert_eq!(
                std::fs::read(dir.path().join(format!("{i}.pdf"))).expect("read"),
                vec![i as u8; 1000]
            );
        }
        let stray = std::fs::read_dir(dir.path())
            .expect("list")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(TEMP_PREFIX))
            .count();
        assert_eq!(stray, 0, "temporaries left behind");
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
