//! The library's error type: every failure names the file (and line) or the cause.

use std::path::PathBuf;

/// Errors raised while loading, querying or exporting the knowledge base.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
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
    #[error("store: {0}")]
    Store(#[from] oxigraph::store::StorageError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
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
