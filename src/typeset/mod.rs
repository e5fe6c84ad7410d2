//! Stage 3, typeset: compiles a template with its data into pages (typst as a
//! library), checks the pages for missing glyphs, and exports PDF and PNG.

pub mod fonts;
pub mod images;
pub mod world;

use std::collections::BTreeSet;

use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Datetime, Label, Smart};
use typst::introspection::Introspector;
use typst::layout::{Frame, FrameItem};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::content::date::Date;
use crate::diag::{Diagnostic, Diagnostics, Location, line_col};
use crate::msg;
use fonts::RoleFonts;
use world::DocWorld;

/// Compiles one document; template errors come back as diagnostics that name
/// the template file and line.
pub fn compile(world: &DocWorld<'_>) -> Result<(PagedDocument, Diagnostics), Diagnostics> {
    let warned = typst::compile::<PagedDocument>(world);
    let warnings = warned.warnings.iter().map(|d| convert(world, d)).collect();
    match warned.output {
        Ok(doc) => Ok((doc, warnings)),
        Err(errors) => Err(errors.iter().map(|d| convert(world, d)).collect()),
    }
}

fn convert(world: &DocWorld<'_>, d: &SourceDiagnostic) -> Diagnostic {
    use typst::World;
    use typst::WorldExt;
    let mut out = match d.severity {
        TypstSeverity::Error => {
            Diagnostic::error("template/typst", msg!("模板排版错误：{}", "template error: {}", d.message))
        }
        TypstSeverity::Warning => {
            Diagnostic::warning("template/typst", msg!("模板排版警告：{}", "template warning: {}", d.message))
        }
    };
    if let Some(id) = d.span.id()
        && let (Ok(source), Some(range)) = (world.source(id), world.range(d.span))
    {
        let (line, column) = line_col(source.text(), range.start);
        let mut loc = Location::new(world::display_path(id), line, column);
        loc.offset = Some(range.start);
        loc.len = range.len();
        out = out.at(loc);
    }
    if let Some(hint) = d.hints.first() {
        out = out.hint(msg!("{}", "{}", hint.v));
    }
    out
}

/// PDF bytes with a fixed identifier and timestamp, so the same input always
/// gives the same bytes.
pub fn export_pdf(doc: &PagedDocument, ident: &str, date: Date) -> Result<Vec<u8>, Diagnostics> {
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_owned()),
        timestamp: datetime(date).map(Timestamp::new_utc),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(doc, &options).map_err(|errors| {
        errors
            .iter()
            .map(|e| {
                Diagnostic::error("typeset/pdf", msg!("PDF 导出失败：{}", "PDF export failed: {}", e.message))
            })
            .collect()
    })
}

/// A PNG of one page at `pixel_per_pt`.
pub fn export_png(doc: &PagedDocument, page: usize, pixel_per_pt: f64) -> Option<Vec<u8>> {
    let page = doc.pages().get(page)?;
    let options = typst_render::RenderOptions { pixel_per_pt: pixel_per_pt.into(), ..Default::default() };
    typst_render::render(page, &options).encode_png().ok()
}

/// The typst date for a calendar date.
pub fn datetime(date: Date) -> Option<Datetime> {
    Datetime::from_ymd(date.year, date.month, date.day)
}

/// The 1-based page a labelled element ended up on.
pub fn page_of(doc: &PagedDocument, label: &str) -> Option<usize> {
    let label = Label::new(PicoStr::intern(label))?;
    let content = doc.introspector().query_label(label).ok()?;
    let location = content.location()?;
    doc.introspector().page(location).map(|p| p.get())
}

/// The pages every element labelled `label` landed on.
pub fn pages_of(doc: &PagedDocument, label: &str) -> Vec<usize> {
    let Some(label) = Label::new(PicoStr::intern(label)) else { return Vec::new() };
    let intro = doc.introspector();
    intro
        .query(&typst::foundations::Selector::Label(label))
        .iter()
        .filter_map(|c| c.location().and_then(|l| intro.page(l)).map(|p| p.get()))
        .collect()
}

/// Regions a template reported as too full: (region name, millimetres over).
pub fn overflows(doc: &PagedDocument) -> Vec<(String, f64)> {
    metadata(doc, "pressroom-overflow")
        .into_iter()
        .filter_map(|v| {
            let dict = v.cast::<typst::foundations::Dict>().ok()?;
            let region = dict.get("region").ok()?.clone().cast::<String>().ok()?;
            let over = dict.get("over").ok()?.clone().cast::<f64>().ok()?;
            Some((region, over))
        })
        .collect()
}

/// The page count a layout template declares for itself, if any.
pub fn declared_pages(doc: &PagedDocument) -> Option<usize> {
    let dict =
        metadata(doc, "pressroom-pages").into_iter().next()?.cast::<typst::foundations::Dict>().ok()?;
    dict.get("pages").ok()?.clone().cast::<i64>().ok().and_then(|n| usize::try_from(n).ok())
}

/// The values of every `metadata` element carrying `label`.
fn metadata(doc: &PagedDocument, label: &str) -> Vec<typst::foundations::Value> {
    let Some(label) = Label::new(PicoStr::intern(label)) else { return Vec::new() };
    doc.introspector()
        .query(&typst::foundations::Selector::Label(label))
        .iter()
        .filter_map(|c| c.to_packed::<typst::introspection::MetadataElem>().map(|m| m.value.clone()))
        .collect()
}

/// Characters that came out as the font's missing-glyph box, per role.
/// Font fallback is off in the templates, so a character a role's font lacks
/// shows up here instead of silently switching fonts.
pub fn missing_glyphs(doc: &PagedDocument, roles: &RoleFonts) -> Vec<Diagnostic> {
    let mut found: std::collections::BTreeMap<String, BTreeSet<char>> = Default::default();
    for page in doc.pages() {
        scan(&page.frame, &mut found);
    }
    found
        .into_iter()
        .map(|(family, chars)| {
            let role = roles.role_of(&family).map_or("?", |r| r.name());
            let list: Vec<String> = chars.iter().map(|c| format!("“{c}”(U+{:04X})", *c as u32)).collect();
            Diagnostic::error(
                "fonts/missing-glyph",
                msg!(
                    "字体 {}（{}）缺字：{}",
                    "the font {} ({} role) has no glyph for {}",
                    family,
                    role,
                    list.join(" ")
                ),
            )
            .hint(msg!(
                "请改用常用字，或把含这些字的字体放入项目的 fonts/ 目录。",
                "use another character, or put a font that has them into the project's fonts/ folder."
            ))
        })
        .collect()
}

fn scan(frame: &Frame, found: &mut std::collections::BTreeMap<String, BTreeSet<char>>) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => scan(&group.frame, found),
            FrameItem::Text(text) => {
                for glyph in text.glyphs.iter().filter(|g| g.id == 0) {
                    let range = glyph.range();
                    let chars =
                        text.text.get(range).unwrap_or_default().chars().filter(|c| !c.is_whitespace());
                    found.entry(text.font.info().family.clone()).or_default().extend(chars);
                }
            }
            _ => {}
        }
    }
}
