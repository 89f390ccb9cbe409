//! The explorer of `medrd serve` (`/explore…`): pages for people who do not write SPARQL —
//! the budget at a glance, search as you type, filtered tables downloadable as CSV and JSON,
//! and pages that read (program, project, organisation, theme), each showing the SPARQL of
//! `queries/explorer/` behind it with a link that runs it in the console.
//!
//! Every store read goes through [`super::blocking`] (a query slot, the time limit) with a
//! cancellation token; the search index and the source text are read once at start (the
//! store does not change while the server runs).

use super::{App, HttpError};
use crate::error::Result;
use crate::ingest::sources::YearView;
use crate::query::catalog::NamedQuery;
use crate::vocab::ID;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use oxigraph::model::Term;
use oxigraph::sparql::{CancellationToken, QueryResults, SparqlEvaluator};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

const SHELL: &str = include_str!("explorer/shell.html");

/// What the explorer's handlers share.
pub(crate) struct Explorer {
    app: Arc<App>,
    queries: BTreeMap<String, NamedQuery>,
    /// Each document's lines (index 0 is line 1), by the document's id, for quoting.
    lines: BTreeMap<String, Vec<String>>,
    index: Vec<Entry>,
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
/// them: read before the server listens.
const WARM: [&str; 6] = [
    "home-projects",
    "home-ministries",
    "home-themes",
    "programs",
    "program-timeline",
    "rs-links",
];

/// One searchable thing.
struct Entry {
    kind: &'static str,
    key: String,
    ja: String,
    en: String,
    program: String,
    norm: [String; 2],
}

type Row = BTreeMap<String, String>;

/// A query as it ran: its name, its text with the parameter bound, its rows.
struct Ran {
    name: String,
    sparql: String,
    rows: Vec<Row>,
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
    let index_query = &queries["search-index"];
    let rows = select_rows(&app, &index_query.text, CancellationToken::new())
        .map_err(|e| index_query.error(e.message))?;
    let index = rows
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
                norm: [normalize(&ja), normalize(&en)],
                ja,
                en,
                program: r.get("program").cloned().unwrap_or_default(),
            })
        })
        .collect();
    let years = app.kb.sources.years();
    let ex = Arc::new(Explorer {
        app,
        queries,
        lines,
        index,
        cache: std::sync::Mutex::default(),
        years,
    });
    // The answers that pages share and that take the longest (each program's timeline and
    // RS links over both RS editions, ≈ 50 ms together in a release build) are read once
    // before the server listens, so that no visitor's first page pays for them
    // (scripts/page-times.sh: a program page's first visit took 53 ms before, see README),
    // and no query slot is taken by them once it does.
    ex.read_ahead();
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
        .with_state(ex))
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
    let results = prepared
        .on_store(&app.kb.store)
        .execute()
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
    let mut values = vec![
        (
            "view_year",
            format!(
                "\"{}\"^^<http://www.w3.org/2001/XMLSchema#gYear>",
                scope.year
            ),
        ),
        ("view_doc", format!("<{}>", scope.iri)),
    ];
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
        // CACHED answers, empty ones too), and only the queries of a page not answered
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
        let mut fresh: BTreeMap<usize, Vec<Row>> = BTreeMap::new();
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
                if cache.len() < CACHED {
                    cache.insert(sparql, rows.clone().into());
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
                    rows: fresh
                        .remove(&i)
                        .or_else(|| k.map(|r| r.to_vec()))
                        .unwrap_or_default(),
                    sparql,
                })
            })
            .collect())
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Ja,
    En,
}

impl Lang {
    fn t<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
    fn code(self) -> &'static str {
        self.t("ja", "en")
    }
    /// The label in this language (the other when empty).
    fn pick<'a>(self, row: &'a Row, ja: &str, en: &str) -> &'a str {
        let get = |k: &str| row.get(k).map(String::as_str).filter(|s| !s.is_empty());
        match self {
            Lang::Ja => get(ja).or_else(|| get(en)),
            Lang::En => get(en).or_else(|| get(ja)),
        }
        .unwrap_or("")
    }
}

/// A fiscal year as the pages name it: 令和6年度, FY2024 (the timeline chart's names).
fn year_label(year: i32, lang: Lang) -> String {
    let lang = match lang {
        Lang::Ja => crate::diagram::Lang::Ja,
        Lang::En => crate::diagram::Lang::En,
    };
    crate::diagram::timeline::year_label(year, lang)
}

/// The request as the explorer reads it: its path, its parameters and the language.
struct View {
    path: String,
    params: Vec<(String, String)>,
    lang: Lang,
    /// The fiscal year whose figures the view shows (`fy`) and its document, as the queries
    /// are bound to them and as the page's heading and footer name it.
    scope: YearView,
    /// Whether that is the default year (the newest document's).
    default_year: bool,
    /// Every fiscal year a document gives, oldest first (a choice when more than one).
    years: Vec<i32>,
}

impl View {
    fn of(request: &Request, ex: &Explorer) -> std::result::Result<View, HttpError> {
        let params = super::sparql::params(
            request.uri().query().unwrap_or("").as_bytes(),
            "query string",
        )?;
        let mut view = View {
            path: request.uri().path().to_owned(),
            params,
            lang: Lang::Ja,
            scope: ex.default_scope(),
            default_year: true,
            years: ex.years.iter().map(|y| y.year).collect(),
        };
        match view.param("fy") {
            None | Some("") => {}
            Some(fy) => match fy.parse::<i32>().ok().and_then(|y| ex.year_doc(y)) {
                Some(doc) => {
                    view.default_year = doc.year == view.scope.year;
                    view.scope = doc.clone();
                }
                None => {
                    let known: Vec<String> = ex.years.iter().map(|y| y.year.to_string()).collect();
                    return Err(HttpError::bad_request(format!(
                        "unknown fiscal year fy={fy:?}: the documents give {}",
                        known.join(", ")
                    )));
                }
            },
        }
        view.lang = match view.param("lang") {
            None | Some("") | Some("ja") => Lang::Ja,
            Some("en") => Lang::En,
            Some(other) => {
                return Err(HttpError::bad_request(format!(
                    "unknown lang {other:?} (ja or en)"
                )))
            }
        };
        Ok(view)
    }

    fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// This view's URL with some parameters replaced (an empty value removes one).
    fn with(&self, changes: &[(&str, &str)]) -> String {
        let mut params: Vec<(String, String)> = self
            .params
            .iter()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .cloned()
            .collect();
        for (k, v) in changes {
            if !v.is_empty() {
                params.push(((*k).to_owned(), (*v).to_owned()));
            }
        }
        url(&self.path, &params)
    }

    /// A link to another explorer page in this view's language and fiscal year (the
    /// parameters go before a `#fragment`).
    fn link(&self, path: &str) -> String {
        let (path, fragment) = match path.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (path, None),
        };
        let mut out = path.to_owned();
        let mut add = |kv: String| {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&kv);
        };
        if self.lang == Lang::En {
            add("lang=en".to_owned());
        }
        if !self.default_year {
            add(format!("fy={}", self.scope.year));
        }
        if let Some(f) = fragment {
            out.push('#');
            out.push_str(f);
        }
        out
    }

    /// The address of a diagram in this view's language and of its fiscal year's document.
    fn diagram(&self, path: &str) -> String {
        let mut out = format!("{path}?lang={}", self.lang.code());
        if !self.default_year {
            let _ = write!(out, "&fy={}", self.scope.year);
        }
        out
    }

    /// The hidden inputs that keep this view's language and fiscal year in a form.
    fn hidden_inputs(&self) -> String {
        let mut out = String::new();
        if self.lang == Lang::En {
            out.push_str("<input type=\"hidden\" name=\"lang\" value=\"en\">");
        }
        if !self.default_year {
            let _ = write!(
                out,
                "<input type=\"hidden\" name=\"fy\" value=\"{}\">",
                self.scope.year
            );
        }
        out
    }
}

fn url(path: &str, params: &[(String, String)]) -> String {
    if params.is_empty() {
        return path.to_owned();
    }
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    format!("{path}?{query}")
}

use crate::markup::escape as esc;
use crate::markup::path_segment as seg;

/// A table cell: its text (what CSV and JSON carry) and, in HTML, a link or markup.
#[derive(Clone, Default)]
struct Cell {
    text: String,
    html: Option<String>,
    numeric: bool,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            ..Cell::default()
        }
    }
    fn link(s: impl Into<String>, href: &str) -> Cell {
        let text = s.into();
        Cell {
            html: Some(crate::markup::anchor(href, &text)),
            text,
            numeric: false,
        }
    }
    fn num(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            numeric: true,
            html: None,
        }
    }
}

/// A table of a page: downloadable as CSV and JSON with the same rows.
struct Table {
    id: &'static str,
    caption: String,
    columns: Vec<(&'static str, String)>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    fn html(&self, view: &View, downloadable: bool) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            "<table id=\"{}\"><caption>{}</caption><thead><tr>",
            self.id,
            esc(&self.caption)
        );
        for (_, head) in &self.columns {
            let _ = write!(s, "<th scope=\"col\">{}</th>", esc(head));
        }
        s.push_str("</tr></thead><tbody>");
        for row in &self.rows {
            s.push_str("<tr>");
            for cell in row {
                let class = if cell.numeric {
                    " class=\"num\""
                } else if cell.text.chars().count() <= 6
                    && cell.html.as_ref().is_none_or(|h| h.len() < 120)
                {
                    " class=\"short\""
                } else {
                    ""
                };
                let inner = cell.html.clone().unwrap_or_else(|| esc(&cell.text));
                let _ = write!(s, "<td{class}>{inner}</td>");
            }
            s.push_str("</tr>");
        }
        s.push_str("</tbody></table>");
        if downloadable {
            let t = |ja, en| view.lang.t(ja, en);
            let _ = write!(
                s,
                "<p class=\"dl\">{} <a href=\"{}\" download>CSV</a> <a href=\"{}\" download>JSON</a> <span class=\"src\">({} {})</span></p>",
                t("この表をダウンロード:", "Download this table:"),
                esc(&view.with(&[("format", "csv"), ("table", self.id)])),
                esc(&view.with(&[("format", "json"), ("table", self.id)])),
                self.rows.len(),
                t("行", "rows"),
            );
        }
        s
    }

    fn csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(self.columns.iter().map(|(k, _)| *k));
        for row in &self.rows {
            let _ = w.write_record(row.iter().map(|c| c.text.as_str()));
        }
        w.into_inner().unwrap_or_default()
    }

    fn json(&self) -> String {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|row| {
                serde_json::Value::Object(
                    self.columns
                        .iter()
                        .zip(row)
                        .map(|((k, _), c)| {
                            ((*k).to_owned(), serde_json::Value::from(c.text.clone()))
                        })
                        .collect(),
                )
            })
            .collect();
        serde_json::Value::from(rows).to_string()
    }
}

/// A whole page: its title, body and the queries behind it.
struct Page {
    title: String,
    body: String,
    ran: Vec<Ran>,
    tables: Vec<Table>,
}

/// Answers a page, or one of its tables when `format=csv|json` asks for it.
fn answer(view: &View, page: Page) -> Response {
    match view.param("format") {
        None | Some("") | Some("html") => {}
        Some(f @ ("csv" | "json")) => {
            let wanted = view.param("table");
            let Some(table) = page
                .tables
                .iter()
                .find(|t| wanted.is_none_or(|w| w == t.id))
            else {
                return HttpError::new(
                    StatusCode::NOT_FOUND,
                    format!(
                        "this page has no table {:?}; its tables: {}",
                        wanted.unwrap_or(""),
                        page.tables
                            .iter()
                            .map(|t| t.id)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .into_response();
            };
            let name = view.path.trim_start_matches('/').replace('/', "-");
            let disposition = format!("attachment; filename=\"{}-{}.{f}\"", name, table.id);
            let (media, body) = if f == "csv" {
                ("text/csv; charset=utf-8", table.csv())
            } else {
                ("application/json", table.json().into_bytes())
            };
            return (
                [
                    (header::CONTENT_TYPE, media.to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                body,
            )
                .into_response();
        }
        Some(other) => {
            return HttpError::bad_request(format!(
                "unknown format {other:?} for an explorer page (html, csv or json)"
            ))
            .into_response()
        }
    }
    let lang = view.lang;
    let t = |ja, en| lang.t(ja, en);
    let nav = [
        ("/explore", t("ホーム", "Home")),
        ("/explore/search", t("検索", "Search")),
        ("/explore/programs", t("事業一覧", "Programs")),
        ("/", t("SPARQLコンソール", "SPARQL console")),
    ]
    .iter()
    .map(|(href, label)| {
        let current = if view.path == *href {
            " aria-current=\"page\""
        } else {
            ""
        };
        let href = if *href == "/" {
            "/".to_owned()
        } else {
            view.link(href)
        };
        format!(
            "<li><a href=\"{}\"{current}>{}</a></li>",
            esc(&href),
            esc(label)
        )
    })
    .collect::<String>();
    let mut sparql = format!(
        "<section aria-labelledby=\"sparql-h\"><h2 id=\"sparql-h\">{}</h2><p class=\"src\">{}</p>",
        t("このページのSPARQL", "The SPARQL behind this page"),
        t(
            "このページは次のクエリの結果から作られています。コンソールで開いて書き換えられます。",
            "This page is built from the results of these queries; open one in the console to change it.",
        )
    );
    for ran in &page.ran {
        let _ = write!(
            sparql,
            "<details><summary>{} <span class=\"src\">({} {})</span></summary><pre><code>{}</code></pre><p><a class=\"console\" href=\"{}\">{}</a></p></details>",
            esc(&ran.name),
            ran.rows.len(),
            t("行", "rows"),
            esc(&ran.sparql),
            esc(&url("/", &[("query".to_owned(), ran.sparql.clone())])),
            t("コンソールで開く", "Open in the console"),
        );
    }
    sparql.push_str("</section>");
    let (other, other_name) = match lang {
        Lang::Ja => ("en", "English"),
        Lang::En => ("ja", "日本語"),
    };
    let html = SHELL
        .replace("{{LANG}}", lang.code())
        .replace("{{TITLE}}", &esc(&page.title))
        .replace("{{SKIP}}", t("本文へ移動", "Skip to content"))
        .replace("{{HOME}}", &esc(&view.link("/explore")))
        .replace(
            "{{BRAND}}",
            t(
                "医療研究開発予算 エクスプローラ",
                "Medical R&amp;D budget explorer",
            ),
        )
        .replace("{{NAVLABEL}}", t("サイト", "Site"))
        .replace("{{NAV}}", &nav)
        .replace("{{TOGGLE}}", &esc(&view.with(&[("lang", other)])))
        .replace("{{OTHERLANG}}", other)
        .replace("{{OTHERNAME}}", other_name)
        .replace("{{SPARQL}}", &sparql)
        .replace("{{YEARS}}", &year_choice(view))
        .replace(
            "{{FOOT}}",
            &match lang {
                Lang::Ja => format!("出典：{}。数値は億円。", esc(&view.scope.ja)),
                Lang::En => format!(
                    "Source: {}. Figures in 億円 (100 million yen).",
                    esc(&view.scope.en)
                ),
            },
        )
        .replace("{{BODY}}", &page.body);
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// Links to the same view in each fiscal year the documents give, when they give more than
/// one (the current one marked); nothing otherwise.
fn year_choice(view: &View) -> String {
    if view.years.len() < 2 {
        return String::new();
    }
    let links: String = view
        .years
        .iter()
        .map(|&y| {
            let label = esc(&year_label(y, view.lang));
            if y == view.scope.year {
                format!(
                    "<li><a href=\"{}\" aria-current=\"true\">{label}</a></li>",
                    esc(&view.with(&[]))
                )
            } else {
                format!(
                    "<li><a href=\"{}\">{label}</a></li>",
                    esc(&view.with(&[("fy", &y.to_string())]))
                )
            }
        })
        .collect();
    format!(
        "<nav class=\"years\" aria-label=\"{}\"><ul>{links}</ul></nav>",
        view.lang.t("年度", "Fiscal year")
    )
}

fn or_error(done: std::result::Result<Response, HttpError>) -> Response {
    done.unwrap_or_else(IntoResponse::into_response)
}

fn first_ran(ran: Vec<Option<Ran>>) -> Vec<Ran> {
    ran.into_iter().flatten().collect()
}

fn search_form(view: &View, q: &str) -> String {
    let t = |ja, en| view.lang.t(ja, en);
    format!(
        "<form id=\"search-form\" class=\"search\" role=\"search\" action=\"/explore/search\" method=\"get\" data-count=\"{}\">\
         <label for=\"q\">{}</label><input type=\"search\" id=\"q\" name=\"q\" value=\"{}\" autocomplete=\"off\" aria-describedby=\"search-help\" aria-controls=\"results\">\
         {}<button type=\"submit\" class=\"primary\">{}</button></form>\
         <p id=\"search-help\" class=\"src\">{}</p><p id=\"search-status\" class=\"src\" role=\"status\" aria-live=\"polite\"></p>",
        t("{n} 件", "{n} found"),
        t("事業・取組・プロジェクト・テーマ・組織を検索", "Search programs, initiatives, projects, themes, organisations"),
        esc(q),
        view.hidden_inputs(),
        t("検索", "Search"),
        t(
            "日本語・英語の名前の一部で。全角・半角や空白の違いは無視します。入力に合わせて結果が出ます。",
            "Any part of a Japanese or English name; full-width/half-width and spaces do not matter. Results appear as you type.",
        ),
    )
}

// ---------------------------------------------------------------- home

async fn home(State(ex): State<Arc<Explorer>>, request: Request) -> Response {
    match View::of(&request, &ex) {
        Ok(view) => or_error(home_inner(&ex, view).await),
        Err(e) => e.into_response(),
    }
}

async fn home_inner(ex: &Arc<Explorer>, view: View) -> std::result::Result<Response, HttpError> {
    let lang = view.lang;
    let t = |ja, en| lang.t(ja, en);
    let ran = first_ran(
        ex.run(
            &view,
            &[
                ("home-projects", None),
                ("home-ministries", None),
                ("home-themes", None),
            ],
        )
        .await?,
    );
    let projects = Table {
        id: "projects",
        caption: match lang {
            Lang::Ja => format!(
                "統合プロジェクト（{} {}、億円）",
                year_label(view.scope.year, lang),
                view.scope.totals_ja
            ),
            Lang::En => format!(
                "The integrated projects ({} {}, 億円)",
                year_label(view.scope.year, lang),
                view.scope.totals_en
            ),
        },
        columns: vec![
            ("project_no", "No.".to_owned()),
            ("project", t("プロジェクト", "Project").to_owned()),
            ("total_oku_yen", t("億円", "億円").to_owned()),
        ],
        rows: ran[0]
            .rows
            .iter()
            .map(|r| {
                let n = r.get("project_no").cloned().unwrap_or_default();
                vec![
                    Cell::num(n.clone()),
                    Cell::link(
                        lang.pick(r, "label_ja", "label_en"),
                        &view.link(&format!("/explore/project/{n}")),
                    ),
                    Cell::num(r.get("total_oku_yen").cloned().unwrap_or_default()),
                ]
            })
            .collect(),
    };
    let sum: f64 = ran[1]
        .rows
        .iter()
        .filter_map(|r| r.get("total_oku_yen")?.parse::<f64>().ok())
        .sum();
    let ministries = Table {
        id: "ministries",
        caption: match lang {
            Lang::Ja => format!(
                "府省庁別（総括表の{}、AMED＋インハウス、億円）",
                view.scope.totals_ja
            ),
            Lang::En => format!(
                "By ministry (overview table, {}, AMED + in-house, 億円)",
                view.scope.totals_en
            ),
        },
        columns: vec![
            ("ministry", t("府省庁", "Ministry").to_owned()),
            ("total_oku_yen", t("億円", "億円").to_owned()),
            ("share_percent", t("割合", "Share").to_owned()),
        ],
        rows: ran[1]
            .rows
            .iter()
            .map(|r| {
                let code = r.get("ministry").cloned().unwrap_or_default();
                let total = r.get("total_oku_yen").cloned().unwrap_or_default();
                let share = total
                    .parse::<f64>()
                    .ok()
                    .filter(|_| sum > 0.0)
                    .map(|v| v * 100.0 / sum);
                let share_text = share.map(|s| format!("{s:.1}")).unwrap_or_default();
                let mut share_cell = Cell::num(share_text.clone());
                if let Some(s) = share {
                    share_cell.html = Some(format!(
                        "{share_text}%<svg class=\"bar\" width=\"{:.1}\" height=\"11\" aria-hidden=\"true\"><rect width=\"100%\" height=\"100%\"/></svg>",
                        s * 2.0
                    ));
                }
                vec![
                    Cell::link(lang.pick(r, "label_ja", "label_en"), &view.link(&format!("/explore/ministry/{}", seg(&code)))),
                    Cell::num(total),
                    share_cell,
                ]
            })
            .collect(),
    };
    let mut themes = String::from("<ul class=\"themes\">");
    for r in &ran[2].rows {
        let slug = r.get("theme").cloned().unwrap_or_default();
        let _ = write!(
            themes,
            "<li><a href=\"{}\">{}</a> <span class=\"src\">({} {})</span></li>",
            esc(&view.link(&format!("/explore/theme/{}", seg(&slug)))),
            esc(lang.pick(r, "label_ja", "label_en")),
            esc(r.get("programs").map_or("0", String::as_str)),
            t("事業", "programs"),
        );
    }
    themes.push_str("</ul>");
    let mut body = format!(
        "<h1>{}</h1><p class=\"sub\">{}</p>{}<ol id=\"results\" class=\"results\" aria-label=\"{}\"></ol>",
        esc(lang.t(&view.scope.ja, &view.scope.en)),
        t(
            "誰が、何に、いくら要求しているか。名前で探すか、下の一覧から辿ってください。",
            "Who asks for what, for which field, and how much: search by name, or follow the lists below.",
        ),
        search_form(&view, ""),
        t("検索結果", "Search results"),
    );
    let _ = write!(
        body,
        "<div class=\"grid\"><section aria-labelledby=\"h-projects\"><h2 id=\"h-projects\">{}</h2>{}</section>\
         <section aria-labelledby=\"h-ministries\"><h2 id=\"h-ministries\">{}</h2>{}</section></div>\
         <section aria-labelledby=\"h-themes\"><h2 id=\"h-themes\">{}</h2>{}<p><a href=\"{}\">{}</a></p></section>\
         <section aria-labelledby=\"h-overview\"><h2 id=\"h-overview\">{}</h2><figure><img src=\"{}\" alt=\"{}\" loading=\"lazy\"><figcaption>{} <a href=\"{}\">SVG</a></figcaption></figure></section>",
        t("統合プロジェクト", "Integrated projects"),
        projects.html(&view, true),
        t("府省庁", "Ministries"),
        ministries.html(&view, true),
        t("テーマ", "Themes"),
        themes,
        esc(&view.link("/explore/programs")),
        t("全事業の一覧（絞り込み・並べ替え・ダウンロード）", "All programs (filter, sort, download)"),
        t("全体図", "Overview diagram"),
        esc(&view.diagram("/diagram/overview")),
        t("6つの統合プロジェクト、各事業と実施府省庁の関係図", "Diagram of the six integrated projects, every program and the ministries that run them"),
        t("統合プロジェクト・事業・府省庁。", "Projects, programs and ministries."),
        esc(&view.diagram("/diagram/overview")),
    );
    Ok(answer(
        &view,
        Page {
            title: t("ホーム", "Home").to_owned(),
            body,
            ran,
            tables: vec![projects, ministries],
        },
    ))
}

// ---------------------------------------------------------------- search

/// A search hit: rank (0 exact, 1 prefix, 2 substring), then kind order, then length.
fn hits<'a>(ex: &'a Explorer, q: &str) -> Vec<(usize, &'a Entry)> {
    let q = normalize(q);
    if q.is_empty() {
        return Vec::new();
    }
    let kind_order = |k: &str| match k {
        "program" => 0,
        "project" => 1,
        "theme" => 2,
        "org" => 3,
        _ => 4,
    };
    let mut found: Vec<(usize, usize, usize, &Entry)> = ex
        .index
        .iter()
        .filter_map(|e| {
            e.norm
                .iter()
                .filter_map(|n| {
                    if *n == q {
                        Some((0, n.chars().count()))
                    } else if n.starts_with(&q) {
                        Some((1, n.chars().count()))
                    } else if n.contains(&q) {
                        Some((2, n.chars().count()))
                    } else {
                        None
                    }
                })
                .min()
                .map(|(rank, len)| (rank, kind_order(e.kind), len, e))
        })
        .collect();
    found.sort_by(|a, b| (a.0, a.1, a.2, &a.3.key).cmp(&(b.0, b.1, b.2, &b.3.key)));
    found.into_iter().map(|(r, _, _, e)| (r, e)).collect()
}

const MATCHES: [&str; 3] = ["exact", "prefix", "substring"];

fn entry_href(view: &View, e: &Entry) -> String {
    view.link(&match e.kind {
        "initiative" => format!("/explore/program/{}#{}", seg(&e.program), seg(&e.key)),
        kind => format!("/explore/{kind}/{}", seg(&e.key)),
    })
}

fn kind_label(lang: Lang, kind: &str) -> &'static str {
    match kind {
        "program" => lang.t("事業", "program"),
        "project" => lang.t("統合プロジェクト", "project"),
        "theme" => lang.t("テーマ", "theme"),
        "org" => lang.t("組織", "organisation"),
        _ => lang.t("取組", "initiative"),
    }
}

async fn search(State(ex): State<Arc<Explorer>>, request: Request) -> Response {
    match View::of(&request, &ex) {
        Ok(view) => or_error(search_inner(&ex, view)),
        Err(e) => e.into_response(),
    }
}

fn search_inner(ex: &Arc<Explorer>, view: View) -> std::result::Result<Response, HttpError> {
    let lang = view.lang;
    let t = |ja, en| lang.t(ja, en);
    let q = view.param("q").unwrap_or("").to_owned();
    let found: Vec<(usize, &Entry)> = hits(ex, &q).into_iter().take(50).collect();
    let label = |e: &Entry| -> String {
        let l = match lang {
            Lang::Ja if !e.ja.is_empty() => &e.ja,
            Lang::En if !e.en.is_empty() => &e.en,
            _ if e.ja.is_empty() => &e.en,
            _ => &e.ja,
        };
        l.clone()
    };
    let context = |e: &Entry| -> String {
        if e.kind == "initiative" {
            ex.index
                .iter()
                .find(|p| p.kind == "program" && p.key == e.program)
                .map(|p| match lang {
                    Lang::Ja => format!("（{}）", p.ja),
                    Lang::En => format!("({})", p.en),
                })
                .unwrap_or_default()
        } else {
            String::new()
        }
    };
    let table = Table {
        id: "results",
        caption: String::new(),
        columns: vec![
            ("kind", String::new()),
            ("key", String::new()),
            ("label", String::new()),
            ("href", String::new()),
        ],
        rows: found
            .iter()
            .map(|(_, e)| {
                vec![
                    Cell::text(e.kind),
                    Cell::text(e.key.clone()),
                    Cell::text(label(e)),
                    Cell::text(entry_href(&view, e)),
                ]
            })
            .collect(),
    };
    if view.param("format") == Some("json") {
        let list: Vec<serde_json::Value> = found
            .iter()
            .map(|(rank, e)| {
                serde_json::json!({
                    "kind": e.kind,
                    "kind_label": kind_label(lang, e.kind),
                    "key": e.key,
                    "label": label(e),
                    "label_ja": e.ja,
                    "label_en": e.en,
                    "href": entry_href(&view, e),
                    "context": context(e),
                    "match": MATCHES[*rank],
                })
            })
            .collect();
        return Ok((
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::Value::from(list).to_string(),
        )
            .into_response());
    }
    let mut body = format!("<h1>{}</h1>{}", t("検索", "Search"), search_form(&view, &q));
    let _ = write!(
        body,
        "<ol id=\"results\" class=\"results\" aria-label=\"{}\">",
        t("検索結果", "Search results")
    );
    for (_, e) in &found {
        let _ = write!(
            body,
            "<li><span class=\"kind\">{}</span><a href=\"{}\">{}</a> <span class=\"src\">{}</span></li>",
            kind_label(lang, e.kind),
            esc(&entry_href(&view, e)),
            esc(&label(e)),
            esc(&context(e)),
        );
    }
    body.push_str("</ol>");
    if !q.is_empty() && found.is_empty() {
        let _ = write!(
            body,
            "<p>{}</p>",
            t("見つかりませんでした。", "Nothing found.")
        );
    }
    let index = &ex.queries["search-index"];
    Ok(answer(
        &view,
        Page {
            title: t("検索", "Search").to_owned(),
            body,
            ran: vec![Ran {
                name: index.name.clone(),
                sparql: index.text.clone(),
                rows: Vec::new(),
            }],
            tables: vec![table],
        },
    ))
}

// ---------------------------------------------------------------- programs table

fn mark_label(lang: Lang, mark: &str) -> String {
    match mark {
        "new" => "【新規】".to_owned(),
        "expanded" => "【拡充】".to_owned(),
        "new-program" => lang.t("新規事業", "new program").to_owned(),
        other => other.to_owned(),
    }
}

async fn programs(State(ex): State<Arc<Explorer>>, request: Request) -> Response {
    match View::of(&request, &ex) {
        Ok(view) => or_error(programs_inner(&ex, view).await),
        Err(e) => e.into_response(),
    }
}

async fn programs_inner(
    ex: &Arc<Explorer>,
    view: View,
) -> std::result::Result<Response, HttpError> {
    let lang = view.lang;
    let t = |ja, en| lang.t(ja, en);
    let ran = first_ran(ex.run(&view, &[("programs", None)]).await?);
    let filter = |key: &str| view.param(key).filter(|v| !v.is_empty());
    let has =
        |row: &Row, col: &str, v: &str| row.get(col).is_some_and(|s| s.split(' ').any(|x| x == v));
    let status_of = |row: &Row| -> Vec<String> {
        let mut s: Vec<String> = row
            .get("marks")
            .map(|m| {
                m.split(' ')
                    .filter(|x| !x.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if row.get("new_program").is_some_and(|v| v == "true") {
            s.insert(0, "new-program".to_owned());
        }
        s
    };
    let sort = filter("sort").unwrap_or("name");
    if !["name", "amount", "ministry"].contains(&sort) {
        return Err(HttpError::bad_request(format!(
            "unknown sort {sort:?} (name, amount or ministry)"
        )));
    }
    let mut rows: Vec<&Row> = ran[0]
        .rows
        .iter()
        .filter(|r| filter("ministry").is_none_or(|m| has(r, "ministries", m)))
        .filter(|r| filter("project").is_none_or(|p| has(r, "projects", p)))
        .filter(|r| filter("theme").is_none_or(|th| has(r, "themes", th)))
        .filter(|r| filter("status").is_none_or(|s| status_of(r).iter().any(|x| x == s)))
        .collect();
    let amount = |r: &Row| r.get("figure_oku_yen").and_then(|v| v.parse::<f64>().ok());
    match sort {
        "amount" => rows.sort_by(|a, b| {
            amount(b)
                .unwrap_or(-1.0)
                .total_cmp(&amount(a).unwrap_or(-1.0))
                .then_with(|| a.get("program").cmp(&b.get("program")))
        }),
        "ministry" => rows.sort_by(|a, b| {
            (a.get("ministries"), a.get("program")).cmp(&(b.get("ministries"), b.get("program")))
        }),
        _ => rows.sort_by(|a, b| {
            lang.pick(a, "label_ja", "label_en")
                .cmp(lang.pick(b, "label_ja", "label_en"))
        }),
    }
    let table = Table {
        id: "programs",
        caption: format!("{} {}", rows.len(), t("事業", "programs")),
        columns: vec![
            ("program", t("事業", "Program").to_owned()),
            ("slug", "ID".to_owned()),
            ("ministries", t("府省庁", "Ministries").to_owned()),
            ("projects", t("プロジェクト", "Projects").to_owned()),
            ("themes", t("テーマ", "Themes").to_owned()),
            ("status", t("新規・拡充", "New / expanded").to_owned()),
            (
                "figure_oku_yen",
                t("単独の計上額（億円）", "Own figure (億円)").to_owned(),
            ),
        ],
        rows: rows
            .iter()
            .map(|r| {
                let slug = r.get("program").cloned().unwrap_or_default();
                let status = status_of(r);
                let mut status_cell = Cell::text(status.join(" "));
                status_cell.html = Some(
                    status
                        .iter()
                        .map(|s| {
                            format!(
                                "<span class=\"mark mark-{}\">{}</span>",
                                esc(s),
                                esc(&mark_label(lang, s))
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(" "),
                );
                let links = |col: &str, path: &str| {
                    // GROUP_CONCAT has no order: the codes are sorted (projects as numbers).
                    let mut codes: Vec<&str> = r
                        .get(col)
                        .map_or("", String::as_str)
                        .split(' ')
                        .filter(|x| !x.is_empty())
                        .collect();
                    codes.sort_by_key(|c| (c.parse::<u32>().unwrap_or(u32::MAX), *c));
                    let text = codes.join(" ");
                    let mut c = Cell::text(text.clone());
                    c.html = Some(
                        text.split(' ')
                            .filter(|x| !x.is_empty())
                            .map(|x| {
                                format!(
                                    "<a href=\"{}\">{}</a>",
                                    esc(&view.link(&format!("{path}/{}", seg(x)))),
                                    esc(x)
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(" "),
                    );
                    c
                };
                vec![
                    Cell::link(
                        lang.pick(r, "label_ja", "label_en"),
                        &view.link(&format!("/explore/program/{}", seg(&slug))),
                    ),
                    Cell::text(slug),
                    links("ministries", "/explore/ministry"),
                    links("projects", "/explore/project"),
                    links("themes", "/explore/theme"),
                    status_cell,
                    Cell::num(r.get("figure_oku_yen").cloned().unwrap_or_default()),
                ]
            })
            .collect(),
    };
    // The facets' choices come from the data itself.
    let choices = |col: &str| -> BTreeSet<String> {
        ran[0]
            .rows
            .iter()
            .filter_map(|r| r.get(col))
            .flat_map(|s| s.split(' ').filter(|x| !x.is_empty()).map(str::to_owned))
            .collect()
    };
    let select = |name: &str, label: &str, options: Vec<(String, String)>| {
        let current = filter(name).unwrap_or("");
        let mut s = format!(
            "<label for=\"f-{name}\">{}<select id=\"f-{name}\" name=\"{name}\"><option value=\"\">{}</option>",
            esc(label),
            if name == "sort" {
                t("名前", "name")
            } else {
                t("すべて", "all")
            }
        );
        for (v, l) in options {
            let sel = if v == current { " selected" } else { "" };
            let _ = write!(s, "<option value=\"{}\"{sel}>{}</option>", esc(&v), esc(&l));
        }
        s.push_str("</select></label>");
        s
    };
    let plain = |col: &str| {
        choices(col)
            .into_iter()
            .map(|v| (v.clone(), v))
            .collect::<Vec<_>>()
    };
    let mut form = String::from("<form class=\"search\" method=\"get\" action=\"/explore/programs\" aria-label=\"filters\">");
    form.push_str(&select(
        "ministry",
        t("府省庁", "Ministry"),
        plain("ministries"),
    ));
    form.push_str(&select(
        "project",
        t("プロジェクト", "Project"),
        plain("projects"),
    ));
    form.push_str(&select("theme", t("テーマ", "Theme"), plain("themes")));
    form.push_str(&select(
        "status",
        t("新規・拡充", "New / expanded"),
        ["new-program", "new", "expanded"]
            .iter()
            .map(|s| ((*s).to_owned(), mark_label(lang, s)))
            .collect(),
    ));
    form.push_str(&select(
        "sort",
        t("並べ替え", "Sort by"),
        vec![
            (
                "amount".to_owned(),
                t("計上額（大きい順）", "figure (largest first)").to_owned(),
            ),
            ("ministry".to_owned(), t("府省庁", "ministry").to_owned()),
        ],
    ));
    form.push_str(&view.hidden_inputs());
    let _ = write!(
        form,
        "<button type=\"submit\" class=\"primary\">{}</button></form>",
        t("絞り込む", "Apply")
    );
    let body = format!(
        "<h1>{}</h1><p class=\"sub\">{}</p>{form}{}",
        t("事業一覧", "Programs"),
        t(
            "「単独の計上額」は資料がその事業だけに示す額（複数事業をまとめた額は分けません）。空欄は資料に単独の額がないことを示します。",
            "\"Own figure\" is what the document prints for the program alone (a figure shared by a group is not split); empty when it prints none.",
        ),
        table.html(&view, true)
    );
    Ok(answer(
        &view,
        Page {
            title: t("事業一覧", "Programs").to_owned(),
            body,
            ran,
            tables: vec![table],
        },
    ))
}

// ---------------------------------------------------------------- program page

fn not_found(what: &str, key: &str) -> HttpError {
    HttpError::new(
        StatusCode::NOT_FOUND,
        format!("no {what} {key:?} in the knowledge base (search at /explore/search)"),
    )
}

async fn program(
    State(ex): State<Arc<Explorer>>,
    Path(slug): Path<String>,
    request: Request,
) -> Response {
    match View::of(&request, &ex) {
        Ok(view) => or_error(program_inner(&ex, &slug, view).await),
        Err(e) => e.into_response(),
    }
}

async fn program_inner(
    ex: &Arc<Explorer>,
    slug: &str,
    view: View,
) -> std::result::Result<Response, HttpError> {
    let lang = view.lang;
    let t = |ja, en| lang.t(ja, en);
    let iri = format!("{ID}program/{slug}");
    if oxigraph::model::NamedNode::new(&iri).is_err() {
        return Err(not_found("program", slug));
    }
    let arg = Some(iri.clone());
    let mut ran = ex
        .run(
            &view,
            &[
                ("program", arg.clone()),
                ("program-statements", arg.clone()),
                ("program-inferred", arg.clone()),
                ("program-timeline", None),
                ("rs-links", None),
            ],
        )
        .await?;
    let rs = ran.pop().flatten();
    let timeline = ran.pop().flatten();
    let ran: Vec<Ran> = ran.into_iter().flatten().collect();
    let facts = &ran[0].rows;
    let Some(first) = facts.first() else {
        return Err(not_found("program", slug));
    };
    let name = lang.pick(first, "label_ja", "label_en").to_owned();
    let other_name = match lang {
        Lang::Ja => first.get("label_en"),
        Lang::En => first.get("label_ja"),
    }
    .cloned()
    .unwrap_or_default();
    let inferred = &ran[2].rows;
    let inferred_ministry = |code: &str| {
        inferred.iter().any(|r| {
            r.get("property").is_some_and(|p| p == "ministry")
                && r.get("value").is_some_and(|v| v == code)
        })
    };
    let mut ministries: Vec<String> = Vec::new();
    let mut projects: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for r in facts {
        if let Some(code) = r.get("ministry") {
            if seen.insert(format!("m{code}")) {
                let mark = if inferred_ministry(code) {
                    format!(" <span class=\"badge\">{}</span>", t("推定", "inferred"))
                } else {
                    String::new()
                };
                ministries.push(format!(
                    "<a href=\"{}\">{}</a>{mark}",
                    esc(&view.link(&format!("/explore/ministry/{}", seg(code)))),
                    esc(lang.pick(r, "ministry_ja", "ministry_en"))
                ));
            }
        }
        if let Some(n) = r.get("project_no") {
            if seen.insert(format!("p{n}")) {
                projects.push(format!(
                    "<li><a href=\"{}\">{}. {}</a></li>",
                    esc(&view.link(&format!("/explore/project/{n}"))),
                    esc(n),
                    esc(lang.pick(r, "project_ja", "project_en"))
                ));
            }
        }
    }
    let kind_name = |k: &str| match k {
        "initiative" => t("取組", "initiative"),
        "figure" => t("計上額", "figure"),
        "figure-line" => t("図の行", "figure line"),
        _ => t("掲載", "listing"),
    };
    let statements = Table {
        id: "statements",
        caption: match lang {
            Lang::Ja => format!("{}の記載（行ごと。出典行を引用）", view.scope.short_ja),
            Lang::En => format!(
                "What the {} says, line by line (source lines quoted)",
                view.scope.short_en
            ),
        },
        columns: vec![
            ("line", t("行", "Line").to_owned()),
            ("project_no", t("プロジェクト", "Project").to_owned()),
            ("kind", t("種類", "Kind").to_owned()),
            ("mark", t("印", "Mark").to_owned()),
            ("oku_yen", t("億円", "億円").to_owned()),
            ("text", t("内容", "Text").to_owned()),
            (
                "source_line",
                t("出典行（原文）", "Source line (as printed)").to_owned(),
            ),
        ],
        rows: ran[1]
            .rows
            .iter()
            .map(|r| {
                let line = r.get("line").cloned().unwrap_or_default();
                let kind = r.get("kind").cloned().unwrap_or_default();
                let mark = r.get("mark").cloned().unwrap_or_default();
                let quoted = ex.line(r.get("loc").map_or("", String::as_str)).to_owned();
                let mut line_cell = Cell::num(line.clone());
                if kind == "initiative" {
                    line_cell.html = Some(format!(
                        "<span id=\"{}\">{}</span>",
                        esc(&format!(
                            "p{}-L{line}",
                            r.get("project_no").map_or("", String::as_str)
                        )),
                        esc(&line)
                    ));
                }
                let mut mark_cell = Cell::text(mark.clone());
                let class = match mark.as_str() {
                    "【新規】" => "mark mark-new",
                    "【拡充】" => "mark mark-expanded",
                    _ => "mark",
                };
                mark_cell.html = Some(format!("<span class=\"{class}\">{}</span>", esc(&mark)));
                let mut text = Cell::text(r.get("text").cloned().unwrap_or_default());
                if let Some(note) = r.get("note") {
                    text.html = Some(format!(
                        "{}<br><span class=\"src\">{}: {}</span>",
                        esc(&text.text),
                        t("注", "Note"),
                        esc(note)
                    ));
                }
                let mut src = Cell::text(quoted.clone());
                src.html = Some(format!(
                    "<span class=\"src\"><span class=\"ln\">{}</span><q>{}</q></span>",
                    esc(&format!("L{line}")),
                    esc(&quoted)
                ));
                vec![
                    line_cell,
                    Cell::num(r.get("project_no").cloned().unwrap_or_default()),
                    Cell::text(kind_name(&kind)),
                    mark_cell,
                    Cell::num(r.get("oku_yen").cloned().unwrap_or_default()),
                    text,
                    src,
                ]
            })
            .collect(),
    };
    let mut body = format!(
        "<h1>{}</h1><p class=\"sub\" lang=\"{}\">{}</p>",
        esc(&name),
        if lang == Lang::Ja { "en" } else { "ja" },
        esc(&other_name)
    );
    if first.get("new_program").is_some_and(|v| v == "true") {
        let _ = write!(
            body,
            "<p><span class=\"badge\">{}</span></p>",
            t("新規事業", "New program")
        );
    }
    let _ = write!(
        body,
        "<dl class=\"facts\"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd><ul id=\"projects\">{}</ul></dd><dt>{}</dt><dd>{} · <a href=\"{}\">Turtle</a> · <a href=\"{}\">JSON-LD</a></dd></dl>",
        t("府省庁", "Ministry"),
        if ministries.is_empty() { t("資料に記載なし", "not in the document").to_owned() } else { ministries.join("、") },
        t("掲載しているプロジェクト", "Listed in projects"),
        projects.join(""),
        t("データ", "Data"),
        esc(&iri),
        esc(&format!("/id/program/{}?format=ttl", seg(slug))),
        esc(&format!("/id/program/{}?format=jsonld", seg(slug))),
    );
    let _ = write!(
        body,
        "<section aria-labelledby=\"h-says\"><h2 id=\"h-says\">{}</h2>{}</section>",
        t("資料に書かれていること", "What the document says"),
        statements.html(&view, true)
    );
    let _ = write!(
        body,
        "<section aria-labelledby=\"h-inferred\"><h2 id=\"h-inferred\">{}</h2>",
        t(
            "推定したこと（資料に明記なし）",
            "What is inferred (not printed in the document)"
        )
    );
    if inferred.is_empty() {
        let _ = write!(
            body,
            "<p>{}</p>",
            t(
                "なし：このページの事実はすべて資料に記載されています。",
                "Nothing: every fact on this page is printed in the document."
            )
        );
    } else {
        body.push_str("<ul>");
        for r in inferred {
            let _ = write!(
                body,
                "<li><strong>{} = {}</strong>: {}</li>",
                esc(r.get("property").map_or("", String::as_str)),
                esc(r.get("value").map_or("", String::as_str)),
                esc(r.get("reasoning").map_or("", String::as_str)),
            );
        }
        body.push_str("</ul>");
    }
    body.push_str("</section>");
    let mut tables = vec![statements];
    let mut extra_ran = Vec::new();
    // The timeline and RS sections show when their named queries exist and give rows.
    const TIMELINE: &[&str] = &[
        "fiscal_year",
        "stage",
        "stage_ja",
        "amount_oku_yen",
        "source_title",
        "evidence",
    ];
    const RS: &[&str] = &[
        "relation",
        "rs_id",
        "rs_name",
        "rs_ministry",
        "first_edition",
        "last_edition",
    ];
    for (ran_opt, id, heading, wanted) in [
        (
            timeline,
            "timeline",
            t("年度ごとの推移", "Timeline"),
            TIMELINE,
        ),
        (
            rs,
            "rs-links",
            t(
                "行政事業レビューとのリンク",
                "Links to the administrative project review (RS)",
            ),
            RS,
        ),
    ] {
        let Some(ran_q) = ran_opt else { continue };
        let mine: Vec<&Row> = ran_q
            .rows
            .iter()
            .filter(|r| {
                r.get("program")
                    .is_some_and(|p| p == slug || p == &iri || p.ends_with(&format!("/{slug}")))
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        let columns: Vec<&'static str> = wanted
            .iter()
            .copied()
            .filter(|c| mine.iter().any(|r| r.contains_key(*c)))
            .collect();
        let table = Table {
            id,
            caption: String::new(),
            columns: columns.iter().map(|c| (*c, (*c).to_owned())).collect(),
            rows: mine
                .iter()
                .map(|r| {
                    columns
                        .iter()
                        .map(|c| Cell::text(r.get(*c).cloned().unwrap_or_default()))
                        .collect()
                })
                .collect(),
        };
        // The timeline is also drawn: the chart of the same rows (timeline::rows_by_subject).
        let chart = if id == "timeline" {
            let src = format!(
                "/diagram/timeline/program/{}?lang={}",
                seg(slug),
                lang.code()
            );
            format!(
                "<figure><img id=\"timeline-chart\" src=\"{}\" alt=\"{}\"><figcaption><a href=\"{}\">SVG</a></figcaption></figure>",
                esc(&src),
                esc(&format!(
                    "{}: {name}",
                    t(
                        "予算の推移（年度・段階・出典ごとの金額、下の表と同じ）",
                        "Budget over the years by stage and source (the table below)"
                    )
                )),
                esc(&src)
            )
        } else {
            String::new()
        };
        let _ = write!(
            body,
            "<section aria-labelledby=\"h-{id}\"><h2 id=\"h-{id}\">{}</h2>{chart}{}</section>",
            heading,
            table.html(&view, true)
        );
        tables.push(table);
        extra_ran.push(ran_q);
    }
    let diagram = view.diagram(&format!("/diagram/program/{}", seg(slug)));
    let _ = write!(
        body,
        "<section aria-labelledby=\"h-diagram\"><h2 id=\"h-diagram\">{}</h2><figure><img id=\"diagram\" src=\"{}\" alt=\"{}\"><figcaption><a href=\"{}\">SVG</a></figcaption></figure></section>",
        t("関係図", "Diagram"),
        esc(&diagram),
        esc(&format!("{}: {name}", t("事業・府省庁・プロジェクト・テーマの関係図", "Diagram of the program, its ministries, projects and themes"))),
        esc(&diagram),
    );
    let mut ran = ran;
    ran.extend(extra_ran);
    Ok(answer(
        &view,
        Page {
            title: name,
            body,
            ran,
            tables,
        },
    ))
}

// ---------------------------------------------------------------- project page

async fn project(
    State(ex): State<Arc<Explorer>>,
    Path(n): Path<String>,
    request: Request,
) -> Response {
    match View::of(&request, &ex) {
        Ok(view) => or_error(project_inner(&ex, &n, view).await),
        Err(e) => e.into_response(),
    }
}

async fn project_inner(
    ex: &Arc<Explorer>,
    n: &str,
    view: View,
) -> std::result::Result<Response, HttpError> {
    let lang = view.lang;
    let t = |ja, en| lang.t(ja, en);
    if n.parse::<u32>().is_err() {
        return Err(not_found("project", n));
    }
    let arg = Some(format!("{ID}project/{n}"));
    let ran = first_ran(
        ex.run(
            &view,
            &[("project", arg.clone()), ("project-programs", arg)],
        )
        .await?,
    );
    let Some(first) = ran[0].rows.first() else {
        return Err(not_found("project", n));
    };
    let name = format!("{n}. {}", lang.pick(first, "label_ja", "label_en"));
    // By category: the figure and its (line, location) pairs.
    let mut figures: BTreeMap<String, (String, BTreeSet<(String, String)>)> = BTreeMap::new();
    for r in &ran[0].rows {
        if let (Some(c), Some(v)) = (r.get("category"), r.get("oku_yen")) {
            let e = figures
                .entry(c.clone())
                .or_insert_with(|| (v.clone(), BTreeSet::new()));
            if let (Some(l), Some(loc)) = (r.get("line"), r.get("loc")) {
                e.1.insert((l.clone(), loc.clone()));
            }
        }
    }
    let cat = |c: &str| match c {
        "amed" => t("AMED経由", "through AMED"),
        "inhouse" => t("インハウス", "in-house"),
        _ => t("合計", "total"),
    };
    let mut figs = String::from("<ul>");
    for (c, (v, lines)) in &figures {
        let quotes: Vec<String> = lines
            .iter()
            .map(|(l, loc)| {
                format!(
                    "<span class=\"ln\">L{}</span><q>{}</q>",
                    esc(l),
                    esc(ex.line(loc))
                )
            })
            .collect();
        let _ = write!(
            figs,
            "<li><strong>{}: {} {}</strong> <span class=\"src\">{}</span></li>",
            cat(c),
            esc(v),
            t("億円", "億円"),
            quotes.join(" ")
        );
    }
    figs.push_str("</ul>");
    let table = programs_table(&view, &ran[1].rows, "programs");
    let diagram = view.diagram(&format!("/diagram/project/{n}"));
    let body = format!(
        "<h1>{}</h1><p>{}</p><section aria-labelledby=\"h-fig\"><h2 id=\"h-fig\">{}</h2>{figs}</section>\
         <section aria-labelledby=\"h-prog\"><h2 id=\"h-prog\">{}</h2>{}</section>\
         <section aria-labelledby=\"h-diagram\"><h2 id=\"h-diagram\">{}</h2><figure><img src=\"{}\" alt=\"{}\" loading=\"lazy\"><figcaption><a href=\"{}\">SVG</a> · <a href=\"/id/project/{n}?format=ttl\">Turtle</a> · <a href=\"/id/project/{n}?format=jsonld\">JSON-LD</a></figcaption></figure></section>",
        esc(&name),
        esc(first.get("description").map_or("", String::as_str)),
        match lang {
            Lang::Ja => format!("{} 計上額", year_label(view.scope.year, lang)),
            Lang::En => format!("{} figures", year_label(view.scope.year, lang)),
        },
        t("掲載事業", "Programs listed"),
        table.html(&view, true),
        t("関係図", "Diagram"),
        esc(&diagram),
        esc(&format!("{}: {name}", t("プロジェクトの関係図", "Diagram of the project"))),
        esc(&diagram),
    );
    Ok(answer(
        &view,
        Page {
            title: name,
            body,
            ran,
            tables: vec![table],
        },
    ))
}

/// A table of programs (slug, labels, optional ministries/projects/line columns).
fn programs_table(view: &View, rows: &[Row], id: &'static str) -> Table {
    let lang = view.lang;
    let t = |ja, en| lang.t(ja, en);
    let mut columns = vec![
        ("program", t("事業", "Program").to_owned()),
        ("slug", "ID".to_owned()),
    ];
    let optional = [
        ("ministries", t("府省庁", "Ministries")),
        ("projects", t("プロジェクト", "Projects")),
        ("how", t("関連づけ", "How")),
        ("line", t("行", "Line")),
    ];
    for (k, h) in optional {
        if rows.iter().any(|r| r.contains_key(k)) {
            columns.push((k, h.to_owned()));
        }
    }
    let rows = rows
        .iter()
        .filter(|r| r.contains_key("program"))
        .map(|r| {
            let slug = r.get("program").cloned().unwrap_or_default();
            let mut cells = vec![
                Cell::link(
                    lang.pick(r, "label_ja", "label_en"),
                    &view.link(&format!("/explore/program/{}", seg(&slug))),
                ),
                Cell::text(slug),
            ];
            for (k, _) in &columns[2..] {
                let v = r.get(*k).cloned().unwrap_or_default();
                cells.push(match *k {
                    "how" => {
                        let mut c = Cell::text(v.clone());
                        c.html = Some(esc(if v == "curated" {
                            t("確認済み", "curated")
                        } else {
                            t("キーワードから導出", "derived from keywords")
                        }));
                        c
                    }
                    "line" => Cell::num(v),
                    _ => Cell::text(v),
                });
            }
            cells
        })
        .collect();
    Table {
        id,
        caption: String::new(),
        columns,
        rows,
    }
}

// ---------------------------------------------------------------- organisation page

async fn org(
    State(ex): State<Arc<Explorer>>,
    Path(code): Path<String>,
    request: Request,
) -> Response {
    match View::of(&request, &ex) {
        Ok(view) => or_error(org_inner(&ex, &code, view).await),
        Err(e) => e.into_response(),
    }
}

async fn org_inner(
    ex: &Arc<Explorer>,
    code: &str,
    view: View,
) -> std::result::Result<Response, HttpError> {
    let lang = view.lang;
    let t = |ja, en| lang.t(ja, en);
    let code = code.to_lowercase();
    let iri = format!("{ID}org/{code}");
    if oxigraph::model::NamedNode::new(&iri).is_err() {
        return Err(not_found("organisation", &code));
    }
    let arg = Some(iri);
    let ran = first_ran(
        ex.run(&view, &[("org", arg.clone()), ("org-programs", arg)])
            .await?,
    );
    let Some(first) = ran[0].rows.first() else {
        return Err(not_found("organisation", &code));
    };
    let name = lang.pick(first, "label_ja", "label_en").to_owned();
    let is_ministry = ran[0]
        .rows
        .iter()
        .any(|r| r.get("kind").is_some_and(|k| k == "Ministry"));
    let table = programs_table(&view, &ran[1].rows, "programs");
    let mut body = format!(
        "<h1>{}</h1><p class=\"sub\">{} · <a href=\"/id/org/{c}?format=ttl\">Turtle</a> · <a href=\"/id/org/{c}?format=jsonld\">JSON-LD</a></p>\
         <section aria-labelledby=\"h-prog\"><h2 id=\"h-prog\">{}</h2>{}</section>",
        esc(&name),
        esc(first.get("short").map_or("", String::as_str)),
        if is_ministry { t("実施する事業", "Programs it runs") } else { t("関わる事業", "Programs") },
        table.html(&view, true),
        c = seg(&code),
    );
    if is_ministry {
        let diagram = view.diagram(&format!("/diagram/ministry/{}", seg(&code)));
        let _ = write!(
            body,
            "<section aria-labelledby=\"h-diagram\"><h2 id=\"h-diagram\">{}</h2><figure><img src=\"{}\" alt=\"{}\" loading=\"lazy\"><figcaption><a href=\"{}\">SVG</a></figcaption></figure></section>",
            t("関係図", "Diagram"),
            esc(&diagram),
            esc(&format!("{}: {name}", t("府省庁の関係図", "Diagram of the ministry"))),
            esc(&diagram),
        );
    }
    Ok(answer(
        &view,
        Page {
            title: name,
            body,
            ran,
            tables: vec![table],
        },
    ))
}

// ---------------------------------------------------------------- theme page

async fn theme(
    State(ex): State<Arc<Explorer>>,
    Path(slug): Path<String>,
    request: Request,
) -> Response {
    match View::of(&request, &ex) {
        Ok(view) => or_error(theme_inner(&ex, &slug, view).await),
        Err(e) => e.into_response(),
    }
}

async fn theme_inner(
    ex: &Arc<Explorer>,
    slug: &str,
    view: View,
) -> std::result::Result<Response, HttpError> {
    let lang = view.lang;
    let t = |ja, en| lang.t(ja, en);
    let iri = format!("{ID}theme/{slug}");
    if oxigraph::model::NamedNode::new(&iri).is_err() {
        return Err(not_found("theme", slug));
    }
    let ran = first_ran(ex.run(&view, &[("theme", Some(iri))]).await?);
    let Some(first) = ran[0].rows.first() else {
        return Err(not_found("theme", slug));
    };
    let name = lang.pick(first, "theme_ja", "theme_en").to_owned();
    let table = programs_table(&view, &ran[0].rows, "programs");
    let diagram = view.diagram(&format!("/diagram/theme/{}", seg(slug)));
    let body = format!(
        "<h1>{}: {}</h1><section aria-labelledby=\"h-prog\"><h2 id=\"h-prog\">{}</h2>{}</section>\
         <section aria-labelledby=\"h-diagram\"><h2 id=\"h-diagram\">{}</h2><figure><img src=\"{}\" alt=\"{}\" loading=\"lazy\"><figcaption><a href=\"{}\">SVG</a></figcaption></figure></section>",
        t("テーマ", "Theme"),
        esc(&name),
        t("この分野の事業", "Programs in this field"),
        table.html(&view, true),
        t("関係図", "Diagram"),
        esc(&diagram),
        esc(&format!("{}: {name}", t("テーマの関係図", "Diagram of the theme"))),
        esc(&diagram),
    );
    Ok(answer(
        &view,
        Page {
            title: name,
            body,
            ran,
            tables: vec![table],
        },
    ))
}
