//! `medrd publish`: put our graphs (ontology, data and any `--with` graphs) into a remote
//! store by the SPARQL 1.1 Graph Store Protocol, each named graph replacing its namesake.

use medrd_kg::{publish::graph_store, Kb};
use std::process::ExitCode;

pub fn run(kb: &Kb, graph_store: &str) -> anyhow::Result<ExitCode> {
    let mut total = 0;
    for (graph, count) in graph_store::publish(graph_store, kb)? {
        eprintln!("put {count} triples into <{graph}>");
        total += count;
    }
    eprintln!("published {total} triples to {graph_store}");
    Ok(ExitCode::SUCCESS)
}
