//! The workspace schema, as numbered migrations applied in order. `PRAGMA user_version` records
//! the last one applied; each runs in its own transaction, so a crash mid-migration leaves the
//! previous version intact.

use rusqlite::Connection;

/// Migration N is `MIGRATIONS[N - 1]`. Append only: never edit one that has shipped.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: documents with revision history, remotes and sync state, outbox, conflicts,
    //    conversion mappings, simulation scenarios and transcripts.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        head INTEGER REFERENCES revisions(id),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
    );
    CREATE TABLE revisions (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        parent INTEGER REFERENCES revisions(id),
        hash TEXT NOT NULL,
        content TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
    );
    CREATE INDEX revisions_by_document ON revisions(document_id, id);
    CREATE TABLE mappings (
        id INTEGER PRIMARY KEY,
        source_revision INTEGER NOT NULL REFERENCES revisions(id) ON DELETE CASCADE,
        target_revision INTEGER NOT NULL REFERENCES revisions(id) ON DELETE CASCADE,
        mapping TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
    );
    CREATE TABLE remotes (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('parlant', 'sim')),
        url TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
    );
    CREATE TABLE sync_state (
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        remote TEXT NOT NULL REFERENCES remotes(name) ON DELETE CASCADE,
        remote_id TEXT NOT NULL,
        base_revision INTEGER REFERENCES revisions(id),
        base_hash TEXT,
        base_content TEXT,
        synced_at TEXT,
        PRIMARY KEY (document_id, remote)
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        remote TEXT NOT NULL REFERENCES remotes(name) ON DELETE CASCADE,
        revision_id INTEGER NOT NULL REFERENCES revisions(id),
        remote_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'started', 'done', 'conflict', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
    );
    CREATE INDEX outbox_open ON outbox(state, next_attempt_at);
    CREATE TABLE conflicts (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        remote TEXT NOT NULL REFERENCES remotes(name) ON DELETE CASCADE,
        base_content TEXT,
        local_content TEXT NOT NULL,
        remote_content TEXT NOT NULL,
        resolution TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        resolved_at TEXT
    );
    CREATE TABLE scenarios (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        content TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        UNIQUE (document_id, name)
    );
    CREATE TABLE transcripts (
        id INTEGER PRIMARY KEY,
        scenario_id INTEGER NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
        revision_id INTEGER REFERENCES revisions(id),
        content TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
    );
    "#,
];

/// Brings the schema up to date. Refuses a workspace written by a newer build.
pub(crate) fn migrate(conn: &mut Connection) -> rusqlite::Result<Result<(), String>> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let latest = MIGRATIONS.len() as i64;
    if current < 0 {
        return Ok(Err(format!("schema version {current} is not one Journey Studio writes: is this a Journey Studio workspace?")));
    }
    if current > latest {
        return Ok(Err(format!(
            "schema version {current} is newer than this build knows ({latest}); open it with a newer Journey Studio"
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(Ok(()))
}
