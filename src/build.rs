//! The build pipeline, top to bottom: load content → render text → resolve
//! fonts → typeset each target → write outputs atomically.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use typst_layout::PagedDocument;

use crate::content::{self, Content, Sources};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::msg;
use crate::render::Renderer;
use crate::targets::{Target, notice};
use crate::typeset::fonts::{self, FontOptions, FontSet, RoleFonts};
use crate::typeset::world::Engine;
use crate::typeset::{self, datetime};

/// Everything a build needs to know, validated once.
#[derive(Clone, Debug)]
pub struct BuildConfig {
    /// The project folder.
    pub root: PathBuf,
    /// Where outputs go.
    pub out_dir: PathBuf,
    /// What to build.
    pub targets: Vec<Target>,
    /// Where fonts come from.
    pub fonts: FontOptions,
}

/// Why a build stopped.
#[derive(Debug)]
pub struct Failure {
    /// Problems with content or templates (exit 1) or the environment (exit 2).
    pub kind: FailureKind,
    /// What went wrong.
    pub diags: Diagnostics,
    /// File texts, to quote in the report.
    pub sources: Sources,
}

/// The class of a failure, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The content or templates have problems.
    Content,
    /// Something outside the content is wrong (fonts, file system).
    Environment,
}

/// One file written.
#[derive(Debug, Clone)]
pub struct Output {
    /// Its path.
    pub path: PathBuf,
    /// Number of pages.
    pub pages: usize,
    /// Size in bytes.
    pub bytes: usize,
}

/// What a successful build did.
#[derive(Debug)]
pub struct Report {
    /// Files written.
    pub outputs: Vec<Output>,
    /// Warnings found on the way.
    pub warnings: Diagnostics,
    /// The font serving each role.
    pub fonts: RoleFonts,
    /// Texts of content files, to quote warnings.
    pub sources: Sources,
    /// Wall time.
    pub elapsed: Duration,
}

/// A typeset notice, ready to export.
pub struct TypesetNotice {
    /// The pages.
    pub document: PagedDocument,
    /// The data the template received.
    pub data: serde_json::Value,
    /// Warnings from rendering and typesetting.
    pub warnings: Diagnostics,
    /// The font serving each role.
    pub fonts: RoleFonts,
}

/// Loads content, or fails with every problem found.
pub fn load(root: &Path) -> Result<Content, Failure> {
    content::load(root).map_err(|(diags, sources)| Failure { kind: FailureKind::Content, diags, sources })
}

/// Runs the whole build described by `config`.
pub fn build(config: &BuildConfig) -> Result<Report, Failure> {
    let started = Instant::now();
    let content = load(&config.root)?;
    let font_set = FontSet::discover(&config.root, &config.fonts);
    let engine =
        Engine::new(&config.root, font_set).map_err(|e| io_failure(&config.root, &e, &content.sources))?;
    crate::output::clean_stale(&config.out_dir);

    let mut outputs = Vec::new();
    let mut warnings = content.warnings.clone();
    let mut role_fonts = None;
    for target in &config.targets {
        match target {
            Target::Notice => {
                let typeset = typeset_notice(&content, &engine)?;
                let date = pdf_date(&content);
                let pdf =
                    typeset::export_pdf(&typeset.document, "pressroom-notice", date).map_err(|diags| {
                        Failure { kind: FailureKind::Content, diags, sources: content.sources.clone() }
                    })?;
                let path = config.out_dir.join("notice.pdf");
                crate::output::write_atomic(&path, &pdf)
                    .map_err(|e| io_failure(&path, &e, &content.sources))?;
                outputs.push(Output { path, pages: typeset.document.pages().len(), bytes: pdf.len() });
                warnings.extend(typeset.warnings);
                role_fonts = Some(typeset.fonts);
            }
        }
    }
    let fonts = match role_fonts {
        Some(f) => f,
        None => resolve_fonts(&engine, &content, &json!({}))?,
    };
    Ok(Report { outputs, warnings, fonts, sources: content.sources, elapsed: started.elapsed() })
}

/// The date written into PDFs and served as typst's "today":
/// `SOURCE_DATE_EPOCH` when set, else the notice's signing date.
pub fn pdf_date(content: &Content) -> crate::content::date::Date {
    source_date_epoch().unwrap_or(content.notice.signature.date.value)
}

fn source_date_epoch() -> Option<crate::content::date::Date> {
    let secs: i64 = std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()?;
    let days = secs.div_euclid(86_400);
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    crate::content::date::Date::new(year, month, day)
}

/// Resolves role fonts against what `data` needs.
fn resolve_fonts(engine: &Engine, content: &Content, data: &serde_json::Value) -> Result<RoleFonts, Failure> {
    fonts::resolve(engine.fonts(), &notice::font_needs(data)).map_err(|diags| Failure {
        kind: FailureKind::Environment,
        diags: locate_chars(diags, content),
        sources: content.sources.clone(),
    })
}

/// Points missing-character errors at the first place the character occurs.
fn locate_chars(diags: Diagnostics, content: &Content) -> Diagnostics {
    diags
        .into_iter()
        .map(|d| {
            if d.location.is_some() {
                return d;
            }
            let ch = d.message.en.split('“').nth(1).and_then(|s| s.chars().next());
            let Some(ch) = ch else { return d };
            for file in [content::CAMPAIGN_FILE, content::NOTICE_FILE] {
                if let Some(text) = content.sources.get(Path::new(file))
                    && let Some(off) = text.find(ch)
                {
                    let (line, column) = crate::diag::line_col(text, off);
                    let mut loc = Location::new(file, line, column);
                    loc.offset = Some(off);
                    loc.len = ch.len_utf8();
                    return d.at(loc);
                }
            }
            d
        })
        .collect()
}

/// Renders, resolves fonts for, and typesets the notice. The 版记 must end up
/// at the foot of an even page; where the first layout puts it on an odd page,
/// the notice is laid out once more with a page (or a blank page) added.
pub fn typeset_notice(content: &Content, engine: &Engine) -> Result<TypesetNotice, Failure> {
    let failure = |kind, diags| Failure { kind, diags, sources: content.sources.clone() };
    let mut renderer = Renderer::new(&content.campaign, &content.sources);
    let mut data = notice::data(content, &mut renderer);
    if !renderer.diags.is_empty() {
        return Err(failure(FailureKind::Content, renderer.diags));
    }
    let roles = resolve_fonts(engine, content, &data)?;
    data["fonts"] = roles.to_json();
    let today = datetime(pdf_date(content)).ok_or_else(|| {
        failure(
            FailureKind::Content,
            vec![Diagnostic::error("content/date", msg!("日期无效", "invalid date"))],
        )
    })?;
    let entry =
        format!("#import \"/templates/{}\": notice\n#notice(json(\"/__data__.json\"))\n", notice::TEMPLATE);

    let layout = |mode: &str, data: &mut serde_json::Value| {
        data["imprint_mode"] = json!(mode);
        let bytes = serde_json::to_vec(data).unwrap_or_default();
        let world = engine.world(&entry, bytes, today);
        typeset::compile(&world).map_err(|diags| Failure {
            kind: FailureKind::Content,
            diags,
            sources: with_templates(&content.sources, engine),
        })
    };
    let (mut document, mut warnings) = layout("here", &mut data)?;
    if let Some(mode) = imprint_fix(&document) {
        (document, warnings) = layout(mode, &mut data)?;
    }
    let missing = typeset::missing_glyphs(&document, &roles);
    if !missing.is_empty() {
        return Err(failure(FailureKind::Content, missing));
    }
    warnings.retain(|w| w.code != "template/typst" || !w.message.en.contains("unknown font family"));
    Ok(TypesetNotice { document, data, warnings, fonts: roles })
}

/// Where the 版记 landed on an odd page: `next` moves it to the following
/// (even) page; `blank` adds a blank page first when it was already alone.
fn imprint_fix(doc: &PagedDocument) -> Option<&'static str> {
    let imprint = typeset::page_of(doc, "pressroom-imprint")?;
    if imprint % 2 == 0 {
        return None;
    }
    let end = typeset::page_of(doc, "pressroom-end").unwrap_or(imprint);
    Some(if end == imprint { "next" } else { "blank" })
}

/// Template diagnostics point into templates, which may be embedded: add
/// their texts so the report can quote them.
fn with_templates(sources: &Sources, engine: &Engine) -> Sources {
    let mut sources = sources.clone();
    if let Some(text) = engine.template_text(notice::TEMPLATE) {
        sources.insert(PathBuf::from("templates").join(notice::TEMPLATE), text.to_owned());
    }
    sources
}

fn io_failure(path: &Path, err: &std::io::Error, sources: &Sources) -> Failure {
    Failure {
        kind: FailureKind::Environment,
        diags: vec![Diagnostic::error(
            "io",
            msg!("无法写入或读取 {}：{}", "cannot read or write {}: {}", path.display(), err),
        )],
        sources: sources.clone(),
    }
}

/// Fonts for `pressroom fonts`: resolves the roles for the project's notice.
pub fn font_report(root: &Path, options: &FontOptions) -> Result<(RoleFonts, FontSet), Failure> {
    let content = load(root)?;
    let engine_fonts = FontSet::discover(root, options);
    let mut renderer = Renderer::new(&content.campaign, &content.sources);
    let data = notice::data(&content, &mut renderer);
    let roles = fonts::resolve(&engine_fonts, &notice::font_needs(&data)).map_err(|diags| Failure {
        kind: FailureKind::Environment,
        diags: locate_chars(diags, &content),
        sources: content.sources.clone(),
    })?;
    Ok((roles, engine_fonts))
}
