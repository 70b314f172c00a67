//! Live chat against a REAL Parlant 3.3.2 server whose engine is the deterministic EchoEngine
//! (server/parlant/journey_studio_parlant/echo_engine.py): the real session, event and
//! long-poll code runs; only the LLM is replaced.

#[path = "common/servers.rs"]
mod servers;

use journey_studio::sync::chat::{agent_message, TurnEnd};
use journey_studio::sync::parlant::ParlantClient;
use std::io::Write;
use std::time::Duration;

#[test]
fn a_customer_message_streams_the_agents_events_back() {
    let Some(python) = servers::parlant_python() else {
        return;
    };
    let server = servers::ParlantServer::start_with(python, true);
    let url = server.url.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = ParlantClient::new("chat", &url, None).unwrap();
    rt.block_on(async {
        let agent = client.ensure_agent("Echo agent").await.unwrap();
        assert_eq!(client.find_agent("Echo agent").await.unwrap(), agent);
        assert!(client
            .find_agent("Nobody")
            .await
            .unwrap_err()
            .to_string()
            .contains("no agent named"));
        let session = client.create_session(&agent, None).await.unwrap();

        // Nothing yet after the start: the long poll waits, then answers "nothing" (504).
        let started = std::time::Instant::now();
        assert!(client.wait_events(&session, 0, 1).await.unwrap().is_empty());
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "it waited: {:?}",
            started.elapsed()
        );

        for (i, text) in ["Hello there", "Where is my order?"].iter().enumerate() {
            let offset = client.send_customer_message(&session, text).await.unwrap();
            let mut events = Vec::new();
            let (end, next) = client
                .stream_turn(&session, offset, Duration::from_secs(60), |e| {
                    events.push(e.clone())
                })
                .await
                .unwrap();
            assert_eq!(end, TurnEnd::Ready, "{events:#?}");
            let said: Vec<&str> = events.iter().filter_map(agent_message).collect();
            assert_eq!(
                said,
                vec![format!("echo: {text}").as_str()],
                "turn {i}: {events:#?}"
            );
            let statuses: Vec<&str> = events
                .iter()
                .filter(|e| e["kind"] == "status")
                .filter_map(|e| e["data"]["status"].as_str())
                .collect();
            assert!(
                statuses.starts_with(&["acknowledged"]) && statuses.ends_with(&["ready"]),
                "{statuses:?}"
            );
            // Offsets only grow, and the turn's events come after the customer's message.
            assert!(events
                .iter()
                .all(|e| e["offset"].as_u64().unwrap() > offset));
            assert!(next > offset);
        }
        // An unknown session is a clear error.
        assert!(client
            .wait_events("no-such-session", 0, 1)
            .await
            .unwrap_err()
            .to_string()
            .contains("does not exist"));
    });

    // The CLI: lines from stdin, agent messages out.
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.db");
    let cli = env!("CARGO_BIN_EXE_journey-studio");
    let status = std::process::Command::new(cli)
        .args([
            "remote",
            "add",
            "live",
            "--kind",
            "parlant",
            "--url",
            &url,
            "--agent",
            "Echo agent",
        ])
        .env("JOURNEY_STUDIO_WORKSPACE", &ws)
        .status()
        .unwrap();
    assert!(status.success());
    let mut child = std::process::Command::new(cli)
        .args(["chat", "live", "--wait", "60"])
        .env("JOURNEY_STUDIO_WORKSPACE", &ws)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"first line\n\nsecond line\n/quit\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("agent: echo: first line") && text.contains("agent: echo: second line"),
        "{text}"
    );
    assert!(text.find("echo: first line") < text.find("echo: second line"));
    assert!(
        !text.contains("journey state"),
        "no journey, no state: {text}"
    );

    // A journey pushed there: each turn's journey state is printed, in the document's ids.
    let mut journey: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/journeys/refund-request.json"
        ))
        .unwrap(),
    )
    .unwrap();
    for key in ["context_variables", "guidelines"] {
        journey.as_object_mut().unwrap().remove(key);
    }
    let file = dir.path().join("refunds.json");
    std::fs::write(&file, journey.to_string()).unwrap();
    let pushed = std::process::Command::new(cli)
        .args(["push", "live"])
        .arg(&file)
        .env("JOURNEY_STUDIO_WORKSPACE", &ws)
        .output()
        .unwrap();
    assert!(
        pushed.status.success(),
        "{}",
        String::from_utf8_lossy(&pushed.stderr)
    );
    let mut child = std::process::Command::new(cli)
        .args(["chat", "live", "--document", "refunds", "--wait", "60"])
        .env("JOURNEY_STUDIO_WORKSPACE", &ws)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"wants a refund for an order\ncannot find their order number\n/quit\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let states: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("journey state"))
        .collect();
    assert_eq!(states.len(), 2, "{text}");
    assert!(
        states[0].ends_with("(document states: ask-order)"),
        "{text}"
    );
    assert!(
        states[1].ends_with("(document states: ask-email)"),
        "{text}"
    );
}
