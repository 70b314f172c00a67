use crate::workspace::WorkspaceArg;
use crate::Outcome;
use journey_studio::sync::engine::{self, Resolution};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// The document in conflict.
    document: String,
    /// The remote it conflicts with.
    remote: String,
    /// keep-mine (the next push overwrites the remote), take-theirs (the remote becomes a new
    /// local revision), both (theirs saved as a copy; mine stays linked).
    #[arg(value_parser = ["keep-mine", "take-theirs", "both"])]
    how: String,
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let mut store = args.ws.open()?;
    let how = match args.how.as_str() {
        "keep-mine" => Resolution::KeepMine,
        "take-theirs" => Resolution::TakeTheirs,
        _ => Resolution::Both,
    };
    println!(
        "{}",
        engine::resolve(&mut store, &args.document, &args.remote, how)?
    );
    Ok(Outcome::Ok)
}
