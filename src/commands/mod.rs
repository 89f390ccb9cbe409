//! One module per subcommand; this one finds the project files and dispatches.

mod build;
mod export;
mod query;
mod stats;
mod validate;

use crate::cli::{Cli, Command, ExportFormat};
use anyhow::Context;
use medrd_kg::{Kb, Layout};
use oxigraph::io::{JsonLdProfileSet, RdfFormat};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let layout = Layout::new(root(cli.root));
    match cli.command {
        Command::Build { output } => build::run(&load(layout)?, &output),
        Command::Query {
            query,
            sparql,
            format,
        } => query::run(&load(layout)?, query.as_deref(), sparql.as_deref(), format),
        Command::Queries => query::list(&layout),
        Command::Export { format, output } => export::run(&load(layout)?, format, output.as_deref()),
        Command::Validate => validate::run(&load(layout)?),
        Command::Stats => stats::run(&load(layout)?),
    }
}

fn load(layout: Layout) -> anyhow::Result<Kb> {
    let root = layout.root.display().to_string();
    Kb::load(layout).with_context(|| format!("loading the knowledge base from {root}"))
}

/// The project directory: `--root`, else the current directory when it holds the project
/// files, else the source tree medrd was built from.
fn root(explicit: Option<PathBuf>) -> PathBuf {
    if let Some(r) = explicit {
        return r;
    }
    let has_project = |d: &Path| d.join("data").is_dir() && d.join("ontology").is_dir();
    match std::env::current_dir() {
        Ok(cwd) if has_project(&cwd) => cwd,
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")),
    }
}

/// The oxigraph format of an export format.
pub fn rdf_format(f: ExportFormat) -> RdfFormat {
    match f {
        ExportFormat::Turtle => RdfFormat::Turtle,
        ExportFormat::Ntriples => RdfFormat::NTriples,
        ExportFormat::Nquads => RdfFormat::NQuads,
        ExportFormat::Trig => RdfFormat::TriG,
        ExportFormat::Rdfxml => RdfFormat::RdfXml,
        ExportFormat::Jsonld => RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
    }
}
