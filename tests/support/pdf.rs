//! Reads a built PDF back so tests can check its layout, through MuPDF's `mutool`.
//!
//! `mutool trace FILE` replays every page into a tracing device that prints each
//! drawing call as XML. MuPDF already works in a top-left page space (origin at the
//! top-left corner of the page box, y growing downward, units of points), which is
//! the frame GB/T 9704 measures in, so no flip is needed here:
//!
//! * a glyph's origin is its `<g x y>` mapped through the `transform` (the CTM) of
//!   the enclosing text element;
//! * its size and advance come from the span's `trm` (the text matrix without its
//!   translation) composed with that CTM;
//! * path points are mapped through the `transform` of their path element.
//!
//! Whether fonts are embedded is not in the trace; it is read from the object dump
//! of `mutool show -g FILE grep`, which prints one object per line.

// Every integration test binary compiles this module but uses only part of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One millimetre in PostScript points.
pub const MM: f64 = 72.0 / 25.4;

/// Glyphs whose baselines differ by at most this many points share a line.
const LINE_TOLERANCE: f64 = 0.5;

/// A PDF read back page by page.
#[derive(Debug, Clone)]
pub struct Pdf {
    /// The file that was read.
    pub path: PathBuf,
    /// Pages in document order.
    pub pages: Vec<Page>,
    /// Font resources, read once so the file may be deleted afterwards.
    fonts: Vec<FontResource>,
}

/// One page, in points with the origin at its top-left corner.
#[derive(Debug, Clone)]
pub struct Page {
    /// Page number, starting at 1.
    pub number: usize,
    /// Width of the page box.
    pub width: f64,
    /// Height of the page box.
    pub height: f64,
    /// Painted glyphs (filled or stroked text; invisible and clipping text is left out).
    pub glyphs: Vec<Glyph>,
    /// Stroked paths.
    pub strokes: Vec<Stroke>,
    /// Filled paths.
    pub fills: Vec<Fill>,
    /// Painted images and image masks.
    pub images: Vec<ImageBox>,
}

/// One painted glyph.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// The text the glyph stands for. For a ligature MuPDF puts the first
    /// character here and adds a zero-advance glyph at the same x for each further one.
    pub text: String,
    /// x of the glyph origin.
    pub x: f64,
    /// y of the glyph origin (the baseline), measured down from the page top.
    pub baseline: f64,
    /// Effective font size: the em height after every transformation.
    pub size: f64,
    /// Advance width after every transformation.
    pub advance: f64,
    /// PostScript name without a subset prefix such as `ABCDEF+`.
    pub font: String,
    /// Fill colour (the stroke colour for text that is only stroked).
    pub color: Color,
    /// Set upright: its text matrix neither turned nor slanted.
    pub upright: bool,
}

/// An RGB colour with components in `0.0..=1.0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Color {
    /// Red.
    pub r: f64,
    /// Green.
    pub g: f64,
    /// Blue.
    pub b: f64,
}

/// A stroked path.
#[derive(Debug, Clone, PartialEq)]
pub struct Stroke {
    /// Left of the path's bounding box (geometry only, not widened by the line width).
    pub x0: f64,
    /// Top of the bounding box.
    pub y0: f64,
    /// Right of the bounding box.
    pub x1: f64,
    /// Bottom of the bounding box.
    pub y1: f64,
    /// Line width after the CTM's scaling.
    pub width: f64,
    /// Stroke colour.
    pub color: Color,
}

/// A filled path; some tools draw rules as thin filled rectangles.
#[derive(Debug, Clone, PartialEq)]
pub struct Fill {
    /// Left of the path's bounding box.
    pub x0: f64,
    /// Top of the bounding box.
    pub y0: f64,
    /// Right of the bounding box.
    pub x1: f64,
    /// Bottom of the bounding box.
    pub y1: f64,
    /// Fill colour.
    pub color: Color,
}

/// Where an image was painted.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageBox {
    /// Left edge.
    pub x0: f64,
    /// Top edge.
    pub y0: f64,
    /// Right edge.
    pub x1: f64,
    /// Bottom edge.
    pub y1: f64,
}

/// Glyphs sharing a baseline, left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    /// The glyphs' texts concatenated, with no spaces added.
    pub text: String,
    /// Mean baseline of the glyphs.
    pub baseline: f64,
    /// Origin x of the leftmost glyph.
    pub x0: f64,
    /// Rightmost `x + advance` of the glyphs.
    pub x1: f64,
    /// The glyphs, sorted by x (stable, so a ligature's parts keep their order).
    pub glyphs: Vec<Glyph>,
}

/// A font resource found in the file.
#[derive(Debug, Clone)]
struct FontResource {
    /// `BaseFont` as written, subset prefix included (the descendant's for Type0).
    raw_name: String,
    /// Whether a font program is embedded.
    embedded: bool,
}

/// Reads every page of the PDF at `path`.
///
/// Panics if `mutool` is not installed or cannot read the file.
pub fn read_pdf(path: &Path) -> Pdf {
    let fonts = read_fonts(path);
    let trace = run_mutool(&["trace"], path, &[]);
    let trace = sanitize_xml(&trace);
    let doc = roxmltree::Document::parse(&trace)
        .unwrap_or_else(|e| panic!("cannot parse `mutool trace {}`: {e}", path.display()));
    let pages = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("page"))
        .map(|n| parse_page(n, &fonts))
        .collect();
    Pdf { path: path.to_path_buf(), pages, fonts }
}

impl Pdf {
    /// The page numbered `number` (1-based); panics if there is none.
    pub fn page(&self, number: usize) -> &Page {
        self.pages
            .iter()
            .find(|p| p.number == number)
            .unwrap_or_else(|| panic!("{} has no page {number}", self.path.display()))
    }

    /// The text of all pages, joined with '\n'.
    pub fn text(&self) -> String {
        self.pages.iter().map(Page::text).collect::<Vec<_>>().join("\n")
    }

    /// Every font resource's name (subset prefix removed) and whether its font
    /// program is embedded (`FontFile`, `FontFile2` or `FontFile3`, looked up in the
    /// descendant font for Type0 fonts; Type3 fonts count as embedded). Sorted, no
    /// duplicates; fonts that no page uses are listed too.
    pub fn fonts_embedded(&self) -> Vec<(String, bool)> {
        let mut fonts: Vec<(String, bool)> =
            self.fonts.iter().map(|f| (strip_subset(&f.raw_name).to_string(), f.embedded)).collect();
        fonts.sort();
        fonts.dedup();
        fonts
    }
}

impl Page {
    /// Glyphs grouped into visual lines (baselines within 0.5 pt), top to bottom.
    ///
    /// Lines are not split at column gaps: text at the same height on both sides
    /// of the page forms one line.
    pub fn lines(&self) -> Vec<TextLine> {
        let mut glyphs = self.glyphs.clone();
        glyphs.sort_by(|a, b| a.baseline.total_cmp(&b.baseline));
        let mut lines = Vec::new();
        let mut current: Vec<Glyph> = Vec::new();
        for glyph in glyphs {
            // Compare with the line's first glyph so small steps cannot chain
            // distinct lines together.
            if let Some(first) = current.first()
                && glyph.baseline - first.baseline > LINE_TOLERANCE
            {
                lines.push(TextLine::new(std::mem::take(&mut current)));
            }
            current.push(glyph);
        }
        if !current.is_empty() {
            lines.push(TextLine::new(current));
        }
        lines
    }

    /// The page's lines joined with '\n'.
    pub fn text(&self) -> String {
        self.lines().iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n")
    }

    /// The first line (from the top) whose text contains `needle`.
    pub fn line_containing(&self, needle: &str) -> Option<TextLine> {
        self.lines().into_iter().find(|l| l.text.contains(needle))
    }
}

impl TextLine {
    fn new(mut glyphs: Vec<Glyph>) -> Self {
        glyphs.sort_by(|a, b| a.x.total_cmp(&b.x));
        let text = glyphs.iter().map(|g| g.text.as_str()).collect();
        let baseline = glyphs.iter().map(|g| g.baseline).sum::<f64>() / glyphs.len() as f64;
        let x0 = glyphs.first().map_or(0.0, |g| g.x);
        let x1 = glyphs.iter().map(|g| g.x + g.advance).fold(f64::NEG_INFINITY, f64::max);
        TextLine { text, baseline, x0, x1, glyphs }
    }

    /// Distinct font names, in order of first use.
    pub fn fonts(&self) -> Vec<String> {
        let mut fonts: Vec<String> = Vec::new();
        for g in &self.glyphs {
            if !fonts.contains(&g.font) {
                fonts.push(g.font.clone());
            }
        }
        fonts
    }

    /// The most common glyph size (to 0.01 pt); ties go to the size used first.
    pub fn size(&self) -> f64 {
        let mut counts: Vec<(i64, f64, usize)> = Vec::new();
        for g in &self.glyphs {
            let key = (g.size * 100.0).round() as i64;
            match counts.iter_mut().find(|(k, _, _)| *k == key) {
                Some(entry) => entry.2 += 1,
                None => counts.push((key, g.size, 1)),
            }
        }
        // Scan in first-use order and replace only on a strictly larger count.
        let mut best: Option<(f64, usize)> = None;
        for (_, size, n) in counts {
            if best.is_none_or(|(_, m)| n > m) {
                best = Some((size, n));
            }
        }
        best.map_or(0.0, |(size, _)| size)
    }
}

impl Color {
    /// Black.
    pub const BLACK: Color = Color::rgb(0.0, 0.0, 0.0);
    /// Pure red.
    pub const RED: Color = Color::rgb(1.0, 0.0, 0.0);
    /// White.
    pub const WHITE: Color = Color::rgb(1.0, 1.0, 1.0);

    /// A colour from RGB components in `0.0..=1.0`.
    pub const fn rgb(r: f64, g: f64, b: f64) -> Self {
        Color { r, g, b }
    }

    /// Whether every component is within `tolerance` of `other`'s.
    pub fn approx_eq(self, other: Color, tolerance: f64) -> bool {
        (self.r - other.r).abs() <= tolerance
            && (self.g - other.g).abs() <= tolerance
            && (self.b - other.b).abs() <= tolerance
    }

    /// Converts colour components, choosing the space by their count: 1 is gray,
    /// 3 is RGB (MuPDF already reports typst's ICC-based sRGB and gray as
    /// DeviceRGB and DeviceGray), 4 is CMYK, converted naively without a profile.
    /// An Indexed or Separation value has one component and so reads as a gray
    /// level, wrongly; any other count reads as black.
    fn from_components(c: &[f64]) -> Self {
        match *c {
            [gray] => Color::rgb(gray, gray, gray),
            [r, g, b] => Color::rgb(r, g, b),
            [c, m, y, k] => Color::rgb((1.0 - c) * (1.0 - k), (1.0 - m) * (1.0 - k), (1.0 - y) * (1.0 - k)),
            _ => Color::BLACK,
        }
    }
}

/// An affine matrix in PDF's row-vector convention: `x' = a x + c y + e`.
#[derive(Debug, Clone, Copy)]
struct Matrix {
    a: f64,
    b: f64,
    c: f64,
    d: f64,
    e: f64,
    f: f64,
}

impl Matrix {
    const IDENTITY: Matrix = Matrix { a: 1.0, b: 0.0, c: 0.0, d: 1.0, e: 0.0, f: 0.0 };

    /// Reads "a b c d e f", or "a b c d" (a `trm`) with no translation.
    fn parse(s: &str) -> Option<Matrix> {
        match numbers(s)[..] {
            [a, b, c, d, e, f] => Some(Matrix { a, b, c, d, e, f }),
            [a, b, c, d] => Some(Matrix { a, b, c, d, e: 0.0, f: 0.0 }),
            _ => None,
        }
    }

    /// The `transform` attribute of `node`, or the identity.
    fn of(node: roxmltree::Node) -> Matrix {
        node.attribute("transform").and_then(Matrix::parse).unwrap_or(Matrix::IDENTITY)
    }

    fn apply(self, x: f64, y: f64) -> (f64, f64) {
        (x * self.a + y * self.c + self.e, x * self.b + y * self.d + self.f)
    }

    /// `self` followed by `then`.
    fn concat(self, then: Matrix) -> Matrix {
        Matrix {
            a: self.a * then.a + self.b * then.c,
            b: self.a * then.b + self.b * then.d,
            c: self.c * then.a + self.d * then.c,
            d: self.c * then.b + self.d * then.d,
            e: self.e * then.a + self.f * then.c + then.e,
            f: self.e * then.b + self.f * then.d + then.f,
        }
    }

    /// How much the matrix scales lengths on average, as MuPDF scales line widths.
    fn expansion(self) -> f64 {
        (self.a * self.d - self.b * self.c).abs().sqrt()
    }
}

/// Parses whitespace-separated numbers in C's `%g` form (".5", "-0", "1e-05").
fn numbers(s: &str) -> Vec<f64> {
    s.split_whitespace().filter_map(|t| t.parse().ok()).collect()
}

fn color_of(node: roxmltree::Node) -> Color {
    Color::from_components(&numbers(node.attribute("color").unwrap_or("")))
}

/// Grows a bounding box `[x0, y0, x1, y1]`, starting from `None`.
fn extend(bbox: &mut Option<[f64; 4]>, (x, y): (f64, f64)) {
    let b = bbox.get_or_insert([x, y, x, y]);
    b[0] = b[0].min(x);
    b[1] = b[1].min(y);
    b[2] = b[2].max(x);
    b[3] = b[3].max(y);
}

/// Runs `mutool ARGS PATH EXTRA` and returns its standard output.
fn run_mutool(args: &[&str], path: &Path, extra: &[&str]) -> Vec<u8> {
    let output = match Command::new("mutool").args(args).arg(path).args(extra).output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("mutool not found: install Debian's mupdf-tools (the README's test command does this)")
        }
        Err(e) => panic!("cannot run mutool: {e}"),
    };
    assert!(
        output.status.success(),
        "`mutool {} {} {}` failed ({}): {}",
        args.join(" "),
        path.display(),
        extra.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    output.stdout
}

/// Makes the trace acceptable to a strict XML 1.0 parser.
///
/// MuPDF writes whatever characters fonts map glyphs to: control characters as
/// references such as `&#x13;`, and noncharacters such as U+FFFF raw, both of
/// which XML 1.0 forbids. Such characters, and bytes that are not UTF-8 (from
/// font names cut mid-character), become U+FFFD.
fn sanitize_xml(trace: &[u8]) -> String {
    let text = String::from_utf8_lossy(trace);
    let mut out = String::with_capacity(text.len());
    let mut skip_to = 0;
    for (i, c) in text.char_indices() {
        if i < skip_to {
            continue;
        }
        if let Some((len, code)) = char_reference(&text[i..]) {
            if char::from_u32(code).is_some_and(is_xml_char) {
                out.push_str(&text[i..i + len]);
            } else {
                out.push('\u{FFFD}');
            }
            skip_to = i + len;
        } else if is_xml_char(c) {
            out.push(c);
        } else {
            out.push('\u{FFFD}');
        }
    }
    out
}

/// The byte length and code point of a numeric character reference at the
/// start of `s`, such as `&#x13;` or `&#19;`.
fn char_reference(s: &str) -> Option<(usize, u32)> {
    let body = s.strip_prefix("&#")?;
    let end = body.find(';').filter(|&end| end <= 8)?;
    let code = match body[..end].strip_prefix('x') {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => body[..end].parse().ok()?,
    };
    Some((end + 3, code))
}

/// Whether XML 1.0 allows `c` in a document (Rust chars are never surrogates).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

fn parse_page(node: roxmltree::Node, fonts: &[FontResource]) -> Page {
    let number = node
        .attribute("number")
        .and_then(|n| n.parse().ok())
        .expect("mutool trace writes a number on every <page>");
    // MuPDF's page box is already top-left based; its corner is normally (0, 0)
    // but is subtracted anyway so coordinates are relative to the page corner.
    let [x0, y0, x1, y1] = numbers(node.attribute("mediabox").unwrap_or(""))[..] else {
        panic!("mutool trace wrote no mediabox for page {number}");
    };
    let mut page = Page {
        number,
        width: x1 - x0,
        height: y1 - y0,
        glyphs: Vec::new(),
        strokes: Vec::new(),
        fills: Vec::new(),
        images: Vec::new(),
    };
    let mut walker = Walker { page: &mut page, origin: (x0, y0), fonts, last_fill_text: 0 };
    walker.walk(node);
    page
}

/// Collects painted items from a page's trace into a `Page`.
struct Walker<'p, 'f> {
    page: &'p mut Page,
    origin: (f64, f64),
    fonts: &'f [FontResource],
    /// Index in `page.glyphs` of the first glyph of the latest `fill_text`.
    last_fill_text: usize,
}

impl Walker<'_, '_> {
    fn walk(&mut self, node: roxmltree::Node) {
        for child in node.children().filter(roxmltree::Node::is_element) {
            match child.tag_name().name() {
                "fill_text" => {
                    self.last_fill_text = self.page.glyphs.len();
                    self.text(child, false);
                }
                "stroke_text" => self.text(child, true),
                "fill_path" => {
                    if let Some([x0, y0, x1, y1]) = self.path_bbox(child) {
                        self.page.fills.push(Fill { x0, y0, x1, y1, color: color_of(child) });
                    }
                }
                "stroke_path" => {
                    if let Some([x0, y0, x1, y1]) = self.path_bbox(child) {
                        let line_width =
                            child.attribute("linewidth").and_then(|w| w.parse::<f64>().ok()).unwrap_or(1.0);
                        self.page.strokes.push(Stroke {
                            x0,
                            y0,
                            x1,
                            y1,
                            width: line_width * Matrix::of(child).expansion(),
                            color: color_of(child),
                        });
                    }
                }
                "fill_image" | "fill_image_mask" => {
                    // An image fills the unit square of its transform.
                    let ctm = Matrix::of(child);
                    let mut bbox = None;
                    for (x, y) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)] {
                        extend(&mut bbox, self.to_page(ctm.apply(x, y)));
                    }
                    if let Some([x0, y0, x1, y1]) = bbox {
                        self.page.images.push(ImageBox { x0, y0, x1, y1 });
                    }
                }
                // Clip shapes and invisible text paint nothing. A tiling cell is
                // drawn in pattern space and repeated, so its contents have no
                // single page position.
                name if name.starts_with("clip_") || name == "ignore_text" || name == "tile" => {}
                // Groups, layers and anything unknown: look inside.
                _ => self.walk(child),
            }
        }
    }

    fn to_page(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (x - self.origin.0, y - self.origin.1)
    }

    /// Bounding box of every point (end and control points) of a path element.
    fn path_bbox(&self, node: roxmltree::Node) -> Option<[f64; 4]> {
        let ctm = Matrix::of(node);
        let mut bbox = None;
        for step in node.children().filter(roxmltree::Node::is_element) {
            for (kx, ky) in [("x", "y"), ("x0", "y0"), ("x1", "y1"), ("x2", "y2"), ("x3", "y3")] {
                let x = step.attribute(kx).and_then(|v| v.parse::<f64>().ok());
                let y = step.attribute(ky).and_then(|v| v.parse::<f64>().ok());
                if let (Some(x), Some(y)) = (x, y) {
                    extend(&mut bbox, self.to_page(ctm.apply(x, y)));
                }
            }
        }
        bbox
    }

    /// Adds the glyphs of a text element. Text that is filled and stroked (render
    /// mode 2, as for faux bold) is traced twice, `fill_text` then `stroke_text`:
    /// with `skip_filled`, glyphs the preceding fill already added are skipped,
    /// so each glyph is listed once, with its fill colour.
    fn text(&mut self, node: roxmltree::Node, skip_filled: bool) {
        let ctm = Matrix::of(node);
        let linear = Matrix { e: 0.0, f: 0.0, ..ctm };
        let color = color_of(node);
        for span in node.children().filter(|n| n.has_tag_name("span")) {
            let font = glyph_font_name(span.attribute("font").unwrap_or(""), self.fonts);
            let trm = span.attribute("trm").and_then(Matrix::parse).unwrap_or(Matrix::IDENTITY);
            // The glyph's full rendering matrix without translation: its y axis is
            // one em, its x axis one unit of (horizontal) advance.
            let m = trm.concat(linear);
            let size = m.c.hypot(m.d);
            let advance_unit = if span.attribute("wmode") == Some("1") { size } else { m.a.hypot(m.b) };
            for g in span.children().filter(|n| n.has_tag_name("g")) {
                let num = |key| g.attribute(key).and_then(|v| v.parse::<f64>().ok());
                let (Some(gx), Some(gy)) = (num("x"), num("y")) else {
                    continue;
                };
                let (x, baseline) = self.to_page(ctm.apply(gx, gy));
                let text = g.attribute("unicode").unwrap_or("");
                let filled = skip_filled
                    && self.page.glyphs[self.last_fill_text..].iter().any(|f| {
                        f.text == text
                            && f.font == font
                            && (f.x - x).abs() < 0.01
                            && (f.baseline - baseline).abs() < 0.01
                    });
                if filled {
                    continue;
                }
                self.page.glyphs.push(Glyph {
                    text: text.to_string(),
                    x,
                    baseline,
                    size,
                    advance: num("adv").unwrap_or(0.0) * advance_unit,
                    font: font.clone(),
                    color,
                    upright: m.b.abs() < 1e-6 && m.c.abs() < 1e-6,
                });
            }
        }
    }
}

/// Removes a subset tag: six capital letters and a plus sign.
fn strip_subset(name: &str) -> &str {
    let bytes = name.as_bytes();
    if bytes.len() > 7 && bytes[6] == b'+' && bytes[..6].iter().all(u8::is_ascii_uppercase) {
        &name[7..]
    } else {
        name
    }
}

/// The font name for a traced span, with the subset prefix removed.
///
/// MuPDF keeps font names in a 32-byte buffer, so the trace cuts longer names to
/// 31 bytes; a cut name is restored from the unique font resource it begins.
fn glyph_font_name(traced: &str, fonts: &[FontResource]) -> String {
    let exact = fonts.iter().any(|f| f.raw_name == traced);
    let mut longer =
        fonts.iter().map(|f| f.raw_name.as_str()).filter(|raw| traced.len() >= 31 && raw.starts_with(traced));
    let restored = match (exact, longer.next()) {
        (false, Some(first)) if longer.all(|other| other == first) => first,
        _ => traced,
    };
    strip_subset(restored).to_string()
}

/// A PDF object, keeping only what font lookup needs.
#[derive(Debug)]
enum Obj {
    Dict(Vec<(String, Obj)>),
    Array(Vec<Obj>),
    Name(String),
    Ref(u32),
    Other,
}

impl Obj {
    fn get(&self, key: &str) -> Option<&Obj> {
        match self {
            Obj::Dict(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn name(&self) -> Option<&str> {
        match self {
            Obj::Name(name) => Some(name),
            _ => None,
        }
    }
}

/// Reads the font resources from `mutool show -g PATH grep` (one object a line).
fn read_fonts(path: &Path) -> Vec<FontResource> {
    let dump = run_mutool(&["show", "-g"], path, &["grep"]);
    let mut objects = HashMap::new();
    for line in dump.split(|&b| b == b'\n') {
        let mut lexer = Lexer { s: line, i: 0 };
        let Some(num) = std::str::from_utf8(lexer.token()).ok().and_then(|n| n.parse::<u32>().ok()) else {
            continue; // the trailer, or a line that is not an object
        };
        lexer.token(); // generation
        if lexer.token() != b"obj" {
            continue;
        }
        if let Some(value) = lexer.value() {
            objects.insert(num, value);
        }
    }
    let mut numbers: Vec<&u32> = objects.keys().collect();
    numbers.sort();
    let mut dicts = Vec::new();
    for num in numbers {
        collect_fonts(&objects[num], &mut dicts);
    }
    dicts.into_iter().map(|font| font_resource(font, &objects)).collect()
}

/// Finds font dictionaries in `obj`, including direct ones nested in resources.
fn collect_fonts<'o>(obj: &'o Obj, out: &mut Vec<&'o Obj>) {
    match obj {
        Obj::Dict(entries) => {
            let subtype = obj.get("Subtype").and_then(Obj::name);
            let typed_font = obj.get("Type").and_then(Obj::name) == Some("Font");
            // CIDFonts are reported through their Type0 parent, as the trace does.
            let top_level = matches!(subtype, Some("Type0" | "Type1" | "MMType1" | "TrueType" | "Type3"));
            if top_level && (typed_font || obj.get("BaseFont").is_some()) {
                out.push(obj);
            }
            for (_, value) in entries {
                collect_fonts(value, out);
            }
        }
        Obj::Array(items) => items.iter().for_each(|item| collect_fonts(item, out)),
        _ => {}
    }
}

/// Follows references (a few steps, in case of chains).
fn resolve<'o>(mut obj: &'o Obj, objects: &'o HashMap<u32, Obj>) -> &'o Obj {
    for _ in 0..8 {
        match obj {
            Obj::Ref(num) => match objects.get(num) {
                Some(target) => obj = target,
                None => return &Obj::Other,
            },
            _ => return obj,
        }
    }
    obj
}

fn font_resource(font: &Obj, objects: &HashMap<u32, Obj>) -> FontResource {
    let base_font = |dict: &Obj| {
        dict.get("BaseFont").map(|n| resolve(n, objects)).and_then(Obj::name).map(str::to_string)
    };
    let has_program = |dict: &Obj| {
        let descriptor = dict.get("FontDescriptor").map(|d| resolve(d, objects));
        descriptor
            .is_some_and(|d| ["FontFile", "FontFile2", "FontFile3"].iter().any(|key| d.get(key).is_some()))
    };
    match font.get("Subtype").and_then(Obj::name) {
        Some("Type0") => {
            let descendant = font
                .get("DescendantFonts")
                .map(|d| resolve(d, objects))
                .and_then(|d| match d {
                    Obj::Array(items) => items.first(),
                    _ => None,
                })
                .map(|d| resolve(d, objects));
            FontResource {
                raw_name: descendant.and_then(base_font).or_else(|| base_font(font)).unwrap_or_default(),
                embedded: descendant.is_some_and(has_program),
            }
        }
        // Type3 glyphs are content streams inside the file.
        Some("Type3") => FontResource {
            raw_name: base_font(font)
                .or_else(|| font.get("Name").and_then(Obj::name).map(str::to_string))
                .unwrap_or_else(|| "Type3".to_string()),
            embedded: true,
        },
        _ => FontResource { raw_name: base_font(font).unwrap_or_default(), embedded: has_program(font) },
    }
}

/// A small reader for the PDF object syntax that `mutool show -g` prints.
struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

impl<'a> Lexer<'a> {
    fn skip_space(&mut self) {
        while self.s.get(self.i).is_some_and(|&b| is_space(b)) {
            self.i += 1;
        }
    }

    /// The next run of regular characters (a number or keyword), after spaces.
    fn token(&mut self) -> &'a [u8] {
        self.skip_space();
        let start = self.i;
        while self.s.get(self.i).is_some_and(|&b| !is_space(b) && !is_delimiter(b)) {
            self.i += 1;
        }
        &self.s[start..self.i]
    }

    fn rest(&self) -> &'a [u8] {
        &self.s[self.i.min(self.s.len())..]
    }

    /// Reads one value; `None` on syntax this reader does not handle.
    fn value(&mut self) -> Option<Obj> {
        self.skip_space();
        let rest = self.rest();
        if rest.starts_with(b"<<") {
            self.i += 2;
            let mut entries = Vec::new();
            loop {
                self.skip_space();
                if self.rest().starts_with(b">>") {
                    self.i += 2;
                    return Some(Obj::Dict(entries));
                }
                let Obj::Name(key) = self.value()? else {
                    return None;
                };
                entries.push((key, self.value()?));
            }
        }
        match *rest.first()? {
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    if self.rest().first() == Some(&b']') {
                        self.i += 1;
                        return Some(Obj::Array(items));
                    }
                    items.push(self.value()?);
                }
            }
            b'<' => {
                let len = rest.iter().position(|&b| b == b'>')?;
                self.i += len + 1;
                Some(Obj::Other)
            }
            b'(' => {
                self.skip_literal_string()?;
                Some(Obj::Other)
            }
            b'/' => {
                self.i += 1;
                let raw = self.token_here();
                Some(Obj::Name(decode_name(raw)))
            }
            _ => {
                let token = self.token();
                if token.is_empty() {
                    return None;
                }
                Some(self.maybe_reference(token).unwrap_or(Obj::Other))
            }
        }
    }

    /// Regular characters starting exactly here (a name's body may be empty).
    fn token_here(&mut self) -> &'a [u8] {
        let start = self.i;
        while self.s.get(self.i).is_some_and(|&b| !is_space(b) && !is_delimiter(b)) {
            self.i += 1;
        }
        &self.s[start..self.i]
    }

    /// Reads "G R" after an object number, or rewinds if they are not there.
    fn maybe_reference(&mut self, token: &[u8]) -> Option<Obj> {
        let num: u32 = std::str::from_utf8(token).ok()?.parse().ok()?;
        let saved = self.i;
        let generation = self.token();
        let is_ref =
            !generation.is_empty() && generation.iter().all(u8::is_ascii_digit) && self.token() == b"R";
        if is_ref {
            Some(Obj::Ref(num))
        } else {
            self.i = saved;
            None
        }
    }

    fn skip_literal_string(&mut self) -> Option<()> {
        let mut depth = 0usize;
        while let Some(&b) = self.s.get(self.i) {
            self.i += 1;
            match b {
                b'\\' => self.i += 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(());
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// Decodes a name's `#xx` escapes.
fn decode_name(raw: &[u8]) -> String {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let escaped = (raw[i] == b'#')
            .then(|| raw.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                bytes.push(byte);
                i += 3;
            }
            None => {
                bytes.push(raw[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
