//! `journey-studio serve`: the desktop app's commands over loopback HTTP, so the UI runs in a
//! browser (and Playwright tests drive the real core). Binds 127.0.0.1 only; every API call
//! needs the random token printed in the URL (`Authorization: Bearer TOKEN`). No CORS headers:
//! only pages served from this origin can call it.
//!
//! A small HTTP/1.1 server of its own (one request per connection, `Connection: close`), built so
//! that no client can take it down or starve it:
//! - each connection is read on its own small thread, with a timeout on every read and a
//!   deadline for the whole request: a client that sends headers and stalls ties up only its
//!   own connection thread, for at most the deadline, and gets `408`; connections beyond
//!   [`MAX_CONNECTIONS`] are answered `503` at once;
//! - a request is checked from its head before its body is read (`405`, `401` without the token,
//!   `413` over the body limit, `411` without a `Content-Length`), so unauthenticated clients
//!   cannot make it buffer a body;
//! - complete requests go to [`WORKERS`] worker threads with [`WORKER_STACK`]-byte stacks; a
//!   panic while answering is caught, answered `500`, and the worker lives on (and a worker
//!   that dies anyway is replaced).

use crate::workspace::WorkspaceArg;
use crate::Outcome;
use journey_studio::api::{self, AppState, JsonFileSettings};
use journey_studio::Error;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

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
    /// Seconds a client may stay silent while sending a request before it is answered 408
    /// (the whole request must arrive within 6 times this).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    read_timeout: u64,
}

/// A request body is at most this large: a document is at most `MAX_DOCUMENT_BYTES` (32 MiB),
/// and sent as a JSON string its escapes can make it up to about twice that.
const MAX_BODY: usize = 2 * journey_studio::json::MAX_DOCUMENT_BYTES as usize;
/// The request line and headers together.
const MAX_HEAD: usize = 64 * 1024;
/// Connections read or answered at once; more are answered 503 straight away.
const MAX_CONNECTIONS: usize = 64;
/// Threads that run the commands.
const WORKERS: usize = 4;
/// A worker's stack. The core's passes are iterative (a 100,000-state chain validates on a
/// 2 MiB stack); the margin is for the JavaScript engine (512 KiB of its own) and serde.
const WORKER_STACK: usize = 16 * 1024 * 1024;
/// A connection thread only parses HTTP and copies bytes.
const CONNECTION_STACK: usize = 256 * 1024;

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let settings_path = args.workspace.workspace.with_extension("settings.json");
    let state = AppState::open(
        &args.workspace.workspace,
        Box::new(JsonFileSettings::new(settings_path)),
    )?;
    let listener = TcpListener::bind(("127.0.0.1", args.port)).map_err(|e| {
        Error::Rejected(format!(
            "serve: cannot listen on 127.0.0.1:{}: {e}",
            args.port
        ))
    })?;
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(args.port);
    let token = journey_studio::editor::edit::new_id().replace('-', "");
    println!("Journey Studio at http://127.0.0.1:{port}/#token={token}");
    let _ = std::io::stdout().flush();
    let app = App {
        state,
        ui: args.ui,
        token,
    };
    serve(
        listener,
        Arc::new(app),
        Limits::new(Duration::from_secs(args.read_timeout)),
    )
    .map_err(|e| Error::Rejected(format!("serve: 127.0.0.1:{port}: {e}")))?;
    Ok(Outcome::Ok)
}

/// The editor's commands and the UI's files.
struct App {
    state: AppState,
    ui: PathBuf,
    token: String,
}

impl Service for App {
    fn admit(&self, head: &Head) -> Result<usize, Response> {
        if head.path().starts_with("/api/") {
            if head.method != "POST" {
                return Err(Response::error(
                    405,
                    &Error::Rejected("use POST for /api/<command>".into()),
                ));
            }
            if !authorised(head, &self.token) {
                return Err(Response::error(
                    401,
                    &Error::Rejected(
                        "missing or wrong token: open the URL `journey-studio serve` printed"
                            .into(),
                    ),
                ));
            }
            Ok(MAX_BODY)
        } else {
            // The UI's files are read with GET; no body is needed.
            Ok(MAX_HEAD)
        }
    }

    fn respond(&self, request: &Request) -> Response {
        let path = request.head.path();
        let Some(command) = path.strip_prefix("/api/") else {
            return static_file(&self.ui, path);
        };
        let args = match std::str::from_utf8(&request.body) {
            Err(e) => Err(Error::Rejected(format!(
                "the request body is not UTF-8 text: {e}"
            ))),
            Ok(body) if body.trim().is_empty() => Ok(serde_json::Value::Null),
            Ok(body) => serde_json::from_str(body)
                .map_err(|e| Error::Rejected(format!("the request body is not JSON: {e}"))),
        };
        match args.and_then(|args| api::dispatch(&self.state, command, args)) {
            Ok(result) => Response::json(200, &serde_json::json!({ "ok": result })),
            Err(err) => Response::error(
                if err.error_kind() == journey_studio::ErrorKind::NotFound
                    && !api::COMMANDS.contains(&command)
                {
                    404
                } else {
                    200
                },
                &err,
            ),
        }
    }
}

fn authorised(head: &Head, token: &str) -> bool {
    let expected = format!("Bearer {token}");
    head.headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("authorization")
            && constant_time_eq(value.as_bytes(), expected.as_bytes())
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
fn static_file(ui: &Path, url: &str) -> Response {
    let rel = url.trim_start_matches('/');
    let safe = rel
        .split('/')
        .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains('\\'));
    let mut path = if rel.is_empty() || !safe {
        ui.join("index.html")
    } else {
        ui.join(rel)
    };
    if !path.is_file() {
        path = ui.join("index.html");
    }
    match std::fs::read(&path) {
        Ok(bytes) => Response::new(200, bytes)
            .header("Content-Type", content_type(&path))
            .header("X-Content-Type-Options", "nosniff")
            .header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"),
        Err(_) => Response::new(404, format!("The UI is not built at {}: run `npm run build` in ui/.\n", ui.display()).into_bytes())
            .header("Content-Type", "text/plain; charset=utf-8"),
    }
}

// ---------------------------------------------------------------------------------------------
// The HTTP server.

/// What the server answers; `admit` runs on the connection thread before the body is read,
/// `respond` on a worker.
trait Service: Send + Sync + 'static {
    /// Refuses a request from its head alone, or says how many body bytes it accepts.
    fn admit(&self, head: &Head) -> Result<usize, Response>;
    fn respond(&self, request: &Request) -> Response;
}

/// The request line and headers.
struct Head {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

impl Head {
    /// The target without its query or fragment.
    fn path(&self) -> &str {
        self.target.split(['?', '#']).next().unwrap_or("/")
    }

    fn header<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Request {
    head: Head,
    body: Vec<u8>,
}

struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Response {
    fn new(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body,
        }
    }

    fn header(mut self, name: &'static str, value: &str) -> Response {
        self.headers.push((name, value.to_string()));
        self
    }

    fn json(status: u16, body: &serde_json::Value) -> Response {
        Response::new(status, body.to_string().into_bytes())
            .header("Content-Type", "application/json")
            .header("Cache-Control", "no-store")
    }

    fn error(status: u16, err: &Error) -> Response {
        Response::json(status, &serde_json::json!({ "error": err }))
    }

    fn refusal(status: u16, message: impl Into<String>) -> Response {
        Response::error(status, &Error::Rejected(message.into()))
    }

    fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.body.len()
        ));
        out.write_all(head.as_bytes())?;
        out.write_all(&self.body)?;
        out.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[derive(Clone, Copy)]
struct Limits {
    /// Longest silence while a request is read.
    read_timeout: Duration,
    /// The whole request (head and body) must arrive within this.
    request_deadline: Duration,
    /// Longest a client may take to accept the response.
    write_timeout: Duration,
    max_connections: usize,
    workers: usize,
    worker_stack: usize,
}

impl Limits {
    fn new(read_timeout: Duration) -> Limits {
        Limits {
            read_timeout,
            request_deadline: read_timeout * 6,
            write_timeout: Duration::from_secs(30),
            max_connections: MAX_CONNECTIONS,
            workers: WORKERS,
            worker_stack: WORKER_STACK,
        }
    }
}

type Job = (Request, mpsc::Sender<Response>);

/// Accepts connections until the listener fails.
fn serve<S: Service>(
    listener: TcpListener,
    service: Arc<S>,
    limits: Limits,
) -> std::io::Result<()> {
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    for n in 0..limits.workers {
        spawn_worker(n, service.clone(), queue.clone(), limits.worker_stack)?;
    }
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            // A connection that failed while it was accepted (reset, out of descriptors for
            // a moment): the listener itself is fine.
            Err(e) if is_transient_accept_error(&e) => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            Err(e) => return Err(e),
        };
        if open.load(Ordering::Acquire) >= limits.max_connections {
            refuse_now(
                stream,
                &Response::refusal(
                    503,
                    format!(
                        "the server is busy ({} connections open); try again",
                        limits.max_connections
                    ),
                ),
            );
            continue;
        }
        open.fetch_add(1, Ordering::AcqRel);
        let connection = Connection { open: open.clone() };
        let (service, jobs) = (service.clone(), jobs.clone());
        let spawned = std::thread::Builder::new()
            .name("serve-connection".into())
            .stack_size(CONNECTION_STACK)
            .spawn(move || {
                let _connection = connection;
                handle_connection(stream, &*service, &jobs, limits);
            });
        if let Err(e) = spawned {
            eprintln!("serve: cannot start a connection thread: {e}");
        }
    }
    Ok(())
}

fn is_transient_accept_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | Interrupted | WouldBlock | TimedOut
    ) || e.raw_os_error().is_some_and(|n| n == 23 || n == 24) // ENFILE, EMFILE
}

/// Counts an open connection until it is dropped.
struct Connection {
    open: Arc<AtomicUsize>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::AcqRel);
    }
}

fn spawn_worker<S: Service>(
    n: usize,
    service: Arc<S>,
    queue: Arc<Mutex<mpsc::Receiver<Job>>>,
    stack: usize,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name(format!("serve-worker-{n}"))
        .stack_size(stack)
        .spawn(move || {
            // Should this thread end by a panic after all, a replacement takes over.
            let _sentinel = Sentinel {
                n,
                service: service.clone(),
                queue: queue.clone(),
                stack,
            };
            loop {
                let job = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok((request, reply)) = job else { return };
                let _ = reply.send(answer(&*service, &request));
            }
        })?;
    Ok(())
}

/// Replaces its worker when the worker's thread unwinds.
struct Sentinel<S: Service> {
    n: usize,
    service: Arc<S>,
    queue: Arc<Mutex<mpsc::Receiver<Job>>>,
    stack: usize,
}

impl<S: Service> Drop for Sentinel<S> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Err(e) =
                spawn_worker(self.n, self.service.clone(), self.queue.clone(), self.stack)
            {
                eprintln!("serve: cannot replace worker {}: {e}", self.n);
            }
        }
    }
}

/// The service's answer; a panic becomes a 500 that says so (the worker carries on).
fn answer<S: Service>(service: &S, request: &Request) -> Response {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| service.respond(request))) {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("a panic");
            let what: String = what.chars().take(300).collect();
            Response::refusal(500, format!("internal error while answering {} {}: {what} (this is a bug; the server carries on)", request.head.method, request.head.path()))
        }
    }
}

/// Reads one request, has a worker answer it, writes the answer and closes.
fn handle_connection<S: Service>(
    mut stream: TcpStream,
    service: &S,
    jobs: &mpsc::Sender<Job>,
    limits: Limits,
) {
    let _ = stream.set_write_timeout(Some(limits.write_timeout));
    let response = match read_request(&mut stream, service, limits) {
        Ok(Some(request)) => {
            let (reply, answered) = mpsc::channel();
            match jobs.send((request, reply)) {
                Ok(()) => answered.recv().unwrap_or_else(|_| {
                    Response::refusal(500, "the request was dropped by its worker")
                }),
                Err(_) => Response::refusal(503, "the server is shutting down"),
            }
        }
        Ok(None) => return, // the client left before sending a request
        Err(refusal) => refusal,
    };
    finish(stream, &response);
}

/// Writes the response and closes, reading what the client still sends for a moment so that a
/// refused request's unread body does not reset the connection before the answer arrives.
fn finish(mut stream: TcpStream, response: &Response) {
    if response.write_to(&mut stream).is_err() {
        return;
    }
    let _ = stream.shutdown(Shutdown::Write);
    let until = Instant::now() + Duration::from_millis(500);
    let mut sink = [0u8; 8192];
    let mut drained = 0usize;
    while drained < 1024 * 1024 {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// Answers on the accepting thread without waiting on the client: what it has sent so far is
/// read without blocking (so closing does not reset the connection before the answer is read
/// in the usual case), the answer written, the connection closed.
fn refuse_now(mut stream: TcpStream, response: &Response) {
    let mut sink = [0u8; 16 * 1024];
    // The request usually came with the connection; if nothing is there yet, wait a moment
    // (bounded: this thread accepts the connections).
    let _ = stream.set_read_timeout(Some(Duration::from_millis(20)));
    if matches!(stream.read(&mut sink), Ok(n) if n > 0) && stream.set_nonblocking(true).is_ok() {
        while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
        let _ = stream.set_nonblocking(false);
    }
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    if response.write_to(&mut stream).is_ok() {
        let _ = stream.shutdown(Shutdown::Write);
    }
}

/// Reads the bytes of a request within the limits: `Ok(None)` when the client closed before
/// sending anything, `Err` with the refusal to send.
fn read_request<S: Service>(
    stream: &mut TcpStream,
    service: &S,
    limits: Limits,
) -> Result<Option<Request>, Response> {
    let deadline = Instant::now() + limits.request_deadline;
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let head_end = loop {
        if let Some(end) = find_head_end(&buf) {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return Err(Response::refusal(
                431,
                format!("the request line and headers are over {MAX_HEAD} bytes"),
            ));
        }
        let room = MAX_HEAD + 4 - buf.len();
        if read_some(stream, &mut buf, room, deadline, limits)? == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(Response::refusal(
                    400,
                    "the connection closed in the middle of the request headers",
                ))
            };
        }
    };
    let head = parse_head(&buf[..head_end.0])?;
    let limit = service.admit(&head)?;
    if head.header("transfer-encoding").next().is_some() {
        return Err(Response::refusal(
            411,
            "send the request body with a Content-Length (chunked bodies are not accepted)",
        ));
    }
    let lengths: Vec<&str> = head.header("content-length").collect();
    let length = match lengths.as_slice() {
        [] => 0,
        [one] => one.trim().parse::<u64>().map_err(|_| {
            Response::refusal(
                400,
                format!("Content-Length `{}` is not a number", excerpt(one)),
            )
        })?,
        _ => {
            return Err(Response::refusal(
                400,
                "more than one Content-Length header",
            ))
        }
    };
    if length > limit as u64 {
        return Err(Response::refusal(
            413,
            format!("the request body is {length} bytes; at most {limit} are accepted"),
        ));
    }
    let length = length as usize;
    if head
        .header("expect")
        .any(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    let mut body = buf.split_off(head_end.1);
    body.truncate(length);
    body.reserve_exact(length - body.len());
    while body.len() < length {
        let missing = length - body.len();
        if read_some(stream, &mut body, missing, deadline, limits)? == 0 {
            return Err(Response::refusal(
                400,
                format!(
                    "the connection closed after {} of {length} body bytes",
                    body.len()
                ),
            ));
        }
    }
    Ok(Some(Request { head, body }))
}

/// Where the head ends: (end of the header lines, start of the body).
fn find_head_end(buf: &[u8]) -> Option<(usize, usize)> {
    let crlf = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4));
    let lf = buf
        .windows(2)
        .position(|w| w == b"\n\n")
        .map(|i| (i, i + 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// Reads at most `max` more bytes into `buf` before the deadline; 0 at the end of the stream.
fn read_some(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    max: usize,
    deadline: Instant,
    limits: Limits,
) -> Result<usize, Response> {
    let timed_out = || {
        Response::refusal(
            408,
            format!(
                "the request did not arrive in time (at most {} s of silence, {} s in all)",
                limits.read_timeout.as_secs(),
                limits.request_deadline.as_secs()
            ),
        )
    };
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(timed_out());
    }
    let _ = stream.set_read_timeout(Some(left.min(limits.read_timeout)));
    let mut chunk = [0u8; 64 * 1024];
    let want = max.clamp(1, chunk.len());
    loop {
        match stream.read(&mut chunk[..want]) {
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return Ok(n);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(timed_out())
            }
            Err(_) => return Ok(0),
        }
    }
}

fn parse_head(bytes: &[u8]) -> Result<Head, Response> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Response::refusal(400, "the request headers are not UTF-8 text"))?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ').filter(|p| !p.is_empty());
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Response::refusal(
            400,
            format!("not an HTTP request line: `{}`", excerpt(request_line)),
        ));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(Response::refusal(
            505,
            format!("`{}` is not HTTP/1.x", excerpt(version)),
        ));
    }
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err(Response::refusal(
                400,
                format!("not a header line: `{}`", excerpt(line)),
            ));
        };
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    Ok(Head {
        method: method.to_string(),
        target: target.to_string(),
        headers,
    })
}

/// At most 80 characters of client-sent text, for an error message.
fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers `/panic` by panicking, `/echo` with the body, `/slow` after a second; admits
    /// bodies of at most 16 bytes.
    struct Probe;

    impl Service for Probe {
        fn admit(&self, head: &Head) -> Result<usize, Response> {
            if head.path() == "/refused" {
                return Err(Response::refusal(401, "no"));
            }
            Ok(16)
        }

        fn respond(&self, request: &Request) -> Response {
            match request.head.path() {
                "/panic" => panic!("provoked"),
                "/slow" => {
                    std::thread::sleep(Duration::from_secs(1));
                    Response::new(200, b"slow".to_vec())
                }
                "/stack" => {
                    // Uses 8 MiB of the worker's stack: more than a default thread has.
                    let big = [1u8; 8 * 1024 * 1024];
                    Response::new(
                        200,
                        std::hint::black_box(&big)
                            .iter()
                            .map(|b| *b as usize)
                            .sum::<usize>()
                            .to_string()
                            .into_bytes(),
                    )
                }
                _ => Response::new(200, request.body.clone()),
            }
        }
    }

    fn start(read_timeout: Duration, max_connections: usize) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let limits = Limits {
            max_connections,
            ..Limits::new(read_timeout)
        };
        std::thread::spawn(move || serve(listener, Arc::new(Probe), limits));
        port
    }

    /// Sends `raw` and reads the whole answer: (status, body).
    fn exchange(port: u16, raw: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
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

    fn post(port: u16, path: &str, body: &str) -> (u16, String) {
        exchange(
            port,
            format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        )
    }

    #[test]
    fn a_panic_is_answered_500_and_no_worker_is_lost() {
        let port = start(Duration::from_secs(5), 64);
        // Twice as many panics as there are workers: were a worker lost per panic, none would be left.
        for _ in 0..2 * WORKERS {
            let (status, body) = post(port, "/panic", "");
            assert_eq!(status, 500);
            assert!(
                body.contains("provoked") && body.contains("carries on"),
                "{body}"
            );
        }
        assert_eq!(
            post(port, "/echo", "still here"),
            (200, "still here".into())
        );
        // All workers still answer in parallel: four 1 s requests take about 1 s, not 4.
        let started = Instant::now();
        let slow: Vec<_> = (0..WORKERS)
            .map(|_| std::thread::spawn(move || post(port, "/slow", "")))
            .collect();
        for s in slow {
            assert_eq!(s.join().unwrap().0, 200);
        }
        assert!(
            started.elapsed() < Duration::from_millis(2500),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn workers_have_room_on_their_stack() {
        let port = start(Duration::from_secs(5), 64);
        assert_eq!(
            post(port, "/stack", ""),
            (200, (8 * 1024 * 1024).to_string())
        );
    }

    #[test]
    fn stalled_clients_do_not_block_the_others_and_are_timed_out() {
        let port = start(Duration::from_secs(1), 64);
        // More stalled clients than workers: half stop in the headers, half in the body.
        let mut stalled = Vec::new();
        for n in 0..2 * WORKERS {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            let raw = if n % 2 == 0 {
                "POST /echo HTTP/1.1\r\nHost: x\r\n".to_string()
            } else {
                "POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc".to_string()
            };
            s.write_all(raw.as_bytes()).unwrap();
            stalled.push(s);
        }
        let started = Instant::now();
        assert_eq!(post(port, "/echo", "hello"), (200, "hello".into()));
        assert!(
            started.elapsed() < Duration::from_millis(900),
            "a request waited behind stalled clients: {:?}",
            started.elapsed()
        );
        // Each stalled client is answered 408 after the read timeout, then closed.
        for mut s in stalled {
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut response = String::new();
            s.read_to_string(&mut response).unwrap();
            assert!(response.starts_with("HTTP/1.1 408 "), "{response}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_trickle_is_cut_at_the_request_deadline() {
        let port = start(Duration::from_secs(1), 64);
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        let started = Instant::now();
        let mut response = Vec::new();
        // One byte every 0.5 s: never silent for a whole second, but the request never ends.
        for byte in "POST /echo HTTP/1.1\r\nX-Slow: "
            .bytes()
            .chain(std::iter::repeat(b'a'))
        {
            if s.write_all(&[byte]).is_err() || started.elapsed() > Duration::from_secs(15) {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
            let mut chunk = [0u8; 512];
            if let Ok(n) = s.read(&mut chunk) {
                response.extend_from_slice(&chunk[..n]);
                if n == 0 || response.len() > 12 {
                    break;
                }
            }
        }
        let response = String::from_utf8_lossy(&response);
        assert!(response.starts_with("HTTP/1.1 408 "), "{response}");
        let took = started.elapsed();
        assert!(
            took >= Duration::from_secs(5) && took < Duration::from_secs(9),
            "{took:?}"
        );
    }

    #[test]
    fn bodies_are_limited_and_checked_before_they_are_read() {
        let port = start(Duration::from_secs(5), 64);
        let (status, body) = exchange(
            port,
            b"POST /echo HTTP/1.1\r\nContent-Length: 1000000000\r\n\r\n",
        );
        assert_eq!(status, 413);
        assert!(body.contains("1000000000 bytes; at most 16"), "{body}");
        assert_eq!(
            exchange(port, b"POST /refused HTTP/1.1\r\nContent-Length: 5\r\n\r\n").0,
            401
        );
        assert_eq!(
            exchange(
                port,
                b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
            )
            .0,
            411
        );
        assert_eq!(
            exchange(port, b"POST /echo HTTP/1.1\r\nContent-Length: x\r\n\r\n").0,
            400
        );
        assert_eq!(
            exchange(
                port,
                b"POST /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"
            )
            .0,
            400
        );
        assert_eq!(exchange(port, b"nonsense\r\n\r\n").0, 400);
        assert_eq!(exchange(port, b"GET / SPDY/3\r\n\r\n").0, 505);
        let huge_header = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD + 10));
        assert_eq!(exchange(port, huge_header.as_bytes()).0, 431);
        // Expect: 100-continue is honoured, bare LF line ends are read.
        let (status, body) = exchange(
            port,
            b"POST /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
        );
        assert_eq!(status, 100);
        assert!(body.contains("ok"), "{body}");
        assert_eq!(
            exchange(port, b"POST /echo HTTP/1.0\nContent-Length: 2\n\nhi"),
            (200, "hi".into())
        );
    }

    #[test]
    fn connections_over_the_limit_are_answered_503() {
        let port = start(Duration::from_secs(3), 2);
        let held: Vec<TcpStream> = (0..2)
            .map(|_| {
                let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                s.write_all(b"POST /echo HTTP/1.1\r\n").unwrap();
                s
            })
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        let (status, body) = post(port, "/echo", "x");
        assert_eq!(status, 503, "{body}");
        drop(held);
        // Once the held connections are closed, requests are served again.
        let deadline = Instant::now() + Duration::from_secs(5);
        while post(port, "/echo", "y") != (200, "y".into()) {
            assert!(
                Instant::now() < deadline,
                "still refused after the held connections closed"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    #[test]
    fn excerpts_are_short() {
        assert_eq!(excerpt("abc"), "abc");
        assert_eq!(excerpt(&"é".repeat(500)).chars().count(), 81);
    }
}
