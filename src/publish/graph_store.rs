//! `medrd publish`: our graphs put into a remote store by the SPARQL 1.1 Graph Store
//! Protocol (PUT each named graph, replacing its namesake there).

use crate::error::{Error, Result};
use crate::store::remote::error;
use crate::store::Kb;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNodeRef};
use std::io::Read;

/// Replaces one named graph of a Graph Store Protocol endpoint (`PUT URL?graph=IRI`) with
/// the graph of the knowledge base of the same name, sent as N-Triples. Returns the triples
/// sent.
pub fn put_graph(url: &str, kb: &Kb, graph: NamedNodeRef<'_>) -> Result<usize> {
    let mut body = Vec::new();
    let mut writer = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(&mut body);
    let mut count = 0;
    for q in kb.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(graph))) {
        let q = q?;
        writer
            .serialize_triple(q.as_ref())
            .map_err(|e| Error::io("<n-triples>", e))?;
        count += 1;
    }
    writer.finish().map_err(|e| Error::io("<n-triples>", e))?;
    let sep = if url.contains('?') { '&' } else { '?' };
    let target = format!(
        "{url}{sep}graph={}",
        form_urlencoded::byte_serialize(graph.as_str().as_bytes()).collect::<String>()
    );
    let response = ureq::put(&target)
        .header("Content-Type", "application/n-triples")
        .config()
        .http_status_as_error(false)
        .build()
        .send(&body[..])
        .map_err(|e| error(&target, e))?;
    if !response.status().is_success() {
        let status = response.status();
        let mut text = String::new();
        let _ = response
            .into_body()
            .into_reader()
            .take(4000)
            .read_to_string(&mut text);
        return Err(error(&target, format!("HTTP {status}: {}", text.trim())));
    }
    Ok(count)
}

/// Publishes every named graph of the knowledge base (ontology, data, `--with` graphs: its
/// store's or its read-only copy's) to a Graph Store Protocol endpoint, each replacing the
/// graph of the same name there. Returns each graph with its triple count.
pub fn publish(url: &str, kb: &Kb) -> Result<Vec<(String, usize)>> {
    let mut graphs = Vec::new();
    for g in kb.named_graphs() {
        if let oxigraph::model::NamedOrBlankNode::NamedNode(n) = g? {
            graphs.push(n);
        }
    }
    graphs.sort();
    graphs
        .iter()
        .map(|g| Ok((g.as_str().to_owned(), put_graph(url, kb, g.as_ref())?)))
        .collect()
}
