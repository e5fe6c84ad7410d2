//! `sample-photos`: writes phone-size sample photos for the example content.
//!
//! ```text
//! cargo run --release --bin sample-photos -- content/photos cover.jpg hubin.jpg hubin-portrait.jpg
//! cargo run --release --bin sample-photos -- /tmp/photos --count 8
//! ```
//!
//! Each photo is a 4000×3000 JPEG at quality 90 (3–6 MB, like a phone's): an
//! outdoor scene drawn from a seed taken from its file name (sky, hills,
//! buildings with windows, a red banner, trees and people, with sensor-like
//! grain), so the same name always gives the same bytes. A name containing
//! "portrait" gives a portrait shot stored the way phones store it: a
//! 4000×3000 pixel grid plus EXIF orientation 6. Files that already exist at
//! the right size are kept, so a rerun is instant.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use clap::Parser;
use pressroom::sample_photos::{self, Written};

const LONG: u32 = 4000;
const SHORT: u32 = 3000;

/// Writes deterministic phone-size sample photos (4000×3000 JPEG).
#[derive(Parser)]
struct Args {
    /// Folder to write into (created if missing).
    out_dir: PathBuf,
    /// File names to write; a name containing "portrait" is a portrait shot.
    names: Vec<String>,
    /// Without names: how many `sample-NN.jpg` to write.
    #[arg(long, default_value_t = 6)]
    count: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let names = if args.names.is_empty() {
        (1..=args.count).map(|i| format!("sample-{i:02}.jpg")).collect()
    } else {
        args.names
    };
    // One photo per core: each is a single thread's work.
    let queue = Mutex::new(names.iter());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(names.len().max(1));
    let failed = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut failed = false;
                    while let Some(name) = queue.lock().ok().and_then(|mut q| q.next()) {
                        if let Err(e) = write_photo(&args.out_dir, name) {
                            eprintln!("sample-photos: {name}: {e}");
                            failed = true;
                        }
                    }
                    failed
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(true)).fold(false, |a, b| a | b)
    });
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn write_photo(out_dir: &Path, name: &str) -> Result<(), String> {
    let path = out_dir.join(name);
    match sample_photos::write_photo(&path, LONG, SHORT)? {
        Written::Kept => println!("kept  {}", path.display()),
        Written::Wrote(bytes) => println!("wrote {} ({:.1} MB)", path.display(), bytes as f64 / 1e6),
    }
    Ok(())
}
