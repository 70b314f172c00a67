use crate::{Outcome, OutputFormat};
use journey_studio::{Document, Summary};
use std::fmt::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// A Sim workflow export / state, or a journey document.
    file: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let doc = Document::load(&args.file)?;
    let summary = doc.summary();
    match args.format {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&summary).unwrap_or_default()
        ),
        OutputFormat::Text => print!("{}", render(&args.file.display().to_string(), &summary)),
    }
    Ok(Outcome::Ok)
}

fn counts(map: &std::collections::BTreeMap<String, usize>) -> String {
    let mut items: Vec<_> = map.iter().collect();
    items.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    items
        .iter()
        .map(|(k, n)| format!("{k} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn render(file: &str, summary: &Summary) -> String {
    let mut out = String::new();
    match summary {
        Summary::Workflow(w) => {
            let shape = match (w.shape, w.json_string) {
                (journey_studio::sim::SimShape::Envelope, false) => "export envelope",
                (journey_studio::sim::SimShape::BareState, false) => "bare workflow state",
                (journey_studio::sim::SimShape::Envelope, true) => {
                    "export envelope in a JSON string"
                }
                (journey_studio::sim::SimShape::BareState, true) => {
                    "workflow state in a JSON string"
                }
            };
            let _ = writeln!(out, "{file}: Sim workflow ({shape})");
            let _ = writeln!(
                out,
                "  name:        {}",
                w.name.as_deref().unwrap_or("(none)")
            );
            let _ = writeln!(
                out,
                "  blocks:      {} ({} disabled)",
                w.blocks, w.disabled_blocks
            );
            let _ = writeln!(out, "  edges:       {}", w.edges);
            let _ = writeln!(
                out,
                "  loops:       {}   parallels: {}   variables: {}",
                w.loops, w.parallels, w.variables
            );
            let _ = writeln!(out, "  block types: {}", counts(&w.block_types));
            let _ = writeln!(out, "  families:    {}", counts(&w.families));
            let _ = writeln!(out, "  handles:     {}", counts(&w.edge_handles));
        }
        Summary::Journey(j) => {
            let _ = writeln!(out, "{file}: Parlant journey");
            let _ = writeln!(out, "  title:       {}", j.title);
            let _ = writeln!(out, "  conditions:  {}", j.conditions);
            let _ = writeln!(
                out,
                "  states:      {} ({})",
                j.states,
                counts(&j.states_by_kind)
            );
            let _ = writeln!(
                out,
                "  transitions: {} ({} conditional, {} to end)",
                j.transitions, j.conditional_transitions, j.transitions_to_end
            );
            let tools = if j.tools.is_empty() {
                "(none)".to_string()
            } else {
                j.tools.join(", ")
            };
            let _ = writeln!(out, "  tools:       {tools}");
            let _ = writeln!(out, "  context variables: {}", j.context_variables);
        }
    }
    out
}
