//! A remote SPARQL 1.1 endpoint in place of the embedded store (`--endpoint URL`): queries
//! by the SPARQL 1.1 Protocol (POST, form-encoded), results parsed with sparesults.

use crate::error::{Error, Result};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::xsd;
use oxigraph::model::{Literal, Term, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, QuerySolutionIter, QueryTripleIter};
use std::io::Read;
use std::sync::Arc;

pub(crate) fn error(url: &str, e: impl std::fmt::Display) -> Error {
    Error::Query {
        name: url.to_owned(),
        message: e.to_string(),
    }
}

/// The media types we accept: results for SELECT/ASK, RDF for CONSTRUCT/DESCRIBE.
const ACCEPT: &str = "application/sparql-results+json, application/sparql-results+xml;q=0.9, \
                      application/n-triples;q=0.8, text/turtle;q=0.7";

/// Runs a query on the endpoint. SELECT and ASK results come back as JSON or XML and
/// CONSTRUCT/DESCRIBE as N-Triples or Turtle; errors carry the endpoint's message.
pub fn query(url: &str, sparql: &str) -> Result<QueryResults<'static>> {
    let response = ureq::post(url)
        .header("Accept", ACCEPT)
        .config()
        .http_status_as_error(false)
        .build()
        .send_form([("query", sparql)])
        .map_err(|e| error(url, e))?;
    let status = response.status();
    let media = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    // An endpoint that cuts a result at its row limit says so in this header (Virtuoso:
    // ResultSetMaxRows, 10,000 by default): a partial answer would be a wrong answer.
    let max_rows = response
        .headers()
        .get("x-sparql-maxrows")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.into_body().into_reader();
    if let (Some(rows), true) = (max_rows, status.is_success()) {
        return Err(error(
            url,
            format!(
                "the endpoint cut its answer at {rows} rows (X-SPARQL-MaxRows): a partial \
                 answer is not used; raise the endpoint's row limit (Virtuoso: \
                 ResultSetMaxRows in virtuoso.ini) or narrow the query"
            ),
        ));
    }
    if !status.is_success() {
        let mut text = String::new();
        let _ = body.take(4000).read_to_string(&mut text);
        return Err(error(url, format!("HTTP {status}: {}", text.trim())));
    }
    if let Some(format) = QueryResultsFormat::from_media_type(&media) {
        let parsed = QueryResultsParser::from_format(format)
            .for_reader(body)
            .map_err(|e| error(url, e))?;
        return Ok(match QueryResults::from(parsed) {
            QueryResults::Solutions(solutions) => {
                let variables: Arc<[Variable]> = solutions.variables().into();
                QueryResults::Solutions(QuerySolutionIter::from_tuples(
                    Arc::clone(&variables),
                    solutions.map(|s| s.map(|s| s.values().iter().map(canonical).collect())),
                ))
            }
            other => other,
        });
    }
    if let Some(format) = RdfFormat::from_media_type(&media) {
        // An endpoint's RDF is bounded as a `--with` file's is (entities, JSON nesting).
        let (body, _) = super::rdf_bounds::guard(format, body);
        let triples = RdfParser::from_format(format).for_reader(body).map(|q| {
            q.map(|q| q.into())
                .map_err(|e| QueryEvaluationError::Service(Box::new(e)))
        });
        return Ok(QueryResults::Graph(QueryTripleIter::new(triples)));
    }
    Err(error(url, format!("unexpected response type {media:?}")))
}

/// A value as the embedded store would print it: an `xsd:boolean` or `xsd:decimal` in its
/// canonical form, since engines answer with other lexical forms of the same value (Virtuoso
/// `1`/`0` for `true`/`false`; Jena `1390.0`, the XSD 1.0 form, where oxigraph writes the
/// XSD 1.1 form `1390`). A lexical form that does not parse is kept as it came.
fn canonical(value: &Option<Term>) -> Option<Term> {
    let Some(Term::Literal(l)) = value else {
        return value.clone();
    };
    let v = l.value().trim();
    let canonical = if l.datatype() == xsd::BOOLEAN {
        match v {
            "1" => Some("true".to_owned()),
            "0" => Some("false".to_owned()),
            _ => None,
        }
    } else if l.datatype() == xsd::DECIMAL {
        v.parse::<oxsdatatypes::Decimal>()
            .ok()
            .map(|d| d.to_string())
    } else {
        None
    };
    match canonical {
        Some(c) if c != l.value() => Some(Literal::new_typed_literal(c, l.datatype()).into()),
        _ => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_and_decimals_come_back_in_canonical_form() {
        let b = |v: &str| Some(Term::from(Literal::new_typed_literal(v, xsd::BOOLEAN)));
        assert_eq!(canonical(&b("1")), b("true"));
        assert_eq!(canonical(&b("0")), b("false"));
        assert_eq!(canonical(&b("true")), b("true"));
        let d = |v: &str| Some(Term::from(Literal::new_typed_literal(v, xsd::DECIMAL)));
        assert_eq!(canonical(&d("1390.0")), d("1390"));
        assert_eq!(canonical(&d("19.90")), d("19.9"));
        assert_eq!(canonical(&d("not a number")), d("not a number"));
        let n = Some(Term::from(Literal::from(1)));
        assert_eq!(canonical(&n), n);
        assert_eq!(canonical(&None), None);
    }
}
