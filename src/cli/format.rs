use crate::Outcome;
use journey_studio::Document;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The document to read.
    file: PathBuf,
    /// Where to write it (atomically); standard output when omitted.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Write back over the input file.
    #[arg(long, conflicts_with = "output")]
    in_place: bool,
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let doc = Document::load(&args.file)?;
    let target = if args.in_place {
        Some(args.file.clone())
    } else {
        args.output
    };
    match target {
        Some(path) => doc.save(&path)?,
        None => print!("{}", doc.to_json()),
    }
    Ok(Outcome::Ok)
}
