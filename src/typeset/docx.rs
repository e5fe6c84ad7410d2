//! The DOCX exporter: an official document as an editable Word/WPS file
//! that keeps the GB/T 9704 page. It reads the same data the typst
//! template set the PDF from (after the layout passes, so the 版记 lands on
//! the page the PDF puts it on), and writes a real document: styles by
//! role with the official font names for East Asian text, the document
//! grid of 22 lines and 28 characters, the 版头, body levels, signature,
//! attachments (tables as Word tables) and the 版记, with page numbers
//! — N — on odd (right) and even (left) footers.
//!
//! Word and WPS lay text out themselves, so line breaks can differ from
//! the PDF; the grid and exact line pitch keep every line where the
//! standard puts it.

use docx_rs::{
    AlignmentType, BorderType, BreakType, BuildXML, DocGrid, DocGridType, Docx, FieldCharType, Footer,
    InstrPAGE, InstrText, LineSpacing, LineSpacingType, PageMargin, Paragraph, ParagraphBorder,
    ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, Settings, SpecialIndentType, Style, StyleType,
    Table, TableCell, TableRow, VMergeType, WidthType,
};
use serde_json::Value as Json;

use crate::content::date::Date;

/// Twentieths of a point per millimetre.
const TWIPS_PER_MM: f64 = 1440.0 / 25.4;

fn mm(v: f64) -> i32 {
    (v * TWIPS_PER_MM).round() as i32
}

/// A4 in twips.
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
/// The body's size, 三号, in half points.
const BODY: usize = 32;
/// The grid (P4): 22 lines in the 225 mm type area. Rounded down, since a
/// pitch of 580 twips leaves room for only 21 lines in LibreOffice.
fn pitch() -> i32 {
    (225.0 * TWIPS_PER_MM / 22.0).floor() as i32
}
/// The body's tracking (P4) in twips: 28 characters in 156 mm, which the
/// 16 pt glyphs fill at 15.79 pt each; rounded down so that 28 fit.
///
/// The standard's grid of characters is not written as a character grid
/// (`linesAndChars` with a negative `charSpace`, as Word's 公文 templates
/// have it): LibreOffice sets each 16 pt character in two of the grid's
/// 15.79 pt cells, 14 characters a line. Tracking gives the same 28 in
/// Word, WPS and LibreOffice; the line grid stays.
fn tracking() -> i32 {
    let char_pt: f64 = 156.0 / 25.4 * 72.0 / 28.0;
    ((char_pt - 16.0) * 20.0).floor() as i32
}

/// The official fonts by role, as Word and WPS on an office PC name them.
#[derive(Clone, Copy)]
enum Face {
    Body,
    Hei,
    Kai,
    Mark,
    Song,
}

impl Face {
    fn name(self) -> &'static str {
        match self {
            Face::Body => "仿宋_GB2312",
            Face::Hei => "黑体",
            Face::Kai => "楷体_GB2312",
            Face::Mark => "方正小标宋简体",
            Face::Song => "宋体",
        }
    }

    /// The same font for every script, so no theme font takes over.
    fn fonts(self) -> RunFonts {
        let n = self.name();
        RunFonts::new().ascii(n).hi_ansi(n).east_asia(n).cs(n)
    }
}

/// Red of the mark and rules.
const RED: &str = "FF0000";

/// The seal's diameter, as the template prints it (B8, S2).
const SEAL_MM: f64 = 42.0;

/// A picture to place: PNG bytes, pixel size, printed size.
pub struct Picture {
    /// The PNG.
    pub png: Vec<u8>,
    /// Its width in pixels.
    pub width_px: u32,
    /// Its height in pixels.
    pub height_px: u32,
    /// Its printed height, in millimetres (the width follows the pixels).
    pub height_mm: f64,
}

impl Picture {
    fn width_mm(&self) -> f64 {
        self.height_mm * f64::from(self.width_px) / f64::from(self.height_px.max(1))
    }
}

/// Draws the image at a project path (as the template gets it) `height_mm`
/// high, as a transparent PNG at 300 dpi: typst renders it, SVG or raster
/// alike, so seals and stamps look as in the PDF.
pub fn draw_picture(
    engine: &super::world::Engine,
    path: &str,
    height_mm: f64,
    today: typst::foundations::Datetime,
) -> Option<Picture> {
    const ENTRY: &str = "#let d = json(\"/__data__.json\")\n\
        #set page(width: auto, height: d.height * 1mm, margin: 0pt, fill: none)\n\
        #image(d.image, height: 100%)\n";
    let data = serde_json::to_vec(&serde_json::json!({ "image": path, "height": height_mm })).ok()?;
    let world = engine.world(ENTRY, data, today);
    let (doc, _) = super::compile(&world).ok()?;
    let (png, width_px, height_px) = super::export_png_transparent(&doc, 0, 300.0 / 72.0)?;
    Some(Picture { png, width_px, height_px, height_mm })
}

/// Where the DOCX gets its pictures: a project path and a printed height
/// in millimetres.
pub type Pictures<'a> = &'a dyn Fn(&str, f64) -> Option<Picture>;

/// EMU (the drawing unit) per twip.
const EMU_PER_TWIP: i32 = 635;

/// The DOCX of an official document from its template data (`data` as the
/// PDF's typesetting left it). `date` fixes the package's dates.
pub fn export_docx(data: &Json, date: Date, pictures: Pictures<'_>) -> Result<Vec<u8>, String> {
    // (Paragraph ids count from 1 in every file: docx-rs numbers them per
    // thread and starts again at each build.)
    let mut docx = base(data, date);
    let mut w = Writer {
        body: Vec::new(),
        new_page: false,
        fresh_page: true,
        format: Format::of(data),
        pictures,
        portrait: docx.document.section_property.clone(),
        footers: docx.document_rels.footer_count,
        extra_footers: Vec::new(),
        landscape_footers: None,
        numberless_tail: None,
    };
    w.document(data);
    // Footers of sections other than the last are written by hand (docx-rs
    // packs only the footers of the document's own section).
    for _ in &w.extra_footers {
        docx.document_rels.footer_count += 1;
        docx.content_type = docx.content_type.add_footer();
    }
    if w.landscape_footers.is_some() {
        // The last section follows a landscape one: the letter's first
        // page stays the document's first.
        docx.document.section_property.title_pg = false;
    }
    for block in w.body {
        docx = match block {
            Block::Par(p) => docx.add_paragraph(*p),
            Block::Table(t) => docx.add_table(*t),
        };
    }
    let mut xml = docx.build();
    // The seal presses on name and date, which keep their places: no wrap
    // (docx-rs writes every anchored picture with square wrapping).
    xml.document = String::from_utf8_lossy(&xml.document)
        .replace(r#"<wp:wrapSquare wrapText="bothSides" />"#, "<wp:wrapNone />")
        .into_bytes();
    xml.footers.append(&mut w.extra_footers);
    if let Some((odd, even)) = &w.numberless_tail {
        // The last section (the blank page and the 版记's) has footers
        // without numbers (N4): its sectPr is the body's last.
        let text = String::from_utf8_lossy(&xml.document).into_owned();
        if let Some(at) = text.rfind("<w:sectPr>") {
            let (head, tail) = text.split_at(at);
            let tail = tail
                .replacen(&format!("r:id=\"{}\"", footer_rid(1)), &format!("r:id=\"{odd}\""), 1)
                .replacen(&format!("r:id=\"{}\"", footer_rid(2)), &format!("r:id=\"{even}\""), 1);
            xml.document = format!("{head}{tail}").into_bytes();
        }
    }
    xml.styles = own_normal(&xml.styles);
    xml.settings = even_and_odd_in_order(&xml.settings);
    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

/// docx-rs writes `evenAndOddHeaders` after `compat`, out of the schema's
/// order, and LibreOffice then ignores it (every page gets the odd
/// footer); it belongs right after `defaultTabStop`.
fn even_and_odd_in_order(settings: &[u8]) -> Vec<u8> {
    const EVEN_ODD: &str = "<w:evenAndOddHeaders />";
    let text = String::from_utf8_lossy(settings);
    let Some(tab) = text.find("<w:defaultTabStop").and_then(|i| text[i..].find("/>").map(|j| i + j + 2))
    else {
        return settings.to_vec();
    };
    if !text.contains(EVEN_ODD) {
        return settings.to_vec();
    }
    let (head, tail) = text.split_at(tab);
    format!("{head}{EVEN_ODD}{}", tail.replacen(EVEN_ODD, "", 1)).into_bytes()
}

/// docx-rs writes an empty Normal style before the document's own, which
/// LibreOffice takes (and then falls back to 12 pt defaults). The empty one
/// goes, and ours is marked the default style.
fn own_normal(styles: &[u8]) -> Vec<u8> {
    const EMPTY: &str = r#"<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal" /><w:rPr /><w:pPr><w:rPr /></w:pPr><w:qFormat /></w:style>"#;
    const OURS: &str = r#"<w:style w:type="paragraph" w:styleId="Normal">"#;
    let text = String::from_utf8_lossy(styles);
    let text = text.replacen(EMPTY, "", 1);
    let text = text.replacen(OURS, r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal">"#, 1);
    // No extra space between Chinese and digits or Latin letters (Word and
    // LibreOffice add a quarter em by default; the standard's lines have
    // none): raw XML, docx-rs has no setter for it.
    let at = text.find(r#"w:styleId="Normal">"#).and_then(|i| text[i..].find("<w:pPr>").map(|j| i + j + 7));
    match at {
        Some(at) => format!(
            "{}<w:autoSpaceDE w:val=\"0\" /><w:autoSpaceDN w:val=\"0\" />{}",
            &text[..at],
            &text[at..]
        ),
        None => text,
    }
    .into_bytes()
}

enum Block {
    Par(Box<Paragraph>),
    Table(Box<Table>),
}

/// The document's blocks, in order, as the data describes them.
struct Writer<'a> {
    /// Seals and stamps, drawn for the signature.
    pictures: Pictures<'a>,
    body: Vec<Block>,
    /// The next paragraph starts a page.
    new_page: bool,
    /// Nothing is on the current page yet (a section just began).
    fresh_page: bool,
    format: Format,
    /// The portrait section's properties, for the section that ends where
    /// a landscape one begins.
    portrait: docx_rs::SectionProperty,
    /// Footers in the package before the extra ones.
    footers: usize,
    /// Footers of other sections, in order after the document's own.
    extra_footers: Vec<Vec<u8>>,
    /// Relationship ids of the landscape sections' odd and even footers,
    /// once one is written.
    landscape_footers: Option<(String, String)>,
    /// Relationship ids of the numberless footers of the last section.
    numberless_tail: Option<(String, String)>,
}

/// The document's format (GB/T 9704 ch. 10): its 版头 and 版记 differ.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    /// 文件格式, and 纪要 (L5), whose 版头 is the same with its own mark.
    File,
    /// 信函格式 (L1–L3).
    Letter,
    /// 命令（令）格式 (L4).
    Order,
}

impl Format {
    fn of(data: &Json) -> Format {
        match data["format"].as_str() {
            Some("letter") => Format::Letter,
            Some("order") => Format::Order,
            _ => Format::File,
        }
    }
}

/// Page, grid, styles, footers and settings.
fn base(data: &Json, date: Date) -> Docx {
    let stamp = format!("{:04}-{:02}-{:02}T00:00:00Z", date.year, date.month, date.day);
    let title: String = strings(&data["title"]).concat();
    let mut docx = Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(margins())
        .default_fonts(Face::Body.fonts())
        .default_size(BODY)
        .created_at(&stamp)
        .updated_at(&stamp)
        .custom_property("title", title)
        .doc_id("pressroom")
        .settings(Settings::new().even_and_odd_headers());
    if Format::of(data) == Format::Letter {
        // 信函格式 (L1, L3): page 1 carries the mark 30 mm from the paper's
        // top with the red double lines, and no page number.
        // The footers stand 20 mm up for the foot's double line; the page
        // numbers of later pages keep their place by spacing under them.
        let mut m = margins();
        m.header = mm(30.0);
        m.footer = mm(20.0);
        let raise = margins().footer - m.footer;
        docx = docx
            .page_margin(m)
            .footer(page_footer(false, raise))
            .even_footer(page_footer(true, raise))
            .title_pg()
            .first_header(letter_header(&data["header"]))
            .first_footer(letter_footer());
    } else {
        docx = docx.footer(page_footer(false, 0)).even_footer(page_footer(true, 0));
    }
    docx.document.section_property = docx.document.section_property.clone().doc_grid(grid());
    // Ours replace docx-rs's own Normal.
    docx.styles.styles.retain(|s| s.style_id != "Normal");
    for style in styles() {
        docx = docx.add_style(style);
    }
    docx
}

/// A red double line 170 mm long, centred on the type area (L1): thick over
/// thin under the mark, thin over thick at the foot.
fn double_line(p: Paragraph, position: ParagraphBorderPosition, thick_first: bool) -> Paragraph {
    let val = if thick_first { BorderType::ThickThinMediumGap } else { BorderType::ThinThickMediumGap };
    let mut p = p
        .indent(Some(-mm(7.0)), Some(SpecialIndentType::FirstLine(0)), Some(-mm(7.0)), None)
        .first_line_chars(0);
    p.property.borders = Some(
        ParagraphBorders::with_empty()
            .set(ParagraphBorder::new(position).val(val).size(24).space(4).color(RED)),
    );
    p
}

/// The letter's mark and its double line, in the first page's header.
fn letter_header(hd: &Json) -> docx_rs::Header {
    let issuers = strings(&hd["issuers"]);
    let name = issuers.join("");
    let size_pt = 48.0_f64.min(0.92 * 156.0 / 25.4 * 72.0 / name.chars().count().max(1) as f64);
    let spacing =
        LineSpacing::new().line((size_pt * 24.0) as i32).line_rule(LineSpacingType::Exact).before(0).after(0);
    let mark = Paragraph::new()
        .style("PressroomMark")
        .snap_to_grid(false)
        .line_spacing(spacing)
        .add_run(run(Face::Mark, &name).size((size_pt * 2.0) as usize).color(RED));
    docx_rs::Header::new().add_paragraph(double_line(mark, ParagraphBorderPosition::Bottom, true))
}

/// The foot's double line 20 mm above the paper's bottom, and no number.
fn letter_footer() -> Footer {
    let p = Paragraph::new()
        .style("PressroomPageNumber")
        .line_spacing(LineSpacing::new().line(20).line_rule(LineSpacingType::Exact).before(0).after(0));
    Footer::new().add_paragraph(double_line(p, ParagraphBorderPosition::Top, false))
}

fn margins() -> PageMargin {
    PageMargin::new()
        .top(mm(37.0))
        .bottom(mm(35.0))
        .left(mm(28.0))
        .right(mm(26.0))
        .header(mm(15.0))
        // The numbers' em box starts 7 mm under the type area (N2).
        .footer(mm(28.0 - 14.0 * 25.4 / 72.0))
        .gutter(0)
}

fn grid() -> DocGrid {
    DocGrid::new().grid_type(DocGridType::Lines).line_pitch(pitch() as usize)
}

/// Lines at the grid's pitch, exactly, whatever their font size.
fn on_grid() -> LineSpacing {
    LineSpacing::new().line(pitch()).line_rule(LineSpacingType::Exact).before(0).after(0)
}

/// Paragraph styles by role (B1–B5, V3, N1).
fn styles() -> Vec<Style> {
    let para = |id: &str, name: &str, face: Face, size: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .fonts(face.fonts())
            .size(size)
            .line_spacing(on_grid())
    };
    let mut normal = Style::new("Normal", StyleType::Paragraph)
        .name("Normal")
        .fonts(Face::Body.fonts())
        .size(BODY)
        .align(AlignmentType::Both)
        .line_spacing(on_grid())
        // Two characters in (B4): in characters, so the grid decides.
        .indent(None, Some(SpecialIndentType::FirstLine(chars(2.0))), None, None)
        .first_line_chars(200);
    normal.run_property = normal.run_property.character_spacing(tracking());
    vec![
        normal,
        para("PressroomMark", "发文机关标志", Face::Mark, 80)
            .color(RED)
            .align(AlignmentType::Center)
            .indent(None, Some(SpecialIndentType::FirstLine(0)), None, None)
            .first_line_chars(0),
        para("PressroomTitle", "公文标题", Face::Mark, 44)
            .align(AlignmentType::Center)
            .indent(None, Some(SpecialIndentType::FirstLine(0)), None, None)
            .first_line_chars(0),
        para("PressroomHeading1", "一级标题", Face::Hei, BODY).outline_lvl(0),
        para("PressroomHeading2", "二级标题", Face::Kai, BODY).outline_lvl(1),
        para("PressroomImprint", "版记", Face::Body, 28)
            .indent(Some(280), Some(SpecialIndentType::FirstLine(0)), Some(280), None)
            .first_line_chars(0),
        Style::new("PressroomPageNumber", StyleType::Paragraph)
            .name("页码")
            .fonts(Face::Song.fonts())
            .size(28)
            .snap_to_grid(false)
            .line_spacing(LineSpacing::new().line(280).line_rule(LineSpacingType::Exact)),
    ]
}

/// — N — in 四号 宋体, one character in from the right (odd pages) or the
/// left (even pages) (N1–N3); `raise` twips of space under it when the
/// footer stands lower than the numbers do.
fn page_footer(even: bool, raise: i32) -> Footer {
    let run = |r: Run| r.fonts(Face::Song.fonts()).size(28);
    let p = Paragraph::new()
        .style("PressroomPageNumber")
        .line_spacing(
            LineSpacing::new()
                .line(280)
                .line_rule(LineSpacingType::Exact)
                .before(0)
                .after(raise.max(0) as u32),
        )
        .align(if even { AlignmentType::Left } else { AlignmentType::Right })
        .indent(
            Some(if even { chars(1.0) } else { 0 }),
            Some(SpecialIndentType::FirstLine(0)),
            Some(if even { 0 } else { chars(1.0) }),
            None,
        )
        .first_line_chars(0)
        .add_run(run(Run::new().add_text("— ")))
        .add_run(run(Run::new().add_field_char(FieldCharType::Begin, false)))
        .add_run(run(Run::new().add_instr_text(InstrText::PAGE(InstrPAGE::new()))))
        .add_run(run(Run::new().add_field_char(FieldCharType::Separate, false)))
        .add_run(run(Run::new().add_text("1")))
        .add_run(run(Run::new().add_field_char(FieldCharType::End, false)))
        .add_run(run(Run::new().add_text(" —")));
    Footer::new().add_paragraph(p)
}

fn footer_rid(n: usize) -> String {
    format!("rIdFooter{n}")
}

/// A landscape A4 section (A3): the portrait page turned so that its top
/// faces the sheet's left edge, margins turned with it, and footers whose
/// page numbers stand, turned too, where a portrait page has them.
fn landscape_section(footers: &(String, String)) -> docx_rs::SectionProperty {
    let m = margins();
    docx_rs::SectionProperty::new()
        .page_size(
            docx_rs::PageSize::new()
                .width(PAGE_H)
                .height(PAGE_W)
                .orient(docx_rs::PageOrientationType::Landscape),
        )
        .page_margin(
            PageMargin::new()
                .top(m.left)
                .right(m.top)
                .bottom(m.right)
                .left(m.bottom)
                .header(mm(10.0))
                .footer(mm(10.0))
                .gutter(0),
        )
        .doc_grid(grid())
        .footer(Footer::new(), &footers.0)
        .even_footer(Footer::new(), &footers.1)
}

/// EMU (the drawing unit) per millimetre.
const EMU_PER_MM: f64 = 36000.0;

/// A landscape page's footer: the portrait page number in a text box at
/// the page's left edge, its text turned a quarter clockwise, so that on
/// the upright sheet it reads and stands as on a portrait page (N1–N3):
/// 7 mm under the type area, along the type area's width. Square wrap:
/// LibreOffice drops the offsets of a text box in a footer that has none;
/// the box lies outside the type area, so no text wraps around it.
fn landscape_footer(even: bool) -> Vec<u8> {
    let number = String::from_utf8_lossy(&page_footer(even, 0).build()).into_owned();
    let (Some(start), Some(end)) = (number.find("<w:p "), number.rfind("</w:ftr>")) else {
        return page_footer(even, 0).build();
    };
    let paragraph = &number[start..end];
    let head = &number[..start];
    // The box's left edge is the number's em box bottom on the portrait
    // page: 7 mm under the type area, which ends 35 mm above the paper's foot.
    let number_mm = 14.0 * 25.4 / 72.0;
    let x = ((35.0 - 7.0 - number_mm) * EMU_PER_MM).round() as i64;
    let y = (28.0 * EMU_PER_MM).round() as i64;
    let (cx, cy) = ((number_mm * EMU_PER_MM).round() as i64, (156.0 * EMU_PER_MM).round() as i64);
    let id = if even { 9002 } else { 9001 };
    format!(
        "{head}<w:p><w:pPr><w:pStyle w:val=\"PressroomPageNumber\" /></w:pPr><w:r><w:drawing>\
         <wp:anchor distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\" simplePos=\"0\" relativeHeight=\"1\" \
         behindDoc=\"0\" locked=\"0\" layoutInCell=\"1\" allowOverlap=\"1\"><wp:simplePos x=\"0\" y=\"0\" />\
         <wp:positionH relativeFrom=\"page\"><wp:posOffset>{x}</wp:posOffset></wp:positionH>\
         <wp:positionV relativeFrom=\"page\"><wp:posOffset>{y}</wp:posOffset></wp:positionV>\
         <wp:extent cx=\"{cx}\" cy=\"{cy}\" /><wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\" /><wp:wrapSquare wrapText=\"bothSides\" />\
         <wp:docPr id=\"{id}\" name=\"页码 {id}\" /><wp:cNvGraphicFramePr />\
         <a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">\
         <a:graphicData uri=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\">\
         <wps:wsp><wps:cNvSpPr txBox=\"1\" /><wps:spPr><a:xfrm><a:off x=\"0\" y=\"0\" />\
         <a:ext cx=\"{cx}\" cy=\"{cy}\" /></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst /></a:prstGeom><a:noFill />\
         <a:ln><a:noFill /></a:ln></wps:spPr><wps:txbx><w:txbxContent>{paragraph}</w:txbxContent></wps:txbx>\
         <wps:bodyPr rot=\"0\" vert=\"vert\" wrap=\"square\" lIns=\"0\" tIns=\"0\" rIns=\"0\" bIns=\"0\" \
         anchor=\"ctr\" anchorCtr=\"0\"><a:noAutofit /></wps:bodyPr></wps:wsp></a:graphicData></a:graphic>\
         </wp:anchor></w:drawing></w:r></w:p></w:ftr>"
    )
    .into_bytes()
}

/// The strings of a JSON array (others skipped).
fn strings(v: &Json) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

fn text(v: &Json) -> Option<&str> {
    v.as_str().filter(|s| !s.is_empty())
}

/// Characters of `s` in body cells: ASCII letters and digits are half.
fn cells(s: &str) -> f64 {
    s.chars().map(|c| if c.is_ascii() { 0.5 } else { 1.0 }).sum()
}

/// A one-point paragraph off the grid, where the format needs a paragraph
/// and the page no line.
fn tiny() -> Paragraph {
    let exact = LineSpacing::new().line(20).line_rule(LineSpacingType::Exact).before(0).after(0);
    flush().snap_to_grid(false).line_spacing(exact).size(2)
}

/// A paragraph with no first-line indent.
fn flush() -> Paragraph {
    Paragraph::new().indent(None, Some(SpecialIndentType::FirstLine(0)), None, None).first_line_chars(0)
}

/// A run in a role's font.
fn run(face: Face, s: &str) -> Run {
    Run::new().add_text(s).fonts(face.fonts())
}

/// Twips of `n` body characters.
fn chars(n: f64) -> i32 {
    (n * 156.0 / 28.0 * TWIPS_PER_MM).round() as i32
}

impl Writer<'_> {
    fn par(&mut self, p: Paragraph) {
        let p = if std::mem::take(&mut self.new_page) { p.page_break_before(true) } else { p };
        self.fresh_page = false;
        self.body.push(Block::Par(Box::new(p)));
    }

    /// Adds a footer part for a section of our own; its relationship id.
    fn add_footer(&mut self, xml: Vec<u8>) -> String {
        self.extra_footers.push(xml);
        footer_rid(self.footers + self.extra_footers.len())
    }

    /// Ends the current section with `section` and starts the next on a
    /// new page: the properties go on the section's last paragraph, or on
    /// a one-point paragraph after a table (which cannot carry them).
    fn end_section(&mut self, section: docx_rs::SectionProperty) {
        self.new_page = false;
        match self.body.last_mut() {
            Some(Block::Par(p)) => {
                let taken = std::mem::take(p.as_mut());
                **p = taken.section_property(section);
            }
            _ => self.body.push(Block::Par(Box::new(tiny().section_property(section)))),
        }
        self.fresh_page = true;
    }

    fn blank(&mut self) {
        self.par(flush());
    }

    fn page_break(&mut self) {
        if self.fresh_page && !self.new_page {
            // A section just began on a new page.
            return;
        }
        if self.new_page {
            // A page of its own (the blank page before a 版记).
            self.par(flush());
        }
        self.new_page = true;
    }

    fn document(&mut self, data: &Json) {
        self.header(&data["header"]);
        let title = strings(&data["title"]);
        if !title.is_empty() {
            self.title(&title);
        }
        if let Some(r) = text(&data["recipients"]) {
            if !title.is_empty() {
                self.blank();
            }
            self.par(flush().add_run(Run::new().add_text(r)));
        }
        self.rich(&data["body"]);
        let attachments = data["attachments"].as_array().cloned().unwrap_or_default();
        let enclosure = data.get("enclosure").filter(|e| !e.is_null());
        if enclosure.is_none() && !attachments.is_empty() {
            self.attachment_list(&attachments);
        }
        if data["signature"].is_object() {
            self.signature(&data["signature"]);
        }
        if let Some(note) = text(&data["note"]) {
            self.par(Paragraph::new().add_run(Run::new().add_text(format!("（{note}）"))));
        }
        if let Some(lists) = data["attendance"].as_array().filter(|l| !l.is_empty()) {
            self.blank();
            for l in lists {
                let label = format!("{}：", l["label"].as_str().unwrap_or_default());
                let hang = chars(2.0 + cells(&label));
                self.par(
                    Paragraph::new()
                        .indent(Some(hang), Some(SpecialIndentType::Hanging(hang - chars(2.0))), None, None)
                        .add_run(run(Face::Hei, &label))
                        .add_run(Run::new().add_text(l["names"].as_str().unwrap_or_default())),
                );
            }
        }
        if let Some(e) = enclosure {
            self.page_break();
            self.title(&strings(&e["title"]));
            self.blank();
            self.rich(&e["body"]);
            if !attachments.is_empty() {
                self.attachment_list(&attachments);
            }
        }
        for a in &attachments {
            self.attachment(a, attachments.len());
        }
        if data["imprint"].is_object() {
            // On the page the PDF puts it on: the next, or after a blank one;
            // never beside a landscape table (V1).
            let after_landscape =
                attachments.last().is_some_and(|a| a["landscape"].as_bool().unwrap_or(false));
            let mode = match data["imprint_mode"].as_str() {
                Some("here") | None if after_landscape => Some("next"),
                mode => mode,
            };
            let own_page = match mode {
                Some("next") => {
                    self.page_break();
                    true
                }
                Some("blank") => {
                    // The blank page and the 版记's carry no number (N4): a
                    // section of their own, with empty footers.
                    let portrait = self.portrait.clone();
                    self.end_section(portrait);
                    let empty =
                        || Footer::new().add_paragraph(Paragraph::new().style("PressroomPageNumber")).build();
                    self.numberless_tail = Some((self.add_footer(empty()), self.add_footer(empty())));
                    self.blank();
                    self.page_break();
                    true
                }
                _ => false,
            };
            self.imprint(&data["imprint"], own_page);
        }
    }

    /// 份号, 密级, 紧急程度; the red mark 35 mm below the type area's top;
    /// the number two lines under it; the red rule 4 mm under the number.
    fn header(&mut self, hd: &Json) {
        match self.format {
            Format::Letter => return self.letter_lines(hd),
            Format::Order => return self.order_header(hd),
            Format::File => {}
        }
        let lines = self.top_lines(hd);
        // The mark's top 35 mm under the type area's top (H2).
        if !self.mark(hd, mm(35.0), lines, true) {
            return;
        }
        // Two blank lines under the mark (H3).
        self.blank();
        self.blank();
        let number = text(&hd["number"]).unwrap_or_default();
        let signers = strings(&hd["signers"]);
        let mut p = if signers.is_empty() {
            flush().align(AlignmentType::Center).add_run(Run::new().add_text(number))
        } else {
            // 上行文 (H3): number one character in on the left, 签发人 one
            // character in on the right, on one line.
            flush()
                .indent(Some(chars(1.0)), None, Some(chars(1.0)), None)
                .add_tab(docx_rs::Tab::new().val(docx_rs::TabValueType::Right).pos(chars(26.0) as usize))
                .add_run(Run::new().add_text(number).add_tab())
                .add_run(Run::new().add_text("签发人："))
                .add_run(run(Face::Kai, &signers.join("　")))
        };
        // The red rule, as wide as the type area, 4 mm under the number (H4).
        const RULE_EIGHTHS: usize = 17;
        const RULE_SPACE_PT: usize = 11;
        p.property.borders = Some(
            ParagraphBorders::with_empty().set(
                ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                    .val(BorderType::Single)
                    .size(RULE_EIGHTHS)
                    .space(RULE_SPACE_PT)
                    .color(RED),
            ),
        );
        self.par(p);
        // The title two lines under the rule (B1). Word and LibreOffice add
        // the border's space and width to the number's line: the first blank
        // line gives them back, so the title stays on the PDF's grid line.
        let border = (RULE_SPACE_PT * 20 + RULE_EIGHTHS * 20 / 8) as i32;
        let exact =
            LineSpacing::new().line(pitch() - border).line_rule(LineSpacingType::Exact).before(0).after(0);
        self.par(flush().snap_to_grid(false).line_spacing(exact));
        self.blank();
    }

    /// 份号, 密级, 紧急程度 flush left, one a line (H1); how many.
    fn top_lines(&mut self, hd: &Json) -> i32 {
        let mut lines = 0;
        for (key, face) in [("copy_number", Face::Body), ("secrecy", Face::Hei), ("urgency", Face::Hei)] {
            if let Some(s) = text(&hd[key]) {
                self.par(flush().add_run(run(face, s)));
                lines += 1;
            }
        }
        lines
    }

    /// The red mark, its top `top` twips under the type area's top, under
    /// `lines` grid lines already written; false when there is none.
    fn mark(&mut self, hd: &Json, top: i32, lines: i32, snap: bool) -> bool {
        let issuers = strings(&hd["issuers"]);
        if issuers.is_empty() {
            return false;
        }
        let suffix = hd["mark_suffix"].as_str().unwrap_or_default();
        let longest = issuers.iter().map(|n| n.chars().count()).max().unwrap_or(1) + suffix.chars().count();
        // As large as balanced, never wider than the type area (H2).
        let size_pt = (if issuers.len() > 1 { 30.0 } else { 48.0_f64 })
            .min(0.92 * 156.0 / 25.4 * 72.0 / longest as f64);
        let half_points = (size_pt * 2.0).floor() as usize;
        let line = (size_pt * 20.0 * 1.2).round() as i32;
        let mut before = (top - lines * pitch()).max(0);
        // With `snap`, the mark's last line ends on the grid line the PDF
        // counts the lines under it from (H3, L4: the typeset mark is as
        // high as its glyphs, about its size): Word and LibreOffice flow
        // on from an exact-height paragraph without snapping to the grid.
        // Where the mark's line (1.2 em) would run past that grid line, it
        // starts higher instead: its glyphs sit low in the line, so they
        // stay where the PDF has them.
        let n = issuers.len() as i32;
        let counted = f64::from(top) + f64::from(n) * size_pt * 20.0;
        let target = (counted / f64::from(pitch()) - 0.01).ceil() as i32 * pitch();
        let used = lines * pitch() + before + n * line;
        let mut after = 0;
        if snap && used > target {
            before = (before - (used - target)).max(0);
        } else if snap {
            after = (target - used) as u32;
        }
        let before = before as u32;
        for (i, name) in issuers.iter().enumerate() {
            let last = i + 1 == issuers.len();
            let text = if last { format!("{name}{suffix}") } else { name.clone() };
            let spacing = LineSpacing::new()
                .line(line)
                .line_rule(LineSpacingType::Exact)
                .before(if i == 0 { before } else { 0 })
                .after(if last { after } else { 0 });
            self.par(
                Paragraph::new()
                    .style("PressroomMark")
                    .snap_to_grid(false)
                    .line_spacing(spacing)
                    .add_run(run(Face::Mark, &text).size(half_points).color(RED)),
            );
        }
        true
    }

    /// 命令（令）格式 (L4): the mark 20 mm under the type area's top, the
    /// order number centred two lines under it, the body two lines under the
    /// number; no rule.
    fn order_header(&mut self, hd: &Json) {
        let lines = self.top_lines(hd);
        self.mark(hd, mm(20.0), lines, true);
        self.blank();
        self.blank();
        if let Some(number) = text(&hd["number"]) {
            self.par(flush().align(AlignmentType::Center).add_run(Run::new().add_text(number)));
            self.blank();
            self.blank();
        }
    }

    /// Under a letter's double line (L2): 份号, 密级, 紧急程度 flush left, the
    /// number flush right on the first of those lines; the title two lines
    /// under the last.
    fn letter_lines(&mut self, hd: &Json) {
        let left: Vec<(&str, Face)> =
            [("copy_number", Face::Body), ("secrecy", Face::Hei), ("urgency", Face::Hei)]
                .into_iter()
                .filter_map(|(k, f)| text(&hd[k]).map(|s| (s, f)))
                .collect();
        let number = text(&hd["number"]).unwrap_or_default();
        let tab = docx_rs::Tab::new().val(docx_rs::TabValueType::Right).pos(mm(156.0) as usize);
        let first = flush().add_tab(tab);
        let first = match left.first() {
            Some((s, f)) => first.add_run(run(*f, s)),
            None => first,
        };
        self.par(first.add_run(Run::new().add_tab().add_text(number)));
        for (s, f) in left.iter().skip(1) {
            self.par(flush().add_run(run(*f, s)));
        }
        self.blank();
    }

    /// A title in 二号 小标宋, centred, its lines as the content broke them.
    fn title(&mut self, lines: &[String]) {
        let mut p = Paragraph::new().style("PressroomTitle");
        for (i, l) in lines.iter().enumerate() {
            let mut r = run(Face::Mark, l).size(44);
            if i + 1 < lines.len() {
                r = r.add_break(BreakType::TextWrapping);
            }
            p = p.add_run(r);
        }
        self.par(p);
    }

    fn inlines(p: Paragraph, runs: &Json) -> Paragraph {
        let mut p = p;
        for r in runs.as_array().into_iter().flatten() {
            let s = r["text"].as_str().unwrap_or_default();
            p = p.add_run(if r["strong"].as_bool().unwrap_or(false) {
                run(Face::Hei, s)
            } else {
                Run::new().add_text(s)
            });
        }
        p
    }

    /// Rich text: paragraphs, headings of four levels (B5), list items.
    fn rich(&mut self, blocks: &Json) {
        for b in blocks.as_array().into_iter().flatten() {
            match b["kind"].as_str() {
                Some("par") => self.par(Self::inlines(Paragraph::new(), &b["inlines"])),
                Some("heading") => {
                    let level = b["level"].as_u64().unwrap_or(1);
                    let (style, face) = match level {
                        1 => (Some("PressroomHeading1"), Face::Hei),
                        2 => (Some("PressroomHeading2"), Face::Kai),
                        _ => (None, Face::Body),
                    };
                    let mut p = Paragraph::new();
                    if let Some(s) = style {
                        p = p.style(s);
                    }
                    p = p.add_run(run(face, b["number"].as_str().unwrap_or_default()));
                    for r in b["head"].as_array().into_iter().flatten() {
                        p = p.add_run(run(face, r["text"].as_str().unwrap_or_default()));
                    }
                    let p = Self::inlines(p, &b["body"]);
                    self.par(p.keep_next(b["body"].as_array().is_none_or(Vec::is_empty)));
                }
                Some("list") => {
                    for item in b["items"].as_array().into_iter().flatten() {
                        self.par(Self::inlines(Paragraph::new().add_run(Run::new().add_text("· ")), item));
                    }
                }
                _ => {}
            }
        }
    }

    /// 附件：name, or 附件：1.name with the names aligned (B6).
    fn attachment_list(&mut self, attachments: &[Json]) {
        self.blank();
        let names: Vec<String> = if attachments.len() == 1 {
            vec![strings(&attachments[0]["title"]).concat()]
        } else {
            attachments
                .iter()
                .map(|a| format!("{}.{}", a["number"].as_u64().unwrap_or(0), strings(&a["title"]).concat()))
                .collect()
        };
        // The names line up after 附件： (three characters, two in).
        let label = chars(3.0);
        for (i, n) in names.iter().enumerate() {
            let (special, prefix) = if i == 0 {
                (SpecialIndentType::Hanging(label), "附件：")
            } else {
                (SpecialIndentType::FirstLine(0), "")
            };
            self.par(
                Paragraph::new()
                    .indent(Some(chars(2.0) + label), Some(special), None, None)
                    .first_line_chars(0)
                    .add_run(Run::new().add_text(format!("{prefix}{n}"))),
            );
        }
    }

    /// 署名 and 成文日期: without seal the name two characters in from the
    /// right and the date two characters to the right of its start (B7);
    /// with a seal the date four characters in and the name centred over
    /// it (B8); a seal over each issuer's name, three a row (S2); or the
    /// signer's stamp (S1).
    fn signature(&mut self, sig: &Json) {
        let names = strings(&sig["issuers"]);
        let date = sig["date"].as_str().unwrap_or_default();
        let seals = strings(&sig["seals"]);
        if sig["stamp"].is_object() {
            return self.stamped(&sig["stamp"], date);
        }
        if !seals.is_empty() {
            return self.sealed_row(&names, &seals, date);
        }
        let seal = text(&sig["seal"]);
        // The blank line above the name holds the seal (B8): centred on the
        // date four characters in.
        let centre = mm(156.0) - chars(4.0) - chars(cells(date)) / 2;
        let blank = match seal {
            Some(path) => self.with_seal(flush(), path, centre),
            None => flush(),
        };
        self.par(blank);
        let widest = names.iter().map(|n| cells(n)).fold(0.0, f64::max);
        let (name_in, date_in) = if seal.is_some() {
            let date_in = 4.0;
            (date_in + ((cells(date) - widest) / 2.0).max(0.0), date_in)
        } else if cells(date) + 2.0 <= widest {
            (2.0, 2.0 + widest - 2.0 - cells(date))
        } else {
            (2.0 + cells(date) + 2.0 - widest, 2.0)
        };
        for n in &names {
            self.par(
                flush()
                    .align(AlignmentType::Right)
                    .indent(None, None, Some(chars(name_in)), None)
                    .add_run(Run::new().add_text(n)),
            );
        }
        self.date_line(date, date_in);
    }

    /// The date, right-aligned `chars_in` characters in: four under a seal
    /// or stamp (B8, S1, S2), per B7 without.
    fn date_line(&mut self, date: &str, chars_in: f64) {
        self.par(
            flush()
                .align(AlignmentType::Right)
                .indent(None, None, Some(chars(chars_in)), None)
                .add_run(Run::new().add_text(date)),
        );
    }

    /// `p` with a picture floating over the text, `left` twips from the type
    /// area's left edge and `down` twips under the paragraph's top: anchored
    /// to the paragraph, since LibreOffice drops a picture's negative offset.
    fn with_picture(p: Paragraph, pic: &Picture, left: i32, down: i32) -> Paragraph {
        let w = mm(pic.width_mm());
        let h = mm(pic.height_mm);
        let drawing = docx_rs::Pic::new_with_dimensions(pic.png.clone(), pic.width_px, pic.height_px)
            .size((w * EMU_PER_TWIP) as u32, (h * EMU_PER_TWIP) as u32)
            .floating()
            .overlapping()
            .relative_from_h(docx_rs::RelativeFromHType::Margin)
            .relative_from_v(docx_rs::RelativeFromVType::Paragraph)
            .offset_x(left * EMU_PER_TWIP)
            .offset_y(down * EMU_PER_TWIP);
        p.add_run(Run::new().add_image(drawing))
    }

    /// A blank line carrying the seal at `path`, centred at `centre` twips
    /// from the left, its top half a leading under the line's top: within a
    /// line of the name under it (B8).
    fn with_seal(&self, p: Paragraph, path: &str, centre: i32) -> Paragraph {
        match (self.pictures)(path, SEAL_MM) {
            Some(seal) => {
                let half_leading = (pitch() - 320) / 2;
                Self::with_picture(p, &seal, centre - mm(seal.width_mm()) / 2, half_leading)
            }
            None => p,
        }
    }

    /// S2 with seals: the names in rows of up to three, right-aligned,
    /// each centred in a third of the line with its seal over it; four
    /// blank lines between rows; the date four characters in under the
    /// last row.
    fn sealed_row(&mut self, names: &[String], seals: &[String], date: &str) {
        let col = mm(156.0) / 3;
        let pairs: Vec<(&String, &String)> = names.iter().zip(seals).collect();
        for (i, row) in pairs.chunks(3).enumerate() {
            if i > 0 {
                for _ in 0..3 {
                    self.blank();
                }
            }
            let centres: Vec<i32> =
                (0..row.len()).map(|j| mm(156.0) - (row.len() - j) as i32 * col + col / 2).collect();
            let mut above = flush();
            for ((_, seal), &c) in row.iter().zip(&centres) {
                above = self.with_seal(above, seal, c);
            }
            self.par(above);
            let mut line = flush();
            for (&c, (name, _)) in centres.iter().zip(row) {
                line = line
                    .add_tab(docx_rs::Tab::new().val(docx_rs::TabValueType::Center).pos(c as usize))
                    .add_run(Run::new().add_tab().add_text(name.as_str()));
            }
            self.par(line);
        }
        self.date_line(date, 4.0);
    }

    /// S1: the signer's stamp four characters from the right, two lines
    /// under the text, two lines high; the post two characters to its left,
    /// centred on it; the date a line under it, four characters in.
    fn stamped(&mut self, stamp: &Json, date: &str) {
        let post = stamp["post"].as_str().unwrap_or_default();
        let height_mm = (2.0 * f64::from(pitch()) - f64::from(pitch() - 320)) / TWIPS_PER_MM;
        let picture = stamp["image"].as_str().and_then(|path| (self.pictures)(path, height_mm));
        let width = picture.as_ref().map_or(0, |p| mm(p.width_mm()));
        self.blank();
        let mut above = flush();
        if let Some(p) = &picture {
            let half_leading = (pitch() - 320) / 2;
            above = Self::with_picture(above, p, mm(156.0) - chars(4.0) - width, pitch() + half_leading);
        }
        self.par(above);
        // The post on the middle of the stamp's two lines.
        let half = (pitch() / 2) as u32;
        self.par(
            flush()
                .align(AlignmentType::Right)
                .indent(None, None, Some(chars(4.0) + width + chars(2.0)), None)
                .line_spacing(on_grid().before(half).after(half))
                .add_run(Run::new().add_text(post)),
        );
        self.date_line(date, 4.0);
    }

    /// An attachment on its own page (A1, A2): 附件N in 黑体 on the first
    /// line, the title centred on the third, then its table or text.
    fn attachment(&mut self, a: &Json, count: usize) {
        let landscape = a["kind"].as_str() == Some("table") && a["landscape"].as_bool().unwrap_or(false);
        if landscape {
            // A wide table in a landscape section of its own (A3).
            let portrait = self.portrait.clone();
            self.end_section(portrait);
        } else {
            self.page_break();
        }
        let label = if count > 1 {
            format!("附件{}", a["number"].as_u64().unwrap_or(1))
        } else {
            "附件".to_owned()
        };
        self.par(flush().add_run(run(Face::Hei, &label)));
        self.blank();
        self.title(&strings(&a["title"]));
        self.blank();
        match a["kind"].as_str() {
            Some("table") => self.table(a),
            Some("text") => self.rich(&a["body"]),
            Some("leading_group") => {
                self.leading_group(a);
                self.rich(&a["note"]);
            }
            _ => {}
        }
        if landscape {
            let footers = match self.landscape_footers.clone() {
                Some(f) => f,
                None => {
                    let f =
                        (self.add_footer(landscape_footer(false)), self.add_footer(landscape_footer(true)));
                    self.landscape_footers = Some(f.clone());
                    f
                }
            };
            self.end_section(landscape_section(&footers));
        }
    }

    /// A table as a Word table: column widths from the content's
    /// proportions, written both as the grid (which WPS reads) and as cell
    /// widths; merged cells as spans.
    fn table(&mut self, a: &Json) {
        let columns = a["columns"].as_array().cloned().unwrap_or_default();
        let total: f64 = columns.iter().map(|c| c["width"].as_f64().unwrap_or(1.0)).sum::<f64>().max(1.0);
        // As wide as the type area: 225 mm on a landscape page.
        let width = if a["landscape"].as_bool().unwrap_or(false) { mm(225.0) } else { chars(28.0) };
        let widths: Vec<usize> = columns
            .iter()
            .map(|c| (c["width"].as_f64().unwrap_or(1.0) / total * width as f64) as usize)
            .collect();
        let mut rows = Vec::new();
        let mut pending: Vec<usize> = vec![0; widths.len()];
        for (head, row) in a["head"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| (true, r))
            .chain(a["rows"].as_array().into_iter().flatten().map(|r| (false, r)))
        {
            let mut cells_out = Vec::new();
            let mut col = 0;
            let mut cells_in = row.as_array().cloned().unwrap_or_default().into_iter();
            while col < widths.len() {
                if pending[col] > 0 {
                    pending[col] -= 1;
                    cells_out.push(
                        TableCell::new()
                            .vertical_merge(VMergeType::Continue)
                            .width(widths[col], WidthType::Dxa)
                            .add_paragraph(flush()),
                    );
                    col += 1;
                    continue;
                }
                let Some(c) = cells_in.next() else { break };
                let span = c["colspan"].as_u64().unwrap_or(1).max(1) as usize;
                let down = c["rowspan"].as_u64().unwrap_or(1).max(1) as usize;
                let w: usize = widths[col..(col + span).min(widths.len())].iter().sum();
                let s = c["text"].as_str().unwrap_or_default();
                let align = if head {
                    AlignmentType::Center
                } else if c["number"].as_bool().unwrap_or(false) {
                    AlignmentType::Right
                } else {
                    AlignmentType::Left
                };
                let face = if head { Face::Hei } else { Face::Body };
                let p = flush()
                    .align(align)
                    .snap_to_grid(false)
                    .line_spacing(LineSpacing::new().line(280 * 13 / 10).line_rule(LineSpacingType::AtLeast))
                    .add_run(run(face, s).size(24));
                let mut cell = TableCell::new().width(w, WidthType::Dxa).add_paragraph(p);
                if span > 1 {
                    cell = cell.grid_span(span);
                }
                if down > 1 {
                    cell = cell.vertical_merge(VMergeType::Restart);
                    for p in pending.iter_mut().skip(col).take(span) {
                        *p = down - 1;
                    }
                }
                cells_out.push(cell);
                col += span;
            }
            rows.push(TableRow::new(cells_out));
        }
        let table = Table::new(rows).set_grid(widths.clone()).width(widths.iter().sum(), WidthType::Dxa);
        self.body.push(Block::Table(Box::new(table)));
    }

    /// The leading group (附件 of the notice): role, name and post in three
    /// columns without rules.
    fn leading_group(&mut self, a: &Json) {
        let widths = vec![chars(4.0) as usize, chars(4.0) as usize, chars(20.0) as usize];
        let mut last_role = String::new();
        let mut rows = Vec::new();
        for r in a["rows"].as_array().into_iter().flatten() {
            let role = r["role"].as_str().unwrap_or_default();
            let label = if role == last_role { String::new() } else { format!("{role}：") };
            last_role = role.to_owned();
            let cell = |s: &str, w: usize| {
                TableCell::new()
                    .width(w, WidthType::Dxa)
                    .add_paragraph(flush().add_run(Run::new().add_text(s)))
            };
            rows.push(TableRow::new(vec![
                cell(&label, widths[0]),
                cell(r["name"].as_str().unwrap_or_default(), widths[1]),
                cell(r["post"].as_str().unwrap_or_default(), widths[2]),
            ]));
        }
        let table =
            Table::without_borders(rows).set_grid(widths.clone()).width(widths.iter().sum(), WidthType::Dxa);
        self.body.push(Block::Table(Box::new(table)));
    }

    /// 版记 (V2–V4): thick rules first and last, thin between; 抄送 and
    /// 印发机关/日期 in 四号, one character in.
    fn imprint(&mut self, im: &Json, own_page: bool) {
        let rule =
            |pos, size| ParagraphBorder::new(pos).val(BorderType::Single).size(size).space(1).color("000000");
        // (Not paragraph frames: LibreOffice 7.4 drops the borders of
        // framed paragraphs whose borders differ.)
        let framed = |p: Paragraph| p.style("PressroomImprint");
        let mut parts: Vec<Paragraph> = Vec::new();
        if let Some(cc) = text(&im["cc"]) {
            let hang = chars(0.0) + 280 * 3;
            parts.push(
                framed(Paragraph::new())
                    .indent(Some(280 + hang), Some(SpecialIndentType::Hanging(hang)), Some(280), None)
                    .add_run(run(Face::Body, "抄送：").size(28))
                    .add_run(run(Face::Body, cc).size(28)),
            );
        }
        let printer = im["printer"].as_str().unwrap_or_default();
        let date = im["date"].as_str().unwrap_or_default();
        if !printer.is_empty() || !date.is_empty() {
            parts.push(
                framed(Paragraph::new())
                    .add_tab(
                        docx_rs::Tab::new().val(docx_rs::TabValueType::Right).pos((mm(156.0) - 280) as usize),
                    )
                    .add_run(run(Face::Body, printer).size(28).add_tab())
                    .add_run(run(Face::Body, date).size(28)),
            );
        }
        // On a page of its own, space above puts it at the foot of the type
        // area (V1): its height is known, each line on the grid, 抄送 at 27
        // characters of 四号 a line; a little slack so that it never runs over.
        let rows = parts.len();
        if own_page && let Some(first) = parts.first_mut() {
            let cc_lines = text(&im["cc"]).map_or(0.0, |cc| (cells(cc) / 27.0).ceil());
            let lines = cc_lines + if rows > 1 { 1.0 } else { 0.0 };
            let height = lines * f64::from(pitch()) + 120.0;
            let space = (225.0 * TWIPS_PER_MM - height - 60.0).max(0.0) as u32;
            let taken = std::mem::take(first);
            *first = taken.line_spacing(on_grid().before(space));
        }
        let letter = self.format == Format::Letter;
        if letter {
            // A letter's 版记 is 抄送 alone, without rules (L3).
            parts.truncate(1);
        }
        let n = parts.len();
        let ruled: Vec<Paragraph> = parts
            .into_iter()
            .enumerate()
            .map(|(i, mut p)| {
                if letter {
                    return p;
                }
                let mut borders = ParagraphBorders::with_empty();
                borders = borders.set(rule(ParagraphBorderPosition::Top, if i == 0 { 8 } else { 6 }));
                if i + 1 == n {
                    borders = borders.set(rule(ParagraphBorderPosition::Bottom, 8));
                }
                p.property.borders = Some(borders);
                p
            })
            .collect();
        if ruled.is_empty() {
            return;
        }
        if own_page {
            for p in ruled {
                self.par(p);
            }
            return;
        }
        // Under the text of the last page: a one-cell table floating at the
        // foot of the type area (V1), so it stays there however Word or WPS
        // reflow the text above; on a page of its own if it no longer fits.
        // Anchored to the page's left edge at the margin: LibreOffice
        // floats a table as wide as the type area only when anchored so.
        let width = chars(28.0) as usize;
        let cell =
            ruled.into_iter().fold(TableCell::new().width(width, WidthType::Dxa), TableCell::add_paragraph);
        let table = Table::without_borders(vec![TableRow::new(vec![cell])])
            .set_grid(vec![width])
            .width(width, WidthType::Dxa)
            .layout(docx_rs::TableLayoutType::Fixed)
            .margins(docx_rs::TableCellMargins::new().margin(0, 0, 0, 0))
            .position(
                docx_rs::TablePositionProperty::new()
                    .left_from_text(0)
                    .right_from_text(0)
                    .horizontal_anchor("page")
                    .position_x(mm(28.0))
                    .vertical_anchor("margin")
                    .position_y_alignment("bottom"),
            );
        self.body.push(Block::Table(Box::new(table)));
        // A table needs a paragraph after it; one point high and off the
        // grid, so that it does not push the table to the next page.
        self.body.push(Block::Par(Box::new(tiny())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_gives_22_lines_and_the_tracking_28_characters() {
        let area = 225.0 * TWIPS_PER_MM;
        assert_eq!(pitch(), 579, "580 leaves room for 21 lines in LibreOffice");
        assert!(22.0 * f64::from(pitch()) <= area && 23.0 * f64::from(pitch()) > area);
        let advance = 16.0 + f64::from(tracking()) / 20.0;
        let width = 156.0 / 25.4 * 72.0;
        assert!(28.0 * advance <= width && 29.0 * advance > width, "{advance} pt a character");
    }

    #[test]
    fn the_package_fixes_keep_one_normal_style_and_the_settings_in_order() {
        let styles = r#"<w:styles><w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal" /><w:rPr /><w:pPr><w:rPr /></w:pPr><w:qFormat /></w:style><w:style w:type="paragraph" w:styleId="Normal"><w:pPr><w:jc w:val="both" /></w:pPr></w:style></w:styles>"#;
        let fixed = String::from_utf8(own_normal(styles.as_bytes())).expect("UTF-8");
        assert_eq!(fixed.matches(r#"w:styleId="Normal""#).count(), 1, "{fixed}");
        assert!(fixed.contains(r#"w:default="1" w:styleId="Normal">"#), "{fixed}");
        assert!(
            fixed.contains(r#"<w:pPr><w:autoSpaceDE w:val="0" /><w:autoSpaceDN w:val="0" /><w:jc"#),
            "{fixed}"
        );
        let settings =
            r#"<w:settings><w:defaultTabStop w:val="840" /><w:compat /><w:evenAndOddHeaders /></w:settings>"#;
        let fixed = String::from_utf8(even_and_odd_in_order(settings.as_bytes())).expect("UTF-8");
        assert_eq!(
            fixed,
            r#"<w:settings><w:defaultTabStop w:val="840" /><w:evenAndOddHeaders /><w:compat /></w:settings>"#
        );
    }
}
