//! `journey-studio serve`: the desktop app's commands over loopback HTTP, so the UI runs in a
//! browser (and Playwright tests drive the real core). Binds 127.0.0.1 only; every API call
//! needs the random token printed in the URL (`Authorization: Bearer TOKEN`). No CORS headers:
//! only pages served from this origin can call it.

use crate::workspace::WorkspaceArg;
use crate::Outcome;
use journey_studio::api::{self, AppState, JsonFileSettings};
use journey_studio::Error;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tiny_http::{Header, Method, Request, Response, Server};

#[derive(clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 (0: any free port; the URL printed says which).
    #[arg(long, default_value_t = 0)]
    port: u16,
    #[command(flatten)]
    workspace: WorkspaceArg,
    /// The built UI to serve (`npm run build` in ui/).
    #[arg(long, default_value = "ui/dist")]
    ui: PathBuf,
}

/// Requests are at most this large (a document is at most a few MB).
const MAX_BODY: u64 = 64 * 1024 * 1024;

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let settings_path = args.workspace.workspace.with_extension("settings.json");
    let state = Arc::new(AppState::open(&args.workspace.workspace, Box::new(JsonFileSettings::new(settings_path)))?);
    let server = Server::http(("127.0.0.1", args.port))
        .map_err(|e| Error::Unsupported(format!("serve: cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(args.port);
    let token = journey_studio::editor::edit::new_id().replace('-', "");
    println!("Journey Studio at http://127.0.0.1:{port}/#token={token}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let server = Arc::new(server);
    let ui = Arc::new(args.ui);
    let token = Arc::new(token);
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (server, state, ui, token) = (server.clone(), state.clone(), ui.clone(), token.clone());
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    handle(request, &state, &ui, &token);
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    Ok(Outcome::Ok)
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap_or_else(|_| unreachable!("static header"))
}

fn json_response(status: u16, body: &serde_json::Value) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(body.to_string().into_bytes())
        .with_status_code(status)
        .with_header(header("Content-Type", "application/json"))
        .with_header(header("Cache-Control", "no-store"))
}

fn error_body(err: &Error) -> serde_json::Value {
    serde_json::json!({ "error": err })
}

fn authorised(request: &Request, token: &str) -> bool {
    let expected = format!("Bearer {token}");
    request.headers().iter().any(|h| h.field.equiv("Authorization") && constant_time_eq(h.value.as_str().as_bytes(), expected.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn handle(mut request: Request, state: &AppState, ui: &Path, token: &str) {
    let url = request.url().split(['?', '#']).next().unwrap_or("/").to_string();
    let response = if let Some(command) = url.strip_prefix("/api/") {
        if *request.method() != Method::Post {
            json_response(405, &error_body(&Error::Unsupported("use POST for /api/<command>".into())))
        } else if !authorised(&request, token) {
            json_response(401, &error_body(&Error::Unsupported("missing or wrong token: open the URL `journey-studio serve` printed".into())))
        } else {
            let mut body = String::new();
            let read = request.as_reader().take(MAX_BODY).read_to_string(&mut body);
            let args = match read {
                Err(e) => Err(Error::Unsupported(format!("cannot read the request: {e}"))),
                Ok(_) if body.trim().is_empty() => Ok(serde_json::Value::Null),
                Ok(_) => serde_json::from_str(&body).map_err(|e| Error::Unsupported(format!("the request body is not JSON: {e}"))),
            };
            match args.and_then(|args| api::dispatch(state, command, args)) {
                Ok(result) => json_response(200, &serde_json::json!({ "ok": result })),
                Err(err) => json_response(if err.kind() == "not_found" && !api::COMMANDS.contains(&command) { 404 } else { 200 }, &error_body(&err)),
            }
        }
    } else {
        static_file(ui, &url)
    };
    let _ = request.respond(response);
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "css" => "text/css",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// A file under the UI folder; unknown paths get index.html (the UI routes itself). Paths with
/// `..` or other non-plain segments are refused.
fn static_file(ui: &Path, url: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let rel = url.trim_start_matches('/');
    let safe = rel.split('/').all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains('\\'));
    let mut path = if rel.is_empty() || !safe { ui.join("index.html") } else { ui.join(rel) };
    if !path.is_file() {
        path = ui.join("index.html");
    }
    match std::fs::read(&path) {
        Ok(bytes) => Response::from_data(bytes)
            .with_header(header("Content-Type", content_type(&path)))
            .with_header(header("X-Content-Type-Options", "nosniff"))
            .with_header(header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")),
        Err(_) => Response::from_data(format!("The UI is not built at {}: run `npm run build` in ui/.\n", ui.display()).into_bytes()).with_status_code(404),
    }
}
