//! The core's one error type. Every error about a document names the file and, where it is
//! about a value inside it, the JSON path and the line/column of that value.

use crate::json::JsonPath;
use serde::Serialize;
use std::fmt;
use ts_rs::TS;

/// Where a problem is: the file, the JSON path inside it, and its line/column when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Location {
    pub file: String,
    /// Written as text: `state.blocks.b7.data.parentId`.
    #[ts(type = "string")]
    pub path: JsonPath,
    #[ts(type = "number | null")]
    pub line: Option<usize>,
    #[ts(type = "number | null")]
    pub column: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": at {}", self.path)
    }
}

/// Every message is shown through `json::bounded`: a value from the input is quoted by an
/// excerpt (at most 400 characters), never whole, whichever code built the message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: cannot write: {source}")]
    Write {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: the file is {size} bytes; one document may be at most {limit} bytes")]
    TooLarge { file: String, size: u64, limit: u64 },
    /// The text is not valid JSON, or a value has the wrong type for its field.
    #[error("{location}: {}", crate::json::bounded(message))]
    Parse { location: Location, message: String },
    /// The JSON is well formed but breaks a rule the document format depends on.
    #[error("{location}: {}", crate::json::bounded(message))]
    Invalid { location: Location, message: String },
    /// The file is JSON but not a document Journey Studio knows.
    #[error("{file}: {}", crate::json::bounded(message))]
    UnknownKind { file: String, message: String },
    /// An operation was asked of a kind of document that cannot do it (converting a journey to
    /// a journey, pushing a workflow to Parlant).
    #[error("{}", crate::json::bounded(.0))]
    Unsupported(String),
    /// The request is well formed but its values are refused: an edit that would break a rule
    /// of the document (a second block of the same name), a bad option, a command's arguments.
    #[error("{}", crate::json::bounded(.0))]
    Rejected(String),
    /// Journey Studio itself failed (a runtime that would not start, a value it could not
    /// serialise): not the user's input, worth reporting.
    #[error("internal error: {}", crate::json::bounded(.0))]
    Internal(String),
    /// A template, or the parameters given to it, has problems; all of them are listed at once.
    #[error("{}", crate::template::Problem::render_all(template, problems))]
    Template {
        template: String,
        problems: Vec<crate::template::Problem>,
    },
    /// The local workspace (SQLite) failed or holds something unexpected.
    #[error("workspace {file}: {}", crate::json::bounded(message))]
    Store { file: String, message: String },
    /// A server could not be reached, timed out, or answered with an error.
    #[error("{}", crate::json::bounded(&format!("remote `{remote}`: {message}")))]
    Remote {
        remote: String,
        message: String,
        retryable: bool,
        retry_after: Option<u64>,
    },
    /// The remote changed since the last sync and so did the local copy.
    #[error(
        "conflict on `{document}` with remote `{remote}`: {}",
        crate::json::bounded(message)
    )]
    Conflict {
        document: String,
        remote: String,
        message: String,
    },
    /// A secret (API key) could not be stored or found. Never carries the secret itself.
    #[error("secret for remote `{remote}`: {}", crate::json::bounded(message))]
    Secret { remote: String, message: String },
    /// Something the user asked for does not exist (a document, revision, remote).
    #[error("{}", crate::json::bounded(.0))]
    NotFound(String),
    /// A simulation was asked something it cannot do (a step out of order, an unknown edge,
    /// a scenario that does not fit its document).
    #[error("simulation: {}", crate::json::bounded(.0))]
    Simulation(String),
}

/// The stable kinds of [`Error`], as the UI and `--format json` see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Read,
    Write,
    TooLarge,
    Parse,
    Invalid,
    UnknownKind,
    Unsupported,
    Rejected,
    Internal,
    Template,
    Store,
    Remote,
    Conflict,
    Secret,
    NotFound,
    Simulation,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Read => "read",
            ErrorKind::Write => "write",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Parse => "parse",
            ErrorKind::Invalid => "invalid",
            ErrorKind::UnknownKind => "unknown_kind",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Rejected => "rejected",
            ErrorKind::Internal => "internal",
            ErrorKind::Template => "template",
            ErrorKind::Store => "store",
            ErrorKind::Remote => "remote",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Secret => "secret",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Simulation => "simulation",
        }
    }
}

/// An error as it crosses the IPC boundary and the CLI's `--format json` (generated into the
/// UI's bindings as `CoreError`).
#[derive(Debug, Serialize, TS)]
#[ts(rename = "CoreError")]
pub struct ErrorPayload<'a> {
    pub kind: ErrorKind,
    pub message: String,
    pub location: Option<&'a Location>,
    /// Template problems, each `{at, message}` (kind `template` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub problems: Option<&'a [crate::template::Problem]>,
}

impl Error {
    /// The error's kind.
    pub fn error_kind(&self) -> ErrorKind {
        match self {
            Error::Read { .. } => ErrorKind::Read,
            Error::Write { .. } => ErrorKind::Write,
            Error::TooLarge { .. } => ErrorKind::TooLarge,
            Error::Parse { .. } => ErrorKind::Parse,
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::UnknownKind { .. } => ErrorKind::UnknownKind,
            Error::Unsupported(_) => ErrorKind::Unsupported,
            Error::Rejected(_) => ErrorKind::Rejected,
            Error::Internal(_) => ErrorKind::Internal,
            Error::Template { .. } => ErrorKind::Template,
            Error::Store { .. } => ErrorKind::Store,
            Error::Remote { .. } => ErrorKind::Remote,
            Error::Conflict { .. } => ErrorKind::Conflict,
            Error::Secret { .. } => ErrorKind::Secret,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Simulation(_) => ErrorKind::Simulation,
        }
    }

    /// The stable name of the error's kind (`ErrorKind` as text).
    pub fn kind(&self) -> &'static str {
        self.error_kind().as_str()
    }

    /// The error as the UI and JSON output see it.
    pub fn payload(&self) -> ErrorPayload<'_> {
        ErrorPayload {
            kind: self.error_kind(),
            message: self.to_string(),
            location: self.location(),
            problems: match self {
                Error::Template { problems, .. } => Some(problems),
                _ => None,
            },
        }
    }

    /// A transient remote failure worth retrying later (server down, timeout, 5xx, 429), with
    /// the server's `Retry-After` in seconds when it gave one.
    pub fn retry_hint(&self) -> Option<Option<u64>> {
        match self {
            Error::Remote {
                retryable: true,
                retry_after,
                ..
            } => Some(*retry_after),
            _ => None,
        }
    }

    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Parse { location, .. } | Error::Invalid { location, .. } => Some(location),
            _ => None,
        }
    }
}

/// Errors cross the IPC boundary and the CLI's `--format json` as [`ErrorPayload`].
impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.payload().serialize(serializer)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::ErrorKind::{self, *};

    #[test]
    fn kind_names_are_the_serialised_names() {
        let all: [ErrorKind; 16] = [
            Read,
            Write,
            TooLarge,
            Parse,
            Invalid,
            UnknownKind,
            Unsupported,
            Rejected,
            Internal,
            Template,
            Store,
            Remote,
            Conflict,
            Secret,
            NotFound,
            Simulation,
        ];
        for kind in all {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                kind.as_str(),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn an_error_serialises_as_its_payload() {
        let e = super::Error::Rejected("another block is already named `A`".into());
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"kind": "rejected", "message": "another block is already named `A`", "location": null})
        );
    }
}
