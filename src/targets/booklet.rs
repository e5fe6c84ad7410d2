//! The booklet target: cover, foreword, contents, one chapter per indicator
//! area (in the campaign's order) and a back page, on A5. The data names
//! every photo frame; `templates/booklet.typ` only lays them out.

use std::path::Path;

use serde_json::{Value as Json, json};

use crate::content::{BOOKLET_FILE, Content};
use crate::diag::{Diagnostic, Location};
use crate::msg;
use crate::render::Renderer;
use crate::targets::media::Media;
use crate::targets::photos::{Frame, arrange};

/// The booklet's template.
pub const TEMPLATE: &str = "booklet.typ";
/// Width of the A5 text column in mm (148 mm less 17 mm inside, 14 mm outside).
pub const COLUMN: f64 = 117.0;
/// Space between photos in mm.
pub const GUTTER: f64 = 3.0;
/// Height of a caption row in mm.
pub const CAPTION: f64 = 7.0;
/// Height for photos and captions on a chapter's photo page, in mm: the A5
/// type area (172 mm) less the list of things done and the credit. The
/// template shrinks the photos further when that list runs long. (The list's
/// items stand apart from their wrapped lines, which costs 3 mm.)
pub const PHOTO_BUDGET: f64 = 119.0;
/// The cover photo's frame on the trimmed page.
pub const COVER: Frame = Frame { width: 148.0, height: 120.0 };
/// Bleed in millimetres when the content names none.
pub const DEFAULT_BLEED: f64 = 3.0;

/// The cover photo's frame with the bleed on its three outer sides: the
/// photo is fitted to this in the screen file too, so that inside the trim
/// the print file shows exactly the same picture.
pub fn cover_frame(bleed: f64) -> Frame {
    Frame { width: COVER.width + 2.0 * bleed, height: COVER.height + bleed }
}

/// The data for the booklet template, or why there is none.
pub fn data(content: &Content, r: &mut Renderer<'_>, media: &mut Media<'_>) -> Result<Json, Diagnostic> {
    let b = content.booklet.as_ref().ok_or_else(|| {
        Diagnostic::error(
            "content/no-booklet",
            msg!(
                "项目中没有 {}，无法生成宣传册",
                "the project has no {}, so there is no booklet",
                BOOKLET_FILE
            ),
        )
        .at(Location::file(BOOKLET_FILE))
        .hint(msg!("参照示例项目写一个 booklet.yaml。", "write one, following the example project."))
    })?;
    let c = &content.campaign;
    let file = BOOKLET_FILE;
    let booklet_path = Path::new(file);
    let bleed = c.print.as_ref().and_then(|p| p.bleed.as_ref()).map_or(DEFAULT_BLEED, |b| b.value);
    let cover = b.cover_photo.as_ref().and_then(|p| {
        let src = media.photo(booklet_path, &p.file, cover_frame(bleed))?;
        Some(json!({ "src": src, "caption": r.text(file, &p.caption, &[]), "bleed": bleed }))
    });
    let mut chapters = Vec::new();
    for area in &c.areas {
        let Some((path, a)) = content.areas.iter().find(|(_, a)| a.area.value == area.id.value) else {
            continue;
        };
        let f = path.to_string_lossy().into_owned();
        let frames = arrange(a.photos.len(), COLUMN, PHOTO_BUDGET, GUTTER, CAPTION);
        let photos: Vec<Json> = a
            .photos
            .iter()
            .zip(frames)
            .filter_map(|(p, frame)| {
                let src = media.photo(path, &p.file, frame)?;
                Some(json!({
                    "src": src,
                    "caption": r.text(&f, &p.caption, &[]),
                    "width": frame.width,
                    "height": frame.height,
                }))
            })
            .collect();
        let departments: Vec<String> =
            a.departments.iter().map(|d| content.campaign.department_name(&d.value)).collect();
        chapters.push(json!({
            "number": chapters.len() + 1,
            "id": area.id.value,
            "title": match &a.title { Some(t) => r.text(&f, t, &[]), None => area.indicator.value.clone() },
            "headline": r.text(&f, &a.headline, &[]),
            "body": r.rich(&f, &a.body, &[]),
            "figures": a.figures.iter().map(|fig| json!({
                "value": r.text(&f, &fig.value, &[]),
                "unit": r.text(&f, &fig.unit, &[]),
                "label": r.text(&f, &fig.label, &[]),
            })).collect::<Vec<_>>(),
            "done": a.done.iter().map(|d| r.text(&f, d, &[])).collect::<Vec<_>>(),
            "photos": photos,
            "departments": departments,
            "contact": r.text(&f, &a.contact, &[]),
        }));
    }
    Ok(json!({
        "title": r.text(file, &b.title, &[]),
        "subtitle": b.subtitle.as_ref().map(|s| r.text(file, s, &[])),
        "district": c.district(),
        "year": c.year(),
        "office": c.office(),
        "hotline": c.hotline.as_ref().map(|h| h.value.clone()),
        "qr": c.qr.as_ref().and_then(|q| crate::targets::qr::data(r, crate::content::CAMPAIGN_FILE, q)),
        "cover": cover,
        "foreword": r.rich(file, &b.foreword, &[]),
        "foreword_sign": match &b.foreword_sign { Some(s) => r.text(file, s, &[]), None => c.office().to_owned() },
        "chapters": chapters,
        // Last year's facts not yet confirmed for this year print as a draft.
        "draft": content.stale_areas().next().is_some(),
        "back": { "title": r.text(file, &b.back_title, &[]), "text": r.rich(file, &b.back_text, &[]) },
        "padding": 0,
    }))
}
