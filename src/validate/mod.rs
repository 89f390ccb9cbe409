//! `medrd validate`: the `*-violation.rq` checks (each must return no rows), the SHACL shapes
//! of `queries/shapes/` (no node may violate one, [`shacl`]) and the provenance check of
//! every cited source line.

pub mod shacl;

use crate::error::{Error, Result};
use crate::ingest::document::provenance;
use crate::parallel::{self, Job};
use crate::query::catalog::{self, NamedQuery};
use crate::query::output::Table;
use crate::store::Kb;

/// The outcome of one check.
#[derive(Debug)]
pub struct CheckResult {
    pub name: String,
    pub summary: String,
    /// One line per violation.
    pub violations: Vec<String>,
}

/// Runs every check against the knowledge base, on every core ([`parallel::run`]); the
/// results in the order of the checks, then the shapes, then the source lines.
pub fn run(kb: &Kb) -> Result<Vec<CheckResult>> {
    parallel::run(jobs(kb)?)
}

/// Every check as a job of its own, in the order [`run`] gives their results: for a caller
/// that runs them beside other work that only reads the store (`medrd build` sorts the
/// quads for its exports meanwhile).
pub fn jobs(kb: &Kb) -> Result<Vec<Job<'_, CheckResult, Error>>> {
    let checks = catalog::checks(&kb.layout.queries())?;
    // The shapes read the embedded store: with --endpoint, whose graphs may be others, they
    // are not run (the violation queries are, on the endpoint).
    let shapes = match kb.layout.endpoint {
        Some(_) => Vec::new(),
        None => shacl::read(&kb.layout.queries().join("shapes"))?,
    };
    let mut jobs: Vec<Job<'_, CheckResult, Error>> = Vec::new();
    for check in checks {
        jobs.push(Box::new(move || query_check(kb, &check)));
    }
    for shape in shapes {
        jobs.push(Box::new(move || {
            Ok(CheckResult {
                violations: shacl::check(kb, &shape),
                name: shape.name,
                summary: shape.summary,
            })
        }));
    }
    jobs.push(Box::new(|| source_lines(kb)));
    Ok(jobs)
}

/// A `*-violation.rq` check: one violation per row, its columns as `name=value`.
fn query_check(kb: &Kb, check: &NamedQuery) -> Result<CheckResult> {
    let table = Table::collect(kb.query(&check.name, &check.text)?)?;
    let violations = table
        .texts()
        .into_iter()
        .map(|row| {
            table
                .vars
                .iter()
                .zip(row)
                .map(|(v, c)| format!("{v}={c}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    Ok(CheckResult {
        name: check.name.clone(),
        summary: check.summary.clone(),
        violations,
    })
}

/// Every cited line of the source text holds what is recorded for it.
fn source_lines(kb: &Kb) -> Result<CheckResult> {
    Ok(CheckResult {
        name: "source-lines".into(),
        summary:
            "Every cited line of the source text holds the name, text or figure recorded for it."
                .into(),
        violations: kb
            .documents()
            .iter()
            .enumerate()
            .map(|(i, d)| provenance::verify(d, i == 0))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .map(|m| format!("{}: {}", m.at, m.message))
            .collect(),
    })
}
