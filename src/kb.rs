//! The knowledge base: an Oxigraph store built at start from `ontology/` and `data/`, with
//! the derivation rules of `queries/rules/` applied. Nothing reaches the store until every
//! file has parsed, so a bad file never leaves a half-loaded store.

use crate::catalog;
use crate::error::{Error, Result};
use crate::graph;
use crate::model::Data;
use crate::vocab::{DATA_GRAPH, ONTOLOGY_GRAPH};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, NamedNodeRef, Quad};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use std::path::{Path, PathBuf};

/// Where the project's files live: `ontology/`, `data/` and `queries/` under one root.
#[derive(Clone, Debug)]
pub struct Layout {
    pub root: PathBuf,
}

impl Layout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Layout { root: root.into() }
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
pub fn parse_rdf_file(path: &Path, graph: NamedNodeRef<'_>) -> Result<Vec<Quad>> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let format = RdfFormat::from_extension(ext).ok_or_else(|| Error::Rdf {
        path: path.to_owned(),
        message: format!("unknown RDF file extension {ext:?}"),
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

impl Kb {
    /// Builds the store from the files under `layout`.
    pub fn load(layout: Layout) -> Result<Self> {
        let ontology = parse_rdf_dir(&layout.ontology(), ONTOLOGY_GRAPH)?;
        let data = Data::load(&layout.data())?;
        let quads = graph::data_quads(&data);
        let store = Store::new()?;
        store.extend(ontology.into_iter().chain(quads))?;
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
