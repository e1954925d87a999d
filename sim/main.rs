//! The `medgroup` command.

fn main() -> std::process::ExitCode {
    medgroup::cli::main()
}
