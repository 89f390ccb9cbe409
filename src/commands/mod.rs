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
            force,
        } => {
            let kb = load(layout)?;
            let dest = Dest {
                file: output.as_deref(),
                replace: force,
            };
            if dcat {
                export::dcat(&kb, dest)
            } else if let Some(dir) = csv {
                export::csv(&kb, &dir, force)
            } else {
                export::run(&kb, format, dest)
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
            fy,
            output,
            force,
        } => diagram::run(
            &load(layout)?,
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

/// Refuses `path` as an output file: a directory always, an existing file (or link) unless
/// `replace`. A device or pipe (`/dev/stdout`, a FIFO) is not refused: it holds nothing that
/// writing could replace.
pub(crate) fn refuse_existing(path: &Path, replace: bool) -> anyhow::Result<()> {
    if path.is_dir() {
        anyhow::bail!("{} is a directory: give a file name", path.display());
    }
    if !replace && std::fs::symlink_metadata(path).is_ok() && !is_stream(path) {
        anyhow::bail!(
            "{} exists: medrd does not replace a file unless asked (pass --force to replace it)",
            path.display()
        );
    }
    Ok(())
}

/// Whether `path` is to be written as it is, not replaced: a device, a pipe or a socket, or
/// any path under `/dev/` or `/proc/` (`-o /dev/stdout` while stdout is redirected to a file
/// names that file through /proc, and must write into it, not rename over `/dev/stdout`).
fn is_stream(path: &Path) -> bool {
    path.starts_with("/dev") && path != Path::new("/dev")
        || path.starts_with("/proc") && path != Path::new("/proc")
        || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Writes the file `path` with `write`, whole or not at all, and never over a file the user
/// did not ask to replace: the bytes go to a hidden file beside it (created new), which
/// takes the name only once complete. Without `replace` (a command's `--force`) an existing
/// `path` is refused before anything is written, and taking the name is a hard link, which
/// fails rather than replace a file that appeared meanwhile. A failed write removes the
/// hidden file and leaves whatever was at `path` as it was. A device or pipe is written to
/// directly. Errors name the file (the library's writers cannot: they write to any `Write`).
pub(crate) fn write_file<R, E>(
    path: &Path,
    replace: bool,
    write: impl FnOnce(&mut dyn std::io::Write) -> Result<R, E>,
) -> anyhow::Result<R>
where
    E: std::error::Error + Send + Sync + 'static,
{
    refuse_existing(path, replace)?;
    let fill = |file: std::fs::File| -> anyhow::Result<(R, std::fs::File)> {
        let mut w = std::io::BufWriter::new(file);
        let r = write(&mut w).with_context(|| format!("writing {}", path.display()))?;
        let file = w
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("writing {}", path.display()))?;
        Ok((r, file))
    };
    if is_stream(path) {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        return fill(file).map(|(r, _)| r);
    }
    let name = path
        .file_name()
        .with_context(|| format!("{} names no file", path.display()))?;
    // A name no other run uses: the process and the clock (one left by a run that was
    // killed, or by another process that had this pid, is passed over, never reused).
    let mut attempt = 0u32;
    let (hidden, file) = loop {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let hidden = path.with_file_name(format!(
            ".{}.medrd-{}-{stamp}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&hidden)
        {
            Ok(file) => break (hidden, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 8 => {
                attempt += 1;
            }
            Err(e) => {
                return Err(e).with_context(|| format!("creating {}", hidden.display()));
            }
        }
    };
    let written = fill(file).and_then(|(r, file)| {
        file.sync_all()
            .with_context(|| format!("writing {}", path.display()))?;
        if replace {
            std::fs::rename(&hidden, path)
        } else {
            take_new_name(&hidden, path)
        }
        .with_context(|| format!("creating {}", path.display()))?;
        Ok(r)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&hidden);
    }
    written
}

/// Gives the complete file `hidden` the name `path`, which must not exist: by a hard link,
/// which fails if a file took the name meanwhile; where the file system has no hard links
/// (vfat, exFAT, some network shares), by a rename after looking again.
fn take_new_name(hidden: &Path, path: &Path) -> std::io::Result<()> {
    match std::fs::hard_link(hidden, path) {
        Ok(()) => std::fs::remove_file(hidden),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(std::io::Error::new(
            e.kind(),
            "a file took this name while medrd was writing it: it was left as it is",
        )),
        Err(_) if std::fs::symlink_metadata(path).is_err() => std::fs::rename(hidden, path),
        Err(e) => Err(e),
    }
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
