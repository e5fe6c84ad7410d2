//! Running many documents on worker threads. typst itself uses rayon
//! internally, and nesting compiles inside a rayon pool overflowed the stack
//! in batches of a few hundred; plain threads with large stacks do not.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Stack size of each worker: typst's layout recursion is deep.
const STACK: usize = 8 << 20;
/// How often memoized layout results are evicted, in documents. Measured
/// on 1,000 flyers: after every document, peak memory was 136 MiB against
/// 2.6 GiB when evicting every 64, and the batch was slightly faster too
/// (each flyer shares little with the next beyond fonts, which stay loaded).
const EVICT_EVERY: usize = 1;
/// Memoized results unused for this many evictions go. What flyers share
/// (the template's evaluation, fixed parts) is used by every one and stays;
/// on 300 flyers on one core, 2 took 1.0 ms per flyer to evict against
/// 1.5 ms for 10, with 112 MiB peak against 127 and no slower layout.
const EVICT_AGE: usize = 2;

/// Applies `f` to every item on `threads` workers and returns the results in
/// item order.
pub fn run<T: Sync, R: Send>(threads: usize, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    run_with(threads, items, false, f)
}

/// [`run`] for documents that each typeset something of their own (a batch
/// of flyers): memoized layouts are evicted as the batch goes, so memory
/// stays flat however many there are. Other work (rendering previews) must
/// not evict: it would throw away the layouts a watching process reuses on
/// the next rebuild.
pub fn run_typesetting<T: Sync, R: Send>(threads: usize, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    run_with(threads, items, true, f)
}

/// Items per thread below which [`chunks`] keeps to one thread.
const CHUNK_MIN: usize = 32;

/// Applies `f` to `items` cut into at most `threads` consecutive chunks,
/// each on a thread of its own, and returns the results in chunk order, so
/// that joining them gives what one pass over all items gives.
pub fn chunks<T: Sync, R: Send>(threads: usize, items: &[T], f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let threads = threads.min(items.len() / CHUNK_MIN).max(1);
    let parts: Vec<&[T]> = items.chunks(items.len().div_ceil(threads).max(1)).collect();
    if parts.len() <= 1 {
        return vec![f(items)];
    }
    run(threads, &parts, |part| f(part))
}

/// Drops memoized results unused for a while, as a typesetting worker does
/// between documents.
pub(crate) fn evict() {
    comemo::evict(EVICT_AGE);
}

fn run_with<T: Sync, R: Send>(
    threads: usize,
    items: &[T],
    evict: bool,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    let threads = threads.clamp(1, items.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let work = || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    if let Ok(mut all) = results.lock() {
                        all[i] = Some(r);
                    }
                    if evict && (done.fetch_add(1, Ordering::Relaxed) + 1).is_multiple_of(EVICT_EVERY) {
                        self::evict();
                    }
                }
            };
            // If a thread cannot be spawned, the others (or this one, run
            // inline below) still drain the queue.
            if std::thread::Builder::new().stack_size(STACK).spawn_scoped(scope, work).is_err() {
                work();
            }
        }
    });
    results.into_inner().unwrap_or_default().into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn chunks_join_in_order() {
        let items: Vec<usize> = (0..1000).collect();
        for threads in [1, 2, 3, 8] {
            let parts = super::chunks(threads, &items, |c| c.to_vec());
            assert_eq!(parts.concat(), items, "{threads} threads");
            assert_eq!(parts.len(), threads);
        }
        assert_eq!(super::chunks(4, &items[..40], |c| c.len()), vec![40], "small inputs stay on one thread");
        assert_eq!(super::chunks(2, &[] as &[usize], |c| c.len()), vec![0]);
    }

    #[test]
    fn keeps_item_order() {
        let items: Vec<usize> = (0..100).collect();
        assert_eq!(super::run(3, &items, |i| i * 2), items.iter().map(|i| i * 2).collect::<Vec<_>>());
    }
}
