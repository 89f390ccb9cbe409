//! One module per subcommand; this one finds the project files and dispatches.

mod analyze;
mod bench;
mod build;
mod diagram;
mod draft;
mod export;
mod link;
mod link_judgit;
mod publish;
mod query;
mod serve;
mod stats;
mod validate;

use crate::cli::{BenchCommand, Cli, Command, ExportFormat, LinkTarget};
use anyhow::Context;
use medrd_kg::fence::{self, Fence};
use medrd_kg::inputs::shown;
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
    let fence = check_outputs(&cli.command, &layout)?;
    match cli.command {
        Command::Build {
            output,
            force,
            timings,
        } => {
            let target = build::Target::check(&output, &layout, &fence, force)?;
            let mut clock = build::Stopwatch::new(timings);
            let kb = load_frozen(layout)?;
            clock.lap("load (read, import, link, copy or insert)");
            build::run(&kb, &target, clock)
        }
        Command::Query {
            query,
            sparql,
            format,
        } => query::run(
            &*load_frozen(layout)?,
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
            bom,
            force,
        } => {
            let kb = load_frozen(layout)?;
            let dest = Dest {
                file: output.as_deref(),
                replace: force,
            };
            if dcat {
                export::dcat(&kb, dest)
            } else if let Some(dir) = csv {
                export::csv(&kb, &dir, force, bom)
            } else {
                export::run(&kb, format, dest)
            }
        }
        Command::Validate => validate::run(&*load_frozen(layout)?),
        Command::Stats => stats::run(&*load_frozen(layout)?),
        Command::Diagram {
            kind,
            arg,
            slug,
            query,
            format,
            lang,
            fy,
            output,
            force,
        } => diagram::run(
            &*load_frozen(layout)?,
            kind.as_deref(),
            &arg.iter()
                .chain(&slug)
                .map(String::as_str)
                .collect::<Vec<_>>(),
            query.as_deref(),
            diagram::Style { format, lang, fy },
            Dest {
                file: output.as_deref(),
                replace: force,
            },
        ),
        Command::Analyze { top, lang } => analyze::run(&*load_frozen(layout)?, top, lang),
        Command::Path { from, to, lang } => analyze::path(&*load_frozen(layout)?, &from, &to, lang),
        Command::Serve(args) => serve::run(load_frozen(layout)?.into_inner(), args, allow_service),
        Command::Link { target } => link::run(&*load_local(layout)?, target),
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
            publish::run(&*load_local(layout)?, &url)
        }
    }
}

/// The inputs of `command` beyond the project's (`ontology/`, `data/`, `queries/`, `--with`,
/// `--store`): the files it names to read. Every command is listed, so that a new one says
/// what it reads.
fn reads(command: &Command) -> Vec<&Path> {
    match command {
        Command::Diagram { query, .. } => query.iter().map(PathBuf::as_path).collect(),
        Command::Link {
            target:
                LinkTarget::Rs {
                    paths,
                    decisions,
                    truth,
                    ..
                }
                | LinkTarget::Judgit {
                    paths,
                    decisions,
                    truth,
                    ..
                },
        } => paths
            .iter()
            .chain(decisions)
            .chain(truth)
            .map(PathBuf::as_path)
            .collect(),
        Command::Draft {
            source,
            check,
            organizations,
            ..
        } => std::iter::once(source)
            .chain(check)
            .chain(organizations)
            .map(PathBuf::as_path)
            .collect(),
        Command::Query { .. }
        | Command::Build { .. }
        | Command::Queries
        | Command::Export { .. }
        | Command::Validate
        | Command::Stats
        | Command::Analyze { .. }
        | Command::Path { .. }
        | Command::Serve(_)
        | Command::Link {
            target: LinkTarget::Ids { .. },
        }
        | Command::Bench { .. }
        | Command::Publish { .. } => Vec::new(),
    }
}

/// The files and directories `command` writes, but a build's (checked by
/// [`build::Target::check`] through the same fence, after its own rules). Every command is
/// listed, so that a new one says what it writes.
fn writes(command: &Command) -> Vec<&Path> {
    let paths: Vec<&Option<PathBuf>> = match command {
        Command::Export { output, csv, .. } => vec![output, csv],
        Command::Diagram { output, .. } => vec![output],
        Command::Link {
            target:
                LinkTarget::Rs {
                    output,
                    report,
                    rs_graph,
                    ..
                },
        } => vec![output, report, rs_graph],
        Command::Link {
            target:
                LinkTarget::Judgit {
                    output,
                    report,
                    judgit_graph,
                    ..
                },
        } => vec![output, report, judgit_graph],
        Command::Link {
            target: LinkTarget::Ids { output, .. },
        } => vec![output],
        Command::Bench {
            command: BenchCommand::Gen { output, .. },
        } => vec![output],
        Command::Draft { output, .. } => vec![output],
        Command::Build { .. }
        | Command::Query { .. }
        | Command::Queries
        | Command::Validate
        | Command::Stats
        | Command::Analyze { .. }
        | Command::Path { .. }
        | Command::Serve(_)
        | Command::Bench { .. }
        | Command::Publish { .. } => Vec::new(),
    };
    paths.into_iter().flatten().map(PathBuf::as_path).collect()
}

/// The one guard of every output: the fence of the command's inputs, and every output of
/// the command checked against it before any work (exit 2 naming the output and why).
fn check_outputs(command: &Command, layout: &Layout) -> anyhow::Result<Fence> {
    let reader = match command {
        Command::Build { .. } => "the build",
        Command::Export { .. } => "medrd export",
        Command::Diagram { .. } => "medrd diagram",
        Command::Link {
            target: LinkTarget::Rs { .. },
        } => "medrd link rs",
        Command::Link {
            target: LinkTarget::Judgit { .. },
        } => "medrd link judgit",
        Command::Link {
            target: LinkTarget::Ids { .. },
        } => "medrd link ids",
        Command::Bench { .. } => "medrd bench",
        Command::Draft { .. } => "medrd draft",
        _ => "medrd",
    };
    let mut fence = Fence::new(reader, layout)?;
    for p in reads(command) {
        fence.reads(p)?;
    }
    for p in writes(command) {
        fence.check(p)?;
    }
    Ok(fence)
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

/// The knowledge base, loaded into a read-only copy instead of a store where it can be
/// ([`Kb::load_frozen`]; every command only reads it).
fn load_frozen(layout: Layout) -> anyhow::Result<Loaded> {
    load_as(layout, Kb::load_frozen)
}

/// [`load_frozen`] of the project's own graphs, whatever `--endpoint` says, for a command
/// that works on them and asks the endpoint nothing: `link` matches our programs, `publish`
/// sends our graphs (to the endpoint, or to `--graph-store`). Both loaded into a store
/// before, at Oxigraph's insert rate (0.68M triples a second at national scale, against
/// 1.6M into the copy: docs/scale.md).
fn load_local(mut layout: Layout) -> anyhow::Result<Loaded> {
    layout.endpoint = None;
    load_frozen(layout)
}

fn load_as(
    layout: Layout,
    how: impl FnOnce(Layout) -> medrd_kg::error::Result<Kb>,
) -> anyhow::Result<Loaded> {
    let root = layout.root.display().to_string();
    how(layout)
        .map(|kb| Loaded(Some(kb)))
        .with_context(|| format!("loading the knowledge base from {root}"))
}

/// The knowledge base of this process's one command. In memory it is left to the process's exit
/// instead of being freed quad by quad (a national store: 0.2–0.3 s of a 3.6 s query, each
/// quad its own allocations); an on-disk store is closed, as RocksDB needs.
struct Loaded(Option<Kb>);

impl Loaded {
    /// The store itself, freed when dropped (the server's, which outlives no command).
    fn into_inner(mut self) -> Kb {
        self.0
            .take()
            .expect("a Loaded holds its store until dropped")
    }
}

impl std::ops::Deref for Loaded {
    type Target = Kb;

    fn deref(&self) -> &Kb {
        self.0
            .as_ref()
            .expect("a Loaded holds its store until dropped")
    }
}

impl Drop for Loaded {
    fn drop(&mut self) {
        if let Some(kb) = self.0.take().filter(|kb| kb.layout.store.is_none()) {
            std::mem::forget(kb);
        }
    }
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

/// Refuses `path` as an output file ([`fence::refuse_existing`]).
pub(crate) fn refuse_existing(path: &Path, replace: bool) -> anyhow::Result<()> {
    Ok(fence::refuse_existing(path, replace)?)
}

/// Writes the file `path` the user named, whole or not at all, never over a file the user
/// did not ask to replace, never through a link ([`fence::write_file`]); the path was
/// checked against the command's inputs by [`check_outputs`] before any work.
pub(crate) fn write_file<R, E>(
    path: &Path,
    replace: bool,
    write: impl FnOnce(&mut dyn std::io::Write) -> Result<R, E>,
) -> anyhow::Result<R>
where
    E: std::error::Error + Send + Sync + 'static,
{
    Ok(fence::write_file(path, replace, write)?)
}

/// Where a command writes its output: the `-o` file (replaced only with `--force`) or, with
/// none, stdout.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dest<'a> {
    pub file: Option<&'a Path>,
    pub replace: bool,
}

/// Writes a command's output with `write` to `dest`: a file as [`write_file`] writes it,
/// saying so on stderr, or stdout; any error names where.
pub(crate) fn write_output(
    dest: Dest<'_>,
    write: impl FnOnce(&mut dyn std::io::Write) -> medrd_kg::Result<()>,
) -> anyhow::Result<()> {
    use std::io::Write;
    match dest.file {
        Some(path) => {
            write_file(path, dest.replace, write)?;
            eprintln!("wrote {}", shown(path));
        }
        None => {
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            write(&mut w).context("writing to stdout")?;
            w.flush().context("writing to stdout")?;
        }
    }
    Ok(())
}
