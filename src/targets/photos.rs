//! Photo arrangements for the booklet: how many photos decide the frames
//! they are placed in, so each photo is downsampled to exactly its frame.
//! Layout is data: the template only places frames it is given.

/// One frame of an arrangement, in millimetres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// Frames for `count` photos on a chapter's photo page: a column `width` mm
/// wide with `budget` mm of height for the photos, their captions
/// (`caption` mm per row) and the gutters between rows. One photo gets a 4:3
/// frame across the column; two are stacked; three open with a wide frame
/// over a pair; four make a 2×2 grid; five a wide frame over a 2×2 grid;
/// more fill pairs.
pub fn arrange(count: usize, width: f64, budget: f64, gutter: f64, caption: f64) -> Vec<Frame> {
    let rows = match count {
        0 => return Vec::new(),
        1 => 1,
        2..=4 => 2,
        5 => 3,
        n => n.div_ceil(2),
    };
    let frames = budget - rows as f64 * caption - (rows - 1) as f64 * gutter;
    let full = |height: f64| Frame { width, height };
    let half = |height: f64| Frame { width: (width - gutter) / 2.0, height };
    match count {
        1 => vec![full((width * 0.75).min(frames))],
        2 => vec![full(frames / 2.0); 2],
        3 => vec![full(frames * 0.55), half(frames * 0.45), half(frames * 0.45)],
        4 => vec![half(frames / 2.0); 4],
        5 => std::iter::once(full(frames * 0.4)).chain(std::iter::repeat_n(half(frames * 0.3), 4)).collect(),
        n => vec![half(frames / n.div_ceil(2) as f64); n],
    }
}

/// The frames' total height when laid out in rows (a full-width frame takes
/// a row; half-width frames pair up).
pub fn stacked_height(frames: &[Frame], column: f64) -> f64 {
    let mut total = 0.0;
    let mut i = 0;
    while i < frames.len() {
        if frames[i].width >= column - 1e-6 {
            total += frames[i].height;
            i += 1;
        } else {
            total += frames[i].height.max(frames.get(i + 1).map_or(0.0, |f| f.height));
            i += 2;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_fit_the_column_and_the_budget() {
        for count in 1..=8 {
            let frames = arrange(count, 117.0, 120.0, 3.0, 7.0);
            assert_eq!(frames.len(), count);
            assert!(frames.iter().all(|f| f.width <= 117.0 + 1e-9));
            let rows = if count == 1 {
                1.0
            } else if count == 5 {
                3.0
            } else {
                count.div_ceil(2).max(2) as f64
            };
            let total = stacked_height(&frames, 117.0) + rows * 7.0 + (rows - 1.0) * 3.0;
            assert!(total <= 120.0 + 1e-9, "{count} photos are too tall: {total}");
        }
        assert_eq!(arrange(1, 117.0, 120.0, 3.0, 7.0)[0], Frame { width: 117.0, height: 87.75 });
        assert_eq!(arrange(4, 117.0, 120.0, 3.0, 7.0)[0].width, 57.0);
    }
}
