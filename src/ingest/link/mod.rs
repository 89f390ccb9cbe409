//! Linking the knowledge graph with other open government data. For now the administrative
//! project review (行政事業レビュー, RS system): read its CSVs or ZIPs ([`crate::ingest::rs`]), match our
//! programs to its budget programs by normalised name and ministry ([`normalize`],
//! [`matcher`]), and write the RS records as RDF, a linkset and a review report.

pub mod identifiers;
pub mod matcher;
pub mod normalize;
pub mod relation;

use crate::error::{Error, Result};
use crate::ingest::quad_list::QuadList;
use crate::ingest::rs::{self, RsData};
use crate::ingest::sources::{self, Sources};
use crate::store::stats::StoreStatistics;
use matcher::{Candidate, Curated};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, Quad, Triple, TripleRef};
use oxigraph::store::Store;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::ingest::decisions::DECISIONS_FILE;

/// The outcome of linking with the RS data.
pub struct RsLink {
    pub rs: RsData,
    /// Every candidate pair or unmatched program, with the curated decisions applied.
    pub candidates: Vec<Candidate>,
    /// The same by score alone (no curated decision), to measure the matcher.
    pub by_score: Vec<Candidate>,
    /// The RS records in the graph `graph/rs`.
    pub rs_quads: Vec<Quad>,
    /// The linkset triples.
    pub linkset: Vec<Triple>,
}

/// What the matcher reads our side from: a store or a read-only copy holding (at least) the
/// ontology and the documents (a [`crate::Kb`]'s `stats`, the one way either is queried), and
/// the project's `queries/` folder (its `link/*.rq`).
#[derive(Clone)]
pub struct Ours<'a> {
    pub stats: &'a Arc<StoreStatistics>,
    pub queries: PathBuf,
}

/// Reads the RS files, matches our programs against them and builds the RDF.
pub fn link_rs(ours: Ours<'_>, paths: &[PathBuf], curated: &[Curated]) -> Result<RsLink> {
    link_rs_with_limit(ours, paths, curated, rs::DEFAULT_MAX_UNZIPPED)
}

/// [`link_rs`] inflating at most `max_unzipped` bytes from ZIPs.
pub fn link_rs_with_limit(
    ours: Ours<'_>,
    paths: &[PathBuf],
    curated: &[Curated],
    max_unzipped: u64,
) -> Result<RsLink> {
    let rs = RsData::read_with_limit(paths, max_unzipped)?;
    let programs = matcher::programs(ours.stats, &ours.queries)?;
    let ministries = matcher::ministry_names(ours.stats, &ours.queries)?;
    let candidates = matcher::match_programs(&programs, &rs, &ministries, curated);
    let by_score = matcher::match_programs(&programs, &rs, &ministries, &[]);
    let records = rs::to_quads(&rs, &ministries);
    // The stage observations go with the records, so that a graph written here and loaded
    // with --with answers the timeline queries as the editions of data/ do.
    let observations = rs::observations(&records);
    let rs_quads = records
        .iter()
        .chain(observations.iter())
        .map(oxigraph::model::QuadRef::into_owned)
        .collect();
    let linkset = matcher::linkset(&candidates);
    Ok(RsLink {
        rs,
        candidates,
        by_score,
        rs_quads,
        linkset,
    })
}

/// Reads known true pairs from a CSV with columns `program,rs_id[,relation,reason]` (header
/// row first, `#` comment lines; rows without an rs_id say "no RS line" and are skipped):
/// (program, 予算事業ID) → relation (empty when not given).
pub fn read_truth(path: &Path) -> Result<BTreeMap<(String, String), String>> {
    let file = crate::inputs::open(path, Some(crate::inputs::MAX_SMALL_FILE))?;
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(std::io::BufReader::new(file));
    let mut truth = BTreeMap::new();
    for r in reader.records() {
        let r = r.map_err(|e| Error::Import {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        if let (Some(p), Some(id)) = (r.get(0), r.get(1)) {
            let id = rs::normalize_id(id);
            if !id.is_empty() {
                let rel = r.get(2).unwrap_or("").trim().to_owned();
                truth.insert((p.trim().to_owned(), id), rel);
            }
        }
    }
    Ok(truth)
}

/// The review report columns.
pub const REPORT_COLUMNS: [&str; 15] = [
    "program_ja",
    "rs_id",
    "rs_name",
    "score",
    "decision",
    "relation",
    "program",
    "basis",
    "evidence",
    "fiscal_year",
    "document_stage",
    "document_oku_yen",
    "rs_stage",
    "rs_oku_yen",
    "difference_oku_yen",
];

/// Writes the review report as CSV (one row per candidate pair or unmatched program), with
/// the figures of both sides for the document's fiscal year, each with its stage: the
/// document's 概算要求・要望額 (`total`); the RS line's 翌年度要求額 of the year before, which
/// includes the 要望 (`total`), else its 当初予算 of the year (`initial`, a line new in the
/// later edition). The difference is given only between figures of one stage; for a part,
/// whole or aggregate link read it with the relation in mind (`rs-reconciliation` sums the
/// parts and the programs behind a line).
pub fn write_report_csv(candidates: &[Candidate], out: impl Write) -> Result<()> {
    let err = |e: csv::Error| Error::io("<report>", std::io::Error::other(e.to_string()));
    let num = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
    let mut w = csv::Writer::from_writer(out);
    w.write_record(REPORT_COLUMNS).map_err(err)?;
    for c in candidates {
        let score = if c.rs_id.is_empty() {
            String::new()
        } else {
            format!("{:.3}", c.score)
        };
        w.write_record([
            c.program_ja.as_str(),
            &c.rs_id,
            &c.rs_name,
            &score,
            c.decision.as_str(),
            c.relation.map_or("", |r| r.as_str()),
            &c.program,
            c.basis,
            &c.evidence,
            &c.fiscal_year.map(|y| y.to_string()).unwrap_or_default(),
            if c.document_oku.is_some() {
                "total"
            } else {
                ""
            },
            &num(c.document_oku),
            c.rs_stage,
            &num(c.rs_oku),
            &num(c
                .document_oku
                .zip(c.rs_oku)
                .filter(|_| c.rs_stage == "total")
                .map(|(d, r)| ((d - r) * 10.0).round() / 10.0)),
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| Error::io("<report>", e))
}

fn serializer(format: RdfFormat) -> Result<RdfSerializer> {
    Ok(crate::vocab::rdf_serializer(
        format,
        &[("void", "http://rdfs.org/ns/void#")],
    ))
}

/// Writes triples in an RDF syntax (the linkset).
pub fn write_triples(triples: &[Triple], format: RdfFormat, out: impl Write) -> Result<()> {
    let io = Error::Write;
    let mut w = serializer(format)?.for_writer(out);
    for t in triples {
        w.serialize_triple(t).map_err(io)?;
    }
    w.finish().map_err(io)?;
    Ok(())
}

/// Writes quads: in their graph for N-Quads and TriG, as triples for the other syntaxes
/// (so that `medrd --with FILE.ttl` can load them).
pub fn write_quads(quads: &[Quad], format: RdfFormat, out: impl Write) -> Result<()> {
    let io = Error::Write;
    // Sorted by reference, on the terms' text without writing them out: the review sheets'
    // 13.5M quads were cloned and each given its N-Quads line as a key (16 GB at peak).
    let mut sorted: Vec<&Quad> = quads.iter().collect();
    sorted.sort_unstable_by(|a, b| crate::order::lean_key(a).cmp(&crate::order::lean_key(b)));
    sorted.dedup();
    let mut w = serializer(format)?.for_writer(out);
    for q in sorted {
        if format.supports_datasets() {
            w.serialize_quad(q).map_err(io)?;
        } else {
            w.serialize_triple(TripleRef::from(q.as_ref()))
                .map_err(io)?;
        }
    }
    w.finish().map_err(io)?;
    Ok(())
}

/// What linking the RS editions leaves for the sources linked through them (the review
/// sheets): the probe store of the ontology and documents, our programs and ministries as the
/// matcher read them, the editions and the links.
pub struct Linked {
    /// The store of the ontology and the documents the matcher read, as it is queried.
    pub stats: Arc<StoreStatistics>,
    pub programs: Vec<matcher::Program>,
    pub ministries: std::collections::BTreeMap<String, String>,
    pub rs: crate::ingest::rs::RsData,
    pub candidates: Vec<Candidate>,
}

/// The RS editions of `data/` as quads in their graphs, and the links between the documents'
/// programs and their lines (the matcher with the curated decisions of
/// `data/link-decisions.toml` under `root`) in the graph `links`, each part handed to `emit`
/// as soon as it is made (the records a few programs at a time, each part followed by its
/// observations, then the descriptions and links).
/// The matcher reads the programs and ministries from a store holding the ontology and the
/// documents alone, which is returned ([`Linked`]) with what was read.
pub fn link_editions(
    root: &Path,
    queries: &Path,
    ontology: &[Quad],
    documents: &[Quad],
    sources: &Sources,
    emit: &mut dyn FnMut(QuadList) -> Result<()>,
) -> Result<Linked> {
    let store = Store::new()?;
    store.extend(ontology.iter().chain(documents).cloned())?;
    let decisions = crate::ingest::decisions::read(&root.join(DECISIONS_FILE))?;
    let curated = decisions.rs.clone();
    let rs = sources::read_editions(&sources.editions)?;
    let stats = StoreStatistics::new(&store);
    let programs = matcher::programs(&stats, queries)?;
    let ministries = matcher::ministry_names(&stats, queries)?;
    // The records first, as soon as they are made: the store inserts them while the lines
    // are matched with the programs.
    sources::rs_quads_into(&rs, &sources.editions, &ministries, emit)?;
    let candidates = matcher::match_programs(&programs, &rs, &ministries, &curated);
    let links: GraphName = sources::links_graph().into();
    let mut quads = QuadList::new();
    for e in &sources.editions {
        quads.extend(sources::edition_description(e));
    }
    if !sources.editions.is_empty() {
        quads.extend(
            matcher::linkset(&candidates)
                .into_iter()
                .map(|t| t.in_graph(links.clone())),
        );
        quads.extend(
            successions(&decisions.successions, &rs)
                .into_iter()
                .chain(curated_aggregates(&curated, &rs))
                .map(|t| t.in_graph(links.clone())),
        );
    }
    emit(quads)?;
    Ok(Linked {
        stats,
        programs,
        ministries,
        rs,
        candidates,
    })
}

/// The curated successions between RS lines that were read: `new rs:successorOf ended`, and
/// an `rs:CandidateLink` (basis `curated`, relation `successor`) with the reviewer's reason.
/// A succession naming a line not read is left aside (the editions read may be a part).
pub fn successions(
    successions: &[crate::ingest::decisions::Succession],
    rs: &RsData,
) -> Vec<Triple> {
    use crate::vocab::ext;
    use oxigraph::model::{Literal, NamedNode};
    let set = crate::vocab::id("linkset", "rs");
    let mut triples = Vec::new();
    for s in successions {
        if !(rs.projects.contains_key(&s.line) && rs.projects.contains_key(&s.succeeds)) {
            continue;
        }
        let (new, ended) = (rs::project_iri(&s.line), rs::project_iri(&s.succeeds));
        let link = NamedNode::new_unchecked(format!("{set}/rs-{}--rs-{}", s.line, s.succeeds));
        let lit = Literal::new_simple_literal;
        triples.extend([
            Triple::new(new.clone(), rs::term::SUCCESSOR_OF, ended.clone()),
            Triple::new(link.clone(), ext::RDF_TYPE, rs::term::CANDIDATE_LINK),
            Triple::new(link.clone(), rs::term::LINK_SUBJECT, new),
            Triple::new(link.clone(), rs::term::LINK_OBJECT, ended),
            Triple::new(link.clone(), rs::term::DECISION, lit("linked")),
            Triple::new(link.clone(), rs::term::DECISION_BASIS, lit("curated")),
            Triple::new(link.clone(), rs::term::RELATION, lit("successor")),
            Triple::new(link.clone(), ext::SKOS_EDITORIAL_NOTE, lit(&s.reason)),
            Triple::new(
                link,
                ext::DCTERMS_IS_PART_OF,
                NamedNode::new_unchecked(&set),
            ),
        ]);
    }
    triples
}

/// The lines a curated decision links as an aggregate whose sheet the rules do not recognise
/// as one (RS 1691, AMED's operating grant, which the document's footnote names): typed
/// `rs:AggregateLine`, with the decision's reason as `rs:aggregateEvidence`, so that the
/// range of `rs:fundedThroughAggregate` holds and queries see them for what they are.
pub fn curated_aggregates(curated: &[Curated], rs: &RsData) -> Vec<Triple> {
    use crate::vocab::ext;
    use oxigraph::model::Literal;
    curated
        .iter()
        .filter(|c| c.decision == "accept" && c.relation.as_deref() == Some("aggregate"))
        .filter(|c| {
            rs.projects
                .get(&c.rs_id)
                .is_some_and(|p| p.aggregate_evidence().is_none())
        })
        .flat_map(|c| {
            let line = rs::project_iri(&c.rs_id);
            let why = format!("a curated decision of {DECISIONS_FILE}: {}", c.reason);
            [
                Triple::new(line.clone(), ext::RDF_TYPE, rs::term::AGGREGATE_LINE),
                Triple::new(
                    line,
                    rs::term::AGGREGATE_EVIDENCE,
                    Literal::new_language_tagged_literal_unchecked(why, "en"),
                ),
            ]
        })
        .collect()
}
