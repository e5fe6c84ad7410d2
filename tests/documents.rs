//! Official documents besides the notice (`content/documents/*.yaml`), read
//! back from the PDFs pressroom writes: the example campaign's four sample
//! documents (函, 纪要, 通报, 请示) and fixtures for what they do not show
//! (命令 with a signature stamp, an attachment not bound with the text, a
//! scanned PDF as attachment pages, an XLSX table with merged cells that
//! runs over several pages).
//!
//! Positions are in points from the top-left corner of the page, as
//! `mutool trace` reports them; rules are those of `../shared/spec/gbt9704.md`.

mod support;

use std::sync::OnceLock;

use support::cli::{self, Built};
use support::example;
use support::pdf::{Color, Glyph, MM, Page, Pdf, TextLine, read_pdf};

const LEFT: f64 = 28.0 * MM;
const RIGHT: f64 = LEFT + 156.0 * MM;
const TOP: f64 = 37.0 * MM;
const PAGE_HEIGHT: f64 = 297.0 * MM;
const PITCH: f64 = 225.0 * MM / 22.0;
const CHAR: f64 = 156.0 * MM / 28.0;
const BODY: f64 = 16.0;
/// A glyph's em box reaches 0.88 em above its baseline (the template's
/// top edge).
const ASCENT: f64 = 0.88;
/// Positions the standard gives in millimetres, within a millimetre.
const MM_TOL: f64 = 1.0 * MM;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

fn mm(v: f64) -> String {
    format!("{:.1} mm", v / MM)
}

fn is_red(c: Color) -> bool {
    c.r > 0.9 && c.g < 0.1 && c.b < 0.1
}

fn top_of(line: &TextLine) -> f64 {
    line.baseline - ASCENT * line.size()
}

/// The page's text lines, without the pale 示例/草稿 mark behind the text.
fn lines(page: &Page) -> Vec<TextLine> {
    let mut text_only = page.clone();
    text_only.glyphs.retain(|g: &Glyph| g.size < 60.0);
    text_only.lines()
}

fn page_text(page: &Page) -> String {
    lines(page)
        .iter()
        .map(|l| format!("  {:>6} {:>6}..{:<6} {:?}", mm(l.baseline), mm(l.x0), mm(l.x1), l.text))
        .collect::<Vec<_>>()
        .join("\n")
}

fn line_with(page: &Page, needle: &str) -> TextLine {
    lines(page)
        .into_iter()
        .find(|l| l.text.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} on page {}:\n{}", page.number, page_text(page)))
}

/// The example campaign's documents, built once.
fn example_documents() -> &'static (Built, Vec<(String, Pdf)>) {
    static BUILT: OnceLock<(Built, Vec<(String, Pdf)>)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let built = cli::build(&cli::repo(), &["documents"]);
        built.assert_success();
        let pdfs = ["voice-push-letter", "liaison-minutes", "inspection-bulletin", "city-request"]
            .iter()
            .map(|n| (n.to_string(), read_pdf(&built.file(&format!("documents/{n}.pdf")))))
            .collect();
        (built, pdfs)
    })
}

fn example(name: &str) -> &'static Pdf {
    &example_documents().1.iter().find(|(n, _)| n == name).expect("an example document").1
}

#[test]
fn every_example_document_is_its_own_pdf_marked_as_a_sample() {
    let (built, pdfs) = example_documents();
    for (name, pdf) in pdfs {
        for page in &pdf.pages {
            let mark: String =
                page.glyphs.iter().filter(|g| g.size >= 60.0).map(|g| g.text.as_str()).collect();
            assert_eq!(mark, "示例", "{name}: page {} must carry the sample mark 示例", page.number);
        }
    }
    // The attachment tables are also sheets, as the annex tables are.
    let csv = std::fs::read_to_string(built.file("documents/inspection-bulletin-附件1.csv"))
        .expect("the score table as CSV");
    assert!(csv.contains("湖滨社区中心,28,27,36,91,好"), "the CSV holds the file's rows:\n{csv}");
    assert!(built.file("documents/inspection-bulletin-附件1.xlsx").is_file(), "and as XLSX");
    assert!(built.file("documents/city-request-附件1.xlsx").is_file(), "a YAML table too");
}

#[test]
fn a_letter_has_its_mark_30_mm_down_double_lines_and_no_first_page_number() {
    let pdf = example("voice-push-letter");
    let p1 = pdf.page(1);
    let mark = line_with(p1, "蚌山区人民政府办公室");
    assert!(mark.glyphs.iter().all(|g| is_red(g.color)), "L1: the mark is red");
    assert!(
        close(top_of(&mark), 30.0 * MM, MM_TOL),
        "L1: the mark's top 30 mm below the paper's top, is {}",
        mm(top_of(&mark))
    );
    let red: Vec<_> = p1.strokes.iter().filter(|s| is_red(s.color) && (s.x1 - s.x0) > 160.0 * MM).collect();
    for s in &red {
        assert!(close(s.x1 - s.x0, 170.0 * MM, MM_TOL), "L1: double lines are 170 mm long: {s:?}");
        // Centred on the type area (the header's own frame), which lies 1 mm
        // right of the paper's centre (margins 28 and 26 mm).
        assert!(close((s.x0 + s.x1) / 2.0, LEFT + 78.0 * MM, MM_TOL), "L1: and centred: {s:?}");
    }
    let mark_bottom = mark.baseline + 0.12 * mark.size();
    let upper: Vec<_> = red.iter().filter(|s| s.y0 < 60.0 * MM).collect();
    let lower: Vec<_> = red.iter().filter(|s| s.y0 > 250.0 * MM).collect();
    assert_eq!(
        (upper.len(), lower.len()),
        (2, 2),
        "L1: a double line under the mark and one at the foot: {red:?}"
    );
    assert!(
        close(upper[0].y0.min(upper[1].y0) - mark_bottom, 4.0 * MM, MM_TOL),
        "L1: 4 mm under the mark: {upper:?}"
    );
    let thick_first = |pair: &[&&support::pdf::Stroke]| {
        let (a, b) = if pair[0].y0 < pair[1].y0 { (pair[0], pair[1]) } else { (pair[1], pair[0]) };
        a.width > b.width
    };
    assert!(thick_first(&upper), "L1: thick above thin under the mark: {upper:?}");
    assert!(!thick_first(&lower), "L1: thin above thick at the foot: {lower:?}");
    let foot = lower.iter().map(|s| s.y1 + s.width / 2.0).fold(0.0, f64::max);
    assert!(
        close(foot, PAGE_HEIGHT - 20.0 * MM, MM_TOL),
        "L1: the foot line 20 mm above the paper's bottom, ends at {}",
        mm(foot)
    );
    assert!(
        !pdf.pages[1..].iter().any(|p| p.strokes.iter().any(|s| is_red(s.color) && s.x1 - s.x0 > 160.0 * MM)),
        "L1: the double lines are on the first page only"
    );
    // L2: the number flush right, 7/8 of a character under the line.
    let number = line_with(p1, "蚌山政办函");
    let line_bottom = upper.iter().map(|s| s.y1 + s.width / 2.0).fold(0.0, f64::max);
    assert!(
        close(number.x1, RIGHT, 1.0),
        "L2: the number ends at the type area's right edge, at {}",
        mm(number.x1)
    );
    assert!(
        close(top_of(&number) - line_bottom, 7.0 / 8.0 * BODY, MM_TOL),
        "L2: the number's top 7/8 of a character under the line, is {}",
        mm(top_of(&number) - line_bottom)
    );
    // L2: the first page's last line of text 7/8 of a character above the
    // foot's double line (the page holds one line more than the grid).
    let foot_top = lower.iter().map(|s| s.y0 - s.width / 2.0).fold(f64::INFINITY, f64::min);
    let last_line = lines(p1).into_iter().last().expect("text on the first page");
    let last_bottom = last_line.baseline + 0.12 * last_line.size();
    assert!(
        close(foot_top - last_bottom, 7.0 / 8.0 * BODY, 0.5 * MM),
        "L2: the last line {:?} stands 7/8 of a character above the foot's double line, is {}",
        last_line.text,
        mm(foot_top - last_bottom)
    );
    // L3: no number on the first page; the 版记 is 抄送 only, without rules.
    assert!(
        !lines(p1).iter().any(|l| l.text.contains("— 1 —")),
        "L3: no page number on a letter's first page"
    );
    let last = pdf.pages.last().expect("pages");
    assert!(lines(last).iter().any(|l| l.text.starts_with("—")), "later pages are numbered");
    line_with(last, "抄送：");
    assert!(!lines(last).iter().any(|l| l.text.contains("印发")), "L3: no 印发机关 or 印发日期 in a letter");
    assert!(
        !last.strokes.iter().any(|s| !is_red(s.color) && s.x1 - s.x0 > 100.0 * MM),
        "L3: no separator rules in a letter's 版记: {:?}",
        last.strokes
    );
}

#[test]
fn minutes_have_their_mark_35_mm_down_and_attendance_after_the_body() {
    let pdf = example("liaison-minutes");
    let p1 = pdf.page(1);
    let mark = line_with(p1, "对接会纪要");
    assert!(mark.glyphs.iter().all(|g| is_red(g.color)), "L5: the mark is red");
    assert!(
        close(top_of(&mark), TOP + 35.0 * MM, MM_TOL),
        "L5: the mark's top 35 mm below the type area's top, is {}",
        mm(top_of(&mark) - TOP)
    );
    line_with(p1, "第1期");
    let last = pdf.pages.last().expect("pages");
    let all: Vec<TextLine> = lines(last);
    let at = |label: &str| {
        all.iter()
            .position(|l| l.text.starts_with(label))
            .unwrap_or_else(|| panic!("no {label} line:\n{}", page_text(last)))
    };
    let (present, absent, attending) = (at("出席："), at("请假："), at("列席："));
    assert!(present < absent && absent < attending, "L5: 出席, 请假, 列席 in that order");
    let body_end = all.iter().rposition(|l| l.text.contains("考核分值")).expect("the body's last line");
    assert!(
        close(all[present].baseline - all[body_end].baseline, 2.0 * PITCH, 1.0),
        "L5: one blank line after the body"
    );
    let first = &all[present];
    assert!(close(first.x0, LEFT + 2.0 * CHAR, 1.0), "L5: two characters in, at {}", mm(first.x0 - LEFT));
    let colon = first.glyphs.iter().position(|g| g.text == "：").expect("a colon");
    assert!(first.glyphs[..=colon].iter().all(|g| g.font.starts_with("FandolHei")), "L5: 出席： in 黑体");
    assert!(first.glyphs[colon + 1..].iter().all(|g| g.font.starts_with("FandolFang")), "L5: names in 仿宋");
    let after_colon = first.glyphs[colon].x + first.glyphs[colon].advance;
    let wrapped = &all[present + 1];
    assert!(
        close(wrapped.x0, after_colon, 1.5),
        "L5: wrapped names align after the colon ({}), start at {}",
        mm(after_colon),
        mm(wrapped.x0)
    );
}

#[test]
fn the_attachment_list_comes_right_after_the_body_before_the_signature() {
    for name in ["inspection-bulletin", "city-request"] {
        let pdf = example(name);
        let page = pdf
            .pages
            .iter()
            .find(|p| lines(p).iter().any(|l| l.text.starts_with("附件：")))
            .expect("a 附件说明");
        let all = lines(page);
        let list = all.iter().position(|l| l.text.starts_with("附件：")).expect("附件说明");
        let date = all.iter().position(|l| l.text.contains("2023年12月")).expect("成文日期");
        assert!(list < date, "{name}: the 附件说明 before 署名 and 成文日期:\n{}", page_text(page));
        assert!(close(all[list].x0, LEFT + 2.0 * CHAR, 1.0), "{name}: 附件： two characters in");
    }
}

#[test]
fn a_table_from_a_csv_file_has_its_header_and_right_aligned_numbers() {
    let pdf = example("inspection-bulletin");
    let page = pdf
        .pages
        .iter()
        .find(|p| lines(p).first().is_some_and(|l| l.text == "附件"))
        .expect("the table's page");
    assert!(
        lines(page).first().is_some_and(|l| l.text == "附件"),
        "A1: 附件 on the first line:\n{}",
        page_text(page)
    );
    line_with(page, "宣传发动");
    // Each score column ends at one x: numbers are right-aligned.
    let rows: Vec<TextLine> =
        lines(page).into_iter().filter(|l| l.text.contains("社区中心") || l.text.contains("街道")).collect();
    assert!(rows.len() >= 8, "the table's rows:\n{}", page_text(page));
    let ends = |l: &TextLine| -> Vec<f64> {
        let mut runs = Vec::new();
        let digits: Vec<&Glyph> =
            l.glyphs.iter().filter(|g| g.text.chars().all(|c| c.is_ascii_digit())).collect();
        for (i, g) in digits.iter().enumerate() {
            let next_adjacent = digits.get(i + 1).is_some_and(|n| close(n.x, g.x + g.advance, 0.5));
            if !next_adjacent {
                runs.push(g.x + g.advance);
            }
        }
        runs
    };
    let first = ends(&rows[0]);
    for r in &rows[1..] {
        let e = ends(r);
        assert_eq!(e.len(), first.len(), "same number of number cells: {:?}", r.text);
        for (a, b) in first.iter().zip(&e) {
            assert!(close(*a, *b, 0.5), "numbers right-aligned: {} vs {} in {:?}", mm(*a), mm(*b), r.text);
        }
    }
}

#[test]
fn a_request_carries_copy_number_urgency_and_signer() {
    let pdf = example("city-request");
    let p1 = pdf.page(1);
    let all = lines(p1);
    assert_eq!(all[0].text, "000012", "份号 on the first line");
    assert_eq!(all[1].text, "加急", "紧急程度 under it");
    let signer = line_with(p1, "签发人");
    assert!(
        signer.glyphs.iter().any(|g| g.text == "韩" && g.font.starts_with("FandolKai")),
        "签发人 name in 楷体"
    );
    assert!(close(signer.x1, RIGHT - CHAR, 1.5), "签发人 ends one character in");
    assert!(
        signer.text.starts_with("蚌山政〔2023〕41号"),
        "the number shares the 签发人 line: {:?}",
        signer.text
    );
    line_with(pdf.pages.last().expect("pages"), "印发");
}

// ---------------------------------------------------------------------------
// Fixtures: formats and attachments the example does not use.
// ---------------------------------------------------------------------------

const FILLER: &str = "为进一步提升群众满意度各单位要结合实际认真组织实施确保各项工作任务落到实处";

#[test]
fn an_order_has_its_mark_20_mm_down_and_a_signature_stamp() {
    let order = format!(
        "format: order\nissuers: [\"{{{{ office }}}}\"]\nmark_suffix: 令\nnumber: {{ sequence: 3 }}\n\
         body: |\n  {FILLER}。\nsignature:\n  date: 2023-11-25\n  stamp: {{ post: 区长, image: images/stamp.png }}\n"
    );
    let dir = example::project(&[("order", &order)]);
    example::write_stamp(&dir.path().join("content/images/stamp.png"));
    let built = cli::build(dir.path(), &["documents"]);
    built.assert_success();
    let pdf = read_pdf(&built.file("documents/order.pdf"));
    let p1 = pdf.page(1);
    let mark = line_with(p1, "令");
    assert!(
        close(top_of(&mark), TOP + 20.0 * MM, MM_TOL),
        "L4: the mark's top 20 mm below the type area's top, is {}",
        mm(top_of(&mark) - TOP)
    );
    let number = line_with(p1, "第3号");
    assert!(close((number.x0 + number.x1) / 2.0, LEFT + 78.0 * MM, 1.5), "L4: the order number is centred");
    assert!(
        close(number.baseline - mark.baseline, 0.0, 0.0) || number.baseline > mark.baseline,
        "number under the mark"
    );
    let body = line_with(p1, "为进一步");
    assert!(
        close(body.baseline - number.baseline, 3.0 * PITCH, 1.0),
        "L4: the body two lines under the number"
    );
    assert!(!p1.strokes.iter().any(|s| is_red(s.color)), "L4: no red rule in an order");
    // S1: the stamp four characters from the right, two lines under the
    // text; the post two characters left of it, centred on it; the date a
    // line under it, four characters from the right.
    let stamp = p1.images.first().unwrap_or_else(|| panic!("S1: no stamp image on page 1"));
    assert!(
        close(stamp.x1, RIGHT - 4.0 * CHAR, 1.0),
        "S1: the stamp ends four characters in, at {}",
        mm(RIGHT - stamp.x1)
    );
    let body_last = lines(p1).into_iter().rfind(|l| l.text.contains('。')).expect("the body's last line");
    assert!(
        close(stamp.y0, top_of(&body_last) + 3.0 * PITCH, 1.5),
        "S1: the stamp two blank lines under the text"
    );
    let post = line_with(p1, "区长");
    assert!(close(post.x1, stamp.x0 - 2.0 * CHAR, 1.5), "S1: the post two characters left of the stamp");
    let post_centre = post.baseline - (ASCENT - 0.5) * BODY;
    assert!(close(post_centre, (stamp.y0 + stamp.y1) / 2.0, 1.5), "S1: the post centred on the stamp");
    let date = line_with(p1, "2023年11月25日");
    assert!(close(date.x1, RIGHT - 4.0 * CHAR, 1.0), "S1: the date ends four characters in");
    assert!(
        top_of(&date) > stamp.y1 && top_of(&date) < stamp.y1 + PITCH,
        "S1: the date a line under the stamp"
    );
}

#[test]
fn separate_pdf_and_xlsx_attachments_in_order_with_the_header_repeated() {
    // A scanned form: any PDF; here the fixture's own notice.
    let base = example::project(&[]);
    let notice = cli::build(base.path(), &["notice"]);
    notice.assert_success();
    let scan_pages = read_pdf(&notice.file("notice.pdf")).pages.len();

    // An office's XLSX: a merged title row, a two-row head with merged
    // cells, and rows enough for two pages.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let plain = rust_xlsxwriter::Format::new();
    sheet.merge_range(0, 0, 0, 4, "各单位得分汇总表", &plain).expect("merge");
    sheet.merge_range(1, 0, 2, 0, "序号", &plain).expect("merge");
    sheet.merge_range(1, 1, 2, 1, "单位", &plain).expect("merge");
    sheet.merge_range(1, 2, 1, 4, "得分", &plain).expect("merge");
    for (c, h) in ["基础分", "加分", "合计"].iter().enumerate() {
        sheet.write_string(2, c as u16 + 2, *h).expect("cell");
    }
    for i in 0..60u32 {
        let row = i + 3;
        sheet.write_number(row, 0, f64::from(i + 1)).expect("cell");
        sheet.write_string(row, 1, format!("第{}单位", i + 1)).expect("cell");
        sheet.write_number(row, 2, 80.0 + f64::from(i % 9)).expect("cell");
        sheet.write_number(row, 3, f64::from(i % 5)).expect("cell");
        sheet.write_number(row, 4, 80.0 + f64::from(i % 9 + i % 5)).expect("cell");
    }
    let doc = format!(
        "issuers: [\"{{{{ office }}}}\"]\nnumber: {{ agency: 蚌山政办, sequence: 12 }}\ntitle: [关于督查情况的通报]\n\
         recipients: 各乡街：\nbody: |\n  {FILLER}。\nsignature: {{ date: 2023-11-25 }}\n\
         attachments:\n  - {{ title: 督查工作安排, text: \"{FILLER}。\", separate: true }}\n\
         \x20 - {{ title: 督查登记表, file: forms/scan.pdf }}\n  - {{ file: forms/scores.xlsx }}\n\
         imprint: {{ date: 2023-11-25 }}\n"
    );
    let dir = example::project(&[("bulletin", &doc)]);
    let forms = dir.path().join("content/forms");
    std::fs::create_dir_all(&forms).expect("forms folder");
    std::fs::copy(notice.file("notice.pdf"), forms.join("scan.pdf")).expect("copy the scan");
    book.save(forms.join("scores.xlsx")).expect("save the workbook");

    let built = cli::build(dir.path(), &["documents"]);
    built.assert_success();
    let pdf = read_pdf(&built.file("documents/bulletin.pdf"));
    // The 附件说明 lists the three in order, the XLSX by its own title.
    let p1 = pdf.page(1);
    line_with(p1, "1.督查工作安排");
    line_with(p1, "2.督查登记表");
    line_with(p1, "3.各单位得分汇总表");
    // S3: the separate attachment starts with the document number.
    let first_lines: Vec<String> =
        pdf.pages.iter().map(|p| lines(p).first().map(|l| l.text.clone()).unwrap_or_default()).collect();
    let s3 = first_lines
        .iter()
        .position(|t| t == "蚌山政办〔2023〕12号附件1")
        .unwrap_or_else(|| panic!("S3: no page starts with the number and 附件1: {first_lines:?}"));
    let scan =
        first_lines.iter().position(|t| t.starts_with("附件2")).expect("附件2 on the scan's first page");
    assert!(scan > s3, "attachments in order");
    let table = first_lines.iter().position(|t| t == "附件3").expect("附件3");
    assert_eq!(table - scan, scan_pages, "every page of the scanned PDF is placed: {first_lines:?}");
    assert!(
        lines(&pdf.pages[scan]).iter().any(|l| l.text.contains("测试领导小组") || l.text.contains("蚌山区")),
        "the scan's page is placed as it is"
    );
    // The table runs over two pages with its head repeated.
    let table_pages: Vec<&Page> =
        pdf.pages[table..].iter().filter(|p| lines(p).iter().any(|l| l.text.contains("单位"))).collect();
    assert!(table_pages.len() >= 2, "60 rows take two pages");
    for p in &table_pages {
        let head = line_with(p, "基础分");
        assert!(
            head.text.contains("加分") && head.text.contains("合计"),
            "the head's second row on page {}",
            p.number
        );
        assert!(head.glyphs.iter().all(|g| g.font.starts_with("FandolHei")), "head in 黑体");
    }
    line_with(table_pages[0], "各单位得分汇总表");
    let sheet =
        std::fs::read_to_string(built.file("documents/bulletin-附件3.csv")).expect("the table as CSV");
    assert!(sheet.contains("第60单位"), "all rows in the CSV");
}

#[test]
fn only_names_one_document() {
    let (a, b) = ("issuers: [x]\ntitle: [甲]\nbody: 甲。\n", "issuers: [x]\ntitle: [乙]\nbody: 乙。\n");
    let draft = |t: &str| {
        format!(
            "{t}number: {{ agency: 蚌山政办, sequence: 1 }}\nsignature: {{ date: 2023-11-25 }}\nimprint: {{ date: 2023-11-25 }}\n"
        )
    };
    let dir = example::project(&[("first", &draft(a)), ("second", &draft(b))]);
    let built = cli::build(dir.path(), &["--only", "second"]);
    built.assert_success();
    assert!(built.file("documents/second.pdf").is_file(), "the named document is built");
    assert!(!built.file("documents/first.pdf").exists(), "the other is not");
    assert!(!built.file("notice.pdf").exists(), "nor the notice");
}

#[test]
fn the_title_stands_two_lines_under_the_rule_in_every_header_shape() {
    let doc = |issuers: &str, signers: &str| {
        format!(
            "issuers: {issuers}\nmark_suffix: 文件\nnumber: {{ agency: 蚌山政办, sequence: 7 }}\n{signers}\
             title: [关于开展联合督查的通知]\nrecipients: 各乡街：\nbody: |\n  {FILLER}。\n\
             signature: {{ date: 2023-11-25 }}\nimprint: {{ date: 2023-11-25 }}\n"
        )
    };
    let one = doc("[\"{{ office }}\"]", "");
    let four = doc("[\"{{ office }}\", 区督查考核办公室, 区统计局, 区数据资源局]", "");
    let up = doc("[\"{{ office }}\"]", "signers: [韩莉, 王小璐, 张岩]\n");
    let dir = example::project(&[("one", &one), ("four", &four), ("up", &up)]);
    let built = cli::build(dir.path(), &["documents"]);
    built.assert_success();
    for name in ["one", "four", "up"] {
        let pdf = read_pdf(&built.file(&format!("documents/{name}.pdf")));
        let p1 = pdf.page(1);
        let rule = p1
            .strokes
            .iter()
            .find(|s| is_red(s.color) && s.x1 - s.x0 > 150.0 * MM)
            .unwrap_or_else(|| panic!("{name}: no red rule"));
        let title = line_with(p1, "关于开展联合督查的通知");
        let gap = top_of(&title) - rule.y0;
        assert!(
            close(gap, 2.0 * PITCH, 1.5),
            "{name}: the title's top is {} under the red rule, expected two lines ({})",
            mm(gap),
            mm(2.0 * PITCH)
        );
        let number = line_with(p1, "蚌山政办〔2023〕7号");
        let mark_bottom = lines(p1)
            .iter()
            .filter(|l| l.glyphs.iter().all(|g| is_red(g.color)))
            .map(|l| l.baseline + 0.12 * l.size())
            .fold(0.0, f64::max);
        assert!(
            top_of(&number) - mark_bottom >= 2.0 * PITCH - 1.0,
            "{name}: the number at least two lines under the mark"
        );
        assert!(
            close(rule.y0 - (number.baseline + 0.12 * BODY), 4.0 * MM, 1.0),
            "{name}: the rule 4 mm under the number"
        );
    }
}

#[test]
fn a_document_without_its_number_waits_while_the_rest_is_built() {
    let numbered = "issuers: [x]\ntitle: [甲]\nbody: 甲。\nnumber: { agency: 蚌山政办, sequence: 1 }\n\
                    signature: { date: 2023-11-25 }\nimprint: { date: 2023-11-25 }\n";
    let waiting = "issuers: [x]\ntitle: [乙]\nbody: 乙。\nnumber: { agency: 蚌山政办, sequence: ~ }\n\
                   signature: { date: 2023-11-25 }\nimprint: { date: 2023-11-25 }\n";
    let dir = example::project(&[("numbered", numbered), ("waiting", waiting)]);
    let built = cli::build(dir.path(), &["notice", "documents"]);
    built.assert_success();
    assert!(
        built.file("notice.pdf").is_file() && built.file("documents/numbered.pdf").is_file(),
        "the rest is built"
    );
    assert!(!built.file("documents/waiting.pdf").exists(), "the document without its number is not");
    assert!(
        built.stderr.contains("build/skipped-no-number")
            && built.stderr.contains("documents/waiting.pdf not built"),
        "and the build says so:\n{}",
        built.stderr
    );
    assert!(
        !built.stderr.contains("content/no-sequence"),
        "once, not also as the content warning about the empty sequence:\n{}",
        built.stderr
    );
    // Asked for by name, it is an error.
    let named = cli::build(dir.path(), &["--only", "waiting"]);
    assert_eq!(named.code(), 1, "{}", named.describe());
}

#[test]
fn a_wrapped_heading_line_is_justified_like_body_text() {
    // K4: a level-3 heading standing alone (no 。) that wraps.
    let doc = "issuers: [x]\ntitle: [甲]\nnumber: { agency: 蚌山政办, sequence: 1 }\nbody: |\n  一、总体\n  （一）分项\n  \
               1.安排部署2022年群众满意度调查工作（2023年11月30日前）安排部署群众满意度调查工作\n  \
               为进一步提升群众满意度各单位要结合实际认真组织实施确保各项工作任务落到实处。\n\
               signature: { date: 2023-11-25 }\nimprint: { date: 2023-11-25 }\n";
    let dir = example::project(&[("k4", doc)]);
    let built = cli::build(dir.path(), &["documents"]);
    built.assert_success();
    let pdf = read_pdf(&built.file("documents/k4.pdf"));
    let heading = line_with(pdf.page(1), "1.安排部署");
    assert!(
        close(heading.x1, RIGHT, 1.0),
        "K4: the heading's first line ends at the right edge, at {}",
        mm(heading.x1)
    );
}

#[test]
fn full_width_marks_hug_their_neighbour_at_every_size() {
    // K2: in a 22 pt title and the 16 pt number, each bracket is set with
    // its half-width form against the text it belongs to.
    let doc = "issuers: [x]\ntitle: [关于报送（第一批）项目的通知]\nnumber: { agency: 蚌山政办, sequence: 1 }\n\
               body: 甲。\nsignature: { date: 2023-11-25 }\nimprint: { date: 2023-11-25 }\n";
    let dir = example::project(&[("k2", doc)]);
    let built = cli::build(dir.path(), &["documents"]);
    built.assert_success();
    let pdf = read_pdf(&built.file("documents/k2.pdf"));
    for (needle, size) in [("关于报送", 22.0), ("蚌山政办", BODY)] {
        let line = line_with(pdf.page(1), needle);
        let marks: Vec<&Glyph> =
            line.glyphs.iter().filter(|g| "（）〔〕".contains(g.text.as_str())).collect();
        assert_eq!(marks.len(), 2, "two brackets in {:?}", line.text);
        // Every mark takes one cell, like its neighbours, with no extra
        // space before a closing mark (it was a quarter em).
        let cell = line.glyphs[1].x - line.glyphs[0].x;
        let at = |g: &Glyph| line.glyphs.iter().position(|x| std::ptr::eq(x, g)).expect("in the line");
        for g in &marks {
            let i = at(g);
            let step = g.x - line.glyphs[i - 1].x;
            let prev_is_digit = line.glyphs[i - 1].text.chars().all(|c| c.is_ascii_digit());
            let expected = if prev_is_digit { line.glyphs[i - 1].advance.min(cell) } else { cell };
            assert!(
                close(step, expected, 1.0),
                "K2: {} at {size} pt starts {:.2} pt after the previous glyph, expected {:.2} (no gap): {:?}",
                g.text,
                step,
                expected,
                line.text
            );
        }
    }
}

// ---------------------------------------------------------------------------
// A project of documents alone (no campaign, no notice).
// ---------------------------------------------------------------------------

const REPLY: &str = "issuers: [蚌埠市蚌山区人民政府办公室]\ntitle: [关于同意调整会议时间的复函]\n\
                     number: { agency: 蚌山政办函, sequence: 12 }\nrecipients: 区教育体育局：\n\
                     body: |\n  你局《关于调整会议时间的请示》收悉。经研究，同意将会议时间调整至12月8日。\n\
                     signature: { date: 2024-12-02 }\n\
                     imprint: { printer: 蚌埠市蚌山区人民政府办公室, date: 2024-12-02 }\n";

fn documents_only(documents: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = example::temp_dir("pressroom-documents-only-");
    let docs = dir.path().join("content/documents");
    std::fs::create_dir_all(&docs).expect("documents folder");
    for (name, yaml) in documents {
        std::fs::write(docs.join(format!("{name}.yaml")), yaml).expect("write a document");
    }
    dir
}

#[test]
fn a_project_of_documents_alone_builds_them_without_a_campaign() {
    let dir = documents_only(&[("reply", REPLY)]);
    assert!(!dir.path().join("content/campaign.yaml").exists());
    let built = cli::build(dir.path(), &[]);
    built.assert_success();
    let pdf = read_pdf(&built.file("documents/reply.pdf"));
    let text = pdf.text();
    assert!(text.contains("蚌山政办函〔2024〕12号"), "the year comes from the document's date:\n{text}");
    assert!(text.contains("关于同意调整会议时间的复函"), "{text}");
    for absent in ["notice.pdf", "booklet.pdf", "annex", "flyers"] {
        assert!(!built.file(absent).exists(), "{absent} is not built in a project of documents alone");
    }
    // Asked for by name, the notice is an error that says what to do.
    let notice = cli::build(dir.path(), &["notice"]);
    assert_eq!(notice.code(), 1, "{}", notice.describe());
    assert!(notice.stderr.contains("content/no-notice"), "{}", notice.stderr);
}

#[test]
fn a_campaign_fact_a_document_uses_is_required_then_and_named() {
    let uses = REPLY.replace("经研究", "经{{ district }}研究");
    let table = format!("{REPLY}attachments:\n  - table: leading_group\n");
    let dir = documents_only(&[("with-table", &table)]);
    let built = cli::build(dir.path(), &[]);
    assert_eq!(built.code(), 1, "{}", built.describe());
    let err = &built.stderr;
    assert!(
        err.contains("content/documents/with-table.yaml:10:") && err.contains("has no leading_group"),
        "a ready-made table needs the campaign's part:\n{err}"
    );
    let dir = documents_only(&[("reply", &uses)]);
    let built = cli::build(dir.path(), &[]);
    assert_eq!(built.code(), 1, "{}", built.describe());
    let err = &built.stderr;
    // The document, the line, the expression and the fact.
    assert!(
        err.contains("content/documents/reply.yaml:6:")
            && err.contains("{{ district }}")
            && err.contains("campaign fact")
            && err.contains("“district”")
            && err.contains("content/campaign.yaml"),
        "{err}"
    );
    // Given in a short campaign file (no areas, phases, townships or group),
    // the fact is found and the document builds.
    std::fs::write(dir.path().join("content/campaign.yaml"), "district: 蚌山区\n").expect("campaign");
    let built = cli::build(dir.path(), &[]);
    built.assert_success();
    assert!(read_pdf(&built.file("documents/reply.pdf")).text().contains("经蚌山区研究"));
}

/// K3: a body whose signature does not fit under its last line on a full
/// page. The text of that page is set closer until the signature fits (the
/// standard's remedy, 7.3.5.4), so no page is left short, the date never
/// stands on a page of its own, and the closer pitch stays readable.
#[test]
fn a_signature_that_does_not_fit_sets_the_page_closer_instead_of_moving_text() {
    let paragraph = format!("  {FILLER}。{}。", FILLER.chars().take(20).collect::<String>());
    let body = vec![paragraph; 10].join("\n\n");
    let last: String = FILLER.chars().cycle().take(40).collect();
    let yaml = format!(
        "issuers: [蚌埠市蚌山区人民政府办公室]\ntitle: [关于测试的通知]\n\
         number: {{ agency: 蚌山政办秘, sequence: 1 }}\nrecipients: 各有关单位：\n\
         body: |\n{body}\n\n  {last}。\nsignature: {{ date: 2023-11-25 }}\nimprint: {{ date: 2023-11-26 }}\n"
    );
    let dir = example::project(&[("long", &yaml)]);
    let built = cli::build(dir.path(), &["--only", "long"]);
    built.assert_success();
    let pdf = read_pdf(&built.file("documents/long.pdf"));
    let date_page = pdf
        .pages
        .iter()
        .find(|p| p.line_containing("2023年11月25日").is_some())
        .expect("a page with the date");
    let body_lines: Vec<TextLine> = lines(date_page)
        .into_iter()
        .filter(|l| !l.text.contains('—') && !l.text.contains("2023年") && !l.text.contains("人民政府办公室"))
        .collect();
    assert!(body_lines.len() >= 20, "the date stands under the page's text:\n{}", page_text(date_page));
    let pitches: Vec<f64> = body_lines.windows(2).map(|w| w[1].baseline - w[0].baseline).collect();
    let closest = pitches.iter().copied().fold(f64::INFINITY, f64::min);
    let widest = pitches.iter().copied().fold(0.0, f64::max);
    assert!(
        (0.8 * PITCH - 0.5..PITCH - 0.5).contains(&closest),
        "the page is set closer, within 80% of the grid's pitch: {} against {}\n{}",
        mm(closest),
        mm(PITCH),
        page_text(date_page)
    );
    assert!(widest - closest < 0.5, "evenly, the whole page alike: {} to {}", mm(closest), mm(widest));
    let date = line_with(date_page, "2023年11月25日");
    assert!(
        date.baseline <= TOP + 225.0 * MM,
        "the date inside the type area: baseline at {}",
        mm(date.baseline)
    );
    // The page before it is full: its last line on the grid's last line.
    let before = &pdf.pages[date_page.number - 2];
    let last_line = lines(before).into_iter().rfind(|l| !l.text.contains('—')).expect("lines");
    // The line box (1 em) is centred in its grid cell.
    let grid_last = TOP + 21.0 * PITCH + (PITCH - BODY) / 2.0 + ASCENT * BODY;
    assert!(
        close(last_line.baseline, grid_last, 1.0),
        "page {} ends on the grid's last line: {}, not {}",
        before.number,
        mm(last_line.baseline),
        mm(grid_last)
    );
}
