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
    AlignmentType, BorderType, BreakType, DocGrid, DocGridType, Docx, FieldCharType, Footer, InstrPAGE,
    InstrText, LineSpacing, LineSpacingType, PageMargin, Paragraph, ParagraphBorder, ParagraphBorderPosition,
    ParagraphBorders, Run, RunFonts, Settings, SpecialIndentType, Style, StyleType, Table, TableCell,
    TableRow, VMergeType, WidthType,
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

/// The seal's diameter, as the template prints it (B8).
pub const SEAL_MM: f64 = 42.0;

/// A picture to place: PNG bytes, pixel size, printed size.
pub struct Picture {
    /// The PNG.
    pub png: Vec<u8>,
    /// Its width in pixels.
    pub width_px: u32,
    /// Its height in pixels.
    pub height_px: u32,
    /// Its printed width and height, in millimetres.
    pub size_mm: f64,
}

/// EMU (the drawing unit) per twip.
const EMU_PER_TWIP: i32 = 635;

/// The DOCX of an official document from its template data (`data` as the
/// PDF's typesetting left it). `date` fixes the package's dates.
pub fn export_docx(data: &Json, date: Date, seal: Option<&Picture>) -> Result<Vec<u8>, String> {
    // (Paragraph ids count from 1 in every file: docx-rs numbers them per
    // thread and starts again at each build.)
    let mut w = Writer { body: Vec::new(), new_page: false, letter: is_letter(data), seal };
    w.document(data);
    let mut docx = base(data, date);
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
    /// The seal, drawn for the signature.
    seal: Option<&'a Picture>,
    body: Vec<Block>,
    /// The next paragraph starts a page.
    new_page: bool,
    /// 信函格式: its header and 版记 differ (L1–L3).
    letter: bool,
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
    if is_letter(data) {
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

fn is_letter(data: &Json) -> bool {
    data["format"].as_str() == Some("letter")
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
        self.body.push(Block::Par(Box::new(p)));
    }

    fn blank(&mut self) {
        self.par(flush());
    }

    fn page_break(&mut self) {
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
                    self.page_break();
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
        if self.letter {
            self.letter_lines(hd);
            return;
        }
        let mut lines = 0;
        for (key, face) in [("copy_number", Face::Body), ("secrecy", Face::Hei), ("urgency", Face::Hei)] {
            if let Some(s) = text(&hd[key]) {
                self.par(flush().add_run(run(face, s)));
                lines += 1;
            }
        }
        let issuers = strings(&hd["issuers"]);
        if issuers.is_empty() {
            return;
        }
        let suffix = hd["mark_suffix"].as_str().unwrap_or_default();
        let longest = issuers.iter().map(|n| n.chars().count()).max().unwrap_or(1) + suffix.chars().count();
        // As large as balanced, never wider than the type area (H2).
        let size_pt = (if issuers.len() > 1 { 30.0 } else { 48.0_f64 })
            .min(0.92 * 156.0 / 25.4 * 72.0 / longest as f64);
        let half_points = (size_pt * 2.0).floor() as usize;
        let line = (size_pt * 20.0 * 1.2).round() as i32;
        // The mark's top 35 mm under the type area's top; the lines above
        // it already took their share.
        let before = (mm(35.0) - lines * pitch()).max(0) as u32;
        for (i, name) in issuers.iter().enumerate() {
            let text = if i + 1 == issuers.len() { format!("{name}{suffix}") } else { name.clone() };
            let spacing = LineSpacing::new()
                .line(line)
                .line_rule(LineSpacingType::Exact)
                .before(if i == 0 { before } else { 0 })
                .after(0);
            self.par(
                Paragraph::new()
                    .style("PressroomMark")
                    .snap_to_grid(false)
                    .line_spacing(spacing)
                    .add_run(run(Face::Mark, &text).size(half_points).color(RED)),
            );
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
        p.property.borders = Some(
            ParagraphBorders::with_empty().set(
                ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                    .val(BorderType::Single)
                    .size(17)
                    .space(11)
                    .color(RED),
            ),
        );
        self.par(p);
        // The title two lines under the rule (B1).
        self.blank();
        self.blank();
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
    /// it (B8).
    fn signature(&mut self, sig: &Json) {
        let names = strings(&sig["issuers"]);
        let date = sig["date"].as_str().unwrap_or_default();
        let sealed = !sig["seal"].is_null() || sig["seals"].as_array().is_some_and(|s| !s.is_empty());
        // The blank line above the name holds the seal (B8): centred on the
        // date four characters in, its top where the template puts it, half
        // a leading under that line's top (1 line + 16 pt + half a leading
        // above the date line's foot). Anchored to this paragraph, since
        // LibreOffice drops a picture's negative offset.
        let mut blank = flush();
        if let Some(seal) = self.seal.filter(|_| sealed) {
            let d = mm(seal.size_mm);
            let centre = mm(156.0) - chars(4.0) - chars(cells(date)) / 2;
            let half_leading = (pitch() - 320) / 2;
            let pic = docx_rs::Pic::new_with_dimensions(seal.png.clone(), seal.width_px, seal.height_px)
                .size((d * EMU_PER_TWIP) as u32, (d * EMU_PER_TWIP) as u32)
                .floating()
                .overlapping()
                .relative_from_h(docx_rs::RelativeFromHType::Margin)
                .relative_from_v(docx_rs::RelativeFromVType::Paragraph)
                .offset_x((centre - d / 2) * EMU_PER_TWIP)
                .offset_y((pitch() - 320 - half_leading) * EMU_PER_TWIP);
            blank = blank.add_run(Run::new().add_image(pic));
        }
        self.par(blank);
        let widest = names.iter().map(|n| cells(n)).fold(0.0, f64::max);
        let (name_in, date_in) = if sealed {
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
        self.par(
            flush()
                .align(AlignmentType::Right)
                .indent(None, None, Some(chars(date_in)), None)
                .add_run(Run::new().add_text(date)),
        );
    }

    /// An attachment on its own page (A1, A2): 附件N in 黑体 on the first
    /// line, the title centred on the third, then its table or text.
    fn attachment(&mut self, a: &Json, count: usize) {
        self.page_break();
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
    }

    /// A table as a Word table: column widths from the content's
    /// proportions, written both as the grid (which WPS reads) and as cell
    /// widths; merged cells as spans.
    fn table(&mut self, a: &Json) {
        let columns = a["columns"].as_array().cloned().unwrap_or_default();
        let total: f64 = columns.iter().map(|c| c["width"].as_f64().unwrap_or(1.0)).sum::<f64>().max(1.0);
        // As wide as the type area (a landscape table too, for now: no
        // landscape sections yet).
        let width = chars(28.0);
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
        // (Not in a frame at the page's foot: LibreOffice 7.4 honours neither
        // a frame nor a floating table anchored to the bottom margin.)
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
        if self.letter {
            // A letter's 版记 is 抄送 alone, without rules (L3).
            parts.truncate(1);
            for p in parts {
                self.par(p);
            }
            return;
        }
        let n = parts.len();
        for (i, mut p) in parts.into_iter().enumerate() {
            let mut borders = ParagraphBorders::with_empty();
            borders = borders.set(rule(ParagraphBorderPosition::Top, if i == 0 { 8 } else { 6 }));
            if i + 1 == n {
                borders = borders.set(rule(ParagraphBorderPosition::Bottom, 8));
            }
            p.property.borders = Some(borders);
            self.par(p);
        }
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
