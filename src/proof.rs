//! The proof sheet: `output/index.html`, a self-contained page (no network;
//! opens from disk) showing every output with a preview of each page, page
//! counts and sizes, the findings with their locations, and which real font
//! served each role. Page previews are PNGs rendered by typst, kept in
//! `output/previews/` and re-rendered only when the PDF changed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use typst_layout::PagedDocument;

use crate::build::{Output, Report};
use crate::diag::{Diagnostic, Severity};
use crate::typeset::fonts::Role;

/// The proof sheet's file name inside the output folder.
pub const INDEX: &str = "index.html";
/// Folder of page previews inside the output folder.
pub const PREVIEWS: &str = "previews";
/// Preview resolution: 2 pixels per point (144 dpi) is enough to proofread
/// 10.5 pt Chinese text on screen.
const PIXELS_PER_PT: f64 = 2.0;
/// The height of a page on the proof sheet in device pixels: 190 CSS
/// pixels (`.pages img`) on a screen of 2 device pixels per CSS pixel.
const THUMBNAIL_PX: f64 = 380.0;
/// What a thumbnail preview's stamp adds to the PDF's hash.
const THUMBNAIL_STAMP: &str = " thumbnail";

/// How large page previews are drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PreviewSize {
    /// 144 dpi, to proofread on screen: documents a person reads page by page.
    #[default]
    Proofreading,
    /// As large as the proof sheet shows them, for a batch of flyers (a
    /// page then opens as PDF): about a twentieth of the pixels of an A4
    /// page at proofreading size.
    Thumbnail,
}

impl PreviewSize {
    fn pixels_per_pt(self, page_height_pt: f64) -> f64 {
        match self {
            Self::Proofreading => PIXELS_PER_PT,
            Self::Thumbnail => (THUMBNAIL_PX / page_height_pt.max(1.0)).min(PIXELS_PER_PT),
        }
    }

    /// The stamp of previews of this size of a PDF with `hash`.
    fn stamp(self, hash: &str) -> String {
        match self {
            Self::Proofreading => hash.to_owned(),
            Self::Thumbnail => format!("{hash}{THUMBNAIL_STAMP}"),
        }
    }
}

/// Whether the previews of the output `rel` on disk are thumbnails.
fn thumbnails_on_disk(out_dir: &Path, rel: &Path) -> bool {
    let stamp = out_dir.join(PREVIEWS).join(format!("{}.blake3", preview_stem(rel)));
    std::fs::read_to_string(stamp).is_ok_and(|s| s.ends_with(THUMBNAIL_STAMP))
}

/// Renders (or reuses) PNG previews of every page of `doc`, whose PDF bytes
/// are `pdf`, for the output `rel` (relative to `out_dir`). Returns the
/// preview paths relative to `out_dir`.
pub fn previews(
    doc: &PagedDocument,
    pdf: &[u8],
    out_dir: &Path,
    rel: &Path,
    size: PreviewSize,
) -> Vec<PathBuf> {
    let (names, pending) = plan_previews(doc, pdf, out_dir, rel, size);
    if let Some(pending) = pending {
        pending.render(&AtomicBool::new(false));
    }
    names
}

/// Page previews of one output that are still to be rendered.
#[derive(Debug)]
pub struct PendingPreviews {
    /// The output (PDF) the pages belong to.
    output: PathBuf,
    doc: PagedDocument,
    out_dir: PathBuf,
    /// Paths relative to `out_dir`, one per page.
    names: Vec<PathBuf>,
    stamp: PathBuf,
    /// What the stamp holds once the pages are drawn.
    hash: String,
    size: PreviewSize,
}

/// The preview paths of `doc`'s pages (as [`previews`]) and, unless those
/// files already show this PDF, the rendering still to do. Previews of an
/// older version are removed at once, so none is shown for the new PDF.
pub fn plan_previews(
    doc: &PagedDocument,
    pdf: &[u8],
    out_dir: &Path,
    rel: &Path,
    size: PreviewSize,
) -> (Vec<PathBuf>, Option<PendingPreviews>) {
    let stem = preview_stem(rel);
    let dir = out_dir.join(PREVIEWS);
    let hash = size.stamp(&blake3::hash(pdf).to_hex());
    let stamp = dir.join(format!("{stem}.blake3"));
    let names: Vec<PathBuf> =
        (1..=doc.pages().len()).map(|n| PathBuf::from(PREVIEWS).join(format!("{stem}-{n}.png"))).collect();
    let fresh = std::fs::read_to_string(&stamp).is_ok_and(|h| h == hash)
        && names.iter().all(|n| out_dir.join(n).exists());
    if fresh {
        return (names, None);
    }
    // The stamp goes first and comes back last: a run killed (or a
    // rendering cancelled) halfway leaves no stamp, so the next run renders
    // again instead of showing a mix of old and new pages.
    let _ = std::fs::remove_file(&stamp);
    // Pages beyond the new count belong to an older version.
    for extra in (names.len() + 1).. {
        let old = dir.join(format!("{stem}-{extra}.png"));
        if std::fs::remove_file(&old).is_err() {
            break;
        }
    }
    let pending = PendingPreviews {
        output: out_dir.join(rel),
        doc: doc.clone(),
        out_dir: out_dir.to_path_buf(),
        names: names.clone(),
        stamp,
        hash,
        size,
    };
    (names, Some(pending))
}

impl PendingPreviews {
    /// The output (PDF) whose pages these are.
    pub fn output(&self) -> &Path {
        &self.output
    }

    /// Renders the pages on worker threads. When `cancel` is set, stops
    /// after the pages under way and returns false (no stamp is written).
    pub fn render(&self, cancel: &AtomicBool) -> bool {
        // Rendering and PNG encoding dominate; pages go to worker threads.
        let pages: Vec<usize> = (0..self.names.len()).collect();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        crate::batch::run(threads, &pages, |&i| {
            if cancel.load(Ordering::Relaxed) {
                return;
            }
            let height = self.doc.pages().get(i).map_or(842.0, |p| p.frame.height().to_pt());
            if let Some(png) = crate::typeset::export_png(&self.doc, i, self.size.pixels_per_pt(height)) {
                let _ = crate::output::write_atomic(&self.out_dir.join(&self.names[i]), &png);
            }
        });
        if cancel.load(Ordering::Relaxed) {
            return false;
        }
        let _ = crate::output::write_atomic(&self.stamp, self.hash.as_bytes());
        true
    }

    /// Renders the pages one after another on this thread and queues the
    /// files on `writer`, the stamp last (the writer renames in order).
    pub(crate) fn render_to(&self, writer: &crate::output::Writer) {
        for (i, name) in self.names.iter().enumerate() {
            let height = self.doc.pages().get(i).map_or(842.0, |p| p.frame.height().to_pt());
            if let Some(png) = crate::typeset::export_png(&self.doc, i, self.size.pixels_per_pt(height)) {
                writer.write(self.out_dir.join(name), png);
            }
        }
        writer.write(self.stamp.clone(), self.hash.clone().into_bytes());
    }
}

/// Previews a build leaves to its caller, at most `cap` outputs' worth: a
/// deferred preview keeps its typeset document in memory until drawn, so
/// beyond the cap they are drawn as they come.
#[derive(Debug)]
pub(crate) struct Deferred {
    cap: usize,
    pending: std::sync::Mutex<Vec<PendingPreviews>>,
}

impl Deferred {
    pub(crate) fn new(cap: usize) -> Self {
        Self { cap, pending: std::sync::Mutex::new(Vec::new()) }
    }

    /// Keeps `p` for later, or renders it now when `cap` are kept already.
    pub(crate) fn offer(&self, p: PendingPreviews) {
        if let Ok(mut all) = self.pending.lock()
            && all.len() < self.cap
        {
            all.push(p);
            return;
        }
        p.render(&AtomicBool::new(false));
    }

    pub(crate) fn into_pending(self) -> Vec<PendingPreviews> {
        self.pending.into_inner().unwrap_or_default()
    }
}

/// Writes `index.html` for a finished build.
pub fn write_index(report: &Report, out_dir: &Path, root: &Path) -> std::io::Result<()> {
    let outputs = on_disk(&report.outputs, out_dir);
    crate::output::write_atomic(&out_dir.join(INDEX), page(report, &outputs, out_dir, root).as_bytes())
}

/// Every output on disk, so that a build of one flyer (`--only`) does not
/// shrink the proof sheet to it: this build's `written`, and beside them the
/// files earlier builds left in `out_dir` (their previews found by name, their
/// page count that of their previews), all in the order of the groups.
fn on_disk(written: &[Output], out_dir: &Path) -> Vec<Output> {
    let mut files = Vec::new();
    list_outputs(out_dir, out_dir, &mut files);
    let mut outputs = written.to_vec();
    for rel in files {
        let path = out_dir.join(&rel);
        if outputs.iter().any(|o| o.path == path) {
            continue;
        }
        let bytes = std::fs::metadata(&path).map_or(0, |m| m.len() as usize);
        let stem = preview_stem(&rel);
        let previews: Vec<PathBuf> = (1..)
            .map(|n| PathBuf::from(PREVIEWS).join(format!("{stem}-{n}.png")))
            .take_while(|p| out_dir.join(p).is_file())
            .collect();
        let pages = if rel.extension().is_some_and(|e| e == "pdf") { previews.len() } else { 0 };
        let thumbnails = thumbnails_on_disk(out_dir, &rel);
        outputs.push(Output { path, pages, bytes, previews, thumbnails });
    }
    if outputs.len() > written.len() {
        let rank = |o: &Output| GROUPS.iter().position(|g| *g == group(o, out_dir)).unwrap_or(GROUPS.len());
        outputs.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.path.cmp(&b.path)));
    }
    outputs
}

/// The name an output's previews start with: its path in the output
/// folder, without extension, `/` made `_` (`flyers/a.pdf` → `flyers_a`).
fn preview_stem(rel: &Path) -> String {
    rel.with_extension("").to_string_lossy().chars().map(|c| if c == '/' { '_' } else { c }).collect()
}

/// The proof sheet's groups, in the order a full build writes them.
const GROUPS: [&str; 3] =
    ["通知与手册 · Notice and booklet", "附件表格 · Annex tables", "乡街传单 · Township flyers"];

/// The output files under `dir`, relative to `out_dir`, sorted: not the
/// proof sheet, its previews, nor a build's temporary files.
fn list_outputs(out_dir: &Path, dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let Ok(rel) = path.strip_prefix(out_dir) else { continue };
        let name = rel.to_string_lossy();
        if name == INDEX || name == PREVIEWS || name.contains(crate::output::TEMP_PREFIX) {
            continue;
        }
        if path.is_dir() {
            list_outputs(out_dir, &path, found);
        } else {
            found.push(rel.to_path_buf());
        }
    }
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn rel_link(path: &Path, out_dir: &Path) -> String {
    let rel = path.strip_prefix(out_dir).unwrap_or(path);
    rel.components().map(|c| percent(&c.as_os_str().to_string_lossy())).collect::<Vec<_>>().join("/")
}

/// Percent-encodes what a relative URL must not hold raw.
fn percent(segment: &str) -> String {
    let mut out = String::new();
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn group(o: &Output, out_dir: &Path) -> &'static str {
    let rel = o.path.strip_prefix(out_dir).unwrap_or(&o.path);
    match rel.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned()).as_deref() {
        Some("flyers") => "乡街传单 · Township flyers",
        Some("annex") => "附件表格 · Annex tables",
        _ => "通知与手册 · Notice and booklet",
    }
}

fn page(report: &Report, outputs: &[Output], out_dir: &Path, _root: &Path) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>pressroom 校样 · proof sheet</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
{FONT_FACES}
body{{font-family:"pressroom-hei","pressroom-song","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;background:#f4f1ee;color:#262626}}
header{{background:#c0272d;color:#fff;padding:18px 28px}} header h1{{margin:0;font-size:22px}}
header p{{margin:4px 0 0;opacity:.9}}
main{{padding:12px 28px 40px}} h2{{border-left:5px solid #c0272d;padding-left:10px;margin-top:28px}}
.doc{{background:#fff;border-radius:6px;padding:12px 16px;margin:14px 0;box-shadow:0 1px 3px #0002}}
.doc h3{{margin:0 0 8px;font-size:16px}} .meta{{color:#777;font-size:13px;margin-left:8px}}
.pages{{display:flex;flex-wrap:wrap;gap:10px}}
.pages a{{display:block;text-align:center;font-size:11px;color:#777;text-decoration:none}}
.pages img{{height:190px;border:1px solid #ddd;display:block;background:#fff}}
.pages img:hover{{outline:3px solid #c0272d}}
table{{border-collapse:collapse;background:#fff;width:100%;font-size:13px}}
th,td{{border:1px solid #ddd;padding:5px 8px;text-align:left;vertical-align:top}} th{{background:#fbeceb}}
.error{{color:#b00020;font-weight:bold}} .warning{{color:#a15c00}} .ok{{color:#2e7d32}}
#viewer{{position:fixed;inset:0;background:#000c;display:none;align-items:center;justify-content:center;cursor:zoom-out}}
#viewer img{{max-width:96vw;max-height:96vh;background:#fff}}
</style></head>
<body data-outputs="{outputs}">
<header><h1>校样 · Proof sheet</h1><p>{summary}</p></header><main>
"#,
        outputs = outputs.len(),
        // No clock time and no absolute path: the same input gives the same
        // page.
        summary = esc(&format!(
            "{} 个文件，{} 条提示 · {} files, {} findings",
            outputs.len(),
            report.warnings.len(),
            outputs.len(),
            report.warnings.len(),
        ))
    );

    // Outputs grouped by kind, groups in the order they first appear.
    let mut groups: Vec<&str> = Vec::new();
    for o in outputs {
        let g = group(o, out_dir);
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    let ordered: Vec<&Output> =
        groups.iter().flat_map(|g| outputs.iter().filter(move |o| group(o, out_dir) == *g)).collect();
    let mut current = "";
    for o in ordered {
        let g = group(o, out_dir);
        if g != current {
            let _ = writeln!(h, "<h2>{}</h2>", esc(g));
            current = g;
        }
        let name = o.path.strip_prefix(out_dir).unwrap_or(&o.path).display().to_string();
        let pages = if o.pages > 0 { format!("{} 页 pages · ", o.pages) } else { String::new() };
        let _ = write!(
            h,
            r#"<section class="doc" data-output="{n}"><h3><a href="{href}">{n}</a><span class="meta">{pages}{kb:.0} KB</span></h3>"#,
            n = esc(&name),
            href = rel_link(&o.path, out_dir),
            kb = o.bytes as f64 / 1024.0
        );
        if !o.previews.is_empty() {
            h.push_str(r#"<div class="pages">"#);
            for (i, p) in o.previews.iter().enumerate() {
                let src = rel_link(&out_dir.join(p), out_dir);
                // A thumbnail is too small to read: its page opens as PDF.
                let (href, class) = if o.thumbnails {
                    (format!("{}#page={}", rel_link(&o.path, out_dir), i + 1), r#" class="pdf""#)
                } else {
                    (src.clone(), "")
                };
                let _ = write!(
                    h,
                    r#"<a href="{href}"{class} target="_blank"><img src="{src}" alt="{n} {i}" loading="eager">{i}</a>"#,
                    n = esc(&name),
                    i = i + 1
                );
            }
            h.push_str("</div>");
        } else if o.pages > 0 {
            h.push_str(r#"<p class="meta">未生成页面预览（--no-previews）· page previews not rendered (--no-previews)</p>"#);
        }
        h.push_str("</section>\n");
    }

    h.push_str("<h2>检查结果 · Findings</h2>\n");
    if report.warnings.is_empty() {
        h.push_str(r#"<p class="ok">没有问题 · no findings</p>"#);
    } else {
        h.push_str("<table><tr><th>级别 severity</th><th>规则 rule</th><th>位置 location</th><th>说明 message</th></tr>\n");
        for d in &report.warnings {
            finding_row(&mut h, d);
        }
        h.push_str("</table>\n");
    }

    h.push_str(
        "<h2>字体 · Fonts</h2>\n<table><tr><th>角色 role</th><th>字体 font</th><th>来源 source</th></tr>\n",
    );
    for r in &report.fonts.roles {
        let standin = if r.official {
            String::new()
        } else {
            format!("（代替 stands in for {}）", r.role.candidates()[0].0)
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{} {}{}</td><td>{}</td></tr>",
            r.role.name(),
            esc(&r.family),
            r.weight,
            esc(&standin),
            esc(&r.path.display().to_string())
        );
    }
    h.push_str("</table>\n");
    h.push_str(
        r#"</main><div id="viewer"><img alt=""></div>
<script>
// Pages open large on click; the body records how many previews loaded, so
// a test (or a person) can tell a broken page from a slow one.
const viewer = document.getElementById("viewer");
document.querySelectorAll(".pages a:not(.pdf)").forEach(a => a.addEventListener("click", e => {
  e.preventDefault(); viewer.querySelector("img").src = a.getAttribute("href"); viewer.style.display = "flex";
}));
viewer.addEventListener("click", () => { viewer.style.display = "none"; });
function tally() {
  const imgs = [...document.querySelectorAll(".pages img")];
  document.body.dataset.images = imgs.length;
  document.body.dataset.imagesLoaded = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  document.body.dataset.imagesFailed = imgs.filter(i => i.complete && i.naturalWidth === 0).length;
}
window.addEventListener("load", tally);
// The page carries its fonts: record whether the browser loaded them.
document.fonts.ready.then(() => {
  const faces = [...document.fonts].filter(f => f.family.replace(/"/g, "").startsWith("pressroom-"));
  document.body.dataset.fonts = faces.map(f => f.family.replace(/"/g, "") + ":" + f.status).join(" ");
});
</script></body></html>
"#,
    );
    let faces = font_faces(report, &h);
    h.replacen(FONT_FACES, &faces, 1)
}

/// Where the page's `@font-face` rules go, once its text is known.
const FONT_FACES: &str = "/*pressroom-font-faces*/";

/// `@font-face` rules carrying the 黑体 role's font cut to the page's
/// characters, and the 宋体 role's for any the 黑体 lacks, as data URLs: the
/// page is read on machines without a Chinese font (print shops, a fresh
/// system), offline.
fn font_faces(report: &Report, page: &str) -> String {
    use base64::Engine as _;
    // Inserted one by one (`extend`): `collect` into a set first gathers
    // every character of the page in a vector, 24 MB for 5,000 flyers.
    let mut wanted = std::collections::BTreeSet::new();
    wanted.extend(page.chars().filter(|c| !c.is_ascii_control()));
    let mut css = String::new();
    for (role, family) in [(Role::Hei, "pressroom-hei"), (Role::Song, "pressroom-song")] {
        let Some(resolved) = report.fonts.roles.iter().find(|r| r.role == role) else { continue };
        let Some(font) = crate::typeset::webfont::subset_for_web(resolved, &wanted) else { continue };
        // "OTTO" starts a font with CFF outlines; otherwise they are TrueType.
        let kind = if font.bytes.starts_with(b"OTTO") { "otf" } else { "ttf" };
        let _ = writeln!(
            css,
            "@font-face{{font-family:\"{family}\";src:url(data:font/{kind};base64,{})}}",
            base64::engine::general_purpose::STANDARD.encode(&font.bytes)
        );
        wanted.retain(|c| !font.covered.contains(c));
        if wanted.iter().all(|c| c.is_whitespace()) {
            break;
        }
    }
    css
}

fn finding_row(h: &mut String, d: &Diagnostic) {
    let (class, label) = match d.severity {
        Severity::Error => ("error", "错误 error"),
        Severity::Warning => ("warning", "警告 warning"),
    };
    let loc = d.location.as_ref().map(|l| l.to_string()).unwrap_or_default();
    let _ = writeln!(
        h,
        r#"<tr class="finding"><td class="{class}">{label}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}<br>{}</td></tr>"#,
        esc(d.code),
        esc(&loc),
        esc(&d.message.zh),
        esc(&d.message.en)
    );
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use typst::foundations::{Content, Smart};
    use typst::layout::{Abs, Frame, Sides, Size};
    use typst_layout::Page;

    /// A document of `n` blank pages, 100 pt square.
    pub(crate) fn blank(n: usize) -> PagedDocument {
        let page = || Page {
            frame: Frame::soft(Size::splat(Abs::pt(100.0))),
            bleed: Sides::splat(Abs::zero()),
            fill: Smart::Auto,
            numbering: None,
            supplement: Content::empty(),
            number: 1,
        };
        PagedDocument::new((0..n).map(|_| page()).collect(), Default::default())
    }

    #[test]
    fn deferral_keeps_at_most_its_cap_and_draws_the_rest_at_once() {
        let out = tempfile::tempdir().expect("tempdir");
        let deferred = Deferred::new(2);
        let mut all_names = Vec::new();
        for name in ["a", "b", "c", "d"] {
            let rel = PathBuf::from(format!("flyers/{name}.pdf"));
            let (names, pending) =
                plan_previews(&blank(2), name.as_bytes(), out.path(), &rel, PreviewSize::Proofreading);
            deferred.offer(pending.expect("nothing rendered yet"));
            all_names.push(names);
        }
        let drawn = |names: &Vec<PathBuf>| names.iter().all(|n| out.path().join(n).exists());
        assert!(!drawn(&all_names[0]) && !drawn(&all_names[1]), "the first two wait");
        assert!(drawn(&all_names[2]) && drawn(&all_names[3]), "beyond the cap they are drawn at once");
        let pending = deferred.into_pending();
        let outputs: Vec<&Path> = pending.iter().map(PendingPreviews::output).collect();
        assert_eq!(outputs, [out.path().join("flyers/a.pdf"), out.path().join("flyers/b.pdf")]);
        for p in &pending {
            assert!(p.render(&AtomicBool::new(false)));
        }
        assert!(all_names.iter().all(drawn));
    }

    #[test]
    fn cancelled_previews_leave_no_stamp_and_are_planned_again() {
        let out = tempfile::tempdir().expect("tempdir");
        let doc = blank(3);
        let (names, pending) =
            plan_previews(&doc, b"v1", out.path(), Path::new("flyers/a.pdf"), PreviewSize::Proofreading);
        assert_eq!(names.len(), 3);
        let pending = pending.expect("nothing rendered yet");
        assert_eq!(pending.output(), out.path().join("flyers/a.pdf"));
        assert!(!pending.render(&AtomicBool::new(true)), "a cancelled rendering reports it");
        assert!(names.iter().all(|n| !out.path().join(n).exists()), "cancelled before any page");
        let (_, again) =
            plan_previews(&doc, b"v1", out.path(), Path::new("flyers/a.pdf"), PreviewSize::Proofreading);
        assert!(again.expect("still to do").render(&AtomicBool::new(false)));
        assert!(names.iter().all(|n| out.path().join(n).exists()));
        let (_, fresh) =
            plan_previews(&doc, b"v1", out.path(), Path::new("flyers/a.pdf"), PreviewSize::Proofreading);
        assert!(fresh.is_none(), "previews of the same PDF are reused");
        // A new version with fewer pages: the old third page goes at once.
        let (names, pending) =
            plan_previews(&blank(2), b"v2", out.path(), Path::new("flyers/a.pdf"), PreviewSize::Proofreading);
        assert!(pending.is_some());
        assert!(!out.path().join(PREVIEWS).join("flyers_a-3.png").exists());
        assert_eq!(names.len(), 2);
    }

    #[test]
    fn thumbnails_are_drawn_at_the_proof_sheets_size_and_redrawn_at_full_size_on_request() {
        let out = tempfile::tempdir().expect("tempdir");
        let rel = Path::new("flyers/a.pdf");
        let size_of = |names: &[PathBuf]| {
            let png = std::fs::read(out.path().join(&names[0])).expect("preview");
            let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
            (height, thumbnails_on_disk(out.path(), rel))
        };
        let a4 = PagedDocument::new(
            vec![Page {
                frame: Frame::soft(Size::new(Abs::mm(210.0), Abs::mm(297.0))),
                bleed: Sides::splat(Abs::zero()),
                fill: Smart::Auto,
                numbering: None,
                supplement: Content::empty(),
                number: 1,
            }]
            .into(),
            Default::default(),
        );
        let names = previews(&a4, b"v1", out.path(), rel, PreviewSize::Thumbnail);
        assert_eq!(size_of(&names), (THUMBNAIL_PX as u32, true));
        let (_, again) = plan_previews(&a4, b"v1", out.path(), rel, PreviewSize::Proofreading);
        assert!(again.is_some(), "thumbnails do not stand in for proofreading previews");
        let names = previews(&a4, b"v1", out.path(), rel, PreviewSize::Proofreading);
        assert_eq!(size_of(&names), ((297.0 / 25.4 * 144.0_f64).round() as u32, false));
    }
}
