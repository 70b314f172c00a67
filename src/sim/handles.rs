//! Edge handles: which output of a block an edge leaves from, and the legacy spellings Sim heals.

use serde::Serialize;

/// What an edge's `sourceHandle` means to Sim's executor (reference/sim.md §1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum SourceHandle {
    /// `source` (or none): the block finished without error.
    Source,
    /// `error`: the block's output has an error.
    Error,
    /// `condition-<conditionId>`: the Condition block chose that branch.
    Condition(String),
    /// `router-<routeId>`: the router chose that route.
    Router(String),
    LoopStart,
    LoopEnd,
    ParallelStart,
    ParallelEnd,
    /// A handle this version does not know; kept as written.
    Other(String),
}

const SIDES: [&str; 4] = ["top", "right", "bottom", "left"];

/// Sim's `normalizeWorkflowEdgeSourceHandle`: `''` reads as none, `source-<side>` as `source`.
pub fn normalize_source_handle(handle: Option<&str>) -> Option<String> {
    let handle = handle.filter(|h| !h.is_empty())?;
    match handle.strip_prefix("source-") {
        Some(side) if SIDES.contains(&side) => Some("source".into()),
        _ => Some(handle.to_string()),
    }
}

/// Sim's `normalizeWorkflowEdgeTargetHandle`: `target-<side>` reads as `target`.
pub fn normalize_target_handle(handle: Option<&str>) -> Option<String> {
    let handle = handle.filter(|h| !h.is_empty())?;
    match handle.strip_prefix("target-") {
        Some(side) if SIDES.contains(&side) => Some("target".into()),
        _ => Some(handle.to_string()),
    }
}

impl SourceHandle {
    pub fn parse(handle: Option<&str>) -> SourceHandle {
        let Some(handle) = normalize_source_handle(handle) else {
            return SourceHandle::Source;
        };
        match handle.as_str() {
            "source" => SourceHandle::Source,
            "error" => SourceHandle::Error,
            "loop-start-source" => SourceHandle::LoopStart,
            "loop-end-source" => SourceHandle::LoopEnd,
            "parallel-start-source" => SourceHandle::ParallelStart,
            "parallel-end-source" => SourceHandle::ParallelEnd,
            other => {
                if let Some(id) = other.strip_prefix("condition-") {
                    SourceHandle::Condition(id.to_string())
                } else if let Some(id) = other.strip_prefix("router-") {
                    SourceHandle::Router(id.to_string())
                } else {
                    SourceHandle::Other(other.to_string())
                }
            }
        }
    }

    /// The canonical handle string Sim writes.
    pub fn as_handle(&self) -> String {
        match self {
            SourceHandle::Source => "source".into(),
            SourceHandle::Error => "error".into(),
            SourceHandle::Condition(id) => format!("condition-{id}"),
            SourceHandle::Router(id) => format!("router-{id}"),
            SourceHandle::LoopStart => "loop-start-source".into(),
            SourceHandle::LoopEnd => "loop-end-source".into(),
            SourceHandle::ParallelStart => "parallel-start-source".into(),
            SourceHandle::ParallelEnd => "parallel-end-source".into(),
            SourceHandle::Other(h) => h.clone(),
        }
    }

    /// Edges that go from a container into its own first child.
    pub fn is_container_start(&self) -> bool {
        matches!(self, SourceHandle::LoopStart | SourceHandle::ParallelStart)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_side_handles_heal_to_canonical_ids() {
        assert_eq!(
            normalize_source_handle(Some("source-right")).as_deref(),
            Some("source")
        );
        assert_eq!(
            normalize_source_handle(Some("source-middle")).as_deref(),
            Some("source-middle")
        );
        assert_eq!(
            normalize_target_handle(Some("target-left")).as_deref(),
            Some("target")
        );
        assert_eq!(normalize_source_handle(Some("")), None);
        assert_eq!(
            SourceHandle::parse(Some("source-bottom")),
            SourceHandle::Source
        );
        assert_eq!(SourceHandle::parse(None), SourceHandle::Source);
    }

    #[test]
    fn branch_handles_carry_their_ids() {
        let h = SourceHandle::parse(Some("condition-b1-else-if-2"));
        assert_eq!(h, SourceHandle::Condition("b1-else-if-2".into()));
        assert_eq!(h.as_handle(), "condition-b1-else-if-2");
        assert_eq!(
            SourceHandle::parse(Some("router-r9")),
            SourceHandle::Router("r9".into())
        );
        assert_eq!(
            SourceHandle::parse(Some("loop-end-source")),
            SourceHandle::LoopEnd
        );
        assert_eq!(
            SourceHandle::parse(Some("weird")),
            SourceHandle::Other("weird".into())
        );
    }
}
