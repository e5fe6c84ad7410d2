//! Stage 2, render: expands the minijinja expressions in content text
//! (`{{ year }}`, loops over the registries, date filters) in strict mode, and
//! parses the result as rich text. Content text never becomes typst code: what
//! comes out of here is plain data.

pub mod richtext;
pub mod title;

use std::path::Path;

use minijinja::{Environment, ErrorKind, UndefinedBehavior, Value};
use serde_json::{Map, Value as Json, json};

use crate::content::date::Date;
use crate::content::{CampaignFile, Sources, Text};
use crate::diag::{Diagnostic, Diagnostics, Location, line_col};
use crate::msg;

/// Upper bound on template work per text; stops runaway loops in content.
const FUEL: u64 = 50_000;

/// Renders content text against the campaign's facts, collecting every
/// template error rather than stopping at the first.
pub struct Renderer<'a> {
    env: Environment<'static>,
    context: std::sync::Arc<Map<String, Json>>,
    /// `context` as a template value, made once: converting the campaign's
    /// facts (thousands of townships, in a large district) for every text
    /// made rendering quadratic.
    value: Value,
    sources: &'a Sources,
    /// Problems found so far.
    pub diags: Diagnostics,
}

impl<'a> Renderer<'a> {
    /// A renderer whose context holds the campaign's facts.
    pub fn new(campaign: &CampaignFile, sources: &'a Sources) -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        env.set_recursion_limit(20);
        env.add_filter("cn_date", |d: String| date_filter(&d, Date::chinese));
        env.add_filter("md", |d: String| date_filter(&d, Date::month_day));
        let context = campaign_context(campaign);
        let value = Value::from(minijinja::value::Serde(&context));
        Self { env, context: std::sync::Arc::new(context), value, sources, diags: Vec::new() }
    }

    /// A renderer with the same context and no diagnostics, cheap to make:
    /// one per document on worker threads.
    pub fn fork(&self) -> Self {
        Self {
            env: self.env.clone(),
            context: self.context.clone(),
            value: self.value.clone(),
            sources: self.sources,
            diags: Vec::new(),
        }
    }

    /// Adds or replaces a name in the context.
    pub fn set(&mut self, name: &str, value: Json) {
        std::sync::Arc::make_mut(&mut self.context).insert(name.to_owned(), value);
        self.value = Value::from(minijinja::value::Serde(&*self.context));
    }

    /// Renders one text from `file`, with extra names visible only to it.
    /// On error, records a diagnostic at the offending line and returns "".
    pub fn text(&mut self, file: &str, text: &Text, extra: &[(&str, Json)]) -> String {
        if !text.value.contains("{{") && !text.value.contains("{%") && !text.value.contains("{#") {
            return text.value.clone();
        }
        let base = self.value.clone();
        let value = if extra.is_empty() {
            base
        } else {
            let extra: Map<String, Json> = extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
            // The first map wins: names given for this text shadow the campaign's.
            minijinja::value::merge_maps([Value::from(minijinja::value::Serde(&extra)), base])
        };
        match self.env.render_str(&text.value, value) {
            Ok(out) => out,
            Err(err) => {
                let at = err.range().map(|r| r.start).or_else(|| {
                    let line = err.line()?;
                    crate::diag::offset_of(&text.value, line, 1)
                });
                let location = locate_in_value(self.sources, file, text, at.unwrap_or(0));
                let mut d = template_error(&err, location);
                let mut ctx = (*self.context).clone();
                for (k, v) in extra {
                    ctx.insert((*k).to_owned(), v.clone());
                }
                if err.kind() == ErrorKind::UndefinedError
                    && let Some(better) = explain_undefined(&text.value, &err, &ctx)
                {
                    d.message = better.0;
                    d.hint = Some(better.1);
                }
                self.diags.push(d);
                String::new()
            }
        }
    }

    /// Where a content text starts, for diagnostics about it.
    pub fn locate(&self, file: &str, text: &Text) -> Location {
        self.sources.locate(Path::new(file), &text.referenced)
    }

    /// Renders a text and parses it as rich text.
    pub fn rich(&mut self, file: &str, text: &Text, extra: &[(&str, Json)]) -> Vec<richtext::Block> {
        richtext::parse(&self.text(file, text, extra))
    }
}

fn date_filter(text: &str, f: fn(&Date) -> String) -> Result<String, minijinja::Error> {
    Date::parse(text)
        .map(|d| f(&d))
        .ok_or_else(|| minijinja::Error::new(ErrorKind::InvalidOperation, format!("not a date: {text}")))
}

/// The names content text can use: the campaign's facts, with departments
/// resolved to their full names.
fn campaign_context(c: &CampaignFile) -> Map<String, Json> {
    let dept = |key: &str| {
        c.departments
            .iter()
            .find(|(k, _)| k.value == key)
            .map_or_else(|| key.to_owned(), |(_, v)| v.value.clone())
    };
    let departments: Map<String, Json> =
        c.departments.iter().map(|(k, v)| (k.value.clone(), json!(v.value))).collect();
    let areas: Vec<Json> = c
        .areas
        .iter()
        .map(|a| {
            json!({
                "id": a.id.value,
                "indicator": a.indicator.value,
                "wording": a.wording.as_ref().unwrap_or(&a.indicator).value,
                "leads": a.leads.iter().map(|l| dept(&l.value)).collect::<Vec<_>>(),
                "in_survey": a.in_survey,
            })
        })
        .collect();
    let facts: Map<String, Json> = c.facts.iter().map(|(k, v)| (k.value.clone(), json!(v.value))).collect();
    let phases: Vec<Json> = c
        .phases
        .iter()
        .map(|p| json!({ "name": p.name.value, "end": p.end.as_ref().map(|e| e.value.to_string()) }))
        .collect();
    let townships: Vec<Json> = c.townships.iter().map(|t| json!(t.value)).collect();
    // A fact the campaign does not give is left out, not set empty, so that
    // a text using it is an error naming it (see `missing_fact`).
    let mut m = Map::new();
    let mut put = |name: &str, value: Option<Json>| {
        if let Some(v) = value {
            m.insert(name.into(), v);
        }
    };
    let text = |t: &Option<crate::content::Text>| t.as_ref().map(|t| json!(t.value));
    put("year", c.year().map(|y| json!(y)));
    put("city", text(&c.city));
    put("district", text(&c.district));
    put("office", text(&c.office));
    put("departments", (!departments.is_empty()).then_some(Json::Object(departments)));
    put("townships", (!townships.is_empty()).then_some(Json::Array(townships)));
    put("areas", (!areas.is_empty()).then_some(Json::Array(areas)));
    put("phases", (!phases.is_empty()).then_some(Json::Array(phases)));
    put("facts", (!facts.is_empty()).then_some(Json::Object(facts)));
    // The hotline is optional even in a campaign: templates test it.
    m.insert("hotline".into(), json!(c.hotline.as_ref().map(|h| h.value.clone())));
    m
}

/// The names of the campaign's facts, as content texts use them.
const CAMPAIGN_FACTS: [&str; 9] =
    ["year", "city", "district", "office", "departments", "townships", "areas", "phases", "facts"];

/// The message for a text that uses a campaign fact the project does not
/// give: which expression, which fact, where to give it.
fn missing_fact(expr: &str, fact: &str) -> (crate::diag::Msg, crate::diag::Msg) {
    (
        msg!(
            "表达式 {{{{ {} }}}} 用到了活动信息“{}”，但 {} 中没有给出",
            "the expression {{{{ {} }}}} uses the campaign fact “{}”, which {} does not give",
            expr,
            fact,
            crate::content::CAMPAIGN_FILE
        ),
        msg!(
            "在 {} 中写上 {}，或把表达式换成文字。",
            "give {1} in {0}, or write the text out instead of the expression.",
            crate::content::CAMPAIGN_FILE,
            fact
        ),
    )
}

/// Names the undefined name in `{{ … }}` and suggests the closest defined
/// one: `yaer` → `year`, `departments.财政局` → the registered departments.
fn explain_undefined(
    source: &str,
    err: &minijinja::Error,
    ctx: &Map<String, Json>,
) -> Option<(crate::diag::Msg, crate::diag::Msg)> {
    let range = err.range()?;
    let expr = source.get(range)?.trim();
    let path: Vec<&str> = expr
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .find(|w| !w.is_empty())?
        .split('.')
        .collect();
    // Walk the context along the dotted path to the first missing part.
    let mut scope = ctx;
    for (i, part) in path.iter().enumerate() {
        match scope.get(*part) {
            Some(Json::Object(inner)) => scope = inner,
            Some(_) => return None,
            None if i == 0 && CAMPAIGN_FACTS.contains(part) => return Some(missing_fact(expr, part)),
            None => {
                let name = path[..=i].join(".");
                let keys: Vec<&str> = scope.keys().map(String::as_str).collect();
                let hint = match crate::diag::did_you_mean(part, keys.iter().copied()) {
                    Some(s) => msg!(
                        "您是否想写“{}”？",
                        "did you mean “{}”?",
                        path[..i].iter().chain([&s]).copied().collect::<Vec<_>>().join(".")
                    ),
                    None if i > 0 => {
                        msg!("{} 下可用：{}", "available under {}: {}", path[..i].join("."), keys.join("、"))
                    }
                    None => msg!("可用的名称：{}", "available names: {}", keys.join(", ")),
                };
                return Some((
                    msg!("模板中的名称“{}”没有定义", "undefined name “{}” in the template expression", name),
                    hint,
                ));
            }
        }
    }
    None
}

fn template_error(err: &minijinja::Error, location: Location) -> Diagnostic {
    let detail = err.detail().map(str::to_owned).unwrap_or_else(|| err.kind().to_string());
    let (message, hint) = match err.kind() {
        ErrorKind::UndefinedError => (
            msg!("模板中引用了未定义的名称：{}", "undefined name in template expression: {}", detail),
            msg!(
                "可用的名称有 year、city、district、office、departments.简称、townships、areas、phases、facts.名称 等；请检查拼写。",
                "available names include year, city, district, office, departments.<short>, townships, areas, phases, facts.<name>; check the spelling."
            ),
        ),
        ErrorKind::TemplateNotFound => (
            msg!(
                "内容中的模板不能引用其他文件：{}",
                "templates in content cannot include other files: {}",
                detail
            ),
            msg!("请直接写出文字。", "write the text out instead."),
        ),
        ErrorKind::OutOfFuel => (
            msg!("模板表达式运行太久，已停止", "the template expression ran too long and was stopped"),
            msg!("请简化循环。", "simplify the loop."),
        ),
        _ => (
            msg!("模板表达式错误：{}", "template expression error: {}", detail),
            msg!(
                "表达式写在 {{{{ }}}} 中，例如 {{{{ year }}}}；若要原样输出花括号，请写 {{{{ \"{{{{\" }}}}。",
                "expressions go inside {{{{ }}}}, e.g. {{{{ year }}}}; to print braces literally write {{{{ \"{{{{\" }}}}."
            ),
        ),
    };
    Diagnostic::error("content/template", message).at(location).hint(hint)
}

/// The file location of byte `at` inside a YAML string value. Block scalars
/// (`|`) start on the line after their indicator; quoted ones one character in.
pub fn locate_in_value(sources: &Sources, file: &str, text: &Text, at: usize) -> Location {
    let path = Path::new(file);
    let base = sources.locate(path, &text.referenced);
    let (Some(src), Some(start)) = (sources.get(path), base.offset) else {
        return base;
    };
    let mut at = at.min(text.value.len());
    while !text.value.is_char_boundary(at) {
        at -= 1;
    }
    let (line_in_value, col_in_value) = line_col(&text.value, at);
    let rest = &src[start.min(src.len())..];
    let mut loc = if rest.starts_with('|') || rest.starts_with('>') {
        let first = start + rest.find('\n').map_or(rest.len(), |i| i + 1);
        let indent = src[first..].chars().take_while(|c| *c == ' ').count();
        let (line, _) = line_col(src, first);
        Location::new(path, line + line_in_value - 1, indent + col_in_value)
    } else {
        let quote = usize::from(rest.starts_with('"') || rest.starts_with('\''));
        Location::new(path, base.line + line_in_value - 1, base.column + quote + col_in_value - 1)
    };
    loc.offset = crate::diag::offset_of(src, loc.line, loc.column);
    loc.len = text.value[at.min(text.value.len())..].chars().next().map_or(0, char::len_utf8);
    loc
}
