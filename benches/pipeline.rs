//! The pipeline's speed on our document, per stage and end to end (`cargo bench --bench
//! pipeline`; scripts/bench.sh runs it beside the rdflib baseline): build the store from
//! ontology/ + data/, validate, run every named query, draw every diagram as DOT.

use medrd_kg::{bench, Kb, Layout};
use std::sync::OnceLock;

// The allocator of the `medrd` binary, so that the numbers are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn layout() -> Layout {
    Layout::new(env!("CARGO_MANIFEST_DIR"))
}

fn kb() -> &'static Kb {
    static KB: OnceLock<Kb> = OnceLock::new();
    KB.get_or_init(|| Kb::load(layout()).expect("load the knowledge base"))
}

/// Build the store: parse ontology/, read data/, insert, apply the rules.
#[divan::bench(sample_count = 30)]
fn build_store() -> Kb {
    bench::load(&layout()).expect("load")
}

/// `medrd validate`: every *-violation.rq check and the source-line check.
#[divan::bench(sample_count = 30)]
fn validate() -> usize {
    bench::run_checks(kb()).expect("validate")
}

/// Every named query of queries/, to the last row.
#[divan::bench(sample_count = 30)]
fn named_queries() -> usize {
    bench::run_queries(kb()).expect("queries").len()
}

/// Every built-in diagram, drawn as DOT.
#[divan::bench(sample_count = 30)]
fn diagrams_dot() -> usize {
    bench::draw_all(kb()).expect("diagrams").len()
}

/// The whole pipeline end to end.
#[divan::bench(sample_count = 30)]
fn whole_pipeline() -> usize {
    bench::pipeline(&layout()).expect("pipeline").triples
}
