//! The SPARQL 1.1 Protocol over the store: the three ways of sending a query (GET,
//! url-encoded POST, direct POST), refusal of updates, result formats by content
//! negotiation, time and size limits, the service description, and the named queries.
//!
//! Bounding a query (issue 10): each query runs on the blocking pool with a
//! `CancellationToken`, cancelled at `--timeout` or when the process's heap passes
//! `--max-memory` and it is the query holding the most (checked every 10 ms through
//! [`crate::store::memory`]). Upstream spareval checked
//! the token only when reading the store, so a sort, DISTINCT, GROUP BY or product over
//! what it had read ran on for minutes after the 503; the vendored copy
//! (`vendor/spareval/PATCHES.md`) checks it in every plan node and inside the sort, so a
//! cancelled query stops within milliseconds, frees its slot and gives its pages back. Why
//! this and not the other ways: a per-query row budget before a sort would refuse honest
//! large sorts and still not bound joins or GROUP BY; a worker process per query could be
//! killed whatever the engine does, but costs a process start per query and either a copy
//! of the store per worker or a store shared between processes, which the in-memory store
//! is not. The heap limit covers what the time limit cannot: a query that allocates
//! gigabytes within its seconds. A panic of the engine is caught ([`crate::store::guard`]) and
//! answered 500.

use super::{lanes, negotiate, seconds, App, HttpError};
use crate::query::bounds::Refused;
use crate::store::{guard, memory};
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, QueryResults};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often a running query looks at the heap against `--max-memory`: a query allocating
/// 2 GB/s overshoots the limit by about 20 MB (measured: up to 1.3 GB/s for one query in a
/// release build).
const MEMORY_CHECK: Duration = Duration::from_millis(10);

/// Formats of SELECT and ASK results, in order of preference (the first for `*/*`).
pub(crate) const RESULT_OFFERS: &[(&str, QueryResultsFormat)] = &[
    ("application/sparql-results+json", QueryResultsFormat::Json),
    ("application/json", QueryResultsFormat::Json),
    ("application/sparql-results+xml", QueryResultsFormat::Xml),
    ("application/xml", QueryResultsFormat::Xml),
    ("text/xml", QueryResultsFormat::Xml),
    ("text/csv", QueryResultsFormat::Csv),
    ("text/tab-separated-values", QueryResultsFormat::Tsv),
];

const JSON_LD: RdfFormat = RdfFormat::JsonLd {
    profile: JsonLdProfileSet::empty(),
};

/// Formats of CONSTRUCT and DESCRIBE results, in order of preference.
pub(crate) const GRAPH_OFFERS: &[(&str, RdfFormat)] = &[
    ("text/turtle", RdfFormat::Turtle),
    ("application/x-turtle", RdfFormat::Turtle),
    ("application/n-triples", RdfFormat::NTriples),
    ("text/plain", RdfFormat::NTriples),
    ("application/ld+json", JSON_LD),
    ("application/json", JSON_LD),
    ("application/rdf+xml", RdfFormat::RdfXml),
    ("application/xml", RdfFormat::RdfXml),
    ("text/xml", RdfFormat::RdfXml),
    // Turtle is N3 without N3's extensions: clients asking for N3 read it.
    ("text/n3", RdfFormat::Turtle),
    ("text/rdf+n3", RdfFormat::Turtle),
    // A graph is a dataset's default graph: quad syntaxes write it as such (as Oxigraph and
    // Fuseki do), for clients that read everything as N-Quads or TriG.
    ("application/n-quads", RdfFormat::NQuads),
    ("application/trig", RdfFormat::TriG),
];

/// A query as the protocol delivers it.
#[derive(Debug, Default)]
pub(crate) struct QueryRequest {
    pub text: String,
    pub default_graphs: Vec<NamedNode>,
    pub named_graphs: Vec<NamedNode>,
    /// The base IRI of relative IRIs in the query (the endpoint's URL; a BASE in the query
    /// wins).
    pub base: Option<String>,
}

/// An evaluated and serialised result.
struct Evaluated {
    body: Vec<u8>,
    media_type: &'static str,
}

/// The pairs of a query string or url-encoded form (`what` names it in errors). Unlike
/// `form_urlencoded::parse`, which puts U+FFFD for bytes that are not UTF-8 and so would
/// run another query than the one sent, a name or value that is not UTF-8 once decoded is
/// refused (400), as a raw query body is.
pub(crate) fn params(encoded: &[u8], what: &str) -> Result<Vec<(String, String)>, HttpError> {
    let decode = |part: &[u8]| -> Option<String> {
        // `+` is a space; then the escapes (a `%2B` is a plus). A `%` without two hex digits
        // stays as it is (as in form_urlencoded); bytes that are not UTF-8 are refused.
        let spaced: Vec<u8> = part
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        let decoded = percent_encoding::percent_decode(&spaced)
            .decode_utf8()
            .ok()?;
        Some(decoded.into_owned())
    };
    let mut pairs = Vec::new();
    for pair in encoded.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        };
        let name = decode(name).ok_or_else(|| {
            HttpError::bad_request(format!("the {what} is not valid UTF-8 (a parameter name)"))
        })?;
        let value = decode(value).ok_or_else(|| {
            HttpError::bad_request(format!(
                "the {what} is not valid UTF-8: parameter `{name}` decodes to bytes that are not UTF-8"
            ))
        })?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

fn values<'a>(params: &'a [(String, String)], key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    params
        .iter()
        .filter(move |(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn refuse_update() -> HttpError {
    HttpError::new(
        StatusCode::FORBIDDEN,
        "this SPARQL endpoint is read-only: SPARQL Update is not accepted (send queries only)",
    )
}

fn graphs(params: &[(String, String)], key: &str) -> Result<Vec<NamedNode>, HttpError> {
    values(params, key)
        .map(|v| {
            NamedNode::new(v)
                .map_err(|e| HttpError::bad_request(format!("{key}: invalid IRI {v:?}: {e}")))
        })
        .collect()
}

impl QueryRequest {
    /// The query and dataset of GET or url-encoded POST parameters (`None`: no `query`).
    fn from_params(params: &[(String, String)]) -> Result<Option<Self>, HttpError> {
        let mut texts = values(params, "query");
        let Some(text) = texts.next() else {
            return Ok(None);
        };
        if texts.next().is_some() {
            return Err(HttpError::bad_request("more than one `query` parameter"));
        }
        Ok(Some(QueryRequest {
            text: text.to_owned(),
            default_graphs: graphs(params, "default-graph-uri")?,
            named_graphs: graphs(params, "named-graph-uri")?,
            base: None,
        }))
    }
}

/// The `Accept` value to negotiate with: the header, and a `format=` parameter before it
/// where it fits the result form (see [`negotiate::effective_accept`]).
pub(crate) fn accept(
    headers: &HeaderMap,
    params: &[(String, String)],
) -> Result<Option<String>, HttpError> {
    let header = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    negotiate::effective_accept(values(params, "format").next(), header)
        .map_err(HttpError::bad_request)
}

/// Reads a request body of at most `max` bytes (413 beyond) arriving within `within` (408
/// beyond: a client that stops sending must not hold its connection); a body that is not
/// valid HTTP (a malformed chunk size) is a bad request (400).
pub(crate) async fn read_body(
    headers: &HeaderMap,
    body: Body,
    max: usize,
    within: Duration,
) -> Result<Bytes, HttpError> {
    let too_large = || {
        HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body too large: this server accepts at most {max} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(within, axum::body::to_bytes(body, max)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => {
            let e = e.into_inner();
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e.as_ref());
            while let Some(c) = cause {
                if c.is::<http_body_util::LengthLimitError>() {
                    return Err(too_large());
                }
                cause = c.source();
            }
            Err(HttpError::bad_request(format!(
                "the request body could not be read: {e}"
            )))
        }
        Err(_) => Err(HttpError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request body did not arrive within this server's limit of {}",
                seconds(within)
            ),
        )),
    }
}

/// `/sparql` and `/query`.
pub(crate) async fn endpoint(State(app): State<Arc<App>>, request: Request) -> Response {
    endpoint_inner(&app, request)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn endpoint_inner(app: &Arc<App>, request: Request) -> Result<Response, HttpError> {
    let (parts, body) = request.into_parts();
    let url_params = params(parts.uri.query().unwrap_or("").as_bytes(), "query string")?;
    let accept = accept(&parts.headers, &url_params)?;
    if parts.method == Method::GET || parts.method == Method::HEAD {
        if values(&url_params, "update").next().is_some() {
            return Err(refuse_update());
        }
        return match QueryRequest::from_params(&url_params)? {
            Some(q) => {
                let q = prepare(app, q, &parts.headers, &parts.uri)?;
                run(app, q, accept.as_deref()).await
            }
            // A Graph Store request sent to the query endpoint: the graph is at /store.
            None if url_params
                .iter()
                .any(|(k, _)| k == "graph" || k == "default") =>
            {
                let mut r = StatusCode::SEE_OTHER.into_response();
                let to = format!("/store?{}", parts.uri.query().unwrap_or(""));
                r.headers_mut().insert(
                    header::LOCATION,
                    HeaderValue::from_str(&to)
                        .map_err(|e| HttpError::bad_request(e.to_string()))?,
                );
                Ok(r)
            }
            None => {
                let graphs = app.counted().await?;
                service_description(app, graphs, &parts.headers, &parts.uri, accept.as_deref())
            }
        };
    }
    if parts.method != Method::POST {
        let mut r = HttpError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "{} is not allowed here: send a query with GET or POST",
                parts.method
            ),
        )
        .into_response();
        r.headers_mut().insert(
            header::ALLOW,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        return Ok(r);
    }
    let content_type_header = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mut content_type_parts = content_type_header.split(';');
    let content_type = content_type_parts
        .next()
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    // Queries are UTF-8 (SPARQL 1.1 Protocol §2.1.2): a body declared in another charset is
    // refused rather than read as UTF-8.
    let charset = content_type_parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, v)| v.trim().trim_matches('"').to_ascii_lowercase());
    if let Some(charset) = charset.filter(|c| c != "utf-8" && c != "utf8") {
        if content_type != "application/sparql-update" {
            return Err(HttpError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("unsupported charset {charset:?}: send the query in UTF-8"),
            ));
        }
    }
    match content_type.as_str() {
        "application/sparql-update" => Err(refuse_update()),
        "application/x-www-form-urlencoded" => {
            let body = read_body(
                &parts.headers,
                body,
                app.config.max_body,
                app.config.header_timeout,
            )
            .await?;
            let form = params(&body, "form body")?;
            if values(&form, "update").next().is_some() {
                return Err(refuse_update());
            }
            let accept = match values(&form, "format").next() {
                Some(_) => self::accept(&parts.headers, &form)?,
                None => accept,
            };
            let q = QueryRequest::from_params(&form)?
                .ok_or_else(|| HttpError::bad_request("missing `query` parameter in the form"))?;
            let q = prepare(app, q, &parts.headers, &parts.uri)?;
            run(app, q, accept.as_deref()).await
        }
        "application/sparql-query" => {
            let body = read_body(
                &parts.headers,
                body,
                app.config.max_body,
                app.config.header_timeout,
            )
            .await?;
            let text = String::from_utf8(body.to_vec())
                .map_err(|_| HttpError::bad_request("the query is not valid UTF-8"))?;
            let q = QueryRequest {
                text,
                default_graphs: graphs(&url_params, "default-graph-uri")?,
                named_graphs: graphs(&url_params, "named-graph-uri")?,
                base: None,
            };
            let q = prepare(app, q, &parts.headers, &parts.uri)?;
            run(app, q, accept.as_deref()).await
        }
        "" => Err(HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "POST needs a Content-Type: application/sparql-query or application/x-www-form-urlencoded",
        )),
        other => Err(HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("unsupported Content-Type {other:?}: use application/sparql-query or application/x-www-form-urlencoded"),
        )),
    }
}

/// The URL of this endpoint as the client addressed it: under `--base` when the server was
/// given its public address, else `http://` + the Host header + the path (the Host header
/// only ever names the client's own request; one that does not make an IRI is replaced by
/// the bound address).
pub(crate) fn endpoint_url(app: &App, headers: &HeaderMap, uri: &axum::http::Uri) -> String {
    let path = uri.path();
    if app.config.base != crate::vocab::BASE {
        return format!("{}{}", app.config.base, path.trim_start_matches('/'));
    }
    let bound = format!("http://{}{path}", app.config.bind);
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|host| !host.contains(['/', '@', '?', '#', '\\', ' ']))
        .map(|host| format!("http://{host}{path}"))
        .filter(|url| NamedNode::new(url).is_ok())
        .unwrap_or(bound)
}

/// Completes a query of the protocol before it runs: relative IRIs resolve against the
/// endpoint's URL, and SERVICE is refused unless the server allows it.
fn prepare(
    app: &App,
    mut query: QueryRequest,
    headers: &HeaderMap,
    uri: &axum::http::Uri,
) -> Result<QueryRequest, HttpError> {
    if !app.config.allow_service && crate::store::federation::uses_service(&query.text) {
        return Err(HttpError::bad_request(
            "SERVICE is disabled on this endpoint: the query would send part of itself to a \
             remote SPARQL endpoint, and this server was started without --allow-service",
        ));
    }
    query.base = Some(endpoint_url(app, headers, uri));
    Ok(query)
}

/// Evaluates a query on the blocking pool within the time limit and answers with it.
pub(crate) async fn run(
    app: &Arc<App>,
    query: QueryRequest,
    accept: Option<&str>,
) -> Result<Response, HttpError> {
    let limit = app.config.timeout;
    // The slot goes with the evaluation, so that a query still winding down after its
    // answer was sent keeps it until it has stopped. The lane is what the query cost last
    // time (super::lanes); a query sending SERVICE patterns waits on other servers, which
    // costs this one no CPU but holds a slot all the same: it is long from the start.
    let key = app
        .lanes
        .query_key(&query.text, (&query.default_graphs, &query.named_graphs));
    let remote = app.config.allow_service && crate::store::federation::uses_service(&query.text);
    let ticket = Arc::new(app.lanes.admit(key, remote, limit).await?);
    let token = CancellationToken::new();
    // What this query holds on the shared heap, counted apart from the others'.
    let account = Arc::new(memory::Account::open());
    let stops = Arc::new(Stops::default());
    let watch = watch(app, &ticket, &token, &account, &stops);
    let task = spawn_evaluation(app, query, accept, ticket, token, account);
    // The patched evaluator (vendor/spareval) checks the token in every step, so a
    // cancelled query stops within milliseconds and frees its slot and memory; the client
    // is answered at the limit in any case.
    let outcome = tokio::time::timeout(limit + Duration::from_millis(200), task).await;
    watch.abort();
    let evaluated = match outcome {
        Err(_) => return Err(stopped(app, &stops)),
        Ok(Err(e)) => {
            return Err(HttpError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("query evaluation failed: {e}"),
            ))
        }
        Ok(Ok(Err(e))) if e.status == StatusCode::SERVICE_UNAVAILABLE => {
            return Err(stopped(app, &stops))
        }
        Ok(Ok(result)) => result?,
    };
    Ok(respond(app, evaluated))
}

/// Why the watch of a query stopped it, when not at its time limit.
#[derive(Default)]
struct Stops {
    out_of_memory: AtomicBool,
    long_busy: AtomicBool,
}

/// Spawns the watch that cancels `token` at the time, memory or long-lane limit.
fn watch(
    app: &Arc<App>,
    ticket: &Arc<lanes::Ticket>,
    token: &CancellationToken,
    account: &Arc<memory::Account>,
    stops: &Arc<Stops>,
) -> tokio::task::JoinHandle<()> {
    // Cancels the query at its time limit, or when the process holds more heap than
    // --max-memory and this query holds the most of the running ones (the heap is shared:
    // stopping every running query would stop the small ones beside the one that grew it).
    // While stopped queries wind down, what they still hold is taken as being freed, and a
    // running query growing by more than memory::GROWTH_WHILE_OTHERS_FREE meanwhile is
    // stopped too; should the heap stay over the limit beyond that, the next largest is
    // stopped at a later check.
    // It is also stopped when it has run long (super::lanes::LONG_AFTER of CPU) and no
    // long slot is free.
    let limit = app.config.timeout;
    let token = token.clone();
    let stops = Arc::clone(stops);
    let account = Arc::clone(account);
    let max_memory = app.config.max_memory;
    let app = Arc::clone(app);
    let ticket = Arc::clone(ticket);
    tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + limit;
        let mut tick = tokio::time::interval(MEMORY_CHECK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => {
                    app.lanes.timed_out(&ticket);
                    break;
                }
                _ = tick.tick() => {
                    if memory::allocated()
                        .is_some_and(|held| account.to_stop(held, max_memory))
                    {
                        account.stop();
                        stops.out_of_memory.store(true, Ordering::Relaxed);
                        break;
                    }
                    if app.lanes.check(&ticket) == lanes::Check::LongLaneFull {
                        account.stop();
                        stops.long_busy.store(true, Ordering::Relaxed);
                        break;
                    }
                }
            }
        }
        token.cancel();
    })
}

/// Runs the evaluation on the query's lane, charged to `account`; the receiver gets it.
fn spawn_evaluation(
    app: &Arc<App>,
    query: QueryRequest,
    accept: Option<&str>,
    ticket: Arc<lanes::Ticket>,
    token: CancellationToken,
    account: Arc<memory::Account>,
) -> tokio::sync::oneshot::Receiver<Result<Evaluated, HttpError>> {
    let app = Arc::clone(app);
    let accept = accept.map(str::to_owned);
    let stopped = token.clone();
    let lanes = Arc::clone(&app);
    lanes.lanes.spawn(&ticket.clone(), move || {
        ticket.start();
        // A panic of the engine is an answer (500), not a dead worker with the panic
        // text in the log.
        let started = std::time::Instant::now();
        // The token is also the thread's (store::cancelled_by): a read-only copy's pattern
        // scans look at it as they pass over quads that do not match.
        let evaluate = || evaluate(&app, &query, accept.as_deref(), token.clone());
        let evaluated = account
            .charge(|| guard::catch(|| crate::store::cancelled_by(token.clone(), evaluate)))
            .unwrap_or_else(|_| {
                Err(HttpError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    guard::PANICKED,
                ))
            });
        // A stopped query, or one that ran long enough to have built large joins or
        // sorts (a DISTINCT cut at --max-results held 115 MiB of join tables over the RS
        // editions): what it held goes back to the system, not only to the allocator.
        // Quick queries skip it, so pages stay cheap to serve.
        if started.elapsed() > Duration::from_millis(50)
            || evaluated
                .as_ref()
                .is_err_and(|e| e.status == StatusCode::SERVICE_UNAVAILABLE)
        {
            memory::release_freed();
        }
        // What a query cut short cost says nothing of what it costs.
        app.lanes.finish(&ticket, !stopped.is_cancelled());
        evaluated
    })
}

/// The answer to a query its watch stopped: no long slot, the memory limit or the time limit.
fn stopped(app: &App, stops: &Stops) -> HttpError {
    if stops.long_busy.load(Ordering::Relaxed) {
        app.lanes.long_busy(None)
    } else if stops.out_of_memory.load(Ordering::Relaxed) {
        HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "query stopped at this server's memory limit of {} MiB: try a narrower query",
                app.config.max_memory >> 20
            ),
        )
    } else {
        HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "query timed out: it ran longer than this server's limit of {}",
                seconds(app.config.timeout)
            ),
        )
    }
}

/// The response of an evaluated query: its body, Content-Type and result-limit headers.
fn respond(app: &App, evaluated: Evaluated) -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, content_type(evaluated.media_type))],
        evaluated.body,
    )
        .into_response();
    let h = response.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    h.insert(
        "Medrd-Result-Limit",
        HeaderValue::from(app.config.max_results),
    );
    response
}

/// An answer over --max-results is refused whole, never cut: a client that reads a cut
/// answer as the whole one would be wrong without knowing it (SPARQLWrapper and rdflib read
/// no header that would tell them), while an error they cannot miss.
fn too_many(max: usize, what: &str) -> HttpError {
    HttpError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the answer has more than {max} {what}, the limit of this server (--max-results): \
             it is refused whole rather than cut. Ask for it in pages: ORDER BY, LIMIT {max} \
             and OFFSET"
        ),
    )
}

/// The Content-Type of a media type: text types say they are UTF-8.
pub(crate) fn content_type(media_type: &str) -> String {
    if media_type.starts_with("text/") && !media_type.contains("charset") {
        format!("{media_type}; charset=utf-8")
    } else {
        media_type.to_owned()
    }
}

fn evaluation_error(e: QueryEvaluationError) -> HttpError {
    match e {
        QueryEvaluationError::Cancelled => {
            HttpError::new(StatusCode::SERVICE_UNAVAILABLE, "cancelled")
        }
        QueryEvaluationError::Dataset(e) if e.is::<crate::store::frozen::Stopped>() => {
            HttpError::new(StatusCode::SERVICE_UNAVAILABLE, "cancelled")
        }
        QueryEvaluationError::Dataset(e) => HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("store error: {e}"),
        ),
        e => HttpError::bad_request(format!("query evaluation failed: {e}")),
    }
}

fn not_acceptable<T>(what: &str, offers: &[(&str, T)]) -> HttpError {
    let media: Vec<&str> = offers.iter().map(|(m, _)| *m).collect();
    HttpError::new(
        StatusCode::NOT_ACCEPTABLE,
        format!(
            "{what} cannot be given in any format the Accept header allows; available: {}",
            media.join(", ")
        ),
    )
}

fn internal(e: impl std::fmt::Display) -> HttpError {
    HttpError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("writing the results failed: {e}"),
    )
}

/// An RDF serialiser with the project prefixes.
pub(crate) fn rdf_serializer(format: RdfFormat) -> RdfSerializer {
    crate::vocab::rdf_serializer(format, &[])
}

fn evaluate(
    app: &App,
    query: &QueryRequest,
    accept: Option<&str>,
    token: CancellationToken,
) -> Result<Evaluated, HttpError> {
    let mut evaluator =
        crate::store::federation::evaluator_within(app.config.allow_service, app.config.timeout)
            .with_cancellation_token(token);
    if let Some(base) = &query.base {
        evaluator = evaluator
            .with_base_iri(base.as_str())
            .map_err(|e| HttpError::bad_request(format!("base IRI <{base}>: {e}")))?;
    }
    let mut prepared =
        crate::query::bounds::parse_query(evaluator, &query.text).map_err(|e| match e {
            Refused::TooComplex(e) => HttpError::bad_request(format!("query refused: {e}")),
            Refused::Syntax(e) => HttpError::bad_request(format!("malformed query: {e}")),
        })?;
    if !query.default_graphs.is_empty() || !query.named_graphs.is_empty() {
        let dataset = prepared.dataset_mut();
        dataset.set_default_graph(
            query
                .default_graphs
                .iter()
                .cloned()
                .map(GraphName::from)
                .collect(),
        );
        dataset.set_available_named_graphs(
            query
                .named_graphs
                .iter()
                .cloned()
                .map(NamedOrBlankNode::from)
                .collect(),
        );
    } else if prepared.dataset().is_default_dataset() {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    let results = app.kb.stats.evaluate(prepared).map_err(evaluation_error)?;
    let max = app.config.max_results;
    let mut body = Vec::new();
    let media_type = match results {
        QueryResults::Solutions(solutions) => {
            let format = negotiate::choose(accept, RESULT_OFFERS)
                .ok_or_else(|| not_acceptable("SELECT results", RESULT_OFFERS))?;
            let mut w = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(&mut body, solutions.variables().to_vec())
                .map_err(internal)?;
            for (n, solution) in solutions.enumerate() {
                let solution = solution.map_err(evaluation_error)?;
                if n == max {
                    return Err(too_many(max, "rows"));
                }
                w.serialize(&solution).map_err(internal)?;
            }
            w.finish().map_err(internal)?;
            format.media_type()
        }
        QueryResults::Boolean(b) => {
            let format = negotiate::choose(accept, RESULT_OFFERS)
                .ok_or_else(|| not_acceptable("an ASK result", RESULT_OFFERS))?;
            QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(&mut body, b)
                .map_err(internal)?;
            format.media_type()
        }
        QueryResults::Graph(triples) => {
            let format = negotiate::choose(accept, GRAPH_OFFERS)
                .ok_or_else(|| not_acceptable("a graph", GRAPH_OFFERS))?;
            let mut w = rdf_serializer(format).for_writer(&mut body);
            for (n, triple) in triples.enumerate() {
                let triple = triple.map_err(evaluation_error)?;
                if n == max {
                    return Err(too_many(max, "triples"));
                }
                w.serialize_triple(&triple).map_err(internal)?;
            }
            w.finish().map_err(internal)?;
            body = crate::query::jsonld::compact_body(format, std::mem::take(&mut body))
                .map_err(internal)?;
            format.media_type()
        }
    };
    Ok(Evaluated { body, media_type })
}

/// The SPARQL service description (sd: vocabulary) of this endpoint, in Turtle or another
/// RDF syntax the client asks for.
fn service_description(
    app: &App,
    graphs: &[(oxigraph::model::NamedNode, usize)],
    headers: &HeaderMap,
    uri: &axum::http::Uri,
    accept: Option<&str>,
) -> Result<Response, HttpError> {
    let endpoint = endpoint_url(app, headers, uri);
    let formats = [
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ]
    .map(|f| format!("<http://www.w3.org/ns/formats/{f}>"))
    .join(", ");
    let named = graphs
        .iter()
        .map(|(g, len)| {
            format!(
                "[ a sd:NamedGraph ; sd:name <{g}> ; sd:graph [ a sd:Graph ; void:triples {len} ] ]",
                g = g.as_str()
            )
        })
        .collect::<Vec<_>>()
        .join(" ,\n      ");
    let turtle = format!(
        r#"@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<{endpoint}> a sd:Service ;
  sd:endpoint <{endpoint}> ;
  sd:supportedLanguage sd:SPARQL11Query ;
  sd:feature sd:UnionDefaultGraph ;
  sd:resultFormat {formats} ;
  dcterms:title "medrd-kg: {title_en} knowledge graph (read-only)"@en ,
    "{title_ja} ナレッジグラフ（読み取り専用）"@ja ;
  dcterms:description "Read-only SPARQL 1.1 endpoint. The default graph is the union of all named graphs. Queries time out after {timeout} and responses carry at most {max} results."@en ;
  sd:defaultDataset [
    a sd:Dataset ;
    sd:defaultGraph [ a sd:Graph ; dcterms:description "union of all named graphs"@en ] ;
    sd:namedGraph {named}
  ] .
"#,
        timeout = seconds(app.config.timeout),
        title_en = app.kb.primary().source.value.document.en.replace('"', "'"),
        title_ja = app.kb.primary().source.value.document.ja.replace('"', "'"),
        max = app.config.max_results,
    );
    // A browser that opens the endpoint gets the query page instead.
    let mut offers: Vec<(&str, Option<RdfFormat>)> =
        GRAPH_OFFERS.iter().map(|(m, f)| (*m, Some(*f))).collect();
    offers.push(("text/html", None));
    let format = match negotiate::choose(accept, &offers) {
        Some(Some(format)) => format,
        Some(None) => {
            let mut r = StatusCode::SEE_OTHER.into_response();
            r.headers_mut()
                .insert(header::LOCATION, HeaderValue::from_static("/"));
            r.headers_mut()
                .insert(header::VARY, HeaderValue::from_static("Accept"));
            return Ok(r);
        }
        None => return Err(not_acceptable("the service description", GRAPH_OFFERS)),
    };
    let body = if format == RdfFormat::Turtle {
        turtle.into_bytes()
    } else {
        let mut out = Vec::new();
        let mut w = RdfSerializer::from_format(format).for_writer(&mut out);
        for t in RdfParser::from_format(RdfFormat::Turtle).for_slice(turtle.as_bytes()) {
            let q = t.map_err(internal)?;
            w.serialize_triple(oxigraph::model::TripleRef::new(
                &q.subject,
                &q.predicate,
                &q.object,
            ))
            .map_err(internal)?;
        }
        w.finish().map_err(internal)?;
        crate::query::jsonld::compact_body(format, out).map_err(internal)?
    };
    let mut r = (
        [(header::CONTENT_TYPE, content_type(format.media_type()))],
        body,
    )
        .into_response();
    r.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(r)
}

/// `/queries`: the named queries as JSON (name, summary, SPARQL), for the query page.
pub(crate) async fn list(State(app): State<Arc<App>>) -> Response {
    let list: Vec<_> = app
        .queries
        .iter()
        .map(|q| serde_json::json!({ "name": q.name, "summary": q.summary, "sparql": q.text }))
        .collect();
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::Value::from(list).to_string(),
    )
        .into_response()
}

/// `/queries/NAME`: runs a named query, with the same negotiation as `/sparql`.
pub(crate) async fn named(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let accept = params(
        request.uri().query().unwrap_or("").as_bytes(),
        "query string",
    )
    .and_then(|url_params| accept(request.headers(), &url_params));
    drop(request);
    let result = async {
        let accept = accept?;
        let q = app.queries.iter().find(|q| q.name == name).ok_or_else(|| {
            let names: Vec<&str> = app.queries.iter().map(|q| q.name.as_str()).collect();
            HttpError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "no named query {name:?}; the named queries are: {}",
                    names.join(", ")
                ),
            )
        })?;
        let query = QueryRequest {
            text: q.text.clone(),
            ..QueryRequest::default()
        };
        run(&app, query, accept.as_deref()).await
    };
    result.await.unwrap_or_else(IntoResponse::into_response)
}
