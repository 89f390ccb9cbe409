//! Serialising the whole knowledge base (ontology and data) in the RDF syntaxes, sorted so
//! that exports diff cleanly.

use crate::error::{Error, Result};
use crate::store::Kb;
use oxigraph::io::RdfFormat;
use oxigraph::model::{Quad, Triple};
use std::io::Write;

/// Writes every quad of the knowledge base (the store, or the `--endpoint`'s graphs). Formats without named graphs (Turtle, N-Triples,
/// RDF/XML, JSON-LD) get the union of all graphs; N-Quads and TriG keep the graphs.
pub fn write(kb: &Kb, format: RdfFormat, out: impl Write) -> Result<()> {
    let io = Error::Write;
    let mut quads: Vec<Quad> = kb.quads()?;
    quads.sort_by_cached_key(crate::order::text_key);
    if let RdfFormat::JsonLd { .. } = format {
        // Compact JSON-LD, with a context of our prefixes (query::jsonld).
        let compact = crate::query::jsonld::Compactor::new(out);
        let compact = write_sorted(quads, format, compact)?;
        compact.finish().map_err(io)?;
        return Ok(());
    }
    write_sorted(quads, format, out)?;
    Ok(())
}

/// Writes sorted quads (or, in a syntax without named graphs, their triples, deduplicated)
/// and returns the writer.
fn write_sorted<W: Write>(quads: Vec<Quad>, format: RdfFormat, out: W) -> Result<W> {
    let io = Error::Write;
    let s = crate::vocab::rdf_serializer(format, &[]);
    let mut w = s.for_writer(out);
    if format.supports_datasets() {
        for q in &quads {
            w.serialize_quad(q).map_err(io)?;
        }
    } else {
        let mut triples: Vec<Triple> = quads.into_iter().map(Triple::from).collect();
        crate::order::sort_triples(&mut triples);
        for t in &triples {
            w.serialize_triple(t).map_err(io)?;
        }
    }
    w.finish().map_err(io)
}
