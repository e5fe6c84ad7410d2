//! `pressroom check`: every lint rule of `src/lint.rs` (`RULES`), each triggered by a
//! fixture and left silent by a clean variant of the same text.
//!
//! Each fixture is a temporary copy of `tests/fixtures/minimal` with one edit: a string
//! replacement in one content file ([`project`]). The rules on area and township files
//! also lay `tests/fixtures/lint-content/` (one area file, one township file) over the
//! copy. The binary runs as a user would (`support::cli::run`, Fandol fonts only) with
//! `--lang en` and `--lang zh`, and its report (stderr) is parsed into findings: the
//! rule id line miette prints, the `⚠`/`×` title with `file:line:column: message`, and
//! the rest of the block (snippet and help).
//!
//! The expected `file:line:column` is computed from the edited file itself: the line
//! (1-based) and the column in characters (1-based) where the offending text starts.
//! Warnings leave the exit code at 0, errors make it 1.
//!
//! Finally the example project (the repository root) must report exactly the seed's two
//! literal 2022s, as `year/literal` warnings at the places the file has them.

mod support;

use std::path::Path;

use support::{cli, example};
use tempfile::TempDir;

/// The fixture every test starts from.
const FIXTURE: &str = "tests/fixtures/minimal";
/// Content files laid over the fixture for the area and township rules.
const OVERLAY: &str = "tests/fixtures/lint-content";
const NOTICE: &str = "content/notice.yaml";
const CAMPAIGN: &str = "content/campaign.yaml";
/// The notice body's only paragraph in the fixture; most edits replace it.
const BODY: &str = "现将有关事项通知如下，请认真贯彻落实。";

// ---------------------------------------------------------------------------
// Projects.
// ---------------------------------------------------------------------------

/// A copy of the minimal fixture in a temporary folder.
fn minimal() -> TempDir {
    let dir = tempfile::Builder::new().prefix("pressroom-lint-").tempdir().expect("create a temp folder");
    example::copy_dir(&cli::repo().join(FIXTURE), dir.path(), &[]);
    dir
}

/// Replaces each `from` (which must occur exactly once) with `to` in the project's `file`.
fn edit(dir: &Path, file: &str, replacements: &[(&str, &str)]) {
    let path = dir.join(file);
    let mut text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    for (from, to) in replacements {
        let n = text.matches(from).count();
        assert_eq!(n, 1, "fixture edit: {from:?} occurs {n} times in {file}, expected once");
        text = text.replacen(from, to, 1);
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// The minimal fixture with `replacements` applied to one content file.
fn project(file: &str, replacements: &[(&str, &str)]) -> TempDir {
    let dir = minimal();
    edit(dir.path(), file, replacements);
    dir
}

/// The minimal fixture with the notice body's paragraph replaced by `body` (block
/// scalar lines, two spaces in, joined with '\n').
fn notice_body(body: &str) -> TempDir {
    let indented: Vec<String> = body.lines().map(|l| format!("  {l}")).collect();
    project(NOTICE, &[(&format!("  {BODY}"), &indented.join("\n"))])
}

/// The minimal fixture with `tests/fixtures/lint-content` laid over it.
fn with_overlay() -> TempDir {
    let dir = minimal();
    example::copy_dir(&cli::repo().join(OVERLAY), dir.path(), &[]);
    dir
}

/// `file:line:column` of the start of `target` inside the unique occurrence of `context`
/// in the project's `file` (line and column 1-based, the column in characters).
fn locate_in(dir: &Path, file: &str, context: &str, target: &str) -> String {
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("read {file}: {e}"));
    let n = text.matches(context).count();
    assert_eq!(n, 1, "{context:?} occurs {n} times in {file}, expected once");
    let start = text.find(context).expect("found above");
    let inner = context.find(target).unwrap_or_else(|| panic!("{target:?} is not in {context:?}"));
    location(file, &text, start + inner)
}

/// `file:line:column` of the unique occurrence of `target` in the project's `file`.
fn locate(dir: &Path, file: &str, target: &str) -> String {
    locate_in(dir, file, target, target)
}

/// `file:line:column` of the last character of the unique occurrence of `context`.
fn locate_last_char(dir: &Path, file: &str, context: &str) -> String {
    let last = context.char_indices().last().map(|(i, _)| &context[i..]).expect("a non-empty context");
    locate_in(dir, file, context, last)
}

fn location(file: &str, text: &str, offset: usize) -> String {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    format!("{file}:{line}:{column}")
}

// ---------------------------------------------------------------------------
// Running `pressroom check` and reading its report.
// ---------------------------------------------------------------------------

/// One finding of the report.
#[derive(Debug, Clone)]
struct Finding {
    /// The rule id (miette's code line), e.g. `year/literal`.
    code: String,
    /// Whether it is an error (`×`) rather than a warning (`⚠`).
    error: bool,
    /// `file:line:column` from the title, or the title's text up to `: ` when it has none.
    location: String,
    /// The whole block (title, snippet, help) with whitespace and box drawing removed, so
    /// that wrapped messages can be searched.
    text: String,
}

/// One run of `pressroom check`.
#[derive(Debug)]
struct Checked {
    code: i32,
    stdout: String,
    stderr: String,
    findings: Vec<Finding>,
}

impl Checked {
    fn describe(&self) -> String {
        format!("exit {}\n--- stdout ---\n{}\n--- stderr ---\n{}", self.code, self.stdout, self.stderr)
    }

    fn with_code(&self, code: &str) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.code == code).collect()
    }
}

/// Whitespace and the characters miette draws boxes and markers with are dropped.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !('\u{2500}'..='\u{257F}').contains(c) && !"·▲┬┴├┤".contains(*c))
        .collect()
}

fn is_code_line(line: &str) -> bool {
    let mut parts = line.split('/');
    !line.starts_with(' ')
        && line.contains('/')
        && parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
}

/// Splits miette's report into findings: a rule-id line, then a `⚠`/`×` title.
fn parse_findings(stderr: &str) -> Vec<Finding> {
    let lines: Vec<&str> = stderr.lines().collect();
    let starts: Vec<usize> = (0..lines.len()).filter(|&i| is_code_line(lines[i])).collect();
    let mut findings = Vec::new();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(lines.len());
        let block = &lines[start + 1..end];
        let Some(title) = block.iter().map(|l| l.trim_start()).find(|l| l.starts_with(['⚠', '×'])) else {
            continue;
        };
        let error = title.starts_with('×');
        let rest = title.trim_start_matches(['⚠', '×']).trim_start();
        let location = rest.split(": ").next().unwrap_or_default().to_string();
        findings.push(Finding {
            code: lines[start].trim().to_string(),
            error,
            location,
            text: squash(&block.join("\n")),
        });
    }
    findings
}

/// `pressroom check --project DIR --lang LANG`.
fn check(project: &Path, lang: &str) -> Checked {
    let dir = project.to_str().expect("project path is UTF-8");
    let output = cli::run(&["check", "--project", dir, "--lang", lang], &[]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let code = output.status.code().unwrap_or_else(|| panic!("pressroom was killed:\n{stderr}"));
    let findings = parse_findings(&stderr);
    Checked { code, stdout, stderr, findings }
}

/// What a triggering fixture must report.
struct Expect<'a> {
    rule: &'a str,
    /// `file:line:column` of each expected finding of the rule (other findings of the
    /// same rule are not allowed).
    at: Vec<String>,
    /// Whether the rule reports errors (exit 1) rather than warnings (exit 0).
    error: bool,
    /// Text each finding's block must hold in Chinese (`--lang zh`)…
    zh: &'a [&'a str],
    /// …and in English (`--lang en`).
    en: &'a [&'a str],
}

/// Runs `check` in both languages and asserts the rule's findings: one at each expected
/// place, none elsewhere, with the right severity, messages and exit code.
fn assert_triggers(project: &Path, want: &Expect<'_>) {
    for (lang, texts) in [("zh", want.zh), ("en", want.en)] {
        let run = check(project, lang);
        let what = run.describe();
        assert_ne!(run.code, 101, "{}: pressroom check panicked (--lang {lang}):\n{what}", want.rule);
        let found = run.with_code(want.rule);
        let mut places: Vec<&str> = found.iter().map(|f| f.location.as_str()).collect();
        places.sort_unstable();
        let mut expected: Vec<&str> = want.at.iter().map(String::as_str).collect();
        expected.sort_unstable();
        assert_eq!(
            places, expected,
            "{}: expected findings at {expected:?} (--lang {lang}), got {places:?}:\n{what}",
            want.rule
        );
        for f in &found {
            assert_eq!(
                f.error,
                want.error,
                "{} at {}: severity should be {} (--lang {lang}):\n{what}",
                want.rule,
                f.location,
                if want.error { "error" } else { "warning" }
            );
            for t in texts {
                assert!(
                    f.text.contains(&squash(t)),
                    "{} at {}: the {lang} report should say {t:?} (--lang {lang}):\n{what}",
                    want.rule,
                    f.location
                );
            }
        }
        let errors = run.findings.iter().any(|f| f.error);
        assert_eq!(
            run.code,
            i32::from(errors),
            "exit code must be 1 exactly when an error is reported (--lang {lang}):\n{what}"
        );
        assert_eq!(
            run.code,
            i32::from(want.error),
            "{}: exit code should be {} (--lang {lang}):\n{what}",
            want.rule,
            i32::from(want.error)
        );
    }
}

/// Runs `check` and asserts that `rule` reports nothing and the check passes.
fn assert_silent(project: &Path, rule: &str) {
    let run = check(project, "en");
    let what = run.describe();
    assert_ne!(run.code, 101, "{rule}: pressroom check panicked:\n{what}");
    let found: Vec<&str> = run.with_code(rule).iter().map(|f| f.location.as_str()).collect();
    assert!(found.is_empty(), "{rule}: the clean variant must not trigger it, found at {found:?}:\n{what}");
    assert_eq!(run.code, 0, "{rule}: the clean variant must pass the check:\n{what}");
}

// ---------------------------------------------------------------------------
// The fixture itself.
// ---------------------------------------------------------------------------

#[test]
fn the_minimal_fixture_is_clean() {
    let dir = minimal();
    let run = check(dir.path(), "en");
    assert!(
        run.findings.is_empty() && run.code == 0,
        "the untouched fixture has findings:\n{}",
        run.describe()
    );
    let dir = with_overlay();
    let run = check(dir.path(), "en");
    assert!(
        run.findings.is_empty() && run.code == 0,
        "the fixture with tests/fixtures/lint-content has findings:\n{}",
        run.describe()
    );
}

#[test]
fn every_rule_in_rules_has_a_test_here() {
    let lint = std::fs::read_to_string(cli::repo().join("src/lint.rs")).expect("read src/lint.rs");
    let start = lint.find("pub const RULES").expect("src/lint.rs has RULES");
    let end = start + lint[start..].find("];").expect("RULES ends with ];");
    let ids: Vec<&str> =
        lint[start..end].lines().filter_map(|l| l.trim().strip_prefix("(\"")?.split('"').next()).collect();
    let me = std::fs::read_to_string(cli::repo().join("tests/lint_rules.rs")).expect("read this file");
    let tested = [
        "year/literal",
        "date/format",
        "docnumber/format",
        "punct/half-width",
        "punct/mixed-brackets",
        "notice/recipients-colon",
        "attachment/name",
        "heading/skip",
        "registry/near-miss",
        "content/missing",
        "text/control-char",
    ];
    let untested: Vec<&&str> = ids.iter().filter(|id| !tested.contains(id)).collect();
    assert!(untested.is_empty(), "rules without a test in tests/lint_rules.rs: {untested:?}");
    for id in tested {
        assert!(ids.contains(&id), "{id} is tested here but is not in RULES: {ids:?}");
        assert!(me.contains(&format!("rule: \"{id}\"")), "{id} has no triggering test");
    }
}

// ---------------------------------------------------------------------------
// year/literal.
// ---------------------------------------------------------------------------

#[test]
fn year_literal_flags_a_year_other_than_the_campaigns() {
    let dir = notice_body("现将2022年有关事项通知如下，请认真贯彻落实。");
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "year/literal",
            at: vec![locate(dir.path(), NOTICE, "2022")],
            error: false,
            zh: &["文中写的年份 2022 与活动年度 2023 不同"],
            en: &["the text says 2022 but the campaign year is 2023"],
        },
    );
}

#[test]
fn year_literal_is_silent_on_the_campaign_year_and_on_year_data() {
    let dir = notice_body("现将2023年和{{ year }}年有关事项通知如下，请认真贯彻落实。");
    assert_silent(dir.path(), "year/literal");
}

#[test]
fn a_project_config_silences_a_warning_by_rule_id() {
    let dir = notice_body("现将2022年有关事项通知如下，请认真贯彻落实。");
    std::fs::write(dir.path().join("pressroom.yaml"), "lint: { allow: [year/literal] }\n")
        .expect("write pressroom.yaml");
    let run = check(dir.path(), "en");
    assert!(
        run.findings.is_empty() && run.code == 0,
        "pressroom.yaml allows year/literal, yet:\n{}",
        run.describe()
    );
    // Allowing another rule leaves this one reported.
    std::fs::write(dir.path().join("pressroom.yaml"), "lint: { allow: [date/format] }\n")
        .expect("write pressroom.yaml");
    let run = check(dir.path(), "en");
    assert_eq!(run.with_code("year/literal").len(), 1, "only date/format is allowed:\n{}", run.describe());
}

#[test]
fn an_unknown_key_in_the_project_config_is_an_error() {
    let dir = minimal();
    std::fs::write(
        dir.path().join("pressroom.yaml"),
        "lint:\n  allow: [year/literal]\n  deny: [date/format]\n",
    )
    .expect("write pressroom.yaml");
    let run = check(dir.path(), "en");
    let what = run.describe();
    assert_eq!(run.code, 1, "an unknown key in pressroom.yaml must fail the check:\n{what}");
    let errors: Vec<&Finding> = run.findings.iter().filter(|f| f.error).collect();
    assert_eq!(errors.len(), 1, "one error expected:\n{what}");
    assert!(
        errors[0].location.starts_with("pressroom.yaml") && errors[0].text.contains("deny"),
        "the error must point into pressroom.yaml and name the key `deny`:\n{what}"
    );
}

// ---------------------------------------------------------------------------
// date/format.
// ---------------------------------------------------------------------------

#[test]
fn date_format_flags_zero_padding() {
    let dir = notice_body("现将2023年01月05日有关事项通知如下，请认真贯彻落实。");
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "date/format",
            at: vec![locate(dir.path(), NOTICE, "2023年01月05日")],
            error: false,
            zh: &["不应补零"],
            en: &["must not be zero-padded"],
        },
    );
}

#[test]
fn date_format_flags_chinese_numerals() {
    let dir = notice_body("现将二〇二三年十一月二十五日有关事项通知如下，请认真贯彻落实。");
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "date/format",
            at: vec![locate(dir.path(), NOTICE, "二〇二三年十一月二十五日")],
            error: false,
            zh: &["二〇二三年", "应使用阿拉伯数字"],
            en: &["二〇二三年", "must use Arabic numerals"],
        },
    );
}

#[test]
fn date_format_is_silent_on_standard_dates() {
    let dir = notice_body("现将2023年1月5日和2023年11月25日有关事项通知如下，请认真贯彻落实。");
    assert_silent(dir.path(), "date/format");
}

// ---------------------------------------------------------------------------
// docnumber/format.
// ---------------------------------------------------------------------------

#[test]
fn docnumber_format_flags_brackets_di_and_leading_zeros() {
    for bad in ["蚌山政办秘[2023]82号", "蚌山政办秘〔2023〕第82号", "蚌山政办秘〔2023〕082号"]
    {
        let dir = notice_body(&format!("现将有关事项（{bad}）通知如下，请认真贯彻落实。"));
        assert_triggers(
            dir.path(),
            &Expect {
                rule: "docnumber/format",
                at: vec![locate(dir.path(), NOTICE, bad)],
                error: false,
                zh: &[&format!("发文字号“{bad}”格式不规范")],
                en: &[&format!("the document number “{bad}” is not in the standard form")],
            },
        );
    }
}

#[test]
fn docnumber_format_is_silent_on_the_standard_form() {
    let dir = notice_body("现将有关事项（蚌山政办秘〔2023〕82号）通知如下，请认真贯彻落实。");
    assert_silent(dir.path(), "docnumber/format");
}

// ---------------------------------------------------------------------------
// punct/half-width and punct/mixed-brackets.
// ---------------------------------------------------------------------------

#[test]
fn punct_half_width_flags_each_mark_between_chinese_characters() {
    let body = "现将有关事项,通知如下:请认真;贯彻落实?各单位(部门)务必执行。";
    let dir = notice_body(body);
    // Each mark with its neighbours, which makes it unique in the file.
    let marks =
        [("项,通", ","), ("下:请", ":"), ("真;贯", ";"), ("实?各", "?"), ("位(部", "("), ("门)务", ")")];
    let place = |(context, mark): (&str, &str)| locate_in(dir.path(), NOTICE, context, mark);
    let at = marks.iter().map(|&m| place(m)).collect();
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "punct/half-width",
            at,
            error: false,
            zh: &["中文之间使用了半角标点"],
            en: &["between Chinese characters"],
        },
    );
    // Each finding names its own mark.
    for lang in ["zh", "en"] {
        let run = check(dir.path(), lang);
        for &(context, mark) in &marks {
            let text = match lang {
                "zh" => format!("中文之间使用了半角标点“{mark}”"),
                _ => format!("half-width “{mark}” between Chinese characters"),
            };
            let at = place((context, mark));
            let f = run
                .with_code("punct/half-width")
                .into_iter()
                .find(|f| f.location == at)
                .unwrap_or_else(|| panic!("no punct/half-width at {at}:\n{}", run.describe()));
            assert!(
                f.text.contains(&squash(&text)),
                "punct/half-width at {at} should say {text:?} (--lang {lang}):\n{}",
                run.describe()
            );
        }
    }
}

#[test]
fn punct_half_width_is_silent_on_full_width_marks_and_numbers() {
    let dir = notice_body("现将有关事项，通知如下：请认真；贯彻落实？各单位（部门）务必执行12,345户。");
    assert_silent(dir.path(), "punct/half-width");
}

#[test]
fn punct_mixed_brackets_flags_a_full_and_half_width_pair() {
    let dir = notice_body("现将有关事项通知如下，请到（社区中心)，认真贯彻落实。");
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "punct/mixed-brackets",
            at: vec![locate(dir.path(), NOTICE, "（社区中心)")],
            error: false,
            zh: &["括号全角、半角混用：“（社区中心)”"],
            en: &["a bracket pair mixes widths: “（社区中心)”"],
        },
    );
}

#[test]
fn punct_mixed_brackets_is_silent_on_matching_pairs() {
    let dir = notice_body("现将有关事项通知如下，请到（社区中心），认真贯彻落实。");
    assert_silent(dir.path(), "punct/mixed-brackets");
}

// ---------------------------------------------------------------------------
// notice/recipients-colon (an error).
// ---------------------------------------------------------------------------

#[test]
fn notice_recipients_colon_flags_recipients_without_a_colon() {
    let dir = project(NOTICE, &[("recipients: 各有关单位：", "recipients: 各有关单位")]);
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "notice/recipients-colon",
            at: vec![locate_last_char(dir.path(), NOTICE, "recipients: 各有关单位")],
            error: true,
            zh: &["主送机关应以全角冒号“：”结尾"],
            en: &["recipients (主送机关) must end with a full-width colon “：”"],
        },
    );
}

#[test]
fn notice_recipients_colon_flags_a_half_width_colon() {
    let dir = project(NOTICE, &[("recipients: 各有关单位：", "recipients: \"各有关单位:\"")]);
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "notice/recipients-colon",
            at: vec![locate_in(dir.path(), NOTICE, "各有关单位:", ":")],
            error: true,
            zh: &["主送机关应以全角冒号“：”结尾"],
            en: &["recipients (主送机关) must end with a full-width colon “：”"],
        },
    );
}

#[test]
fn notice_recipients_colon_is_silent_on_a_full_width_colon() {
    let dir = project(NOTICE, &[("recipients: 各有关单位：", "recipients: 各乡街、区各有关单位：")]);
    assert_silent(dir.path(), "notice/recipients-colon");
}

// ---------------------------------------------------------------------------
// text/control-char (an error).
// ---------------------------------------------------------------------------

#[test]
fn text_control_char_flags_an_invisible_control_character() {
    let dir = project(
        NOTICE,
        &[(
            "body: |\n  现将有关事项通知如下，请认真贯彻落实。",
            "body: \"现将有关\\a事项通知如下，请认真贯彻落实。\"",
        )],
    );
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "text/control-char",
            at: vec![locate_in(dir.path(), NOTICE, "\\a事项", "\\a")],
            error: true,
            zh: &["文字中有不可见的控制字符 U+0007"],
            en: &["the text holds an invisible control character U+0007"],
        },
    );
}

#[test]
fn text_control_char_is_silent_on_line_breaks_and_tabs() {
    let dir = project(
        NOTICE,
        &[(
            "body: |\n  现将有关事项通知如下，请认真贯彻落实。",
            "body: \"现将有关事项\\t通知如下，请认真贯彻落实。\"",
        )],
    );
    assert_silent(dir.path(), "text/control-char");
}

// ---------------------------------------------------------------------------
// attachment/name.
// ---------------------------------------------------------------------------

#[test]
fn attachment_name_flags_a_trailing_full_stop() {
    let dir = project(CAMPAIGN, &[("title: 测试领导小组", "title: 测试领导小组。")]);
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "attachment/name",
            at: vec![locate_in(dir.path(), CAMPAIGN, "测试领导小组。", "。")],
            error: false,
            zh: &["附件名称末尾不加标点"],
            en: &["an attachment name must not end with punctuation"],
        },
    );
}

#[test]
fn attachment_name_flags_trailing_half_width_punctuation() {
    let dir = project(CAMPAIGN, &[("title: 测试领导小组", "title: 测试领导小组.")]);
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "attachment/name",
            at: vec![locate_in(dir.path(), CAMPAIGN, "测试领导小组.", ".")],
            error: false,
            zh: &["附件名称末尾不加标点"],
            en: &["an attachment name must not end with punctuation"],
        },
    );
}

#[test]
fn attachment_name_is_silent_on_a_bare_name() {
    let dir = project(CAMPAIGN, &[("title: 测试领导小组", "title: 测试工作领导小组名单")]);
    assert_silent(dir.path(), "attachment/name");
}

// ---------------------------------------------------------------------------
// heading/skip.
// ---------------------------------------------------------------------------

#[test]
fn heading_skip_flags_level_three_right_under_level_one() {
    let dir = notice_body("一、总体要求\n1.具体事项如下，请认真贯彻落实。");
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "heading/skip",
            at: vec![locate(dir.path(), NOTICE, "1.具体事项")],
            error: false,
            zh: &["标题层级跳级：“1.”前缺少上一级标题"],
            en: &["heading level skipped: “1.” has no heading of the level above it"],
        },
    );
}

#[test]
fn heading_skip_is_silent_on_levels_in_order() {
    let dir = notice_body("一、总体要求\n（一）工作安排\n1.具体事项如下，请认真贯彻落实。");
    assert_silent(dir.path(), "heading/skip");
}

// ---------------------------------------------------------------------------
// registry/near-miss.
// ---------------------------------------------------------------------------

/// The fixture with 区人力资源社会保障局 in its registry and `body` as the notice's body.
fn registry_project(body: &str) -> TempDir {
    let dir = notice_body(body);
    edit(
        dir.path(),
        CAMPAIGN,
        &[("  统计局: 区统计局\n", "  统计局: 区统计局\n  人社局: 区人力资源社会保障局\n")],
    );
    dir
}

#[test]
fn registry_near_miss_flags_a_shortened_department_with_did_you_mean() {
    let dir = registry_project("现将有关事项通知如下，请区人力资源社保局认真贯彻落实。");
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "registry/near-miss",
            at: vec![locate(dir.path(), NOTICE, "区人力资源社保局")],
            error: false,
            zh: &["“区人力资源社保局”不在名录中", "您是否想写“区人力资源社会保障局”？"],
            en: &["“区人力资源社保局” is not in the registry", "did you mean “区人力资源社会保障局”?"],
        },
    );
}

#[test]
fn registry_near_miss_is_silent_on_names_a_document_gives_as_its_own() {
    // An issuer written in a document's own way (here a shortened name) and
    // used again in its text is the office's choice, not a typo.
    let dir = registry_project("现将有关事项通知如下，请认真贯彻落实。");
    let docs = dir.path().join("content/documents");
    std::fs::create_dir_all(&docs).expect("documents folder");
    std::fs::write(
        docs.join("joint.yaml"),
        "issuers: [\"{{ office }}\", 区人力资源社保局]\nnumber: { agency: 蚌山政办, sequence: 2 }\n\
         title: [关于开展就业服务的通知]\nrecipients: 各乡街：\nbody: 区人力资源社保局将开展就业服务。\n\
         signature: { date: 2023-11-25 }\nimprint: { date: 2023-11-25 }\n",
    )
    .expect("write a document");
    assert_silent(dir.path(), "registry/near-miss");
}

#[test]
fn registry_near_miss_is_silent_on_registered_names() {
    let dir = registry_project("现将有关事项通知如下，请区人力资源社会保障局、区统计局认真贯彻落实。");
    assert_silent(dir.path(), "registry/near-miss");
}

// ---------------------------------------------------------------------------
// content/missing.
// ---------------------------------------------------------------------------

#[test]
fn content_missing_flags_an_area_without_its_file() {
    let dir = with_overlay();
    let added = "  - { id: 就业, indicator: 目前就业状况, leads: [政府办] }\n";
    edit(dir.path(), CAMPAIGN, &[("leads: [政府办] }\n", &format!("leads: [政府办] }}\n{added}"))]);
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "content/missing",
            at: vec![locate_in(dir.path(), CAMPAIGN, "id: 就业", "就业")],
            error: false,
            zh: &["指标领域“就业”还没有宣传内容文件"],
            en: &["indicator area “就业” has no content file yet"],
        },
    );
}

#[test]
fn content_missing_flags_an_area_without_photos() {
    let dir = with_overlay();
    let area = "content/areas/education.yaml";
    edit(dir.path(), area, &[("photos:\n  - { file: images/seal.svg, caption: 新校区开学典礼 }\n", "")]);
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "content/missing",
            at: vec![locate_in(dir.path(), area, "area: 教育", "教育")],
            error: false,
            zh: &["指标领域“教育”没有照片"],
            en: &["indicator area “教育” has no photos"],
        },
    );
}

#[test]
fn content_missing_flags_a_township_without_its_file() {
    let dir = with_overlay();
    edit(dir.path(), CAMPAIGN, &[("townships: [湖滨社区中心]", "townships: [湖滨社区中心, 淮河社区中心]")]);
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "content/missing",
            at: vec![locate(dir.path(), CAMPAIGN, "淮河社区中心")],
            error: false,
            zh: &["乡街“淮河社区中心”还没有传单内容文件"],
            en: &["township “淮河社区中心” has no flyer content file yet"],
        },
    );
}

#[test]
fn content_missing_counts_many_townships_without_files_in_one_finding() {
    let dir = with_overlay();
    edit(
        dir.path(),
        CAMPAIGN,
        &[(
            "townships: [湖滨社区中心]",
            "townships: [湖滨社区中心, 淮河社区中心, 黄庄街道, 龙湖新村街道, 青年街道, 胜利街道, 天桥街道]",
        )],
    );
    assert_triggers(
        dir.path(),
        &Expect {
            rule: "content/missing",
            at: vec![locate(dir.path(), CAMPAIGN, "淮河社区中心")],
            error: false,
            zh: &[
                "6 个乡街还没有传单内容文件",
                "淮河社区中心、黄庄街道、龙湖新村街道、青年街道、胜利街道 等",
            ],
            en: &[
                "6 townships have no flyer content file yet",
                "淮河社区中心, 黄庄街道, 龙湖新村街道, 青年街道, 胜利街道 and 1 more",
            ],
        },
    );
}

#[test]
fn content_missing_is_silent_when_every_area_and_township_has_its_file() {
    let dir = with_overlay();
    assert_silent(dir.path(), "content/missing");
}

// ---------------------------------------------------------------------------
// The example project.
// ---------------------------------------------------------------------------

/// Every `file:line:column` where `needle` occurs in the example's `file`.
fn occurrences(file: &str, needle: &str) -> Vec<String> {
    let text = std::fs::read_to_string(cli::repo().join(file)).unwrap_or_else(|e| panic!("read {file}: {e}"));
    text.match_indices(needle).map(|(i, _)| location(file, &text, i)).collect()
}

#[test]
fn the_example_reports_exactly_the_two_literal_2022s() {
    let places = occurrences(CAMPAIGN, "2022");
    assert_eq!(places.len(), 2, "the seed's campaign.yaml has two literal 2022s, found {places:?}");
    let repo = cli::repo();
    for (lang, message) in [
        ("zh", "文中写的年份 2022 与活动年度 2023 不同"),
        ("en", "the text says 2022 but the campaign year is 2023"),
    ] {
        let run = check(&repo, lang);
        let what = run.describe();
        let found: Vec<(&str, &str, bool)> =
            run.findings.iter().map(|f| (f.code.as_str(), f.location.as_str(), f.error)).collect();
        let expected: Vec<(&str, &str, bool)> =
            places.iter().map(|p| ("year/literal", p.as_str(), false)).collect();
        assert_eq!(found, expected, "the example's check (--lang {lang}) must list exactly these:\n{what}");
        for f in &run.findings {
            assert!(f.text.contains(&squash(message)), "{} should say {message:?}:\n{what}", f.location);
        }
        let marks = run.stderr.matches(['⚠', '×']).count();
        assert_eq!(marks, 2, "two findings and nothing else in the report (--lang {lang}):\n{what}");
        assert_eq!(run.code, 0, "warnings only: exit 0 (--lang {lang}):\n{what}");
    }
}

/// `check --json` prints the JSON alone on standard output, in either
/// language: the closing line goes to standard error with the report.
#[test]
fn check_json_is_the_json_alone() {
    let root = cli::repo();
    let root = root.to_str().expect("UTF-8 path");
    for lang in ["zh", "en"] {
        let out = cli::run(&["check", "--json", "--lang", lang, "--project", root], &[]);
        assert!(out.status.success(), "check --json --lang {lang}: {}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8(out.stdout).expect("UTF-8");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!("--lang {lang}: standard output is not one JSON value ({e}):\n{stdout}")
        });
        assert_eq!(json["ok"], serde_json::Value::Bool(true), "{json}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("内容检查通过") || stderr.contains("content checked: no errors"),
            "the closing line is on standard error:\n{stderr}"
        );
    }
}
