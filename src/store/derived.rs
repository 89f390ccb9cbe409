//! A triple the rules derive that a `--with` file states too is kept once. A file's triple
//! another graph states already is left out as the file is loaded, so that queries over the
//! union of the graphs count each triple once; but the rules of `queries/rules/` run after
//! the files are loaded, and may derive into one graph what a file states in another
//! (loading our own N-Triples export beside our data counted every derived theme twice:
//! 520 instead of 260). After the rules, such a triple is taken out of the file's graph when
//! a graph before it holds it: ours (any graph that is not a file's), then each file's in
//! the order the files were given, as at load time. The read-only copy does so with what
//! the rules inserted ([`super::frozen::Frozen::without_restated`]); the store here, with a
//! query per file over the predicates the rules can insert.

use crate::error::{Error, Result};
use crate::query::catalog::NamedQuery;
use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNode, QuadRef, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Transaction;
use spargebra::term::{NamedNodePattern, QuadPattern};
use spargebra::{GraphUpdateOperation, SparqlParser};
use std::path::Path;

/// The predicates the rules' INSERTs can give a triple, or `None` when a template's predicate
/// is a variable (any predicate) or a rule does not parse (its load reports that).
pub fn rule_predicates(rules: &[NamedQuery]) -> Option<Vec<NamedNode>> {
    let mut predicates = Vec::new();
    for rule in rules {
        let update = SparqlParser::new().parse_update(&rule.text).ok()?;
        for op in update.operations {
            match op {
                GraphUpdateOperation::InsertData { data } => {
                    predicates.extend(data.into_iter().map(|q| q.predicate));
                }
                GraphUpdateOperation::DeleteInsert { insert, .. } => {
                    for QuadPattern { predicate, .. } in insert {
                        match predicate {
                            NamedNodePattern::NamedNode(p) => predicates.push(p),
                            NamedNodePattern::Variable(_) => return None,
                        }
                    }
                }
                _ => {}
            }
        }
    }
    predicates.sort();
    predicates.dedup();
    Some(predicates)
}

/// Takes out of `graph` (a `--with` file's) every triple, of one of `predicates` (any with
/// `None`), that a graph before it holds too: any graph but `graph` and `later` (the graphs of
/// the files given after it), the default graph included. Returns how many it took out.
pub fn remove_derived_too(
    tx: &mut Transaction<'_>,
    graph: &NamedNode,
    later: &[NamedNode],
    predicates: Option<&[NamedNode]>,
) -> Result<usize> {
    let after: Vec<String> = std::iter::once(graph)
        .chain(later)
        .map(ToString::to_string)
        .collect();
    let values = predicates.map_or(String::new(), |ps| {
        let ps: Vec<String> = ps.iter().map(ToString::to_string).collect();
        format!("VALUES ?p {{ {} }}", ps.join(" "))
    });
    let sparql = format!(
        "SELECT DISTINCT ?s ?p ?o WHERE {{ {values} GRAPH {graph} {{ ?s ?p ?o }} \
         {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g NOT IN ({})) }} UNION {{ ?s ?p ?o }} }}",
        after.join(", ")
    );
    let err = |e: String| Error::Query {
        name: format!("the rules' triples stated by {graph} too"),
        message: e,
    };
    let mut found = Vec::new();
    {
        let answer = SparqlEvaluator::new()
            .parse_query(&sparql)
            .map_err(|e| err(e.to_string()))?
            .on_transaction(tx)
            .execute()
            .map_err(|e| err(e.to_string()))?;
        let QueryResults::Solutions(solutions) = answer else {
            return Err(err("not a SELECT".into()));
        };
        for s in solutions {
            let s = s.map_err(|e| err(e.to_string()))?;
            let subject = match s.get("s") {
                Some(Term::NamedNode(n)) => NamedOrBlankNode::from(n.clone()),
                Some(Term::BlankNode(b)) => NamedOrBlankNode::from(b.clone()),
                _ => continue,
            };
            if let (Some(Term::NamedNode(p)), Some(o)) = (s.get("p"), s.get("o")) {
                found.push((subject, p.clone(), o.clone()));
            }
        }
    }
    let g = GraphNameRef::NamedNode(graph.as_ref());
    for (s, p, o) in &found {
        tx.remove(QuadRef::new(s, p, o, g));
    }
    Ok(found.len())
}

/// Says how many triples were taken out of a `--with` file's graph after the rules ran: the
/// file's own, or what a rule inserted there, that a graph before it held too.
pub fn note(file: &Path, lost: usize) {
    if lost > 0 {
        eprintln!(
            "note: {}: once the rules of queries/rules/ ran, {lost} triples of its graph were \
             held by another graph too (ours, or an earlier --with file's): left there only, so \
             that queries over the union count each once",
            crate::text::shown(file)
        );
    }
}
