//! The core's one error type. Every error about a document names the file and, where it is
//! about a value inside it, the JSON path and the line/column of that value.

use crate::json::JsonPath;
use serde::Serialize;
use std::fmt;

/// Where a problem is: the file, the JSON path inside it, and its line/column when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub path: JsonPath,
    pub line: Option<usize>,
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
    #[error("{location}: {message}")]
    Parse { location: Location, message: String },
    /// The JSON is well formed but breaks a rule the document format depends on.
    #[error("{location}: {message}")]
    Invalid { location: Location, message: String },
    /// The file is JSON but not a document Journey Studio knows.
    #[error("{file}: {message}")]
    UnknownKind { file: String, message: String },
    /// An operation was asked of a document that cannot do it.
    #[error("{0}")]
    Unsupported(String),
    /// A template, or the parameters given to it, has problems; all of them are listed at once.
    #[error("{}", crate::template::Problem::render_all(template, problems))]
    Template {
        template: String,
        problems: Vec<crate::template::Problem>,
    },
    /// The local workspace (SQLite) failed or holds something unexpected.
    #[error("workspace {file}: {message}")]
    Store { file: String, message: String },
    /// A server could not be reached, timed out, or answered with an error.
    #[error("remote `{remote}`: {message}")]
    Remote {
        remote: String,
        message: String,
        retryable: bool,
        retry_after: Option<u64>,
    },
    /// The remote changed since the last sync and so did the local copy.
    #[error("conflict on `{document}` with remote `{remote}`: {message}")]
    Conflict {
        document: String,
        remote: String,
        message: String,
    },
    /// A secret (API key) could not be stored or found. Never carries the secret itself.
    #[error("secret for remote `{remote}`: {message}")]
    Secret { remote: String, message: String },
    /// Something the user asked for does not exist (a document, revision, remote).
    #[error("{0}")]
    NotFound(String),
    /// A simulation was asked something it cannot do (a step out of order, an unknown edge,
    /// a scenario that does not fit its document).
    #[error("simulation: {0}")]
    Simulation(String),
}

impl Error {
    /// The stable name of the error's kind, for the UI and JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Read { .. } => "read",
            Error::Write { .. } => "write",
            Error::TooLarge { .. } => "too_large",
            Error::Parse { .. } => "parse",
            Error::Invalid { .. } => "invalid",
            Error::UnknownKind { .. } => "unknown_kind",
            Error::Unsupported(_) => "unsupported",
            Error::Template { .. } => "template",
            Error::Store { .. } => "store",
            Error::Remote { .. } => "remote",
            Error::Conflict { .. } => "conflict",
            Error::Secret { .. } => "secret",
            Error::NotFound(_) => "not_found",
            Error::Simulation(_) => "simulation",
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

/// Errors cross the IPC boundary and the CLI's `--format json` as `{kind, message, location}`.
impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Error", 4)?;
        s.serialize_field("kind", self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field("location", &self.location())?;
        match self {
            Error::Template { problems, .. } => s.serialize_field("problems", problems)?,
            _ => s.skip_field("problems")?,
        }
        s.end()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
