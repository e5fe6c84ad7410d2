//! The official-style lint behind `pressroom check`: rules for the mistakes
//! that slip into yearly notices (a stale year, a zero-padded date, a
//! half-width comma, a department name typed from memory). Every finding
//! has a rule id, a severity, a bilingual message and a file:line:column.
//! A project silences a warning by rule id in `pressroom.yaml`.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use crate::content::model::Text;
use crate::content::{CAMPAIGN_FILE, Content, FLYER_FILE};
use crate::diag::{Diagnostic, Diagnostics, Location, Severity};
use crate::msg;
use crate::render::{locate_in_value, richtext};

/// The project's lint settings file.
pub const CONFIG_FILE: &str = "pressroom.yaml";

/// `pressroom.yaml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Lint settings.
    #[serde(default)]
    pub lint: LintConfig,
}

/// The `lint:` section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// Rule ids whose warnings are not reported.
    #[serde(default)]
    pub allow: Vec<String>,
}

/// Every rule, with what it catches (for `--help`-style listings and docs).
pub const RULES: &[(&str, &str)] = &[
    ("year/literal", "a year written in text that differs from the campaign year"),
    ("date/format", "a date with zero padding or in Chinese numerals"),
    ("docnumber/format", "a document number without 〔〕, with 第, or with a leading zero"),
    ("punct/half-width", "half-width , : ; ? ! ( ) between Chinese characters"),
    ("punct/mixed-brackets", "a bracket pair mixing full- and half-width forms"),
    ("notice/recipients-colon", "recipients (主送机关) not ending with ："),
    ("attachment/name", "an attachment name ending with punctuation"),
    ("heading/skip", "a heading level that skips one (一、 followed by 1.)"),
    ("registry/near-miss", "a department or township name that is a variant of a registered one"),
    ("content/missing", "an indicator area or township without its content file, or an area without photos"),
    ("text/control-char", "an invisible control character in text (it would print as a box or vanish)"),
];

/// Runs every rule over the project's content; warnings allowed by the
/// project's config are dropped.
pub fn lint(content: &Content, config: &Config) -> Diagnostics {
    let mut l = Linter { content, findings: Vec::new(), names: None };
    for t in texts(content) {
        l.text_rules(&t);
    }
    l.notice_rules();
    l.missing_content();
    l.findings
        .into_iter()
        .filter(|d| d.severity == Severity::Error || !config.lint.allow.iter().any(|a| a == d.code))
        .collect()
}

/// Every literal year (a four-digit year before 年 or in brackets) and every
/// literal date (月…日) in text, for `new-year`'s review list.
pub fn literal_years_and_dates(content: &Content) -> Vec<(Location, String)> {
    static DATE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:[0-9]{4}年)?[0-9]{1,2}月[0-9]{1,2}日").expect("valid regex"));
    let mut out = Vec::new();
    for t in texts(content) {
        let masked = TEMPLATE
            .replace_all(&t.text.value, |m: &regex::Captures<'_>| " ".repeat(m[0].len()))
            .into_owned();
        let mut hits: Vec<(usize, String)> = YEAR
            .captures_iter(&masked)
            .filter_map(|c| c.get(1))
            .map(|m| (m.start(), m.as_str().to_owned()))
            .collect();
        hits.extend(DATE.find_iter(&masked).map(|m| (m.start(), m.as_str().to_owned())));
        hits.sort();
        hits.dedup_by(|b, a| b.0 < a.0 + a.1.len());
        for (offset, found) in hits {
            let loc = locate_in_value(&content.sources, &t.file.to_string_lossy(), t.text, offset);
            out.push((loc, found));
        }
    }
    out
}

/// Reads `pressroom.yaml` if the project has one.
pub fn load_config(root: &Path) -> Result<Config, Diagnostic> {
    let path = root.join(CONFIG_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(Config::default()) };
    serde_saphyr::from_str::<Config>(&text).map_err(|e| {
        let mut d = Diagnostic::error(
            "config/invalid",
            msg!(
                "{} 格式错误：{}",
                "{} is invalid: {}",
                CONFIG_FILE,
                e.to_string().lines().next().unwrap_or("")
            ),
        );
        if let Some(loc) = e.location() {
            d = d.at(Location::new(CONFIG_FILE, loc.line() as usize, loc.column() as usize));
        }
        d
    })
}

/// A text value from a content file, with the heading level it sits under
/// (0 for free-standing text).
struct TextRef<'a> {
    file: PathBuf,
    text: &'a Text,
    level: u8,
}

/// Collects text values with where they sit.
struct Collector<'a> {
    out: Vec<TextRef<'a>>,
}

impl<'a> Collector<'a> {
    fn add(&mut self, file: &Path, text: &'a Text, level: u8) {
        self.out.push(TextRef { file: file.to_path_buf(), text, level });
    }
}

/// Every text a clerk wrote, in every content file.
fn texts(content: &Content) -> Vec<TextRef<'_>> {
    let mut col = Collector { out: Vec::new() };
    let mut add = |file: &Path, text, level| col.add(file, text, level);
    let campaign = Path::new(CAMPAIGN_FILE);
    let c = &content.campaign;
    for (_, v) in &c.facts {
        add(campaign, v, 0);
    }
    for phase in &c.phases {
        add(Path::new(CAMPAIGN_FILE), &phase.name, 0);
        if let Some(t) = &phase.text {
            add(Path::new(CAMPAIGN_FILE), t, 2);
        }
        for step in &phase.steps {
            add(Path::new(CAMPAIGN_FILE), &step.title, 0);
            add(Path::new(CAMPAIGN_FILE), &step.text, 3);
            for t in step.until.iter().chain(&step.when) {
                add(Path::new(CAMPAIGN_FILE), t, 0);
            }
            for o in step.responsible.iter().flat_map(|r| &r.others) {
                add(Path::new(CAMPAIGN_FILE), o, 0);
            }
        }
    }
    if let Some(g) = &c.leading_group {
        add(campaign, &g.title, 0);
        add(campaign, &g.note, 0);
        for p in g.members.iter().filter_map(|m| m.post.as_ref()) {
            add(campaign, p, 0);
        }
    }
    for (notice, n) in content.official() {
        for t in n.title.iter().chain(&n.issuers).chain(&n.recipients).chain(&n.mark) {
            add(notice, t, 0);
        }
        add(notice, &n.body, 0);
        if let Some(note) = &n.note {
            add(notice, note, 0);
        }
        for cc in n.imprint.iter().flat_map(|i| &i.cc) {
            add(notice, cc, 0);
        }
        for a in &n.attachments {
            for t in a.title.iter().chain(&a.text) {
                add(notice, t, 0);
            }
        }
        if let Some(e) = &n.enclosure {
            for t in &e.title {
                add(notice, t, 0);
            }
            add(notice, &e.preamble, 0);
            for s in &e.sections {
                add(notice, &s.title, 0);
                if let Some(t) = &s.text {
                    add(notice, t, 1);
                }
            }
        }
    }
    for (file, a) in &content.areas {
        for t in [&a.headline, &a.body, &a.contact].into_iter().chain(a.title.as_ref()) {
            add(file, t, 0);
        }
        for t in &a.done {
            add(file, t, 0);
        }
        for f in &a.figures {
            add(file, &f.label, 0);
        }
        for p in &a.photos {
            add(file, &p.caption, 0);
        }
    }
    for (file, t) in &content.townships {
        for x in [&t.address, &t.hours].into_iter().chain(&t.achievements) {
            add(file, x, 0);
        }
        for w in &t.grid_workers {
            add(file, &w.area, 0);
        }
        if let Some(p) = &t.photo {
            add(file, &p.caption, 0);
        }
    }
    if let Some(b) = &content.booklet {
        let f = Path::new(crate::content::BOOKLET_FILE);
        for t in [&b.title, &b.foreword, &b.back_title, &b.back_text] {
            add(f, t, 0);
        }
    }
    if let Some(fl) = &content.flyer {
        let f = Path::new(FLYER_FILE);
        for t in [&fl.title, &fl.salutation, &fl.opening, &fl.closing] {
            add(f, t, 0);
        }
    }
    col.out
}

static TEMPLATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}").expect("valid regex"));
static YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9])((?:19|20)[0-9]{2})(?:年|〕|\]|］|）|\))").expect("valid regex")
});
static PADDED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:[0-9]{4}年)?0[1-9]月|月0[1-9]日").expect("valid regex"));
static CN_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[〇零一二三四五六七八九]{4}年").expect("valid regex"));
static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\p{Han}{2,8}(?:〔|\[|［|\(|（|【)(?:19|20)[0-9]{2}(?:〕|\]|］|\)|）|】)(第?)(0*)([0-9]+)号")
        .expect("valid regex")
});
static HALF_PUNCT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Han}([,:;?!])\p{Han}|\p{Han}(\()|(\))\p{Han}").expect("valid regex"));
static MIXED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"（[^（）()]*\)|\([^（）()]*）").expect("valid regex"));
static NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[区市县][\p{Han}]{2,12}?(?:局|委|办公室|分局|中心|街道|乡)").expect("valid regex")
});

struct Linter<'a> {
    content: &'a Content,
    findings: Diagnostics,
    /// Registered department and township names, and every part of each
    /// (made once: a district may have thousands of townships).
    names: Option<KnownNames<'a>>,
}

struct KnownNames<'a> {
    all: Vec<&'a str>,
    whole: std::collections::HashSet<&'a str>,
    parts: std::collections::HashSet<&'a str>,
}

impl<'a> KnownNames<'a> {
    fn new(content: &'a Content) -> Self {
        let c = &content.campaign;
        let all: Vec<&str> = c
            .departments
            .values()
            .map(|v| v.value.as_str())
            .chain(c.townships.iter().map(|t| t.value.as_str()))
            .collect();
        // Names a document gives as its own (issuers, signers, who attended,
        // who gets a copy) are the office's to choose, not near-misses; they
        // are never offered as corrections either.
        let own: Vec<&str> = content
            .official()
            .flat_map(|(_, d)| {
                let signature = d.signature.iter().flat_map(|s| s.names.iter());
                let attendance =
                    d.attendance.iter().flat_map(|a| a.present.iter().chain(&a.absent).chain(&a.attending));
                let cc = d.imprint.iter().flat_map(|i| i.cc.iter());
                d.issuers.iter().chain(signature).chain(attendance).chain(cc)
            })
            .map(|t| t.value.as_str())
            .filter(|v| !v.contains("{{"))
            .collect();
        let parts = all.iter().chain(&own).flat_map(|name| substrings(name)).collect();
        let whole = all.iter().chain(&own).copied().collect();
        Self { all, whole, parts }
    }

    /// Whether `found` is part of a known name, or contains one.
    fn covers(&self, found: &str) -> bool {
        self.parts.contains(found) || substrings(found).any(|part| self.whole.contains(part))
    }
}

/// Every non-empty substring of `s` on character boundaries.
fn substrings(s: &str) -> impl Iterator<Item = &str> {
    let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    let n = bounds.len();
    (0..n).flat_map(move |i| (i + 1..n).map(move |j| (i, j))).map(move |(i, j)| &s[bounds[i]..bounds[j]])
}

impl Linter<'_> {
    fn at(&self, t: &TextRef<'_>, offset: usize) -> Location {
        locate_in_value(&self.content.sources, &t.file.to_string_lossy(), t.text, offset)
    }

    fn warn(&mut self, t: &TextRef<'_>, offset: usize, d: Diagnostic) {
        let loc = self.at(t, offset);
        self.findings.push(d.at(loc));
    }

    fn text_rules(&mut self, t: &TextRef<'_>) {
        // Template expressions are data, not literal text: blank them out,
        // keeping byte offsets.
        let raw = &t.text.value;
        // Control characters never print right; refuse them where they are.
        for (i, c) in raw.char_indices().filter(|(_, c)| c.is_control() && !matches!(c, '\n' | '\t')) {
            let loc = self.at(t, i);
            self.findings.push(
                Diagnostic::error(
                    "text/control-char",
                    msg!(
                        "文字中有不可见的控制字符 U+{:04X}",
                        "the text holds an invisible control character U+{:04X}",
                        c as u32
                    ),
                )
                .at(loc)
                .hint(msg!(
                    "删除它（多见于从网页或聊天软件复制的文字）。",
                    "delete it (it usually comes from text copied from a web page or a chat app)."
                )),
            );
        }
        let masked = TEMPLATE.replace_all(raw, |m: &regex::Captures<'_>| " ".repeat(m[0].len())).into_owned();
        // Without a campaign year there is no year to be out of date with.
        let year = self.content.campaign.year();
        for cap in YEAR.captures_iter(&masked) {
            let Some(m) = cap.get(1) else { continue };
            let Ok(found) = m.as_str().parse::<i32>() else { continue };
            if let Some(year) = year
                && found != year
            {
                self.warn(
                    t,
                    m.start(),
                    Diagnostic::warning(
                        "year/literal",
                        msg!(
                            "文中写的年份 {} 与活动年度 {} 不同",
                            "the text says {} but the campaign year is {}",
                            found,
                            year
                        ),
                    )
                    .hint(msg!(
                        "若指本年度，请写 {{{{ year }}}}；若确指其他年份，可保留。",
                        "if it means this year, write {{{{ year }}}}; if another year is meant, keep it."
                    )),
                );
            }
        }
        for m in PADDED.find_iter(&masked) {
            self.warn(
                t,
                m.start(),
                Diagnostic::warning(
                    "date/format",
                    msg!("日期“{}”不应补零", "the date “{}” must not be zero-padded", m.as_str()),
                )
                .hint(msg!("写作 2023年1月5日。", "write it as 2023年1月5日.")),
            );
        }
        for m in CN_DATE.find_iter(&masked) {
            self.warn(
                t,
                m.start(),
                Diagnostic::warning(
                    "date/format",
                    msg!("日期“{}”应使用阿拉伯数字", "the date “{}” must use Arabic numerals", m.as_str()),
                )
                .hint(msg!("写作 2023年11月25日。", "write it as 2023年11月25日.")),
            );
        }
        for cap in DOC_NUMBER.captures_iter(&masked) {
            let Some(all) = cap.get(0) else { continue };
            let text = all.as_str();
            let bad_bracket = !text.contains('〔') || !text.contains('〕');
            let di = cap.get(1).is_some_and(|m| !m.as_str().is_empty());
            let zero = cap.get(2).is_some_and(|m| !m.as_str().is_empty());
            if bad_bracket || di || zero {
                self.warn(
                    t,
                    all.start(),
                    Diagnostic::warning(
                        "docnumber/format",
                        msg!(
                            "发文字号“{}”格式不规范",
                            "the document number “{}” is not in the standard form",
                            text
                        ),
                    )
                    .hint(msg!(
                        "年份用六角括号〔〕，序号不加“第”、不补零，如：蚌山政办秘〔2023〕82号。",
                        "put the year in 〔〕, no 第, no leading zero, e.g. 蚌山政办秘〔2023〕82号."
                    )),
                );
            }
        }
        for cap in HALF_PUNCT.captures_iter(&masked) {
            let Some(m) = cap.get(1).or_else(|| cap.get(2)).or_else(|| cap.get(3)) else { continue };
            self.warn(
                t,
                m.start(),
                Diagnostic::warning(
                    "punct/half-width",
                    msg!(
                        "中文之间使用了半角标点“{}”",
                        "half-width “{}” between Chinese characters",
                        m.as_str()
                    ),
                )
                .hint(msg!(
                    "请改用全角标点（，：；？！（））。",
                    "use the full-width form (，：；？！（）)."
                )),
            );
        }
        for m in MIXED.find_iter(&masked) {
            self.warn(
                t,
                m.start(),
                Diagnostic::warning(
                    "punct/mixed-brackets",
                    msg!("括号全角、半角混用：“{}”", "a bracket pair mixes widths: “{}”", m.as_str()),
                )
                .hint(msg!("左右括号都用全角（）。", "use full-width （） on both sides.")),
            );
        }
        self.heading_levels(t, &masked);
        self.near_misses(t, &masked);
    }

    /// Headings in a text go down one level at a time from the level the
    /// text sits under.
    fn heading_levels(&mut self, t: &TextRef<'_>, masked: &str) {
        let mut level = t.level;
        let mut offset = 0;
        for line in masked.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if let Some((l, number)) = richtext::numbering(trimmed) {
                if l > level + 1 {
                    let start = offset + (line.len() - trimmed.len());
                    self.warn(
                        t,
                        start,
                        Diagnostic::warning(
                            "heading/skip",
                            msg!(
                                "标题层级跳级：“{}”前缺少上一级标题",
                                "heading level skipped: “{}” has no heading of the level above it",
                                number
                            ),
                        )
                        .hint(msg!(
                            "公文层次依次为 一、（一）1.（1），不能越级。",
                            "levels go 一、 then （一） then 1. then （1）, without skipping."
                        )),
                    );
                }
                level = l;
            }
            offset += line.len();
        }
    }

    /// Names that look like a registered department or township with
    /// characters dropped or added: typed from memory.
    fn near_misses(&mut self, t: &TextRef<'_>, masked: &str) {
        let content = self.content;
        let known = self.names.get_or_insert_with(|| KnownNames::new(content));
        let mut misses = Vec::new();
        for m in NAME.find_iter(masked) {
            let found = m.as_str();
            if known.covers(found) {
                continue;
            }
            if let Some(close) = known.all.iter().find(|k| variant_of(found, k)) {
                misses.push((m.start(), found, *close));
            }
        }
        for (start, found, close) in misses {
            self.warn(
                t,
                start,
                Diagnostic::warning(
                    "registry/near-miss",
                    msg!("“{}”不在名录中", "“{}” is not in the registry", found),
                )
                .hint(msg!(
                    "您是否想写“{}”？名称以 content/campaign.yaml 为准，可写作 {{{{ departments.简称 }}}}。",
                    "did you mean “{}”? Names come from content/campaign.yaml; write {{{{ departments.<short> }}}}.",
                    close
                )),
            );
        }
    }

    fn notice_rules(&mut self) {
        let content = self.content;
        for (notice, recipients) in
            content.official().filter_map(|(p, d)| d.recipients.as_ref().map(|r| (p, r)))
        {
            if recipients.value.trim_end().ends_with('：') {
                continue;
            }
            let t = TextRef { file: notice.to_path_buf(), text: recipients, level: 0 };
            // Point at the last character (a byte offset on its boundary).
            let end = recipients.value.trim_end().char_indices().last().map_or(0, |(i, _)| i + 1);
            self.findings.push(
                Diagnostic::error(
                    "notice/recipients-colon",
                    msg!(
                        "主送机关应以全角冒号“：”结尾",
                        "recipients (主送机关) must end with a full-width colon “：”"
                    ),
                )
                .at(self.at(&t, end.saturating_sub(1)))
                .hint(msg!("在末尾加“：”。", "end the line with “：”.")),
            );
        }
        if let Some(g) = &self.content.campaign.leading_group {
            let title = g.title.value.trim_end();
            if title.ends_with(['。', '，', '；', '：', '.', ',', ';', ':']) {
                let t = TextRef { file: PathBuf::from(CAMPAIGN_FILE), text: &g.title, level: 0 };
                self.warn(
                    &t,
                    title.len().saturating_sub(1),
                    Diagnostic::warning(
                        "attachment/name",
                        msg!("附件名称末尾不加标点", "an attachment name must not end with punctuation"),
                    ),
                );
            }
        }
    }

    fn missing_content(&mut self) {
        let c = &self.content.campaign;
        let campaign = Path::new(CAMPAIGN_FILE);
        for area in &c.areas {
            match self.content.areas.iter().find(|(_, a)| a.area.value == area.id.value) {
                None if !self.content.areas.is_empty() => self.findings.push(
                    Diagnostic::warning(
                        "content/missing",
                        msg!(
                            "指标领域“{}”还没有宣传内容文件（content/areas/）",
                            "indicator area “{}” has no content file yet (content/areas/)",
                            area.id.value
                        ),
                    )
                    .at(self.content.sources.locate(campaign, &area.id.referenced)),
                ),
                Some((file, a)) if a.photos.is_empty() => self.findings.push(
                    Diagnostic::warning(
                        "content/missing",
                        msg!("指标领域“{}”没有照片", "indicator area “{}” has no photos", area.id.value),
                    )
                    .at(self.content.sources.locate(file, &a.area.referenced)),
                ),
                _ => {}
            }
        }
        if self.content.townships.is_empty() || self.content.townships_selected {
            return;
        }
        let with_files: std::collections::HashSet<&str> =
            self.content.townships.iter().map(|(_, f)| f.township.value.as_str()).collect();
        let missing: Vec<_> = c.townships.iter().filter(|t| !with_files.contains(t.value.as_str())).collect();
        // A new campaign may register hundreds of townships before their files
        // arrive: past a few, one finding that counts them reads better (and
        // renders faster) than a screenful of identical warnings.
        if missing.len() <= MISSING_ONE_BY_ONE {
            for t in missing {
                let at = self.content.sources.locate(campaign, &t.referenced);
                self.findings.push(township_without_file(&t.value).at(at));
            }
            return;
        }
        let named: Vec<&str> = missing.iter().take(MISSING_NAMED).map(|t| t.value.as_str()).collect();
        let (zh_more, en_more) = match missing.len() - named.len() {
            0 => (String::new(), String::new()),
            n => (" 等".to_owned(), format!(" and {n} more")),
        };
        let message = crate::diag::Msg::new(
            format!(
                "{} 个乡街还没有传单内容文件（content/townships/）：{}{zh_more}",
                missing.len(),
                named.join("、")
            ),
            format!(
                "{} townships have no flyer content file yet (content/townships/): {}{en_more}",
                missing.len(),
                named.join(", ")
            ),
        );
        let hint = msg!(
            "标出的是第一个；在 content/townships/ 下为每个乡街建一个文件，写明 township: 乡街名称",
            "the first one is marked; add one file per township in content/townships/, with `township: <its name>`"
        );
        let at = self.content.sources.locate(campaign, &missing[0].referenced);
        self.findings.push(Diagnostic::warning("content/missing", message).hint(hint).at(at));
    }
}

/// Townships without a file reported one by one; more are counted in one finding.
const MISSING_ONE_BY_ONE: usize = 3;
/// How many of the counted townships the one finding names.
const MISSING_NAMED: usize = 5;

fn township_without_file(name: &str) -> Diagnostic {
    Diagnostic::warning(
        "content/missing",
        msg!(
            "乡街“{}”还没有传单内容文件（content/townships/）",
            "township “{}” has no flyer content file yet (content/townships/)",
            name
        ),
    )
}

/// Whether `found` is `known` with one to three characters dropped or up to
/// two added (keeping order): the usual shape of a name typed from memory.
/// Substitutions are not variants: 区政协办公室 is not 区政府办公室.
fn variant_of(found: &str, known: &str) -> bool {
    let (f, k) = (found.chars().count(), known.chars().count());
    (k > f && k - f <= 3 && subsequence(found, known)) || (f > k && f - k <= 2 && subsequence(known, found))
}

fn subsequence(short: &str, long: &str) -> bool {
    let mut it = long.chars();
    short.chars().all(|c| it.any(|l| l == c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_are_variants_but_other_bodies_are_not() {
        assert!(variant_of("区人力资源社保局", "区人力资源社会保障局"));
        assert!(!variant_of("区政协办公室", "区政府办公室"));
        assert!(!variant_of("区委办公室", "区政府办公室"));
    }

    #[test]
    fn patterns_match_what_they_should() {
        assert!(YEAR.is_match("下发《蚌山区2022年群众满意度》"));
        assert!(!YEAR.is_match("热线12345，新增2300户"));
        assert!(
            PADDED.is_match("2023年01月5日") && PADDED.is_match("11月05日") && !PADDED.is_match("11月5日")
        );
        assert!(CN_DATE.is_match("二〇二三年十一月"));
        let bad = ["蚌山政办秘[2023]82号", "蚌山政办秘〔2023〕第82号", "蚌山政办秘〔2023〕082号"];
        for b in bad {
            let cap = DOC_NUMBER.captures(b).expect("a document number");
            let ok = b.contains('〔') && cap[1].is_empty() && cap[2].is_empty();
            assert!(!ok, "{b} should be flagged");
        }
        assert!(
            HALF_PUNCT.is_match("部门,乡街")
                && HALF_PUNCT.is_match("社区(中心")
                && !HALF_PUNCT.is_match("12,345")
        );
        assert!(MIXED.is_match("（社区中心)") && !MIXED.is_match("（社区中心）"));
    }
}
