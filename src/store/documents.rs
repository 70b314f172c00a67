//! Documents and their revision history: every save is a revision (when the content changed);
//! diff between two revisions; restore an old one as a new revision.

use super::Store;
use crate::document::Document;
use crate::error::{Error, Result};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Hex SHA-256 of a text: the identity of a revision's content.
pub fn content_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentInfo {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub head: Option<i64>,
    pub revisions: i64,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RevisionInfo {
    pub id: i64,
    pub parent: Option<i64>,
    pub hash: String,
    pub message: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct Revision {
    pub info: RevisionInfo,
    pub document_id: i64,
    pub content: String,
}

impl Revision {
    /// The revision's content as a document (it was validated when saved).
    pub fn document(&self, name: &str) -> Result<Document> {
        Document::parse(name, &self.content)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SaveOutcome {
    pub document_id: i64,
    pub revision: i64,
    pub hash: String,
    /// True when the content equals the head: no new revision was written.
    pub unchanged: bool,
}

impl Store {
    /// Saves a document under `name` as a new revision (atomic: all or nothing). Saving the same
    /// content as the head writes nothing and says so.
    pub fn save(&mut self, name: &str, doc: &Document, message: &str) -> Result<SaveOutcome> {
        self.save_text(name, doc.kind(), &doc.to_json(), message, None)
    }

    /// Saves a document's text (already written by the caller) under `name`. With `amend`, a
    /// head revision of that id that nothing else refers to yet (no sync, outbox, mapping or
    /// transcript) is replaced in place instead of adding one: the editor's autosave keeps one
    /// revision per burst of edits while still writing every few hundred milliseconds.
    pub fn save_text(
        &mut self,
        name: &str,
        kind: crate::DocumentKind,
        content: &str,
        message: &str,
        amend: Option<i64>,
    ) -> Result<SaveOutcome> {
        if name.trim().is_empty() {
            return Err(Error::Rejected("a document name cannot be empty".into()));
        }
        let hash = content_hash(content);
        let kind = kind.store_name();
        let file = self.path.display().to_string();
        let err = |e: rusqlite::Error| Error::Store {
            file: file.clone(),
            message: e.to_string(),
        };
        let tx = self.conn_mut().transaction().map_err(err)?;
        let existing: Option<(i64, String, Option<i64>)> = tx
            .query_row(
                "SELECT id, kind, head FROM documents WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(err)?;
        let (document_id, head) = match existing {
            Some((id, existing_kind, head)) => {
                if existing_kind != kind {
                    return Err(Error::Rejected(format!(
                        "document `{name}` is a {existing_kind} document; cannot save a {kind} document under the same name"
                    )));
                }
                (id, head)
            }
            None => {
                tx.execute(
                    "INSERT INTO documents (name, kind) VALUES (?1, ?2)",
                    params![name, kind],
                )
                .map_err(err)?;
                (tx.last_insert_rowid(), None)
            }
        };
        if let Some(head) = head {
            let head_hash: String = tx
                .query_row("SELECT hash FROM revisions WHERE id = ?1", [head], |r| {
                    r.get(0)
                })
                .map_err(err)?;
            if head_hash == hash {
                return Ok(SaveOutcome {
                    document_id,
                    revision: head,
                    hash,
                    unchanged: true,
                });
            }
            if amend == Some(head) {
                let referenced: bool = tx
                    .query_row(
                        "SELECT EXISTS(SELECT 1 FROM sync_state WHERE base_revision = ?1)
                             OR EXISTS(SELECT 1 FROM outbox WHERE revision_id = ?1)
                             OR EXISTS(SELECT 1 FROM mappings WHERE source_revision = ?1 OR target_revision = ?1)
                             OR EXISTS(SELECT 1 FROM transcripts WHERE revision_id = ?1)",
                        [head],
                        |r| r.get(0),
                    )
                    .map_err(err)?;
                if !referenced {
                    tx.execute(
                        "UPDATE revisions SET hash = ?1, content = ?2, message = ?3, created_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?4",
                        params![hash, content, message, head],
                    )
                    .map_err(err)?;
                    tx.execute("UPDATE documents SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?1", [document_id]).map_err(err)?;
                    tx.commit().map_err(err)?;
                    return Ok(SaveOutcome {
                        document_id,
                        revision: head,
                        hash,
                        unchanged: false,
                    });
                }
            }
        }
        tx.execute(
            "INSERT INTO revisions (document_id, parent, hash, content, message) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![document_id, head, hash, content, message],
        )
        .map_err(err)?;
        let revision = tx.last_insert_rowid();
        tx.execute(
            "UPDATE documents SET head = ?1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?2",
            params![revision, document_id],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(SaveOutcome {
            document_id,
            revision,
            hash,
            unchanged: false,
        })
    }

    pub fn documents(&self) -> Result<Vec<DocumentInfo>> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT d.id, d.name, d.kind, d.head, d.updated_at, (SELECT count(*) FROM revisions r WHERE r.document_id = d.id)
                 FROM documents d ORDER BY d.name",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DocumentInfo {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    kind: r.get(2)?,
                    head: r.get(3)?,
                    updated_at: r.get(4)?,
                    revisions: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    pub fn document(&self, name: &str) -> Result<DocumentInfo> {
        self.documents()?
            .into_iter()
            .find(|d| d.name == name)
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "no document named `{name}` in workspace {}",
                    self.path.display()
                ))
            })
    }

    /// The head revision of a document.
    pub fn head(&self, name: &str) -> Result<Revision> {
        let info = self.document(name)?;
        let head = info
            .head
            .ok_or_else(|| Error::NotFound(format!("document `{name}` has no revision")))?;
        self.revision(head)
    }

    pub fn revision(&self, id: i64) -> Result<Revision> {
        self.conn()
            .query_row(
                "SELECT id, parent, hash, message, created_at, document_id, content FROM revisions WHERE id = ?1",
                [id],
                |r| {
                    Ok(Revision {
                        info: RevisionInfo {
                            id: r.get(0)?,
                            parent: r.get(1)?,
                            hash: r.get(2)?,
                            message: r.get(3)?,
                            created_at: r.get(4)?,
                        },
                        document_id: r.get(5)?,
                        content: r.get(6)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or_else(|| Error::NotFound(format!("no revision {id} in workspace {}", self.path.display())))
    }

    /// A document's revisions, newest first.
    pub fn history(&self, name: &str) -> Result<Vec<RevisionInfo>> {
        let info = self.document(name)?;
        let mut stmt = self
            .conn()
            .prepare("SELECT id, parent, hash, message, created_at FROM revisions WHERE document_id = ?1 ORDER BY id DESC")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([info.id], |r| {
                Ok(RevisionInfo {
                    id: r.get(0)?,
                    parent: r.get(1)?,
                    hash: r.get(2)?,
                    message: r.get(3)?,
                    created_at: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// A unified diff between two revisions of the same document.
    pub fn diff(&self, from: i64, to: i64) -> Result<String> {
        let a = self.revision(from)?;
        let b = self.revision(to)?;
        if a.document_id != b.document_id {
            return Err(Error::Rejected(format!(
                "revisions {from} and {to} belong to different documents"
            )));
        }
        Ok(unified_diff(
            &a.content,
            &b.content,
            &format!("revision {from}"),
            &format!("revision {to}"),
        ))
    }

    /// Deletes a document with its revisions, sync state, outbox entries, conflicts and
    /// scenarios (the schema cascades). Returns false when there was no such document.
    pub fn delete_document(&mut self, name: &str) -> Result<bool> {
        let file = self.path.display().to_string();
        let err = |e: rusqlite::Error| Error::Store {
            file: file.clone(),
            message: e.to_string(),
        };
        let tx = self.conn_mut().transaction().map_err(err)?;
        // `head` points into revisions; clear it first so the cascade has no cycle to trip on.
        tx.execute("UPDATE documents SET head = NULL WHERE name = ?1", [name])
            .map_err(err)?;
        let n = tx
            .execute("DELETE FROM documents WHERE name = ?1", [name])
            .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(n > 0)
    }

    /// Makes an old revision the head again, as a new revision (history is never rewritten).
    pub fn restore(&mut self, name: &str, revision: i64) -> Result<SaveOutcome> {
        let info = self.document(name)?;
        let old = self.revision(revision)?;
        if old.document_id != info.id {
            return Err(Error::NotFound(format!(
                "revision {revision} is not a revision of `{name}`"
            )));
        }
        let doc = old.document(name)?;
        self.save(name, &doc, &format!("restore revision {revision}"))
    }
}

/// A unified diff of two texts, labelled.
pub fn unified_diff(a: &str, b: &str, label_a: &str, label_b: &str) -> String {
    similar::TextDiff::from_lines(a, b)
        .unified_diff()
        .context_radius(3)
        .header(label_a, label_b)
        .to_string()
}
