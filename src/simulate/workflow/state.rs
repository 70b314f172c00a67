//! Block outputs by runtime node id and the lookup Sim v0.8.9 uses to read one from another node
//! (`ExecutionState.getBlockState` in `executor/execution/state.ts`): the same parallel branch
//! first, then the block itself, then — from outside any branch — the stable branch-zero alias
//! (`x__obranch-0`), then any stored copy of the block, oldest first.

use super::ids;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

#[derive(Debug, Default)]
pub struct Store {
    states: HashMap<String, (u64, Rc<Value>)>,
    /// `normalizeLookupId(stored id)` -> stored ids by insertion order, for the last fallback.
    by_lookup: HashMap<String, BTreeMap<u64, String>>,
    executed: HashSet<String>,
    seq: u64,
}

impl Store {
    /// `setBlockOutput`: stores and marks executed (a repeated id keeps its insertion order).
    pub fn set(&mut self, id: &str, output: Rc<Value>) {
        match self.states.get_mut(id) {
            Some(entry) => entry.1 = output,
            None => {
                self.seq += 1;
                self.states.insert(id.to_string(), (self.seq, output));
                self.by_lookup
                    .entry(ids::normalize_lookup_id(id))
                    .or_default()
                    .insert(self.seq, id.to_string());
            }
        }
        if !self.executed.contains(id) {
            self.executed.insert(id.to_string());
        }
    }

    /// `deleteBlockState`.
    pub fn delete(&mut self, id: &str) {
        if let Some((seq, _)) = self.states.remove(id) {
            let lookup = ids::normalize_lookup_id(id);
            if let Some(entries) = self.by_lookup.get_mut(&lookup) {
                entries.remove(&seq);
                if entries.is_empty() {
                    self.by_lookup.remove(&lookup);
                }
            }
        }
        self.executed.remove(id);
    }

    pub fn unmark_executed(&mut self, id: &str) {
        self.executed.remove(id);
    }

    pub fn has_executed(&self, id: &str) -> bool {
        self.executed.contains(id)
    }

    /// The output stored under exactly this id.
    pub fn raw(&self, id: &str) -> Option<&Rc<Value>> {
        self.states.get(id).map(|(_, v)| v)
    }

    pub fn ids(&self) -> impl Iterator<Item = &String> + Clone {
        self.states.keys()
    }

    /// `getBlockState(blockId, currentNodeId)`.
    pub fn lookup(&self, block_id: &str, current: &str) -> Option<&Rc<Value>> {
        if ids::normalize_lookup_id(block_id) != block_id {
            return self.raw(block_id);
        }
        if !current.is_empty() {
            if let Some(v) = self.scoped(block_id, current) {
                return Some(v);
            }
            if ids::outer_branch_index(current).is_some() {
                return None;
            }
        }
        if let Some(v) = self.raw(block_id) {
            return Some(v);
        }
        if !current.is_empty() && ids::branch_suffix(current).is_empty() {
            if let Some(v) = self.raw(&ids::outer_scoped(block_id, 0)) {
                return Some(v);
            }
            if let Some(v) = self.raw(&format!("{block_id}₍0₎{}", ids::loop_suffix(current))) {
                return Some(v);
            }
        }
        let first = self
            .by_lookup
            .get(block_id)
            .and_then(|entries| entries.values().next())?;
        self.raw(first)
    }

    fn scoped(&self, block_id: &str, current: &str) -> Option<&Rc<Value>> {
        let branch_suffix = ids::branch_suffix(current);
        let loop_suffix = ids::loop_suffix(current);
        match ids::outer_branch_index(current) {
            Some(outer) => {
                let mut candidates: Vec<(&u64, &String)> = self
                    .states
                    .iter()
                    .filter(|(stored, _)| {
                        ids::strip_clone_suffixes(stored) == block_id
                            && ids::outer_branch_index(stored) == Some(outer)
                            && ids::branch_suffix(stored) == branch_suffix
                            && ids::loop_suffix(stored) == loop_suffix
                    })
                    .map(|(id, (seq, _))| (seq, id))
                    .collect();
                candidates.sort();
                if let Some((_, id)) = candidates.first() {
                    return self.raw(id);
                }
                self.raw(&ids::branch_node(block_id, outer))
            }
            None => self.raw(&format!("{block_id}{branch_suffix}{loop_suffix}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn store(entries: &[(&str, Value)]) -> Store {
        let mut s = Store::default();
        for (id, v) in entries {
            s.set(id, Rc::new(v.clone()));
        }
        s
    }

    /// Sim's state.test.ts, "prefers stable branch-zero aliases when later batches reuse local
    /// branch ids".
    #[test]
    fn outside_a_parallel_the_branch_zero_alias_wins() {
        let s = store(&[
            ("x₍0₎", json!("batch 2, branch 20")),
            ("x__obranch-0", json!("branch 0")),
            ("x__obranch-20", json!("branch 20")),
        ]);
        assert_eq!(**s.lookup("x", "after").unwrap(), json!("branch 0"));
        assert_eq!(
            **s.lookup("x", "y₍0₎").unwrap(),
            json!("batch 2, branch 20"),
            "inside a branch: the same local branch"
        );
    }

    /// Sim's state.test.ts, "keeps cloned parallel branch references scoped to the same branch
    /// index" and "does not fall back to another branch when cloned scoped output is missing".
    #[test]
    fn cloned_nodes_read_their_own_outer_branch_only() {
        let s = store(&[
            ("a__clone00aa__obranch-1", json!(1)),
            ("a__clone00bb__obranch-2", json!(2)),
            ("a", json!(0)),
        ]);
        assert_eq!(
            **s.lookup("a", "b__clone00cc__obranch-2").unwrap(),
            json!(2)
        );
        assert!(s.lookup("a", "b__clone00cc__obranch-3").is_none());
        assert_eq!(**s.lookup("a", "b").unwrap(), json!(0));
    }
}
