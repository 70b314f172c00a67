use crate::workspace::{block_on_here, spinner, WorkspaceArg};
use crate::{Outcome, OutputFormat};
use journey_studio::app;
use journey_studio::sync::engine::{self, PullOutcome};
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
        for app::remotes::RemoteItem { id, title } in app::remotes::list(&remote)? {
            match args.format {
                OutputFormat::Json => println!("{}", serde_json::json!({"id": id, "title": title})),
                OutputFormat::Text => println!("{id}\t{title}"),
            }
        }
        return Ok(Outcome::Ok);
    };
    let name = app::documents::pull_target(&store, &args.remote, &id, args.name.as_deref())?;
    let progress = spinner(&format!("pulling {id} from {}", args.remote));
    let outcome = block_on_here(engine::pull(&mut store, &args.remote, &id, &name))?;
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
    Ok(if matches!(outcome, PullOutcome::Conflict { .. }) {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}
