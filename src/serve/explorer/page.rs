//! A whole explorer page: its body (rendered by the page's template) in the shell of every
//! page, or one of its tables when `?format=csv|json` asks for it.

use super::table::Table;
use super::view::View;
use super::Ran;
use crate::lang::Lang;
use crate::serve::HttpError;
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// A page: its title, body and the queries behind it, and its tables as downloads.
pub(super) struct Page {
    pub title: String,
    pub body: String,
    pub ran: Vec<Ran>,
    pub tables: Vec<Table>,
}

/// The shell around every page (templates/shell.html).
#[derive(Template)]
#[template(path = "shell.html", config = "src/serve/explorer/askama.toml")]
struct Shell<'a> {
    view: &'a View,
    title: &'a str,
    /// (href, label, whether it is this page).
    nav: Vec<(String, &'static str, bool)>,
    /// The page's body, as its own template rendered it (escaped there).
    body: &'a str,
    ran: &'a [Ran],
}

/// Renders a page's template, or answers 500 naming the template's error.
pub(super) fn render(template: &impl Template) -> Result<String, HttpError> {
    template.render().map_err(|e| {
        HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("rendering the page: {e}"),
        )
    })
}

impl Page {
    /// Answers the page, or one of its tables when `format=csv|json` asks for it.
    pub fn answer(self, view: &View) -> Result<Response, HttpError> {
        match view.param("format") {
            None | Some("") | Some("html") => {}
            Some(f @ ("csv" | "json")) => return self.download(view, f),
            Some(other) => {
                return Err(HttpError::bad_request(format!(
                    "unknown format {other:?} for an explorer page (html, csv or json)"
                )))
            }
        }
        let nav = [
            ("/explore", view.t("ホーム", "Home")),
            ("/explore/search", view.t("検索", "Search")),
            ("/explore/programs", view.t("事業一覧", "Programs")),
            ("/", view.t("SPARQLコンソール", "SPARQL console")),
        ]
        .into_iter()
        .map(|(href, label)| {
            let link = if href == "/" {
                "/".to_owned()
            } else {
                view.link(href)
            };
            (link, label, view.path == href)
        })
        .collect();
        let html = render(&Shell {
            view,
            title: &self.title,
            nav,
            body: &self.body,
            ran: &self.ran,
        })?;
        Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
    }

    fn download(self, view: &View, format: &str) -> Result<Response, HttpError> {
        let wanted = view.param("table");
        let Some(table) = self
            .tables
            .iter()
            .find(|t| wanted.is_none_or(|w| w == t.id))
        else {
            let ids: Vec<&str> = self.tables.iter().map(|t| t.id).collect();
            return Err(HttpError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "this page has no table {:?}; its tables: {}",
                    wanted.unwrap_or(""),
                    ids.join(", ")
                ),
            ));
        };
        let name = view.path.trim_start_matches('/').replace('/', "-");
        let excel = if view.param("bom") == Some("1") {
            "-excel"
        } else {
            ""
        };
        let disposition = format!(
            "attachment; filename=\"{}-{}{excel}.{format}\"",
            name, table.id
        );
        let (media, body) = if format == "csv" {
            // `bom=1`: UTF-8 with a byte order mark, which Excel needs to read Japanese (the
            // RS system's own CSVs have one); the same bytes after it.
            let bom: &[u8] = if view.param("bom") == Some("1") {
                b"\xEF\xBB\xBF"
            } else {
                b""
            };
            ("text/csv; charset=utf-8", [bom, &table.csv()].concat())
        } else {
            ("application/json", table.json().into_bytes())
        };
        Ok((
            [
                (header::CONTENT_TYPE, media.to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            body,
        )
            .into_response())
    }
}

impl Ran {
    /// The console's address with this query in it.
    pub fn console(&self) -> String {
        super::view::url("/", &[("query".to_owned(), self.sparql.clone())])
    }
}

/// An error of the explorer as a page (templates/error.html).
#[derive(Template)]
#[template(path = "error.html", config = "src/serve/explorer/askama.toml")]
struct ErrorPage<'a> {
    lang: Lang,
    headline: &'a str,
    status: String,
    message: &'a str,
    home: &'a str,
    search: &'a str,
}

/// Most bytes of an error message read to put it in a page (the server's own messages are a
/// line or two).
const MAX_MESSAGE: usize = 16 << 10;

/// Turns the plain-text errors of explorer pages into pages in the language the request asks
/// for (`lang=en`, else Japanese), with the server's message; downloads (`format=csv|json`)
/// keep their plain-text errors for the programs that read them.
pub(super) async fn html_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let query = request.uri().query().unwrap_or("").to_owned();
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let has = |k: &str, v: &[&str]| {
        pairs
            .iter()
            .any(|(pk, pv)| pk == k && v.contains(&pv.as_str()))
    };
    let response = next.run(request).await;
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !(response.status().is_client_error() || response.status().is_server_error())
        || !plain
        || has("format", &["csv", "json"])
    {
        return response;
    }
    let lang = if has("lang", &["en"]) {
        Lang::En
    } else {
        Lang::Ja
    };
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), MAX_MESSAGE)
        .await
        .unwrap_or_default();
    let message = String::from_utf8_lossy(&body);
    let headline = match status {
        StatusCode::NOT_FOUND => lang.pick("見つかりません", "Not found"),
        StatusCode::BAD_REQUEST => lang.pick("リクエストに誤りがあります", "Bad request"),
        StatusCode::SERVICE_UNAVAILABLE => lang.pick(
            "混み合っているか、時間がかかりすぎました。少し後でもう一度お試しください。",
            "Busy, or it took too long: please try again in a moment",
        ),
        _ => lang.pick("エラー", "Error"),
    };
    let (home, search) = match lang {
        Lang::Ja => ("/explore", "/explore/search"),
        Lang::En => ("/explore?lang=en", "/explore/search?lang=en"),
    };
    let page = ErrorPage {
        lang,
        headline,
        status: format!(
            "{} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        ),
        message: message.trim(),
        home,
        search,
    };
    match page.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(_) => (status, message.into_owned()).into_response(),
    }
}
