//! Large batches of flyers on worker processes (issue 17), checked against
//! the same batch typeset on one thread.
//!
//! How: the example project is copied and given 40 more townships (copies
//! of its own township files under new names, so 50 flyers: enough for two
//! workers of at least 16 flyers each). It is built with `--jobs 2`, which
//! deals the flyers to two `pressroom` worker processes, and with `--jobs 1`,
//! which typesets them all in the one process; `--json` says how many
//! workers a build used, so no test passes without them.
//!
//! What:
//! 1. both builds write the same 50 flyers, byte for byte, and list them in
//!    the same order;
//! 2. with previews (the default), every flyer's page previews exist and the
//!    proof sheet lists them;
//! 3. a flyer that overflows among them fails the build with the same
//!    message as on one thread (township, region, file and line), and the
//!    other flyers are still written.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{cli, example};

/// Townships added to the example's ten.
const EXTRA: usize = 40;

/// A copy of the example with `EXTRA` more townships; `overflow` makes the
/// achievements of the added township of that number far too long.
fn big_project(overflow: Option<usize>) -> tempfile::TempDir {
    example::ensure_photos();
    let dir = example::temp_dir("pressroom-workers-");
    let repo = cli::repo();
    example::copy_tree(&repo.join("content"), &dir.path().join("content"));
    example::copy_tree(&repo.join("templates"), &dir.path().join("templates"));
    let townships = dir.path().join("content/townships");
    let mut originals: Vec<PathBuf> = std::fs::read_dir(&townships)
        .expect("list the township files")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    originals.sort();
    let mut names = Vec::new();
    for i in 0..EXTRA {
        let source = &originals[i % originals.len()];
        let text = std::fs::read_to_string(source).expect("read a township file");
        let (name, _) = text
            .lines()
            .find_map(|l| l.strip_prefix("township: "))
            .and_then(|rest| rest.split_once(" #").or(Some((rest, ""))))
            .expect("a township line");
        let name = name.trim();
        let new_name = format!("{name}{}号", i + 1);
        let mut text = text.replacen(&format!("township: {name}"), &format!("township: {new_name}"), 1);
        if overflow == Some(i) {
            let long = "辖区内完成老旧小区改造、雨污分流、道路修缮和绿化提升等民生工程，居民满意度明显提高"
                .repeat(6);
            text = text.replacen("achievements:\n", &format!("achievements:\n  - {long}\n  - {long}\n"), 1);
        }
        std::fs::write(townships.join(format!("w{:02}.yaml", i + 1)), text).expect("write a township file");
        names.push(new_name);
    }
    let campaign = dir.path().join("content/campaign.yaml");
    let text = std::fs::read_to_string(&campaign).expect("read campaign.yaml");
    let last = "  - 燕山乡\n";
    assert!(text.contains(last), "campaign.yaml's township list ends with 燕山乡");
    let added: String = names.iter().map(|n| format!("  - {n}\n")).collect();
    std::fs::write(&campaign, text.replacen(last, &format!("{last}{added}"), 1))
        .expect("write campaign.yaml");
    dir
}

/// The flyer PDFs of a build, by file name.
fn flyer_pdfs(out: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(out.join("flyers"))
        .expect("list output/flyers")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .map(|p| {
            let name = p.file_name().expect("a file name").to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("read a flyer"))
        })
        .collect()
}

fn json(built: &cli::Built) -> Value {
    serde_json::from_str(built.stdout.trim())
        .unwrap_or_else(|e| panic!("--json output: {e}\n{}", built.describe()))
}

fn flyer_paths(report: &Value, out: &Path) -> Vec<String> {
    report["outputs"]
        .as_array()
        .expect("outputs")
        .iter()
        .filter_map(|o| o["path"].as_str())
        .filter_map(|p| Path::new(p).strip_prefix(out).ok().map(|p| p.display().to_string()))
        .filter(|p| p.starts_with("flyers/"))
        .collect()
}

#[test]
fn workers_write_what_one_thread_writes() {
    let project = big_project(None);
    let args = ["flyers", "--no-previews", "--json"];
    let two = cli::build_with_env(project.path(), &[&args[..], &["--jobs", "2"]].concat(), &[]);
    two.assert_success();
    let one = cli::build_with_env(project.path(), &[&args[..], &["--jobs", "1"]].concat(), &[]);
    one.assert_success();
    let (two_report, one_report) = (json(&two), json(&one));
    assert_eq!(two_report["workers"], 2, "a batch of 50 flyers on 2 jobs uses two worker processes");
    assert_eq!(one_report["workers"], 0, "one job typesets in its own process");
    let (a, b) = (flyer_pdfs(two.out.path()), flyer_pdfs(one.out.path()));
    assert_eq!(a.len(), 50, "50 flyers: {:?}", a.keys().collect::<Vec<_>>());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(*bytes == b[name], "{name} differs between the worker processes and one thread");
    }
    assert_eq!(
        flyer_paths(&two_report, two.out.path()),
        flyer_paths(&one_report, one.out.path()),
        "outputs are listed in the same order"
    );
}

#[test]
fn workers_draw_every_flyers_previews() {
    let project = big_project(None);
    let built = cli::build(project.path(), &["flyers", "--jobs", "2", "--json"]);
    built.assert_success();
    assert_eq!(json(&built)["workers"], 2);
    let sheet = std::fs::read_to_string(built.file("index.html")).expect("the proof sheet");
    for name in flyer_pdfs(built.out.path()).keys() {
        let stem = format!("flyers_{}", name.trim_end_matches(".pdf"));
        let first = format!("{stem}-1.png");
        assert!(built.file("previews").join(&first).is_file(), "{name} has no preview previews/{first}");
        assert!(sheet.contains(&percent(&first)), "the proof sheet shows {first}");
    }
}

/// `text` percent-encoded as the proof sheet writes its links.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn an_overflow_among_workers_reads_as_on_one_thread() {
    // The 7th added township: a copy of the example's 7th file.
    let project = big_project(Some(6));
    let args = ["flyers", "--no-previews"];
    let two = cli::build(project.path(), &[&args[..], &["--jobs", "2"]].concat());
    let one = cli::build(project.path(), &[&args[..], &["--jobs", "1"]].concat());
    assert_eq!(two.code(), 1, "the overflow fails the build: {}", two.describe());
    assert_eq!(one.code(), 1, "{}", one.describe());
    assert!(two.stderr.contains("w07.yaml:"), "the message points at the township file: {}", two.stderr);
    let strip = |s: &str, out: &Path| s.replace(&out.display().to_string(), "OUT");
    assert_eq!(strip(&two.stderr, two.out.path()), strip(&one.stderr, one.out.path()));
    assert_eq!(flyer_pdfs(two.out.path()).len(), 49, "the 49 other flyers are written");
}
