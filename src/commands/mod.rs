//! One module per subcommand; this one finds the project files and dispatches.

mod analyze;
mod bench;
mod build;
mod diagram;
mod draft;
mod export;
mod link;
mod publish;
mod query;
mod serve;
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
    let endpoint = cli.endpoint.clone();
    let allow_service = cli.allow_service;
    let layout = Layout::new(root(cli.root))
        .with_extra(cli.with)
        .with_store(cli.store)
        .with_endpoint(cli.endpoint);
    if let Some(why) = needs_local_data(&cli.command).filter(|_| endpoint.is_some()) {
        anyhow::bail!(
            "--endpoint does not apply to this command: {why}; run it without --endpoint \
             (and without MEDRD_ENDPOINT)"
        );
    }
    match cli.command {
        Command::Build { output, force } => {
            let target = build::Target::check(&output, &layout, force)?;
            build::run(&load(layout)?, &target)
        }
        Command::Query {
            query,
            sparql,
            format,
        } => query::run(
            &load(layout)?,
            query.as_deref(),
            sparql.as_deref(),
            format,
            allow_service,
        ),
        Command::Queries => query::list(&layout),
        Command::Export {
            format,
            output,
            dcat,
            csv,
        } => {
            let kb = load(layout)?;
            if dcat {
                export::dcat(&kb, output.as_deref())
            } else if let Some(dir) = csv {
                export::csv(&kb, &dir)
            } else {
                export::run(&kb, format, output.as_deref())
            }
        }
        Command::Validate => validate::run(&load(layout)?),
        Command::Stats => stats::run(&load(layout)?),
        Command::Diagram {
            kind,
            arg,
            slug,
            query,
            format,
            lang,
            output,
        } => diagram::run(
            &load(layout)?,
            kind.as_deref(),
            &arg.iter()
                .chain(&slug)
                .map(String::as_str)
                .collect::<Vec<_>>(),
            query.as_deref(),
            format,
            lang,
            output.as_deref(),
        ),
        Command::Analyze { top, lang } => analyze::run(&load(layout)?, top, lang),
        Command::Path { from, to, lang } => analyze::path(&load(layout)?, &from, &to, lang),
        Command::Serve(args) => serve::run(load(layout)?, args, allow_service),
        Command::Link { target } => link::run(&load(layout)?, target),
        Command::Bench { command } => bench::run(layout, command),
        Command::Draft {
            source,
            output,
            check,
            organizations,
        } => draft::run(
            &layout.root,
            &source,
            output.as_deref(),
            check.as_deref(),
            organizations.as_deref(),
        ),
        Command::Publish { graph_store } => {
            let url = graph_store
                .or(endpoint)
                .context("publish needs --endpoint URL (or --graph-store URL)")?;
            publish::run(&load(layout)?, &url)
        }
    }
}

/// Why a command cannot follow `--endpoint`: it works on the embedded store itself.
fn needs_local_data(command: &Command) -> Option<&'static str> {
    match command {
        Command::Build { .. } => Some(
            "build validates and publishes the project's own data/ and ontology/ (publish them \
             to the endpoint with `medrd --endpoint URL publish`)",
        ),
        Command::Serve { .. } => Some(
            "serve answers /sparql, /id/… and its pages from the embedded store; clients can \
             query the endpoint itself",
        ),
        Command::Bench { .. } => Some("bench measures the embedded store"),
        _ => None,
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

/// Creates `path` and fills it with `write`; any error names the file (the library's
/// writers cannot: they write to any `Write`).
pub(crate) fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> medrd_kg::Result<()>,
) -> anyhow::Result<()> {
    use std::io::Write;
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    write(&mut w).with_context(|| format!("writing {}", path.display()))?;
    w.flush()
        .with_context(|| format!("writing {}", path.display()))
}

/// Writes a command's output with `write`: to `path`, saying so on stderr, or else to
/// stdout; any error names where.
pub(crate) fn write_output(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn std::io::Write) -> medrd_kg::Result<()>,
) -> anyhow::Result<()> {
    use std::io::Write;
    match path {
        Some(path) => {
            write_file(path, write)?;
            eprintln!("wrote {}", path.display());
        }
        None => {
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            write(&mut w).context("writing to stdout")?;
            w.flush().context("writing to stdout")?;
        }
    }
    Ok(())
}
