//! Validation: diagnostics a designer can act on, for Sim workflows and Parlant journeys.
//!
//! Every code is catalogued in `catalogue` (docs/validation.md is checked against it). Rules are
//! grouped by what they depend on so that `IncrementalValidator` can revalidate one edit without
//! redoing the whole graph. Graph walks go through `GraphView`; JavaScript is parsed by QuickJS.

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
    Sandbox::new(Limits { time: Duration::from_millis(500), ..Limits::default() })
        .map_err(|e| Error::Unsupported(format!("the JavaScript engine could not start: {e}")))
}

/// Validates a document from scratch.
pub fn validate(doc: &Document) -> Result<Report> {
    let diagnostics = match doc {
        Document::Journey(j) => journey::validate_journey(j),
        Document::Sim(s) => workflow::validate_workflow(s.state(), &s.state_path(), &checking_sandbox()?),
    };
    Ok(Report::new(diagnostics))
}
