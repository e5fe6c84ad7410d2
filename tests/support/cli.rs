//! Runs the real `pressroom` binary the way a user would, for the integration tests.
//!
//! Every run gets the repository's Fandol fonts (`.cache/fonts/fandol`, fetched by
//! `./dev.sh`) through `--font-path` and `--no-system-fonts`, so the output does not
//! depend on the fonts installed on the machine. Output goes to a fresh temporary
//! folder that is deleted when the [`Built`] value is dropped.

// Every integration test binary compiles this module but uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::OnceLock;

use tempfile::TempDir;

use super::pdf::{Pdf, read_pdf};

/// The repository root, which is also the example project (its `content/`).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Fandol font folder that `./dev.sh` fills; panics with a hint if it is missing.
pub fn font_dir() -> PathBuf {
    let dir = repo().join(".cache/fonts/fandol");
    let has_fonts = std::fs::read_dir(&dir).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|e| e.path().extension().is_some_and(|x| x == "ttf"))
    });
    assert!(
        has_fonts,
        "no Fandol fonts in {}: run `./dev.sh test` (it fetches them) instead of `cargo test`",
        dir.display()
    );
    dir
}

/// One finished run of the binary.
#[derive(Debug)]
pub struct Built {
    /// The output folder (deleted on drop).
    pub out: TempDir,
    /// How the process ended.
    pub status: ExitStatus,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl Built {
    /// The exit code; panics if the process was killed by a signal.
    pub fn code(&self) -> i32 {
        self.status.code().unwrap_or_else(|| panic!("pressroom was killed: {}", self.describe()))
    }

    /// A path inside the output folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.out.path().join(name)
    }

    /// The status and both output streams, for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status,
            self.stdout.trim_end(),
            self.stderr.trim_end()
        )
    }

    /// Panics with the process's output unless it exited with 0.
    pub fn assert_success(&self) -> &Self {
        assert!(self.status.success(), "pressroom build failed: {}", self.describe());
        self
    }
}

/// A finished run of the binary: its exit code and both output streams.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl Run {
    /// The run that gave `output`; a process killed by a signal (a crash)
    /// fails the test, naming `what` ran.
    pub fn from_output(output: &std::process::Output, what: &str) -> Self {
        Run {
            code: output.status.code().unwrap_or_else(|| {
                panic!(
                    "{what} was killed by a signal: {}\n{}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                )
            }),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The exit code and both streams, for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "exit {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code,
            self.stdout.trim_end(),
            self.stderr.trim_end()
        )
    }

    /// Panics with the output unless the run exited with 0.
    pub fn assert_success(&self, what: &str) -> &Self {
        assert_eq!(self.code, 0, "{what} failed: {}", self.describe());
        self
    }

    /// Both streams, for searching messages.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Runs `pressroom ARGS --font-path <fandol> --no-system-fonts` with `envs` set
/// (a `None` value removes the variable) and returns the process output.
pub fn run(args: &[&str], envs: &[(&str, Option<&str>)]) -> std::process::Output {
    let fonts = font_dir();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pressroom"));
    cmd.args(args)
        .arg("--font-path")
        .arg(&fonts)
        .arg("--no-system-fonts")
        // English messages, whatever the machine's LANG.
        .env("LANG", "C")
        // The fonts come from --font-path only.
        .env_remove("PRESSROOM_FONT_PATH");
    for (key, value) in envs {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
    cmd.output().unwrap_or_else(|e| panic!("cannot run {}: {e}", env!("CARGO_BIN_EXE_pressroom")))
}

/// Builds `project` into a fresh temporary folder:
/// `pressroom build ARGS --project PROJECT --out TMP --font-path <fandol> --no-system-fonts`.
/// Does not check the exit status.
pub fn build(project: &Path, args: &[&str]) -> Built {
    build_with_env(project, args, &[])
}

/// Like [`build`], with environment variables set (`Some`) or removed (`None`).
pub fn build_with_env(project: &Path, args: &[&str], envs: &[(&str, Option<&str>)]) -> Built {
    let out = tempfile::Builder::new()
        .prefix("pressroom-test-")
        .tempdir()
        .expect("create a temporary output folder");
    let project = project.to_str().expect("project path is UTF-8");
    let out_dir = out.path().to_str().expect("temporary path is UTF-8");
    let mut full = vec!["build"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--project", project, "--out", out_dir]);
    let output = run(&full, envs);
    Built {
        out,
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The example project (the repository's `content/`) built once per test binary,
/// with `SOURCE_DATE_EPOCH` unset, and its `notice.pdf` read back.
pub fn example_notice() -> &'static Pdf {
    static NOTICE: OnceLock<Pdf> = OnceLock::new();
    NOTICE.get_or_init(|| {
        let built = build_with_env(&repo(), &["notice"], &[("SOURCE_DATE_EPOCH", None)]);
        built.assert_success();
        let path = built.file("notice.pdf");
        assert!(path.is_file(), "pressroom build exited 0 but wrote no notice.pdf: {}", built.describe());
        // The read-back keeps everything it needs, so the folder may go.
        read_pdf(&path)
    })
}
