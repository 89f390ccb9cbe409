//! External identifiers of our organisations (法人番号 as gBizINFO IRIs, Wikidata QIDs), from
//! `data/identifiers.toml`, where each one cites the source it was verified against. Loaded
//! by default into the graph of the links ([`quads`]), and written as a small linkset by
//! `medrd link ids` for other stores.

use crate::error::{Error, Result};
use crate::vocab::{ext, id};
use oxigraph::model::{Literal, NamedNode, NamedNodeRef, Quad, Triple};
use serde::Deserialize;
use std::path::Path;

/// Where the identifiers live, under the project root.
pub const IDENTIFIERS_FILE: &str = "data/identifiers.toml";

/// One verified identifier.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identifier {
    /// Our organisation slug (`meti` …).
    pub org: String,
    /// `houjin-bangou` (法人番号) or `wikidata`.
    pub scheme: String,
    pub value: String,
    /// Where the identifier was verified (a citable address).
    pub source: String,
    /// What the source says.
    pub evidence: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    identifier: Vec<Identifier>,
}

/// The check digit of a 法人番号's 12-digit base (National Tax Agency rule):
/// 9 − (Σ Pn × Qn mod 9), Pn the n-th digit from the right, Qn 1 for odd n, 2 for even n.
pub fn houjin_check_digit(base: &str) -> Option<u32> {
    if base.len() != 12 || !base.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = base
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 2 })
        .sum();
    Some(9 - sum % 9)
}

impl Identifier {
    /// The external IRI: `http://hojin-info.go.jp/data/basic/{number}` or
    /// `http://www.wikidata.org/entity/{QID}`.
    pub fn iri(&self) -> NamedNode {
        match self.scheme.as_str() {
            "houjin-bangou" => NamedNode::new_unchecked(format!(
                "http://hojin-info.go.jp/data/basic/{}",
                self.value
            )),
            _ => NamedNode::new_unchecked(format!("http://www.wikidata.org/entity/{}", self.value)),
        }
    }

    fn check(&self) -> std::result::Result<(), String> {
        match self.scheme.as_str() {
            "houjin-bangou" => {
                let ok = self.value.len() == 13
                    && houjin_check_digit(&self.value[1..]).is_some_and(|d| {
                        self.value
                            .starts_with(char::from_digit(d, 10).unwrap_or('x'))
                    });
                if ok {
                    Ok(())
                } else {
                    Err(format!(
                        "{:?} is not a 法人番号 (13 digits with a valid check digit)",
                        self.value
                    ))
                }
            }
            "wikidata" => {
                let ok = self.value.len() > 1
                    && self.value.starts_with('Q')
                    && self.value[1..].bytes().all(|b| b.is_ascii_digit());
                if ok {
                    Ok(())
                } else {
                    Err(format!("{:?} is not a Wikidata QID", self.value))
                }
            }
            other => Err(format!(
                "unknown scheme {other:?} (houjin-bangou or wikidata)"
            )),
        }?;
        if !self.source.starts_with("http") || self.evidence.trim().is_empty() {
            return Err(format!(
                "{} {}: cite a source address and its evidence",
                self.org, self.value
            ));
        }
        Ok(())
    }
}

/// Reads and checks the identifiers; a missing file is none.
pub fn read(path: &Path) -> Result<Vec<Identifier>> {
    let Some(file) = crate::ingest::document::records::read_optional_toml::<File>(path)? else {
        return Ok(Vec::new());
    };
    for i in &file.identifier {
        i.check().map_err(|message| Error::Import {
            path: path.to_owned(),
            message,
        })?;
    }
    Ok(file.identifier)
}

/// The linkset of the identifiers: `<org> owl:sameAs <external>` (the same organisation:
/// an identity, not a SKOS mapping, since organisations are not concepts), the external
/// resource with its identifier value and the source it was verified against.
pub fn triples(ids: &[Identifier]) -> Vec<Triple> {
    let exact = NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#sameAs");
    let see_also = NamedNodeRef::new_unchecked("http://www.w3.org/2000/01/rdf-schema#seeAlso");
    let mut t = Vec::new();
    for i in ids {
        let org = NamedNode::new_unchecked(id("org", &i.org));
        let ext_iri = i.iri();
        t.push(Triple::new(org, exact, ext_iri.clone()));
        t.push(Triple::new(
            ext_iri.clone(),
            ext::DCTERMS_IDENTIFIER,
            Literal::new_simple_literal(&i.value),
        ));
        t.push(Triple::new(
            ext_iri.clone(),
            see_also,
            NamedNode::new_unchecked(&i.source),
        ));
        t.push(Triple::new(
            ext_iri,
            ext::SKOS_EDITORIAL_NOTE,
            Literal::new_language_tagged_literal_unchecked(&i.evidence, "en"),
        ));
    }
    t
}

/// The identifiers of `data/identifiers.toml` under `root` as quads of `graph` (the graph of
/// the links, as every load gives them: so that AMED the funding agency and AMED the
/// recipient of the RS payments are one organisation).
pub fn quads(root: &Path, graph: NamedNode) -> Result<Vec<Quad>> {
    let ids = read(&root.join(IDENTIFIERS_FILE))?;
    Ok(triples(&ids)
        .into_iter()
        .map(|t| t.in_graph(graph.clone()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_of_the_nta_rule() {
        // 4000012090001: the check digit 4 is the one the IMI tool's own test expects.
        assert_eq!(houjin_check_digit("000012090001"), Some(4));
        let good = Identifier {
            org: "meti".into(),
            scheme: "houjin-bangou".into(),
            value: "4000012090001".into(),
            source: "https://example.org".into(),
            evidence: "x".into(),
        };
        assert!(good.check().is_ok());
        let bad = Identifier {
            value: "5000012090001".into(),
            ..good
        };
        assert!(bad.check().is_err());
    }
}
