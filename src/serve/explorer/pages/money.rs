//! Money on the pages of a program, project, ministry and theme: a scope's figures across the
//! years (a chart and a table, from the named queries project-timeline and ministry-timeline)
//! and who its lines paid (recipients-by-scope).

use super::super::money::{oku_from_yen, Chart, Point};
use super::super::table::{Cell, Show, Table};
use super::super::view::View;
use super::super::Row;
use super::recipient::recipient_cell;
use crate::markup::path_segment as seg;
use std::collections::BTreeMap;

pub(in crate::serve::explorer) const RECIPIENTS_OF_PROGRAM: (&str, &str) = (
    "この事業につながる予算の行の支出先（自身の行、より広い行、一括計上の行、引き継いだ前身の事業の行のすべて。支出の年度ごとに大きい順に10者。一括計上の行の支出先は、その行につながる多数の事業に共通）",
    "Recipients of the budget lines linked to this program in any way — its own, wider ones, aggregates, and a predecessor's it succeeded (the ten largest of each year of payment; an aggregate line's recipients are shared by the many programs linked to it)",
);

pub(in crate::serve::explorer) const RECIPIENTS_OF_SCOPE: (&str, &str) = (
    "この範囲の事業につながる予算の行の支出先（支出の年度ごとに大きい順に10者。支出は範囲ごとに一度だけ数え、範囲をまたいで合計しない）",
    "Recipients of the budget lines behind these programs (the ten largest of each year of payment; a payment counts once here, and sums of different pages overlap)",
);

/// A scope's figures: its chart and its table.
pub(in crate::serve::explorer) struct Money {
    pub chart: Option<Chart>,
    pub table: Table,
}

/// The rows of a scope's timeline (project-timeline, ministry-timeline, theme-timeline) as a
/// table and a chart. The chart adds the rows of one year, stage and source of one basis, the
/// programs' own lines, and draws each year's newest edition; the table has every row.
pub(in crate::serve::explorer) fn scope_timeline(view: &View, name: &str, rows: &[&Row]) -> Money {
    const STAGES: [&str; 3] = ["initial", "execution", "total"];
    let legend = [
        view.t("当初予算額", "Initial budget"),
        view.t("執行額", "Execution"),
        view.t("概算要求・要望額", "Request and demand"),
    ];
    let mut sums: BTreeMap<(i32, usize, &str), f64> = BTreeMap::new();
    // One basis across the years: the budget lines that are the scope's programs' own (RS
    // keeps a project's share of MHLW's aggregate at 0 where the sheets give it, and the
    // document's figure is the scope's whole request): mixing them would draw a change that
    // is the chart's, not the money's. The other rows are in the table.
    let comparable = |r: &&&Row| {
        r.get("basis").is_none_or(|b| b == "own")
            && r.get("evidence")
                .is_none_or(|e| !e.starts_with("overview table"))
    };
    for r in rows.iter().filter(comparable) {
        let get = |k: &str| r.get(k).map_or("", String::as_str);
        let (Some(series), Ok(year), Ok(v)) = (
            STAGES.iter().position(|s| *s == get("stage")),
            get("fiscal_year").parse::<i32>(),
            get("amount_oku_yen").parse::<f64>(),
        ) else {
            continue;
        };
        *sums.entry((year, series, get("source"))).or_default() += v;
    }
    // The newest edition of each year and stage: the last source in order.
    let mut newest: BTreeMap<(i32, usize), (&str, f64)> = BTreeMap::new();
    for ((year, series, source), v) in sums {
        newest.insert((year, series), (source, v));
    }
    let points = newest
        .into_iter()
        .map(|((year, series), (source, v))| Point {
            year,
            series,
            value: v,
            title: format!(
                "{year} {} {v:.2}{} — {source}",
                legend[series],
                view.t("億円", " ¥100M")
            ),
            href: format!("#fy{year}"),
        })
        .collect();
    let chart = Chart::new(
        format!(
            "{}: {name}",
            view.t(
                "年度ごとの額（億円、予算の行の合計〔根拠は表に〕、各年度の最新の版。資料の額・プロジェクトの分担・より広い行は表のみ）",
                "Figures by fiscal year (¥100M, sums of budget lines as the table says, each year's newest edition; the document's figures, project shares and wider lines are in the table only)"
            )
        ),
        legend.iter().map(|s| (*s).to_owned()).collect(),
        points,
    );
    Money {
        chart,
        table: timeline_table(view, rows),
    }
}

fn timeline_table(view: &View, rows: &[&Row]) -> Table {
    let t = |ja, en| view.t(ja, en).to_owned();
    let mut columns = vec![
        ("fiscal_year", t("年度", "Fiscal year")),
        ("stage", t("段階", "Stage")),
        ("amount_oku_yen", view.t("億円", "¥100M").to_owned()),
        ("source", t("出典", "Source")),
    ];
    let has = |k: &str| rows.iter().any(|r| r.contains_key(k));
    let (basis, lines) = (has("basis"), has("lines"));
    if basis {
        columns.push(("basis", t("根拠の種類", "Basis")));
    }
    if lines {
        columns.push(("lines", t("自身の行の数", "Own lines")));
    } else {
        columns.push(("evidence", t("根拠", "Evidence")));
    }
    let mut last = String::new();
    Table {
        id: "timeline",
        caption: t(
            "年度・段階・出典ごとの額（同じ年度の別の版は改訂で、合計しない）",
            "Figures by year, stage and edition (two editions of one year revise, never add up)",
        ),
        rows: rows
            .iter()
            .map(|r| {
                let get = |k: &str| r.get(k).cloned().unwrap_or_default();
                let fy = get("fiscal_year");
                let mut year = Cell::num(fy.clone());
                if fy != last {
                    year = year.showing(Show::Anchor(format!("fy{fy}")));
                    last = fy;
                }
                let stage = get("stage");
                let stage = match view.lang {
                    crate::lang::Lang::Ja => {
                        Cell::text(stage).showing(Show::Label(get("stage_ja")))
                    }
                    crate::lang::Lang::En => Cell::text(stage),
                };
                let mut cells = vec![
                    year,
                    stage,
                    Cell::num(get("amount_oku_yen")),
                    Cell::text(get("source")),
                ];
                if basis {
                    cells.push(Cell::text(get("basis")));
                }
                cells.push(if lines {
                    Cell::num(get("lines"))
                } else {
                    evidence_cell(view, get("evidence"))
                });
                cells
            })
            .collect(),
        columns,
    }
}

/// Recipients (rows of recipients-by-scope for one scope), the largest ten of each year.
pub(in crate::serve::explorer) fn recipients_table(
    view: &View,
    rows: &[&Row],
    caption: (&str, &str),
) -> Table {
    let t = |ja, en| view.t(ja, en).to_owned();
    let mut per_year: BTreeMap<&str, usize> = BTreeMap::new();
    let mut kept: Vec<&Row> = rows
        .iter()
        .copied()
        .filter(|r| {
            let n = per_year
                .entry(r.get("fiscal_year").map_or("", String::as_str))
                .or_default();
            *n += 1;
            *n <= 10
        })
        .collect();
    kept.sort_by(|a, b| b.get("fiscal_year").cmp(&a.get("fiscal_year")));
    Table {
        id: "recipients",
        caption: t(caption.0, caption.1),
        columns: vec![
            ("fiscal_year", t("年度", "Fiscal year")),
            ("recipient", t("支出先", "Recipient")),
            ("corporate_number", t("法人番号", "Corporate number")),
            ("amount_oku_yen", view.t("億円", "¥100M").to_owned()),
            ("lines", t("行の数", "Lines")),
            (
                "via_aggregate",
                t("一括計上の行から", "Through an aggregate line"),
            ),
        ],
        rows: kept
            .into_iter()
            .map(|r| {
                let get = |k: &str| r.get(k).cloned().unwrap_or_default();
                let number = get("corporate_number");
                let name = recipient_cell(view, r);
                let via = get("via_aggregate");
                let via_label = if via == "yes" {
                    view.t("はい", "yes")
                } else {
                    view.t("いいえ", "no")
                };
                vec![
                    Cell::num(get("fiscal_year")),
                    name,
                    Cell::text(number),
                    Cell::num(oku_from_yen(&get("amount_yen"))),
                    Cell::num(get("lines")),
                    Cell::text(via).showing(Show::Label(via_label.to_owned())),
                ]
            })
            .collect(),
    }
}

/// A program's newest figure from any source (the document, an RS edition, a review sheet),
/// and the aggregate line it is funded through, if any.
#[derive(Default)]
pub(in crate::serve::explorer) struct Newest {
    pub year: String,
    pub stage: String,
    pub stage_ja: String,
    pub oku_yen: String,
    pub source: String,
    /// The RS IDs of the aggregate lines behind the program, space-separated.
    pub aggregate: String,
}

/// Every program's [`Newest`], from the answers of program-timeline and rs-links: its own
/// figures only (a predecessor's or a successor's are another program's), the newest initial
/// budget where a source gives one, else the newest figure of any stage. The rows of that
/// year, stage and source are added up, as the explorer's programs query adds a program's
/// figures of one document (one per project that lists it; reposts are not rows) — never rows
/// of two sources or two years.
pub(in crate::serve::explorer) fn newest(
    timeline: &[Row],
    links: &[Row],
) -> BTreeMap<String, Newest> {
    // (program, is initial, year, source, stage) → (sum, the Japanese stage name).
    type Key<'a> = (&'a str, bool, &'a str, &'a str, &'a str);
    let mut sums: BTreeMap<Key, (f64, &str)> = BTreeMap::new();
    for r in timeline {
        let get = |k: &str| r.get(k).map_or("", String::as_str);
        let evidence = get("evidence");
        if evidence.contains("(predecessor") || evidence.contains("(successor") {
            continue;
        }
        let Ok(v) = get("amount_oku_yen").parse::<f64>() else {
            continue;
        };
        let stage = get("stage");
        let key = (
            get("program"),
            stage == "initial",
            get("fiscal_year"),
            get("source"),
            stage,
        );
        sums.entry(key).or_insert((0.0, get("stage_ja"))).0 += v;
    }
    let mut out: BTreeMap<String, Newest> = BTreeMap::new();
    // In key order, the last entry of a program is its best: initial first, then newest.
    for ((program, _, year, source, stage), (v, stage_ja)) in sums {
        let figure = Newest {
            year: year.to_owned(),
            stage: stage.to_owned(),
            stage_ja: stage_ja.to_owned(),
            // Sums of printed decimals: no more digits than the sources print.
            oku_yen: format!("{}", (v * 1e5).round() / 1e5),
            source: source.to_owned(),
            aggregate: String::new(),
        };
        out.insert(program.to_owned(), figure);
    }
    for r in links
        .iter()
        .filter(|r| r.get("relation").is_some_and(|k| k == "aggregate"))
    {
        if let (Some(slug), Some(id)) = (r.get("program"), r.get("rs_id")) {
            // A program funded through two aggregates (data-platform: 2958 and 1691) has both.
            let aggregate = &mut out.entry(slug.clone()).or_default().aggregate;
            if !aggregate.split(' ').any(|a| a == id) {
                if !aggregate.is_empty() {
                    aggregate.push(' ');
                }
                aggregate.push_str(id);
            }
        }
    }
    out
}

/// The columns [`newest_cells`] fills.
pub(in crate::serve::explorer) fn newest_columns(view: &View) -> Vec<(&'static str, String)> {
    let t = |ja, en| view.t(ja, en).to_owned();
    vec![
        (
            "newest_oku_yen",
            t("最新の額（億円）", "Newest figure (¥100M)"),
        ),
        ("newest_fiscal_year", t("その年度", "Its fiscal year")),
        ("newest_stage", t("その段階", "Its stage")),
        ("newest_source", t("その出典", "Its source")),
        (
            "aggregate_line",
            t(
                "一括計上の行（多数の事業の合計）",
                "Aggregate line (many programs together)",
            ),
        ),
    ]
}

pub(in crate::serve::explorer) fn newest_cells(view: &View, n: Option<&Newest>) -> Vec<Cell> {
    let Some(n) = n else {
        return (0..5).map(|_| Cell::text("")).collect();
    };
    let stage = match view.lang {
        crate::lang::Lang::Ja if !n.stage_ja.is_empty() => {
            Cell::text(n.stage.clone()).showing(Show::Label(n.stage_ja.clone()))
        }
        _ => Cell::text(n.stage.clone()),
    };
    let links = n
        .aggregate
        .split_whitespace()
        .map(|id| {
            (
                view.link(&format!("/explore/line/rs/{}", seg(id))),
                id.to_owned(),
            )
        })
        .collect();
    let aggregate = Cell::text(n.aggregate.clone()).showing(Show::Links(links));
    vec![
        Cell::num(n.oku_yen.clone()),
        Cell::num(n.year.clone()),
        stage,
        Cell::text(n.source.clone()),
        aggregate,
    ]
}

/// A timeline's evidence: as the query writes it (CSV), in Japanese on a Japanese page.
pub(in crate::serve::explorer) fn evidence_cell(view: &View, text: String) -> Cell {
    match view.lang {
        crate::lang::Lang::Ja => {
            let ja = super::super::money::evidence_ja(&text);
            Cell::text(text).showing(Show::Label(ja))
        }
        crate::lang::Lang::En => Cell::text(text),
    }
}
