//! Where a knowledge base comes from and where it lives: the project's folders under one
//! root, the extra RDF of `--with`, an on-disk store and a remote endpoint. Every command
//! starts from a [`Layout`]; the store opens it ([`crate::Kb::load`]).

use std::path::PathBuf;

/// The inputs of a knowledge base: the project's `ontology/`, `data/` and `queries/` under
/// one root, plus any extra RDF the user loads beside them (`--with`), where the store lives
/// (`--store`, else in memory) and where queries are answered (`--endpoint`, else locally).
#[derive(Clone, Debug)]
pub struct Layout {
    pub root: PathBuf,
    /// Extra RDF files or directories, each file loaded into a named graph of its own.
    pub with: Vec<PathBuf>,
    /// A directory holding an on-disk store (RocksDB) kept between runs; `None`: in memory.
    pub store: Option<PathBuf>,
    /// A SPARQL 1.1 endpoint that answers [`Kb::query`] instead of the local store.
    pub endpoint: Option<String>,
}

impl Layout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Layout {
            root: root.into(),
            with: Vec::new(),
            store: None,
            endpoint: None,
        }
    }

    /// Adds extra RDF files or directories to load beside the project's own graphs.
    pub fn with_extra(mut self, paths: impl IntoIterator<Item = PathBuf>) -> Self {
        self.with.extend(paths);
        self
    }

    /// Keeps the store on disk in `dir` (needs the `rocksdb` cargo feature).
    pub fn with_store(mut self, dir: Option<PathBuf>) -> Self {
        self.store = dir;
        self
    }

    /// Sends queries to a remote SPARQL endpoint.
    pub fn with_endpoint(mut self, url: Option<String>) -> Self {
        self.endpoint = url;
        self
    }
    pub fn ontology(&self) -> PathBuf {
        self.root.join("ontology")
    }
    pub fn data(&self) -> PathBuf {
        self.root.join("data")
    }
    pub fn queries(&self) -> PathBuf {
        self.root.join("queries")
    }
}
