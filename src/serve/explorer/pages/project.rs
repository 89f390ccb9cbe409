//! An integrated project's page (`/explore/project/N`): its figures for the view's year with
//! the lines that print them, its programs, and its diagram.

use super::super::page::{render, Page};
use super::super::table::Table;
use super::super::view::View;
use super::super::Row;
use super::super::{first_row, not_found, Explorer};
use super::money::{recipients_table, scope_timeline, Money, RECIPIENTS_OF_SCOPE};
use super::programs_table;
use crate::serve::HttpError;
use crate::vocab::ID;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A figure of the project in a category, with the lines that print it.
struct Figure<'a> {
    category: &'static str,
    oku_yen: &'a str,
    /// (line number, the line as printed).
    quotes: Vec<(&'a str, &'a str)>,
}

/// The lines that print a figure: (line number, location).
type Lines<'a> = BTreeSet<(&'a str, &'a str)>;

#[derive(Template)]
#[template(path = "project.html", config = "src/serve/explorer/askama.toml")]
struct Project<'a> {
    view: &'a View,
    name: &'a str,
    description: &'a str,
    figures: Vec<Figure<'a>>,
    table: &'a super::super::table::Table,
    money: Option<&'a Money>,
    recipients: Option<&'a Table>,
    flow: String,
    diagram: String,
    data: String,
}

pub(in crate::serve::explorer) async fn project(
    State(ex): State<Arc<Explorer>>,
    Path(n): Path<String>,
    view: View,
) -> Result<Response, HttpError> {
    if n.parse::<u32>().is_err() {
        return Err(not_found("project", &n));
    }
    let arg = Some(format!("{ID}project/{n}"));
    let ran = ex
        .run_all(
            &view,
            &[
                ("project", arg.clone()),
                ("project-programs", arg),
                ("project-timeline", None),
                ("recipients-by-scope", None),
            ],
        )
        .await?;
    let first = first_row(&ran[0], "project", &n)?;
    let name = format!("{n}. {}", view.pick(first, "label_ja", "label_en"));
    // By category: the figure and its (line, location) pairs.
    let mut by_category: BTreeMap<&str, (&str, Lines)> = BTreeMap::new();
    for r in ran[0].rows.iter() {
        if let (Some(c), Some(v)) = (r.get("category"), r.get("oku_yen")) {
            let e = by_category.entry(c).or_insert_with(|| (v, BTreeSet::new()));
            if let (Some(l), Some(loc)) = (r.get("line"), r.get("loc")) {
                e.1.insert((l, loc));
            }
        }
    }
    let figures = by_category
        .into_iter()
        .map(|(c, (v, lines))| {
            let category = match c {
                "amed" => view.t("AMED経由", "through AMED"),
                "inhouse" => view.t("インハウス", "in-house"),
                _ => view.t("合計", "total"),
            };
            Figure {
                category,
                oku_yen: v,
                quotes: lines
                    .into_iter()
                    .map(|(l, loc)| (l, ex.line(loc)))
                    .collect(),
            }
        })
        .collect();
    let table = programs_table(&view, &ran[1].rows, "programs", &ex.newest(&view).await?);
    let figures_rows: Vec<&Row> = ran
        .get(2)
        .map(|q| {
            q.rows
                .iter()
                .filter(|r| r.get("project") == Some(&n))
                .collect()
        })
        .unwrap_or_default();
    let money = (!figures_rows.is_empty()).then(|| scope_timeline(&view, &name, &figures_rows));
    let paid: Vec<&Row> = ran
        .get(3)
        .map(|q| {
            q.rows
                .iter()
                .filter(|r| r.get("scope_kind").is_some_and(|k| k == "project"))
                .filter(|r| r.get("scope") == Some(&n))
                .collect()
        })
        .unwrap_or_default();
    let recipients =
        (!paid.is_empty()).then(|| recipients_table(&view, &paid, RECIPIENTS_OF_SCOPE));
    let body = render(&Project {
        view: &view,
        name: &name,
        description: first.get("description").map_or("", String::as_str),
        figures,
        table: &table,
        money: money.as_ref(),
        recipients: recipients.as_ref(),
        flow: view.link(&format!("/explore/flow/project/{n}")),
        diagram: view.diagram(&format!("/diagram/project/{n}")),
        data: format!("/id/project/{n}"),
    })?;
    let mut tables = vec![table];
    tables.extend(money.map(|m| m.table));
    tables.extend(recipients);
    Page {
        title: name,
        body,
        ran,
        tables,
    }
    .answer(&view)
}
