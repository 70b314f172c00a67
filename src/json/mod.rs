//! JSON plumbing shared by every document model: lossless structs, located errors, safe reading.

mod lossless;
mod maybe;
mod message;
mod path;
mod unique_map;

pub use maybe::Maybe;
pub use message::{bounded, excerpt, readable, serde_message, EXCERPT_CHARS};
pub use path::{line_column, locate, JsonPath, Segment};
pub use unique_map::UniqueMap;

use crate::error::{Error, Location, Result};
use serde::de::DeserializeOwned;
use std::io::Read;
use std::path::Path;

/// The largest document read at once. A real Sim export is tens of kilobytes; synthetic
/// 10,000-block workflows are a few megabytes. Anything larger is refused before it is read.
pub const MAX_DOCUMENT_BYTES: u64 = 32 * 1024 * 1024;

/// Reads a document's text, refusing files over the size limit and text that is not UTF-8.
pub fn read_text(path: &Path) -> Result<String> {
    let file = path.display().to_string();
    let read_err = |source| Error::Read {
        file: file.clone(),
        source,
    };
    let handle = std::fs::File::open(path).map_err(read_err)?;
    let size = handle.metadata().map_err(read_err)?.len();
    if size > MAX_DOCUMENT_BYTES {
        return Err(Error::TooLarge {
            file,
            size,
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // `take` guards against a file that grows while it is read.
    handle
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(Error::TooLarge {
            file,
            size: bytes.len() as u64,
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    text_from_bytes(&file, bytes)
}

/// UTF-8 text from bytes (a leading byte-order mark is dropped), or an error at the bad byte.
pub fn text_from_bytes(file: &str, bytes: Vec<u8>) -> Result<String> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(text)
        }
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&err.as_bytes()[..valid]).into_owned();
            let (line, column) = line_column(&text, valid);
            Err(Error::Parse {
                location: Location {
                    file: file.to_string(),
                    path: JsonPath::root(),
                    line: Some(line),
                    column: Some(column),
                },
                message: format!("the file is not UTF-8 text (invalid byte at offset {valid})"),
            })
        }
    }
}

/// Deserialises `text`, turning any failure into an error with path, line and column.
pub fn from_str_located<T: DeserializeOwned>(file: &str, text: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = JsonPath::from(err.path());
        parse_error(file, path, err.inner())
    })?;
    de.end()
        .map_err(|err| parse_error(file, JsonPath::root(), &err))?;
    Ok(value)
}

fn parse_error(file: &str, path: JsonPath, err: &serde_json::Error) -> Error {
    // Without serde_json's " at line L column C" (the location is reported separately), Rust's
    // type names, or more than an excerpt of a value.
    let message = serde_message(err);
    let message = if err.is_eof() {
        format!("{message} (the file ends too early: is it truncated?)")
    } else if message.contains("recursion limit exceeded") {
        format!("{message} (values are nested more than 128 levels deep)")
    } else {
        message
    };
    let (line, column) = if err.line() > 0 {
        (Some(err.line()), Some(err.column()))
    } else {
        (None, None)
    };
    Error::Parse {
        location: Location {
            file: file.to_string(),
            path,
            line,
            column,
        },
        message,
    }
}

/// An error about the value at `path`, located in `text` when the path can be found there. A
/// value the message quotes is cut to an excerpt.
pub fn invalid_at(file: &str, text: &str, path: JsonPath, message: impl Into<String>) -> Error {
    let (line, column) = match locate(text, &path) {
        Some(offset) => {
            let (line, column) = line_column(text, offset);
            (Some(line), Some(column))
        }
        None => (None, None),
    };
    Error::Invalid {
        location: Location {
            file: file.to_string(),
            path,
            line,
            column,
        },
        message: readable(&message.into()),
    }
}

/// Pretty JSON as Sim and Parlant write it (two-space indent, trailing newline).
pub fn to_pretty<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("document models always serialise");
    text.push('\n');
    text
}

/// Writes a file atomically: a temporary sibling is written, synced, then renamed over the target,
/// so a crash leaves either the old file or the new one, never a half-written file.
pub fn write_atomic(path: &Path, contents: &str) -> Result<()> {
    let file = path.display().to_string();
    let write_err = |source| Error::Write {
        file: file.clone(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        use std::io::Write;
        let mut out = std::fs::File::create(&temp)?;
        out.write_all(contents.as_bytes())?;
        out.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(write_err)
}
