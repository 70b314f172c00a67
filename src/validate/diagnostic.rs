//! What the validator reports: diagnostics a designer can act on, each pointing at nodes or
//! edges and a JSON path, with a fix hint. Serialised as-is for the desktop UI and `--format json`.

use super::catalogue;
use crate::json::JsonPath;
use serde::Serialize;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Diagnostic {
    /// Stable code from the catalogue (`J###` journeys, `W###` workflows, `C###` conversion).
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Ids of the nodes (journey states, Sim blocks) the problem is about.
    pub node_ids: Vec<String>,
    /// Ids of the edges the problem is about.
    pub edge_ids: Vec<String>,
    /// Where in the document: the value to look at or change.
    pub path: JsonPath,
    pub hint: String,
}

impl Diagnostic {
    /// A diagnostic for a catalogued code; severity and the default hint come from the catalogue.
    pub fn new(code: &'static str, path: JsonPath, message: impl Into<String>) -> Diagnostic {
        let rule = catalogue::rule(code);
        debug_assert!(rule.is_some(), "uncatalogued diagnostic code {code}");
        Diagnostic {
            code,
            severity: rule.map_or(Severity::Error, |r| r.severity),
            message: message.into(),
            node_ids: Vec::new(),
            edge_ids: Vec::new(),
            path,
            hint: rule.map_or_else(String::new, |r| r.fix.to_string()),
        }
    }

    pub fn node(mut self, id: impl Into<String>) -> Diagnostic {
        self.node_ids.push(id.into());
        self
    }

    pub fn edge(mut self, id: impl Into<String>) -> Diagnostic {
        self.edge_ids.push(id.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = hint.into();
        self
    }
}

/// Every diagnostic of one document, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Report {
    pub fn new(diagnostics: Vec<Diagnostic>) -> Report {
        // Paths are rendered once; ties fall back to code and message, so the order never
        // depends on the order diagnostics were produced in.
        let keys: Vec<String> = diagnostics.iter().map(|d| d.path.to_string()).collect();
        let mut order: Vec<usize> = (0..diagnostics.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            keys[a]
                .cmp(&keys[b])
                .then(diagnostics[a].code.cmp(diagnostics[b].code))
                .then(diagnostics[a].message.cmp(&diagnostics[b].message))
                .then_with(|| diagnostics[a].node_ids.cmp(&diagnostics[b].node_ids))
                .then_with(|| diagnostics[a].edge_ids.cmp(&diagnostics[b].edge_ids))
        });
        let mut slots: Vec<Option<Diagnostic>> = diagnostics.into_iter().map(Some).collect();
        let diagnostics: Vec<Diagnostic> =
            order.into_iter().filter_map(|i| slots[i].take()).collect();
        let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
        Report {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            diagnostics,
        }
    }

    pub fn has_code(&self, code: &str) -> bool {
        self.diagnostics.iter().any(|d| d.code == code)
    }

    pub fn with_code<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Diagnostic> + 'a {
        self.diagnostics.iter().filter(move |d| d.code == code)
    }

    pub fn extend(&mut self, more: Vec<Diagnostic>) {
        let mut all = std::mem::take(&mut self.diagnostics);
        all.extend(more);
        *self = Report::new(all);
    }
}
