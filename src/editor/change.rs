//! Primitive changes of an open document, each applied through the incremental validator and
//! answered with its inverse: undo applies the inverses of a step backwards, redo the changes
//! again. Inverses put removed elements back at their index, so an undone document reads back
//! byte-equal to what it was.

use crate::error::{Error, Result};
use crate::json::{Maybe, UniqueMap};
use crate::parlant::END_NODE_ID;
use crate::sim::{Loop, Parallel};
use crate::validate::incremental::{Edit as ModelEdit, JourneyEntities};
use crate::validate::IncrementalValidator;
use serde_json::Number;
use std::collections::HashSet;

// Changes live in undo steps a few at a time; boxing the model edit would only add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Change {
    /// A change of the model, revalidated incrementally.
    Model(ModelEdit),
    /// A node's place on the canvas (`None`: a journey state with no saved place). Not validated.
    Position {
        id: String,
        at: Option<(Number, Number)>,
    },
    /// A workflow's derived `loops` and `parallels` tables, as Sim derives them from the
    /// container blocks on save (`sim::containers::rederive`). Not validated.
    Containers {
        loops: Maybe<UniqueMap<Loop>>,
        parallels: Maybe<UniqueMap<Parallel>>,
    },
}

/// Which parts of the canvas view a change may have changed.
#[derive(Debug, Default)]
pub struct Touched {
    pub nodes: HashSet<String>,
    pub edges: HashSet<String>,
    /// Every node (a journey state was inserted or removed: default places follow indexes).
    pub all_nodes: bool,
}

/// Applies `change` and returns its inverse, or `None` when it would change nothing (setting a
/// field to the value it has): nothing is applied then, and no undo step is recorded for it.
pub fn apply_effective(
    v: &mut IncrementalValidator,
    change: Change,
    touched: &mut Touched,
) -> Result<Option<Change>> {
    let no_op = match &change {
        Change::Position { id, at } => current_position(v, id) == *at,
        Change::Model(edit) => unchanged(v, edit),
        Change::Containers { loops, parallels } => v
            .workflow()
            .is_some_and(|sim| sim.state().loops == *loops && sim.state().parallels == *parallels),
    };
    if no_op {
        return Ok(None);
    }
    apply(v, change, touched).map(Some)
}

/// Where a node is now, as `Change::Position` says it.
fn current_position(v: &IncrementalValidator, id: &str) -> Option<(Number, Number)> {
    if let Some(sim) = v.workflow() {
        return sim
            .state()
            .blocks
            .get(id)
            .map(|b| (b.position.x.clone(), b.position.y.clone()));
    }
    v.journey()?
        .editor
        .get()?
        .positions
        .get()?
        .get(id)
        .map(|p| (p.x.clone(), p.y.clone()))
}

/// Whether an upsert or a journey field change would leave the document as it is.
fn unchanged(v: &IncrementalValidator, edit: &ModelEdit) -> bool {
    if let Some(sim) = v.workflow() {
        let state = sim.state();
        return match edit {
            ModelEdit::UpsertBlock(b) => state.blocks.get(&b.id) == Some(b),
            ModelEdit::UpsertEdge(e) => state.edges.iter().find(|x| x.id == e.id) == Some(e),
            _ => false,
        };
    }
    let Some(doc) = v.journey() else { return false };
    match edit {
        ModelEdit::UpsertState(n) => doc.nodes.iter().find(|x| x.id == n.id) == Some(n),
        ModelEdit::UpsertTransition(e) => doc.edges.iter().find(|x| x.id == e.id) == Some(e),
        ModelEdit::SetJourney(h) => doc.journey == *h,
        ModelEdit::SetJourneyEntities(e) => JourneyEntities::of(doc) == *e,
        _ => false,
    }
}

/// Applies `change` and returns its inverse.
pub fn apply(
    v: &mut IncrementalValidator,
    change: Change,
    touched: &mut Touched,
) -> Result<Change> {
    match change {
        Change::Position {
            at: Some((x, y)), ..
        } if !(x.as_f64().is_some_and(f64::is_finite)
            && y.as_f64().is_some_and(f64::is_finite)) =>
        {
            Err(Error::Rejected(format!(
                "a position must be finite numbers, not ({x}, {y})"
            )))
        }
        Change::Position { id, at } => {
            let before = v.set_position(&id, at)?;
            touched.nodes.insert(id.clone());
            Ok(Change::Position { id, at: before })
        }
        Change::Containers { loops, parallels } => {
            let (loops, parallels) = v.set_containers(loops, parallels)?;
            Ok(Change::Containers { loops, parallels })
        }
        Change::Model(edit) => {
            let inverse = inverse_of(v, &edit, touched)?;
            v.apply(edit)?;
            Ok(inverse)
        }
    }
}

/// The inverse of `edit` on the document as it is before `edit`.
fn inverse_of(v: &IncrementalValidator, edit: &ModelEdit, touched: &mut Touched) -> Result<Change> {
    let inverse = if let Some(sim) = v.workflow() {
        let state = sim.state();
        match edit {
            ModelEdit::UpsertBlock(b) | ModelEdit::InsertBlock(_, b) => {
                touched.nodes.insert(b.id.clone());
                match (edit, state.blocks.get(&b.id)) {
                    (ModelEdit::InsertBlock(..), Some(_)) => {
                        return Err(Error::Rejected(format!(
                            "block `{}` is already in the workflow",
                            b.id
                        )))
                    }
                    (_, Some(old)) => ModelEdit::UpsertBlock(old.clone()),
                    (_, None) => ModelEdit::RemoveBlock(b.id.clone()),
                }
            }
            ModelEdit::RemoveBlock(id) => {
                let (index, _, old) = state
                    .blocks
                    .get_full(id)
                    .ok_or_else(|| Error::NotFound(format!("no block `{id}`")))?;
                touched.nodes.insert(id.clone());
                ModelEdit::InsertBlock(index, old.clone())
            }
            ModelEdit::UpsertEdge(e) | ModelEdit::InsertEdge(_, e) => {
                touched.edges.insert(e.id.clone());
                match (edit, state.edges.iter().find(|x| x.id == e.id)) {
                    (ModelEdit::InsertEdge(..), Some(_)) => {
                        return Err(Error::Rejected(format!(
                            "edge `{}` is already in the workflow",
                            e.id
                        )))
                    }
                    (_, Some(old)) => ModelEdit::UpsertEdge(old.clone()),
                    (_, None) => ModelEdit::RemoveEdge(e.id.clone()),
                }
            }
            ModelEdit::RemoveEdge(id) => {
                let index = state
                    .edges
                    .iter()
                    .position(|e| &e.id == id)
                    .ok_or_else(|| Error::NotFound(format!("no edge `{id}`")))?;
                touched.edges.insert(id.clone());
                ModelEdit::InsertEdge(index, state.edges[index].clone())
            }
            other => {
                return Err(Error::Rejected(format!(
                    "{} is not an edit of a Sim workflow",
                    name_of(other)
                )))
            }
        }
    } else if let Some(doc) = v.journey() {
        match edit {
            ModelEdit::UpsertState(n) | ModelEdit::InsertState(_, n) => {
                touched.nodes.insert(n.id.clone());
                match (edit, doc.nodes.iter().find(|x| x.id == n.id)) {
                    (ModelEdit::InsertState(..), Some(_)) => {
                        return Err(Error::Rejected(format!(
                            "state `{}` is already in the journey",
                            n.id
                        )))
                    }
                    (_, Some(old)) => ModelEdit::UpsertState(old.clone()),
                    (ModelEdit::InsertState(..), None) => {
                        touched.all_nodes = true;
                        ModelEdit::RemoveState(n.id.clone())
                    }
                    (_, None) => {
                        // Appended: only `end`'s default place (after the last state) moves.
                        touched.nodes.insert(END_NODE_ID.into());
                        ModelEdit::RemoveState(n.id.clone())
                    }
                }
            }
            ModelEdit::RemoveState(id) => {
                let index = doc
                    .nodes
                    .iter()
                    .position(|n| &n.id == id)
                    .ok_or_else(|| Error::NotFound(format!("no state `{id}`")))?;
                touched.all_nodes = true;
                ModelEdit::InsertState(index, doc.nodes[index].clone())
            }
            ModelEdit::UpsertTransition(e) | ModelEdit::InsertTransition(_, e) => {
                touched.edges.insert(e.id.clone());
                touched.nodes.insert(END_NODE_ID.into());
                match (edit, doc.edges.iter().find(|x| x.id == e.id)) {
                    (ModelEdit::InsertTransition(..), Some(_)) => {
                        return Err(Error::Rejected(format!(
                            "transition `{}` is already in the journey",
                            e.id
                        )))
                    }
                    (_, Some(old)) => ModelEdit::UpsertTransition(old.clone()),
                    (_, None) => ModelEdit::RemoveTransition(e.id.clone()),
                }
            }
            ModelEdit::RemoveTransition(id) => {
                let index = doc
                    .edges
                    .iter()
                    .position(|e| &e.id == id)
                    .ok_or_else(|| Error::NotFound(format!("no transition `{id}`")))?;
                touched.edges.insert(id.clone());
                touched.nodes.insert(END_NODE_ID.into());
                ModelEdit::InsertTransition(index, doc.edges[index].clone())
            }
            ModelEdit::SetJourney(header) => {
                if header.root_id == doc.journey.root_id {
                    // The root is drawn with the journey's title.
                    touched.nodes.insert(doc.journey.root_id.clone());
                } else {
                    touched.all_nodes = true;
                }
                ModelEdit::SetJourney(doc.journey.clone())
            }
            ModelEdit::SetJourneyEntities(_) => {
                ModelEdit::SetJourneyEntities(JourneyEntities::of(doc))
            }
            other => {
                return Err(Error::Rejected(format!(
                    "{} is not an edit of a journey",
                    name_of(other)
                )))
            }
        }
    } else {
        return Err(Error::Rejected(
            "the open document is neither a workflow nor a journey".into(),
        ));
    };
    Ok(Change::Model(inverse))
}

fn name_of(edit: &ModelEdit) -> &'static str {
    match edit {
        ModelEdit::UpsertBlock(_) | ModelEdit::InsertBlock(..) => "a block change",
        ModelEdit::RemoveBlock(_) => "a block removal",
        ModelEdit::UpsertEdge(_) | ModelEdit::InsertEdge(..) => "an edge change",
        ModelEdit::RemoveEdge(_) => "an edge removal",
        ModelEdit::UpsertState(_) | ModelEdit::InsertState(..) => "a state change",
        ModelEdit::RemoveState(_) => "a state removal",
        ModelEdit::UpsertTransition(_) | ModelEdit::InsertTransition(..) => "a transition change",
        ModelEdit::RemoveTransition(_) => "a transition removal",
        ModelEdit::SetJourney(_) => "a journey header change",
        ModelEdit::SetJourneyEntities(_) => {
            "a change of the journey's tags, guidelines or variables"
        }
    }
}

/// The `loops`/`parallels` change Sim's save would make after `step` (its changes and their
/// inverses), or `None`: only when the step touched a container or a block inside one, and the
/// derived tables differ from the stored ones (so documents without containers stay as they are).
pub fn container_tables(
    v: &IncrementalValidator,
    changes: &[Change],
    inverses: &[Change],
) -> Option<Change> {
    let sim = v.workflow()?;
    let involves = |c: &Change| match c {
        Change::Model(ModelEdit::UpsertBlock(b) | ModelEdit::InsertBlock(_, b)) => {
            matches!(b.block_type.as_str(), "loop" | "parallel") || b.parent_id().is_some()
        }
        _ => false,
    };
    if !changes.iter().chain(inverses).any(involves) {
        return None;
    }
    let state = sim.state();
    let loops = Maybe::Value(crate::sim::containers::derive_loops(state));
    let parallels = Maybe::Value(crate::sim::containers::derive_parallels(state));
    (loops != state.loops || parallels != state.parallels)
        .then_some(Change::Containers { loops, parallels })
}
