//! `medrd build`: the main job. Validate, then publish every export format, every named
//! query's results as CSV, the tidy CSV tables with CSVW metadata, the DCAT catalogue and
//! every diagram into the output directory — which replaces only what a previous build
//! wrote (a `.medrd-build` marker inside it), never the user's files.

use anyhow::{bail, Context};
use medrd_kg::diagram::Writer;
use medrd_kg::fence::{self, Fence};
use medrd_kg::parallel::{self, Job};
use medrd_kg::publish::rdf as export;
use medrd_kg::query::memo::Memo;
use medrd_kg::query::output::{write_results, ResultsFormat};
use medrd_kg::{query::catalog, validate, Kb, Layout};
use oxigraph::io::RdfFormat;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::cli::ExportFormat;

/// The file every build writes into its output: an existing directory is replaced only
/// when it holds one (or is empty), so `-o` can never delete a directory of the user's.
pub const MARKER: &str = ".medrd-build";

fn marker_text() -> String {
    format!(
        "This directory was written by `medrd build` (medrd-kg {}).\n\
         `medrd build -o DIR` replaces a directory only when it holds this file (or is empty).\n\
         Delete this file to keep a later build from replacing the directory.\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Where a build goes, checked before any work: the output directory (canonical path),
/// whether one is there to replace, and the staging directory beside it.
pub struct Target {
    /// The canonical output directory.
    path: PathBuf,
    /// What the user typed, for messages.
    shown: PathBuf,
    /// An existing directory the build replaces once it succeeded.
    replaces: bool,
    /// That directory was written by an earlier build (it holds the marker): its SVGs
    /// are reused where their DOT is unchanged.
    earlier: bool,
}

fn resolve(path: &Path) -> anyhow::Result<PathBuf> {
    Ok(medrd_kg::fence::resolve(path)?)
}

/// The first entries of a directory (for a message), and how many there are.
fn entries(dir: &Path) -> anyhow::Result<(usize, Vec<String>)> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let n = names.len();
    names.truncate(3);
    Ok((n, names))
}

impl Target {
    /// Checks the output directory before any work. Refused always: `/`, the project root,
    /// the current and the home directory and every ancestor of them, the build's inputs
    /// (ontology/, data/, queries/, --with files, --store: the `fence`), every directory
    /// inside them and every directory holding them, and an existing file. An existing
    /// directory is replaced only when a previous build wrote it (it holds the marker) or it
    /// is empty; any other needs `--force`.
    pub fn check(
        output: &Path,
        layout: &Layout,
        fence: &Fence,
        force: bool,
    ) -> anyhow::Result<Self> {
        let project_root = layout.root.as_path();
        let shown = output.to_owned();
        let path = resolve(output)?;
        let refuse = |why: &str| -> anyhow::Result<Self> {
            bail!(
                "refusing to build into {}: {why}; a build replaces its output directory whole, \
                 so give -o a directory of its own (default: dist)",
                output.display()
            )
        };
        if path.parent().is_none() {
            return refuse("it is the root directory /");
        }
        let root = resolve(project_root)?;
        if root.starts_with(&path) {
            let what = if root == path {
                "it is the project root".to_owned()
            } else {
                format!("it holds the project root {}", root.display())
            };
            return refuse(&what);
        }
        if let Some(why) = fence.conflict(output)? {
            return refuse(&why);
        }
        let cwd = resolve(Path::new("."))?;
        if cwd.starts_with(&path) {
            return refuse("it is or holds the current directory");
        }
        if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            if resolve(Path::new(&home))?.starts_with(&path) {
                return refuse("it is or holds the home directory");
            }
        }
        let mut earlier = false;
        let replaces = match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(e).with_context(|| format!("reading {}", output.display())),
            Ok(m) if !m.is_dir() => bail!(
                "{} is a file, not a directory: give -o a directory for the build (it is \
                 created if absent)",
                output.display()
            ),
            Ok(_) => {
                let ours = path
                    .join(MARKER)
                    .symlink_metadata()
                    .is_ok_and(|m| m.is_file());
                let (n, first) = entries(&path)?;
                if !ours && n > 0 && !force {
                    bail!(
                        "refusing to replace {}: it has no {MARKER} marker, so `medrd build` did \
                         not write it, and it is not empty ({}{}); give another -o, or pass \
                         --force to replace it (deleting what it holds)",
                        output.display(),
                        first.join(", "),
                        if n > first.len() { ", …" } else { "" }
                    );
                }
                earlier = ours;
                true
            }
        };
        Ok(Target {
            path,
            shown,
            replaces,
            earlier,
        })
    }

    fn sibling(&self, suffix: &str) -> PathBuf {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "dist".into());
        self.path.with_file_name(format!(".{name}{suffix}"))
    }

    /// Creates the staging directory beside the output, exclusively, and returns it with its
    /// marker file held locked for the whole build. One left by an interrupted build (its
    /// marker is there and unlocked) is removed first; one whose marker is locked is another
    /// build writing now, which stops this one (two builds into one `-o` used to delete each
    /// other's staging); anything else there is not ours and stops the build.
    ///
    /// Before any of that, the directory the output goes into is locked (`flock` on the
    /// directory itself, so nothing is left beside the output) until the build is in place:
    /// builds into the same directory run one after the other, so two that both find an
    /// interrupted build's staging cannot delete each other's new one.
    fn create_staging(&self) -> anyhow::Result<(PathBuf, [std::fs::File; 2])> {
        let staging = self.sibling(".partial");
        let parent = staging
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let dir =
            std::fs::File::open(parent).with_context(|| format!("opening {}", parent.display()))?;
        if let Err(std::fs::TryLockError::WouldBlock) = dir.try_lock() {
            eprintln!(
                "note: waiting for another medrd build writing into {}",
                parent.display()
            );
            dir.lock()
                .with_context(|| format!("locking {}", parent.display()))?;
        }
        match std::fs::create_dir(&staging) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let leftover =
                    staging.is_dir() && !staging.is_symlink() && staging.join(MARKER).is_file();
                if !leftover {
                    bail!(
                        "{} exists and was not made by medrd build: move it away (the build \
                         stages its output there)",
                        staging.display()
                    );
                }
                let marker = std::fs::File::open(staging.join(MARKER))
                    .with_context(|| format!("opening {}", staging.join(MARKER).display()))?;
                if let Err(std::fs::TryLockError::WouldBlock) = marker.try_lock() {
                    bail!(
                        "another medrd build is writing {} now (its staging {} is locked): \
                         wait for it to end",
                        self.shown.display(),
                        staging.display()
                    );
                }
                drop(marker);
                eprintln!(
                    "note: removing {} left by an interrupted build",
                    staging.display()
                );
                std::fs::remove_dir_all(&staging)
                    .with_context(|| format!("removing {}", staging.display()))?;
                std::fs::create_dir(&staging)
                    .with_context(|| format!("creating {}", staging.display()))?;
            }
            Err(e) => return Err(e).with_context(|| format!("creating {}", staging.display())),
        }
        // The marker is written and locked under another name, then renamed: another build
        // sees either no marker (not ours: it stops) or a locked one (busy: it stops).
        let unlocked = staging.join(format!("{MARKER}.new"));
        let marker = std::fs::File::create_new(&unlocked)
            .with_context(|| format!("creating {}", unlocked.display()))?;
        marker
            .lock()
            .with_context(|| format!("locking {}", unlocked.display()))?;
        std::io::Write::write_all(&mut &marker, marker_text().as_bytes())
            .with_context(|| format!("writing {}", unlocked.display()))?;
        std::fs::rename(&unlocked, staging.join(MARKER))
            .with_context(|| format!("writing {}", staging.join(MARKER).display()))?;
        Ok((staging, [dir, marker]))
    }

    /// Moves the finished build into place: the old output aside, the build in, then the
    /// old one deleted. A failure half way puts the old output back.
    fn swap(&self, staging: &Path) -> anyhow::Result<()> {
        let aside = self.sibling(&format!(".old-{}", std::process::id()));
        // What another build (waited for) put there meanwhile is a build too: it holds the
        // marker, and is replaced like any earlier build.
        let replaces = (self.replaces || self.path.join(MARKER).is_file()) && self.path.exists();
        if replaces {
            if aside.symlink_metadata().is_ok() {
                bail!("{} is in the way: move it away", aside.display());
            }
            std::fs::rename(&self.path, &aside)
                .with_context(|| format!("moving the previous {} aside", self.shown.display()))?;
        }
        if let Err(e) = std::fs::rename(staging, &self.path) {
            if replaces {
                let _ = std::fs::rename(&aside, &self.path);
            }
            return Err(e)
                .with_context(|| format!("moving the build into {}", self.shown.display()));
        }
        if replaces {
            if let Err(e) = std::fs::remove_dir_all(&aside) {
                eprintln!(
                    "note: the build is in place, but the previous one stays at {}: {e}",
                    aside.display()
                );
            }
        }
        Ok(())
    }
}

/// How long each stage of a build took, printed on stderr at the end with `--timings`.
pub struct Stopwatch {
    on: bool,
    start: Instant,
    last: Instant,
    laps: Vec<(String, Duration)>,
    /// Parts of a stage: the index of the stage after it, what, how long.
    details: Vec<(usize, String, Duration)>,
}

impl Stopwatch {
    pub fn new(on: bool) -> Self {
        let now = Instant::now();
        Stopwatch {
            on,
            start: now,
            last: now,
            laps: Vec::new(),
            details: Vec::new(),
        }
    }

    /// Ends the stage `what` (begun where the last one ended).
    pub fn lap(&mut self, what: impl Into<String>) {
        let now = Instant::now();
        self.laps.push((what.into(), now - self.last));
        self.last = now;
    }

    /// Notes how long a part of the last stage took (not counted in the total).
    fn detail(&mut self, what: impl Into<String>, took: Duration) {
        self.details.push((self.laps.len(), what.into(), took));
    }

    fn report(&self) {
        if !self.on {
            return;
        }
        for (i, (what, took)) in self.laps.iter().enumerate() {
            eprintln!("{:>9.1} ms  {what}", took.as_secs_f64() * 1e3);
            for (_, what, took) in self.details.iter().filter(|d| d.0 == i + 1) {
                eprintln!("{:>9.1} ms    {what}", took.as_secs_f64() * 1e3);
            }
        }
        let total = self.last - self.start;
        eprintln!("{:>9.1} ms  in all", total.as_secs_f64() * 1e3);
    }
}

pub fn run(kb: &Kb, target: &Target, mut clock: Stopwatch) -> anyhow::Result<ExitCode> {
    let (checks, sorted) = validate_and_sort(kb)?;
    clock.lap(format!(
        "validate ({} checks), read and sort the quads",
        checks.len()
    ));
    if super::validate::report(&checks) > 0 {
        eprintln!("not publishing: validation failed");
        return Ok(ExitCode::from(1));
    }
    // Everything is written to a sibling directory first and moved into place at the end, so
    // a failure half way leaves the previous dataset as it was, never a mix of the two.
    // The marker's lock is held until the build is in place (or given up).
    let (staging, _locks) = target.create_staging()?;
    let stage = fence::Stage::new(&staging, target.earlier.then_some(target.path.as_path()));
    let done = publish(kb, &sorted, &stage, checks.len(), &mut clock).and_then(|summary| {
        target.swap(&staging)?;
        Ok(summary)
    });
    // The sorted quads are left to the process's exit, which ends with this command, rather
    // than freed one allocation at a time (20 ms at the end of a build).
    std::mem::forget(sorted);
    match done {
        Ok(summary) => {
            clock.lap("move into place");
            clock.report();
            eprintln!("built {}: {summary}", target.shown.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e.context(format!("nothing written to {}", target.shown.display())))
        }
    }
}

/// What a job of [`validate_and_sort`] gives.
enum Step {
    Check(validate::CheckResult),
    Sorted(Box<export::Sorted>),
}

/// Runs the checks, and beside them reads and sorts the quads for the exports (once, for the
/// six syntaxes and the catalogue's statistics): both only read the store, and the sort is one
/// job as long as a third of the checks, so on two cores it costs no time of its own.
fn validate_and_sort(kb: &Kb) -> anyhow::Result<(Vec<validate::CheckResult>, export::Sorted)> {
    let mut jobs: Vec<Job<'_, Step, medrd_kg::Error>> = vec![Box::new(|| {
        Ok(Step::Sorted(Box::new(export::Sorted::of(kb)?)))
    })];
    for check in validate::jobs(kb)? {
        jobs.push(Box::new(move || check().map(Step::Check)));
    }
    let mut sorted = None;
    let mut checks = Vec::new();
    for step in parallel::run(jobs)? {
        match step {
            Step::Check(c) => checks.push(c),
            Step::Sorted(s) => sorted = Some(*s),
        }
    }
    let sorted = sorted.context("the quads were not sorted")?;
    Ok((checks, sorted))
}

/// The parts of the published dataset, for the summary line and `--timings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Exports,
    QueryResults,
    Tables,
    Catalogue,
    Diagrams,
}

/// What one job of [`publish`] wrote, and how long it took.
struct Wrote {
    part: Part,
    /// The job, for `--timings`: the first file it wrote.
    name: String,
    files: Vec<PathBuf>,
    took: Duration,
}

type PublishJob<'a> = Job<'a, Wrote, anyhow::Error>;

/// A job writing one part, timed.
fn job<'a>(
    part: Part,
    f: impl FnOnce() -> anyhow::Result<Vec<PathBuf>> + Send + 'a,
) -> PublishJob<'a> {
    Box::new(move || {
        let start = Instant::now();
        let files = f()?;
        let name = files
            .first()
            .and_then(|p| p.file_name())
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        Ok(Wrote {
            part,
            name,
            files,
            took: start.elapsed(),
        })
    })
}

/// Writes the whole published dataset into the `stage` (the exports and the catalogue from
/// `sorted`); returns the summary line. Every file is a job, run on every core
/// ([`parallel::run`]), the longest first, written without a flush each (a file that comes
/// out as the earlier build's is linked to it: [`fence::write_staged`]); the stage is
/// flushed to disk at the end. An SVG whose DOT is unchanged since the earlier build is taken
/// from there, not drawn again.
fn publish(
    kb: &Kb,
    sorted: &export::Sorted,
    stage: &fence::Stage,
    checks: usize,
    clock: &mut Stopwatch,
) -> anyhow::Result<String> {
    let output = stage.dir();
    // The queries the charts and money diagrams are drawn from run once for them and for
    // their CSV; the others stream their answers to CSV as they come.
    let memo = Memo::new(kb);
    let writer = Writer::new(kb, &memo, &output.join("diagrams"))?
        .reusing(stage.earlier().map(|e| e.join("diagrams")))
        .staged(stage);
    let mut jobs = export_jobs(kb, stage, sorted);
    jobs.extend(result_jobs(kb, stage, &memo)?);
    jobs.push(job(Part::Tables, || {
        let dir = output.join("tables");
        Ok(medrd_kg::publish::write_csv_tables(
            kb,
            &dir,
            false,
            false,
            Some(stage),
        )?)
    }));
    for draw in writer.jobs()? {
        jobs.push(job(Part::Diagrams, move || Ok(draw()?)));
    }
    let done = parallel::run(jobs)?;
    let graphviz = writer.found_graphviz();
    // Its kept `dot` processes are stopped now, not after the flush.
    drop(writer);
    clock.lap(format!(
        "write every file ({} threads)",
        parallel::workers()
    ));
    if !graphviz {
        eprintln!("note: Graphviz `dot` is not on PATH, so diagrams are DOT and Mermaid only");
    }
    let line = summary(kb, sorted, &done, checks, clock);
    fence::sync_tree(output)?;
    clock.lap("flush to disk");
    Ok(line)
}

/// The six RDF syntaxes and the catalogue, from the sorted quads.
fn export_jobs<'a>(
    kb: &'a Kb,
    stage: &'a fence::Stage,
    sorted: &'a export::Sorted,
) -> Vec<PublishJob<'a>> {
    let catalogue = stage.dir().join("catalog.ttl");
    let mut jobs = vec![job(Part::Catalogue, move || {
        fence::write_staged(stage, &catalogue, false, |w| {
            medrd_kg::publish::write_dcat_of(kb, sorted, w)
        })?;
        Ok(vec![catalogue])
    })];
    for f in EXPORTS {
        let format = super::rdf_format(f);
        let path = stage
            .dir()
            .join(format!("medrd-kg.{}", format.file_extension()));
        jobs.push(job(Part::Exports, move || {
            fence::write_staged(stage, &path, false, |w| sorted.write(format, w))?;
            Ok(vec![path])
        }));
    }
    jobs
}

/// Every named query's results as CSV in `output/queries/`.
fn result_jobs<'a>(
    kb: &'a Kb,
    stage: &'a fence::Stage,
    memo: &'a Memo<'a>,
) -> anyhow::Result<Vec<PublishJob<'a>>> {
    let dir = stage.dir().join("queries");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let shared = medrd_kg::diagram::shared_queries();
    let mut jobs = Vec::new();
    for q in catalog::named(&kb.layout.queries())? {
        let path = dir.join(format!("{}.csv", q.name));
        let share = shared.contains(&q.name.as_str());
        jobs.push(job(Part::QueryResults, move || {
            let results = if share {
                memo.results(&q.name, &q.text)?
            } else {
                kb.query(&q.name, &q.text)?
            };
            fence::write_staged(stage, &path, false, |mut w| {
                write_results(results, ResultsFormat::Csv, RdfFormat::Turtle, &mut w)
            })?;
            Ok(vec![path])
        }));
    }
    Ok(jobs)
}

/// The summary line of a build, and the time each part took (summed over its jobs).
fn summary(
    kb: &Kb,
    sorted: &export::Sorted,
    done: &[Wrote],
    checks: usize,
    clock: &mut Stopwatch,
) -> String {
    let mut parts: BTreeMap<Part, (usize, Duration)> = BTreeMap::new();
    for w in done {
        let part = parts.entry(w.part).or_default();
        part.0 += w.files.len();
        part.1 += w.took;
    }
    for (part, (files, took)) in &parts {
        clock.detail(format!("{part:?}: {files} files, jobs' time summed"), *took);
    }
    let mut slowest: Vec<&Wrote> = done.iter().collect();
    slowest.sort_by_key(|w| std::cmp::Reverse(w.took));
    for w in slowest.iter().take(10) {
        clock.detail(format!("  {:?} {}", w.part, w.name), w.took);
    }
    let files = |p: Part| parts.get(&p).map_or(0, |(n, _)| *n);
    let svg = done
        .iter()
        .filter(|w| w.part == Part::Diagrams)
        .flat_map(|w| &w.files)
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .count();
    format!(
        "{} triples in the data graph, {} export formats, {} query results, {} table files (CSV + CSVW), catalog.ttl (DCAT/VoID), {} diagram files ({} SVG), {} checks passed",
        sorted.graphs_len(&kb.data_graphs()),
        files(Part::Exports),
        files(Part::QueryResults),
        files(Part::Tables),
        files(Part::Diagrams),
        svg,
        checks
    )
}

/// The RDF syntaxes a build writes.
const EXPORTS: [ExportFormat; 6] = [
    ExportFormat::Turtle,
    ExportFormat::Ntriples,
    ExportFormat::Nquads,
    ExportFormat::Trig,
    ExportFormat::Rdfxml,
    ExportFormat::Jsonld,
];
