//! The timeline chart (`medrd diagram timeline program|project|ministry SLUG`): how one
//! entity's money moved across fiscal years and budget stages, drawn as SVG by hand.
//!
//! **Grouped bars, not lines.** A figure of a stage (a request, an initial budget, an
//! execution) is one amount for one year, and an entity has two or three years of them: a
//! line per stage would join two or three points, or none, and would hide the comparison
//! the chart is for, request against budget against execution of the same year. So each
//! fiscal year is a group of bars, one bar per stage and source, in the order of the budget
//! process (request → demand → request + demand → initial budget → supplementary →
//! execution → next year's request): within a year the bars read left to right as the money
//! went, and a stage keeps its look across years. Each stage has a colour of the Okabe–Ito
//! palette (distinct for the common colour-vision deficiencies), a fill pattern (solid,
//! hatched, cross-hatched, dotted, ruled) and a marker shape above the bar, so the chart
//! also reads in grey print. Every bar is labelled with its amount in 億円.
//!
//! **Never a figure made here.** Rows of the same year, stage and source (a ministry's AMED
//! and in-house shares, a program printed on two lines) are stacked in one bar, each part
//! with its own tooltip (`<title>`: amount, stage, year, source and evidence); the bar's
//! label is their sum, and the note under the title says when a bar is stacked. A year and
//! stage given by two sources (the document's request and RS's) are two bars side by side.
//!
//! The renderer [`chart`] takes rows from anywhere ([`TimelineRow`]); [`rows_from_table`]
//! reads them from any SELECT with the columns `fiscal_year, stage, stage_ja,
//! amount_oku_yen, source, source_title` (and optionally `evidence`): the named queries
//! `program-timeline`, `project-timeline` and `ministry-timeline` give them, and the chart
//! of a program, project or ministry is exactly its rows there ([`rows_by_subject`]): the
//! document's figures beside the RS editions' through the typed links.

use super::dot::FONT;
use super::{oku, oku_exact, Lang};
use crate::error::{Error, Result};
use crate::query::output::{plain, Table};
use std::collections::BTreeMap;
use std::fmt::Write;

/// What a timeline is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    /// A program (事業), by its slug (`medical-device-seeds`).
    Program,
    /// An integrated project, by its number (`2`).
    Project,
    /// A ministry, by its code (`mext`).
    Ministry,
}

impl Subject {
    /// Parses `program`, `project` or `ministry`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "program" => Ok(Subject::Program),
            "project" => Ok(Subject::Project),
            "ministry" => Ok(Subject::Ministry),
            other => Err(Error::Diagram(format!(
                "timeline of {other:?}: give program SLUG, project N or ministry CODE"
            ))),
        }
    }

    /// The word used in commands and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Program => "program",
            Subject::Project => "project",
            Subject::Ministry => "ministry",
        }
    }
}

/// One figure of a timeline: an amount of one stage of one fiscal year, from one source.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineRow {
    /// The fiscal year, as the calendar year it starts in (令和6年度 = 2024).
    pub fiscal_year: i32,
    /// The stage's slug (`request`, `demand`, `total`, `initial`, `supplementary`,
    /// `execution`, `next-request`; others are drawn too, in a neutral style).
    pub stage: String,
    /// The stage's Japanese name as the data gives it (`概算要求額`).
    pub stage_ja: String,
    /// The amount in 億円.
    pub amount_oku_yen: f64,
    /// The source (its IRI or compact IRI).
    pub source: String,
    /// The source's title.
    pub source_title: String,
    /// Where in the source the figure stands (a line's IRI), empty when not given.
    pub evidence: String,
}

/// Reads timeline rows from a SELECT's table, by column name. Errors name the query
/// (`what`) and the row and column at fault.
pub fn rows_from_table(table: &Table, what: &str) -> Result<Vec<TimelineRow>> {
    let col = |name: &str| table.vars.iter().position(|v| v == name);
    let need = |name: &str| {
        col(name).ok_or_else(|| {
            Error::Diagram(format!(
                "{what}: a timeline query needs the column {name:?} (has {})",
                table.vars.join(", ")
            ))
        })
    };
    let (fy, stage, amount) = (
        need("fiscal_year")?,
        need("stage")?,
        need("amount_oku_yen")?,
    );
    let (stage_ja, source, title, evidence) = (
        col("stage_ja"),
        col("source"),
        col("source_title"),
        col("evidence"),
    );
    let text = |row: &[Option<oxigraph::model::Term>], c: Option<usize>| {
        c.and_then(|c| row[c].as_ref())
            .map(plain)
            .unwrap_or_default()
    };
    let mut rows = Vec::with_capacity(table.rows.len());
    for (i, row) in table.rows.iter().enumerate() {
        let number = |c: usize, name: &str| -> Result<String> {
            let t = text(row, Some(c));
            if t.is_empty() {
                return Err(Error::Diagram(format!("{what}: row {}: no {name}", i + 1)));
            }
            Ok(t)
        };
        let y = number(fy, "fiscal_year")?;
        // A row without an amount says why there is none (a figure left out of a sum, named
        // in its evidence): the table shows it, the chart has no bar to draw.
        if text(row, Some(amount)).is_empty() {
            continue;
        }
        let a = number(amount, "amount_oku_yen")?;
        rows.push(TimelineRow {
            fiscal_year: y.trim().parse().map_err(|_| {
                Error::Diagram(format!(
                    "{what}: row {}: fiscal_year {y:?} is not a year",
                    i + 1
                ))
            })?,
            stage: text(row, Some(stage)),
            stage_ja: text(row, stage_ja),
            amount_oku_yen: a.trim().parse().map_err(|_| {
                Error::Diagram(format!(
                    "{what}: row {}: amount_oku_yen {a:?} is not a number",
                    i + 1
                ))
            })?,
            source: text(row, source),
            source_title: text(row, title),
            evidence: text(row, evidence),
        });
    }
    Ok(rows)
}

impl Subject {
    /// The named query of this subject's timeline (in `queries/`) and its column that names
    /// the subject (a program's slug, a project's number, a ministry's code).
    pub fn named_query(self) -> (&'static str, &'static str) {
        match self {
            Subject::Program => ("program-timeline", "program"),
            Subject::Project => ("project-timeline", "project"),
            Subject::Ministry => ("ministry-timeline", "ministry"),
        }
    }
}

/// Every subject's rows of one timeline, by slug: the named query `program-timeline`,
/// `project-timeline` or `ministry-timeline` run once, so the chart and the named query can
/// never tell different stories. A subject with no figures has no entry.
pub fn rows_by_subject(
    kb: &crate::Kb,
    subject: Subject,
) -> Result<BTreeMap<String, Vec<TimelineRow>>> {
    rows_by_subject_in(kb, subject, None)
}

/// [`rows_by_subject`], its query answered through `memo` when there is one (a build also
/// writes that query's results).
pub fn rows_by_subject_in(
    kb: &crate::Kb,
    subject: Subject,
    memo: Option<&crate::query::memo::Memo<'_>>,
) -> Result<BTreeMap<String, Vec<TimelineRow>>> {
    let (name, column) = subject.named_query();
    let path = kb.layout.queries().join(format!("{name}.rq"));
    let q = crate::query::catalog::NamedQuery::read(&path)?;
    let table = match memo {
        Some(memo) => memo.table(&q.name, &q.text)?,
        None => std::sync::Arc::new(Table::collect(kb.query(&q.name, &q.text)?)?),
    };
    by_subject(&table, column, subject, &path.display().to_string())
}

/// A timeline query's rows by the slug in their `column`.
fn by_subject(
    table: &Table,
    column: &str,
    subject: Subject,
    what: &str,
) -> Result<BTreeMap<String, Vec<TimelineRow>>> {
    let Some(c) = table.vars.iter().position(|v| v == column) else {
        return Err(Error::Diagram(format!(
            "{what}: a {} timeline query needs the column {column:?} (has {})",
            subject.as_str(),
            table.vars.join(", ")
        )));
    };
    let rows = rows_from_table(table, what)?;
    let mut by = BTreeMap::<String, Vec<TimelineRow>>::new();
    for (raw, row) in table.rows.iter().zip(rows) {
        let slug = raw[c].as_ref().map(plain).unwrap_or_default();
        by.entry(slug).or_default().push(row);
    }
    Ok(by)
}

/// The chart of a `Kind::Timeline`: its title (the entity's name in `lang`) and its rows,
/// taken from `rows` (what [`rows_by_subject`] gave for the kind's subject).
pub fn build_from(
    kb: &crate::Kb,
    kind: &super::Kind,
    lang: Lang,
    rows: &BTreeMap<String, Vec<TimelineRow>>,
) -> Result<(String, Vec<TimelineRow>)> {
    let super::Kind::Timeline(_, slug) = kind else {
        return Err(Error::Diagram(format!("{kind:?} is not a timeline")));
    };
    let Some(iri) = super::resolve_arg(kb, kind)? else {
        return Err(Error::Diagram(format!("{kind:?}: nothing to draw")));
    };
    let name = super::label_of(kb, &iri, lang)?;
    let what = lang.pick("予算の推移", "budget over the years");
    Ok((
        format!("{name} — {what}"),
        rows.get(slug).cloned().unwrap_or_default(),
    ))
}

/// Runs the subject's timeline query for one `Kind::Timeline`: the chart's title and rows.
/// A query whose header names its subject's variable (`#+ subject: p` in
/// `program-timeline.rq`) runs with that variable bound to the one program, project or
/// ministry: at every review sheet's scale the whole query took a second or more for a chart
/// that shows one program's rows. Without the line, the whole query runs and the chart keeps
/// its subject's rows.
pub fn build(kb: &crate::Kb, kind: &super::Kind, lang: Lang) -> Result<(String, Vec<TimelineRow>)> {
    let super::Kind::Timeline(subject, slug) = kind else {
        return Err(Error::Diagram(format!("{kind:?} is not a timeline")));
    };
    let (name, column) = subject.named_query();
    let path = kb.layout.queries().join(format!("{name}.rq"));
    let q = crate::query::catalog::NamedQuery::read(&path)?;
    let (Some(var), Some(iri)) = (q.header("subject"), super::resolve_arg(kb, kind)?) else {
        return build_from(kb, kind, lang, &rows_by_subject(kb, *subject)?);
    };
    let var = var.trim_start_matches(['?', '$']);
    let text = crate::query::catalog::bind(&q.text, &[(var, format!("<{}>", iri.as_str()))]);
    let table = Table::collect(kb.query(&q.name, &text)?)?;
    // Kept by the slug column, as the whole query's rows are: a program with a second
    // notation keeps the rows of the one asked for.
    let mut rows = by_subject(&table, column, *subject, &path.display().to_string())?;
    rows.retain(|s, _| s == slug);
    build_from(kb, kind, lang, &rows)
}

/// How a bar is filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fill {
    Solid,
    Diagonal,
    BackDiagonal,
    Cross,
    Dots,
    Horizontal,
    Vertical,
    Empty,
}

/// The marker drawn above a bar (and in the legend).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marker {
    Square,
    Circle,
    TriangleUp,
    TriangleDown,
    Diamond,
    Cross,
    HollowTriangle,
    HollowSquare,
}

/// How one stage looks, and where it stands in the budget process.
struct Style {
    slug: &'static str,
    order: u8,
    ja: &'static str,
    en: &'static str,
    colour: &'static str,
    fill: Fill,
    marker: Marker,
}

/// The stages in the order of the budget process. Colours: the Okabe–Ito palette.
const STAGES: &[Style] = &[
    Style {
        slug: "request",
        order: 1,
        ja: "概算要求額",
        en: "Budget request",
        colour: "#E69F00",
        fill: Fill::Diagonal,
        marker: Marker::TriangleUp,
    },
    Style {
        slug: "demand",
        order: 2,
        ja: "要望額",
        en: "Special demand",
        colour: "#D55E00",
        fill: Fill::Horizontal,
        marker: Marker::TriangleDown,
    },
    Style {
        slug: "total",
        order: 3,
        ja: "概算要求・要望額",
        en: "Request + demand",
        colour: "#CC79A7",
        fill: Fill::Cross,
        marker: Marker::Diamond,
    },
    Style {
        slug: "initial",
        order: 4,
        ja: "当初予算額",
        en: "Initial budget",
        colour: "#0072B2",
        fill: Fill::Solid,
        marker: Marker::Square,
    },
    Style {
        slug: "supplementary",
        order: 5,
        ja: "補正予算額",
        en: "Supplementary budget",
        colour: "#56B4E9",
        fill: Fill::Dots,
        marker: Marker::Cross,
    },
    Style {
        slug: "execution",
        order: 6,
        ja: "執行額",
        en: "Execution",
        colour: "#009E73",
        fill: Fill::BackDiagonal,
        marker: Marker::Circle,
    },
    Style {
        slug: "next-request",
        order: 7,
        ja: "翌年度概算要求額",
        en: "Next year's request",
        colour: "#444444",
        fill: Fill::Vertical,
        marker: Marker::HollowTriangle,
    },
];

/// The style of a stage not in [`STAGES`].
const OTHER: Style = Style {
    slug: "other",
    order: 99,
    ja: "その他",
    en: "Other",
    colour: "#777777",
    fill: Fill::Empty,
    marker: Marker::HollowSquare,
};

/// The style of a stage slug, with the spellings other queries may use.
fn style(stage: &str) -> &'static Style {
    let s = stage.trim().to_lowercase().replace('_', "-");
    let s = match s.as_str() {
        "budget-request" | "概算要求" | "概算要求額" => "request",
        "要望" | "要望額" => "demand",
        "request-total" | "request-demand" | "request+demand" => "total",
        "initial-budget" | "budget" | "当初予算" | "当初予算額" => "initial",
        "supplementary-budget" | "補正予算" | "補正予算額" => "supplementary",
        "executed" | "執行" | "執行額" => "execution",
        "next-year-request" | "next-year" | "翌年度要求" => "next-request",
        other => other,
    }
    .to_owned();
    STAGES.iter().find(|st| st.slug == s).unwrap_or(&OTHER)
}

use crate::markup::escape as esc;

pub use crate::lang::year_label;

/// A step of 1, 2, 2.5 or 5 × 10ⁿ that divides `max` into about five intervals, and the
/// axis top (a multiple of the step with room for the bars' labels).
fn scale(max: f64) -> (f64, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / 5.0;
    let p = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * p);
    let mut top = (max / step).ceil() * step;
    if max / top > 0.9 {
        top += step;
    }
    (step, top)
}

/// One bar: the rows of one year, stage and source, stacked.
struct Bar<'a> {
    style: &'static Style,
    stage_name: String,
    rows: Vec<&'a TimelineRow>,
}

impl Bar<'_> {
    fn total(&self) -> f64 {
        self.rows.iter().map(|r| r.amount_oku_yen).sum()
    }
}

/// The name of a stage in a language: the data's Japanese name when it gives one.
fn stage_name(style: &Style, row: &TimelineRow, lang: Lang) -> String {
    match lang {
        Lang::Ja if !row.stage_ja.is_empty() => row.stage_ja.clone(),
        Lang::Ja if style.order == OTHER.order => row.stage.clone(),
        Lang::Ja => style.ja.into(),
        Lang::En if style.order == OTHER.order => row.stage.clone(),
        Lang::En => style.en.into(),
    }
}

fn pattern_def(out: &mut String, id: &str, st: &Style) {
    let c = st.colour;
    let body = match st.fill {
        Fill::Solid => return,
        Fill::Diagonal => format!(
            r#"<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{c}" stroke-width="2"/>"#
        ),
        Fill::BackDiagonal => {
            format!(r#"<path d="M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" stroke="{c}" stroke-width="2"/>"#)
        }
        Fill::Cross => {
            format!(r#"<path d="M0,0 l8,8 M8,0 l-8,8" stroke="{c}" stroke-width="1.5"/>"#)
        }
        Fill::Dots => format!(
            r#"<circle cx="2" cy="2" r="1.6" fill="{c}"/><circle cx="6" cy="6" r="1.6" fill="{c}"/>"#
        ),
        Fill::Horizontal => {
            format!(r#"<path d="M0,2 h8 M0,6 h8" stroke="{c}" stroke-width="1.6"/>"#)
        }
        Fill::Vertical => format!(r#"<path d="M2,0 v8 M6,0 v8" stroke="{c}" stroke-width="1.6"/>"#),
        Fill::Empty => String::new(),
    };
    let _ = write!(
        out,
        r#"<pattern id="{id}" patternUnits="userSpaceOnUse" width="8" height="8"><rect width="8" height="8" fill="{c}" fill-opacity="0.18"/>{body}</pattern>"#
    );
}

fn fill_of(id: &str, st: &Style) -> String {
    match st.fill {
        Fill::Solid => st.colour.into(),
        _ => format!("url(#{id})"),
    }
}

fn marker(out: &mut String, m: Marker, x: f64, y: f64, r: f64, colour: &str) {
    let solid = format!(r#"fill="{colour}" stroke="{colour}""#);
    let hollow = format!(r#"fill="white" stroke="{colour}" stroke-width="1.6""#);
    let _ = match m {
        Marker::Square => write!(
            out,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" {solid}/>"#,
            x - r,
            y - r,
            2.0 * r,
            2.0 * r
        ),
        Marker::HollowSquare => write!(
            out,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" {hollow}/>"#,
            x - r,
            y - r,
            2.0 * r,
            2.0 * r
        ),
        Marker::Circle => write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" {solid}/>"#
        ),
        Marker::TriangleUp => write!(
            out,
            r#"<path d="M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z" {solid}/>"#,
            y - r * 1.2,
            x + r * 1.1,
            y + r * 0.8,
            x - r * 1.1,
            y + r * 0.8
        ),
        Marker::HollowTriangle => write!(
            out,
            r#"<path d="M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z" {hollow}/>"#,
            y - r * 1.2,
            x + r * 1.1,
            y + r * 0.8,
            x - r * 1.1,
            y + r * 0.8
        ),
        Marker::TriangleDown => write!(
            out,
            r#"<path d="M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z" {solid}/>"#,
            y + r * 1.2,
            x + r * 1.1,
            y - r * 0.8,
            x - r * 1.1,
            y - r * 0.8
        ),
        Marker::Diamond => write!(
            out,
            r#"<path d="M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} Z" {solid}/>"#,
            y - r * 1.3,
            x + r,
            y + r * 1.3,
            x - r
        ),
        Marker::Cross => write!(
            out,
            r#"<path d="M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}" stroke="{colour}" stroke-width="2.5" fill="none"/>"#,
            x - r,
            y - r,
            x + r,
            y + r,
            x + r,
            y - r,
            x - r,
            y + r
        ),
    };
}

/// The bars of one year: (stage order, stage, source) → bar.
type YearBars<'a> = BTreeMap<(u8, String, String), Bar<'a>>;

/// The legend: stage order and slug → (style, name).
type Legend = BTreeMap<(u8, String), (&'static Style, String)>;

/// The rows of a chart grouped for drawing.
struct Grouped<'a> {
    /// Years, and in each its bars.
    years: BTreeMap<i32, YearBars<'a>>,
    legend: Legend,
    /// The sources' names, sorted.
    sources: Vec<&'a str>,
}

impl<'a> Grouped<'a> {
    /// Groups rows into bars by year, stage and source, each bar's rows in a stable order.
    fn of(rows: &'a [TimelineRow], lang: Lang) -> Self {
        let mut years: BTreeMap<i32, YearBars> = BTreeMap::new();
        let mut legend = Legend::new();
        let mut sources: Vec<&str> = Vec::new();
        for r in rows {
            let st = style(&r.stage);
            let name = stage_name(st, r, lang);
            let slug = if st.order == OTHER.order {
                r.stage.clone()
            } else {
                st.slug.to_owned()
            };
            legend
                .entry((st.order, slug.clone()))
                .or_insert((st, name.clone()));
            let bar = years
                .entry(r.fiscal_year)
                .or_default()
                .entry((st.order, slug, r.source.clone()))
                .or_insert_with(|| Bar {
                    style: st,
                    stage_name: name,
                    rows: Vec::new(),
                });
            bar.rows.push(r);
            let src = source_name(r);
            if !src.is_empty() && !sources.contains(&src) {
                sources.push(src);
            }
        }
        for bars in years.values_mut() {
            for bar in bars.values_mut() {
                bar.rows.sort_by(|a, b| {
                    (&a.evidence, a.amount_oku_yen.to_bits())
                        .cmp(&(&b.evidence, b.amount_oku_yen.to_bits()))
                });
            }
        }
        sources.sort_unstable();
        Grouped {
            years,
            legend,
            sources,
        }
    }

    fn bars(&self) -> impl Iterator<Item = &Bar<'a>> {
        self.years.values().flat_map(|b| b.values())
    }

    /// With several sources, each is numbered ① ② … and every bar carries its number.
    fn numbered(&self) -> bool {
        self.sources.len() > 1
    }

    fn number(&self, src: &str) -> String {
        let i = self.sources.iter().position(|s| *s == src).unwrap_or(0);
        char::from_u32(0x2460 + i as u32)
            .filter(|_| i < 20)
            .map(String::from)
            .unwrap_or_else(|| format!("({})", i + 1))
    }

    /// The line naming the sources (numbered when there are several).
    fn source_line(&self, lang: Lang) -> String {
        format!(
            "{}{}",
            lang.pick("出典：", "Source: "),
            self.sources
                .iter()
                .map(|s| if self.numbered() {
                    format!("{} {s}", self.number(s))
                } else {
                    (*s).to_owned()
                })
                .collect::<Vec<_>>()
                .join(lang.pick("　", "  "))
        )
    }
}

/// Where the parts of a chart go, in px, and the value axis.
#[derive(Clone, Copy)]
struct Frame {
    left: f64,
    plot_top: f64,
    plot_w: f64,
    plot_h: f64,
    /// The axis' top value and its step (億円).
    top: f64,
    step: f64,
    /// Room under the years for the bars' source numbers.
    below: f64,
    width: f64,
    height: f64,
}

impl Frame {
    /// The frame for these bars, wide enough for the bars, the legend and `texts` (the
    /// title and the lines under it, with their font sizes).
    fn of(g: &Grouped, texts: &[(&str, f64)]) -> Self {
        let max = g.bars().map(Bar::total).fold(0.0_f64, f64::max);
        let (step, top) = scale(max);
        let max_bars = g
            .years
            .values()
            .map(BTreeMap::len)
            .max()
            .unwrap_or(1)
            .max(1);
        let group_w = (max_bars as f64 * 46.0 + 40.0).max(150.0);
        let (left, plot_top, legend_w) = (86.0, 110.0, 230.0);
        let plot_w = (group_w * g.years.len().max(1) as f64).max(360.0);
        let plot_h = 320.0;
        let below = if g.numbered() { 16.0 } else { 0.0 };
        let text_w = texts
            .iter()
            .map(|(t, size)| text_width(t, *size))
            .fold(0.0, f64::max);
        Frame {
            left,
            plot_top,
            plot_w,
            plot_h,
            top,
            step,
            below,
            width: (left + plot_w + 30.0 + legend_w).max(left + text_w + 24.0),
            height: plot_top + plot_h + 70.0 + below,
        }
    }

    /// The y of a value on the axis.
    fn y_of(&self, v: f64) -> f64 {
        self.plot_top + self.plot_h - v / self.top * self.plot_h
    }
}

/// Draws the timeline chart of `rows` as a standalone SVG document, titled `title`, with
/// labels in `lang`. Rows may come in any order; the output depends only on their set.
pub fn chart(rows: &[TimelineRow], title: &str, lang: Lang) -> String {
    let g = Grouped::of(rows, lang);
    let stacked = g.bars().any(|b| b.rows.len() > 1);
    let note = lang.pick(
        "積み上げた棒：同じ年度・段階・出典の複数の金額（例：AMED対象経費とインハウス研究機関経費）。数字は合計。",
        "Stacked bars: several figures of one year, stage and source (e.g. AMED-funded and in-house shares); the label is their sum.",
    );
    let source_line = g.source_line(lang);
    // Wide enough for the title and the lines under it.
    let mut texts = vec![(title, 19.0), (source_line.as_str(), 12.0)];
    if stacked {
        texts.push((note, 12.0));
    }
    let f = Frame::of(&g, &texts);
    let mut s = String::new();
    head(
        &mut s,
        &f,
        &g.legend,
        title,
        &source_line,
        stacked.then_some(note),
    );
    axis(&mut s, &f, lang, g.years.is_empty());
    for (gi, (fy, bars)) in g.years.iter().enumerate() {
        year(&mut s, &f, &g, gi, *fy, bars, lang);
    }
    legend(&mut s, &f, &g.legend, lang);
    s.push_str("</svg>\n");
    s
}

/// The start of the SVG: its size and title, the stages' fill patterns, a white ground,
/// the title, the sources and (for stacked bars) the note under it.
fn head(
    s: &mut String,
    f: &Frame,
    legend: &Legend,
    title: &str,
    sources: &str,
    note: Option<&str>,
) {
    let Frame {
        left,
        width,
        height,
        ..
    } = *f;
    let _ = write!(
        s,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{FONT}, sans-serif" role="img" aria-labelledby="chart-title">
<title id="chart-title">{}</title>
"#,
        esc(title)
    );
    s.push_str("<defs>");
    for ((order, slug), (st, _)) in legend {
        pattern_def(s, &format!("fill-{order}-{}", pattern_id(slug)), st);
    }
    s.push_str("</defs>\n");
    let _ = writeln!(
        s,
        r#"<rect width="100%" height="100%" fill="white"/>
<text x="{left}" y="32" font-size="19" font-weight="bold">{}</text>"#,
        esc(title)
    );
    let _ = writeln!(
        s,
        r##"<text x="{left}" y="54" font-size="12" fill="#333">{}</text>"##,
        esc(sources)
    );
    if let Some(note) = note {
        let _ = writeln!(
            s,
            r##"<text x="{left}" y="72" font-size="12" fill="#333">{}</text>"##,
            esc(note)
        );
    }
}

/// The value axis with its grid lines (and, when there is nothing to draw, a note saying so).
fn axis(s: &mut String, f: &Frame, lang: Lang, empty: bool) {
    let Frame {
        left,
        plot_top,
        plot_w,
        plot_h,
        top,
        step,
        ..
    } = *f;
    let _ = writeln!(
        s,
        r##"<text x="{:.0}" y="{:.0}" font-size="12" fill="#333">{}</text>"##,
        left - 50.0,
        plot_top - 14.0,
        esc(lang.pick("（億円）", "oku yen (100 million yen)"))
    );
    let mut v = 0.0;
    while v <= top + step * 1e-6 {
        let y = f.y_of(v);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{}" stroke-width="1"/><text x="{:.0}" y="{:.1}" font-size="12" text-anchor="end" fill="#333">{}</text>"##,
            left + plot_w,
            if v == 0.0 { "#333" } else { "#ddd" },
            left - 8.0,
            y + 4.0,
            oku(v)
        );
        v += step;
    }
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{plot_top}" x2="{left}" y2="{:.1}" stroke="#333"/>"##,
        plot_top + plot_h
    );
    if empty {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="15" text-anchor="middle" fill="#555">{}</text>"##,
            left + plot_w / 2.0,
            plot_top + plot_h / 2.0,
            esc(lang.pick(
                "出典に金額がありません",
                "No figures for this in the sources",
            ))
        );
    }
}

/// The `gi`-th year's group: its label under the axis, a dashed separator from the year
/// before, and its bars side by side.
fn year(s: &mut String, f: &Frame, g: &Grouped, gi: usize, fy: i32, bars: &YearBars, lang: Lang) {
    let Frame {
        left,
        plot_top,
        plot_w,
        plot_h,
        below,
        ..
    } = *f;
    let gx = left + gi as f64 * (plot_w / g.years.len() as f64);
    let gw = plot_w / g.years.len() as f64;
    let bar_w = ((gw - 30.0) / bars.len() as f64).min(56.0);
    let x0 = gx + (gw - bar_w * bars.len() as f64) / 2.0;
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" font-size="14" text-anchor="middle">{}</text>"#,
        gx + gw / 2.0,
        plot_top + plot_h + 24.0 + below,
        esc(&year_label(fy, lang))
    );
    if lang == Lang::Ja {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="#555">({fy})</text>"##,
            gx + gw / 2.0,
            plot_top + plot_h + 42.0 + below
        );
    }
    if gi > 0 {
        let _ = writeln!(
            s,
            r##"<line x1="{gx:.1}" y1="{plot_top}" x2="{gx:.1}" y2="{:.1}" stroke="#bbb" stroke-dasharray="3,4"/>"##,
            plot_top + plot_h + 8.0
        );
    }
    for (bi, (key, bar)) in bars.iter().enumerate() {
        let x = x0 + bi as f64 * bar_w + 3.0;
        let w = bar_w - 6.0;
        draw_bar(s, f, g, (x, w), key, bar, lang);
    }
}

/// One bar at `x`, `w` wide: its rows stacked (each with its tooltip) and parted by white
/// rules, its source's number when there are several, its stage's marker and its total.
fn draw_bar(
    s: &mut String,
    f: &Frame,
    g: &Grouped,
    (x, w): (f64, f64),
    (order, slug, _): &(u8, String, String),
    bar: &Bar,
    lang: Lang,
) {
    let st = bar.style;
    let fill = fill_of(&format!("fill-{order}-{}", pattern_id(slug)), st);
    let _ = writeln!(s, r#"<g class="bar stage-{}">"#, esc(slug));
    let mut base = 0.0;
    let mut joins = Vec::new();
    for r in &bar.rows {
        let (y1, y0) = (f.y_of(base + r.amount_oku_yen), f.y_of(base));
        if base > 0.0 {
            joins.push(y0);
        }
        base += r.amount_oku_yen;
        let tip = tooltip(r, &bar.stage_name, lang);
        let _ = writeln!(
            s,
            r#"<rect x="{x:.1}" y="{y1:.1}" width="{w:.1}" height="{:.1}" fill="{fill}" stroke="{}" stroke-width="1.5"><title>{}</title></rect>"#,
            (y0 - y1).max(0.0),
            st.colour,
            esc(&tip)
        );
    }
    // Where stacked parts meet: a white rule, visible on solid fills too.
    for y in joins {
        let _ = writeln!(
            s,
            r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="white" stroke-width="2.5"/>"#,
            x + 1.5,
            x + w - 1.5
        );
    }
    let y_top = f.y_of(base);
    if g.numbered() {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="#333">{}</text>"##,
            x + w / 2.0,
            f.plot_top + f.plot_h + 16.0,
            g.number(source_name(bar.rows[0]))
        );
    }
    let cx = x + w / 2.0;
    marker(s, st.marker, cx, y_top - 9.0, 4.5, st.colour);
    let _ = writeln!(
        s,
        r#"<text x="{cx:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text></g>"#,
        y_top - 19.0,
        oku(base)
    );
}

/// The legend right of the plot: each stage's fill, marker and name, and a hint.
fn legend(s: &mut String, f: &Frame, legend: &Legend, lang: Lang) {
    let plot_top = f.plot_top;
    let lx = f.left + f.plot_w + 30.0;
    let _ = writeln!(
        s,
        r#"<text x="{lx:.1}" y="{:.1}" font-size="13" font-weight="bold">{}</text>"#,
        plot_top + 4.0,
        esc(lang.pick("段階", "Stage"))
    );
    for (i, ((order, slug), (st, name))) in legend.iter().enumerate() {
        let y = plot_top + 22.0 + i as f64 * 26.0;
        let fill = fill_of(&format!("fill-{order}-{}", pattern_id(slug)), st);
        let _ = writeln!(
            s,
            r#"<rect x="{lx:.1}" y="{y:.1}" width="22" height="16" fill="{fill}" stroke="{}" stroke-width="1.5"/>"#,
            st.colour
        );
        marker(s, st.marker, lx + 34.0, y + 8.0, 4.5, st.colour);
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="13">{}</text>"#,
            lx + 46.0,
            y + 13.0,
            esc(name)
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{lx:.1}" y="{:.1}" font-size="11" fill="#555">{}</text>"##,
        plot_top + 30.0 + legend.len() as f64 * 26.0,
        esc(lang.pick(
            "棒にカーソルを置くと出典を表示",
            "Hover a bar for its source",
        ))
    );
}

/// About how wide a text is drawn, in px: half an em per terminal column (a CJK character
/// is two columns and one em), a little more for Latin letters.
fn text_width(text: &str, size: f64) -> f64 {
    use unicode_width::UnicodeWidthStr;
    text.width() as f64 * size * 0.55
}

/// A pattern id from a stage slug (ASCII letters, digits and `-` kept).
fn pattern_id(slug: &str) -> String {
    slug.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// A source as the chart names it: its title, else its IRI.
fn source_name(r: &TimelineRow) -> &str {
    if r.source_title.is_empty() {
        &r.source
    } else {
        &r.source_title
    }
}

/// A bar part's tooltip: amount, stage, year, source and evidence.
fn tooltip(r: &TimelineRow, stage: &str, lang: Lang) -> String {
    let source = source_name(r);
    let mut t = match lang {
        Lang::Ja => format!(
            "{stage} {}億円（{}）\n出典：{source}",
            oku_exact(r.amount_oku_yen),
            year_label(r.fiscal_year, lang)
        ),
        Lang::En => format!(
            "{stage}: {} oku yen ({})\nSource: {source}",
            oku_exact(r.amount_oku_yen),
            year_label(r.fiscal_year, lang)
        ),
    };
    if !r.evidence.is_empty() {
        t.push_str(&format!("\n{}", r.evidence));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(fy: i32, stage: &str, amount: f64, source: &str) -> TimelineRow {
        TimelineRow {
            fiscal_year: fy,
            stage: stage.into(),
            stage_ja: String::new(),
            amount_oku_yen: amount,
            source: format!("id:source/{source}"),
            source_title: format!("Title of {source}"),
            evidence: format!("id:source/{source}/L1"),
        }
    }

    #[test]
    fn scale_gives_round_steps_and_headroom() {
        assert_eq!(scale(12.0), (2.5, 15.0));
        assert_eq!(scale(951.0), (200.0, 1200.0));
        assert_eq!(scale(100.0), (20.0, 120.0));
        assert_eq!(scale(40.0), (10.0, 50.0));
        let (step, top) = scale(0.0);
        assert!(
            (step - 0.2).abs() < 1e-9 && (top - 1.2).abs() < 1e-9,
            "{step} {top}"
        );
    }

    #[test]
    fn stages_keep_the_order_of_the_budget_process() {
        let rows = [
            row(2024, "execution", 10.0, "rs"),
            row(2024, "initial", 11.0, "rs"),
            row(2024, "request", 12.0, "doc"),
        ];
        let svg = chart(&rows, "T", Lang::En);
        let at = |what: &str| svg.find(what).unwrap_or_else(|| panic!("{what} in {svg}"));
        assert!(at("stage-request") < at("stage-initial"));
        assert!(at("stage-initial") < at("stage-execution"));
        // Legend in the same order, in English.
        assert!(at(">Budget request<") < at(">Initial budget<"));
        assert!(at(">Initial budget<") < at(">Execution<"));
    }

    #[test]
    fn each_bar_has_a_tooltip_with_amount_stage_and_source() {
        let rows = [row(2023, "initial", 11.5, "rs-2024")];
        let svg = chart(&rows, "医療機器等研究成果展開事業", Lang::Ja);
        assert!(svg.contains("<title>当初予算額 11.5億円（令和5年度）\n出典：Title of rs-2024\nid:source/rs-2024/L1</title>"), "{svg}");
        assert!(svg.contains(">医療機器等研究成果展開事業</text>"));
        assert!(svg.contains(">令和5年度</text>"));
        assert!(svg.contains(r#"font-family="Noto Sans CJK JP, sans-serif""#));
    }

    #[test]
    fn two_sources_of_one_stage_are_two_bars_and_one_source_stacks() {
        let rows = [
            row(2024, "request", 12.0, "doc"),
            row(2024, "request", 11.9, "rs"),
            row(2024, "initial", 5.0, "doc"),
            row(2024, "initial", 3.0, "doc"),
        ];
        let svg = chart(&rows, "T", Lang::En);
        assert_eq!(svg.matches("class=\"bar stage-request\"").count(), 2);
        assert_eq!(svg.matches("class=\"bar stage-initial\"").count(), 1);
        // The stacked bar is labelled with its sum, and the note says so.
        assert!(svg.contains(">8</text></g>"), "{svg}");
        assert!(svg.contains("Stacked bars"));
        // Two entries in the legend, not four.
        assert_eq!(svg.matches(r#"width="22""#).count(), 2);
    }

    #[test]
    fn stages_differ_in_more_than_colour() {
        let mut fills = std::collections::BTreeSet::new();
        let mut markers = std::collections::BTreeSet::new();
        let mut colours = std::collections::BTreeSet::new();
        for st in STAGES {
            fills.insert(format!("{:?}", st.fill));
            markers.insert(format!("{:?}", st.marker));
            colours.insert(st.colour);
        }
        assert_eq!(fills.len(), STAGES.len());
        assert_eq!(markers.len(), STAGES.len());
        assert_eq!(colours.len(), STAGES.len());
    }

    #[test]
    fn text_is_escaped_and_unknown_stages_are_drawn() {
        let mut r = row(2025, "forecast", 1.0, "x");
        r.source_title = "A & B <C>".into();
        let svg = chart(&[r], "R&D \"budget\"", Lang::En);
        assert!(svg.contains("R&amp;D &quot;budget&quot;"));
        assert!(svg.contains("A &amp; B &lt;C&gt;"));
        assert!(!svg.contains("A & B"));
        assert!(svg.contains(">forecast</text>"));
        assert!(svg.contains(">FY2025</text>"));
    }

    #[test]
    fn with_several_sources_every_bar_carries_its_source_number() {
        let rows = [
            row(2023, "initial", 11.93, "rs-2024"),
            row(2023, "execution", 10.2, "rs-2024"),
            row(2024, "total", 12.0, "doc"),
            row(2024, "request", 11.9, "rs-2024"),
            row(2025, "request", 12.4, "rs-2025"),
        ];
        let svg = chart(&rows, "T", Lang::Ja);
        // Sources numbered in title order, each bar labelled with its number.
        assert!(
            svg.contains("出典：① Title of doc　② Title of rs-2024　③ Title of rs-2025"),
            "{svg}"
        );
        assert_eq!(svg.matches(">①</text>").count(), 1);
        assert_eq!(svg.matches(">②</text>").count(), 3);
        assert_eq!(svg.matches(">③</text>").count(), 1);
        // One source: no numbers.
        let one = chart(&rows[..1], "T", Lang::Ja);
        assert!(
            !one.contains(">②</text>") && !one.contains(">①</text>"),
            "{one}"
        );
    }

    #[test]
    fn no_rows_draws_a_chart_that_says_so() {
        let svg = chart(&[], "Empty", Lang::En);
        assert!(svg.contains("No figures for this in the sources"));
        assert!(svg.ends_with("</svg>\n"));
    }

    #[test]
    fn years_are_named_as_in_the_document() {
        assert_eq!(year_label(2024, Lang::Ja), "令和6年度");
        assert_eq!(year_label(2019, Lang::Ja), "令和元年度");
        assert_eq!(year_label(2018, Lang::Ja), "平成30年度");
        assert_eq!(year_label(2024, Lang::En), "FY2024");
    }
}
