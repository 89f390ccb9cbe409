//! `medrd link judgit`: read review sheets of JUDGIT! (any editions, any ministries), join them
//! across editions and to the RS lines, link our programs and projects to them, and write the
//! linkset, the sheets as RDF and the review report; measure the links against a truth table.

use super::{refuse_existing, write_output, Dest};
use medrd_kg::ingest::judgit::{decisions, read, Judgit, RsSide};
use medrd_kg::ingest::link::matcher::{self, Decision, Relation};
use medrd_kg::ingest::link::{self, DECISIONS_FILE};
use medrd_kg::ingest::sources::{self, SheetSource};
use medrd_kg::query::output::{write_table, Table};
use medrd_kg::Kb;
use oxigraph::io::RdfFormat;
use oxigraph::model::{Literal, Term};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `medrd link judgit` was asked to do.
pub struct Args {
    pub paths: Vec<PathBuf>,
    pub output: Option<PathBuf>,
    pub report: Option<PathBuf>,
    pub judgit_graph: Option<PathBuf>,
    pub decisions: Option<PathBuf>,
    pub truth: Option<PathBuf>,
    pub force: bool,
}

pub fn run(kb: &Kb, a: Args) -> anyhow::Result<ExitCode> {
    // Refused before the work, so that no output is written when one is refused.
    for path in [&a.output, &a.report, &a.judgit_graph]
        .into_iter()
        .flatten()
    {
        refuse_existing(path, a.force)?;
        refuse_inside(path, &a.paths)?;
    }
    let source = kb.sources.review_sheets.first().ok_or_else(|| {
        anyhow::anyhow!("data/ has no review-sheets source: its source.toml holds the table of 府省庁 the sheets are read with")
    })?;
    let started = std::time::Instant::now();
    let decisions_path = a
        .decisions
        .clone()
        .unwrap_or_else(|| kb.layout.root.join(DECISIONS_FILE));
    let medrd_kg::ingest::decisions::Decisions {
        rs: curated,
        sheets: sheet_decisions,
        ..
    } = medrd_kg::ingest::decisions::read(&decisions_path)?;
    let ours = kb.ours();
    let programs = matcher::programs(ours.stats, &ours.queries)?;
    let ministries = matcher::ministry_names(ours.stats, &ours.queries)?;
    let rs = sources::read_editions(&kb.sources.editions)?;
    let rs_links = matcher::match_programs(&programs, &rs, &ministries, &curated);
    let side = RsSide {
        stats: ours.stats,
        queries: &ours.queries,
        root: &kb.layout.root,
        programs: &programs,
        rs: &rs,
        rs_links: &rs_links,
        ministries: &ministries,
    };
    let files = read::sheet_files(&a.paths)?;
    let j = side.import_with(&files, &source.ministries, &sheet_decisions)?;
    eprintln!(
        "read {} sheets in {:.1} s",
        j.sheets.len(),
        started.elapsed().as_secs_f64()
    );
    let mut out = std::io::stdout().lock();
    write_table(&review_table(&j), &mut out)?;
    out.flush()?;
    write_files(&a, &j, &side, source)?;
    summary(&j, sheet_decisions.len(), &decisions_path);
    if let Some(truth) = &a.truth {
        let truth = decisions::read_truth(truth)?;
        print_quality(
            "rules alone",
            decisions::quality(&j.by_rules, &j.sheets, &truth),
        );
        print_quality(
            "with curated decisions",
            decisions::quality(&j.links, &j.sheets, &truth),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses an output path inside (or equal to) one of the input paths: the sheets read are
/// never overwritten, and a file written among them would be read next time.
fn refuse_inside(path: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    let full = |p: &Path| -> PathBuf {
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        match (dir.canonicalize(), p.file_name()) {
            (Ok(d), Some(n)) => d.join(n),
            _ => p.to_owned(),
        }
    };
    let out = full(path);
    for input in inputs {
        let input = input.canonicalize().unwrap_or_else(|_| input.clone());
        if out == input || out.starts_with(&input) {
            anyhow::bail!(
                "{} is inside the input {}: write it elsewhere",
                path.display(),
                input.display()
            );
        }
    }
    Ok(())
}

fn write_files(
    a: &Args,
    j: &Judgit,
    side: &RsSide<'_>,
    source: &SheetSource,
) -> anyhow::Result<()> {
    let dest = |path| Dest {
        file: Some(path),
        replace: a.force,
    };
    if let Some(path) = &a.output {
        let quads = j.link_quads();
        write_output(dest(path), |w| {
            link::write_quads(&quads, format_of(path), w)
        })?;
    }
    if let Some(path) = &a.judgit_graph {
        let mut quads = j.sheet_quads(&side.our_ministries(), &Default::default());
        // The editions read, described as the loader describes the committed ones.
        let mut read = source.clone();
        read.editions = j.sheets.iter().map(|s| s.edition).collect();
        read.editions.dedup();
        quads.extend(sources::sheets_description(&read));
        eprintln!("{} quads of sheets", quads.len());
        write_output(dest(path), |w| {
            link::write_quads(&quads, format_of(path), w)
        })?;
    }
    if let Some(path) = &a.report {
        write_output(dest(path), |w| {
            decisions::write_report(&j.links, &j.unmatched, &j.sheets, w)
        })?;
    }
    Ok(())
}

fn summary(j: &Judgit, n_decisions: usize, from: &Path) {
    let l = &j.lineage;
    let rel = |r: Relation| {
        j.links
            .iter()
            .filter(|x| x.decision == Decision::Linked && x.relation == Some(r))
            .count()
    };
    eprintln!(
        "lineages: {} rs:continues, {} rs:splitFrom, {} rs:shareOf, {} rs:continuedAs; {} aggregate lines",
        l.continues.len(), l.split_from.len(), l.share_of.len(), l.continued_as.len(), j.aggregates.len()
    );
    eprintln!(
        "links: {} ({} exact, {} part, {} whole, {} aggregate, {} project-share, {} successor), {} rejected; {} programs without a sheet ({} curated decisions from {})",
        j.links.iter().filter(|x| x.decision == Decision::Linked).count(),
        rel(Relation::Exact), rel(Relation::Part), rel(Relation::Whole), rel(Relation::Aggregate),
        rel(Relation::ProjectShare), rel(Relation::Successor),
        j.links.iter().filter(|x| x.decision == Decision::Unmatched).count(),
        j.unmatched.len(), n_decisions, from.display()
    );
}

fn print_quality(what: &str, q: decisions::Quality) {
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

fn review_table(j: &Judgit) -> Table {
    let lit = |s: &str| Some(Term::from(Literal::new_simple_literal(s)));
    let cut = |s: &str, n: usize| -> String {
        if s.chars().count() <= n {
            s.to_owned()
        } else {
            s.chars().take(n - 1).chain(['…']).collect()
        }
    };
    Table {
        vars: [
            "subject",
            "sheet",
            "sheet_name",
            "decision",
            "relation",
            "basis",
        ]
        .map(String::from)
        .to_vec(),
        rows: j
            .links
            .iter()
            .map(|l| {
                let s = &j.sheets[l.sheet];
                vec![
                    lit(&l.subject),
                    lit(&s.key()),
                    lit(&cut(&s.name, 28)),
                    lit(l.decision.as_str()),
                    lit(l.relation.map_or("", Relation::as_str)),
                    lit(l.basis),
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
