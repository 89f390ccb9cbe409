//! Serialising the whole knowledge base (ontology and data) in the RDF syntaxes, sorted so
//! that exports diff cleanly. The quads are read and sorted once ([`Sorted`]) for however many
//! syntaxes are written (`medrd build` writes six, and counts the catalogue's statistics on them).

use crate::error::{Error, Result};
use crate::order::TermTexts;
use crate::store::Kb;
use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphName, NamedNode, Quad, QuadRef};
use std::io::Write;

/// Every quad of the knowledge base, each distinct term's text ([`TermTexts`]), and two
/// orders of the quads: all sorted, and one quad of each triple (the union of the graphs,
/// without repeats) sorted.
pub struct Sorted {
    quads: Vec<Quad>,
    texts: TermTexts,
    quad_order: Vec<u32>,
    triple_order: Vec<u32>,
}

impl Sorted {
    /// Reads every quad of the knowledge base (the store, or the `--endpoint`'s graphs).
    pub fn of(kb: &Kb) -> Result<Sorted> {
        let quads = kb.quads()?;
        let texts = TermTexts::of(&quads);
        let (quad_order, triple_order) = crate::order::quad_and_triple_order(&quads, &texts);
        Ok(Sorted {
            quads,
            texts,
            quad_order,
            triple_order,
        })
    }

    /// Every quad, sorted.
    pub fn quads(&self) -> impl ExactSizeIterator<Item = &Quad> {
        self.quad_order.iter().map(|i| &self.quads[*i as usize])
    }

    /// How many quads of these graphs there are (the triples of each, summed).
    pub fn graphs_len(&self, graphs: &[NamedNode]) -> usize {
        self.quads
            .iter()
            .filter(|q| matches!(&q.graph_name, GraphName::NamedNode(g) if graphs.contains(g)))
            .count()
    }

    /// The union of the graphs, sorted: every triple once, as a quad that holds it.
    pub fn triples(&self) -> impl ExactSizeIterator<Item = &Quad> {
        self.triple_order.iter().map(|i| &self.quads[*i as usize])
    }

    /// Writes them in `format`: N-Quads and TriG keep the graphs, the other syntaxes get the
    /// union of the graphs; JSON-LD is compacted (query::jsonld). N-Triples, N-Quads and
    /// JSON-LD are written here, from the terms' texts and the quads' order; the other
    /// syntaxes by oxigraph's serialisers. Both give the same bytes
    /// ([`Sorted::write_by_serializer`]; `tests/suite/publish.rs` compares them).
    pub fn write(&self, format: RdfFormat, out: impl Write) -> Result<()> {
        let io = Error::Write;
        match format {
            RdfFormat::NTriples => self.write_lines(&self.triple_order, false, out).map_err(io),
            RdfFormat::NQuads => self.write_lines(&self.quad_order, true, out).map_err(io),
            RdfFormat::JsonLd { .. } => {
                crate::query::jsonld::write_quads(self.quads().map(Quad::as_ref), out).map_err(io)
            }
            _ => self.write_by_serializer(format, out),
        }
    }

    /// Writes them in `format` by oxigraph's serialiser (JSON-LD through
    /// [`crate::query::jsonld::Compactor`]): what [`Sorted::write`] gives, the slow way.
    pub fn write_by_serializer(&self, format: RdfFormat, out: impl Write) -> Result<()> {
        if let RdfFormat::JsonLd { .. } = format {
            let compact = crate::query::jsonld::Compactor::new(out);
            let compact = self.write_plain(format, compact)?;
            compact.finish().map_err(Error::Write)?;
            return Ok(());
        }
        self.write_plain(format, out)?;
        Ok(())
    }

    /// N-Triples (`graphs` false) or N-Quads lines of the quads at `order`: each term's text
    /// copied as [`TermTexts`] wrote it, as oxigraph's serialisers write it (`s p o [g] .`).
    fn write_lines(&self, order: &[u32], graphs: bool, out: impl Write) -> std::io::Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        for i in order {
            let [g, s, p, o] = self.texts.ranks[*i as usize];
            for (rank, sep) in [(s, b' '), (p, b' '), (o, b' ')] {
                out.write_all(self.texts.text(rank).as_bytes())?;
                out.write_all(&[sep])?;
            }
            if graphs && !self.quads[*i as usize].graph_name.is_default_graph() {
                out.write_all(self.texts.text(g).as_bytes())?;
                out.write_all(b" ")?;
            }
            out.write_all(b".\n")?;
        }
        out.flush()
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
