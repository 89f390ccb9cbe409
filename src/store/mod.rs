//! The knowledge base, built at start from `ontology/` and `data/`, with the derivation rules
//! of `queries/rules/` applied, and the extra RDF of `--with` beside it: an Oxigraph store
//! ([`Kb::load`], for `link`, `publish`), or, for the commands that only read (`build`,
//! `validate`, `query`, `export`, the diagrams…, and `serve`), a read-only copy ([`frozen`])
//! made without a store where it can be ([`Kb::load_frozen`], `read_only`). A bad file never
//! leaves a half-loaded knowledge base: not a copy or the in-memory store of every run (new at
//! each load, committed in steps, dropped with a failed load: see `writer`), nor an on-disk
//! store (`--store DIR`, cargo feature `rocksdb`) that outlives it, where everything goes in
//! through one transaction, except graphs the store does not have yet (`--with` files', and
//! ours in a store holding none of them): those are bulk-loaded (see [`Kb::load`]). Large
//! files are parsed on other threads while one thread inserts (N-Triples/N-Quads split across
//! the cores; gzipped files `.nt.gz`… decompressed on the fly). With `--endpoint` none of
//! this is loaded: queries, quads and counts come from that remote SPARQL endpoint
//! ([`Kb::load`] gives a knowledge base of `data/`'s documents and an empty store).

pub mod dataset;
pub mod derived;
pub mod federation;
pub mod frozen;
pub mod guard;
pub mod kept;
pub mod memory;
pub mod rdf_bounds;
mod read_only;
pub mod remote;
pub mod stats;
mod writer;

use crate::error::{Error, Result};
use crate::ingest::document::quads;
use crate::ingest::quad_list::QuadList;
use crate::query::catalog;

use crate::ingest::sources::{self, Sources};
use crate::layout::Layout;
use crate::vocab::{BASE, ONTOLOGY_GRAPH};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{
    BlankNode, GraphName, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, QuadRef, Term,
};
use oxigraph::sparql::{CancellationToken, QueryResults, SparqlEvaluator};
use oxigraph::store::{BulkLoader, Store, Transaction};
use std::path::{Path, PathBuf};
use writer::Writer;

thread_local! {
    /// The token that cancels the queries [`Kb::query`] runs on this thread, set by
    /// [`cancelled_by`].
    static CANCEL: std::cell::RefCell<Option<CancellationToken>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` on this thread with every [`Kb::query`] it makes stopped when `token` is
/// cancelled (their results then end in an error): the server gives the work it does for one
/// request (a diagram, a page) its time limit this way, without a token passed through every
/// function that reads the store.
pub fn cancelled_by<R>(token: CancellationToken, f: impl FnOnce() -> R) -> R {
    /// Puts back the thread's previous token, on return and on unwinding alike.
    struct Restore(Option<CancellationToken>);
    impl Drop for Restore {
        fn drop(&mut self) {
            CANCEL.with(|c| *c.borrow_mut() = self.0.take());
        }
    }
    let _restore = Restore(CANCEL.with(|c| c.borrow_mut().replace(token)));
    f()
}

/// Whether the work this thread runs under [`cancelled_by`] has been cancelled: for work that
/// reads the store without [`Kb::query`] (scans of `quads_for_pattern`), to look at as it goes.
pub fn cancelled() -> bool {
    CANCEL.with(|c| {
        c.borrow()
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
    })
}

/// The loaded knowledge base.
pub struct Kb {
    pub layout: Layout,
    /// The sources of `data/`: documents and RS editions.
    pub sources: Sources,
    /// The store, unless the knowledge base was loaded for reading only: then its read-only
    /// copy (in `stats`) holds everything ([`Kb::load_frozen`]).
    store: Option<Store>,
    /// What answers the queries (the store, or the read-only copy) and its counts, for the
    /// query planner.
    pub stats: std::sync::Arc<stats::StoreStatistics>,
}

/// Parses every RDF file of a directory (format from the extension) into one graph.
pub fn parse_rdf_dir(dir: &Path, graph: NamedNodeRef<'_>) -> Result<Vec<Quad>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut quads = Vec::new();
    for path in paths {
        quads.extend(parse_rdf_file(&path, graph)?);
    }
    Ok(quads)
}

/// The syntax of a file from its extension, and whether it is gzip-compressed (`.nt.gz`,
/// `.ttl.gz`…, as open data dumps are published).
fn rdf_source(path: &Path) -> Result<(RdfFormat, bool)> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let (name, gzip) = match name.strip_suffix(".gz") {
        Some(inner) => (inner, true),
        None => (name, false),
    };
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    let format = RdfFormat::from_extension(ext).ok_or_else(|| Error::Rdf {
        path: path.to_owned(),
        message: format!(
            "unknown RDF file extension {ext:?} (use .ttl, .nt, .nq, .trig, .rdf, .jsonld …, \
             optionally gzipped: .nt.gz)"
        ),
    })?;
    Ok((format, gzip))
}

/// A file's bytes, decompressed when it is gzipped, checked on the way by
/// [`rdf_bounds::guard`] (JSON-LD nesting, RDF/XML entity expansion); the second value
/// counts the bytes passed to the parser, for [`rdf_bounds::describe`].
fn open_source(
    path: &Path,
    format: RdfFormat,
    gzip: bool,
) -> Result<(Box<dyn std::io::Read + Send>, rdf_bounds::Consumed)> {
    let file = std::io::BufReader::new(crate::inputs::open(path, None)?);
    let bytes: Box<dyn std::io::Read + Send> = if gzip {
        Box::new(flate2::bufread::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let (guarded, consumed) = rdf_bounds::guard(format, bytes);
    Ok((Box::new(guarded), consumed))
}

/// A file's bytes as [`open_source`] gives them, without the count.
fn source(path: &Path, format: RdfFormat, gzip: bool) -> Result<Box<dyn std::io::Read + Send>> {
    open_source(path, format, gzip).map(|(bytes, _)| bytes)
}

/// The parser of one file into the given graph. Named graphs of a dataset file (N-Quads,
/// TriG) are refused: the file's graph is the one we name.
fn parser(format: RdfFormat, graph: NamedNodeRef<'_>) -> RdfParser {
    RdfParser::from_format(format)
        .without_named_graphs()
        .with_default_graph(graph)
}

/// `q` with each blank node named by its label in the file after `prefix`, drawn once for the
/// file: a file parsed in parts on several threads keeps one node for one label, as the file
/// means, apart from every other file's (as `rename_blank_nodes` does for a file parsed whole).
fn relabelled(mut q: Quad, prefix: &str) -> Quad {
    let named = |b: &BlankNode| BlankNode::new_unchecked(format!("{prefix}x{}", b.as_str()));
    if let NamedOrBlankNode::BlankNode(b) = &q.subject {
        q.subject = named(b).into();
    }
    if let Term::BlankNode(b) = &q.object {
        q.object = named(b).into();
    }
    q
}

/// The parser of a `--with` file: blank nodes renamed, so that `_:b0` of one file is not
/// `_:b0` of another (a blank node's label is local to its file).
fn with_parser(format: RdfFormat, graph: NamedNodeRef<'_>) -> RdfParser {
    parser(format, graph).rename_blank_nodes()
}

fn rdf_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Rdf {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// Parses one RDF file into the given graph; the format comes from the file extension.
/// Named graphs of a dataset file (N-Quads, TriG) are refused: the file's graph is the one
/// we name.
pub fn parse_rdf_file(path: &Path, graph: NamedNodeRef<'_>) -> Result<Vec<Quad>> {
    let (format, gzip) = rdf_source(path)?;
    let (bytes, consumed) = open_source(path, format, gzip)?;
    parser(format, graph)
        .for_reader(bytes)
        .map(|q| q.map_err(|e| parse_error(path, format, gzip, &e, consumed.get())))
        .collect()
}

/// The named graph that `--with` gives an extra file: `graph/with/<file name>`, the name
/// percent-encoded byte by byte except ASCII letters, digits and `. - _ ~`. The encoding is
/// one-to-one, so two names never share a graph (`予算.nt` and `決算.nt` do not both become
/// `__.nt`), and stable from run to run.
pub fn extra_graph(path: &Path) -> NamedNode {
    let mut name = String::new();
    let bytes = path
        .file_name()
        .map_or(&b"file"[..], |n| n.as_encoded_bytes());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            name.push(b as char);
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    NamedNode::new_unchecked(format!("{BASE}graph/with/{name}"))
}

/// Every file of the `--with` paths (directories recursively, in name order). A path that
/// is not a file or directory (a pipe, a device, a link loop, nothing) is named for what it
/// is; a directory reached twice (through a link to itself or an ancestor) is read once, and
/// directories nest at most [`MAX_WITH_DEPTH`] deep.
fn extra_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut seen = std::collections::HashSet::new();
    collect_extra(paths, 0, &mut seen, &mut files)?;
    Ok(files)
}

/// How deep `--with` directories are read.
const MAX_WITH_DEPTH: usize = 32;

fn collect_extra(
    paths: &[PathBuf],
    depth: usize,
    seen: &mut std::collections::HashSet<PathBuf>,
    files: &mut Vec<PathBuf>,
) -> Result<()> {
    for p in paths {
        if p.is_dir() {
            let real = p.canonicalize().map_err(|e| Error::io(p, e))?;
            if !seen.insert(real) {
                continue;
            }
            if depth >= MAX_WITH_DEPTH {
                return Err(Error::io(
                    p,
                    std::io::Error::other(format!(
                        "directories nested over {MAX_WITH_DEPTH} deep under --with"
                    )),
                ));
            }
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Error::io(p, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            collect_extra(&entries, depth + 1, seen, files)?;
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            // Not a file: the reason, in words (a FIFO, a device, a link loop, nothing).
            crate::inputs::open(p, None)?;
            return Err(Error::io(p, std::io::ErrorKind::NotFound.into()));
        }
    }
    Ok(())
}

/// Opens the store: in memory, or on disk in `dir` when built with the `rocksdb` feature.
fn open_store(dir: Option<&Path>) -> Result<Store> {
    match dir {
        None => Ok(Store::new()?),
        #[cfg(feature = "rocksdb")]
        Some(dir) => {
            let store = Store::open(dir)?;
            remove_unfinished_bulk_files(dir)?;
            Ok(store)
        }
        #[cfg(not(feature = "rocksdb"))]
        Some(dir) => Err(Error::io(
            dir,
            std::io::Error::other(
                "this medrd was built without the `rocksdb` feature, so --store is unavailable \
                 (build with `cargo build --release --features rocksdb`)",
            ),
        )),
    }
}

/// Removes the sorted files a bulk load stopped short of ingesting (`bulk-N.sst`, which
/// Oxigraph writes into the store's directory and deletes when the load is dropped, but not
/// when the process is killed: hundreds of MB at national scale). RocksDB never reads them;
/// the store is open, so no other process is loading into it.
#[cfg(feature = "rocksdb")]
fn remove_unfinished_bulk_files(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with("bulk-") && name.ends_with(".sst") && path.is_file() {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// Files larger than this show a progress spinner on stderr while they load (about a
/// second's work).
const PROGRESS_BYTES: u64 = 64 << 20;
/// Quads per batch sent from a parsing thread to the inserting one.
const BATCH: usize = 1 << 15;

/// One parser's output: quads, or the first parse error.
type QuadSource = Box<dyn Iterator<Item = Result<Quad, oxigraph::io::RdfParseError>> + Send>;

/// Parses one file and inserts its quads into the transaction. A triple another graph
/// already holds (ours, or an earlier `--with` file's) is left there and not inserted again
/// ([`Restated`]). Returns the number of quads read and how many of them were left out so.
fn load_file(w: &mut Writer<'_>, path: &Path, graph: NamedNodeRef<'_>) -> Result<(u64, u64)> {
    let mut restated = Restated::default();
    let read = read_file(path, graph, &mut |q| restated.insert(w, q))?;
    Ok((read, restated.0))
}

/// Parses one `--with` file into `graph` (its default graph's quads), handing each quad to
/// `take` on this thread. A large file is parsed on other threads meanwhile (the store takes
/// inserts on one thread, the read-only copy numbers terms on one): uncompressed N-Triples and
/// N-Quads split at line ends across the cores, any other syntax or a gzipped file on one
/// parsing thread. A parse error names the file and its line. Returns the number of quads read.
pub(super) fn read_file(
    path: &Path,
    graph: NamedNodeRef<'_>,
    take: &mut dyn FnMut(&Quad) -> Result<()>,
) -> Result<u64> {
    let (format, gzip) = rdf_source(path)?;
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    let progress = crate::progress::counter(
        size >= PROGRESS_BYTES,
        &format!("loading {}", path.display()),
        "triples",
    );
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut count = 0u64;
    if size <= 1 << 20 && !gzip {
        for q in with_parser(format, graph).for_reader(source(path, format, gzip)?) {
            take(&q.map_err(|e| rdf_error(path, e))?)?;
            count += 1;
        }
        return Ok(count);
    }
    let split = matches!(format, RdfFormat::NTriples | RdfFormat::NQuads) && !gzip && threads > 1;
    // Parts parsed apart would each rename a blank node label anew: a label is named once
    // for the whole file instead ([`relabelled`]).
    let prefix = split.then(|| BlankNode::default().into_string());
    let prefix = prefix.as_deref();
    let sources: Vec<QuadSource> = if split {
        parser(format, graph)
            .split_file_for_parallel_parsing(path, threads)
            .map_err(|e| Error::io(path, e))?
            .into_iter()
            .map(|p| Box::new(p) as QuadSource)
            .collect()
    } else {
        vec![Box::new(
            with_parser(format, graph).for_reader(source(path, format, gzip)?),
        )]
    };
    // A parse error (`Err`: its line is found again below) or `take`'s (`Ok(Err)`).
    let failure: Option<std::result::Result<Error, Error>> = std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Vec<Quad>>>(threads * 2);
        for source in sources {
            let sender = sender.clone();
            scope.spawn(move || {
                let mut batch = Vec::with_capacity(BATCH);
                for q in source {
                    match q {
                        Ok(q) => {
                            batch.push(match prefix {
                                Some(prefix) => relabelled(q, prefix),
                                None => q,
                            });
                            if batch.len() == BATCH
                                && sender
                                    .send(Ok(std::mem::replace(
                                        &mut batch,
                                        Vec::with_capacity(BATCH),
                                    )))
                                    .is_err()
                            {
                                return;
                            }
                        }
                        Err(e) => {
                            let _ = sender.send(Err(rdf_error(path, e)));
                            return;
                        }
                    }
                }
                let _ = sender.send(Ok(batch));
            });
        }
        drop(sender);
        for batch in receiver {
            match batch {
                Ok(batch) => {
                    count += batch.len() as u64;
                    for q in &batch {
                        if let Err(e) = take(q) {
                            return Some(Ok(e));
                        }
                    }
                    progress.set_position(count);
                }
                // Dropping the receiver stops the other parsers at their next batch.
                Err(e) => return Some(Err(e)),
            }
        }
        None
    });
    match failure {
        None => {}
        Some(Ok(take_error)) => {
            progress.abandon();
            return Err(take_error);
        }
        Some(Err(parse_error)) => {
            progress.abandon();
            // A parser of a later part of the file counts lines from the start of its part:
            // read the file again in one piece to report the line in the file.
            return Err(first_error(path, format, gzip, graph).unwrap_or(parse_error));
        }
    }
    progress.finish_and_clear();
    Ok(count)
}

/// Counts the quads of a `--with` file whose triple another graph of the store already holds,
/// and keeps them out: queries run over the union of the graphs, where Oxigraph matches a
/// triple once per graph stating it, so a file restating our data (the review sheets of every
/// ministry hold the 213 of `data/judgit`) would count each of its figures twice (and a join
/// of n patterns over such triples gives 2^n rows). The first statement is kept, as
/// `Kb::load` keeps a fact two documents state in the first document's graph.
#[derive(Default)]
struct Restated(u64);

impl Restated {
    fn insert(&mut self, w: &mut Writer<'_>, q: &Quad) -> Result<()> {
        if stated_elsewhere(w.tx()?, q) {
            self.0 += 1;
            Ok(())
        } else {
            w.insert(q.as_ref())
        }
    }
}

/// The triples the files of one bulk run kept so far, each as a 96-bit key drawn from two
/// SipHashes under independent random keys (two of 15M triples share one by a chance of about
/// 2^-50), with the number of the file that kept it first: 16 bytes a triple.
struct Kept {
    keys: (std::hash::RandomState, std::hash::RandomState),
    first: rustc_hash::FxHashMap<[u32; 3], u32>,
}

impl Kept {
    fn new() -> Self {
        Kept {
            keys: (Default::default(), Default::default()),
            first: Default::default(),
        }
    }

    /// Whether a file before file `file` kept the triple of `q`; notes `file` as keeping it
    /// when `remember` and no file did before. A triple repeated within one file is not
    /// stated by another graph: the loader takes the same quad twice, which the store holds
    /// once, and the file's note does not count it.
    fn seen_before(&mut self, q: &Quad, file: u32, remember: bool) -> bool {
        use std::collections::hash_map::Entry;
        use std::hash::BuildHasher;
        let triple = (&q.subject, &q.predicate, &q.object);
        let (a, b) = (self.keys.0.hash_one(triple), self.keys.1.hash_one(triple));
        // The halves of a, and b's upper half.
        let key = [a as u32, (a >> 32) as u32, (b >> 32) as u32];
        match self.first.entry(key) {
            Entry::Occupied(kept) => *kept.get() < file,
            Entry::Vacant(new) => {
                if remember {
                    new.insert(file);
                }
                false
            }
        }
    }
}

/// Whether `tx` holds the triple of `q` in a graph other than `q`'s.
fn stated_elsewhere(tx: &Transaction<'_>, q: &Quad) -> bool {
    tx.quads_for_pattern(
        Some(q.subject.as_ref()),
        Some(q.predicate.as_ref()),
        Some(q.object.as_ref()),
        None,
    )
    .filter_map(Result::ok)
    .any(|held| held.graph_name != q.graph_name)
}

/// Says on stderr how many triples of a `--with` file were left out as restated.
pub(super) fn note_restated(file: &Path, read: u64, restated: u64) {
    if restated > 0 {
        eprintln!(
            "note: {}: {restated} of its {read} triples are stated by another graph already \
             (ours, or an earlier --with file's) and were left there, so that queries over the \
             union count each once",
            crate::text::shown(file)
        );
    }
}

/// Writes `--with` files whose graphs are new to an on-disk store with Oxigraph's bulk
/// loader: sorted RocksDB files, left aside until the returned loader is committed (then
/// ingested together), deleted if it is dropped instead. A file that fails half way thus
/// leaves none of them in the store. A triple the transaction `tx` already holds in another
/// graph, or an earlier file of `files` kept, is left out, as [`load_file`] leaves it
/// ([`Restated`]); each file is parsed on this thread to check so (the loader still sorts and
/// writes on every core).
fn bulk_write<'a>(
    store: &'a Store,
    tx: &Transaction<'_>,
    files: &[&PathBuf],
) -> Result<Option<BulkLoader<'a>>> {
    if files.is_empty() {
        return Ok(None);
    }
    let size: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let progress = crate::progress::counter(
        size >= PROGRESS_BYTES,
        &format!("bulk-loading {} file(s) into the store", files.len()),
        "triples",
    );
    let bar = progress.clone();
    let mut loader = store
        .bulk_loader()
        .on_progress(move |n| bar.set_position(n));
    // The triples kept by the files so far in this run, for the files after them: they are
    // in the loader, not in `tx` (16 bytes a triple; none for one file).
    let mut kept = (files.len() > 1).then(Kept::new);
    for (i, file) in files.iter().enumerate() {
        let (format, gzip) = rdf_source(file)?;
        let g = extra_graph(file);
        let (mut read, mut restated) = (0u64, 0u64);
        let last = i + 1 == files.len();
        let number = u32::try_from(i).unwrap_or(u32::MAX);
        let (bytes, consumed) = open_source(file, format, gzip)?;
        let quads = with_parser(format, g.as_ref())
            .for_reader(bytes)
            .map(|q| q.map_err(|e| parse_error(file, format, gzip, &e, consumed.get())))
            .filter(|q| {
                let Ok(q) = q else { return true };
                read += 1;
                // Noting a triple `tx` also holds changes nothing: a later file's copy is
                // left out either way.
                let earlier = kept
                    .as_mut()
                    .is_some_and(|k| k.seen_before(q, number, !last));
                let elsewhere = earlier || stated_elsewhere(tx, q);
                restated += u64::from(elsewhere);
                !elsewhere
            });
        if let Err(e) = loader.load_ok_quads::<Error, Error>(quads) {
            progress.abandon();
            return Err(e);
        }
        note_restated(file, read, restated);
    }
    progress.finish_and_clear();
    Ok(Some(loader))
}

/// The first parse error of a file, with its line counted from the start of the file.
fn first_error(
    path: &Path,
    format: RdfFormat,
    gzip: bool,
    graph: NamedNodeRef<'_>,
) -> Option<Error> {
    let (bytes, consumed) = open_source(path, format, gzip).ok()?;
    parser(format, graph)
        .for_reader(bytes)
        .find_map(|q| q.err())
        .map(|e| parse_error(path, format, gzip, &e, consumed.get()))
}

/// A parse error of a file read by [`open_source`] whose parser had `consumed` bytes: a
/// token too long for the parser's buffer is given the line where it starts.
fn parse_error(
    path: &Path,
    format: RdfFormat,
    gzip: bool,
    e: &oxigraph::io::RdfParseError,
    consumed: u64,
) -> Error {
    rdf_error(
        path,
        rdf_bounds::describe(e, consumed, |bytes| {
            let reader = source(path, format, gzip).map_err(std::io::Error::other)?;
            rdf_bounds::newlines_before(reader, bytes)
        }),
    )
}

/// The file in an on-disk store's directory naming what the project's own graphs (ontology,
/// sources, links) were last imported from: [`inputs_digest`] of that run.
const IMPORTED: &str = "medrd-imported";

/// The file in an on-disk store's directory naming the store's state: written anew after each
/// load that changed the store, removed before the store changes. Answers kept beside the
/// store ([`kept`]) hold the state they were read in.
const GENERATION: &str = "medrd-generation";

/// The project's own graphs as quads in parts, in the order they are inserted: the documents',
/// the RS editions' and review sheets' with their links, the identifiers. Kept apart (not
/// appended to one list: at national scale the copy held two lists of 1.4M quads at once),
/// each a compact [`QuadList`], handed to `emit` as soon as it is made.
fn our_parts_into(
    layout: &Layout,
    ontology: &[Quad],
    sources: &Sources,
    emit: &mut dyn FnMut(QuadList) -> Result<()>,
) -> Result<()> {
    // A fact stated by several documents (a program's name in this year's and next year's
    // summary) is kept in the graph of the first only: queries run over the union of the
    // graphs, which would otherwise see it twice.
    let mut documents = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, d) in sources.documents.iter().enumerate() {
        documents.extend(
            quads::data_quads(d, i == 0)
                .into_iter()
                .filter(|q| seen.insert(oxigraph::model::Triple::from(q.clone()))),
        );
    }
    drop(seen);
    let mut first = QuadList::new();
    for q in &documents {
        first.push(q);
    }
    emit(first)?;
    crate::ingest::linked_sources(
        &layout.root,
        &layout.queries(),
        ontology,
        &documents,
        sources,
        emit,
    )?;
    drop(documents);
    emit(QuadList::from_iter(
        crate::ingest::link::identifiers::quads(
            &layout.root,
            crate::ingest::sources::links_graph(),
        )?,
    ))
}

/// `e`, an error of what a load reads before it inserts our graphs (the `--with` files, the
/// rules), or before it an error of `data/` if there is one: in memory our graphs are made
/// beside the insert, after those are read, and a bad source is still reported first, as
/// when every load made them before anything else.
fn data_error_first(e: Error, layout: &Layout, ontology: &[Quad], sources: &Sources) -> Error {
    if layout.store.is_some() {
        return e;
    }
    our_parts(layout, ontology, sources).err().unwrap_or(e)
}

/// [`our_parts_into`] gathered: every part, made before any is inserted.
fn our_parts(layout: &Layout, ontology: &[Quad], sources: &Sources) -> Result<Vec<QuadList>> {
    let mut parts = Vec::new();
    our_parts_into(layout, ontology, sources, &mut |part| {
        parts.push(part);
        Ok(())
    })?;
    Ok(parts)
}

/// Our graphs' quads as a load inserts them ([`Writes`]): made already (on disk, where they
/// may go to the bulk loader instead), or still to be made, on a thread of their own that
/// hands each part over as soon as it is made, so that the store inserts the first parts
/// while the later ones are made (the store's one writer is half of an in-memory load).
enum Parts<'a> {
    Made(Vec<QuadList>),
    ToMake {
        layout: &'a Layout,
        ontology: &'a [Quad],
        sources: &'a Sources,
    },
}

impl Parts<'_> {
    /// Gives each part to `insert`, in order: made here, or on another thread meanwhile.
    /// Whichever side fails first stops the other; its error is the one returned.
    fn each(self, insert: &mut dyn FnMut(QuadList) -> Result<()>) -> Result<()> {
        let (layout, ontology, sources) = match self {
            Parts::Made(parts) => return parts.into_iter().try_for_each(insert),
            Parts::ToMake {
                layout,
                ontology,
                sources,
            } => (layout, ontology, sources),
        };
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::channel::<QuadList>();
            let maker = std::thread::Builder::new()
                .name("medrd-import".into())
                .stack_size(crate::query::bounds::STACK_SIZE)
                .spawn_scoped(scope, move || {
                    our_parts_into(layout, ontology, sources, &mut |part| {
                        // The receiver is gone only when the insert failed: its error is
                        // the one reported.
                        tx.send(part).map_err(|_| Error::Import {
                            path: layout.data(),
                            message: "the store stopped taking the quads".into(),
                        })
                    })
                })
                .map_err(|e| Error::io(&layout.root, e))?;
            let inserted = rx.iter().try_for_each(&mut *insert);
            drop(rx);
            let made = maker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            inserted.and(made)
        })
    }
}

/// Whether a named graph is one of ours: the ontology's, a source's or the links'
/// (`graph/SLUG`), not a `--with` file's (`graph/with/FILE`).
fn is_ours(g: &NamedOrBlankNode) -> bool {
    let NamedOrBlankNode::NamedNode(n) = g else {
        return false;
    };
    n.as_str()
        .strip_prefix(BASE)
        .is_some_and(|rest| rest.starts_with("graph/"))
        && !is_with_graph(n.as_str())
}

/// Whether a graph's IRI is a `--with` file's ([`extra_graph`]: `graph/with/FILE`).
fn is_with_graph(iri: &str) -> bool {
    iri.strip_prefix(BASE)
        .is_some_and(|rest| rest.starts_with("graph/with/"))
}

/// Our graphs in an on-disk store ([`is_ours`]): those of the sources of `data/`, and those of
/// sources since removed or renamed there, which an import clears too (else the union of the
/// graphs would count their figures beside the renamed source's).
fn our_graphs_in(store: &Store) -> Result<Vec<NamedOrBlankNode>> {
    let mut ours = Vec::new();
    for g in store.named_graphs() {
        let g = g?;
        if is_ours(&g) {
            ours.push(g);
        }
    }
    Ok(ours)
}

/// Whether the store holds a quad of any of our graphs.
fn holds_any(store: &Store) -> Result<bool> {
    for g in our_graphs_in(store)? {
        if store
            .quads_for_pattern(None, None, None, Some(g.as_ref().into()))
            .next()
            .transpose()?
            .is_some()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The `--with` files whose graph is not in an on-disk store yet (bulk-loaded), and the others
/// (loaded again in the transaction).
fn split_with_files<'f>(
    store: &Store,
    files: &'f [PathBuf],
    on_disk: bool,
) -> Result<(Vec<&'f PathBuf>, Vec<&'f PathBuf>)> {
    let mut new_graphs = Vec::new();
    let mut in_transaction = Vec::new();
    for (file, g) in files.iter().zip(with_graphs(files)?) {
        let absent = store
            .quads_for_pattern(None, None, None, Some(g.as_ref().into()))
            .next()
            .transpose()?
            .is_none();
        if on_disk && absent {
            new_graphs.push(file);
        } else {
            in_transaction.push(file);
        }
    }
    Ok((new_graphs, in_transaction))
}

/// The graph of each `--with` file, once each is known to be of a syntax we read and of a
/// graph of its own (two files of one name would share one).
fn with_graphs(files: &[PathBuf]) -> Result<Vec<NamedNode>> {
    let mut graphs = std::collections::BTreeMap::new();
    for file in files {
        rdf_source(file)?;
        let g = extra_graph(file);
        if let Some(first) = graphs.insert(g.clone(), file) {
            return Err(Error::Rdf {
                path: file.clone(),
                message: format!(
                    "has the same file name as {}: both would load into the graph <{}>; \
                     rename one",
                    first.display(),
                    g.as_str()
                ),
            });
        }
    }
    Ok(files.iter().map(|f| extra_graph(f)).collect())
}

/// Our graphs into an on-disk store holding none of them, with the bulk loader: sorted files
/// written on every core, ingested together when it commits (or not at all).
fn bulk_load_ours(store: &Store, ontology: &[Quad], parts: Vec<QuadList>) -> Result<()> {
    let mut loader = store.bulk_loader();
    loader.load_quads(ontology.iter().cloned())?;
    // The loader writes a batch of its own for each call: the small parts of the RS records
    // and the review sheets (made so that an in-memory store inserts the first while the
    // next are made) are taken together, in their order.
    let mut small: Option<QuadList> = None;
    for part in parts {
        let part = match small.take() {
            Some(mut before) => {
                for q in part.iter() {
                    before.push(q);
                }
                before
            }
            None => part,
        };
        if part.len() < BULK_PART {
            small = Some(part);
            continue;
        }
        loader.load_quads(part.iter().map(QuadRef::into_owned))?;
    }
    if let Some(part) = small {
        loader.load_quads(part.iter().map(QuadRef::into_owned))?;
    }
    Ok(loader.commit()?)
}

/// Parts smaller than this go to the bulk loader together with the next.
const BULK_PART: usize = 1 << 17;

/// What a load writes through its transaction ([`Writer`]): our graphs (unless they were
/// kept, or bulk-loaded before), the `--with` files loaded again, the rules; then the new
/// `--with` graphs bulk-loaded beside it.
struct Writes<'a> {
    /// Our graphs are cleared and inserted again (in the transaction).
    reimport: bool,
    ontology: &'a [Quad],
    /// Our graphs' quads, when imported in the transaction (else none).
    parts: Parts<'a>,
    in_transaction: Vec<&'a PathBuf>,
    rules: &'a [catalog::NamedQuery],
    new_graphs: &'a [&'a PathBuf],
    /// Every `--with` file, in the order given.
    files: &'a [PathBuf],
}

impl Writes<'_> {
    /// Writes into `store`.
    fn write(self, store: &Store, on_disk: bool) -> Result<()> {
        // In memory the store is new and dropped with a failed load: it takes the quads in
        // steps (see `writer`); on disk in one transaction.
        let mut w = if on_disk {
            Writer::one_transaction(store)
        } else {
            Writer::in_steps(store)
        };
        if self.reimport {
            clear_ours(w.tx()?, store)?;
            w.tx()?.extend(self.ontology);
        }
        // Each part is freed once it is inserted, so that the store grows into the memory it
        // gives back.
        self.parts.each(&mut |part| {
            for quad in part.iter() {
                w.insert(quad)?;
            }
            Ok(())
        })?;
        // Every graph loaded again is cleared before any is loaded: a triple of one file is
        // left out when another graph holds it, never because of what a file held last time.
        for file in &self.in_transaction {
            w.tx()?.clear_graph(extra_graph(file).as_ref())?;
        }
        for file in &self.in_transaction {
            let g = extra_graph(file);
            let (read, restated) = load_file(&mut w, file, g.as_ref())?;
            note_restated(file, read, restated);
        }
        let kept = if on_disk {
            kept_with_graphs(store, self.files)?
        } else {
            Vec::new()
        };
        // With new graphs to bulk-load, the rules wait for them (below), so that they run
        // once and see every graph.
        if self.new_graphs.is_empty() {
            derive(&mut w, self.rules, &kept, &self.in_transaction)?;
        }
        // The new graphs are read and written aside before anything is committed, so that a
        // bad file among them leaves the transaction uncommitted too; only the final
        // ingestion of the written files comes after the commit.
        let bulk = bulk_write(store, w.tx()?, self.new_graphs)?;
        w.commit()?;
        if let Some(loader) = bulk {
            loader.commit()?;
            // The rules run over the whole store once the new graphs are in, in a transaction
            // of their own (what they insert is small), so that a first load with a new file
            // answers as every later one does; then every file's graph is checked, in the
            // order the files were given.
            let every: Vec<&PathBuf> = self.files.iter().collect();
            let derived = {
                let mut after = Writer::one_transaction(store);
                derive(&mut after, self.rules, &kept, &every).and_then(|()| after.commit())
            };
            if let Err(e) = derived {
                // The load failed: the new graphs are taken out again, so that none of its
                // files stays in the store.
                for file in self.new_graphs {
                    store.remove_named_graph(extra_graph(file).as_ref())?;
                }
                return Err(e);
            }
        }
        Ok(())
    }
}

/// Runs the rules in `w`'s transaction, then takes out of each `--with` graph the triples the
/// rules derived there that a graph before it holds too ([`derived`]), in the order a load
/// leaves a file's triple out: ours, the graphs of earlier files an on-disk store keeps
/// (`kept`), then the `files` of this run in the order given. A kept graph, which the rules
/// read and derive into as they do into the others, is checked against ours only (the order
/// its file was given in is not known: checked against another kept one, a file's own
/// statement could be taken out for what a rule derived into the other), silently (it happens
/// at every load).
fn derive(
    w: &mut Writer<'_>,
    rules: &[catalog::NamedQuery],
    kept: &[NamedNode],
    files: &[&PathBuf],
) -> Result<()> {
    for rule in rules {
        crate::query::bounds::check(&rule.text).map_err(|e| rule.error(e))?;
        SparqlEvaluator::new()
            .parse_update(&rule.text)
            .map_err(|e| rule.error(e))?
            .on_transaction(w.tx()?)
            .execute()
            .map_err(|e| rule.error(e))?;
    }
    if rules.is_empty() || (kept.is_empty() && files.is_empty()) {
        return Ok(());
    }
    let predicates = derived::rule_predicates(rules);
    let graphs: Vec<NamedNode> = files.iter().map(|f| extra_graph(f)).collect();
    for (i, file) in files.iter().enumerate() {
        let lost = derived::remove_derived_too(
            w.tx()?,
            &graphs[i],
            &graphs[i + 1..],
            predicates.as_deref(),
        )?;
        derived::note(file, lost);
    }
    for graph in kept {
        let others: Vec<NamedNode> = graphs
            .iter()
            .chain(kept.iter().filter(|g| *g != graph))
            .cloned()
            .collect();
        derived::remove_derived_too(w.tx()?, graph, &others, predicates.as_deref())?;
    }
    Ok(())
}

/// The graphs of `--with` files an on-disk store holds from earlier runs: every graph under
/// `graph/with/` but those of this run's `files`, by name.
fn kept_with_graphs(store: &Store, files: &[PathBuf]) -> Result<Vec<NamedNode>> {
    let given: std::collections::HashSet<NamedNode> =
        files.iter().map(|f| extra_graph(f)).collect();
    let mut kept = Vec::new();
    for g in store.named_graphs() {
        if let NamedOrBlankNode::NamedNode(n) = g? {
            if is_with_graph(n.as_str()) && !given.contains(&n) {
                kept.push(n);
            }
        }
    }
    kept.sort();
    Ok(kept)
}

/// Clears our graphs in the transaction: every one the store holds ([`our_graphs_in`]: the
/// ontology's, the links', the sources' of `data/` and of sources renamed or removed since; a
/// graph that holds a quad is a named graph of the store).
fn clear_ours(tx: &mut Transaction<'_>, store: &Store) -> Result<()> {
    for g in our_graphs_in(store)? {
        tx.clear_graph(oxigraph::model::GraphNameRef::from(g.as_ref()))?;
    }
    Ok(())
}

/// The largest import digest read back (bytes).
const MAX_DIGEST: u64 = 256 << 20;

/// Removes a file if it is there, the removal flushed to disk before the store changes.
fn remove_durably(f: &Path) -> Result<()> {
    match std::fs::remove_file(f) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(f, e)),
        Ok(()) => {}
    }
    let dir = f.parent().unwrap_or(Path::new("."));
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// This medrd: its version, and its executable's size and time.
fn executable() -> String {
    let mut out = format!("medrd-kg {}\n", env!("CARGO_PKG_VERSION"));
    if let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) {
        let time = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        out.push_str(&format!("exe {} {:?}\n", meta.len(), time));
    }
    out
}

/// How many folders deep [`inputs_digest`] reads below each of its folders: deeper than any
/// file the import reads (a review sheet is `data/judgit/sheets/EDITION/府省庁/STEM.json`), and
/// a bound where a folder links back to one above it.
const DIGEST_DEPTH: usize = 8;

/// What the project's own graphs are made from, as one text: medrd's version and its
/// executable's size and time (another medrd may import otherwise), then every file under
/// `ontology/`, `data/`, `queries/rules/` and `queries/link/` (the matcher's queries), by path,
/// with its length and a hash of its bytes. Not a defence against anyone: a change of an input
/// is what it tells.
fn inputs_digest(layout: &Layout) -> Result<String> {
    use std::hash::Hasher;
    let mut out = executable();
    let mut files = Vec::new();
    for dir in [
        layout.ontology(),
        layout.data(),
        layout.queries().join("rules"),
        layout.queries().join("link"),
    ] {
        let mut pending = vec![(dir, 0)];
        while let Some((d, depth)) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for entry in entries {
                let path = entry.map_err(|e| Error::io(&d, e))?.path();
                if !path.is_dir() {
                    files.push(path);
                } else if depth < DIGEST_DEPTH {
                    pending.push((path, depth + 1));
                }
            }
        }
    }
    files.sort();
    for f in files {
        use std::io::Read;
        // Opened as the import opens its inputs (a regular file, not a FIFO or a device).
        let mut file = crate::inputs::open(&f, None)?;
        let (mut h, mut len, mut buf) = (std::hash::DefaultHasher::new(), 0u64, vec![0u8; 1 << 16]);
        loop {
            let n = file.read(&mut buf).map_err(|e| Error::io(&f, e))?;
            if n == 0 {
                break;
            }
            h.write(&buf[..n]);
            len += n as u64;
        }
        out.push_str(&format!("{} {len} {:016x}\n", f.display(), h.finish()));
    }
    Ok(out)
}

impl Kb {
    /// Builds the store from the files under `layout`. The project's files are parsed and
    /// checked before the first triple is inserted. On disk everything is inserted in one
    /// transaction: when a `--with` file fails half way, the store is left as it was; in
    /// memory the store is new, committed in steps, and dropped with the load's error.
    /// An on-disk store keeps the graphs of earlier `--with` files, and the ontology's and
    /// data's while what they are made from is unchanged ([`inputs_digest`]); those and every
    /// graph loaded again are replaced in the transaction, which on disk holds its
    /// writes in memory until it commits — far too much for a 10M-triple dump. So a graph
    /// the store does not have yet is bulk-loaded instead: a `--with` file is read before the
    /// transaction commits, and ingested after it, the rules then running over the whole
    /// store in a transaction of their own; our graphs, into a store holding none of
    /// them, before the transaction (which runs the rules over them), and taken out again
    /// when the transaction fails and the store was empty. With `--endpoint` nothing is
    /// loaded ([`Kb::of_endpoint`]).
    pub fn load(layout: Layout) -> Result<Self> {
        Kb::load_as(layout, false)
    }

    /// The knowledge base for a command that only reads it: loaded into a read-only copy
    /// ([`frozen`]) instead of a store (the module `read_only`), where it can be: in memory,
    /// with rules that only insert (`--with` files too, each in its graph). Elsewhere
    /// [`Kb::load`]; with `--endpoint`, nothing is loaded, as there.
    /// Its queries, patterns, quads and counts are the store's; [`Kb::store`] is an error.
    pub fn load_frozen(layout: Layout) -> Result<Self> {
        Kb::load_as(layout, true)
    }

    fn load_as(layout: Layout, copy: bool) -> Result<Self> {
        if layout.endpoint.is_some() {
            return Kb::of_endpoint(layout);
        }
        let ontology = parse_rdf_dir(&layout.ontology(), ONTOLOGY_GRAPH)?;
        let sources = Sources::read(&layout.data())?;
        // On disk, the project's own graphs are imported again only when what they are made
        // from changed since the store last took them.
        let imported = layout.store.as_deref().map(|dir| dir.join(IMPORTED));
        let digest = match &imported {
            Some(_) => Some(inputs_digest(&layout)?),
            None => None,
        };
        let mut unchanged = imported
            .as_ref()
            .zip(digest.as_ref())
            .is_some_and(|(f, d)| {
                crate::inputs::read(f, MAX_DIGEST).is_ok_and(|held| held == d.as_bytes())
            });
        let on_disk = layout.store.is_some();
        // In memory (never `unchanged`) the parts are made while the store inserts them.
        let mut parts = if unchanged || !on_disk {
            Vec::new()
        } else {
            our_parts(&layout, &ontology, &sources)?
        };
        let data_first = |e| data_error_first(e, &layout, &ontology, &sources);
        let files = extra_files(&layout.with).map_err(data_first)?;
        let rules = catalog::rules(&layout.queries()).map_err(data_first)?;
        if copy && !on_disk && read_only::takes(&rules) {
            // The files' syntax and names are checked before our graphs are made, as the
            // store's load checks them before it writes.
            let graphs = with_graphs(&files).map_err(data_first)?;
            return Kb::read_only(layout, sources, &ontology, (&files, graphs), &rules);
        }
        let store = open_store(layout.store.as_deref())?;
        let holds_ours = on_disk && holds_any(&store)?;
        // A store emptied of our graphs by another program is imported again, whatever its
        // digest says.
        if unchanged && !holds_ours {
            unchanged = false;
            parts = our_parts(&layout, &ontology, &sources)?;
        }
        if unchanged {
            eprintln!(
                "note: the store holds the project's graphs as imported from these same inputs \
                 (ontology/, data/, queries/rules/, this medrd): not imported again"
            );
        }
        let (new_graphs, in_transaction) =
            split_with_files(&store, &files, on_disk).map_err(data_first)?;
        // Gone before the store changes, written once it has: a run stopped between the two
        // leaves a store that imports ours again next time, and whose answers kept beside it
        // are not read.
        let generation = layout.store.as_deref().map(|dir| dir.join(GENERATION));
        let changes = !unchanged || !files.is_empty();
        for (f, gone) in [(&imported, !unchanged), (&generation, changes)] {
            if let (Some(f), true) = (f, gone) {
                remove_durably(f)?;
            }
        }
        // On disk, a store holding none of our graphs (new, or one whose import stopped before
        // any of them was committed) takes them with the bulk loader, before the transaction
        // of the rules and `--with` files: a RocksDB transaction holds every write in memory
        // (a national import took 86 s and 2.9 GB that way, and the next open replayed its log
        // for 40 s). Should the transaction fail, a store that was empty is emptied again (a
        // range delete); any other keeps our graphs without the digest, so that the next run
        // imports them again, in its transaction.
        let bulk_ours = on_disk && !unchanged && !holds_ours;
        let was_empty = bulk_ours && store.is_empty()?;
        if bulk_ours {
            bulk_load_ours(&store, &ontology, std::mem::take(&mut parts))?;
        }
        let writes = Writes {
            reimport: !unchanged && !bulk_ours,
            ontology: &ontology,
            parts: if on_disk {
                Parts::Made(parts)
            } else {
                Parts::ToMake {
                    layout: &layout,
                    ontology: &ontology,
                    sources: &sources,
                }
            },
            in_transaction,
            rules: &rules,
            new_graphs: &new_graphs,
            files: &files,
        };
        if let Err(e) = writes.write(&store, on_disk) {
            if was_empty {
                store.clear()?;
            }
            return Err(e);
        }
        if let (Some(f), Some(d), false) = (&imported, &digest, unchanged) {
            crate::fence::write_entry(f, true, |w| w.write_all(d.as_bytes()))?;
        }
        // The rules have seen every graph, the bulk-loaded ones too (`Writes::write`).
        if let Some(f) = generation.filter(|f| changes || f.symlink_metadata().is_err()) {
            crate::fence::write_entry(&f, true, |w| {
                w.write_all(kept::new_generation().as_bytes())
            })?;
        }
        Ok(Kb {
            layout,
            sources,
            stats: stats::StoreStatistics::new(&store),
            store: Some(store),
        })
    }

    /// The store, for work that reads or writes it directly (publishing, linking); an error
    /// for a knowledge base loaded for reading only ([`Kb::load_frozen`]).
    pub fn store(&self) -> Result<&Store> {
        self.store
            .as_ref()
            .ok_or(Error::NoStore("reading the store directly"))
    }

    /// How many quads the knowledge base holds.
    pub fn len(&self) -> Result<usize> {
        match self.stats.frozen() {
            Some(f) => Ok(f.len()),
            None => Ok(self.store()?.len()?),
        }
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The knowledge base of a command given `--endpoint`: every query goes there, and so do
    /// the reads of every quad and of the graphs' sizes ([`Kb::quads`], [`Kb::graph_sizes`]:
    /// `export`, `stats`, the catalogue), so no graph of ours is loaded here. What stays local
    /// is `data/`'s documents (the source-line check reads them) and an empty store. Loading
    /// our graphs into a store no command here reads took 0.3 s on the default data and
    /// several seconds at national scale. `--with` files go to the endpoint with `publish`,
    /// not here: their names are checked (as a load would), and a note says they are not read;
    /// a `--store` is not opened either, and a note says so.
    fn of_endpoint(layout: Layout) -> Result<Self> {
        let sources = Sources::read(&layout.data())?;
        let files = extra_files(&layout.with)?;
        if !files.is_empty() {
            eprintln!(
                "note: --with files are not read with --endpoint: the endpoint answers (send \
                 them there with `medrd --endpoint URL --with … publish`)"
            );
        }
        if let Some(dir) = &layout.store {
            eprintln!(
                "note: --store {} is not opened with --endpoint: the endpoint answers",
                crate::text::shown(dir)
            );
        }
        let store = Store::new()?;
        Ok(Kb {
            layout,
            sources,
            stats: stats::StoreStatistics::new(&store),
            store: Some(store),
        })
    }

    /// The knowledge base as a read-only copy, with no store ([`Kb::load_frozen`]).
    fn read_only(
        layout: Layout,
        sources: Sources,
        ontology: &[Quad],
        (files, graphs): (&[PathBuf], Vec<NamedNode>),
        rules: &[catalog::NamedQuery],
    ) -> Result<Self> {
        let parts = Parts::ToMake {
            layout: &layout,
            ontology,
            sources: &sources,
        };
        let frozen = read_only::load(ontology, parts, files, graphs, rules)?;
        Ok(Kb {
            layout,
            sources,
            stats: stats::StoreStatistics::of_copy(frozen),
            store: None,
        })
    }

    /// The documents of `data/` (at least one).
    pub fn documents(&self) -> &[crate::ingest::document::records::Data] {
        &self.sources.documents
    }

    /// The first document (in folder-name order): the one whose graph also holds the shared
    /// organisations and themes.
    pub fn primary(&self) -> &crate::ingest::document::records::Data {
        &self.sources.documents[0]
    }

    /// Runs a SPARQL query over the union of all graphs (ontology and data), or sends it to
    /// the remote endpoint when one is set (which must answer over the union too). Inside
    /// [`cancelled_by`], the query stops when that token is cancelled.
    pub fn query(&self, name: &str, sparql: &str) -> Result<QueryResults<'static>> {
        let err = |m: String| Error::Query {
            name: name.to_owned(),
            message: m,
        };
        if let Some(url) = &self.layout.endpoint {
            // Refused here as the embedded store would refuse it, whatever the endpoint takes.
            crate::query::bounds::check(sparql).map_err(|e| err(e.to_string()))?;
            return remote::query(url, sparql).map_err(|e| err(e.to_string()));
        }
        let token = CANCEL.with(|c| c.borrow().clone());
        crate::query::evaluate_with(&self.stats, name, sparql, token)
    }

    /// The quads matching a pattern, as [`Store::quads_for_pattern`] gives them: from the
    /// read-only copy of a read-only load ([`Kb::load_frozen`]), else from the store.
    pub fn quads_for_pattern<'a>(
        &'a self,
        subject: Option<oxigraph::model::NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<oxigraph::model::TermRef<'_>>,
        graph_name: Option<oxigraph::model::GraphNameRef<'_>>,
    ) -> Box<dyn Iterator<Item = Result<Quad>> + 'a> {
        match self.stats.frozen() {
            Some(f) => Box::new(
                f.quads_for_pattern(subject, predicate, object, graph_name)
                    .map(|q| q.map_err(Error::from)),
            ),
            None => match self.store() {
                Ok(store) => Box::new(
                    store
                        .quads_for_pattern(subject, predicate, object, graph_name)
                        .map(|q| q.map_err(Error::from)),
                ),
                Err(e) => Box::new(std::iter::once(Err(e))),
            },
        }
    }

    /// The named graphs holding a quad: the copy's, or the store's.
    pub fn named_graphs(&self) -> Box<dyn Iterator<Item = Result<NamedOrBlankNode>> + '_> {
        if let Some(f) = self.stats.frozen() {
            return Box::new(f.graph_sizes().into_iter().filter_map(|(g, _)| match g {
                oxigraph::model::Term::NamedNode(n) => Some(Ok(n.clone().into())),
                oxigraph::model::Term::BlankNode(b) => Some(Ok(b.clone().into())),
                _ => None,
            }));
        }
        match self.store() {
            Ok(store) => Box::new(store.named_graphs().map(|g| g.map_err(Error::from))),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }

    /// Whether a named graph is in the knowledge base: one holding a quad, in a copy (which
    /// has no empty graphs: nothing that makes one reads a copy); the store's answer.
    pub fn contains_named_graph(&self, graph: NamedNodeRef<'_>) -> Result<bool> {
        match self.stats.frozen() {
            Some(f) => Ok(f.graph_len(graph) > 0),
            None => Ok(self.store()?.contains_named_graph(graph)?),
        }
    }

    /// Our side of a link with other data: this store or read-only copy (the local one, even
    /// with `--endpoint`) and the project's queries.
    pub fn ours(&self) -> crate::ingest::link::Ours<'_> {
        crate::ingest::link::Ours {
            stats: &self.stats,
            queries: self.layout.queries(),
        }
    }

    /// Number of triples in one graph: the copy's, or counted by the SPARQL engine, which
    /// counts the store's encoded quads as they are: reading them as quads
    /// (`quads_for_pattern`) looks up the text of every term, from disk in an on-disk store,
    /// where that was 0.7 s of a warm `serve --store` start on the default data.
    pub fn graph_len(&self, graph: NamedNodeRef<'_>) -> Result<usize> {
        if let Some(f) = self.stats.frozen() {
            return Ok(f.graph_len(graph));
        }
        let err = |m: String| Error::Query {
            name: format!("the triples of <{}> counted", graph.as_str()),
            message: m,
        };
        let mut prepared = SparqlEvaluator::new()
            .parse_query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            .map_err(|e| err(e.to_string()))?;
        prepared
            .dataset_mut()
            .set_default_graph(vec![GraphName::from(graph.into_owned())]);
        let results = prepared
            .on_store(self.store()?)
            .execute()
            .map_err(|e| err(e.to_string()))?;
        let QueryResults::Solutions(mut rows) = results else {
            return Err(err("the count gave no solutions".into()));
        };
        let row = rows
            .next()
            .transpose()
            .map_err(|e| err(e.to_string()))?
            .ok_or_else(|| err("the count gave no row".into()))?;
        match row.get("n") {
            Some(oxigraph::model::Term::Literal(n)) => n
                .value()
                .parse()
                .map_err(|_| err(format!("the count {} is not a number", n.value()))),
            _ => Err(err("the count gave no number".into())),
        }
    }

    /// The graphs of the sources and the links: the data graph (everything but the ontology
    /// and `--with` files).
    pub fn data_graphs(&self) -> Vec<NamedNode> {
        let mut graphs = self.sources.graphs();
        graphs.push(sources::links_graph());
        graphs
    }
}
