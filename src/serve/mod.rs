//! `medrd serve`: the knowledge base over HTTP, read-only — a SPARQL 1.1 Protocol endpoint,
//! the named queries, dereferenceable entity IRIs (HTML for people, RDF for machines) and a
//! bilingual query page, and the diagrams of [`crate::diagram`] as SVG.
//!
//! Routes: `/` query page · `/sparql`, `/query` SPARQL 1.1 Protocol (GET, url-encoded POST,
//! direct POST; service description on a GET without query) · `/queries` (JSON list) and
//! `/queries/NAME` · `/id/...` resources · `/ontology` (the `medrd:` terms) · `/diagram/KIND[/ARG]` · `/health`. Result
//! formats follow the `Accept` header, or a `format=` parameter (json, xml, csv, tsv, ttl,
//! nt, jsonld, rdfxml, html) for links that cannot set headers.
//!
//! The HTTP stack is axum on tokio (hyper underneath): both are maintained by the tokio
//! project, used widely in production, and give what a public read-only endpoint needs
//! without hand-written HTTP parsing — binding port 0 and reading back the bound address
//! (tests), bounded request bodies, graceful shutdown and concurrent connections. Oxigraph's
//! own server uses oxhttp, which is smaller but spawns one thread per connection and does not
//! report the address it bound. SPARQL evaluation is synchronous, so each query runs on
//! tokio's blocking pool, bounded by a semaphore, and is cancelled through oxigraph's
//! `CancellationToken` when its time is up.
//!
//! IRIs and `--base`: the store keeps the canonical IRIs (`https://w3id.org/medrd-kg/id/...`)
//! and the SPARQL endpoint always answers with them. `GET /id/REST` describes the resource
//! `https://w3id.org/medrd-kg/id/REST`. When `--base` names another base (a mirror, or
//! `http://127.0.0.1:7878/` for local browsing), the Linked Data answers of `/id/...` are
//! rewritten under that base — every IRI starting with the canonical base is moved under
//! the new one — and say `owl:sameAs` the canonical IRI, so the mirror's IRIs dereference
//! to themselves while staying linked to the persistent ones.

mod negotiate;
mod resource;
mod sparql;

use crate::catalog::{self, NamedQuery};
use crate::diagram;
use crate::error::{Error, Result};
use crate::kb::Kb;
use crate::vocab::{BASE, DATA_GRAPH, ONTOLOGY_GRAPH};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use oxigraph::model::{NamedNode, NamedNodeRef, NamedOrBlankNode};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on (loopback by default; port 0 picks a free port).
    pub bind: SocketAddr,
    /// Base under which `/id/...` answers name the resources (see the module docs).
    pub base: String,
    /// Longest time one query may run before it is cancelled (503).
    pub timeout: Duration,
    /// Most solutions or triples one response carries; beyond, it is cut and says so.
    pub max_results: usize,
    /// Largest request body accepted (413 beyond).
    pub max_body: usize,
    /// Queries evaluated at the same time; others wait (within the timeout) for a turn.
    pub max_concurrent: usize,
    /// Most heap bytes the process may hold while queries run: beyond, the running queries
    /// are cancelled (503). Applies only where [`crate::memory::Counting`] is the global
    /// allocator (the `medrd` binary).
    pub max_memory: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 7878)),
            base: BASE.to_owned(),
            timeout: Duration::from_secs(5),
            max_results: 10_000,
            max_body: 1 << 20,
            max_concurrent: std::thread::available_parallelism().map_or(4, |n| n.get() * 2),
            max_memory: 2 << 30,
        }
    }
}

/// What every handler shares.
pub(crate) struct App {
    pub kb: Kb,
    pub config: Config,
    pub queries: Vec<NamedQuery>,
    pub permits: Arc<tokio::sync::Semaphore>,
    /// The named graphs and their sizes, counted once: the store does not change.
    pub graphs: Vec<(NamedNode, usize)>,
}

impl App {
    /// The size of a named graph (0 when absent).
    pub fn graph_len(&self, graph: NamedNodeRef<'_>) -> usize {
        self.graphs
            .iter()
            .find(|(g, _)| g.as_ref() == graph)
            .map_or(0, |(_, n)| *n)
    }
}

/// An error answer: a status and a message for people, sent as plain text.
#[derive(Debug)]
pub(crate) struct HttpError {
    pub status: StatusCode,
    pub message: String,
}

impl HttpError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        HttpError {
            status,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut message = self.message;
        if !message.ends_with('\n') {
            message.push('\n');
        }
        (
            self.status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message,
        )
            .into_response()
    }
}

/// A bound, not yet running server; [`Server::local_addr`] tells the port when 0 was asked.
pub struct Server {
    listener: tokio::net::TcpListener,
    router: Router,
}

impl Server {
    /// Binds the listening socket and prepares the routes (reads the named queries).
    pub async fn bind(kb: Kb, config: Config) -> Result<Server> {
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(|e| Error::io(format!("binding {}", config.bind), e))?;
        Ok(Server {
            listener,
            router: router(kb, config)?,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound TCP listener has a local address")
    }

    /// Serves until `shutdown` completes, then finishes the requests under way.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let addr = self.local_addr();
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| Error::io(format!("serving on {addr}"), e))
    }
}

/// The routes of the server over a loaded knowledge base.
pub fn router(kb: Kb, config: Config) -> Result<Router> {
    let queries = catalog::named(&kb.layout.queries())?;
    let permits = Arc::new(tokio::sync::Semaphore::new(config.max_concurrent.max(1)));
    let mut graphs = Vec::new();
    for g in kb.store.named_graphs() {
        if let NamedOrBlankNode::NamedNode(g) = g? {
            let len = kb.graph_len(g.as_ref());
            graphs.push((g, len));
        }
    }
    let app = Arc::new(App {
        kb,
        config,
        queries,
        permits,
        graphs,
    });
    Ok(Router::new()
        .route("/", get(page))
        .route("/sparql", any(sparql::endpoint))
        .route("/query", any(sparql::endpoint))
        .route("/queries", get(sparql::list))
        .route("/queries/{name}", get(sparql::named))
        .route("/health", get(health))
        .route("/id/{*rest}", get(resource::describe))
        .route("/ontology", get(resource::ontology))
        .route("/diagram/{*rest}", get(diagram))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(cors))
        .with_state(app))
}

/// CORS for read access from any origin: `Access-Control-Allow-Origin: *` on every answer,
/// and preflight `OPTIONS` requests answered here.
async fn cors(request: Request, next: Next) -> Response {
    let mut response = if request.method() == Method::OPTIONS {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Accept, Content-Type"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        h.insert(
            header::ALLOW,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        r
    } else {
        next.run(request).await
    };
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Medrd-Results-Truncated, Medrd-Result-Limit"),
    );
    response
}

/// The query page (HTML, CSS and script inline: no CDN).
async fn page() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        include_str!("page.html"),
    )
        .into_response()
}

/// `/health`: 200 "ok" while a query slot is free, 503 "busy" when every slot is taken
/// (queries, named queries, entity pages and diagrams would wait, then get 503), with the
/// slots in use and the heap held against `--max-memory`.
async fn health(State(app): State<Arc<App>>) -> Response {
    let total = app.config.max_concurrent.max(1);
    let free = app.permits.available_permits();
    let (status, code) = if free == 0 {
        ("busy", StatusCode::SERVICE_UNAVAILABLE)
    } else {
        ("ok", StatusCode::OK)
    };
    let body = serde_json::json!({
        "status": status,
        "triples": {
            "data": app.graph_len(DATA_GRAPH),
            "ontology": app.graph_len(ONTOLOGY_GRAPH),
        },
        "namedQueries": app.queries.len(),
        "querySlots": { "inUse": total.saturating_sub(free), "total": total },
        "memory": {
            "allocatedBytes": crate::memory::allocated(),
            "limitBytes": app.config.max_memory,
        },
    });
    (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// `/diagram/KIND[/ARG]`: a diagram of the diagram engine (`medrd diagram`), SVG by
/// default; `?format=dot|mermaid|svg` and `?lang=ja|en` choose the form and the labels.
async fn diagram(State(app): State<Arc<App>>, request: Request) -> Response {
    let rest = request
        .uri()
        .path()
        .trim_start_matches("/diagram/")
        .to_owned();
    let query: Vec<(String, String)> =
        form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let param = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let lang = match param("lang") {
        None | Some("ja") => diagram::Lang::Ja,
        Some("en") => diagram::Lang::En,
        Some(other) => {
            return HttpError::bad_request(format!("unknown lang {other:?} (ja or en)"))
                .into_response()
        }
    };
    let (format, media_type) = match param("format") {
        None | Some("svg") => (diagram::Format::Svg, "image/svg+xml"),
        Some("dot") => (diagram::Format::Dot, "text/vnd.graphviz; charset=utf-8"),
        Some("mermaid") | Some("mmd") => (diagram::Format::Mermaid, "text/plain; charset=utf-8"),
        Some(other) => {
            return HttpError::bad_request(format!(
                "unknown diagram format {other:?} (svg, dot or mermaid)"
            ))
            .into_response()
        }
    };
    let (kind, arg) = match rest.split_once('/') {
        Some((k, a)) => (k.to_owned(), Some(a.to_owned())),
        None => (rest, None),
    };
    let drawn = blocking(&app, "drawing", {
        let app = Arc::clone(&app);
        move || {
            let kind = diagram::Kind::parse(&kind, arg.as_deref())?;
            diagram::render(&diagram::build(&app.kb, &kind, lang)?, format)
        }
    })
    .await;
    match drawn {
        Ok(Ok(bytes)) => ([(header::CONTENT_TYPE, media_type)], bytes).into_response(),
        Ok(Err(Error::Diagram(m))) => HttpError::new(StatusCode::NOT_FOUND, format!("diagram: {m}")).into_response(),
        Ok(Err(Error::Graphviz(m))) => HttpError::new(
            StatusCode::NOT_IMPLEMENTED,
            format!("SVG diagrams need Graphviz `dot` on the server ({m}); ?format=dot or ?format=mermaid work without it"),
        )
        .into_response(),
        Ok(Err(e)) => HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("diagram: {e}")).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Runs work that reads the store (a diagram, a resource description) on the blocking pool,
/// holding one of the query slots of /sparql and within its time limit: with large
/// `--with` data it can take long, and must neither stall the async workers nor run
/// unbounded beside the queries.
pub(crate) async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HttpError> {
    let limit = app.config.timeout;
    let Ok(Ok(permit)) =
        tokio::time::timeout(limit, Arc::clone(&app.permits).acquire_owned()).await
    else {
        return Err(HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is busy: try again",
        ));
    };
    let task = tokio::task::spawn_blocking(move || {
        let done = work();
        drop(permit);
        done
    });
    match tokio::time::timeout(limit, task).await {
        Ok(Ok(done)) => Ok(done),
        Ok(Err(e)) => Err(HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{what} failed: {e}"),
        )),
        Err(_) => Err(HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "{what} timed out: it took longer than this server's limit of {}",
                sparql::seconds(limit)
            ),
        )),
    }
}

async fn not_found(request: Request) -> Response {
    HttpError::new(
        StatusCode::NOT_FOUND,
        format!(
            "no such page: {}\nthis server has: / (query page), /sparql and /query (SPARQL 1.1 \
             Protocol), /queries and /queries/NAME (named queries), /id/... (resources), /ontology, /diagram/KIND[/ARG] (diagrams), /health",
            request.uri().path()
        ),
    )
    .into_response()
}

async fn method_not_allowed(request: Request) -> Response {
    let mut r = HttpError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "{} is not allowed on {}: this server is read-only",
            request.method(),
            request.uri().path()
        ),
    )
    .into_response();
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, OPTIONS"));
    r
}
