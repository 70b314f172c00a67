//! Live chat with the real agent on a Parlant remote, for `journey-studio chat` and the app's
//! Live panel: the remote checked, a session opened, customer messages posted and the agent's
//! events read back by long-polling (`sync::chat`). Errors name the remote, never its key.

use super::block_on;
use crate::error::{Error, Result};
use crate::store::{RemoteKind, Store};
use crate::sync::chat::agent_message;
use crate::sync::engine;
use crate::sync::parlant::ParlantClient;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use ts_rs::TS;

/// The agent a chat talks to when none is named: the remote's, else Journey Studio's.
pub const DEFAULT_AGENT: &str = "Journey Studio";

/// The client of the Parlant remote `remote` and the agent to talk to (`agent`, else the
/// remote's own).
pub fn chat_client(
    store: &Store,
    remote: &str,
    agent: Option<&str>,
) -> Result<(ParlantClient, String)> {
    let remote = store.remote(remote)?;
    if remote.kind != RemoteKind::Parlant {
        return Err(Error::Unsupported(format!(
            "remote `{}` is a {} remote; chat needs a Parlant remote",
            remote.name,
            remote.kind.as_str()
        )));
    }
    let client = engine::parlant_client(&remote)?;
    let agent = agent
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .or_else(|| remote.option("agent").map(str::to_string))
        .unwrap_or_else(|| DEFAULT_AGENT.into());
    Ok((client, agent))
}

/// A live chat the app opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LiveChat {
    /// The app's handle for it.
    pub chat: String,
    pub remote: String,
    pub agent: String,
    /// The Parlant session.
    pub session: String,
}

/// One event of the session, as the Live panel shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LiveEvent {
    #[ts(type = "number")]
    pub offset: u64,
    /// Parlant's kind: `message`, `status`, `tool`, ...
    pub kind: String,
    /// `customer`, `ai_agent`, ...
    pub source: String,
    /// A message's text.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A status event's status (`acknowledged`, `processing`, `typing`, `ready`, `error`).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl LiveEvent {
    pub fn of(event: &Value) -> LiveEvent {
        let s = |p: &str| event.pointer(p).and_then(Value::as_str).map(str::to_string);
        let kind = s("/kind").unwrap_or_default();
        LiveEvent {
            offset: event.get("offset").and_then(Value::as_u64).unwrap_or(0),
            source: s("/source").unwrap_or_default(),
            text: if kind == "message" {
                agent_message(event)
                    .map(str::to_string)
                    .or_else(|| s("/data/message"))
            } else {
                None
            },
            status: if kind == "status" {
                s("/data/status")
            } else {
                None
            },
            kind,
        }
    }
}

/// What arrived since the offset asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LiveEvents {
    pub events: Vec<LiveEvent>,
    /// The offset to ask from next.
    #[ts(type = "number")]
    pub next: u64,
    /// The agent is ready for the next message (its last status is `ready`).
    pub ready: bool,
    /// The engine reported an error (its last status is `error`).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

struct Open {
    info: LiveChat,
    client: Arc<ParlantClient>,
}

/// The live chats the app has open, by handle.
#[derive(Default)]
pub struct LiveChats {
    open: Mutex<HashMap<String, Arc<Open>>>,
}

/// How many chats stay open at once (the oldest handle is forgotten beyond).
const MAX_CHATS: usize = 16;

impl LiveChats {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Open>>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, chat: &str) -> Result<Arc<Open>> {
        self.lock().get(chat).cloned().ok_or_else(|| {
            Error::NotFound(format!("no live chat `{chat}` (it ended; start a new one)"))
        })
    }

    /// Opens a session with the agent on `remote` (the remote read from `store`, which is not
    /// held during the network work).
    pub fn start(
        &self,
        store: &Store,
        remote: &str,
        agent: Option<&str>,
        customer: Option<&str>,
    ) -> Result<LiveChat> {
        let (client, agent) = chat_client(store, remote, agent)?;
        let session = block_on(async {
            let agent_id = client.find_agent(&agent).await?;
            client.create_session(&agent_id, customer).await
        })??;
        let info = LiveChat {
            chat: format!("live-{}", &crate::editor::edit::new_id()[..8]),
            remote: remote.to_string(),
            agent,
            session,
        };
        let mut open = self.lock();
        if open.len() >= MAX_CHATS {
            if let Some(first) = open.keys().next().cloned() {
                open.remove(&first);
            }
        }
        open.insert(
            info.chat.clone(),
            Arc::new(Open {
                info: info.clone(),
                client: Arc::new(client),
            }),
        );
        Ok(info)
    }

    /// Posts a customer message; answers its offset (read the agent's answer after it).
    pub fn send(&self, chat: &str, message: &str) -> Result<u64> {
        let open = self.get(chat)?;
        if message.trim().is_empty() {
            return Err(Error::Unsupported("the message is empty".into()));
        }
        block_on(
            open.client
                .send_customer_message(&open.info.session, message),
        )?
    }

    /// The events at or after `from`, waiting up to `wait_secs` (at most 10) for the first.
    pub fn events(&self, chat: &str, from: u64, wait_secs: u64) -> Result<LiveEvents> {
        let open = self.get(chat)?;
        let raw = block_on(
            open.client
                .wait_events(&open.info.session, from, wait_secs.min(10)),
        )??;
        let events: Vec<LiveEvent> = raw.iter().map(LiveEvent::of).collect();
        let next = events
            .iter()
            .map(|e| e.offset.saturating_add(1))
            .max()
            .unwrap_or(from)
            .max(from);
        let last_status = events.iter().rev().find_map(|e| e.status.clone());
        let error = (last_status.as_deref() == Some("error")).then(|| {
            raw.iter()
                .rev()
                .find(|e| e.pointer("/data/status").and_then(Value::as_str) == Some("error"))
                .and_then(|e| e.pointer("/data/data/exception"))
                .map(|e| {
                    e.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| e.to_string())
                })
                .unwrap_or_else(|| "the engine failed".into())
                .chars()
                .take(300)
                .collect()
        });
        Ok(LiveEvents {
            ready: last_status.as_deref() == Some("ready"),
            error,
            events,
            next,
        })
    }

    /// Forgets a chat (the server keeps its session).
    pub fn stop(&self, chat: &str) -> bool {
        self.lock().remove(chat).is_some()
    }

    pub fn clear(&self) {
        self.lock().clear();
    }
}
