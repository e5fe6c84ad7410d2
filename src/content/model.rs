//! The typed shape of the content files, exactly as a clerk writes them.
//! Unknown keys are errors, so a typo never passes silently.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::date::Date;

/// A string from a content file with the place it was written.
pub type Text = Spanned<String>;

/// `content/campaign.yaml`: the facts every output shares, defined once.
/// Every part is optional, so that a project of documents alone needs none
/// of them: a fact is required where an output or a text uses it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignFile {
    /// Campaign year, e.g. 2023.
    #[serde(default)]
    pub year: Option<Spanned<i32>>,
    /// The city the district belongs to.
    #[serde(default)]
    pub city: Option<Text>,
    /// The district running the campaign.
    #[serde(default)]
    pub district: Option<Text>,
    /// The issuing office (发文机关).
    #[serde(default)]
    pub office: Option<Text>,
    /// Department registry: short name → full name.
    #[serde(default)]
    pub departments: IndexMap<Spanned<String>, Text>,
    /// Township-level units (乡街、社区中心), in the official order.
    #[serde(default)]
    pub townships: Vec<Text>,
    /// The survey's indicator areas and their lead departments, in order.
    #[serde(default)]
    pub areas: Vec<Area>,
    /// The plan's phases and their steps.
    #[serde(default)]
    pub phases: Vec<Phase>,
    /// The leading group (领导小组).
    #[serde(default)]
    pub leading_group: Option<LeadingGroup>,
    /// Further named texts that content may quote, e.g. a superior document's title.
    #[serde(default)]
    pub facts: IndexMap<Spanned<String>, Text>,
    /// The government service hotline printed on publicity.
    #[serde(default)]
    pub hotline: Option<Text>,
    /// A QR code for publicity (flyers, cards, the booklet's back page).
    #[serde(default)]
    pub qr: Option<Qr>,
    /// How the print shop's files are made (`pressroom build --print`).
    #[serde(default)]
    pub print: Option<PrintSpec>,
}

/// A QR code: what it encodes and the caption printed under it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qr {
    /// The text the code holds, usually a web address.
    pub link: Text,
    /// The line under the code, e.g. 扫码了解满意度调查.
    pub caption: Text,
}

/// The print shop's requirements.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintSpec {
    /// Bleed in millimetres (3 unless given).
    #[serde(default)]
    pub bleed: Option<Spanned<f64>>,
    /// The booklet paper's weight in g/m², for creep.
    #[serde(default)]
    pub paper_weight: Option<Spanned<f64>>,
    /// The booklet paper's thickness in millimetres (wins over the weight).
    #[serde(default)]
    pub caliper: Option<Spanned<f64>>,
    /// The press's CMYK ICC profile, a project file.
    #[serde(default)]
    pub profile: Option<Text>,
}

impl CampaignFile {
    /// The campaign year, when the file gives one.
    pub fn year(&self) -> Option<i32> {
        self.year.as_ref().map(|y| y.value)
    }

    /// The issuing office's name ("" when the file gives none; the outputs
    /// that print it require it, see `validate`).
    pub fn office(&self) -> &str {
        self.office.as_ref().map_or("", |o| o.value.as_str())
    }

    /// The city's name, as [`CampaignFile::office`].
    pub fn city(&self) -> &str {
        self.city.as_ref().map_or("", |o| o.value.as_str())
    }

    /// The district's name, as [`CampaignFile::office`].
    pub fn district(&self) -> &str {
        self.district.as_ref().map_or("", |o| o.value.as_str())
    }

    /// The full name of a department by its short name (the short name
    /// itself when it is not registered; validation reports that).
    pub fn department_name(&self, key: &str) -> String {
        self.departments
            .iter()
            .find(|(k, _)| k.value == key)
            .map_or_else(|| key.to_owned(), |(_, v)| v.value.clone())
    }
}

/// What a phase's and a step's texts can refer to as `phase` and `step`.
pub fn phase_context(phase: &Phase) -> serde_json::Value {
    serde_json::json!({ "name": phase.name.value, "end": phase.end.as_ref().map(|e| e.value.to_string()) })
}

/// See [`phase_context`].
pub fn step_context(step: &Step) -> serde_json::Value {
    serde_json::json!({
        "title": step.title.value,
        "due": step.due.as_ref().map(|d| d.value.to_string()),
        "from": step.from.as_ref().map(|d| d.value.to_string()),
        "to": step.to.as_ref().map(|d| d.value.to_string()),
    })
}

/// One survey indicator area.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Short name, used to refer to the area.
    pub id: Text,
    /// The indicator as the survey names it.
    pub indicator: Text,
    /// Lead departments (short names from the registry).
    pub leads: Vec<Text>,
    /// Wording used in the notice's responsibility sentence, when it differs
    /// from `indicator`.
    #[serde(default)]
    pub wording: Option<Text>,
    /// Whether the survey measures this area (false for areas only publicised).
    #[serde(default = "yes")]
    pub in_survey: bool,
}

fn yes() -> bool {
    true
}

/// A phase of the plan's schedule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Heading, e.g. 工作准备阶段.
    pub name: Text,
    /// The phase's closing date, when it has one.
    #[serde(default)]
    pub end: Option<Spanned<Date>>,
    /// Rich text under the phase heading.
    #[serde(default)]
    pub text: Option<Text>,
    /// Numbered steps (1. 2. …).
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// A step of a phase: a task with its timing and responsible units.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Step title, without number and timing.
    pub title: Text,
    /// Deadline: prints as （11月30日前）.
    #[serde(default)]
    pub due: Option<Spanned<Date>>,
    /// Start of a period.
    #[serde(default)]
    pub from: Option<Spanned<Date>>,
    /// End of a period.
    #[serde(default)]
    pub to: Option<Spanned<Date>>,
    /// Open end of a period, in words (至…).
    #[serde(default)]
    pub until: Option<Text>,
    /// Timing in words, when it is not a date.
    #[serde(default)]
    pub when: Option<Text>,
    /// Rich text of the step.
    pub text: Text,
    /// 责任单位.
    #[serde(default)]
    pub responsible: Option<Responsible>,
}

/// The units responsible for a step.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Responsible {
    /// Departments by short name, joined with 、.
    #[serde(default)]
    pub departments: Vec<Text>,
    /// Adds 等部门 after the departments.
    #[serde(default)]
    pub etc: bool,
    /// Further units in words, each after a ，.
    #[serde(default)]
    pub others: Vec<Text>,
}

/// The leading group and its office.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadingGroup {
    /// The group's name.
    pub title: Text,
    /// Members in order.
    pub members: Vec<Member>,
    /// The closing paragraph (where the group's office sits).
    pub note: Text,
}

/// A member of the leading group. The post is either written out (`post`) or
/// made from a registry unit and a title, so renaming a department renames it
/// here too.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// 组长, 副组长 or 组员.
    pub role: Text,
    /// Full name.
    pub name: Text,
    /// The post in words.
    #[serde(default)]
    pub post: Option<Text>,
    /// A department (short name) the post belongs to.
    #[serde(default)]
    pub department: Option<Text>,
    /// A township the post belongs to.
    #[serde(default)]
    pub township: Option<Text>,
    /// The title within the department or township, e.g. 局长.
    #[serde(default)]
    pub title: Option<Text>,
}

/// An official document (公文): `content/notice.yaml` (the campaign's
/// notice) or one of `content/documents/*.yaml`. One shape for every 文种
/// and format; which format it is set in is data (`format`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentFile {
    /// 公文格式: `file` (文件格式, the default), `letter` (信函格式), `order`
    /// (命令格式) or `minutes` (纪要格式).
    #[serde(default)]
    pub format: Option<Spanned<Format>>,
    /// A sample document: every page is marked 示例.
    #[serde(default)]
    pub sample: bool,
    /// 份号: six digits.
    #[serde(default)]
    pub copy_number: Option<Text>,
    /// 密级和保密期限.
    #[serde(default)]
    pub secrecy: Option<Text>,
    /// 紧急程度.
    #[serde(default)]
    pub urgency: Option<Text>,
    /// 发文机关: one, or several for a joint document (main issuer first).
    pub issuers: Vec<Text>,
    /// The issuer mark's text when it is not the issuers' names: a letter's
    /// short name, or a 纪要's name (蚌山区……会议纪要).
    #[serde(default)]
    pub mark: Option<Text>,
    /// Word after the issuer mark, usually 文件 (命令格式: 命令 or 令).
    #[serde(default)]
    pub mark_suffix: Option<Text>,
    /// 发文字号 (命令: 令号, 纪要: 期数). Required for the file and letter formats.
    #[serde(default)]
    pub number: Option<DocNumber>,
    /// 签发人: given only for a document to a superior (上行文).
    #[serde(default)]
    pub signers: Vec<Text>,
    /// The title, one entry per printed line (or one entry, broken by
    /// pressroom). An order or minutes may have none.
    #[serde(default)]
    pub title: Vec<Text>,
    /// 主送机关, ending with ：.
    #[serde(default)]
    pub recipients: Option<Text>,
    /// The document's text (rich text).
    pub body: Text,
    /// 落款: the signature and date. A 纪要 has none.
    #[serde(default)]
    pub signature: Option<Signature>,
    /// 附注.
    #[serde(default)]
    pub note: Option<Text>,
    /// 纪要: who attended (出席), sent apologies (请假) and sat in (列席).
    #[serde(default)]
    pub attendance: Option<Attendance>,
    /// The document the notice issues (the plan), printed after the notice.
    #[serde(default)]
    pub enclosure: Option<Enclosure>,
    /// 附件, in order.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// 版记. A letter's has only 抄送.
    #[serde(default)]
    pub imprint: Option<Imprint>,
}

/// The campaign's notice is a document like any other.
pub type NoticeFile = DocumentFile;

/// The formats of GB/T 9704-2012.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// 文件格式 (7): 通知, 通报, 请示, 报告, 意见, 决定 ….
    #[default]
    File,
    /// 信函格式 (10.1): 函.
    Letter,
    /// 命令（令）格式 (10.2).
    Order,
    /// 纪要格式 (10.3).
    Minutes,
}

impl Format {
    /// The name used in content files and template data.
    pub fn name(self) -> &'static str {
        match self {
            Format::File => "file",
            Format::Letter => "letter",
            Format::Order => "order",
            Format::Minutes => "minutes",
        }
    }
}

impl DocumentFile {
    /// The document's format (文件格式 unless the file says otherwise).
    pub fn format(&self) -> Format {
        self.format.as_ref().map_or(Format::File, |f| f.value)
    }

    /// The date the document carries: its signing date, else its printing
    /// date.
    pub fn date(&self) -> Option<Date> {
        self.signature
            .as_ref()
            .map(|s| s.date.value)
            .or_else(|| self.imprint.as_ref().and_then(|i| i.date.as_ref()).map(|d| d.value))
    }
}

/// 发文字号: agency code, the year, and a sequence number.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocNumber {
    /// Agency code, e.g. 蚌山政办秘 (not used by 命令 and 纪要 numbers).
    #[serde(default)]
    pub agency: Option<Text>,
    /// The year in 〔〕; the campaign year when omitted.
    #[serde(default)]
    pub year: Option<Spanned<i32>>,
    /// Sequence number; empty until the office assigns one.
    #[serde(default)]
    pub sequence: Option<Spanned<u32>>,
}

/// The signature block.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// 成文日期.
    pub date: Spanned<Date>,
    /// The names signed, when they differ from the issuers (e.g. short names).
    #[serde(default)]
    pub names: Vec<Text>,
    /// A seal image (PNG, JPEG or SVG) inside the project.
    #[serde(default)]
    pub seal: Option<Text>,
    /// Joint issuers with seals: one seal image per issuer, in order (S2).
    #[serde(default)]
    pub seals: Vec<Text>,
    /// A signer's signature stamp (签发人签名章, S1), e.g. for 命令 and some 请示.
    #[serde(default)]
    pub stamp: Option<Stamp>,
}

/// 签发人签名章 (S1): the signer's post and the stamp image.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stamp {
    /// The signer's post, e.g. 区长.
    pub post: Text,
    /// The stamp image inside the project.
    pub image: Text,
}

/// 纪要 attendance lists (L5).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attendance {
    /// 出席.
    #[serde(default)]
    pub present: Vec<Text>,
    /// 请假.
    #[serde(default)]
    pub absent: Vec<Text>,
    /// 列席.
    #[serde(default)]
    pub attending: Vec<Text>,
}

/// The plan the notice issues.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enclosure {
    /// Title lines.
    pub title: Vec<Text>,
    /// Text before the first section.
    pub preamble: Text,
    /// Numbered sections (一、二、…).
    pub sections: Vec<Section>,
}

/// A level-1 section of the plan.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Heading, without number.
    pub title: Text,
    /// Rich text.
    #[serde(default)]
    pub text: Option<Text>,
    /// When true, the section is the schedule made from the campaign's phases.
    #[serde(default)]
    pub schedule: bool,
}

/// An attachment (附件): a ready-made table from the campaign data
/// (`table`), or the office's own: rich text (`text`), a table written in
/// YAML (`columns` and `rows`), or a file (`file`: a CSV or XLSX table, or
/// a PDF placed as pages).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// A ready-made table from the campaign data.
    #[serde(default)]
    pub table: Option<Spanned<AttachmentTable>>,
    /// The attachment's title (its name in the 附件说明).
    #[serde(default)]
    pub title: Option<Text>,
    /// Rich text: a plan, a list, a form with blanks.
    #[serde(default)]
    pub text: Option<Text>,
    /// Table columns, for a table written here.
    #[serde(default)]
    pub columns: Vec<ColumnSpec>,
    /// Table rows, for a table written here: one list of cells per row.
    #[serde(default)]
    pub rows: Vec<Vec<Text>>,
    /// A CSV or XLSX file (a table, its first row the header) or a PDF
    /// (its pages placed as the attachment), inside the project.
    #[serde(default)]
    pub file: Option<Text>,
    /// For an XLSX file: the sheet (the first when omitted).
    #[serde(default)]
    pub sheet: Option<Text>,
    /// Set landscape (rule A3); pressroom decides from the width when omitted.
    #[serde(default)]
    pub landscape: Option<bool>,
    /// Cannot be bound with the text (rule S3): its first line carries the
    /// document number and 附件N.
    #[serde(default)]
    pub separate: bool,
}

/// A column of a table written in YAML.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// Header text.
    pub header: Text,
    /// Relative width (roughly characters); from the content when omitted.
    #[serde(default)]
    pub width: Option<f64>,
}

/// The ready-made tables an attachment can print.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentTable {
    /// The leading group.
    LeadingGroup,
    /// Each surveyed indicator and its lead departments.
    Responsibilities,
    /// Each phase and step with dates, tasks and responsible units.
    Schedule,
}

/// 版记.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Imprint {
    /// 抄送 recipients.
    #[serde(default)]
    pub cc: Vec<Text>,
    /// 印发机关; the office when omitted.
    #[serde(default)]
    pub printer: Option<Text>,
    /// 印发日期 (a letter's 版记 has none).
    #[serde(default)]
    pub date: Option<Spanned<Date>>,
}

/// `content/areas/*.yaml`: one indicator area's publicity, written by its
/// lead department.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaFile {
    /// The area's id in the campaign registry.
    pub area: Text,
    /// Lead departments credited (short names).
    pub departments: Vec<Text>,
    /// The campaign year whose facts (figures, things done, photos) the file
    /// holds: `new-year` leaves it at the old year until the file's owner
    /// confirms the file for the new one. Absent means current.
    #[serde(default)]
    pub updated_for: Option<Spanned<i32>>,
    /// Chapter title; the indicator when omitted.
    #[serde(default)]
    pub title: Option<Text>,
    /// One-line headline.
    pub headline: Text,
    /// Rich text.
    pub body: Text,
    /// Key figures (3–6).
    pub figures: Vec<Figure>,
    /// Things done this year.
    #[serde(default)]
    pub done: Vec<Text>,
    /// Photos with captions.
    #[serde(default)]
    pub photos: Vec<Photo>,
    /// Contact line.
    pub contact: Text,
}

/// A key figure: 3200 人 新增城镇就业.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// The number, as printed.
    pub value: Text,
    /// Its unit.
    pub unit: Text,
    /// What it counts.
    pub label: Text,
}

/// A photo file inside the project and its caption.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Photo {
    /// Path relative to the project.
    pub file: Text,
    /// Caption.
    pub caption: Text,
}

/// `content/townships/*.yaml`: a township's flyer content.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TownshipFile {
    /// The township's name, as in the campaign registry.
    pub township: Text,
    /// The campaign year whose facts the file holds, as for areas.
    #[serde(default)]
    pub updated_for: Option<Spanned<i32>>,
    /// Office address.
    pub address: Text,
    /// Service phone.
    pub phone: Text,
    /// Office hours.
    pub hours: Text,
    /// Flyer layout: the name of a template (`flyer`, `card`, or a
    /// project's own).
    #[serde(default)]
    pub layout: Option<Text>,
    /// District areas the flyer's letter features (area ids).
    pub features: Vec<Text>,
    /// Local achievements (3–5; the 明白卡 prints none).
    #[serde(default)]
    pub achievements: Vec<Text>,
    /// Grid workers.
    #[serde(default)]
    pub grid_workers: Vec<GridWorker>,
    /// An optional photo.
    #[serde(default)]
    pub photo: Option<Photo>,
    /// The township's own QR code, instead of the campaign's.
    #[serde(default)]
    pub qr: Option<Qr>,
}

/// A grid worker (网格员).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridWorker {
    /// Name.
    pub name: Text,
    /// Phone.
    pub phone: Text,
    /// The area they cover.
    pub area: Text,
}

/// `content/booklet.yaml`: the booklet's own pages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookletFile {
    /// Cover title.
    pub title: Text,
    /// Cover subtitle.
    #[serde(default)]
    pub subtitle: Option<Text>,
    /// Cover photo.
    #[serde(default)]
    pub cover_photo: Option<Photo>,
    /// Foreword (rich text).
    pub foreword: Text,
    /// Who signs the foreword; the office when omitted.
    #[serde(default)]
    pub foreword_sign: Option<Text>,
    /// Back page heading.
    pub back_title: Text,
    /// Back page text (rich text): what the survey is.
    pub back_text: Text,
}

/// `content/flyer.yaml`: the district's letter to residents, shared by every
/// township's flyer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlyerFile {
    /// Letter title.
    pub title: Text,
    /// Salutation, e.g. 尊敬的居民朋友：
    pub salutation: Text,
    /// Opening paragraph(s) (rich text); `township` is available.
    pub opening: Text,
    /// Closing paragraph(s) (rich text).
    pub closing: Text,
}
