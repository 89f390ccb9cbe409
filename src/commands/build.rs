//! `medrd build`: the main job. Validate, then publish every export format, every named
//! query's results as CSV, the tidy CSV tables with CSVW metadata, the DCAT catalogue and
//! every diagram into the output directory.

use anyhow::Context;
use medrd_kg::output::{write_results, ResultsFormat};
use medrd_kg::{catalog, export, validate, Kb};
use oxigraph::io::RdfFormat;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::ExportFormat;

pub fn run(kb: &Kb, output: &Path) -> anyhow::Result<ExitCode> {
    let checks = validate::run(kb)?;
    if super::validate::report(&checks) > 0 {
        eprintln!("not publishing: validation failed");
        return Ok(ExitCode::from(1));
    }
    let create = |path: &Path| -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
        let f =
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        Ok(std::io::BufWriter::new(f))
    };
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
        let mut w = create(&path)?;
        export::write(kb, format, &mut w)?;
        w.flush()?;
    }
    let queries = catalog::named(&kb.layout.queries())?;
    for q in &queries {
        let path = output.join("queries").join(format!("{}.csv", q.name));
        let mut w = create(&path)?;
        let results = kb.query(&q.name, &q.text)?;
        write_results(results, ResultsFormat::Csv, RdfFormat::Turtle, &mut w)?;
        w.flush()?;
    }
    let tables = medrd_kg::publish::write_csv_tables(kb, &output.join("tables"))?;
    let mut catalog = create(&output.join("catalog.ttl"))?;
    medrd_kg::publish::write_dcat(kb, &mut catalog)?;
    catalog.flush()?;
    let diagrams = medrd_kg::diagram::write_all(kb, &output.join("diagrams"))?;
    let svg = diagrams
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .count();
    if svg == 0 {
        eprintln!("note: Graphviz `dot` is not on PATH, so diagrams are DOT and Mermaid only");
    }
    eprintln!(
        "built {}: {} triples in the data graph, {} export formats, {} query results, {} table files (CSV + CSVW), catalog.ttl (DCAT/VoID), {} diagram files ({} SVG), {} checks passed",
        output.display(),
        kb.data_graph_len(),
        formats.len(),
        queries.len(),
        tables.len(),
        diagrams.len(),
        svg,
        checks.len()
    );
    Ok(ExitCode::SUCCESS)
}
