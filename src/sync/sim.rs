//! Sim client: the public v2 workflows API (`X-API-Key`) and the editor's draft routes
//! (session cookie) that are the only way to update a workflow in place. Shapes follow Sim's own
//! spec, fixtures/specs/sim-openapi-v2-workflows.json: envelope `{data: ...}`, errors
//! `{error: {code, message, details}}`, opaque `nextCursor` pagination.
//!
//! A 429 with `Retry-After` is waited out and the request sent again, up to
//! `RATE_LIMIT_RETRIES` times when the wait is at most `MAX_RATE_LIMIT_WAIT` seconds; past that
//! the error goes back to the caller (a push then waits in the outbox until `Retry-After`).
//! Nothing else is retried here: Sim's deploy mints a version per call, so a request whose fate
//! is unknown (timeout, reset) must not be sent twice blindly.

use super::http::{Http, Reply};
use crate::error::{Error, Result};
use reqwest::Method;
use serde_json::{json, Map, Value};

/// How often a rate-limited request is sent again before giving up.
pub const RATE_LIMIT_RETRIES: usize = 3;
/// The longest `Retry-After` waited out in place (seconds).
pub const MAX_RATE_LIMIT_WAIT: u64 = 30;
/// Sim's editor session cookie.
pub const SESSION_COOKIE: &str = "better-auth.session_token";

pub struct SimClient {
    api: Http,
    /// The draft routes' client (session cookie), when a cookie is configured.
    editor: Option<Http>,
}

/// One page of a cursor-paginated list.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Value>,
    pub next_cursor: Option<String>,
}

/// Options of `POST /execute` this client sends (the spec's `ExecuteWorkflowRequest`).
#[derive(Debug, Clone, Default)]
pub struct ExecuteOptions {
    pub input: Map<String, Value>,
    pub run_async: bool,
    pub timeout_seconds: Option<u64>,
}

/// The answer of an execution: a finished run (sync) or a queued one (async, 202).
#[derive(Debug, Clone)]
pub enum Execution {
    Finished(Value),
    Queued { run_id: String, status_url: String },
}

/// One event of a streamed execution.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// `{blockId, chunk}`: text of a block's selected output or an agent's answer.
    Chunk { block_id: String, chunk: String },
    /// `{event: "final", data}`: the run's result (`success`, `output`, `error`, `status`).
    Final(Value),
    /// `{event: "error", error}`: the run failed; no `final` follows.
    Error { message: String },
    /// Anything else Sim sends (`chunk_reset`, `stream_error`, `thinking`, `tool`), as sent.
    Other(Value),
}

impl StreamEvent {
    fn of(value: Value) -> StreamEvent {
        let text = |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::to_string);
        match (
            value.get("event").and_then(|e| e.as_str()),
            text("blockId"),
            text("chunk"),
        ) {
            (None, Some(block_id), Some(chunk)) => StreamEvent::Chunk { block_id, chunk },
            (Some("final"), _, _) => {
                StreamEvent::Final(value.get("data").cloned().unwrap_or(Value::Null))
            }
            (Some("error"), _, _) => StreamEvent::Error {
                message: text("error").unwrap_or_else(|| value.to_string()),
            },
            _ => StreamEvent::Other(value),
        }
    }

    /// The event as Sim framed it (for printing as a JSON line).
    pub fn to_json(&self) -> Value {
        match self {
            StreamEvent::Chunk { block_id, chunk } => json!({"blockId": block_id, "chunk": chunk}),
            StreamEvent::Final(data) => json!({"event": "final", "data": data}),
            StreamEvent::Error { message } => json!({"event": "error", "error": message}),
            StreamEvent::Other(v) => v.clone(),
        }
    }
}

/// What a streamed execution ended with.
#[derive(Debug, Clone)]
pub struct StreamedRun {
    /// `X-Run-Id` of the answer.
    pub run_id: Option<String>,
    /// Events received (the `[DONE]` marker not counted).
    pub events: usize,
    /// Network reads the stream took (more than one: it was read as it came).
    pub reads: usize,
    /// The stream ended with Sim's `[DONE]` marker.
    pub done: bool,
    /// The terminal event: `Final` or `Error`.
    pub outcome: Option<StreamEvent>,
}

impl StreamedRun {
    /// Sim's terminal status: `failed` for an error event or `success: false`, the final's
    /// `status` when it has one (`paused`), else `completed`.
    pub fn status(&self) -> &str {
        match &self.outcome {
            Some(StreamEvent::Final(d))
                if d.get("success").and_then(|s| s.as_bool()) == Some(false) =>
            {
                "failed"
            }
            Some(StreamEvent::Final(d)) => d
                .get("status")
                .and_then(|s| s.as_str())
                .unwrap_or("completed"),
            _ => "failed",
        }
    }
}

/// `path?k=v&...` with the values percent-encoded (absent values left out).
pub fn with_query(path: &str, params: &[(&str, Option<String>)]) -> String {
    let mut url = match reqwest::Url::parse("http://x.invalid") {
        Ok(u) => u,
        Err(_) => return path.to_string(),
    };
    url.set_path(path);
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
    }
    match url.query() {
        Some(q) if !q.is_empty() => format!("{}?{q}", url.path()),
        _ => url.path().to_string(),
    }
}

/// A path segment (an id) percent-encoded.
fn seg(id: &str) -> String {
    let mut url = match reqwest::Url::parse("http://x.invalid/") {
        Ok(u) => u,
        Err(_) => return id.to_string(),
    };
    if let Ok(mut s) = url.path_segments_mut() {
        s.push(id);
    }
    url.path().trim_start_matches('/').to_string()
}

impl SimClient {
    pub fn new(
        remote: &str,
        url: &str,
        api_key: Option<String>,
        session_cookie: Option<String>,
    ) -> Result<SimClient> {
        let api = Http::new(remote, url, api_key.map(|k| ("X-API-Key".to_string(), k)))?;
        let editor = match session_cookie {
            Some(c) => Some(Http::new(
                remote,
                url,
                Some(("Cookie".to_string(), format!("{SESSION_COOKIE}={c}"))),
            )?),
            None => None,
        };
        Ok(SimClient { api, editor })
    }

    pub fn has_session(&self) -> bool {
        self.editor.is_some()
    }

    fn remote_err(&self, message: String) -> Error {
        Error::Remote {
            remote: self.api.remote.clone(),
            message,
            retryable: false,
            retry_after: None,
        }
    }

    /// Sends with the rate-limit policy above; 404 is `None`.
    async fn send(
        &self,
        http: &Http,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Option<Reply>> {
        http.send_opt_rate_limited(method, path, body, RATE_LIMIT_RETRIES, MAX_RATE_LIMIT_WAIT)
            .await
    }

    async fn json_opt(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Option<Value>> {
        match self.send(&self.api, method, path, body).await? {
            Some(reply) => Ok(Some(reply.json(&self.api.remote, path)?)),
            None => Ok(None),
        }
    }

    async fn json(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value> {
        self.json_opt(method.clone(), path, body)
            .await?
            .ok_or_else(|| {
                self.remote_err(format!("{method} {}: not found (404)", strip_query(path)))
            })
    }

    /// `{data: ...}` of an answer.
    fn data(&self, value: Value, what: &str) -> Result<Value> {
        match value {
            Value::Object(mut m) if m.contains_key("data") => {
                Ok(m.remove("data").unwrap_or(Value::Null))
            }
            _ => Err(self.remote_err(format!("{what}: the answer has no `data`"))),
        }
    }

    fn page(&self, value: Value, what: &str) -> Result<Page> {
        let next_cursor = value
            .get("nextCursor")
            .and_then(|c| c.as_str())
            .map(str::to_string);
        let items = match self.data(value, what)? {
            Value::Array(a) => a,
            _ => return Err(self.remote_err(format!("{what}: `data` is not a list"))),
        };
        Ok(Page { items, next_cursor })
    }

    // ---- workflows ------------------------------------------------------------------------

    /// One page of `GET /api/v2/workflows`.
    pub async fn list_page(
        &self,
        workspace_id: &str,
        search: Option<&str>,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<Page> {
        let path = with_query(
            "/api/v2/workflows",
            &[
                ("workspaceId", Some(workspace_id.to_string())),
                ("search", search.map(str::to_string)),
                ("limit", limit.map(|l| l.to_string())),
                ("cursor", cursor.map(str::to_string)),
            ],
        );
        let v = self.json(Method::GET, &path, None).await?;
        self.page(v, "GET /api/v2/workflows")
    }

    /// Every workflow of a workspace, following `nextCursor` to the end.
    pub async fn list_all(
        &self,
        workspace_id: &str,
        search: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        // A server that hands back a cursor it already gave would loop forever: stop on a repeat.
        let mut seen = std::collections::HashSet::new();
        loop {
            let page = self
                .list_page(workspace_id, search, limit, cursor.as_deref())
                .await?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) if seen.insert(c.clone()) => cursor = Some(c),
                Some(_) => {
                    return Err(self
                        .remote_err("GET /api/v2/workflows: the server repeated a cursor".into()))
                }
                None => return Ok(out),
            }
        }
    }

    pub async fn get(&self, id: &str) -> Result<Option<Value>> {
        match self
            .json_opt(Method::GET, &format!("/api/v2/workflows/{}", seg(id)), None)
            .await?
        {
            Some(v) => Ok(Some(self.data(v, "GET /api/v2/workflows/{id}")?)),
            None => Ok(None),
        }
    }

    pub async fn create(
        &self,
        workspace_id: &str,
        name: &str,
        folder_path: Option<&str>,
    ) -> Result<Value> {
        let mut body = json!({"workspaceId": workspace_id, "name": name});
        if let Some(f) = folder_path {
            body["folderPath"] = json!(f);
        }
        let v = self
            .json(Method::POST, "/api/v2/workflows", Some(&body))
            .await?;
        self.data(v, "POST /api/v2/workflows")
    }

    pub async fn delete(&self, id: &str) -> Result<Value> {
        let v = self
            .json(
                Method::DELETE,
                &format!("/api/v2/workflows/{}", seg(id)),
                None,
            )
            .await?;
        self.data(v, "DELETE /api/v2/workflows/{id}")
    }

    /// The export envelope `{version, exportedAt, workflow, state}`; None when absent.
    pub async fn export(&self, id: &str) -> Result<Option<Value>> {
        match self
            .json_opt(
                Method::GET,
                &format!("/api/v2/workflows/{}/export", seg(id)),
                None,
            )
            .await?
        {
            Some(v) => Ok(Some(self.data(v, "GET /api/v2/workflows/{id}/export")?)),
            None => Ok(None),
        }
    }

    /// Imports `workflow` (an export envelope or a bare state) as a NEW workflow; returns the
    /// `ImportedWorkflow` (`id`, `name`, ...). Sim gives the blocks new ids.
    pub async fn import(
        &self,
        workspace_id: &str,
        workflow: &Value,
        name: Option<&str>,
        folder_path: Option<&str>,
    ) -> Result<Value> {
        let mut body = json!({"workspaceId": workspace_id, "workflow": workflow});
        if let Some(n) = name {
            body["name"] = json!(n);
        }
        if let Some(f) = folder_path {
            body["folderPath"] = json!(f);
        }
        let v = self
            .json(Method::POST, "/api/v2/workflows/import", Some(&body))
            .await?;
        self.data(v, "POST /api/v2/workflows/import")
    }

    // ---- deployments ----------------------------------------------------------------------

    /// Deploys the current draft as a new version (not idempotent: each call mints one).
    pub async fn deploy(&self, id: &str, name: Option<&str>) -> Result<Value> {
        let body = match name {
            Some(n) => json!({"name": n}),
            None => json!({}),
        };
        let v = self
            .json(
                Method::POST,
                &format!("/api/v2/workflows/{}/deploy", seg(id)),
                Some(&body),
            )
            .await?;
        self.data(v, "POST /api/v2/workflows/{id}/deploy")
    }

    pub async fn undeploy(&self, id: &str) -> Result<Value> {
        let v = self
            .json(
                Method::DELETE,
                &format!("/api/v2/workflows/{}/deploy", seg(id)),
                None,
            )
            .await?;
        self.data(v, "DELETE /api/v2/workflows/{id}/deploy")
    }

    pub async fn deployment(&self, id: &str) -> Result<Value> {
        let v = self
            .json(
                Method::GET,
                &format!("/api/v2/workflows/{}/deployment", seg(id)),
                None,
            )
            .await?;
        self.data(v, "GET /api/v2/workflows/{id}/deployment")
    }

    pub async fn versions_page(
        &self,
        id: &str,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<Page> {
        let path = with_query(
            &format!("/api/v2/workflows/{}/versions", seg(id)),
            &[
                ("limit", limit.map(|l| l.to_string())),
                ("cursor", cursor.map(str::to_string)),
            ],
        );
        let v = self.json(Method::GET, &path, None).await?;
        self.page(v, "GET /api/v2/workflows/{id}/versions")
    }

    /// Every deployment version, following cursors.
    pub async fn versions(&self, id: &str) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self.versions_page(id, Some(100), cursor.as_deref()).await?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) if Some(&c) != cursor.as_ref() => cursor = Some(c),
                _ => return Ok(out),
            }
        }
    }

    pub async fn version(&self, id: &str, version: u64) -> Result<Value> {
        let v = self
            .json(
                Method::GET,
                &format!("/api/v2/workflows/{}/versions/{version}", seg(id)),
                None,
            )
            .await?;
        self.data(v, "GET /api/v2/workflows/{id}/versions/{version}")
    }

    /// Reactivates `version` (the previous one when None).
    pub async fn rollback(&self, id: &str, version: Option<u64>) -> Result<Value> {
        let body = match version {
            Some(v) => json!({"version": v}),
            None => json!({}),
        };
        let v = self
            .json(
                Method::POST,
                &format!("/api/v2/workflows/{}/rollback", seg(id)),
                Some(&body),
            )
            .await?;
        self.data(v, "POST /api/v2/workflows/{id}/rollback")
    }

    // ---- runs -----------------------------------------------------------------------------

    /// Runs the DEPLOYED version.
    pub async fn execute(&self, id: &str, options: &ExecuteOptions) -> Result<Execution> {
        let mut body = json!({"input": Value::Object(options.input.clone())});
        if options.run_async {
            body["async"] = json!(true);
        }
        if let Some(t) = options.timeout_seconds {
            body["executionTimeoutSeconds"] = json!(t);
        }
        self.post_execution(&format!("/api/v2/workflows/{}/execute", seg(id)), &body)
            .await
    }

    /// A POST whose answer is a run (200) or a queue receipt (202): execute and resume.
    async fn post_execution(&self, path: &str, body: &Value) -> Result<Execution> {
        let reply = self
            .send(&self.api, Method::POST, path, Some(body))
            .await?
            .ok_or_else(|| self.remote_err(format!("POST {path}: not found (404)")))?;
        let data = self.data(reply.json(&self.api.remote, path)?, &format!("POST {path}"))?;
        if reply.status.as_u16() == 202 {
            let field = |k: &str| {
                data.get(k)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
                    .ok_or_else(|| {
                        self.remote_err(format!("POST {path}: the queue receipt has no `{k}`"))
                    })
            };
            return Ok(Execution::Queued {
                run_id: field("runId")?,
                status_url: field("statusUrl")?,
            });
        }
        Ok(Execution::Finished(data))
    }

    /// Runs the DEPLOYED version as a Server-Sent Events stream (`stream: true`) and hands each
    /// event to `on_event` as it arrives: `{blockId, chunk}` (a selected output or an agent's
    /// answer text), `{event: "final", data: {success, output, error?, status?}}`, or
    /// `{event: "error", error}`; Sim ends the stream with `[DONE]`. `selected_outputs` are
    /// `BlockName.path` or `<block id>.path`. The stream may take up to `total` (a long run
    /// outlasts the per-request timeout); it is never retried (a run may have started).
    pub async fn execute_stream(
        &self,
        id: &str,
        input: &Map<String, Value>,
        selected_outputs: &[String],
        total: std::time::Duration,
        mut on_event: impl FnMut(&StreamEvent),
    ) -> Result<StreamedRun> {
        let mut body = json!({"input": Value::Object(input.clone()), "stream": true});
        if !selected_outputs.is_empty() {
            body["selectedOutputs"] = json!(selected_outputs);
        }
        let path = format!("/api/v2/workflows/{}/execute", seg(id));
        let what = format!("POST {path}");
        let mut resp = self
            .api
            .open_stream(Method::POST, &path, Some(&body), total)
            .await?;
        let run_id = resp
            .headers()
            .get("x-run-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut decoder = super::sse::SseDecoder::new();
        let mut run = StreamedRun {
            run_id,
            events: 0,
            reads: 0,
            done: false,
            outcome: None,
        };
        while let Some(bytes) = self.api.next_chunk(&mut resp, &what).await? {
            run.reads += 1;
            for payload in decoder
                .push(&bytes)
                .map_err(|e| self.remote_err(format!("{what}: {e}")))?
            {
                // Sim frames its end marker with `encodeSSE('[DONE]')`, i.e. JSON: `"[DONE]"`;
                // the bare form is the common SSE idiom. Both end the stream.
                if matches!(payload.trim(), "[DONE]" | "\"[DONE]\"") {
                    run.done = true;
                    continue;
                }
                let value: Value = serde_json::from_str(&payload).map_err(|e| {
                    self.remote_err(format!("{what}: a stream event is not JSON ({e})"))
                })?;
                let event = StreamEvent::of(value);
                run.events += 1;
                on_event(&event);
                if matches!(event, StreamEvent::Final(_) | StreamEvent::Error { .. }) {
                    run.outcome = Some(event);
                }
            }
        }
        if !run.done {
            return Err(self.remote_err(format!(
                "{what}: the stream ended without `[DONE]` after {} event(s)",
                run.events
            )));
        }
        Ok(run)
    }

    pub async fn runs_page(
        &self,
        id: &str,
        status: Option<&str>,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<Page> {
        let path = with_query(
            &format!("/api/v2/workflows/{}/runs", seg(id)),
            &[
                ("status", status.map(str::to_string)),
                ("limit", limit.map(|l| l.to_string())),
                ("cursor", cursor.map(str::to_string)),
            ],
        );
        let v = self.json(Method::GET, &path, None).await?;
        self.page(v, "GET /api/v2/workflows/{id}/runs")
    }

    pub async fn run(&self, id: &str, run_id: &str, include_output: bool) -> Result<Value> {
        let path = with_query(
            &format!("/api/v2/workflows/{}/runs/{}", seg(id), seg(run_id)),
            &[("includeOutput", include_output.then(|| "true".to_string()))],
        );
        let v = self.json(Method::GET, &path, None).await?;
        self.data(v, "GET /api/v2/workflows/{id}/runs/{runId}")
    }

    pub async fn resume(
        &self,
        id: &str,
        run_id: &str,
        context_id: &str,
        input: Option<Value>,
    ) -> Result<Execution> {
        let mut body = json!({"contextId": context_id});
        if let Some(i) = input {
            body["input"] = i;
        }
        self.post_execution(
            &format!("/api/v2/workflows/{}/runs/{}/resume", seg(id), seg(run_id)),
            &body,
        )
        .await
    }

    pub async fn cancel(&self, id: &str, run_id: &str) -> Result<Value> {
        let v = self
            .json(
                Method::POST,
                &format!("/api/v2/workflows/{}/runs/{}/cancel", seg(id), seg(run_id)),
                None,
            )
            .await?;
        self.data(v, "POST /api/v2/workflows/{id}/runs/{runId}/cancel")
    }

    pub async fn folders(&self, workspace_id: &str) -> Result<Vec<Value>> {
        let path = with_query(
            "/api/v2/workflows/folders",
            &[("workspaceId", Some(workspace_id.to_string()))],
        );
        match self.data(
            self.json(Method::GET, &path, None).await?,
            "GET /api/v2/workflows/folders",
        )? {
            Value::Array(a) => Ok(a),
            _ => Err(self.remote_err("GET /api/v2/workflows/folders: `data` is not a list".into())),
        }
    }

    /// `POST /api/v2/workflows/folders`: creates folder `path` (canonical, e.g. `/Ops/New%20folder`).
    pub async fn create_folder(&self, workspace_id: &str, path: &str) -> Result<Value> {
        let body = json!({"workspaceId": workspace_id, "path": path});
        let v = self
            .json(Method::POST, "/api/v2/workflows/folders", Some(&body))
            .await?;
        self.data(v, "POST /api/v2/workflows/folders")
    }

    /// Makes sure folder `path` and its parents exist (Sim's import answers 404 "Folder not
    /// found" otherwise); creates what is missing, parents first. Returns how many it created.
    pub async fn ensure_folder(&self, workspace_id: &str, path: &str) -> Result<usize> {
        let existing: std::collections::HashSet<String> = self
            .folders(workspace_id)
            .await?
            .iter()
            .filter_map(|f| f.get("path").and_then(|p| p.as_str()).map(str::to_string))
            .collect();
        let mut prefix = String::new();
        let mut created = 0;
        for seg in path.split('/').filter(|s| !s.is_empty()) {
            prefix.push('/');
            prefix.push_str(seg);
            if !existing.contains(&prefix) {
                self.create_folder(workspace_id, &prefix).await?;
                created += 1;
            }
        }
        Ok(created)
    }

    // ---- draft (editor) routes ------------------------------------------------------------

    /// `GET /api/workflows/{id}`: the full draft (`data.state`); with the session cookie when
    /// configured, else the API key (this route takes both).
    pub async fn draft(&self, id: &str) -> Result<Option<Value>> {
        let http = self.editor.as_ref().unwrap_or(&self.api);
        let path = format!("/api/workflows/{}", seg(id));
        match self.send(http, Method::GET, &path, None).await? {
            Some(reply) => Ok(Some(
                self.data(reply.json(&self.api.remote, &path)?, &format!("GET {path}"))?,
            )),
            None => Ok(None),
        }
    }

    /// `PUT /api/workflows/{id}/state`: replaces the draft in place (session cookie only).
    /// Returns Sim's warnings.
    pub async fn put_state(&self, id: &str, state: &Value) -> Result<Vec<String>> {
        let http = self.editor.as_ref().ok_or_else(|| {
            self.remote_err(
                "updating a Sim workflow in place needs an editor session cookie (Sim's draft routes refuse API keys): add one with `journey-studio remote add ... --session-cookie-stdin`".into(),
            )
        })?;
        let path = format!("/api/workflows/{}/state", seg(id));
        let reply = self
            .send(http, Method::PUT, &path, Some(state))
            .await?
            .ok_or_else(|| self.remote_err(format!("PUT {path}: not found (404)")))?;
        let v = reply.json(&self.api.remote, &path)?;
        if v.get("success").and_then(|s| s.as_bool()) != Some(true) {
            return Err(self.remote_err(format!("PUT {path}: the server did not confirm the save")));
        }
        Ok(v.get("warnings")
            .and_then(|w| w.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|w| w.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }
}

fn strip_query(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_events_are_told_apart_and_the_status_read_from_the_terminal_one() {
        let chunk = StreamEvent::of(json!({"blockId": "b1", "chunk": "Hi"}));
        assert_eq!(
            chunk,
            StreamEvent::Chunk {
                block_id: "b1".into(),
                chunk: "Hi".into()
            }
        );
        assert_eq!(chunk.to_json(), json!({"blockId": "b1", "chunk": "Hi"}));
        let reset = json!({"blockId": "b1", "event": "chunk_reset"});
        assert_eq!(StreamEvent::of(reset.clone()), StreamEvent::Other(reset));
        let error = StreamEvent::of(json!({"event": "error", "error": "boom"}));
        assert_eq!(
            error,
            StreamEvent::Error {
                message: "boom".into()
            }
        );
        let run = |outcome| StreamedRun {
            run_id: None,
            events: 1,
            reads: 1,
            done: true,
            outcome,
        };
        assert_eq!(run(Some(error)).status(), "failed");
        assert_eq!(run(None).status(), "failed");
        assert_eq!(
            run(Some(StreamEvent::of(
                json!({"event": "final", "data": {"success": true, "output": {}}})
            )))
            .status(),
            "completed"
        );
        assert_eq!(
            run(Some(StreamEvent::of(
                json!({"event": "final", "data": {"success": true, "status": "paused"}})
            )))
            .status(),
            "paused"
        );
        assert_eq!(
            run(Some(StreamEvent::of(
                json!({"event": "final", "data": {"success": false, "error": "x"}})
            )))
            .status(),
            "failed"
        );
    }

    #[test]
    fn queries_and_segments_are_encoded() {
        assert_eq!(
            with_query("/a", &[("x", Some("a b&c".into())), ("y", None)]),
            "/a?x=a+b%26c"
        );
        assert_eq!(with_query("/a", &[("y", None)]), "/a");
        assert_eq!(seg("a/b?c"), "a%2Fb%3Fc");
        assert_eq!(seg("wf-1"), "wf-1");
    }
}
