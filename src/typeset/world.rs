//! The typst `World` pressroom compiles in: a shared, long-lived engine
//! (library, fonts) and a light per-document world holding that document's
//! generated entry point and data. Templates come from the project's
//! `templates/` when present, else from the binary. Other files are read only
//! from inside the project.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::fonts::FontSet;

/// Default templates, compiled into the binary.
pub const EMBEDDED_TEMPLATES: &[(&str, &str)] = &[
    ("notice.typ", include_str!("../../templates/notice.typ")),
    ("annex.typ", include_str!("../../templates/annex.typ")),
    ("booklet.typ", include_str!("../../templates/booklet.typ")),
    ("imposed.typ", include_str!("../../templates/imposed.typ")),
    ("flyer.typ", include_str!("../../templates/flyer.typ")),
    ("card.typ", include_str!("../../templates/card.typ")),
    ("press.typ", include_str!("../../templates/press.typ")),
];

/// Virtual path of the generated entry point.
pub const MAIN_PATH: &str = "/__main__.typ";
/// Virtual path of the document's data.
pub const DATA_PATH: &str = "/__data__.json";
/// Virtual path of a PDF a document places (the booklet, for imposition).
pub const SOURCE_PDF_PATH: &str = "/__source__.pdf";
/// Virtual folder of downsampled photos (served from the cache folder).
pub const CACHE_PREFIX: &str = "/__cache__/";

/// File ids live for the whole process; intern the fixed ones once.
static FIXED_IDS: LazyLock<(FileId, FileId, FileId)> =
    LazyLock::new(|| (project_id(MAIN_PATH), project_id(DATA_PATH), project_id(SOURCE_PDF_PATH)));

fn project_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).unwrap_or_else(|_| VirtualPath::new("/").expect("root path is valid"));
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// What stays the same for every document of a run.
pub struct Engine {
    library: LazyHash<Library>,
    /// The library with `sys.inputs.pressroom-measure` set, made when first
    /// needed (see [`DocWorld::measuring`]).
    measuring: std::sync::OnceLock<LazyHash<Library>>,
    /// The library with `sys.inputs.pressroom-print` set (see
    /// [`DocWorld::printing`]).
    printing: std::sync::OnceLock<LazyHash<Library>>,
    fonts: Arc<FontSet>,
    root: PathBuf,
    canonical_root: PathBuf,
    cache_dir: PathBuf,
    templates: HashMap<String, (String, Origin)>,
    sources: Mutex<HashMap<FileId, Source>>,
}

/// Where a template came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Built into pressroom.
    Embedded,
    /// The project's `templates/` folder.
    Project,
}

impl Engine {
    /// An engine for the project at `root`, with its fonts; downsampled
    /// photos are read from `cache_dir`.
    /// The font set may be shared with later engines (`pressroom watch`
    /// keeps it between rebuilds, fonts already parsed).
    pub fn new(root: &Path, fonts: impl Into<Arc<FontSet>>, cache_dir: &Path) -> std::io::Result<Self> {
        let canonical_root = root.canonicalize()?;
        let mut templates: HashMap<String, (String, Origin)> = EMBEDDED_TEMPLATES
            .iter()
            .map(|(n, t)| ((*n).to_owned(), ((*t).to_owned(), Origin::Embedded)))
            .collect();
        let dir = root.join("templates");
        if dir.is_dir() {
            for entry in std::fs::read_dir(&dir)? {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "typ")
                    && let Some(name) = path.file_name().and_then(|n| n.to_str())
                    && inside(&canonical_root, &path)
                {
                    let text = std::fs::read_to_string(&path)?;
                    templates.insert(name.to_owned(), (text, Origin::Project));
                }
            }
        }
        Ok(Self {
            library: LazyHash::new(Library::default()),
            measuring: std::sync::OnceLock::new(),
            printing: std::sync::OnceLock::new(),
            fonts: fonts.into(),
            root: root.to_path_buf(),
            canonical_root,
            cache_dir: cache_dir.to_path_buf(),
            templates,
            sources: Mutex::new(HashMap::new()),
        })
    }

    /// The fonts found for this run.
    pub fn fonts(&self) -> &FontSet {
        &self.fonts
    }

    /// The project folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the template `name` comes from, if it exists.
    pub fn template_origin(&self, name: &str) -> Option<Origin> {
        self.templates.get(name).map(|t| t.1)
    }

    /// The text of a template, for diagnostics.
    pub fn template_text(&self, name: &str) -> Option<&str> {
        self.templates.get(name).map(|t| t.0.as_str())
    }

    /// A world for one document: `entry` is typst source that imports a
    /// template; `data` is the JSON the template receives.
    pub fn world<'a>(&'a self, entry: &str, data: Vec<u8>, today: Datetime) -> DocWorld<'a> {
        let (main, data_id, source_id) = *FIXED_IDS;
        DocWorld {
            engine: self,
            main: Source::new(main, entry.to_owned()),
            data_id,
            data: Bytes::new(data),
            source_id,
            source: None,
            today,
            measuring: false,
            printing: false,
        }
    }

    /// Whether a template of that file name exists.
    pub fn has_template(&self, name: &str) -> bool {
        self.templates.contains_key(name)
    }

    /// Reads a project file, refusing anything that resolves outside it.
    /// Paths under [`CACHE_PREFIX`] are downsampled photos in the cache.
    fn project_file(&self, vpath: &VirtualPath) -> FileResult<Vec<u8>> {
        if let Some(name) = vpath.get_with_slash().strip_prefix(CACHE_PREFIX) {
            let path = self.cache_dir.join(name);
            return std::fs::read(&path).map_err(|e| FileError::from_io(e, &path));
        }
        let path = vpath.realize(&self.root).map_err(|_| FileError::AccessDenied)?;
        if !inside(&self.canonical_root, &path) {
            return Err(FileError::AccessDenied);
        }
        std::fs::read(&path).map_err(|e| FileError::from_io(e, &path))
    }

    fn template_source(&self, id: FileId) -> Option<Source> {
        let name = id.vpath().get_without_slash().strip_prefix("templates/")?;
        let text = &self.templates.get(name)?.0;
        let mut cache = self.sources.lock().ok()?;
        let source = cache.entry(id).or_insert_with(|| Source::new(id, text.clone()));
        Some(source.clone())
    }
}

/// Whether `path` exists and, with symlinks resolved, lies inside `root`.
pub fn inside(canonical_root: &Path, path: &Path) -> bool {
    path.canonicalize().is_ok_and(|p| p.starts_with(canonical_root))
}

/// The world of one document.
pub struct DocWorld<'a> {
    engine: &'a Engine,
    main: Source,
    data_id: FileId,
    data: Bytes,
    source_id: FileId,
    source: Option<Bytes>,
    today: Datetime,
    measuring: bool,
    printing: bool,
}

/// The `sys.inputs` key that asks templates for the print shop's colours
/// (CMYK); the bleed and crop marks come with the data.
pub const PRINT_INPUT: &str = "pressroom-print";

/// The `sys.inputs` key that asks templates to measure their fixed-size
/// regions exactly (a second layout of each), instead of leaving markers.
pub const MEASURE_INPUT: &str = "pressroom-measure";

impl DocWorld<'_> {
    /// The same document with [`MEASURE_INPUT`] set: slower, for the
    /// exact overflow of a document already known not to fit.
    pub fn measuring(mut self) -> Self {
        self.measuring = true;
        self
    }

    /// The same document typeset for the press ([`PRINT_INPUT`] set). Not
    /// combined with [`Self::measuring`]: a print file is made only from a
    /// document whose screen version fitted.
    pub fn printing(mut self) -> Self {
        self.printing = true;
        self
    }

    /// Serves `pdf` at [`SOURCE_PDF_PATH`] for the template to place.
    pub fn with_source_pdf(mut self, pdf: Vec<u8>) -> Self {
        self.source = Some(Bytes::new(pdf));
        self
    }
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        if self.measuring {
            return self.engine.measuring.get_or_init(|| {
                let mut inputs = typst::foundations::Dict::new();
                inputs.insert(MEASURE_INPUT.into(), typst::foundations::Value::Bool(true));
                LazyHash::new(Library::builder().with_inputs(inputs).build())
            });
        }
        if self.printing {
            return self.engine.printing.get_or_init(|| {
                let mut inputs = typst::foundations::Dict::new();
                inputs.insert(PRINT_INPUT.into(), typst::foundations::Value::Bool(true));
                LazyHash::new(Library::builder().with_inputs(inputs).build())
            });
        }
        &self.engine.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.engine.fonts.store.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        if id.root() != &VirtualRoot::Project {
            return Err(FileError::AccessDenied);
        }
        if let Some(source) = self.engine.template_source(id) {
            return Ok(source);
        }
        let bytes = self.file(id)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_owned()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            return Ok(self.data.clone());
        }
        if id == self.source_id
            && let Some(pdf) = &self.source
        {
            return Ok(pdf.clone());
        }
        if id.root() != &VirtualRoot::Project {
            return Err(FileError::AccessDenied);
        }
        if let Some(source) = self.engine.template_source(id) {
            return Ok(Bytes::from_string(source));
        }
        self.engine.project_file(id.vpath()).map(Bytes::new)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.store.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

/// A project-relative path for a file id, for diagnostics.
pub fn display_path(id: FileId) -> PathBuf {
    PathBuf::from(id.vpath().get_without_slash())
}
