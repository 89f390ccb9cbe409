//! The home page (`/explore`): the integrated projects and ministries with their totals for
//! the view's fiscal year, the themes, search, where the money went (the largest recipients
//! of the newest year of payment), and a link to the overview diagram.

use super::super::page::{render, Page};
use super::super::table::{Cell, Show, Table};
use super::super::view::View;
use super::super::{Explorer, Ran, Row};
use super::recipient::recipient_cell;
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
    recipients: Option<&'a Table>,
}

pub(in crate::serve::explorer) async fn home(
    State(ex): State<Arc<Explorer>>,
    view: View,
) -> Result<Response, HttpError> {
    let mut ran = ex
        .run(
            &view,
            &[
                ("home-projects", None),
                ("home-ministries", None),
                ("home-themes", None),
                ("top-recipients", None),
            ],
        )
        .await?;
    let top = ran.pop().flatten();
    let mut ran: Vec<Ran> = ran.into_iter().flatten().collect();
    let recipients = top.as_ref().and_then(|q| recipients(&view, &q.rows));
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
        recipients: recipients.as_ref(),
    })?;
    ran.extend(top);
    Page {
        title: view.t("ホーム", "Home").to_owned(),
        body,
        ran,
        tables: [projects, ministries]
            .into_iter()
            .chain(recipients)
            .collect(),
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
            "The integrated projects ({} {}, ¥100M)",
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
            ("total_oku_yen", view.t("億円", "¥100M").to_owned()),
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
            "By ministry (overview table, {}, AMED + in-house, ¥100M)",
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
            ("total_oku_yen", view.t("億円", "¥100M").to_owned()),
            ("share_percent", view.t("割合", "Share").to_owned()),
        ],
        rows,
    }
}

/// The ten largest recipients of the newest year of payment (top-recipients), each linked to
/// its page.
fn recipients(view: &View, rows: &[Row]) -> Option<Table> {
    let newest = rows
        .iter()
        .filter_map(|r| r.get("fiscal_year"))
        .max()?
        .clone();
    let t = |ja, en| view.t(ja, en).to_owned();
    let caption = match view.lang {
        Lang::Ja => format!("{newest}年度に本データの事業につながる予算の行から支払われた額の大きい支出先（上位10者、億円。支払いは一度だけ数える）"),
        Lang::En => format!("The largest recipients of FY{newest} payments by the budget lines linked to our programs (top ten, ¥100M; each payment counted once)"),
    };
    let rows = rows
        .iter()
        .filter(|r| r.get("fiscal_year") == Some(&newest))
        .take(10)
        .map(|r| {
            let get = |k: &str| r.get(k).cloned().unwrap_or_default();
            let number = get("corporate_number");
            let name = recipient_cell(view, r);
            let programs = get("programs").split_whitespace().count();
            vec![
                name,
                Cell::text(number),
                Cell::num(super::super::money::oku_from_yen(&get("amount_yen"))),
                Cell::num(programs.to_string()),
            ]
        })
        .collect();
    Some(Table {
        id: "recipients",
        caption,
        columns: vec![
            ("recipient", t("支出先", "Recipient")),
            ("corporate_number", t("法人番号", "Corporate number")),
            ("amount_oku_yen", view.t("億円", "¥100M").to_owned()),
            ("programs", t("つながる事業の数", "Programs behind")),
        ],
        rows,
    })
}
