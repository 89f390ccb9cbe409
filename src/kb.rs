//! The knowledge base: an Oxigraph store built at start from `ontology/` and `data/`, with
//! the derivation rules of `queries/rules/` applied. Nothing reaches the store until every
//! file has parsed, so a bad file never leaves a half-loaded store.

use crate::catalog;
use crate::error::{Error, Result};
use crate::graph;
use crate::model::Data;
use crate::vocab::{BASE, DATA_GRAPH, ONTOLOGY_GRAPH};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, NamedNode, NamedNodeRef, Quad};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use std::path::{Path, PathBuf};

/// The inputs of a knowledge base: the project's `ontology/`, `data/` and `queries/` under
/// one root, plus any extra RDF the user loads beside them (`--with`).
#[derive(Clone, Debug)]
pub struct Layout {
    pub root: PathBuf,
    /// Extra RDF files or directories, each file loaded into a named graph of its own.
    pub with: Vec<PathBuf>,
}

impl Layout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Layout {
            root: root.into(),
            with: Vec::new(),
        }
    }

    /// Adds extra RDF files or directories to load beside the project's own graphs.
    pub fn with_extra(mut self, paths: impl IntoIterator<Item = PathBuf>) -> Self {
        self.with.extend(paths);
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

/// The loaded knowledge base.
pub struct Kb {
    pub layout: Layout,
    pub data: Data,
    pub store: Store,
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

/// Parses one RDF file into the given graph; the format comes from the file extension.
/// Named graphs of a dataset file (N-Quads, TriG) are refused: the file's graph is the one
/// we name.
pub fn parse_rdf_file(path: &Path, graph: NamedNodeRef<'_>) -> Result<Vec<Quad>> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let format = RdfFormat::from_extension(ext).ok_or_else(|| Error::Rdf {
        path: path.to_owned(),
        message: format!("unknown RDF file extension {ext:?} (use .ttl, .nt, .nq, .trig, .rdf, .jsonld …)"),
    })?;
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    RdfParser::from_format(format)
        .without_named_graphs()
        .with_default_graph(graph)
        .for_slice(&bytes)
        .map(|q| {
            q.map_err(|e| Error::Rdf {
                path: path.to_owned(),
                message: e.to_string(),
            })
        })
        .collect()
}

/// The named graph that `--with` gives an extra file: `graph/with/<file name>`.
pub fn extra_graph(path: &Path) -> NamedNode {
    let name: String = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    NamedNode::new_unchecked(format!("{BASE}graph/with/{name}"))
}

/// Every file of the `--with` paths (directories recursively, in name order).
fn extra_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Error::io(p, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            files.extend(extra_files(&entries)?);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(Error::io(p, std::io::ErrorKind::NotFound.into()));
        }
    }
    Ok(files)
}

impl Kb {
    /// Builds the store from the files under `layout`. Everything is parsed and checked
    /// before the first triple is inserted.
    pub fn load(layout: Layout) -> Result<Self> {
        let ontology = parse_rdf_dir(&layout.ontology(), ONTOLOGY_GRAPH)?;
        let data = Data::load(&layout.data())?;
        let quads = graph::data_quads(&data);
        let mut extra = Vec::new();
        for file in extra_files(&layout.with)? {
            extra.extend(parse_rdf_file(&file, extra_graph(&file).as_ref())?);
        }
        let store = Store::new()?;
        store.extend(ontology.into_iter().chain(quads).chain(extra))?;
        let kb = Kb {
            layout,
            data,
            store,
        };
        for rule in catalog::rules(&kb.layout.queries())? {
            SparqlEvaluator::new()
                .parse_update(&rule.text)
                .map_err(|e| rule.error(e))?
                .on_store(&kb.store)
                .execute()
                .map_err(|e| rule.error(e))?;
        }
        Ok(kb)
    }

    /// Runs a SPARQL query over the union of all graphs (ontology and data).
    pub fn query(&self, name: &str, sparql: &str) -> Result<QueryResults<'static>> {
        let err = |m: String| Error::Query {
            name: name.to_owned(),
            message: m,
        };
        let mut prepared = SparqlEvaluator::new()
            .parse_query(sparql)
            .map_err(|e| err(e.to_string()))?;
        prepared.dataset_mut().set_default_graph_as_union();
        prepared
            .on_store(&self.store)
            .execute()
            .map_err(|e| err(e.to_string()))
    }

    /// Number of triples in one graph.
    pub fn graph_len(&self, graph: NamedNodeRef<'_>) -> usize {
        self.store
            .quads_for_pattern(None, None, None, Some(GraphName::from(graph).as_ref()))
            .count()
    }

    pub fn data_graph_len(&self) -> usize {
        self.graph_len(DATA_GRAPH)
    }
}
