//! `medrd validate`: report each check, exit 1 when any has violations.

use medrd_kg::{validate, Kb};
use std::process::ExitCode;

pub fn run(kb: &Kb) -> anyhow::Result<ExitCode> {
    if kb.layout.endpoint.is_some() {
        eprintln!(
            "note: the SHACL shapes of queries/shapes/ read the embedded store: not run with --endpoint"
        );
    }
    let results = validate::run(kb)?;
    let failed = report(&results);
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Prints one line per check (and one per violation) and returns the number of failed checks.
pub fn report(results: &[validate::CheckResult]) -> usize {
    let mut failed = 0;
    for r in results {
        if r.violations.is_empty() {
            eprintln!("ok    {}", r.name);
        } else {
            failed += 1;
            eprintln!("FAIL  {} — {}", r.name, r.summary);
            for v in &r.violations {
                println!("{}: {}", r.name, medrd_kg::inputs::escape(v));
            }
        }
    }
    eprintln!("{} checks, {} failed", results.len(), failed);
    failed
}
