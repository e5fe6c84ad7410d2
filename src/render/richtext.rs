//! Rich text in content: one line is one paragraph; a line that starts with
//! an official numbering mark (一、 （一） 1. （1）) is a numbered heading of
//! that level; `- ` starts a list item; `**…**` is emphasis. The result is a
//! block structure that templates render; nothing in it is ever markup.

use serde::Serialize;

/// A block of rich text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// An ordinary paragraph.
    Par {
        /// Its text runs.
        inlines: Vec<Inline>,
    },
    /// A line that starts with a numbering mark.
    Heading {
        /// 1 for 一、, 2 for （一）, 3 for 1., 4 for （1）.
        level: u8,
        /// The mark as written, e.g. `（二）`.
        number: String,
        /// The heading itself (up to its first full stop when text follows).
        head: Vec<Inline>,
        /// Text run in after the heading on the same line, if any.
        body: Vec<Inline>,
    },
    /// Consecutive `- ` lines.
    List {
        /// One entry per item.
        items: Vec<Vec<Inline>>,
    },
}

/// A run of text with one style.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inline {
    /// The text, literally.
    pub text: String,
    /// Emphasised.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub strong: bool,
}

/// Parses rich text into blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix("· ")) {
            let inlines = inlines(item.trim());
            if let Some(Block::List { items }) = blocks.last_mut() {
                items.push(inlines);
            } else {
                blocks.push(Block::List { items: vec![inlines] });
            }
            continue;
        }
        blocks.push(match numbering(line) {
            Some((level, number)) => {
                let rest = &line[number.len()..];
                let (head, body) = split_run_in(rest);
                Block::Heading { level, number: number.to_owned(), head: inlines(head), body: inlines(body) }
            }
            None => Block::Par { inlines: inlines(line) },
        });
    }
    blocks
}

/// The level and mark of a numbered line, if it starts with one.
pub fn numbering(line: &str) -> Option<(u8, &str)> {
    const CN: &str = "一二三四五六七八九十百";
    let cn_run = |s: &str| s.chars().take_while(|c| CN.contains(*c)).map(char::len_utf8).sum::<usize>();
    let digit_run = |s: &str| s.chars().take_while(char::is_ascii_digit).count();

    let n = cn_run(line);
    if n > 0 && line[n..].starts_with('、') {
        return Some((1, &line[..n + '、'.len_utf8()]));
    }
    if let Some(inner) = line.strip_prefix('（') {
        let open = '（'.len_utf8();
        let n = cn_run(inner);
        if n > 0 && inner[n..].starts_with('）') {
            return Some((2, &line[..open + n + '）'.len_utf8()]));
        }
        let n = digit_run(inner);
        if n > 0 && inner[n..].starts_with('）') {
            return Some((4, &line[..open + n + '）'.len_utf8()]));
        }
    }
    let n = digit_run(line);
    if n > 0 {
        let after = &line[n..];
        for dot in ['.', '．'] {
            if let Some(rest) = after.strip_prefix(dot)
                && !rest.starts_with(|c: char| c.is_ascii_digit())
            {
                return Some((3, &line[..n + dot.len_utf8()]));
            }
        }
    }
    None
}

/// Splits `标题。正文…` into the heading sentence and the text after it.
fn split_run_in(rest: &str) -> (&str, &str) {
    match rest.find('。') {
        Some(i) if i + '。'.len_utf8() < rest.len() => rest.split_at(i + '。'.len_utf8()),
        _ => (rest, ""),
    }
}

/// Splits text on `**` into plain and strong runs; `\*` is a literal star.
fn inlines(text: &str) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::new();
    let mut cur = String::new();
    let mut strong = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'*') => {
                cur.push('*');
                chars.next();
            }
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if !cur.is_empty() {
                    out.push(Inline { text: std::mem::take(&mut cur), strong });
                }
                strong = !strong;
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(Inline { text: cur, strong });
    }
    out
}

/// The plain text of blocks, one line each.
pub fn plain_blocks(blocks: &[Block]) -> String {
    blocks
        .iter()
        .map(|b| match b {
            Block::Par { inlines } => plain(inlines),
            Block::Heading { number, head, body, .. } => format!("{number}{}{}", plain(head), plain(body)),
            Block::List { items } => items.iter().map(|i| plain(i)).collect::<Vec<_>>().join("\n"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The plain text of inline runs.
pub fn plain(inlines: &[Inline]) -> String {
    inlines.iter().map(|i| i.text.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_four_levels() {
        assert_eq!(numbering("一、总体要求"), Some((1, "一、")));
        assert_eq!(numbering("（十二）阶段"), Some((2, "（十二）")));
        assert_eq!(numbering("1.编印发放"), Some((3, "1.")));
        assert_eq!(numbering("12．全角点"), Some((3, "12．")));
        assert_eq!(numbering("（3）小项"), Some((4, "（3）")));
        assert_eq!(numbering("1.5万人受益"), None);
        assert_eq!(numbering("一是明确职责"), None);
        assert_eq!(numbering("（责任单位：区政府办公室）"), None);
    }

    #[test]
    fn splits_run_in_headings_at_the_first_full_stop() {
        let blocks = parse("一、明确职责。全力抓好工作。\n");
        let Block::Heading { head, body, .. } = &blocks[0] else { panic!("heading expected") };
        assert_eq!(plain(head), "明确职责。");
        assert_eq!(plain(body), "全力抓好工作。");
    }

    #[test]
    fn groups_list_items_and_keeps_markup_literal() {
        let blocks = parse("- #read(\"/etc/passwd\")\n- $x$ **重点** \\*号\n段落");
        assert_eq!(blocks.len(), 2);
        let Block::List { items } = &blocks[0] else { panic!("list expected") };
        assert_eq!(plain(&items[0]), "#read(\"/etc/passwd\")");
        assert_eq!(items[1][1], Inline { text: "重点".into(), strong: true });
        assert_eq!(plain(&items[1]), "$x$ 重点 *号");
    }
}
