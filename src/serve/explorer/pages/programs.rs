//! The programs table (`/explore/programs`): every program with its ministries, projects,
//! themes, marks and own figure, filtered by facets whose choices come from the data, sorted,
//! and downloadable.

use super::super::page::{render, Page};
use super::super::table::{Cell, Show, Table};
use super::super::view::View;
use super::super::{Explorer, Row};
use crate::lang::Lang;
use crate::markup::path_segment as seg;
use crate::serve::HttpError;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::sync::Arc;

/// A select of the filter form.
struct Facet<'a> {
    name: &'static str,
    label: &'static str,
    /// What choosing nothing means ("all", or the default sort).
    none: &'static str,
    current: &'a str,
    options: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "programs.html", config = "src/serve/explorer/askama.toml")]
struct Programs<'a> {
    view: &'a View,
    facets: Vec<Facet<'a>>,
    table: &'a Table,
}

const SORTS: [&str; 3] = ["name", "amount", "ministry"];

pub(in crate::serve::explorer) async fn programs(
    State(ex): State<Arc<Explorer>>,
    view: View,
) -> Result<Response, HttpError> {
    ex.ready().await?;
    let ran = ex.run_all(&view, &[("programs", None)]).await?;
    let filter = |key: &str| view.param(key).filter(|v| !v.is_empty());
    let sort = filter("sort").unwrap_or("name");
    if !SORTS.contains(&sort) {
        return Err(HttpError::bad_request(format!(
            "unknown sort {sort:?} (name, amount or ministry)"
        )));
    }
    let has =
        |row: &Row, col: &str, v: &str| row.get(col).is_some_and(|s| s.split(' ').any(|x| x == v));
    let mut rows: Vec<&Row> = ran[0]
        .rows
        .iter()
        .filter(|r| filter("ministry").is_none_or(|m| has(r, "ministries", m)))
        .filter(|r| filter("project").is_none_or(|p| has(r, "projects", p)))
        .filter(|r| filter("theme").is_none_or(|th| has(r, "themes", th)))
        .filter(|r| filter("status").is_none_or(|s| status_of(r).iter().any(|x| x == s)))
        .collect();
    sort_rows(&view, &mut rows, sort);
    let table = table(&ex, &view, &rows, &ex.newest(&view).await?);
    let body = render(&Programs {
        view: &view,
        facets: facets(&ex, &view, &ran[0].rows),
        table: &table,
    })?;
    Page {
        title: view.t("事業一覧", "Programs").to_owned(),
        body,
        ran,
        tables: vec![table],
    }
    .answer(&view)
}

fn sort_rows(view: &View, rows: &mut [&Row], sort: &str) {
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
            view.pick(a, "label_ja", "label_en")
                .cmp(view.pick(b, "label_ja", "label_en"))
        }),
    }
}

/// A program's marks, the new-program mark first.
fn status_of(row: &Row) -> Vec<String> {
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
}

pub(super) fn mark_label(lang: Lang, mark: &str) -> String {
    match mark {
        "new" => "【新規】".to_owned(),
        "expanded" => "【拡充】".to_owned(),
        "new-program" => lang.pick("新規事業", "new program").to_owned(),
        other => other.to_owned(),
    }
}

/// The name of an organisation, theme or project in the view's language, from the search
/// index (its code where the index has none).
fn name_of(ex: &Explorer, view: &View, kind: &str, key: &str) -> String {
    ex.entries()
        .find(|e| e.kind == kind && e.key == key)
        .map(|e| match view.lang {
            Lang::Ja if !e.ja.is_empty() => e.ja.clone(),
            _ if !e.en.is_empty() => e.en.clone(),
            _ => e.ja.clone(),
        })
        .unwrap_or_else(|| key.to_owned())
}

/// A cell of codes (GROUP_CONCAT has no order: sorted, projects as numbers), each a link
/// named by `name` (the CSV keeps the codes).
fn code_links(
    view: &View,
    row: &Row,
    col: &str,
    path: &str,
    name: &dyn Fn(&str) -> String,
) -> Cell {
    let mut codes: Vec<&str> = row
        .get(col)
        .map_or("", String::as_str)
        .split(' ')
        .filter(|x| !x.is_empty())
        .collect();
    codes.sort_by_key(|c| (c.parse::<u32>().unwrap_or(u32::MAX), *c));
    let links = codes
        .iter()
        .map(|x| (view.link(&format!("{path}/{}", seg(x))), name(x)))
        .collect();
    Cell::text(codes.join(" ")).showing(Show::Links(links))
}

fn table(
    ex: &Explorer,
    view: &View,
    rows: &[&Row],
    figures: &BTreeMap<String, super::money::Newest>,
) -> Table {
    let org = |code: &str| name_of(ex, view, "org", code);
    let theme = |slug: &str| name_of(ex, view, "theme", slug);
    let project = |n: &str| n.to_owned();
    let t = |ja, en| view.t(ja, en).to_owned();
    Table {
        id: "programs",
        caption: format!("{} {}", rows.len(), t("事業", "programs")),
        columns: vec![
            ("program", t("事業", "Program")),
            ("slug", "ID".to_owned()),
            ("ministries", t("府省庁", "Ministries")),
            ("projects", t("プロジェクト", "Projects")),
            ("themes", t("テーマ", "Themes")),
            ("status", t("新規・拡充", "New / expanded")),
            (
                "figure_oku_yen",
                t("資料の計上額（億円）", "Document's figure (¥100M)"),
            ),
        ]
        .into_iter()
        .chain(super::money::newest_columns(view))
        .collect(),
        rows: rows
            .iter()
            .map(|r| {
                let slug = r.get("program").cloned().unwrap_or_default();
                let newest = super::money::newest_cells(view, figures.get(&slug));
                let status = status_of(r);
                let marks = status
                    .iter()
                    .map(|s| (s.clone(), mark_label(view.lang, s)))
                    .collect();
                vec![
                    Cell::link(
                        view.pick(r, "label_ja", "label_en"),
                        &view.link(&format!("/explore/program/{}", seg(&slug))),
                    ),
                    Cell::text(slug),
                    code_links(view, r, "ministries", "/explore/ministry", &org),
                    code_links(view, r, "projects", "/explore/project", &project),
                    code_links(view, r, "themes", "/explore/theme", &theme),
                    Cell::text(status.join(" ")).showing(Show::Marks(marks)),
                    Cell::num(r.get("figure_oku_yen").cloned().unwrap_or_default()),
                ]
                .into_iter()
                .chain(newest)
                .collect()
            })
            .collect(),
    }
}

/// The filter form's selects; their choices come from the data itself.
fn facets<'a>(ex: &Explorer, view: &'a View, rows: &[Row]) -> Vec<Facet<'a>> {
    // The choices are named in the view's language (projects with their numbers), sorted
    // as their codes are (projects as numbers).
    let choices = |col: &str, kind: &str| -> Vec<(String, String)> {
        let set: BTreeSet<(u32, String)> = rows
            .iter()
            .filter_map(|r| r.get(col))
            .flat_map(|s| s.split(' ').filter(|x| !x.is_empty()))
            .map(|x| (x.parse::<u32>().unwrap_or(u32::MAX), x.to_owned()))
            .collect();
        set.into_iter()
            .map(|(_, v)| {
                let name = name_of(ex, view, kind, &v);
                let label = if kind == "project" {
                    format!("{v}. {name}")
                } else {
                    name
                };
                (v, label)
            })
            .collect()
    };
    let t = |ja, en| view.t(ja, en);
    let statuses = ["new-program", "new", "expanded"]
        .iter()
        .map(|s| ((*s).to_owned(), mark_label(view.lang, s)))
        .collect();
    let sorts = vec![
        (
            "amount".to_owned(),
            t("計上額（大きい順）", "figure (largest first)").to_owned(),
        ),
        ("ministry".to_owned(), t("府省庁", "ministry").to_owned()),
    ];
    [
        (
            "ministry",
            t("府省庁", "Ministry"),
            choices("ministries", "org"),
        ),
        (
            "project",
            t("プロジェクト", "Project"),
            choices("projects", "project"),
        ),
        ("theme", t("テーマ", "Theme"), choices("themes", "theme")),
        ("status", t("新規・拡充", "New / expanded"), statuses),
        ("sort", t("並べ替え", "Sort by"), sorts),
    ]
    .into_iter()
    .map(|(name, label, options)| Facet {
        name,
        label,
        none: if name == "sort" {
            t("名前", "name")
        } else {
            t("すべて", "all")
        },
        current: view.param(name).unwrap_or(""),
        options,
    })
    .collect()
}
