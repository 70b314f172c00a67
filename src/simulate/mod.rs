//! The simulator: a chat preview of journeys (offline, no LLM) and a local run of Sim
//! workflows with the exact path-selection rules of Sim's executor, both driven by scenarios
//! (golden conversations with mocks and expectations). See docs/simulation.md.

pub mod conversation;
pub mod embed;
pub mod journey;
pub mod matcher;
pub mod mocks;
pub mod pacing;
pub mod parity;
pub mod scenario;
pub mod understand;
pub mod workflow;

pub use journey::{Candidate, SessionOptions};
pub use journey::{Event, Session, Snapshot};
pub use matcher::Matcher;
pub use mocks::{Mock, Mocks};
pub use pacing::Pace;
pub use understand::MatcherKind;
pub use workflow::{RunOptions, RunReport, RunStatus};
