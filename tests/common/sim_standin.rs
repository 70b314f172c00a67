//! The Sim stand-in server (server/sim_standin), one per test binary, stopped by PID when the
//! binary's last test using it is done. It validates every request and response against Sim's
//! spec; `violations()` returns what failed (tests assert there is none).
#![allow(dead_code)]

use super::servers::{parlant_python, Lease, ServerProcess, Shared};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Workspaces with their own keys and sessions, one per test, so tests do not see each other.
pub const WORKSPACES: &[&str] = &[
    "roundtrip",
    "deploy",
    "cursor",
    "limits",
    "locked",
    "forbidden",
    "offline",
    "secrets",
    "validation",
    "stream",
    "folders",
];

pub fn personal_key(ws: &str) -> String {
    format!("sk-sim-personal-{ws}")
}
pub fn workspace_key(ws: &str) -> String {
    format!("sk-sim-workspace-{ws}")
}
pub fn session(ws: &str) -> String {
    format!("sess-{ws}")
}
/// A personal key of workspace `limits` allowed 3 requests per 2 s.
pub const SLOW_KEY: &str = "sk-sim-slow";

pub struct SimStandIn {
    pub url: String,
    process: ServerProcess,
    dir: tempfile::TempDir,
}

impl SimStandIn {
    fn start(python: PathBuf) -> SimStandIn {
        let dir = tempfile::tempdir().unwrap();
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut keys: Vec<serde_json::Value> = Vec::new();
        let mut sessions = Vec::new();
        for ws in WORKSPACES {
            keys.push(serde_json::json!({"key": personal_key(ws), "kind": "personal", "workspaceId": ws, "rateLimit": 10000, "windowSeconds": 60}));
            keys.push(serde_json::json!({"key": workspace_key(ws), "kind": "workspace", "workspaceId": ws, "rateLimit": 10000, "windowSeconds": 60}));
            sessions.push(serde_json::json!({"token": session(ws), "workspaceId": ws}));
        }
        keys.push(serde_json::json!({"key": SLOW_KEY, "kind": "personal", "workspaceId": "limits", "rateLimit": 3, "windowSeconds": 2}));
        let config = dir.path().join("config.json");
        std::fs::write(
            &config,
            serde_json::json!({"keys": keys, "sessions": sessions}).to_string(),
        )
        .unwrap();
        let port_file = dir.path().join("port");
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = Command::new(python)
            .arg(root.join("server/sim_standin/sim_standin.py"))
            .arg("--spec")
            .arg(root.join("fixtures/specs/sim-openapi-v2-workflows.json"))
            .arg("--config")
            .arg(&config)
            .arg("--port-file")
            .arg(&port_file)
            .arg("--cli")
            .arg(env!("CARGO_BIN_EXE_journey-studio"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start the Sim stand-in");
        let mut server = SimStandIn {
            url: String::new(),
            process: ServerProcess::new(child, Duration::from_secs(10)),
            dir,
        };
        let port = server.process.wait_ready(
            "Sim stand-in",
            Duration::from_secs(60),
            Duration::from_millis(100),
            || server.log(),
            || {
                std::fs::read_to_string(&port_file)
                    .ok()
                    .and_then(|p| p.trim().parse::<u16>().ok())
            },
        );
        server.url = format!("http://127.0.0.1:{port}");
        server
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn control(&self, method: reqwest::Method, path: &str) -> serde_json::Value {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let resp = reqwest::Client::new()
                .request(method, format!("{}/__standin/{path}", self.url))
                .send()
                .await
                .unwrap();
            resp.json().await.unwrap()
        })
    }

    /// Responses of the stand-in that failed validation against the spec (request lines
    /// with the errors).
    pub fn violations(&self) -> Vec<serde_json::Value> {
        self.control(reqwest::Method::GET, "violations")
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// `METHOD /path STATUS` of every request so far.
    pub fn requests(&self) -> Vec<String> {
        self.control(reqwest::Method::GET, "requests")
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    pub fn lock(&self, id: &str, locked: bool) {
        self.control(
            reqwest::Method::POST,
            &format!("{}/{id}", if locked { "lock" } else { "unlock" }),
        );
    }

    /// The next import lands but is answered 503 (the client never learns its id).
    pub fn lose_next_import_answer(&self) {
        self.control(reqwest::Method::POST, "fail-next-import-answer");
    }

    pub fn assert_no_violations(&self) {
        let v = self.violations();
        assert!(
            v.is_empty(),
            "the stand-in answered outside Sim's spec:\n{}",
            serde_json::to_string_pretty(&v).unwrap()
        );
    }
}

impl Shared for SimStandIn {
    fn process(&self) -> &ServerProcess {
        &self.process
    }
}

static SERVER: OnceLock<Option<Arc<SimStandIn>>> = OnceLock::new();
static USERS_DONE: AtomicUsize = AtomicUsize::new(0);

/// The binary's shared stand-in; `users` = how many tests use it (the last one stops it).
/// Needs the Python of scripts/setup's venv (openapi-core); skips (outside CI) without it.
pub fn standin(users: usize) -> Option<Lease<SimStandIn>> {
    let Some(server) = SERVER
        .get_or_init(|| parlant_python().map(|p| Arc::new(SimStandIn::start(p))))
        .clone()
    else {
        // Not started for want of the venv: this test skips too (and is counted).
        parlant_python();
        return None;
    };
    Some(Lease::new(server, users, &USERS_DONE))
}
