use crate::workspace::{bar, block_on_here, WorkspaceArg};
use crate::{Outcome, OutputFormat};
use journey_studio::sync::engine::{self, PushOutcome};
use journey_studio::Document;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// The remote to push to.
    remote: String,
    /// Documents to push: workspace names, or journey files (saved into the workspace first,
    /// under their file stem). With none, retries what waits in the outbox.
    documents: Vec<String>,
    /// Retry everything in the outbox now, ignoring backoff.
    #[arg(long)]
    now: bool,
    /// Overwrite the remote even when it changed since the last sync.
    #[arg(long)]
    force: bool,
    /// Sim: import as a NEW workflow even though the document is linked to one (how to publish
    /// an edit without an editor session cookie; the linked workflow stays unchanged).
    #[arg(long)]
    as_new: bool,
    /// Push even when the document has validation errors (by default a document with errors is
    /// refused before any request, and its errors are listed).
    #[arg(long)]
    allow_invalid: bool,
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

fn print(outcome: &PushOutcome, format: OutputFormat) {
    match format {
        OutputFormat::Json => println!("{}", serde_json::to_string(outcome).unwrap_or_default()),
        OutputFormat::Text => match outcome {
            PushOutcome::Pushed {
                document,
                remote_id,
                created,
                requests,
                superseded,
            } => {
                println!(
                    "pushed `{document}` -> {remote_id} ({}, {requests} changes)",
                    if *created { "created" } else { "updated" }
                );
                if let Some(old) = superseded {
                    println!("  imported as a NEW workflow (--as-new); the document now links to it, `{old}` is unchanged")
                }
            }
            PushOutcome::UpToDate {
                document,
                remote_id,
            } => println!("`{document}` is up to date on {remote_id}"),
            PushOutcome::Queued {
                document, error, ..
            } => println!("`{document}` queued in the outbox: {error}"),
            PushOutcome::Conflict { document, diff } => {
                println!("conflict: `{document}` changed on the remote since the last sync; resolve with `journey-studio resolve`\n{diff}")
            }
            PushOutcome::Invalid {
                document,
                diagnostics,
                ..
            } => {
                println!("refused: `{document}` has {} validation error(s); nothing was sent (fix them, or push anyway with --allow-invalid)", diagnostics.len());
                for d in diagnostics {
                    println!(
                        "  {}: error[{}]: {}\n    hint: {}",
                        d.path, d.code, d.message, d.hint
                    );
                }
            }
        },
    }
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let mut store = args.ws.open()?;
    let mut names = Vec::new();
    for d in &args.documents {
        let path = PathBuf::from(d);
        if path.is_file() {
            let doc = Document::load(&path)?;
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| d.clone());
            store.save(&name, &doc, &format!("import {}", path.display()))?;
            names.push(name);
        } else {
            names.push(d.clone());
        }
    }
    let mut outcomes = Vec::new();
    if names.is_empty() {
        if args.as_new {
            return Err(journey_studio::Error::Rejected(
                "--as-new needs the documents to push".into(),
            ));
        }
        let due = store.due_pushes(Some(&args.remote), args.now)?.len() as u64;
        let progress = bar(due, "outbox");
        let result = block_on_here(engine::flush(&mut store, Some(&args.remote), args.now))?;
        progress.finish_and_clear();
        outcomes.extend(result?);
    } else {
        let progress = bar(names.len() as u64, "push");
        for name in &names {
            let options = engine::PushOptions {
                force: args.force,
                as_new: args.as_new,
                allow_invalid: args.allow_invalid,
            };
            let outcome =
                block_on_here(engine::push_with(&mut store, name, &args.remote, options))??;
            progress.inc(1);
            outcomes.push(outcome);
        }
        progress.finish_and_clear();
    }
    for o in &outcomes {
        print(o, args.format);
    }
    let trouble = outcomes.iter().any(|o| {
        matches!(
            o,
            PushOutcome::Conflict { .. } | PushOutcome::Queued { .. } | PushOutcome::Invalid { .. }
        )
    });
    Ok(if trouble {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}
