//! The home page (`/explore`): the integrated projects and ministries with their totals for
//! the view's fiscal year, the themes, search, and the overview diagram.

use super::super::page::{render, Page};
use super::super::table::{Cell, Show, Table};
use super::super::view::View;
use super::super::{Explorer, Ran, Row};
use crate::lang::Lang;
use crate::markup::path_segment as seg;
use crate::serve::HttpError;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "home.html", config = "src/serve/explorer/askama.toml")]
struct Home<'a> {
    view: &'a View,
    projects: &'a Table,
    ministries: &'a Table,
    /// (link, label, number of programs).
    themes: Vec<(String, &'a str, &'a str)>,
}

pub(in crate::serve::explorer) async fn home(
    State(ex): State<Arc<Explorer>>,
    view: View,
) -> Result<Response, HttpError> {
    let ran = ex
        .run_all(
            &view,
            &[
                ("home-projects", None),
                ("home-ministries", None),
                ("home-themes", None),
            ],
        )
        .await?;
    let projects = projects(&view, &ran[0]);
    let ministries = ministries(&view, &ran[1]);
    let themes = ran[2]
        .rows
        .iter()
        .map(|r| {
            let slug = r.get("theme").map_or("", String::as_str);
            (
                view.link(&format!("/explore/theme/{}", seg(slug))),
                view.pick(r, "label_ja", "label_en"),
                r.get("programs").map_or("0", String::as_str),
            )
        })
        .collect();
    let body = render(&Home {
        view: &view,
        projects: &projects,
        ministries: &ministries,
        themes,
    })?;
    Page {
        title: view.t("ホーム", "Home").to_owned(),
        body,
        ran,
        tables: vec![projects, ministries],
    }
    .answer(&view)
}

fn projects(view: &View, ran: &Ran) -> Table {
    let caption = match view.lang {
        Lang::Ja => format!(
            "統合プロジェクト（{} {}、億円）",
            view.year_label(),
            view.scope.totals_ja
        ),
        Lang::En => format!(
            "The integrated projects ({} {}, 億円)",
            view.year_label(),
            view.scope.totals_en
        ),
    };
    Table {
        id: "projects",
        caption,
        columns: vec![
            ("project_no", "No.".to_owned()),
            ("project", view.t("プロジェクト", "Project").to_owned()),
            ("total_oku_yen", "億円".to_owned()),
        ],
        rows: ran
            .rows
            .iter()
            .map(|r| {
                let n = r.get("project_no").cloned().unwrap_or_default();
                vec![
                    Cell::num(n.clone()),
                    Cell::link(
                        view.pick(r, "label_ja", "label_en"),
                        &view.link(&format!("/explore/project/{n}")),
                    ),
                    Cell::num(r.get("total_oku_yen").cloned().unwrap_or_default()),
                ]
            })
            .collect(),
    }
}

fn ministries(view: &View, ran: &Ran) -> Table {
    let total = |r: &Row| r.get("total_oku_yen").and_then(|v| v.parse::<f64>().ok());
    let sum: f64 = ran.rows.iter().filter_map(total).sum();
    let caption = match view.lang {
        Lang::Ja => format!(
            "府省庁別（総括表の{}、AMED＋インハウス、億円）",
            view.scope.totals_ja
        ),
        Lang::En => format!(
            "By ministry (overview table, {}, AMED + in-house, 億円)",
            view.scope.totals_en
        ),
    };
    let rows = ran
        .rows
        .iter()
        .map(|r| {
            let code = r.get("ministry").map_or("", String::as_str);
            let share = total(r).filter(|_| sum > 0.0).map(|v| v * 100.0 / sum);
            let share_text = share.map(|s| format!("{s:.1}")).unwrap_or_default();
            let mut share_cell = Cell::num(share_text);
            if let Some(s) = share {
                share_cell = share_cell.showing(Show::Bar(s * 2.0));
            }
            vec![
                Cell::link(
                    view.pick(r, "label_ja", "label_en"),
                    &view.link(&format!("/explore/ministry/{}", seg(code))),
                ),
                Cell::num(r.get("total_oku_yen").cloned().unwrap_or_default()),
                share_cell,
            ]
        })
        .collect();
    Table {
        id: "ministries",
        caption,
        columns: vec![
            ("ministry", view.t("府省庁", "Ministry").to_owned()),
            ("total_oku_yen", "億円".to_owned()),
            ("share_percent", view.t("割合", "Share").to_owned()),
        ],
        rows,
    }
}
