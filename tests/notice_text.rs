//! The example notice's text and the command line's contract, checked on real builds.
//!
//! * The text read back from `notice.pdf` (`mutool trace`, see `support::pdf`) holds the
//!   real 2023 notice the example reproduces (`tests/support/bengshan-2023-notice.txt`,
//!   a copy of the seed), line by line and in order. Whitespace is ignored on both
//!   sides, and page numbers are left out of the PDF's text so that paragraphs running
//!   over a page break read as one.
//! * Builds are reproducible: two processes writing to two folders give the same bytes,
//!   and without `SOURCE_DATE_EPOCH` the PDF is dated on the notice's date, not today.
//! * Exit codes: 2 for a usage error (an unknown target), 0 for a clean `check`.

mod support;

use support::cli;
use support::pdf::{MM, Pdf};

/// The real notice, as published: one paragraph (or table row) a line.
const SEED: &str = include_str!("support/bengshan-2023-notice.txt");

/// The bottom of the type area (37 mm + 225 mm); only page numbers lie below it.
const TYPE_AREA_BOTTOM: f64 = 262.0 * MM;

fn without_whitespace(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The PDF's text in reading order without whitespace and without page numbers.
fn body_text(pdf: &Pdf) -> String {
    pdf.pages
        .iter()
        .flat_map(|p| p.lines())
        .filter(|l| l.baseline - 0.88 * l.size() <= TYPE_AREA_BOTTOM)
        .map(|l| without_whitespace(&l.text))
        .collect()
}

#[test]
fn pdf_text_contains_the_seed_notice_in_order() {
    let text = body_text(cli::example_notice());
    let mut from = 0;
    let mut previous = String::from("(start)");
    for (number, raw) in SEED.lines().enumerate() {
        let line = without_whitespace(raw);
        if line.is_empty() {
            continue;
        }
        match text[from..].find(&line) {
            Some(at) => {
                from += at + line.len();
                previous = line;
            }
            None => {
                let context: String = text[from..].chars().take(80).collect();
                let anywhere = if text.contains(&line) { " (it occurs earlier, out of order)" } else { "" };
                panic!(
                    "seed line {} is missing from notice.pdf after {previous:?}{anywhere}:\n  seed: {line:?}\n  \
                     PDF continues: {context:?}…",
                    number + 1
                );
            }
        }
    }
}

#[test]
fn builds_are_byte_identical() {
    let env = [("SOURCE_DATE_EPOCH", None)];
    let first = cli::build_with_env(&cli::repo(), &["notice"], &env);
    let second = cli::build_with_env(&cli::repo(), &["notice"], &env);
    first.assert_success();
    second.assert_success();
    let read = |b: &cli::Built| {
        std::fs::read(b.file("notice.pdf"))
            .unwrap_or_else(|e| panic!("read {}: {e}", b.file("notice.pdf").display()))
    };
    let (a, b) = (read(&first), read(&second));
    let first_difference = a.iter().zip(&b).position(|(x, y)| x != y);
    assert!(
        a == b,
        "two builds of the example differ: {} vs {} bytes, first difference at byte {:?}",
        a.len(),
        b.len(),
        first_difference
    );
}

#[test]
fn creation_date_is_the_notice_date() {
    let built = cli::build_with_env(&cli::repo(), &["notice"], &[("SOURCE_DATE_EPOCH", None)]);
    built.assert_success();
    let bytes = std::fs::read(built.file("notice.pdf")).expect("read the built notice.pdf");
    let key = b"/CreationDate";
    let at = bytes
        .windows(key.len())
        .position(|w| w == key)
        .expect("notice.pdf has no /CreationDate in its (uncompressed) document information");
    let value: String = bytes[at + key.len()..].iter().take(40).map(|&b| b as char).collect();
    let value = value.trim_start();
    assert!(
        value.starts_with("(D:20231125"),
        "without SOURCE_DATE_EPOCH the creation date must be the notice's date 2023-11-25 \
         (D:20231125…), found {value:?}"
    );
}

#[test]
fn unknown_target_exits_2() {
    let built = cli::build(&cli::repo(), &["nosuchtarget"]);
    assert_eq!(
        built.code(),
        2,
        "`pressroom build nosuchtarget` is a usage error (exit 2): {}",
        built.describe()
    );
}

#[test]
fn check_of_the_example_exits_0() {
    let repo = cli::repo();
    let output = cli::run(&["check", "--project", repo.to_str().expect("repo path is UTF-8")], &[]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "`pressroom check --project {}` must pass on the example: {}\n{}",
        repo.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
