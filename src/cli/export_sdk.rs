use crate::workspace::WorkspaceArg;
use crate::Outcome;
use journey_studio::sync::sdk_export;
use journey_studio::Document;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// A journey file, or the name of a journey in the workspace.
    journey: String,
    /// Where to write the Python module (standard output when omitted).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Keep every metadata key of the states, the Sim blocks a converted journey carries
    /// (`metadata.sim`) included. By default they are left out so the code reads as the journey.
    #[arg(long)]
    keep_metadata: bool,
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let path = PathBuf::from(&args.journey);
    let doc = if path.is_file() {
        Document::load(&path)?
    } else {
        args.ws
            .open()?
            .head(&args.journey)?
            .document(&args.journey)?
    };
    let Document::Journey(journey) = doc else {
        return Err(journey_studio::Error::Unsupported(format!(
            "`{}` is a Sim workflow; export-sdk takes a Parlant journey",
            args.journey
        )));
    };
    let code = sdk_export::export_with(
        &journey,
        sdk_export::ExportOptions {
            keep_metadata: args.keep_metadata,
        },
    );
    match args.output {
        Some(out) => std::fs::write(&out, code).map_err(|source| journey_studio::Error::Write {
            file: out.display().to_string(),
            source,
        })?,
        None => print!("{code}"),
    }
    Ok(Outcome::Ok)
}
