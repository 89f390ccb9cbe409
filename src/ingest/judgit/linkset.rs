//! The lineages and the links of the review sheets as RDF: `rs:continues`, `rs:splitFrom`,
//! `rs:shareOf`, `rs:continuedAs` between lines, the typed links from our programs and
//! projects to sheets (each beside `rs:linkedLine`), and for every one an `rs:CandidateLink`
//! with its relation, decision, basis and evidence — in the graph `graph/links`, beside the RS
//! links; and the `rs:AggregateLine` typing of the sheets in `graph/judgit`.

use super::lineage::{Found, Lineage};
use super::link::SheetLink;
use super::quads::{sheet_iri, Out};
use super::records::Sheet;
use crate::ingest::link::matcher::Decision;
use crate::ingest::rs::{project_iri, term};
use crate::ingest::sources::links_graph;
use crate::vocab::{ext, id};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedNodeRef, Quad, Term};
use std::collections::BTreeMap;

/// The linkset of the review-sheet links.
pub fn linkset_iri() -> NamedNode {
    NamedNode::new_unchecked(id("linkset", "judgit"))
}

/// The aggregate lines, typed, with why (in the sheets' graph).
pub fn aggregate_quads(sheets: &[Sheet], aggregates: &BTreeMap<usize, String>) -> Vec<Quad> {
    let mut out = Out::new();
    for (i, why) in aggregates {
        let s = sheet_iri(&sheets[*i]);
        out.add(&s, ext::RDF_TYPE, term::AGGREGATE_LINE.into_owned());
        out.add(
            &s,
            term::AGGREGATE_EVIDENCE,
            Literal::new_language_tagged_literal_unchecked(why, "en"),
        );
    }
    out.quads
}

struct Links {
    graph: GraphName,
    quads: Vec<Quad>,
}

impl Links {
    fn add(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, o: impl Into<Term>) {
        self.quads
            .push(Quad::new(s.clone(), p, o.into(), self.graph.clone()));
    }

    /// An `rs:CandidateLink` node describing one link.
    fn node(&mut self, node: &NamedNode, subject: &NamedNode, object: &NamedNode, link: Node<'_>) {
        let lit = |s: &str| Literal::new_simple_literal(s);
        self.add(node, ext::RDF_TYPE, term::CANDIDATE_LINK.into_owned());
        self.add(node, term::LINK_SUBJECT, subject.clone());
        self.add(node, term::LINK_OBJECT, object.clone());
        self.add(node, term::DECISION, lit(link.decision));
        self.add(node, term::DECISION_BASIS, lit(link.basis));
        if let Some(r) = link.relation {
            self.add(node, term::RELATION, lit(r));
        }
        if !link.evidence.is_empty() {
            self.add(node, ext::SKOS_EDITORIAL_NOTE, lit(link.evidence));
        }
        self.add(node, ext::DCTERMS_IS_PART_OF, linkset_iri());
    }

    /// A relation between lines found by the rules, with its node `<subject>/link-<name>`.
    fn lineage<T>(
        &mut self,
        sheets: &[Sheet],
        map: &BTreeMap<usize, Found<T>>,
        p: NamedNodeRef<'_>,
        name: &str,
        object: impl Fn(&T) -> NamedNode,
    ) {
        for (i, f) in map {
            let s = sheet_iri(&sheets[*i]);
            let o = object(&f.to);
            self.add(&s, p, o.clone());
            let node = NamedNode::new_unchecked(format!("{}/link-{name}", s.as_str()));
            let link = Node {
                decision: "linked",
                basis: "score",
                relation: Some(name),
                evidence: &f.evidence,
            };
            self.node(&node, &s, &o, link);
        }
    }
}

impl Links {
    /// `rs:shareOf` between RS budget programs, carried from the sheets they continue: the
    /// RS line of a per-project sheet is a share of the RS line of that sheet's aggregate
    /// (MHLW's 2867 and 2959–2963 of 2958). RS 5-1 lists AMED's payment on the aggregate and
    /// again, by project, on the shares: without the link a recipient's year would count it
    /// twice.
    fn rs_shares(&mut self, sheets: &[Sheet], lineage: &Lineage) {
        for (s, share) in &lineage.share_of {
            let (Some(part), Some(whole)) = (
                lineage.continued_as.get(s),
                lineage.continued_as.get(&share.to),
            ) else {
                continue;
            };
            if part.to == whole.to {
                continue;
            }
            let (subject, object) = (project_iri(&part.to), project_iri(&whole.to));
            self.add(&subject, term::SHARE_OF, object.clone());
            let key = |i: usize| {
                let sheet = &sheets[i];
                format!("{}/{}/{}", sheet.edition, sheet.ministry_slug, sheet.slug)
            };
            let evidence = format!(
                "RS {} continues the review sheet {}, a per-project share of the sheet {}, which continues as RS {}",
                part.to,
                key(*s),
                key(share.to),
                whole.to
            );
            let node = NamedNode::new_unchecked(format!("{}/link-share-of", subject.as_str()));
            let link = Node {
                decision: "linked",
                basis: "score",
                relation: Some("share-of"),
                evidence: &evidence,
            };
            self.node(&node, &subject, &object, link);
        }
    }
}

struct Node<'a> {
    decision: &'a str,
    basis: &'a str,
    relation: Option<&'a str>,
    evidence: &'a str,
}

/// The subject of a link: `id/program/SLUG`, or `id/project/N` for `project-N`.
pub fn subject_iri(subject: &str) -> NamedNode {
    match subject.strip_prefix("project-") {
        Some(n) => NamedNode::new_unchecked(id("project", n)),
        None => NamedNode::new_unchecked(id("program", subject)),
    }
}

/// The lineages, the program and project links and the linkset description.
pub fn link_quads(sheets: &[Sheet], lineage: &Lineage, links: &[SheetLink]) -> Vec<Quad> {
    let mut out = Links {
        graph: links_graph().into(),
        quads: Vec::new(),
    };
    let sheet = |i: &usize| sheet_iri(&sheets[*i]);
    out.lineage(
        sheets,
        &lineage.continues,
        term::CONTINUES,
        "continues",
        sheet,
    );
    out.lineage(
        sheets,
        &lineage.split_from,
        term::SPLIT_FROM,
        "split-from",
        sheet,
    );
    out.lineage(sheets, &lineage.share_of, term::SHARE_OF, "share-of", sheet);
    out.lineage(
        sheets,
        &lineage.continued_as,
        term::CONTINUED_AS,
        "continued-as",
        |id: &String| project_iri(id),
    );
    out.rs_shares(sheets, lineage);
    let mut n_links = 0;
    for l in links {
        let (s, o) = (subject_iri(&l.subject), sheet_iri(&sheets[l.sheet]));
        if let (Decision::Linked, Some(rel)) = (l.decision, l.relation) {
            for p in rel.predicates() {
                out.add(&s, p, o.clone());
            }
            n_links += 1;
        }
        let node = NamedNode::new_unchecked(format!(
            "{}/{}--{}-{}-{}",
            linkset_iri().as_str(),
            l.subject,
            sheets[l.sheet].edition,
            sheets[l.sheet].ministry_slug,
            sheets[l.sheet].slug
        ));
        let link = Node {
            decision: l.decision.as_str(),
            basis: l.basis,
            relation: l.relation.map(|r| r.as_str()),
            evidence: &l.evidence,
        };
        out.node(&node, &s, &o, link);
    }
    let first = sheets.iter().map(|s| s.edition).min().unwrap_or_default();
    let last = sheets.iter().map(|s| s.edition).max().unwrap_or_default();
    describe(&mut out, n_links, (first, last));
    out.quads
}

/// The linkset's VoID description; `editions` are the first and last of the sheets.
fn describe(out: &mut Links, n_links: usize, (first, last): (i32, i32)) {
    let set = linkset_iri();
    let void = |l: &str| NamedNode::new_unchecked(format!("http://rdfs.org/ns/void#{l}"));
    out.add(&set, ext::RDF_TYPE, void("Linkset"));
    out.add(
        &set,
        void("linkPredicate").as_ref(),
        term::LINKED_LINE.into_owned(),
    );
    out.add(
        &set,
        void("subjectsTarget").as_ref(),
        NamedNode::new_unchecked(id("dataset", "medrd-kg")),
    );
    out.add(
        &set,
        void("objectsTarget").as_ref(),
        NamedNode::new_unchecked(id("dataset", "judgit")),
    );
    out.add(
        &set,
        void("triples").as_ref(),
        Literal::new_typed_literal(n_links.to_string(), ext::XSD_INTEGER),
    );
    out.add(
        &set,
        ext::RDFS_COMMENT,
        Literal::new_language_tagged_literal_unchecked(
            format!("Typed links from medrd-kg programs and integrated projects to the administrative project review sheets of {first}–{last} (JUDGIT!), each also written as rs:linkedLine, carried from the RS links through rs:continuedAs and rs:continues; each pair, and each lineage between sheets (rs:continues, rs:splitFrom, rs:shareOf, rs:continuedAs), is described by an rs:CandidateLink with its relation, decision and evidence."),
            "en",
        ),
    );
}
