//! The `tensorseam` command line. Exit codes: 0 ok, 1 the check found problems, 2 usage or I/O error.
#![deny(missing_docs)]

mod args;
mod batches;
mod build;
mod check_model;
mod commands;
mod encode;
mod fit;
mod git;
mod load;
mod output;
mod review;
mod schema_path;

pub use args::Cli;

/// Runs the command line with `args` (the program name first) and returns the exit code.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::Parser as _;
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    commands::dispatch(cli)
}
