//! The proof sheet (`output/index.html`) in a real browser.
//!
//! Builds the example project into a temporary folder, loads its `index.html` from
//! disk in headless Chromium (Debian's `chromium`, which `./dev.sh test` installs)
//! and asserts on the DOM after the page's scripts ran (`--dump-dom`):
//!
//! * one section per output file, and together they are exactly the files in the
//!   output folder (the proof sheet and its previews aside); each PDF's section has
//!   one preview per page it says it has;
//! * the body's `data-images` equals the number of previews (and of PNGs written),
//!   `data-images-loaded` equals it too and `data-images-failed` is 0, as counted by
//!   the page's own script once everything loaded;
//! * the findings table lists the example's two `year/literal` warnings;
//! * the fonts table names all five roles;
//! * Chromium logged no console message at all (the page logs nothing, so any
//!   `CONSOLE` line is an error or an uncaught exception).
//!
//! It also takes a screenshot (1280×2400) and keeps it at `target/proof-sheet.png`
//! for people to look at; the test checks that it is a real, non-blank PNG.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use regex::Regex;
use support::cli;

/// The browser the test drives: Debian's package `chromium`.
const CHROMIUM: &str = "/usr/bin/chromium";
/// A browser run that takes longer than this has hung.
const TIMEOUT: Duration = Duration::from_secs(120);
/// The five font roles the fonts table must name.
const ROLES: [&str; 5] = ["小标宋", "仿宋", "黑体", "楷体", "宋体"];

/// The Chromium binary; fails (never skips) when it is missing.
fn chromium() -> PathBuf {
    let path = PathBuf::from(CHROMIUM);
    assert!(
        path.is_file(),
        "{CHROMIUM} not found: the proof-sheet test needs Debian's chromium package. \
         Run `./dev.sh test`, which installs it (apt-get install chromium), instead of `cargo test`."
    );
    path
}

/// What one headless Chromium run printed.
struct Browser {
    stdout: String,
    stderr: String,
}

/// Runs headless Chromium on `page` with `extra` arguments (e.g. `--dump-dom`).
fn run_chromium(page: &Path, extra: &[&str]) -> Browser {
    let profile = tempfile::Builder::new().prefix("pressroom-chromium-").tempdir().expect("a profile folder");
    let io = tempfile::Builder::new().prefix("pressroom-chromium-io-").tempdir().expect("an output folder");
    let (out_path, err_path) = (io.path().join("stdout"), io.path().join("stderr"));
    let url = format!("file://{}", page.display());
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=10000",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMIUM}: {e}"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish within {TIMEOUT:?} on {url}:\n{}",
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let browser = Browser {
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    };
    assert!(status.success(), "chromium failed ({status}) on {url}:\n{}", browser.stderr);
    browser
}

/// Output files in `dir` (relative, `/`-separated), without the proof sheet itself
/// and its previews.
fn output_files(root: &Path, dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("list the output folder").flatten() {
        let path = entry.path();
        let rel = path.strip_prefix(root).expect("inside").to_string_lossy().replace('\\', "/");
        if rel == pressroom::proof::INDEX || rel == pressroom::proof::PREVIEWS {
            continue;
        }
        if path.is_dir() {
            found.extend(output_files(root, &path));
        } else {
            found.insert(rel);
        }
    }
    found
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

/// A `data-…` attribute of the dumped `<body>` as a number.
fn body_number(body: &str, name: &str) -> usize {
    let re = Regex::new(&format!(r#"\b{name}="(\d+)""#)).expect("valid pattern");
    re.captures(body)
        .and_then(|c| c[1].parse().ok())
        .unwrap_or_else(|| panic!("<body> has no numeric {name} (did the page's script run?): {body}"))
}

/// The `target/` folder of this build.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| cli::repo().join("target"), PathBuf::from)
}

#[test]
fn the_proof_sheet_shows_every_output_in_a_browser() {
    chromium();
    let built = cli::build(&cli::repo(), &[]);
    built.assert_success();
    let out = built.out.path();
    let index = out.join(pressroom::proof::INDEX);
    assert!(index.is_file(), "the build wrote no {}: {}", index.display(), built.describe());

    let browser = run_chromium(&index, &["--dump-dom"]);
    let dom = &browser.stdout;
    assert!(dom.contains("</html>"), "chromium dumped no page:\n{}", browser.stderr);

    // No console output: the page logs nothing, so any line is an error.
    let console: Vec<&str> =
        browser.stderr.lines().filter(|l| l.contains("CONSOLE") || l.contains("Uncaught")).collect();
    assert!(console.is_empty(), "the proof sheet logged to the console:\n{}", console.join("\n"));

    // One section per output file.
    let sections =
        Regex::new(r#"(?s)<section class="doc" data-output="([^"]*)">(.*?)</section>"#).expect("re");
    let listed: Vec<(String, String)> =
        sections.captures_iter(dom).map(|c| (unescape(&c[1]), c[2].to_owned())).collect();
    let names: BTreeSet<String> = listed.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(names.len(), listed.len(), "an output is listed twice: {listed:?}");
    let files = output_files(out, out);
    assert_eq!(names, files, "the proof sheet's sections and the files in the output folder differ");
    let body = Regex::new(r"<body[^>]*>").expect("re").find(dom).expect("a <body> tag").as_str();
    assert_eq!(body_number(body, "data-outputs"), files.len(), "{body}");

    // Previews: one per page, every one loaded.
    let img = Regex::new(r#"<img src="([^"]+)""#).expect("re");
    let pages = Regex::new(r"(\d+) 页 pages").expect("re");
    let mut previews = 0;
    for (name, html) in &listed {
        let shown = img.captures_iter(html).count();
        previews += shown;
        if name.ends_with(".pdf") {
            let stated: usize = pages
                .captures(html)
                .and_then(|c| c[1].parse().ok())
                .unwrap_or_else(|| panic!("{name}: no page count shown"));
            assert!(stated > 0, "{name}: 0 pages");
            assert_eq!(shown, stated, "{name}: {stated} pages but {shown} previews");
        } else {
            assert_eq!(shown, 0, "{name} is not a PDF but has previews");
        }
    }
    let pngs = std::fs::read_dir(out.join(pressroom::proof::PREVIEWS))
        .expect("the previews folder")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .count();
    assert_eq!(previews, pngs, "previews shown vs PNGs written");
    assert_eq!(body_number(body, "data-images"), previews, "{body}");
    assert_eq!(body_number(body, "data-images-loaded"), previews, "not every preview loaded: {body}");
    assert_eq!(body_number(body, "data-images-failed"), 0, "{body}");

    // Findings: the example's two literal years.
    let findings: Vec<&str> = dom.matches(r#"<tr class="finding">"#).collect();
    let literal = dom.matches("<code>year/literal</code>").count();
    assert_eq!(
        (findings.len(), literal),
        (2, 2),
        "the findings table should list the two year/literal warnings"
    );
    assert!(dom.contains("content/campaign.yaml:96:20"), "a finding's location");

    // Fonts: all five roles.
    for role in ROLES {
        assert!(
            dom.contains(&format!("<tr><td>{role}</td>")),
            "the fonts table does not name the {role} role"
        );
    }

    // A screenshot for people, kept in target/.
    let shot = out.join("proof.png");
    let window =
        ["--screenshot=".to_owned() + &shot.display().to_string(), "--window-size=1280,2400".to_owned()];
    let browser = run_chromium(&index, &[window[0].as_str(), window[1].as_str()]);
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot ({e}):\n{}", browser.stderr));
    let kept = target_dir().join("proof-sheet.png");
    std::fs::create_dir_all(target_dir()).expect("target/");
    std::fs::write(&kept, &png).expect("keep the screenshot");
    check_screenshot(&png);
    println!("screenshot: {}", kept.display());
}

/// The screenshot is a 1280×2400 PNG that shows something: many colours, and the
/// header's red at the top.
fn check_screenshot(bytes: &[u8]) {
    assert!(bytes.len() > 50_000, "the screenshot is suspiciously small ({} bytes)", bytes.len());
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("the screenshot is a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut pixels).expect("decode the screenshot");
    assert_eq!((info.width, info.height), (1280, 2400), "window size");
    let channels = info.color_type.samples();
    assert!(channels >= 3, "an RGB screenshot");
    let row = info.line_size;
    let pixel = |x: usize, y: usize| -> [u8; 3] {
        let i = y * row + x * channels;
        [pixels[i], pixels[i + 1], pixels[i + 2]]
    };
    let mut colours = BTreeSet::new();
    for y in (0..info.height as usize).step_by(7) {
        for x in (0..info.width as usize).step_by(7) {
            colours.insert(pixel(x, y));
        }
    }
    assert!(colours.len() > 500, "the screenshot is nearly blank: {} colours", colours.len());
    let [r, g, b] = pixel(640, 5);
    assert!(r > 150 && g < 80 && b < 80, "the header should be red, not {:?}", [r, g, b]);
}
