//! The `pressroom` command.

fn main() -> std::process::ExitCode {
    pressroom::cli::main()
}
