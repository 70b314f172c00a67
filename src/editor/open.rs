//! One open document: the model inside its incremental validator, the undo and redo stacks of
//! edit steps (inverse changes, not snapshots), and mirrors of what the UI was last sent (the
//! canvas view and the diagnostics), so that every edit answers only what changed.

use super::change::{self, Change, Touched};
use super::diagnostics::{DiagnosticCounts, DiagnosticEntry, DiagnosticMirror};
use super::edit::{self, DocRef, Edit};
use super::view::{self, CanvasEdge, CanvasNode, CanvasView};
use crate::document::{Document, DocumentKind};
use crate::error::{Error, Result};
use crate::parlant::END_NODE_ID;
use crate::validate::IncrementalValidator;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet, VecDeque};
use ts_rs::TS;

/// How many edit steps undo remembers.
pub const UNDO_LIMIT: usize = 500;

/// What an edit, an undo or a redo changed, as the UI applies it to what it holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Delta {
    pub added_nodes: Vec<CanvasNode>,
    pub changed_nodes: Vec<CanvasNode>,
    pub removed_nodes: Vec<String>,
    pub added_edges: Vec<CanvasEdge>,
    pub changed_edges: Vec<CanvasEdge>,
    pub removed_edges: Vec<String>,
    pub added_diagnostics: Vec<DiagnosticEntry>,
    pub removed_diagnostics: Vec<String>,
    /// The totals after the change.
    pub counts: DiagnosticCounts,
}

impl Delta {
    pub fn is_empty(&self) -> bool {
        self.added_nodes.is_empty()
            && self.changed_nodes.is_empty()
            && self.removed_nodes.is_empty()
            && self.added_edges.is_empty()
            && self.changed_edges.is_empty()
            && self.removed_edges.is_empty()
            && self.added_diagnostics.is_empty()
            && self.removed_diagnostics.is_empty()
    }
}

/// One undoable step: the changes it made and their inverses, in the order they were made.
struct Step {
    changes: Vec<Change>,
    inverses: Vec<Change>,
}

pub struct OpenDocument {
    kind: DocumentKind,
    validator: IncrementalValidator,
    undo: VecDeque<Step>,
    redo: Vec<Step>,
    nodes: HashMap<String, CanvasNode>,
    edges: HashMap<String, CanvasEdge>,
    diagnostics: DiagnosticMirror,
    /// Bumped by every edit, undo and redo: what autosave compares with what it last saved.
    version: u64,
}

impl OpenDocument {
    pub fn new(doc: Document) -> Result<OpenDocument> {
        let kind = doc.kind();
        let validator = IncrementalValidator::new(doc)?;
        let diagnostics = DiagnosticMirror::new(&validator);
        let mut open = OpenDocument {
            kind,
            validator,
            undo: VecDeque::new(),
            redo: Vec::new(),
            nodes: HashMap::new(),
            edges: HashMap::new(),
            diagnostics,
            version: 0,
        };
        let full = match open.doc_ref() {
            DocRef::Sim(sim) => view::sim_full(sim),
            DocRef::Journey(journey) => view::journey_full(journey),
        };
        open.nodes = full.nodes.into_iter().map(|n| (n.id.clone(), n)).collect();
        open.edges = full.edges.into_iter().map(|e| (e.id.clone(), e)).collect();
        Ok(open)
    }

    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// The whole canvas view, in document order: what the mirrors hold (kept equal to a fresh
    /// view by every change), without drawing it again.
    pub fn view(&self) -> CanvasView {
        let (kind, node_ids, edge_ids): (&str, Vec<&str>, Vec<&str>) = match self.doc_ref() {
            DocRef::Sim(sim) => {
                let state = sim.state();
                (
                    "sim_workflow",
                    state.blocks.keys().map(String::as_str).collect(),
                    state.edges.iter().map(|e| e.id.as_str()).collect(),
                )
            }
            DocRef::Journey(j) => {
                let nodes = j
                    .nodes
                    .iter()
                    .map(|n| n.id.as_str())
                    .chain(self.nodes.contains_key(END_NODE_ID).then_some(END_NODE_ID))
                    .collect();
                (
                    "parlant_journey",
                    nodes,
                    j.edges.iter().map(|e| e.id.as_str()).collect(),
                )
            }
        };
        CanvasView {
            kind: kind.into(),
            nodes: node_ids
                .into_iter()
                .filter_map(|id| self.nodes.get(id).cloned())
                .collect(),
            edges: edge_ids
                .into_iter()
                .filter_map(|id| self.edges.get(id).cloned())
                .collect(),
        }
    }

    pub fn diagnostics(&self) -> Vec<DiagnosticEntry> {
        self.diagnostics.entries()
    }

    pub fn counts(&self) -> DiagnosticCounts {
        self.diagnostics.counts()
    }

    pub fn doc_ref(&self) -> DocRef<'_> {
        match (self.validator.workflow(), self.validator.journey()) {
            (Some(sim), _) => DocRef::Sim(sim),
            (_, Some(journey)) => DocRef::Journey(journey),
            // IncrementalValidator holds exactly one of the two.
            (None, None) => unreachable!("an open document is a workflow or a journey"),
        }
    }

    /// A copy of the document as it is now.
    pub fn document(&self) -> Document {
        self.validator.document()
    }

    /// The document's JSON text, as it would be saved.
    pub fn to_json(&self) -> String {
        self.validator.to_json()
    }

    /// What the mirrors hold (the view the UI was sent, deltas applied), for tests.
    #[cfg(test)]
    pub(crate) fn mirrored(&self) -> (HashMap<String, CanvasNode>, HashMap<String, CanvasEdge>) {
        (self.nodes.clone(), self.edges.clone())
    }

    /// Applies edits as one undoable step: all of them or, when one fails, none (the error
    /// names which). Answers what changed and the ids the edits created.
    pub fn apply_edits(&mut self, edits: &[Edit]) -> Result<(Delta, Vec<String>)> {
        let mut touched = Touched::default();
        let mut step = Step {
            changes: Vec::new(),
            inverses: Vec::new(),
        };
        let mut created = Vec::new();
        for (i, e) in edits.iter().enumerate() {
            let planned = edit::plan(self.doc_ref(), e).and_then(|plan| {
                created.extend(plan.created);
                for c in plan.changes {
                    if let Some(inverse) =
                        change::apply_effective(&mut self.validator, c.clone(), &mut touched)?
                    {
                        step.changes.push(c);
                        step.inverses.push(inverse);
                    }
                }
                Ok(())
            });
            if let Err(err) = planned {
                // Put back what the earlier edits of this step changed.
                for inverse in step.inverses.into_iter().rev() {
                    let _ = change::apply(&mut self.validator, inverse, &mut touched);
                }
                let _ = self.refresh(touched);
                return Err(prefixed(i, edits.len(), err));
            }
        }
        if step.changes.is_empty() {
            return Ok((
                Delta {
                    counts: self.counts(),
                    ..Delta::default()
                },
                created,
            ));
        }
        // Sim derives `loops`/`parallels` from the containers on save: so does the editor, in
        // the same step (undone with it).
        if let Some(tables) =
            change::container_tables(&self.validator, &step.changes, &step.inverses)
        {
            let inverse = change::apply(&mut self.validator, tables.clone(), &mut touched)?;
            step.changes.push(tables);
            step.inverses.push(inverse);
        }
        self.undo.push_back(step);
        if self.undo.len() > UNDO_LIMIT {
            self.undo.pop_front();
        }
        self.redo.clear();
        self.version += 1;
        Ok((self.refresh(touched), created))
    }

    /// Undoes the last step; `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Result<Option<Delta>> {
        let Some(step) = self.undo.pop_back() else {
            return Ok(None);
        };
        let mut touched = Touched::default();
        let mut redo = Step {
            changes: Vec::new(),
            inverses: Vec::new(),
        };
        for inverse in step.inverses.into_iter().rev() {
            let again = change::apply(&mut self.validator, inverse.clone(), &mut touched)?;
            redo.changes.push(again);
            redo.inverses.push(inverse);
        }
        // The redo step replays the original changes in their order.
        redo.changes.reverse();
        redo.inverses.reverse();
        self.redo.push(Step {
            changes: redo.changes,
            inverses: redo.inverses,
        });
        self.version += 1;
        Ok(Some(self.refresh(touched)))
    }

    /// Redoes the last undone step; `None` when there is nothing to redo.
    pub fn redo(&mut self) -> Result<Option<Delta>> {
        let Some(step) = self.redo.pop() else {
            return Ok(None);
        };
        let mut touched = Touched::default();
        let mut done = Step {
            changes: Vec::new(),
            inverses: Vec::new(),
        };
        for c in step.changes {
            let inverse = change::apply(&mut self.validator, c.clone(), &mut touched)?;
            done.changes.push(c);
            done.inverses.push(inverse);
        }
        self.undo.push_back(done);
        self.version += 1;
        Ok(Some(self.refresh(touched)))
    }

    /// Brings the mirrors up to date with `touched` and the validator's changed buckets.
    fn refresh(&mut self, touched: Touched) -> Delta {
        let mut delta = Delta::default();
        // Borrow the model and the mirrors apart (not through `doc_ref`, which borrows all of self).
        let doc = match (self.validator.workflow(), self.validator.journey()) {
            (Some(sim), _) => DocRef::Sim(sim),
            (_, Some(journey)) => DocRef::Journey(journey),
            (None, None) => return delta,
        };
        match doc {
            DocRef::Sim(sim) => {
                let state = sim.state();
                let mut node_updates = Vec::new();
                for id in &touched.nodes {
                    node_updates.push((id.clone(), state.blocks.get(id).map(view::sim_node)));
                }
                // An edge is drawn with its source's handle labels.
                let mut edge_ids: HashSet<&str> =
                    touched.edges.iter().map(String::as_str).collect();
                for id in &touched.nodes {
                    edge_ids.extend(
                        self.validator
                            .edges_from(id)
                            .into_iter()
                            .filter_map(|i| state.edges.get(i))
                            .map(|e| e.id.as_str()),
                    );
                }
                let edges: Vec<(String, Option<&crate::sim::Edge>)> = edge_ids
                    .iter()
                    .map(|id| {
                        (
                            id.to_string(),
                            self.validator
                                .edge_position(id)
                                .and_then(|i| state.edges.get(i)),
                        )
                    })
                    .collect();
                for (id, node) in node_updates {
                    put(
                        &mut self.nodes,
                        id,
                        node,
                        &mut delta.added_nodes,
                        &mut delta.changed_nodes,
                        &mut delta.removed_nodes,
                    );
                }
                let mut edge_updates = Vec::new();
                for (id, edge) in edges {
                    let drawn = edge.map(|e| view::sim_edge(e, self.nodes.get(&e.source)));
                    edge_updates.push((id, drawn));
                }
                for (id, edge) in edge_updates {
                    put(
                        &mut self.edges,
                        id,
                        edge,
                        &mut delta.added_edges,
                        &mut delta.changed_edges,
                        &mut delta.removed_edges,
                    );
                }
            }
            DocRef::Journey(journey) => {
                let mut updates: Vec<(String, Option<CanvasNode>)> = Vec::new();
                if touched.all_nodes {
                    let mut fresh: HashMap<String, CanvasNode> = journey
                        .nodes
                        .iter()
                        .enumerate()
                        .map(|(i, n)| (n.id.clone(), view::journey_node(journey, i, n)))
                        .collect();
                    if let Some(end) = view::journey_end(journey) {
                        fresh.insert(end.id.clone(), end);
                    }
                    let gone: Vec<String> = self
                        .nodes
                        .keys()
                        .filter(|id| !fresh.contains_key(*id))
                        .cloned()
                        .collect();
                    updates.extend(gone.into_iter().map(|id| (id, None)));
                    updates.extend(fresh.into_iter().map(|(id, n)| (id, Some(n))));
                } else {
                    for id in &touched.nodes {
                        let node = match self.validator.state_position(id) {
                            Some(i) => Some(view::journey_node(journey, i, &journey.nodes[i])),
                            None if id == END_NODE_ID => view::journey_end(journey),
                            None => None,
                        };
                        updates.push((id.clone(), node));
                    }
                }
                let edge_updates: Vec<(String, Option<CanvasEdge>)> = touched
                    .edges
                    .iter()
                    .map(|id| {
                        (
                            id.clone(),
                            self.validator
                                .edge_position(id)
                                .and_then(|i| journey.edges.get(i))
                                .map(view::journey_edge),
                        )
                    })
                    .collect();
                for (id, node) in updates {
                    put(
                        &mut self.nodes,
                        id,
                        node,
                        &mut delta.added_nodes,
                        &mut delta.changed_nodes,
                        &mut delta.removed_nodes,
                    );
                }
                for (id, edge) in edge_updates {
                    put(
                        &mut self.edges,
                        id,
                        edge,
                        &mut delta.added_edges,
                        &mut delta.changed_edges,
                        &mut delta.removed_edges,
                    );
                }
            }
        }
        let changed = self.validator.take_changed();
        let diagnostics = self.diagnostics.refresh(&self.validator, changed);
        delta.added_diagnostics = diagnostics.added;
        delta.removed_diagnostics = diagnostics.removed;
        delta.counts = self.diagnostics.counts();
        delta
    }
}

/// Records `new` as the drawn element `id` and sorts the difference into added/changed/removed.
fn put<T: PartialEq + Clone>(
    mirror: &mut HashMap<String, T>,
    id: String,
    new: Option<T>,
    added: &mut Vec<T>,
    changed: &mut Vec<T>,
    removed: &mut Vec<String>,
) {
    match (mirror.get(&id), new) {
        (None, Some(n)) => {
            added.push(n.clone());
            mirror.insert(id, n);
        }
        (Some(old), Some(n)) => {
            if *old != n {
                changed.push(n.clone());
                mirror.insert(id, n);
            }
        }
        (Some(_), None) => {
            mirror.remove(&id);
            removed.push(id);
        }
        (None, None) => {}
    }
}

fn prefixed(i: usize, count: usize, err: Error) -> Error {
    if count == 1 {
        return err;
    }
    match err {
        Error::NotFound(m) => Error::NotFound(format!("edit {i}: {m}")),
        Error::Unsupported(m) => Error::Unsupported(format!("edit {i}: {m}")),
        Error::Rejected(m) => Error::Rejected(format!("edit {i}: {m}")),
        other => other,
    }
}
