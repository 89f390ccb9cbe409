//! `medrd serve`: the knowledge base over HTTP, read-only — a SPARQL 1.1 Protocol endpoint,
//! the named queries, dereferenceable entity IRIs (HTML for people, RDF for machines) and a
//! bilingual query page, and the diagrams of [`crate::diagram`] as SVG.
//!
//! Routes: `/` query page · `/explore…` the explorer for people who do not write SPARQL
//! ([`explorer`]) · `/sparql`, `/query` SPARQL 1.1 Protocol (GET, url-encoded POST,
//! direct POST; service description on a GET without query) · `/queries` (JSON list) and
//! `/queries/NAME` · `/id/...` resources · `/ontology` (the `medrd:` terms) · `/diagram/KIND[/ARG]` · `/health`. Result
//! formats follow the `Accept` header, or a `format=` parameter (json, xml, csv, tsv, ttl,
//! nt, jsonld, rdfxml, html, the aliases clients send, or a media type) for links that
//! cannot set headers; a `format=` that does not fit the result form falls back to `Accept`.
//!
//! The HTTP stack is axum on tokio (hyper underneath): both are maintained by the tokio
//! project, used widely in production, and give what a public read-only endpoint needs
//! without hand-written HTTP parsing — binding port 0 and reading back the bound address
//! (tests), bounded request bodies, graceful shutdown and concurrent connections. Oxigraph's
//! own server uses oxhttp, which is smaller but spawns one thread per connection and does not
//! report the address it bound. Connections are served by hyper's HTTP/1 builder directly
//! (not `axum::serve`) for its header-read timeout, with a bound on open connections (see
//! [`Server::run`]). SPARQL evaluation is synchronous, so each query runs on
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

mod assets;
mod drawn;
mod explorer;
mod graph_store;
mod lanes;
mod negotiate;
mod resource;
mod sparql;
mod stall;

use crate::diagram;
use crate::error::{Error, Result};
use crate::query::catalog::{self, NamedQuery};
use crate::store::Kb;
use crate::vocab::{BASE, ONTOLOGY_GRAPH};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use oxigraph::model::{NamedNode, NamedOrBlankNode};
use oxigraph::sparql::CancellationToken;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
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
    /// Queries (and pages, diagrams) known to be cheap evaluated at the same time; others
    /// wait (within the timeout) for a turn. Half that (at least one) more run queries not
    /// seen before, and a quarter more those that used `long_after` of CPU ([`lanes`]).
    pub max_concurrent: usize,
    /// CPU time after which a query (or a page, a diagram) is long: it moves to the long
    /// lane, or is stopped (503) when that is full.
    pub long_after: Duration,
    /// Longest time a client may take to send a request's line and headers (and to start
    /// the next request on a kept-alive connection): slow or idle clients are closed then.
    /// A request's body must arrive within the same time once its headers are in (408), and
    /// a client that takes no byte of its answer for this long is closed too.
    pub header_timeout: Duration,
    /// Most connections open at once, so that idle clients cannot use up the process's file
    /// descriptors: beyond, the oldest connection waiting for a request makes room, or, when
    /// every connection is busy, the new one is answered 503 and closed.
    pub max_connections: usize,
    /// Let queries send SERVICE patterns to remote endpoints (http:// only); without it a
    /// query using SERVICE is refused with 400.
    pub allow_service: bool,
    /// Most heap bytes the process may hold while queries run: beyond, the running query
    /// holding the most is cancelled (503). Applies only where [`crate::store::memory::Counting`] is the global
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
            long_after: lanes::LONG_AFTER,
            header_timeout: Duration::from_secs(10),
            max_connections: 4096,
            allow_service: false,
            max_memory: 2 << 30,
        }
    }
}

/// What every handler shares.
pub(crate) struct App {
    pub kb: Kb,
    pub config: Config,
    pub queries: Vec<NamedQuery>,
    /// The quick and the long lane of the work that reads the store.
    pub lanes: lanes::Lanes,
    /// The diagrams drawn so far.
    pub drawn: drawn::Drawn,
    /// The named graphs and their sizes, counted once on a thread of their own as the
    /// server starts (the store does not change): by [`App::counted`], or `None` until then.
    pub graphs: std::sync::OnceLock<Vec<(NamedNode, usize)>>,
    /// The catalogue's description (DCAT, VoID: `dist/catalog.ttl`), made on first asking.
    pub catalog: std::sync::OnceLock<Vec<oxigraph::model::Triple>>,
    /// Held while the catalogue is made.
    pub catalog_lock: std::sync::Mutex<()>,
    /// How many of [`App::start_thread`]'s threads are still at work (`/health`'s `ready`).
    pub starting: std::sync::atomic::AtomicUsize,
}

impl App {
    /// The catalogue's triples (`publish::dcat`), as `medrd build` writes them to
    /// `dist/catalog.ttl`: made once (its statistics read the whole store), and not kept
    /// when making them failed (a request stopped at the time limit), so a later one tries
    /// again.
    pub fn catalog(&self) -> std::result::Result<&[oxigraph::model::Triple], HttpError> {
        if let Some(c) = self.catalog.get() {
            return Ok(c);
        }
        // One request makes it; the others wait for it rather than each reading the store.
        let _making = self.catalog_lock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = self.catalog.get() {
            return Ok(c);
        }
        match crate::publish::dcat::dcat_triples(&self.kb) {
            Ok(t) => Ok(self.catalog.get_or_init(|| t)),
            Err(e) => Err(HttpError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the catalogue could not be made now: {e}"),
            )),
        }
    }

    /// The named graphs and their sizes, waited for while they are counted: a warm `serve
    /// --store` start spent 0.7 s counting them before it listened, and a store of every
    /// review sheet takes seconds.
    pub async fn counted(&self) -> std::result::Result<&[(NamedNode, usize)], HttpError> {
        self.until("the graphs' sizes", || self.graphs.get().is_some())
            .await?;
        Ok(self.graphs.get().map_or(&[], Vec::as_slice))
    }

    /// Waits until `done` says yes (work of [`App::start_thread`]), looking every 10 ms, at
    /// most for the server's time limit: then a 503 naming `what` is still being read.
    pub async fn until(
        &self,
        what: &str,
        done: impl Fn() -> bool,
    ) -> std::result::Result<(), HttpError> {
        let deadline = tokio::time::Instant::now() + self.config.timeout;
        while !done() {
            if tokio::time::Instant::now() >= deadline {
                return Err(HttpError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "{what} are still being read as the server starts: try again in a moment"
                    ),
                ));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(())
    }

    /// Runs `work` on a thread of its own as the server starts, beside the requests: with
    /// the stack of a query thread, its plannings taking the counts they need
    /// ([`crate::store::stats::StoreStatistics::taking_counts`]), and counted in `/health`'s
    /// `ready` until it returns or panics. `work` must leave what handlers wait for set
    /// whichever way it ends.
    pub fn start_thread(
        self: &Arc<Self>,
        name: &str,
        work: impl FnOnce(&App) + Send + 'static,
    ) -> Result<()> {
        /// Counts the work as done, on return and on unwinding alike.
        struct Done(Arc<App>);
        impl Drop for Done {
            fn drop(&mut self) {
                self.0.starting.fetch_sub(1, Ordering::Release);
            }
        }
        self.starting.fetch_add(1, Ordering::AcqRel);
        let done = Done(Arc::clone(self));
        std::thread::Builder::new()
            .name(name.to_owned())
            .stack_size(crate::query::bounds::STACK_SIZE)
            .spawn(move || {
                let app = &done.0;
                app.kb.stats.taking_counts(|| work(app));
            })
            .map(drop)
            .map_err(|e| Error::io(format!("starting the thread {name}"), e))
    }

    /// Starts the thread that counts the named graphs' triples.
    fn count_graphs(self: &Arc<Self>) -> Result<()> {
        self.start_thread("medrd-count-graphs", |app| {
            let mut failed = Vec::new();
            let counted = crate::store::guard::catch(|| {
                let mut graphs = Vec::new();
                for g in app.kb.named_graphs() {
                    match g {
                        Ok(NamedOrBlankNode::NamedNode(g)) => match app.kb.graph_len(g.as_ref()) {
                            Ok(len) => graphs.push((g, len)),
                            Err(e) => failed.push(e.to_string()),
                        },
                        Ok(NamedOrBlankNode::BlankNode(_)) => {}
                        Err(e) => failed.push(e.to_string()),
                    }
                }
                graphs
            });
            let panicked = counted.is_err();
            let _ = app.graphs.set(counted.unwrap_or_default());
            for e in &failed {
                eprintln!("medrd serve: a named graph is left out of /health's counts: {e}");
            }
            if panicked {
                eprintln!("medrd serve: counting the named graphs failed (an internal error)");
            }
        })
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
    header_timeout: Duration,
    max_connections: usize,
    drain: Duration,
}

/// What a connection beyond `max_connections` reads before it is closed.
fn too_many() -> Vec<u8> {
    let body = "too many connections open: try again shortly\n";
    format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
         X-Content-Type-Options: nosniff\r\nContent-Security-Policy: {}\r\n\
         Content-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{body}",
        assets::CSP,
        body.len()
    )
    .into_bytes()
}

/// The tokio runtime a [`Server`] runs on: its worker and blocking threads parse and evaluate
/// queries, so they get the stack [`crate::query::bounds`] sizes for the largest query it
/// lets through (tokio's default of 2 MiB let 1,000 nested braces abort the process).
pub fn runtime() -> tokio::runtime::Builder {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder
        .enable_all()
        .thread_stack_size(crate::query::bounds::STACK_SIZE);
    builder
}

impl Server {
    /// Binds the listening socket and prepares the routes (reads the named queries).
    pub async fn bind(kb: Kb, config: Config) -> Result<Server> {
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(|e| Error::io(format!("binding {}", config.bind), e))?;
        let stats = kb.stats.clone();
        let router = router(kb, config.clone())?;
        // The planner's counts are taken beside the requests, never by them.
        stats
            .count_ahead()
            .map_err(|e| Error::io("starting the statistics thread", e))?;
        Ok(Server {
            listener,
            header_timeout: config.header_timeout,
            max_connections: config.max_connections.max(1),
            drain: config.timeout + config.header_timeout + Duration::from_secs(1),
            router,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound TCP listener has a local address")
    }

    /// Serves until `shutdown` completes, then finishes the requests under way (waiting at
    /// most a query's time limit plus the header timeout for them).
    ///
    /// The connection loop is ours rather than `axum::serve`'s, which has no header-read
    /// timeout: hyper's HTTP/1 connection closes a client that has not sent a whole request
    /// head within `header_timeout` (an idle kept-alive connection included), and at most
    /// `max_connections` are open at once. When all are taken, the oldest connection that
    /// is waiting for a request (idle, or sending its headers) is closed to make room, so a
    /// flood of idle clients cannot lock out a real one; when every connection is busy with
    /// a request, the new one is told 503 and closed. Either way the listener keeps its file
    /// descriptors and `/health` keeps answering.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        use hyper::server::conn::http1;
        use hyper::service::Service as _;
        use hyper_util::rt::{TokioIo, TokioTimer};
        use hyper_util::service::TowerToHyperService;

        let open = Arc::new(tokio::sync::Semaphore::new(self.max_connections));
        let connections = Arc::new(Connections::default());
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_timeout)
            .keep_alive(true);
        let builder = Arc::new(builder);
        let service = TowerToHyperService::new(self.router);
        tokio::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                accepted = self.listener.accept() => accepted,
                () = &mut shutdown => break,
            };
            let stream = match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors (EMFILE) or a connection reset before it was
                // accepted: wait a moment instead of spinning, and go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let permit = match Arc::clone(&open).try_acquire_owned() {
                Ok(permit) => Some(permit),
                // The evicted connection gives its permit back as soon as its task sees it.
                Err(_) if connections.evict_one_waiting() => tokio::time::timeout(
                    Duration::from_millis(100),
                    Arc::clone(&open).acquire_owned(),
                )
                .await
                .ok()
                .and_then(|p| p.ok()),
                Err(_) => None,
            };
            let Some(permit) = permit else {
                // Best effort: a socket just accepted takes these bytes without blocking.
                let _ = stream.try_write(&too_many());
                drop(stream);
                continue;
            };
            let _ = stream.set_nodelay(true);
            let (id, slot) = connections.add();
            let tracked = {
                let service = service.clone();
                let slot = Arc::clone(&slot);
                hyper::service::service_fn(move |request| {
                    let busy = Busy::new(Arc::clone(&slot));
                    let answer = service.call(request);
                    async move {
                        let answer = answer.await;
                        drop(busy);
                        answer
                    }
                })
            };
            // A client that takes no byte of its answer for the header timeout is closed.
            let stream = stall::WriteStall::new(stream, self.header_timeout);
            let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), tracked));
            let connections = Arc::clone(&connections);
            tokio::spawn(async move {
                // A client that goes away or times out is no error of the server's; an
                // evicted connection is dropped, which closes its socket.
                tokio::select! {
                    _ = conn => {}
                    () = slot.evicted.notified() => {}
                }
                connections.remove(id);
                drop(permit);
            });
        }
        drop(self.listener);
        // Idle connections close at once; requests under way get their answer.
        let _ = tokio::time::timeout(self.drain, graceful.shutdown()).await;
        Ok(())
    }
}

/// One open connection, as the accept loop sees it.
#[derive(Default)]
struct Slot {
    /// Requests of this connection being answered now (0: it waits for a request).
    busy: std::sync::atomic::AtomicUsize,
    /// Told when the connection is closed to make room for a new one.
    evicted: tokio::sync::Notify,
}

/// Marks a connection busy while one of its requests is answered.
struct Busy(Arc<Slot>);

impl Busy {
    fn new(slot: Arc<Slot>) -> Self {
        slot.busy.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Busy(slot)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0
            .busy
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The open connections, oldest first.
#[derive(Default)]
struct Connections {
    open: std::sync::Mutex<(u64, std::collections::BTreeMap<u64, Arc<Slot>>)>,
}

impl Connections {
    fn add(&self) -> (u64, Arc<Slot>) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let id = open.0;
        open.0 += 1;
        let slot = Arc::new(Slot::default());
        open.1.insert(id, Arc::clone(&slot));
        (id, slot)
    }

    fn remove(&self, id: u64) {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .remove(&id);
    }

    /// Closes the oldest connection waiting for a request; false when all are busy.
    fn evict_one_waiting(&self) -> bool {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let victim = open
            .1
            .iter()
            .find(|(_, slot)| slot.busy.load(std::sync::atomic::Ordering::SeqCst) == 0)
            .map(|(id, _)| *id);
        match victim.and_then(|id| open.1.remove(&id)) {
            Some(slot) => {
                slot.evicted.notify_one();
                true
            }
            None => false,
        }
    }
}

/// The routes of the server over a loaded knowledge base.
pub fn router(kb: Kb, config: Config) -> Result<Router> {
    let queries = catalog::named(&kb.layout.queries())?;
    let lanes = lanes::Lanes::new(config.max_concurrent, config.long_after);
    let app = Arc::new(App {
        kb,
        config,
        queries,
        lanes,
        drawn: drawn::Drawn::default(),
        graphs: std::sync::OnceLock::new(),
        catalog: std::sync::OnceLock::new(),
        catalog_lock: std::sync::Mutex::new(()),
        starting: std::sync::atomic::AtomicUsize::new(0),
    });
    app.count_graphs()?;
    let explorer = explorer::router(Arc::clone(&app))?;
    Ok(Router::new()
        .merge(explorer)
        .merge(assets::router())
        .route("/", get(page))
        .route("/sparql", any(sparql::endpoint))
        .route("/query", any(sparql::endpoint))
        .route("/store", any(graph_store::read))
        .route("/queries", get(sparql::list))
        .route("/queries/{name}", get(sparql::named))
        .route("/health", get(health))
        .route("/id/{*rest}", get(resource::describe))
        .route("/graph/{*rest}", get(resource::describe))
        .route("/ontology", get(resource::ontology))
        .route("/rs", get(resource::rs_vocabulary))
        .route("/diagram/{*rest}", get(diagram))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(cors())
        .layer(middleware::from_fn(assets::secure))
        .with_state(app))
}

/// CORS for read access from any origin: `Access-Control-Allow-Origin: *` on every answer
/// (and the result-limit headers readable by scripts); preflight requests for GET and POST
/// with `Accept` and `Content-Type` are answered by the layer, and kept for a day.
fn cors() -> tower_http::cors::CorsLayer {
    use tower_http::cors::{Any, CorsLayer};
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([header::ACCEPT, header::CONTENT_TYPE])
        .expose_headers([
            header::HeaderName::from_static("medrd-results-truncated"),
            header::HeaderName::from_static("medrd-result-limit"),
        ])
        .max_age(Duration::from_secs(86_400))
}

/// The query page (HTML; its script and style are `/assets/console.*`: no CDN).
async fn page() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        include_str!("page.html"),
    )
        .into_response()
}

/// `/health`, answered at once whatever runs (it takes no slot): 200 "ok", or 503 "busy" when
/// a request has waited for a cheap slot for a second or more (the regular traffic would wait
/// as long, and be refused at the time limit); full new and long lanes are reported, not
/// busy ([`lanes`]). With the slots of the lanes and the heap held against `--max-memory`.
async fn health(State(app): State<Arc<App>>) -> Response {
    let lanes = app.lanes.report();
    let lane = |l: &lanes::LaneReport| serde_json::json!({ "inUse": l.in_use, "total": l.total, "waiting": l.waiting });
    let (status, code) = if lanes.busy() {
        ("busy", StatusCode::SERVICE_UNAVAILABLE)
    } else {
        ("ok", StatusCode::OK)
    };
    let body = serde_json::json!({
        "status": status,
        // null while they are being counted (the first seconds of a large store)
        "triples": app.graphs.get().map(|graphs| {
            let (ontology, data): (Vec<_>, Vec<_>) =
                graphs.iter().partition(|(g, _)| g.as_ref() == ONTOLOGY_GRAPH);
            serde_json::json!({
                "data": data.iter().map(|(_, n)| n).sum::<usize>(),
                "ontology": ontology.iter().map(|(_, n)| n).sum::<usize>(),
            })
        }),
        // false while the server's own reads at start (graph sizes, the explorer's search
        // entries and shared answers) are under way
        "ready": app.starting.load(Ordering::Acquire) == 0,
        "namedQueries": app.queries.len(),
        "querySlots": {
            "inUse": lanes.cheap.in_use + lanes.new.in_use + lanes.long.in_use,
            "total": lanes.cheap.total + lanes.new.total + lanes.long.total,
            "longestWaitMs": lanes.longest_wait.as_millis() as u64,
            "longAfterMs": app.config.long_after.as_millis() as u64,
            "cheap": lane(&lanes.cheap),
            "new": lane(&lanes.new),
            "long": lane(&lanes.long),
        },
        "memory": {
            "allocatedBytes": crate::store::memory::allocated(),
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
/// default; `?format=dot|mermaid|svg` and `?lang=ja|en` choose the form and the labels,
/// `?fy=YEAR` the document (as `--fy`: the newest by default; 400 for a year no document
/// gives).
async fn diagram(State(app): State<Arc<App>>, request: Request) -> Response {
    let rest = request
        .uri()
        .path()
        .trim_start_matches("/diagram/")
        .to_owned();
    let query = match sparql::params(
        request.uri().query().unwrap_or("").as_bytes(),
        "query string",
    ) {
        Ok(query) => query,
        Err(e) => return e.into_response(),
    };
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
    // The document of a fiscal year (?fy=, as the explorer's views say it): the newest's
    // by default.
    let fy = match param("fy") {
        None | Some("") => None,
        Some(fy) => match fy.parse::<i32>() {
            Ok(y) => Some(y),
            Err(_) => {
                return HttpError::bad_request(format!("fy={fy:?} is not a fiscal year"))
                    .into_response()
            }
        },
    };
    let (kind, arg) = match rest.split_once('/') {
        Some((k, a)) => (k.to_owned(), Some(a.to_owned())),
        None => (rest, None),
    };
    let kind = match diagram::Kind::parse(&kind, arg.as_deref()) {
        // A program is found whatever the case of its slug: one drawing for every spelling
        // (else 2^n spellings of one slug would each be drawn and kept).
        Ok(diagram::Kind::Program(slug)) => diagram::Kind::Program(slug.to_lowercase()),
        Ok(diagram::Kind::Money(slug)) => diagram::Kind::Money(slug.to_lowercase()),
        Ok(kind) => kind,
        Err(e) => return diagram_error(e).into_response(),
    };
    if matches!(kind, diagram::Kind::Timeline(..)) && format != diagram::Format::Svg {
        return HttpError::bad_request(format!(
            "{} is a chart, drawn as SVG only (?format=svg)",
            kind.file_stem()
        ))
        .into_response();
    }
    // Drawn once per server (the store does not change: drawn::Drawn). Graphviz, drawing an
    // SVG, is another process whose CPU time the lanes do not see: it is long work from the
    // start (lanes); the timeline chart, DOT and Mermaid are drawn here.
    let key = format!("{kind:?} {lang:?} {format:?} {fy:?}");
    let long = format == diagram::Format::Svg && !matches!(kind, diagram::Kind::Timeline(..));
    let admission = (app.lanes.key(&key), long);
    let draw = {
        let app = Arc::clone(&app);
        async move {
            let work = {
                let app = Arc::clone(&app);
                move |_| diagram::draw(&app.kb, &kind, lang, format, fy)
            };
            match blocking(&app, "drawing", admission, work).await {
                Ok(Ok(bytes)) => Ok(axum::body::Bytes::from(bytes)),
                Ok(Err(e)) => Err(diagram_error(e)),
                Err(e) => Err(e),
            }
        }
    };
    let limit = app.config.timeout;
    match tokio::time::timeout(limit, app.drawn.get(key, draw)).await {
        Ok(Ok(bytes)) => ([(header::CONTENT_TYPE, media_type)], bytes).into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(_) => HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "drawing timed out: it took longer than this server's limit of {} (it goes \
                 on, and is kept when done)",
                seconds(limit)
            ),
        )
        .into_response(),
    }
}

/// The answer to a diagram that could not be drawn.
fn diagram_error(e: Error) -> HttpError {
    match e {
        Error::Diagram(m) => HttpError::new(StatusCode::NOT_FOUND, format!("diagram: {m}")),
        e @ Error::NoDocumentYear { .. } => HttpError::bad_request(e.to_string()),
        Error::Graphviz(m) => HttpError::new(
            StatusCode::NOT_IMPLEMENTED,
            format!("SVG diagrams need Graphviz `dot` on the server ({m}); ?format=dot or ?format=mermaid work without it"),
        ),
        e => HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("diagram: {e}")),
    }
}

/// A duration as messages say it: `5s`, `0.5s`.
pub(crate) fn seconds(d: std::time::Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

/// Runs work that reads the store (a diagram, a resource description, an explorer page) on
/// the blocking pool, holding a slot of the lanes the queries of /sparql use and within its
/// time limit: with large `--with` data it can take long, and must neither stall the async
/// workers nor run unbounded beside the queries. `key` is its fingerprint (as
/// [`lanes::Lanes::key`] makes it: the same work has the same key), `long` says it is known
/// to be long before it starts ([`lanes`]). The work gets the token that stops it.
pub(crate) async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    what: &str,
    (key, long): (u64, bool),
    work: impl FnOnce(CancellationToken) -> T + Send + 'static,
) -> Result<T, HttpError> {
    let limit = app.config.timeout;
    let ticket = Arc::new(app.lanes.admit(key, long, limit).await?);
    // The store queries of the work stop at the limit too (crate::store::cancelled_by), and so
    // do the scans that look at crate::store::cancelled, so that its slot is free again within
    // milliseconds, not when it would have ended (Graphviz `dot`, drawing an SVG, runs under
    // its own limit, MEDRD_DOT_TIMEOUT).
    let token = CancellationToken::new();
    // Cancelled when this future ends however it ends: at the limit, when it is long and the
    // long lane is full, and when the client goes away and the server drops the request (the
    // work would otherwise run on).
    struct CancelOnDrop(CancellationToken);
    impl Drop for CancelOnDrop {
        fn drop(&mut self) {
            self.0.cancel();
        }
    }
    let _cancel = CancelOnDrop(token.clone());
    let mut task = app.lanes.spawn(&ticket, {
        let (app, token, ticket) = (Arc::clone(app), token.clone(), Arc::clone(&ticket));
        move || {
            ticket.start();
            let done = crate::store::cancelled_by(token.clone(), || work(token.clone()));
            // What work cut short cost says nothing of what it costs.
            app.lanes.finish(&ticket, !token.is_cancelled());
            done
        }
    });
    let deadline = tokio::time::Instant::now() + limit;
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            done = &mut task => return done.map_err(|e| HttpError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("{what} failed: {e}"),
            )),
            () = tokio::time::sleep_until(deadline) => {
                app.lanes.timed_out(&ticket);
                return Err(HttpError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "{what} timed out: it took longer than this server's limit of {}",
                        seconds(limit)
                    ),
                ));
            }
            _ = tick.tick() => {
                if app.lanes.check(&ticket) == lanes::Check::LongLaneFull {
                    return Err(app.lanes.long_busy(None));
                }
            }
        }
    }
}

async fn not_found(request: Request) -> Response {
    HttpError::new(
        StatusCode::NOT_FOUND,
        format!(
            "no such page: {}\nthis server has: / (query page), /sparql and /query (SPARQL 1.1 \
             Protocol), /queries and /queries/NAME (named queries), /id/... (resources), /ontology, /diagram/KIND[/ARG] (diagrams), /explore (explorer), /health",
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
