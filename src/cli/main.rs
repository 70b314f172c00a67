//! `journey-studio`: the core as a command-line tool, for scripts and CI.
//!
//! Exit codes: 0 all good, 1 findings (validation problems, failed expectations), 2 bad input
//! or usage.

mod chat;
mod convert;
mod export_sdk;
mod format;
mod history;
mod input;
mod inspect;
mod parity;
mod pull;
mod push;
mod remote;
mod resolve;
mod save;
mod serve;
mod sim;
mod simulate;
mod status;
mod template;
mod validate;
mod workspace;

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

/// Whether `message` is the panic `print!`/`println!`/`eprintln!` raise when the reader of
/// standard output (or error) has gone: `failed printing to stdout: Broken pipe (os error 32)`
/// (std's `io::stdio::print_to`). The OS error text is compared by number, not by wording.
fn is_closed_pipe_panic(message: &str) -> bool {
    let broken = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
    let numbers: &[i32] = if cfg!(windows) { &[109, 232] } else { &[32] };
    (message.starts_with("failed printing to stdout")
        || message.starts_with("failed printing to stderr"))
        && (numbers
            .iter()
            .any(|n| message.ends_with(&format!("(os error {n})")))
            || message.ends_with(&broken.to_string()))
}

/// Whether an error came from writing to a closed pipe.
fn is_closed_pipe_error(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(e) = cause {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        {
            return true;
        }
        cause = e.source();
    }
    false
}

/// A closed pipe ends the program quietly with success, as `ripgrep` does
/// (`journey-studio validate big.json | head -1`): Rust ignores SIGPIPE, so the write fails and
/// `println!` panics; the hook turns exactly that panic into a quiet exit. Any other panic is
/// reported as before.
fn exit_quietly_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied());
        if message.is_some_and(is_closed_pipe_panic) {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    exit_quietly_on_closed_pipe();
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
        Err(err) if is_closed_pipe_error(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("journey-studio: error: {err}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_closed_pipe_panic_only() {
        let epipe = std::io::Error::from_raw_os_error(if cfg!(windows) { 232 } else { 32 });
        assert!(is_closed_pipe_panic(&format!(
            "failed printing to stdout: {epipe}"
        )));
        assert!(is_closed_pipe_panic(&format!(
            "failed printing to stderr: {epipe}"
        )));
        let other = std::io::Error::from_raw_os_error(28); // ENOSPC
        assert!(!is_closed_pipe_panic(&format!(
            "failed printing to stdout: {other}"
        )));
        assert!(!is_closed_pipe_panic(
            "index out of bounds: the len is 3 but the index is 32 (os error 32)"
        ));

        let closed = journey_studio::Error::Write {
            file: "-".into(),
            source: std::io::ErrorKind::BrokenPipe.into(),
        };
        assert!(is_closed_pipe_error(&closed));
        assert!(!is_closed_pipe_error(&journey_studio::Error::Unsupported(
            "x".into()
        )));
    }
}
