//! The diagnostics of an open document as the UI holds them: each with an id that stays the same
//! while the problem does, mirrored per validator bucket so that an edit answers only the
//! diagnostics that appeared and those that went away.

use crate::validate::incremental::{Bucket, Changed};
use crate::validate::{Diagnostic, IncrementalValidator, Severity};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DiagnosticEntry {
    /// Stable while the problem stays as it is; a changed problem gets a new id.
    pub id: String,
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub node_ids: Vec<String>,
    pub edge_ids: Vec<String>,
    /// JSON path of the value to look at.
    pub path: String,
    pub hint: String,
}

impl DiagnosticEntry {
    /// A diagnostic as the UI shows it, under `id`.
    pub fn of(d: &Diagnostic, id: String) -> DiagnosticEntry {
        DiagnosticEntry::at(d, id, d.path.to_string())
    }

    /// The same, with the path already written out.
    fn at(d: &Diagnostic, id: String, path: String) -> DiagnosticEntry {
        DiagnosticEntry {
            id,
            code: d.code.to_string(),
            severity: d.severity,
            message: d.message.clone(),
            node_ids: d.node_ids.clone(),
            edge_ids: d.edge_ids.clone(),
            path,
            hint: d.hint.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DiagnosticCounts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl DiagnosticCounts {
    fn add(&mut self, severity: Severity, sign: isize) {
        let slot = match severity {
            Severity::Error => &mut self.errors,
            Severity::Warning => &mut self.warnings,
            Severity::Info => &mut self.infos,
        };
        *slot = slot.saturating_add_signed(sign);
    }
}

/// The diagnostics that appeared and the ids of those that went away.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct DiagnosticsDelta {
    pub added: Vec<DiagnosticEntry>,
    pub removed: Vec<String>,
}

/// One document's diagnostics by bucket, as last sent to the UI.
#[derive(Default)]
pub struct DiagnosticMirror {
    buckets: HashMap<Bucket, Vec<String>>,
    entries: HashMap<String, DiagnosticEntry>,
    counts: DiagnosticCounts,
}

/// The identity of a problem: its bucket and content. SipHash with fixed keys, so the same
/// problem gets the same id for as long as it lasts.
fn content_hash(bucket: &Bucket, d: &Diagnostic, path: &str) -> u64 {
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new();
    bucket.hash(&mut h);
    (
        d.code,
        d.severity,
        &d.message,
        path,
        &d.node_ids,
        &d.edge_ids,
    )
        .hash(&mut h);
    h.finish()
}

impl DiagnosticMirror {
    /// Everything the validator reports now, in the order a full run gives.
    pub fn new(v: &IncrementalValidator) -> DiagnosticMirror {
        let mut mirror = DiagnosticMirror::default();
        mirror.refresh(
            v,
            Changed {
                all: true,
                buckets: Default::default(),
            },
        );
        mirror
    }

    pub fn counts(&self) -> DiagnosticCounts {
        self.counts
    }

    /// All current entries, errors first, then by path.
    pub fn entries(&self) -> Vec<DiagnosticEntry> {
        let mut all: Vec<DiagnosticEntry> = self.entries.values().cloned().collect();
        all.sort_by(|a, b| {
            a.severity
                .cmp(&b.severity)
                .then_with(|| a.path.cmp(&b.path))
                .then_with(|| a.code.cmp(&b.code))
                .then_with(|| a.id.cmp(&b.id))
        });
        all
    }

    /// Brings the mirror up to date with what changed in the validator; answers the difference.
    pub fn refresh(&mut self, v: &IncrementalValidator, changed: Changed) -> DiagnosticsDelta {
        let keys: Vec<Bucket> = if changed.all {
            let mut all: BTreeSet<Bucket> = v.buckets().into_iter().collect();
            all.extend(self.buckets.keys().cloned());
            all.into_iter().collect()
        } else {
            changed.buckets.into_iter().collect()
        };
        let mut delta = DiagnosticsDelta::default();
        for (bucket, diagnostics) in v.bucket_diagnostics(&keys) {
            let old: Vec<String> = self.buckets.remove(bucket).unwrap_or_default();
            // Equal problems in one bucket are told apart by their rank.
            let mut seen: HashMap<u64, usize> = HashMap::new();
            let mut ids = Vec::with_capacity(diagnostics.len());
            for d in diagnostics {
                let path = d.path.to_string();
                let hash = content_hash(bucket, d, &path);
                let nth = seen.entry(hash).or_default();
                let id = format!("{hash:016x}-{nth}");
                *nth += 1;
                if !self.entries.contains_key(&id) {
                    let entry = DiagnosticEntry::at(d, id.clone(), path);
                    self.counts.add(entry.severity, 1);
                    self.entries.insert(id.clone(), entry.clone());
                    delta.added.push(entry);
                }
                ids.push(id);
            }
            let current: std::collections::HashSet<&String> = ids.iter().collect();
            for id in old {
                if !current.contains(&id) {
                    if let Some(gone) = self.entries.remove(&id) {
                        self.counts.add(gone.severity, -1);
                    }
                    delta.removed.push(id);
                }
            }
            if !ids.is_empty() {
                self.buckets.insert(bucket.clone(), ids);
            }
        }
        delta
    }
}
