//! Timing the pipeline for `medrd bench` and `benches/`: build the store, validate, run
//! every named query, draw every diagram as DOT; and, for the scale runs, load throughput,
//! peak memory and each named query's latency. Timings only: speed targets live in
//! `benches/` and `scripts/bench.sh`, never in tests.

pub mod synth;

use crate::diagram::{self, Lang};
use crate::error::Result;
use crate::query::catalog;
use crate::query::output::Table;
use crate::{validate, Kb, Layout};
use std::time::{Duration, Instant};

/// One timed step and how much it produced (rows, violations, DOT bytes…).
#[derive(Clone, Debug)]
pub struct Timing {
    pub name: String,
    pub elapsed: Duration,
    pub size: usize,
}

/// The stages of one pipeline run.
#[derive(Clone, Debug, Default)]
pub struct Pipeline {
    pub load: Duration,
    pub validate: Duration,
    pub queries: Vec<Timing>,
    pub diagrams: Vec<Timing>,
    pub total: Duration,
    /// Triples in the store after the load.
    pub triples: usize,
    /// Failed checks (0 on our data).
    pub failed_checks: usize,
}

impl Pipeline {
    pub fn queries_total(&self) -> Duration {
        self.queries.iter().map(|t| t.elapsed).sum()
    }
    pub fn diagrams_total(&self) -> Duration {
        self.diagrams.iter().map(|t| t.elapsed).sum()
    }
}

fn timed<T>(f: impl FnOnce() -> Result<T>) -> Result<(T, Duration)> {
    let start = Instant::now();
    let v = f()?;
    Ok((v, start.elapsed()))
}

/// Loads the knowledge base (the "build" stage), as `medrd build` does: with the read-only
/// copy its queries are answered from ([`Kb::load_frozen`]).
pub fn load(layout: &Layout) -> Result<Kb> {
    Kb::load_frozen(layout.clone())
}

/// Runs every check; returns how many failed.
pub fn run_checks(kb: &Kb) -> Result<usize> {
    Ok(validate::run(kb)?
        .iter()
        .filter(|c| !c.violations.is_empty())
        .count())
}

/// Runs every named query to the last row.
pub fn run_queries(kb: &Kb) -> Result<Vec<Timing>> {
    catalog::named(&kb.layout.queries())?
        .iter()
        .map(|q| {
            let (table, elapsed) = timed(|| Table::collect(kb.query(&q.name, &q.text)?))?;
            Ok(Timing {
                name: q.name.clone(),
                elapsed,
                size: table.rows.len(),
            })
        })
        .collect()
}

/// Draws one diagram as DOT.
pub fn draw(kb: &Kb, kind: &diagram::Kind) -> Result<Timing> {
    let (dot, elapsed) = timed(|| {
        Ok(diagram::dot::to_dot(&diagram::build(
            kb,
            kind,
            Lang::Ja,
            None,
        )?))
    })?;
    Ok(Timing {
        name: kind.file_stem(),
        elapsed,
        size: dot.len(),
    })
}

/// Draws every built-in diagram as DOT.
pub fn draw_all(kb: &Kb) -> Result<Vec<Timing>> {
    diagram::all_kinds(kb)?
        .iter()
        .map(|k| draw(kb, k))
        .collect()
}

/// One run of the whole pipeline, timed per stage.
pub fn pipeline(layout: &Layout) -> Result<Pipeline> {
    let start = Instant::now();
    let (kb, load) = timed(|| load(layout))?;
    let (failed_checks, validate) = timed(|| run_checks(&kb))?;
    let queries = run_queries(&kb)?;
    let diagrams = draw_all(&kb)?;
    Ok(Pipeline {
        load,
        validate,
        queries,
        diagrams,
        total: start.elapsed(),
        triples: kb.len()?,
        failed_checks,
    })
}

/// The peak resident memory of this process so far, in bytes (Linux: VmHWM of
/// /proc/self/status; `None` elsewhere).
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The median of some durations (the upper one of an even count).
pub fn median(mut d: Vec<Duration>) -> Duration {
    d.sort();
    d.get(d.len() / 2).copied().unwrap_or_default()
}

/// Each check of `medrd validate` timed on its own: the SPARQL checks, the SHACL shapes, then
/// the source-line check (for finding the slow one; `run_checks` is what the pipeline times).
pub fn check_timings(kb: &Kb) -> Result<Vec<Timing>> {
    let mut out = Vec::new();
    for q in catalog::checks(&kb.layout.queries())? {
        let (table, elapsed) = timed(|| Table::collect(kb.query(&q.name, &q.text)?))?;
        out.push(Timing {
            name: q.name.clone(),
            elapsed,
            size: table.rows.len(),
        });
    }
    if kb.layout.endpoint.is_none() {
        for shape in crate::validate::shacl::read(&kb.layout.queries().join("shapes"))? {
            let (v, elapsed) = timed(|| Ok(crate::validate::shacl::check(kb, &shape)))?;
            out.push(Timing {
                name: shape.name,
                elapsed,
                size: v.len(),
            });
        }
    }
    let (v, elapsed) = timed(|| {
        let mut all = Vec::new();
        for (i, d) in kb.documents().iter().enumerate() {
            all.extend(crate::ingest::document::provenance::verify(d, i == 0)?);
        }
        Ok(all)
    })?;
    out.push(Timing {
        name: "source-lines".into(),
        elapsed,
        size: v.len(),
    });
    Ok(out)
}
