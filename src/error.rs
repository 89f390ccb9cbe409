//! The library's error type: every failure names the file (and line) or the cause.

use std::path::PathBuf;

/// Errors raised while loading, querying or exporting the knowledge base.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The cause is part of the message (not a `source`), so a printed chain says it once.
    #[error("{}: {cause}", path.display())]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// A data or ontology file is malformed, or refers to something that does not exist.
    #[error("{}:{line}: {message}", path.display())]
    Data {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    Rdf { path: PathBuf, message: String },
    #[error("query {name}: {message}")]
    Query { name: String, message: String },
    #[error("unknown query {0:?} (run `medrd queries` for the list)")]
    UnknownQuery(String),
    /// A diagram cannot be built: unknown kind, argument or entity.
    #[error("diagram: {0}")]
    Diagram(String),
    /// A fiscal year no document of `data/` gives figures for.
    #[error("no document of fiscal year {year}: the documents give {known}")]
    NoDocumentYear { year: i32, known: String },
    /// Graphviz `dot` is not installed (it could not be started: not on PATH).
    #[error("{0}")]
    Graphviz(String),
    /// Graphviz `dot` ran but failed: a non-zero exit, a signal or its time limit.
    #[error("{0}")]
    GraphvizFailed(String),
    /// A file of other open government data (RS CSV or ZIP, curated link decisions) cannot
    /// be read.
    #[error("{}: {message}", path.display())]
    Import { path: PathBuf, message: String },
    #[error("store: {0}")]
    Store(#[from] oxigraph::store::StorageError),
    /// A read of the read-only copy stopped by the work's cancellation (`serve`'s limits).
    #[error(transparent)]
    Stopped(#[from] crate::store::frozen::Stopped),
    /// A knowledge base loaded for reading only (its read-only copy, no store:
    /// [`crate::Kb::load_frozen`]) was asked for its store, by work that reads or writes the
    /// store itself; such work loads with [`crate::Kb::load`].
    #[error("{0} needs the store, and this knowledge base was loaded for reading only")]
    NoStore(&'static str),
    /// Writing the output failed. The library writes to any `Write`, so it cannot name the
    /// file: the command that opened it adds the path (or "stdout").
    #[error("{0}")]
    Write(std::io::Error),
    /// An output medrd will not write: one of its inputs, inside one or holding one
    /// ([`crate::fence::Fence`]).
    #[error("refusing to write {}: {why}", crate::text::shown(path))]
    Refused { path: PathBuf, why: String },
    /// Writing a file failed; the cause is the writer's own error.
    #[error("writing {}", crate::text::shown(path))]
    Writing {
        path: PathBuf,
        #[source]
        cause: Box<dyn std::error::Error + Send + Sync>,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            cause,
        }
    }

    /// The kind of the I/O error this is, if it is one (reading a file, or writing output).
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            Error::Io { cause, .. } | Error::Write(cause) => Some(cause.kind()),
            _ => None,
        }
    }

    pub(crate) fn data(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Error::Data {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}
