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

/// One block's part of a streamed Sim run: the chunks it sent, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SimBlockStream {
    pub block_id: String,
    /// The block's name in the workflow, when the remote's export has it.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub chunks: Vec<String>,
}

/// A deployed workflow run on a Sim remote as a Server-Sent Events stream, per block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SimStreamRun {
    /// The Sim workflow id run.
    pub workflow: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// `completed`, `failed`, `paused`, ...
    pub status: String,
    /// The blocks in the order their first chunk arrived.
    pub blocks: Vec<SimBlockStream>,
    /// The `final` event's output.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How many events the stream carried.
    #[ts(type = "number")]
    pub events: u64,
}

/// The Sim id of `given` on `remote`: a workspace document pushed to (or pulled from) it, else
/// `given` itself.
pub fn sim_workflow_id(store: &Store, remote: &str, given: &str) -> Result<String> {
    if let Some(doc) = store.documents()?.into_iter().find(|d| d.name == given) {
        if let Some(state) = store.sync_state(doc.id, remote)? {
            if !state
                .remote_id
                .starts_with(crate::sync::sim_sync::IMPORT_PREFIX)
            {
                return Ok(state.remote_id);
            }
        }
    }
    Ok(given.to_string())
}

/// Runs the deployed `workflow` (a Sim id or a document synced with the remote) on the Sim
/// remote `remote` with `input`, streaming `selected` outputs (`Block.path`), and gathers the
/// stream per block.
pub fn sim_run_stream(
    store: &Store,
    remote: &str,
    workflow: &str,
    input: serde_json::Map<String, Value>,
    selected: &[String],
    timeout: std::time::Duration,
) -> Result<SimStreamRun> {
    let remote = store.remote(remote)?;
    if remote.kind != RemoteKind::Sim {
        return Err(Error::Unsupported(format!(
            "remote `{}` is a {} remote; a workflow run needs a Sim remote",
            remote.name,
            remote.kind.as_str()
        )));
    }
    let id = sim_workflow_id(store, &remote.name, workflow)?;
    let client = crate::sync::sim_sync::sim_client(&remote)?;
    block_on(async {
        let mut blocks: Vec<SimBlockStream> = Vec::new();
        let run = client
            .execute_stream(&id, &input, selected, timeout, |event| {
                if let crate::sync::sim::StreamEvent::Chunk { block_id, chunk } = event {
                    match blocks.iter_mut().find(|b| &b.block_id == block_id) {
                        Some(b) => b.chunks.push(chunk.clone()),
                        None => blocks.push(SimBlockStream {
                            block_id: block_id.clone(),
                            name: None,
                            chunks: vec![chunk.clone()],
                        }),
                    }
                }
            })
            .await?;
        // Names for the blocks: the export, when the key may read it (not needed to run).
        if let Ok(Some(export)) = client.export(&id).await {
            for b in &mut blocks {
                b.name = export
                    .pointer("/state/blocks")
                    .and_then(|blocks| blocks.get(&b.block_id))
                    .and_then(|block| block.get("name"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
        }
        let (output, error) = match &run.outcome {
            Some(crate::sync::sim::StreamEvent::Final(data)) => (
                data.get("output").cloned(),
                data.get("error")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            ),
            Some(crate::sync::sim::StreamEvent::Error { message }) => (None, Some(message.clone())),
            _ => (None, None),
        };
        Ok(SimStreamRun {
            workflow: id.clone(),
            run_id: run.run_id.clone(),
            status: run.status().to_string(),
            blocks,
            output,
            error,
            events: run.events as u64,
        })
    })?
}
