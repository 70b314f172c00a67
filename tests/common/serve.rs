//! `journey-studio serve` started for a test on port 0 and a temporary workspace, called over
//! HTTP with its token, and stopped by its PID.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

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
    let ui = dir.join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(
        ui.join("index.html"),
        "<!doctype html><title>Journey Studio</title>",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .args(["serve", "--port", "0", "--workspace"])
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
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

impl Served {
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
