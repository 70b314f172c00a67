//! `journey-studio parity`: a workflow and its converted journey under the same scenario; exit 0
//! when they take corresponding steps, 1 on divergence, 2 on bad input.

use crate::{Outcome, OutputFormat};
use journey_studio::json::read_text;
use journey_studio::simulate::parity::{self, ParityReport};
use journey_studio::simulate::scenario;
use journey_studio::{Document, Error};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// A Sim workflow (export or state).
    workflow: PathBuf,
    /// A scenarios file (the format `simulate` reads).
    #[arg(long)]
    scenario: PathBuf,
    /// Compare with this journey (converted earlier, maybe edited) instead of converting the
    /// workflow now; its states are matched to blocks by id through the conversion mapping.
    #[arg(long)]
    journey: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let workflow = match Document::load(&args.workflow)? {
        Document::Sim(w) => w,
        Document::Journey(_) => {
            return Err(Error::Unsupported(format!(
                "{}: parity needs a Sim workflow, not a journey (give the journey with --journey)",
                args.workflow.display()
            )))
        }
    };
    let journey = match &args.journey {
        None => None,
        Some(path) => match Document::load(path)? {
            Document::Journey(j) => Some(j),
            Document::Sim(_) => {
                return Err(Error::Unsupported(format!(
                    "{}: --journey needs a journey document",
                    path.display()
                )))
            }
        },
    };
    let file = args.scenario.display().to_string();
    let scenarios = scenario::parse_scenarios(&file, &read_text(&args.scenario)?)?;
    let reports: Vec<ParityReport> = scenarios
        .iter()
        .map(|s| parity::parity(&workflow, journey.as_ref(), s))
        .collect::<Result<_, _>>()?;
    let all = reports.iter().all(|r| r.parity);
    match args.format {
        OutputFormat::Json => {
            let body = serde_json::json!({ "parity": all, "scenarios": reports });
            println!(
                "{}",
                serde_json::to_string_pretty(&body).unwrap_or_default()
            );
        }
        OutputFormat::Text => print!("{}", parity::render(&reports)),
    }
    Ok(if all { Outcome::Ok } else { Outcome::Findings })
}
