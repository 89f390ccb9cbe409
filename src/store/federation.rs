//! SPARQL 1.1 Federated Query (SERVICE) for `medrd query`, off unless the user passes the
//! global flag `--allow-service`: a query naming a remote endpoint must not reach the network
//! by surprise. Without the flag a query using SERVICE fails before it runs, with an error
//! that says how to allow it; with it, SERVICE patterns are sent over HTTP (plain `http://`
//! only: no TLS backend is built in) to the endpoint as `application/sparql-query` and the
//! JSON, XML, CSV or TSV results are joined in.
//!
//! `medrd query` and the endpoint of `medrd serve` evaluate through this module (the server
//! refuses a query using SERVICE with 400 unless started with `--allow-service`). Every other
//! path (`Kb::query`, hence `medrd build`, `validate`) keeps oxigraph's default of no SERVICE
//! at all, since oxigraph is built without its `http-client` feature.

use crate::error::{Error, Result};
use crate::store::Kb;
use oxigraph::model::NamedNode;
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};
use oxigraph::sparql::{
    DefaultServiceHandler, QueryEvaluationError, QueryResults, QuerySolutionIter, SparqlEvaluator,
};
use oxiri::Iri;
use spargebra::algebra::GraphPattern;
use std::time::Duration;

/// What a user reads when SERVICE is refused.
pub const REFUSED: &str =
    "SERVICE is disabled: this query would send part of itself to a remote SPARQL endpoint; \
pass the global flag --allow-service (e.g. `medrd --allow-service query …`) to allow it";

/// The error of a SERVICE call.
#[derive(Debug)]
pub struct ServiceError(String);

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServiceError {}

/// Refuses every SERVICE call (the default).
struct Refuse;

impl DefaultServiceHandler for Refuse {
    type Error = ServiceError;

    fn handle(
        &self,
        service_name: &NamedNode,
        _pattern: &GraphPattern,
        _base_iri: Option<&Iri<String>>,
    ) -> std::result::Result<QuerySolutionIter<'static>, ServiceError> {
        Err(ServiceError(format!("{service_name}: {REFUSED}")))
    }
}

/// Sends SERVICE patterns to the endpoint over HTTP (SPARQL 1.1 Protocol, POST).
struct Http {
    timeout: Duration,
}

impl DefaultServiceHandler for Http {
    type Error = ServiceError;

    fn handle(
        &self,
        service_name: &NamedNode,
        pattern: &GraphPattern,
        base_iri: Option<&Iri<String>>,
    ) -> std::result::Result<QuerySolutionIter<'static>, ServiceError> {
        let url = service_name.as_str();
        let fail = |m: String| ServiceError(format!("SERVICE <{url}>: {m}"));
        if !url.starts_with("http://") {
            return Err(fail(
                "only http:// endpoints can be queried (no TLS support is built in)".into(),
            ));
        }
        let query = spargebra::Query::Select {
            dataset: None,
            pattern: pattern.clone(),
            base_iri: base_iri.cloned(),
        }
        .to_string();
        let host = url["http://".len()..]
            .split(['/', ':'])
            .next()
            .unwrap_or("");
        let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(self.timeout));
        if loopback {
            config = config.proxy(None);
        }
        let agent: ureq::Agent = config.build().into();
        let mut response = agent
            .post(url)
            .header("Content-Type", "application/sparql-query")
            .header(
                "Accept",
                "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/csv;q=0.5, text/tab-separated-values;q=0.5",
            )
            .send(query.as_bytes())
            .map_err(|e| fail(e.to_string()))?;
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = response
            .body_mut()
            .read_to_vec()
            .map_err(|e| fail(e.to_string()))?;
        if !status.is_success() {
            let text: String = String::from_utf8_lossy(&body).chars().take(300).collect();
            return Err(fail(format!("HTTP {status}: {text}")));
        }
        let format = QueryResultsFormat::from_media_type(&content_type)
            .ok_or_else(|| fail(format!("unsupported Content-Type {content_type:?}")))?;
        let ReaderQueryResultsParserOutput::Solutions(reader) =
            QueryResultsParser::from_format(format)
                .for_reader(std::io::Cursor::new(body))
                .map_err(|e| fail(e.to_string()))?
        else {
            return Err(fail(
                "the endpoint answered a boolean, not solutions".into(),
            ));
        };
        let variables = reader.variables().into();
        Ok(QuerySolutionIter::new(
            variables,
            reader.map(|s| s.map_err(|e| QueryEvaluationError::Service(Box::new(e)))),
        ))
    }
}

/// True when the query text uses the SERVICE keyword (outside comments, strings and IRIs).
pub fn uses_service(sparql: &str) -> bool {
    let chars: Vec<char> = sparql.chars().collect();
    let mut i = 0;
    let mut word = String::new();
    let mut prev_word_end = ' ';
    let flush = |word: &mut String, before: char| -> bool {
        let hit = word.eq_ignore_ascii_case("service") && before != ':';
        word.clear();
        hit
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' || c == '-' || (c == ':' && !word.is_empty()) {
            if word.is_empty() {
                prev_word_end = if i > 0 { chars[i - 1] } else { ' ' };
            }
            word.push(c);
            i += 1;
            continue;
        }
        if flush(&mut word, prev_word_end) {
            return true;
        }
        match c {
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '<' if chars
                .get(i + 1)
                .is_some_and(|n| !n.is_whitespace() && *n != '=') =>
            {
                while i < chars.len() && chars[i] != '>' && !chars[i].is_whitespace() {
                    i += 1;
                }
            }
            '"' | '\'' => {
                let long = chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c);
                i += if long { 3 } else { 1 };
                while i < chars.len() {
                    if chars[i] == '\\' {
                        i += 2;
                        continue;
                    }
                    if chars[i] == c
                        && (!long || (chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c)))
                    {
                        i += if long { 2 } else { 0 };
                        break;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    flush(&mut word, prev_word_end)
}

/// The evaluator of `medrd query`: SERVICE over HTTP when `allow_service`, else refused.
pub fn evaluator(allow_service: bool) -> SparqlEvaluator {
    evaluator_within(allow_service, Duration::from_secs(60))
}

/// [`evaluator`] with each SERVICE call bounded by `timeout` (`medrd serve`'s query limit,
/// so that a remote call does not outlive the request that made it by long).
pub fn evaluator_within(allow_service: bool, timeout: Duration) -> SparqlEvaluator {
    if allow_service {
        SparqlEvaluator::new().with_default_service_handler(Http { timeout })
    } else {
        SparqlEvaluator::new().with_default_service_handler(Refuse)
    }
}

/// Runs a query like [`Kb::query`] (over the union of all graphs), with SERVICE allowed only
/// when `allow_service`; otherwise a query using SERVICE fails before it runs. Without the
/// flag, or when the knowledge base is a remote endpoint (`--endpoint`), the query goes
/// through [`Kb::query`] unchanged.
pub fn query(
    kb: &Kb,
    name: &str,
    sparql: &str,
    allow_service: bool,
) -> Result<QueryResults<'static>> {
    let err = |m: String| Error::Query {
        name: name.to_owned(),
        message: m,
    };
    if !allow_service {
        if uses_service(sparql) {
            return Err(err(REFUSED.to_owned()));
        }
        return kb.query(name, sparql);
    }
    if kb.layout.endpoint.is_some() {
        return kb.query(name, sparql);
    }
    let mut prepared = crate::query::bounds::parse_query(evaluator(true), sparql)
        .map_err(|e| err(e.to_string()))?;
    prepared.dataset_mut().set_default_graph_as_union();
    kb.stats.evaluate(prepared).map_err(|e| err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::uses_service;

    #[test]
    fn finds_service_outside_strings_comments_and_iris() {
        assert!(uses_service(
            "SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }"
        ));
        assert!(uses_service("select * { service silent <http://x/> {} }"));
        assert!(uses_service(
            "SELECT * {\n  SERVICE ?endpoint { ?s ?p ?o } }"
        ));
        assert!(!uses_service("SELECT * { ?s ?p \"SERVICE\" } # SERVICE"));
        assert!(!uses_service(
            "SELECT * { ?s <http://x/SERVICE> ex:service }"
        ));
        assert!(!uses_service("SELECT * { ?s ?p '''a SERVICE b''' }"));
    }
}
