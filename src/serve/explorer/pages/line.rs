//! A budget line's page (`/explore/line/rs/N`, `/explore/line/review-sheet/EDITION/MINISTRY/NUMBER`):
//! what the line is and which of our programs it is linked to (how), its figures over the
//! editions that continue it (a chart and a table), and who it paid.

use super::super::money::{line_key, line_path, oku_from_yen, Chart, Point};
use super::super::page::{render, Page};
use super::super::table::{Cell, Show, Table};
use super::super::view::View;
use super::super::{first_row, not_found, Explorer, Row};
use super::program::relation_label;
use super::recipient::{line_cell, recipient_cell};
use crate::markup::path_segment as seg;
use crate::serve::HttpError;
use crate::vocab::ID;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "line.html", config = "src/serve/explorer/askama.toml")]
struct Line<'a> {
    view: &'a View,
    name: &'a str,
    key: String,
    kind: &'a str,
    /// (link, name) of the ministry.
    ministry: Option<(String, String)>,
    years: String,
    aggregate_evidence: &'a str,
    data: String,
    programs: &'a Table,
    chart: Option<Chart>,
    figures: &'a Table,
    payments: &'a Table,
}

pub(in crate::serve::explorer) async fn line(
    State(ex): State<Arc<Explorer>>,
    Path(rest): Path<String>,
    view: View,
) -> Result<Response, HttpError> {
    ex.ready().await?;
    let iri = format!("{ID}{rest}");
    let is_line = rest.starts_with("rs/") || rest.starts_with("review-sheet/");
    if !is_line || oxigraph::model::NamedNode::new(&iri).is_err() {
        return Err(not_found("budget line", &rest));
    }
    let arg = Some(iri.clone());
    let ran = ex
        .run_all(
            &view,
            &[
                ("line", arg.clone()),
                ("line-figures", arg.clone()),
                ("line-payments", arg),
            ],
        )
        .await?;
    let first = first_row(&ran[0], "budget line", &rest)?;
    let get = |k: &str| first.get(k).map_or("", String::as_str);
    let name = get("name").to_owned();
    let programs = programs_table(&view, &ran[0].rows);
    let figures = figures_table(&view, &ran[1].rows);
    let payments = payments_table(&view, &ran[2].rows);
    let years = match (get("start_year"), get("end_year")) {
        ("", _) => String::new(),
        (start, end) => format!("{start}–{end}"),
    };
    let body = render(&Line {
        view: &view,
        name: &name,
        key: line_key(&view, &iri),
        kind: get("kind"),
        ministry: first.get("ministry").map(|code| {
            let href = view.link(&format!("/explore/ministry/{}", seg(code)));
            (href, super::flow::ministry_name(&ex, &view, code))
        }),
        years,
        aggregate_evidence: get("aggregate_evidence"),
        data: format!("/id/{rest}"),
        programs: &programs,
        chart: chart(&view, &name, &ran[1].rows, "line"),
        figures: &figures,
        payments: &payments,
    })?;
    Page {
        title: name,
        body,
        ran,
        tables: vec![programs, figures, payments],
    }
    .answer(&view)
}

fn programs_table(view: &View, rows: &[Row]) -> Table {
    let t = |ja, en| view.t(ja, en).to_owned();
    Table {
        id: "programs",
        caption: t(
            "この行につながる本データの事業と、そのつながり方",
            "Our programs linked to this line, and how",
        ),
        columns: vec![
            ("program", t("事業", "Program")),
            ("slug", "ID".to_owned()),
            ("relation", t("関係", "Relation")),
        ],
        rows: rows
            .iter()
            .filter_map(|r| {
                let slug = r.get("program")?;
                let relation = r.get("relation").cloned().unwrap_or_default();
                let label = relation_label(view, &relation).unwrap_or(relation.as_str());
                Some(vec![
                    Cell::link(
                        view.pick(r, "label_ja", "label_en"),
                        &view.link(&format!("/explore/program/{}", seg(slug))),
                    ),
                    Cell::text(slug.clone()),
                    Cell::text(relation.clone()).showing(Show::Label(label.to_owned())),
                ])
            })
            .collect(),
    }
}

fn stage_cell(view: &View, r: &Row) -> Cell {
    let stage = r.get("stage").cloned().unwrap_or_default();
    let label = view.pick(r, "stage_ja", "stage_en").to_owned();
    Cell::text(stage).showing(Show::Label(label))
}

fn figures_table(view: &View, rows: &[Row]) -> Table {
    let t = |ja, en| view.t(ja, en).to_owned();
    Table {
        id: "figures",
        caption: t(
            "この行と、前後の年度版で同じ行とされるシートの額（年度・段階・出典ごと。同じ年度の別の版は改訂で、合計しない）",
            "The figures of this line and of the sheets of other editions that are the same line (by year, stage and edition; two editions of one year revise, never add up)",
        ),
        columns: vec![
            ("fiscal_year", t("年度", "Fiscal year")),
            ("stage", t("段階", "Stage")),
            ("amount_oku_yen", view.t("億円", "¥100M").to_owned()),
            ("source", t("出典", "Source")),
            ("line", t("予算の行", "Budget line")),
        ],
        rows: rows
            .iter()
            .map(|r| {
                let get = |k: &str| r.get(k).cloned().unwrap_or_default();
                vec![
                    Cell::num(get("fiscal_year")),
                    stage_cell(view, r),
                    Cell::num(get("amount_oku_yen")),
                    Cell::text(get("source")),
                    line_cell(view, &get("line"), &get("line_name")),
                ]
            })
            .collect(),
    }
}

/// The stages a chart draws, each a series (the supplementary budget is in the table only).
const STAGES: [&str; 3] = ["initial", "execution", "total"];

/// Per fiscal year and stage, the newest edition's figure (editions revise): a chart of the
/// figures rows of a line or a program. Each bar links to the budget line that printed it
/// (the `line` column names it), or for a figure of the document to its line on this page
/// (`#L345`, from the evidence `line 345`).
pub(in crate::serve::explorer) fn chart(
    view: &View,
    name: &str,
    rows: &[Row],
    line: &str,
) -> Option<Chart> {
    // (year, stage, source) → the rows' sum and the first row (its source is cited). A
    // predecessor's or a successor's figures are another program's: not drawn as its bars.
    let mut sums: BTreeMap<(i32, usize, &str), (f64, &Row)> = BTreeMap::new();
    for r in rows {
        let get = |k: &str| r.get(k).map_or("", String::as_str);
        if get("evidence").contains("(predecessor") || get("evidence").contains("(successor") {
            continue;
        }
        let (Some(series), Ok(year), Ok(v)) = (
            STAGES.iter().position(|s| *s == get("stage")),
            get("fiscal_year").parse::<i32>(),
            get("amount_oku_yen").parse::<f64>(),
        ) else {
            continue;
        };
        sums.entry((year, series, get("source")))
            .or_insert((0.0, r))
            .0 += v;
    }
    // Each year's and stage's newest edition (editions revise; they are never added).
    let mut newest: BTreeMap<(i32, usize), (f64, &Row)> = BTreeMap::new();
    for ((year, series, _), sum) in sums {
        newest.insert((year, series), sum);
    }
    let legend = [
        view.t("当初予算額", "Initial budget"),
        view.t("執行額", "Execution"),
        view.t("概算要求・要望額", "Request and demand"),
    ];
    let points = newest
        .into_iter()
        .filter_map(|((year, series), (value, r))| {
            let get = |k: &str| r.get(k).map_or("", String::as_str);
            let (href, cited) = match line_path(get(line)) {
                Some(path) => (view.link(&path), line_key(view, get(line))),
                None => {
                    let n = get("evidence").strip_prefix("line ")?;
                    (format!("#L{n}"), format!("{} {n}", view.t("行", "line")))
                }
            };
            // Sums of printed decimals: no more digits than the sources print.
            let value = (value * 1e5).round() / 1e5;
            Some(Point {
                year,
                series,
                value,
                title: format!(
                    "{year} {} {value}{} — {} ({cited})",
                    legend[series],
                    view.t("億円", " ¥100M"),
                    get("source"),
                ),
                href,
            })
        })
        .collect();
    Chart::new(
        format!(
            "{}: {name}",
            view.t(
                "年度ごとの額（億円、各年度の最新の版）",
                "Figures by fiscal year (¥100M, each year's newest edition)"
            )
        ),
        legend.iter().map(|s| (*s).to_owned()).collect(),
        points,
    )
}

fn payments_table(view: &View, rows: &[Row]) -> Table {
    let t = |ja, en| view.t(ja, en).to_owned();
    Table {
        id: "payments",
        caption: t(
            "支出先（支出の年度・ブロックごと、大きい順。ブロックA・B…は資金の段階でありうるため合計しない）",
            "Recipients (by fiscal year of payment and block, largest first; blocks A, B… can be successive tiers of the money, never add them up)",
        ),
        columns: vec![
            ("fiscal_year", t("年度", "Fiscal year")),
            ("block", t("ブロック", "Block")),
            ("recipient", t("支出先", "Recipient")),
            ("corporate_number", t("法人番号", "Corporate number")),
            ("amount_oku_yen", view.t("億円", "¥100M").to_owned()),
            ("amount_yen", t("円", "Yen")),
            ("description", t("業務概要", "What for")),
            ("source", t("出典", "Source")),
        ],
        rows: rows
            .iter()
            .map(|r| {
                let get = |k: &str| r.get(k).cloned().unwrap_or_default();
                let number = get("corporate_number");
                let name = recipient_cell(view, r);
                vec![
                    Cell::num(get("fiscal_year")),
                    Cell::text(get("block")),
                    name,
                    Cell::text(number),
                    Cell::num(oku_from_yen(&get("amount_yen"))),
                    Cell::num(get("amount_yen")),
                    Cell::text(get("description")),
                    Cell::text(get("source")),
                ]
            })
            .collect(),
    }
}
