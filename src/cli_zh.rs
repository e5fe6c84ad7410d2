//! The command line in Chinese: help texts and usage errors for users whose
//! locale is Chinese (or who pass `--lang zh`). clap writes both in English;
//! the help is swapped text by text from a table keyed by command and
//! argument, and a usage error is retold from its kind and context.

use clap::Command;
use clap::error::{ContextKind, ContextValue, ErrorKind};

/// Chinese descriptions of the subcommands.
const COMMANDS: &[(&str, &str)] = &[
    ("build", "生成文件（默认全部）到输出目录，并写校样页"),
    ("check", "读取并检查全部内容，不写任何文件"),
    ("new", "用内置示例新建一个活动项目"),
    ("new-year", "由本年度项目生成下一年度项目，并列出需要核对的地方"),
    ("data", "输出某个模板收到的数据（JSON），便于对照真实数据修改模板"),
    ("watch", "先生成一次，之后每次改动 content/、templates/、fonts/ 就重新生成受影响的文件，按 Ctrl-C 结束"),
    ("fonts", "显示每种字体角色实际使用的字体及其来源"),
    ("help", "显示本帮助或某个子命令的帮助"),
];

/// Chinese help of arguments: (argument id, help). The same id means the
/// same thing in every subcommand.
const ARGS: &[(&str, &str)] = &[
    ("lang", "提示信息的语言：zh（中文）或 en（英文）；默认按 LANG 环境变量，zh_* 为中文"),
    (
        "targets",
        "要生成的文件：notice（通知）、documents（content/documents/ 中的公文）、annex（附件表格）、booklet（宣传手册）、flyers（传单）",
    ),
    ("project", "项目目录（默认：当前目录）"),
    ("font_path", "另外的字体目录（可重复；也可用 PRESSROOM_FONT_PATH，以冒号分隔）"),
    ("no_system_fonts", "不使用系统字体（只用 fonts/ 和 --font-path 中的字体）"),
    ("out", "输出目录（默认：<项目>/output）"),
    (
        "only",
        "只处理这份公文（content/documents/ 中的文件名，不带 .yaml）或这个乡街（名称或文件名）；生成时可重复",
    ),
    ("dpi", "照片在版面上的分辨率（每英寸点数，默认 300）"),
    ("jobs", "成批排版时的并行数（默认：CPU 核数，至多 8）：线程；传单 32 份起为子进程"),
    ("draft", "草稿：通知可以没有发文序号，并标注“草稿”"),
    (
        "format",
        "通知和公文的格式，逗号分隔：pdf（总会生成）、docx（每份 PDF 旁另存一份可编辑的 Word/WPS 文件）、ofd（电子公文用的版式文件）；只要 PDF 时写 --format pdf",
    ),
    (
        "final_build",
        "定稿：公文缺发文序号、或文件尚未按本年度核对更新（updated_for）时都报错停止，而不是跳过或印成草稿",
    ),
    ("no_previews", "校样页不附页面预览图（成批生成时快得多；校样页仍列出全部文件和检查结果）"),
    (
        "full_previews",
        "成批生成传单时也按校对尺寸（144 dpi）绘制页面预览；默认只按校样页显示的大小绘制，点击页面打开 PDF",
    ),
    (
        "print",
        "另外生成印刷厂文件，放在 output/print/：宣传册（单页和带爬移的拼版）和各乡街传单，带 3 毫米出血、裁切线、CMYK 印刷色和输出意图",
    ),
    ("json", "在标准输出上打印机器可读的小结（JSON）"),
    ("dir", "新项目的目录（必须为空或不存在，除非用 --force）"),
    ("templates", "同时把内置模板复制到 <目录>/templates/，便于修改"),
    ("force", "写入非空目录，覆盖同名文件"),
    ("year", "新的活动年份，例如 2024"),
    ("to", "新项目的目录（必须为空，除非用 --force）"),
    ("target", "notice、documents、annex、booklet 或 flyers"),
    ("output", "写入这个文件，而不是标准输出"),
    ("debounce", "一次保存结束前的静默时间（毫秒，默认 40）"),
    ("help", "显示帮助（-h 为简要帮助）"),
    ("version", "显示版本"),
];

/// Chinese names of the values arguments take, shown in usage and help as
/// `<目录>`: by the English name clap shows (`value_name`, or the argument's
/// id in capitals).
const VALUE_NAMES: &[(&str, &str)] = &[
    ("DIR", "目录"),
    ("NAME", "名称"),
    ("FILE", "文件"),
    ("MS", "毫秒"),
    ("YEAR", "年份"),
    ("TARGETS", "生成项"),
    ("TARGET", "生成项"),
    ("DPI", "分辨率"),
    ("JOBS", "线程数"),
    ("LANG", "语言"),
    ("FORMATS", "格式"),
];

const TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// The command with Chinese help, recursively.
pub fn localize(cmd: Command) -> Command {
    let mut cmd = cmd;
    cmd.build();
    translate(cmd)
}

fn translate(cmd: Command) -> Command {
    let name = cmd.get_name().to_owned();
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .about(if name == "pressroom" {
            "由 YAML 内容生成活动的正式通知、宣传手册和传单（用 typst 排版）"
        } else {
            COMMANDS.iter().find(|(n, _)| *n == name).map_or("", |(_, zh)| zh)
        })
        .long_about(None);
    let ids: Vec<(String, bool)> =
        cmd.get_arguments().map(|a| (a.get_id().as_str().to_owned(), a.is_positional())).collect();
    for (id, positional) in ids {
        let help = ARGS.iter().find(|(a, _)| *a == id).map(|(_, zh)| *zh);
        cmd = cmd.mut_arg(&id, |a| {
            // Values and defaults are named in the Chinese text itself.
            let shown: Vec<String> = match a.get_value_names() {
                Some(names) => names.iter().map(|n| n.as_str().to_owned()).collect(),
                None => vec![a.get_id().as_str().to_uppercase()],
            };
            let zh: Vec<&str> = shown
                .iter()
                .filter_map(|n| VALUE_NAMES.iter().find(|(en, _)| en == n).map(|(_, zh)| *zh))
                .collect();
            let a =
                if zh.len() == shown.len() && a.get_action().takes_values() { a.value_names(zh) } else { a };
            let a = a
                .help_heading(if positional { "参数" } else { "选项" })
                .hide_possible_values(true)
                .hide_default_value(true);
            match help {
                Some(zh) => a.help(zh).long_help(None),
                None => a,
            }
        });
    }
    let usage = cmd.render_usage().to_string();
    let usage = usage.strip_prefix("Usage: ").unwrap_or(&usage).replace("[OPTIONS]", "[选项]");
    cmd = cmd.override_usage(usage);
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    for sub in subs {
        cmd = cmd.mut_subcommand(&sub, translate);
    }
    cmd
}

/// A usage error retold in Chinese, with clap's usage line.
pub fn usage_error(err: &clap::Error) -> String {
    let value = |kind| match err.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let arg = value(ContextKind::InvalidArg);
    let mut out = match err.kind() {
        ErrorKind::UnknownArgument => format!("错误：没有“{arg}”这个选项"),
        ErrorKind::InvalidSubcommand => {
            format!("错误：没有“{}”这个子命令", value(ContextKind::InvalidSubcommand))
        }
        ErrorKind::InvalidValue => format!("错误：{arg} 的值“{}”无效", value(ContextKind::InvalidValue)),
        // The value parsers word their reasons in the user's language.
        ErrorKind::ValueValidation => match std::error::Error::source(err) {
            Some(why) => format!("错误：{arg} 的值“{}”无效：{why}", value(ContextKind::InvalidValue)),
            None => format!("错误：{arg} 的值“{}”无效", value(ContextKind::InvalidValue)),
        },
        ErrorKind::MissingRequiredArgument => format!("错误：缺少必需的参数 {arg}"),
        ErrorKind::NoEquals
        | ErrorKind::TooManyValues
        | ErrorKind::TooFewValues
        | ErrorKind::WrongNumberOfValues => {
            format!("错误：{arg} 的值的个数不对")
        }
        ErrorKind::ArgumentConflict => {
            format!("错误：{arg} 不能和 {} 同时使用", value(ContextKind::PriorArg))
        }
        ErrorKind::MissingSubcommand => "错误：缺少子命令".to_owned(),
        // Bare `pressroom`: the (Chinese) help, as in English.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => return err.render().to_string(),
        _ => "错误：命令行有误".to_owned(),
    };
    let valid = value(ContextKind::ValidValue);
    if !valid.is_empty() {
        out.push_str(&format!("\n  可用：{valid}"));
    }
    for kind in [ContextKind::SuggestedArg, ContextKind::SuggestedSubcommand, ContextKind::SuggestedValue] {
        let s = value(kind);
        if !s.is_empty() {
            out.push_str(&format!("\n  提示：您是否想写“{s}”？"));
        }
    }
    let rendered = err.render().to_string();
    if let Some(usage) = rendered.lines().find_map(|l| l.strip_prefix("Usage: ")) {
        out.push_str(&format!("\n\n用法：{usage}"));
    }
    let command = rendered
        .lines()
        .find_map(|l| l.strip_prefix("For more information, try '").and_then(|r| r.strip_suffix("'.")));
    if let Some(command) = command {
        out.push_str(&format!("\n\n更多说明请在命令后加上“{command}”。"));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;
    use crate::cli::Cli;

    /// Every subcommand and every argument has its Chinese text.
    #[test]
    fn every_command_and_argument_is_translated() {
        let mut cmd = Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        let mut stack = vec![cmd];
        while let Some(c) = stack.pop() {
            if c.get_name() != "pressroom" && !COMMANDS.iter().any(|(n, _)| *n == c.get_name()) {
                missing.push(format!("command {}", c.get_name()));
            }
            for a in c.get_arguments() {
                if !ARGS.iter().any(|(id, _)| *id == a.get_id().as_str()) {
                    missing.push(format!("{} {}", c.get_name(), a.get_id()));
                }
            }
            stack.extend(c.get_subcommands().cloned());
        }
        assert!(missing.is_empty(), "no Chinese text for: {missing:?}");
    }

    #[test]
    fn help_is_chinese() {
        let mut cmd = localize(Cli::command());
        let help = cmd.render_help().to_string();
        assert!(help.contains("用法：") && help.contains("命令") && help.contains("生成文件"), "{help}");
        let mut build = cmd.find_subcommand_mut("build").expect("build").clone();
        let help = build.render_help().to_string();
        assert!(help.contains("或这个乡街") && help.contains("选项"), "{help}");
        assert!(!help.contains("Options:"), "{help}");
        // Value names are Chinese too: no <DIR>, <NAME> or [TARGETS].
        for en in ["<DIR>", "<NAME>", "[TARGETS]", "<FILE>"] {
            assert!(!help.contains(en), "{en} in {help}");
        }
        assert!(help.contains("<目录>") && help.contains("[生成项]"), "{help}");
    }

    /// A bare `pressroom` shows the Chinese help, not only “the command
    /// line is wrong”.
    #[test]
    fn a_bare_command_shows_the_help() {
        let err = localize(Cli::command()).try_get_matches_from(["pressroom"]).expect_err("no subcommand");
        let text = usage_error(&err);
        assert!(
            text.contains("用法：") && text.contains("生成文件") && !text.contains("命令行有误"),
            "{text}"
        );
    }

    #[test]
    fn usage_errors_are_retold() {
        let err = localize(Cli::command())
            .try_get_matches_from(["pressroom", "build", "--onyl", "x"])
            .expect_err("an unknown option");
        let text = usage_error(&err);
        assert!(
            text.contains("没有“--onyl”这个选项") && text.contains("--only") && text.contains("用法："),
            "{text}"
        );
        let err = localize(Cli::command())
            .try_get_matches_from(["pressroom", "biuld"])
            .expect_err("an unknown subcommand");
        let text = usage_error(&err);
        assert!(text.contains("没有“biuld”这个子命令") && text.contains("build"), "{text}");
    }
}
