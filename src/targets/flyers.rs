//! The flyers target: one document per township, in the layout its file
//! names (`flyer`, `card`, or a project template). The front carries the
//! district's letter with the township's featured areas; the back its own
//! achievements and contacts.

use std::path::Path;

use serde_json::{Value as Json, json};

use crate::content::model::TownshipFile;
use crate::content::{Content, FLYER_FILE};
use crate::diag::{Diagnostic, Location};
use crate::msg;
use crate::render::Renderer;
use crate::targets::media::Media;
use crate::targets::photos::Frame;

/// The layout used when a township names none.
pub const DEFAULT_LAYOUT: &str = "flyer";
/// The flyer's photo frame on the back.
pub const PHOTO: Frame = Frame { width: 62.0, height: 46.5 };

/// The layout (template name without `.typ`) a township uses.
pub fn layout(t: &TownshipFile) -> &str {
    t.layout.as_ref().map_or(DEFAULT_LAYOUT, |l| l.value.as_str())
}

/// A file-system-safe output name for a township: its name as written
/// (Chinese file names are fine on every system the offices use), with
/// path separators and reserved characters replaced.
pub fn file_name(name: &str) -> String {
    name.chars().map(|c| if "/\\:*?\"<>|".contains(c) || c.is_control() { '_' } else { c }).collect()
}

/// The data for one township's flyer.
pub fn data(
    content: &Content,
    r: &mut Renderer<'_>,
    media: &mut Media<'_>,
    path: &Path,
    t: &TownshipFile,
) -> Result<Json, Diagnostic> {
    let letter = content.flyer.as_ref().ok_or_else(|| {
        Diagnostic::error(
            "content/no-flyer",
            msg!("项目中没有 {}，无法生成传单", "the project has no {}, so there are no flyers", FLYER_FILE),
        )
        .at(Location::file(FLYER_FILE))
    })?;
    let c = &content.campaign;
    let f = path.to_string_lossy().into_owned();
    let township = json!({ "name": t.township.value });
    let extra = [("township", township)];
    // The township's own facts, or an area's it prints, still an earlier
    // year's make the flyer a draft.
    let mut draft = content.stale(t.updated_for.as_ref());
    let points: Vec<Json> = t
        .features
        .iter()
        .filter_map(|feature| {
            let area = c.areas.iter().find(|a| a.id.value == feature.value)?;
            let (apath, a) = content.areas.iter().find(|(_, a)| a.area.value == feature.value)?;
            let af = apath.to_string_lossy().into_owned();
            draft |= content.stale(a.updated_for.as_ref());
            let figure = a.figures.first().map(|fig| {
                json!({
                    "value": r.text(&af, &fig.value, &[]),
                    "unit": r.text(&af, &fig.unit, &[]),
                    "label": r.text(&af, &fig.label, &[]),
                })
            });
            Some(json!({
                "title": match &a.title { Some(t) => r.text(&af, t, &[]), None => area.indicator.value.clone() },
                "headline": r.text(&af, &a.headline, &[]),
                "figure": figure,
            }))
        })
        .collect();
    let photo = t.photo.as_ref().and_then(|p| {
        let src = media.photo(path, &p.file, PHOTO)?;
        Some(json!({ "src": src, "caption": r.text(&f, &p.caption, &[]) }))
    });
    // The township's own code, else the campaign's.
    let qr = match &t.qr {
        Some(q) => crate::targets::qr::data(r, &f, q),
        None => c.qr.as_ref().and_then(|q| crate::targets::qr::data(r, crate::content::CAMPAIGN_FILE, q)),
    };
    let date = content.notice_date();
    Ok(json!({
        "qr": qr,
        "layout": layout(t),
        "draft": draft,
        "district": c.district(),
        "year": c.year(),
        "hotline": c.hotline.as_ref().map(|h| h.value.clone()),
        "survey": c.areas.iter().filter(|a| a.in_survey).map(|a| a.indicator.value.clone()).collect::<Vec<_>>(),
        "township": {
            "name": t.township.value,
            "address": r.text(&f, &t.address, &[]),
            "phone": r.text(&f, &t.phone, &[]),
            "hours": r.text(&f, &t.hours, &[]),
            "achievements": t.achievements.iter().map(|a| r.text(&f, a, &[])).collect::<Vec<_>>(),
            "grid_workers": t.grid_workers.iter().map(|w| json!({
                "name": r.text(&f, &w.name, &[]),
                "phone": r.text(&f, &w.phone, &[]),
                "area": r.text(&f, &w.area, &[]),
            })).collect::<Vec<_>>(),
            "photo": photo,
        },
        "letter": {
            "title": r.text(FLYER_FILE, &letter.title, &extra),
            "salutation": r.text(FLYER_FILE, &letter.salutation, &extra),
            "opening": r.rich(FLYER_FILE, &letter.opening, &extra),
            "points": points,
            "closing": r.rich(FLYER_FILE, &letter.closing, &extra),
            "date": format!("{}年{}月", date.year, date.month),
        },
    }))
}
