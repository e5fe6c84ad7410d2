//! Semantic checks that the type system cannot express: references into the
//! registries, dates in order, required pairs. All problems are collected.

use std::collections::HashSet;
use std::path::Path;

use super::model::{Attachment, AttachmentTable, CampaignFile, DocumentFile, Format, Step, Text};
use super::{CAMPAIGN_FILE, Content, Sources};
use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::msg;

/// Checks that every photo named by area and township files exists inside
/// the project (builds check this as they go; `check` asks up front).
pub fn photos(content: &Content) -> Diagnostics {
    let mut v = Validator { root: &content.root, sources: &content.sources, diags: Vec::new() };
    for (file, a) in &content.areas {
        for p in &a.photos {
            v.image(&p.file, &file.to_string_lossy());
        }
    }
    for (file, t) in &content.townships {
        if let Some(p) = &t.photo {
            v.image(&p.file, &file.to_string_lossy());
        }
    }
    if let Some(p) = content.booklet.as_ref().and_then(|b| b.cover_photo.as_ref()) {
        v.image(&p.file, super::BOOKLET_FILE);
    }
    v.diags
}

/// Checks campaign and notice together; returns every finding.
pub fn validate(content: &Content) -> Diagnostics {
    let mut v = Validator { root: &content.root, sources: &content.sources, diags: Vec::new() };
    v.campaign(&content.campaign);
    // The booklet, flyers and the area and township files print the
    // campaign's own facts; a project of documents alone needs none.
    let campaign_outputs = content.booklet.is_some()
        || content.flyer.is_some()
        || !content.areas.is_empty()
        || !content.townships.is_empty();
    if campaign_outputs {
        v.campaign_facts(&content.campaign);
    }
    for (path, doc) in content.official() {
        v.document(&content.campaign, path, doc);
        v.campaign_parts(&content.campaign, path, doc);
    }
    v.areas(content);
    v.townships(content);
    v.limits(content);
    v.facts_year(content);
    v.diags
}

/// Files still holding an earlier year's facts reported one by one; beyond,
/// one finding names them.
const ONE_BY_ONE: usize = 3;
/// How many of them that one finding names.
const NAMED: usize = 12;

/// Who confirms a file's facts for a new year: an area file's lead
/// departments, a township file's township.
pub fn owner(content: &Content, file: &Path) -> String {
    if let Some((_, a)) = content.areas.iter().find(|(p, _)| p == file) {
        let names: Vec<String> =
            a.departments.iter().map(|d| content.campaign.department_name(&d.value)).collect();
        return names.join("、");
    }
    content
        .townships
        .iter()
        .find(|(p, _)| p == file)
        .map(|(_, t)| t.township.value.clone())
        .unwrap_or_default()
}

/// Whether a township's flyer is the built-in 明白卡, which prints neither
/// achievements, grid workers nor a photo.
fn is_card(t: &super::model::TownshipFile) -> bool {
    t.layout.as_ref().is_some_and(|l| l.value == "card")
}

/// The characters a reader sees of a content text: `**` marks dropped, an
/// expression counted as four (a year, a short name).
fn seen_chars(text: &str) -> usize {
    let mut n = 0;
    let mut rest = text.trim();
    while let Some(start) = rest.find("{{") {
        n += rest[..start].replace("**", "").chars().count() + 4;
        rest = rest[start..].find("}}").map_or("", |end| &rest[start + end + 2..]);
    }
    n + rest.replace("**", "").chars().count()
}

/// What a limit the files' comments and the README state is about, in both
/// languages.
type What = (&'static str, &'static str);

struct Validator<'a> {
    root: &'a Path,
    sources: &'a Sources,
    diags: Diagnostics,
}

impl Validator<'_> {
    fn error(&mut self, file: impl AsRef<Path>, at: &serde_saphyr::Location, d: Diagnostic) {
        let loc = self.sources.locate(file.as_ref(), at);
        self.diags.push(d.at(loc));
    }

    /// Area and township files whose facts are an earlier year's (after
    /// `new-year`, until their owners confirm them), and a year that is not
    /// the campaign's yet.
    fn facts_year(&mut self, content: &Content) {
        let Some(year) = content.campaign.year() else { return };
        let files = content
            .areas
            .iter()
            .map(|(p, a)| (p, a.updated_for.as_ref()))
            .chain(content.townships.iter().map(|(p, t)| (p, t.updated_for.as_ref())));
        let mut stale = Vec::new();
        for (file, updated) in files {
            let Some(u) = updated else { continue };
            if u.value > year {
                self.error(
                    file,
                    &u.referenced,
                    Diagnostic::error(
                        "content/updated-for",
                        msg!(
                            "updated_for: {} 晚于活动年度 {}",
                            "updated_for: {} is later than the campaign year {}",
                            u.value,
                            year
                        ),
                    )
                    .hint(msg!(
                        "写本文件内容所属的年度，即 {}。",
                        "give the year the file's facts are for: {}.",
                        year
                    )),
                );
            } else if u.value < year {
                stale.push((file, u));
            }
        }
        // One by one for a few; a new year with every file stale (hundreds
        // of townships) is one finding naming them, not hundreds.
        if stale.len() <= ONE_BY_ONE {
            for (file, u) in stale {
                let who = owner(content, file);
                self.error(
                    file,
                    &u.referenced,
                    Diagnostic::warning(
                        "content/not-updated",
                        msg!(
                            "本文件的数字、实事和照片还是 {} 年度的，尚未按 {} 年度核对更新（负责：{}），只能印成草稿",
                            "this file's figures, things done and photos are still {}'s, not yet updated for {} (owner: {}); it prints only as a draft",
                            u.value,
                            year,
                            who
                        ),
                    )
                    .hint(msg!(
                        "{}核对并更新本文件后，把 updated_for 改为 {}。",
                        "once {} has checked and updated the file, change updated_for to {}.",
                        who,
                        year
                    )),
                );
            }
            return;
        }
        let Some((first, u)) = stale.first().copied() else { return };
        let shown: Vec<String> = stale
            .iter()
            .take(NAMED)
            .map(|(f, _)| format!("{}（{}）", f.display(), owner(content, f)))
            .collect();
        let more = stale.len().saturating_sub(NAMED);
        let (more_zh, more_en) = if more > 0 {
            (format!(" 等 {} 个", stale.len()), format!(" and {more} more"))
        } else {
            Default::default()
        };
        self.error(
            first,
            &u.referenced,
            Diagnostic::warning(
                "content/not-updated",
                crate::diag::Msg::new(
                    format!(
                        "{} 个文件的数字、实事和照片还是往年的，尚未按 {year} 年度核对更新，用到它们的宣传册和传单只能印成草稿：{}{more_zh}",
                        stale.len(),
                        shown.join("、")
                    ),
                    format!(
                        "{} files still hold an earlier year's figures, things done and photos, not yet updated for {year}; the booklet and flyers that print them are drafts: {}{more_en}",
                        stale.len(),
                        shown.join(", ")
                    ),
                ),
            )
            .hint(msg!(
                "各负责单位核对并更新后，把文件中的 updated_for 改为 {}；全部文件和负责单位见核对清单 new-year-review.md。",
                "once each owner has checked and updated a file, change its updated_for to {}; the review list new-year-review.md names every file and owner.",
                year
            )),
        );
    }

    fn areas(&mut self, content: &Content) {
        let c = &content.campaign;
        let depts: Vec<&str> = c.departments.keys().map(|k| k.value.as_str()).collect();
        let ids: Vec<&str> = c.areas.iter().map(|a| a.id.value.as_str()).collect();
        let mut seen: Vec<(&str, &Path)> = Vec::new();
        for (file, a) in &content.areas {
            if !ids.contains(&a.area.value.as_str()) {
                let mut d = Diagnostic::error(
                    "content/unknown-area",
                    msg!("未知的指标领域“{}”", "unknown indicator area “{}”", a.area.value),
                );
                d = match did_you_mean(&a.area.value, ids.iter().copied()) {
                    Some(s) => d.hint(msg!("您是否想写“{}”？", "did you mean “{}”?", s)),
                    None => {
                        d.hint(msg!("可用的领域：{}", "areas in content/campaign.yaml: {}", ids.join("、")))
                    }
                };
                self.error(file, &a.area.referenced, d);
            } else if let Some((_, other)) = seen.iter().find(|(id, _)| *id == a.area.value) {
                let other = other.display().to_string();
                self.error(
                    file,
                    &a.area.referenced,
                    Diagnostic::error(
                        "content/duplicate-area",
                        msg!(
                            "领域“{}”已由 {} 提供",
                            "area “{}” is already covered by {}",
                            a.area.value,
                            other
                        ),
                    ),
                );
            } else {
                seen.push((a.area.value.as_str(), file));
            }
            for d in &a.departments {
                self.department(d, &depts, &file.to_string_lossy());
            }
            if !(3..=6).contains(&a.figures.len()) {
                self.error(
                    file,
                    &a.figures.first().map_or(&a.area, |f| &f.value).referenced,
                    Diagnostic::error(
                        "content/figures-count",
                        msg!(
                            "关键数据应为 3 至 6 项，现有 {} 项",
                            "give 3 to 6 key figures; there are {}",
                            a.figures.len()
                        ),
                    ),
                );
            }
        }
    }

    fn townships(&mut self, content: &Content) {
        let c = &content.campaign;
        let names: Vec<&str> = c.townships.iter().map(|t| t.value.as_str()).collect();
        let ids: Vec<&str> = c.areas.iter().map(|a| a.id.value.as_str()).collect();
        // Sets: a district may have thousands of township files.
        let registered: std::collections::HashSet<&str> = names.iter().copied().collect();
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (file, t) in &content.townships {
            let f = file.to_string_lossy();
            if !registered.contains(t.township.value.as_str()) {
                // A near name is a typo only if that township has no file of
                // its own; else this is a new township to register.
                let own: std::collections::HashSet<&str> =
                    content.townships.iter().map(|(_, t)| t.township.value.as_str()).collect();
                let free: Vec<&str> = names.iter().copied().filter(|n| !own.contains(n)).collect();
                self.unregistered(&t.township, &free, &f);
            }
            if !seen.insert(&t.township.value) {
                self.error(
                    file,
                    &t.township.referenced,
                    Diagnostic::error(
                        "content/duplicate-township",
                        msg!("乡街“{}”有两个文件", "township “{}” has two files", t.township.value),
                    ),
                );
            }
            for feature in &t.features {
                if !ids.contains(&feature.value.as_str()) {
                    let mut d = Diagnostic::error(
                        "content/unknown-area",
                        msg!("未知的指标领域“{}”", "unknown indicator area “{}”", feature.value),
                    );
                    if let Some(s) = did_you_mean(&feature.value, ids.iter().copied()) {
                        d = d.hint(msg!("您是否想写“{}”？", "did you mean “{}”?", s));
                    }
                    self.error(file, &feature.referenced, d);
                }
            }
            let card = is_card(t);
            if card {
                self.dropped_by_card(file, t);
            } else if !(3..=5).contains(&t.achievements.len()) {
                self.error(
                    file,
                    &t.achievements.first().unwrap_or(&t.township).referenced,
                    Diagnostic::error(
                        "content/achievements-count",
                        msg!(
                            "本辖区成绩应为 3 至 5 条，现有 {} 条",
                            "give 3 to 5 local achievements; there are {}",
                            t.achievements.len()
                        ),
                    ),
                );
            }
        }
    }

    /// The facts that the booklet and flyers print.
    fn campaign_facts(&mut self, c: &CampaignFile) {
        let given = [
            ("year", c.year.is_some()),
            ("city", c.city.is_some()),
            ("district", c.district.is_some()),
            ("office", c.office.is_some()),
        ];
        for (name, _) in given.iter().filter(|(_, g)| !g) {
            self.diags.push(
                Diagnostic::error(
                    "content/campaign-fact",
                    msg!(
                        "{} 中缺少 {}：宣传册、传单和各领域、乡街文件都要用到它",
                        "{} has no {}: the booklet, the flyers and the area and township files use it",
                        CAMPAIGN_FILE,
                        name
                    ),
                )
                .at(crate::diag::Location::file(Path::new(CAMPAIGN_FILE)))
                .hint(msg!("补上 `{}:` 一项。", "add a `{}:` entry.", name)),
            );
        }
    }

    /// The parts of the campaign a document prints: its ready-made tables,
    /// a schedule section, the office as 印发机关.
    fn campaign_parts(&mut self, c: &CampaignFile, path: &Path, n: &DocumentFile) {
        let missing = |(zh, en): (&str, &str), key: &str| {
            Diagnostic::error(
                "content/campaign-part",
                crate::diag::Msg::new(
                    format!("本文件用到了活动的{zh}，但 {CAMPAIGN_FILE} 中没有 {key}"),
                    format!("this document uses the campaign's {en}, but {CAMPAIGN_FILE} has no {key}"),
                ),
            )
            .hint(msg!(
                "在 {} 中写上 {}，或在本文件中直接写出内容。",
                "give {1} in {0}, or write the content in this document instead.",
                CAMPAIGN_FILE,
                key
            ))
        };
        for a in &n.attachments {
            let Some(t) = &a.table else { continue };
            let absent = match t.value {
                AttachmentTable::LeadingGroup => {
                    c.leading_group.is_none().then_some((("领导小组", "leading group"), "leading_group"))
                }
                AttachmentTable::Responsibilities => {
                    c.areas.is_empty().then_some((("指标领域", "indicator areas"), "areas"))
                }
                AttachmentTable::Schedule => {
                    c.phases.is_empty().then_some((("工作阶段", "plan phases"), "phases"))
                }
            };
            if let Some((what, key)) = absent {
                self.error(path, &t.referenced, missing(what, key));
            }
        }
        for s in n.enclosure.iter().flat_map(|e| &e.sections) {
            if s.schedule && c.phases.is_empty() {
                self.error(path, &s.title.referenced, missing(("工作阶段", "plan phases"), "phases"));
            }
        }
        if let Some(im) = &n.imprint
            && im.printer.is_none()
            && c.office.is_none()
            && n.format() != Format::Letter
        {
            let d =
                missing(("发文机关名称（作版记的印发机关）", "office name (the 版记's 印发机关)"), "office")
                    .hint(msg!(
                        "在 imprint 下写 printer（印发机关），或在 {} 中写 office。",
                        "give printer (印发机关) under imprint, or office in {}.",
                        CAMPAIGN_FILE
                    ));
            match im.cc.first().map(|t| &t.referenced).or(im.date.as_ref().map(|d| &d.referenced)) {
                Some(at) => self.error(path, at, d),
                None => self.diags.push(d.at(crate::diag::Location::file(path))),
            }
        }
    }

    /// Every limit the example's comments and the README state (issue 13):
    /// a count the layout cannot hold is an error, any other a warning,
    /// each at its place.
    fn limits(&mut self, content: &Content) {
        use crate::diag::Severity::{Error, Warning};
        // An area file's text and photos are the booklet's chapter.
        let booklet = content.booklet.is_some();
        for (file, a) in content.areas.iter().filter(|_| booklet) {
            self.chars(file, &a.headline, ("一句话标题", "the headline"), 12..=20);
            let paras: Vec<&str> = a.body.value.lines().filter(|l| !l.trim().is_empty()).collect();
            self.count(file, &a.body, ("正文段落", "body paragraphs", "段"), paras.len(), 2..=3, Warning);
            let total = paras.iter().map(|p| seen_chars(p)).sum::<usize>();
            if !(200..=320).contains(&total) {
                self.limit_found(
                    file,
                    &a.body,
                    Warning,
                    msg!("正文共 {} 字，应为 200–320 字", "the body has {} characters; give 200–320", total),
                );
            }
            for f in &a.figures {
                self.chars(file, &f.label, ("关键数据的说明（label）", "a key figure's label"), 4..=8);
            }
            if !a.done.is_empty() {
                self.count(file, &a.done[0], ("实事", "things done", "条"), a.done.len(), 4..=6, Warning);
            }
            for d in &a.done {
                self.chars(file, d, ("一条实事", "a thing done"), 15..=30);
            }
            // The booklet's photo layouts hold one to five photos.
            let at = a.photos.first().map_or(&a.area, |p| &p.file);
            self.count(
                file,
                at,
                ("照片", "photos", "张"),
                a.photos.len(),
                1..=5,
                if a.photos.len() > 5 { Error } else { Warning },
            );
            for p in &a.photos {
                self.chars(file, &p.caption, ("照片说明（caption）", "a photo caption"), 8..=16);
            }
        }
        for (file, t) in &content.townships {
            // Three or four of the campaign's areas, or all of fewer.
            let at = t.features.first().unwrap_or(&t.township);
            let areas = content.campaign.areas.len();
            self.count(
                file,
                at,
                ("重点介绍的领域（features）", "featured areas (features)", "个"),
                t.features.len(),
                3.min(areas)..=4,
                Warning,
            );
            // The card prints none of what follows (see `dropped_by_card`).
            if is_card(t) {
                continue;
            }
            for a in &t.achievements {
                self.chars(file, a, ("一条本辖区成绩", "an achievement"), 20..=40);
            }
            let at = t.grid_workers.first().map_or(&t.township, |g| &g.name);
            self.count(file, at, ("网格员", "grid workers", "人"), t.grid_workers.len(), 3..=6, Warning);
            if let Some(p) = &t.photo {
                self.chars(file, &p.caption, ("照片说明（caption）", "a photo caption"), 8..=16);
            }
        }
    }

    fn chars(&mut self, file: &Path, text: &Text, (zh, en): What, range: std::ops::RangeInclusive<usize>) {
        let n = seen_chars(&text.value);
        if !range.contains(&n) {
            let (lo, hi) = (range.start(), range.end());
            self.limit_found(
                file,
                text,
                crate::diag::Severity::Warning,
                crate::diag::Msg::new(
                    format!("{zh}有 {n} 字，应为 {lo}–{hi} 字"),
                    format!("{en} has {n} characters; give {lo}–{hi}"),
                ),
            );
        }
    }

    fn count(
        &mut self,
        file: &Path,
        at: &Text,
        (zh, en, unit): (&str, &str, &str),
        n: usize,
        range: std::ops::RangeInclusive<usize>,
        severity: crate::diag::Severity,
    ) {
        if !range.contains(&n) {
            let (lo, hi) = (range.start(), range.end());
            let mut m = crate::diag::Msg::new(
                format!("{zh}应为 {lo}–{hi} {unit}，现有 {n} {unit}"),
                format!("give {lo}–{hi} {en}; there are {n}"),
            );
            if severity == crate::diag::Severity::Error {
                m = crate::diag::Msg::new(
                    format!("{}；版式最多排 {hi} {unit}，不会裁成细条硬排", m.zh),
                    format!("{}: the layout holds at most {hi} and will not squeeze more into strips", m.en),
                );
            }
            self.limit_found(file, at, severity, m);
        }
    }

    fn limit_found(
        &mut self,
        file: &Path,
        at: &Text,
        severity: crate::diag::Severity,
        message: crate::diag::Msg,
    ) {
        let d = match severity {
            crate::diag::Severity::Error => Diagnostic::error("content/limit", message),
            crate::diag::Severity::Warning => Diagnostic::warning("content/limit", message),
        }
        .hint(msg!(
            "限度见文件中的注释和 README；超出时版面会挤、断行不齐或放不下。",
            "the limits are in the file's comments and the README; beyond them the page crowds, wraps badly or overflows."
        ));
        self.error(file, &at.referenced, d);
    }

    /// Warns of every field a 明白卡 township gives that the card does not
    /// print: the clerk would otherwise look for it in vain.
    fn dropped_by_card(&mut self, file: &Path, t: &super::model::TownshipFile) {
        let given: [(&str, &str, Option<&Text>); 3] = [
            ("achievements", "本辖区成绩", t.achievements.first()),
            ("grid_workers", "网格员", t.grid_workers.first().map(|g| &g.name)),
            ("photo", "照片", t.photo.as_ref().map(|p| &p.file)),
        ];
        for (field, zh, at) in given {
            let Some(at) = at else { continue };
            let d = Diagnostic::warning(
                "content/not-printed",
                msg!(
                    "明白卡（layout: card）不印 {}（{}），这里写的内容不会出现在卡片上",
                    "the 明白卡 layout (layout: card) does not print {} ({}): what is written here appears nowhere",
                    field,
                    zh
                ),
            )
            .hint(msg!(
                "要印出它，改用 layout: flyer（A4 双面传单）；否则删去 {}。",
                "to print it, use layout: flyer (two-sided A4); otherwise remove {}.",
                field
            ));
            self.error(file, &at.referenced, d);
        }
    }

    fn campaign(&mut self, c: &CampaignFile) {
        if let Some(p) = &c.print {
            // What a print shop could mean: beyond these, a typo.
            let ranges = [
                (&p.bleed, "bleed", "出血", 0.0, 10.0, "毫米", "mm"),
                (&p.paper_weight, "paper_weight", "纸张克重", 40.0, 400.0, "g/m²", "g/m²"),
                (&p.caliper, "caliper", "纸厚", 0.03, 1.0, "毫米", "mm"),
            ];
            for (value, key, zh, low, high, zu, eu) in ranges {
                let Some(v) = value else { continue };
                if !(low..=high).contains(&v.value) {
                    self.error(
                        CAMPAIGN_FILE,
                        &v.referenced,
                        Diagnostic::error(
                            "content/print-range",
                            crate::diag::Msg::new(
                                format!("print.{key}（{zh}）为 {}，应在 {low}–{high} {zu} 之间", v.value),
                                format!(
                                    "print.{key} is {}; it must lie between {low} and {high} {eu}",
                                    v.value
                                ),
                            ),
                        ),
                    );
                }
            }
        }
        let depts: Vec<&str> = c.departments.keys().map(|k| k.value.as_str()).collect();
        let townships: Vec<&str> = c.townships.iter().map(|t| t.value.as_str()).collect();

        let mut seen = HashSet::new();
        for t in &c.townships {
            if !seen.insert(t.value.as_str()) {
                self.error(
                    CAMPAIGN_FILE,
                    &t.referenced,
                    Diagnostic::error(
                        "content/duplicate-township",
                        msg!("乡街“{}”重复列出", "township “{}” is listed twice", t.value),
                    ),
                );
            }
        }
        let mut seen = HashSet::new();
        for area in &c.areas {
            if !seen.insert(area.id.value.as_str()) {
                self.error(
                    CAMPAIGN_FILE,
                    &area.id.referenced,
                    Diagnostic::error(
                        "content/duplicate-area",
                        msg!("指标领域“{}”重复", "indicator area “{}” is listed twice", area.id.value),
                    ),
                );
            }
            if area.leads.is_empty() {
                self.error(
                    CAMPAIGN_FILE,
                    &area.id.referenced,
                    Diagnostic::error(
                        "content/no-lead",
                        msg!(
                            "指标领域“{}”没有牵头部门",
                            "indicator area “{}” has no lead department",
                            area.id.value
                        ),
                    ),
                );
            }
            for lead in &area.leads {
                self.department(lead, &depts, CAMPAIGN_FILE);
            }
        }
        for phase in &c.phases {
            for step in &phase.steps {
                self.step(step, phase.end.as_ref().map(|e| e.value), &depts);
            }
        }
        // The group has the townships' heads as members (the seed's “各乡街
        // （社区中心）主要负责同志为成员”): a registered township without one
        // is most often a new township whose head was not added.
        if let Some(group) = &c.leading_group {
            for t in &c.townships {
                // A post written out names the township by its first part
                // (雪华乡政府（宏业村街道办事处）乡长 for 雪华乡（宏业村街道）).
                let short = t.value.split(['（', '(']).next().unwrap_or_default();
                let member = group.members.iter().any(|m| {
                    m.township.as_ref().is_some_and(|mt| mt.value == t.value)
                        || m.post.as_ref().is_some_and(|p| !short.is_empty() && p.value.starts_with(short))
                });
                if !member {
                    self.error(
                        CAMPAIGN_FILE,
                        &t.referenced,
                        Diagnostic::warning(
                            "content/township-no-member",
                            msg!(
                                "乡街“{}”在领导小组（leading_group）中没有成员",
                                "township “{}” has no member in the leading group (leading_group)",
                                t.value
                            ),
                        )
                        .hint(msg!(
                            "在 leading_group 的 members 中加一行：{{ role: 组员, name: 姓名, township: {}, title: 职务 }}",
                            "add a line to leading_group's members: {{ role: 组员, name: …, township: {}, title: … }}",
                            t.value
                        )),
                    );
                }
            }
        }
        for m in c.leading_group.iter().flat_map(|g| &g.members) {
            let ways = [m.post.is_some(), m.department.is_some(), m.township.is_some()];
            if ways.iter().filter(|w| **w).count() != 1 {
                self.error(
                    CAMPAIGN_FILE,
                    &m.name.referenced,
                    Diagnostic::error(
                        "content/member-post",
                        msg!(
                            "领导小组成员“{}”的职务应只用一种写法",
                            "leading-group member “{}” needs exactly one way of giving the post",
                            m.name.value
                        ),
                    )
                    .hint(msg!(
                        "写 post（职务全称），或 department/township 加 title。",
                        "give either post (in full), or department or township plus title."
                    )),
                );
            } else if m.post.is_none() && m.title.is_none() {
                self.error(
                    CAMPAIGN_FILE,
                    &m.name.referenced,
                    Diagnostic::error(
                        "content/member-title",
                        msg!(
                            "领导小组成员“{}”缺少 title（职务）",
                            "leading-group member “{}” has no title",
                            m.name.value
                        ),
                    ),
                );
            }
            if let Some(d) = &m.department {
                self.department(d, &depts, CAMPAIGN_FILE);
            }
            if let Some(t) = &m.township {
                self.township(t, &townships, CAMPAIGN_FILE);
            }
            if !["组长", "副组长", "组员"].contains(&m.role.value.as_str()) {
                self.error(
                    CAMPAIGN_FILE,
                    &m.role.referenced,
                    Diagnostic::error(
                        "content/member-role",
                        msg!("未知的小组职务“{}”", "unknown group role “{}”", m.role.value),
                    )
                    .hint(msg!("可用：组长、副组长、组员", "allowed: 组长, 副组长, 组员")),
                );
            }
        }
    }

    fn step(&mut self, step: &Step, phase_end: Option<super::date::Date>, depts: &[&str]) {
        let shapes_ok = matches!(
            (&step.due, &step.from, &step.to, &step.until, &step.when),
            (Some(_), None, None, None, None)
                | (None, Some(_), Some(_), None, None)
                | (None, Some(_), None, Some(_), None)
                | (None, None, None, None, Some(_))
                | (None, None, None, None, None)
        );
        if !shapes_ok {
            self.error(
                CAMPAIGN_FILE,
                &step.title.referenced,
                Diagnostic::error(
                    "content/step-timing",
                    msg!(
                        "步骤“{}”的时间写法不对",
                        "step “{}” has an invalid combination of timing fields",
                        step.title.value
                    ),
                )
                .hint(msg!(
                    "可用：due（某日前）；from + to（起止日期）；from + until（某日至某事件前）；when（文字）。",
                    "use one of: due; from + to; from + until; when."
                )),
            );
        }
        if let (Some(from), Some(to)) = (&step.from, &step.to)
            && to.value < from.value
        {
            self.error(
                CAMPAIGN_FILE,
                &to.referenced,
                Diagnostic::error(
                    "content/dates-order",
                    msg!(
                        "结束日期 {} 早于开始日期 {}",
                        "end date {} is before start date {}",
                        to.value,
                        from.value
                    ),
                ),
            );
        }
        if let (Some(due), Some(end)) = (&step.due, phase_end)
            && due.value > end
        {
            self.error(
                CAMPAIGN_FILE,
                &due.referenced,
                Diagnostic::error(
                    "content/deadline-after-phase",
                    msg!(
                        "截止日期 {} 晚于本阶段结束日期 {}",
                        "deadline {} is after the phase ends on {}",
                        due.value,
                        end
                    ),
                ),
            );
        }
        if let Some(r) = &step.responsible {
            for d in &r.departments {
                self.department(d, depts, CAMPAIGN_FILE);
            }
        }
    }

    fn department(&mut self, name: &Text, depts: &[&str], file: &str) {
        if depts.contains(&name.value.as_str()) {
            return;
        }
        let mut d = Diagnostic::error(
            "content/unknown-department",
            msg!("未知的部门简称“{}”", "unknown department “{}”", name.value),
        );
        d = match did_you_mean(&name.value, depts.iter().copied()) {
            Some(s) => d.hint(msg!("您是否想写“{}”？", "did you mean “{}”?", s)),
            None => d.hint(msg!(
                "部门须先在 content/campaign.yaml 的 departments 中登记，这里写其简称。",
                "departments must be registered under departments in content/campaign.yaml; use the short name here."
            )),
        };
        self.error(file, &name.referenced, d);
    }

    /// An image file inside the project, of a kind typst can place.
    fn image(&mut self, path: &Text, file: &str) {
        let problem = match super::assets::project_file(self.root, &path.value) {
            Err(m) => Some(m),
            Ok(p) => {
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
                (!["png", "jpg", "jpeg", "svg"].contains(&ext.as_str())).then(|| {
                    msg!("“{}”不是 PNG、JPEG 或 SVG 图片", "“{}” is not a PNG, JPEG or SVG image", path.value)
                })
            }
        };
        if let Some(m) = problem {
            self.error(file, &path.referenced, Diagnostic::error("content/image", m));
        }
    }

    fn township(&mut self, name: &Text, townships: &[&str], file: &str) {
        if townships.contains(&name.value.as_str()) {
            return;
        }
        let mut d = Diagnostic::error(
            "content/unknown-township",
            msg!("未知的乡街“{}”", "unknown township “{}”", name.value),
        );
        let prefix =
            townships.iter().find(|t| t.starts_with(name.value.as_str()) || name.value.starts_with(*t));
        d = match did_you_mean(&name.value, townships.iter().copied()).or(prefix.copied()) {
            Some(s) => d.hint(msg!("您是否想写“{}”？", "did you mean “{}”?", s)),
            None => d.hint(msg!(
                "campaign.yaml 中登记的乡街：{}",
                "townships registered in campaign.yaml: {}",
                townships.join("、")
            )),
        };
        self.error(file, &name.referenced, d);
    }

    /// A township file whose township is not in the registry: a typo of a
    /// registered township still without a file, or a new one to register.
    fn unregistered(&mut self, name: &Text, free: &[&str], file: &str) {
        let register = msg!(
            "新的乡街请先在 content/campaign.yaml 的 townships 中登记“{}”（也要在领导小组中加上它的负责人）。",
            "for a new township, register “{}” in townships of content/campaign.yaml first (and add its head to the leading group).",
            name.value
        );
        let hint = match did_you_mean(&name.value, free.iter().copied()) {
            Some(s) => crate::diag::Msg::new(
                format!("若是笔误，应写“{s}”；{}", register.zh),
                format!("if it is a typo, write “{s}”; {}", register.en),
            ),
            None => register,
        };
        let d = Diagnostic::error(
            "content/unknown-township",
            msg!(
                "乡街“{}”没有在 campaign.yaml 中登记",
                "township “{}” is not registered in campaign.yaml",
                name.value
            ),
        )
        .hint(hint);
        self.error(file, &name.referenced, d);
    }

    /// One official document: what its format requires, and what the
    /// values must look like.
    fn document(&mut self, c: &CampaignFile, path: &Path, n: &DocumentFile) {
        let file = path.to_string_lossy().into_owned();
        let file = file.as_str();
        let format = n.format();
        let whole = crate::diag::Location::file(path);
        if n.issuers.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    "content/no-issuer",
                    msg!("没有发文机关（issuers）", "no issuer given (issuers)"),
                )
                .at(whole.clone()),
            );
        }
        // An order or minutes may go without a title: their mark names them.
        if n.title.is_empty() && matches!(n.format(), Format::File | Format::Letter) {
            self.diags.push(
                Diagnostic::error("content/no-title", msg!("没有标题（title）", "no title given"))
                    .at(whole.clone()),
            );
        }
        let format_name = format_label(format);
        if format == Format::Minutes && n.mark.is_none() {
            self.diags.push(
                Diagnostic::error(
                    "content/no-mark",
                    msg!(
                        "纪要格式需要写明纪要标志（mark），如“……会议纪要”",
                        "a 纪要 needs its mark (mark), e.g. “……会议纪要”"
                    ),
                )
                .at(whole.clone()),
            );
        }
        if n.attendance.is_some() && format != Format::Minutes {
            self.diags.push(
                Diagnostic::warning(
                    "content/attendance-unused",
                    msg!(
                        "出席、请假、列席名单只印在纪要格式中，{}不印",
                        "attendance lists print only in the minutes format, not in {}",
                        format_name
                    ),
                )
                .at(whole.clone())
                .hint(msg!(
                    "写 format: minutes，或删去 attendance。",
                    "set format: minutes or remove attendance."
                )),
            );
        }
        if let Some(copy) = &n.copy_number
            && !(copy.value.len() == 6 && copy.value.chars().all(|ch| ch.is_ascii_digit()))
        {
            self.error(
                file,
                &copy.referenced,
                Diagnostic::error(
                    "content/copy-number",
                    msg!(
                        "份号应为 6 位阿拉伯数字，而不是“{}”",
                        "the copy number must be 6 digits, not “{}”",
                        copy.value
                    ),
                ),
            );
        }
        match &n.number {
            None if matches!(format, Format::File | Format::Letter) => self.diags.push(
                Diagnostic::error(
                    "content/no-number",
                    msg!(
                        "{}需要发文字号（number）",
                        "a document in {} needs a document number (number)",
                        format_name
                    ),
                )
                .at(n
                    .format
                    .as_ref()
                    .map_or_else(|| whole.clone(), |f| self.sources.locate(path, &f.referenced)))
                .hint(msg!(
                    "加上 number: {{ agency: 机关代字, sequence: 序号 }}。",
                    "add number: {{ agency: <agency code>, sequence: <number> }}."
                )),
            ),
            None => {}
            Some(number) => {
                if matches!(format, Format::File | Format::Letter) && number.agency.is_none() {
                    self.diags.push(
                        Diagnostic::error(
                            "content/no-agency",
                            msg!(
                                "发文字号缺少机关代字（number.agency）",
                                "the document number has no agency code (number.agency)"
                            ),
                        )
                        .at(whole.clone()),
                    );
                }
                match &number.sequence {
                    None => {
                        let at = number
                            .agency
                            .as_ref()
                            .map_or_else(|| whole.clone(), |a| self.sources.locate(path, &a.referenced));
                        // A warning here: `check` and draft builds go on; a
                        // final build refuses to print without it.
                        self.diags.push(
                            Diagnostic::warning(
                                "content/no-sequence",
                                msg!(
                                    "发文字号还没有序号（number.sequence）",
                                    "the document number has no sequence yet (number.sequence)"
                                ),
                            )
                            .at(at)
                            .hint(msg!(
                                "请填写办公室分配的发文序号后再印制（预览可用 build --draft）。",
                                "fill in the number the office assigned before printing (preview with build --draft)."
                            )),
                        );
                    }
                    Some(seq) if seq.value == 0 => self.error(
                        file,
                        &seq.referenced,
                        Diagnostic::error(
                            "content/zero-sequence",
                            msg!("发文序号不能为 0", "the sequence number cannot be 0"),
                        ),
                    ),
                    Some(_) => {}
                }
            }
        }
        match &n.signature {
            None if format != Format::Minutes => self.diags.push(
                Diagnostic::error(
                    "content/no-signature",
                    msg!(
                        "{}需要落款（signature，至少有成文日期 date）",
                        "{} needs a signature (signature, with at least its date)",
                        format_name
                    ),
                )
                .at(whole.clone()),
            ),
            None => {}
            Some(sig) => {
                for image in sig.seal.iter().chain(&sig.seals).chain(sig.stamp.as_ref().map(|s| &s.image)) {
                    self.image(image, file);
                }
                if sig.seal.is_some() && !sig.seals.is_empty() {
                    self.error(
                        file,
                        &sig.seals[0].referenced,
                        Diagnostic::error(
                            "content/seal-and-seals",
                            msg!("seal 和 seals 只能写一个", "give either seal or seals, not both"),
                        )
                        .hint(msg!(
                            "一个发文机关用 seal；联合行文每个机关一枚印章用 seals。",
                            "seal for one issuer; seals for joint issuers, one per issuer."
                        )),
                    );
                }
                if !sig.seals.is_empty() && sig.seals.len() != n.issuers.len() {
                    self.error(
                        file,
                        &sig.seals[0].referenced,
                        Diagnostic::error(
                            "content/seals-count",
                            msg!(
                                "有 {} 个发文机关，却有 {} 枚印章（seals）",
                                "{} issuers but {} seals (seals)",
                                n.issuers.len(),
                                sig.seals.len()
                            ),
                        )
                        .hint(msg!(
                            "每个发文机关一枚印章，按 issuers 的顺序列出（S2）。",
                            "give one seal per issuer, in the order of issuers (S2)."
                        )),
                    );
                }
                let year = n.number.as_ref().and_then(|num| num.year.as_ref()).map(|y| y.value).or(c.year());
                if let Some(year) = year
                    && sig.date.value.year != year
                {
                    self.diags.push(
                        Diagnostic::warning(
                            "content/date-year",
                            msg!(
                                "成文日期 {} 不在发文年度 {} 内",
                                "the signing date {} is not in the document's year {}",
                                sig.date.value,
                                year
                            ),
                        )
                        .at(self.sources.locate(path, &sig.date.referenced)),
                    );
                }
            }
        }
        match &n.imprint {
            None if format == Format::File => self.diags.push(
                Diagnostic::error("content/no-imprint", msg!("文件格式需要版记（imprint，至少有印发日期 date）", "the file format needs an imprint (imprint, with at least its date)"))
                    .at(whole.clone()),
            ),
            None => {}
            Some(im) => match (&im.date, &n.signature) {
                (None, _) if format == Format::File => {
                    let at = im.cc.first().map_or_else(|| whole.clone(), |t| self.sources.locate(path, &t.referenced));
                    self.diags.push(
                        Diagnostic::error(
                            "content/no-imprint-date",
                            msg!("版记缺少印发日期（imprint.date）", "the imprint has no printing date (imprint.date)"),
                        )
                        .at(at)
                        .hint(msg!("在 imprint 下加上 date: 2023-11-25 这样的印发日期。", "add a date: entry (e.g. 2023-11-25) under imprint.")),
                    );
                }
                (Some(date), _) if format == Format::Letter => self.error(
                    file,
                    &date.referenced,
                    Diagnostic::warning(
                        "content/letter-imprint-date",
                        msg!("信函格式的版记不印印发机关和印发日期（L3），这里的日期不会印出", "a letter's imprint prints no printing office or date (L3); this date is not printed"),
                    ),
                ),
                (Some(date), Some(sig)) if date.value < sig.date.value => self.error(
                    file,
                    &date.referenced,
                    Diagnostic::error(
                        "content/dates-order",
                        msg!(
                            "印发日期 {} 早于成文日期 {}",
                            "the printing date {} is before the signing date {}",
                            date.value,
                            sig.date.value
                        ),
                    ),
                ),
                _ => {}
            },
        }
        for a in &n.attachments {
            self.attachment(path, a);
        }
    }

    /// An attachment gives exactly one source: a ready-made table, text, a
    /// table written in YAML, or a file; all but the ready-made table have
    /// a title.
    fn attachment(&mut self, path: &Path, a: &Attachment) {
        let sources = [
            a.table.is_some(),
            a.text.is_some(),
            !a.rows.is_empty() || !a.columns.is_empty(),
            a.file.is_some(),
        ];
        let given = sources.iter().filter(|s| **s).count();
        let at = a
            .title
            .as_ref()
            .map(|t| &t.referenced)
            .or(a.table.as_ref().map(|t| &t.referenced))
            .or(a.file.as_ref().map(|t| &t.referenced))
            .or(a.text.as_ref().map(|t| &t.referenced));
        let loc = at.map_or_else(|| crate::diag::Location::file(path), |l| self.sources.locate(path, l));
        if given != 1 {
            self.diags.push(
                Diagnostic::error(
                    "content/attachment-source",
                    if given == 0 {
                        msg!("附件没有内容", "the attachment has no content")
                    } else {
                        msg!("附件只能有一种内容，这里写了 {} 种", "an attachment has one kind of content; this one has {}", given)
                    },
                )
                .at(loc.clone())
                .hint(msg!(
                    "写其中一种：table（现成的表）、text（文字）、columns 和 rows（表格）或 file（CSV、XLSX 表格或 PDF）。",
                    "give one of: table (a ready-made table), text, columns with rows (a table), or file (a CSV, XLSX or PDF)."
                )),
            );
        }
        // A CSV or XLSX file may carry its title in a merged first row: the
        // table is checked for one when it is read.
        let sheet = a.file.as_ref().is_some_and(|f| !f.value.to_ascii_lowercase().ends_with(".pdf"));
        if a.table.is_none() && a.title.is_none() && !sheet {
            self.diags.push(
                Diagnostic::error(
                    "content/attachment-title",
                    msg!("附件缺少标题（title）", "the attachment has no title (title)"),
                )
                .at(loc.clone()),
            );
        }
        if !a.rows.is_empty() && a.columns.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    "content/table-columns",
                    msg!("表格缺少表头（columns）", "the table has no columns (columns)"),
                )
                .at(loc.clone()),
            );
        }
        for row in &a.rows {
            if !a.columns.is_empty()
                && row.len() != a.columns.len()
                && let Some(first) = row.first()
            {
                self.error(
                    path,
                    &first.referenced,
                    Diagnostic::error(
                        "content/table-row",
                        msg!(
                            "这一行有 {} 格，表头有 {} 列",
                            "this row has {} cells, the header {} columns",
                            row.len(),
                            a.columns.len()
                        ),
                    ),
                );
            }
        }
        if let Some(f) = &a.file {
            let problem = match super::assets::project_file(self.root, &f.value) {
                Err(m) => Some(m),
                Ok(p) => {
                    let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
                    (!["csv", "xlsx", "pdf"].contains(&ext.as_str())).then(|| {
                        msg!(
                            "附件文件“{}”不是 CSV、XLSX 或 PDF",
                            "attachment file “{}” is not a CSV, XLSX or PDF",
                            f.value
                        )
                    })
                }
            };
            if let Some(m) = problem {
                self.error(path, &f.referenced, Diagnostic::error("content/attachment-file", m));
            }
        }
    }
}

/// A format's name for messages (the standard's term, in both languages).
fn format_label(format: Format) -> &'static str {
    match format {
        Format::File => "文件格式",
        Format::Letter => "信函格式",
        Format::Order => "命令格式",
        Format::Minutes => "纪要格式",
    }
}
