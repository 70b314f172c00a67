use crate::Outcome;
use journey_studio::convert::{journey_to_workflow, workflow_to_journey, ConvertOptions, Mapping};
use journey_studio::{json, Document, Error};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum Target {
    Journey,
    Workflow,
}

#[derive(clap::Args)]
pub struct Args {
    /// A Sim workflow (export or state) or a journey document.
    input: PathBuf,
    /// What to convert it into.
    #[arg(long, value_enum)]
    to: Target,
    /// Where to write the result (atomically); standard output when omitted.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Also write the mapping (states <-> blocks, transitions <-> edges, variables,
    /// approximations) as JSON to this file.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// `service_name` of the tool ids given to tool states.
    #[arg(long, default_value = "sim")]
    service_name: String,
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let doc = Document::load(&args.input)?;
    let opts = ConvertOptions {
        service_name: args.service_name.clone(),
        ..ConvertOptions::default()
    };
    let file = args.input.display();
    let (text, mapping) = match (doc, args.to) {
        (Document::Sim(sim), Target::Journey) => {
            let c = workflow_to_journey(&sim, &opts)?;
            (c.output.to_json(), c.mapping)
        }
        (Document::Journey(journey), Target::Workflow) => {
            let c = journey_to_workflow(&journey, &opts)?;
            (c.output.to_json(), c.mapping)
        }
        (Document::Sim(_), Target::Workflow) => {
            return Err(Error::Unsupported(format!(
                "{file} is already a Sim workflow; use `--to journey`"
            )))
        }
        (Document::Journey(_), Target::Journey) => {
            return Err(Error::Unsupported(format!(
                "{file} is already a journey; use `--to workflow`"
            )))
        }
    };
    if let Some(path) = &args.mapping {
        json::write_atomic(path, &json::to_pretty(&mapping))?;
    }
    match &args.output {
        Some(path) => json::write_atomic(path, &text)?,
        None => print!("{text}"),
    }
    report(&mapping);
    Ok(Outcome::Ok)
}

/// What was approximated, on standard error (the converted document may be on standard output).
fn report(mapping: &Mapping) {
    eprintln!(
        "converted: {} states/blocks, {} transitions/edges, {} variables, {} approximations",
        mapping.nodes.len(),
        mapping.edges.len(),
        mapping.variables.len(),
        mapping.approximations.len()
    );
    for a in &mapping.approximations {
        eprintln!("  {} {}", a.code, a.message);
    }
}
