//! The explorer of `medrd serve` (`/explore…`): pages for people who do not write SPARQL —
//! the budget at a glance, search as you type, filtered tables downloadable as CSV and JSON,
//! and pages that read (program, project, organisation, theme), each showing the SPARQL of
//! `queries/explorer/` behind it with a link that runs it in the console.
//!
//! Every store read of a request goes through [`super::blocking`] (a query slot, the time
//! limit) with a cancellation token; the search entries and the answers every page shares
//! are read once as the server starts, on a thread of their own beside the requests
//! ([`super::App::start_thread`]: the names first, the entries of budget lines and
//! recipients last, or at once from the answer kept beside an on-disk store,
//! [`crate::store::kept`]), and the source text before it listens (the store does not change
//! while the server runs).
//!
//! Here: the state the pages share and the running of their queries. `view.rs` reads a
//! request (an extractor), `pages/` has one file a page, each rendering its template of
//! `templates/` (askama: compiled with the program, every value escaped), and `page.rs` puts
//! a page in its shell or answers one of its tables as CSV or JSON (`table.rs`).

mod flow;
mod money;
mod page;
mod pages;
mod table;
mod view;

use super::{App, HttpError};
use crate::error::Result;
use crate::ingest::sources::YearView;
use crate::query::catalog::NamedQuery;
use crate::vocab::ID;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use oxigraph::model::Term;
use oxigraph::sparql::{CancellationToken, QueryResults, SparqlEvaluator};
use pages::{flow::flow, line::line, recipient::recipient, search::search, theme::theme};
use pages::{home::home, org::org, program::program, programs::programs, project::project};
use std::collections::BTreeMap;
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;
use view::View;

/// What the explorer's handlers share.
pub(crate) struct Explorer {
    app: Arc<App>,
    queries: BTreeMap<String, NamedQuery>,
    /// Each document's lines (index 0 is line 1), by the document's id, for quoting.
    lines: BTreeMap<String, Vec<String>>,
    /// The search entries of the programs, projects, themes, organisations and initiatives
    /// (search-index), read on the explorer's own thread once the server starts
    /// ([`Explorer::prepare`]): a handler that needs them awaits [`Explorer::ready`] first
    /// ([`Explorer::entries`] has none until then). An error when they could not be read.
    names: Entries,
    /// The search entries of the budget lines and recipients (search-money), read after the
    /// names and the shared answers: at the scale of every review sheet they take minutes
    /// on disk, and the pages that need only names do not wait for them
    /// ([`Explorer::ready_all`] for those that do).
    money: Entries,
    /// Answers already read, by the query text as run.
    cache: std::sync::Mutex<BTreeMap<String, Arc<[Row]>>>,
    /// The fiscal years of the documents, oldest first, each with its document's title:
    /// a view shows the figures of one (`?fy=`, the newest by default), never a sum
    /// across years.
    years: Vec<YearView>,
}

impl Explorer {
    /// The newest document's year: the view of a page without `fy`.
    fn default_scope(&self) -> YearView {
        self.years.last().cloned().unwrap_or_default()
    }

    fn year_doc(&self, year: i32) -> Option<&YearView> {
        self.years.iter().find(|y| y.year == year)
    }
}

/// Most answers kept (pages of distinct resources; each is small).
const CACHED: usize = 4096;

/// The explorer's queries without an argument, whose answers serve every page that shows
/// them: read as the server starts ([`Explorer::prepare`]).
const WARM: [&str; 10] = [
    "home-projects",
    "home-ministries",
    "home-themes",
    "programs",
    "program-timeline",
    "rs-links",
    "recipients-by-scope",
    "project-timeline",
    "ministry-timeline",
    "top-recipients",
];

/// One searchable thing.
pub(super) struct Entry {
    kind: &'static str,
    key: String,
    ja: String,
    en: String,
    program: String,
    /// The forms a query is matched against: the names, and a line's or recipient's key.
    norm: Vec<String>,
    /// A line's newest initial budget, a recipient's newest year of payments.
    amount: Option<Amount>,
}

/// The figure a search result shows beside a budget line or a recipient.
pub(super) struct Amount {
    year: String,
    oku_yen: String,
    source: String,
}

type Row = BTreeMap<String, String>;

/// A query as it ran: its name, its text with the parameter bound, its rows.
struct Ran {
    name: String,
    sparql: String,
    /// Shared with the cache: a page reads the answer, never copies it.
    rows: Arc<[Row]>,
}

/// The explorer's routes (merged into the server's router).
pub(crate) fn router(app: Arc<App>) -> Result<Router<Arc<App>>> {
    let dir = app.kb.layout.queries().join("explorer");
    let queries: BTreeMap<String, NamedQuery> =
        crate::query::catalog::explorer(&app.kb.layout.queries())?
            .into_iter()
            .map(|q| (q.name.clone(), q))
            .collect();
    for needed in [
        "home-projects",
        "home-ministries",
        "home-themes",
        "search-index",
        "programs",
        "program",
        "program-statements",
        "program-inferred",
        "project",
        "project-programs",
        "org",
        "org-programs",
        "theme",
        "recipient",
        "line",
        "line-figures",
        "line-payments",
        "search-money",
        "flow",
    ] {
        if !queries.contains_key(needed) {
            return Err(crate::error::Error::io(
                dir.join(format!("{needed}.rq")),
                std::io::Error::new(std::io::ErrorKind::NotFound, "explorer query missing"),
            ));
        }
    }
    // A line is quoted from the document its location names (`id/source/DOC/L128`), so a
    // second document's statements quote its own text, not the first one's.
    let lines = app
        .kb
        .sources
        .documents
        .iter()
        .map(|d| {
            let text = d.source_lines().unwrap_or_default();
            (d.source.value.document.id.clone(), text)
        })
        .collect();
    // The search entries and the shared answers are read once the server listens, on a
    // thread of their own (a warm `serve --store` start spent 1.4 s reading them before it
    // listened); their queries are parsed now, so that a broken one still stops the start.
    for name in ["search-index", "search-money"] {
        if let Some(q) = queries.get(name) {
            let _parsed = crate::query::bounds::parse_query(SparqlEvaluator::new(), &q.text)
                .map_err(|e| q.error(e))?;
            if !crate::query::is_select(&q.text) {
                return Err(q.error("an explorer query must be a SELECT"));
            }
        }
    }
    let years = app.kb.sources.years();
    let ex = Arc::new(Explorer {
        app,
        queries,
        lines,
        names: Entries::default(),
        money: Entries::default(),
        cache: std::sync::Mutex::default(),
        years,
    });
    ex.prepare()?;
    Ok(Router::new()
        .route("/explore", get(home))
        .route("/explore/", get(home))
        .route("/explore/search", get(search))
        .route("/explore/programs", get(programs))
        .route("/explore/program/{slug}", get(program))
        .route("/explore/project/{n}", get(project))
        .route("/explore/org/{code}", get(org))
        .route("/explore/ministry/{code}", get(org))
        .route("/explore/theme/{slug}", get(theme))
        .route("/explore/recipient/{number}", get(recipient))
        .route("/explore/line/{*rest}", get(line))
        .route("/explore/flow/{*rest}", get(flow))
        .layer(axum::middleware::from_fn(page::html_errors))
        .with_state(ex))
}

/// The rows of one of the explorer's named queries, its name prefixed to an error's message.
fn named_rows(app: &App, q: &NamedQuery) -> std::result::Result<Vec<Row>, HttpError> {
    select_rows(app, &q.text, CancellationToken::new())
        .map_err(|e| HttpError::new(e.status, format!("{}: {}", q.name, e.message)))
}

/// Reads search entries into `cell` (an internal error when `read` panics), saying on stderr
/// when they could not be read.
fn read_into(
    cell: &Entries,
    what: &str,
    read: impl FnOnce() -> std::result::Result<Vec<Entry>, HttpError>,
) {
    let read = crate::store::guard::catch(read).unwrap_or_else(|_| {
        Err(HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            crate::store::guard::PANICKED,
        ))
    });
    let failed = read.as_ref().err().map(|e| e.message.clone());
    let _ = cell.set(read);
    if let Some(message) = failed {
        eprintln!(
            "medrd serve: the explorer's search entries of {what} could not be read: {message}"
        );
    }
}

/// Search entries once read, or why they could not be.
type Entries = std::sync::OnceLock<std::result::Result<Vec<Entry>, HttpError>>;

/// The search entries read at one moment: the names, and the lines and recipients if read
/// (or why they could not be).
struct ReadSoFar<'a> {
    names: &'a [Entry],
    money: Option<std::result::Result<&'a [Entry], &'a HttpError>>,
}

impl<'a> ReadSoFar<'a> {
    fn entries(&self) -> impl Iterator<Item = &'a Entry> {
        let money = match self.money {
            Some(Ok(money)) => money,
            _ => &[],
        };
        self.names.iter().chain(money)
    }
}

/// The search entries of the programs, projects, themes, organisations and initiatives
/// (search-index).
fn name_entries(
    app: &App,
    queries: &BTreeMap<String, NamedQuery>,
) -> std::result::Result<Vec<Entry>, HttpError> {
    let rows = named_rows(app, &queries["search-index"])?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let kind = match r.get("kind")?.as_str() {
                "program" => "program",
                "project" => "project",
                "theme" => "theme",
                "org" => "org",
                "initiative" => "initiative",
                _ => return None,
            };
            let ja = r.get("label_ja").cloned().unwrap_or_default();
            let en = r.get("label_en").cloned().unwrap_or_default();
            Some(Entry {
                kind,
                key: r.get("key")?.clone(),
                norm: vec![normalize(&ja), normalize(&en)],
                amount: None,
                ja,
                en,
                program: r.get("program").cloned().unwrap_or_default(),
            })
        })
        .collect())
}

/// The search entries of the budget lines and recipients, each with its figure, from the
/// rows of search-money.
fn money_entries(rows: Vec<Row>) -> Vec<Entry> {
    // Rows of a key come together, the newest edition last: the last one is kept.
    let mut by_key: BTreeMap<(String, String), Row> = BTreeMap::new();
    for r in rows {
        let (Some(kind), Some(key)) = (r.get("kind"), r.get("key")) else {
            continue;
        };
        by_key.insert((kind.clone(), key.clone()), r);
    }
    by_key
        .into_iter()
        .filter_map(|((kind, key), r)| {
            let kind = match kind.as_str() {
                "line" => "line",
                "recipient" => "recipient",
                _ => return None,
            };
            let ja = r.get("label_ja").cloned().unwrap_or_default();
            let oku_yen = match (r.get("amount_oku_yen"), r.get("amount_yen")) {
                (Some(oku), _) => Some(oku.clone()),
                (None, Some(yen)) => Some(money::oku_from_yen(yen)),
                _ => None,
            };
            let amount = oku_yen.map(|oku_yen| Amount {
                year: r.get("fiscal_year").cloned().unwrap_or_default(),
                oku_yen,
                source: r.get("source").cloned().unwrap_or_default(),
            });
            // "rs/2958" is found as 2958 and RS2958, a sheet by its number, a recipient by
            // its 法人番号.
            let norm = vec![
                normalize(&ja),
                normalize(&key),
                normalize(&key.replace('/', "")),
            ];
            Some(Entry {
                kind,
                key,
                ja,
                en: String::new(),
                program: String::new(),
                norm,
                amount,
            })
        })
        .collect()
}

/// Search text as compared: NFKC (full-width and half-width alike), lower case, no spaces.
pub fn normalize(s: &str) -> String {
    s.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn value(term: &Term) -> String {
    match term {
        Term::Literal(l) => l.value().to_owned(),
        Term::NamedNode(n) => n.as_str().to_owned(),
        other => other.to_string(),
    }
}

/// Runs a SELECT over the union of the graphs (synchronously: call from the blocking pool).
fn select_rows(
    app: &App,
    text: &str,
    token: CancellationToken,
) -> std::result::Result<Vec<Row>, HttpError> {
    let evaluator = SparqlEvaluator::new().with_cancellation_token(token);
    let mut prepared = crate::query::bounds::parse_query(evaluator, text)
        .map_err(|e| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("query: {e}")))?;
    prepared.dataset_mut().set_default_graph_as_union();
    let results = app
        .kb
        .stats
        .evaluate(prepared)
        .map_err(|e| HttpError::new(StatusCode::SERVICE_UNAVAILABLE, format!("query: {e}")))?;
    let QueryResults::Solutions(solutions) = results else {
        return Err(HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "an explorer query must be a SELECT",
        ));
    };
    let mut rows = Vec::new();
    for solution in solutions {
        let solution = solution
            .map_err(|e| HttpError::new(StatusCode::SERVICE_UNAVAILABLE, format!("query: {e}")))?;
        rows.push(
            solution
                .iter()
                .map(|(v, t)| (v.as_str().to_owned(), value(t)))
                .collect(),
        );
    }
    Ok(rows)
}

/// The text of a query with `?arg` bound to an IRI (as the diagram queries are bound),
/// `?view_year` to the fiscal year of the view (an `xsd:gYear`, as the figures carry it)
/// and `?view_doc` to the document of that year (the figures' `dcterms:source`: a document
/// also prints the year before's budget, and next year's prints this year's).
fn bind(text: &str, arg: Option<&str>, scope: &YearView) -> String {
    let mut values: Vec<(&str, String)> = scope
        .bindings()
        .into_iter()
        .map(|(name, term)| (name, term.to_string()))
        .collect();
    if let Some(iri) = arg {
        values.push(("arg", format!("<{iri}>")));
    }
    crate::query::catalog::bind(text, &values)
}

impl Explorer {
    /// Runs named queries (of `queries/explorer/`, or a named query of `queries/` for the
    /// optional sections) in one store read on the blocking pool, within the time limit.
    async fn run(
        self: &Arc<Self>,
        view: &View,
        wanted: &[(&str, Option<String>)],
    ) -> std::result::Result<Vec<Option<Ran>>, HttpError> {
        let texts: Vec<Option<(String, String)>> = wanted
            .iter()
            .map(|(name, arg)| {
                let q = self.queries.get(*name).or_else(|| {
                    self.app
                        .queries
                        .iter()
                        .find(|q| q.name == *name && !name.is_empty())
                });
                q.map(|q| (q.name.clone(), bind(&q.text, arg.as_deref(), &view.scope)))
            })
            .collect();
        // The store does not change while the server runs: an answer is kept (up to
        // CACHED answers, not empty ones), and only the queries of a page not answered
        // before read the store (a second program page runs its own three, not the
        // timeline and RS links of every program again).
        let cached = |sparql: &str| {
            self.cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(sparql)
                .cloned()
        };
        let known: Vec<Option<Arc<[Row]>>> = texts
            .iter()
            .map(|t| t.as_ref().and_then(|(_, sparql)| cached(sparql)))
            .collect();
        let missing: Vec<(usize, String, String)> = texts
            .iter()
            .zip(&known)
            .enumerate()
            .filter_map(|(i, (t, k))| match (t, k) {
                (Some((name, sparql)), None) => Some((i, name.clone(), sparql.clone())),
                _ => None,
            })
            .collect();
        let mut fresh: BTreeMap<usize, Arc<[Row]>> = BTreeMap::new();
        if !missing.is_empty() {
            let app = Arc::clone(&self.app);
            let key = self.app.lanes.key(
                missing
                    .iter()
                    .map(|(_, _, sparql)| sparql.as_str())
                    .collect::<Vec<_>>(),
            );
            // The token stops the queries at the time limit, or when they have run long and
            // the long lane is full (super::lanes).
            let done = super::blocking(
                &self.app,
                "the explorer's query",
                (key, false),
                move |token| {
                    missing
                        .into_iter()
                        .map(|(i, _, sparql)| {
                            select_rows(&app, &sparql, token.clone()).map(|rows| (i, sparql, rows))
                        })
                        .collect::<std::result::Result<Vec<_>, HttpError>>()
                },
            )
            .await;
            let done = done??;
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            for (i, sparql, rows) in done {
                let rows: Arc<[Row]> = rows.into();
                // An empty answer is not kept: requests for things that do not exist (any
                // path under /explore/line/…) would otherwise fill the cache for good.
                if cache.len() < CACHED && !rows.is_empty() {
                    cache.insert(sparql, Arc::clone(&rows));
                }
                fresh.insert(i, rows);
            }
        }
        Ok(texts
            .into_iter()
            .zip(known)
            .enumerate()
            .map(|(i, (t, k))| {
                t.map(|(name, sparql)| Ran {
                    name,
                    rows: fresh.remove(&i).or(k).unwrap_or_else(|| Arc::new([])),
                    sparql,
                })
            })
            .collect())
    }

    /// Starts the thread that reads the search entries of names, the answers of [`WARM`],
    /// then the search entries of lines and recipients: pages asked for meanwhile read what
    /// they need themselves; the four that name things from the entries (search, programs,
    /// flow, line) wait for those they need.
    fn prepare(self: &Arc<Self>) -> Result<()> {
        let ex = Arc::clone(self);
        self.app.start_thread("medrd-explorer-ahead", move |app| {
            // Each is set before anything else can fail: the pages wait for it.
            read_into(&ex.names, "names", || name_entries(app, &ex.queries));
            let money = ex.queries.get("search-money");
            // Kept beside an on-disk store (store::kept): read back at once.
            let kept = crate::store::guard::catch(|| {
                money.and_then(|q| crate::store::kept::kept(&app.kb, &q.name, &q.text))
            });
            if let Ok(Some(rows)) = kept {
                read_into(&ex.money, "lines and recipients", || {
                    Ok(money_entries(rows))
                });
            }
            let _ = crate::store::guard::catch(|| ex.read_ahead());
            if ex.money.get().is_none() {
                read_into(&ex.money, "lines and recipients", || {
                    let Some(q) = money else {
                        return Ok(Vec::new());
                    };
                    let rows = named_rows(app, q)?;
                    // Minutes over every review sheet on disk: kept for the next start.
                    let rows = crate::store::kept::keep(&app.kb, &q.name, &q.text, rows);
                    Ok(money_entries(rows))
                });
            }
        })
    }

    /// Waits until the search entries of names are read (at once after the first seconds of
    /// the server; at most its time limit, then 503); an error answer when they could not be.
    async fn ready(&self) -> std::result::Result<(), HttpError> {
        self.wait_for(&[&self.names], "the search entries").await
    }

    /// [`Explorer::ready`], and the search entries of lines and recipients read too (one
    /// wait, at most the time limit).
    async fn ready_all(&self) -> std::result::Result<(), HttpError> {
        self.wait_for(
            &[&self.names, &self.money],
            "the search entries of lines and recipients",
        )
        .await
    }

    async fn wait_for(&self, all: &[&Entries], what: &str) -> std::result::Result<(), HttpError> {
        self.app
            .until(what, || all.iter().all(|e| e.get().is_some()))
            .await?;
        match all.iter().find_map(|e| e.get()?.as_ref().err()) {
            Some(e) => Err(HttpError::new(e.status, e.message.clone())),
            None => Ok(()),
        }
    }

    /// The search entries read so far, taken at once: the names after [`Explorer::ready`],
    /// the lines and recipients after [`Explorer::ready_all`] (or whatever is read by now).
    fn read_so_far(&self) -> ReadSoFar<'_> {
        let names = self.names.get().and_then(|e| e.as_ref().ok());
        ReadSoFar {
            names: names.map_or(&[], Vec::as_slice),
            money: self.money.get().map(|e| e.as_ref().map(Vec::as_slice)),
        }
    }

    /// The search entries read so far ([`Explorer::read_so_far`]).
    fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.read_so_far().entries()
    }

    /// Reads the answers of [`WARM`] into the cache. A query that fails is left for the
    /// page that needs it to report.
    fn read_ahead(&self) {
        for name in WARM {
            let q = self
                .queries
                .get(name)
                .or_else(|| self.app.queries.iter().find(|q| q.name == name));
            let Some(q) = q else { continue };
            let sparql = bind(&q.text, None, &self.default_scope());
            if let Ok(rows) = select_rows(&self.app, &sparql, CancellationToken::new()) {
                self.cache
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(sparql, rows.into());
            }
        }
    }

    /// The text of a source line, from its location's IRI (`…/id/source/DOC/L128`): empty
    /// when the IRI is not a line of a document at hand.
    fn line(&self, loc: &str) -> &str {
        loc.strip_prefix(ID)
            .and_then(|rest| rest.strip_prefix("source/"))
            .and_then(|rest| rest.rsplit_once("/L"))
            .and_then(|(doc, n)| {
                let i = n.parse::<usize>().ok()?.checked_sub(1)?;
                self.lines.get(doc)?.get(i)
            })
            .map_or("", |l| l.trim())
    }
}

impl Explorer {
    /// Every program's newest figure and aggregate line (pages::money::newest), from the
    /// shared answers of program-timeline and rs-links (read once, then kept).
    async fn newest(
        self: &Arc<Self>,
        view: &View,
    ) -> std::result::Result<BTreeMap<String, pages::money::Newest>, HttpError> {
        let ran = self
            .run(view, &[("program-timeline", None), ("rs-links", None)])
            .await?;
        let rows = |i: usize| ran[i].as_ref().map_or(&[][..], |q| &q.rows[..]);
        Ok(pages::money::newest(rows(0), rows(1)))
    }

    /// [`Explorer::run`] for pages whose queries are all of `queries/explorer/`.
    async fn run_all(
        self: &Arc<Self>,
        view: &View,
        wanted: &[(&str, Option<String>)],
    ) -> std::result::Result<Vec<Ran>, HttpError> {
        Ok(self
            .run(view, wanted)
            .await?
            .into_iter()
            .flatten()
            .collect())
    }
}

/// The first row of a page's main query: the thing the page is about, or 404.
fn first_row<'a>(ran: &'a Ran, what: &str, key: &str) -> std::result::Result<&'a Row, HttpError> {
    ran.rows.first().ok_or_else(|| not_found(what, key))
}

fn not_found(what: &str, key: &str) -> HttpError {
    HttpError::new(
        StatusCode::NOT_FOUND,
        format!("no {what} {key:?} in the knowledge base (search at /explore/search)"),
    )
}
