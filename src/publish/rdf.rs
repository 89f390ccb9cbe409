//! Serialising the whole knowledge base (ontology and data) in the RDF syntaxes, sorted so
//! that exports diff cleanly. The quads are read and sorted once ([`Sorted`]) for however many
//! syntaxes are written (`medrd build` writes six, and counts the catalogue's statistics on them).

use crate::error::{Error, Result};
use crate::store::Kb;
use oxigraph::io::RdfFormat;
use oxigraph::model::{Quad, QuadRef};
use std::io::Write;

/// Every quad of the knowledge base, and two orders of them: all sorted, and one quad of
/// each triple (the union of the graphs, without repeats) sorted.
pub struct Sorted {
    quads: Vec<Quad>,
    quad_order: Vec<u32>,
    triple_order: Vec<u32>,
}

impl Sorted {
    /// Reads every quad of the knowledge base (the store, or the `--endpoint`'s graphs).
    pub fn of(kb: &Kb) -> Result<Sorted> {
        let quads = kb.quads()?;
        let (quad_order, triple_order) = crate::order::quad_and_triple_order(&quads);
        Ok(Sorted {
            quads,
            quad_order,
            triple_order,
        })
    }

    /// Every quad, sorted.
    pub fn quads(&self) -> impl ExactSizeIterator<Item = &Quad> {
        self.quad_order.iter().map(|i| &self.quads[*i as usize])
    }

    /// The union of the graphs, sorted: every triple once, as a quad that holds it.
    pub fn triples(&self) -> impl ExactSizeIterator<Item = &Quad> {
        self.triple_order.iter().map(|i| &self.quads[*i as usize])
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
            for q in self.quads() {
                w.serialize_quad(q).map_err(io)?;
            }
        } else {
            for q in self.triples() {
                w.serialize_triple(QuadRef::from(q)).map_err(io)?;
            }
        }
        w.finish().map_err(io)
    }
}

/// Writes every quad of the knowledge base in one syntax (see [`Sorted::write`]).
pub fn write(kb: &Kb, format: RdfFormat, out: impl Write) -> Result<()> {
    Sorted::of(kb)?.write(format, out)
}
