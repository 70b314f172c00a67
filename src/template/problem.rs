//! A problem found in a template or in the parameters given to it. Template work collects every
//! problem it can find before giving up, so a designer fixes them all in one pass.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Problem {
    /// Where: a parameter (`parameters.company`), a JSON path in the body (`body.nodes[2].action`),
    /// or the template reference (`extends`, `composes[0]`).
    pub at: String,
    pub message: String,
}

impl Problem {
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            at: at.into(),
            message: message.into(),
        }
    }

    /// The problem seen from an enclosing template (`composes[0] (faq)`, `extends`).
    pub fn within(self, prefix: &str) -> Problem {
        Problem {
            at: format!("{prefix} > {}", self.at),
            message: self.message,
        }
    }

    pub fn render_all(template: &str, problems: &[Problem]) -> String {
        let mut out = match problems.len() {
            1 => format!("template `{}`: 1 problem:", crate::json::excerpt(template)),
            n => format!(
                "template `{}`: {n} problems:",
                crate::json::excerpt(template)
            ),
        };
        // A message quotes at most an excerpt of each value, and lists at most this many.
        const SHOWN: usize = 20;
        const LINE: usize = 400;
        for p in problems.iter().take(SHOWN) {
            let line = crate::json::readable(&p.to_string());
            match line.char_indices().nth(LINE) {
                Some((cut, _)) => out.push_str(&format!("\n  - {}…", &line[..cut])),
                None => out.push_str(&format!("\n  - {line}")),
            }
        }
        if problems.len() > SHOWN {
            out.push_str(&format!("\n  … and {} more", problems.len() - SHOWN));
        }
        out
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// Problems → the one error type, when there are any.
pub fn fail_if_any(template: &str, problems: Vec<Problem>) -> crate::Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(crate::Error::Template {
            template: template.to_string(),
            problems,
        })
    }
}
