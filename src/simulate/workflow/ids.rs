//! Runtime node ids, spelled as Sim v0.8.9 spells them (`executor/utils/subflow-node-id-codec.ts`)
//! so that block-output lookups, branch aliases and clone scoping behave the same:
//! - `x₍2₎`: block `x` in parallel branch 2 (local to the current batch);
//! - `loop-L-sentinel-start` / `-end`, `parallel-P-sentinel-start` / `-end`: container sentinels;
//! - `x__obranch-3`: output of `x` scoped to outer parallel branch 3 (also a cloned subflow id);
//! - `x__clone<hex>__obranch-3`: a block or container cloned into outer branch 3.

use regex::Regex;
use std::sync::LazyLock;

static BRANCH_AT_END: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"₍(\d+)₎$").expect("regex"));
static BRANCH_ANY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"₍\d+₎").expect("regex"));
static OUTER_BRANCH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"__obranch-(\d+)").expect("regex"));
static CLONE_DIGEST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)__clone[0-9a-f]+").expect("regex"));
static LOOP_DIGEST: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"_loop\d+").expect("regex"));
static LOOP_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"loop-(.+)-sentinel-start").expect("regex"));
static LOOP_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"loop-(.+)-sentinel-end").expect("regex"));
static PARALLEL_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"parallel-(.+)-sentinel-start").expect("regex"));
static PARALLEL_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"parallel-(.+)-sentinel-end").expect("regex"));

pub fn loop_start(loop_id: &str) -> String {
    format!("loop-{loop_id}-sentinel-start")
}

pub fn loop_end(loop_id: &str) -> String {
    format!("loop-{loop_id}-sentinel-end")
}

pub fn parallel_start(parallel_id: &str) -> String {
    format!("parallel-{parallel_id}-sentinel-start")
}

pub fn parallel_end(parallel_id: &str) -> String {
    format!("parallel-{parallel_id}-sentinel-end")
}

pub fn is_loop_sentinel(id: &str) -> bool {
    id.starts_with("loop-") && (id.ends_with("-sentinel-start") || id.ends_with("-sentinel-end"))
}

pub fn is_parallel_sentinel(id: &str) -> bool {
    id.starts_with("parallel-")
        && (id.ends_with("-sentinel-start") || id.ends_with("-sentinel-end"))
}

pub fn loop_of_sentinel(id: &str) -> Option<String> {
    LOOP_START
        .captures(id)
        .or_else(|| LOOP_END.captures(id))
        .map(|c| c[1].to_string())
}

pub fn parallel_of_sentinel(id: &str) -> Option<String> {
    PARALLEL_START
        .captures(id)
        .or_else(|| PARALLEL_END.captures(id))
        .map(|c| c[1].to_string())
}

/// `x₍i₎`.
pub fn branch_node(base: &str, index: usize) -> String {
    format!("{base}₍{index}₎")
}

/// `extractBaseBlockId`: the id without a trailing branch subscript.
pub fn base_of(id: &str) -> &str {
    if !id.ends_with('₎') {
        return id;
    }
    match BRANCH_AT_END.find(id) {
        Some(m) => &id[..m.start()],
        None => id,
    }
}

/// `extractBranchIndex`: the trailing branch subscript.
pub fn branch_index(id: &str) -> Option<usize> {
    BRANCH_AT_END.captures(id).and_then(|c| c[1].parse().ok())
}

pub fn is_branch_node(id: &str) -> bool {
    BRANCH_AT_END.is_match(id)
}

/// `buildOuterBranchScopedId`: `x__obranch-i`.
pub fn outer_scoped(id: &str, index: usize) -> String {
    format!("{id}__obranch-{index}")
}

/// `extractOuterBranchIndex`: the first `__obranch-N`.
pub fn outer_branch_index(id: &str) -> Option<usize> {
    OUTER_BRANCH.captures(id).and_then(|c| c[1].parse().ok())
}

/// `extractInnermostOuterBranchIndex`: the last `__obranch-N`.
pub fn innermost_outer_branch_index(id: &str) -> Option<usize> {
    OUTER_BRANCH
        .captures_iter(id)
        .last()
        .and_then(|c| c[1].parse().ok())
}

/// `stripOuterBranchSuffix`: without `__obranch-N` and `__clone<hex>` segments.
pub fn strip_outer(id: &str) -> String {
    if !id.contains("__") {
        return id.to_string();
    }
    let without = OUTER_BRANCH.replace_all(id, "");
    CLONE_DIGEST.replace_all(&without, "").into_owned()
}

/// `stripCloneSuffixes`: the workflow-level block id of any runtime node id.
pub fn strip_clone_suffixes(id: &str) -> String {
    base_of(&strip_outer(id)).to_string()
}

pub fn has_clone_marker(id: &str) -> bool {
    id.contains("__clone")
}

/// `normalizeNodeId`: branch nodes to their block, sentinels to their container.
pub fn normalize_node_id(id: &str) -> String {
    if is_branch_node(id) {
        return base_of(id).to_string();
    }
    if is_loop_sentinel(id) {
        return loop_of_sentinel(id).unwrap_or_else(|| id.to_string());
    }
    if is_parallel_sentinel(id) {
        return parallel_of_sentinel(id).unwrap_or_else(|| id.to_string());
    }
    id.to_string()
}

/// `normalizeLookupId`: without any branch subscripts or `_loopN` digests.
pub fn normalize_lookup_id(id: &str) -> String {
    if !id.contains('₍') && !id.contains("_loop") {
        return id.to_string();
    }
    let without = BRANCH_ANY.replace_all(id, "");
    LOOP_DIGEST.replace_all(&without, "").into_owned()
}

/// `extractBranchSuffix`: the first `₍N₎`, or empty.
pub fn branch_suffix(id: &str) -> &str {
    BRANCH_ANY.find(id).map(|m| m.as_str()).unwrap_or("")
}

/// `extractLoopSuffix`: the first `_loopN`, or empty.
pub fn loop_suffix(id: &str) -> &str {
    LOOP_DIGEST.find(id).map(|m| m.as_str()).unwrap_or("")
}

/// `buildPreCloneIdForParent`: a deterministic id for a block or container cloned into an outer
/// branch (`{id}__clone{24 hex of sha256(parent:id:branch)}__obranch-{branch}`).
pub fn pre_clone_id(original: &str, outer_branch: usize, parent_clone: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{parent_clone}:{original}:{outer_branch}").as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("{original}__clone{hex}__obranch-{outer_branch}")
}

/// `findEffectiveContainerId`: the (possibly cloned) id under which a container runs for the
/// node `current`.
pub fn effective_container<'a>(
    original: &str,
    current: &str,
    known: impl Iterator<Item = &'a String> + Clone,
    mapped_branch: Option<usize>,
) -> String {
    let has = |id: &str| known.clone().any(|k| k == id);
    if let Some(branch) = mapped_branch.filter(|b| *b > 0) {
        let candidate = outer_scoped(original, branch);
        if has(&candidate) {
            return candidate;
        }
        let suffix = format!("__obranch-{branch}");
        if let Some(found) = known
            .clone()
            .find(|k| k.ends_with(&suffix) && strip_outer(k) == original)
        {
            return found.clone();
        }
    }
    if let Some(branch) = outer_branch_index(current) {
        let suffix = format!("__obranch-{branch}");
        if has_clone_marker(current) {
            if let Some(found) = known
                .clone()
                .find(|k| has_clone_marker(k) && k.ends_with(&suffix) && strip_outer(k) == original)
            {
                return found.clone();
            }
        }
        let candidate = outer_scoped(original, branch);
        if has(&candidate) {
            return candidate;
        }
        if let Some(found) = known
            .clone()
            .find(|k| k.ends_with(&suffix) && strip_outer(k) == original)
        {
            return found.clone();
        }
    }
    original.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_like_sims_codec() {
        assert_eq!(branch_node("a", 3), "a₍3₎");
        assert_eq!(base_of("a₍3₎"), "a");
        assert_eq!(branch_index("a₍12₎"), Some(12));
        assert_eq!(normalize_node_id("loop-L1-sentinel-end"), "L1");
        assert_eq!(normalize_node_id("parallel-P-sentinel-start"), "P");
        let clone = pre_clone_id("x", 2, "P__obranch-2");
        assert!(
            clone.starts_with("x__clone") && clone.ends_with("__obranch-2"),
            "{clone}"
        );
        assert_eq!(strip_clone_suffixes(&format!("{}₍0₎", clone)), "x");
        assert_eq!(outer_branch_index("a__obranch-4"), Some(4));
        assert_eq!(
            innermost_outer_branch_index("a__obranch-4__clone00ff__obranch-6"),
            Some(6)
        );
        assert_eq!(normalize_lookup_id("a₍1₎_loop2"), "a");
        assert_eq!(branch_suffix("a₍1₎b₍2₎"), "₍1₎");
        let known = ["P".to_string(), "P__obranch-2".to_string()];
        assert_eq!(
            effective_container("P", "x__obranch-2", known.iter(), None),
            "P__obranch-2"
        );
        assert_eq!(effective_container("P", "x", known.iter(), None), "P");
    }
}
