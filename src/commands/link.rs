//! `medrd link rs`: link our programs with the administrative project review (RS) data and
//! write the linkset, the RS records as RDF and the review report (`medrd link judgit`: the
//! review sheets, in `link_judgit.rs`).

use crate::cli::LinkTarget;
use medrd_kg::ingest::link::matcher::{self, Candidate, Decision, Quality, Relation};
use medrd_kg::ingest::link::{self, DECISIONS_FILE};
use medrd_kg::inputs::escape;
use medrd_kg::query::output::{write_table, Table};
use medrd_kg::Kb;
use oxigraph::io::RdfFormat;
use oxigraph::model::{Literal, Term};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn run(kb: &Kb, target: LinkTarget) -> anyhow::Result<ExitCode> {
    match target {
        LinkTarget::Rs {
            paths,
            output,
            report,
            rs_graph,
            decisions,
            truth,
            max_unzipped,
            force,
        } => {
            // Refused before the work, so that no output is written when one is refused.
            for path in [&output, &report, &rs_graph].into_iter().flatten() {
                super::refuse_existing(path, force)?;
            }
            let dest = |path| super::Dest {
                file: Some(path),
                replace: force,
            };
            let decisions = decisions.unwrap_or_else(|| kb.layout.root.join(DECISIONS_FILE));
            let curated = medrd_kg::ingest::decisions::read(&decisions)?.rs;
            let linked = link::link_rs_with_limit(kb.ours(), &paths, &curated, max_unzipped)?;
            for f in &linked.rs.files {
                let units: Vec<String> = f
                    .units
                    .iter()
                    .map(|(c, u)| format!("{}={}", escape(c), unit_name(*u)))
                    .collect();
                eprintln!(
                    "read {} ({}, {}, {} rows{}{})",
                    f.name,
                    f.kind,
                    f.encoding,
                    f.rows,
                    if units.is_empty() { "" } else { "; units " },
                    units.join(" ")
                );
            }
            let mut out = std::io::stdout().lock();
            write_table(&review_table(&linked.candidates), &mut out)?;
            out.flush()?;
            if let Some(path) = &output {
                super::write_output(dest(path), |w| {
                    link::write_triples(&linked.linkset, format_of(path), w)
                })?;
            }
            if let Some(path) = &rs_graph {
                super::write_output(dest(path), |w| {
                    link::write_quads(&linked.rs_quads, format_of(path), w)
                })?;
            }
            if let Some(path) = &report {
                super::write_output(dest(path), |w| {
                    link::write_report_csv(&linked.candidates, w)
                })?;
            }
            let count = |d: Decision| linked.candidates.iter().filter(|c| c.decision == d).count();
            let rel = |r: Relation| {
                linked
                    .candidates
                    .iter()
                    .filter(|c| c.decision == Decision::Linked && c.relation == Some(r))
                    .count()
            };
            eprintln!(
                "{} RS programs; {} of our programs: {} links ({} exact, {} part, {} whole, {} aggregate), {} close, {} ambiguous, {} unmatched rows ({} curated decisions from {})",
                linked.rs.projects.len(),
                linked.candidates.iter().map(|c| &c.program).collect::<std::collections::BTreeSet<_>>().len(),
                count(Decision::Linked),
                rel(Relation::Exact),
                rel(Relation::Part),
                rel(Relation::Whole),
                rel(Relation::Aggregate),
                count(Decision::Close),
                count(Decision::Ambiguous),
                count(Decision::Unmatched),
                curated.len(),
                decisions.display()
            );
            if let Some(truth) = &truth {
                let truth = link::read_truth(truth)?;
                print_quality(
                    "matcher (score only)",
                    matcher::quality(&linked.by_score, &truth),
                );
                print_quality(
                    "with curated decisions",
                    matcher::quality(&linked.candidates, &truth),
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        LinkTarget::Judgit {
            paths,
            output,
            report,
            judgit_graph,
            decisions,
            truth,
            force,
        } => super::link_judgit::run(
            kb,
            super::link_judgit::Args {
                paths,
                output,
                report,
                judgit_graph,
                decisions,
                truth,
                force,
            },
        ),
        LinkTarget::Ids { output, force } => {
            let path = kb.layout.root.join(link::identifiers::IDENTIFIERS_FILE);
            let ids = link::identifiers::read(&path)?;
            let triples = link::identifiers::triples(&ids);
            let format = output.as_deref().map_or(RdfFormat::Turtle, format_of);
            let dest = super::Dest {
                file: output.as_deref(),
                replace: force,
            };
            super::write_output(dest, |w| link::write_triples(&triples, format, w))?;
            eprintln!("{} verified identifiers from {}", ids.len(), path.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_quality(what: &str, q: Quality) {
    eprintln!(
        "{what}: precision {:.3} ({}/{}), recall {:.3} ({}/{}); relation as in the truth for {}/{}",
        q.precision,
        q.true_positives,
        q.predicted,
        q.recall,
        q.true_positives,
        q.expected,
        q.same_relation,
        q.true_positives
    );
}

fn unit_name(u: i64) -> &'static str {
    match u {
        1 => "円",
        1_000 => "千円",
        1_000_000 => "百万円",
        _ => "億円",
    }
}

/// A long name cut to `n` characters with an ellipsis, so the table stays readable.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).chain(['…']).collect()
    }
}

fn review_table(candidates: &[Candidate]) -> Table {
    let lit = |s: &str| Some(Term::from(Literal::new_simple_literal(s)));
    Table {
        vars: [
            "program_ja",
            "rs_id",
            "rs_name",
            "score",
            "decision",
            "relation",
            "basis",
        ]
        .map(String::from)
        .to_vec(),
        rows: candidates
            .iter()
            .map(|c| {
                let score = if c.rs_id.is_empty() {
                    String::new()
                } else {
                    format!("{:.3}", c.score)
                };
                vec![
                    lit(&cut(&c.program_ja, 28)),
                    lit(&c.rs_id),
                    lit(&cut(&c.rs_name, 28)),
                    lit(&score),
                    lit(c.decision.as_str()),
                    lit(c.relation.map_or("", |r| r.as_str())),
                    lit(c.basis),
                ]
            })
            .collect(),
    }
}

fn format_of(path: &Path) -> RdfFormat {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(RdfFormat::from_extension)
        .unwrap_or(RdfFormat::Turtle)
}
