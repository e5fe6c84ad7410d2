//! The notice target: turns the campaign and the notice file into the data
//! `templates/notice.typ` receives — every text rendered, numbered and
//! resolved, nothing left for the template to look up.

use serde_json::{Value as Json, json};

use crate::content::model::{DocumentFile, Format, Responsible, Step, phase_context, step_context};
use crate::content::{CAMPAIGN_FILE, Content, NOTICE_FILE};
use crate::render::Renderer;
use crate::render::richtext::{Block, Inline};
use crate::targets::{annex, attachments};

/// The template file of the notice.
pub const TEMPLATE: &str = "notice.typ";

/// Chinese numerals for section numbers: 1 → 一, 12 → 十二.
pub fn cn_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_owned(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", DIGITS[n % 10]),
        20..=99 => format!("{}十{}", DIGITS[n / 10], if n.is_multiple_of(10) { "" } else { DIGITS[n % 10] }),
        _ => n.to_string(),
    }
}

/// The data for the notice template. Template errors in content are left in
/// `renderer.diags`.
pub fn data(content: &Content, r: &mut Renderer<'_>) -> Json {
    match &content.notice {
        Some(notice) => document(content, r, NOTICE_FILE, notice).data,
        None => Json::Null,
    }
}

/// A document's template data, and its attachment tables for the XLSX and
/// CSV copies.
pub struct Document {
    /// What `templates/notice.typ` receives.
    pub data: Json,
    /// Every attachment that is a table, with its number (附件N).
    pub tables: Vec<(usize, annex::Table)>,
}

/// The 发文字号 as printed: 蚌山政办秘〔2023〕82号 (file and letter
/// formats), 第N号 (命令), 第N期 (纪要). An empty sequence leaves room to
/// write it in by hand.
pub fn number_text(
    content: &Content,
    r: &mut Renderer<'_>,
    file: &str,
    doc: &DocumentFile,
) -> Option<String> {
    let n = doc.number.as_ref()?;
    let seq = n.sequence.as_ref().map_or_else(|| "\u{3000}\u{3000}".to_owned(), |s| s.value.to_string());
    Some(match doc.format() {
        Format::Order => format!("第{seq}号"),
        Format::Minutes => format!("第{seq}期"),
        Format::File | Format::Letter => format!(
            "{}〔{}〕{}号",
            n.agency.as_ref().map(|a| r.text(file, a, &[])).unwrap_or_default(),
            content.document_year(doc).unwrap_or_default(),
            seq
        ),
    })
}

/// The template data of the official document in `file`. Template errors in
/// content are left in `renderer.diags`.
pub fn document(content: &Content, r: &mut Renderer<'_>, file: &str, n: &DocumentFile) -> Document {
    let c = &content.campaign;
    let format = n.format();

    // The plan's title is used in the notice and the plan's own text.
    let plan_title_lines = match &n.enclosure {
        Some(e) => title_lines(r, file, &e.title),
        None => Vec::new(),
    };
    if !plan_title_lines.is_empty() {
        r.set("plan_title", json!(plan_title_lines.concat()));
    }

    let issuers: Vec<String> = n.issuers.iter().map(|t| r.text(file, t, &[])).collect();
    let number = number_text(content, r, file, n);
    // The mark: the issuers' names (文件格式, 命令), or the letter's or
    // minutes' own mark.
    let mark_names = match (&n.mark, format) {
        (Some(m), _) => vec![r.text(file, m, &[])],
        (None, Format::Letter | Format::Order) => issuers.iter().take(1).cloned().collect(),
        (None, _) => issuers.clone(),
    };
    let header = json!({
        "copy_number": n.copy_number.as_ref().map(|t| r.text(file, t, &[])),
        "secrecy": n.secrecy.as_ref().map(|t| r.text(file, t, &[])),
        "urgency": n.urgency.as_ref().map(|t| r.text(file, t, &[])),
        "issuers": mark_names,
        "mark_suffix": n.mark_suffix.as_ref().map(|t| r.text(file, t, &[])),
        "number": number,
        "signers": n.signers.iter().map(|t| r.text(file, t, &[])).collect::<Vec<_>>(),
    });

    let enclosure = n.enclosure.as_ref().map(|e| {
        let mut body = r.rich(file, &e.preamble, &[]);
        for (i, section) in e.sections.iter().enumerate() {
            body.push(heading(1, format!("{}、", cn_number(i + 1)), r.text(file, &section.title, &[])));
            if let Some(text) = &section.text {
                body.extend(r.rich(file, text, &[]));
            }
            if section.schedule {
                body.extend(schedule(content, r));
            }
        }
        json!({ "title": plan_title_lines, "body": body })
    });

    let mut tables = Vec::new();
    let mut attachments = Vec::new();
    for (i, a) in n.attachments.iter().enumerate() {
        let prepared = attachments::prepare(content, r, file, i + 1, a, number.as_deref());
        if let Some(t) = prepared.table {
            tables.push((i + 1, t));
        }
        attachments.push(prepared.data);
    }

    let asset = |s: &crate::content::Text| {
        format!("/{}/{}", crate::content::assets::BASE, s.value.trim_start_matches("./"))
    };
    let signature = n.signature.as_ref().map(|s| {
        let names: Vec<String> = if s.names.is_empty() {
            issuers.clone()
        } else {
            s.names.iter().map(|t| r.text(file, t, &[])).collect()
        };
        json!({
            "issuers": names,
            "date": s.date.value.chinese(),
            "seal": s.seal.as_ref().map(asset),
            "seals": s.seals.iter().map(asset).collect::<Vec<_>>(),
            "stamp": s.stamp.as_ref().map(|st| json!({ "post": r.text(file, &st.post, &[]), "image": asset(&st.image) })),
        })
    });

    let attendance = n.attendance.as_ref().filter(|_| format == Format::Minutes).map(|a| {
        let mut lists = Vec::new();
        for (label, names) in [("出席", &a.present), ("请假", &a.absent), ("列席", &a.attending)] {
            if !names.is_empty() {
                let names: Vec<String> = names.iter().map(|t| r.text(file, t, &[])).collect();
                lists.push(json!({ "label": label, "names": names.join("，") }));
            }
        }
        lists
    });

    let imprint = n.imprint.as_ref().map(|im| {
        let cc: Vec<String> = im.cc.iter().map(|t| r.text(file, t, &[])).collect();
        let letter = format == Format::Letter;
        let printer = match &im.printer {
            Some(p) => r.text(file, p, &[]),
            None => c.office().to_owned(),
        };
        json!({
            "cc": if cc.is_empty() { Json::Null } else { json!(format!("{}。", cc.join("，"))) },
            // A letter's 版记 has neither 印发机关 nor 印发日期 (L3).
            "printer": if letter { Json::Null } else { json!(printer) },
            "date": if letter { Json::Null } else { json!(im.date.as_ref().map(|d| format!("{}印发", d.value.chinese()))) },
        })
    });

    // The signature takes the body's last paragraph along to a new page
    // only when it is short (two lines): moving a longer one would leave
    // its page visibly short (K3).
    let body = r.rich(file, &n.body, &[]);
    let keep_last = body.last().is_some_and(|b| {
        crate::render::title::cells(&crate::render::richtext::plain_blocks(std::slice::from_ref(b))) + 2.0
            <= 56.0
    });
    let data = json!({
        "format": format.name(),
        "watermark": if n.sample { json!("示例") } else { Json::Null },
        "header": header,
        "title": title_lines(r, file, &n.title),
        "recipients": n.recipients.as_ref().map(|t| r.text(file, t, &[])),
        "body": body,
        "keep_last": keep_last,
        "signature": signature,
        "note": n.note.as_ref().map(|t| r.text(file, t, &[])),
        "attendance": attendance,
        "enclosure": enclosure,
        "attachments": attachments,
        "imprint": imprint,
    });
    Document { data, tables }
}

/// Title lines: as written when content gives several lines (each must fit
/// a line at 二号), else broken between words into a symmetric shape.
fn title_lines(r: &mut Renderer<'_>, file: &str, lines: &[crate::content::Text]) -> Vec<String> {
    use crate::render::title::{TITLE_CELLS, break_title, cells};
    let rendered: Vec<String> = lines.iter().map(|t| r.text(file, t, &[])).collect();
    if rendered.len() == 1 {
        return break_title(&rendered[0], TITLE_CELLS);
    }
    if let (Some(problem), Some(first)) = (crate::render::title::shape_problem(&rendered), lines.first()) {
        let at = r.locate(file, first);
        r.diags.push(
            crate::diag::Diagnostic::warning("content/title-shape", problem).at(at).hint(crate::msg!(
                "按 GB/T 9704（K1）在词语之间断行、上下对称；也可以只写一行，由 pressroom 断行。",
                "break between words, symmetrically (GB/T 9704, K1); or give the title as one line and let pressroom break it."
            )),
        );
    }
    for (text, line) in lines.iter().zip(&rendered) {
        if cells(line) > TITLE_CELLS {
            let at = r.locate(file, text);
            r.diags.push(
                crate::diag::Diagnostic::error(
                    "content/title-too-long",
                    crate::msg!(
                        "标题行“{}”超过一行（二号字每行最多 {} 字）",
                        "title line “{}” is longer than a line ({} characters at 二号)",
                        line,
                        TITLE_CELLS
                    ),
                )
                .at(at)
                .hint(crate::msg!(
                    "在词语之间把它拆成两行；或只写一行，由 pressroom 自动断行。",
                    "split it into two lines between words, or give the title as one line and let pressroom break it."
                )),
            );
        }
    }
    rendered
}

fn heading(level: u8, number: String, text: String) -> Block {
    Block::Heading { level, number, head: vec![Inline { text, strong: false }], body: Vec::new() }
}

/// 二、工作安排: phases as （一）…, steps as 1. …, each step's timing after its
/// title and its responsible units after its text.
fn schedule(content: &Content, r: &mut Renderer<'_>) -> Vec<Block> {
    let mut blocks = Vec::new();
    for (i, phase) in content.campaign.phases.iter().enumerate() {
        let phase_json = phase_context(phase);
        let name = r.text(CAMPAIGN_FILE, &phase.name, &[]);
        blocks.push(heading(2, format!("（{}）", cn_number(i + 1)), name));
        if let Some(text) = &phase.text {
            blocks.extend(r.rich(CAMPAIGN_FILE, text, &[("phase", phase_json.clone())]));
        }
        for (j, step) in phase.steps.iter().enumerate() {
            let step_json = step_context(step);
            let extra = [("phase", phase_json.clone()), ("step", step_json)];
            let title = r.text(CAMPAIGN_FILE, &step.title, &extra);
            blocks.push(heading(3, format!("{}.", j + 1), format!("{title}{}", timing(step, r))));
            let mut text = r.rich(CAMPAIGN_FILE, &step.text, &extra);
            if let Some(resp) = &step.responsible {
                let line = format!("（责任单位：{}）", responsible(content, resp, r));
                match text.last_mut() {
                    Some(Block::Par { inlines }) => inlines.push(Inline { text: line, strong: false }),
                    _ => text.push(Block::Par { inlines: vec![Inline { text: line, strong: false }] }),
                }
            }
            blocks.extend(text);
        }
    }
    blocks
}

/// The step's timing in parentheses, as the plan prints it.
pub fn timing(step: &Step, r: &mut Renderer<'_>) -> String {
    if let Some(due) = &step.due {
        return format!("（{}前）", due.value.month_day());
    }
    if let Some(from) = &step.from {
        if let Some(to) = &step.to {
            let end =
                if to.value.year == from.value.year { to.value.month_day() } else { to.value.chinese() };
            return format!("（{}至{}）", from.value.chinese(), end);
        }
        if let Some(until) = &step.until {
            return format!("（{}至{}）", from.value.chinese(), r.text(CAMPAIGN_FILE, until, &[]));
        }
        return format!("（{}起）", from.value.chinese());
    }
    match &step.when {
        Some(when) => format!("（{}）", r.text(CAMPAIGN_FILE, when, &[])),
        None => String::new(),
    }
}

/// 责任单位: departments joined with 、 (plus 等部门), then other units after ，.
pub fn responsible(content: &Content, resp: &Responsible, r: &mut Renderer<'_>) -> String {
    let mut groups = Vec::new();
    if !resp.departments.is_empty() {
        let names: Vec<String> =
            resp.departments.iter().map(|d| content.campaign.department_name(&d.value)).collect();
        groups.push(format!("{}{}", names.join("、"), if resp.etc { "等部门" } else { "" }));
    }
    groups.extend(resp.others.iter().map(|o| r.text(CAMPAIGN_FILE, o, &[])));
    groups.join("，")
}

/// All text in the data, for font coverage checks.
pub fn collect_chars(value: &Json, out: &mut std::collections::BTreeSet<char>) {
    match value {
        Json::String(s) => out.extend(s.chars().filter(|c| !c.is_whitespace() && !c.is_control())),
        Json::Array(items) => items.iter().for_each(|v| collect_chars(v, out)),
        Json::Object(map) => map.values().for_each(|v| collect_chars(v, out)),
        _ => {}
    }
}

/// The characters each font role has to set in this notice.
pub fn font_needs(data: &Json) -> crate::typeset::fonts::Needs {
    use crate::typeset::fonts::Role;
    let mut needs = crate::typeset::fonts::Needs::new();
    let mut add = |role: Role, v: &Json| collect_chars(v, needs.entry(role).or_default());
    add(Role::Body, data);
    add(Role::Mark, &data["header"]["issuers"]);
    add(Role::Mark, &data["header"]["mark_suffix"]);
    add(Role::Mark, &data["title"]);
    add(Role::Mark, &data["enclosure"]["title"]);
    for a in data["attachments"].as_array().into_iter().flatten() {
        add(Role::Mark, &a["title"]);
        add(Role::Hei, &a["columns"]);
        add(Role::Hei, &a["head"]);
        add(Role::Body, &a["separate"]);
    }
    add(Role::Hei, &json!(["附件草稿示例", data["header"]["secrecy"], data["header"]["urgency"]]));
    add(Role::Kai, &data["header"]["signers"]);
    for list in data["attendance"].as_array().into_iter().flatten() {
        add(Role::Hei, &list["label"]);
    }
    add(Role::Song, &json!("—0123456789"));
    for block in blocks(data) {
        if let Json::Object(b) = block
            && b.get("kind") == Some(&json!("heading"))
        {
            match b.get("level").and_then(Json::as_u64) {
                Some(1) => add(Role::Hei, block),
                Some(2) => add(Role::Kai, block),
                _ => {}
            }
        }
    }
    needs
}

fn blocks(data: &Json) -> impl Iterator<Item = &Json> {
    let body = data["body"].as_array().into_iter().flatten();
    let enclosure = data["enclosure"]["body"].as_array().into_iter().flatten();
    let attached = data["attachments"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|a| a["body"].as_array().into_iter().flatten());
    body.chain(enclosure).chain(attached)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_section_numbers() {
        assert_eq!(cn_number(1), "一");
        assert_eq!(cn_number(10), "十");
        assert_eq!(cn_number(12), "十二");
        assert_eq!(cn_number(20), "二十");
        assert_eq!(cn_number(23), "二十三");
    }
}
