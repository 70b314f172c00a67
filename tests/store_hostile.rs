//! A workspace file edited by hand (or by another program) is read without a panic: a short
//! revision hash, a negative schema version.

use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_journey-studio"));
    c.env_remove("JOURNEY_STUDIO_WORKSPACE");
    c
}

fn saved_workspace(dir: &std::path::Path) -> String {
    let ws = dir.join("w.db").display().to_string();
    let doc = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/journeys/refund-request.json"
    );
    let out = bin()
        .args(["save", doc, "--name", "refund", "--workspace", &ws])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    ws
}

#[test]
fn history_prints_a_short_or_non_ascii_hash() {
    let dir = tempfile::tempdir().unwrap();
    let ws = saved_workspace(dir.path());
    for hash in ["ab", "", "ééééééééééééééééé"] {
        rusqlite::Connection::open(&ws)
            .unwrap()
            .execute("UPDATE revisions SET hash = ?1", [hash])
            .unwrap();
        let out = bin()
            .args(["history", "refund", "--workspace", &ws])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "hash {hash:?}: {stderr}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let short: String = hash.chars().take(12).collect();
        assert!(stdout.contains(&format!("\t{short}\t")), "{stdout}");
    }
}

#[test]
fn a_negative_schema_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = saved_workspace(dir.path());
    rusqlite::Connection::open(&ws)
        .unwrap()
        .pragma_update(None, "user_version", -3)
        .unwrap();
    let out = bin()
        .args(["history", "refund", "--workspace", &ws])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("schema version -3 is not one Journey Studio writes"),
        "{stderr}"
    );
}
