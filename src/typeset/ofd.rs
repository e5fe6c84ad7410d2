//! The OFD exporter (GB/T 33190-2016): an official document's pages exactly
//! as typst laid them out for the PDF, written as an OFD package. It walks
//! the same frames the PDF exporter reads: text runs become text objects
//! (the characters, their advances, and the glyphs typst shaped, in a
//! subset of the font embedded with a Unicode `cmap`), shapes become path
//! objects, images image objects. No second layout.
//!
//! Units: OFD measures in millimetres from the page's top-left corner, y
//! down, like typst (in points); every object's boundary is the page box, so
//! positions inside it are page positions.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

use typst::layout::{Abs, Frame, FrameItem, Point, Size, Transform};
use typst::text::{Font, TextItem};
use typst::visualize::{
    CurveItem, ExchangeFormat, FixedStroke, Geometry, Image, ImageKind, Paint, RasterFormat, Shape,
};
use typst_layout::PagedDocument;

/// What the package says about the document (OFD.xml's DocInfo).
pub struct DocInfo<'a> {
    /// The title.
    pub title: &'a str,
    /// The issuer(s), as the author.
    pub author: &'a str,
    /// The content's date, `YYYY-MM-DD`.
    pub date: &'a str,
    /// Seeds the document identifier, which must stay the same for the
    /// same input.
    pub ident: &'a str,
}

const NS: &str = "http://www.ofdspec.org/2016";

fn mm(v: Abs) -> f64 {
    v.to_mm()
}

/// A number for the XML: millimetres to 0.001 mm, without trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{:.3}", if v.abs() < 0.0005 { 0.0 } else { v });
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_owned() } else { s.to_owned() }
}

/// Text for XML content and attributes.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() && c != '\t' && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// `r g b` of a paint (OFD's default colour space is sRGB); gradients and
/// tilings, which official documents do not use, as black.
fn rgb(paint: &Paint) -> String {
    match paint {
        Paint::Solid(color) => {
            let c = color.to_rgb();
            let u = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            format!("{} {} {}", u(c.red), u(c.green), u(c.blue))
        }
        _ => "0 0 0".to_owned(),
    }
}

/// The alpha of a paint, 0–255.
fn alpha(paint: &Paint) -> u8 {
    match paint {
        Paint::Solid(color) => (color.to_rgb().alpha.clamp(0.0, 1.0) * 255.0).round() as u8,
        _ => 255,
    }
}

/// A font used by the document and the glyphs of it the pages show.
struct UsedFont {
    font: Font,
    glyphs: std::collections::BTreeSet<u16>,
}

/// An embedded picture: the file and its format.
struct Media {
    bytes: Vec<u8>,
    format: &'static str,
    file: String,
}

/// The package being written.
struct Writer {
    next_id: u32,
    fonts: Vec<UsedFont>,
    media: Vec<Media>,
    /// Images by identity, so that one drawn twice is embedded once.
    media_ids: BTreeMap<u128, usize>,
}

impl Writer {
    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    fn font_index(&mut self, font: &Font) -> usize {
        if let Some(i) = self.fonts.iter().position(|f| &f.font == font) {
            return i;
        }
        self.fonts.push(UsedFont { font: font.clone(), glyphs: Default::default() });
        self.fonts.len() - 1
    }
}

/// The OFD package of a laid-out document.
pub fn export_ofd(doc: &PagedDocument, info: &DocInfo<'_>) -> Result<Vec<u8>, String> {
    let mut w = Writer { next_id: 0, fonts: Vec::new(), media: Vec::new(), media_ids: BTreeMap::new() };
    // Fonts and media get their ids after the pages are walked; the pages
    // refer to them by placeholders resolved below.
    let mut contents = Vec::new();
    for page in doc.pages() {
        let mut objects = String::new();
        walk(&mut w, &page.frame, Transform::identity(), &mut objects);
        contents.push((page.frame.size(), objects));
    }
    let font_ids: Vec<u32> = (0..w.fonts.len()).map(|_| w.id()).collect();
    let media_ids: Vec<u32> = (0..w.media.len()).map(|_| w.id()).collect();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();

    // Fonts: subsets with a Unicode cmap, glyph ids renumbered in order.
    let mut public = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Res xmlns:ofd=\"{NS}\" BaseLoc=\"Res\"><ofd:Fonts>"
    );
    let mut renumber: Vec<BTreeMap<u16, u16>> = Vec::new();
    for (i, used) in w.fonts.iter().enumerate() {
        let mut glyphs: Vec<u16> = vec![0];
        glyphs.extend(used.glyphs.iter().copied().filter(|&g| g != 0));
        let bytes = super::webfont::subset_glyphs(used.font.data(), used.font.index(), &glyphs)
            .ok_or_else(|| format!("cannot subset the font {}", used.font.info().family))?;
        renumber.push(glyphs.iter().enumerate().map(|(n, &g)| (g, n as u16)).collect());
        // Named after its outlines: "OTTO" starts a CFF font, 0x00010000 a TrueType one.
        let file = format!("font_{i}.{}", if bytes.starts_with(b"OTTO") { "otf" } else { "ttf" });
        let family = escape(&used.font.info().family);
        let _ = write!(
            public,
            "<ofd:Font ID=\"{}\" FontName=\"{family}\" FamilyName=\"{family}\"><ofd:FontFile>{file}</ofd:FontFile></ofd:Font>",
            font_ids[i]
        );
        files.push((format!("Doc_0/Res/{file}"), bytes));
    }
    public.push_str("</ofd:Fonts></ofd:Res>\n");
    let mut document_res = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Res xmlns:ofd=\"{NS}\" BaseLoc=\"Res\"><ofd:MultiMedias>"
    );
    for (i, m) in w.media.iter().enumerate() {
        let _ = write!(
            document_res,
            "<ofd:MultiMedia ID=\"{}\" Type=\"Image\" Format=\"{}\"><ofd:MediaFile>{}</ofd:MediaFile></ofd:MultiMedia>",
            media_ids[i], m.format, m.file
        );
        files.push((format!("Doc_0/Res/{}", m.file), m.bytes.clone()));
    }
    document_res.push_str("</ofd:MultiMedias></ofd:Res>\n");

    let mut pages_xml = String::new();
    let mut page_files = Vec::new();
    for (n, (size, objects)) in contents.into_iter().enumerate() {
        let page_id = w.id();
        let layer_id = w.id();
        let _ = write!(pages_xml, "<ofd:Page ID=\"{page_id}\" BaseLoc=\"Pages/Page_{n}/Content.xml\"/>");
        // Resolve the placeholders: font and media indices, glyph ids.
        let objects = resolve(&objects, &font_ids, &media_ids, &renumber);
        page_files.push((
            format!("Doc_0/Pages/Page_{n}/Content.xml"),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Page xmlns:ofd=\"{NS}\"><ofd:Area><ofd:PhysicalBox>0 0 {} {}</ofd:PhysicalBox></ofd:Area><ofd:Content><ofd:Layer ID=\"{layer_id}\">{objects}</ofd:Layer></ofd:Content></ofd:Page>\n",
                num(mm(size.x)),
                num(mm(size.y))
            )
            .into_bytes(),
        ));
    }
    let first = doc.pages().first().map_or(Size::new(Abs::mm(210.0), Abs::mm(297.0)), |p| p.frame.size());
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Document xmlns:ofd=\"{NS}\"><ofd:CommonData><ofd:MaxUnitID>{}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 {} {}</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></ofd:CommonData><ofd:Pages>{pages_xml}</ofd:Pages></ofd:Document>\n",
        w.next_id,
        num(mm(first.x)),
        num(mm(first.y))
    );
    let doc_id = blake3::hash(info.ident.as_bytes()).to_hex()[..32].to_owned();
    let ofd = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:OFD xmlns:ofd=\"{NS}\" Version=\"1.0\" DocType=\"OFD\"><ofd:DocBody><ofd:DocInfo><ofd:DocID>{doc_id}</ofd:DocID><ofd:Title>{}</ofd:Title><ofd:Author>{}</ofd:Author><ofd:CreationDate>{}</ofd:CreationDate><ofd:Creator>pressroom</ofd:Creator><ofd:CreatorVersion>{}</ofd:CreatorVersion></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>\n",
        escape(info.title),
        escape(info.author),
        escape(info.date),
        env!("CARGO_PKG_VERSION")
    );

    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    // A fixed time in every entry: the same input, the same bytes.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut entries: Vec<(String, Vec<u8>)> = vec![
        ("OFD.xml".to_owned(), ofd.into_bytes()),
        ("Doc_0/Document.xml".to_owned(), document.into_bytes()),
        ("Doc_0/PublicRes.xml".to_owned(), public.into_bytes()),
        ("Doc_0/DocumentRes.xml".to_owned(), document_res.into_bytes()),
    ];
    entries.extend(page_files);
    entries.extend(files);
    for (name, bytes) in entries {
        zip.start_file(name, options).map_err(|e| e.to_string())?;
        zip.write_all(&bytes).map_err(|e| e.to_string())?;
    }
    zip.finish().map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

/// Placeholders in page XML: `\u{1}F<i>\u{1}` a font, `\u{1}M<i>\u{1}` a
/// picture, `\u{1}G<f>:<gid>\u{1}` a glyph of font `f`, resolved once every
/// page is walked and the resources are numbered.
fn resolve(objects: &str, fonts: &[u32], media: &[u32], renumber: &[BTreeMap<u16, u16>]) -> String {
    let mut out = String::with_capacity(objects.len());
    let mut parts = objects.split('\u{1}');
    if let Some(head) = parts.next() {
        out.push_str(head);
    }
    let mut inside = true;
    for part in parts {
        if inside {
            let (kind, rest) = part.split_at(1.min(part.len()));
            match kind {
                "F" => {
                    let i: usize = rest.parse().unwrap_or(0);
                    let _ = write!(out, "{}", fonts.get(i).copied().unwrap_or(0));
                }
                "M" => {
                    let i: usize = rest.parse().unwrap_or(0);
                    let _ = write!(out, "{}", media.get(i).copied().unwrap_or(0));
                }
                "G" => {
                    let (f, g) = rest.split_once(':').unwrap_or(("0", "0"));
                    let (f, g): (usize, u16) = (f.parse().unwrap_or(0), g.parse().unwrap_or(0));
                    let _ = write!(out, "{}", renumber.get(f).and_then(|m| m.get(&g)).copied().unwrap_or(0));
                }
                _ => {}
            }
        } else {
            out.push_str(part);
        }
        inside = !inside;
    }
    out
}

/// The frame's items in drawing order, under `ts` (frame to page).
fn walk(w: &mut Writer, frame: &Frame, ts: Transform, out: &mut String) {
    for (pos, item) in frame.items() {
        let here = ts.pre_concat(Transform::translate(pos.x, pos.y));
        match item {
            FrameItem::Group(group) => walk(w, &group.frame, here.pre_concat(group.transform), out),
            FrameItem::Text(text) => write_text(w, text, here, out),
            FrameItem::Shape(shape, _) => write_shape(w, shape, here, out),
            FrameItem::Image(image, size, _) => write_image(w, image, *size, here, out),
            FrameItem::Link(..) | FrameItem::Tag(_) => {}
        }
    }
}

/// `x`, `y` through `ts`, in millimetres.
fn apply(ts: Transform, p: Point) -> (f64, f64) {
    let p = p.transform(ts);
    (mm(p.x), mm(p.y))
}

fn is_translation(ts: Transform) -> bool {
    ts.sx.get() == 1.0 && ts.sy.get() == 1.0 && ts.kx.get() == 0.0 && ts.ky.get() == 0.0
}

/// `a b c d e f` of a transform, its translation in millimetres.
fn ctm(ts: Transform) -> String {
    format!(
        "{} {} {} {} {} {}",
        num(ts.sx.get()),
        num(ts.ky.get()),
        num(ts.kx.get()),
        num(ts.sy.get()),
        num(mm(ts.tx)),
        num(mm(ts.ty))
    )
}

/// A run of text: a text object per stretch between spaces (readers trim
/// a `TextCode`'s white space, and with it the glyph mapping), each with
/// its characters, the advance from each to the next (`DeltaX`), and the
/// glyph typst shaped for each cluster (`CGTransform`), so readers draw
/// the glyphs typst chose where typst chose them.
fn write_text(w: &mut Writer, text: &TextItem, ts: Transform, out: &mut String) {
    if text.glyphs.is_empty() {
        return;
    }
    let f = w.font_index(text.font.font());
    let size = text.size;
    let glyphs = &text.glyphs;
    let mut segment = Segment::default();
    let mut x = Abs::zero();
    let mut i = 0;
    while i < glyphs.len() {
        let range = glyphs[i].range();
        // Glyphs sharing their characters form one cluster.
        let mut j = i + 1;
        while j < glyphs.len() && glyphs[j].range() == range {
            j += 1;
        }
        let cluster = text.text.get(range).unwrap_or_default();
        let at = x + glyphs[i].x_offset.at(size);
        if cluster.chars().all(char::is_whitespace) {
            segment.flush(w, text, f, ts, out);
        } else {
            w.fonts[f].glyphs.extend(glyphs[i..j].iter().map(|g| g.id));
            segment.push(cluster, at, &glyphs[i..j], f);
        }
        x += glyphs[i..j].iter().map(|g| g.x_advance).sum::<typst::layout::Em>().at(size);
        i = j;
    }
    segment.flush(w, text, f, ts, out);
}

/// Characters of a text run between spaces, being collected.
#[derive(Default)]
struct Segment {
    codes: String,
    /// Where the first character stands, from the run's origin.
    start: Option<Abs>,
    last: Abs,
    deltas: Vec<f64>,
    transforms: String,
    count: usize,
}

impl Segment {
    fn push(&mut self, cluster: &str, at: Abs, glyphs: &[typst::text::Glyph], font: usize) {
        let count = cluster.chars().count();
        // A cluster's characters all stand where its first glyph does.
        for c in cluster.chars() {
            match self.start {
                None => self.start = Some(at),
                Some(_) => self.deltas.push(mm(at - self.last)),
            }
            self.last = at;
            self.codes.push(c);
        }
        let ids: Vec<String> = glyphs.iter().map(|g| format!("\u{1}G{font}:{}\u{1}", g.id)).collect();
        let _ = write!(
            self.transforms,
            "<ofd:CGTransform CodePosition=\"{}\" CodeCount=\"{count}\" GlyphCount=\"{}\"><ofd:Glyphs>{}</ofd:Glyphs></ofd:CGTransform>",
            self.count,
            glyphs.len(),
            ids.join(" ")
        );
        self.count += count;
    }

    /// Writes the collected characters as a text object and starts afresh.
    fn flush(&mut self, w: &mut Writer, text: &TextItem, font: usize, ts: Transform, out: &mut String) {
        let segment = std::mem::take(self);
        let Some(start) = segment.start else { return };
        let id = w.id();
        let fill = rgb(&text.fill);
        let a = alpha(&text.fill);
        let delta: Vec<String> = segment.deltas.iter().map(|d| num(*d)).collect();
        let (pos, matrix) = if is_translation(ts) {
            (apply(ts, Point::with_x(start)), String::new())
        } else {
            ((mm(start), 0.0), format!(" CTM=\"{}\"", ctm(ts)))
        };
        let _ = write!(
            out,
            "<ofd:TextObject ID=\"{id}\" Boundary=\"0 0 {} {}\" Font=\"\u{1}F{font}\u{1}\" Size=\"{}\"{matrix}><ofd:FillColor Value=\"{fill}\"{}/>{}<ofd:TextCode X=\"{}\" Y=\"{}\"{}>{}</ofd:TextCode></ofd:TextObject>",
            PAGE_BOX.0,
            PAGE_BOX.1,
            num(mm(text.size)),
            if a < 255 { format!(" Alpha=\"{a}\"") } else { String::new() },
            segment.transforms,
            num(pos.0),
            num(pos.1),
            if delta.is_empty() { String::new() } else { format!(" DeltaX=\"{}\"", delta.join(" ")) },
            escape(&segment.codes),
        );
    }
}

/// Every object's boundary: the page box (positions inside are page
/// positions), as large as the largest page the templates set.
const PAGE_BOX: (&str, &str) = ("420", "420");

fn write_shape(w: &mut Writer, shape: &Shape, ts: Transform, out: &mut String) {
    let mut data = String::new();
    let point = |data: &mut String, op: &str, ps: &[Point]| {
        data.push_str(op);
        for p in ps {
            let (x, y) = apply(ts, *p);
            let _ = write!(data, " {} {}", num(x), num(y));
        }
        data.push(' ');
    };
    match &shape.geometry {
        Geometry::Line(to) => {
            point(&mut data, "M", &[Point::zero()]);
            point(&mut data, "L", &[*to]);
        }
        Geometry::Rect(size) => {
            point(&mut data, "M", &[Point::zero()]);
            point(&mut data, "L", &[Point::with_x(size.x)]);
            point(&mut data, "L", &[size.to_point()]);
            point(&mut data, "L", &[Point::with_y(size.y)]);
            data.push_str("C ");
        }
        Geometry::Curve(curve) => {
            for item in &curve.0 {
                match item {
                    CurveItem::Move(p) => point(&mut data, "M", &[*p]),
                    CurveItem::Line(p) => point(&mut data, "L", &[*p]),
                    CurveItem::Cubic(a, b, c) => point(&mut data, "B", &[*a, *b, *c]),
                    CurveItem::Close => data.push_str("C "),
                }
            }
        }
    }
    let id = w.id();
    let scale = (ts.sx.get() * ts.sy.get() - ts.kx.get() * ts.ky.get()).abs().sqrt();
    let stroke: Option<&FixedStroke> = shape.stroke.as_ref();
    let fill = shape.fill.as_ref().filter(|_| !matches!(shape.geometry, Geometry::Line(_)));
    let mut attrs = format!(" Stroke=\"{}\" Fill=\"{}\"", stroke.is_some(), fill.is_some());
    if let Some(s) = stroke {
        let _ = write!(attrs, " LineWidth=\"{}\"", num(mm(s.thickness) * scale));
    }
    if shape.fill_rule == typst::visualize::FillRule::EvenOdd {
        attrs.push_str(" Rule=\"Even-Odd\"");
    }
    let _ = write!(out, "<ofd:PathObject ID=\"{id}\" Boundary=\"0 0 {} {}\"{attrs}>", PAGE_BOX.0, PAGE_BOX.1);
    if let Some(p) = fill {
        let a = alpha(p);
        let _ = write!(
            out,
            "<ofd:FillColor Value=\"{}\"{}/>",
            rgb(p),
            if a < 255 { format!(" Alpha=\"{a}\"") } else { String::new() }
        );
    }
    if let Some(s) = stroke {
        let a = alpha(&s.paint);
        let _ = write!(
            out,
            "<ofd:StrokeColor Value=\"{}\"{}/>",
            rgb(&s.paint),
            if a < 255 { format!(" Alpha=\"{a}\"") } else { String::new() }
        );
    }
    let _ = write!(out, "<ofd:AbbreviatedData>{}</ofd:AbbreviatedData></ofd:PathObject>", data.trim_end());
}

/// An image: embedded once (PNG and JPEG as they are, SVG drawn by typst
/// at 300 dpi), drawn into its box by the object's matrix.
fn write_image(w: &mut Writer, image: &Image, size: Size, ts: Transform, out: &mut String) {
    let key = typst::utils::hash128(image);
    let index = match w.media_ids.get(&key) {
        Some(&i) => i,
        None => {
            let Some((bytes, format, ext)) = image_file(image, size) else { return };
            let i = w.media.len();
            w.media.push(Media { bytes, format, file: format!("image_{i}.{ext}") });
            w.media_ids.insert(key, i);
            i
        }
    };
    // The unit square onto the image's box, then onto the page.
    let placed = ts.pre_concat(Transform::scale(
        typst::layout::Ratio::new(size.x.to_mm()),
        typst::layout::Ratio::new(size.y.to_mm()),
    ));
    let m = format!(
        "{} {} {} {} {} {}",
        num(placed.sx.get()),
        num(placed.ky.get()),
        num(placed.kx.get()),
        num(placed.sy.get()),
        num(mm(ts.tx)),
        num(mm(ts.ty))
    );
    let id = w.id();
    let _ = write!(
        out,
        "<ofd:ImageObject ID=\"{id}\" Boundary=\"0 0 {} {}\" CTM=\"{m}\" ResourceID=\"\u{1}M{index}\u{1}\"/>",
        PAGE_BOX.0, PAGE_BOX.1
    );
}

/// The file of an image: its bytes, OFD format name, extension.
fn image_file(image: &Image, size: Size) -> Option<(Vec<u8>, &'static str, &'static str)> {
    match image.kind() {
        ImageKind::Raster(raster) => match raster.format() {
            RasterFormat::Exchange(ExchangeFormat::Png) => Some((raster.data().to_vec(), "PNG", "png")),
            RasterFormat::Exchange(ExchangeFormat::Jpg) => Some((raster.data().to_vec(), "JPEG", "jpg")),
            _ => super::draw_image(image, size).map(|png| (png, "PNG", "png")),
        },
        _ => super::draw_image(image, size).map(|png| (png, "PNG", "png")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_never_negative_zero() {
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(3.0), "3");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(0.1234), "0.123");
    }

    #[test]
    fn content_text_is_escaped() {
        assert_eq!(escape("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
        assert_eq!(escape("x\u{7}y"), "xy");
    }

    #[test]
    fn placeholders_resolve_to_resource_ids_and_subset_glyphs() {
        let renumber = vec![BTreeMap::from([(0u16, 0u16), (500, 1), (900, 2)])];
        let xml = "Font=\"\u{1}F0\u{1}\" <g>\u{1}G0:900\u{1} \u{1}G0:500\u{1}</g> R=\"\u{1}M0\u{1}\"";
        assert_eq!(resolve(xml, &[7], &[8], &renumber), "Font=\"7\" <g>2 1</g> R=\"8\"");
    }
}
