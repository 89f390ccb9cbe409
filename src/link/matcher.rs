//! Matching our programs to RS budget programs: the documented score, the decision rule,
//! the curated decisions of `data/link-decisions.toml` that win over the score, the
//! linkset (SKOS mapping triples plus one described `rs:CandidateLink` per pair) and the
//! review report.
//!
//! Score of a pair = best name score (`normalize::name_score`, over our ja label and
//! `skos:altLabel`s against the RS program's current and older names) × ministry factor:
//! 1.0 when the RS 府省庁 is one of the program's ministries, 0.6 when it is another
//! ministry, 0.9 when either side has no ministry we can compare.
//!
//! Decision per program: pairs below [`CANDIDATE`] are dropped. Among the pairs at or above
//! [`EXACT`], per RS ministry, the best is `exact` when no other pair of that ministry is
//! within [`MARGIN`] of it, else every pair within the margin is `ambiguous` (a program run
//! by several ministries can so have one exact match per ministry). Every other kept pair
//! is `close`. A program with no pair left is `unmatched`. A curated `accept` makes the pair
//! `exact` (and the program's other pairs `close`); a curated `reject` drops the pair (it is
//! reported as `unmatched` with basis `curated`).

use super::normalize::name_score;
use super::rs::{project_iri, term, RsData, RsProject};
use crate::error::{Error, Result};
use crate::kb::Kb;
use crate::output::Table;
use crate::vocab::{ext, id};
use oxigraph::model::{Literal, NamedNode, NamedNodeRef, Triple};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// At or above: an exact match (skos:exactMatch) unless contested.
pub const EXACT: f64 = 0.9;
/// Below: not a candidate at all.
pub const CANDIDATE: f64 = 0.6;
/// Two pairs of one ministry closer than this are ambiguous.
pub const MARGIN: f64 = 0.05;
/// Ministry factor when the RS ministry is another of ours.
pub const OTHER_MINISTRY: f64 = 0.6;
/// Ministry factor when a side has no ministry to compare.
pub const UNKNOWN_MINISTRY: f64 = 0.9;

/// One of our programs, as the matcher sees it.
#[derive(Clone, Debug)]
pub struct Program {
    pub slug: String,
    pub ja: String,
    pub names: Vec<String>,
    /// Ministry codes (`mhlw` …).
    pub ministries: Vec<String>,
}

impl Program {
    pub fn iri(&self) -> NamedNode {
        NamedNode::new_unchecked(id("program", &self.slug))
    }
}

/// The decision on a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Decision {
    Exact,
    Close,
    Ambiguous,
    Unmatched,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Exact => "exact",
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
    /// `score` or `curated`.
    pub basis: &'static str,
}

/// A reviewer's decision on a pair.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Curated {
    pub program: String,
    pub rs_id: String,
    /// `accept` or `reject`.
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionsFile {
    #[serde(default)]
    decision: Vec<Curated>,
}

/// Reads the curated decisions (`data/link-decisions.toml`); a missing file is no decisions.
pub fn read_decisions(path: &Path) -> Result<Vec<Curated>> {
    let Some(file) = crate::model::read_optional_toml::<DecisionsFile>(path)? else {
        return Ok(Vec::new());
    };
    for d in &file.decision {
        if d.decision != "accept" && d.decision != "reject" {
            return Err(Error::Import {
                path: path.to_owned(),
                message: format!(
                    "decision for {} / {} is {:?}; use \"accept\" or \"reject\"",
                    d.program, d.rs_id, d.decision
                ),
            });
        }
    }
    Ok(file.decision)
}

/// Our programs with their names and ministries, from the store.
pub fn programs(kb: &Kb) -> Result<Vec<Program>> {
    let q = "PREFIX medrd: <https://w3id.org/medrd-kg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?slug ?ja ?alt ?ministry WHERE {
          ?p a medrd:Program ; skos:notation ?slug ; rdfs:label ?ja . FILTER (LANG(?ja) = \"ja\")
          OPTIONAL { ?p skos:altLabel ?alt FILTER (LANG(?alt) = \"ja\") }
          OPTIONAL { ?p medrd:ministry/skos:notation ?ministry }
        } ORDER BY ?slug";
    let t = Table::collect(kb.query("link-programs", q)?)?;
    let mut by_slug: BTreeMap<String, Program> = BTreeMap::new();
    for r in 0..t.rows.len() {
        let slug = t.text(r, "slug");
        let p = by_slug.entry(slug.clone()).or_insert_with(|| Program {
            slug,
            ja: t.text(r, "ja"),
            names: vec![t.text(r, "ja")],
            ministries: Vec::new(),
        });
        let alt = t.text(r, "alt");
        if !alt.is_empty() && !p.names.contains(&alt) {
            p.names.push(alt);
        }
        let m = t.text(r, "ministry");
        if !m.is_empty() && !p.ministries.contains(&m) {
            p.ministries.push(m);
        }
    }
    Ok(by_slug.into_values().collect())
}

/// Our ministries by every Japanese name they go by (label, alt labels, legend form):
/// name → code.
pub fn ministry_names(kb: &Kb) -> Result<BTreeMap<String, String>> {
    let q = "PREFIX medrd: <https://w3id.org/medrd-kg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?code ?name WHERE {
          ?m a medrd:Ministry ; skos:notation ?code .
          { ?m rdfs:label ?name } UNION { ?m skos:altLabel ?name }
          FILTER (LANG(?name) = \"ja\")
        }";
    let t = Table::collect(kb.query("link-ministries", q)?)?;
    Ok((0..t.rows.len())
        .map(|r| (t.text(r, "name"), t.text(r, "code")))
        .collect())
}

/// Our ministry code of an RS 府省庁 name, if any (exact name after trimming spaces).
fn ministry_code<'a>(names: &'a BTreeMap<String, String>, rs: &str) -> Option<&'a str> {
    let key: String = rs.chars().filter(|c| !c.is_whitespace()).collect();
    names.get(&key).map(String::as_str)
}

/// The score of a pair (see the module documentation).
pub fn score(program: &Program, rs: &RsProject, ministries: &BTreeMap<String, String>) -> f64 {
    let name = program
        .names
        .iter()
        .flat_map(|a| rs.names.iter().map(move |b| name_score(a, b)))
        .fold(0.0, f64::max);
    let factor = match ministry_code(ministries, &rs.ministry) {
        Some(code) if program.ministries.iter().any(|m| m == code) => 1.0,
        Some(_) if !program.ministries.is_empty() => OTHER_MINISTRY,
        _ => UNKNOWN_MINISTRY,
    };
    name * factor
}

/// Scores every pair and decides (see the module documentation). One row per kept pair, or
/// per program without any; in program order, best score first.
pub fn match_programs(
    programs: &[Program],
    rs: &RsData,
    ministries: &BTreeMap<String, String>,
    curated: &[Curated],
) -> Vec<Candidate> {
    let verdict = |p: &str, r: &str| {
        curated
            .iter()
            .rev()
            .find(|c| c.program == p && c.rs_id == r)
            .map(|c| c.decision.as_str())
    };
    let mut out = Vec::new();
    for p in programs {
        let mut pairs: Vec<(f64, &RsProject)> = rs
            .projects
            .values()
            .map(|r| (score(p, r, ministries), r))
            .filter(|(s, r)| *s >= CANDIDATE || verdict(&p.slug, &r.id) == Some("accept"))
            .collect();
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
        let row = |s: f64, r: &RsProject, d: Decision, basis: &'static str| Candidate {
            program: p.slug.clone(),
            program_ja: p.ja.clone(),
            rs_id: r.id.clone(),
            rs_name: r.name().to_owned(),
            score: (s * 1000.0).round() / 1000.0,
            decision: d,
            basis,
        };
        let mut rows = Vec::new();
        let accepted = pairs
            .iter()
            .any(|(_, r)| verdict(&p.slug, &r.id) == Some("accept"));
        let live: Vec<(f64, &RsProject)> = pairs
            .iter()
            .copied()
            .filter(|(_, r)| verdict(&p.slug, &r.id) != Some("reject"))
            .collect();
        for (s, r) in &pairs {
            if verdict(&p.slug, &r.id) == Some("reject") {
                rows.push(row(*s, r, Decision::Unmatched, "curated"));
            }
        }
        if accepted {
            for (s, r) in &live {
                if verdict(&p.slug, &r.id) == Some("accept") {
                    rows.push(row(*s, r, Decision::Exact, "curated"));
                } else {
                    rows.push(row(*s, r, Decision::Close, "score"));
                }
            }
        } else {
            let mut by_ministry: BTreeMap<&str, Vec<(f64, &RsProject)>> = BTreeMap::new();
            for (s, r) in &live {
                if *s >= EXACT {
                    by_ministry
                        .entry(r.ministry.as_str())
                        .or_default()
                        .push((*s, r));
                }
            }
            let mut decided: BTreeMap<&str, Decision> = BTreeMap::new();
            for group in by_ministry.values() {
                let best = group[0].0;
                let contested: Vec<_> = group.iter().filter(|(s, _)| best - s < MARGIN).collect();
                let d = if contested.len() == 1 {
                    Decision::Exact
                } else {
                    Decision::Ambiguous
                };
                for (_, r) in contested {
                    decided.insert(r.id.as_str(), d);
                }
            }
            for (s, r) in &live {
                let d = decided
                    .get(r.id.as_str())
                    .copied()
                    .unwrap_or(Decision::Close);
                rows.push(row(*s, r, d, "score"));
            }
        }
        if rows.is_empty() {
            rows.push(Candidate {
                program: p.slug.clone(),
                program_ja: p.ja.clone(),
                rs_id: String::new(),
                rs_name: String::new(),
                score: 0.0,
                decision: Decision::Unmatched,
                basis: "score",
            });
        }
        rows.sort_by(|a, b| {
            a.decision
                .cmp(&b.decision)
                .then(b.score.total_cmp(&a.score))
                .then(a.rs_id.cmp(&b.rs_id))
        });
        out.extend(rows);
    }
    out
}

/// The linkset: `skos:exactMatch` for exact pairs, `skos:closeMatch` for close and ambiguous
/// ones, and for every pair an `rs:CandidateLink` with its score, decision and basis.
pub fn linkset(candidates: &[Candidate]) -> Vec<Triple> {
    let mut triples = Vec::new();
    let exact = NamedNodeRef::new_unchecked("http://www.w3.org/2004/02/skos/core#exactMatch");
    let close = NamedNodeRef::new_unchecked("http://www.w3.org/2004/02/skos/core#closeMatch");
    let void = |l: &str| NamedNode::new_unchecked(format!("http://rdfs.org/ns/void#{l}"));
    let set = NamedNode::new_unchecked(id("linkset", "rs"));
    let mut n_exact = 0;
    for c in candidates.iter().filter(|c| !c.rs_id.is_empty()) {
        let program = NamedNode::new_unchecked(id("program", &c.program));
        let rs = project_iri(&c.rs_id);
        match c.decision {
            Decision::Exact => {
                triples.push(Triple::new(program.clone(), exact, rs.clone()));
                n_exact += 1;
            }
            Decision::Close | Decision::Ambiguous => {
                triples.push(Triple::new(program.clone(), close, rs.clone()))
            }
            Decision::Unmatched => {}
        }
        let link = NamedNode::new_unchecked(format!(
            "{}/{}--{}",
            set.as_str(),
            c.program,
            &rs.as_str()[rs.as_str().rfind('/').map_or(0, |i| i + 1)..]
        ));
        let dec = |v: String| Literal::new_typed_literal(v, ext::XSD_DECIMAL);
        triples.extend([
            Triple::new(link.clone(), ext::RDF_TYPE, term::CANDIDATE_LINK),
            Triple::new(link.clone(), term::LINK_SUBJECT, program),
            Triple::new(link.clone(), term::LINK_OBJECT, rs),
            Triple::new(
                link.clone(),
                term::MATCH_SCORE,
                dec(format!("{:.3}", c.score)),
            ),
            Triple::new(
                link.clone(),
                term::DECISION,
                Literal::new_simple_literal(c.decision.as_str()),
            ),
            Triple::new(
                link.clone(),
                term::DECISION_BASIS,
                Literal::new_simple_literal(c.basis),
            ),
            Triple::new(link, ext::DCTERMS_IS_PART_OF, set.clone()),
        ]);
    }
    triples.extend([
        Triple::new(set.clone(), ext::RDF_TYPE, void("Linkset")),
        Triple::new(set.clone(), void("linkPredicate"), exact),
        Triple::new(set.clone(), void("subjectsTarget"), NamedNode::new_unchecked(id("dataset", "medrd-kg"))),
        Triple::new(set.clone(), void("objectsTarget"), NamedNode::new_unchecked(id("dataset", "rs"))),
        Triple::new(
            set.clone(),
            void("triples"),
            Literal::new_typed_literal(n_exact.to_string(), NamedNodeRef::new_unchecked("http://www.w3.org/2001/XMLSchema#integer")),
        ),
        Triple::new(
            set,
            ext::RDFS_COMMENT,
            Literal::new_language_tagged_literal_unchecked(
                "Links from medrd-kg programs to budget programs of the administrative project review (行政事業レビュー, RS): skos:exactMatch at a score of 0.9 or above or by a reviewer's decision, skos:closeMatch otherwise; each pair is described by an rs:CandidateLink with its score.",
                "en",
            ),
        ),
    ]);
    triples.sort_by_cached_key(|t| t.to_string());
    triples.dedup();
    triples
}

/// Precision and recall of the exact decisions against known true pairs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quality {
    pub true_positives: usize,
    pub predicted: usize,
    pub expected: usize,
    pub precision: f64,
    pub recall: f64,
}

/// Measures the exact pairs of `candidates` against `truth` (program slug, RS id): precision
/// = true exact pairs / exact pairs, recall = true exact pairs / true pairs.
pub fn quality(candidates: &[Candidate], truth: &BTreeSet<(String, String)>) -> Quality {
    let predicted: BTreeSet<(String, String)> = candidates
        .iter()
        .filter(|c| c.decision == Decision::Exact)
        .map(|c| (c.program.clone(), c.rs_id.clone()))
        .collect();
    let tp = predicted.intersection(truth).count();
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    Quality {
        true_positives: tp,
        predicted: predicted.len(),
        expected: truth.len(),
        precision: ratio(tp, predicted.len()),
        recall: ratio(tp, truth.len()),
    }
}
