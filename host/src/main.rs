//! The `ouro` binary: parses the command line and runs a command.

fn main() -> std::process::ExitCode {
    ouro::cli::main()
}
