use crate::{Outcome, OutputFormat};
use journey_studio::validate::{validate_with, Options, Report, Severity};
use journey_studio::Document;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Treat warnings as errors for the exit code.
    Warnings,
}

#[derive(clap::Args)]
pub struct Args {
    /// A Sim workflow export / state, or a journey document.
    file: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
    /// Fail (exit 1) on warnings too.
    #[arg(long, value_enum)]
    deny: Option<Deny>,
    /// Leave out the conversion-readiness diagnostics (C###: what converting this workflow to a
    /// journey, or this journey to a Sim workflow, would approximate).
    #[arg(long)]
    no_readiness: bool,
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let doc = Document::load(&args.file)?;
    let report = validate_with(
        &doc,
        Options {
            readiness: !args.no_readiness,
        },
    )?;
    let file = args.file.display().to_string();
    match args.format {
        OutputFormat::Json => {
            let out = serde_json::json!({ "file": file, "kind": doc.kind(), "report": report });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        OutputFormat::Text => print!("{}", render(&file, &report)),
    }
    let failing = report.errors > 0 || (args.deny == Some(Deny::Warnings) && report.warnings > 0);
    Ok(if failing {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}

/// Compiler-style lines: `file:path: severity[code]: message`, then the hint indented.
pub fn render(file: &str, report: &Report) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let _ = writeln!(
            out,
            "{file}:{}: {}[{}]: {}",
            d.path,
            d.severity.as_str(),
            d.code,
            d.message
        );
        if !d.hint.is_empty() {
            let _ = writeln!(out, "  hint: {}", d.hint);
        }
    }
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let _ = writeln!(
        out,
        "{file}: {}, {}, {}",
        plural(report.errors, Severity::Error.as_str()),
        plural(report.warnings, Severity::Warning.as_str()),
        plural(report.infos, Severity::Info.as_str())
    );
    out
}
