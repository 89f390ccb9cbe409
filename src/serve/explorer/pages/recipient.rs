//! A recipient's page (`/explore/recipient/法人番号`): what the budget lines of the graph paid
//! it, year by year (a chart and a table that add up only what may be added), and each payment
//! with its line, block, edition and the programs behind the line.

use super::super::money::{line_key, line_path, oku_from_yen, Chart, Point};
use super::super::page::{render, Page};
use super::super::table::{Cell, Show, Table};
use super::super::view::View;
use super::super::{first_row, not_found, Explorer, Row};
use crate::markup::path_segment as seg;
use crate::serve::HttpError;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The IRI scheme of the 法人番号 LOD (gBizINFO) that rs:payee uses.
const HOJIN: &str = "http://hojin-info.go.jp/data/basic/";

#[derive(Template)]
#[template(path = "recipient.html", config = "src/serve/explorer/askama.toml")]
struct Recipient<'a> {
    view: &'a View,
    name: &'a str,
    number: &'a str,
    iri: &'a str,
    /// Our organisation of the same 法人番号 (owl:sameAs): its page and code.
    ours: Option<(String, String)>,
    chart: Option<Chart>,
    years: &'a Table,
    payments: &'a Table,
    flow: String,
}

pub(in crate::serve::explorer) async fn recipient(
    State(ex): State<Arc<Explorer>>,
    Path(number): Path<String>,
    view: View,
) -> Result<Response, HttpError> {
    if number.len() != 13 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_found("recipient (法人番号, 13 digits)", &number));
    }
    let iri = format!("{HOJIN}{number}");
    let ran = ex
        .run_all(&view, &[("recipient", Some(iri.clone()))])
        .await?;
    let rows = &ran[0].rows;
    let first = first_row(&ran[0], "recipient", &number)?;
    let name = first.get("recipient").cloned().unwrap_or_default();
    let ours = first.get("our_org").map(|code| {
        (
            view.link(&format!("/explore/org/{}", seg(code))),
            code.clone(),
        )
    });
    let years = years_table(&view, rows);
    let payments = payments_table(&view, rows);
    let body = render(&Recipient {
        view: &view,
        name: &name,
        number: &number,
        iri: &iri,
        ours,
        chart: chart(&view, &name, &years),
        years: &years,
        payments: &payments,
        flow: view.link(&format!("/explore/flow/recipient/{number}")),
    })?;
    Page {
        title: name,
        body,
        ran,
        tables: vec![years, payments],
    }
    .answer(&view)
}

/// A year's sums: what is added (distinct payments counted "yes"), what is shown and not
/// added (a share line's payment that the aggregate's payment holds), payments and lines.
#[derive(Default)]
struct Year {
    counted: i128,
    within_aggregate: i128,
    payments: BTreeSet<String>,
    lines: BTreeSet<String>,
}

fn sums(rows: &[Row]) -> BTreeMap<String, Year> {
    let mut years: BTreeMap<String, Year> = BTreeMap::new();
    for r in rows {
        let get = |k: &str| r.get(k).map_or("", String::as_str);
        let year = years.entry(get("fiscal_year").to_owned()).or_default();
        if !year.payments.insert(get("payment").to_owned()) {
            continue;
        }
        year.lines.insert(get("line").to_owned());
        let yen: i128 = get("amount_yen").parse().unwrap_or_default();
        if get("counted") == "no" {
            year.within_aggregate += yen;
        } else {
            year.counted += yen;
        }
    }
    years
}

fn years_table(view: &View, rows: &[Row]) -> Table {
    let t = |ja, en| view.t(ja, en).to_owned();
    Table {
        id: "years",
        caption: t(
            "年度ごとの受取額（支出の年度。一括計上の行の内訳として重ねて載る額は加えない）",
            "Received by fiscal year of payment (a share line's payment that the aggregate line's payment already holds is not added)",
        ),
        columns: vec![
            ("fiscal_year", t("年度", "Fiscal year")),
            ("amount_oku_yen", t("受取額（億円）", "Received (¥100M)")),
            ("payments", t("支出の数", "Payments")),
            ("lines", t("予算の行の数", "Budget lines")),
            (
                "not_added_oku_yen",
                t("内訳として重ねて載る額（億円、加えない）", "Shown again as shares (¥100M, not added)"),
            ),
        ],
        rows: sums(rows)
            .into_iter()
            .rev()
            .map(|(fy, y)| {
                let oku = |yen: i128| oku_from_yen(&yen.to_string());
                vec![
                    Cell::num(fy.clone()).showing(Show::Link(format!("#fy{fy}"))),
                    Cell::num(oku(y.counted)),
                    Cell::num(y.payments.len().to_string()),
                    Cell::num(y.lines.len().to_string()),
                    Cell::num(if y.within_aggregate == 0 {
                        String::new()
                    } else {
                        oku(y.within_aggregate)
                    }),
                ]
            })
            .collect(),
    }
}

/// The chart of the years table: each bar links to its year's payments.
fn chart(view: &View, name: &str, years: &Table) -> Option<Chart> {
    let points = years
        .rows
        .iter()
        .filter_map(|row| {
            let (fy, oku) = (&row[0].text, &row[1].text);
            Some(Point {
                year: fy.parse().ok()?,
                series: 0,
                value: oku.parse().ok()?,
                title: format!("{fy}: {oku}{}", view.t("億円", " ¥100M")),
                href: format!("#fy{fy}"),
            })
        })
        .collect();
    Chart::new(
        format!(
            "{}: {name}",
            view.t(
                "年度ごとの受取額（億円）",
                "Received by fiscal year (¥100M)"
            )
        ),
        vec![view.t("受取額", "Received").to_owned()],
        points,
    )
}

fn payments_table(view: &View, rows: &[Row]) -> Table {
    let t = |ja, en| view.t(ja, en).to_owned();
    let mut seen = BTreeSet::new();
    let mut last_year = String::new();
    Table {
        id: "payments",
        caption: t(
            "支出ごと（大きい順）。行はこの支出を載せた予算の行、事業はその行につながる本データの事業",
            "Each payment, largest first: the budget line that lists it, and our programs linked to that line",
        ),
        columns: vec![
            ("fiscal_year", t("年度", "Fiscal year")),
            ("amount_oku_yen", view.t("億円", "¥100M").to_owned()),
            ("amount_yen", t("円", "Yen")),
            ("line", t("予算の行", "Budget line")),
            ("line_kind", t("行の種類", "Kind of line")),
            ("block", t("ブロック", "Block")),
            ("counted", t("年度の額に加える", "Added to the year")),
            ("programs", t("本データの事業", "Our programs")),
            ("source", t("出典", "Source")),
        ],
        rows: rows
            .iter()
            .filter(|r| seen.insert(r.get("payment").cloned().unwrap_or_default()))
            .map(|r| {
                let get = |k: &str| r.get(k).cloned().unwrap_or_default();
                let fy = get("fiscal_year");
                let mut year = Cell::num(fy.clone());
                if fy != last_year {
                    year = year.showing(Show::Anchor(format!("fy{fy}")));
                    last_year = fy;
                }
                vec![
                    year,
                    Cell::num(oku_from_yen(&get("amount_yen"))),
                    Cell::num(get("amount_yen")),
                    line_cell(view, &get("line"), &get("line_name")),
                    kind_cell(view, &get("line_kind")),
                    Cell::text(get("block")),
                    yes_no(view, &get("counted")),
                    programs_cell(view, &get("programs"), &get("line")),
                    Cell::text(get("source")),
                ]
            })
            .collect(),
    }
}

/// A row's recipient (`recipient`, `corporate_number`): its name, linked to its page when it
/// has a 法人番号 (a recipient without one has no page).
pub(in crate::serve::explorer) fn recipient_cell(view: &View, row: &Row) -> Cell {
    let name = row.get("recipient").cloned().unwrap_or_default();
    match row.get("corporate_number").filter(|n| !n.is_empty()) {
        Some(n) => Cell::link(name, &view.link(&format!("/explore/recipient/{}", seg(n)))),
        None => Cell::text(name),
    }
}

/// A budget line: downloaded as its path under /id/ (`rs/2958`), shown as its short name and
/// name, linked to its page.
pub(in crate::serve::explorer) fn line_cell(view: &View, iri: &str, name: &str) -> Cell {
    let key = iri.strip_prefix(crate::vocab::ID).unwrap_or(iri).to_owned();
    let shown = format!("{} {name}", line_key(view, iri));
    match line_path(iri) {
        Some(path) => Cell::text(key).showing(Show::Links(vec![(view.link(&path), shown)])),
        None => Cell::text(key).showing(Show::Label(shown)),
    }
}

/// What kind of line, in the page's language (the code is what CSV carries).
pub(in crate::serve::explorer) fn kind_cell(view: &View, kind: &str) -> Cell {
    let label = match kind {
        "aggregate" => view.t(
            "一括計上（多数の事業の合計）",
            "aggregate (many programs at once)",
        ),
        "review-sheet" => view.t("レビューシート", "review sheet"),
        "rs" => view.t("RSの予算事業", "RS budget program"),
        other => other,
    };
    Cell::text(kind).showing(Show::Label(label.to_owned()))
}

fn yes_no(view: &View, v: &str) -> Cell {
    let label = match v {
        "no" => view.t(
            "加えない（一括計上の支出の内訳）",
            "no (part of the aggregate's payment)",
        ),
        _ => view.t("加える", "yes"),
    };
    Cell::text(v).showing(Show::Label(label.to_owned()))
}

/// Program slugs, space-separated, as links to their pages; more than a few (an aggregate
/// line's) as their number, linked to the line's list of them.
fn programs_cell(view: &View, slugs: &str, line: &str) -> Cell {
    let n = slugs.split_whitespace().count();
    let links: Vec<(String, String)> = match line_path(line) {
        Some(path) if n > 5 => {
            let label = match view.lang {
                crate::lang::Lang::Ja => format!("{n}事業"),
                crate::lang::Lang::En => format!("{n} programs"),
            };
            vec![(view.link(&format!("{path}#h-programs")), label)]
        }
        _ => slugs
            .split_whitespace()
            .map(|s| {
                (
                    view.link(&format!("/explore/program/{}", seg(s))),
                    s.to_owned(),
                )
            })
            .collect(),
    };
    Cell::text(slugs).showing(Show::Links(links))
}
