//! Live chat with a Parlant agent: create a session, post a customer message, and stream the
//! agent's events by long-polling `GET /sessions/{id}/events?min_offset=N&wait_for_data=S`
//! (Parlant answers as soon as an event at or after `min_offset` exists, or 504 after S seconds
//! with nothing new).

use super::parlant::ParlantClient;
use crate::error::{Error, Result};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How one customer turn ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnEnd {
    /// The agent said it is ready for the next message.
    Ready,
    /// The engine reported an error (offline, the stock engine has no LLM).
    Error(String),
    /// No end of turn within the time allowed.
    TimedOut,
}

impl ParlantClient {
    fn chat_err(&self, message: String) -> Error {
        Error::Remote {
            remote: self.http.remote.clone(),
            message,
            retryable: false,
            retry_after: None,
        }
    }

    async fn chat_json(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value> {
        let reply = self.http.send(method, path, body).await?;
        reply.json(&self.http.remote, path)
    }

    /// The id of the agent named (or with id) `name_or_id`.
    pub async fn find_agent(&self, name_or_id: &str) -> Result<String> {
        let agents = self.chat_json(Method::GET, "/agents", None).await?;
        agents
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a.get("id").and_then(|v| v.as_str()) == Some(name_or_id) || a.get("name").and_then(|v| v.as_str()) == Some(name_or_id))
            .and_then(|a| a.get("id").and_then(|v| v.as_str()).map(str::to_string))
            .ok_or_else(|| self.chat_err(format!("no agent named `{name_or_id}` on this server (push a journey with `--agent` first, or create it)")))
    }

    /// Creates a session with `agent_id` (no greeting); returns its id.
    pub async fn create_session(
        &self,
        agent_id: &str,
        customer_id: Option<&str>,
    ) -> Result<String> {
        let mut body = json!({"agent_id": agent_id});
        if let Some(c) = customer_id {
            body["customer_id"] = json!(c);
        }
        let session = self
            .chat_json(Method::POST, "/sessions?allow_greeting=false", Some(&body))
            .await?;
        session
            .get("id")
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .ok_or_else(|| self.chat_err("POST /sessions: the answer has no id".into()))
    }

    /// Posts a customer message; returns its event offset.
    pub async fn send_customer_message(&self, session_id: &str, message: &str) -> Result<u64> {
        let body = json!({"kind": "message", "source": "customer", "message": message});
        let event = self
            .chat_json(
                Method::POST,
                &format!("/sessions/{session_id}/events"),
                Some(&body),
            )
            .await?;
        event.get("offset").and_then(|v| v.as_u64()).ok_or_else(|| {
            self.chat_err("POST /sessions/{id}/events: the answer has no offset".into())
        })
    }

    /// Events at or after `min_offset`, waiting up to `wait_secs` for the first one (empty when
    /// none came).
    pub async fn wait_events(
        &self,
        session_id: &str,
        min_offset: u64,
        wait_secs: u64,
    ) -> Result<Vec<Value>> {
        let path = format!(
            "/sessions/{session_id}/events?min_offset={min_offset}&wait_for_data={wait_secs}"
        );
        let raw = self.http.exchange(Method::GET, &path, None).await?;
        match raw.status.as_u16() {
            200 => match serde_json::from_str::<Value>(&raw.text) {
                Ok(Value::Array(events)) => Ok(events),
                _ => Err(self.chat_err(format!("GET {path}: the answer is not a list of events"))),
            },
            // Parlant's "nothing new within wait_for_data".
            504 => Ok(Vec::new()),
            404 => Err(self.chat_err(format!("session `{session_id}` does not exist"))),
            s => Err(self.chat_err(format!("GET /sessions/{session_id}/events: refused ({s})"))),
        }
    }

    /// Streams the events that follow offset `after` to `on_event` until the agent is ready
    /// again, reports an error, or `timeout` passes. Returns how the turn ended and the next
    /// offset to read from.
    pub async fn stream_turn(
        &self,
        session_id: &str,
        after: u64,
        timeout: Duration,
        mut on_event: impl FnMut(&Value),
    ) -> Result<(TurnEnd, u64)> {
        let deadline = Instant::now() + timeout;
        let mut next = after.saturating_add(1);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok((TurnEnd::TimedOut, next));
            }
            let wait = left.as_secs().clamp(1, 10);
            for event in self.wait_events(session_id, next, wait).await? {
                let offset = event.get("offset").and_then(|v| v.as_u64()).unwrap_or(next);
                // Offsets come from the server: a huge one must not overflow.
                next = next.max(offset.saturating_add(1));
                on_event(&event);
                if event.get("kind").and_then(|k| k.as_str()) == Some("status") {
                    match event.pointer("/data/status").and_then(|s| s.as_str()) {
                        Some("ready") => return Ok((TurnEnd::Ready, next)),
                        Some("error") => {
                            let why = event
                                .pointer("/data/data/exception")
                                .map(|e| {
                                    e.as_str()
                                        .map(str::to_string)
                                        .unwrap_or_else(|| e.to_string())
                                })
                                .unwrap_or_else(|| "the engine failed".into());
                            return Ok((TurnEnd::Error(why.chars().take(300).collect()), next));
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

/// The text of an agent message event, if `event` is one.
pub fn agent_message(event: &Value) -> Option<&str> {
    if event.get("kind")?.as_str()? != "message" || event.get("source")?.as_str()? == "customer" {
        return None;
    }
    event.pointer("/data/message")?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_messages_are_told_apart_from_customer_ones() {
        let agent = json!({"kind": "message", "source": "ai_agent", "offset": 3, "data": {"message": "hi"}});
        let customer = json!({"kind": "message", "source": "customer", "offset": 2, "data": {"message": "yo"}});
        let status = json!({"kind": "status", "source": "ai_agent", "data": {"status": "ready"}});
        assert_eq!(agent_message(&agent), Some("hi"));
        assert_eq!(agent_message(&customer), None);
        assert_eq!(agent_message(&status), None);
    }
}
