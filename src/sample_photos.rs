//! Deterministic sample photos: outdoor scenes drawn from a seed taken from
//! the file name (sky, hills, buildings with windows, a red banner, trees and
//! people, with sensor-like grain), so the same name and size always give the
//! same bytes. Used by the `sample-photos` tool (phone-size photos for the
//! example content) and by `pressroom new` (smaller photos, so that a new
//! project builds at once).
//!
//! A name containing "portrait" gives a portrait shot stored the way phones
//! store it: a landscape pixel grid plus EXIF orientation 6.

use std::path::Path;

use crate::output::write_atomic;
use crate::typeset::images::{exif_orientation, probe};

/// JPEG quality of the sample photos (a phone's).
pub const QUALITY: u8 = 90;

/// What [`write_photo`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// A photo of the right size was already there and was kept.
    Kept,
    /// The photo was written; this many bytes.
    Wrote(usize),
}

/// Whether a file name asks for a portrait shot.
pub fn is_portrait(name: &str) -> bool {
    name.contains("portrait")
}

/// Writes the sample photo for the file name of `path`, `long`×`short`
/// pixels (turned for a portrait name), unless a photo of that size is
/// already there. The file name seeds the scene.
pub fn write_photo(path: &Path, long: u32, short: u32) -> Result<Written, String> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (width, height) = if is_portrait(&name) { (short, long) } else { (long, short) };
    if probe(path) == Ok((width, height)) {
        return Ok(Written::Kept);
    }
    let bytes = scene_jpeg(&name, long, short)?;
    write_atomic(path, &bytes).map_err(|e| e.to_string())?;
    Ok(Written::Wrote(bytes.len()))
}

/// The sample photo for the file name `name` as JPEG bytes: `long`×`short`
/// pixels stored, shown upright as `short`×`long` when `name` is a portrait.
/// Both sides must fit in a JPEG's 65535 pixels.
pub fn scene_jpeg(name: &str, long: u32, short: u32) -> Result<Vec<u8>, String> {
    let (Ok(long16), Ok(short16)) = (u16::try_from(long), u16::try_from(short)) else {
        return Err(format!("{long}×{short} is too large for a JPEG"));
    };
    let portrait = is_portrait(name);
    let (width, height) = if portrait { (short, long) } else { (long, short) };
    let upright = draw(width, height, seed(name));
    let mut out = Vec::with_capacity(long as usize * short as usize / 2);
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, QUALITY);
    let pixels = if portrait {
        // Phones keep the sensor's landscape grid and record the turn in
        // EXIF: orientation 6 shows the stored image turned 90° clockwise,
        // so store the upright picture turned 90° counter-clockwise.
        encoder.add_exif_metadata(&exif_orientation(6)).map_err(|e| e.to_string())?;
        let upright =
            image::RgbImage::from_raw(width, height, upright).ok_or("canvas size mismatch".to_owned())?;
        image::imageops::rotate270(&upright).into_raw()
    } else {
        upright
    };
    encoder.encode(&pixels, long16, short16, jpeg_encoder::ColorType::Rgb).map_err(|e| e.to_string())?;
    Ok(out)
}

/// FNV-1a of the file name: distinct, stable scenes without a clock.
fn seed(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// xorshift64*: small, fast, and plenty random for drawing.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * ((self.next() >> 40) as f32 / (1u64 << 24) as f32)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }

    /// `color` with each channel shifted by up to ±`by`.
    fn vary(&mut self, color: [u8; 3], by: f32) -> [u8; 3] {
        color.map(|c| (f32::from(c) + self.range(-by, by)).clamp(0.0, 255.0) as u8)
    }
}

struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn put(&mut self, x: u32, y: u32, color: [u8; 3]) {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        self.pixels[i..i + 3].copy_from_slice(&color);
    }

    /// Pixel range covered by [lo, hi) along an axis of length `len`.
    fn span(lo: f32, hi: f32, len: u32) -> std::ops::Range<u32> {
        (lo.max(0.0) as u32).min(len)..(hi.max(0.0) as u32).min(len)
    }

    fn rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, color: [u8; 3]) {
        let xs = Self::span(x0, x1, self.width);
        for y in Self::span(y0, y1, self.height) {
            let row = y as usize * self.width as usize * 3;
            for px in self.pixels[row + xs.start as usize * 3..row + xs.end as usize * 3].chunks_exact_mut(3)
            {
                px.copy_from_slice(&color);
            }
        }
    }

    /// An ellipse at `centre` with `radii`, blended in with `opacity` and
    /// fading out over its outer `soft` fraction (clouds, canopies).
    fn ellipse(&mut self, centre: (f32, f32), radii: (f32, f32), color: [u8; 3], opacity: f32, soft: f32) {
        let ((cx, cy), (rx, ry)) = (centre, radii);
        for y in Self::span(cy - ry, cy + ry, self.height) {
            let dy = (y as f32 - cy) / ry;
            for x in Self::span(cx - rx, cx + rx, self.width) {
                let dx = (x as f32 - cx) / rx;
                let d = dx * dx + dy * dy;
                if d >= 1.0 {
                    continue;
                }
                let a = opacity * ((1.0 - d) / soft.max(1e-3)).min(1.0);
                let i = (y as usize * self.width as usize + x as usize) * 3;
                for (c, &t) in self.pixels[i..i + 3].iter_mut().zip(&color) {
                    *c = (f32::from(*c) * (1.0 - a) + f32::from(t) * a) as u8;
                }
            }
        }
    }
}

fn lerp(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    std::array::from_fn(|i| (f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * t) as u8)
}

/// Skies: (zenith, horizon) colours for clear, hazy, evening and overcast days.
const SKIES: [([u8; 3], [u8; 3]); 4] = [
    ([52, 110, 196], [176, 208, 236]),
    ([120, 156, 196], [222, 226, 224]),
    ([64, 84, 150], [244, 182, 128]),
    ([148, 154, 164], [212, 214, 216]),
];
/// Grounds: (far, near) colours for grass, a paved square, and dusty earth.
const GROUNDS: [([u8; 3], [u8; 3]); 3] =
    [([120, 150, 90], [62, 104, 44]), ([178, 172, 162], [120, 114, 106]), ([186, 160, 120], [128, 100, 70])];
const FACADES: [[u8; 3]; 6] =
    [[232, 228, 218], [214, 196, 166], [168, 170, 176], [176, 92, 72], [150, 182, 204], [236, 214, 190]];
const CLOTHES: [[u8; 3]; 10] = [
    [200, 30, 36],
    [30, 60, 140],
    [240, 240, 236],
    [40, 40, 44],
    [232, 180, 40],
    [60, 130, 80],
    [120, 70, 150],
    [230, 120, 40],
    [90, 150, 210],
    [210, 150, 170],
];
const SKIN: [[u8; 3]; 4] = [[236, 196, 164], [218, 172, 136], [196, 148, 112], [170, 120, 88]];

/// Draws an upright outdoor scene as RGB pixels.
fn draw(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let (w, h) = (width as f32, height as f32);
    let mut canvas = Canvas { width, height, pixels: vec![0; width as usize * height as usize * 3] };
    let horizon = h * rng.range(0.48, 0.62);
    let (zenith, sky_low) = rng.pick(&SKIES);
    let (far, near) = rng.pick(&GROUNDS);
    let hill_color = lerp(sky_low, [70, 96, 86], rng.range(0.35, 0.6));

    // Sky, a ridge of distant hills, and ground fading into haze.
    let (f1, f2, p1, p2) =
        (rng.range(1.5, 4.0), rng.range(6.0, 11.0), rng.range(0.0, 6.3), rng.range(0.0, 6.3));
    let ridge: Vec<f32> = (0..width)
        .map(|x| {
            let t = x as f32 / w * std::f32::consts::TAU;
            horizon - h * (0.06 + 0.035 * (t * f1 / 2.0 + p1).sin() + 0.012 * (t * f2 + p2).sin())
        })
        .collect();
    for y in 0..height {
        let fy = y as f32;
        let sky = lerp(zenith, sky_low, (fy / horizon).min(1.0).powf(0.7));
        let hill = lerp(hill_color, sky_low, 0.25 * (1.0 - (horizon - fy) / (0.1 * h)).clamp(0.0, 1.0));
        let ground = lerp(far, near, ((fy - horizon) / (h - horizon)).clamp(0.0, 1.0).powf(0.6));
        for (x, &top) in ridge.iter().enumerate() {
            let color = if fy >= horizon {
                ground
            } else if fy >= top {
                hill
            } else {
                sky
            };
            canvas.put(x as u32, y, color);
        }
    }
    for _ in 0..(rng.next() % 5 + 2) {
        let (cx, cy) = (rng.range(0.0, w), rng.range(0.05, 0.35) * h);
        for _ in 0..4 {
            let rx = rng.range(0.05, 0.12) * w;
            canvas.ellipse(
                (cx + rng.range(-0.08, 0.08) * w, cy + rng.range(-0.02, 0.02) * h),
                (rx, rx * rng.range(0.25, 0.4)),
                [250, 250, 252],
                rng.range(0.4, 0.8),
                0.8,
            );
        }
    }

    // Buildings standing on the horizon, far (short) ones first.
    let mut buildings: Vec<(f32, f32, f32)> = (0..(rng.next() % 6 + 3))
        .map(|_| (rng.range(-0.05, 0.95) * w, rng.range(0.06, 0.2) * w, rng.range(0.1, 0.38) * h))
        .collect();
    buildings.sort_by(|a, b| a.2.total_cmp(&b.2));
    let banner_on = rng.next() as usize % buildings.len();
    for (i, &(x, bw, bh)) in buildings.iter().enumerate() {
        let base = horizon + h * 0.01;
        let facade = rng.pick(&FACADES);
        let facade = rng.vary(facade, 12.0);
        canvas.rect(x, base - bh, x + bw, base, facade);
        canvas.rect(
            x - bw * 0.02,
            base - bh - h * 0.008,
            x + bw * 1.02,
            base - bh,
            lerp(facade, [0; 3], 0.3),
        );
        let (cols, rows) = ((bw / (w * 0.018)) as u32, (bh / (h * 0.045)) as u32);
        let (cell_w, cell_h) = (bw / cols.max(1) as f32, bh / rows.max(1) as f32);
        for r in 0..rows.saturating_sub(1) {
            for c in 0..cols {
                let lit = rng.next().is_multiple_of(7);
                let glass = if lit { [236, 222, 170] } else { rng.vary([70, 86, 104], 14.0) };
                let (wx, wy) = (x + c as f32 * cell_w, base - bh + (r as f32 + 0.5) * cell_h);
                canvas.rect(wx + cell_w * 0.2, wy, wx + cell_w * 0.8, wy + cell_h * 0.55, glass);
            }
        }
        if i == banner_on {
            // A red banner with a line of pale "characters".
            let (by, bh2) = (base - bh * 0.35, h * 0.035);
            canvas.rect(x + bw * 0.05, by, x + bw * 0.95, by + bh2, [196, 24, 30]);
            let n = ((bw * 0.8) / (bh2 * 0.9)) as u32;
            for k in 0..n {
                let cx = x + bw * 0.1 + k as f32 * bh2 * 0.9;
                canvas.rect(cx, by + bh2 * 0.2, cx + bh2 * 0.6, by + bh2 * 0.8, [246, 222, 120]);
            }
        }
    }

    // Trees and people on the ground, painted back to front; nearer means
    // lower in the frame and larger.
    let mut figures: Vec<(f32, f32, bool)> = (0..(rng.next() % 10 + 6))
        .map(|_| (rng.range(0.0, 1.0).powf(1.6), rng.range(-0.02, 1.02) * w, rng.next().is_multiple_of(3)))
        .collect();
    figures.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (depth, x, is_tree) in figures {
        let foot = horizon + (h - horizon) * (0.05 + 0.9 * depth);
        let scale = 0.25 + 1.6 * depth;
        if is_tree {
            let (tw, th) = (h * 0.02 * scale, h * 0.22 * scale);
            canvas.rect(x - tw / 2.0, foot - th, x + tw / 2.0, foot, rng.vary([96, 70, 48], 10.0));
            for _ in 0..5 {
                let r = th * rng.range(0.22, 0.34);
                let green = rng.vary([58, 112, 52], 18.0);
                let (cx, cy) = (x + rng.range(-0.25, 0.25) * th, foot - th + rng.range(-0.15, 0.2) * th);
                canvas.ellipse((cx, cy), (r, r * 0.9), green, 1.0, 0.15);
            }
        } else {
            person(&mut canvas, &mut rng, x, foot, h * 0.16 * scale);
        }
    }

    texture(&mut canvas, &mut rng, &ridge);
    grain(&mut canvas, &mut rng);
    canvas.pixels
}

/// Surface detail at the scale of leaves, grass and brickwork (a few to a
/// few dozen pixels): two octaves of value noise. Grain alone is averaged
/// away by downsampling, leaving flat areas that compress like a drawing;
/// real photos keep their detail at print size, and so do these. The sky
/// above the hills' `ridge` gets a trace of it (air has little texture).
fn texture(canvas: &mut Canvas, rng: &mut Rng, ridge: &[f32]) {
    let (w, h) = (canvas.width as usize, canvas.height as usize);
    // Cell sizes relative to the width, so a small photo looks the same.
    for (cells_across, amplitude) in [(500usize, 22i32), (150, 16)] {
        let cell = (w / cells_across).max(2);
        let (gw, gh) = (w / cell + 2, h / cell + 2);
        let lattice: Vec<i32> = (0..gw * gh).map(|_| (rng.next() % 256) as i32 - 128).collect();
        let row_len = w * 3;
        for (y, row) in canvas.pixels.chunks_exact_mut(row_len).enumerate() {
            let (gy, ty) = (y / cell, (y % cell) * 256 / cell);
            let (top, bottom) = (&lattice[gy * gw..(gy + 1) * gw], &lattice[(gy + 1) * gw..(gy + 2) * gw]);
            for (x, px) in row.chunks_exact_mut(3).enumerate() {
                let (gx, tx) = (x / cell, ((x % cell) * 256 / cell) as i32);
                let ty = ty as i32;
                let upper = top[gx] * (256 - tx) + top[gx + 1] * tx;
                let lower = bottom[gx] * (256 - tx) + bottom[gx + 1] * tx;
                let v = (upper * (256 - ty) + lower * ty) >> 16; // -128..127
                let strength = if (y as f32) < ridge[x] { 3 } else { 16 };
                let delta = v * amplitude * strength / (128 * 16);
                for c in px.iter_mut() {
                    *c = (i32::from(*c) + delta).clamp(0, 255) as u8;
                }
            }
        }
    }
}

/// A standing figure `tall` pixels high with its feet at (`x`, `foot`).
fn person(canvas: &mut Canvas, rng: &mut Rng, x: f32, foot: f32, tall: f32) {
    let shirt = rng.pick(&CLOTHES);
    let trousers = rng.pick(&[[40, 44, 60], [70, 70, 74], [30, 30, 34]]);
    let trousers = rng.vary(trousers, 8.0);
    let skin = rng.pick(&SKIN);
    let u = tall / 8.0; // head height: a figure is about eight heads tall
    let hip = foot - 3.8 * u;
    let shoulder = foot - 6.7 * u;
    canvas.rect(x - 0.75 * u, hip, x - 0.1 * u, foot, trousers);
    canvas.rect(x + 0.1 * u, hip, x + 0.75 * u, foot, trousers);
    canvas.rect(x - 0.95 * u, shoulder, x + 0.95 * u, hip + 0.3 * u, shirt);
    canvas.rect(x - 1.3 * u, shoulder + 0.1 * u, x - 0.95 * u, hip, lerp(shirt, [0; 3], 0.15));
    canvas.rect(x + 0.95 * u, shoulder + 0.1 * u, x + 1.3 * u, hip, lerp(shirt, [0; 3], 0.15));
    canvas.ellipse((x, shoulder - 0.6 * u), (0.42 * u, 0.55 * u), skin, 1.0, 0.1);
    canvas.ellipse((x, shoulder - 0.85 * u), (0.45 * u, 0.35 * u), [28, 24, 22], 1.0, 0.1);
}

/// Sensor-like grain and lens vignetting: what makes a synthetic picture
/// compress like a photo (a few MB at quality 90) instead of a drawing.
fn grain(canvas: &mut Canvas, rng: &mut Rng) {
    let falloff = |t: f32| (65536.0 * (1.0 - 0.18 * (2.0 * t - 1.0).powi(2))) as u32;
    let fx: Vec<u32> = (0..canvas.width).map(|x| falloff(x as f32 / canvas.width as f32)).collect();
    let row_len = canvas.width as usize * 3;
    for (y, row) in canvas.pixels.chunks_exact_mut(row_len).enumerate() {
        let fy = falloff(y as f32 / canvas.height as f32);
        for (px, &fx) in row.chunks_exact_mut(3).zip(&fx) {
            let r = rng.next();
            let luma = (r & 31) as i32 - 16; // shared by the channels, like luminance noise
            let gain = ((u64::from(fx) * u64::from(fy)) >> 16) as i32;
            for (k, c) in px.iter_mut().enumerate() {
                let chroma = ((r >> (8 + 8 * k)) & 7) as i32 - 4;
                *c = (((i32::from(*c) * gain) >> 16) + luma * 3 / 4 + chroma).clamp(0, 255) as u8;
            }
        }
    }
}
