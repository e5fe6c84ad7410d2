//! Fonts for pages read in a browser (the proof sheet): a role's font cut
//! down to the characters a page shows, as an OpenType font with a Unicode
//! `cmap` that browsers accept, so the page reads the same on a machine
//! without any Chinese font. typst's own subsetter writes fonts for PDF
//! only (no `cmap`, no `OS/2`), which browsers reject; allsorts keeps both.

use std::collections::BTreeSet;

use allsorts::binary::read::ReadScope;
use allsorts::font::{Font, MatchingPresentation};
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile, subset};

use super::fonts::Resolved;

/// A font subset for the web, and the characters it covers.
pub struct WebFont {
    /// The OpenType font.
    pub bytes: Vec<u8>,
    /// The characters of the request the font has.
    pub covered: BTreeSet<char>,
}

/// The font of `role` cut to the characters of `chars` it has; `None` when
/// the file cannot be read or subset (the page then uses the reader's
/// fonts), or has none of them.
pub fn subset_for_web(role: &Resolved, chars: &BTreeSet<char>) -> Option<WebFont> {
    let data = std::fs::read(&role.path).ok()?;
    let scope = ReadScope::new(&data);
    let file = scope.read::<FontData<'_>>().ok()?;
    let index = usize::try_from(role.face).ok()?;
    let mut font = Font::new(file.table_provider(index).ok()?).ok()?;
    // Glyph 0 (.notdef) first, then each glyph once: allsorts asks for both.
    let mut glyphs: Vec<u16> = vec![0];
    let mut covered = BTreeSet::new();
    for &c in chars.iter().filter(|c| !c.is_control()) {
        let (glyph, _) = font.lookup_glyph_index(c, MatchingPresentation::NotRequired, None);
        if glyph == 0 {
            continue;
        }
        covered.insert(c);
        if !glyphs.contains(&glyph) {
            glyphs.push(glyph);
        }
    }
    if covered.is_empty() {
        return None;
    }
    let bytes =
        subset(&file.table_provider(index).ok()?, &glyphs, &SubsetProfile::Minimal, CmapTarget::Unicode)
            .ok()?;
    Some(WebFont { bytes, covered })
}

/// A font file's face `index` cut to `glyphs` (glyph 0 first), renumbered
/// in that order, with a Unicode `cmap` for those the font maps from
/// characters: for formats that embed fonts and address glyphs (OFD).
pub fn subset_glyphs(data: &[u8], index: u32, glyphs: &[u16]) -> Option<Vec<u8>> {
    let scope = ReadScope::new(data);
    let file = scope.read::<FontData<'_>>().ok()?;
    let index = usize::try_from(index).ok()?;
    subset(&file.table_provider(index).ok()?, glyphs, &SubsetProfile::Minimal, CmapTarget::Unicode).ok()
}
