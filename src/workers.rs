//! Worker processes for large batches of flyers.
//!
//! typst memoizes layout in caches shared by every thread of a process: with
//! two typesetting threads in one process, typst's layout took about 45%
//! more CPU per flyer than with one, whatever the eviction settings, and a
//! batch on two cores ran 1.66× as fast as on one. Two processes, each with
//! its own caches, run at single-thread speed. So a batch is split into
//! shards, each typeset by this same program started again with
//! [`WORKER_ARG`]: the request arrives as one JSON line on standard input,
//! each flyer's result leaves as one JSON line on standard output.
//!
//! Diagnostics never cross the process boundary: a flyer that fails or warns
//! in a worker is typeset again in the parent, which reports it as a
//! single-process build would. A worker that dies takes nothing with it but
//! time: what it did not finish is done again by the parent.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The first argument that makes a pressroom binary a flyer worker.
pub const WORKER_ARG: &str = "__flyer-worker";

/// Serves one shard of flyers when this process was started as a worker
/// (its first argument is [`WORKER_ARG`]); `None` otherwise. Every binary
/// that lets builds use worker processes
/// ([`crate::build::BuildConfig::worker_program`]) calls this first.
pub fn serve_if_asked() -> Option<ExitCode> {
    if std::env::args_os().nth(1)? != WORKER_ARG {
        return None;
    }
    let mut request = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut request) {
        eprintln!("pressroom worker: cannot read the request: {e}");
        return Some(ExitCode::from(2));
    }
    let shard = match serde_json::from_str(&request) {
        Ok(shard) => shard,
        Err(e) => {
            eprintln!("pressroom worker: bad request: {e}");
            return Some(ExitCode::from(2));
        }
    };
    let mut out = std::io::stdout().lock();
    Some(match crate::build::serve_flyer_shard(shard, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pressroom worker: {e}");
            ExitCode::from(2)
        }
    })
}

/// Sends one JSON line to a worker's parent.
pub(crate) fn send(out: &mut impl Write, message: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, message)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Starts `program` as a worker once per request, all at once, and hands
/// every line each prints to `on_message` with the request's index, as it
/// arrives. Returns, per request, whether its worker ran and exited cleanly.
pub(crate) fn run<Req: Serialize + Sync, Msg: DeserializeOwned>(
    program: &Path,
    requests: &[Req],
    on_message: impl Fn(usize, Msg) + Sync,
) -> Vec<bool> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = requests
            .iter()
            .enumerate()
            .map(|(i, request)| {
                let on_message = &on_message;
                scope.spawn(move || serve_one(program, request, |m| on_message(i, m)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(false)).collect()
    })
}

fn serve_one<Req: Serialize, Msg: DeserializeOwned>(
    program: &Path,
    request: &Req,
    on_message: impl Fn(Msg),
) -> bool {
    let Ok(mut child) = Command::new(program)
        .arg(WORKER_ARG)
        .env("RAYON_NUM_THREADS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
    else {
        return false;
    };
    // The request, then end of input: the worker reads it whole.
    let sent = child.stdin.take().is_some_and(|mut stdin| send(&mut stdin, request).is_ok());
    let mut clean = sent;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            match line.ok().and_then(|l| serde_json::from_str(&l).ok()) {
                Some(message) => on_message(message),
                None => clean = false,
            }
        }
    }
    child.wait().is_ok_and(|status| status.success()) && clean
}

/// This program, for starting it again as a worker. While cargo relinks a
/// binary that is running, Linux names the old file "<path> (deleted)"; the
/// new file at the same path is the same program, built again.
pub fn this_program() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let text = exe.to_string_lossy();
    Some(match text.strip_suffix(" (deleted)") {
        Some(path) => PathBuf::from(path),
        None => exe,
    })
}

/// Peak resident memory of this process in KiB (`VmHWM`), 0 if unknown.
pub(crate) fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
