//! `pressroom new-year`: next year's campaign from this year's. The year
//! advances where it is data, every date moves a year on, the document
//! number's sequence is emptied (so the notice cannot be printed until the
//! office assigns one), and a review list names every place that still holds
//! a literal year or date in text, and the tables whose people change.
//! Files are edited in place of their values only, so comments and layout
//! written by clerks survive.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::content::{CAMPAIGN_FILE, Content};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::msg;

/// Name of the review list written into the new project.
pub const REVIEW_FILE: &str = "new-year-review.md";

/// What to review by hand before next year's campaign goes out.
#[derive(Debug, Default)]
pub struct Review {
    /// Places in text that still hold a literal year or date.
    pub literals: Vec<(Location, String)>,
    /// Area and township files still holding the old year's facts, with
    /// who confirms each.
    pub stale: Vec<(String, String)>,
    /// Lines of tables whose contents change from year to year.
    pub tables: Vec<String>,
    /// What was changed automatically.
    pub changed: Vec<String>,
    /// The year the project was for.
    pub from_year: i32,
}

/// Writes next year's project into `to` from the loaded project `content`.
/// `to` must be empty or missing unless `force` is set.
pub fn new_year(content: &Content, year: i32, to: &Path, force: bool) -> Result<Review, Diagnostics> {
    let from = &content.root;
    let Some(old) = content.year() else {
        return Err(vec![
            Diagnostic::error(
                "usage/no-year",
                msg!(
                    "项目没有年度：{} 中没有 year，公文也都没有日期",
                    "the project has no year: {} gives no year and no document is dated",
                    CAMPAIGN_FILE
                ),
            )
            .hint(msg!("在 {} 中写上 year。", "give year in {}.", CAMPAIGN_FILE)),
        ]);
    };
    if year <= old {
        return Err(vec![Diagnostic::error(
            "usage/year",
            msg!(
                "新年度 {} 应晚于当前年度 {}",
                "the new year {} must come after the current year {}",
                year,
                old
            ),
        )]);
    }
    if to.exists() && !force && std::fs::read_dir(to).map(|mut d| d.next().is_some()).unwrap_or(false) {
        return Err(vec![
            Diagnostic::error(
                "usage/not-empty",
                msg!("目标目录 {} 不是空的", "the folder {} is not empty", to.display()),
            )
            .hint(msg!(
                "换一个目录，或加 --force 覆盖。",
                "choose another folder, or pass --force to overwrite."
            )),
        ]);
    }
    let io = |e: std::io::Error, p: &Path| {
        vec![Diagnostic::error("io", msg!("无法写入 {}：{}", "cannot write {}: {}", p.display(), e))]
    };
    copy_project(from, to).map_err(|(e, p)| io(e, &p))?;

    let shift = year - old;
    let mut review = Review { from_year: old, ..Review::default() };
    let mut edits: Vec<(String, usize, usize, String)> = Vec::new();
    let c = &content.campaign;
    if let Some(r) = c.year.as_ref().and_then(|y| span(&y.referenced)) {
        edits.push((CAMPAIGN_FILE.to_owned(), r.0, r.1, year.to_string()));
        review.changed.push(format!("{CAMPAIGN_FILE}：年度 {old} → {year} · year"));
    }
    let mut dates = 0;
    let mut date = |file: &str, d: &serde_saphyr::Spanned<crate::content::date::Date>| {
        if let Some((start, end)) = span(&d.referenced) {
            edits.push((file.to_owned(), start, end, d.value.add_years(shift).to_string()));
            dates += 1;
        }
    };
    for phase in &c.phases {
        if let Some(e) = &phase.end {
            date(CAMPAIGN_FILE, e);
        }
        for step in &phase.steps {
            for d in [&step.due, &step.from, &step.to].into_iter().flatten() {
                date(CAMPAIGN_FILE, d);
            }
        }
    }
    // Every official document: its dates move on, a year written in its
    // number too, and its sequence is emptied until the office assigns one.
    let mut numbered = Vec::new();
    let mut number_edits = Vec::new();
    for (path, n) in content.official() {
        let file = path.to_string_lossy().into_owned();
        if let Some(s) = &n.signature {
            date(&file, &s.date);
        }
        if let Some(d) = n.imprint.as_ref().and_then(|i| i.date.as_ref()) {
            date(&file, d);
        }
        if let Some(y) = n.number.as_ref().and_then(|num| num.year.as_ref())
            && let Some((start, end)) = span(&y.referenced)
        {
            number_edits.push((file.clone(), start, end, (y.value + shift).to_string()));
        }
        if let Some(seq) = n.number.as_ref().and_then(|num| num.sequence.as_ref())
            && let Some((start, end)) = span(&seq.referenced)
        {
            // Emptied, not `~`: a clerk reads `sequence:` with a note of what
            // to write there; a flow mapping (`{ …, sequence: 82 }`) cannot
            // hold a comment and is only emptied.
            let text = content.sources.get(path).unwrap_or_default();
            let rest = text.get(end..).and_then(|r| r.lines().next()).unwrap_or_default();
            let blank = if rest.trim().is_empty() {
                format!(
                    "   # 待填：发文序号，办公室编号后填写（去年为 {}）· to fill in: the sequence number",
                    seq.value
                )
            } else {
                String::new()
            };
            number_edits.push((file.clone(), start, end, blank));
            numbered.push(format!("{file}：发文序号 {} 已清空 · number.sequence emptied", seq.value));
        }
    }
    // Area and township files hold last year's facts until their owners
    // confirm them: each says so in `updated_for`, the old year, which makes
    // their outputs drafts and a final build refuse them.
    let year_bound = content
        .areas
        .iter()
        .map(|(p, a)| (p, a.updated_for.as_ref()))
        .chain(content.townships.iter().map(|(p, t)| (p, t.updated_for.as_ref())));
    for (path, updated) in year_bound {
        let file = path.to_string_lossy().into_owned();
        let owner = crate::content::validate::owner(content, path);
        review.stale.push((file.clone(), owner));
        if updated.is_some() {
            // Already names a year, now behind: left as the owner wrote it.
            continue;
        }
        // At the end, where a clerk who has gone through the file signs it
        // off (and no line number the file's readers rely on moves).
        let text = content.sources.get(path).unwrap_or_default();
        let at = text.len();
        let newline = if !text.is_empty() && !text.ends_with('\n') { "\n" } else { "" };
        let line = format!(
            "{newline}\n# 内容年度：核对并更新为 {year} 年度的数字、实事和照片后改为 {year} · the year of the facts\nupdated_for: {old}\n"
        );
        edits.push((file, at, at, line));
    }
    review.changed.push(format!("{dates} 个日期顺延 {shift} 年 · {dates} dates moved {shift} year(s) on"));
    review.changed.extend(numbered);
    edits.extend(number_edits);
    let mut files: Vec<String> = edits.iter().map(|e| e.0.clone()).collect();
    files.sort();
    files.dedup();
    for file in &files {
        let Some(text) = content.sources.get(Path::new(file)) else { continue };
        let mut text = text.to_owned();
        let mut mine: Vec<_> = edits.iter().filter(|e| e.0 == *file).collect();
        // From the end backwards, so earlier offsets stay valid.
        mine.sort_by_key(|e| std::cmp::Reverse(e.1));
        for (_, start, end, new) in mine {
            if *end <= text.len() && text.is_char_boundary(*start) && text.is_char_boundary(*end) {
                text.replace_range(*start..*end, new);
            }
        }
        let path = to.join(file);
        crate::output::write_atomic(&path, text.as_bytes()).map_err(|e| io(e, &path))?;
    }

    // Load the new project to list what still needs a human.
    let next = crate::content::load(to).map_err(|(d, _)| d)?;
    review.literals = crate::lint::literal_years_and_dates(&next);
    for m in next.campaign.leading_group.iter().flat_map(|g| &g.members) {
        let post = match (&m.post, &m.department, &m.township) {
            (Some(p), _, _) => p.value.clone(),
            (None, Some(d), _) => {
                format!("{}{}", next.campaign.department_name(&d.value), title(m))
            }
            (None, None, Some(t)) => format!("{}{}", t.value, title(m)),
            _ => String::new(),
        };
        review.tables.push(format!("领导小组 {}：{} {}", m.role.value, m.name.value, post));
    }
    let text = review.markdown(old, year);
    let path = to.join(REVIEW_FILE);
    crate::output::write_atomic(&path, text.as_bytes()).map_err(|e| io(e, &path))?;
    Ok(review)
}

fn title(m: &crate::content::model::Member) -> &str {
    m.title.as_ref().map_or("", |t| t.value.as_str())
}

/// The byte range of a scalar in its source.
fn span(loc: &serde_saphyr::Location) -> Option<(usize, usize)> {
    let s = loc.span();
    let start = usize::try_from(s.byte_offset()?).ok()?;
    Some((start, start + usize::try_from(s.byte_len()?).ok()?))
}

/// Copies what a project is made of; outputs, caches and version control
/// stay behind.
fn copy_project(from: &Path, to: &Path) -> Result<(), (std::io::Error, PathBuf)> {
    for entry in ["content", "templates", "fonts", crate::lint::CONFIG_FILE] {
        let src = from.join(entry);
        if src.exists() {
            copy_tree(&src, &to.join(entry))?;
        }
    }
    Ok(())
}

fn copy_tree(src: &Path, dst: &Path) -> Result<(), (std::io::Error, PathBuf)> {
    let meta = std::fs::symlink_metadata(src).map_err(|e| (e, src.to_path_buf()))?;
    if meta.is_dir() {
        std::fs::create_dir_all(dst).map_err(|e| (e, dst.to_path_buf()))?;
        let entries = std::fs::read_dir(src).map_err(|e| (e, src.to_path_buf()))?;
        for entry in entries.flatten() {
            copy_tree(&entry.path(), &dst.join(entry.file_name()))?;
        }
    } else if meta.is_file() {
        if let Some(parent) = dst.parent() {
            std::fs::create_dir_all(parent).map_err(|e| (e, parent.to_path_buf()))?;
        }
        std::fs::copy(src, dst).map_err(|e| (e, dst.to_path_buf()))?;
    }
    // Symlinks are not followed: a project never reaches outside itself.
    Ok(())
}

impl Review {
    /// The review list as Markdown (also printed).
    pub fn markdown(&self, old: i32, year: i32) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# {year} 年度活动：需要人工核对的内容 · Review for {year}\n");
        let _ = writeln!(
            out,
            "由 `pressroom new-year` 从 {old} 年度生成。Generated from {old} by `pressroom new-year`.\n"
        );
        let _ = writeln!(out, "## 已自动修改 · Changed automatically\n");
        for c in &self.changed {
            let _ = writeln!(out, "- {c}");
        }
        let _ = writeln!(out, "\n## 文字中仍写死的年份和日期 · Literal years and dates still in text\n");
        if self.literals.is_empty() {
            let _ = writeln!(out, "（无 · none）");
        }
        for (loc, text) in &self.literals {
            let _ = writeln!(out, "- `{loc}` {text}");
        }
        let _ = writeln!(out, "\n## 各单位需按 {year} 年度更新的文件 · Files to update for {year}\n");
        let _ = writeln!(
            out,
            "下列文件中的数字、实事和照片还是 {old} 年度的：负责单位核对更新后，把文件中的 `updated_for: {old}` 改为 `updated_for: {year}`。在此之前 `pressroom build` 把用到它们的宣传册和传单印成草稿，`pressroom build --final` 报错。\nThese files still hold {old}'s figures, things done and photos: once its owner has updated a file, change its `updated_for: {old}` to `updated_for: {year}`. Until then `pressroom build` prints the booklet and flyers that use them as drafts (草稿) and `pressroom build --final` refuses them.\n"
        );
        if self.stale.is_empty() {
            let _ = writeln!(out, "（无 · none）");
        }
        for (file, owner) in &self.stale {
            let _ = writeln!(out, "- [ ] `{file}`（{owner}）");
        }
        let _ = writeln!(out, "\n## 请核对人员和分工 · Check people and responsibilities\n");
        for t in &self.tables {
            let _ = writeln!(out, "- {t}");
        }
        let _ = writeln!(
            out,
            "\n## 发文字号 · Document number\n\n各公文的发文序号已清空（content/notice.yaml 和 content/documents/ 下的文件），填写 number.sequence 后才能印制（预览：`pressroom build --draft`）。\nThe sequence numbers are empty (content/notice.yaml and the files of content/documents/): fill in number.sequence before printing (preview with `pressroom build --draft`)."
        );
        out
    }
}
