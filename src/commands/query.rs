//! `medrd query` and `medrd queries`: run SPARQL and list the named queries.

use crate::cli::{ExportFormat, QueryFormat};
use anyhow::Context;
use medrd_kg::query::catalog;
use medrd_kg::query::output::{write_results, ResultsFormat};
use medrd_kg::{Kb, Layout};
use oxigraph::sparql::QueryResults;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

pub fn run(
    kb: &Kb,
    query: Option<&str>,
    sparql: Option<&str>,
    format: Option<QueryFormat>,
    allow_service: bool,
) -> anyhow::Result<ExitCode> {
    let (name, text) = match (query, sparql) {
        (_, Some(text)) => ("--sparql".to_owned(), text.to_owned()),
        (Some(q), None) => {
            let q = catalog::resolve(&kb.layout.queries(), q)?;
            (q.name, q.text)
        }
        (None, None) => anyhow::bail!("give a query name, a .rq file or --sparql TEXT"),
    };
    // The engine evaluates lazily, as the results are written: both are guarded.
    medrd_kg::store::guard::catch(|| write(kb, &name, &text, format, allow_service))
        .map_err(|_| anyhow::anyhow!("query {name}: {}", medrd_kg::store::guard::PANICKED))?
}

fn write(
    kb: &Kb,
    name: &str,
    text: &str,
    format: Option<QueryFormat>,
    allow_service: bool,
) -> anyhow::Result<ExitCode> {
    let results = medrd_kg::store::federation::query(kb, name, text, allow_service)?;
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let graph = matches!(results, QueryResults::Graph(_));
    // Solutions take the W3C result formats, graphs the RDF syntaxes (json and xml name
    // JSON-LD and RDF/XML for a graph); anything else is a mistake worth saying.
    let (results_format, graph_format) = match format {
        None if terminal => (ResultsFormat::Table, ExportFormat::Turtle),
        None => (ResultsFormat::Csv, ExportFormat::Turtle),
        Some(QueryFormat::Table) if !graph => (ResultsFormat::Table, ExportFormat::Turtle),
        Some(QueryFormat::Csv) if !graph => (ResultsFormat::Csv, ExportFormat::Turtle),
        Some(QueryFormat::Tsv) if !graph => (ResultsFormat::Tsv, ExportFormat::Turtle),
        Some(QueryFormat::Json) => (ResultsFormat::Json, ExportFormat::Jsonld),
        Some(QueryFormat::Xml) => (ResultsFormat::Xml, ExportFormat::Rdfxml),
        Some(QueryFormat::Turtle) if graph => (ResultsFormat::Csv, ExportFormat::Turtle),
        Some(QueryFormat::Ntriples) if graph => (ResultsFormat::Csv, ExportFormat::Ntriples),
        Some(QueryFormat::Jsonld) if graph => (ResultsFormat::Json, ExportFormat::Jsonld),
        Some(QueryFormat::Rdfxml) if graph => (ResultsFormat::Xml, ExportFormat::Rdfxml),
        Some(f) if graph => anyhow::bail!(
            "{name} gives a graph (CONSTRUCT/DESCRIBE): use --format turtle, ntriples, jsonld or rdfxml, not {f:?}"
        ),
        Some(f) => anyhow::bail!(
            "{name} gives solutions (SELECT/ASK): use --format table, csv, tsv, json or xml, not {f:?}"
        ),
    };
    let mut out = std::io::BufWriter::new(stdout.lock());
    write_results(
        results,
        results_format,
        super::rdf_format(graph_format),
        &mut out,
    )
    .with_context(|| format!("writing the results of {name}"))?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn list(layout: &Layout) -> anyhow::Result<ExitCode> {
    let queries = catalog::named(&layout.queries())?;
    let width = queries.iter().map(|q| q.name.len()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for q in queries {
        writeln!(out, "{:width$}  {}", q.name, q.summary)?;
    }
    Ok(ExitCode::SUCCESS)
}
