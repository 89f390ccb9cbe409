//! A theme's page (`/explore/theme/SLUG`): the programs of the field, and its diagram.

use super::super::page::{render, Page};
use super::super::table::Table;
use super::super::view::View;
use super::super::Row;
use super::super::{first_row, not_found, Explorer};
use super::money::{recipients_table, scope_timeline, Money, RECIPIENTS_OF_SCOPE};
use super::programs_table;
use crate::markup::path_segment as seg;
use crate::serve::HttpError;
use crate::vocab::ID;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "theme.html", config = "src/serve/explorer/askama.toml")]
struct Theme<'a> {
    view: &'a View,
    name: &'a str,
    table: &'a Table,
    recipients: Option<&'a Table>,
    /// The theme's figures across the years (theme-timeline).
    money: Option<&'a Money>,
    diagram: String,
}

pub(in crate::serve::explorer) async fn theme(
    State(ex): State<Arc<Explorer>>,
    Path(slug): Path<String>,
    view: View,
) -> Result<Response, HttpError> {
    let iri = format!("{ID}theme/{slug}");
    if oxigraph::model::NamedNode::new(&iri).is_err() {
        return Err(not_found("theme", &slug));
    }
    let ran = ex
        .run_all(
            &view,
            &[
                ("theme", Some(iri.clone())),
                ("recipients-by-scope", None),
                ("theme-timeline", Some(iri)),
            ],
        )
        .await?;
    let first = first_row(&ran[0], "theme", &slug)?;
    let name = view.pick(first, "theme_ja", "theme_en").to_owned();
    let table = programs_table(&view, &ran[0].rows, "programs", &ex.newest(&view).await?);
    let paid: Vec<&Row> = ran
        .get(1)
        .map(|q| {
            q.rows
                .iter()
                .filter(|r| r.get("scope_kind").is_some_and(|k| k == "theme"))
                .filter(|r| r.get("scope") == Some(&slug))
                .collect()
        })
        .unwrap_or_default();
    let recipients =
        (!paid.is_empty()).then(|| recipients_table(&view, &paid, RECIPIENTS_OF_SCOPE));
    let figures: Vec<&Row> = ran
        .get(2)
        .map(|q| q.rows.iter().collect())
        .unwrap_or_default();
    let money = (!figures.is_empty()).then(|| scope_timeline(&view, &name, &figures));
    let body = render(&Theme {
        view: &view,
        name: &name,
        table: &table,
        recipients: recipients.as_ref(),
        money: money.as_ref(),
        diagram: view.diagram(&format!("/diagram/theme/{}", seg(&slug))),
    })?;
    Page {
        title: name,
        body,
        ran,
        tables: std::iter::once(table)
            .chain(money.map(|m| m.table))
            .chain(recipients)
            .collect(),
    }
    .answer(&view)
}
