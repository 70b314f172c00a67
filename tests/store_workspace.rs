//! The workspace store: revisions, diff, restore, migrations, outbox, scenarios; crash safety
//! (SIGKILL of the CLI mid-save); secrets never land in the workspace or in error output.

use journey_studio::parlant::JourneyDocument;
use journey_studio::store::{content_hash, OutboxState, Remote, RemoteKind, Store};
use journey_studio::Document;
use std::process::{Command, Stdio};
use std::time::Duration;

fn doc(title: &str, extra_nodes: usize) -> Document {
    let mut j = JourneyDocument::new(title, "d", vec!["c".into()]);
    for i in 0..extra_nodes {
        j.nodes.push(journey_studio::parlant::JourneyNode::new(
            format!("n{i}"),
            &journey_studio::parlant::NodeKind::Chat,
            Some(format!("step {i} {}", "x".repeat(200))),
        ));
    }
    Document::Journey(j)
}

#[test]
fn revisions_diff_restore_and_unchanged_saves() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("w.db")).unwrap();
    assert_eq!(store.schema_version().unwrap(), 1);
    let a = store.save("j", &doc("one", 0), "first").unwrap();
    let same = store.save("j", &doc("one", 0), "again").unwrap();
    assert!(same.unchanged && same.revision == a.revision);
    let b = store.save("j", &doc("two", 1), "second").unwrap();
    assert_eq!(
        store
            .history("j")
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        vec![b.revision, a.revision]
    );
    let diff = store.diff(a.revision, b.revision).unwrap();
    assert!(
        diff.contains("-    \"title\": \"one\"") && diff.contains("+    \"title\": \"two\""),
        "{diff}"
    );
    let c = store.restore("j", a.revision).unwrap();
    assert_eq!(store.head("j").unwrap().info.hash, a.hash);
    assert_eq!(store.history("j").unwrap().len(), 3);
    assert_eq!(
        store.revision(c.revision).unwrap().info.message,
        format!("restore revision {}", a.revision)
    );
    // Hostile: unknown names and revisions are clear errors; a kind change is refused.
    assert!(store
        .head("nope")
        .unwrap_err()
        .to_string()
        .contains("no document named `nope`"));
    assert!(store.restore("j", 9999).is_err());
    let sim = Document::parse(
        "s",
        &std::fs::read_to_string(
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sim-real"))
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path(),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(store
        .save("j", &sim, "")
        .unwrap_err()
        .to_string()
        .contains("journey document"));
    // Reopening keeps everything (and does not re-run migrations).
    drop(store);
    let store = Store::open(&dir.path().join("w.db")).unwrap();
    assert_eq!(store.history("j").unwrap().len(), 3);
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Store::open(&path).err().unwrap().to_string();
    assert!(err.contains("schema version 99 is newer"), "{err}");
}

#[test]
fn outbox_retargets_backs_off_and_scenarios_keep_transcripts() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("w.db")).unwrap();
    store
        .add_remote(&Remote {
            name: "p".into(),
            kind: RemoteKind::Parlant,
            url: "http://x".into(),
            options: Default::default(),
        })
        .unwrap();
    let r1 = store.save("j", &doc("one", 0), "").unwrap();
    let e1 = store
        .enqueue_push(r1.document_id, "p", r1.revision, "rid")
        .unwrap();
    let r2 = store.save("j", &doc("two", 0), "").unwrap();
    let e2 = store
        .enqueue_push(r2.document_id, "p", r2.revision, "rid")
        .unwrap();
    assert_eq!(e1.id, e2.id, "one open push per document and remote");
    assert_eq!(e2.revision_id, r2.revision);
    let later = store.retry_later(e2.id, "down", None).unwrap();
    assert_eq!(later.attempts, 1);
    assert!(store.due_pushes(None, false).unwrap().is_empty());
    assert_eq!(store.due_pushes(None, true).unwrap().len(), 1);
    store.mark_outbox(e2.id, OutboxState::Done, None).unwrap();
    assert!(store.outbox().unwrap().is_empty());
    assert_eq!(later.state, OutboxState::Pending);

    let s = store
        .save_scenario("j", "happy path", &serde_json::json!({"messages": ["hi"]}))
        .unwrap();
    store
        .add_transcript(s, Some(r2.revision), &serde_json::json!({"events": [1, 2]}))
        .unwrap();
    assert_eq!(
        store.scenarios("j").unwrap()[0].content["messages"][0],
        "hi"
    );
    assert_eq!(store.transcripts(s).unwrap()[0].content["events"][1], 2);
    store
        .record_mapping(r1.revision, r2.revision, &serde_json::json!({"b1": "n1"}))
        .unwrap();
    assert_eq!(store.mappings_for(r2.revision).unwrap()[0].1["b1"], "n1");
}

/// SIGKILL the CLI while it saves, many times: the workspace stays consistent, every revision
/// is whole (its hash matches its content), and the head is always a committed save.
#[test]
fn sigkill_mid_save_never_loses_or_tears_a_revision() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.db");
    let bin = env!("CARGO_BIN_EXE_journey-studio");
    let mut acknowledged = 0usize;
    for i in 0..24 {
        let file = dir.path().join(format!("j{i}.json"));
        std::fs::write(&file, doc(&format!("version {i}"), 200).to_json()).unwrap();
        let mut child = Command::new(bin)
            .args([
                "save",
                file.to_str().unwrap(),
                "--name",
                "big",
                "--workspace",
                ws.to_str().unwrap(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Vary the moment of the kill across the save.
        std::thread::sleep(Duration::from_millis((i as u64 * 7) % 60));
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        if String::from_utf8_lossy(&out.stdout).contains("saved `big`") {
            acknowledged += 1;
        }
        let store = Store::open(&ws).unwrap();
        let check: String = rusqlite::Connection::open(&ws)
            .unwrap()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        if let Ok(history) = store.history("big") {
            assert!(
                history.len() >= acknowledged,
                "an acknowledged save was lost"
            );
            for r in history {
                let rev = store.revision(r.id).unwrap();
                assert_eq!(
                    content_hash(&rev.content),
                    rev.info.hash,
                    "torn revision {}",
                    r.id
                );
                rev.document("big").unwrap();
            }
            let head = store.head("big").unwrap();
            assert_eq!(head.info.id, store.history("big").unwrap()[0].id);
        }
    }
}

#[test]
fn an_api_key_never_reaches_the_workspace_or_error_output() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.db");
    let secrets = dir.path().join("secrets");
    let key = "sk-sim-TOPSECRET-0123456789abcdef";
    let bin = env!("CARGO_BIN_EXE_journey-studio");
    let dead = format!(
        "http://127.0.0.1:{}",
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    );
    let cmd = |args: &[&str]| {
        let mut c = Command::new(bin);
        c.args(args)
            .env("JOURNEY_STUDIO_WORKSPACE", &ws)
            .env("JOURNEY_STUDIO_NO_KEYRING", "1")
            .env("JOURNEY_STUDIO_SECRETS_DIR", &secrets);
        c
    };
    let mut add = cmd(&[
        "remote",
        "add",
        "prod",
        "--kind",
        "parlant",
        "--url",
        &dead,
        "--api-key-stdin",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    use std::io::Write;
    add.stdin.take().unwrap().write_all(key.as_bytes()).unwrap();
    let out = add.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let key_file = secrets.join("prod.key");
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let file = dir.path().join("j.json");
    std::fs::write(&file, doc("secret test", 2).to_json()).unwrap();
    let mut all_output = Vec::new();
    for args in [
        vec!["push", "prod", file.to_str().unwrap()],
        vec!["status", "--diff"],
        vec!["remote", "list", "--format", "json"],
        vec!["pull", "prod", "nothing"],
    ] {
        let out = cmd(&args).output().unwrap();
        all_output.extend(out.stdout);
        all_output.extend(out.stderr);
    }
    let text = String::from_utf8_lossy(&all_output);
    assert!(text.contains("cannot connect"), "{text}");
    assert!(
        !text.contains(key) && !text.contains("TOPSECRET"),
        "key leaked into output"
    );
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let p = f.unwrap().path();
        if p.file_name().unwrap().to_string_lossy().starts_with("w.db") {
            let bytes = std::fs::read(&p).unwrap();
            assert!(
                !bytes.windows(9).any(|w| w == b"TOPSECRET"),
                "key found in {}",
                p.display()
            );
        }
    }
    // The env var fallback takes precedence and is never written anywhere.
    assert_eq!(
        journey_studio::sync::secrets::env_var_name("my-prod"),
        "JOURNEY_STUDIO_MY_PROD_API_KEY"
    );
}
