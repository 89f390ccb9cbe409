//! An organisation's page (`/explore/org/CODE`, `/explore/ministry/CODE`): the programs it
//! runs or takes part in, and a ministry's diagram.

use super::super::page::{render, Page};
use super::super::table::Table;
use super::super::view::View;
use super::super::Row;
use super::super::{first_row, not_found, Explorer};
use super::money::{scope_timeline, Money};
use super::programs_table;
use crate::markup::path_segment as seg;
use crate::serve::HttpError;
use crate::vocab::ID;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "org.html", config = "src/serve/explorer/askama.toml")]
struct Org<'a> {
    view: &'a View,
    name: &'a str,
    short: &'a str,
    data: String,
    table: &'a Table,
    /// A ministry's diagram.
    diagram: Option<String>,
    /// A ministry's figures across the years (ministry-timeline).
    money: Option<&'a Money>,
    /// The page of the organisation as a recipient (by its 法人番号).
    received: Option<String>,
    /// The follow-the-money page: a ministry's lines, or what a recipient received.
    flow: Option<String>,
}

pub(in crate::serve::explorer) async fn org(
    State(ex): State<Arc<Explorer>>,
    Path(code): Path<String>,
    view: View,
) -> Result<Response, HttpError> {
    let code = code.to_lowercase();
    let iri = format!("{ID}org/{code}");
    if oxigraph::model::NamedNode::new(&iri).is_err() {
        return Err(not_found("organisation", &code));
    }
    let arg = Some(iri);
    let ran = ex
        .run_all(
            &view,
            &[
                ("org", arg.clone()),
                ("org-programs", arg),
                ("ministry-timeline", None),
            ],
        )
        .await?;
    let first = first_row(&ran[0], "organisation", &code)?;
    let name = view.pick(first, "label_ja", "label_en").to_owned();
    let is_ministry = ran[0]
        .rows
        .iter()
        .any(|r| r.get("kind").is_some_and(|k| k == "Ministry"));
    let table = programs_table(&view, &ran[1].rows, "programs", &ex.newest(&view).await?);
    let figures: Vec<&Row> = ran
        .get(2)
        .map(|q| {
            q.rows
                .iter()
                .filter(|r| r.get("ministry") == Some(&code))
                .collect()
        })
        .unwrap_or_default();
    let money = (!figures.is_empty()).then(|| scope_timeline(&view, &name, &figures));
    let received = first
        .get("corporate_number")
        .map(|n| view.link(&format!("/explore/recipient/{}", seg(n))));
    // A ministry's flow is its lines'; another organisation's is what it received.
    let flow = match (is_ministry, first.get("corporate_number")) {
        (true, _) => Some(view.link(&format!("/explore/flow/ministry/{}", seg(&code)))),
        (false, Some(n)) => Some(view.link(&format!("/explore/flow/recipient/{}", seg(n)))),
        (false, None) => None,
    };
    let body = render(&Org {
        view: &view,
        name: &name,
        short: first.get("short").map_or("", String::as_str),
        data: format!("/id/org/{}", seg(&code)),
        table: &table,
        diagram: is_ministry.then(|| view.diagram(&format!("/diagram/ministry/{}", seg(&code)))),
        money: money.as_ref(),
        received,
        flow,
    })?;
    Page {
        title: name,
        body,
        ran,
        tables: std::iter::once(table)
            .chain(money.map(|m| m.table))
            .collect(),
    }
    .answer(&view)
}
