//! `medrd validate`: the `*-violation.rq` checks (each must return no rows), the SHACL shapes
//! of `queries/shapes/` (no node may violate one, [`shacl`]) and the provenance check of
//! every cited source line.

pub mod shacl;

use crate::error::Result;
use crate::ingest::document::provenance;
use crate::query::catalog;
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

/// Runs every check against the knowledge base.
pub fn run(kb: &Kb) -> Result<Vec<CheckResult>> {
    let mut results = Vec::new();
    for check in catalog::checks(&kb.layout.queries())? {
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
        results.push(CheckResult {
            name: check.name.clone(),
            summary: check.summary.clone(),
            violations,
        });
    }
    // The shapes read the embedded store: with --endpoint, whose graphs may be others, they
    // are not run (the violation queries are, on the endpoint).
    let shapes = match kb.layout.endpoint {
        Some(_) => Vec::new(),
        None => shacl::read(&kb.layout.queries().join("shapes"))?,
    };
    for shape in shapes {
        results.push(CheckResult {
            violations: shacl::check(kb, &shape),
            name: shape.name,
            summary: shape.summary,
        });
    }
    results.push(CheckResult {
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
    });
    Ok(results)
}
