//! A server that answers without end is refused with an error naming the remote: a body over
//! `MAX_RESPONSE_BYTES`, a Server-Sent Event over `MAX_EVENT_BYTES`.

use journey_studio::sync::http::MAX_RESPONSE_BYTES;
use journey_studio::sync::sim::SimClient;
use journey_studio::sync::sse::MAX_EVENT_BYTES;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// Answers one connection with `head`, then `body_bytes` of `fill` (in 64 KiB writes).
fn server(head: &'static str, fill: u8, body_bytes: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
        if s.write_all(head.as_bytes()).is_err() {
            return;
        }
        let piece = vec![fill; 64 * 1024];
        let mut sent = 0;
        while sent < body_bytes {
            if s.write_all(&piece).is_err() {
                return;
            }
            sent += piece.len();
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
fn an_endless_answer_is_refused_naming_the_remote() {
    // No Content-Length: the body only ends when the connection closes, after the limit.
    let url = server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
        b' ',
        MAX_RESPONSE_BYTES + 1024 * 1024,
    );
    let client = SimClient::new("sim-staging", &url, Some("k".into()), None).unwrap();
    let started = Instant::now();
    let err = run(client.get("wf-1"))
        .map(|_| ())
        .expect_err("an answer over the limit was accepted");
    let text = err.to_string();
    assert!(text.starts_with("remote `sim-staging`: GET "), "{text}");
    assert!(text.contains("over the 64 MiB limit"), "{text}");
    assert!(
        !text.contains("X-API-Key") && !text.contains(": k"),
        "{text}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn an_endless_stream_event_is_refused_naming_the_remote() {
    // One `data:` line that never ends.
    let url = server(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\ndata: ",
        b'x',
        MAX_EVENT_BYTES + 1024 * 1024,
    );
    let client = SimClient::new("sim-staging", &url, Some("k".into()), None).unwrap();
    let mut events = 0;
    let err = run(client.execute_stream(
        "wf-1",
        &serde_json::Map::new(),
        &[],
        Duration::from_secs(60),
        |_| events += 1,
    ))
    .map(|_| ())
    .expect_err("an endless event was accepted");
    let text = err.to_string();
    assert!(text.starts_with("remote `sim-staging`: POST /api/v2/workflows/wf-1/execute: a stream event is over 16 MiB"), "{text}");
    assert_eq!(events, 0);
}

/// Answers one request with `response` (a whole HTTP response).
fn answer_once(response: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
        let _ = s.write_all(response.as_bytes());
    });
    url
}

#[test]
fn an_event_offset_at_u64_max_does_not_overflow() {
    let body = format!(
        r#"[{{"offset": {}, "kind": "status", "data": {{"status": "ready"}}}}]"#,
        u64::MAX
    );
    let url = answer_once(format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()));
    let client = journey_studio::sync::parlant::ParlantClient::new("parlant", &url, None).unwrap();
    let (end, next) =
        run(client.stream_turn("s1", u64::MAX, Duration::from_secs(5), |_| {})).unwrap();
    assert_eq!(end, journey_studio::sync::chat::TurnEnd::Ready);
    assert_eq!(next, u64::MAX);
}

#[test]
fn a_huge_retry_after_is_bounded() {
    let url = answer_once(format!(
        "HTTP/1.1 503 Busy\r\nRetry-After: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        u64::MAX
    ));
    let client = SimClient::new("sim", &url, Some("k".into()), None).unwrap();
    let err = run(client.get("wf-1"))
        .map(|_| ())
        .expect_err("a 503 was accepted");
    assert_eq!(
        err.retry_hint(),
        Some(Some(journey_studio::sync::http::MAX_RETRY_AFTER_SECS))
    );
}
