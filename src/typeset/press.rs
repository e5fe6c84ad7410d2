//! The print shop's PDF. typst lays out the print pages (bleed, crop marks,
//! CMYK colours; `templates/press.typ`); this module does what the engine
//! cannot: photos converted to the press's CMYK through its ICC profile, and
//! the BleedBox and output intent added to typst's PDF.
//!
//! The PDF step is an incremental update (lopdf): the pages and the catalog
//! are appended in changed form and every byte typst wrote stays as it was,
//! the structure tree and fonts included.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lopdf::{Dictionary, IncrementalDocument, Object, Stream, StringFormat};
use moxcms::{ColorProfile, DataColorSpace, Layout, ProfileClass, ProfileText, TransformOptions};

use crate::msg;

/// Where Debian's Ghostscript packages (libgs-common) put their CMYK
/// output profile, the default when a project names none.
pub const SYSTEM_PROFILE: &str = "/usr/share/color/icc/ghostscript/default_cmyk.icc";
/// The environment variable naming a CMYK profile (`./dev.sh` sets it to
/// the one it fetched), between the project's own and the system's.
pub const PROFILE_ENV: &str = "PRESSROOM_CMYK_PROFILE";

const PT_PER_MM: f64 = 72.0 / 25.4;

/// Why the print files cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum PressError {
    /// No CMYK profile was given or found.
    #[error("no CMYK output profile")]
    NoProfile,
    /// The profile could not be read.
    #[error("{path}: {message}")]
    Profile { path: PathBuf, message: String },
    /// A photo could not be converted.
    #[error("photo: {0}")]
    Photo(String),
    /// typst's PDF could not be read or updated.
    #[error("PDF: {0}")]
    Pdf(String),
}

impl PressError {
    /// The message in both languages.
    pub fn message(&self) -> crate::diag::Msg {
        match self {
            PressError::NoProfile => msg!(
                "找不到印刷用的 CMYK 色彩特性文件（ICC）",
                "no CMYK output profile (ICC) for the press was found"
            ),
            PressError::Profile { path, message } => crate::diag::Msg::new(
                format!("色彩特性文件 {} 不能用：{message}", path.display()),
                format!("the colour profile {} cannot be used: {message}", path.display()),
            ),
            PressError::Photo(m) => crate::diag::Msg::new(
                format!("照片无法转换为印刷色（CMYK）：{m}"),
                format!("a photo could not be converted to the press's CMYK: {m}"),
            ),
            PressError::Pdf(m) => crate::diag::Msg::new(
                format!("无法写入印刷文件的页面框和输出意图：{m}"),
                format!("could not add the page boxes and output intent to the print file: {m}"),
            ),
        }
    }
}

/// The press's CMYK output profile.
#[derive(Clone)]
pub struct Profile {
    bytes: Arc<Vec<u8>>,
    cms: Arc<ColorProfile>,
    /// The profile's own description (its `desc` tag), e.g. "Artifex CMYK
    /// SWOP Profile"; the output condition the print file names.
    pub description: String,
    /// Where it was read from.
    pub path: PathBuf,
    /// Hash of the profile, part of the cache key of converted photos.
    pub hash: blake3::Hash,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile").field("description", &self.description).field("path", &self.path).finish()
    }
}

impl Profile {
    /// The first of: `project` (a file the content names), the file named
    /// by [`PROFILE_ENV`], [`SYSTEM_PROFILE`].
    pub fn find(project: Option<&Path>) -> Result<Self, PressError> {
        if let Some(p) = project {
            return Self::load(p);
        }
        if let Some(p) = std::env::var_os(PROFILE_ENV).filter(|p| !p.is_empty()) {
            return Self::load(Path::new(&p));
        }
        let system = Path::new(SYSTEM_PROFILE);
        if system.is_file() {
            return Self::load(system);
        }
        Err(PressError::NoProfile)
    }

    /// Reads `path`, which must be a CMYK output (printer) profile.
    pub fn load(path: &Path) -> Result<Self, PressError> {
        let fail = |message: String| PressError::Profile { path: path.to_path_buf(), message };
        let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        let cms = ColorProfile::new_from_slice(&bytes).map_err(|e| fail(format!("{e:?}")))?;
        if cms.color_space != DataColorSpace::Cmyk || cms.profile_class != ProfileClass::OutputDevice {
            return Err(fail(format!(
                "not a CMYK output profile ({:?}, {:?})",
                cms.color_space, cms.profile_class
            )));
        }
        let description = match &cms.description {
            Some(ProfileText::PlainString(s)) => s.clone(),
            Some(ProfileText::Localizable(l)) => l.first().map(|s| s.value.clone()).unwrap_or_default(),
            Some(ProfileText::Description(d)) => d.ascii_string.clone(),
            None => String::new(),
        };
        let description = description.trim_end_matches('\0').trim().to_owned();
        let description = if description.is_empty() { "CMYK".to_owned() } else { description };
        Ok(Self {
            hash: blake3::hash(&bytes),
            bytes: Arc::new(bytes),
            cms: Arc::new(cms),
            description,
            path: path.to_path_buf(),
        })
    }

    /// Converts 8-bit RGB pixels (in `source`, sRGB when `None`) to CMYK
    /// with perceptual intent, the intent for photos.
    pub fn to_cmyk(&self, rgb: &[u8], source: Option<&[u8]>) -> Result<Vec<u8>, PressError> {
        let src = match source.map(ColorProfile::new_from_slice) {
            Some(Ok(p)) if p.color_space == DataColorSpace::Rgb => p,
            _ => ColorProfile::new_srgb(),
        };
        let transform = src
            .create_transform_8bit(Layout::Rgb, &self.cms, Layout::Rgba, TransformOptions::default())
            .map_err(|e| PressError::Photo(format!("{e:?}")))?;
        let mut cmyk = vec![0u8; rgb.len() / 3 * 4];
        transform.transform(rgb, &mut cmyk).map_err(|e| PressError::Photo(format!("{e:?}")))?;
        Ok(cmyk)
    }
}

/// Adds to typst's print PDF what typst 0.15 does not write: on every page a
/// BleedBox `bleed_mm` outside the TrimBox typst set (a page without one is
/// left alone), and the output intent with the press's profile embedded.
/// Same input, same bytes.
pub fn finish_pdf(pdf: Vec<u8>, bleed_mm: f64, profile: &Profile) -> Result<Vec<u8>, PressError> {
    let fail = |e: lopdf::Error| PressError::Pdf(e.to_string());
    let prev = lopdf::Document::load_mem(&pdf).map_err(fail)?;
    let mut doc = IncrementalDocument::create_from(pdf, prev);
    let bleed = bleed_mm * PT_PER_MM;
    let pages: Vec<_> = doc.get_prev_documents().get_pages().into_values().collect();
    for id in pages {
        doc.opt_clone_object_to_new_document(id).map_err(fail)?;
        let page = doc.new_document.get_object_mut(id).and_then(Object::as_dict_mut).map_err(fail)?;
        let Ok(trim) = page.get(b"TrimBox").and_then(Object::as_array) else { continue };
        let trim: Vec<f64> = trim
            .iter()
            .filter_map(|o| o.as_float().ok().map(f64::from).or(o.as_i64().ok().map(|i| i as f64)))
            .collect();
        let [x0, y0, x1, y1] = trim[..] else { continue };
        let round = |v: f64| ((v * 1000.0).round() / 1000.0) as f32;
        let box_ = vec![round(x0 - bleed), round(y0 - bleed), round(x1 + bleed), round(y1 + bleed)];
        page.set("BleedBox", box_.into_iter().map(Object::Real).collect::<Vec<_>>());
    }

    let mut icc = Stream::new(Dictionary::from_iter([("N", Object::Integer(4))]), profile.bytes.to_vec());
    icc.compress().map_err(fail)?;
    let icc_id = doc.new_document.add_object(icc);
    let text = |s: &str| Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    let intent = Dictionary::from_iter([
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFX".to_vec())),
        ("OutputConditionIdentifier", text(&profile.description)),
        ("OutputCondition", text(&profile.description)),
        ("Info", text(&profile.description)),
        ("DestOutputProfile", Object::Reference(icc_id)),
    ]);
    let intent_id = doc.new_document.add_object(intent);
    let root = doc.get_prev_documents().trailer.get(b"Root").and_then(Object::as_reference).map_err(fail)?;
    doc.opt_clone_object_to_new_document(root).map_err(fail)?;
    let catalog = doc.new_document.get_object_mut(root).and_then(Object::as_dict_mut).map_err(fail)?;
    catalog.set("OutputIntents", vec![Object::Reference(intent_id)]);

    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| PressError::Pdf(e.to_string()))?;
    Ok(out)
}

/// A creep offset per sheet for a saddle-stitched booklet of `sheets`
/// sheets on paper `caliper_mm` thick: the outer sheet stays, each sheet
/// inside it is moved toward the spine by one more paper thickness (the
/// fore-edge of a sheet nested in `k` others stands out by about `k`
/// thicknesses once folded).
pub fn creep(sheets: usize, caliper_mm: f64) -> Vec<f64> {
    (0..sheets).map(|k| k as f64 * caliper_mm).collect()
}

/// The paper's thickness in millimetres from its weight in g/m², for coated
/// paper as booklets use it (bulk about 0.9 cm³/g: 128 g/m² is 0.115 mm).
pub fn caliper_from_weight(gsm: f64) -> f64 {
    gsm * 0.9 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creep_grows_by_one_thickness_per_sheet() {
        assert_eq!(creep(3, 0.1), vec![0.0, 0.1, 0.2]);
        assert!((caliper_from_weight(128.0) - 0.1152).abs() < 1e-9);
    }

    #[test]
    fn a_display_profile_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("srgb.icc");
        let srgb = ColorProfile::new_srgb().encode().expect("encode");
        std::fs::write(&path, srgb).expect("write");
        let err = Profile::load(&path).expect_err("refused");
        assert!(err.to_string().contains("not a CMYK output profile"), "{err}");
    }
}
