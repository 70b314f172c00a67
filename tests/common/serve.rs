//! `journey-studio serve` started for a test on port 0 and a temporary workspace, called over
//! HTTP with its token, and stopped by its PID.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Served {
    pub child: Child,
    pub port: u16,
    pub token: String,
    pub workspace: PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        // Stopped by its own PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Serves `workspace` (its settings file beside it) and a placeholder UI under `dir`.
pub fn serve(dir: &Path, workspace: &Path) -> Served {
    serve_with(dir, workspace, &[])
}

/// Like `serve`, with more of `serve`'s flags (`["--read-timeout", "1"]`).
pub fn serve_with(dir: &Path, workspace: &Path, flags: &[&str]) -> Served {
    let ui = dir.join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(
        ui.join("index.html"),
        "<!doctype html><title>Journey Studio</title>",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .args(["serve", "--port", "0"])
        .args(flags)
        .arg("--workspace")
        .arg(workspace)
        .arg("--ui")
        .arg(&ui)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("Journey Studio at http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected banner: {line}"));
    let (port, token) = url.split_once("/#token=").unwrap();
    Served {
        child,
        port: port.parse().unwrap(),
        token: token.to_string(),
        workspace: workspace.to_path_buf(),
    }
}

/// One HTTP/1.1 request; returns the status and the body.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, String) {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let raw = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    exchange(port, raw.as_bytes())
}

/// Sends `raw` as it is and reads the whole answer: its status (0 when there is none) and body.
pub fn exchange(port: u16, raw: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    stream.write_all(raw).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

impl Served {
    /// The server process is still running.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// A command's whole answer: `{ok: ...}` or `{error: ...}`.
    pub fn answer(&self, command: &str, args: serde_json::Value) -> serde_json::Value {
        let (status, body) = request(
            self.port,
            "POST",
            &format!("/api/{command}"),
            Some(&self.token),
            &args.to_string(),
        );
        assert_eq!(status, 200, "{command}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// A command's result; panics on an error answer.
    pub fn call(&self, command: &str, args: serde_json::Value) -> serde_json::Value {
        let answer = self.answer(command, args);
        assert!(answer.get("error").is_none(), "{command}: {answer}");
        answer["ok"].clone()
    }
}
