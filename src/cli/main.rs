//! `journey-studio`: the core as a command-line tool, for scripts and CI.
//!
//! Exit codes: 0 all good, 1 findings (validation problems, failed expectations), 2 bad input
//! or usage.

mod format;
mod inspect;
mod simulate;

use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "journey-studio", version = journey_studio::VERSION, about = "Design Sim workflows and Parlant journeys offline: inspect, format, convert, validate, simulate, sync.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Tell what a file is: its kind, shape, counts and block types.
    Inspect(inspect::Args),
    /// Read a document and write it back (normalised layout, nothing lost).
    Format(format::Args),
    /// Play a journey or run a workflow locally: a scenario (exit 1 on a failed expectation)
    /// or an interactive session on standard input.
    Simulate(simulate::Args),
}

/// How results are printed.
#[derive(Clone, Copy, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    #[default]
    Text,
    Json,
}

/// What a command concluded, mapped onto the exit code.
pub enum Outcome {
    Ok,
    Findings,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Format(args) => format::run(args),
        Command::Simulate(args) => simulate::run(args),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(err) => {
            eprintln!("journey-studio: error: {err}");
            ExitCode::from(2)
        }
    }
}
