//! Breaking a long title into lines the way GB/T 9704 wants (B1): between
//! words, never inside one, in a symmetric shape (lines as even as possible,
//! the longest in the middle or at the bottom rather than a short last line).

use std::sync::LazyLock;

/// Width of one title line in character cells: 156 mm at 二号 (22 pt) with
/// the body's slight squeeze.
pub const TITLE_CELLS: f64 = 20.0;

static JIEBA: LazyLock<jieba_rs::Jieba> = LazyLock::new(jieba_rs::Jieba::new);

/// Starts building the word dictionary on a thread of its own. It takes
/// about a fifth of a second (a trie of some 350,000 words), which a build
/// otherwise waits for when it first breaks a title; started early, it
/// runs while content loads and township files are checked.
pub fn load_dictionary_in_background() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let _ = std::thread::Builder::new().name("pressroom-dictionary".into()).spawn(|| {
            LazyLock::force(&JIEBA);
        });
    });
}

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

/// Brackets whose phrase a title keeps on one line (K1).
const PAIRS: [(char, char); 4] = [('《', '》'), ('（', '）'), ('“', '”'), ('〔', '〕')];

/// Words of a title; a number stays with the unit after it (2023年, 82号),
/// and a bracketed or 《》 phrase that fits a line is one word (K1).
fn words(title: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // The phrase being collected, and the mark that closes it.
    let mut open: Option<(String, char)> = None;
    for token in JIEBA.cut(title, false) {
        let w = token.word;
        if let Some((phrase, close)) = open.as_mut() {
            phrase.push_str(w);
            if w.contains(*close) {
                let (phrase, _) = open.take().unwrap_or_default();
                if cells(&phrase) <= TITLE_CELLS {
                    out.push(phrase);
                } else {
                    out.extend(JIEBA.cut(&phrase, false).into_iter().map(|t| t.word.to_owned()));
                }
            }
            continue;
        }
        if let Some(&(_, close)) = PAIRS.iter().find(|(o, c)| w.starts_with(*o) && !w.contains(*c)) {
            open = Some((w.to_owned(), close));
            continue;
        }
        let glue = out.last().is_some_and(|prev| prev.chars().all(|c| c.is_ascii_digit()))
            && w.starts_with(['年', '月', '日', '号', '期', '届', '次']);
        match out.last_mut() {
            Some(prev) if glue => prev.push_str(w),
            _ => out.push(w.to_owned()),
        }
    }
    // An unclosed bracket: its words as they are.
    if let Some((phrase, _)) = open {
        out.extend(JIEBA.cut(&phrase, false).into_iter().map(|t| t.word.to_owned()));
    }
    out
}

/// An hourglass: a line between two longer ones (K1 wants lines growing,
/// shrinking or a diamond).
fn hourglass(widths: &[f64]) -> bool {
    widths.windows(3).any(|w| w[1] + 0.5 < w[0] && w[1] + 0.5 < w[2])
}

/// What is wrong, per K1, with title lines as a user gave them: a word or
/// a bracketed phrase split between lines, or an hourglass shape.
pub fn shape_problem(lines: &[String]) -> Option<crate::diag::Msg> {
    if lines.len() < 2 {
        return None;
    }
    for l in lines {
        for (o, c) in PAIRS {
            if l.matches(o).count() != l.matches(c).count() {
                return Some(crate::msg!("标题在“{}……{}”中间断行", "the title breaks inside “{}…{}”", o, c));
            }
        }
    }
    let joined = lines.concat();
    let mut bounds = std::collections::HashSet::new();
    let mut at = 0;
    for w in words(&joined) {
        at += w.len();
        bounds.insert(at);
    }
    let mut at = 0;
    for l in &lines[..lines.len() - 1] {
        at += l.len();
        if !bounds.contains(&at) {
            let (before, after) = joined.split_at(at);
            let tail: String = before.chars().rev().take(2).collect::<Vec<_>>().into_iter().rev().collect();
            let head: String = after.chars().take(2).collect();
            return Some(crate::msg!(
                "标题在词语中间断行：“{}|{}”",
                "the title breaks inside a word: “{}|{}”",
                tail,
                head
            ));
        }
    }
    let widths: Vec<f64> = lines.iter().map(|l| cells(l)).collect();
    hourglass(&widths).then(|| {
        crate::msg!(
            "标题中间一行比上下两行都短（沙漏形）",
            "a middle line of the title is shorter than the lines above and below it (an hourglass)"
        )
    })
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
        // Never an hourglass (K1) while another shape fits.
        let hourglass = if hourglass(&widths) { 1000.0 } else { 0.0 };
        Some(spread + if stub { 4.0 } else { 0.0 } - 30.0 * bonus + hourglass)
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
    fn a_bracketed_phrase_stays_on_one_line() {
        let title = "蚌山区人民政府办公室关于印发《蚌山区群众满意度调查提升总体工作方案》的通知";
        let lines = break_title(title, TITLE_CELLS);
        assert!(lines.iter().any(|l| l.contains("《蚌山区群众满意度调查提升总体工作方案》")), "{lines:?}");
    }

    #[test]
    fn given_lines_that_break_k1_are_named() {
        let lines = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(shape_problem(&lines(&["关于印发《蚌山区群众", "满意度方案》的通知"])).is_some());
        assert!(shape_problem(&lines(&["关于开展群众满", "意度调查工作的通知"])).is_some());
        assert!(
            shape_problem(&lines(&["蚌山区人民政府办公室", "关于", "开展群众满意度调查工作的通知"]))
                .is_some()
        );
        assert!(
            shape_problem(&lines(&["蚌山区人民政府办公室", "关于开展群众满意度调查工作的通知"])).is_none()
        );
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
