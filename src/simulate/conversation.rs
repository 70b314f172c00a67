//! Several journeys in one conversation, as Parlant runs them: each journey starts when a
//! customer message matches one of its conditions, several can be active at once, and each
//! active journey walks at its own pace on every message (Parlant 3.3.2
//! `core/engines/alpha/engine.py`, `_filter_activated_journeys`: a journey is active when its
//! conditions match the message or its path's last step is not None).

use super::journey::{Event, Session, SessionOptions};
use super::mocks::Mocks;
use crate::error::{Error, Result};
use crate::parlant::JourneyDocument;
use serde::{Deserialize, Serialize};

/// Events of one journey in a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct JourneyEvents {
    /// The journey's index in the conversation and its title.
    pub journey: usize,
    pub title: String,
    pub events: Vec<Event>,
}

/// A conversation with several journeys, each a [`Session`] that waits for activation.
#[derive(Debug, Clone)]
pub struct Conversation {
    journeys: Vec<(String, Session)>,
}

/// At most this many journeys in one conversation.
pub const MAX_JOURNEYS: usize = 64;

impl Conversation {
    pub fn new(
        docs: &[JourneyDocument],
        mocks: &Mocks,
        options: &SessionOptions,
    ) -> Result<Conversation> {
        if docs.len() > MAX_JOURNEYS {
            return Err(Error::Simulation(format!(
                "a conversation holds at most {MAX_JOURNEYS} journeys, not {}",
                docs.len()
            )));
        }
        let mut journeys = Vec::with_capacity(docs.len());
        for (i, doc) in docs.iter().enumerate() {
            let options = SessionOptions {
                wait_for_activation: true,
                ..options.clone()
            };
            let mut session = Session::with_options(doc, mocks.clone(), options).map_err(|e| {
                Error::Simulation(format!("journeys[{i}] ({}): {e}", doc.journey.title))
            })?;
            session.start()?;
            journeys.push((doc.journey.title.clone(), session));
        }
        Ok(Conversation { journeys })
    }

    /// The customer says `text`: every journey hears it; inactive ones may activate, active
    /// ones move on. Returns the events of each journey that did something.
    pub fn send(&mut self, text: &str) -> Result<Vec<JourneyEvents>> {
        let mut out = Vec::new();
        for (i, (title, session)) in self.journeys.iter_mut().enumerate() {
            let events = session
                .send(text)
                .map_err(|e| Error::Simulation(format!("journeys[{i}] ({title}): {e}")))?;
            out.push(JourneyEvents {
                journey: i,
                title: title.clone(),
                events,
            });
        }
        Ok(out)
    }

    /// The journeys active now (started and not exited), by index.
    pub fn active(&self) -> Vec<usize> {
        self.journeys
            .iter()
            .enumerate()
            .filter(|(_, (_, s))| !s.position().inactive && !s.ended())
            .map(|(i, _)| i)
            .collect()
    }

    pub fn session(&self, journey: usize) -> Option<&Session> {
        self.journeys.get(journey).map(|(_, s)| s)
    }
}
