//! Annex tables, made from the campaign data that already feeds the notice
//! (no second copy): the leading group, the responsibility table (each
//! indicator area and its lead departments) and the schedule (each phase and
//! step with its dates, tasks and responsible units). The same tables go into
//! the notice as attachments and out as standalone PDF, XLSX and CSV files.

use serde::Serialize;

use crate::content::model::{AttachmentTable, phase_context, step_context};
use crate::content::{CAMPAIGN_FILE, Content};
use crate::render::Renderer;
use crate::render::richtext;
use crate::targets::notice::{responsible, timing};

/// One column of a table.
#[derive(Clone, Debug, Serialize)]
pub struct Column {
    /// Header text.
    pub header: String,
    /// Relative width (in characters of body text, roughly).
    pub width: f64,
}

/// A table, as data.
#[derive(Clone, Debug, Serialize)]
pub struct Table {
    /// File-name id: `leading-group`, `responsibilities`, `schedule`.
    pub id: String,
    /// Title (the attachment's name).
    pub title: String,
    /// Columns.
    pub columns: Vec<Column>,
    /// Rows of cells, as plain text.
    pub rows: Vec<Vec<String>>,
    /// A paragraph after the table, if any.
    pub note: Option<String>,
    /// Whether the table is wide enough to be set landscape.
    pub landscape: bool,
}

/// Every annex table, in a fixed order.
pub fn all(content: &Content, r: &mut Renderer<'_>) -> Vec<Table> {
    [AttachmentTable::LeadingGroup, AttachmentTable::Responsibilities, AttachmentTable::Schedule]
        .into_iter()
        .map(|t| table(content, r, t))
        // A project without a campaign (or without a plan) has no such table.
        .filter(|t| !t.rows.is_empty())
        .collect()
}

/// One annex table.
pub fn table(content: &Content, r: &mut Renderer<'_>, which: AttachmentTable) -> Table {
    match which {
        AttachmentTable::LeadingGroup => leading_group(content, r),
        AttachmentTable::Responsibilities => responsibilities(content),
        AttachmentTable::Schedule => schedule(content, r),
    }
}

fn col(header: &str, width: f64) -> Column {
    Column { header: header.to_owned(), width }
}

/// The leading group: role, name, post; the office paragraph as note.
/// Empty when the campaign has no group (validation reports a document
/// that asks for it).
pub fn leading_group(content: &Content, r: &mut Renderer<'_>) -> Table {
    let columns = vec![col("职务", 4.0), col("姓名", 4.0), col("单位及职务", 18.0)];
    let Some(g) = &content.campaign.leading_group else {
        return Table {
            id: "leading-group".into(),
            title: String::new(),
            columns,
            rows: Vec::new(),
            note: None,
            landscape: false,
        };
    };
    let rows = g
        .members
        .iter()
        .map(|m| {
            let post = match (&m.post, &m.department, &m.township) {
                (Some(p), _, _) => r.text(CAMPAIGN_FILE, p, &[]),
                (None, Some(d), _) => {
                    format!("{}{}", content.campaign.department_name(&d.value), title_of(m))
                }
                (None, None, Some(t)) => format!("{}{}", t.value, title_of(m)),
                (None, None, None) => String::new(),
            };
            vec![m.role.value.clone(), m.name.value.clone(), post]
        })
        .collect();
    let note = richtext::plain_blocks(&r.rich(CAMPAIGN_FILE, &g.note, &[]));
    Table {
        id: "leading-group".into(),
        title: r.text(CAMPAIGN_FILE, &g.title, &[]),
        columns,
        rows,
        note: Some(note),
        landscape: false,
    }
}

fn title_of(m: &crate::content::model::Member) -> &str {
    m.title.as_ref().map_or("", |t| t.value.as_str())
}

/// The responsibility table: each surveyed indicator and its lead departments.
pub fn responsibilities(content: &Content) -> Table {
    let c = &content.campaign;
    let rows = c
        .areas
        .iter()
        .filter(|a| a.in_survey)
        .enumerate()
        .map(|(i, a)| {
            let leads: Vec<String> =
                a.leads.iter().map(|l| content.campaign.department_name(&l.value)).collect();
            vec![(i + 1).to_string(), a.indicator.value.clone(), leads.join("、")]
        })
        .collect();
    Table {
        id: "responsibilities".into(),
        title: format!("{}群众满意度测评指标责任分工表", c.district()),
        columns: vec![col("序号", 3.0), col("测评指标", 11.0), col("牵头部门", 12.0)],
        rows,
        note: None,
        landscape: false,
    }
}

/// The schedule: phase, task, timing, responsible units — one row a step.
pub fn schedule(content: &Content, r: &mut Renderer<'_>) -> Table {
    let c = &content.campaign;
    let mut rows = Vec::new();
    for phase in &c.phases {
        let phase_json = phase_context(phase);
        if phase.steps.is_empty() {
            let text =
                phase.text.as_ref().map(|t| r.rich(CAMPAIGN_FILE, t, &[("phase", phase_json.clone())]));
            let task = text.map(|b| richtext::plain_blocks(&b)).unwrap_or_default();
            let when = phase.end.as_ref().map(|e| format!("{}前", e.value.month_day())).unwrap_or_default();
            rows.push(vec![phase.name.value.clone(), task, when, String::new()]);
            continue;
        }
        for step in &phase.steps {
            let step_json = step_context(step);
            let extra = [("phase", phase_json.clone()), ("step", step_json)];
            let title = r.text(CAMPAIGN_FILE, &step.title, &extra);
            let when = timing(step, r);
            let when = when.trim_start_matches('（').trim_end_matches('）').to_owned();
            let units =
                step.responsible.as_ref().map(|resp| responsible(content, resp, r)).unwrap_or_default();
            rows.push(vec![phase.name.value.clone(), title, when, units]);
        }
    }
    Table {
        id: "schedule".into(),
        title: format!("{}{}年群众满意度调查提升工作进度安排表", c.district(), c.year().unwrap_or_default()),
        columns: vec![col("阶段", 4.0), col("工作内容", 12.0), col("时间", 8.0), col("责任单位", 18.0)],
        rows,
        note: None,
        landscape: true,
    }
}
