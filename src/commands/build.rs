//! `medrd build`: the main job. Validate, then publish every export format, every named
//! query's results as CSV, the tidy CSV tables with CSVW metadata, the DCAT catalogue and
//! every diagram into the output directory.

use anyhow::Context;
use medrd_kg::output::{write_results, ResultsFormat};
use medrd_kg::{catalog, export, validate, Kb};
use oxigraph::io::RdfFormat;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::ExportFormat;

pub fn run(kb: &Kb, output: &Path) -> anyhow::Result<ExitCode> {
    let checks = validate::run(kb)?;
    if super::validate::report(&checks) > 0 {
        eprintln!("not publishing: validation failed");
        return Ok(ExitCode::from(1));
    }
    // Everything is written to a sibling directory first and moved into place at the end, so
    // a failure half way leaves the previous dataset as it was, never a mix of the two.
    let name = output
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("dist");
    let staging = output.with_file_name(format!(".{name}.partial"));
    let _ = std::fs::remove_dir_all(&staging);
    match publish(kb, &staging, output, checks.len()) {
        Ok(()) => {
            if output.exists() {
                std::fs::remove_dir_all(output)
                    .with_context(|| format!("replacing {}", output.display()))?;
            }
            std::fs::rename(&staging, output)
                .with_context(|| format!("moving the build into {}", output.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e.context(format!("nothing written to {}", output.display())))
        }
    }
}

/// Writes the whole published dataset into `output` (to be moved to `shown`).
fn publish(kb: &Kb, output: &Path, shown: &Path, checks: usize) -> anyhow::Result<()> {
    std::fs::create_dir_all(output.join("queries"))
        .with_context(|| format!("creating {}", output.display()))?;
    let formats = [
        ExportFormat::Turtle,
        ExportFormat::Ntriples,
        ExportFormat::Nquads,
        ExportFormat::Trig,
        ExportFormat::Rdfxml,
        ExportFormat::Jsonld,
    ];
    for f in formats {
        let format = super::rdf_format(f);
        let path = output.join(format!("medrd-kg.{}", format.file_extension()));
        super::write_file(&path, |w| export::write(kb, format, w))?;
    }
    let queries = catalog::named(&kb.layout.queries())?;
    for q in &queries {
        let path = output.join("queries").join(format!("{}.csv", q.name));
        let results = kb.query(&q.name, &q.text)?;
        super::write_file(&path, |mut w| {
            write_results(results, ResultsFormat::Csv, RdfFormat::Turtle, &mut w)
        })?;
    }
    let tables = medrd_kg::publish::write_csv_tables(kb, &output.join("tables"))?;
    super::write_file(&output.join("catalog.ttl"), |w| {
        medrd_kg::publish::write_dcat(kb, w)
    })?;
    let diagrams = medrd_kg::diagram::write_all(kb, &output.join("diagrams"))?;
    let svg = diagrams
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .count();
    if !medrd_kg::diagram::dot::available() {
        eprintln!("note: Graphviz `dot` is not on PATH, so diagrams are DOT and Mermaid only");
    }
    eprintln!(
        "built {}: {} triples in the data graph, {} export formats, {} query results, {} table files (CSV + CSVW), catalog.ttl (DCAT/VoID), {} diagram files ({} SVG), {} checks passed",
        shown.display(),
        kb.data_graph_len(),
        formats.len(),
        queries.len(),
        tables.len(),
        diagrams.len(),
        svg,
        checks
    );
    Ok(())
}
