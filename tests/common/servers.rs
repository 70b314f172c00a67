//! Test servers: a REAL Parlant 3.3.2 server (one per test binary, stopped by PID when the
//! binary's last test using it is done), and a fault-injecting HTTP proxy in front of it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Why a Parlant-backed test skips.
pub const NO_VENV: &str =
    "JOURNEY_STUDIO_PARLANT_PYTHON is not set (the venv from scripts/setup; scripts/test sets it)";

/// The Python with parlant==3.3.2, or None when the test may skip: the skip is recorded (see
/// [`skip`]) and summed up at the end of the test binary's run. In CI (`CI=true`) a missing
/// interpreter is a failure, not a skip.
pub fn parlant_python() -> Option<PathBuf> {
    match std::env::var_os("JOURNEY_STUDIO_PARLANT_PYTHON") {
        Some(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            assert!(
                p.exists(),
                "JOURNEY_STUDIO_PARLANT_PYTHON={} does not exist: run scripts/setup",
                p.display()
            );
            Some(p)
        }
        _ => {
            if in_ci() {
                panic!("JOURNEY_STUDIO_PARLANT_PYTHON is not set: Parlant-backed tests need the venv from scripts/setup (scripts/test exports it); under CI=true they fail instead of skipping");
            }
            skip(NO_VENV);
            None
        }
    }
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The marker every skip summary starts with (scripts/test collects these lines).
pub const SKIP_MARKER: &str = "SKIPPED:";

static SKIPS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Records that the calling test skips its body for `reason`. libtest has no runtime "ignored"
/// and captures what tests print, so the record is summed up when the test binary exits (an
/// `atexit` handler writing straight to the process's standard error, after libtest's own
/// `test result:` line, where `cargo test` shows it):
///
/// `SKIPPED: 7 tests of sync_parlant did not run: <reason>: <names>`
pub fn skip(reason: &str) {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        extern "C" {
            fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
        }
        // SAFETY: registers a plain `extern "C" fn()` that takes no arguments; libc's atexit
        // has this signature on every platform the tests run on.
        unsafe {
            atexit(print_skips);
        }
    });
    let test = std::thread::current().name().unwrap_or("?").to_string();
    let mut skips = SKIPS.lock().unwrap_or_else(|p| p.into_inner());
    let entry = (test, reason.to_string());
    if !skips.contains(&entry) {
        skips.push(entry);
    }
}

/// The summary lines for the recorded skips, one per reason.
pub fn skip_summary() -> Vec<String> {
    let skips = SKIPS.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let binary = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|s| {
            s.rsplit_once('-')
                .map_or(s.clone(), |(name, _hash)| name.to_string())
        })
        .unwrap_or_default();
    let mut reasons: Vec<&str> = skips.iter().map(|(_, r)| r.as_str()).collect();
    reasons.sort_unstable();
    reasons.dedup();
    reasons
        .into_iter()
        .map(|reason| {
            let mut names: Vec<&str> = skips
                .iter()
                .filter(|(_, r)| r == reason)
                .map(|(t, _)| t.as_str())
                .collect();
            names.sort_unstable();
            let n = names.len();
            format!(
                "{SKIP_MARKER} {n} test{} of {binary} did not run: {reason}: {}",
                if n == 1 { "" } else { "s" },
                names.join(", ")
            )
        })
        .collect()
}

extern "C" fn print_skips() {
    let lines = skip_summary();
    if !lines.is_empty() {
        // Straight to the file descriptor: libtest's capture only covers `print!`/`eprint!`.
        let _ = writeln!(std::io::stderr(), "{}", lines.join("\n"));
    }
}

/// A server process a test binary started: stopped by PID (SIGTERM, then a wait for the exit;
/// SIGKILL when it outlives `grace`). Its launcher also exits when the test process dies.
pub struct ServerProcess {
    child: Mutex<Option<Child>>,
    grace: Duration,
}

impl ServerProcess {
    pub fn new(child: Child, grace: Duration) -> ServerProcess {
        ServerProcess {
            child: Mutex::new(Some(child)),
            grace,
        }
    }

    /// Its exit status, if it has already exited.
    pub fn exited(&self) -> Option<std::process::ExitStatus> {
        self.child
            .lock()
            .unwrap()
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// Waits for `ready` (polled every `every`); panics with `log()` when the process exits
    /// first or `limit` passes.
    pub fn wait_ready<T>(
        &self,
        what: &str,
        limit: Duration,
        every: Duration,
        log: impl Fn() -> String,
        mut ready: impl FnMut() -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(v) = ready() {
                return v;
            }
            if let Some(status) = self.exited() {
                panic!("{what} exited ({status}) before it was ready:\n{}", log());
            }
            assert!(
                Instant::now() < deadline,
                "{what} not ready after {} s:\n{}",
                limit.as_secs(),
                log()
            );
            std::thread::sleep(every);
        }
    }

    pub fn stop(&self) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + self.grace;
            while child.try_wait().ok().flatten().is_none() {
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// A server a test owns stops when the test ends, passed or panicked.
impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A server shared by the tests of one binary.
pub trait Shared: Send + Sync + 'static {
    fn process(&self) -> &ServerProcess;
}

/// One test's use of a shared server; `users` = how many tests in the binary use it, so the
/// last one to finish stops it (a filtered run leaves it to the server's parent watchdog).
pub struct Lease<T: Shared> {
    pub server: Arc<T>,
    users: usize,
    done: &'static AtomicUsize,
}

impl<T: Shared> Lease<T> {
    pub fn new(server: Arc<T>, users: usize, done: &'static AtomicUsize) -> Lease<T> {
        Lease {
            server,
            users,
            done,
        }
    }
}

impl<T: Shared> Drop for Lease<T> {
    fn drop(&mut self) {
        if self.done.fetch_add(1, Ordering::SeqCst) + 1 == self.users {
            self.server.process().stop();
        }
    }
}

pub struct ParlantServer {
    pub url: String,
    pub port: u16,
    process: ServerProcess,
    _home: tempfile::TempDir,
}

impl ParlantServer {
    fn start(python: PathBuf) -> ParlantServer {
        Self::start_with(python, false)
    }

    /// `echo`: the server's engine is Journey Studio's deterministic EchoEngine (live chat
    /// without an LLM).
    pub fn start_with(python: PathBuf, echo: bool) -> ParlantServer {
        let home = tempfile::tempdir().unwrap();
        let port = free_port();
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let log = std::fs::File::create(home.path().join("server.log")).unwrap();
        let mut command = Command::new(python);
        command
            .args([
                "-m",
                "journey_studio_parlant.testserver",
                "--port",
                &port.to_string(),
                "--home",
            ])
            .arg(home.path());
        if echo {
            command.arg("--echo");
        }
        let child = command
            .env("PYTHONPATH", root.join("server/parlant"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start the Parlant server");
        let url = format!("http://127.0.0.1:{port}");
        let server = ParlantServer {
            url,
            port,
            process: ServerProcess::new(child, Duration::from_secs(15)),
            _home: home,
        };
        let log_file = server._home.path().join("server.log");
        let log = || std::fs::read_to_string(&log_file).unwrap_or_default();
        server.process.wait_ready(
            "Parlant server",
            Duration::from_secs(90),
            Duration::from_millis(200),
            log,
            || (http_get_status(port, "/healthz") == Some(200)).then_some(()),
        );
        server
    }

    /// SIGTERM by PID, then wait for the exit.
    pub fn stop(&self) {
        self.process.stop();
    }
}

impl Shared for ParlantServer {
    fn process(&self) -> &ServerProcess {
        &self.process
    }
}

static SERVER: OnceLock<Option<Arc<ParlantServer>>> = OnceLock::new();
static USERS_DONE: AtomicUsize = AtomicUsize::new(0);

pub type ServerLease = Lease<ParlantServer>;

pub fn parlant(users: usize) -> Option<ServerLease> {
    let Some(server) = SERVER
        .get_or_init(|| parlant_python().map(|p| Arc::new(ParlantServer::start(p))))
        .clone()
    else {
        // Not started for want of the venv: this test skips too (and is counted).
        parlant_python();
        return None;
    };
    Some(Lease::new(server, users, &USERS_DONE))
}

fn http_get_status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = [0u8; 32];
    let n = s.read(&mut buf).ok()?;
    std::str::from_utf8(&buf[..n])
        .ok()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// What the proxy does with request number N (1-based, counted over the proxy's life).
#[derive(Clone, Debug)]
pub enum Fault {
    Forward,
    Status(u16, Option<u64>),
    /// Close the connection without answering (a reset mid-push).
    Reset,
    /// Hold the request this long, then forward it.
    Delay(Duration),
}

type Rule = Box<dyn Fn(usize, &str) -> Fault + Send + Sync>;

/// An HTTP/1.1 proxy to `upstream` that applies `rule(request number, "METHOD /path")`.
pub struct FaultProxy {
    pub url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

pub fn fault_proxy(
    upstream: u16,
    rule: impl Fn(usize, &str) -> Fault + Send + Sync + 'static,
) -> FaultProxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let rule: Arc<Rule> = Arc::new(Box::new(rule));
    let counter = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let (rule, counter, log) = (rule.clone(), counter.clone(), log.clone());
            std::thread::spawn(move || serve(conn, upstream, &rule, &counter, &log));
        }
    });
    FaultProxy {
        url: format!("http://127.0.0.1:{port}"),
        requests,
    }
}

fn read_message(s: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let len = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).ok()?;
    Some((head, body))
}

fn serve(
    mut client: TcpStream,
    upstream: u16,
    rule: &Rule,
    counter: &AtomicUsize,
    log: &Mutex<Vec<String>>,
) {
    while let Some((head, body)) = read_message(&mut client) {
        let line = head.lines().next().unwrap_or("").to_string();
        let mut parts = line.split_whitespace();
        let what = format!(
            "{} {}",
            parts.next().unwrap_or(""),
            parts.next().unwrap_or("")
        );
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        log.lock().unwrap().push(what.clone());
        match rule(n, &what) {
            Fault::Reset => {
                let _ = client.shutdown(Shutdown::Both);
                return;
            }
            Fault::Status(code, retry_after) => {
                let body = format!("{{\"detail\":\"injected {code}\"}}");
                let extra = retry_after
                    .map(|s| format!("Retry-After: {s}\r\n"))
                    .unwrap_or_default();
                let _ = write!(client, "HTTP/1.1 {code} Injected\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n{body}", body.len());
                continue;
            }
            Fault::Delay(d) => std::thread::sleep(d),
            Fault::Forward => {}
        }
        // Forward on a fresh upstream connection, closed after the answer.
        let mut head: String = head
            .trim_end()
            .lines()
            .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
            .map(|l| format!("{l}\r\n"))
            .collect();
        head.push_str("Connection: close\r\n\r\n");
        let Ok(mut up) = TcpStream::connect(("127.0.0.1", upstream)) else {
            let _ = client.shutdown(Shutdown::Both);
            return;
        };
        let _ = up.write_all(head.as_bytes());
        let _ = up.write_all(&body);
        let mut answer = Vec::new();
        let _ = up.read_to_end(&mut answer);
        if client.write_all(&answer).is_err() {
            return;
        }
        if String::from_utf8_lossy(&answer)
            .to_ascii_lowercase()
            .contains("connection: close")
        {
            return;
        }
    }
}
