//! Serialising the whole knowledge base (ontology and data) in the RDF syntaxes, sorted so
//! that exports diff cleanly. The quads are read and sorted once ([`Sorted`]) for however many
//! syntaxes are written (`medrd build` writes six).

use crate::error::{Error, Result};
use crate::store::Kb;
use oxigraph::io::RdfFormat;
use oxigraph::model::{Quad, Triple};
use std::io::Write;
use std::sync::OnceLock;

/// Every quad of the knowledge base, sorted; and their triples (the union of the graphs,
/// without repeats, sorted), made when a syntax without named graphs first asks.
pub struct Sorted {
    quads: Vec<Quad>,
    triples: OnceLock<Vec<Triple>>,
}

impl Sorted {
    /// Reads every quad of the knowledge base (the store, or the `--endpoint`'s graphs).
    pub fn of(kb: &Kb) -> Result<Sorted> {
        let mut quads: Vec<Quad> = kb.quads()?;
        quads.sort_by_cached_key(crate::order::text_key);
        Ok(Sorted {
            quads,
            triples: OnceLock::new(),
        })
    }

    fn triples(&self) -> &[Triple] {
        self.triples.get_or_init(|| {
            let mut triples: Vec<Triple> = self.quads.iter().cloned().map(Triple::from).collect();
            crate::order::sort_triples(&mut triples);
            triples
        })
    }

    /// Writes them in `format`: N-Quads and TriG keep the graphs, the other syntaxes get the
    /// union of the graphs; JSON-LD is compacted (query::jsonld).
    pub fn write(&self, format: RdfFormat, out: impl Write) -> Result<()> {
        if let RdfFormat::JsonLd { .. } = format {
            let compact = crate::query::jsonld::Compactor::new(out);
            let compact = self.write_plain(format, compact)?;
            compact.finish().map_err(Error::Write)?;
            return Ok(());
        }
        self.write_plain(format, out)?;
        Ok(())
    }

    fn write_plain<W: Write>(&self, format: RdfFormat, out: W) -> Result<W> {
        let io = Error::Write;
        let mut w = crate::vocab::rdf_serializer(format, &[]).for_writer(out);
        if format.supports_datasets() {
            for q in &self.quads {
                w.serialize_quad(q).map_err(io)?;
            }
        } else {
            for t in self.triples() {
                w.serialize_triple(t).map_err(io)?;
            }
        }
        w.finish().map_err(io)
    }
}

/// Writes every quad of the knowledge base in one syntax (see [`Sorted::write`]).
pub fn write(kb: &Kb, format: RdfFormat, out: impl Write) -> Result<()> {
    Sorted::of(kb)?.write(format, out)
}
