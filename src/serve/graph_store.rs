//! Graph Store Protocol reads (`GET /store?graph=IRI`, `GET /store?default`): a named graph,
//! or the default graph (the union of the graphs, as the SPARQL endpoint sees it), in the RDF
//! syntax the client asks for, from the store or the read-only copy the server loaded.
//! Read-only here: other methods are 405. A graph larger than the server sends in one answer is
//! refused whole (413, naming the limit and the ways to get it), never cut: a client reading a
//! graph cannot miss a truncation it is not told of in its syntax.

use super::sparql::{accept, params, rdf_serializer, GRAPH_OFFERS};
use super::{negotiate, App, HttpError};
use crate::store::Kb;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use oxigraph::model::{NamedNode, Triple};
use std::sync::Arc;

/// How many times `--max-results` a graph read may hold (a graph is data to take whole, a
/// query answer a page of it).
const GRAPH_READ_FACTOR: usize = 10;

/// Which graph a request names.
enum Target {
    Named(NamedNode),
    Default,
}

pub(crate) async fn read(State(app): State<Arc<App>>, request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut r = HttpError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "the Graph Store of this server is read-only: GET or HEAD",
        )
        .into_response();
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let key = app.lanes.key(("store", request.uri().to_string()));
    let work = {
        let app = Arc::clone(&app);
        move |_| read_inner(&app, &request)
    };
    super::blocking(&app, "reading a graph", (key, false), work)
        .await
        .and_then(|r| r)
        .unwrap_or_else(IntoResponse::into_response)
}

fn target(query: &[u8]) -> Result<(Target, Vec<(String, String)>), HttpError> {
    let pairs = params(query, "query string")?;
    let graphs: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "graph")
        .map(|(_, v)| v.as_str())
        .collect();
    let default = pairs.iter().any(|(k, _)| k == "default");
    let target = match (graphs.as_slice(), default) {
        ([g], false) => {
            Target::Named(NamedNode::new(*g).map_err(|e| {
                HttpError::bad_request(format!("`graph` is not an absolute IRI: {e}"))
            })?)
        }
        ([], true) => Target::Default,
        _ => return Err(HttpError::bad_request(
            "name one graph: `?graph=IRI` (a named graph) or `?default` (the union of the graphs)",
        )),
    };
    Ok((target, pairs))
}

fn read_inner(app: &App, request: &Request) -> Result<Response, HttpError> {
    let (target, pairs) = target(request.uri().query().unwrap_or("").as_bytes())?;
    let accept = accept(request.headers(), &pairs)?;
    let format = negotiate::choose(accept.as_deref(), GRAPH_OFFERS).ok_or_else(|| {
        HttpError::new(
            StatusCode::NOT_ACCEPTABLE,
            "a graph is served as Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML",
        )
    })?;
    let limit = app.config.max_results.saturating_mul(GRAPH_READ_FACTOR);
    let triples = collect(&app.kb, &target, limit)?;
    let mut body = Vec::new();
    let mut w = rdf_serializer(format).for_writer(&mut body);
    for t in &triples {
        w.serialize_triple(t)
            .map_err(|e| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    }
    w.finish()
        .map_err(|e| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let body = crate::query::jsonld::compact_body(format, body)
        .map_err(|e| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    Ok(r)
}

/// The triples of the target, at most `limit` (else 413).
fn collect(kb: &Kb, target: &Target, limit: usize) -> Result<Vec<Triple>, HttpError> {
    let internal =
        |e: crate::error::Error| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    let quads = match target {
        Target::Named(g) => {
            if !kb.contains_named_graph(g.as_ref()).map_err(internal)? {
                return Err(HttpError::new(
                    StatusCode::NOT_FOUND,
                    format!("no graph <{}> in this store (the graphs are listed by `SELECT DISTINCT ?g {{ GRAPH ?g {{}} }}` at /sparql)", g.as_str()),
                ));
            }
            kb.quads_for_pattern(None, None, None, Some(g.as_ref().into()))
        }
        Target::Default => kb.quads_for_pattern(None, None, None, None),
    };
    // In the order of the store or the copy (stable for one load), each triple once: the
    // union repeats a triple stated in several graphs.
    let mut seen = std::collections::HashSet::new();
    let mut triples = Vec::new();
    for q in quads {
        if crate::store::cancelled() {
            return Err(HttpError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the graph took longer than this server's time limit",
            ));
        }
        let q = q.map_err(internal)?;
        let t = Triple::from(q);
        if seen.insert(t.clone()) {
            triples.push(t);
        }
        if triples.len() > limit {
            return Err(HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the graph has more than {limit} triples, more than this server sends in one answer (10 × --max-results): take it with `medrd export`, or page it with SPARQL (CONSTRUCT … LIMIT/OFFSET)"
                ),
            ));
        }
    }
    Ok(triples)
}
