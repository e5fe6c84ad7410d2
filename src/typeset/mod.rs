//! Stage 3, typeset: compiles a template with its data into pages (typst as a
//! library), checks the pages for missing glyphs, and exports PDF and PNG.

pub mod docx;
pub mod fonts;
pub mod images;
pub mod ofd;
pub mod press;
pub mod webfont;
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
    let mut pdf = typst_pdf::pdf(doc, &options).map_err(|errors| {
        errors
            .iter()
            .map(|e| {
                Diagnostic::error("typeset/pdf", msg!("PDF 导出失败：{}", "PDF export failed: {}", e.message))
            })
            .collect::<Diagnostics>()
    })?;
    quiet_suspects(&mut pdf);
    Ok(pdf)
}

/// The catalog's mark information as krilla 0.8 writes it for a tagged PDF.
const MARK_INFO: &[u8] = b"/MarkInfo<</Marked true/Suspects false>>";
/// The entry Poppler misreads.
const SUSPECTS: &[u8] = b"/Suspects false";

/// Blanks the catalog's `/Suspects false`. The entry is valid (ISO 32000-1
/// table 321: a boolean, false by default), but Poppler up to at least
/// Debian 12's 22.12 reports every `false` there as “Syntax Error: Suspects
/// object is wrong type (boolean)” (typst/typst#7140), and clerks read that
/// as a broken file. Leaving the default out says the same; spaces keep every
/// byte offset, so the cross-reference table stays right. Only the exact,
/// single occurrence is touched.
fn quiet_suspects(pdf: &mut [u8]) {
    let mut found = pdf.windows(MARK_INFO.len()).enumerate().filter(|(_, w)| *w == MARK_INFO).map(|(i, _)| i);
    let (Some(at), None) = (found.next(), found.next()) else { return };
    let start = at + MARK_INFO.len() - 2 - SUSPECTS.len();
    pdf[start..start + SUSPECTS.len()].fill(b' ');
}

/// Premultiplied RGBA (typst's pixels) to straight RGBA (PNG's).
fn straight_rgba(data: &[u8]) -> Vec<u8> {
    data.chunks_exact(4)
        .flat_map(|p| {
            let a = u16::from(p[3]);
            let c = |c: u8| ((u16::from(c) * 255 + a / 2).checked_div(a).unwrap_or(0)).min(255) as u8;
            [c(p[0]), c(p[1]), c(p[2]), p[3]]
        })
        .collect()
}

/// A PNG of one page at `pixel_per_pt` that keeps its transparency (a seal
/// laid over text), with its size in pixels.
pub fn export_png_transparent(
    doc: &PagedDocument,
    page: usize,
    pixel_per_pt: f64,
) -> Option<(Vec<u8>, u32, u32)> {
    render_png(doc, page, pixel_per_pt, png::ColorType::Rgba, png::Compression::Balanced, straight_rgba)
}

/// A PNG of one page at `pixel_per_pt`: flattened onto white (pages are
/// opaque paper) and compressed with the fast settings: on 200 two-page
/// flyers, 8.6 ms less CPU per page than the balanced (zlib) level typst's
/// own encoder uses, for files 37% larger.
pub fn export_png(doc: &PagedDocument, page: usize, pixel_per_pt: f64) -> Option<Vec<u8>> {
    // Premultiplied RGBA over white: each channel plus the white let through.
    let over_white = |data: &[u8]| -> Vec<u8> {
        data.chunks_exact(4)
            .flat_map(|p| {
                let clear = 255 - p[3];
                [p[0].saturating_add(clear), p[1].saturating_add(clear), p[2].saturating_add(clear)]
            })
            .collect()
    };
    render_png(doc, page, pixel_per_pt, png::ColorType::Rgb, png::Compression::Fast, over_white).map(|p| p.0)
}

/// Renders a page and encodes its pixels, converted from typst's
/// premultiplied RGBA by `convert`, as a PNG of `color`.
fn render_png(
    doc: &PagedDocument,
    page: usize,
    pixel_per_pt: f64,
    color: png::ColorType,
    compression: png::Compression,
    convert: impl Fn(&[u8]) -> Vec<u8>,
) -> Option<(Vec<u8>, u32, u32)> {
    encode_page(doc.pages().get(page)?, pixel_per_pt, color, compression, convert)
}

/// An image alone at `size`, as a transparent PNG at 300 dpi: for exporters
/// whose format cannot carry it as it is (SVG in OFD).
pub fn draw_image(image: &typst::visualize::Image, size: typst::layout::Size) -> Option<Vec<u8>> {
    let mut frame = Frame::hard(size);
    frame.push(
        typst::layout::Point::zero(),
        FrameItem::Image(image.clone(), size, typst::syntax::Span::detached()),
    );
    let page = typst_layout::Page {
        frame,
        bleed: Default::default(),
        fill: Smart::Custom(None),
        numbering: None,
        supplement: Default::default(),
        number: 1,
    };
    encode_page(&page, 300.0 / 72.0, png::ColorType::Rgba, png::Compression::Balanced, straight_rgba)
        .map(|p| p.0)
}

/// Renders a page and encodes it (see `render_png`).
fn encode_page(
    page: &typst_layout::Page,
    pixel_per_pt: f64,
    color: png::ColorType,
    compression: png::Compression,
    convert: impl Fn(&[u8]) -> Vec<u8>,
) -> Option<(Vec<u8>, u32, u32)> {
    let options = typst_render::RenderOptions { pixel_per_pt: pixel_per_pt.into(), ..Default::default() };
    let pixmap = typst_render::render(page, &options);
    let (width, height) = (pixmap.width(), pixmap.height());
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(compression);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(&convert(pixmap.data())).ok()?;
    writer.finish().ok()?;
    Some((out, width, height))
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

/// What is wrong with a region of a template's fixed layout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RegionFault {
    /// Its content is this many millimetres taller than the region.
    Over(f64),
    /// Its block does not clip, so its content cannot be measured (and
    /// would print over what follows it).
    NotClipped,
}

/// Regions a template reported as too full, or could not be checked.
///
/// A region is a clipped block whose content starts with a marker (naming
/// the region and its room): how far the content reaches inside the clip
/// is its height, laid out once. Templates may also report an overflow they
/// measured themselves (`<pressroom-overflow>` with `region` and `over`).
pub fn overflows(doc: &PagedDocument) -> Vec<(String, RegionFault)> {
    let mut found: Vec<(String, RegionFault)> = metadata(doc, "pressroom-overflow")
        .into_iter()
        .filter_map(|v| {
            let dict = v.cast::<typst::foundations::Dict>().ok()?;
            let region = dict.get("region").ok()?.clone().cast::<String>().ok()?;
            let over = dict.get("over").ok()?.clone().cast::<f64>().ok()?;
            Some((region, RegionFault::Over(over)))
        })
        .collect();
    for (value, start) in located(doc, "pressroom-region-start") {
        let Ok(dict) = value.cast::<typst::foundations::Dict>() else { continue };
        let Some(region) = dict.get("region").ok().and_then(|v| v.clone().cast::<String>().ok()) else {
            continue;
        };
        // A region that measured itself has reported the exact amount.
        if found.iter().any(|(r, _)| *r == region) {
            continue;
        }
        let Some((room, used)) = doc.pages().iter().find_map(|p| region_extent(&p.frame, start)) else {
            found.push((region, RegionFault::NotClipped));
            continue;
        };
        // Half a millimetre absorbs rounding in the layout.
        if used > room + 0.5 {
            found.push((region, RegionFault::Over(used - room)));
        }
    }
    found
}

/// For the clipped region whose content starts with the tag at `start`: its
/// height and the height its content reaches, in millimetres. The content
/// of a fixed-height block is laid out once and kept whole inside the clip,
/// so how far it reaches below the block is the overflow.
fn region_extent(frame: &Frame, start: typst::introspection::Location) -> Option<(f64, f64)> {
    for (_, item) in frame.items() {
        if let FrameItem::Group(group) = item {
            let holds_start = group.clip.is_some()
                && group.frame.items().any(|(_, i)| matches!(i, FrameItem::Tag(t) if t.location() == start));
            if holds_start {
                return Some((group.frame.height().to_mm(), reach(&group.frame).to_mm()));
            }
            if let Some(found) = region_extent(&group.frame, start) {
                return Some(found);
            }
        }
    }
    None
}

/// How far down the visible content of a frame reaches (clipped groups count
/// with their own height, not their content's).
fn reach(frame: &Frame) -> typst::layout::Abs {
    use typst::layout::Abs;
    let mut bottom = Abs::zero();
    for (pos, item) in frame.items() {
        let below = match item {
            FrameItem::Group(g) if g.clip.is_some() => g.frame.height(),
            FrameItem::Group(g) => g.frame.height().max(reach(&g.frame)),
            // The baseline plus a descender.
            FrameItem::Text(t) => t.size * 0.2,
            FrameItem::Shape(shape, _) => shape.bbox(false).max.y,
            FrameItem::Image(_, size, _) => size.y,
            FrameItem::Link(_, size) => size.y,
            FrameItem::Tag(_) => Abs::zero(),
        };
        bottom = bottom.max(pos.y + below);
    }
    bottom
}

/// The values and locations of every `metadata` element carrying `label`,
/// in document order.
fn located(
    doc: &PagedDocument,
    label: &str,
) -> Vec<(typst::foundations::Value, typst::introspection::Location)> {
    let Some(label) = Label::new(PicoStr::intern(label)) else { return Vec::new() };
    doc.introspector()
        .query(&typst::foundations::Selector::Label(label))
        .iter()
        .filter_map(|c| {
            let value = c.to_packed::<typst::introspection::MetadataElem>()?.value.clone();
            Some((value, c.location()?))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suspects_default_is_blanked_in_place_and_only_once() {
        let mut pdf = b"1 0 obj\n<</Type/Catalog/MarkInfo<</Marked true/Suspects false>>>>\nendobj".to_vec();
        let len = pdf.len();
        quiet_suspects(&mut pdf);
        assert_eq!(pdf.len(), len, "offsets stay");
        let text = String::from_utf8(pdf).expect("ascii");
        let blanked = format!("/MarkInfo<</Marked true{}>>", " ".repeat(SUSPECTS.len()));
        assert!(text.contains(&blanked), "{text}");
        // Twice (or not in this exact form): left as written.
        let twice = [MARK_INFO, b" ", MARK_INFO].concat();
        let mut copy = twice.clone();
        quiet_suspects(&mut copy);
        assert_eq!(copy, twice);
    }
}
