//! The `pressroom` command.

/// mimalloc rather than glibc's allocator: a batch's typesetting threads
/// allocate and free constantly, and with glibc two workers spent about a
/// fifth more CPU per flyer than one (arena contention) while their
/// fragmenting arenas grew with the batch (123 MiB at 1,000 flyers, 155 at
/// 3,000); with mimalloc memory stays flat (200 → 210 MiB) and two workers
/// scale better (1.2× → 1.5× on 300 flyers).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    if let Some(code) = pressroom::workers::serve_if_asked() {
        return code;
    }
    pressroom::cli::main()
}
