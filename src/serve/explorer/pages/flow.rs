//! The follow-the-money page (`/explore/flow/program/SLUG`, `…/project/N`, `…/ministry/CODE`,
//! `…/recipient/法人番号`, `?year=YYYY`): ministry → budget line → recipient for one fiscal
//! year of payment, drawn on the server (flow.rs), with the table of what it draws.

use super::super::flow::{layout, Drawing, Flow};
use super::super::money::{line_path, oku_from_yen};
use super::super::page::{render, Page};
use super::super::table::{Cell, Table};
use super::super::view::View;
use super::super::{not_found, Explorer, Row};
use super::recipient::{line_cell, recipient_cell};
use crate::markup::path_segment as seg;
use crate::serve::HttpError;
use crate::vocab::ID;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

#[derive(Template)]
#[template(path = "flow.html", config = "src/serve/explorer/askama.toml")]
struct FlowPage<'a> {
    view: &'a View,
    name: &'a str,
    back: String,
    year: &'a str,
    /// (link, year, whether it is this one).
    years: Vec<(String, String, bool)>,
    drawing: Option<Drawing>,
    left_out: usize,
    table: &'a Table,
}

/// The scope's IRI, its page and the kind and key of its search entry.
fn scope(kind: &str, key: &str) -> Option<(String, String, &'static str)> {
    let (iri, page, entry) = match kind {
        "program" => (
            format!("{ID}program/{key}"),
            format!("/explore/program/{}", seg(key)),
            "program",
        ),
        "project" => (
            format!("{ID}project/{key}"),
            format!("/explore/project/{}", seg(key)),
            "project",
        ),
        "ministry" => (
            format!("{ID}org/{key}"),
            format!("/explore/ministry/{}", seg(key)),
            "org",
        ),
        "recipient" if key.len() == 13 && key.bytes().all(|b| b.is_ascii_digit()) => (
            format!("http://hojin-info.go.jp/data/basic/{key}"),
            format!("/explore/recipient/{key}"),
            "recipient",
        ),
        _ => return None,
    };
    oxigraph::model::NamedNode::new(&iri).ok()?;
    Some((iri, page, entry))
}

pub(in crate::serve::explorer) async fn flow(
    State(ex): State<Arc<Explorer>>,
    Path(rest): Path<String>,
    view: View,
) -> Result<Response, HttpError> {
    let (kind, key) = rest.split_once('/').unwrap_or((&rest, ""));
    let Some((iri, back, entry)) = scope(kind, key) else {
        return Err(not_found("scope of a money flow", &rest));
    };
    // A recipient is named by the search entries of lines and recipients, read last.
    if entry == "recipient" {
        ex.ready_all().await?;
    } else {
        ex.ready().await?;
    }
    let name = ex
        .entries()
        .find(|e| e.kind == entry && e.key == key)
        .map(|e| {
            if view.lang == crate::lang::Lang::En && !e.en.is_empty() {
                e.en.clone()
            } else {
                e.ja.clone()
            }
        })
        .ok_or_else(|| not_found(kind, key))?;
    let ran = ex.run_all(&view, &[("flow", Some(iri))]).await?;
    let rows = &ran[0].rows;
    let all_years: BTreeSet<&str> = rows
        .iter()
        .filter_map(|r| r.get("fiscal_year").map(String::as_str))
        .collect();
    let year = match view.param("year") {
        Some(y) if all_years.contains(y) => y.to_owned(),
        Some(y) if !y.is_empty() => {
            return Err(HttpError::bad_request(format!(
                "no payment of year {y:?} behind {kind} {key} (years: {})",
                all_years.iter().copied().collect::<Vec<_>>().join(", ")
            )))
        }
        _ => all_years
            .last()
            .map(|y| (*y).to_owned())
            .unwrap_or_default(),
    };
    let of_year: Vec<&Row> = rows
        .iter()
        .filter(|r| r.get("fiscal_year") == Some(&year))
        .collect();
    let (drawn, left_out) = without_repeated_shares(&of_year);
    let prefix = common_prefix(drawn.iter().filter_map(|r| r.get("line_name")));
    let ministry = |code: &str| ministry_name(&ex, &view, code);
    let flows: Vec<Flow> = drawn
        .iter()
        .map(|r| to_flow(r, prefix, &ministry))
        .collect();
    let other = view.t("その他の支出先", "other recipients");
    let href = |column: usize, key: &str| match column {
        0 if key.starts_with("name:") => String::new(),
        0 => view.link(&format!("/explore/ministry/{}", seg(key))),
        1 => line_path(key).map_or_else(String::new, |p| view.link(&p)),
        _ if key.len() == 13 && key.bytes().all(|b| b.is_ascii_digit()) => {
            view.link(&format!("/explore/recipient/{key}"))
        }
        _ => String::new(),
    };
    let oku = |yen: i128| {
        format!(
            "{}{}",
            oku_from_yen(&yen.to_string()),
            view.t("億円", " ¥100M")
        )
    };
    let drawing = layout(&flows, oku, href, other);
    let table = table(&view, &drawn, &ministry);
    let years = all_years
        .iter()
        .map(|y| (view.with(&[("year", y)]), (*y).to_owned(), *y == year))
        .collect();
    let title = format!("{}: {name}", view.t("お金の流れ", "Follow the money"));
    let body = render(&FlowPage {
        view: &view,
        name: &name,
        back: view.link(&back),
        year: &year,
        years,
        drawing,
        left_out,
        table: &table,
    })?;
    Page {
        title,
        body,
        ran,
        tables: vec![table],
    }
    .answer(&view)
}

/// The rows to draw, and how many were left out: a share line's payments to a recipient that
/// the aggregate it is a share of paid at least as much this year repeat the aggregate's
/// payment, by project (RS 2025: 2958 paid AMED 552.50億, its shares 539.98億); where the
/// aggregate paid less (or nothing), the shares' payments are other money and are drawn.
fn without_repeated_shares<'a>(rows: &[&'a Row]) -> (Vec<&'a Row>, usize) {
    let key = |r: &Row| {
        r.get("corporate_number")
            .or_else(|| r.get("recipient"))
            .cloned()
            .unwrap_or_default()
    };
    let yen = |r: &Row| {
        r.get("amount_yen")
            .and_then(|y| y.parse::<i128>().ok())
            .unwrap_or(0)
    };
    // (line, recipient) → paid; (aggregate, recipient) → what its shares paid.
    let mut paid: BTreeMap<(String, String), i128> = BTreeMap::new();
    let mut shares: BTreeMap<(String, String), i128> = BTreeMap::new();
    for r in rows {
        *paid
            .entry((r.get("line").cloned().unwrap_or_default(), key(r)))
            .or_default() += yen(r);
        if let Some(whole) = r.get("share_of") {
            *shares.entry((whole.clone(), key(r))).or_default() += yen(r);
        }
    }
    let covered = |r: &Row| {
        r.get("share_of").is_some_and(|whole| {
            let k = (whole.clone(), key(r));
            paid.get(&k)
                .is_some_and(|w| *w > 0 && Some(w) >= shares.get(&k))
        })
    };
    let (out, kept): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| covered(r));
    (kept, out.len())
}

/// The characters the names of several lines share at their start (MHLW's per-project
/// sheets: 医療研究開発推進事業費補助金（…）), in characters; 0 below 6 or for one name.
fn common_prefix<'a>(mut names: impl Iterator<Item = &'a String>) -> usize {
    let Some(first) = names.next() else {
        return 0;
    };
    let mut n = first.chars().count();
    let mut several = false;
    for name in names.filter(|s| *s != first) {
        several = true;
        n = n.min(
            first
                .chars()
                .zip(name.chars())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    if several && n >= 6 {
        n
    } else {
        0
    }
}

/// A ministry's name in the view's language, from the search index (its code if none).
pub(in crate::serve::explorer) fn ministry_name(ex: &Explorer, view: &View, code: &str) -> String {
    ex.entries()
        .find(|e| e.kind == "org" && e.key == code)
        .map(|e| view.t(&e.ja, &e.en).to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| code.to_owned())
}

/// A line's ministry as (key, name): one of ours by its code, named in the view's language;
/// another (復興庁, 外務省…) by the name the sheet prints, with no page of its own.
fn ministry_of(r: &Row, ministry: &dyn Fn(&str) -> String) -> (String, String) {
    let get = |k: &str| r.get(k).cloned().unwrap_or_default();
    match get("ministry") {
        code if code.is_empty() => (
            format!("name:{}", get("ministry_name")),
            get("ministry_name"),
        ),
        code => {
            let name = ministry(&code);
            (code, name)
        }
    }
}

/// A payment as drawn: its line labelled by its number and what tells it from the others.
fn to_flow(r: &Row, prefix: usize, ministry: &dyn Fn(&str) -> String) -> Flow {
    let get = |k: &str| r.get(k).cloned().unwrap_or_default();
    let line = get("line");
    let name = get("line_name");
    let rest: String = name.chars().skip(prefix).collect();
    let number = line.rsplit('/').next().unwrap_or_default();
    let label = if prefix > 0 {
        format!("{number} …{rest}")
    } else {
        format!("{number} {name}")
    };
    let number = get("corporate_number");
    let recipient_key = if number.is_empty() {
        format!("name:{}", get("recipient"))
    } else {
        number
    };
    Flow {
        ministry: ministry_of(r, ministry),
        line: (line.clone(), label),
        recipient: (recipient_key, get("recipient")),
        yen: get("amount_yen").parse().unwrap_or_default(),
    }
}

fn table(view: &View, rows: &[&Row], ministry: &dyn Fn(&str) -> String) -> Table {
    let t = |ja, en| view.t(ja, en).to_owned();
    Table {
        id: "flows",
        caption: t(
            "図に描いた支出（大きい順）",
            "The payments drawn (largest first)",
        ),
        columns: vec![
            ("fiscal_year", t("年度", "Fiscal year")),
            ("ministry", t("府省庁", "Ministry")),
            ("line", t("予算の行", "Budget line")),
            ("recipient", t("支出先", "Recipient")),
            ("corporate_number", t("法人番号", "Corporate number")),
            ("amount_oku_yen", view.t("億円", "¥100M").to_owned()),
        ],
        rows: {
            let mut rows = rows.to_vec();
            rows.sort_by_key(|r| {
                std::cmp::Reverse(r.get("amount_yen").and_then(|y| y.parse::<i128>().ok()))
            });
            rows.iter()
                .map(|r| {
                    let get = |k: &str| r.get(k).cloned().unwrap_or_default();
                    let number = get("corporate_number");
                    let recipient = recipient_cell(view, r);
                    vec![
                        Cell::num(get("fiscal_year")),
                        Cell::text(ministry_of(r, ministry).1),
                        line_cell(view, &get("line"), &get("line_name")),
                        recipient,
                        Cell::text(number),
                        Cell::num(oku_from_yen(&get("amount_yen"))),
                    ]
                })
                .collect()
        },
    }
}
