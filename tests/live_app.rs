//! The app's Live panel commands through `api::dispatch` against a REAL Parlant 3.3.2 server
//! whose engine is the deterministic EchoEngine: a session opened on a Parlant remote, customer
//! messages posted, the agent's events read back by long-polling until it is ready. Under
//! CI=true a missing server fails (tests/common/servers.rs).

#[path = "common/servers.rs"]
mod servers;
#[path = "common/test_app.rs"]
mod test_app;

use journey_studio::api::dispatch;
use journey_studio::sync::parlant::ParlantClient;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[test]
fn live_chat_streams_the_agents_answer_through_the_app_commands() {
    let Some(python) = servers::parlant_python() else {
        return;
    };
    let server = servers::ParlantServer::start_with(python, true);
    let url = server.url.clone();
    let client = ParlantClient::new("setup", &url, None).unwrap();
    journey_studio::app::block_on(client.ensure_agent("Echo agent"))
        .unwrap()
        .unwrap();

    let app = test_app::TestApp::open();
    let call = |command: &str, args: Value| app.call(command, args);
    call(
        "remote_add",
        json!({"name": "live", "kind": "parlant", "url": url, "api_key": "pk-secret-123", "agent": "Echo agent"}),
    );

    let chat = call("live_chat_start", json!({"remote": "live"}));
    assert_eq!(chat["agent"], "Echo agent");
    assert!(chat["session"].as_str().is_some_and(|s| !s.is_empty()));
    let id = chat["chat"].as_str().unwrap().to_string();

    for text in ["Hello there", "Where is my order?"] {
        let sent = call("live_chat_send", json!({"chat": id, "message": text}));
        let offset = sent["offset"].as_u64().unwrap();
        let mut from = offset + 1;
        let mut said = Vec::new();
        let mut statuses = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            assert!(
                Instant::now() < deadline,
                "no ready within 60 s: {statuses:?}"
            );
            let got = call(
                "live_chat_events",
                json!({"chat": id, "from": from, "wait_secs": 5}),
            );
            let next = got["next"].as_u64().unwrap();
            assert!(next >= from, "offsets only grow");
            from = next;
            for e in got["events"].as_array().unwrap() {
                assert!(e["offset"].as_u64().unwrap() > offset);
                if let Some(s) = e["status"].as_str() {
                    statuses.push(s.to_string());
                }
                if e["kind"] == "message" && e["source"] != "customer" {
                    said.push(e["text"].as_str().unwrap().to_string());
                }
            }
            assert!(got.get("error").is_none(), "{got}");
            if got["ready"] == true {
                break;
            }
        }
        assert_eq!(said, vec![format!("echo: {text}")], "{statuses:?}");
        assert_eq!(statuses.first().map(String::as_str), Some("acknowledged"));
        assert_eq!(statuses.last().map(String::as_str), Some("ready"));
    }

    // Nothing new: the long poll waits, then answers no events.
    let started = Instant::now();
    let last = call(
        "live_chat_events",
        json!({"chat": id, "from": 10_000, "wait_secs": 1}),
    );
    assert!(last["events"].as_array().unwrap().is_empty());
    assert!(started.elapsed() >= Duration::from_millis(900));

    // Errors name what is wrong, never the key.
    let unknown = dispatch(
        &app.state,
        "live_chat_start",
        json!({"remote": "live", "agent": "Nobody"}),
    )
    .unwrap_err()
    .to_string();
    assert!(unknown.contains("no agent named `Nobody`"), "{unknown}");
    assert!(!unknown.contains("pk-secret-123"));
    call(
        "remote_add",
        json!({"name": "sim", "kind": "sim", "url": url, "sim_workspace": "w"}),
    );
    let wrong = dispatch(&app.state, "live_chat_start", json!({"remote": "sim"}))
        .unwrap_err()
        .to_string();
    assert!(wrong.contains("chat needs a Parlant remote"), "{wrong}");
    call("live_chat_stop", json!({"chat": id}));
    let gone = dispatch(
        &app.state,
        "live_chat_send",
        json!({"chat": id, "message": "hi"}),
    )
    .unwrap_err()
    .to_string();
    assert!(gone.contains("no live chat"), "{gone}");
}

/// The journey state of a live chat, lit on the open journey: the journey pushed through the
/// graph module (its node ids recorded in the push's markers), the echo engine's `ready`
/// events in the shape of Parlant 3.3.2's AlphaEngine (`matched_journeys`,
/// `matched_journey_states`), mapped back to the document's state ids by the core.
#[test]
fn live_chat_maps_the_servers_journey_state_to_the_open_journey() {
    let Some(python) = servers::parlant_python() else {
        return;
    };
    let server = servers::ParlantServer::start_with(python, true);
    let url = server.url.clone();
    let app = test_app::TestApp::open();
    let call = |command: &str, args: Value| app.call(command, args);
    call(
        "remote_add",
        json!({"name": "live", "kind": "parlant", "url": url, "agent": "Refund desk"}),
    );
    // The refund journey without its guidelines and variables (they need a tool service and
    // the agent `shopwell-support`).
    let mut content: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/journeys/refund-request.json"
        ))
        .unwrap(),
    )
    .unwrap();
    for key in ["context_variables", "guidelines"] {
        content.as_object_mut().unwrap().remove(key);
    }
    let content = content.to_string();
    let doc = call(
        "import_document",
        json!({"content": content, "name": "refunds"}),
    );
    let session = call("open_document", json!({"id": doc["id"]}))["session"].clone();

    // Not pushed yet: the chat says why nothing can be lit.
    let client = ParlantClient::new("setup", &url, None).unwrap();
    journey_studio::app::block_on(client.ensure_agent("Refund desk"))
        .unwrap()
        .unwrap();
    let early = call(
        "live_chat_start",
        json!({"remote": "live", "session": session}),
    );
    assert!(early.get("journey").is_none(), "{early}");
    assert!(
        early["journey_note"]
            .as_str()
            .is_some_and(|n| n.contains("not pushed to `live`")),
        "{early}"
    );

    let pushed = call("push", json!({"document_id": doc["id"], "remote": "live"}));
    assert_eq!(pushed["result"], "pushed", "{pushed}");
    let journey_id = pushed["remote_id"].as_str().unwrap().to_string();
    let chat = call(
        "live_chat_start",
        json!({"remote": "live", "session": session}),
    );
    assert_eq!(chat["journey"], json!(journey_id), "{chat}");
    let id = chat["chat"].as_str().unwrap().to_string();

    let turn = |text: &str| -> Value {
        let offset = call("live_chat_send", json!({"chat": id, "message": text}))["offset"]
            .as_u64()
            .unwrap();
        let mut from = offset + 1;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            assert!(Instant::now() < deadline, "no ready within 60 s");
            let got = call(
                "live_chat_events",
                json!({"chat": id, "from": from, "wait_secs": 5}),
            );
            from = got["next"].as_u64().unwrap();
            assert!(got.get("error").is_none(), "{got}");
            if got["ready"] == true {
                return got;
            }
        }
    };
    // The journey's condition starts it at the root's first state; a transition's condition
    // moves it on (the echo engine's rule; the event's shape is Parlant's).
    let first = turn("wants a refund for an order");
    let js = &first["journey_state"];
    assert_eq!(js["document_journey"], true, "{first}");
    assert_eq!(js["states"], json!(["ask-order"]), "{first}");
    assert_eq!(js["activity"]["journeys"], json!([journey_id]), "{first}");
    // The server's node id is the one the push wrote (`<journey>.<state>`).
    assert_eq!(
        js["activity"]["states"],
        json!([format!("{journey_id}.ask-order")]),
        "{first}"
    );
    let ready = first["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["status"] == "ready")
        .unwrap();
    assert_eq!(ready["journey"]["journeys"], json!([journey_id]));

    let second = turn("cannot find their order number");
    assert_eq!(
        second["journey_state"]["states"],
        json!(["ask-email"]),
        "{second}"
    );
    let third = turn("provided their checkout email");
    assert_eq!(
        third["journey_state"]["states"],
        json!(["lookup-order"]),
        "{third}"
    );

    // A chat started without the document reports the server's ids only.
    let bare = call("live_chat_start", json!({"remote": "live"}));
    assert!(bare.get("journey").is_none() && bare.get("journey_note").is_none());
}
