use std::process::ExitCode;

fn main() -> ExitCode {
    remit_server::cli::main()
}
