//! A deterministic synthetic budget knowledge base for scale tests (`medrd bench gen`):
//! copies of our own data graph (ministries, projects, programs, listings, initiatives,
//! amounts, themes, cross-project links, provenance: the same ontology terms and shapes),
//! each copy's resources renamed under `id/synth/K/`, written as N-Triples to load with
//! `--with FILE`. The ministries, themes and the ontology's concepts stay shared, so the
//! copies join on them as the documents of many budget years would.

use crate::error::{Error, Result};
use crate::vocab::{ID, ONTOLOGY_GRAPH};
use crate::Kb;
use oxigraph::model::{GraphNameRef, Literal, NamedOrBlankNode, Term};
use std::collections::HashSet;
use std::io::Write;

/// Where the copy number goes in a template line.
const MARK: &str = "\u{27e6}K\u{27e7}";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
const SKOS_NOTATION: &str = "http://www.w3.org/2004/02/skos/core#notation";
const PROGRAM: &str = "https://w3id.org/medrd-kg/ontology#Program";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// Our data graph as a template: one N-Triples line per triple, split where the copy
/// number goes.
pub struct Template {
    lines: Vec<Vec<String>>,
    /// Lines that name a copied resource (the others are left out).
    copied: usize,
    /// Programs in one copy.
    pub programs: usize,
}

/// What `generate` wrote.
#[derive(Clone, Copy, Debug)]
pub struct Generated {
    pub copies: usize,
    pub programs: usize,
    pub triples: u64,
}

/// Whether a resource is copied (renamed per copy) or shared by all copies: ministries and
/// other organisations, themes, and anything the ontology graph describes stay shared.
fn copied(iri: &str, shared: &HashSet<String>) -> Option<String> {
    let rest = iri.strip_prefix(ID)?;
    if rest.starts_with("org/") || rest.starts_with("theme") || shared.contains(iri) {
        return None;
    }
    Some(format!("{ID}synth/{MARK}/{rest}"))
}

impl Template {
    /// The data graph of a loaded knowledge base, sorted so that output is deterministic.
    pub fn from_kb(kb: &Kb) -> Result<Self> {
        let mut shared = HashSet::new();
        for q in kb.quads_for_pattern(
            None,
            None,
            None,
            Some(GraphNameRef::NamedNode(ONTOLOGY_GRAPH)),
        ) {
            if let NamedOrBlankNode::NamedNode(n) = q?.subject {
                shared.insert(n.into_string());
            }
        }
        let mut programs = 0;
        let mut lines = Vec::new();
        let primary = crate::ingest::sources::source_graph(&kb.primary().slug);
        for q in kb.quads_for_pattern(
            None,
            None,
            None,
            Some(GraphNameRef::NamedNode(primary.as_ref())),
        ) {
            let q = q?;
            let p = q.predicate.as_str();
            if p == RDF_TYPE && matches!(&q.object, Term::NamedNode(o) if o.as_str() == PROGRAM) {
                programs += 1;
            }
            let node = |t: NamedOrBlankNode| -> (String, bool) {
                match t {
                    NamedOrBlankNode::NamedNode(n) => match copied(n.as_str(), &shared) {
                        Some(iri) => (format!("<{iri}>"), true),
                        None => (format!("<{}>", n.as_str()), false),
                    },
                    NamedOrBlankNode::BlankNode(b) => (format!("_:{}s{MARK}", b.as_str()), true),
                }
            };
            let (s, s_copied) = node(q.subject);
            let o = match q.object {
                Term::NamedNode(n) => node(n.into()).0,
                Term::BlankNode(b) => node(b.into()).0,
                // Labels and codes of copied resources name their copy, as a real document
                // of another year would print its own names.
                Term::Literal(l) if s_copied && (p == RDFS_LABEL || p == SKOS_NOTATION) => {
                    let value = format!("{} {MARK}", l.value());
                    match l.language() {
                        Some(lang) => Literal::new_language_tagged_literal_unchecked(value, lang),
                        None => Literal::new_typed_literal(value, l.datatype()),
                    }
                    .to_string()
                }
                other => other.to_string(),
            };
            // What our data graph says of a shared resource (a ministry's label, the line it
            // is cited from) stays with our data: copied, it would hang one more link per copy
            // on the ministry, and the store's per-subject lists would grow with the copies.
            if s_copied {
                lines.push(format!("{s} <{p}> {o} .\n"));
            }
        }
        lines.sort();
        lines.dedup();
        let lines: Vec<Vec<String>> = lines
            .iter()
            .map(|l| l.split(MARK).map(str::to_owned).collect())
            .collect();
        Ok(Template {
            copied: lines.iter().filter(|p| p.len() > 1).count(),
            lines,
            programs,
        })
    }

    /// Triples in one copy.
    pub fn triples(&self) -> usize {
        self.copied
    }

    /// Copies needed for at least `programs` programs.
    pub fn copies_for(&self, programs: usize) -> usize {
        programs.div_ceil(self.programs.max(1)).max(1)
    }

    /// Writes `copies` copies as N-Triples.
    pub fn write(&self, copies: usize, out: &mut impl Write, progress: bool) -> Result<Generated> {
        let io = |e| Error::io("<synthetic output>", e);
        let bar = crate::progress::counter(
            progress && copies * self.triples() > 2_000_000,
            "generating",
            "triples",
        );
        let mut triples = 0u64;
        let mut line = String::new();
        for k in 1..=copies {
            let k = k.to_string();
            for parts in &self.lines {
                // Triples of shared resources only (a ministry's label) are in our data graph
                // already: written again, the union of the graphs would hold them twice.
                if parts.len() == 1 {
                    continue;
                }
                line.clear();
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        line.push_str(&k);
                    }
                    line.push_str(part);
                }
                out.write_all(line.as_bytes()).map_err(io)?;
            }
            triples += self.copied as u64;
            bar.set_position(triples);
        }
        bar.finish_and_clear();
        Ok(Generated {
            copies,
            programs: copies * self.programs,
            triples,
        })
    }
}

/// Writes a synthetic knowledge base with at least `programs` programs (whole copies of
/// our data graph) as N-Triples.
pub fn generate(
    kb: &Kb,
    programs: usize,
    out: &mut impl Write,
    progress: bool,
) -> Result<Generated> {
    let t = Template::from_kb(kb)?;
    t.write(t.copies_for(programs), out, progress)
}
