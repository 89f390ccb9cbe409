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
        let disposition = format!("attachment; filename=\"{}-{}.{format}\"", name, table.id);
        let (media, body) = if format == "csv" {
            ("text/csv; charset=utf-8", table.csv())
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
