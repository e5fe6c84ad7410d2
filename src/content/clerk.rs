//! The YAML mistakes a Chinese clerk makes with an input method on, found in
//! the text before the parser sees it: the parser would name them in its own
//! jargon (`simple key expected ':'`), often on the wrong line. Each finding
//! says, in the user's language, what is wrong and gives the line as it
//! should be written.
//!
//! Only lines outside block scalars (`body: |`) are looked at, and keys are
//! the schema's ASCII names, so Chinese text with its own `：` and `，` is
//! never taken for a mistake.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::diag::{Diagnostic, Location, Msg};

/// `key：` at the start of a line (after an optional `- `) or after `{`/`,`
/// in a flow mapping.
static WIDE_COLON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^\s*(?:-\s+)?|[{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*：\s*").expect("regex")
});

/// A value that starts with `{{` outside quotes: YAML reads a flow mapping.
static BARE_BRACES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^\s*-\s+|:\s+|\[\s*)(\{\{)").expect("regex"));

/// A one-line flow list: `key: [ … ]`.
static FLOW_LIST: LazyLock<Regex> = LazyLock::new(|| Regex::new(r":\s+\[([^\]\n]*)\]").expect("regex"));

/// What [`check`] found: an error stops the file; warnings go on.
#[derive(Default)]
pub struct Findings {
    /// The first mistake that keeps the file from parsing as meant.
    pub error: Option<Diagnostic>,
    /// Mistakes that parse, but not as meant (a full-width comma in a list).
    pub warnings: Vec<Diagnostic>,
}

/// Looks for the clerk's mistakes in `text`, a content file at `rel`.
pub fn check(text: &str, rel: &Path) -> Findings {
    let mut found = Findings::default();
    // Indentation of the key whose block scalar we are in, if any.
    let mut block: Option<usize> = None;
    let mut prev: Option<(usize, bool)> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(key_indent) = block {
            if line.trim().is_empty() || indent > key_indent {
                continue;
            }
            block = None;
        }
        let code = strip_comment(line);
        // The indentation this line most likely wants: one level under a
        // line that opens a mapping, else that of the line before.
        let expected = match prev {
            Some((i, true)) => i + 2,
            Some((i, false)) => i,
            None => 0,
        };
        let at = |col_byte: usize| Location::new(rel, line_no, line[..col_byte].chars().count() + 1);
        if found.error.is_none() {
            found.error = mistake(line, code, expected).map(|(byte, message, fixed)| {
                Diagnostic::error("content/yaml", message)
                    .at(at(byte))
                    .hint(Msg::new(format!("改为：{fixed}"), format!("write it as: {fixed}")))
            });
        }
        if let Some(list) = FLOW_LIST.captures(code).and_then(|c| c.get(1))
            && list.as_str().contains('，')
            && !list.as_str().contains(',')
            && !list.as_str().contains('"')
        {
            let fixed = format!(
                "{}{}{}",
                &line[..list.start()],
                list.as_str().replace('，', ", "),
                &line[list.end()..]
            );
            found.warnings.push(
                Diagnostic::warning(
                    "content/wide-comma",
                    Msg::new(
                        "列表里用了全角逗号“，”：方括号里的内容会被当作一项".to_owned(),
                        "a full-width comma “，” in a list: everything in the brackets is read as one item"
                            .to_owned(),
                    ),
                )
                .at(at(list.start() + list.as_str().find('，').unwrap_or(0)))
                .hint(Msg::new(
                    format!("若是几项，用英文逗号分开：{}", fixed.trim()),
                    format!("for several items, separate them with ASCII commas: {}", fixed.trim()),
                )),
            );
        }
        let trimmed = code.trim_end();
        if !trimmed.trim().is_empty() {
            prev = Some((indent, trimmed.ends_with(':')));
        }
        if trimmed.ends_with('|')
            || trimmed.ends_with("|-")
            || trimmed.ends_with('>')
            || trimmed.ends_with(">-")
        {
            block = Some(indent);
        }
    }
    found
}

/// The first mistake on one line: where it is (a byte offset), what it is,
/// and the line as it should be.
fn mistake(line: &str, code: &str, expected_indent: usize) -> Option<(usize, Msg, String)> {
    let lead = &line[..line.len() - line.trim_start().len()];
    if lead.contains('\u{3000}') {
        let fixed = format!("{}{}", " ".repeat(expected_indent), line.trim_start());
        return Some((
            lead.find('\u{3000}').unwrap_or(0),
            Msg::new(
                "缩进里有全角空格（中文输入法下的空格）：缩进只能用英文空格".to_owned(),
                "a full-width space (typed with a Chinese input method) in the indentation: indent with ASCII spaces only".to_owned(),
            ),
            fixed.trim_end().to_owned(),
        ));
    }
    if let Some(c) = WIDE_COLON.captures(code) {
        let key = c.get(1)?;
        let fixed = WIDE_COLON
            .replace_all(line, |c: &regex::Captures<'_>| {
                let all = &c[0];
                let prefix = &all[..all.find(&c[1]).unwrap_or(0)];
                format!("{prefix}{}: ", &c[1])
            })
            .into_owned();
        return Some((
            key.start(),
            Msg::new(
                format!("“{}”后面用了全角冒号“：”：键和值之间要用英文冒号加空格", key.as_str()),
                format!(
                    "a full-width colon “：” after “{}”: a key is followed by an ASCII colon and a space",
                    key.as_str()
                ),
            ),
            fixed.trim_end().to_owned(),
        ));
    }
    if let Some(m) = BARE_BRACES.captures(code).and_then(|c| c.get(1)) {
        // The whole value up to the end of the expression, quoted.
        let end = code[m.start()..].find("}}").map_or(code.len(), |e| m.start() + e + 2);
        let value_end = code[end..].find([',', ']']).map_or(code.trim_end().len(), |e| end + e);
        let fixed =
            format!("{}\"{}\"{}", &line[..m.start()], &line[m.start()..value_end], &line[value_end..]);
        return Some((
            m.start(),
            Msg::new(
                "以 {{ 开头的值没有加引号：YAML 会把花括号当作一组键值".to_owned(),
                "a value starting with {{ is not quoted: YAML reads the braces as a group of keys".to_owned(),
            ),
            fixed.trim_end().to_owned(),
        ));
    }
    // An ASCII quote opened and not closed on its line (closed with a
    // Chinese ” or not at all).
    let value = code
        .find(": \"")
        .map(|p| p + 2)
        .or_else(|| code.trim_start().starts_with("- \"").then(|| code.find('"').unwrap_or(0)))?;
    let rest = &code[value + 1..];
    let quotes = rest.chars().filter(|c| *c == '"').count() - rest.matches("\\\"").count();
    if quotes == 0 {
        let fixed = match rest.rfind('”') {
            Some(p) if rest[p..].trim_end() == "”" => format!("{}\"{}\"", &line[..value], &rest[..p]),
            _ => format!("{}\"{}\"", &line[..value], rest.trim_end()),
        };
        return Some((
            value,
            Msg::new(
                "英文引号 \" 没有配对：以 \" 开始的文字要在同一行以 \" 结束（中文引号“”可以写在里面）".to_owned(),
                "an ASCII quote \" is not closed: text that starts with \" must end with \" on the same line (Chinese quotes “” may go inside)".to_owned(),
            ),
            fixed.trim_end().to_owned(),
        ));
    }
    None
}

/// The line without a trailing `# comment` (a `#` after a space, outside
/// quotes).
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted && (prev == ' ' || i == 0) => return &line[..i],
            _ => {}
        }
        prev = c;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> (String, String) {
        let d = check(text, Path::new("x.yaml")).error.expect("a mistake");
        let loc = d.location.as_ref().expect("located");
        (format!("{}:{}", loc.line, loc.column), d.hint.expect("a fix").en)
    }

    #[test]
    fn each_mistake_is_found_at_its_place_with_the_line_as_it_should_be() {
        assert_eq!(error("a: 1\ntitle：[关于]\n"), ("2:1".into(), "write it as: title: [关于]".into()));
        assert_eq!(
            error("number: { agency：蚌山政办秘, sequence: 7 }\n"),
            ("1:11".into(), "write it as: number: { agency: 蚌山政办秘, sequence: 7 }".into())
        );
        assert_eq!(error("sig:\n\u{3000} date: 1\n"), ("2:1".into(), "write it as:   date: 1".into()));
        assert_eq!(
            error("issuers: [{{ office }}]\n"),
            ("1:11".into(), "write it as: issuers: [\"{{ office }}\"]".into())
        );
        assert_eq!(
            error("contact: {{ x }} 0552\n"),
            ("1:10".into(), "write it as: contact: \"{{ x }} 0552\"".into())
        );
        assert_eq!(error("r: \"各有关单位：”\n"), ("1:4".into(), "write it as: r: \"各有关单位：\"".into()));
    }

    #[test]
    fn chinese_text_in_block_scalars_and_values_is_left_alone() {
        let text = "recipients: 各有关单位：\nbody: |\n  现将有关事项通知如下：\n  note：不是键\n  \u{3000}\u{3000}段落\nnote: \"他说“好”\"\n";
        let found = check(text, Path::new("x.yaml"));
        assert!(found.error.is_none(), "{:?}", found.error.map(|d| d.message.en));
    }

    #[test]
    fn a_full_width_comma_in_a_list_is_a_warning_with_the_fix() {
        let found = check("departments: [教体局，卫健委]  # 部门\n", Path::new("x.yaml"));
        assert!(found.error.is_none());
        let w = found.warnings.first().expect("a warning");
        assert_eq!(
            w.hint.as_ref().expect("fix").en,
            "for several items, separate them with ASCII commas: departments: [教体局, 卫健委]  # 部门"
        );
    }
}
