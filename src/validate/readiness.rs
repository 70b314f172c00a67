//! Conversion readiness: what converting a document (Sim workflow <-> Parlant journey) would
//! approximate or drop, as diagnostics. The conversion module describes its own losses; this
//! module only turns them into `C###` diagnostics, so the validator never guesses at what the
//! converter does. The converter fills `Approximation`s from its mapping (`convert::Mapping`).

use super::Diagnostic;
use crate::json::JsonPath;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Kept, but not exactly (C001).
    Approximated,
    /// Left out (C002).
    Dropped,
}

/// One element of the source document the conversion does not carry over faithfully.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Approximation {
    pub loss: Loss,
    /// Where in the source document.
    pub path: JsonPath,
    pub node_ids: Vec<String>,
    pub edge_ids: Vec<String>,
    /// What happens to it, in the converter's words ("the JavaScript condition becomes text").
    pub message: String,
    /// What the designer can do about it, when the converter knows better than the catalogue.
    pub hint: Option<String>,
}

/// Anything that can say what a conversion loses (the converter's mapping implements this).
pub trait ConversionLosses {
    fn losses(&self) -> Vec<Approximation>;
}

/// The readiness diagnostics for a conversion's losses.
pub fn readiness(losses: &impl ConversionLosses) -> Vec<Diagnostic> {
    losses.losses().into_iter().map(diagnostic).collect()
}

pub fn diagnostic(a: Approximation) -> Diagnostic {
    let code = match a.loss {
        Loss::Approximated => "C001",
        Loss::Dropped => "C002",
    };
    let mut d = Diagnostic::new(code, a.path, a.message);
    d.node_ids = a.node_ids;
    d.edge_ids = a.edge_ids;
    if let Some(hint) = a.hint {
        d.hint = hint;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Vec<Approximation>);
    impl ConversionLosses for Fixed {
        fn losses(&self) -> Vec<Approximation> {
            self.0.clone()
        }
    }

    #[test]
    fn losses_become_catalogued_diagnostics() {
        let wait = Approximation {
            loss: Loss::Dropped,
            path: JsonPath::root().key("state").key("blocks").key("w1"),
            node_ids: vec!["w1".into()],
            edge_ids: vec![],
            message: "the wait block has no journey counterpart".into(),
            hint: None,
        };
        let cond = Approximation { loss: Loss::Approximated, hint: Some("reword the condition".into()), ..wait.clone() };
        let out = readiness(&Fixed(vec![wait, cond]));
        assert_eq!(out[0].code, "C002");
        assert_eq!(out[0].node_ids, vec!["w1"]);
        assert!(!out[0].hint.is_empty(), "the catalogue's fix is the default hint");
        assert_eq!(out[1].code, "C001");
        assert_eq!(out[1].hint, "reword the condition");
    }
}
