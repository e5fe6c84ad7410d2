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
//!
//! A second test loads the page in a Chromium whose fontconfig offers no Chinese font
//! (only DejaVu), as on a fresh Debian or a print shop's PC: the page's own fonts must
//! load (`data-fonts`, set by the page from `document.fonts`), and every character it
//! shows must be in the cmap of a font it carries, read with ttf-parser.

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
    run_chromium_with(page, extra, &[])
}

/// [`run_chromium`] with environment variables set.
fn run_chromium_with(page: &Path, extra: &[&str], envs: &[(&str, &Path)]) -> Browser {
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
        .envs(envs.iter().map(|(k, v)| (*k, v.as_os_str())))
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

    // The page carries its font: the browser loaded it, and its characters
    // cover every character the page shows (checked below without any
    // Chinese system font).
    let fonts = Regex::new(r#"data-fonts="([^"]*)""#).expect("re");
    let status = fonts.captures(body).map(|c| c[1].to_owned()).unwrap_or_default();
    assert!(
        status.contains("pressroom-hei:loaded") && !status.contains(":error"),
        "the page's fonts: {status:?}"
    );

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

/// A fontconfig setup that offers the browser no Chinese font at all (only
/// Latin ones, as on a fresh Debian or a print shop's PC): everything Chinese
/// on the page must come from the font the page carries.
fn no_cjk_fontconfig(dir: &Path) -> PathBuf {
    let fonts = dir.join("fonts");
    std::fs::create_dir_all(&fonts).expect("a fonts folder");
    let latin = Path::new("/usr/share/fonts/truetype/dejavu");
    let extra = if latin.is_dir() { format!("<dir>{}</dir>", latin.display()) } else { String::new() };
    let conf = dir.join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig><dir>{}</dir>{extra}<cachedir>{}</cachedir></fontconfig>\n",
            fonts.display(),
            dir.join("cache").display()
        ),
    )
    .expect("write fonts.conf");
    conf
}

/// The characters of the fonts a page carries (`@font-face` data URLs), read
/// with ttf-parser, not the code that wrote them.
fn carried_characters(html: &str) -> BTreeSet<char> {
    use base64::Engine as _;
    let url = Regex::new(r"url\(data:font/(?:otf|ttf);base64,([A-Za-z0-9+/=]+)\)").expect("re");
    let mut chars = BTreeSet::new();
    for c in url.captures_iter(html) {
        let bytes = base64::engine::general_purpose::STANDARD.decode(&c[1]).expect("base64");
        let face = ttf_parser::Face::parse(&bytes, 0).expect("the carried font parses");
        let cmap = face.tables().cmap.expect("the carried font has a cmap");
        for sub in cmap.subtables.into_iter().filter(|s| s.is_unicode()) {
            sub.codepoints(|cp| {
                if let Some(ch) = char::from_u32(cp)
                    && sub.glyph_index(cp).is_some_and(|g| g.0 != 0)
                {
                    chars.insert(ch);
                }
            });
        }
    }
    chars
}

/// What the page shows as text: the DOM without its scripts, styles and tags.
fn shown_text(dom: &str) -> String {
    let hidden = Regex::new(r"(?s)<(script|style)[^>]*>.*?</(script|style)>").expect("re");
    let tags = Regex::new(r"<[^>]*>").expect("re");
    unescape(&tags.replace_all(&hidden.replace_all(dom, ""), " "))
}

#[test]
fn the_proof_sheet_needs_no_chinese_font_on_the_machine() {
    chromium();
    let built = cli::build(&cli::repo(), &[]);
    built.assert_success();
    let index = built.out.path().join(pressroom::proof::INDEX);
    let html = std::fs::read_to_string(&index).expect("read index.html");
    let setup = tempfile::Builder::new().prefix("pressroom-fontconfig-").tempdir().expect("a folder");
    let conf = no_cjk_fontconfig(setup.path());
    let envs = [("FONTCONFIG_FILE", conf.as_path())];

    let browser = run_chromium_with(&index, &["--dump-dom"], &envs);
    let dom = &browser.stdout;
    let body = Regex::new(r"<body[^>]*>").expect("re").find(dom).expect("a <body> tag").as_str();
    let fonts = Regex::new(r#"data-fonts="([^"]*)""#).expect("re");
    let status = fonts.captures(body).map(|c| c[1].to_owned()).unwrap_or_default();
    assert!(
        status.contains("pressroom-hei:loaded") && !status.contains(":error"),
        "without Chinese fonts, the page's own font must load: {status:?}\n{}",
        browser.stderr
    );

    // Every character shown, township names in file names included, is in
    // a font the page carries: none can fall back to a box.
    let carried = carried_characters(&html);
    let shown = shown_text(dom);
    let missing: BTreeSet<char> =
        shown.chars().filter(|c| !c.is_whitespace() && !carried.contains(c)).collect();
    assert!(missing.is_empty(), "shown but in no font the page carries (tofu): {missing:?}");
    for name in ["湖滨社区中心", "校样", "检查结果", "黑体"] {
        assert!(shown.contains(name), "the page shows {name}");
    }

    // Look at it: a screenshot with no Chinese system font, kept in target/.
    let shot = setup.path().join("proof.png");
    let window =
        ["--screenshot=".to_owned() + &shot.display().to_string(), "--window-size=1280,2400".to_owned()];
    let browser = run_chromium_with(&index, &[window[0].as_str(), window[1].as_str()], &envs);
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot ({e}):\n{}", browser.stderr));
    check_screenshot(&png);
    let kept = target_dir().join("proof-sheet-no-cjk-fonts.png");
    std::fs::create_dir_all(target_dir()).expect("target/");
    std::fs::write(&kept, &png).expect("keep the screenshot");
    println!("screenshot: {}", kept.display());
}
