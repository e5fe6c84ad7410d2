//! The README is the manual, and every example in it is run.
//!
//! The test reads `README.md` top to bottom, the way a newcomer follows it, and acts on
//! its fenced code blocks in a temporary workspace: a copy of the example project (the
//! repository's `content/` and `templates/`; photos and the photo cache hard-linked) in a
//! folder `pressroom/` of a temporary directory, so `../x` stays inside it. Every `##` or
//! `###` heading starts a fresh workspace; the blocks of one section share it, in order.
//!
//! * ```` ```sh ```` blocks: every line is a command. `pressroom …` runs the real binary
//!   in the workspace's current folder with `LANG=zh_CN.UTF-8` (the audience's locale),
//!   `PRESSROOM_FONT_PATH` set to the Fandol fonts (`support::cli::font_dir`) and
//!   `--no-system-fonts`. It must exit 0, or the code named in its comment
//!   (`# 退出码 1 · exit code 1`). `pressroom watch …` never ends, so it runs with
//!   `--help` added (the subcommand and its options must exist). `./dev.sh build ARGS`
//!   runs as `pressroom build --print ARGS` (what dev.sh does after fetching fonts,
//!   photos and the CMYK profile);
//!   `./dev.sh test` is not run (it is this test's own caller) but must be one of the
//!   two documented commands. `cd DIR` changes the current folder. The two `export`
//!   lines of the setup are checked against what they claim: `$PWD/target/release` holds
//!   the `pressroom` under test and `$PWD/.cache/fonts/fandol` is where dev.sh puts the
//!   fonts. Any other line fails the test.
//! * ```` ```text ```` blocks right after an `sh` block are output: each of their lines
//!   (trimmed) must appear, in order, among the output lines (standard error, then
//!   standard output) of the last command of that block; `…` inside a line matches any
//!   text (timings, sizes, machine paths).
//! * ```` ```yaml ```` blocks must parse as YAML. A block whose first line names a file,
//!   `# content/areas/x.yaml`, is written into the workspace (and, if the example has
//!   that file, must equal it: the README's examples are the example's files); with
//!   `第 N 行` or `第 N–M 行` it replaces those lines of the file instead (the lines must
//!   have the same shape: indentation, and the same key unless the block is marked
//!   `错误示例 · wrong`). Afterwards `pressroom check` must exit 0, unless the block is
//!   marked wrong (its consequences are shown by the commands that follow).
//! * ```` ```typst ```` blocks: every `#import "X.typ": f` names a built-in template
//!   defining `f`, and every `json("F")` is a file an earlier command wrote.
//! * `<!-- test: … -->` comments do what prose cannot: `gbk FILE` re-encodes a file as
//!   GBK (as Notepad saves it), `tab FILE LINE` indents a line with a tab, and
//!   `pdf-text PDF TEXT` asserts that a built PDF's text contains TEXT.
//!
//! Besides, the README must start with the two setup commands, and every subcommand of
//! `pressroom --help` must have an example that runs. The README written by
//! `pressroom new` is run the same way, in a new project.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use regex::Regex;
use support::cli;
use tempfile::TempDir;

/// Subcommands that take the shared project and font options.
const WITH_FONT_OPTIONS: &[&str] = &["build", "check", "data", "fonts", "new-year", "watch"];

// ---------------------------------------------------------------------------
// Markdown: headings, fenced code blocks and test directives, in order.
// ---------------------------------------------------------------------------

/// One thing in the Markdown the test acts on.
#[derive(Debug)]
enum Item {
    /// A heading of this level.
    Heading(usize),
    /// A fenced code block: its info string, text and the line it starts on.
    Code { info: String, text: String, line: usize },
    /// A `<!-- test: … -->` comment and its line.
    Directive { text: String, line: usize },
}

fn parse_markdown(md: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut lines = md.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let mut text = String::new();
            for (_, l) in lines.by_ref() {
                if l.trim_end() == "```" {
                    break;
                }
                text.push_str(l);
                text.push('\n');
            }
            items.push(Item::Code { info: info.trim().to_owned(), text, line: i + 1 });
        } else if line.starts_with('#') {
            let level = line.chars().take_while(|&c| c == '#').count();
            if line[level..].starts_with(' ') {
                items.push(Item::Heading(level));
            }
        } else if let Some(rest) = line.trim().strip_prefix("<!-- test:") {
            let text =
                rest.strip_suffix("-->").unwrap_or_else(|| panic!("line {}: unclosed directive", i + 1));
            items.push(Item::Directive { text: text.trim().to_owned(), line: i + 1 });
        }
    }
    items
}

// ---------------------------------------------------------------------------
// Workspaces and runs.
// ---------------------------------------------------------------------------

/// The output of one command.
struct Ran {
    command: String,
    stdout: String,
    stderr: String,
}

/// Where a document's commands run.
struct Workspace {
    _tmp: TempDir,
    /// The project the workspace starts in.
    root: PathBuf,
    /// The current folder (`cd`).
    cwd: PathBuf,
    /// The last command's output, for a ```text block.
    last: Option<Ran>,
    /// Whether the README's whole-file examples must equal the example project's.
    example: bool,
}

/// How a document's workspaces are made.
#[derive(Clone, Copy)]
enum Start {
    /// A copy of the repository's example project (the README).
    Example,
    /// A project from `pressroom new` (the README it writes).
    NewProject,
}

fn temp_dir() -> TempDir {
    tempfile::Builder::new().prefix("pressroom-readme-").tempdir().expect("create a temporary folder")
}

/// Copies `from` to `to`; files under a `link` folder are hard-linked when possible
/// (big, and never written by the test), everything else is copied.
fn copy_tree(from: &Path, to: &Path, link: bool) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())).flatten()
    {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            let link = link || entry.file_name() == "photos";
            copy_tree(&src, &dst, link);
        } else if !(link && std::fs::hard_link(&src, &dst).is_ok()) {
            std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("copy {}: {e}", src.display()));
        }
    }
}

impl Workspace {
    fn new(start: Start) -> Self {
        let tmp = temp_dir();
        let root = tmp.path().join("pressroom");
        match start {
            Start::Example => {
                let repo = cli::repo();
                copy_tree(&repo.join("content"), &root.join("content"), false);
                copy_tree(&repo.join("templates"), &root.join("templates"), false);
                let cache = repo.join(".cache/pressroom");
                if cache.is_dir() {
                    copy_tree(&cache, &root.join(".cache/pressroom"), true);
                }
            }
            Start::NewProject => {
                let out = Command::new(env!("CARGO_BIN_EXE_pressroom"))
                    .arg("new")
                    .arg(&root)
                    .output()
                    .expect("run pressroom new");
                assert!(out.status.success(), "pressroom new: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
        let cwd = root.clone();
        Workspace { _tmp: tmp, root, cwd, last: None, example: matches!(start, Start::Example) }
    }

    /// Runs `pressroom ARGS` as the README's reader would.
    fn pressroom(&mut self, args: &[String], expect: i32, at: &str) {
        let sub = args.iter().find(|a| !a.starts_with('-')).cloned().unwrap_or_default();
        let mut full: Vec<String> = args.to_vec();
        if sub == "watch" {
            full.push("--help".to_owned());
        }
        if WITH_FONT_OPTIONS.contains(&sub.as_str()) {
            full.push("--no-system-fonts".to_owned());
        }
        let out = Command::new(env!("CARGO_BIN_EXE_pressroom"))
            .args(&full)
            .current_dir(&self.cwd)
            .env("LANG", "zh_CN.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("PRESSROOM_FONT_PATH", cli::font_dir())
            .output()
            .unwrap_or_else(|e| panic!("{at}: cannot run pressroom: {e}"));
        let ran = Ran {
            command: format!("pressroom {}", args.join(" ")),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        let code = out.status.code().unwrap_or(-1);
        assert_eq!(
            code,
            expect,
            "{at}: `{}` (in {}) exited {code}, the README says {expect}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            ran.command,
            self.cwd.display(),
            ran.stdout,
            ran.stderr
        );
        self.last = Some(ran);
    }

    /// A path the README names, relative to the current folder.
    fn path(&self, rel: &str) -> PathBuf {
        self.cwd.join(rel)
    }
}

/// Replaces a file (breaking any hard link first, so the example is never touched).
fn rewrite(path: &Path, bytes: &[u8]) {
    let _ = std::fs::remove_file(path);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

// ---------------------------------------------------------------------------
// Shell lines.
// ---------------------------------------------------------------------------

/// Splits a shell line into its words and its trailing comment.
fn shell_words(line: &str) -> (Vec<String>, String) {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, '#') if word.is_none() => return (words, line[i..].to_owned()),
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    assert!(quote.is_none(), "unbalanced quotes in `{line}`");
    words.extend(word);
    (words, String::new())
}

/// The exit code a command's comment announces (`exit code N`), else 0.
fn expected_code(comment: &str) -> i32 {
    static CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"exit code (\d+)").expect("valid"));
    CODE.captures(comment).map_or(0, |c| c[1].parse().expect("a number"))
}

fn run_shell_line(ws: &mut Workspace, line: &str, at: &str) {
    let (words, comment) = shell_words(line);
    let Some(first) = words.first() else { return };
    let expect = expected_code(&comment);
    match first.as_str() {
        "pressroom" => ws.pressroom(&words[1..], expect, at),
        "./dev.sh" => match words.get(1).map(String::as_str) {
            Some("build") => {
                let mut args = vec!["build".to_owned(), "--print".to_owned()];
                args.extend_from_slice(&words[2..]);
                ws.pressroom(&args, expect, at);
            }
            Some("test") => assert!(words.len() <= 3, "{at}: `./dev.sh test` takes at most a test filter"),
            _ => panic!("{at}: `{line}`: the README documents only `./dev.sh build` and `./dev.sh test`"),
        },
        "cd" => {
            let dir = ws.path(words.get(1).unwrap_or_else(|| panic!("{at}: cd where?")));
            assert!(dir.is_dir(), "{at}: `{line}`: {} is not a folder", dir.display());
            ws.cwd = dir.canonicalize().expect("canonical path");
        }
        "export" => check_export(words.get(1).map_or("", String::as_str), at),
        _ => panic!("{at}: `{line}` is not a command this test knows how to run or check"),
    }
}

/// The setup's `export` lines must say what is true.
fn check_export(assignment: &str, at: &str) {
    let (name, value) = assignment.split_once('=').unwrap_or_else(|| panic!("{at}: export what?"));
    let repo = cli::repo();
    let under_repo =
        |v: &str| repo.join(v.strip_prefix("$PWD/").unwrap_or_else(|| panic!("{at}: {v} is not under $PWD")));
    match name {
        "PATH" => {
            let dir = value.strip_suffix(":$PATH").unwrap_or_else(|| panic!("{at}: PATH must keep $PATH"));
            let bin = PathBuf::from(env!("CARGO_BIN_EXE_pressroom"));
            let bin_dir = bin.parent().expect("a folder").canonicalize().expect("canonical");
            let in_target = std::env::var_os("CARGO_TARGET_DIR").is_some();
            assert!(
                in_target || under_repo(dir).canonicalize().ok() == Some(bin_dir.clone()),
                "{at}: {dir} is not where the pressroom under test lives ({})",
                bin_dir.display()
            );
        }
        "PRESSROOM_FONT_PATH" => {
            assert_eq!(
                under_repo(value),
                cli::font_dir(),
                "{at}: not the folder dev.sh fills with the fonts"
            );
            let dev = std::fs::read_to_string(repo.join("dev.sh")).expect("dev.sh");
            let rel = value.trim_start_matches("$PWD/");
            assert!(
                dev.contains(&format!("FONT_DIR=\"$PWD/{rel}\"")),
                "{at}: dev.sh puts the fonts elsewhere"
            );
        }
        _ => panic!("{at}: unexpected `export {assignment}`"),
    }
}

// ---------------------------------------------------------------------------
// Output blocks.
// ---------------------------------------------------------------------------

/// Whether `actual` matches `pattern`, where `…` stands for any text.
fn line_matches(pattern: &str, actual: &str) -> bool {
    let parts: Vec<&str> = pattern.split('…').collect();
    if parts.len() == 1 {
        return pattern == actual;
    }
    let Some(mut rest) = actual.strip_prefix(parts[0]) else { return false };
    let last = parts[parts.len() - 1];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Checks that every line of `expected` appears, in order, in `actual`.
fn compare_output(expected: &str, ran: &Ran, at: &str) {
    let actual = format!("{}\n{}", ran.stderr, ran.stdout);
    let lines: Vec<&str> = actual.lines().map(str::trim).collect();
    let mut pos = 0;
    for want in expected.lines().map(str::trim).filter(|l| !l.is_empty() && *l != "…") {
        match lines[pos..].iter().position(|l| line_matches(want, l)) {
            Some(i) => pos += i + 1,
            None => panic!(
                "{at}: the output of `{}` does not show (in this order) the README's line\n  {want}\n--- actual output (stderr, then stdout) ---\n{actual}",
                ran.command
            ),
        }
    }
}

// ---------------------------------------------------------------------------
// YAML blocks.
// ---------------------------------------------------------------------------

/// The leading part of a YAML line that must not change when a line is replaced:
/// indentation plus the key (or `-` for a list item).
fn shape(line: &str, with_key: bool) -> String {
    let indent = line.len() - line.trim_start().len();
    let body = line.trim_start();
    let head = if body.starts_with("- ") || body == "-" {
        "-".to_owned()
    } else if with_key {
        body.split(':').next().unwrap_or("").to_owned()
    } else {
        String::new()
    };
    format!("{}{head}", " ".repeat(indent))
}

fn yaml_block(ws: &mut Workspace, text: &str, at: &str) -> bool {
    serde_saphyr::from_str::<serde_json::Value>(text)
        .unwrap_or_else(|e| panic!("{at}: the YAML example does not parse: {e}\n{text}"));
    static MARKER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^# ((?:[\w.-]+/)*[\w.-]+\.yaml)(?: 第 (\d+)(?:[–-](\d+))? 行)?(.*)$").expect("valid")
    });
    let first = text.lines().next().unwrap_or("");
    let Some(m) = MARKER.captures(first) else { return false };
    let rel = &m[1];
    let wrong = m[4].contains("错误示例") || m[4].contains("wrong");
    let body = text.split_once('\n').map_or("", |(_, rest)| rest);
    let path = ws.path(rel);
    match m.get(2) {
        None => {
            let example = cli::repo().join(rel);
            if ws.example && ws.cwd == ws.root && example.is_file() {
                let original = std::fs::read_to_string(&example).expect("read the example");
                assert_eq!(body, original, "{at}: the README's {rel} differs from the example project's");
            }
            rewrite(&path, body.as_bytes());
        }
        Some(start) => {
            let start: usize = start.as_str().parse().expect("a line number");
            let end: usize = m.get(3).map_or(start, |e| e.as_str().parse().expect("a line number"));
            let old =
                std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{at}: {}: {e}", path.display()));
            let mut lines: Vec<&str> = old.lines().collect();
            assert!(
                start >= 1 && end >= start && end <= lines.len(),
                "{at}: {rel} has no lines {start}–{end}"
            );
            let new: Vec<&str> = body.lines().collect();
            for (o, n) in lines[start - 1..end].iter().zip(&new) {
                assert_eq!(
                    shape(o, !wrong),
                    shape(n, !wrong),
                    "{at}: line {start} of {rel} is now `{o}`: the README's line numbers are stale"
                );
            }
            lines.splice(start - 1..end, new);
            let mut text = lines.join("\n");
            if old.ends_with('\n') {
                text.push('\n');
            }
            rewrite(&path, text.as_bytes());
        }
    }
    if !wrong {
        ws.pressroom(&["check".to_owned()], 0, &format!("{at} (pressroom check after placing {rel})"));
    }
    ws.last = None;
    true
}

// ---------------------------------------------------------------------------
// Typst blocks and directives.
// ---------------------------------------------------------------------------

fn typst_block(ws: &Workspace, text: &str, at: &str) {
    static IMPORT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"#import "([^"]+)": (\w+)"#).expect("valid"));
    static JSON: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"json\("([^"]+)"\)"#).expect("valid"));
    for c in IMPORT.captures_iter(text) {
        let (_, template) = pressroom::typeset::world::EMBEDDED_TEMPLATES
            .iter()
            .find(|(n, _)| *n == &c[1])
            .unwrap_or_else(|| panic!("{at}: there is no built-in template {}", &c[1]));
        assert!(
            template.contains(&format!("#let {}(data)", &c[2])),
            "{at}: {} defines no {}(data)",
            &c[1],
            &c[2]
        );
    }
    for c in JSON.captures_iter(text) {
        assert!(find_file(&ws.root, &c[1]), "{at}: no earlier command wrote {}", &c[1]);
    }
}

/// Whether a file named `name` exists under `dir` (or next to it).
fn find_file(dir: &Path, name: &str) -> bool {
    let base = dir.parent().unwrap_or(dir);
    fn walk(dir: &Path, name: &str) -> bool {
        std::fs::read_dir(dir).into_iter().flatten().flatten().any(|e| {
            let p = e.path();
            if p.is_dir() { walk(&p, name) } else { e.file_name() == name }
        })
    }
    walk(base, name)
}

fn directive(ws: &mut Workspace, text: &str, at: &str) {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        ["gbk", file] => {
            let path = ws.path(file);
            let utf8 = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{at}: {file}: {e}"));
            let (gbk, _, lossy) = encoding_rs::GBK.encode(&utf8);
            assert!(!lossy, "{at}: {file} cannot be written in GBK");
            rewrite(&path, &gbk);
        }
        ["tab", file, line] => {
            let path = ws.path(file);
            let n: usize = line.parse().expect("a line number");
            let old = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{at}: {file}: {e}"));
            let mut lines: Vec<String> = old.lines().map(str::to_owned).collect();
            let target = lines.get_mut(n - 1).unwrap_or_else(|| panic!("{at}: {file} has no line {n}"));
            *target = format!(
                "\t{}",
                target.strip_prefix("  ").unwrap_or_else(|| panic!("{at}: line {n} is not indented"))
            );
            rewrite(&path, (lines.join("\n") + "\n").as_bytes());
        }
        ["pdf-text", file, needle @ ..] => {
            let text = support::pdf::read_pdf(&ws.path(file)).text();
            let needle = needle.join(" ");
            assert!(text.contains(&needle), "{at}: {file} does not say {needle}:\n{text}");
        }
        _ => panic!("{at}: unknown test directive `{text}`"),
    }
}

// ---------------------------------------------------------------------------
// Running a document.
// ---------------------------------------------------------------------------

/// What running a document did.
#[derive(Debug, Default)]
struct Tally {
    commands: Vec<String>,
    /// How long each command took.
    seconds: Vec<f64>,
    outputs: usize,
    yaml: usize,
    placed: usize,
}

fn run_document(name: &str, md: &str, start: Start) -> Tally {
    let mut tally = Tally::default();
    let mut ws: Option<Workspace> = None;
    let mut previous_info = String::new();
    for item in parse_markdown(md) {
        match item {
            Item::Heading(level) => {
                if level <= 3 {
                    ws = None;
                    previous_info.clear();
                }
            }
            Item::Directive { text, line } => {
                let at = format!("{name}:{line}");
                directive(ws.get_or_insert_with(|| Workspace::new(start)), &text, &at);
            }
            Item::Code { info, text, line } => {
                let at = format!("{name}:{line}");
                match info.as_str() {
                    "sh" => {
                        let w = ws.get_or_insert_with(|| Workspace::new(start));
                        for (i, l) in text.lines().enumerate() {
                            let at = format!("{name}:{}", line + 1 + i);
                            let started = std::time::Instant::now();
                            run_shell_line(w, l, &at);
                            if l.trim_start().starts_with("pressroom")
                                || l.trim_start().starts_with("./dev.sh build")
                            {
                                tally.commands.push(l.split('#').next().unwrap_or(l).trim().to_owned());
                                tally.seconds.push(started.elapsed().as_secs_f64());
                            }
                        }
                    }
                    "text" => {
                        assert_eq!(
                            previous_info, "sh",
                            "{at}: an output block must follow the sh block it shows"
                        );
                        let w = ws.as_ref().expect("a workspace");
                        let ran = w
                            .last
                            .as_ref()
                            .unwrap_or_else(|| panic!("{at}: no command ran before this output"));
                        compare_output(&text, ran, &at);
                        tally.outputs += 1;
                    }
                    "yaml" => {
                        tally.yaml += 1;
                        let w = ws.get_or_insert_with(|| Workspace::new(start));
                        if yaml_block(w, &text, &at) {
                            tally.placed += 1;
                        }
                    }
                    "typst" => typst_block(ws.get_or_insert_with(|| Workspace::new(start)), &text, &at),
                    "" => {}
                    other => panic!("{at}: a ```{other} block: this test does not know how to check it"),
                }
                previous_info = info;
            }
        }
    }
    tally
}

// ---------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------

fn readme() -> String {
    std::fs::read_to_string(cli::repo().join("README.md")).expect("read README.md")
}

#[test]
fn the_readme_starts_with_the_two_setup_commands() {
    let md = readme();
    let first = parse_markdown(&md)
        .into_iter()
        .find_map(|i| match i {
            Item::Code { info, text, .. } => Some((info, text)),
            _ => None,
        })
        .expect("a code block");
    assert_eq!(first.0, "sh", "the README's first code block is the setup");
    let commands: Vec<Vec<String>> =
        first.1.lines().map(|l| shell_words(l).0).filter(|w| !w.is_empty()).collect();
    assert_eq!(commands, [vec!["./dev.sh", "build"], vec!["./dev.sh", "test"]], "the two commands, first");
    let dev = std::fs::read_to_string(cli::repo().join("dev.sh")).expect("dev.sh");
    assert!(dev.contains("\n  build)\n") && dev.contains("\n  test)\n"), "dev.sh has both commands");
    assert!(
        dev.contains("-- build --print \"$@\""),
        "./dev.sh build passes its arguments to pressroom build --print"
    );
}

#[test]
fn every_example_in_the_readme_runs() {
    let tally = run_document("README.md", &readme(), Start::Example);
    for (command, secs) in tally.commands.iter().zip(&tally.seconds) {
        println!("{secs:6.2} s  {command}");
    }
    assert!(tally.commands.len() >= 30, "too few commands ran: {:?}", tally.commands);
    assert!(tally.outputs >= 15 && tally.placed >= 10, "{tally:?}");

    // Every subcommand has an example that ran.
    let help = Command::new(env!("CARGO_BIN_EXE_pressroom"))
        .arg("--help")
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .output()
        .expect("pressroom --help");
    let help = String::from_utf8_lossy(&help.stdout);
    let subcommands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .expect("a command list")
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(subcommands.len() >= 6, "{help}");
    for sub in subcommands {
        assert!(
            tally.commands.iter().any(|c| c.starts_with(&format!("pressroom {sub}"))),
            "the README has no runnable example of `pressroom {sub}`"
        );
    }
}

#[test]
fn the_readme_of_a_new_project_runs() {
    let md = pressroom::newproject::PROJECT_README;
    let tally = run_document("<new project>/README.md", md, Start::NewProject);
    assert!(tally.commands.len() >= 3, "{tally:?}");
}

#[test]
fn output_lines_match_with_ellipses() {
    assert!(line_matches("完成：1 个文件，用时 … 秒。", "完成：1 个文件，用时 0.25 秒。"));
    assert!(line_matches("…/FandolSong-Bold.otf", "/x/FandolSong-Bold.otf"));
    assert!(!line_matches("a…b", "ab-"));
    assert_eq!(shell_words(r#"export A="$PWD/x y"   # note"#).0, ["export", "A=$PWD/x y"]);
    assert_eq!(expected_code("# 退出码 1 · exit code 1"), 1);
}
