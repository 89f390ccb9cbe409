//! A program's page (`/explore/program/SLUG`): what the document says of it, line by line
//! with the source lines quoted, what is inferred, its timeline (chart and table) and RS
//! links, and its diagram.

use super::super::money::{line_path, Chart};
use super::super::page::{render, Page};
use super::super::table::{Cell, Show, Table};
use super::super::view::View;
use super::super::{first_row, not_found, Explorer, Ran, Row};
use super::line::chart;
use super::money::{recipients_table, RECIPIENTS_OF_PROGRAM};
use crate::markup::path_segment as seg;
use crate::serve::HttpError;
use crate::vocab::ID;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::BTreeSet;
use std::sync::Arc;

/// A section drawn from a named query's rows for this program (timeline, RS links).
struct Section {
    heading: &'static str,
    /// The chart of the same rows (the timeline's), inline, and the address of its SVG file.
    chart: Option<(Option<Chart>, String)>,
    table: Table,
}

/// An aggregate line the program is funded through, with its own figures: shown beside the
/// program's, never as the program's.
struct Aggregate {
    /// Whether the program also has a line of its own (exact or part).
    own: bool,
    key: String,
    name: String,
    href: String,
    chart: Option<Chart>,
}

#[derive(Template)]
#[template(path = "program.html", config = "src/serve/explorer/askama.toml")]
struct Program<'a> {
    view: &'a View,
    name: &'a str,
    other_name: &'a str,
    new_program: bool,
    /// (link, name, whether inferred).
    ministries: Vec<(String, &'a str, bool)>,
    /// (link, "N. name").
    projects: Vec<(String, String)>,
    iri: &'a str,
    /// The resource page (`/id/program/SLUG`).
    data: String,
    statements: &'a Table,
    /// (property, value, reasoning).
    inferred: Vec<(&'a str, &'a str, &'a str)>,
    sections: &'a [Section],
    aggregates: Vec<Aggregate>,
    /// Who the program's lines paid (recipients-by-scope), largest first within each year.
    recipients: Option<&'a Table>,
    /// The follow-the-money page.
    flow: String,
    diagram: String,
}

/// The columns of the timeline and RS sections, in order, where the rows have them, with
/// their headings (Japanese, English). A stage shows as its Japanese name on Japanese pages
/// (`stage_ja`), its code everywhere else, CSV included.
const TIMELINE: &[(&str, &str, &str)] = &[
    ("fiscal_year", "年度", "Fiscal year"),
    ("stage", "段階", "Stage"),
    ("amount_oku_yen", "億円", "¥100M"),
    ("source_title", "出典", "Source"),
    ("evidence", "根拠", "Evidence"),
];
const RS: &[(&str, &str, &str)] = &[
    ("relation", "関係", "Relation"),
    ("rs_id", "予算事業ID", "RS ID"),
    ("rs_name", "事業名（RS）", "Name in the RS"),
    ("rs_ministry", "府省庁", "Ministry"),
    ("first_edition", "最初の年度版", "First edition"),
    ("last_edition", "最後の年度版", "Last edition"),
];

/// What a link to an RS line says, in the page's language (the code is what CSV carries).
pub(in crate::serve::explorer) fn relation_label(
    view: &View,
    relation: &str,
) -> Option<&'static str> {
    Some(match relation {
        "exact" => view.t("同一の事業", "the same program"),
        "part" => view.t(
            "事業の一部（府省庁の分担）",
            "a ministry's share of the program",
        ),
        "whole" => view.t(
            "事業を含むより大きな事業",
            "a wider line the program is part of",
        ),
        "aggregate" => view.t(
            "多くの事業をまとめた計上（集計行）",
            "an aggregate line of many programs",
        ),
        "predecessor" => view.t(
            "事業が引き継いだ前身の行",
            "a predecessor's line the program succeeded",
        ),
        _ => return None,
    })
}

pub(in crate::serve::explorer) async fn program(
    State(ex): State<Arc<Explorer>>,
    Path(slug): Path<String>,
    view: View,
) -> Result<Response, HttpError> {
    let iri = format!("{ID}program/{slug}");
    if oxigraph::model::NamedNode::new(&iri).is_err() {
        return Err(not_found("program", &slug));
    }
    let arg = Some(iri.clone());
    let mut ran = ex
        .run(
            &view,
            &[
                ("program", arg.clone()),
                ("program-statements", arg.clone()),
                ("program-inferred", arg),
                ("program-timeline", None),
                ("rs-links", None),
                ("recipients-by-scope", None),
            ],
        )
        .await?;
    let paid = ran.pop().flatten();
    let rs = ran.pop().flatten();
    let timeline = ran.pop().flatten();
    let mut ran: Vec<Ran> = ran.into_iter().flatten().collect();
    let aggregates = aggregates(&ex, &view, &slug, rs.as_ref()).await?;
    let first = first_row(&ran[0], "program", &slug)?;
    let name = view.pick(first, "label_ja", "label_en").to_owned();
    let mut sections = Vec::new();
    let mut extra = Vec::new();
    for (found, id) in [(timeline, "timeline"), (rs, "rs-links")] {
        if let Some((section, q)) = found.and_then(|q| section(&view, (&slug, &name), &iri, id, q))
        {
            sections.push(section);
            extra.push(q);
        }
    }
    let recipients = paid.as_ref().and_then(|q| {
        let rows: Vec<&Row> = q
            .rows
            .iter()
            .filter(|r| r.get("scope_kind").is_some_and(|k| k == "program"))
            .filter(|r| r.get("scope").is_some_and(|s| *s == slug))
            .collect();
        (!rows.is_empty()).then(|| recipients_table(&view, &rows, RECIPIENTS_OF_PROGRAM))
    });
    let statements = statements(&ex, &view, &ran[1]);
    let body = render(&Program {
        view: &view,
        name: &name,
        other_name: first
            .get(view.t("label_en", "label_ja"))
            .map_or("", String::as_str),
        new_program: first.get("new_program").is_some_and(|v| v == "true"),
        ministries: ministries(&view, &ran[0].rows, &ran[2].rows),
        projects: projects(&view, &ran[0].rows),
        iri: &iri,
        data: format!("/id/program/{}", seg(&slug)),
        statements: &statements,
        inferred: ran[2]
            .rows
            .iter()
            .map(|r| {
                let get = |k: &str| r.get(k).map_or("", String::as_str);
                (get("property"), get("value"), get("reasoning"))
            })
            .collect(),
        sections: &sections,
        aggregates,
        recipients: recipients.as_ref(),
        flow: view.link(&format!("/explore/flow/program/{}", seg(&slug))),
        diagram: view.diagram(&format!("/diagram/program/{}", seg(&slug))),
    })?;
    ran.extend(extra);
    ran.extend(paid);
    let mut tables = vec![statements];
    tables.extend(sections.into_iter().map(|s| s.table));
    tables.extend(recipients);
    Page {
        title: name,
        body,
        ran,
        tables,
    }
    .answer(&view)
}

/// The aggregate lines the program is funded through (rs-links, relation aggregate), each
/// with the chart of its figures (line-figures).
async fn aggregates(
    ex: &Arc<Explorer>,
    view: &View,
    slug: &str,
    rs: Option<&Ran>,
) -> Result<Vec<Aggregate>, HttpError> {
    let lines: Vec<(String, String)> = rs
        .map(|q| &q.rows[..])
        .unwrap_or_default()
        .iter()
        .filter(|r| r.get("program").is_some_and(|p| p == slug))
        .filter(|r| r.get("relation").is_some_and(|k| k == "aggregate"))
        .filter_map(|r| {
            Some((
                format!("{ID}rs/{}", r.get("rs_id")?),
                r.get("rs_name")?.clone(),
            ))
        })
        .collect();
    let wanted: Vec<(&str, Option<String>)> = lines
        .iter()
        .map(|(iri, _)| ("line-figures", Some(iri.clone())))
        .collect();
    let ran = ex.run_all(view, &wanted).await?;
    let own = rs.map(|q| &q.rows[..]).unwrap_or_default().iter().any(|r| {
        r.get("program").is_some_and(|p| p == slug)
            && r.get("relation")
                .is_some_and(|k| k == "exact" || k == "part")
    });
    Ok(lines
        .into_iter()
        .zip(ran)
        .map(|((iri, name), q)| Aggregate {
            own,
            key: super::super::money::line_key(view, &iri),
            href: line_path(&iri).map_or_else(String::new, |p| view.link(&p)),
            chart: chart(view, &name, &q.rows, "line"),
            name,
        })
        .collect())
}

/// The program's ministries, each once, marked where inferred.
fn ministries<'a>(view: &View, facts: &'a [Row], inferred: &[Row]) -> Vec<(String, &'a str, bool)> {
    let is_inferred = |code: &str| {
        inferred.iter().any(|r| {
            r.get("property").is_some_and(|p| p == "ministry")
                && r.get("value").is_some_and(|v| v == code)
        })
    };
    let mut seen = BTreeSet::new();
    facts
        .iter()
        .filter_map(|r| {
            let code = r.get("ministry")?;
            seen.insert(code.as_str()).then(|| {
                (
                    view.link(&format!("/explore/ministry/{}", seg(code))),
                    view.pick(r, "ministry_ja", "ministry_en"),
                    is_inferred(code),
                )
            })
        })
        .collect()
}

/// The projects that list the program, each once.
fn projects(view: &View, facts: &[Row]) -> Vec<(String, String)> {
    let mut seen = BTreeSet::new();
    facts
        .iter()
        .filter_map(|r| {
            let n = r.get("project_no")?;
            seen.insert(n.as_str()).then(|| {
                (
                    view.link(&format!("/explore/project/{n}")),
                    format!("{n}. {}", view.pick(r, "project_ja", "project_en")),
                )
            })
        })
        .collect()
}

/// What the document says of the program, line by line, each with its source line quoted.
fn statements(ex: &Explorer, view: &View, ran: &Ran) -> Table {
    let t = |ja, en| view.t(ja, en).to_owned();
    let caption = match view.lang {
        crate::lang::Lang::Ja => format!("{}の記載（行ごと。出典行を引用）", view.scope.short_ja),
        crate::lang::Lang::En => format!(
            "What the {} says, line by line (source lines quoted)",
            view.scope.short_en
        ),
    };
    Table {
        id: "statements",
        caption,
        columns: vec![
            ("line", t("行", "Line")),
            ("project_no", t("プロジェクト", "Project")),
            ("kind", t("種類", "Kind")),
            ("mark", t("印", "Mark")),
            ("oku_yen", view.t("億円", "¥100M").to_owned()),
            ("text", t("内容", "Text")),
            (
                "source_line",
                t("出典行（原文）", "Source line (as printed)"),
            ),
        ],
        rows: {
            // A figure's line is an anchor (`#L345`) that the timeline chart's bars link to.
            let mut anchored = BTreeSet::new();
            ran.rows
                .iter()
                .map(|r| {
                    let mut cells = statement(ex, view, r);
                    let line = &cells[0].text;
                    if matches!(cells[0].show, Show::Plain) && anchored.insert(line.clone()) {
                        cells[0].show = Show::Anchor(format!("L{line}"));
                    }
                    cells
                })
                .collect()
        },
    }
}

fn statement(ex: &Explorer, view: &View, r: &Row) -> Vec<Cell> {
    let get = |k: &str| r.get(k).cloned().unwrap_or_default();
    let (line, kind, mark) = (get("line"), get("kind"), get("mark"));
    let mut line_cell = Cell::num(line.clone());
    if kind == "initiative" {
        line_cell = line_cell.showing(Show::Anchor(format!("p{}-L{line}", get("project_no"))));
    }
    let class = match mark.as_str() {
        "【新規】" => "mark mark-new",
        "【拡充】" => "mark mark-expanded",
        _ => "mark",
    };
    let mut text = Cell::text(get("text"));
    if let Some(note) = r.get("note") {
        text = text.showing(Show::Noted(view.t("注", "Note"), note.clone()));
    }
    let quoted = ex.line(r.get("loc").map_or("", String::as_str)).to_owned();
    let kind_name = match kind.as_str() {
        "initiative" => view.t("取組", "initiative"),
        "figure" => view.t("計上額", "figure"),
        "figure-line" => view.t("図の行", "figure line"),
        _ => view.t("掲載", "listing"),
    };
    vec![
        line_cell,
        Cell::num(get("project_no")),
        Cell::text(kind_name),
        Cell::text(mark).showing(Show::Classed(class)),
        Cell::num(get("oku_yen")),
        text,
        Cell::text(quoted).showing(Show::Quote(format!("L{line}"))),
    ]
}

/// The rows of a query over all programs (the timeline, the RS links) that are this
/// program's, as a section: none when there are none.
/// `program`: the program's slug and its name in the view's language.
fn section(
    view: &View,
    (slug, name): (&str, &str),
    iri: &str,
    id: &'static str,
    q: Ran,
) -> Option<(Section, Ran)> {
    let suffix = format!("/{slug}");
    let mine: Vec<&Row> = q
        .rows
        .iter()
        .filter(|r| {
            r.get("program")
                .is_some_and(|p| p == slug || p == iri || p.ends_with(&suffix))
        })
        .collect();
    if mine.is_empty() {
        return None;
    }
    let wanted = if id == "timeline" { TIMELINE } else { RS };
    let columns: Vec<(&'static str, &'static str)> = wanted
        .iter()
        .map(|(key, ja, en)| (*key, view.t(ja, en)))
        .filter(|(key, _)| mine.iter().any(|r| r.contains_key(*key)))
        .collect();
    let cell = |r: &Row, key: &str| {
        let value = r.get(key).cloned().unwrap_or_default();
        let stage_ja = r
            .get("stage_ja")
            .filter(|_| view.lang == crate::lang::Lang::Ja);
        match (key, relation_label(view, &value), stage_ja) {
            ("relation", Some(label), _) => Cell::text(value).showing(Show::Label(label.into())),
            ("stage", _, Some(ja)) => Cell::text(value).showing(Show::Label(ja.clone())),
            ("amount_oku_yen", ..) => Cell::num(value),
            ("evidence", ..) => super::money::evidence_cell(view, value),
            ("rs_id", ..) => {
                let href = view.link(&format!("/explore/line/rs/{}", seg(&value)));
                Cell::link(value, &href)
            }
            _ => Cell::text(value),
        }
    };
    let table = Table {
        id,
        caption: String::new(),
        columns: columns.iter().map(|(k, h)| (*k, (*h).to_owned())).collect(),
        rows: mine
            .iter()
            .map(|r| columns.iter().map(|(c, _)| cell(r, c)).collect())
            .collect(),
    };
    let (heading, chart) = if id == "timeline" {
        let svg = format!(
            "/diagram/timeline/program/{}?lang={}",
            seg(slug),
            view.code()
        );
        let rows: Vec<Row> = mine.iter().map(|r| (*r).clone()).collect();
        let inline = chart(view, name, &rows, "budget_line");
        (view.t("年度ごとの推移", "Timeline"), Some((inline, svg)))
    } else {
        let heading = view.t(
            "行政事業レビューとのリンク",
            "Links to the administrative project review (RS)",
        );
        (heading, None)
    };
    Some((
        Section {
            heading,
            chart,
            table,
        },
        q,
    ))
}
