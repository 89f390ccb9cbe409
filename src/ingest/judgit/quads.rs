//! The review sheets as RDF in the graph `https://w3id.org/medrd-kg/graph/judgit`: a sheet
//! (`rs:ReviewSheet`), a budget record per printed fiscal year with the non-zero figures in
//! yen, the stage observations in exactly the shape `ingest::rs::observations` gives the RS
//! records (so that queries take both alike), payments and their details, outcomes and
//! outputs with their yearly results, and the description of the source, one
//! `medrd:ReviewSheetEdition` per edition present. IRIs: `id/review-sheet/EDITION/MINISTRY/STEM`
//! and below it `/fy2017`, `/fy2017-initial`, `/pay-A3`, `/outcome-1`, `/outcome-1-fy2019`.

use super::records::{BudgetRow, Outcome, Output, PaymentRow, Role, Sheet, YearResult};
use crate::ingest::rs::{corporate_iri, term};
use crate::ingest::sources::{source_graph, source_iri};
use crate::vocab::{ext, medrd, ID};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedNodeRef, Quad, Term};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The folder (and graph) name of the review sheets.
pub const SLUG: &str = "judgit";
/// What the editions up to [`super::records::NEGATIVES_LOST_UNTIL`] lost in the JUDGIT import
/// (REPORT §1.4), attached to their records.
pub const COMPONENTS_NOTE: &str = "補正予算, 前年度から繰越し, 翌年度へ繰越し and 予備費等 of the 2015 and 2016 editions lost every negative value in the JUDGIT import (0 negative values in either edition; 予算計 ≠ the sum of its parts in 2,813 and 2,597 rows): trust 予算計 and 当初予算, never recompute from these columns";

/// The IRI of a sheet.
pub fn sheet_iri(s: &Sheet) -> NamedNode {
    NamedNode::new_unchecked(format!(
        "{ID}review-sheet/{}/{}/{}",
        s.edition, s.ministry_slug, s.slug
    ))
}

/// The Data Cube data set of an edition's observations: `id/dataset/judgit-EDITION`, of the
/// review structure like an RS edition's (`ingest::rs::dataset_description`).
pub fn edition_dataset(edition: i32) -> NamedNode {
    NamedNode::new_unchecked(format!("{ID}dataset/{SLUG}-{edition}"))
}

/// The source (edition) a sheet belongs to: `id/source/judgit-EDITION`.
pub fn edition_source(edition: i32) -> NamedNode {
    source_iri(&format!("{SLUG}-{edition}"))
}

pub(crate) fn year(y: i32) -> Term {
    Literal::new_typed_literal(y.to_string(), ext::XSD_G_YEAR).into()
}

fn yen(v: i64) -> Term {
    Literal::new_typed_literal(v.to_string(), ext::XSD_INTEGER).into()
}

fn ja(s: &str) -> Term {
    Literal::new_language_tagged_literal_unchecked(s, "ja").into()
}

fn plain(s: &str) -> Term {
    Literal::new_simple_literal(s).into()
}

fn decimal(s: &str) -> Term {
    Literal::new_typed_literal(s, ext::XSD_DECIMAL).into()
}

/// About how many quads [`sheet_quads_into`] hands over at a time.
const PART: usize = 1 << 14;

/// Collects quads of one graph.
pub(crate) struct Out {
    graph: GraphName,
    pub quads: Vec<Quad>,
}

impl Out {
    pub(crate) fn new() -> Self {
        Out {
            graph: source_graph(SLUG).into(),
            quads: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, o: impl Into<Term>) {
        self.quads
            .push(Quad::new(s.clone(), p, o.into(), self.graph.clone()));
    }

    fn a(&mut self, s: &NamedNode, class: NamedNodeRef<'_>) {
        self.add(s, ext::RDF_TYPE, class.into_owned());
    }
}

/// Every sheet as quads. `ours` maps a ministry slug to our organisation IRI where the
/// ministry is one of ours; `described` holds the organisations some other graph already
/// describes (a recipient's label and 法人番号 are stated once in the store).
pub fn sheet_quads(
    sheets: &[Sheet],
    ours: &BTreeSet<String>,
    described: &HashSet<NamedNode>,
) -> Vec<Quad> {
    let mut all = Vec::new();
    let Ok(()) = sheet_quads_into::<std::convert::Infallible>(sheets, ours, described, &mut |q| {
        all.extend(q);
        Ok(())
    });
    all
}

/// [`sheet_quads`], handed to `emit` in parts of about [`PART`] quads as they are made, so
/// that the store inserts the first sheets while the later ones are turned into quads.
pub fn sheet_quads_into<E>(
    sheets: &[Sheet],
    ours: &BTreeSet<String>,
    described: &HashSet<NamedNode>,
    emit: &mut dyn FnMut(Vec<Quad>) -> Result<(), E>,
) -> Result<(), E> {
    let mut out = Out::new();
    for s in sheets {
        sheet(&mut out, s, ours);
        if out.quads.len() >= PART {
            emit(std::mem::take(&mut out.quads))?;
        }
    }
    organisations(&mut out, sheets, described);
    let editions: BTreeSet<i32> = sheets.iter().map(|s| s.edition).collect();
    for e in editions {
        let source: Term = edition_source(e).into();
        let graph = out.graph.clone();
        out.quads.extend(crate::ingest::rs::dataset_description(
            &edition_dataset(e),
            &source,
            &graph,
        ));
    }
    emit(out.quads)
}

fn sheet(out: &mut Out, s: &Sheet, ours: &BTreeSet<String>) {
    let iri = sheet_iri(s);
    out.a(&iri, term::REVIEW_SHEET);
    // Its superclass too, as the RS programs: queries over every kind of line need no reasoner.
    out.a(&iri, term::BUDGET_LINE);
    out.add(&iri, ext::RDFS_LABEL, ja(&s.name));
    out.add(&iri, ext::DCTERMS_IDENTIFIER, plain(&s.key()));
    out.add(&iri, term::SHEET_NUMBER, plain(&s.number));
    out.add(&iri, term::REVIEW_YEAR, year(s.edition));
    out.add(&iri, ext::DCTERMS_SOURCE, edition_source(s.edition));
    out.add(&iri, term::MINISTRY_NAME, ja(&s.ministry));
    if ours.contains(&s.ministry_slug) {
        let org = NamedNode::new_unchecked(crate::vocab::id("org", &s.ministry_slug));
        out.add(&iri, term::MINISTRY, org);
    }
    for (p, v) in [
        (term::BUREAU_NAME, &s.bureau),
        (term::PURPOSE, &s.purpose),
        (term::OVERVIEW, &s.overview),
    ] {
        if !v.is_empty() {
            out.add(&iri, p, ja(v));
        }
    }
    if let Some(y) = s.start_year {
        out.add(&iri, term::START_YEAR, year(y));
    }
    if let Some(y) = s.end_year {
        out.add(&iri, term::END_YEAR, year(y));
    }
    if let Some(u) = &s.url {
        // A link only when it is one (http or https); the ministry's broken address as text.
        let o: Term = match NamedNode::new(u.clone()) {
            Ok(n) if u.starts_with("http://") || u.starts_with("https://") => n.into(),
            _ => plain(u),
        };
        out.add(&iri, term::OVERVIEW_URL, o);
    }
    budgets(out, s, &iri);
    for p in &s.payments {
        payment(out, s, &iri, p);
    }
    for (i, o) in s.outcomes.iter().enumerate() {
        outcome(out, s, &iri, i + 1, o);
    }
    for (i, o) in s.outputs.iter().enumerate() {
        output(out, &iri, i + 1, o);
    }
}

/// The record of a fiscal year: the figures of its row, and the 要求額 of the N+1 row as
/// the N row's rs:nextYearRequest (the RS records' shape: the record of budget year 2023
/// holds the FY2024 request). A year with nothing printed gets no record.
fn budgets(out: &mut Out, s: &Sheet, iri: &NamedNode) {
    let request_row = s.budget(s.edition + 1);
    for b in s.budgets.iter().filter(|b| b.year <= s.edition) {
        let next = (b.year == s.edition)
            .then(|| request_row.and_then(|r| r.request))
            .flatten();
        let figures = figures(b, next);
        if figures.is_empty() {
            continue;
        }
        let r = NamedNode::new_unchecked(format!("{}/fy{}", iri.as_str(), b.year));
        out.a(&r, term::BUDGET_RECORD);
        out.add(&r, term::RECORD_OF_SHEET, iri.clone());
        out.add(&r, term::BUDGET_YEAR, year(b.year));
        out.add(&r, term::REVIEW_YEAR, year(s.edition));
        out.add(&r, ext::DCTERMS_SOURCE, edition_source(s.edition));
        let unreliable = s.edition <= super::records::NEGATIVES_LOST_UNTIL;
        if unreliable {
            out.add(&r, term::UNRELIABLE_COMPONENTS, plain(COMPONENTS_NOTE));
        }
        for (p, v) in &figures {
            out.add(&r, *p, yen(*v));
        }
        observations(out, s, &r, b.year, &figures, unreliable);
    }
}

/// The non-zero figures of a row, with the RS property of each.
fn figures(b: &BudgetRow, next: Option<i64>) -> Vec<(NamedNodeRef<'static>, i64)> {
    [
        (term::INITIAL_BUDGET, b.initial),
        (term::SUPPLEMENTARY_BUDGET, b.supplementary),
        (term::CARRYOVER_FROM_PREVIOUS, b.carry_in),
        (term::CARRYOVER_TO_NEXT, b.carry_out),
        (term::RESERVE_FUND, b.reserve),
        (term::BUDGET_TOTAL, b.total),
        (term::EXECUTED_AMOUNT, b.executed),
        (term::NEXT_YEAR_REQUEST, next),
    ]
    .into_iter()
    .filter_map(|(p, v)| v.map(|v| (p, v)))
    .collect()
}

/// The stage observations of a record (`medrd:BudgetAmount`, as `ingest::rs::observations`
/// writes them for RS records): 当初予算 → InitialBudget, 補正予算 → SupplementaryBudget,
/// 執行額 → Execution of the year; the 要求額 of N+1 → RequestTotal of N+1 (it includes the
/// 要望, like the document's 概算要求・要望額). Amount for the sheet.
fn observations(
    out: &mut Out,
    s: &Sheet,
    record: &NamedNode,
    fy: i32,
    figures: &[(NamedNodeRef<'static>, i64)],
    unreliable: bool,
) {
    let stages = [
        (term::INITIAL_BUDGET, medrd::INITIAL_BUDGET, "initial", 0),
        (
            term::SUPPLEMENTARY_BUDGET,
            medrd::SUPPLEMENTARY_BUDGET,
            "supplementary",
            0,
        ),
        (term::EXECUTED_AMOUNT, medrd::EXECUTION, "execution", 0),
        (term::NEXT_YEAR_REQUEST, medrd::REQUEST_TOTAL, "request", 1),
    ];
    let dataset = edition_dataset(s.edition);
    let sheet = sheet_iri(s);
    for (p, v) in figures {
        let Some((_, kind, name, next)) = stages.iter().find(|st| st.0 == *p) else {
            continue;
        };
        let obs = NamedNode::new_unchecked(format!("{}-{name}", record.as_str()));
        out.a(&obs, medrd::BUDGET_AMOUNT);
        out.add(&obs, ext::QB_DATASET_PROP, dataset.clone());
        out.add(&obs, medrd::AMOUNT_FOR, sheet.clone());
        out.add(&obs, medrd::AMOUNT_KIND, kind.into_owned());
        out.add(&obs, medrd::FISCAL_YEAR, year(fy + next));
        out.add(&obs, ext::SCHEMA_VALUE, yen(*v));
        out.add(&obs, ext::SCHEMA_CURRENCY, plain("JPY"));
        out.add(&obs, medrd::OKU_YEN, decimal(&oku(*v)));
        out.add(&obs, ext::PROV_WAS_DERIVED_FROM, record.clone());
        out.add(&obs, ext::DCTERMS_SOURCE, edition_source(s.edition));
        if unreliable && *name == "supplementary" {
            out.add(&obs, term::UNRELIABLE_COMPONENTS, plain(COMPONENTS_NOTE));
        }
    }
}

/// Yen as 億円, exact decimal text.
pub fn oku(yen: i64) -> String {
    let v = oxsdatatypes::Decimal::from(yen);
    v.checked_div(oxsdatatypes::Decimal::from(100_000_000))
        .map_or_else(|| "0".into(), |d| d.to_string())
}

/// A payment (`rs:Payment`) or a detail under a subtotal (`rs:PaymentDetail`, never an
/// rs:Payment: no rs:paymentOf, no rs:payee, so that sums of payments never count it).
fn payment(out: &mut Out, s: &Sheet, sheet: &NamedNode, p: &PaymentRow) {
    let iri = payment_iri(sheet, p);
    match p.role {
        Role::Detail(h) => {
            out.a(&iri, term::PAYMENT_DETAIL);
            out.add(&iri, term::DETAIL_OF, payment_iri(sheet, &s.payments[h]));
        }
        _ => {
            out.a(&iri, term::PAYMENT);
            out.add(&iri, term::PAYMENT_OF, sheet.clone());
        }
    }
    out.add(&iri, term::PAYEE_NAME, ja(&p.name));
    out.add(&iri, term::AMOUNT, yen(p.amount));
    out.add(&iri, term::PAYMENT_YEAR, year(p.year));
    out.add(&iri, term::PAYMENT_BLOCK, plain(&p.block));
    out.add(&iri, term::REVIEW_YEAR, year(s.edition));
    out.add(&iri, ext::DCTERMS_SOURCE, edition_source(s.edition));
    if !p.description.is_empty() {
        out.add(&iri, term::BUSINESS_DESCRIPTION, ja(&p.description));
    }
    if p.anonymised {
        let t = Literal::new_typed_literal("true", xsd_boolean());
        out.add(&iri, term::ANONYMISED, t);
    } else if let (Some(cn), false) = (&p.corporate_number, matches!(p.role, Role::Detail(_))) {
        out.add(&iri, term::PAYEE, corporate_iri(cn));
    }
    if let Some(note) = &p.note {
        out.add(&iri, ext::SKOS_EDITORIAL_NOTE, plain(note));
    }
}

fn xsd_boolean() -> NamedNodeRef<'static> {
    NamedNodeRef::new_unchecked("http://www.w3.org/2001/XMLSchema#boolean")
}

/// `…/pay-A3`: block and number (unique within a sheet; a non-ASCII block percent-encoded).
pub fn payment_iri(sheet: &NamedNode, p: &PaymentRow) -> NamedNode {
    let mut block = String::new();
    for b in p.block.bytes() {
        if b.is_ascii_alphanumeric() {
            block.push(b as char);
        } else {
            block.push_str(&format!("%{b:02X}"));
        }
    }
    NamedNode::new_unchecked(format!("{}/pay-{block}{}", sheet.as_str(), p.number))
}

fn outcome(out: &mut Out, s: &Sheet, sheet: &NamedNode, n: usize, o: &Outcome) {
    let iri = NamedNode::new_unchecked(format!("{}/outcome-{n}", sheet.as_str()));
    out.a(&iri, term::OUTCOME);
    out.add(&iri, term::OUTCOME_OF, sheet.clone());
    if !o.goal.is_empty() {
        out.add(&iri, term::GOAL, ja(&o.goal));
    }
    if let Some(v) = &o.indicator {
        out.add(&iri, term::INDICATOR, ja(v));
    }
    if let Some(v) = &o.unit {
        out.add(&iri, term::UNIT, plain(v));
    }
    if let Some(v) = &o.target_text {
        out.add(&iri, term::TARGET_TEXT, plain(v));
    }
    if let Some(y) = o.target_year {
        out.add(&iri, term::TARGET_YEAR, year(y));
    }
    if let Some(y) = o.bad_target_year {
        let note = format!("目標最終年度 printed {y}: outside [{}, {}], left out as unknown (the JUDGIT import broke some years)", s.edition - 10, s.edition + 40);
        out.add(&iri, ext::SKOS_EDITORIAL_NOTE, plain(&note));
    }
    results(out, &iri, &o.results);
}

fn output(out: &mut Out, sheet: &NamedNode, n: usize, o: &Output) {
    let iri = NamedNode::new_unchecked(format!("{}/output-{n}", sheet.as_str()));
    out.a(&iri, term::OUTPUT);
    out.add(&iri, term::OUTPUT_OF, sheet.clone());
    if !o.indicator.is_empty() {
        out.add(&iri, term::INDICATOR, ja(&o.indicator));
    }
    if let Some(v) = &o.unit {
        out.add(&iri, term::UNIT, plain(v));
    }
    results(out, &iri, &o.results);
}

fn results(out: &mut Out, of: &NamedNode, rows: &[YearResult]) {
    for r in rows {
        let iri = NamedNode::new_unchecked(format!("{}-fy{}", of.as_str(), r.year));
        out.a(&iri, term::RESULT);
        out.add(&iri, term::RESULT_OF, of.clone());
        out.add(&iri, term::RESULT_YEAR, year(r.year));
        if let Some(v) = &r.actual {
            out.add(&iri, term::ACTUAL, decimal(v));
        }
        if let Some(v) = &r.target {
            out.add(&iri, term::TARGET, decimal(v));
        }
    }
}

/// The recipients with a valid 法人番号 that no other graph describes: type, number and the
/// name of the latest sheet paying them (stated once).
fn organisations(out: &mut Out, sheets: &[Sheet], described: &HashSet<NamedNode>) {
    let mut names: BTreeMap<&str, (i32, &str)> = BTreeMap::new();
    for s in sheets {
        for p in &s.payments {
            if p.anonymised || matches!(p.role, Role::Detail(_)) {
                continue;
            }
            if let Some(cn) = &p.corporate_number {
                let e = names.entry(cn).or_insert((s.edition, &p.name));
                if s.edition > e.0 {
                    *e = (s.edition, &p.name);
                }
            }
        }
    }
    for (cn, (_, name)) in names {
        let org = corporate_iri(cn);
        if described.contains(&org) {
            continue;
        }
        out.a(&org, ext::ORG_ORGANIZATION);
        out.add(&org, term::CORPORATE_NUMBER, plain(cn));
        out.add(&org, ext::RDFS_LABEL, ja(name));
    }
}
