//! Matching our programs to RS budget programs, with typed links: the documented score, the
//! decision rules, the curated decisions of `data/link-decisions.toml` that win over them, the
//! linkset and the review report.
//!
//! A link says what it is ([`Relation`]): `exact` (the same budget program,
//! `rs:sameBudgetLine`), `part` (the RS line is one ministry's share of our program:
//! `rs:hasPartInRs`), `whole` (the RS line is the whole of which our program is a part:
//! `rs:partOfRsProgram`) or `aggregate` (our program is one of many funded through one RS
//! line: `rs:fundedThroughAggregate`); each is also written as `rs:linkedLine`, which they
//! all specialise. Not SKOS mappings: neither programs nor RS lines are concepts.
//!
//! Rules, per program and per ministry of the program (printed or inferred); RS lines of other
//! ministries are never candidates (only a curated decision links across ministries):
//! 1. Name score = best [`name_score`] of our ja name and alt names against the RS name and,
//!    for a 「親事業(うち 子事業)」 name, against the sub-program (the sheet is the sub-program's).
//!    Pairs below [`CANDIDATE`] are dropped. The best pair at or above [`EXACT`] is linked
//!    `exact` unless another pair of that ministry is within [`MARGIN`] (then the contested
//!    pairs are `ambiguous`, not linked); other kept pairs are `close` (not linked).
//! 2. No name link in that ministry, and the program is not funded in-house only: the
//!    ministry's one aggregate line ([`RsProject::aggregate_evidence`]: the sheet names AMED
//!    and points to an annex or lists the integrated projects) → `aggregate`.
//! 3. Else a line of that ministry whose 事業の概要 names our program → `whole`.
//! 4. Else, for a program not funded in-house only, the ministry's only line that names AMED, has money
//!    and is not linked by name to another of our programs → `whole`.
//!
//! Then: a program of several ministries has `part` links (one per ministry's line); a
//! sub-program (the B-cure parts) is `whole` to its parent's exact line; an RS line linked by
//! name to two of our programs (not parent and part) is the `whole` of each; and an exact link
//! whose RS FY2024 figure (RS 2024's 翌年度要求額, else RS 2025's 当初予算) is at least
//! [`WHOLE_RATIO`] times the document's FY2024 figure becomes `whole`. A curated `accept`
//! links the pair with its relation; a curated `reject` drops it (reported `unmatched`, basis
//! `curated`).

use super::normalize::{name_score, normalize, normalized_score, sub_program};
pub use super::relation::Relation;
use crate::error::Result;
pub use crate::ingest::decisions::Curated;
use crate::ingest::rs::{normalize_id, project_iri, term, RsData, RsProject};
use crate::query::catalog::NamedQuery;
use crate::query::output::Table;
use crate::store::stats::StoreStatistics;
use crate::vocab::{ext, id};
use oxigraph::model::{Literal, NamedNode, NamedNodeRef, Triple};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

/// At or above: an exact match unless contested.
pub const EXACT: f64 = 0.9;
/// Below: not a candidate at all.
pub const CANDIDATE: f64 = 0.6;
/// Two pairs of one ministry closer than this are ambiguous.
pub const MARGIN: f64 = 0.05;
/// An exact-named RS line with at least this many times our figure is the whole of it.
pub const WHOLE_RATIO: f64 = 1.8;
/// Shortest normalised name looked for in an RS sheet's 事業の概要 (rule 3).
const MIN_NAME_IN_TEXT: usize = 8;

/// One of our programs, as the matcher sees it.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub slug: String,
    pub ja: String,
    pub names: Vec<String>,
    /// Ministry codes (`mhlw` …), printed or inferred.
    pub ministries: Vec<String>,
    /// The parent program of a sub-program.
    pub parent: Option<String>,
    /// Funded in-house only (a figure says so and none says AMED).
    pub inhouse: bool,
    /// Some figure of the program is AMED-funded.
    pub amed: bool,
    /// The fiscal year of the document that lists the program, and its figure for that
    /// year in 億円 (概算要求・要望額) when it gives one.
    pub document_year: Option<i32>,
    pub document_oku: Option<f64>,
}

impl Program {
    pub fn iri(&self) -> NamedNode {
        NamedNode::new_unchecked(id("program", &self.slug))
    }
}

/// The decision on a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Decision {
    /// Linked, with the relation in [`Candidate::relation`].
    Linked,
    Close,
    Ambiguous,
    Unmatched,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Linked => "linked",
            Decision::Close => "close",
            Decision::Ambiguous => "ambiguous",
            Decision::Unmatched => "unmatched",
        }
    }
}

/// One row of the review: a candidate pair, or a program without one (empty RS side).
#[derive(Clone, Debug)]
pub struct Candidate {
    pub program: String,
    pub program_ja: String,
    pub rs_id: String,
    pub rs_name: String,
    pub score: f64,
    pub decision: Decision,
    /// The relation of a linked pair.
    pub relation: Option<Relation>,
    /// `score` (the rules) or `curated`.
    pub basis: &'static str,
    /// Which rule linked it and on what evidence, or the curated reason.
    pub evidence: String,
    /// The fiscal year of the document's figure.
    pub fiscal_year: Option<i32>,
    /// The document's figure of the program for that year (概算要求・要望額), 億円.
    pub document_oku: Option<f64>,
    /// The RS line's figure for that year ([`rs_figure`]), 億円, and its stage.
    pub rs_oku: Option<f64>,
    pub rs_stage: &'static str,
}

/// Runs `queries/link/FILE` over the union of the graphs of `ours` (a store, or a read-only
/// copy: [`crate::Kb`]'s `stats`).
pub(crate) fn run_query(ours: &Arc<StoreStatistics>, queries: &Path, file: &str) -> Result<Table> {
    let q = NamedQuery::read(&queries.join("link").join(file))?;
    Table::collect(crate::query::evaluate_with(ours, &q.name, &q.text, None)?)
}

/// Our programs with their names, ministries, parent, funding and figure
/// (`queries/link/programs.rq` of the `queries` folder, over `ours`).
pub fn programs(ours: &Arc<StoreStatistics>, queries: &Path) -> Result<Vec<Program>> {
    let t = run_query(ours, queries, "programs.rq")?;
    let mut by_slug: BTreeMap<String, Program> = BTreeMap::new();
    for r in 0..t.rows.len() {
        let slug = t.text(r, "slug");
        let p = by_slug.entry(slug.clone()).or_insert_with(|| Program {
            slug,
            ja: t.text(r, "ja"),
            names: vec![t.text(r, "ja")],
            inhouse: t.text(r, "inhouse") == "true",
            amed: t.text(r, "amed") == "true",
            document_year: t.text(r, "document_year").parse().ok(),
            document_oku: t.text(r, "document_oku_yen").parse().ok(),
            ..Program::default()
        });
        let alt = t.text(r, "alt");
        if !alt.is_empty() && !p.names.contains(&alt) {
            p.names.push(alt);
        }
        let m = t.text(r, "ministry");
        if !m.is_empty() && !p.ministries.contains(&m) {
            p.ministries.push(m);
        }
        let parent = t.text(r, "parent");
        if !parent.is_empty() {
            p.parent = Some(parent);
        }
    }
    // In-house only when no figure says AMED.
    for p in by_slug.values_mut() {
        p.inhouse &= !p.amed;
    }
    Ok(by_slug.into_values().collect())
}

/// Our ministries by every Japanese name they go by: name → code
/// (`queries/link/ministries.rq` of the `queries` folder, over `ours`).
pub fn ministry_names(
    ours: &Arc<StoreStatistics>,
    queries: &Path,
) -> Result<BTreeMap<String, String>> {
    let t = run_query(ours, queries, "ministries.rq")?;
    Ok((0..t.rows.len())
        .map(|r| (t.text(r, "name"), t.text(r, "code")))
        .collect())
}

/// Our ministry code of an RS 府省庁 name, if any (exact name after trimming spaces).
pub fn ministry_code<'a>(names: &'a BTreeMap<String, String>, rs: &str) -> Option<&'a str> {
    let key: String = rs.chars().filter(|c| !c.is_whitespace()).collect();
    names.get(&key).map(String::as_str)
}

/// The name score of a pair (rule 1): our names against the RS names and their sub-programs.
pub fn score(program: &Program, rs: &RsProject) -> f64 {
    let mut theirs: Vec<String> = rs.names.clone();
    theirs.extend(rs.names.iter().filter_map(|n| sub_program(n)));
    program
        .names
        .iter()
        .flat_map(|a| theirs.iter().map(move |b| name_score(a, b)))
        .fold(0.0, f64::max)
}

/// The RS figure of a line for fiscal year `year`, in yen, with its stage: the 翌年度要求額 of
/// budget year `year - 1` (it includes the 要望: the stage `total`, the document's
/// 概算要求・要望額), else the 当初予算 of `year` (stage `initial`, for a line first printed
/// in the later edition).
pub fn rs_figure(rs: &RsProject, year: i32) -> Option<(i64, &'static str)> {
    let request = rs.budgets.get(&(year - 1)).and_then(|b| b.next_request);
    let initial = || rs.budgets.get(&year).and_then(|b| b.initial);
    request
        .map(|v| (v, "total"))
        .or_else(|| initial().map(|v| (v, "initial")))
}

struct Link<'a> {
    rs: &'a RsProject,
    score: f64,
    relation: Relation,
    evidence: String,
}

impl<'a> Link<'a> {
    /// A link by rules 2-4 or from a parent: no name score of its own.
    fn by_rule(rs: &'a RsProject, relation: Relation, evidence: String) -> Self {
        Link {
            rs,
            score: 0.0,
            relation,
            evidence,
        }
    }
}

/// Our programs' links as the rules find them, by program slug.
type Links<'a> = BTreeMap<&'a str, Vec<Link<'a>>>;

/// The candidate pairs that are not links (score, RS line, decision), by program slug.
type Others<'a> = BTreeMap<&'a str, Vec<(f64, &'a RsProject, Decision)>>;

/// Applies the rules and the curated decisions (see the module documentation). One row per
/// linked or candidate pair, or per program without any; in program order, links first.
pub fn match_programs(
    programs: &[Program],
    rs: &RsData,
    ministries: &BTreeMap<String, String>,
    curated: &[Curated],
) -> Vec<Candidate> {
    let lines = Lines::new(rs, ministries);
    let (mut links, others) = name_links(programs, &lines);
    rule_links(programs, &lines, ministries, &mut links);
    sub_program_links(programs, &mut links);
    several_ministries(programs, &mut links);
    shared_or_larger_lines(programs, &mut links);
    programs
        .iter()
        .flat_map(|p| rows(p, &links, &others, curated, rs))
        .collect()
}

/// The RS lines of our ministries, by our ministry code, with their names normalised once.
struct Lines<'a> {
    by_code: BTreeMap<&'a str, Vec<&'a RsProject>>,
    /// Every name of a line and of its うち sub-programs, normalised, by RS id.
    names: HashMap<&'a str, Vec<String>>,
}

impl<'a> Lines<'a> {
    fn new(rs: &'a RsData, ministries: &'a BTreeMap<String, String>) -> Self {
        let mut by_code: BTreeMap<&str, Vec<&RsProject>> = BTreeMap::new();
        for r in rs.projects.values() {
            if let Some(code) = ministry_code(ministries, &r.ministry) {
                by_code.entry(code).or_default().push(r);
            }
        }
        // Every name normalised once (the lines of our ministries only), as `score` compares
        // them.
        let names = by_code
            .values()
            .flatten()
            .map(|r| {
                let subs: Vec<String> = r.names.iter().filter_map(|n| sub_program(n)).collect();
                (r.id.as_str(), normalized(r.names.iter().chain(subs.iter())))
            })
            .collect();
        Lines { by_code, names }
    }

    /// The lines of one of our ministries (none when RS has none).
    fn of(&self, code: &str) -> &[&'a RsProject] {
        self.by_code
            .get(code)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// [`score`] of a pair, on the names normalised once (`ours`: the program's names).
    fn score(&self, p: &Program, ours: &[String], r: &RsProject) -> f64 {
        match self.names.get(r.id.as_str()) {
            Some(theirs) => ours
                .iter()
                .flat_map(|a| theirs.iter().map(move |b| normalized_score(a, b)))
                .fold(0.0, f64::max),
            None => score(p, r),
        }
    }
}

fn normalized<'n>(names: impl Iterator<Item = &'n String>) -> Vec<String> {
    names.map(|n| normalize(n)).collect()
}

/// Pass 1, rule 1: per program and ministry, the lines scoring at least [`CANDIDATE`]; the
/// best is linked `exact` when it scores [`EXACT`] and no other comes within [`MARGIN`], the
/// rest are candidate rows (`ambiguous` when contested, else `close`).
fn name_links<'a>(programs: &'a [Program], lines: &Lines<'a>) -> (Links<'a>, Others<'a>) {
    let mut links: Links = BTreeMap::new();
    let mut others: Others = BTreeMap::new();
    for p in programs {
        let ours = normalized(p.names.iter());
        for code in &p.ministries {
            let mut pairs: Vec<(f64, &RsProject)> = lines
                .of(code)
                .iter()
                .map(|r| (lines.score(p, &ours, r), *r))
                .filter(|(s, _)| *s >= CANDIDATE)
                .collect();
            pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
            let best = pairs.first().map_or(0.0, |x| x.0);
            let contested = pairs
                .iter()
                .filter(|(s, _)| *s >= EXACT && best - s < MARGIN)
                .count();
            for (i, (s, r)) in pairs.iter().enumerate() {
                if *s >= EXACT && contested == 1 && i == 0 {
                    let what = if sub_program(r.name()).is_some() {
                        "name of the うち sub-program"
                    } else {
                        "name"
                    };
                    links.entry(&p.slug).or_default().push(Link {
                        rs: r,
                        score: *s,
                        relation: Relation::Exact,
                        evidence: format!("{what}, same ministry ({code})"),
                    });
                } else {
                    let d = if *s >= EXACT && best - s < MARGIN {
                        Decision::Ambiguous
                    } else {
                        Decision::Close
                    };
                    others.entry(&p.slug).or_default().push((*s, r, d));
                }
            }
        }
    }
    (links, others)
}

/// Pass 2, rules 2-4, for each ministry of a program (not a sub-program: see
/// [`sub_program_links`]) without a name link there: the aggregate line, else the line
/// whose overview names the program, else the only AMED line.
fn rule_links<'a>(
    programs: &'a [Program],
    lines: &Lines<'a>,
    ministries: &BTreeMap<String, String>,
    links: &mut Links<'a>,
) {
    let named: BTreeSet<&str> = links.values().flatten().map(|l| l.rs.id.as_str()).collect();
    let mut overviews: HashMap<&str, String> = HashMap::new();
    for p in programs {
        for code in &p.ministries {
            let has = |l: &Link| ministry_code(ministries, &l.rs.ministry) == Some(code.as_str());
            if links
                .get(p.slug.as_str())
                .is_some_and(|v| v.iter().any(has))
            {
                continue;
            }
            if p.parent.is_some() {
                continue; // decided from the parent below
            }
            let lines = lines.of(code);
            let found = aggregate_line(p, code, lines)
                .or_else(|| named_in_overview(p, lines, &mut overviews))
                .or_else(|| only_amed_line(p, code, lines, &named));
            if let Some(l) = found {
                links.entry(&p.slug).or_default().push(l);
            }
        }
    }
}

/// Rule 2: the ministry's one aggregate line, for a program not funded in-house only.
fn aggregate_line<'a>(p: &Program, code: &str, lines: &[&'a RsProject]) -> Option<Link<'a>> {
    if p.inhouse {
        return None;
    }
    let agg: Vec<(&RsProject, String)> = lines
        .iter()
        .filter_map(|r| r.aggregate_evidence().map(|e| (*r, e)))
        .collect();
    let [(r, why)] = agg.as_slice() else {
        return None;
    };
    Some(Link::by_rule(
        r,
        Relation::Aggregate,
        format!("no line of its own in {code}; the aggregate line: {why}"),
    ))
}

/// Rule 3: the one line with money whose 事業の概要 names the program (a name of at least
/// [`MIN_NAME_IN_TEXT`] characters). `overviews`: the lines' overviews, normalised once.
fn named_in_overview<'a>(
    p: &Program,
    lines: &[&'a RsProject],
    overviews: &mut HashMap<&'a str, String>,
) -> Option<Link<'a>> {
    let ours = normalize(&p.ja);
    if ours.chars().count() < MIN_NAME_IN_TEXT {
        return None;
    }
    let hits: Vec<&&RsProject> = lines
        .iter()
        .filter(|r| {
            r.has_money()
                && overviews
                    .entry(r.id.as_str())
                    .or_insert_with(|| normalize(&r.overview))
                    .contains(&ours)
        })
        .collect();
    let [r] = hits.as_slice() else {
        return None;
    };
    Some(Link::by_rule(
        r,
        Relation::Whole,
        "our program is named in the sheet's 事業の概要".into(),
    ))
}

/// Rule 4: for a program not funded in-house only, the ministry's only line that names
/// AMED, has money and is not linked by name (`named`) to another program.
fn only_amed_line<'a>(
    p: &Program,
    code: &str,
    lines: &[&'a RsProject],
    named: &BTreeSet<&str>,
) -> Option<Link<'a>> {
    if p.inhouse {
        return None;
    }
    let amed: Vec<&&RsProject> = lines
        .iter()
        .filter(|r| r.names_amed() && r.has_money() && !named.contains(r.id.as_str()))
        .collect();
    let [r] = amed.as_slice() else {
        return None;
    };
    let evidence = format!(
        "the only line of {code} naming AMED with a budget, not linked by name to another program"
    );
    Some(Link::by_rule(r, Relation::Whole, evidence))
}

/// Sub-programs: `whole` to the parent's exact lines (replacing their own links to them).
fn sub_program_links<'a>(programs: &'a [Program], links: &mut Links<'a>) {
    for p in programs {
        let Some(parent) = &p.parent else { continue };
        let parent_exact: Vec<&RsProject> = links
            .get(parent.as_str())
            .into_iter()
            .flatten()
            .filter(|l| l.relation == Relation::Exact)
            .map(|l| l.rs)
            .collect();
        let v = links.entry(&p.slug).or_default();
        for r in parent_exact {
            v.retain(|l| l.rs.id != r.id);
            v.push(Link::by_rule(
                r,
                Relation::Whole,
                format!("part of {parent} in the document; the parent's line"),
            ));
        }
    }
}

/// A program of several ministries: its name links are parts.
fn several_ministries(programs: &[Program], links: &mut Links) {
    for p in programs.iter().filter(|p| p.ministries.len() > 1) {
        for l in links.get_mut(p.slug.as_str()).into_iter().flatten() {
            if l.relation == Relation::Exact {
                l.relation = Relation::Part;
                l.evidence
                    .push_str("; the program has several ministries: one ministry's share");
            }
        }
    }
}

/// An exact link becomes `whole` when its line is linked (exact or whole) by two of our
/// programs that are not parent and part, or when the line's FY2024 figure is at least
/// [`WHOLE_RATIO`] times ours.
fn shared_or_larger_lines(programs: &[Program], links: &mut Links) {
    let family = |slug: &str| -> String {
        programs
            .iter()
            .find(|p| p.slug == slug)
            .and_then(|p| p.parent.clone())
            .unwrap_or_else(|| slug.to_owned())
    };
    let mut sharers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (slug, v) in links.iter() {
        for l in v
            .iter()
            .filter(|l| matches!(l.relation, Relation::Exact | Relation::Whole))
        {
            sharers
                .entry(l.rs.id.clone())
                .or_default()
                .insert(family(slug));
        }
    }
    let by_slug: BTreeMap<&str, &Program> = programs.iter().map(|p| (p.slug.as_str(), p)).collect();
    for (slug, v) in links.iter_mut() {
        for l in v.iter_mut().filter(|l| l.relation == Relation::Exact) {
            if sharers.get(&l.rs.id).is_some_and(|s| s.len() > 1) {
                l.relation = Relation::Whole;
                l.evidence
                    .push_str("; the line also carries another of our programs");
                continue;
            }
            // Figures: an RS line much larger than our program is its whole.
            let Some(p) = by_slug.get(slug) else { continue };
            let (Some(year), Some(ours)) = (p.document_year, p.document_oku) else {
                continue;
            };
            if let Some((theirs, stage)) = rs_figure(l.rs, year) {
                let theirs = theirs as f64 / 1e8;
                if ours > 0.0 && theirs >= WHOLE_RATIO * ours {
                    l.relation = Relation::Whole;
                    l.evidence.push_str(&format!(
                        "; RS FY{year} {stage} {theirs:.1}億 ≥ {WHOLE_RATIO} × the document's {ours}億"
                    ));
                }
            }
        }
    }
}

/// One program's rows: its links, its other candidates, then the curated decisions on its
/// pairs ([`apply_curated`]); one row without an RS line when there is none. Linked first,
/// best first.
fn rows(
    p: &Program,
    links: &Links,
    others: &Others,
    curated: &[Curated],
    rs: &RsData,
) -> Vec<Candidate> {
    let mut rows: Vec<Candidate> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for l in links.get(p.slug.as_str()).into_iter().flatten() {
        seen.insert(l.rs.id.clone());
        // Rules 2-4 do not go by name: the name score is shown all the same.
        let s = if l.score > 0.0 {
            l.score
        } else {
            score(p, l.rs)
        };
        let (rel, ev) = (Some(l.relation), l.evidence.clone());
        rows.push(candidate(
            p,
            Some(l.rs),
            s,
            Decision::Linked,
            rel,
            "score",
            ev,
        ));
    }
    for (s, r, d) in others.get(p.slug.as_str()).into_iter().flatten() {
        if seen.insert(r.id.clone()) {
            rows.push(candidate(p, Some(r), *s, *d, None, "score", String::new()));
        }
    }
    apply_curated(p, &mut rows, curated, rs);
    if rows.is_empty() {
        let none = String::new();
        rows.push(candidate(
            p,
            None,
            0.0,
            Decision::Unmatched,
            None,
            "score",
            none,
        ));
    }
    rows.sort_by(|a, b| {
        a.decision
            .cmp(&b.decision)
            .then(b.score.total_cmp(&a.score))
            .then(a.rs_id.cmp(&b.rs_id))
    });
    rows
}

/// The curated decisions on a program's pairs replace its rows of those pairs: the last
/// decision on a pair wins; an accept links it (exact unless it says), a reject reports it
/// unmatched; a decision on a line RS does not have (or has without a name) drops the row.
fn apply_curated(p: &Program, rows: &mut Vec<Candidate>, curated: &[Curated], rs: &RsData) {
    let verdict = |p: &str, r: &str| {
        curated
            .iter()
            .rev()
            .find(|c| c.program == p && c.rs_id == r)
    };
    for c in curated.iter().filter(|c| c.program == p.slug) {
        if verdict(&p.slug, &c.rs_id).map(|v| std::ptr::eq(v, c)) != Some(true) {
            continue; // a later decision on the same pair wins
        }
        rows.retain(|r| r.rs_id != c.rs_id);
        let Some(r) = rs.projects.get(&c.rs_id).filter(|r| !r.name().is_empty()) else {
            continue;
        };
        let (d, rel) = match c.decision.as_str() {
            "accept" => {
                let rel = c.relation.as_deref().and_then(Relation::parse);
                (Decision::Linked, Some(rel.unwrap_or(Relation::Exact)))
            }
            "reject" => (Decision::Unmatched, None),
            _ => continue,
        };
        let ev = c.reason.clone();
        rows.push(candidate(p, Some(r), score(p, r), d, rel, "curated", ev));
    }
}

/// A row of the review for a pair (`r`: the RS line, none for a program without any).
fn candidate(
    p: &Program,
    r: Option<&RsProject>,
    score: f64,
    decision: Decision,
    relation: Option<Relation>,
    basis: &'static str,
    evidence: String,
) -> Candidate {
    let rs_side = r.zip(p.document_year).and_then(|(r, y)| rs_figure(r, y));
    Candidate {
        program: p.slug.clone(),
        program_ja: p.ja.clone(),
        rs_id: r.map(|r| r.id.clone()).unwrap_or_default(),
        rs_name: r.map(|r| r.name().to_owned()).unwrap_or_default(),
        score: (score * 1000.0).round() / 1000.0,
        decision,
        relation,
        basis,
        evidence,
        fiscal_year: p.document_year,
        document_oku: p.document_oku,
        rs_oku: rs_side.map(|(v, _)| (v as f64 / 1e7).round() / 10.0),
        rs_stage: rs_side.map_or("", |(_, stage)| stage),
    }
}

/// The linkset: for every linked pair its relation's property and `rs:linkedLine`, which it
/// specialises ([`Relation::predicates`]), and for every
/// pair (linked or only a candidate) an `rs:CandidateLink` with its score, decision,
/// relation, basis and evidence.
pub fn linkset(candidates: &[Candidate]) -> Vec<Triple> {
    let mut triples = Vec::new();
    let void = |l: &str| NamedNode::new_unchecked(format!("http://rdfs.org/ns/void#{l}"));
    let set = NamedNode::new_unchecked(id("linkset", "rs"));
    let mut n_links = 0;
    for c in candidates.iter().filter(|c| !c.rs_id.is_empty()) {
        let program = NamedNode::new_unchecked(id("program", &c.program));
        let rs = project_iri(&c.rs_id);
        if let (Decision::Linked, Some(rel)) = (c.decision, c.relation) {
            for p in rel.predicates() {
                triples.push(Triple::new(program.clone(), p, rs.clone()));
            }
            n_links += 1;
        }
        let link = NamedNode::new_unchecked(format!(
            "{}/{}--{}",
            set.as_str(),
            c.program,
            &rs.as_str()[rs.as_str().rfind('/').map_or(0, |i| i + 1)..]
        ));
        let dec = |v: String| Literal::new_typed_literal(v, ext::XSD_DECIMAL);
        let lit = Literal::new_simple_literal;
        triples.extend([
            Triple::new(link.clone(), ext::RDF_TYPE, term::CANDIDATE_LINK),
            Triple::new(link.clone(), term::LINK_SUBJECT, program),
            Triple::new(link.clone(), term::LINK_OBJECT, rs),
            Triple::new(
                link.clone(),
                term::MATCH_SCORE,
                dec(format!("{:.3}", c.score)),
            ),
            Triple::new(link.clone(), term::DECISION, lit(c.decision.as_str())),
            Triple::new(link.clone(), term::DECISION_BASIS, lit(c.basis)),
            Triple::new(link.clone(), ext::DCTERMS_IS_PART_OF, set.clone()),
        ]);
        if let Some(rel) = c.relation {
            triples.push(Triple::new(link.clone(), term::RELATION, lit(rel.as_str())));
        }
        if !c.evidence.is_empty() {
            triples.push(Triple::new(
                link,
                ext::SKOS_EDITORIAL_NOTE,
                lit(&c.evidence),
            ));
        }
    }
    triples.extend([
        Triple::new(set.clone(), ext::RDF_TYPE, void("Linkset")),
        Triple::new(set.clone(), void("linkPredicate"), term::LINKED_LINE),
        Triple::new(set.clone(), void("subjectsTarget"), NamedNode::new_unchecked(id("dataset", "medrd-kg"))),
        Triple::new(set.clone(), void("objectsTarget"), NamedNode::new_unchecked(id("dataset", "rs"))),
        Triple::new(
            set.clone(),
            void("triples"),
            Literal::new_typed_literal(n_links.to_string(), NamedNodeRef::new_unchecked("http://www.w3.org/2001/XMLSchema#integer")),
        ),
        Triple::new(
            set,
            ext::RDFS_COMMENT,
            Literal::new_language_tagged_literal_unchecked(
                "Typed links from medrd-kg programs to budget programs of the administrative project review (行政事業レビュー, RS), each also written as rs:linkedLine: rs:sameBudgetLine (the same program), rs:hasPartInRs (the RS line is one ministry's share), rs:partOfRsProgram (the RS line is the whole of which our program is a part), rs:fundedThroughAggregate (our program is one of many behind one aggregate line); each pair is described by an rs:CandidateLink with its score, relation and evidence.",
                "en",
            ),
        ),
    ]);
    crate::order::sort_triples(&mut triples);
    triples
}

/// Precision and recall of the links against known true pairs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quality {
    pub true_positives: usize,
    pub predicted: usize,
    pub expected: usize,
    pub precision: f64,
    pub recall: f64,
    /// Of the true positives, how many carry the truth's relation.
    pub same_relation: usize,
}

/// Measures the linked pairs of `candidates` against `truth` (program slug, RS id →
/// relation, empty when the truth gives none): precision = true links / links, recall = true
/// links / true pairs; and how many true links have the truth's relation.
pub fn quality(candidates: &[Candidate], truth: &BTreeMap<(String, String), String>) -> Quality {
    let predicted: BTreeMap<(String, String), &str> = candidates
        .iter()
        .filter(|c| c.decision == Decision::Linked)
        .map(|c| {
            let rel = c.relation.map_or("", Relation::as_str);
            ((c.program.clone(), normalize_id(&c.rs_id)), rel)
        })
        .collect();
    let tp: Vec<_> = predicted
        .keys()
        .filter(|k| truth.contains_key(*k))
        .collect();
    let same = tp
        .iter()
        .filter(|k| truth[**k].is_empty() || truth[**k] == predicted[**k])
        .count();
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    Quality {
        true_positives: tp.len(),
        predicted: predicted.len(),
        expected: truth.len(),
        precision: ratio(tp.len(), predicted.len()),
        recall: ratio(tp.len(), truth.len()),
        same_relation: same,
    }
}
