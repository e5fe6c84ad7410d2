//! Attachments (附件) of an official document, as template data: the
//! ready-made campaign tables, and the office's own — rich text, a table
//! written in YAML or read from a CSV/XLSX file it already has, or a PDF
//! placed as pages. Every table is also kept as an [`annex::Table`], so that
//! it goes out as XLSX and CSV beside the document.

use std::path::Path;

use serde::Serialize;
use serde_json::{Value as Json, json};

use crate::content::assets;
use crate::content::model::{Attachment, AttachmentTable};
use crate::content::{CAMPAIGN_FILE, Content, Text};
use crate::diag::Diagnostic;
use crate::msg;
use crate::render::Renderer;
use crate::render::title::{TITLE_CELLS, break_title, cells};
use crate::targets::annex::{self, Column, Table};

/// A table wider than this many characters of 小四 text (at the widths the
/// columns ask for, cell padding included) is set landscape unless the
/// content says otherwise: 156 mm holds about 36.8 characters at 12 pt.
const PORTRAIT_CHARS: f64 = 36.8;

/// A cell's padding (4 pt each side), in characters of 小四.
const CELL_PADDING: f64 = 0.7;

/// One cell of a table, with its span where the source merged cells.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Cell {
    /// The text, literally.
    pub text: String,
    /// Columns the cell spans (1 unless merged).
    pub colspan: usize,
    /// Rows the cell spans (1 unless merged).
    pub rowspan: usize,
    /// A number: right-aligned.
    pub number: bool,
}

impl Cell {
    fn plain(text: String) -> Self {
        let number = is_number(&text);
        Cell { text, colspan: 1, rowspan: 1, number }
    }
}

/// Whether a cell holds a figure (right-aligned in its column): digits with
/// an optional sign, separators, decimal point, percent or unit-free ‰.
pub fn is_number(text: &str) -> bool {
    let t = text.trim();
    let t = t.strip_prefix(['-', '+', '−']).unwrap_or(t);
    let t = t.strip_suffix(['%', '％', '‰']).unwrap_or(t);
    !t.is_empty()
        && t.starts_with(|c: char| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && t.matches('.').count() <= 1
}

/// A table as read from content or a file: header rows and body rows of
/// cells, spans kept; cells covered by a span are left out, as typst's
/// table expects.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grid {
    /// Relative column widths.
    pub widths: Vec<f64>,
    /// Header rows (repeated on every page).
    pub head: Vec<Vec<Cell>>,
    /// Body rows.
    pub body: Vec<Vec<Cell>>,
    /// A title the file carries above its header, in cells merged across
    /// the whole width.
    pub title: Option<String>,
}

/// Everything an attachment gives the document.
pub struct Prepared {
    /// The template's data for the attachment.
    pub data: Json,
    /// Its table, for the XLSX and CSV copies.
    pub table: Option<Table>,
    /// Its title as one line, for the 附件说明.
    pub title: String,
}

/// The template data of attachment `number` (1-based) of the document in
/// `file`. `doc_number` is the document's 发文字号, printed on an attachment
/// that cannot be bound with the text (S3).
pub fn prepare(
    content: &Content,
    r: &mut Renderer<'_>,
    file: &str,
    number: usize,
    a: &Attachment,
    doc_number: Option<&str>,
) -> Prepared {
    let separate = a.separate.then(|| doc_number.unwrap_or_default().to_owned());
    let own_title = a.title.as_ref().map(|t| r.text(file, t, &[]));
    if let Some(which) = a.table.as_ref().map(|t| t.value) {
        return ready_made(content, r, number, which, own_title, a.landscape, separate);
    }
    if let Some(text) = &a.text {
        let title = own_title.unwrap_or_default();
        let data = json!({
            "number": number,
            "kind": "text",
            "title": break_title(&title, TITLE_CELLS),
            "body": r.rich(file, text, &[]),
            "landscape": a.landscape.unwrap_or(false),
            "separate": separate,
        });
        return Prepared { data, table: None, title };
    }
    let file_ref = a.file.as_ref();
    let pdf = file_ref.is_some_and(|f| f.value.to_ascii_lowercase().ends_with(".pdf"));
    if let (true, Some(f)) = (pdf, file_ref) {
        let title = own_title.unwrap_or_default();
        let pages = match pdf_pages(&content.root, f) {
            Ok(n) => n,
            Err(d) => {
                r.diags.push(d.at(r.locate(file, f)));
                1
            }
        };
        let data = json!({
            "number": number,
            "kind": "pdf",
            "title": break_title(&title, TITLE_CELLS),
            "path": format!("/{}/{}", assets::BASE, f.value.trim_start_matches("./")),
            "pages": pages,
            "landscape": a.landscape.unwrap_or(false),
            "separate": separate,
        });
        return Prepared { data, table: None, title };
    }
    let grid = match file_ref {
        Some(f) => match read_table(&content.root, f, a.sheet.as_ref().map(|s| s.value.as_str())) {
            Ok(g) => g,
            Err(d) => {
                r.diags.push(d.at(r.locate(file, f)));
                Grid::default()
            }
        },
        None => yaml_grid(r, file, a),
    };
    let title = own_title.or_else(|| grid.title.clone()).unwrap_or_default();
    if let Some(f) = file_ref.filter(|_| cells(&title) == 0.0) {
        // Validation asks for a title unless the file carries one.
        r.diags.push(
            Diagnostic::error(
                "content/attachment-title",
                msg!(
                    "附件缺少标题（title），表格文件中也没有",
                    "the attachment has no title, and its file has none"
                ),
            )
            .at(r.locate(file, f)),
        );
    }
    table_attachment(number, title, grid, a.landscape, separate, format!("attachment-{number}"))
}

/// A ready-made table from the campaign data (the leading group keeps the
/// seed's list layout).
fn ready_made(
    content: &Content,
    r: &mut Renderer<'_>,
    number: usize,
    which: AttachmentTable,
    own_title: Option<String>,
    landscape: Option<bool>,
    separate: Option<String>,
) -> Prepared {
    let mut table = annex::table(content, r, which);
    if let Some(t) = own_title {
        table.title = t;
    }
    if which == AttachmentTable::LeadingGroup {
        let rows: Vec<Json> =
            table.rows.iter().map(|row| json!({ "role": row[0], "name": row[1], "post": row[2] })).collect();
        let note = match &content.campaign.leading_group {
            Some(g) => r.rich(CAMPAIGN_FILE, &g.note, &[]),
            None => Vec::new(),
        };
        let data = json!({
            "number": number,
            "kind": "leading_group",
            "title": break_title(&table.title, TITLE_CELLS),
            "columns": table.columns,
            "rows": rows,
            "note": note,
            "landscape": false,
            "separate": separate,
        });
        let title = table.title.clone();
        return Prepared { data, table: Some(table), title };
    }
    let grid = Grid {
        widths: table.columns.iter().map(|c| c.width).collect(),
        head: vec![table.columns.iter().map(|c| Cell::plain(c.header.clone())).collect()],
        body: table.rows.iter().map(|row| row.iter().cloned().map(Cell::plain).collect()).collect(),
        title: None,
    };
    let landscape = landscape.or(Some(table.landscape));
    let id = table.id.clone();
    table_attachment(number, table.title, grid, landscape, separate, id)
}

/// A ruled table: the template's data, and the flat table for XLSX/CSV.
fn table_attachment(
    number: usize,
    title: String,
    grid: Grid,
    landscape: Option<bool>,
    separate: Option<String>,
    id: String,
) -> Prepared {
    let wide = grid.widths.iter().sum::<f64>() > PORTRAIT_CHARS;
    let landscape = landscape.unwrap_or(wide);
    let table = flat(&grid, &title, id, landscape);
    let data = json!({
        "number": number,
        "kind": "table",
        "title": break_title(&title, TITLE_CELLS),
        "columns": table.columns,
        "head": grid.head,
        "rows": grid.body,
        "landscape": landscape,
        "separate": separate,
    });
    Prepared { data, table: Some(table), title }
}

/// The grid as a plain table: the last header row names the columns (a
/// merged group heading above it is joined in), a merged cell's text stands
/// in its first cell.
fn flat(grid: &Grid, title: &str, id: String, landscape: bool) -> Table {
    let n = grid.widths.len();
    let head = expand(&grid.head, n, true);
    let columns = (0..n)
        .map(|c| {
            let mut parts: Vec<&str> = Vec::new();
            for row in &head {
                let t = row[c].as_str();
                if !t.is_empty() && parts.last() != Some(&t) {
                    parts.push(t);
                }
            }
            Column { header: parts.join("·"), width: grid.widths[c] }
        })
        .collect();
    Table { id, title: title.to_owned(), columns, rows: expand(&grid.body, n, false), note: None, landscape }
}

/// Rows of spanned cells back to a full rectangle: text in the first cell
/// of a span and the rest empty, or (`fill`, for headings: 得分 over
/// 基础分 and 加分 heads both) in every cell of it.
fn expand(rows: &[Vec<Cell>], n: usize, fill: bool) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<Option<String>>> = vec![vec![None; n]; rows.len()];
    for (i, row) in rows.iter().enumerate() {
        let mut c = 0;
        for cell in row {
            while c < n && out[i][c].is_some() {
                c += 1;
            }
            if c >= n {
                break;
            }
            for di in 0..cell.rowspan {
                for dc in 0..cell.colspan {
                    if let Some(slot) = out.get_mut(i + di).and_then(|r| r.get_mut(c + dc)) {
                        *slot = Some(if fill { cell.text.clone() } else { String::new() });
                    }
                }
            }
            out[i][c] = Some(cell.text.clone());
            c += cell.colspan;
        }
    }
    out.into_iter().map(|r| r.into_iter().map(Option::unwrap_or_default).collect()).collect()
}

/// A table written in YAML: `columns` with headers (and widths), `rows`.
fn yaml_grid(r: &mut Renderer<'_>, file: &str, a: &Attachment) -> Grid {
    let head: Vec<Cell> = a.columns.iter().map(|c| Cell::plain(r.text(file, &c.header, &[]))).collect();
    let body: Vec<Vec<Cell>> = a
        .rows
        .iter()
        .map(|row| row.iter().map(|t: &Text| Cell::plain(r.text(file, t, &[]))).collect())
        .collect();
    let texts = |rows: &[Vec<Cell>]| -> Vec<Vec<String>> {
        rows.iter().map(|row| row.iter().map(|c| c.text.clone()).collect()).collect()
    };
    let measured = widths(&texts(std::slice::from_ref(&head)), &texts(&body), a.columns.len());
    let widths = a.columns.iter().zip(measured).map(|(c, m)| c.width.unwrap_or(m)).collect();
    Grid { widths, head: vec![head], body, title: None }
}

/// Column widths from the content: the longest body cell (in characters),
/// or half the header's (a header may take two lines: 宣传发动 / （30分）),
/// kept between 2 and 16 so that one long text wraps instead of starving
/// the other columns.
fn widths(head: &[Vec<String>], body: &[Vec<String>], n: usize) -> Vec<f64> {
    let longest = |rows: &[Vec<String>], c: usize| {
        rows.iter().filter_map(|r| r.get(c)).map(|t| cells(t)).fold(0.0, f64::max)
    };
    (0..n)
        .map(|c| longest(body, c).max((longest(head, c) / 2.0).ceil()).clamp(2.0, 16.0) + CELL_PADDING)
        .collect()
}

/// Reads a CSV or XLSX table from the project.
fn read_table(root: &Path, f: &Text, sheet: Option<&str>) -> Result<Grid, Diagnostic> {
    let path =
        assets::project_file(root, &f.value).map_err(|m| Diagnostic::error("content/attachment-file", m))?;
    let cannot = |e: String| {
        Diagnostic::error(
            "content/attachment-file",
            msg!("无法读取表格文件“{}”：{}", "cannot read the table file “{}”: {}", f.value, e),
        )
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    let (rows, merges) = if ext == "csv" {
        let bytes = std::fs::read(&path).map_err(|e| cannot(e.to_string()))?;
        (csv_rows(&bytes).map_err(cannot)?, Vec::new())
    } else {
        xlsx_rows(&path, sheet).map_err(cannot)?
    };
    grid_from(rows, &merges).ok_or_else(|| {
        Diagnostic::error(
            "content/attachment-file",
            msg!("表格文件“{}”是空的", "the table file “{}” is empty", f.value),
        )
    })
}

/// CSV rows; UTF-8 (with or without BOM) or, as Excel writes it on a
/// Chinese Windows, GB 18030.
fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_owned(),
        Err(_) => {
            let (t, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return Err("neither UTF-8 nor GB 18030 text".into());
            }
            t.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        rows.push(record.iter().map(|c| c.trim().to_owned()).collect());
    }
    Ok(rows)
}

/// A merged region: first row, first column, last row, last column (of
/// the rows returned, 0-based, inclusive).
type Merge = (usize, usize, usize, usize);

/// The sheet's cells from its first used cell, and its merged regions in
/// the same coordinates.
fn xlsx_rows(path: &Path, sheet: Option<&str>) -> Result<(Vec<Vec<String>>, Vec<Merge>), String> {
    use calamine::{Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(path).map_err(|e: calamine::XlsxError| e.to_string())?;
    let name = match sheet {
        Some(s) => s.to_owned(),
        None => book.sheet_names().first().cloned().ok_or("no sheet")?,
    };
    let range = book.worksheet_range(&name).map_err(|e| e.to_string())?;
    let (r0, c0) = range.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
    let rows: Vec<Vec<String>> =
        range.rows().map(|row| row.iter().map(|d| d.to_string().trim().to_owned()).collect()).collect();
    let merges = book
        .merge_cells_by_sheet_name(&name)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter_map(|d| {
            let (sr, sc) = (d.start.0 as usize, d.start.1 as usize);
            let (er, ec) = (d.end.0 as usize, d.end.1 as usize);
            (sr >= r0 && sc >= c0).then(|| (sr - r0, sc - c0, er - r0, ec - c0))
        })
        .collect();
    Ok((rows, merges))
}

/// Builds the grid: leading rows merged across the whole width are the
/// title; then the header (the first row, and the rows a merge starting
/// in it reaches down to); then the body. Empty trailing rows and columns
/// go.
fn grid_from(mut rows: Vec<Vec<String>>, merges: &[Merge]) -> Option<Grid> {
    while rows.last().is_some_and(|r| r.iter().all(String::is_empty)) {
        rows.pop();
    }
    let n = rows.iter().map(|r| r.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1)).max()?;
    if n == 0 {
        return None;
    }
    for r in &mut rows {
        r.resize(n, String::new());
    }
    // A title row: merged across the width, or (a CSV cannot merge) text
    // in its first cell only, above a row of several.
    let full_width = |i: usize| merges.iter().any(|m| m.0 == i && m.1 == 0 && m.3 + 1 >= n);
    let alone = |i: usize| {
        let filled = |r: &Vec<String>| r.iter().filter(|c| !c.is_empty()).count();
        n > 1
            && !rows[i][0].is_empty()
            && filled(&rows[i]) == 1
            && rows.get(i + 1).is_some_and(|r| filled(r) > 1)
    };
    let mut first = 0;
    let mut title_parts = Vec::new();
    while first + 1 < rows.len() && (full_width(first) || alone(first)) {
        if !rows[first][0].is_empty() {
            title_parts.push(rows[first][0].clone());
        }
        first += 1;
    }
    let head_end = merges
        .iter()
        .filter(|m| m.0 == first)
        .map(|m| m.2 + 1)
        .max()
        .unwrap_or(first + 1)
        .max(first + 1)
        .min(rows.len());
    let covered = |i: usize, c: usize| {
        merges.iter().any(|m| (m.0..=m.2).contains(&i) && (m.1..=m.3).contains(&c) && (m.0, m.1) != (i, c))
    };
    let make = |i: usize| -> Vec<Cell> {
        (0..n)
            .filter(|&c| !covered(i, c))
            .map(|c| {
                let mut cell = Cell::plain(rows[i][c].clone());
                if let Some(m) = merges.iter().find(|m| (m.0, m.1) == (i, c)) {
                    cell.rowspan = (m.2.min(rows.len() - 1) - m.0) + 1;
                    cell.colspan = (m.3.min(n - 1) - m.1) + 1;
                }
                cell
            })
            .collect()
    };
    let head: Vec<Vec<Cell>> = (first..head_end).map(make).collect();
    let body: Vec<Vec<Cell>> = (head_end..rows.len()).map(make).collect();
    Some(Grid {
        widths: widths(&rows[first..head_end], &rows[head_end..], n),
        head,
        body,
        title: (!title_parts.is_empty()).then(|| title_parts.join("")),
    })
}

/// The number of pages of a PDF in the project.
fn pdf_pages(root: &Path, f: &Text) -> Result<usize, Diagnostic> {
    let path =
        assets::project_file(root, &f.value).map_err(|m| Diagnostic::error("content/attachment-file", m))?;
    let bytes = std::fs::read(&path).map_err(|e| {
        Diagnostic::error(
            "content/attachment-file",
            msg!("无法读取 PDF 文件“{}”：{}", "cannot read the PDF “{}”: {}", f.value, e),
        )
    })?;
    let pdf = hayro_syntax::Pdf::new(bytes).map_err(|_| {
        Diagnostic::error(
            "content/attachment-file",
            msg!("“{}”不是可读的 PDF 文件", "“{}” is not a readable PDF", f.value),
        )
        .hint(msg!(
            "加密或损坏的 PDF 不能作为附件；请另存为普通 PDF。",
            "an encrypted or damaged PDF cannot be placed; save it again as a plain PDF."
        ))
    })?;
    Ok(pdf.pages().len().max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| (*c).to_owned()).collect()).collect()
    }

    #[test]
    fn figures_are_numbers_words_are_not() {
        for t in ["12", "85.5", "-3", "12%", "1,200", "0.5"] {
            assert!(is_number(t), "{t}");
        }
        for t in ["", "第1名", "2023年", "1.2.3", "A1", "—"] {
            assert!(!is_number(t), "{t}");
        }
    }

    #[test]
    fn a_title_merged_across_the_width_is_the_title() {
        let rows = s(&[&["2023年督查得分表", "", ""], &["单位", "得分", "名次"], &["湖滨", "95", "1"]]);
        let g = grid_from(rows, &[(0, 0, 0, 2)]).expect("grid");
        assert_eq!(g.title.as_deref(), Some("2023年督查得分表"));
        assert_eq!(g.head.len(), 1);
        assert_eq!(g.head[0].len(), 3);
        assert_eq!(g.body.len(), 1);
        assert!(g.body[0][1].number && !g.body[0][0].number);
    }

    #[test]
    fn a_two_row_header_keeps_its_merges() {
        // 单位 spans two rows; 得分 spans two columns over 基础分 / 加分.
        let rows = s(&[&["单位", "得分", ""], &["", "基础分", "加分"], &["湖滨", "90", "5"]]);
        let g = grid_from(rows, &[(0, 0, 1, 0), (0, 1, 0, 2)]).expect("grid");
        assert_eq!(g.head.len(), 2);
        assert_eq!(g.head[0].len(), 2);
        assert_eq!((g.head[0][0].rowspan, g.head[0][1].colspan), (2, 2));
        assert_eq!(g.head[1].len(), 2, "the cell under 单位 is covered");
        let t = flat(&g, "t", "x".into(), false);
        let headers: Vec<&str> = t.columns.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(headers, ["单位", "得分·基础分", "得分·加分"]);
        assert_eq!(t.rows, s(&[&["湖滨", "90", "5"]]));
    }

    #[test]
    fn csv_in_gb18030_is_read() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("单位,得分\n湖滨,95\n");
        let rows = csv_rows(&bytes).expect("rows");
        assert_eq!(rows, s(&[&["单位", "得分"], &["湖滨", "95"]]));
    }
}
