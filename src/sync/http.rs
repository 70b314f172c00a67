//! One HTTP client for every remote: timeouts, and the mapping of failures onto retryable or
//! final errors. Error messages name the remote, method and path only: never headers or
//! bodies we sent, so an API key cannot leak into a message.

use crate::error::{Error, Result};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;

/// The largest answer read from a server. A Sim workflow or a Parlant journey list is at most a
/// few documents of at most `MAX_DOCUMENT_BYTES` (32 MiB); anything larger is refused with an
/// error naming the remote, instead of being buffered without end.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    pub remote: String,
    base: String,
    /// (header name, value) sent with every request; the value is a secret.
    auth: Option<(String, String)>,
    /// Answers larger than this are refused (`MAX_RESPONSE_BYTES`).
    max_body: usize,
}

/// An answer, whatever its status.
pub struct RawReply {
    pub status: StatusCode,
    pub retry_after: Option<u64>,
    pub text: String,
}

/// A response whose status was a success.
pub struct Reply {
    pub status: StatusCode,
    pub text: String,
}

impl Reply {
    pub fn json(&self, remote: &str, what: &str) -> Result<Value> {
        serde_json::from_str(&self.text).map_err(|e| Error::Remote {
            remote: remote.to_string(),
            message: format!("{what}: the server's answer is not JSON ({e})"),
            retryable: false,
            retry_after: None,
        })
    }
}

/// Request timeout unless `JOURNEY_STUDIO_HTTP_TIMEOUT_SECS` says otherwise.
fn timeout() -> Duration {
    let secs = std::env::var("JOURNEY_STUDIO_HTTP_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(30);
    Duration::from_secs(secs.max(1))
}

impl Http {
    pub fn new(remote: &str, base: &str, auth: Option<(String, String)>) -> Result<Http> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(timeout())
            .build()
            .map_err(|e| Error::Remote {
                remote: remote.into(),
                message: format!("cannot build HTTP client: {e}"),
                retryable: false,
                retry_after: None,
            })?;
        Ok(Http {
            client,
            remote: remote.to_string(),
            base: base.trim_end_matches('/').to_string(),
            auth,
            max_body: MAX_RESPONSE_BYTES,
        })
    }

    /// The same client with another limit on answers (tests use a small one).
    pub fn with_max_body(mut self, max_body: usize) -> Http {
        self.max_body = max_body;
        self
    }

    /// The limit on answers.
    pub fn max_body(&self) -> usize {
        self.max_body
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn fail(&self, message: String, retryable: bool, retry_after: Option<u64>) -> Error {
        Error::Remote {
            remote: self.remote.clone(),
            message,
            retryable,
            retry_after,
        }
    }

    /// Sends a request; any non-2xx status is an error (404 included: use `send_opt` when
    /// absence is an answer).
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Reply> {
        match self.send_opt(method.clone(), path, body).await? {
            Some(reply) => Ok(reply),
            None => Err(self.fail(format!("{method} {path}: not found (404)"), false, None)),
        }
    }

    /// Like `send_opt`, but a 429 whose `Retry-After` is at most `max_wait` seconds is waited
    /// out and sent again (up to `retries` times). Only 429: the server says it did nothing,
    /// so sending again cannot duplicate a write (a 503 gives no such promise).
    pub async fn send_opt_rate_limited(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        retries: usize,
        max_wait: u64,
    ) -> Result<Option<Reply>> {
        let mut attempt = 0;
        loop {
            let raw = self.exchange(method.clone(), path, body).await?;
            match raw.retry_after {
                Some(wait)
                    if raw.status == StatusCode::TOO_MANY_REQUESTS
                        && attempt < retries
                        && wait <= max_wait =>
                {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                }
                _ => return self.judge(&method, path, raw),
            }
        }
    }

    /// Like `send`, but a 404 is `None`.
    pub async fn send_opt(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Option<Reply>> {
        let raw = self.exchange(method.clone(), path, body).await?;
        self.judge(&method, path, raw)
    }

    fn request(&self, method: Method, path: &str, body: Option<&Value>) -> reqwest::RequestBuilder {
        let mut req = self.client.request(method, self.url(path));
        if let Some((name, value)) = &self.auth {
            req = req.header(name.as_str(), value.as_str());
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        req
    }

    fn transport_error(&self, method: &Method, path: &str, e: &reqwest::Error) -> Error {
        let what = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "cannot connect (is the server running?)"
        } else {
            "the connection failed"
        };
        // reqwest's own message names the URL and the cause, never headers.
        self.fail(
            format!("{method} {path}: {what}: {}", describe(e)),
            true,
            None,
        )
    }

    /// Opens a streamed answer (Server-Sent Events): a success status hands back the response
    /// with its body unread; anything else is judged like `send` (404 included). `total` is the
    /// time allowed for the whole stream (the client's per-request timeout is too short for a
    /// long run).
    pub async fn open_stream(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        total: Duration,
    ) -> Result<reqwest::Response> {
        let resp = self
            .request(method.clone(), path, body)
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .timeout(total)
            .send()
            .await
            .map_err(|e| self.transport_error(&method, path, &e))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status();
        let retry_after = retry_after_of(&resp);
        let text = self
            .read_body(resp, &method, path)
            .await
            .unwrap_or_default();
        match self.judge(
            &method,
            path,
            RawReply {
                status,
                retry_after,
                text,
            },
        )? {
            Some(_) => Err(self.fail(
                format!("{method} {path}: unexpected answer ({status})"),
                false,
                None,
            )),
            None => Err(self.fail(format!("{method} {path}: not found (404)"), false, None)),
        }
    }

    /// The next piece of a streamed body (None at its end); a cut is a retryable error.
    pub async fn next_chunk(
        &self,
        resp: &mut reqwest::Response,
        what: &str,
    ) -> Result<Option<Vec<u8>>> {
        resp.chunk()
            .await
            .map(|c| c.map(|b| b.to_vec()))
            .map_err(|e| {
                self.fail(
                    format!("{what}: the stream was cut off: {}", describe(&e)),
                    true,
                    None,
                )
            })
    }

    /// One request and its answer, whatever the status (transport failures are errors).
    pub async fn exchange(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<RawReply> {
        let req = self.request(method.clone(), path, body);
        let resp = req
            .send()
            .await
            .map_err(|e| self.transport_error(&method, path, &e))?;
        let status = resp.status();
        let retry_after = retry_after_of(&resp);
        let text = self.read_body(resp, &method, path).await?;
        Ok(RawReply {
            status,
            retry_after,
            text,
        })
    }

    /// The whole body as text (invalid UTF-8 replaced), refused past `max_body` bytes: at once
    /// when the server announces a larger `Content-Length`, else as soon as the bytes read pass
    /// the limit.
    async fn read_body(
        &self,
        mut resp: reqwest::Response,
        method: &Method,
        path: &str,
    ) -> Result<String> {
        let limit = self.max_body;
        let too_large = |size: String| {
            self.fail(
                format!(
                    "{method} {path}: the answer is {size}, over the {} limit; refused",
                    bytes(limit)
                ),
                false,
                None,
            )
        };
        if let Some(announced) = resp.content_length().filter(|&n| n > limit as u64) {
            return Err(too_large(format!("{announced} bytes")));
        }
        let mut body: Vec<u8> =
            Vec::with_capacity(resp.content_length().map_or(0, |n| n as usize).min(limit));
        while let Some(chunk) = resp.chunk().await.map_err(|e| {
            self.fail(
                format!("{method} {path}: the answer was cut off: {}", describe(&e)),
                true,
                None,
            )
        })? {
            if body.len() + chunk.len() > limit {
                return Err(too_large(format!("more than {limit} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(match String::from_utf8(body) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// Maps an answer onto success, absence (404) or a retryable / final error.
    fn judge(&self, method: &Method, path: &str, raw: RawReply) -> Result<Option<Reply>> {
        let RawReply {
            status,
            retry_after,
            text,
        } = raw;
        if status.is_success() {
            return Ok(Some(Reply { status, text }));
        }
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let detail = error_detail(&text);
        let (retryable, what) = match status.as_u16() {
            429 => (true, "rate limited"),
            423 => (false, "the resource is locked"),
            401 => (false, "not authenticated (check the API key)"),
            403 => (false, "forbidden (the key lacks permission)"),
            500..=599 => (true, "server error"),
            _ => (false, "refused"),
        };
        Err(self.fail(
            format!("{method} {path}: {what} ({status}){detail}"),
            retryable,
            retry_after,
        ))
    }
}

/// The server's own explanation (`detail` or `error.message`), kept short.
fn error_detail(text: &str) -> String {
    let value: Option<Value> = serde_json::from_str(text).ok();
    let msg = value.as_ref().and_then(|v| {
        v.get("detail")
            .map(|d| {
                d.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| d.to_string())
            })
            .or_else(|| {
                v.pointer("/error/message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
    });
    let msg = msg.unwrap_or_else(|| text.trim().to_string());
    if msg.is_empty() {
        return String::new();
    }
    let short: String = msg.chars().take(300).collect();
    format!(": {short}")
}

/// The longest `Retry-After` honoured: a day. A server's larger value (up to u64::MAX) would
/// overflow the outbox's next-attempt time.
pub const MAX_RETRY_AFTER_SECS: u64 = 24 * 60 * 60;

fn retry_after_of(resp: &reqwest::Response) -> Option<u64> {
    resp.headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|secs| secs.min(MAX_RETRY_AFTER_SECS))
}

/// `67108864` → "64 MiB".
pub(crate) fn bytes(n: usize) -> String {
    if n >= 1024 * 1024 && n.is_multiple_of(1024 * 1024) {
        format!("{} MiB", n / (1024 * 1024))
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

fn describe(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A one-connection server that reads the request head and writes `response`, then
    /// `chunks` more pieces of `chunk` bytes each (a chunked body when `chunked`).
    fn server(head: String, chunked: bool, chunks: usize, chunk: usize) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let mut seen = Vec::new();
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            if s.write_all(head.as_bytes()).is_err() {
                return;
            }
            let piece = vec![b'x'; chunk];
            for _ in 0..chunks {
                let framed = if chunked {
                    [
                        format!("{chunk:x}\r\n").into_bytes(),
                        piece.clone(),
                        b"\r\n".to_vec(),
                    ]
                    .concat()
                } else {
                    piece.clone()
                };
                if s.write_all(&framed).is_err() {
                    return;
                }
            }
            if chunked {
                let _ = s.write_all(b"0\r\n\r\n");
            }
        });
        url
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn an_announced_body_over_the_limit_is_refused_before_it_is_read() {
        // Announces 10 GB and sends nothing: were it buffered, the call would wait, then fail late.
        let url = server(
            "HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n".into(),
            false,
            0,
            0,
        );
        let http = Http::new("big", &url, None).unwrap();
        let err = run(http.send(Method::GET, "/api/x", None))
            .map(|_| ())
            .expect_err("a 10 GB answer was accepted");
        let text = err.to_string();
        assert!(
            text.starts_with(
                "remote `big`: GET /api/x: the answer is 10000000000 bytes, over the 64 MiB limit"
            ),
            "{text}"
        );
        assert!(err.retry_hint().is_none());
    }

    #[test]
    fn a_streamed_body_over_the_limit_is_cut() {
        // Chunked, no length: 200 pieces of 64 KiB (12.5 MiB) against a 1 MiB limit.
        let url = server(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".into(),
            true,
            200,
            64 * 1024,
        );
        let http = Http::new("sim-prod", &url, None)
            .unwrap()
            .with_max_body(1024 * 1024);
        let err = run(http.exchange(Method::GET, "/api/workflows", None))
            .map(|_| ())
            .expect_err("an endless answer was accepted");
        assert!(err.to_string().contains("remote `sim-prod`: GET /api/workflows: the answer is more than 1048576 bytes, over the 1 MiB limit"), "{err}");
        // An error answer is read under the same limit.
        let url = server(
            "HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n".into(),
            true,
            200,
            64 * 1024,
        );
        let http = Http::new("sim-prod", &url, None)
            .unwrap()
            .with_max_body(1024 * 1024);
        assert!(run(http.send(Method::GET, "/x", None))
            .map(|_| ())
            .unwrap_err()
            .to_string()
            .contains("over the 1 MiB limit"));
    }

    #[test]
    fn a_body_within_the_limit_is_read_whole() {
        let url = server(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".into(),
            true,
            16,
            64 * 1024,
        );
        let http = Http::new("ok", &url, None)
            .unwrap()
            .with_max_body(1024 * 1024);
        let reply = run(http.send(Method::GET, "/x", None)).unwrap();
        assert_eq!(reply.text.len(), 1024 * 1024);
        assert_eq!(bytes(3), "3 bytes");
        assert_eq!(bytes(2048), "2 KiB");
    }
}
