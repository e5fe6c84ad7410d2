//! Every PDF of the example, read by Poppler (Debian's `poppler-utils`, which
//! `./dev.sh test` installs), the PDF library behind most Linux desktop
//! viewers: `pdfinfo` and `pdftotext` must exit 0 and print nothing on
//! standard error. (Poppler up to 22.12 misreads the tagged PDF's
//! `/Suspects false`; pressroom leaves that default out, see
//! `typeset::export_pdf`.)

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::cli;

fn pdfs(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("list the output folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            pdfs(&path, out);
        } else if path.extension().is_some_and(|x| x == "pdf") {
            out.push(path);
        }
    }
}

/// `tool ARGS…` with the PDF path in place of `{}`.
fn poppler(tool: &str, args: &[&str], pdf: &Path) -> std::process::Output {
    let args: Vec<&std::ffi::OsStr> =
        args.iter().map(|a| if *a == "{}" { pdf.as_os_str() } else { std::ffi::OsStr::new(a) }).collect();
    Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run {tool} ({e}): install Debian's poppler-utils (./dev.sh test does)")
    })
}

#[test]
fn poppler_reads_every_pdf_without_complaint() {
    let built = cli::build(&cli::repo(), &[]);
    built.assert_success();
    let mut found = Vec::new();
    pdfs(built.out.path(), &mut found);
    found.sort();
    assert!(found.len() >= 20, "the example's PDFs: {found:?}");
    for pdf in &found {
        for (tool, args) in [("pdfinfo", ["{}", ""]), ("pdftotext", ["{}", "-"])] {
            let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
            let out = poppler(tool, &args, pdf);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && stderr.trim().is_empty(),
                "{tool} {}: exit {:?}, stderr:\n{stderr}",
                pdf.display(),
                out.status.code()
            );
            assert!(!out.stdout.is_empty(), "{tool} {}: printed nothing", pdf.display());
        }
    }
}
