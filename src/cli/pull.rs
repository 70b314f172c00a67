use crate::workspace::{block_on, spinner, WorkspaceArg};
use crate::{OutputFormat, Outcome};
use journey_studio::store::RemoteKind;
use journey_studio::sync::engine::{self, PullOutcome};
use journey_studio::sync::sim_sync;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// The remote to pull from.
    remote: String,
    /// The journey (Parlant) or workflow (Sim) id on the remote; lists them when omitted.
    id: Option<String>,
    /// The workspace document to pull into (default: the remote id, or the document already
    /// linked to it).
    #[arg(long)]
    name: Option<String>,
    /// Also write the pulled document to this file.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let mut store = args.ws.open()?;
    let Some(id) = args.id else {
        let remote = store.remote(&args.remote)?;
        let list = match remote.kind {
            RemoteKind::Parlant => {
                let client = engine::parlant_client(&remote)?;
                block_on(async { client.list_journeys().await })??
            }
            RemoteKind::Sim => {
                let client = sim_sync::sim_client(&remote)?;
                let ws = sim_sync::workspace_id(&remote)?;
                let all = block_on(async { client.list_all(&ws, None, Some(100)).await })??;
                all.iter()
                    .map(|w| (w["id"].as_str().unwrap_or_default().to_string(), w["name"].as_str().unwrap_or_default().to_string()))
                    .collect()
            }
        };
        for (id, title) in list {
            match args.format {
                OutputFormat::Json => println!("{}", serde_json::json!({"id": id, "title": title})),
                OutputFormat::Text => println!("{id}\t{title}"),
            }
        }
        return Ok(Outcome::Ok);
    };
    let name = match args.name {
        Some(n) => n,
        None => linked_document(&store, &args.remote, &id)?.unwrap_or_else(|| id.clone()),
    };
    let progress = spinner(&format!("pulling {id} from {}", args.remote));
    let outcome = block_on(engine::pull(&mut store, &args.remote, &id, &name))?;
    progress.finish_and_clear();
    let outcome = outcome?;
    match args.format {
        OutputFormat::Json => println!("{}", serde_json::to_string(&outcome).unwrap_or_default()),
        OutputFormat::Text => match &outcome {
            PullOutcome::Created { document, revision } => println!("pulled into new document `{document}` (revision {revision})"),
            PullOutcome::Updated { document, revision } => println!("updated `{document}` (revision {revision})"),
            PullOutcome::UpToDate { document } => println!("`{document}` is up to date"),
            PullOutcome::LocalAhead { document } => println!("`{document}` has local changes not pushed yet; the remote did not change"),
            PullOutcome::Conflict { document, diff } => println!("conflict on `{document}`: both sides changed; resolve with `journey-studio resolve`\n{diff}"),
        },
    }
    if let Some(path) = args.output {
        let head = store.head(&name)?;
        head.document(&name)?.save(&path)?;
    }
    Ok(if matches!(outcome, PullOutcome::Conflict { .. }) { Outcome::Findings } else { Outcome::Ok })
}

fn linked_document(store: &journey_studio::store::Store, remote: &str, id: &str) -> journey_studio::Result<Option<String>> {
    for d in store.documents()? {
        if let Some(s) = store.sync_state(d.id, remote)? {
            if s.remote_id == id {
                return Ok(Some(d.name));
            }
        }
    }
    Ok(None)
}
