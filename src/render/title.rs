//! Breaking a long title into lines the way GB/T 9704 wants (B1): between
//! words, never inside one, in a symmetric shape (lines as even as possible,
//! the longest in the middle or at the bottom rather than a short last line).

use std::sync::LazyLock;

/// Width of one title line in character cells: 156 mm at 二号 (22 pt) with
/// the body's slight squeeze.
pub const TITLE_CELLS: f64 = 20.0;

static JIEBA: LazyLock<jieba_rs::Jieba> = LazyLock::new(jieba_rs::Jieba::new);

/// Width of text in character cells: CJK and full-width marks are one cell,
/// ASCII is half a cell.
pub fn cells(text: &str) -> f64 {
    text.chars().filter(|c| !c.is_whitespace()).map(|c| if c.is_ascii() { 0.5 } else { 1.0 }).sum()
}

/// Splits `title` into as few lines as fit `max_cells`, choosing word
/// boundaries that make the lines most even.
pub fn break_title(title: &str, max_cells: f64) -> Vec<String> {
    if cells(title) <= max_cells {
        return vec![title.to_owned()];
    }
    let words = words(title);
    let widths: Vec<f64> = words.iter().map(|w| cells(w)).collect();
    let preferred: Vec<bool> = words.iter().map(|w| w.starts_with("关于")).collect();
    let total: f64 = widths.iter().sum();
    let min_lines = (total / max_cells).ceil() as usize;
    // One more line than the minimum is allowed when it gives a better shape
    // (typically the issuer alone on the first line, as offices write it).
    let best = (min_lines..=min_lines + 1)
        .filter_map(|lines| best_breaks(&widths, &preferred, lines, max_cells))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let Some((_, breaks)) = best else { return vec![title.to_owned()] };
    let mut out = Vec::new();
    let mut start = 0;
    for end in breaks.into_iter().chain([words.len()]) {
        out.push(words[start..end].concat());
        start = end;
    }
    out
}

/// Words of a title; a number stays with the unit after it (2023年, 82号).
fn words(title: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for token in JIEBA.cut(title, false) {
        let glue = out.last().is_some_and(|prev| prev.chars().all(|c| c.is_ascii_digit()))
            && token.word.starts_with(['年', '月', '日', '号', '期', '届', '次']);
        match out.last_mut() {
            Some(prev) if glue => prev.push_str(token.word),
            _ => out.push(token.word.to_owned()),
        }
    }
    out
}

/// The break positions (word indices where lines 2.. start) that fit and
/// minimise the spread of line widths; ties go to shapes whose last line is
/// not the shortest (a diamond or trapezoid rather than a stub).
fn best_breaks(widths: &[f64], preferred: &[bool], lines: usize, max: f64) -> Option<(f64, Vec<usize>)> {
    let n = widths.len();
    if lines > n {
        return None;
    }
    let mean = widths.iter().sum::<f64>() / lines as f64;
    let mut best: Option<(f64, Vec<usize>)> = None;
    let mut breaks = Vec::with_capacity(lines - 1);
    let search = Search { widths, preferred, max, mean, n };
    search.run(0, lines, &mut breaks, &mut best);
    best
}

/// Exhaustive search over break positions (titles have a few dozen words).
struct Search<'a> {
    widths: &'a [f64],
    preferred: &'a [bool],
    max: f64,
    mean: f64,
    n: usize,
}

impl Search<'_> {
    fn run(
        &self,
        start: usize,
        lines_left: usize,
        breaks: &mut Vec<usize>,
        best: &mut Option<(f64, Vec<usize>)>,
    ) {
        if lines_left == 1 {
            if let Some(score) = self.score(breaks)
                && best.as_ref().is_none_or(|(b, _)| score < *b - 1e-9)
            {
                *best = Some((score, breaks.clone()));
            }
            return;
        }
        let mut width = 0.0;
        for end in start + 1..self.n {
            width += self.widths[end - 1];
            if width > self.max {
                break;
            }
            breaks.push(end);
            self.run(end, lines_left - 1, breaks, best);
            breaks.pop();
        }
    }

    /// Lower is better: squared deviation from even lines, a penalty for a
    /// stub last line, a bonus for breaking before 关于.
    fn score(&self, breaks: &[usize]) -> Option<f64> {
        let mut widths = Vec::new();
        let mut s = 0;
        for &end in breaks.iter().chain([&self.n]) {
            widths.push(self.widths[s..end].iter().sum::<f64>());
            s = end;
        }
        if widths.iter().any(|w| *w > self.max) {
            return None;
        }
        let spread: f64 = widths.iter().map(|w| (w - self.mean).powi(2)).sum();
        let last = widths[widths.len() - 1];
        let stub = widths.iter().all(|w| *w >= last) && widths.iter().any(|w| *w > last);
        let bonus = breaks.iter().filter(|b| self.preferred[**b]).count() as f64;
        Some(spread + if stub { 4.0 } else { 0.0 } - 30.0 * bonus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_title_breaks_into_a_diamond() {
        let title = "蚌山区人民政府办公室关于印发蚌山区2023年群众满意度调查提升总体工作方案的通知";
        let lines = break_title(title, TITLE_CELLS);
        assert_eq!(lines[0], "蚌山区人民政府办公室", "{lines:?}");
        assert!(lines[1].starts_with("关于印发蚌山区2023年"), "{lines:?}");
        let widths: Vec<f64> = lines.iter().map(|l| cells(l)).collect();
        assert!(widths[1] >= widths[0] && widths[1] >= widths[2], "not a diamond: {lines:?}");
    }

    #[test]
    fn short_titles_stay_on_one_line() {
        assert_eq!(break_title("关于测试的通知", TITLE_CELLS), vec!["关于测试的通知"]);
    }

    #[test]
    fn long_titles_break_between_words_into_even_lines() {
        let title = "蚌山区人民政府办公室关于印发蚌山区2023年群众满意度调查提升总体工作方案的通知";
        let lines = break_title(title, TITLE_CELLS);
        assert_eq!(lines.concat(), title);
        assert!(lines.len() == 2 || lines.len() == 3, "{lines:?}");
        for l in &lines {
            assert!(cells(l) <= TITLE_CELLS, "{l} is too long");
        }
        // Whole words: no line starts or ends inside 满意度, 工作, 方案, 通知.
        for w in ["满意度", "工作", "方案", "通知", "蚌山区"] {
            assert!(lines.iter().any(|l| l.contains(w)), "{w} was split: {lines:?}");
        }
    }
}
