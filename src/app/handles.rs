//! What the app keeps open between calls, by handle (previews, live chats, streamed runs): a map
//! behind a lock that a panicked holder does not take down, bounded, in which a missing handle is
//! a `NotFound` that quotes it.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// Locks `m` even after a holder panicked: one failed call must not fail every later one.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub struct Handles<T> {
    open: Mutex<HashMap<String, Arc<T>>>,
    /// What one is, for messages: "preview".
    what: &'static str,
    /// What to do when one is gone: "it ended; start a new one".
    gone: &'static str,
    limit: usize,
}

impl<T> Handles<T> {
    pub fn new(what: &'static str, gone: &'static str, limit: usize) -> Handles<T> {
        Handles {
            open: Mutex::new(HashMap::new()),
            what,
            gone,
            limit: limit.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Arc<T>>> {
        lock(&self.open)
    }

    fn missing(&self, handle: &str) -> Error {
        Error::NotFound(format!("no {} `{handle}` ({})", self.what, self.gone))
    }

    pub fn get(&self, handle: &str) -> Result<Arc<T>> {
        let found = self.lock().get(handle).cloned();
        found.ok_or_else(|| self.missing(handle))
    }

    /// Forgets `handle` and hands back what it held; a missing one is a `NotFound`.
    pub fn take(&self, handle: &str) -> Result<Arc<T>> {
        let taken = self.lock().remove(handle);
        taken.ok_or_else(|| self.missing(handle))
    }

    /// Keeps `item` under `handle`. When `limit` are open, first forgets the one of least
    /// `rank` (the oldest preview, a finished run before a running one).
    pub fn insert<R: Ord>(&self, handle: String, item: Arc<T>, rank: impl Fn(&T) -> R) {
        let mut open = self.lock();
        if open.len() >= self.limit {
            let least = open
                .iter()
                .min_by_key(|(_, item)| rank(item))
                .map(|(h, _)| h.clone());
            if let Some(least) = least {
                open.remove(&least);
            }
        }
        open.insert(handle, item);
    }

    /// Forgets `handle`; answers whether it was open.
    pub fn remove(&self, handle: &str) -> bool {
        self.lock().remove(handle).is_some()
    }

    pub fn retain(&self, mut keep: impl FnMut(&T) -> bool) {
        self.lock().retain(|_, item| keep(item));
    }

    pub fn clear(&self) {
        self.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_handle_is_quoted_and_the_least_ranked_goes_first() {
        let open: Handles<u32> = Handles::new("preview", "it ended; start a new one", 2);
        open.insert("a".into(), Arc::new(3), |n| *n);
        open.insert("b".into(), Arc::new(1), |n| *n);
        open.insert("c".into(), Arc::new(2), |n| *n);
        assert!(open.get("b").is_err(), "the least ranked is forgotten");
        assert_eq!(*open.get("a").unwrap(), 3);
        assert_eq!(*open.get("c").unwrap(), 2);
        let err = open.get("zz").unwrap_err().to_string();
        assert_eq!(err, "no preview `zz` (it ended; start a new one)");
        assert!(open.remove("a") && !open.remove("a"));
        assert_eq!(*open.take("c").unwrap(), 2);
        let err = open.take("c").unwrap_err().to_string();
        assert_eq!(err, "no preview `c` (it ended; start a new one)");
        open.insert("c".into(), Arc::new(2), |n| *n);
        open.retain(|n| *n != 2);
        assert!(open.get("c").is_err());
    }
}
