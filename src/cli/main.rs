//! `journey-studio`: the core as a command-line tool, for scripts and CI.
//!
//! Exit codes: 0 all good, 1 findings (validation problems, failed expectations), 2 bad input
//! or usage.

mod convert;
mod export_sdk;
mod format;
mod history;
mod input;
mod inspect;
mod template;
mod save;
mod pull;
mod push;
mod remote;
mod resolve;
mod status;
mod workspace;
mod validate;
mod simulate;
mod serve;
mod parity;
mod sim;
mod chat;

// mimalloc: conversion and validation allocate and free many small JSON values; glibc's
// allocator spent a third of a 10,000-block conversion consolidating free chunks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Convert a Sim workflow into a Parlant journey, or a journey into a workflow.
    Convert(convert::Args),
    /// Templates: list, show, instantiate, lint, save a journey as a template.
    Template(template::Args),
    /// Save a document file into the workspace as a new revision.
    Save(save::Args),
    /// A document's revisions; diff two; restore one.
    History(history::Args),
    /// Manage remote servers (Parlant, Sim).
    Remote(remote::Args),
    /// Pull a journey or Sim workflow from a remote into the workspace (or list the remote's).
    Pull(pull::Args),
    /// Push documents to a remote (through the outbox; retried when the server is down).
    Push(push::Args),
    /// Show sync state, the outbox and open conflicts.
    Status(status::Args),
    /// Write a journey as Parlant SDK Python code.
    ExportSdk(export_sdk::Args),
    /// Resolve a conflict: keep-mine, take-theirs, or both.
    Resolve(resolve::Args),
    /// Check a document against Sim's or Parlant's rules: errors, warnings and hints.
    Validate(validate::Args),
    /// Play a journey or run a workflow locally: a scenario (exit 1 on a failed expectation)
    /// or an interactive session on standard input.
    Simulate(simulate::Args),
    /// Serve the UI and the app's commands on 127.0.0.1 (with a random token) for a browser.
    Serve(serve::Args),
    /// Run a workflow and its converted journey under one scenario and report where their
    /// paths diverge (exit 1 on divergence).
    Parity(parity::Args),
    /// Sim remote: deploy, undeploy, versions, rollback, execute, runs, cancel.
    Sim(sim::Args),
    /// Chat with a Parlant agent: each stdin line is a customer message; events stream back.
    Chat(chat::Args),
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
        Command::Convert(args) => convert::run(args),
        Command::Template(args) => template::run(args),
        Command::Save(args) => save::run(args),
        Command::History(args) => history::run(args),
        Command::Remote(args) => remote::run(args),
        Command::Pull(args) => pull::run(args),
        Command::Push(args) => push::run(args),
        Command::Status(args) => status::run(args),
        Command::Resolve(args) => resolve::run(args),
        Command::ExportSdk(args) => export_sdk::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Parity(args) => parity::run(args),
        Command::Sim(args) => sim::run(args),
        Command::Chat(args) => chat::run(args),
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
