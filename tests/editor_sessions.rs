//! Documents open in the core, through `api::dispatch` and `serve`: an edit answers only what
//! changed (its size does not grow with the document), a burst of edits is one revision saved
//! while it goes on, closing saves, deleting discards, and a SIGKILL in the middle of a burst loses
//! at most the autosave delay.

mod common;

use journey_studio::api::{dispatch, AppState, JsonFileSettings};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

fn state(dir: &Path, settings: Value) -> AppState {
    let settings_file = dir.join("settings.json");
    std::fs::write(&settings_file, settings.to_string()).unwrap();
    AppState::open(
        &dir.join("w.db"),
        Box::new(JsonFileSettings::new(settings_file)),
    )
    .unwrap()
}

fn call(state: &AppState, command: &str, args: Value) -> Value {
    dispatch(state, command, args).unwrap_or_else(|e| panic!("{command}: {e}"))
}

fn import(state: &AppState, name: &str, text: &str) -> i64 {
    call(
        state,
        "import_document",
        json!({"name": name, "content": text}),
    )["id"]
        .as_i64()
        .unwrap()
}

fn head_of(workspace: &Path, name: &str) -> Value {
    let store = journey_studio::store::Store::open(workspace).unwrap();
    serde_json::from_str(&store.head(name).unwrap().content).unwrap()
}

fn revisions(workspace: &Path, name: &str) -> usize {
    journey_studio::store::Store::open(workspace)
        .unwrap()
        .history(name)
        .unwrap()
        .len()
}

fn wait_until_saved(state: &AppState, session: &Value) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = call(state, "session_status", json!({"session": session}));
        if status["dirty"] == false {
            return status;
        }
        assert!(Instant::now() < deadline, "not saved after 20 s: {status}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn set_title(title: &str) -> Value {
    json!([{"op": "set_field", "target": "journey", "path": ["journey", "title"], "value": title}])
}

#[test]
fn an_edit_answers_only_what_changed_whatever_the_size_of_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path(), json!({"autosave": false}));
    let mut sizes = Vec::new();
    for n in [1_000, 10_000] {
        let text = journey_studio::testing::realistic_workflow(n);
        let id = import(&s, &format!("w{n}"), &text);
        let opened = call(&s, "open_document", json!({"id": id}));
        assert_eq!(
            opened["view"]["nodes"].as_array().unwrap().len(),
            n,
            "the open answer holds the whole view"
        );
        let block = opened["view"]["nodes"][n / 2]["id"].clone();
        let edit = call(
            &s,
            "apply_edits",
            json!({"session": opened["session"], "edits": [{"op": "set_label", "target": block, "label": "Renamed"}]}),
        );
        let edit_bytes = edit.to_string().len();
        assert_eq!(
            edit["delta"]["changed_nodes"].as_array().unwrap().len(),
            1,
            "{edit}"
        );
        assert_eq!(edit["delta"]["changed_nodes"][0]["label"], "Renamed");
        let undo = call(&s, "undo", json!({"session": opened["session"]}));
        let undo_bytes = undo.to_string().len();
        assert_eq!(
            undo["delta"]["changed_nodes"][0]["label"],
            opened["view"]["nodes"][n / 2]["label"]
        );
        assert!(
            edit_bytes * 100 < text.len(),
            "{n} blocks: an edit answered {edit_bytes} bytes of a {} byte document",
            text.len()
        );
        sizes.push((n, edit_bytes, undo_bytes));
        call(&s, "close_document", json!({"session": opened["session"]}));
    }
    let (_, small_edit, small_undo) = sizes[0];
    let (_, big_edit, big_undo) = sizes[1];
    // Ids and counts differ in length a little; nothing may scale with the document.
    assert!(
        big_edit <= small_edit + 200,
        "edit answers grew with the document: {sizes:?}"
    );
    assert!(
        big_undo <= small_undo + 200,
        "undo answers grew with the document: {sizes:?}"
    );
}

#[test]
fn a_burst_of_edits_is_one_revision_saved_while_it_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let delay = Duration::from_millis(300);
    let s = state(
        dir.path(),
        json!({"autosave": true, "autosave_delay_ms": 300}),
    );
    let text =
        std::fs::read_to_string(common::repo().join("fixtures/journeys/book-flight.json")).unwrap();
    let id = import(&s, "trip", &text);
    let before = revisions(&s.workspace(), "trip");
    let session = call(&s, "open_document", json!({"id": id}))["session"].clone();
    let mut made: Vec<(Instant, String)> = Vec::new();
    let start = Instant::now();
    let mut i = 0;
    while start.elapsed() < delay * 8 {
        let title = format!("Trip {i}");
        call(
            &s,
            "apply_edits",
            json!({"session": session, "edits": set_title(&title)}),
        );
        made.push((Instant::now(), title));
        i += 1;
        std::thread::sleep(Duration::from_millis(40));
        // Every edit older than the delay (and a margin for a loaded machine) is on disk.
        let saved = head_of(&s.workspace(), "trip")["journey"]["title"]
            .as_str()
            .unwrap()
            .to_string();
        let saved_at = made.iter().position(|(_, t)| *t == saved);
        let due = made
            .iter()
            .rposition(|(at, _)| at.elapsed() > delay + Duration::from_millis(700));
        if let Some(due) = due {
            assert!(
                saved_at.is_some_and(|s| s >= due),
                "edit {due} was made {:?} ago but the workspace holds `{saved}`",
                made[due].0.elapsed()
            );
        }
    }
    let status = wait_until_saved(&s, &session);
    assert_eq!(
        head_of(&s.workspace(), "trip")["journey"]["title"],
        made.last().unwrap().1
    );
    assert_eq!(
        revisions(&s.workspace(), "trip"),
        before + 1,
        "{} edits in one burst make one revision",
        made.len()
    );
    assert_eq!(status["can_undo"], true);
    // A pause longer than the delay ends the burst: the next edit is a new revision.
    std::thread::sleep(delay * 2);
    call(
        &s,
        "apply_edits",
        json!({"session": session, "edits": set_title("After a pause")}),
    );
    wait_until_saved(&s, &session);
    assert_eq!(revisions(&s.workspace(), "trip"), before + 2);
}

#[test]
fn closing_saves_deleting_discards_and_switching_workspaces_saves_first() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path(), json!({"autosave": false}));
    let text =
        std::fs::read_to_string(common::repo().join("fixtures/journeys/book-flight.json")).unwrap();
    let id = import(&s, "trip", &text);
    let session = call(&s, "open_document", json!({"id": id}))["session"].clone();
    let edited = call(
        &s,
        "apply_edits",
        json!({"session": session, "edits": set_title("Kept")}),
    );
    assert_eq!(
        edited["status"]["dirty"], true,
        "autosave is off: the edit waits"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_ne!(head_of(&s.workspace(), "trip")["journey"]["title"], "Kept");
    let closed = call(&s, "close_document", json!({"session": session}));
    assert_eq!(closed["dirty"], false);
    assert_eq!(head_of(&s.workspace(), "trip")["journey"]["title"], "Kept");
    assert_eq!(
        dispatch(&s, "apply_edits", json!({"session": session, "edits": []}))
            .unwrap_err()
            .kind(),
        "not_found"
    );

    // Save now (Ctrl+S) with autosave off.
    let session = call(&s, "open_document", json!({"id": id}))["session"].clone();
    call(
        &s,
        "apply_edits",
        json!({"session": session, "edits": set_title("Saved now")}),
    );
    assert_eq!(
        call(&s, "save_now", json!({"session": session}))["dirty"],
        false
    );
    assert_eq!(
        head_of(&s.workspace(), "trip")["journey"]["title"],
        "Saved now"
    );

    // Deleting an open document with unsaved edits: nothing brings it back.
    call(
        &s,
        "settings_update",
        json!({"patch": {"autosave": true, "autosave_delay_ms": 100}}),
    );
    call(
        &s,
        "apply_edits",
        json!({"session": session, "edits": set_title("Doomed")}),
    );
    call(&s, "delete_document", json!({"id": id}));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        call(&s, "list_documents", json!({}))["documents"],
        json!([])
    );

    // Switching workspaces saves what is open into the workspace it belongs to.
    call(&s, "settings_update", json!({"patch": {"autosave": false}}));
    let id = import(&s, "trip2", &text);
    let session = call(&s, "open_document", json!({"id": id}))["session"].clone();
    call(
        &s,
        "apply_edits",
        json!({"session": session, "edits": set_title("Before switching")}),
    );
    let first = s.workspace();
    call(
        &s,
        "open_workspace",
        json!({"path": dir.path().join("other.db").display().to_string()}),
    );
    assert_eq!(
        head_of(&first, "trip2")["journey"]["title"],
        "Before switching"
    );
    assert_eq!(
        dispatch(&s, "session_status", json!({"session": session}))
            .unwrap_err()
            .kind(),
        "not_found"
    );
}

#[test]
fn the_preview_runs_in_the_core_and_a_turn_sends_only_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path(), json!({"autosave": false}));
    let text =
        std::fs::read_to_string(common::repo().join("fixtures/journeys/book-flight.json")).unwrap();
    let id = import(&s, "trip", &text);
    let session = call(&s, "open_document", json!({"id": id}))["session"].clone();
    let started = call(&s, "sim_start", json!({"session": session}));
    let sim = started["sim"].clone();
    assert_eq!(started["document_id"], id);
    let step = call(
        &s,
        "sim_send",
        json!({"sim": sim, "message": "I have a destination in mind: Lisbon"}),
    );
    assert!(step["transcript"].as_array().unwrap().len() >= 2, "{step}");
    call(
        &s,
        "sim_save_scenario",
        json!({"sim": sim, "name": "lisbon"}),
    );
    call(&s, "sim_stop", json!({"sim": sim}));
    assert_eq!(
        dispatch(&s, "sim_send", json!({"sim": sim, "message": "hello"}))
            .unwrap_err()
            .kind(),
        "not_found"
    );
    // A workflow is previewed once converted.
    let wf = import(
        &s,
        "wf",
        &std::fs::read_to_string(common::repo().join("fixtures/sim/support-triage-condition.json"))
            .unwrap(),
    );
    let wf_session = call(&s, "open_document", json!({"id": wf}))["session"].clone();
    assert_eq!(
        dispatch(&s, "sim_start", json!({"session": wf_session}))
            .unwrap_err()
            .kind(),
        "simulation"
    );
}

#[test]
fn a_converted_document_is_saved_as_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path(), json!({"autosave": false}));
    let text =
        std::fs::read_to_string(common::repo().join("fixtures/sim/support-triage-condition.json"))
            .unwrap();
    let id = import(&s, "triage", &text);
    let session = call(&s, "open_document", json!({"id": id}))["session"].clone();
    let preview = call(&s, "convert", json!({"session": session, "to": "journey"}));
    assert_eq!(preview["kind"], "parlant_journey");
    assert!(!preview["view"]["nodes"].as_array().unwrap().is_empty());
    let saved = call(
        &s,
        "save_converted",
        json!({"session": session, "to": "journey", "name": "triage journey"}),
    );
    assert_eq!(
        (saved["name"].as_str(), saved["kind"].as_str()),
        (Some("triage journey"), Some("parlant_journey"))
    );
    let again = call(
        &s,
        "save_converted",
        json!({"session": session, "to": "journey", "name": "triage journey"}),
    );
    assert_eq!(
        again["name"], "triage journey (2)",
        "a taken name gets a number"
    );
    assert_eq!(
        dispatch(&s, "convert", json!({"session": session, "to": "workflow"}))
            .unwrap_err()
            .kind(),
        "unsupported"
    );
}

/// SIGKILL in the middle of a burst of edits through `serve`: the workspace is intact and holds
/// every edit made more than the autosave delay before the kill (plus a margin for scheduling).
#[test]
fn sigkill_during_a_burst_loses_at_most_the_autosave_delay() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("w.db");
    let delay_ms = 250;
    std::fs::write(
        workspace.with_extension("settings.json"),
        json!({"autosave": true, "autosave_delay_ms": delay_ms}).to_string(),
    )
    .unwrap();
    let mut served = common::serve::serve(dir.path(), &workspace);
    let text =
        std::fs::read_to_string(common::repo().join("fixtures/journeys/book-flight.json")).unwrap();
    let id = served.call("import_document", json!({"name": "trip", "content": text}))["id"].clone();
    let session = served.call("open_document", json!({"id": id}))["session"].clone();
    let mut acked: Vec<(Instant, String)> = Vec::new();
    let start = Instant::now();
    let mut i = 0;
    while start.elapsed() < Duration::from_millis(1_700) {
        let title = format!("Trip {i}");
        served.call(
            "apply_edits",
            json!({"session": session, "edits": set_title(&title)}),
        );
        acked.push((Instant::now(), title));
        i += 1;
        std::thread::sleep(Duration::from_millis(15));
    }
    served.child.kill().unwrap(); // SIGKILL
    let killed_at = Instant::now();
    served.child.wait().unwrap();

    let conn = rusqlite::Connection::open(&workspace).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    drop(conn);
    let saved = head_of(&workspace, "trip")["journey"]["title"]
        .as_str()
        .unwrap()
        .to_string();
    let saved_at = acked
        .iter()
        .position(|(_, t)| *t == saved)
        .unwrap_or_else(|| panic!("the head holds `{saved}`, no edit of the burst"));
    let lost = killed_at.duration_since(acked[saved_at].0);
    let margin = Duration::from_millis(600);
    eprintln!("{} edits; the last saved one was acknowledged {lost:?} before the kill (autosave delay {delay_ms} ms)", acked.len());
    let must_have = acked.iter().rposition(|(at, _)| {
        killed_at.duration_since(*at) > Duration::from_millis(delay_ms) + margin
    });
    if let Some(must_have) = must_have {
        assert!(saved_at >= must_have, "lost edits older than the delay: saved {saved_at}, edit {must_have} was {:?} before the kill", killed_at.duration_since(acked[must_have].0));
    }
    assert_eq!(
        revisions(&workspace, "trip"),
        2,
        "the import and one revision for the burst"
    );
}
