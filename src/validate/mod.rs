//! Validation: diagnostics a designer can act on, for Sim workflows and Parlant journeys.
//!
//! Every code is catalogued in `catalogue` (docs/validation.md is checked against it). Rules are
//! grouped by what they depend on so that `IncrementalValidator` can revalidate one edit without
//! redoing the whole graph. Graph walks go through `GraphView`; JavaScript is parsed by QuickJS.
//! Conversion readiness (`readiness`) runs the converter and reports its approximations.

pub mod catalogue;
pub mod diagnostic;
pub mod incremental;
pub mod journey;
pub mod readiness;
pub mod workflow;

pub use catalogue::{Rule, CATALOGUE};
pub use diagnostic::{Diagnostic, Report, Severity};
pub use incremental::{Edit, IncrementalValidator};

use crate::error::{Error, Result};
use crate::js::{Limits, Sandbox};
use crate::Document;
use std::time::Duration;

/// A sandbox for syntax checks only: nothing runs, so small limits are plenty.
pub fn checking_sandbox() -> Result<Sandbox> {
    Sandbox::new(Limits {
        time: Duration::from_millis(500),
        ..Limits::default()
    })
    .map_err(|e| Error::Internal(format!("the JavaScript engine could not start: {e}")))
}

/// What a validation run checks beyond the document's own rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Also report what converting the document would approximate (`C###`, see `readiness`).
    pub readiness: bool,
}

/// Validates a document from scratch against its own system's rules (`J###` / `W###`). This is
/// what `IncrementalValidator` keeps up to date edit by edit.
pub fn validate(doc: &Document) -> Result<Report> {
    validate_with(doc, Options::default())
}

/// Validates a document from scratch, with the conversion-readiness diagnostics when asked
/// (the CLI's default). Readiness runs the whole conversion, so it is not incremental.
pub fn validate_with(doc: &Document, options: Options) -> Result<Report> {
    let mut diagnostics = match doc {
        Document::Journey(j) => journey::validate_journey(j),
        Document::Sim(s) => {
            workflow::validate_workflow(s.state(), &s.state_path(), &checking_sandbox()?)
        }
    };
    if options.readiness {
        diagnostics.extend(readiness::readiness(doc));
    }
    Ok(Report::new(diagnostics))
}
