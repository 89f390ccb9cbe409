//! The load of a command that only reads the knowledge base (`build`, `validate`, `query`,
//! `export`, the diagrams…, `serve`): the import goes into the read-only copy alone
//! ([`frozen`]), never into Oxigraph's store. An in-memory store takes every insert on one
//! thread, which bounded a national load at about half a million quads a second (issue 22);
//! the copy numbers each part of the import as it comes and sorts its four orders on both
//! cores. The `--with` files follow our graphs, as in the store: parsed on other threads,
//! each triple another graph states already left there ([`with_files`]).
//!
//! The rules of `queries/rules/` run over the copy as the store runs them: each operation's
//! WHERE is evaluated by spareval's update evaluator (the one Oxigraph's store calls, with the
//! same `USING` dataset), and the quads it inserts are merged into the copy before the next
//! operation reads it. A rule that deletes, clears, loads or otherwise changes more than it
//! inserts is not run here: such a project loads into the store instead ([`takes`]).

use super::frozen::{self, Firsts, Frozen, View};
use super::Parts;
use crate::error::Result;
use crate::query::catalog::NamedQuery;
use oxigraph::model::{NamedNode, Quad};
use spareval::{DeleteInsertQuad, QueryEvaluator};
use spargebra::{GraphUpdateOperation, SparqlParser, Update};
use std::path::PathBuf;
use std::sync::Arc;

/// Whether every rule only inserts (INSERT DATA, or INSERT … WHERE without DELETE), so that
/// the copy alone can hold what the rules make. A rule beyond the bounds of a query
/// ([`crate::query::bounds`]: checked before it is parsed, as the parser recurses) or that
/// does not parse is left to the store's load, which reports it.
pub(super) fn takes(rules: &[NamedQuery]) -> bool {
    rules.iter().all(|rule| {
        crate::query::bounds::check(&rule.text).is_ok()
            && SparqlParser::new()
                .parse_update(&rule.text)
                .is_ok_and(|update| update.operations.iter().all(only_inserts))
    })
}

fn only_inserts(op: &GraphUpdateOperation) -> bool {
    match op {
        GraphUpdateOperation::InsertData { .. } => true,
        GraphUpdateOperation::DeleteInsert { delete, .. } => delete.is_empty(),
        _ => false,
    }
}

/// The copy of the ontology, our graphs' parts, the `--with` files (each with its graph,
/// [`super::with_graphs`]) and what the rules insert over them all, in the order the store
/// takes them.
pub(super) fn load(
    ontology: &[Quad],
    parts: Parts<'_>,
    files: &[PathBuf],
    graphs: Vec<NamedNode>,
    rules: &[NamedQuery],
) -> Result<Frozen> {
    let mut copy = frozen::Builder::default();
    ontology.iter().for_each(|q| copy.add(q.as_ref()));
    parts.each(&mut |part| {
        copy.add_list(&part);
        Ok(())
    })?;
    let mut copy = copy.finish();
    if !files.is_empty() {
        copy = with_files(copy, files, graphs.clone())?;
    }
    // What the rules insert is kept only to check it against the files' graphs.
    let mut inserted = Vec::new();
    for rule in rules {
        copy = run(rule, copy, (!files.is_empty()).then_some(&mut inserted))?;
    }
    if !files.is_empty() {
        let (without, lost) = copy.without_restated(&inserted, &graphs);
        copy = without;
        for (file, lost) in files.iter().zip(lost) {
            super::derived::note(file, lost);
        }
    }
    Ok(copy)
}

/// The copy with the quads of the `--with` files, as the store loads them: each file's into
/// its own graph, a triple another graph states already (ours, or an earlier file's) left
/// there, and how many were left so said on stderr, so that the union counts each once.
fn with_files(copy: Frozen, files: &[PathBuf], graphs: Vec<NamedNode>) -> Result<Frozen> {
    // A file's triples all go into its graph (named graphs in it are refused): with one file,
    // only our quads can state its triples elsewhere.
    let mut firsts = (files.len() > 1).then(Firsts::default);
    let mut copy = frozen::Builder::reopen(copy);
    for (i, (file, graph)) in files.iter().zip(graphs).enumerate() {
        let (mut restated, remember) = (0, i + 1 < files.len());
        let read = super::read_file(file, graph.as_ref(), &mut |q| {
            let left = copy.add_unless_restated(q.as_ref(), firsts.as_mut(), remember);
            restated += u64::from(left);
            Ok(())
        })?;
        super::note_restated(file, read, restated);
    }
    Ok(copy.finish())
}

/// The copy with what one rule inserts, operation by operation; what it inserted is added to
/// `inserted_all` as well, when given.
fn run(
    rule: &NamedQuery,
    mut copy: Frozen,
    mut inserted_all: Option<&mut Vec<Quad>>,
) -> Result<Frozen> {
    crate::query::bounds::check(&rule.text).map_err(|e| rule.error(e))?;
    let Update {
        operations,
        base_iri,
    } = SparqlParser::new()
        .parse_update(&rule.text)
        .map_err(|e| rule.error(e))?;
    for op in operations {
        let inserted = match op {
            GraphUpdateOperation::InsertData { data } => ground(data),
            GraphUpdateOperation::DeleteInsert {
                delete,
                insert,
                using,
                pattern,
            } if delete.is_empty() => {
                let shared = Arc::new(copy);
                let inserted = sparopt::with_statistics(shared.clone(), || {
                    QueryEvaluator::new()
                        .prepare_delete_insert(
                            Vec::new(),
                            insert,
                            base_iri.clone(),
                            using,
                            &pattern,
                        )
                        .execute(View(shared.clone()))?
                        .filter_map(|change| match change {
                            Ok(DeleteInsertQuad::Insert(q)) => Some(Ok(q)),
                            Ok(DeleteInsertQuad::Delete(_)) => None,
                            Err(e) => Some(Err(e)),
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .map_err(|e| rule.error(e))?;
                // The evaluation's views of the copy are gone with its iterator.
                copy = Arc::try_unwrap(shared)
                    .map_err(|_| rule.error("the copy was still read after the rule ran"))?;
                inserted
            }
            _ => return Err(rule.error("only INSERT DATA and INSERT … WHERE run over the copy")),
        };
        if let Some(all) = inserted_all.as_deref_mut() {
            all.extend_from_slice(&inserted);
        }
        copy = copy.extended(inserted);
    }
    Ok(copy)
}

/// The quads of INSERT DATA as the store inserts them: each blank node label a new blank node
/// (the same within one operation).
fn ground(data: Vec<spargebra::term::Quad>) -> Vec<Quad> {
    use oxigraph::model::{BlankNode, GraphName, NamedOrBlankNode, Term};
    let mut fresh = rustc_hash::FxHashMap::<BlankNode, BlankNode>::default();
    let mut blank = |b: BlankNode| fresh.entry(b).or_default().clone();
    data.into_iter()
        .map(|q| {
            let subject = match q.subject {
                NamedOrBlankNode::BlankNode(b) => blank(b).into(),
                s => s,
            };
            let object = match q.object {
                Term::BlankNode(b) => blank(b).into(),
                o => o,
            };
            let graph_name = match q.graph_name {
                spargebra::term::GraphName::NamedNode(g) => GraphName::NamedNode(g),
                spargebra::term::GraphName::DefaultGraph => GraphName::DefaultGraph,
            };
            Quad::new(subject, q.predicate, object, graph_name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{run, takes};
    use crate::query::catalog::{self, NamedQuery};
    use crate::store::frozen::{Builder, Frozen};
    use oxigraph::model::{Quad, Term};
    use oxigraph::sparql::SparqlEvaluator;
    use oxigraph::store::Store;
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    fn rule(text: &str) -> NamedQuery {
        NamedQuery {
            name: "rule".into(),
            path: PathBuf::from("rule.ru"),
            summary: String::new(),
            text: format!("PREFIX ex: <http://example.org/> {text}"),
        }
    }

    #[test]
    fn the_project_s_rules_run_over_the_copy() {
        let rules =
            catalog::rules(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("queries")).unwrap();
        assert!(!rules.is_empty());
        assert!(takes(&rules));
    }

    /// A rule that changes more than it inserts (or does not parse) leaves the project to
    /// the store's load.
    #[test]
    fn a_rule_that_deletes_clears_or_does_not_parse_is_left_to_the_store() {
        for text in [
            "DELETE { ?s ex:p ?o } WHERE { ?s ex:p ?o }",
            "DELETE { ?s ex:p ?o } INSERT { ?s ex:q ?o } WHERE { ?s ex:p ?o }",
            "CLEAR ALL",
            "DELETE DATA { ex:a ex:p ex:b }",
            "INSERT DATA { ex:a ex:p ex:b } ; DROP GRAPH ex:g",
            "LOAD <http://example.org/data.ttl>",
            "not SPARQL",
        ] {
            assert!(!takes(&[rule(text)]), "{text}");
        }
        // Nested far beyond the bounds: refused before the parser recurses into it (this
        // test's thread would overflow its stack otherwise).
        let deep = format!(
            "INSERT {{ ex:a ex:p ?x }} WHERE {{ BIND({}1{} AS ?x) }}",
            "(".repeat(50_000),
            ")".repeat(50_000)
        );
        assert!(!takes(&[rule(&deep)]));
        let inserting = [
            rule("INSERT DATA { ex:a ex:p ex:b }"),
            rule("INSERT { ?s ?p ?o } WHERE { ?s ex:p ?o . ?o ?p ?s }"),
        ];
        assert!(takes(&inserting));
    }

    /// A quad as text, each blank node as `_:b` (both sides make their own).
    fn shown(q: &Quad) -> String {
        let mut q = q.clone();
        if q.subject.is_blank_node() {
            q.subject = oxigraph::model::BlankNode::new_unchecked("b").into();
        }
        if let Term::BlankNode(_) = q.object {
            q.object = oxigraph::model::BlankNode::new_unchecked("b").into();
        }
        q.to_string()
    }

    /// Invented quads and rules for the shapes the project's one rule lacks: the default
    /// graph, USING, a rule reading what the one before inserted, blank nodes, a template
    /// variable left unbound, quads held already, a literal held by its value.
    #[test]
    fn rules_over_the_copy_insert_what_the_store_s_update_inserts() {
        let data = r#"
            <http://example.org/a> <http://example.org/p> <http://example.org/b> .
            <http://example.org/b> <http://example.org/p> <http://example.org/c> <http://example.org/g> .
            <http://example.org/c> <http://example.org/n> "05"^^<http://www.w3.org/2001/XMLSchema#int> <http://example.org/g> .
            <http://example.org/c> <http://example.org/q> <http://example.org/b> <http://example.org/g> .
            <http://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/C> .
        "#;
        let quads: Vec<Quad> =
            oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::NQuads)
                .for_slice(data.as_bytes())
                .collect::<Result<_, _>>()
                .unwrap();
        let rules = [
            rule("INSERT { ?s ex:r ?o } WHERE { ?s ex:p ?o }"),
            rule("INSERT { GRAPH ?g { ?o ex:back ?s . ?s ex:maybe ?none } } WHERE { GRAPH ?g { ?s ex:p ?o } }"),
            rule("INSERT { GRAPH ex:h { ?s ex:twice ?o } } USING ex:g WHERE { ?s ex:p ?o }"),
            rule("INSERT { GRAPH ex:g { ?o ex:again ?s } } WHERE { GRAPH ex:g { ?s ex:back ?o } }"),
            rule("INSERT { GRAPH ex:g { ?s ex:n ?n . _:x ex:of ?s } } WHERE { GRAPH ex:g { ?s ex:n ?n } }"),
            rule("INSERT DATA { _:y ex:p ex:a . _:y ex:q ex:a . GRAPH ex:g { ex:b ex:p ex:c } }"),
            rule("INSERT { GRAPH ex:k { _:z ex:of ?s } } WHERE { ?s ex:p ?o }"),
            rule("INSERT { GRAPH ex:g { ?s ex:p ?o } } WHERE { GRAPH ex:g { ?s ex:p ?o } }"),
            rule("INSERT { ?o a ex:C } WHERE { ?s ex:p ?o }"),
        ];
        let store = Store::new().unwrap();
        store.extend(quads.iter().cloned()).unwrap();
        for r in &rules {
            SparqlEvaluator::new()
                .parse_update(&r.text)
                .unwrap()
                .on_store(&store)
                .execute()
                .unwrap();
        }
        let mut copy = Builder::default();
        quads.iter().for_each(|q| copy.add(q.as_ref()));
        let mut copy = copy.finish();
        for r in &rules {
            copy = run(r, copy, None).unwrap();
        }
        // Each blank node made anew as the store makes it: one per INSERT DATA label, one per
        // solution of a template.
        let blanks = |quads: &[Quad]| {
            let mut b = BTreeSet::new();
            for q in quads {
                if let oxigraph::model::NamedOrBlankNode::BlankNode(n) = &q.subject {
                    b.insert(n.as_str().to_owned());
                }
            }
            b.len()
        };
        let store_quads: Vec<Quad> = store.iter().map(Result::unwrap).collect();
        assert_eq!(blanks(&copy.quads()), blanks(&store_quads));
        assert_eq!(blanks(&store_quads), 4);
        let from_store: Vec<String> = store.iter().map(|q| shown(&q.unwrap())).collect();
        let from_copy: Vec<String> = copy.quads().iter().map(shown).collect();
        assert_eq!(from_copy.len(), from_store.len(), "{from_copy:#?}");
        let sorted = |v: Vec<String>| v.into_iter().collect::<BTreeSet<_>>();
        assert_eq!(sorted(from_copy.clone()), sorted(from_store));
        for expected in [
            "<http://example.org/a> <http://example.org/r> <http://example.org/b>",
            "<http://example.org/b> <http://example.org/again> <http://example.org/c> <http://example.org/g>",
            "<http://example.org/b> <http://example.org/twice> <http://example.org/c> <http://example.org/h>",
            "_:b <http://example.org/of> <http://example.org/c> <http://example.org/g>",
        ] {
            assert!(from_copy.iter().any(|q| q.starts_with(expected)), "{expected}");
        }
        assert!(!from_copy.iter().any(|q| q.contains("maybe")));
        let class = Term::from(oxigraph::model::NamedNode::new_unchecked(
            "http://example.org/C",
        ));
        assert_eq!(copy.instances(&class), 2);
        // The counts kept up as the rules inserted are those of a copy made at once.
        let mut fresh = Builder::default();
        copy.quads().iter().for_each(|q| fresh.add(q.as_ref()));
        let fresh = fresh.finish();
        assert_counts_alike(&copy, &fresh);
    }

    fn assert_counts_alike(a: &Frozen, b: &Frozen) {
        let rdf_type = Term::from(oxigraph::model::vocab::rdf::TYPE.into_owned());
        for q in b.quads() {
            let p = Term::from(q.predicate.clone());
            let (x, y) = (a.predicate(&p), b.predicate(&p));
            assert_eq!(
                (x.triples, x.subjects, x.objects),
                (y.triples, y.subjects, y.objects),
                "{p}"
            );
            if p == rdf_type {
                assert_eq!(a.instances(&q.object), b.instances(&q.object));
            }
        }
    }
}
