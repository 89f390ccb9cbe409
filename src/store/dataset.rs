//! The whole knowledge base as quads, and the size of each graph, read from whichever
//! backend answers queries: the embedded store or read-only copy, or the remote endpoint of
//! `--endpoint`
//! (through the SPARQL of `queries/kb/`). `export`, `stats` and the DCAT statistics read
//! these, so that with `--endpoint` they describe the same data as the queries and diagrams.

use crate::error::Result;
use crate::query::catalog::NamedQuery;
use crate::store::Kb;
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Quad, Term};
use oxigraph::sparql::QueryResults;
use std::collections::BTreeMap;

/// The queries' folder under `queries/`.
const DIR: &str = "kb";

impl Kb {
    /// Every quad of the knowledge base: the copy's or the store's, or, with `--endpoint`, those of the
    /// endpoint's graphs under `https://w3id.org/medrd-kg/graph/` (`queries/kb/quads.rq`).
    pub fn quads(&self) -> Result<Vec<Quad>> {
        if let Some(frozen) = self.stats.frozen() {
            return Ok(frozen.quads());
        }
        if self.layout.endpoint.is_none() {
            return Ok(self.store()?.iter().collect::<Result<_, _>>()?);
        }
        let q = self.kb_query("quads")?;
        let QueryResults::Solutions(solutions) = self.query(&q.name, &q.text)? else {
            return Err(q.error("the endpoint did not answer with solutions"));
        };
        let mut quads = Vec::new();
        for s in solutions {
            let s = s.map_err(|e| q.error(e))?;
            let bad = |what: &str| q.error(format!("the endpoint answered a {what}: {s:?}"));
            let graph = match s.get("g") {
                Some(Term::NamedNode(n)) => GraphName::NamedNode(n.clone()),
                _ => return Err(bad("graph that is not an IRI")),
            };
            let subject = match s.get("s") {
                Some(Term::NamedNode(n)) => NamedOrBlankNode::from(n.clone()),
                Some(Term::BlankNode(b)) => NamedOrBlankNode::from(b.clone()),
                _ => return Err(bad("subject that is neither an IRI nor a blank node")),
            };
            let predicate = match s.get("p") {
                Some(Term::NamedNode(n)) => n.clone(),
                _ => return Err(bad("predicate that is not an IRI")),
            };
            let object = s
                .get("o")
                .cloned()
                .ok_or_else(|| bad("triple without object"))?;
            quads.push(Quad::new(subject, predicate, object, graph));
        }
        // An endpoint may cut a long answer without saying so: the export must hold every
        // triple the endpoint counts, or it is refused.
        let counted: usize = self.graph_sizes()?.values().sum();
        if quads.len() < counted {
            return Err(q.error(format!(
                "the endpoint answered {} of the {counted} triples it holds (a row limit?): \
                 an incomplete export is not written",
                quads.len()
            )));
        }
        Ok(quads)
    }

    /// The number of triples in each named graph: the copy's or the store's, or, with `--endpoint`, the
    /// endpoint's graphs under `https://w3id.org/medrd-kg/graph/`
    /// (`queries/kb/graph-sizes.rq`).
    pub fn graph_sizes(&self) -> Result<BTreeMap<NamedNode, usize>> {
        let mut sizes = BTreeMap::new();
        if let Some(frozen) = self.stats.frozen() {
            for (g, n) in frozen.graph_sizes() {
                if let Term::NamedNode(g) = g {
                    sizes.insert(g.clone(), n);
                }
            }
            return Ok(sizes);
        }
        if self.layout.endpoint.is_none() {
            for q in self.store()?.iter() {
                if let GraphName::NamedNode(g) = q?.graph_name {
                    *sizes.entry(g).or_default() += 1;
                }
            }
            return Ok(sizes);
        }
        let q = self.kb_query("graph-sizes")?;
        let QueryResults::Solutions(solutions) = self.query(&q.name, &q.text)? else {
            return Err(q.error("the endpoint did not answer with solutions"));
        };
        for s in solutions {
            let s = s.map_err(|e| q.error(e))?;
            match (s.get("g"), s.get("triples")) {
                (Some(Term::NamedNode(g)), Some(Term::Literal(n))) => {
                    let n = n
                        .value()
                        .parse()
                        .map_err(|_| q.error(format!("the endpoint counted {n} triples")))?;
                    sizes.insert(g.clone(), n);
                }
                _ => return Err(q.error(format!("unexpected row {s:?}"))),
            }
        }
        Ok(sizes)
    }

    fn kb_query(&self, name: &str) -> Result<NamedQuery> {
        let path = self.layout.queries().join(DIR).join(format!("{name}.rq"));
        NamedQuery::read(&path)
    }
}
