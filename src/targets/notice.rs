//! The notice target: turns the campaign and the notice file into the data
//! `templates/notice.typ` receives — every text rendered, numbered and
//! resolved, nothing left for the template to look up.

use serde_json::{Value as Json, json};

use crate::content::model::{AttachmentTable, Responsible, Step, phase_context, step_context};
use crate::content::{CAMPAIGN_FILE, Content, NOTICE_FILE};
use crate::render::Renderer;
use crate::render::richtext::{Block, Inline};
use crate::targets::annex;

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
    let c = &content.campaign;
    let n = &content.notice;

    // The plan's title is used in the notice and the plan's own text.
    let plan_title_lines = match &n.enclosure {
        Some(e) => title_lines(r, NOTICE_FILE, &e.title),
        None => Vec::new(),
    };
    if !plan_title_lines.is_empty() {
        r.set("plan_title", json!(plan_title_lines.concat()));
    }

    let issuers: Vec<String> = n.issuers.iter().map(|t| r.text(NOTICE_FILE, t, &[])).collect();
    let number = format!(
        "{}〔{}〕{}号",
        r.text(NOTICE_FILE, &n.number.agency, &[]),
        c.year.value,
        n.number.sequence.as_ref().map_or_else(|| "\u{3000}\u{3000}".to_owned(), |s| s.value.to_string())
    );
    let header = json!({
        "copy_number": n.copy_number.as_ref().map(|t| r.text(NOTICE_FILE, t, &[])),
        "secrecy": n.secrecy.as_ref().map(|t| r.text(NOTICE_FILE, t, &[])),
        "urgency": n.urgency.as_ref().map(|t| r.text(NOTICE_FILE, t, &[])),
        "issuers": issuers,
        "mark_suffix": n.mark_suffix.as_ref().map(|t| r.text(NOTICE_FILE, t, &[])),
        "number": number,
        "signers": n.signers.iter().map(|t| r.text(NOTICE_FILE, t, &[])).collect::<Vec<_>>(),
    });

    let enclosure = n.enclosure.as_ref().map(|e| {
        let mut body = r.rich(NOTICE_FILE, &e.preamble, &[]);
        for (i, section) in e.sections.iter().enumerate() {
            body.push(heading(
                1,
                format!("{}、", cn_number(i + 1)),
                r.text(NOTICE_FILE, &section.title, &[]),
            ));
            if let Some(text) = &section.text {
                body.extend(r.rich(NOTICE_FILE, text, &[]));
            }
            if section.schedule {
                body.extend(schedule(content, r));
            }
        }
        json!({ "title": plan_title_lines, "body": body })
    });

    // The leading group keeps the seed's list layout; other tables are
    // ruled tables, landscape when wide.
    let attachments: Vec<Json> = n
        .attachments
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let table = annex::table(content, r, a.table.value);
            let (kind, note) = match a.table.value {
                AttachmentTable::LeadingGroup => {
                    ("leading_group", json!(r.rich(CAMPAIGN_FILE, &c.leading_group.note, &[])))
                }
                _ => ("table", json!([])),
            };
            let rows: Vec<Json> = match a.table.value {
                AttachmentTable::LeadingGroup => table
                    .rows
                    .iter()
                    .map(|row| json!({ "role": row[0], "name": row[1], "post": row[2] }))
                    .collect(),
                _ => table.rows.iter().map(|row| json!(row)).collect(),
            };
            json!({
                "number": i + 1,
                "kind": kind,
                "title": crate::render::title::break_title(&table.title, crate::render::title::TITLE_CELLS),
                "columns": table.columns,
                "rows": rows,
                "note": note,
                "landscape": table.landscape,
            })
        })
        .collect();

    let signature = json!({
        "issuers": issuers_for_signature(&n.issuers, r),
        "date": n.signature.date.value.chinese(),
        "seal": n.signature.seal.as_ref().map(|s| format!("/{}/{}", crate::content::assets::BASE, s.value.trim_start_matches("./"))),
    });

    let cc: Vec<String> = n.imprint.cc.iter().map(|t| r.text(NOTICE_FILE, t, &[])).collect();
    let printer = match &n.imprint.printer {
        Some(p) => r.text(NOTICE_FILE, p, &[]),
        None => c.office.value.clone(),
    };
    let imprint = json!({
        "cc": if cc.is_empty() { Json::Null } else { json!(format!("{}。", cc.join("，"))) },
        "printer": printer,
        "date": format!("{}印发", n.imprint.date.value.chinese()),
    });

    json!({
        "header": header,
        "title": title_lines(r, NOTICE_FILE, &n.title),
        "recipients": r.text(NOTICE_FILE, &n.recipients, &[]),
        "body": r.rich(NOTICE_FILE, &n.body, &[]),
        "signature": signature,
        "note": n.note.as_ref().map(|t| r.text(NOTICE_FILE, t, &[])),
        "enclosure": enclosure,
        "attachments": attachments,
        "imprint": imprint,
    })
}

/// Title lines: as written when content gives several lines (each must fit
/// a line at 二号), else broken between words into a symmetric shape.
fn title_lines(r: &mut Renderer<'_>, file: &str, lines: &[crate::content::Text]) -> Vec<String> {
    use crate::render::title::{TITLE_CELLS, break_title, cells};
    let rendered: Vec<String> = lines.iter().map(|t| r.text(file, t, &[])).collect();
    if rendered.len() == 1 {
        return break_title(&rendered[0], TITLE_CELLS);
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

fn issuers_for_signature(issuers: &[crate::content::Text], r: &mut Renderer<'_>) -> Vec<String> {
    issuers.iter().map(|t| r.text(NOTICE_FILE, t, &[])).collect()
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
    }
    add(Role::Hei, &json!(["附件草稿", data["header"]["secrecy"], data["header"]["urgency"]]));
    add(Role::Kai, &data["header"]["signers"]);
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
    body.chain(enclosure)
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
