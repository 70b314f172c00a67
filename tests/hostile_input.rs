//! Bad input gets a clear error naming the file, the JSON path and the line/column; never a panic.

mod common;

use journey_studio::{Document, Error};
use std::io::Write;

fn parse_err(text: &str) -> Error {
    match Document::parse("doc.json", text) {
        Ok(_) => panic!("accepted bad input: {}", &text[..text.len().min(200)]),
        Err(e) => e,
    }
}

fn location(err: &Error) -> (String, Option<usize>, Option<usize>) {
    let loc = err
        .location()
        .unwrap_or_else(|| panic!("no location in: {err}"));
    (loc.path.to_string(), loc.line, loc.column)
}

fn real_export_text() -> String {
    let path = &common::fixtures("sim-real")[0];
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn truncated_json_says_where_it_ends() {
    let text = real_export_text();
    let cut = &text[..text.len() / 2];
    let err = parse_err(cut);
    assert_eq!(err.kind(), "parse");
    let (_, line, column) = location(&err);
    assert!(line.unwrap() > 1 && column.is_some());
    let message = err.to_string();
    assert!(message.starts_with("doc.json:"), "{message}");
    assert!(message.contains("truncated"), "{message}");
}

#[test]
fn wrong_types_name_the_exact_path() {
    let text = r#"{"state": {"blocks": {"b1": {"id": "b1", "type": "agent", "name": "A",
        "position": {"x": "left", "y": 0}, "subBlocks": {}, "outputs": {}, "enabled": true}}, "edges": []}}"#;
    let err = parse_err(text);
    let (path, line, _) = location(&err);
    assert_eq!(path, "state.blocks.b1.position.x");
    assert_eq!(line, Some(2));
    assert!(
        err.to_string().contains("invalid type: string \"left\""),
        "{err}"
    );

    let err = parse_err(
        r#"{"state": {"blocks": {}, "edges": [{"id": "e", "source": 7, "target": "x"}]}}"#,
    );
    assert_eq!(location(&err).0, "state.edges[0].source");

    let err = parse_err(
        r#"{"format": "parlant-journey", "version": 1, "journey": {"title": 5}, "nodes": [], "edges": []}"#,
    );
    assert_eq!(location(&err).0, "journey.title");
}

#[test]
fn missing_fields_are_named() {
    let err = parse_err(
        r#"{"state": {"blocks": {"b1": {"id": "b1", "type": "agent", "name": "A", "position": {"x": 0, "y": 0}, "subBlocks": {}, "outputs": {}}}, "edges": []}}"#,
    );
    assert!(err.to_string().contains("missing field `enabled`"), "{err}");
    assert_eq!(location(&err).0, "state.blocks.b1");
}

fn block(id: &str, block_type: &str, parent: Option<&str>) -> String {
    let data = parent
        .map(|p| format!(r#", "data": {{"parentId": "{p}", "extent": "parent"}}"#))
        .unwrap_or_default();
    format!(
        r#""{id}": {{"id": "{id}", "type": "{block_type}", "name": "{id}", "position": {{"x": 0, "y": 0}}, "subBlocks": {{}}, "outputs": {{}}, "enabled": true{data}}}"#
    )
}

#[test]
fn a_block_in_a_missing_container_is_located() {
    let text = format!(
        "{{\"state\": {{\n\"blocks\": {{{}, {}}},\n\"edges\": []}}}}",
        block("a", "agent", None),
        block("child", "function", Some("ghost"))
    );
    let err = parse_err(&text);
    assert_eq!(err.kind(), "invalid");
    let (path, line, column) = location(&err);
    assert_eq!(path, "state.blocks.child.data.parentId");
    assert_eq!(line, Some(2));
    assert!(column.unwrap() > 1);
    assert!(
        err.to_string()
            .contains("container `ghost` that does not exist"),
        "{err}"
    );
}

#[test]
fn containers_must_be_containers_and_acyclic() {
    let not_container = format!(
        r#"{{"blocks": {{{}, {}}}, "edges": []}}"#,
        block("a", "agent", None),
        block("c", "function", Some("a"))
    );
    assert!(parse_err(&not_container)
        .to_string()
        .contains("not a loop or parallel"));

    let cycle = format!(
        r#"{{"blocks": {{{}, {}}}, "edges": []}}"#,
        block("l1", "loop", Some("l2")),
        block("l2", "loop", Some("l1"))
    );
    let err = parse_err(&cycle);
    assert!(err.to_string().contains("cycle"), "{err}");
}

#[test]
fn duplicate_ids_are_refused() {
    let dup_blocks = format!(
        r#"{{"blocks": {{{}, {}}}, "edges": []}}"#,
        block("a", "agent", None),
        block("a", "agent", None)
    );
    let err = parse_err(&dup_blocks);
    assert!(err.to_string().contains("duplicate id `a`"), "{err}");
    assert!(location(&err).1.is_some());

    let dup_edges = format!(
        r#"{{"blocks": {{{}}}, "edges": [{{"id": "e", "source": "a", "target": "a"}}, {{"id": "e", "source": "a", "target": "a"}}]}}"#,
        block("a", "agent", None)
    );
    let err = parse_err(&dup_edges);
    assert_eq!(location(&err).0, "edges[1].id");

    let mismatch = r#"{"blocks": {"k": {"id": "other", "type": "agent", "name": "A", "position": {"x": 0, "y": 0}, "subBlocks": {}, "outputs": {}, "enabled": true}}, "edges": []}"#;
    assert!(parse_err(mismatch)
        .to_string()
        .contains("does not match its key"));

    let dup_nodes = r#"{"format": "parlant-journey", "version": 1,
      "journey": {"title": "t", "description": "", "conditions": [], "root_id": "r"},
      "nodes": [{"id": "r"}, {"id": "n"}, {"id": "n"}], "edges": []}"#;
    let err = parse_err(dup_nodes);
    assert_eq!(location(&err).0, "nodes[2].id");

    let duplicate_field = r#"{"blocks": {}, "edges": [], "blocks": {}}"#;
    assert!(parse_err(duplicate_field)
        .to_string()
        .contains("duplicate field `blocks`"));
}

#[test]
fn journey_integrity_rules() {
    let base = |nodes: &str, root: &str, extra: &str| {
        format!(
            r#"{{"format": "parlant-journey", "version": 1{extra}, "journey": {{"title": "t", "description": "", "conditions": [], "root_id": "{root}"}}, "nodes": {nodes}, "edges": []}}"#
        )
    };
    assert!(parse_err(&base(r#"[{"id": "r"}]"#, "nope", ""))
        .to_string()
        .contains("root_id `nope`"));
    // `end` is the virtual end: a node that says something under that id is refused, while the
    // bare node Parlant's store lists for it is taken as the virtual end and dropped.
    assert!(parse_err(&base(
        r#"[{"id": "r"}, {"id": "end", "action": "bye"}]"#,
        "r",
        ""
    ))
    .to_string()
    .contains("nodes[1].id"));
    let Document::Journey(j) = Document::parse(
        "dump.json",
        &base(r#"[{"id": "r"}, {"id": "end"}]"#, "r", ""),
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(j.nodes.len(), 1);
    assert!(parse_err(&base(r#"[{"id": "end"}]"#, "end", ""))
        .to_string()
        .contains("root_id `end`"));
    let newer = base(r#"[{"id": "r"}]"#, "r", "").replace("\"version\": 1", "\"version\": 9");
    assert!(parse_err(&newer)
        .to_string()
        .contains("version 9 is not supported"));
    let other_format =
        base(r#"[{"id": "r"}]"#, "r", "").replace("parlant-journey", "something-else");
    assert!(parse_err(&other_format)
        .to_string()
        .contains("unknown document format"));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    for text in [
        deep.clone(),
        format!(r#"{{"state": {{"blocks": {{}}, "edges": [], "x": {deep}}}}}"#),
        format!(
            r#"{{"blocks": {{}}, "edges": [{{"id": "e", "source": "a", "target": "b", "data": {deep}}}]}}"#
        ),
        format!(
            r#"{{"format": "parlant-journey", "version": 1, "nodes": [{{"id": "r", "metadata": {{"m": {deep}}}}}]}}"#
        ),
    ] {
        let err = parse_err(&text);
        let message = err.to_string();
        assert!(
            message.contains("nested more than 128") || message.contains("must be a JSON object"),
            "{message}"
        );
    }
}

#[test]
fn non_documents_are_named_as_such() {
    for text in [
        "",
        "   ",
        "[1, 2]",
        "42",
        "{}",
        r#"{"hello": "world"}"#,
        "null",
    ] {
        let err = parse_err(text);
        assert!(err.to_string().starts_with("doc.json"), "{err}");
    }
    let err = parse_err(r#"{"nodes": []}"#);
    assert_eq!(err.kind(), "unknown_kind");
    // A JSON string that does not hold a workflow.
    assert!(parse_err(r#""{\"a\": 1}""#)
        .to_string()
        .contains("inside its JSON string"));
}

#[test]
fn huge_files_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(50 * 1024 * 1024).unwrap();
    let err = Document::load(&path).unwrap_err();
    assert_eq!(err.kind(), "too_large");
    assert!(err.to_string().contains("52428800 bytes"), "{err}");
}

#[test]
fn a_large_valid_document_below_the_limit_loads() {
    // 20,000 blocks (~6 MB): large inputs are fine as long as they are under the limit.
    let blocks: Vec<String> = (0..20_000)
        .map(|i| block(&format!("b{i}"), "agent", None))
        .collect();
    let text = format!(r#"{{"blocks": {{{}}}, "edges": []}}"#, blocks.join(","));
    let doc = Document::parse("big", &text).unwrap();
    let Document::Sim(sim) = doc else { panic!() };
    assert_eq!(sim.state().blocks.len(), 20_000);
}

#[test]
fn invalid_utf8_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.json");
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(b"{\n  \"blocks\": {\"caf\xe9\": 1}}")
        .unwrap();
    let err = Document::load(&path).unwrap_err();
    assert!(err.to_string().contains("not UTF-8"), "{err}");
    assert_eq!(err.location().unwrap().line, Some(2));
}

#[test]
fn missing_files_are_read_errors() {
    let err = Document::load(std::path::Path::new("no/such/file.json")).unwrap_err();
    assert_eq!(err.kind(), "read");
    assert!(err.to_string().contains("no/such/file.json"));
}
