//! The SPARQL of `queries/` and what answers look like: the catalogue of named queries,
//! checks and rules ([`catalog`]) and the writing of results for people and programs
//! ([`output`]), and [`evaluate_with`]: one query over the union of a store's or read-only
//! copy's graphs, the way [`crate::Kb::query`] and the matcher's look at our data ask it.

pub mod bounds;
pub mod catalog;
pub mod jsonld;
pub mod memo;
pub mod output;

use crate::error::{Error, Result};
use crate::store::stats::StoreStatistics;
use oxigraph::sparql::{CancellationToken, QueryResults, SparqlEvaluator};
use std::sync::Arc;

/// Runs a SPARQL query over the union of all graphs of the store or copy of `stats`, planned
/// with the counts it keeps, stopped when `token` is cancelled. `name` names the query in
/// errors.
pub fn evaluate_with(
    stats: &Arc<StoreStatistics>,
    name: &str,
    sparql: &str,
    token: Option<CancellationToken>,
) -> Result<QueryResults<'static>> {
    let err = |m: String| Error::Query {
        name: name.to_owned(),
        message: m,
    };
    let mut evaluator = SparqlEvaluator::new();
    if let Some(token) = token {
        evaluator = evaluator.with_cancellation_token(token);
    }
    let mut prepared = bounds::parse_query(evaluator, sparql).map_err(|e| err(e.to_string()))?;
    prepared.dataset_mut().set_default_graph_as_union();
    stats.evaluate(prepared).map_err(|e| err(e.to_string()))
}

/// Whether `sparql` is a SELECT query: an ASK, CONSTRUCT or DESCRIBE is not, nor a text that
/// does not parse.
pub fn is_select(sparql: &str) -> bool {
    spargebra::SparqlParser::new()
        .parse_query(sparql)
        .is_ok_and(|q| matches!(q, spargebra::Query::Select { .. }))
}
