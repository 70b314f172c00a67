//! The editor: documents open in the core. Each open document is a session holding the model
//! (inside its incremental validator), undo/redo of edit steps and what the UI was last sent; an
//! edit answers only what changed (`Delta`). The core saves open documents itself: a background
//! saver writes a document a moment after its last edit (the autosave delay) and, while edits go
//! on, at least once per delay, amending the revision of the ongoing burst so that a burst of
//! edits is one revision. Saving uses the editor's own connection to the workspace, so it never
//! waits for a network call holding the app's.

pub mod change;
pub mod complete;
pub mod diagnostics;
pub mod edit;
pub mod inspect;
pub mod open;
pub mod view;

pub use diagnostics::{DiagnosticCounts, DiagnosticEntry};
pub use edit::{Edit, JOURNEY_TARGET};
pub use open::{Delta, OpenDocument};
pub use view::{CanvasEdge, CanvasHandle, CanvasNode, CanvasView, Point, Size};

use crate::document::Document;
use crate::error::{Error, Result};
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use ts_rs::TS;

/// Autosave delays outside this range are clamped (a setting is user input).
pub const AUTOSAVE_DELAY_MS: std::ops::RangeInclusive<u64> = 100..=60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutosaveSettings {
    pub enabled: bool,
    pub delay: Duration,
}

impl AutosaveSettings {
    pub fn new(enabled: bool, delay_ms: u64) -> AutosaveSettings {
        let ms = delay_ms.clamp(*AUTOSAVE_DELAY_MS.start(), *AUTOSAVE_DELAY_MS.end());
        AutosaveSettings {
            enabled,
            delay: Duration::from_millis(ms),
        }
    }
}

/// Where a session's saving stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SessionStatus {
    pub session: String,
    /// Edits not yet saved.
    pub dirty: bool,
    /// The revision last saved (or opened).
    #[ts(type = "number")]
    pub revision: i64,
    pub can_undo: bool,
    pub can_redo: bool,
    /// Why the last save failed, if it did (the edits stay in memory and are retried).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub save_error: Option<String>,
}

/// An open document and how it is saved.
pub struct Session {
    pub id: String,
    pub document_id: i64,
    pub name: String,
    state: Mutex<SessionState>,
}

struct SessionState {
    open: OpenDocument,
    /// `open.version()` when last saved.
    saved_version: u64,
    revision: i64,
    /// When the oldest unsaved edit was made (None: nothing unsaved).
    first_unsaved: Option<Instant>,
    last_edit: Option<Instant>,
    /// The revision written for the burst of edits still going on (amended by the next save).
    burst_revision: Option<i64>,
    save_error: Option<String>,
    /// Closed or its document deleted: never saved again.
    closed: bool,
}

impl Session {
    fn lock(&self) -> MutexGuard<'_, SessionState> {
        // An edit that panicked half-way cannot be trusted, but the saved revisions can: keep
        // going with what is in memory rather than take the app down.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn status(&self) -> SessionStatus {
        let s = self.lock();
        status_of(&self.id, &s)
    }

    /// Runs `f` on the open document (read-only).
    pub fn read<T>(&self, f: impl FnOnce(&OpenDocument) -> T) -> T {
        f(&self.lock().open)
    }
}

fn status_of(id: &str, s: &SessionState) -> SessionStatus {
    SessionStatus {
        session: id.to_string(),
        dirty: s.open.version() != s.saved_version,
        revision: s.revision,
        can_undo: s.open.can_undo(),
        can_redo: s.open.can_redo(),
        save_error: s.save_error.clone(),
    }
}

struct Shared {
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    /// The editor's own connection to the workspace (opened on first save).
    store: Mutex<Option<Store>>,
    workspace: Mutex<PathBuf>,
    autosave: Mutex<AutosaveSettings>,
    /// Wakes the saver early (an edit was made, settings changed, or the editor stops).
    wake: Condvar,
    wake_flag: Mutex<bool>,
    stop: AtomicBool,
}

impl Shared {
    fn sessions(&self) -> MutexGuard<'_, HashMap<String, Arc<Session>>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn settings(&self) -> AutosaveSettings {
        *self.autosave.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn notify(&self) {
        *self.wake_flag.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.wake.notify_all();
    }

    /// Saves `session` if it has unsaved edits. `amend`: keep the burst's revision (still
    /// editing) rather than end the burst.
    fn save(&self, session: &Session, burst_goes_on: bool) -> Result<()> {
        // The store lock is taken first and held throughout: `discard` takes it after marking a
        // session closed, so a save never writes a document that is being deleted.
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let (text, version, kind, amend) = {
            let s = session.lock();
            if s.closed || s.open.version() == s.saved_version {
                return Ok(());
            }
            (
                s.open.to_json(),
                s.open.version(),
                s.open.kind(),
                s.burst_revision,
            )
        };
        let outcome = (|| {
            let path = self
                .workspace
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            if store.as_ref().is_none_or(|s| s.path() != path) {
                *store = Some(Store::open(&path)?);
            }
            let store = store
                .as_mut()
                .ok_or_else(|| Error::Rejected("no workspace".into()))?;
            store.save_text(
                &session.name,
                kind,
                &text,
                "edited in Journey Studio",
                amend,
            )
        })();
        let mut s = session.lock();
        match outcome {
            Ok(saved) => {
                s.revision = saved.revision;
                s.saved_version = version;
                s.save_error = None;
                s.burst_revision = burst_goes_on.then_some(saved.revision);
                if s.open.version() == version {
                    s.first_unsaved = None;
                } else {
                    // Edits made while this save ran: their clock starts now.
                    s.first_unsaved = Some(Instant::now());
                }
                Ok(())
            }
            Err(e) => {
                s.save_error = Some(e.to_string());
                Err(e)
            }
        }
    }

    /// Saves what is due; answers how long until the next save is due.
    fn save_due(&self) -> Option<Duration> {
        let settings = self.settings();
        if !settings.enabled {
            return None;
        }
        let sessions: Vec<Arc<Session>> = self.sessions().values().cloned().collect();
        let now = Instant::now();
        let mut next: Option<Duration> = None;
        for session in sessions {
            let (quiet_at, deadline_at) = {
                let s = session.lock();
                match (s.first_unsaved, s.last_edit) {
                    (Some(first), Some(last)) if !s.closed => {
                        (last + settings.delay, first + settings.delay)
                    }
                    _ => continue,
                }
            };
            let due = quiet_at.min(deadline_at);
            if due <= now {
                // Quiet for a delay: the burst is over. Otherwise a checkpoint of a burst.
                let _ = self.save(&session, quiet_at > now);
                // A failed save (disk full, locked) is retried after another delay.
                next = Some(next.map_or(settings.delay, |n| n.min(settings.delay)));
            } else {
                let wait = due - now;
                next = Some(next.map_or(wait, |n| n.min(wait)));
            }
        }
        next
    }
}

/// The open documents of one app, and their saver.
pub struct Editor {
    shared: Arc<Shared>,
    saver: Option<std::thread::JoinHandle<()>>,
}

impl Editor {
    pub fn new(workspace: &Path, autosave: AutosaveSettings) -> Editor {
        let shared = Arc::new(Shared {
            sessions: Mutex::new(HashMap::new()),
            store: Mutex::new(None),
            workspace: Mutex::new(workspace.to_path_buf()),
            autosave: Mutex::new(autosave),
            wake: Condvar::new(),
            wake_flag: Mutex::new(false),
            stop: AtomicBool::new(false),
        });
        let worker = Arc::clone(&shared);
        let saver = std::thread::Builder::new()
            .name("journey-studio-autosave".into())
            .spawn(move || saver_loop(&worker))
            .ok();
        Editor { shared, saver }
    }

    pub fn set_autosave(&self, settings: AutosaveSettings) {
        *self
            .shared
            .autosave
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = settings;
        self.shared.notify();
    }

    /// Opens a stored document at `revision` as a new session, or answers the session that
    /// already has it open.
    pub fn open(
        &self,
        document_id: i64,
        name: &str,
        revision: i64,
        doc: Document,
    ) -> Result<Arc<Session>> {
        if let Some(existing) = self.session_of_document(document_id) {
            return Ok(existing);
        }
        let open = OpenDocument::new(doc)?;
        let session = Arc::new(Session {
            id: format!("s-{}", &edit::new_id()[..8]),
            document_id,
            name: name.to_string(),
            state: Mutex::new(SessionState {
                open,
                saved_version: 0,
                revision,
                first_unsaved: None,
                last_edit: None,
                burst_revision: None,
                save_error: None,
                closed: false,
            }),
        });
        let mut sessions = self.shared.sessions();
        // Another request may have opened it meanwhile: keep the first.
        if let Some(existing) = sessions.values().find(|s| s.document_id == document_id) {
            return Ok(Arc::clone(existing));
        }
        sessions.insert(session.id.clone(), Arc::clone(&session));
        Ok(session)
    }

    pub fn session(&self, id: &str) -> Result<Arc<Session>> {
        self.shared.sessions().get(id).cloned().ok_or_else(|| {
            Error::NotFound(format!(
                "no open document with session `{}` (it was closed; open the document again)",
                crate::json::excerpt(id)
            ))
        })
    }

    pub fn session_of_document(&self, document_id: i64) -> Option<Arc<Session>> {
        self.shared
            .sessions()
            .values()
            .find(|s| s.document_id == document_id)
            .cloned()
    }

    /// Runs one change of the open document (`f` answers a delta, or `None` for no change) and
    /// schedules its save.
    fn change<T>(
        &self,
        id: &str,
        f: impl FnOnce(&mut OpenDocument) -> Result<T>,
    ) -> Result<(T, SessionStatus)> {
        let session = self.session(id)?;
        let delay = self.shared.settings().delay;
        let (result, status) = {
            let mut s = session.lock();
            let before = s.open.version();
            let result = f(&mut s.open)?;
            if s.open.version() != before {
                let now = Instant::now();
                // After a pause of a delay or more, this edit starts a new burst (a new revision).
                if s.last_edit
                    .is_some_and(|last| now.duration_since(last) >= delay)
                {
                    s.burst_revision = None;
                }
                s.last_edit = Some(now);
                s.first_unsaved.get_or_insert(now);
            }
            (result, status_of(&session.id, &s))
        };
        self.shared.notify();
        Ok((result, status))
    }

    pub fn apply_edits(
        &self,
        id: &str,
        edits: &[Edit],
    ) -> Result<((Delta, Vec<String>), SessionStatus)> {
        self.change(id, |open| open.apply_edits(edits))
    }

    pub fn undo(&self, id: &str) -> Result<(Option<Delta>, SessionStatus)> {
        self.change(id, |open| open.undo())
    }

    pub fn redo(&self, id: &str) -> Result<(Option<Delta>, SessionStatus)> {
        self.change(id, |open| open.redo())
    }

    /// Saves the session's unsaved edits now (Ctrl+S), ending its burst.
    pub fn save_now(&self, id: &str) -> Result<SessionStatus> {
        let session = self.session(id)?;
        self.shared.save(&session, false)?;
        Ok(session.status())
    }

    /// Saves what is not saved yet and forgets the session.
    pub fn close(&self, id: &str) -> Result<SessionStatus> {
        let session = self.session(id)?;
        self.shared.save(&session, false)?;
        let status = session.status();
        session.lock().closed = true;
        self.shared.sessions().remove(id);
        Ok(status)
    }

    /// Closes the sessions of a document without saving them (it is being deleted).
    pub fn discard_document(&self, document_id: i64) {
        self.shared.sessions().retain(|_, s| {
            if s.document_id == document_id {
                s.lock().closed = true;
                false
            } else {
                true
            }
        });
        // Wait for a save already under way to finish before the caller deletes.
        drop(self.shared.store.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// Saves and closes every session of a document (before its head changes under it:
    /// restore, pull, conflict resolution). Answers whether one was open.
    pub fn close_document(&self, document_id: i64) -> Result<bool> {
        match self.session_of_document(document_id) {
            Some(session) => self.close(&session.id).map(|_| true),
            None => Ok(false),
        }
    }

    /// Saves every open document.
    pub fn flush(&self) -> Result<()> {
        let sessions: Vec<Arc<Session>> = self.shared.sessions().values().cloned().collect();
        let mut first_error = None;
        for session in sessions {
            if let Err(e) = self.shared.save(&session, false) {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Saves and closes everything, then saves into `workspace` from now on.
    pub fn switch_workspace(&self, workspace: &Path) -> Result<()> {
        self.flush()?;
        let mut sessions = self.shared.sessions();
        for s in sessions.values() {
            s.lock().closed = true;
        }
        sessions.clear();
        *self
            .shared
            .workspace
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = workspace.to_path_buf();
        Ok(())
    }

    pub fn open_sessions(&self) -> usize {
        self.shared.sessions().len()
    }
}

impl Drop for Editor {
    fn drop(&mut self) {
        let _ = self.flush();
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.notify();
        if let Some(saver) = self.saver.take() {
            let _ = saver.join();
        }
    }
}

fn saver_loop(shared: &Shared) {
    while !shared.stop.load(Ordering::SeqCst) {
        let wait = shared.save_due().unwrap_or(Duration::from_secs(3600));
        let flag = shared.wake_flag.lock().unwrap_or_else(|p| p.into_inner());
        let (mut flag, _) = shared
            .wake
            .wait_timeout_while(flag, wait, |woken| !*woken)
            .unwrap_or_else(|p| p.into_inner());
        *flag = false;
    }
}

/// A fixture of this repository, parsed (for the editor's tests).
#[cfg(test)]
pub(crate) fn test_fixture(path: &str) -> crate::Document {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    crate::Document::parse(path, &text).unwrap()
}
#[cfg(test)]
mod tests;
