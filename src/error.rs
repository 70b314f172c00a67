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
            Error::Simulation(_) => "simulation",
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
        let mut s = serializer.serialize_struct("Error", 3)?;
        s.serialize_field("kind", self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field("location", &self.location())?;
        s.end()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
