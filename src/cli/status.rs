use crate::workspace::WorkspaceArg;
use crate::{Outcome, OutputFormat};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// Show the diff (remote vs local) of each open conflict.
    #[arg(long)]
    diff: bool,
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let store = args.ws.open()?;
    let docs = store.documents()?;
    let outbox = store.outbox()?;
    let conflicts = store.open_conflicts()?;
    let mut synced = Vec::new();
    for d in &docs {
        for s in store.sync_states(d.id)? {
            let ahead = s.base_revision != d.head;
            synced.push(serde_json::json!({"document": d.name, "remote": s.remote, "remote_id": s.remote_id, "base_revision": s.base_revision, "head": d.head, "local_changes": ahead, "synced_at": s.synced_at}));
        }
    }
    match args.format {
        OutputFormat::Json => {
            println!(
                "{}",
                serde_json::json!({"documents": docs, "sync": synced, "outbox": outbox, "conflicts": conflicts})
            );
        }
        OutputFormat::Text => {
            println!(
                "workspace {} ({} documents)",
                store.path().display(),
                docs.len()
            );
            for s in &synced {
                println!(
                    "  {} <-> {}:{}{}",
                    s["document"].as_str().unwrap_or(""),
                    s["remote"].as_str().unwrap_or(""),
                    s["remote_id"].as_str().unwrap_or(""),
                    if s["local_changes"] == true {
                        " (local changes)"
                    } else {
                        ""
                    }
                );
            }
            println!("outbox: {} waiting", outbox.len());
            for e in &outbox {
                println!(
                    "  #{} {} -> {} [{:?}, {} attempts]{}",
                    e.id,
                    e.document,
                    e.remote,
                    e.state,
                    e.attempts,
                    e.last_error
                        .as_deref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                );
            }
            println!("conflicts: {}", conflicts.len());
            for c in &conflicts {
                println!(
                    "  {} with {} (since {})",
                    c.document, c.remote, c.created_at
                );
                if args.diff {
                    print!(
                        "{}",
                        journey_studio::store::unified_diff(
                            &c.remote_content,
                            &c.local_content,
                            "remote (theirs)",
                            "local (mine)"
                        )
                    );
                }
            }
        }
    }
    Ok(if outbox.is_empty() && conflicts.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Findings
    })
}
