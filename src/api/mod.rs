//! The command set of the desktop app and the browser bridge, declared once in `commands!`
//! below: each command's name, argument type, result type and handler. From that one table come
//! `dispatch` (used by the Tauri shell's `call` and by `journey-studio serve`) and the
//! TypeScript bindings in `ui/src/api/generated/` (`write_bindings`; a test keeps them current).

mod documents;
mod editing;
mod live;
mod preview;
mod runs;
mod scenarios;
pub mod settings;
mod sync;
mod templates;
pub mod types;
mod workspace;

use crate::editor::{AutosaveSettings, Editor, SessionStatus};
use crate::error::{Error, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use ts_rs::TS;

pub use settings::{JsonFileSettings, LayoutEngine, Settings, SettingsBackend, Theme};
pub use types::*;

/// What every command works on: the workspace (SQLite store), the settings, the documents open
/// in the editor and the previews running.
pub struct AppState {
    /// The open workspace and its file, swapped together by `switch_workspace`.
    store: Mutex<(crate::store::Store, PathBuf)>,
    settings: Box<dyn SettingsBackend>,
    editor: Editor,
    previews: preview::Previews,
    runs: runs::Runs,
    live: crate::app::live::LiveChats,
    streams: crate::app::live::SimStreams,
}

fn autosave_of(settings: &Settings) -> AutosaveSettings {
    AutosaveSettings::new(settings.autosave, settings.autosave_delay_ms)
}

impl AppState {
    /// Opens (creating if needed) the workspace at `workspace`.
    pub fn open(workspace: &Path, settings: Box<dyn SettingsBackend>) -> Result<AppState> {
        let store = crate::store::Store::open(workspace)?;
        // Settings that cannot be read must not stop the app: the defaults apply.
        let autosave = autosave_of(&settings.load().unwrap_or_default());
        Ok(AppState {
            store: Mutex::new((store, workspace.to_path_buf())),
            settings,
            editor: Editor::new(workspace, autosave),
            previews: preview::Previews::default(),
            runs: runs::Runs::default(),
            live: Default::default(),
            streams: Default::default(),
        })
    }

    /// The open workspace's file.
    pub fn workspace(&self) -> PathBuf {
        self.open_workspace().1.clone()
    }

    /// The documents open in the editor.
    pub fn editor(&self) -> &Editor {
        &self.editor
    }

    /// Opens (creating if needed) another workspace and makes it the current one: open
    /// documents are saved and closed first. When it cannot be opened, the current one stays.
    pub fn switch_workspace(&self, workspace: &Path) -> Result<()> {
        let store = crate::store::Store::open(workspace)?;
        self.editor.switch_workspace(workspace)?;
        self.previews.clear();
        self.runs.clear();
        self.live.clear();
        self.streams.clear();
        *self.open_workspace() = (store, workspace.to_path_buf());
        Ok(())
    }

    fn open_workspace(&self) -> std::sync::MutexGuard<'_, (crate::store::Store, PathBuf)> {
        // A handler that panicked cannot have committed half a transaction; keep going.
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn store(&self) -> Result<StoreGuard<'_>> {
        Ok(StoreGuard(self.open_workspace()))
    }
}

/// The open store, locked for one command.
struct StoreGuard<'a>(std::sync::MutexGuard<'a, (crate::store::Store, PathBuf)>);

impl StoreGuard<'_> {
    /// The open workspace's file (ask the guard: locking the state again would deadlock).
    fn path(&self) -> &Path {
        &self.0 .1
    }
}

impl std::ops::Deref for StoreGuard<'_> {
    type Target = crate::store::Store;
    fn deref(&self) -> &crate::store::Store {
        &self.0 .0
    }
}

impl std::ops::DerefMut for StoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut crate::store::Store {
        &mut self.0 .0
    }
}

fn parse_args<T: serde::de::DeserializeOwned>(command: &str, args: Value) -> Result<T> {
    // `null` and absent args read as `{}` so commands without arguments take either.
    let args = if args.is_null() {
        Value::Object(Default::default())
    } else {
        args
    };
    serde_json::from_value(args).map_err(|e| {
        Error::Rejected(format!(
            "command `{command}`: bad arguments: {}",
            crate::json::serde_message(&e)
        ))
    })
}

fn to_value<T: serde::Serialize>(value: T) -> Result<Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::Internal(format!("cannot serialise the result: {e}")))
}

macro_rules! commands {
    ($( $(#[doc = $doc:literal])* $name:ident ( $args:ty ) -> $result:ty = $handler:path; )*) => {
        /// The names of all commands, in declaration order.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// Runs one command: `args` is its argument object, the result its result object.
        pub fn dispatch(state: &AppState, command: &str, args: Value) -> Result<Value> {
            match command {
                $( stringify!($name) => {
                    let args: $args = parse_args(command, args)?;
                    let result: $result = $handler(state, args)?;
                    to_value(result)
                } )*
                other => Err(Error::NotFound(format!("unknown command `{other}` (known: {})", COMMANDS.join(", ")))),
            }
        }

        /// Every argument and result type with its dependencies, as `(file name, contents)`.
        pub fn bindings() -> Result<Vec<(String, String)>> {
            let dir = tempdir_for_bindings()?;
            $(
                <$args as TS>::export_all_to(&dir).map_err(bindings_err)?;
                <$result as TS>::export_all_to(&dir).map_err(bindings_err)?;
            )*
            // What every command answers when it fails.
            <crate::error::ErrorPayload<'static> as TS>::export_all_to(&dir).map_err(bindings_err)?;
            let mut files = collect(&dir, &dir)?;
            let _ = std::fs::remove_dir_all(&dir);
            let mut imports = std::collections::BTreeSet::new();
            let mut table = String::new();
            $(
                imports.insert(<$args as TS>::name());
                imports.insert(<$result as TS>::name());
                let doc: &[&str] = &[$($doc),*];
                if !doc.is_empty() {
                    table.push_str(&format!("  /**{} */\n", doc.join("\n   *")));
                }
                table.push_str(&format!("  {}: {{ args: {}; result: {} }};\n", stringify!($name), <$args as TS>::name(), <$result as TS>::name()));
            )*
            let mut ts = String::from("// Generated from src/api/mod.rs (`commands!`) by `cargo test --lib api`. Do not edit.\n\n");
            for name in &imports {
                ts.push_str(&format!("import type {{ {name} }} from \"./{name}\";\n"));
            }
            ts.push_str("\n/** Every command: its arguments and its result. */\nexport interface Commands {\n");
            ts.push_str(&table);
            ts.push_str("}\n\nexport type CommandName = keyof Commands;\n\nexport const COMMAND_NAMES: CommandName[] = [\n");
            $( ts.push_str(&format!("  \"{}\",\n", stringify!($name))); )*
            ts.push_str("];\n");
            files.push(("commands.ts".into(), ts));
            files.sort();
            Ok(files)
        }
    };
}

fn bindings_err(e: ts_rs::ExportError) -> Error {
    Error::Rejected(format!("cannot generate TypeScript bindings: {e}"))
}

fn tempdir_for_bindings() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "journey-studio-bindings-{}",
        crate::editor::edit::new_id()
    ));
    std::fs::create_dir_all(&dir).map_err(|source| Error::Write {
        file: dir.display().to_string(),
        source,
    })?;
    Ok(dir)
}

fn collect(root: &Path, dir: &Path) -> Result<Vec<(String, String)>> {
    let read_err = |source| Error::Read {
        file: dir.display().to_string(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        if path.is_dir() {
            out.extend(collect(root, &path)?);
        } else {
            let text = std::fs::read_to_string(&path).map_err(|source| Error::Read {
                file: path.display().to_string(),
                source,
            })?;
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((name, text));
        }
    }
    Ok(out)
}

/// Writes the bindings into `dir` (replacing what is there).
pub fn write_bindings(dir: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    for (name, text) in bindings()? {
        let path = dir.join(&name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Write {
                file: parent.display().to_string(),
                source,
            })?;
        }
        crate::json::write_atomic(&path, &text)?;
    }
    Ok(())
}

use documents as d;
use editing as e;
use preview as p;
use runs as r;
use scenarios as sc;
use templates as t;
use workspace as w;

commands! {
    /// The open workspace: its file and counts.
    workspace_info(NoArgs) -> WorkspaceInfo = w::workspace_info;
    /// Opens another workspace file (created when missing) and remembers it in the settings.
    open_workspace(OpenWorkspaceArgs) -> WorkspaceInfo = w::open_workspace;
    settings_get(NoArgs) -> Settings = w::settings_get;
    /// Merges `patch` into the settings and saves them.
    settings_update(SettingsPatchArgs) -> Settings = w::settings_update;
    /// Documents in the workspace, optionally filtered by a text in their name or kind.
    list_documents(ListDocumentsArgs) -> DocumentList = d::list_documents;
    /// Imports any JSON the core reads (Sim export or state, journey) as a new document.
    import_document(ImportDocumentArgs) -> DocumentRef = d::import_document;
    export_document(DocumentIdArgs) -> ExportedDocument = d::export_document;
    /// A new document: a blank workflow (Sim's start block), a blank journey, or from a template.
    create_document(CreateDocumentArgs) -> DocumentRef = d::create_document;
    /// Deletes a document with its history, sync state and scenarios (an open one is closed
    /// without saving).
    delete_document(DocumentIdArgs) -> Deleted = d::delete_document;
    document_history(DocumentIdArgs) -> DocumentHistory = d::document_history;
    /// Makes an old revision the head again, as a new revision (the open document is saved and
    /// closed first; open it again).
    restore_revision(RestoreRevisionArgs) -> RevisionRef = d::restore_revision;
    /// A unified diff between two revisions of one document.
    revision_diff(RevisionDiffArgs) -> DiffText = d::revision_diff;
    /// Opens a document in the editor: its session, the whole canvas view and diagnostics.
    open_document(DocumentIdArgs) -> OpenedDocument = e::open_document;
    /// Applies edits as one undoable step; answers only what changed.
    apply_edits(ApplyEditsArgs) -> EditResult = e::apply_edits;
    undo(SessionArgs) -> EditResult = e::undo;
    redo(SessionArgs) -> EditResult = e::redo;
    /// Saves the session's edits now (they are autosaved anyway).
    save_now(SessionArgs) -> SessionStatus = e::save_now;
    /// Saves what is not saved yet and closes the session.
    close_document(SessionArgs) -> SessionStatus = e::close_document;
    session_status(SessionArgs) -> SessionStatus = e::session_status;
    /// What the inspector shows for a node, an edge or `journey`: typed fields and their paths.
    inspect(InspectArgs) -> crate::editor::inspect::InspectorView = e::inspect;
    /// What can be added to a workflow or a journey: a light list (look, handles), no fields.
    palette(PaletteArgs) -> PaletteList = e::palette;
    /// One palette item whole: its fields (types, options, defaults) and outputs.
    palette_item(PaletteItemArgs) -> crate::sim::registry::PaletteItem = e::palette_item;
    /// The `<block.path>` references a block's fields can use: outputs of the blocks upstream,
    /// loop and parallel variables, workflow variables.
    references(ReferencesArgs) -> ReferenceList = e::references;
    /// The open document converted (not saved): its canvas view and the mapping.
    convert(ConvertArgs) -> ConvertPreview = e::convert;
    /// Saves the open document converted, as a new document of the workspace.
    save_converted(SaveConvertedArgs) -> DocumentRef = e::save_converted;
    /// Starts a conversation with the open journey as it is now; answers the preview's id.
    sim_start(SimStartArgs) -> SimStep = p::sim_start;
    /// The customer's next message.
    sim_send(SimSendArgs) -> SimStep = p::sim_send;
    /// Forces a transition (by edge id) from the active state.
    sim_choose(SimChooseArgs) -> SimStep = p::sim_choose;
    sim_back(SimArgs) -> SimStep = p::sim_back;
    sim_restart(SimArgs) -> SimStep = p::sim_restart;
    /// Ends a preview and forgets it.
    sim_stop(SimArgs) -> Message = p::sim_stop;
    /// Saves the conversation so far as a scenario of its document, expecting what happened
    /// (its path, final state and agent messages).
    sim_save_scenario(SimSaveScenarioArgs) -> ScenarioRef = p::sim_save_scenario;
    /// The open workflow's start block and its input form (typed fields).
    run_form(r::RunFormArgs) -> crate::app::runs::StartForm = r::run_form;
    /// Runs the open workflow with mocks: the trace, each block and edge as the canvas draws
    /// it, the open pauses with their forms; answers the run's id.
    run_start(r::RunStartArgs) -> r::RunView = r::run_start;
    /// Answers a pause (human in the loop) of a run; the run goes on from it.
    run_resume(r::RunResumeArgs) -> r::RunView = r::run_resume;
    /// Forgets a run.
    run_stop(r::RunArgs) -> Message = r::run_stop;
    /// The open workflow and its converted journey (or a journey of the workspace) under one
    /// customer message: each side's steps and where they first diverge.
    parity_check(r::ParityArgs) -> r::ParityView = r::parity_check;
    /// The open document's scenarios: turns and expectations.
    scenarios_list(SessionArgs) -> ScenarioList = sc::scenarios_list;
    /// Runs the open document's scenarios (or the one named) on the document as edited now.
    scenarios_run(ScenariosRunArgs) -> crate::app::scenarios::SuiteOutcome = sc::scenarios_run;
    /// Replaces a scenario's expectations (its turns and mocks stay).
    scenario_set_expectations(ScenarioExpectationsArgs) -> ScenarioRef = sc::scenario_set_expectations;
    scenario_delete(ScenarioNameArgs) -> Message = sc::scenario_delete;
    /// Opens a chat with the real agent on a Parlant remote (a new session).
    live_chat_start(LiveChatStartArgs) -> crate::app::live::LiveChat = live::live_chat_start;
    /// Posts a customer message to a live chat; the agent's answer follows its offset.
    live_chat_send(LiveChatSendArgs) -> LiveSent = live::live_chat_send;
    /// The live chat's events from an offset, long-polling up to `wait_secs` for the first.
    live_chat_events(LiveChatEventsArgs) -> crate::app::live::LiveEvents = live::live_chat_events;
    live_chat_stop(LiveChatArgs) -> Message = live::live_chat_stop;
    /// Runs a Sim remote's deployed workflow as a Server-Sent Events stream; answers its chunks
    /// per block, its status and output.
    sim_run_stream(SimRunStreamArgs) -> crate::app::live::SimStreamRun = live::sim_run_stream;
    /// Starts the same run on a thread of the core's and answers at once; `sim_stream_poll`
    /// follows it chunk by chunk (its blocks lit on the open workflow when the run is of it).
    sim_stream_start(SimRunStreamArgs) -> crate::app::live::SimStreamProgress = live::sim_stream_start;
    /// A streamed run's progress once it passes `seen` (long-polling up to `wait_secs`).
    sim_stream_poll(SimStreamPollArgs) -> crate::app::live::SimStreamProgress = live::sim_stream_poll;
    /// Forgets a streamed run.
    sim_stream_forget(SimStreamArgs) -> Message = live::sim_stream_forget;
    templates_list(TemplatesListArgs) -> TemplateList = t::templates_list;
    template_show(TemplateIdArgs) -> TemplateDetail = t::template_show;
    /// Instantiates a template as a new document of the workspace.
    template_instantiate(TemplateInstantiateArgs) -> DocumentRef = t::template_instantiate;
    /// Checks parameter values against a template's specs (every problem, nothing created).
    template_check(TemplateCheckArgs) -> TemplateProblems = t::template_check;
    /// What `template lint` finds in a template of the library.
    template_lint(TemplateIdArgs) -> TemplateProblems = t::template_lint;
    /// The texts of the open document that can become template parameters.
    template_texts(SessionArgs) -> TemplateTexts = t::template_texts;
    /// Saves the open document as a template (the workspace's template folder) and lints it.
    template_save(TemplateSaveArgs) -> TemplateSaved = t::template_save;
    /// Configured remotes (secrets are never returned).
    remotes_list(NoArgs) -> RemoteList = sync::remotes_list;
    /// Adds (or updates) a remote; its secrets go to the OS keyring, never the workspace.
    remote_add(RemoteAddArgs) -> RemoteSummary = sync::remote_add;
    /// Removes a remote and its stored key.
    remote_remove(RemoteNameArgs) -> Message = sync::remote_remove;
    /// Reaches the remote with its stored credentials.
    remote_test(RemoteNameArgs) -> RemoteTestResult = sync::remote_test;
    /// Pushes a document's head to a remote through the outbox (a changed remote is a conflict;
    /// validation errors stop it unless `allow_invalid`); the open document's edits are saved
    /// first.
    push(PushArgs) -> SyncOutcome = sync::push;
    /// Pulls `remote_id` into a document (three-way); without `remote_id`, lists the remote.
    pull(PullArgs) -> PullResult = sync::pull;
    /// Resolves an open conflict: keep_mine, take_theirs or both.
    resolve_conflict(ResolveConflictArgs) -> Message = sync::resolve_conflict;
    /// The outbox of pending pushes and the open conflicts (with their diffs).
    sync_status(NoArgs) -> SyncStatus = sync::sync_status;
    /// Sends what waits in the outbox (what is due, or everything with `now`).
    sync_retry(SyncRetryArgs) -> SyncRetried = sync::sync_retry;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/api/generated")
    }

    /// Fails when ui/src/api/generated differs from the Rust types; `JS_WRITE_BINDINGS=1`
    /// rewrites them.
    #[test]
    fn typescript_bindings_are_up_to_date() {
        let dir = generated_dir();
        if std::env::var_os("JS_WRITE_BINDINGS").is_some() {
            write_bindings(&dir).unwrap();
        }
        let expected = bindings().unwrap();
        let actual = collect(&dir, &dir).unwrap_or_default();
        let mut actual = actual;
        actual.sort();
        let names = |v: &[(String, String)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&actual),
            names(&expected),
            "generated files differ; run `JS_WRITE_BINDINGS=1 cargo test --lib api::tests`"
        );
        for ((name, a), (_, e)) in actual.iter().zip(&expected) {
            assert_eq!(
                a, e,
                "{name} is out of date; run `JS_WRITE_BINDINGS=1 cargo test --lib api::tests`"
            );
        }
        let commands = &expected.iter().find(|(n, _)| n == "commands.ts").unwrap().1;
        for name in COMMANDS {
            assert!(
                commands.contains(&format!("  {name}: {{ args: ")),
                "{name} missing from commands.ts"
            );
        }
    }

    /// The designer's preview settings reach the core's session through `dispatch`; a call may
    /// name its own options.
    #[test]
    fn the_preview_starts_with_the_settings_options() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::open(
            &dir.path().join("w.db"),
            Box::new(JsonFileSettings::new(dir.path().join("s.json"))),
        )
        .unwrap();
        let content = std::fs::read_to_string(format!(
            "{}/fixtures/journeys/book-flight.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let id = dispatch(
            &state,
            "import_document",
            serde_json::json!({"content": content}),
        )
        .unwrap()["id"]
            .clone();
        let session = dispatch(&state, "open_document", serde_json::json!({"id": id})).unwrap()
            ["session"]
            .clone();
        let patch =
            serde_json::json!({"patch": {"preview": {"matcher": "keywords", "threshold": 0.9}}});
        dispatch(&state, "settings_update", patch).unwrap();
        let step = dispatch(&state, "sim_start", serde_json::json!({"session": session})).unwrap();
        assert_eq!(step["matcher"], "keywords");
        assert_eq!(step["options"]["threshold"], 0.9);
        assert!(step["matcher_detail"]
            .as_str()
            .unwrap()
            .contains("chosen in the session's options"));
        let sent = dispatch(
            &state,
            "sim_send",
            serde_json::json!({"sim": step["sim"], "message": "Paris, please"}),
        )
        .unwrap();
        let text = sent["events"].to_string();
        assert!(text.contains("no transition reached 0.90"), "{text}");
        // The call's own options win over the settings.
        let step = dispatch(
            &state,
            "sim_start",
            serde_json::json!({"session": session, "options": {"matcher": "keywords", "threshold": 0.3}}),
        )
        .unwrap();
        assert_eq!(step["options"]["threshold"], 0.3);
        let err = dispatch(
            &state,
            "sim_start",
            serde_json::json!({"session": session, "options": {"threshold": 3}}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("options.threshold is 3"), "{err}");
    }

    #[test]
    fn unknown_commands_and_bad_args_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::open(
            &dir.path().join("w.db"),
            Box::new(JsonFileSettings::new(dir.path().join("s.json"))),
        )
        .unwrap();
        let err = dispatch(&state, "nope", Value::Null).unwrap_err();
        assert_eq!(err.kind(), "not_found");
        let err = dispatch(&state, "open_document", serde_json::json!({"id": "x"})).unwrap_err();
        assert!(err.to_string().contains("open_document"), "{err}");
    }

    #[test]
    fn open_workspace_switches_stores_and_remembers_them() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first.db");
        let state = AppState::open(
            &first,
            Box::new(JsonFileSettings::new(dir.path().join("s.json"))),
        )
        .unwrap();
        let content = std::fs::read_to_string(format!(
            "{}/fixtures/journeys/book-flight.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        dispatch(
            &state,
            "import_document",
            serde_json::json!({"content": content}),
        )
        .unwrap();
        let count = |state: &AppState| {
            dispatch(state, "list_documents", Value::Null).unwrap()["documents"]
                .as_array()
                .unwrap()
                .len()
        };
        assert_eq!(count(&state), 1);

        let second = dir.path().join("second.db");
        let info = dispatch(
            &state,
            "open_workspace",
            serde_json::json!({"path": second.display().to_string()}),
        )
        .unwrap();
        assert_eq!(info["path"], second.display().to_string());
        assert_eq!(count(&state), 0, "a new workspace is empty");
        dispatch(
            &state,
            "open_workspace",
            serde_json::json!({"path": first.display().to_string()}),
        )
        .unwrap();
        assert_eq!(count(&state), 1, "the first workspace kept its document");
        let settings = dispatch(&state, "settings_get", Value::Null).unwrap();
        assert_eq!(
            settings["recent_workspaces"],
            serde_json::json!([first.display().to_string(), second.display().to_string()])
        );

        // A bad path names the problem and leaves the open workspace as it was.
        let missing = dir.path().join("no-such-folder").join("w.db");
        let err = dispatch(
            &state,
            "open_workspace",
            serde_json::json!({"path": missing.display().to_string()}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("no-such-folder"), "{err}");
        let err = dispatch(
            &state,
            "open_workspace",
            serde_json::json!({"path": dir.path().display().to_string()}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("is a folder"), "{err}");
        let not_sqlite = dir.path().join("notes.db");
        std::fs::write(&not_sqlite, "plain text, not a workspace").unwrap();
        assert!(dispatch(
            &state,
            "open_workspace",
            serde_json::json!({"path": not_sqlite.display().to_string()})
        )
        .is_err());
        assert_eq!(
            std::fs::read_to_string(&not_sqlite).unwrap(),
            "plain text, not a workspace",
            "a file that is not a workspace is left untouched"
        );
        assert_eq!(state.workspace(), first);
        assert_eq!(count(&state), 1);
    }
}
