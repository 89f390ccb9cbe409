//! `medrd stats`: sizes of the graphs and counts of the main classes.

use medrd_kg::ingest::sources;
use medrd_kg::query::output::{write_table, Table};
use medrd_kg::vocab::ONTOLOGY_GRAPH;
use medrd_kg::{query::catalog, Kb};
use std::process::ExitCode;

pub fn run(kb: &Kb) -> anyhow::Result<ExitCode> {
    let q = catalog::resolve(&kb.layout.queries(), "class-counts")?;
    let mut table = Table::collect(kb.query(&q.name, &q.text)?)?;
    // From the backend that answered the query: with --endpoint, the endpoint's graphs.
    let sizes = kb.graph_sizes()?;
    let size = |g| sizes.get(&g).copied().unwrap_or(0);
    let count = |n: usize| Some(oxigraph::model::Literal::from(n as i64).into());
    let label = |s: &str| Some(oxigraph::model::Literal::new_simple_literal(s).into());
    // One row per source graph (data/<slug>/), the links and the ontology.
    let mut rows = Vec::new();
    for g in kb
        .sources
        .graphs()
        .into_iter()
        .chain([sources::links_graph()])
    {
        let slug = g.as_str().rsplit('/').next().unwrap_or("").to_owned();
        rows.push(vec![
            label(&format!("triples (graph {slug})")),
            count(size(g)),
        ]);
    }
    rows.push(vec![
        label("triples (ontology graph)"),
        count(size(ONTOLOGY_GRAPH.into_owned())),
    ]);
    table.rows.splice(0..0, rows);
    write_table(&table, &mut std::io::stdout().lock())?;
    Ok(ExitCode::SUCCESS)
}
