//! The one reader of a Condition block's `conditions` and a router_v2's `routes`.
//!
//! Sim stores both as a JSON string of a list, and sometimes as the list itself; every reader in
//! Sim v0.8.9 takes either (`parseConditionConfig` / `parseRouterV2Config` in
//! `executor/dag/construction/edges.ts`, `parseConditions` in the condition handler,
//! `parseRoutes` in the router handler). Where they differ is what a bad value means, so this
//! module reports it and each caller decides as its Sim counterpart does:
//! - the DAG builder (edges.ts) treats a value it cannot parse as "no branches" (no
//!   position-matching of handle-less edges);
//! - the condition handler reads an empty value as `[]` (`JSON.parse(input || '[]')`) and fails the
//!   block on anything else it cannot parse (`Invalid conditions format: ...`);
//! - the router handler reads anything it cannot parse as no routes (`No routes defined for
//!   router`).

use serde_json::Value;

/// One entry of a `conditions` / `routes` list, its fields read as text (missing = empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    pub id: String,
    pub title: String,
    pub value: String,
}

impl Branch {
    /// Reads one list entry; fields that are absent or not strings read as empty (a non-string
    /// `value` reads as its JSON text, as `String(value)` would for numbers and booleans).
    pub fn from_item(item: &Value) -> Branch {
        let text = |key: &str| match item.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        Branch {
            id: text("id"),
            title: text("title"),
            value: text("value"),
        }
    }

    /// Sim's `isElseConditionTitle` (lib/workflows/conditions.ts): the title, trimmed and
    /// lower-cased, is `else`.
    pub fn is_else(&self) -> bool {
        is_else_title(&self.title)
    }
}

/// Sim's `isElseConditionTitle`.
pub fn is_else_title(title: &str) -> bool {
    title.trim().eq_ignore_ascii_case("else")
}

/// Why a stored value is not a list of branches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchListError {
    /// A string that is not JSON (the parser's message).
    Json(String),
    /// JSON (or a value) that is not a list.
    NotAList,
}

impl std::fmt::Display for BranchListError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BranchListError::Json(message) => f.write_str(message),
            BranchListError::NotAList => f.write_str("expected a list"),
        }
    }
}

/// The raw entries of a stored list: an array as is, a string parsed as JSON. No value (or
/// `null`) is an empty list; a blank string is a JSON error, as `JSON.parse('')` is.
pub fn branch_items(value: Option<&Value>) -> Result<Vec<Value>, BranchListError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items.clone()),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => Ok(items),
            Ok(_) => Err(BranchListError::NotAList),
            Err(e) => Err(BranchListError::Json(e.to_string())),
        },
        Some(_) => Err(BranchListError::NotAList),
    }
}

/// The branches of a stored list, or none when it cannot be read (the DAG builder's and the
/// router handler's reading).
pub fn parse_branches(value: Option<&Value>) -> Vec<Branch> {
    branch_items(value)
        .map(|items| items.iter().map(Branch::from_item).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_and_arrays_read_alike() {
        let list = json!([{"id": "c-if", "title": "if", "value": "x > 1"}, {"id": "c-else", "title": " Else ", "value": ""}]);
        let as_text = Value::String(list.to_string());
        assert_eq!(parse_branches(Some(&list)), parse_branches(Some(&as_text)));
        let branches = parse_branches(Some(&as_text));
        assert_eq!(
            branches[0],
            Branch {
                id: "c-if".into(),
                title: "if".into(),
                value: "x > 1".into()
            }
        );
        assert!(branches[1].is_else() && !branches[0].is_else());
    }

    #[test]
    fn bad_values_are_reported_and_read_as_no_branches() {
        assert_eq!(branch_items(None), Ok(vec![]));
        assert!(matches!(
            branch_items(Some(&json!(""))),
            Err(BranchListError::Json(_))
        ));
        assert_eq!(
            branch_items(Some(&json!("{\"id\": 1}"))),
            Err(BranchListError::NotAList)
        );
        assert_eq!(
            branch_items(Some(&json!(3))),
            Err(BranchListError::NotAList)
        );
        assert!(parse_branches(Some(&json!("not json"))).is_empty());
        assert_eq!(
            Branch::from_item(&json!({"id": 7, "value": true})),
            Branch {
                id: "7".into(),
                title: String::new(),
                value: "true".into()
            }
        );
    }
}
