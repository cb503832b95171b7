//! The `tensorseam` command: a thin shell over `tensorseam_cli::run`.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(tensorseam_cli::run(std::env::args_os()))
}
