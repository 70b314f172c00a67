//! Simulation scenarios (inputs a designer replays against a document) and the transcripts of
//! their runs, plus conversion mappings between revisions.

use super::Store;
use crate::error::Result;
use rusqlite::params;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub id: i64,
    pub document: String,
    pub name: String,
    pub content: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct Transcript {
    pub id: i64,
    pub scenario_id: i64,
    pub revision_id: Option<i64>,
    pub content: serde_json::Value,
    pub created_at: String,
}

impl Store {
    /// Saves (or replaces) a named scenario of a document.
    pub fn save_scenario(
        &self,
        document: &str,
        name: &str,
        content: &serde_json::Value,
    ) -> Result<i64> {
        let doc = self.document(document)?;
        self.conn()
            .execute(
                "INSERT INTO scenarios (document_id, name, content) VALUES (?1, ?2, ?3)
                 ON CONFLICT(document_id, name) DO UPDATE SET content = excluded.content",
                params![doc.id, name, content.to_string()],
            )
            .map_err(|e| self.err(e))?;
        self.conn()
            .query_row(
                "SELECT id FROM scenarios WHERE document_id = ?1 AND name = ?2",
                params![doc.id, name],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Deletes a named scenario of a document (and its transcripts); false when it had none.
    pub fn delete_scenario(&self, document: &str, name: &str) -> Result<bool> {
        let doc = self.document(document)?;
        let n = self
            .conn()
            .execute(
                "DELETE FROM scenarios WHERE document_id = ?1 AND name = ?2",
                params![doc.id, name],
            )
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    pub fn scenarios(&self, document: &str) -> Result<Vec<Scenario>> {
        let doc = self.document(document)?;
        let mut stmt = self
            .conn()
            .prepare("SELECT id, name, content FROM scenarios WHERE document_id = ?1 ORDER BY name")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([doc.id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .map(|(id, name, content)| Scenario {
                id,
                document: document.to_string(),
                name,
                content: serde_json::from_str(&content).unwrap_or(serde_json::Value::Null),
            })
            .collect())
    }

    pub fn add_transcript(
        &self,
        scenario_id: i64,
        revision_id: Option<i64>,
        content: &serde_json::Value,
    ) -> Result<i64> {
        self.conn()
            .execute(
                "INSERT INTO transcripts (scenario_id, revision_id, content) VALUES (?1, ?2, ?3)",
                params![scenario_id, revision_id, content.to_string()],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn().last_insert_rowid())
    }

    pub fn transcripts(&self, scenario_id: i64) -> Result<Vec<Transcript>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, scenario_id, revision_id, content, created_at FROM transcripts WHERE scenario_id = ?1 ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([scenario_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .map(
                |(id, scenario_id, revision_id, content, created_at)| Transcript {
                    id,
                    scenario_id,
                    revision_id,
                    content: serde_json::from_str(&content).unwrap_or(serde_json::Value::Null),
                    created_at,
                },
            )
            .collect())
    }

    /// Records how a converted revision maps onto its source (e.g. block id -> node id).
    pub fn record_mapping(
        &self,
        source_revision: i64,
        target_revision: i64,
        mapping: &serde_json::Value,
    ) -> Result<i64> {
        self.conn()
            .execute(
                "INSERT INTO mappings (source_revision, target_revision, mapping) VALUES (?1, ?2, ?3)",
                params![source_revision, target_revision, mapping.to_string()],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Mappings recorded for a target revision, as (source revision, mapping).
    pub fn mappings_for(&self, target_revision: i64) -> Result<Vec<(i64, serde_json::Value)>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT source_revision, mapping FROM mappings WHERE target_revision = ?1 ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([target_revision], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .map(|(s, m)| {
                (
                    s,
                    serde_json::from_str(&m).unwrap_or(serde_json::Value::Null),
                )
            })
            .collect())
    }
}
