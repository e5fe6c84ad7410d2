//! Saddle-stitch imposition: which booklet pages share each side of each
//! folded sheet, so that printing duplex and folding gives pages in order.

/// The sides of the sheets, in print order; each side holds the left and
/// right page numbers (1-based), 0 for a blank padding page. The page count
/// is padded to a multiple of four.
pub fn saddle_stitch(pages: usize) -> Vec<[usize; 2]> {
    let total = pages.div_ceil(4) * 4;
    let real = |p: usize| if p <= pages { p } else { 0 };
    let mut sides = Vec::with_capacity(total / 2);
    for sheet in 0..total / 4 {
        let outer = 2 * sheet;
        sides.push([real(total - outer), real(outer + 1)]);
        sides.push([real(outer + 2), real(total - outer - 1)]);
    }
    sides
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_pages_fold_in_order() {
        assert_eq!(saddle_stitch(8), vec![[8, 1], [2, 7], [6, 3], [4, 5]]);
    }

    #[test]
    fn pads_to_a_multiple_of_four_with_blanks() {
        assert_eq!(saddle_stitch(6), vec![[0, 1], [2, 0], [6, 3], [4, 5]]);
        assert_eq!(saddle_stitch(1).len(), 2);
    }

    #[test]
    fn every_page_appears_once() {
        for n in 1..40 {
            let mut seen: Vec<usize> = saddle_stitch(n).concat().into_iter().filter(|p| *p != 0).collect();
            seen.sort_unstable();
            assert_eq!(seen, (1..=n).collect::<Vec<_>>());
        }
    }
}
