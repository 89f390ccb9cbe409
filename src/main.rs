//! Entry point of the `medrd` binary: parse the command line, dispatch, map errors to exit
//! codes (0 ok, 1 check failures, 2 errors).

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
