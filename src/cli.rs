//! The command line: parses arguments into a [`BuildConfig`] in one place,
//! runs the library, and turns results into output and exit codes
//! (0 success, 1 content problems, 2 usage or environment errors).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::build::{self, BuildConfig, Failure, FailureKind, Report};
use crate::diag::{self, Lang};
use crate::targets::Target;
use crate::typeset::fonts::{FontOptions, RoleFonts};

/// Builds a campaign's notice from YAML content.
#[derive(Debug, Parser)]
#[command(name = "pressroom", version, about)]
pub struct Cli {
    /// Message language (default: from LANG; Chinese for zh_*).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `--lang` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// 中文
    Zh,
    /// English
    En,
}

/// File formats of the official documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    /// PDF (always written: it is the layout the others follow).
    Pdf,
    /// Word/WPS, editable.
    Docx,
    /// OFD (GB/T 33190), the fixed layout of electronic official documents.
    Ofd,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build outputs (default: all of them) into the output folder.
    Build {
        /// Targets to build: notice, documents, annex, booklet, flyers.
        targets: Vec<Target>,
        /// Project and font options.
        #[command(flatten)]
        project: ProjectArgs,
        /// Output folder (default: <project>/output).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Build only this document (its file name in content/documents/,
        /// without .yaml) or this township's flyer (its name or file name);
        /// repeatable.
        #[arg(long, value_name = "NAME")]
        only: Vec<String>,
        /// Photo resolution at the placed size, in dots per inch.
        #[arg(long, default_value_t = 300.0, value_parser = parse_dpi)]
        dpi: f64,
        /// Workers for batches (default: the number of cores, at most 8): threads,
        /// or processes for 32 flyers and more.
        #[arg(long)]
        jobs: Option<usize>,
        /// Preview: print the notice without its sequence number, marked 草稿.
        #[arg(long)]
        draft: bool,
        /// Formats of the notice and the documents, comma-separated: pdf
        /// (always), docx (an editable Word/WPS file beside each PDF), ofd
        /// (GB/T 33190, the electronic official document's fixed layout);
        /// `--format pdf` leaves the DOCX out.
        #[arg(long, value_name = "FORMATS", value_delimiter = ',', default_value = "pdf,docx")]
        format: Vec<DocFormat>,
        /// Final: fail rather than skip a document without its number or
        /// print a draft of a file not yet updated for the campaign year.
        #[arg(long = "final", conflicts_with = "draft")]
        final_build: bool,
        /// Skip the page previews of the proof sheet (much faster for large
        /// batches; the sheet still lists every output and finding).
        #[arg(long)]
        no_previews: bool,
        /// Draw a batch of flyers' previews at proofreading size (144 dpi)
        /// too; by default they are as large as the proof sheet shows
        /// them, and a page opens as PDF.
        #[arg(long, conflicts_with = "no_previews")]
        full_previews: bool,
        /// Also write the print shop's files under output/print/: the
        /// booklet (single pages and imposed with creep) and every flyer,
        /// with 3 mm bleed, crop marks, CMYK colour and an output intent.
        #[arg(long)]
        print: bool,
        /// Print a machine-readable summary (JSON) on standard output.
        #[arg(long)]
        json: bool,
    },
    /// Load and validate all content; write nothing.
    Check {
        /// Project and font options.
        #[command(flatten)]
        project: ProjectArgs,
        /// Print the findings as JSON on standard output.
        #[arg(long)]
        json: bool,
    },
    /// Start a new campaign project from the built-in example.
    New {
        /// Folder for the new project (must be empty or missing unless --force).
        dir: PathBuf,
        /// Also copy the built-in templates into <dir>/templates/ to customise.
        #[arg(long)]
        templates: bool,
        /// Write into a non-empty folder, overwriting files of the same name.
        #[arg(long)]
        force: bool,
    },
    /// Write next year's campaign from this one, with a list to review.
    NewYear {
        /// The new campaign year, e.g. 2024.
        year: i32,
        /// Folder for the new project (must be empty unless --force).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// Overwrite files in a non-empty folder.
        #[arg(long)]
        force: bool,
        /// Project and font options.
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// Print the exact data a target's template receives (JSON), to work on
    /// a template against real data.
    Data {
        /// notice, documents, annex, booklet or flyers.
        target: Target,
        /// For documents: which one (file name); for flyers: which township
        /// (name or file name). The first if omitted.
        #[arg(long, value_name = "NAME")]
        only: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Project and font options.
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// Build, then rebuild what each change under content/, templates/ and
    /// fonts/ affects, until Ctrl-C.
    Watch {
        /// Project and font options.
        #[command(flatten)]
        project: ProjectArgs,
        /// Output folder (default: <project>/output).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Preview: print the notice without its sequence number, marked 草稿.
        #[arg(long)]
        draft: bool,
        /// Quiet time that ends a save, in milliseconds.
        #[arg(long, value_name = "MS", default_value_t = crate::watch::DEFAULT_DEBOUNCE.as_millis() as u64)]
        debounce: u64,
    },
    /// Show which real font serves each role, and from where.
    Fonts {
        /// Project and font options.
        #[command(flatten)]
        project: ProjectArgs,
    },
}

/// Options every command shares.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// The project folder (default: the current directory).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub project: PathBuf,
    /// Extra font folder (repeatable; also PRESSROOM_FONT_PATH, ':'-separated).
    #[arg(long = "font-path", value_name = "DIR")]
    pub font_path: Vec<PathBuf>,
    /// Do not use the system's fonts (only fonts/ and --font-path).
    #[arg(long)]
    pub no_system_fonts: bool,
}

impl ProjectArgs {
    fn font_options(&self) -> FontOptions {
        let mut paths = self.font_path.clone();
        if let Some(env) = std::env::var_os("PRESSROOM_FONT_PATH") {
            paths.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()));
        }
        FontOptions { paths, system: !self.no_system_fonts }
    }
}

/// The language `--lang zh|en` (or `--lang=…`) asks for, if any.
fn lang_argument(args: &[std::ffi::OsString]) -> Option<Lang> {
    let words: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
    let value = words.iter().enumerate().find_map(|(i, w)| match w.strip_prefix("--lang") {
        Some("") => words.get(i + 1).copied(),
        Some(rest) => rest.strip_prefix('='),
        None => None,
    })?;
    match value {
        "zh" => Some(Lang::Zh),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    // The language is needed before the arguments parse, for help and usage
    // errors: `--lang` is looked up by hand.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = lang_argument(&args).unwrap_or_else(diag::lang_from_env);
    diag::set_lang(lang);
    let command = match lang {
        Lang::Zh => crate::cli_zh::localize(Cli::command()),
        Lang::En => Cli::command(),
    };
    let cli = match command.try_get_matches_from(&args).and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(e) if lang == Lang::Zh && e.use_stderr() => {
            eprint!("{}", crate::cli_zh::usage_error(&e));
            return ExitCode::from(2);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Build {
            targets,
            project,
            out,
            only,
            dpi,
            jobs,
            draft,
            format,
            final_build,
            no_previews,
            full_previews,
            print,
            json,
        } => {
            let mut config = BuildConfig::new(project.project.clone());
            if let Some(out) = out {
                config.out_dir = out;
            }
            // `--only` names documents (file names in content/documents/)
            // or townships: those outputs, beside any targets given.
            let documents = crate::content::document_stems(&config.root);
            let (docs, towns): (Vec<&String>, Vec<&String>) =
                only.iter().partition(|n| documents.contains(n));
            if !targets.is_empty() {
                config.targets = targets;
            } else if !only.is_empty() {
                config.targets = Vec::new();
            }
            for (wanted, target) in
                [(!docs.is_empty(), Target::Documents), (!towns.is_empty(), Target::Flyers)]
            {
                if wanted && !config.targets.contains(&target) {
                    config.targets.push(target);
                }
            }
            config.fonts = project.font_options();
            config.only = only;
            config.dpi = dpi;
            config.draft = draft;
            config.final_build = final_build;
            config.docx = format.contains(&DocFormat::Docx);
            config.ofd = format.contains(&DocFormat::Ofd);
            config.previews = !no_previews;
            config.full_previews = full_previews;
            config.print = print;
            config.progress = !json;
            config.worker_program = crate::workers::this_program();
            if let Some(jobs) = jobs {
                config.jobs = jobs.max(1);
            }
            match build::build(&config) {
                Ok(report) => {
                    if json {
                        println!("{}", build_json(&report, None));
                    } else {
                        print_report(&report, &config.root);
                    }
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    if json {
                        println!("{}", failure_json(&failure));
                    }
                    fail(&failure, &config.root)
                }
            }
        }
        Command::Check { project, json } => match build::load(&project.project) {
            Ok(content) => {
                let mut findings = content.warnings.clone();
                findings.extend(crate::content::validate::photos(&content));
                let photo_findings: Vec<(String, usize)> = findings
                    .iter()
                    .filter_map(|d| d.location.as_ref().map(|l| (l.file.display().to_string(), l.line)))
                    .collect();
                // Texts rendered as every output would, minus photo problems
                // already reported above.
                findings.extend(
                    build::check_texts(&content, crate::build::BuildConfig::new(&content.root).jobs)
                        .into_iter()
                        .filter(|d| {
                            d.code != "content/image"
                                || !d.location.as_ref().is_some_and(|l| {
                                    photo_findings.contains(&(l.file.display().to_string(), l.line))
                                })
                        }),
                );
                match crate::lint::load_config(&project.project) {
                    Ok(config) => findings.extend(crate::lint::lint(&content, &config)),
                    Err(d) => findings.push(d),
                }
                eprint!("{}", diag::render(&findings, &project.project, &content.sources));
                let errors = findings.iter().filter(|d| d.is_error()).count();
                if json {
                    let list: Vec<serde_json::Value> = findings.iter().map(|d| d.to_json()).collect();
                    println!(
                        "{}",
                        serde_json::json!({ "ok": errors == 0, "errors": errors, "findings": list })
                    );
                }
                if errors > 0 {
                    eprintln!(
                        "{}",
                        match diag::lang() {
                            Lang::Zh => format!("检查发现 {errors} 个错误。"),
                            Lang::En => format!("check found {errors} error(s)."),
                        }
                    );
                    return ExitCode::from(1);
                }
                // With --json, standard output holds the JSON alone.
                let ok = tr("内容检查通过。", "content checked: no errors.");
                if json {
                    eprintln!("{ok}");
                } else {
                    println!("{ok}");
                }
                ExitCode::SUCCESS
            }
            Err(failure) => {
                if json {
                    println!("{}", failure_json(&failure));
                }
                fail(&failure, &project.project)
            }
        },
        Command::New { dir, templates, force } => crate::newproject::run(&dir, templates, force),
        Command::NewYear { year, to, force, project } => match build::load(&project.project) {
            Ok(content) => match crate::newyear::new_year(&content, year, &to, force) {
                Ok(review) => {
                    print!("{}", review.markdown(review.from_year, year));
                    println!(
                        "{}",
                        match diag::lang() {
                            Lang::Zh => format!(
                                "已生成 {}（核对清单：{}）。",
                                to.display(),
                                to.join(crate::newyear::REVIEW_FILE).display()
                            ),
                            Lang::En => format!(
                                "wrote {} (review list: {}).",
                                to.display(),
                                to.join(crate::newyear::REVIEW_FILE).display()
                            ),
                        }
                    );
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    eprint!("{}", diag::render(&diags, &project.project, &content.sources));
                    ExitCode::from(2)
                }
            },
            Err(failure) => fail(&failure, &project.project),
        },
        Command::Data { target, only, output, project } => {
            let mut config = BuildConfig::new(project.project.clone());
            config.fonts = project.font_options();
            config.only = only.into_iter().collect();
            config.draft = true;
            match build::template_data(&config, target) {
                Ok(data) => {
                    let text = serde_json::to_string_pretty(&data).unwrap_or_default();
                    match output {
                        Some(path) => match crate::output::write_atomic(&path, text.as_bytes()) {
                            Ok(()) => ExitCode::SUCCESS,
                            Err(e) => {
                                eprintln!("{}: {e}", path.display());
                                ExitCode::from(2)
                            }
                        },
                        None => {
                            // A closed pipe (`| head`) is not an error.
                            use std::io::Write as _;
                            let _ = writeln!(std::io::stdout(), "{text}");
                            ExitCode::SUCCESS
                        }
                    }
                }
                Err(failure) => fail(&failure, &project.project),
            }
        }
        Command::Watch { project, out, draft, debounce } => {
            let mut config = BuildConfig::new(project.project.clone());
            config.out_dir = out.unwrap_or(config.out_dir);
            config.fonts = project.font_options();
            config.draft = draft;
            config.progress = true;
            crate::watch::run(config, std::time::Duration::from_millis(debounce))
        }
        Command::Fonts { project } => match build::font_report(&project.project, &project.font_options()) {
            Ok((roles, set)) => {
                println!(
                    "{}",
                    tr(
                        &format!("共找到 {} 个字体。", set.files.len()),
                        &format!("{} fonts found.", set.files.len())
                    )
                );
                print_fonts(&roles);
                ExitCode::SUCCESS
            }
            Err(failure) => fail(&failure, &project.project),
        },
    }
}

fn parse_dpi(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(d) if (72.0..=1200.0).contains(&d) => Ok(d),
        _ => Err(tr("应为 72 到 1200 之间的分辨率", "a resolution between 72 and 1200 dpi").to_owned()),
    }
}

fn tr<'a>(zh: &'a str, en: &'a str) -> &'a str {
    match diag::lang() {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

pub(crate) fn fail(failure: &Failure, root: &Path) -> ExitCode {
    eprint!("{}", diag::render(&failure.diags, root, &failure.sources));
    let errors = failure.diags.iter().filter(|d| d.is_error()).count();
    eprintln!(
        "{}",
        match diag::lang() {
            Lang::Zh => format!("构建未完成：{errors} 个错误。"),
            Lang::En => format!("stopped: {errors} error(s)."),
        }
    );
    match failure.kind {
        FailureKind::Content => ExitCode::from(1),
        FailureKind::Environment => ExitCode::from(2),
    }
}

/// `--json` summary of a successful build.
fn build_json(report: &Report, _extra: Option<()>) -> serde_json::Value {
    serde_json::json!({
        "ok": true,
        // Worker processes that typeset flyers (0: all in this process).
        "workers": report.worker_peak_rss_kib.len(),
        "worker_peak_rss_kib": report.worker_peak_rss_kib,
        "outputs": report.outputs.iter().map(|o| serde_json::json!({
            "path": o.path.display().to_string(),
            "pages": o.pages,
            "bytes": o.bytes,
        })).collect::<Vec<_>>(),
        "warnings": report.warnings.iter().map(|d| d.to_json()).collect::<Vec<_>>(),
        "fonts": report.fonts.roles.iter().map(|r| serde_json::json!({
            "role": r.role.name(),
            "family": r.family,
            "weight": r.weight,
            "path": r.path.display().to_string(),
            "official": r.official,
        })).collect::<Vec<_>>(),
        "timings": {
            "total_ms": report.elapsed.as_secs_f64() * 1000.0,
            "stages": report.stages.iter().map(|(name, d)| serde_json::json!({
                "stage": name,
                "ms": d.as_secs_f64() * 1000.0,
            })).collect::<Vec<_>>(),
        },
    })
}

/// `--json` summary of a failed run.
fn failure_json(failure: &Failure) -> serde_json::Value {
    serde_json::json!({
        "ok": false,
        "errors": failure.diags.iter().filter(|d| d.is_error()).count(),
        "findings": failure.diags.iter().map(|d| d.to_json()).collect::<Vec<_>>(),
    })
}

/// Outputs of one folder listed one by one; a folder with more (a
/// district's flyers in a large batch) is summed up in one line.
const LIST_AT_MOST: usize = 12;

pub(crate) fn print_report(report: &Report, root: &Path) {
    eprint!("{}", diag::render(&report.warnings, root, &report.sources));
    for line in output_lines(&report.outputs) {
        println!("{line}");
    }
    print_fonts(&report.fonts);
    let (files, warnings) = (report.outputs.len(), report.warnings.len());
    let pages: usize = report.outputs.iter().map(|o| o.pages).sum();
    let secs = report.elapsed.as_secs_f64();
    println!(
        "{}",
        match diag::lang() {
            Lang::Zh =>
                format!("完成：{files} 个文件，共 {pages} 页，{warnings} 条警告，用时 {secs:.2} 秒。"),
            Lang::En =>
                format!("done: {files} file(s), {pages} page(s), {warnings} warning(s), {secs:.2} s."),
        }
    );
}

/// The summary's list of outputs: one line each, or one line for a folder
/// of more than [`LIST_AT_MOST`] (files, pages, size).
fn output_lines(outputs: &[crate::build::Output]) -> Vec<String> {
    let mut lines = Vec::new();
    for run in outputs.chunk_by(|a, b| a.path.parent() == b.path.parent()) {
        if run.len() <= LIST_AT_MOST {
            // Sheets (XLSX/CSV) have no pages to count.
            lines.extend(run.iter().map(|o| {
                let pages = if o.pages == 0 {
                    String::new()
                } else {
                    format!("  {} {}", o.pages, tr("页", "pages"))
                };
                format!("  {}{pages}  {:.0} KB", o.path.display(), o.bytes as f64 / 1024.0)
            }));
        } else {
            let dir = run[0].path.parent().unwrap_or(Path::new("."));
            lines.push(format!(
                "  {}{}  {} {}  {} {}  {:.1} MB",
                dir.display(),
                std::path::MAIN_SEPARATOR,
                run.len(),
                tr("个文件", "files"),
                run.iter().map(|o| o.pages).sum::<usize>(),
                tr("页", "pages"),
                run.iter().map(|o| o.bytes).sum::<usize>() as f64 / (1024.0 * 1024.0)
            ));
        }
    }
    lines
}

fn print_fonts(fonts: &RoleFonts) {
    println!("{}", tr("字体：", "fonts:"));
    for r in &fonts.roles {
        let official = r.role.candidates()[0].0;
        let standin = if r.official {
            String::new()
        } else {
            match diag::lang() {
                Lang::Zh => format!("（代替 {official}）"),
                Lang::En => format!(" (standing in for {official})"),
            }
        };
        println!(
            "  {}  {} {}{}  [{}] {}",
            r.role.name(),
            r.family,
            r.weight,
            standin,
            r.origin,
            r.path.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::Output;

    fn output(path: &str, pages: usize) -> Output {
        Output {
            path: PathBuf::from(path),
            pages,
            bytes: 512 * 1024,
            previews: Vec::new(),
            thumbnails: false,
        }
    }

    #[test]
    fn a_large_folder_of_outputs_is_one_line_and_the_others_keep_theirs() {
        let mut outputs = vec![output("out/notice.pdf", 10)];
        outputs.extend((0..120).map(|i| output(&format!("out/flyers/{i}.pdf"), 2)));
        outputs.extend((0..LIST_AT_MOST).map(|i| output(&format!("out/annex/{i}.pdf"), 1)));
        let lines = output_lines(&outputs);
        assert_eq!(lines.len(), 1 + 1 + LIST_AT_MOST, "{lines:#?}");
        assert!(lines[0].contains("notice.pdf") && lines[0].contains(" 10 "), "{}", lines[0]);
        let folder = &lines[1];
        let sep = std::path::MAIN_SEPARATOR;
        assert!(folder.contains(&format!("flyers{sep} ")), "{folder}");
        assert!(
            folder.contains(" 120 ") && folder.contains(" 240 ") && folder.contains("60.0 MB"),
            "{folder}"
        );
        assert!(lines[2..].iter().all(|l| l.contains("annex") && l.contains("512 KB")), "{lines:#?}");
    }
}
