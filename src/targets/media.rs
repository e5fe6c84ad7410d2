//! Photos for a target: each is checked to lie inside the project, then
//! downsampled to its frame by [`crate::typeset::images`] (cached by
//! content), and handed to the template by a virtual path into the cache.

use std::path::{Path, PathBuf};

use crate::content::Sources;
use crate::content::Text;
use crate::diag::{Diagnostic, Diagnostics};
use crate::msg;
use crate::targets::photos::Frame;
use crate::typeset::images::{self, Placement};
use crate::typeset::world::CACHE_PREFIX;

/// Resolution below which a placed photo gets a warning.
pub const LOW_DPI: f64 = 150.0;

/// Prepares the photos of one or more documents, collecting problems.
pub struct Media<'a> {
    root: &'a Path,
    cache_dir: &'a Path,
    dpi: f64,
    sources: &'a Sources,
    /// Low-resolution warnings.
    pub warnings: Diagnostics,
    /// Photos that could not be used.
    pub errors: Diagnostics,
    /// Bytes of every prepared photo, for size reports.
    pub bytes: u64,
    /// Only check that photos exist inside the project (for `check`).
    dry: bool,
    /// When planning: the photos asked for, not yet prepared.
    plan: Option<Vec<(PathBuf, Placement)>>,
}

impl<'a> Media<'a> {
    /// Photos from the project at `root`, cached in `cache_dir`, at `dpi`.
    pub fn new(root: &'a Path, cache_dir: &'a Path, dpi: f64, sources: &'a Sources) -> Self {
        Self {
            root,
            cache_dir,
            dpi,
            sources,
            warnings: Vec::new(),
            errors: Vec::new(),
            bytes: 0,
            dry: false,
            plan: None,
        }
    }

    /// Photos that are only noted, so that all of them can be prepared at
    /// once on worker threads ([`Self::prepare_planned`]).
    pub fn planning(root: &'a Path, cache_dir: &'a Path, dpi: f64, sources: &'a Sources) -> Self {
        Self { plan: Some(Vec::new()), ..Self::new(root, cache_dir, dpi, sources) }
    }

    /// Prepares the photos noted while planning, on `threads` workers. The
    /// results are kept by [`images::prepare`] for the pass that places
    /// them, which also reports any problem.
    pub fn prepare_planned(&mut self, threads: usize) {
        let mut plan = self.plan.take().unwrap_or_default();
        let height = |p: &Placement| p.height_mm.unwrap_or(-1.0);
        plan.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.width_mm.total_cmp(&b.1.width_mm))
                .then(height(&a.1).total_cmp(&height(&b.1)))
        });
        plan.dedup();
        let cache_dir = self.cache_dir;
        crate::batch::run(threads, &plan, |(path, placement)| {
            let _ = images::prepare(path, placement, cache_dir);
        });
    }

    /// Photos that are only checked to exist inside the project, without
    /// decoding or writing anything.
    pub fn dry(root: &'a Path, sources: &'a Sources) -> Self {
        Self { dry: true, ..Self::new(root, root, 300.0, sources) }
    }

    /// The virtual path of `file` (written in `yaml`) fitted to `frame`, or
    /// `None` after recording why it cannot be used.
    pub fn photo(&mut self, yaml: &Path, file: &Text, frame: Frame) -> Option<String> {
        let at = self.sources.locate(yaml, &file.referenced);
        let path = match crate::content::assets::project_file(self.root, &file.value) {
            Ok(p) => p,
            Err(m) => {
                self.errors.push(Diagnostic::error("content/image", m).at(at));
                return None;
            }
        };
        if self.dry {
            return Some(format!("{CACHE_PREFIX}unchecked"));
        }
        let placement = Placement { width_mm: frame.width, height_mm: Some(frame.height), dpi: self.dpi };
        if let Some(plan) = &mut self.plan {
            plan.push((path, placement));
            return Some(format!("{CACHE_PREFIX}planned"));
        }
        match images::prepare(&path, &placement, self.cache_dir) {
            Ok(p) => {
                if p.effective_dpi < LOW_DPI {
                    self.warnings.push(
                        Diagnostic::warning(
                            "content/low-resolution",
                            msg!(
                                "照片“{}”分辨率偏低：放在 {:.0}×{:.0} 毫米的位置只有约 {:.0} dpi（印刷至少需要 {:.0} dpi）",
                                "photo “{}” is low resolution: in its {:.0}×{:.0} mm frame it has about {:.0} dpi (print needs {:.0})",
                                file.value,
                                frame.width,
                                frame.height,
                                p.effective_dpi,
                                LOW_DPI
                            ),
                        )
                        .at(at)
                        .hint(msg!("请换用原图或更清晰的照片。", "use the original or a sharper photo.")),
                    );
                }
                self.bytes += p.bytes;
                let name = p.path.file_name().map(PathBuf::from).unwrap_or_default();
                Some(format!("{CACHE_PREFIX}{}", name.display()))
            }
            Err(e) => {
                let m = e.message();
                self.errors.push(
                    Diagnostic::error(
                        "content/image",
                        crate::diag::Msg::new(
                            format!("照片“{}”无法使用：{}", file.value, m.zh),
                            format!("photo “{}” cannot be used: {}", file.value, m.en),
                        ),
                    )
                    .at(at)
                    .hint(e.hint()),
                );
                None
            }
        }
    }
}

/// Every photo of a target's data (each `src` into the cache) swapped for
/// its version in the press's CMYK ([`images::press_photo`]), for the print
/// shop's file made from the same data.
pub fn for_press(
    data: &mut serde_json::Value,
    cache_dir: &Path,
    profile: &crate::typeset::press::Profile,
) -> Result<(), Diagnostic> {
    use serde_json::Value;
    match data {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if key == "src"
                    && let Value::String(src) = value
                    && let Some(name) = src.strip_prefix(CACHE_PREFIX)
                {
                    let converted = images::press_photo(&cache_dir.join(name), profile).map_err(|e| {
                        let m = e.message();
                        Diagnostic::error(
                            "print/photo",
                            crate::diag::Msg::new(
                                format!("照片无法转换为印刷色（CMYK）：{}", m.zh),
                                format!("a photo cannot be converted to the press's CMYK: {}", m.en),
                            ),
                        )
                    })?;
                    let name = converted.file_name().map(PathBuf::from).unwrap_or_default();
                    *src = format!("{CACHE_PREFIX}{}", name.display());
                } else {
                    for_press(value, cache_dir, profile)?;
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                for_press(item, cache_dir, profile)?;
            }
        }
        _ => {}
    }
    Ok(())
}
