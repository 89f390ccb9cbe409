//! `medrd bench`: time the pipeline on our document (`pipeline`), write a synthetic
//! knowledge base of a chosen size (`gen`), and measure load throughput, peak memory, each
//! named query's latency and one diagram's time on whatever `--with` loads (`scale`).

use crate::cli::BenchCommand;
use anyhow::Context;
use medrd_kg::bench::synth;
use medrd_kg::bench::{self, median, Timing};
use medrd_kg::diagram::Kind;
use medrd_kg::{Kb, Layout};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

pub fn run(layout: Layout, command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Pipeline { runs, json, detail } => pipeline(&layout, runs, json, detail),
        BenchCommand::Gen {
            programs,
            output,
            force,
        } => {
            let kb = Kb::load(layout).context("loading the knowledge base")?;
            let start = Instant::now();
            let generated = match &output {
                Some(path) => super::write_file(path, force, |mut w| {
                    synth::generate(&kb, programs, &mut w, true)
                })?,
                None => {
                    let mut w =
                        std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
                    let g = synth::generate(&kb, programs, &mut w, false)?;
                    w.flush()?;
                    g
                }
            };
            eprintln!(
                "generated {} triples: {} copies of the data graph, {} programs, in {:.1} s{}",
                generated.triples,
                generated.copies,
                generated.programs,
                start.elapsed().as_secs_f64(),
                output
                    .map(|p| format!(" ({})", p.display()))
                    .unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Explain { query } => {
            let kb = Kb::load(layout).context("loading the knowledge base")?;
            let q = medrd_kg::query::catalog::resolve(&kb.layout.queries(), &query)?;
            let evaluator = oxigraph::sparql::SparqlEvaluator::new();
            let mut prepared =
                medrd_kg::query::bounds::parse_query(evaluator, &q.text).map_err(|e| q.error(e))?;
            prepared.dataset_mut().set_default_graph_as_union();
            let store = kb.store()?;
            let (results, explanation) = kb
                .stats
                .plan(|| prepared.on_store(store).compute_statistics().explain());
            // Read every row, so that the statistics are complete.
            if let oxigraph::sparql::QueryResults::Solutions(s) = results.map_err(|e| q.error(e))? {
                for row in s {
                    row.map_err(|e| q.error(e))?;
                }
            }
            let mut out = std::io::stdout().lock();
            explanation.write_in_json(&mut out)?;
            writeln!(out)?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Scale {
            runs,
            json,
            diagram,
            arg,
            into_store,
        } => scale(layout, runs, json, &diagram, arg.as_deref(), into_store),
    }
}

fn pipeline(layout: &Layout, runs: usize, as_json: bool, detail: bool) -> anyhow::Result<ExitCode> {
    // One run to warm the file cache, then the timed runs.
    bench::pipeline(layout)?;
    let mut all = Vec::new();
    for _ in 0..runs.max(1) {
        all.push(bench::pipeline(layout)?);
    }
    let stage = |f: &dyn Fn(&bench::Pipeline) -> Duration| -> (Duration, Duration) {
        let v: Vec<Duration> = all.iter().map(f).collect();
        (median(v.clone()), v.into_iter().min().unwrap_or_default())
    };
    let stages: Vec<(&str, (Duration, Duration))> = vec![
        ("load", stage(&|p| p.load)),
        ("validate", stage(&|p| p.validate)),
        ("queries", stage(&|p| p.queries_total())),
        ("diagrams", stage(&|p| p.diagrams_total())),
        ("total", stage(&|p| p.total)),
    ];
    let per_query = per_item(all.iter().map(|p| &p.queries));
    let first = &all[0];
    if as_json {
        let mut obj = serde_json::Map::new();
        obj.insert("runs".into(), json!(all.len()));
        obj.insert("triples".into(), json!(first.triples));
        obj.insert("failed_checks".into(), json!(first.failed_checks));
        obj.insert("diagrams".into(), json!(first.diagrams.len()));
        for (name, (med, min)) in &stages {
            obj.insert(format!("{name}_ms"), json!(ms(*med)));
            obj.insert(format!("{name}_min_ms"), json!(ms(*min)));
        }
        let q: serde_json::Map<_, _> = per_query
            .iter()
            .map(|(n, d)| (n.clone(), json!(ms(*d))))
            .collect();
        obj.insert("query_ms".into(), q.into());
        let rows: serde_json::Map<_, _> = first
            .queries
            .iter()
            .map(|t| (t.name.clone(), json!(t.size)))
            .collect();
        obj.insert("query_rows".into(), rows.into());
        println!("{}", serde_json::to_string_pretty(&obj)?);
    } else {
        println!(
            "pipeline on {} triples, {} runs (median, min) in ms:",
            first.triples,
            all.len()
        );
        for (name, (med, min)) in &stages {
            println!("{name:<10} {:>9.3} {:>9.3}", ms(*med), ms(*min));
        }
        if detail {
            // Loaded as the pipeline and `validate` load it.
            let kb = Kb::load_frozen(layout.clone())?;
            let checks = per_item(
                (0..runs.max(1))
                    .map(|_| bench::check_timings(&kb))
                    .collect::<Result<Vec<_>, _>>()?
                    .iter(),
            );
            let diagrams = per_item(all.iter().map(|p| &p.diagrams));
            for (what, items) in [
                ("check", &checks),
                ("query", &per_query),
                ("diagram", &diagrams),
            ] {
                for (name, d) in items {
                    println!("  {what:<8} {name:<36} {:>9.3}", ms(*d));
                }
            }
        }
        println!(
            "({} named queries, {} diagrams, {} failed checks)",
            first.queries.len(),
            first.diagrams.len(),
            first.failed_checks
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The median time of each named item over several runs.
fn per_item<'a>(runs: impl Iterator<Item = &'a Vec<Timing>>) -> BTreeMap<String, Duration> {
    let mut by_name: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    for run in runs {
        for t in run {
            by_name.entry(t.name.clone()).or_default().push(t.elapsed);
        }
    }
    by_name.into_iter().map(|(n, d)| (n, median(d))).collect()
}

fn scale(
    layout: Layout,
    runs: usize,
    as_json: bool,
    diagram: &str,
    arg: Option<&str>,
    into_store: bool,
) -> anyhow::Result<ExitCode> {
    // In memory every insert is made on this thread (and a read-only load numbers each part
    // on it); on disk the bulk loader inserts on threads of its own, and a kept store
    // inserts nothing: no figure for this thread then.
    let in_memory = layout.store.is_none();
    let how = if into_store {
        Kb::load
    } else {
        Kb::load_frozen
    };
    let cpu = (medrd_kg::cpu::process_cpu(), medrd_kg::cpu::thread_cpu());
    let start = Instant::now();
    let kb = how(layout).context("loading the knowledge base")?;
    let load = start.elapsed();
    let since = |before: Option<Duration>, now: Option<Duration>| {
        before.zip(now).and_then(|(a, b)| b.checked_sub(a))
    };
    let load_cpu = since(cpu.0, medrd_kg::cpu::process_cpu());
    let insert_cpu = since(cpu.1, medrd_kg::cpu::thread_cpu()).filter(|_| in_memory);
    let triples = kb.len()?;
    let rss_load = bench::peak_rss();
    let mut query_runs = Vec::new();
    let mut rows = BTreeMap::new();
    for _ in 0..runs.max(1) {
        let timings = bench::run_queries(&kb)?;
        for t in &timings {
            rows.insert(t.name.clone(), t.size);
        }
        query_runs.push(timings);
    }
    let per_query = per_item(query_runs.iter());
    let kind = Kind::parse(diagram, arg)?;
    let mut diagram_times = Vec::new();
    let mut dot_bytes = 0;
    for _ in 0..runs.max(1) {
        let t = bench::draw(&kb, &kind)?;
        dot_bytes = t.size;
        diagram_times.push(t.elapsed);
    }
    let diagram_time = median(diagram_times);
    let rss = bench::peak_rss();
    let rate = triples as f64 / load.as_secs_f64();
    if as_json {
        let q: serde_json::Map<_, _> = per_query
            .iter()
            .map(|(n, d)| (n.clone(), json!({"ms": ms(*d), "rows": rows.get(n)})))
            .collect();
        let out = json!({
            "triples": triples,
            "load_ms": ms(load),
            "triples_per_s": rate.round(),
            "load_cpu_ms": load_cpu.map(ms),
            "load_thread_cpu_ms": insert_cpu.map(ms),
            "peak_rss_after_load_mb": rss_load.map(|b| b / (1 << 20)),
            "peak_rss_mb": rss.map(|b| b / (1 << 20)),
            "runs": runs.max(1),
            "queries": q,
            "diagram": kind.file_stem(),
            "diagram_ms": ms(diagram_time),
            "diagram_dot_bytes": dot_bytes,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("triples          {triples}");
        println!(
            "load             {:.3} s ({:.0} triples/s)",
            load.as_secs_f64(),
            rate
        );
        if let Some(all) = load_cpu {
            let one = insert_cpu.map_or(String::new(), |one| {
                format!(", {:.3} s on the one that loads", one.as_secs_f64())
            });
            println!(
                "load CPU         {:.3} s on every thread{one}",
                all.as_secs_f64()
            );
        }
        if let (Some(a), Some(b)) = (rss_load, rss) {
            println!(
                "peak RSS         {} MiB after load, {} MiB in all",
                a >> 20,
                b >> 20
            );
        }
        for (name, d) in &per_query {
            println!("query {name:<28} {:>10.3} ms  {} rows", ms(*d), rows[name]);
        }
        println!(
            "diagram {:<26} {:>10.3} ms  {} bytes of DOT",
            kind.file_stem(),
            ms(diagram_time),
            dot_bytes
        );
    }
    Ok(ExitCode::SUCCESS)
}
