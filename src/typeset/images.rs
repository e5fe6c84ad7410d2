//! Photos, downsampled to their placed size before typst sees them.
//!
//! typst decodes every raster at full resolution and embeds it as is, so ten
//! 12-megapixel phone photos cost half a gigabyte of memory and a 48 MB PDF.
//! [`prepare`] turns a photo into a JPEG (or a PNG, when it has transparency)
//! with just the pixels its placement needs, with the EXIF orientation
//! applied and the metadata (location, camera) dropped, and caches the result
//! by content so a second build does no image work at all.

use std::fs;
use std::io::{self, Cursor};
use std::path::{Path, PathBuf};

use fast_image_resize::{self as fir, PixelType, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, GrayAlphaImage, GrayImage, RgbImage, RgbaImage};
use zune_jpeg::JpegDecoder;
use zune_jpeg::errors::DecodeErrors;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

/// Print resolution used when a placement gives none.
pub const DEFAULT_DPI: f64 = 300.0;
/// Below this effective resolution a photo looks soft in print: warn.
pub const LOW_DPI: f64 = 150.0;
/// Largest photo accepted, in pixels (a 12 MP phone photo is well inside).
pub const MAX_PIXELS: u64 = 50_000_000;
/// Longest side accepted, in pixels.
pub const MAX_SIDE: u32 = 20_000;

const JPEG_QUALITY: u8 = 85;
/// Part of every cache key: bump it whenever the output for the same input
/// changes (quality, filter, encoder settings), so old cache files are not
/// reused.
const FORMAT_VERSION: &[u8] = b"pressroom/images v1: lanczos3, jpeg q85 4:2:0, png balanced";
const MM_PER_INCH: f64 = 25.4;

/// How a photo will be placed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Placed width in millimetres.
    pub width_mm: f64,
    /// Placed height in millimetres when the photo fills a frame: it is then
    /// cover-cropped, centred. `None` keeps the photo's own aspect ratio.
    pub height_mm: Option<f64>,
    /// Print resolution to prepare for; [`DEFAULT_DPI`] unless told.
    pub dpi: f64,
}

impl Placement {
    /// A photo placed `width_mm` wide at its own aspect ratio, at 300 dpi.
    pub fn new(width_mm: f64) -> Self {
        Placement { width_mm, height_mm: None, dpi: DEFAULT_DPI }
    }

    /// A photo filling a `width_mm` × `height_mm` frame (cover-crop,
    /// centred), at 300 dpi.
    pub fn framed(width_mm: f64, height_mm: f64) -> Self {
        Placement { width_mm, height_mm: Some(height_mm), dpi: DEFAULT_DPI }
    }

    fn check(&self) -> Result<(), ImageError> {
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if !positive(self.width_mm) || !self.height_mm.is_none_or(positive) || !positive(self.dpi) {
            return Err(ImageError::InvalidPlacement(format!(
                "width {} mm, height {:?} mm, {} dpi",
                self.width_mm, self.height_mm, self.dpi
            )));
        }
        Ok(())
    }
}

/// A photo ready for typst.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The cached JPEG (PNG when the source has transparency) in the cache
    /// directory.
    pub path: PathBuf,
    /// Width of the prepared image in pixels.
    pub width_px: u32,
    /// Height of the prepared image in pixels.
    pub height_px: u32,
    /// Size of the source in pixels, after EXIF rotation.
    pub source_px: (u32, u32),
    /// Resolution of the source at its placed size (pixels per inch of the
    /// part that is shown); below [`LOW_DPI`] it will look soft in print.
    pub effective_dpi: f64,
    /// Size of the prepared file in bytes.
    pub bytes: u64,
}

impl Prepared {
    /// Whether the source has too few pixels for its placed size.
    pub fn is_low_resolution(&self) -> bool {
        self.effective_dpi < LOW_DPI
    }
}

/// Why a photo could not be prepared; messages are "中文 / English".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// The source file does not exist.
    #[error("找不到图片文件 / image file not found")]
    NotFound,
    /// The source exists but could not be read or decoded.
    #[error("无法读取图片 / cannot read the image: {0}")]
    Unreadable(String),
    /// The file is not an image at all (empty, text, …).
    #[error(
        "不是图片文件（文件为空或内容不是图片） / not an image (the file is empty or holds something else)"
    )]
    NotAnImage,
    /// The file ends before the image data does (an interrupted copy).
    #[error("图片文件不完整，请重新拷贝 / the image file is cut short; copy it again")]
    Truncated,
    /// The header claims more pixels than [`MAX_PIXELS`] or [`MAX_SIDE`];
    /// refused before any pixel is decoded.
    #[error(
        "图片过大（{width}×{height} 像素，上限 5000 万像素、单边 20000 像素） / image too large ({width}×{height} px; at most 50 megapixels and 20000 px a side)"
    )]
    TooLarge {
        /// Width the header claims.
        width: u32,
        /// Height the header claims.
        height: u32,
    },
    /// An image in a format other than JPEG or PNG (e.g. HEIC from a phone).
    #[error(
        "不支持的图片格式 {0}，请导出为 JPEG 或 PNG / unsupported image format {0}; export it as JPEG or PNG"
    )]
    UnsupportedFormat(String),
    /// The placement has a size or resolution that is not a positive number.
    #[error("图片的排版尺寸无效 / invalid image placement: {0}")]
    InvalidPlacement(String),
    /// The prepared image could not be written to the cache directory.
    #[error("无法写入图片缓存 / cannot write the image cache: {0}")]
    Cache(String),
}

impl ImageError {
    /// What is wrong, in the user's language.
    pub fn message(&self) -> crate::diag::Msg {
        use crate::msg;
        match self {
            ImageError::NotFound => msg!("找不到图片文件", "image file not found"),
            ImageError::Unreadable(e) => msg!("无法读取图片：{}", "cannot read the image: {}", e),
            ImageError::NotAnImage => msg!(
                "不是图片文件（文件为空，或里面是文字等其他内容）",
                "not an image (the file is empty or holds something else, such as text)"
            ),
            ImageError::Truncated => msg!("图片文件不完整（复制时中断了）", "the image file is cut short"),
            ImageError::TooLarge { width, height } => msg!(
                "图片过大：{}×{} 像素（上限 5000 万像素、单边 20000 像素）",
                "image too large: {}×{} px (at most 50 megapixels and 20000 px a side)",
                width,
                height
            ),
            ImageError::UnsupportedFormat(f) => msg!("不支持的图片格式 {}", "unsupported image format {}", f),
            ImageError::InvalidPlacement(e) => {
                msg!("图片的排版尺寸无效：{}", "invalid image placement: {}", e)
            }
            ImageError::Cache(e) => msg!("无法写入图片缓存：{}", "cannot write the image cache: {}", e),
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> crate::diag::Msg {
        use crate::msg;
        match self {
            ImageError::NotFound => msg!(
                "检查文件名；路径相对于 content/ 目录，例如 photos/school.jpg。",
                "check the file name; paths are relative to content/, e.g. photos/school.jpg."
            ),
            ImageError::NotAnImage | ImageError::Truncated | ImageError::Unreadable(_) => msg!(
                "请从原始照片重新拷贝一次（JPEG 或 PNG）。",
                "copy the photo again from the original (JPEG or PNG)."
            ),
            ImageError::TooLarge { .. } => msg!(
                "请把图片缩小到单边不超过 20000 像素后再用。",
                "reduce the image to at most 20000 px a side."
            ),
            ImageError::UnsupportedFormat(_) => msg!(
                "请在手机或电脑上把照片导出为 JPEG 或 PNG。",
                "export the photo as JPEG or PNG on the phone or computer."
            ),
            ImageError::InvalidPlacement(_) | ImageError::Cache(_) => msg!(
                "这是排版或磁盘问题，请检查输出目录是否可写。",
                "this is a layout or disk problem; check that the project folder is writable."
            ),
        }
    }
}

/// Downsamples `source` for `placement` into `cache_dir` (created if
/// missing), or returns the cached result of an earlier call without
/// decoding anything. Same input, same output bytes.
pub fn prepare(source: &Path, placement: &Placement, cache_dir: &Path) -> Result<Prepared, ImageError> {
    placement.check()?;
    // A process that builds again and again (`pressroom watch`) reuses what
    // it prepared while the source file is unchanged: reading and hashing a
    // booklet's phone photos took 55 ms of each rebuild.
    let seen = Seen::of(source, placement, cache_dir);
    if let Some(prepared) = seen.as_ref().and_then(Seen::recall) {
        return Ok(prepared);
    }
    let prepared = prepare_uncached(source, placement, cache_dir)?;
    if let Some(seen) = seen {
        seen.remember(&prepared);
    }
    Ok(prepared)
}

/// A source file as last seen by this process (its identity and change
/// stamps) with the placement asked for, the key of [`PREPARED`].
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    source: PathBuf,
    len: u64,
    modified: std::time::SystemTime,
    /// Inode and change time where the system has them: a file replaced by
    /// another of the same size and modification time still differs here.
    identity: (u64, i64, i64),
    placement: (u64, Option<u64>, u64),
    cache_dir: PathBuf,
}

/// A source and placement: where [`PREPARED`] looks.
type SeenKey = (PathBuf, (u64, Option<u64>, u64), PathBuf);

/// What this process prepared, with the source as it was seen then.
static PREPARED: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<SeenKey, (Seen, Prepared)>>> =
    std::sync::LazyLock::new(Default::default);

impl Seen {
    fn of(source: &Path, placement: &Placement, cache_dir: &Path) -> Option<Self> {
        let meta = fs::metadata(source).ok()?;
        #[cfg(unix)]
        let identity = {
            use std::os::unix::fs::MetadataExt;
            (meta.ino(), meta.ctime(), meta.ctime_nsec())
        };
        #[cfg(not(unix))]
        let identity = (0, 0, 0);
        Some(Self {
            source: source.to_path_buf(),
            len: meta.len(),
            modified: meta.modified().ok()?,
            identity,
            placement: (
                placement.width_mm.to_bits(),
                placement.height_mm.map(f64::to_bits),
                placement.dpi.to_bits(),
            ),
            cache_dir: cache_dir.to_path_buf(),
        })
    }

    fn key(&self) -> SeenKey {
        (self.source.clone(), self.placement, self.cache_dir.clone())
    }

    /// The earlier result, if the source is unchanged and its cached file
    /// is still there.
    fn recall(&self) -> Option<Prepared> {
        let known = PREPARED.lock().ok()?;
        let (seen, prepared) = known.get(&self.key())?;
        (seen == self && prepared.path.is_file()).then(|| prepared.clone())
    }

    fn remember(self, prepared: &Prepared) {
        if let Ok(mut known) = PREPARED.lock() {
            known.insert(self.key(), (self, prepared.clone()));
        }
    }
}

fn prepare_uncached(source: &Path, placement: &Placement, cache_dir: &Path) -> Result<Prepared, ImageError> {
    let bytes = read_source(source)?;
    let mut photo = Source::open(&bytes)?;
    let plan = Plan::new(photo.size, photo.orientation, placement);

    let key = cache_key(&bytes, &plan);
    if let Some(path) = cached(cache_dir, &key) {
        return plan.prepared(path);
    }

    let pixels = photo.decode(&bytes)?;
    let small = resize(pixels, &plan)?;
    let (encoded, ext) = encode(small, &plan, photo.icc.as_deref())?;
    let path = cache_dir.join(format!("{key}.{ext}"));
    // Atomic, so a crashed build never leaves half a file under a valid key.
    crate::output::write_atomic(&path, &encoded)
        .map_err(|e| ImageError::Cache(format!("{}: {e}", path.display())))?;
    plan.prepared(path)
}

/// A prepared photo (see [`prepare`]) in the press's CMYK, as a JPEG beside
/// it in the cache: converted through `profile` from the photo's own ICC
/// profile (sRGB when it has none); a translucent one is first set on white
/// paper. Cached by the photo's and the profile's bytes.
pub fn press_photo(prepared: &Path, profile: &super::press::Profile) -> Result<PathBuf, ImageError> {
    let bytes = read_source(prepared)?;
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"pressroom/press-photo v1: perceptual, jpeg q90 4:4:4");
    hasher.update(profile.hash.as_bytes());
    hasher.update(&bytes);
    let key = &hasher.finalize().to_hex()[..32];
    let dir = prepared.parent().unwrap_or(Path::new("."));
    let path = dir.join(format!("{key}-cmyk.jpg"));
    if path.is_file() {
        return Ok(path);
    }
    let mut photo = Source::open(&bytes)?;
    let (width, height) = photo.size;
    let icc = photo.icc.clone();
    let pixels = photo.decode(&bytes)?;
    let channels = pixels.image.pixel_type().size();
    let raw = pixels.image.buffer();
    // To 8-bit RGB, translucent pixels over white.
    let rgb: Vec<u8> = match channels {
        3 => raw.to_vec(),
        4 => raw
            .chunks_exact(4)
            .flat_map(|p| {
                let a = u16::from(p[3]);
                let over = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
                [over(p[0]), over(p[1]), over(p[2])]
            })
            .collect(),
        1 => raw.iter().flat_map(|g| [*g, *g, *g]).collect(),
        2 => raw
            .chunks_exact(2)
            .flat_map(|p| {
                let a = u16::from(p[1]);
                let g = ((u16::from(p[0]) * a + 255 * (255 - a) + 127) / 255) as u8;
                [g, g, g]
            })
            .collect(),
        _ => return Err(internal("unexpected pixel format")),
    };
    let cmyk = profile.to_cmyk(&rgb, icc.as_deref()).map_err(|e| ImageError::Unreadable(e.to_string()))?;
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_4_4);
    encoder.encode(&cmyk, width as u16, height as u16, jpeg_encoder::ColorType::Cmyk).map_err(internal)?;
    crate::output::write_atomic(&path, &out)
        .map_err(|e| ImageError::Cache(format!("{}: {e}", path.display())))?;
    Ok(path)
}

/// Size in pixels of a JPEG or PNG after EXIF rotation, from its header
/// alone (nothing is decoded).
pub fn probe(source: &Path) -> Result<(u32, u32), ImageError> {
    let bytes = read_source(source)?;
    let photo = Source::open(&bytes)?;
    Ok(oriented(photo.size, photo.orientation))
}

/// A minimal Exif block (TIFF structure, as stored after "Exif\0\0" in a
/// JPEG's APP1 segment) that holds only an orientation tag, for making
/// phone-style rotated test photos (`jpeg_encoder::Encoder::add_exif_metadata`).
pub fn exif_orientation(orientation: u8) -> Vec<u8> {
    let mut tiff = Vec::with_capacity(26);
    tiff.extend_from_slice(b"MM\0\x2a"); // big-endian TIFF
    tiff.extend_from_slice(&8u32.to_be_bytes()); // IFD0 follows the header
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry:
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&u16::from(orientation).to_be_bytes());
    tiff.extend_from_slice(&[0, 0]); // value padded to 4 bytes
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no IFD1
    tiff
}

fn read_source(source: &Path) -> Result<Vec<u8>, ImageError> {
    fs::read(source).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => ImageError::NotFound,
        _ => ImageError::Unreadable(e.to_string()),
    })
}

/// A source whose header has been read: enough to plan and to key the cache.
struct Source<'a> {
    decoder: Decoder<'a>,
    /// Pixel size as stored, before EXIF rotation.
    size: (u32, u32),
    orientation: Orientation,
    icc: Option<Vec<u8>>,
}

enum Decoder<'a> {
    // Boxed: zune's decoder carries ~29 KB of tables inline.
    Jpeg(Box<JpegDecoder<ZCursor<&'a [u8]>>>),
    Png(Box<png::Reader<Cursor<&'a [u8]>>>),
}

impl<'a> Source<'a> {
    /// Reads the header of a JPEG or PNG, refusing anything too large
    /// before a pixel buffer exists.
    fn open(bytes: &'a [u8]) -> Result<Self, ImageError> {
        match sniff(bytes) {
            Sniffed::Jpeg => Self::open_jpeg(bytes),
            Sniffed::Png => Self::open_png(bytes),
            Sniffed::Other(name) => Err(ImageError::UnsupportedFormat(name.to_owned())),
            Sniffed::Unknown => Err(ImageError::NotAnImage),
        }
    }

    fn open_jpeg(bytes: &'a [u8]) -> Result<Self, ImageError> {
        // zune's own limit (16384) would refuse some photos we accept with a
        // less helpful error; JPEG sides cannot exceed u16 anyway.
        let options = DecoderOptions::default()
            .set_max_width(usize::from(u16::MAX))
            .set_max_height(usize::from(u16::MAX))
            .jpeg_set_out_colorspace(ColorSpace::RGB);
        let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
        decoder.decode_headers().map_err(jpeg_error)?;
        let info = decoder.info().ok_or(ImageError::Truncated)?;
        let size = within_limits(u32::from(info.width), u32::from(info.height))?;
        let orientation = decoder.exif().and_then(|exif| Orientation::from_exif_chunk(exif));
        let icc = decoder.icc_profile();
        Ok(Source {
            decoder: Decoder::Jpeg(Box::new(decoder)),
            size,
            orientation: orientation.unwrap_or(Orientation::NoTransforms),
            icc,
        })
    }

    fn open_png(bytes: &'a [u8]) -> Result<Self, ImageError> {
        let mut decoder = png::Decoder::new(Cursor::new(bytes));
        let header = decoder.read_header_info().map_err(png_error)?;
        let size = within_limits(header.width, header.height)?;
        // 8 bits per channel, palette and tRNS expanded: what the resizer
        // and encoders take.
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let reader = decoder.read_info().map_err(png_error)?;
        let info = reader.info();
        let orientation = info.exif_metadata.as_deref().and_then(Orientation::from_exif_chunk);
        let icc = info.icc_profile.as_deref().map(<[u8]>::to_vec);
        Ok(Source {
            decoder: Decoder::Png(Box::new(reader)),
            size,
            orientation: orientation.unwrap_or(Orientation::NoTransforms),
            icc,
        })
    }

    /// Decodes the full-resolution pixels: the one large buffer of a call.
    fn decode(&mut self, bytes: &[u8]) -> Result<Pixels, ImageError> {
        #[cfg(test)]
        tests::DECODES.with(|n| n.set(n.get() + 1));
        let (width, height) = self.size;
        match &mut self.decoder {
            Decoder::Jpeg(decoder) => {
                // zune-jpeg fills a cut-short scan with grey instead of
                // failing, so check for the end-of-image marker ourselves.
                if !jpeg_has_end(bytes) {
                    return Err(ImageError::Truncated);
                }
                let data = decoder.decode().map_err(jpeg_error)?;
                Pixels::new(width, height, PixelType::U8x3, data)
            }
            Decoder::Png(reader) => {
                let size = reader.output_buffer_size().ok_or(ImageError::TooLarge { width, height })?;
                let mut data = vec![0; size];
                reader.next_frame(&mut data).map_err(png_error)?;
                // Read on to IEND: a copy cut short just after the pixel
                // data is still an incomplete file.
                reader.finish().map_err(png_error)?;
                let pixel_type = match reader.output_color_type().0 {
                    png::ColorType::Grayscale => PixelType::U8,
                    png::ColorType::GrayscaleAlpha => PixelType::U8x2,
                    png::ColorType::Rgb => PixelType::U8x3,
                    png::ColorType::Rgba => PixelType::U8x4,
                    png::ColorType::Indexed => {
                        return Err(ImageError::Unreadable("palette PNG was not expanded".into()));
                    }
                };
                Pixels::new(width, height, pixel_type, data)
            }
        }
    }
}

enum Sniffed {
    Jpeg,
    Png,
    Other(&'static str),
    Unknown,
}

/// The format from the file's magic numbers; the extension is not trusted.
fn sniff(bytes: &[u8]) -> Sniffed {
    let brand = bytes.get(4..12);
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Sniffed::Jpeg,
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Sniffed::Png,
        [b'G', b'I', b'F', b'8', ..] => Sniffed::Other("GIF"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Sniffed::Other("WebP"),
        [b'B', b'M', _, _, _, _, 0, 0, 0, 0, ..] => Sniffed::Other("BMP"), // reserved bytes are zero
        [b'I', b'I', 0x2A, 0, ..] | [b'M', b'M', 0, 0x2A, ..] => Sniffed::Other("TIFF"),
        _ => match brand {
            Some(b"ftypheic" | b"ftypheix" | b"ftyphevc" | b"ftypmif1" | b"ftypmsf1") => {
                Sniffed::Other("HEIC")
            }
            Some(b"ftypavif") => Sniffed::Other("AVIF"),
            _ => Sniffed::Unknown,
        },
    }
}

fn within_limits(width: u32, height: u32) -> Result<(u32, u32), ImageError> {
    if width == 0 || height == 0 {
        return Err(ImageError::Unreadable(format!("the header gives a size of {width}×{height}")));
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooLarge { width, height });
    }
    Ok((width, height))
}

fn jpeg_error(e: DecodeErrors) -> ImageError {
    match e {
        DecodeErrors::ExhaustedData | DecodeErrors::IoErrors(_) => ImageError::Truncated,
        e => ImageError::Unreadable(e.to_string()),
    }
}

fn png_error(e: png::DecodingError) -> ImageError {
    match e {
        png::DecodingError::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => ImageError::Truncated,
        e => ImageError::Unreadable(e.to_string()),
    }
}

/// Whether an end-of-image marker follows the first scan. Entropy-coded data
/// never holds 0xFF 0xD9, and a thumbnail's marker sits before the scan;
/// searching from the end also accepts data appended after the image (e.g.
/// the video of a "motion photo").
fn jpeg_has_end(bytes: &[u8]) -> bool {
    first_scan(bytes)
        .and_then(|scan| bytes.get(scan..))
        .is_some_and(|rest| rest.windows(2).rev().any(|w| w == [0xFF, 0xD9]))
}

/// Offset of the first start-of-scan marker, walking the segments.
fn first_scan(bytes: &[u8]) -> Option<usize> {
    let mut pos = 2;
    loop {
        if *bytes.get(pos)? != 0xFF {
            return None;
        }
        match *bytes.get(pos + 1)? {
            0xDA => return Some(pos),
            0xFF => pos += 1,               // fill byte
            0x01 | 0xD0..=0xD7 => pos += 2, // markers without a length
            _ => {
                let len = u16::from_be_bytes([*bytes.get(pos + 2)?, *bytes.get(pos + 3)?]);
                pos += 2 + usize::from(len);
            }
        }
    }
}

/// What a call will produce, worked out from the header alone.
struct Plan {
    orientation: Orientation,
    /// Centred crop in stored (unrotated) pixel coordinates.
    crop: (f64, f64, f64, f64),
    /// Resize target in stored orientation.
    resized: (u32, u32),
    /// Final size, after EXIF rotation.
    output: (u32, u32),
    source_px: (u32, u32),
    effective_dpi: f64,
    /// Output pixels per inch at the placed size, recorded in the file.
    output_dpi: f64,
}

impl Plan {
    fn new(stored: (u32, u32), orientation: Orientation, placement: &Placement) -> Self {
        let source_px = oriented(stored, orientation);
        let (sw, sh) = (f64::from(source_px.0), f64::from(source_px.1));
        // The shown part of the source, in displayed orientation.
        let (aspect, cw, ch) = match placement.height_mm {
            None => (sw / sh, sw, sh),
            Some(h) => {
                let aspect = placement.width_mm / h;
                if sw / sh > aspect { (aspect, sh * aspect, sh) } else { (aspect, sw, sw / aspect) }
            }
        };
        let placed_in = placement.width_mm / MM_PER_INCH;
        // Never upscale: a small source keeps its pixels and reports a low
        // effective resolution instead.
        let width = (placed_in * placement.dpi).min(cw);
        let output = (px(width), px(width / aspect));
        // A centred crop stays centred under any flip or rotation, so only
        // the sides swap for orientations that transpose.
        let transposed = transposes(orientation);
        let (stored_cw, stored_ch) = if transposed { (ch, cw) } else { (cw, ch) };
        let (stw, sth) = (f64::from(stored.0), f64::from(stored.1));
        Plan {
            orientation,
            crop: ((stw - stored_cw) / 2.0, (sth - stored_ch) / 2.0, stored_cw, stored_ch),
            resized: if transposed { (output.1, output.0) } else { output },
            output,
            source_px,
            effective_dpi: cw / placed_in,
            output_dpi: f64::from(output.0) / placed_in,
        }
    }

    fn prepared(&self, path: PathBuf) -> Result<Prepared, ImageError> {
        let bytes = fs::metadata(&path).map_err(|e| ImageError::Cache(e.to_string()))?.len();
        Ok(Prepared {
            path,
            width_px: self.output.0,
            height_px: self.output.1,
            source_px: self.source_px,
            effective_dpi: self.effective_dpi,
            bytes,
        })
    }
}

fn px(v: f64) -> u32 {
    // Bounded by the source size, itself at most MAX_SIDE.
    v.round().clamp(1.0, f64::from(MAX_SIDE)) as u32
}

/// Whether the orientation turns the picture a quarter, swapping its sides.
fn transposes(orientation: Orientation) -> bool {
    use Orientation::*;
    match orientation {
        Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH => true,
        NoTransforms | Rotate180 | FlipHorizontal | FlipVertical => false,
    }
}

fn oriented(stored: (u32, u32), orientation: Orientation) -> (u32, u32) {
    if transposes(orientation) { (stored.1, stored.0) } else { stored }
}

/// Cache file name: the source's bytes and everything that shapes the
/// output. The orientation and ICC profile come from the bytes.
fn cache_key(bytes: &[u8], plan: &Plan) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(FORMAT_VERSION);
    hasher.update(&(bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
    let (left, top, width, height) = plan.crop;
    for v in [left, top, width, height, plan.output_dpi] {
        hasher.update(&v.to_le_bytes());
    }
    for v in [plan.resized.0, plan.resized.1] {
        hasher.update(&v.to_le_bytes());
    }
    // 128 bits are plenty to tell a project's photos apart.
    hasher.finalize().to_hex()[..32].to_owned()
}

/// An earlier result: JPEG, or PNG for a source with transparency.
fn cached(cache_dir: &Path, key: &str) -> Option<PathBuf> {
    ["jpg", "png"].into_iter().map(|ext| cache_dir.join(format!("{key}.{ext}"))).find(|p| p.is_file())
}

struct Pixels {
    image: fir::images::Image<'static>,
}

impl Pixels {
    fn new(width: u32, height: u32, pixel_type: PixelType, data: Vec<u8>) -> Result<Self, ImageError> {
        fir::images::Image::from_vec_u8(width, height, data, pixel_type)
            .map(|image| Pixels { image })
            .map_err(|e| ImageError::Unreadable(e.to_string()))
    }

    fn has_alpha(&self) -> bool {
        matches!(self.image.pixel_type(), PixelType::U8x2 | PixelType::U8x4)
    }

    /// Whether any pixel is not fully opaque.
    fn is_translucent(&self) -> bool {
        let channels = self.image.pixel_type().size();
        self.has_alpha() && self.image.buffer().chunks_exact(channels).any(|p| p[channels - 1] != 255)
    }
}

/// Crops and resizes with Lanczos3, then applies the EXIF orientation to the
/// small result (cheaper, and the full-resolution buffer is gone by then).
fn resize(mut pixels: Pixels, plan: &Plan) -> Result<DynamicImage, ImageError> {
    let translucent = pixels.is_translucent();
    let mul_div = fir::MulDiv::new();
    if translucent {
        // Premultiply in place: the resizer would otherwise make a
        // premultiplied copy of the whole source.
        mul_div.multiply_alpha_inplace(&mut pixels.image).map_err(internal)?;
    }
    let pixel_type = pixels.image.pixel_type();
    let (width, height) = plan.resized;
    let mut small = fir::images::Image::new(width, height, pixel_type);
    let (left, top, cw, ch) = plan.crop;
    let options = ResizeOptions::new().crop(left, top, cw, ch).use_alpha(false);
    Resizer::new().resize(&pixels.image, &mut small, &options).map_err(internal)?;
    drop(pixels);
    if translucent {
        mul_div.divide_alpha_inplace(&mut small).map_err(internal)?;
    }

    let data = small.into_vec();
    let image = match pixel_type {
        PixelType::U8 => GrayImage::from_raw(width, height, data).map(DynamicImage::ImageLuma8),
        PixelType::U8x2 => GrayAlphaImage::from_raw(width, height, data).map(DynamicImage::ImageLumaA8),
        PixelType::U8x3 => RgbImage::from_raw(width, height, data).map(DynamicImage::ImageRgb8),
        PixelType::U8x4 => RgbaImage::from_raw(width, height, data).map(DynamicImage::ImageRgba8),
        _ => None,
    };
    let mut image = image.ok_or_else(|| internal("unexpected pixel buffer"))?;
    image.apply_orientation(plan.orientation);
    // An alpha channel that is opaque everywhere is dropped: a JPEG is far
    // smaller than a PNG of a photo.
    Ok(match image {
        DynamicImage::ImageLumaA8(_) if !translucent => DynamicImage::ImageLuma8(image.to_luma8()),
        DynamicImage::ImageRgba8(_) if !translucent => DynamicImage::ImageRgb8(image.to_rgb8()),
        image => image,
    })
}

fn internal(e: impl ToString) -> ImageError {
    ImageError::Unreadable(e.to_string())
}

/// JPEG for opaque images, PNG for translucent ones; the source's ICC
/// profile is kept so colours print as they were shot.
fn encode(
    image: DynamicImage,
    plan: &Plan,
    icc: Option<&[u8]>,
) -> Result<(Vec<u8>, &'static str), ImageError> {
    // The image's own size, not the plan's: a mismatch then shows in the
    // file (and the tests) instead of scrambling the pixels.
    let (width, height) = (image.width(), image.height());
    let mut out = Vec::new();
    let jpeg = |data: &[u8], color, out: &mut Vec<u8>| {
        let mut encoder = jpeg_encoder::Encoder::new(out, JPEG_QUALITY);
        let dpi = plan.output_dpi.round().clamp(1.0, f64::from(u16::MAX)) as u16;
        encoder.set_density(jpeg_encoder::PixelDensity::dpi(dpi));
        if let Some(icc) = icc {
            encoder.add_icc_profile(icc)?;
        }
        // Sides are at most MAX_SIDE, below u16::MAX.
        encoder.encode(data, width as u16, height as u16, color)
    };
    let encoded = match &image {
        DynamicImage::ImageLuma8(img) => jpeg(img.as_raw(), jpeg_encoder::ColorType::Luma, &mut out),
        DynamicImage::ImageRgb8(img) => jpeg(img.as_raw(), jpeg_encoder::ColorType::Rgb, &mut out),
        DynamicImage::ImageLumaA8(img) => {
            return encode_png(img.as_raw(), (width, height), png::ColorType::GrayscaleAlpha, plan, icc);
        }
        DynamicImage::ImageRgba8(img) => {
            return encode_png(img.as_raw(), (width, height), png::ColorType::Rgba, plan, icc);
        }
        _ => return Err(internal("unexpected pixel format")),
    };
    encoded.map_err(internal)?;
    Ok((out, "jpg"))
}

fn encode_png(
    data: &[u8],
    (width, height): (u32, u32),
    color: png::ColorType,
    plan: &Plan,
    icc: Option<&[u8]>,
) -> Result<(Vec<u8>, &'static str), ImageError> {
    let mut info = png::Info::with_size(width, height);
    info.color_type = color;
    info.bit_depth = png::BitDepth::Eight;
    info.icc_profile = icc.map(Into::into);
    let per_metre = (plan.output_dpi / MM_PER_INCH * 1000.0).round() as u32;
    info.pixel_dims = Some(png::PixelDimensions { xppu: per_metre, yppu: per_metre, unit: png::Unit::Meter });
    let mut out = Vec::new();
    let mut encoder = png::Encoder::with_info(&mut out, info).map_err(internal)?;
    encoder.set_compression(png::Compression::Balanced);
    let mut writer = encoder.write_header().map_err(internal)?;
    writer.write_image_data(data).map_err(internal)?;
    writer.finish().map_err(internal)?;
    Ok((out, "png"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::time::{Duration, Instant};

    thread_local! {
        /// Full decodes on this thread: each test runs on its own thread.
        pub(super) static DECODES: Cell<usize> = const { Cell::new(0) };
    }

    fn decodes() -> usize {
        DECODES.with(Cell::get)
    }

    /// A smooth gradient with some texture, so the JPEG is photo-like.
    fn rgb(width: u32, height: u32) -> Vec<u8> {
        let mut data = Vec::with_capacity(width as usize * height as usize * 3);
        for y in 0..height {
            for x in 0..width {
                let t = ((x ^ y) & 15) as u8;
                data.extend_from_slice(&[(x * 255 / width) as u8, (y * 255 / height) as u8, 128 + t]);
            }
        }
        data
    }

    fn write_jpeg(path: &Path, width: u16, height: u16, orientation: Option<u8>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
        if let Some(o) = orientation {
            encoder.add_exif_metadata(&exif_orientation(o)).expect("small Exif block fits");
        }
        encoder
            .encode(&rgb(width.into(), height.into()), width, height, jpeg_encoder::ColorType::Rgb)
            .expect("encoding a valid buffer works");
        fs::write(path, &out).expect("temp dir is writable");
        out
    }

    fn write_png(path: &Path, width: u32, height: u32, color: png::ColorType, data: &[u8]) {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("valid header");
        writer.write_image_data(data).expect("buffer matches header");
        writer.finish().expect("finishes");
        fs::write(path, &out).expect("temp dir is writable");
    }

    /// Decodes a prepared JPEG, checking its size is the one reported.
    fn decode_prepared(out: &Prepared) -> Vec<u8> {
        let written = fs::read(&out.path).expect("cache file");
        let mut decoder = JpegDecoder::new(ZCursor::new(&written[..]));
        let pixels = decoder.decode().expect("decodes");
        let size = decoder.dimensions().map(|(w, h)| (w as u32, h as u32));
        assert_eq!(size, Some((out.width_px, out.height_px)), "file size matches the report");
        pixels
    }

    fn dirs() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = dir.path().join("cache");
        (dir, cache)
    }

    #[test]
    fn downsamples_phone_photo_to_placed_width() {
        let (dir, cache) = dirs();
        let src = dir.path().join("photo.jpg");
        write_jpeg(&src, 4000, 3000, None);
        let out = prepare(&src, &Placement::new(120.0), &cache).expect("prepares");
        assert_eq!((out.width_px, out.height_px), (1417, 1063));
        assert_eq!(out.source_px, (4000, 3000));
        assert!((out.effective_dpi - 4000.0 / (120.0 / 25.4)).abs() < 1e-9);
        assert!(!out.is_low_resolution());
        assert!(out.path.starts_with(&cache) && out.path.extension().is_some_and(|e| e == "jpg"));
        let written = fs::read(&out.path).expect("cache file");
        assert_eq!(out.bytes, written.len() as u64);
        let mut decoder = JpegDecoder::new(ZCursor::new(&written[..]));
        decoder.decode_headers().expect("output is a JPEG");
        assert_eq!(decoder.dimensions(), Some((1417, 1063)));
        assert!(decoder.exif().is_none(), "metadata is dropped");
    }

    /// A JPEG whose stored pixels are dark on the left half and light on the
    /// right, with an Exif orientation.
    fn halves_jpeg(path: &Path, width: u16, height: u16, orientation: u8) {
        let half = usize::from(width / 2);
        let row: Vec<u8> =
            (0..usize::from(width)).flat_map(|x| if x < half { [20; 3] } else { [230; 3] }).collect();
        let data = row.repeat(usize::from(height));
        let mut bytes = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, 90);
        encoder.add_exif_metadata(&exif_orientation(orientation)).expect("small Exif block fits");
        encoder.encode(&data, width, height, jpeg_encoder::ColorType::Rgb).expect("encodes");
        fs::write(path, &bytes).expect("temp dir is writable");
    }

    #[test]
    fn exif_orientation_6_swaps_sides_and_rotates_clockwise() {
        let (dir, cache) = dirs();
        let src = dir.path().join("portrait.jpg");
        halves_jpeg(&src, 400, 300, 6);
        assert_eq!(probe(&src), Ok((300, 400)));
        let out = prepare(&src, &Placement::new(1000.0), &cache).expect("prepares");
        assert_eq!(out.source_px, (300, 400));
        assert_eq!((out.width_px, out.height_px), (300, 400));
        // Turned clockwise, the dark left half is now on top.
        let pixels = decode_prepared(&out);
        let luma = |x: usize, y: usize| pixels[(y * 300 + x) * 3];
        assert!(luma(150, 20) < 60 && luma(150, 380) > 190, "rotated clockwise");
    }

    #[test]
    fn square_photo_turned_by_exif_is_cropped_after_turning() {
        // Shown with the dark half on top, a wide frame's centre band holds
        // both halves; cropping before turning would give a tall image.
        let (dir, cache) = dirs();
        let src = dir.path().join("square.jpg");
        halves_jpeg(&src, 400, 400, 6);
        let out = prepare(&src, &Placement::framed(1000.0, 500.0), &cache).expect("prepares");
        assert_eq!((out.width_px, out.height_px), (400, 200));
        let pixels = decode_prepared(&out);
        let luma = |x: usize, y: usize| pixels[(y * 400 + x) * 3];
        assert!(luma(200, 10) < 60 && luma(200, 190) > 190, "top dark, bottom light");
    }

    #[test]
    fn all_eight_orientations() {
        // Stored: red top-left quadrant, blue elsewhere. Where the red
        // quadrant is shown for each Exif orientation, as the spec draws it.
        let (w, h) = (64usize, 32usize);
        let data: Vec<u8> = (0..h)
            .flat_map(|y| {
                (0..w).flat_map(move |x| if x < w / 2 && y < h / 2 { [255, 0, 0] } else { [0, 0, 255] })
            })
            .collect();
        let (dir, cache) = dirs();
        let (wide, tall) = ((64, 32), (32, 64));
        for (orientation, size, corner) in [
            (1, wide, "top-left"),
            (2, wide, "top-right"),
            (3, wide, "bottom-right"),
            (4, wide, "bottom-left"),
            (5, tall, "top-left"),
            (6, tall, "top-right"),
            (7, tall, "bottom-right"),
            (8, tall, "bottom-left"),
        ] {
            let mut bytes = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, 95);
            encoder.add_exif_metadata(&exif_orientation(orientation)).expect("fits");
            encoder.encode(&data, w as u16, h as u16, jpeg_encoder::ColorType::Rgb).expect("encodes");
            let src = dir.path().join(format!("o{orientation}.jpg"));
            fs::write(&src, &bytes).expect("writable");
            let out = prepare(&src, &Placement::new(1000.0), &cache).expect("prepares");
            assert_eq!((out.width_px, out.height_px), size, "orientation {orientation}");
            let pixels = decode_prepared(&out);
            let (ow, oh) = (size.0 as usize, size.1 as usize);
            let red_corners: Vec<&str> = [
                ("top-left", ow / 4, oh / 4),
                ("top-right", ow * 3 / 4, oh / 4),
                ("bottom-left", ow / 4, oh * 3 / 4),
                ("bottom-right", ow * 3 / 4, oh * 3 / 4),
            ]
            .into_iter()
            .filter(|&(_, x, y)| {
                let px = &pixels[(y * ow + x) * 3..][..3];
                px[0] > 200 && px[2] < 60
            })
            .map(|(name, _, _)| name)
            .collect();
            assert_eq!(red_corners, [corner], "orientation {orientation}");
        }
    }

    #[test]
    fn second_call_hits_the_cache_without_decoding() {
        let (dir, cache) = dirs();
        let src = dir.path().join("photo.jpg");
        write_jpeg(&src, 1600, 1200, None);
        let placement = Placement::new(50.0);
        let before = decodes();
        let first = prepare(&src, &placement, &cache).expect("prepares");
        assert_eq!(decodes(), before + 1);
        let written = fs::metadata(&first.path).and_then(|m| m.modified()).expect("mtime");
        let second = prepare(&src, &placement, &cache).expect("prepares");
        assert_eq!(decodes(), before + 1, "no second decode");
        assert_eq!(first, second);
        assert_eq!(fs::metadata(&second.path).and_then(|m| m.modified()).expect("mtime"), written);
        // A different placement is a different cache entry.
        let other = prepare(&src, &Placement::new(40.0), &cache).expect("prepares");
        assert_ne!(other.path, first.path);
        assert_eq!(decodes(), before + 2);
        assert_eq!(fs::read_dir(&cache).expect("cache dir").count(), 2, "no temp files left");
    }

    #[test]
    fn a_replaced_photo_is_prepared_again_in_the_same_process() {
        let (dir, cache) = dirs();
        let src = dir.path().join("photo.jpg");
        write_jpeg(&src, 1600, 1200, None);
        let placement = Placement::new(50.0);
        let first = prepare(&src, &placement, &cache).expect("prepares");
        // Replaced the way editors save: a new file renamed over the old.
        let next = dir.path().join("next.jpg");
        write_jpeg(&next, 1200, 1600, None);
        fs::rename(&next, &src).expect("rename over the photo");
        let second = prepare(&src, &placement, &cache).expect("prepares");
        assert_ne!(first.path, second.path, "the new photo got the old photo's result");
        assert_eq!(second.source_px, (1200, 1600));
        // Its cached file removed, the result is made again, not recalled.
        fs::remove_file(&second.path).expect("remove the cached file");
        let third = prepare(&src, &placement, &cache).expect("prepares");
        assert!(third.path.is_file());
    }

    #[test]
    fn output_is_deterministic() {
        let (dir, cache) = dirs();
        let src = dir.path().join("photo.jpg");
        write_jpeg(&src, 1200, 900, Some(3));
        let a = prepare(&src, &Placement::framed(40.0, 40.0), &cache).expect("prepares");
        let first = fs::read(&a.path).expect("cache file");
        fs::remove_file(&a.path).expect("removable");
        let b = prepare(&src, &Placement::framed(40.0, 40.0), &cache).expect("prepares");
        assert_eq!(a.path, b.path);
        assert_eq!(first, fs::read(&b.path).expect("cache file"));
    }

    #[test]
    fn framed_placement_cover_crops() {
        let (dir, cache) = dirs();
        let src = dir.path().join("photo.jpg");
        write_jpeg(&src, 4000, 3000, None);
        // A square frame takes the centred 3000×3000.
        let out = prepare(&src, &Placement::framed(50.0, 50.0), &cache).expect("prepares");
        assert_eq!((out.width_px, out.height_px), (591, 591));
        decode_prepared(&out);
        assert!((out.effective_dpi - 3000.0 / (50.0 / 25.4)).abs() < 1e-9);
        // A wide banner frame takes the full width.
        let out = prepare(&src, &Placement::framed(100.0, 25.0), &cache).expect("prepares");
        assert_eq!((out.width_px, out.height_px), (1181, 295));
        decode_prepared(&out);
    }

    #[test]
    fn small_source_is_not_upscaled_and_warns() {
        let (dir, cache) = dirs();
        let src = dir.path().join("small.jpg");
        write_jpeg(&src, 640, 480, None);
        let out = prepare(&src, &Placement::new(160.0), &cache).expect("prepares");
        assert_eq!((out.width_px, out.height_px), (640, 480));
        assert!(out.effective_dpi < LOW_DPI, "{}", out.effective_dpi);
        assert!(out.is_low_resolution());
    }

    #[test]
    fn truncated_jpeg_is_an_error() {
        let (dir, cache) = dirs();
        let src = dir.path().join("photo.jpg");
        let bytes = write_jpeg(&src, 800, 600, Some(6));
        for cut in [bytes.len() - 2, bytes.len() / 2, 200, 40, 3] {
            fs::write(&src, &bytes[..cut]).expect("writable");
            let err = prepare(&src, &Placement::new(50.0), &cache).expect_err("cut-short file");
            assert!(matches!(err, ImageError::Truncated | ImageError::Unreadable(_)), "cut {cut}: {err:?}");
        }
        assert!(!cache.exists() || fs::read_dir(&cache).expect("dir").next().is_none());
    }

    #[test]
    fn truncated_png_is_an_error() {
        let (dir, cache) = dirs();
        let src = dir.path().join("photo.png");
        write_png(&src, 300, 200, png::ColorType::Rgb, &rgb(300, 200));
        let bytes = fs::read(&src).expect("readable");
        for cut in [bytes.len() - 4, bytes.len() / 2, 60, 20] {
            fs::write(&src, &bytes[..cut]).expect("writable");
            let err = prepare(&src, &Placement::new(50.0), &cache).expect_err("cut-short file");
            assert!(matches!(err, ImageError::Truncated | ImageError::Unreadable(_)), "cut {cut}: {err:?}");
        }
    }

    #[test]
    fn not_images() {
        let (dir, cache) = dirs();
        let placement = Placement::new(50.0);
        let empty = dir.path().join("empty.jpg");
        fs::write(&empty, b"").expect("writable");
        assert_eq!(prepare(&empty, &placement, &cache), Err(ImageError::NotAnImage));
        let text = dir.path().join("x.jpg");
        fs::write(&text, "这不是图片 / not a photo\n").expect("writable");
        assert_eq!(prepare(&text, &placement, &cache), Err(ImageError::NotAnImage));
        let heic = dir.path().join("iphone.jpg");
        fs::write(&heic, b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").expect("writable");
        assert_eq!(prepare(&heic, &placement, &cache), Err(ImageError::UnsupportedFormat("HEIC".into())));
        let missing = dir.path().join("missing.jpg");
        assert_eq!(prepare(&missing, &placement, &cache), Err(ImageError::NotFound));
        assert_eq!(
            prepare(&text, &Placement::new(f64::NAN), &cache).map(|_| ()).map_err(|e| e.to_string()),
            Err("图片的排版尺寸无效 / invalid image placement: width NaN mm, height None mm, 300 dpi".into())
        );
    }

    #[test]
    fn huge_png_header_is_refused_before_decoding() {
        let (dir, cache) = dirs();
        let src = dir.path().join("huge.png");
        write_png(&src, 1, 1, png::ColorType::Rgb, &[0, 0, 0]);
        let mut bytes = fs::read(&src).expect("readable");
        // IHDR data sits at 16..29 (after signature, length and type); its
        // CRC covers type and data, 12..29.
        bytes[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        fs::write(&src, &bytes).expect("writable");
        let start = Instant::now();
        let before = decodes();
        let err = prepare(&src, &Placement::new(50.0), &cache);
        assert_eq!(err, Err(ImageError::TooLarge { width: 100_000, height: 100_000 }));
        assert_eq!(decodes(), before);
        assert!(start.elapsed() < Duration::from_millis(100));
        assert_eq!(probe(&src), Err(ImageError::TooLarge { width: 100_000, height: 100_000 }));
        assert!(err.expect_err("too large").to_string().contains("100000×100000"));
    }

    /// CRC-32 (ISO-HDLC) as PNG chunks use it.
    fn crc32(data: &[u8]) -> u32 {
        !data.iter().fold(!0u32, |crc, &byte| {
            (0..8)
                .fold(crc ^ u32::from(byte), |c, _| if c & 1 == 1 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 })
        })
    }

    #[test]
    fn png_with_transparency_stays_png_and_opaque_png_becomes_jpeg() {
        let (dir, cache) = dirs();
        let (w, h) = (200u32, 100u32);
        let translucent: Vec<u8> = (0..w * h).flat_map(|i| [200, 30, 30, (i % w * 255 / w) as u8]).collect();
        let src = dir.path().join("logo.png");
        write_png(&src, w, h, png::ColorType::Rgba, &translucent);
        let out = prepare(&src, &Placement::new(10.0), &cache).expect("prepares");
        assert!(out.path.extension().is_some_and(|e| e == "png"));
        assert_eq!((out.width_px, out.height_px), (118, 59));
        let written = fs::read(&out.path).expect("cache file");
        let reader = png::Decoder::new(Cursor::new(&written[..])).read_info().expect("PNG");
        assert_eq!(reader.info().color_type, png::ColorType::Rgba);
        assert_eq!((reader.info().width, reader.info().height), (118, 59));

        let opaque: Vec<u8> = (0..w * h).flat_map(|_| [10, 120, 30, 255]).collect();
        let src = dir.path().join("opaque.png");
        write_png(&src, w, h, png::ColorType::Rgba, &opaque);
        let out = prepare(&src, &Placement::new(10.0), &cache).expect("prepares");
        assert!(out.path.extension().is_some_and(|e| e == "jpg"));
    }

    #[test]
    fn format_is_sniffed_not_taken_from_the_extension() {
        let (dir, cache) = dirs();
        let src = dir.path().join("really-a-jpeg.png");
        write_jpeg(&src, 320, 240, None);
        let out = prepare(&src, &Placement::new(20.0), &cache).expect("prepares");
        assert_eq!((out.width_px, out.height_px), (236, 177));
    }

    /// Timing of each stage for one 4000×3000 photo, upright and turned by
    /// EXIF (each stage run twice; the second run is warm):
    /// `cargo test --release --lib images::tests::timings -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement, not a check"]
    fn timings() {
        let (dir, cache) = dirs();
        let placement = Placement::new(120.0);
        for orientation in [None, Some(6)] {
            let src = dir.path().join(format!("photo-{orientation:?}.jpg"));
            write_jpeg(&src, 4000, 3000, orientation);
            let bytes = fs::read(&src).expect("readable");
            for _ in 0..2 {
                let t = Instant::now();
                let mut photo = Source::open(&bytes).expect("header");
                let plan = Plan::new(photo.size, photo.orientation, &placement);
                cache_key(&bytes, &plan);
                let header = t.elapsed();
                let t = Instant::now();
                let pixels = photo.decode(&bytes).expect("decodes");
                let decode = t.elapsed();
                let t = Instant::now();
                let small = resize(pixels, &plan).expect("resizes");
                let resize = t.elapsed();
                let t = Instant::now();
                let (encoded, _) = encode(small, &plan, None).expect("encodes");
                let encode = t.elapsed();
                eprintln!(
                    "orientation {orientation:?}, {} KB → {}×{}, {} KB: header+hash {header:.1?}, \
                     decode {decode:.1?}, resize+orient {resize:.1?}, encode {encode:.1?}",
                    bytes.len() / 1024,
                    plan.output.0,
                    plan.output.1,
                    encoded.len() / 1024,
                );
            }
            let t = Instant::now();
            prepare(&src, &placement, &cache).expect("prepares");
            let cold = t.elapsed();
            let t = Instant::now();
            prepare(&src, &placement, &cache).expect("prepares");
            eprintln!("prepare: cold {cold:.1?}, cache hit {:.1?}", t.elapsed());
        }
    }
}
