use crate::workspace::WorkspaceArg;
use crate::{Outcome, OutputFormat};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// The document.
    name: String,
    /// Show the diff between two revisions: `--diff FROM TO`.
    #[arg(long, num_args = 2, value_names = ["FROM", "TO"])]
    diff: Option<Vec<i64>>,
    /// Make this revision the head again (as a new revision).
    #[arg(long)]
    restore: Option<i64>,
    /// Write the head revision to this file.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let mut store = args.ws.open()?;
    if let Some(d) = &args.diff {
        if let [from, to] = d.as_slice() {
            print!("{}", store.diff(*from, *to)?);
        }
        return Ok(Outcome::Ok);
    }
    if let Some(rev) = args.restore {
        let saved = store.restore(&args.name, rev)?;
        println!(
            "restored revision {rev} of `{}` as revision {}",
            args.name, saved.revision
        );
        return Ok(Outcome::Ok);
    }
    if let Some(path) = &args.output {
        store.head(&args.name)?.document(&args.name)?.save(path)?;
        return Ok(Outcome::Ok);
    }
    let history = store.history(&args.name)?;
    match args.format {
        OutputFormat::Json => println!("{}", serde_json::to_string(&history).unwrap_or_default()),
        OutputFormat::Text => {
            for r in history {
                // The hash comes from the workspace file, which may have been edited: no length assumed.
                let short: String = r.hash.chars().take(12).collect();
                println!("{}\t{}\t{short}\t{}", r.id, r.created_at, r.message);
            }
        }
    }
    Ok(Outcome::Ok)
}
