//! The table's own consistency.

use super::*;

#[test]
fn rows_and_ids_agree() {
    assert_eq!(CALLS.len(), CallId::ALL.len());
    for (row, id) in CALLS.iter().zip(CallId::ALL) {
        assert_eq!(row.id, *id, "rows are in the order of CallId");
        assert_eq!(call(*id), row);
    }
}

#[test]
fn names_and_routes_are_unique_and_well_formed() {
    for (i, a) in CALLS.iter().enumerate() {
        assert!(a.path.starts_with('/'), "{}", a.path);
        assert!(!a.client_method.is_empty());
        assert_eq!(by_client_method(a.client_method), Some(a));
        for b in &CALLS[i + 1..] {
            assert_ne!(a.client_method, b.client_method);
            assert!(
                (a.method, a.path) != (b.method, b.path),
                "{} {} twice",
                a.method.as_str(),
                a.path
            );
        }
        let names = filters::names(a.filters);
        for (j, n) in names.iter().enumerate() {
            assert!(!names[j + 1..].contains(n), "{} lists {n} twice", a.path);
        }
        assert_eq!(
            a.default_sort.is_some(),
            a.category == "record_items" && a.cardinality == Cardinality::Multiple,
            "{}",
            a.path
        );
    }
}

#[test]
fn fill_replaces_each_parameter_in_order() {
    let c = call(CallId::Scratchpad);
    assert_eq!(c.parameters(), ["record_id", "app_id"]);
    assert_eq!(
        c.fill(&["7", "a%40b"]).as_deref(),
        Some("/records/7/apps/a%40b/scratchpad")
    );
    assert_eq!(c.fill(&["7"]), None);
    assert_eq!(c.fill(&["7", "a", "b"]), None);
    assert_eq!(
        call(CallId::Ontology).fill(&[]).as_deref(),
        Some("/ontology")
    );
}

#[test]
fn the_ontology_describes_every_call_once() {
    let triples = ontology();
    let described = described(&triples);
    assert_eq!(described.len(), CALLS.len());
    for c in CALLS {
        assert_eq!(
            described
                .iter()
                .filter(|(n, _)| *n == c.client_method)
                .count(),
            1
        );
        let node = Node::Blank(format!("call_{}", c.client_method));
        let has = |p: &str, o: &Node| {
            triples
                .iter()
                .any(|t| t.subject == node && t.predicate == format!("{API}{p}") && t.object == *o)
        };
        assert!(has("path", &Node::Literal(c.path.into())));
        assert!(has("httpMethod", &Node::Literal(c.method.as_str().into())));
        assert!(has("target", &Node::Iri(c.target.into())));
        assert!(has(
            "cardinality",
            &Node::Literal(c.cardinality.as_str().into())
        ));
        for f in c.filters {
            assert!(has("hasFilter", &Node::Literal(f.name.into())));
        }
    }
}
