//! Annex tables as spreadsheets: XLSX (header row, column widths, wrapped
//! text; opens in WPS and Excel) and CSV (UTF-8 with a byte-order mark and
//! CRLF line ends, which is what WPS and Excel need to read Chinese).

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::content::date::Date;

use crate::targets::annex::Table;

/// The table as an XLSX workbook with one sheet, dated `date` (not the
/// clock), so the same input gives the same bytes.
pub fn xlsx(table: &Table, date: Date) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(u16::try_from(date.year).unwrap_or(2000), date.month, date.day)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name(&table.title))?;
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_background_color("#F2D7D5")
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::Top).set_text_wrap();
    sheet.write_string_with_format(0, 0, &table.title, &title)?;
    for (c, column) in table.columns.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        // Excel's width unit is about one Latin character; a Chinese one takes two.
        sheet.set_column_width(c, (column.width * 2.2).clamp(6.0, 80.0))?;
        sheet.write_string_with_format(1, c, &column.header, &head)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = u32::try_from(r + 2).unwrap_or(u32::MAX);
        for (c, text) in row.iter().enumerate() {
            sheet.write_string_with_format(r, u16::try_from(c).unwrap_or(u16::MAX), text, &cell)?;
        }
    }
    if let Some(note) = &table.note {
        let r = u32::try_from(table.rows.len() + 3).unwrap_or(u32::MAX);
        sheet.write_string(r, 0, note)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    if table.landscape {
        sheet.set_landscape();
    }
    sheet.set_paper_size(9); // A4
    book.save_to_buffer()
}

/// Sheet names are at most 31 characters and exclude `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect()
}

/// The table as CSV: BOM, header row, one row per table row, CRLF.
pub fn csv(table: &Table) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let mut line = |cells: Vec<&str>| {
        let quoted: Vec<String> = cells.into_iter().map(field).collect();
        out.push_str(&quoted.join(","));
        out.push_str("\r\n");
    };
    line(table.columns.iter().map(|c| c.header.as_str()).collect());
    for row in &table.rows {
        line(row.iter().map(String::as_str).collect());
    }
    out.into_bytes()
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::annex::Column;

    fn sample() -> Table {
        Table {
            id: "sample".into(),
            title: "测试表".into(),
            columns: vec![
                Column { header: "序号".into(), width: 3.0 },
                Column { header: "内容".into(), width: 10.0 },
            ],
            rows: vec![vec!["1".into(), "含,逗号与\"引号\"".into()], vec!["2".into(), "两行\n文字".into()]],
            note: None,
            landscape: false,
        }
    }

    #[test]
    fn csv_has_a_bom_crlf_and_quotes_where_needed() {
        let text = String::from_utf8(csv(&sample())).expect("utf-8");
        assert!(text.starts_with('\u{feff}'));
        assert_eq!(text.lines().next(), Some("\u{feff}序号,内容"));
        assert!(text.contains("1,\"含,逗号与\"\"引号\"\"\"\r\n"));
        assert!(text.contains("2,\"两行\n文字\"\r\n"));
    }

    #[test]
    fn xlsx_cells_read_back() {
        use calamine::{Reader, Xlsx};
        let date = Date::new(2023, 11, 25).expect("date");
        let bytes = xlsx(&sample(), date).expect("xlsx");
        assert_eq!(bytes, xlsx(&sample(), date).expect("xlsx"), "same input, same bytes");
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("open");
        let range = book.worksheet_range("测试表").expect("sheet");
        assert_eq!(range.get_value((1, 0)).map(|v| v.to_string()), Some("序号".into()));
        assert_eq!(range.get_value((2, 1)).map(|v| v.to_string()), Some("含,逗号与\"引号\"".into()));
    }
}
