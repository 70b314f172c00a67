use crate::workspace::WorkspaceArg;
use crate::Outcome;
use journey_studio::Document;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// The document file to save into the workspace as a new revision.
    file: PathBuf,
    /// The document's name in the workspace (default: the file stem).
    #[arg(long)]
    name: Option<String>,
    /// A note kept with the revision.
    #[arg(short, long, default_value = "")]
    message: String,
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let doc = Document::load(&args.file)?;
    let name = args.name.unwrap_or_else(|| {
        args.file
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default()
    });
    let mut store = args.ws.open()?;
    let saved = store.save(&name, &doc, &args.message)?;
    if saved.unchanged {
        println!("`{name}` unchanged (revision {})", saved.revision);
    } else {
        println!("saved `{name}` as revision {}", saved.revision);
    }
    Ok(Outcome::Ok)
}
