//! `medrd query` and `medrd queries`: run SPARQL and list the named queries.

use crate::cli::{ExportFormat, QueryFormat};
use anyhow::Context;
use medrd_kg::catalog;
use medrd_kg::output::{write_results, ResultsFormat};
use medrd_kg::{Kb, Layout};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

pub fn run(
    kb: &Kb,
    query: Option<&str>,
    sparql: Option<&str>,
    format: Option<QueryFormat>,
) -> anyhow::Result<ExitCode> {
    let (name, text) = match (query, sparql) {
        (_, Some(text)) => ("--sparql".to_owned(), text.to_owned()),
        (Some(q), None) => {
            let q = catalog::resolve(&kb.layout.queries(), q)?;
            (q.name, q.text)
        }
        (None, None) => anyhow::bail!("give a query name, a .rq file or --sparql TEXT"),
    };
    let results = kb.query(&name, &text)?;
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let (results_format, graph_format) = match format {
        None if terminal => (ResultsFormat::Table, ExportFormat::Turtle),
        None => (ResultsFormat::Csv, ExportFormat::Turtle),
        Some(QueryFormat::Table) => (ResultsFormat::Table, ExportFormat::Turtle),
        Some(QueryFormat::Csv) => (ResultsFormat::Csv, ExportFormat::Turtle),
        Some(QueryFormat::Tsv) => (ResultsFormat::Tsv, ExportFormat::Turtle),
        Some(QueryFormat::Json) => (ResultsFormat::Json, ExportFormat::Jsonld),
        Some(QueryFormat::Xml) => (ResultsFormat::Xml, ExportFormat::Rdfxml),
        Some(QueryFormat::Turtle) => (ResultsFormat::Csv, ExportFormat::Turtle),
        Some(QueryFormat::Ntriples) => (ResultsFormat::Csv, ExportFormat::Ntriples),
        Some(QueryFormat::Jsonld) => (ResultsFormat::Json, ExportFormat::Jsonld),
        Some(QueryFormat::Rdfxml) => (ResultsFormat::Xml, ExportFormat::Rdfxml),
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
