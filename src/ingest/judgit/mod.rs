//! The administrative project review sheets of editions 2015–2023 as JUDGIT! publishes them
//! (`judgit/data`, CC BY 4.0): the third kind of source (`kind = "review-sheets"`), read from
//! `EDITION/府省庁/STEM.json` ([`read`] into [`records`]), turned into quads in the graph
//! `graph/judgit` ([`quads`]), joined across editions and to the RS system ([`lineage`]) and
//! linked to our programs and projects through the RS links ([`link`], with the curated
//! decisions of [`decisions`]); the links go to the graph `graph/links` ([`linkset`]). The
//! shapes of the real data this rests on are in `tests/fixtures/judgit-real/NOTES.md`.

pub mod decisions;
pub mod lineage;
pub mod link;
pub mod linkset;
pub mod quads;
pub mod read;
pub mod records;

use crate::error::Result;
use crate::ingest::rs::RsData;
use decisions::SheetDecision;
use lineage::Lineage;
use link::SheetLink;
use oxigraph::model::{NamedNode, Quad};
use read::Ministries;
use records::Sheet;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

/// The sheets read, their lineages and their links to our programs and projects.
pub struct Judgit {
    pub sheets: Vec<Sheet>,
    pub lineage: Lineage,
    /// The links by the rules alone (to measure them).
    pub by_rules: Vec<SheetLink>,
    /// The links with the curated decisions applied.
    pub links: Vec<SheetLink>,
    /// Why a sheet is an aggregate line, by sheet.
    pub aggregates: BTreeMap<usize, String>,
    /// Our programs that no sheet is linked to.
    pub unmatched: Vec<String>,
}

/// Reads the sheet files, finds their lineages (and the bridge into `rs`) and links them.
pub fn import(
    files: &[PathBuf],
    ministries: &Ministries,
    rs: &RsData,
    ours: &link::Ours<'_>,
    decisions: &[SheetDecision],
) -> Result<Judgit> {
    let sheets = read::read_sheets(files, ministries)?;
    let lineage = Lineage::of(&sheets, rs);
    let by_rules = link::rule_links(&sheets, &lineage, ours);
    let links = decisions::apply(&by_rules, decisions, &sheets, &lineage);
    let aggregates = link::aggregates(&sheets, &lineage, &links);
    let linked: BTreeSet<&str> = links
        .iter()
        .filter(|l| l.decision == crate::ingest::link::matcher::Decision::Linked)
        .map(|l| l.subject.as_str())
        .collect();
    let unmatched = ours
        .programs
        .iter()
        .map(|p| p.slug.clone())
        .filter(|s| !linked.contains(s.as_str()))
        .collect();
    Ok(Judgit {
        sheets,
        lineage,
        by_rules,
        links,
        aggregates,
        unmatched,
    })
}

impl Judgit {
    /// The sheets as quads in `graph/judgit` (see [`quads`]), with the aggregate lines typed.
    /// `ours`: our ministry codes; `described`: organisations another graph describes.
    pub fn sheet_quads(
        &self,
        ours: &BTreeSet<String>,
        described: &HashSet<NamedNode>,
    ) -> Vec<Quad> {
        let mut q = quads::sheet_quads(&self.sheets, ours, described);
        q.extend(linkset::aggregate_quads(&self.sheets, &self.aggregates));
        q
    }

    /// [`Judgit::sheet_quads`], handed to `emit` in parts as they are made
    /// ([`quads::sheet_quads_into`]).
    pub fn sheet_quads_into(
        &self,
        ours: &BTreeSet<String>,
        described: &HashSet<NamedNode>,
        emit: &mut dyn FnMut(Vec<Quad>) -> Result<()>,
    ) -> Result<()> {
        quads::sheet_quads_into(&self.sheets, ours, described, emit)?;
        emit(linkset::aggregate_quads(&self.sheets, &self.aggregates))
    }

    /// The lineages and the links, in `graph/links`.
    pub fn link_quads(&self) -> Vec<Quad> {
        linkset::link_quads(&self.sheets, &self.lineage, &self.links)
    }
}

/// What the sheet linker reads of our side and the RS side: a store holding the ontology and
/// the documents (queried with `queries/link/*.rq`), the project root (for the curated
/// decisions), the RS lines and the RS links with their decisions.
pub struct RsSide<'a> {
    pub stats: &'a std::sync::Arc<crate::store::stats::StoreStatistics>,
    pub queries: &'a std::path::Path,
    pub root: &'a std::path::Path,
    pub programs: &'a [crate::ingest::link::matcher::Program],
    pub rs: &'a RsData,
    pub rs_links: &'a [crate::ingest::link::matcher::Candidate],
    /// Ministry name → our code.
    pub ministries: &'a BTreeMap<String, String>,
}

impl RsSide<'_> {
    /// Our ministry codes (`mhlw` …).
    pub fn our_ministries(&self) -> BTreeSet<String> {
        self.ministries.values().cloned().collect()
    }

    /// The integrated projects (number, Japanese name), from `queries/link/projects.rq`.
    pub fn projects(&self) -> Result<Vec<(u32, String)>> {
        let t = crate::ingest::link::matcher::run_query(self.stats, self.queries, "projects.rq")?;
        Ok((0..t.rows.len())
            .filter_map(|r| Some((t.text(r, "number").parse().ok()?, t.text(r, "ja"))))
            .collect())
    }

    /// Reads, joins and links the sheet files, with the decisions of
    /// `data/link-decisions.toml` under the root.
    pub fn import(&self, files: &[PathBuf], ministries: &Ministries) -> Result<Judgit> {
        let decisions = crate::ingest::decisions::read(
            &self.root.join(crate::ingest::decisions::DECISIONS_FILE),
        )?
        .sheets;
        self.import_with(files, ministries, &decisions)
    }

    /// [`Self::import`] with the given decisions.
    pub fn import_with(
        &self,
        files: &[PathBuf],
        ministries: &Ministries,
        decisions: &[SheetDecision],
    ) -> Result<Judgit> {
        let projects = self.projects()?;
        let ours = link::Ours {
            programs: self.programs,
            projects: &projects,
            rs_links: self.rs_links,
        };
        import(files, ministries, self.rs, &ours, decisions)
    }
}

/// The organisations some quads already describe (subjects of `rs:corporateNumber`): a sheet's
/// recipient is described once in the store.
pub fn described_organisations<'a>(
    quads: impl IntoIterator<Item = oxigraph::model::QuadRef<'a>>,
) -> HashSet<NamedNode> {
    quads
        .into_iter()
        .filter(|q| q.predicate == crate::ingest::rs::term::CORPORATE_NUMBER)
        .filter_map(|q| match q.subject {
            oxigraph::model::NamedOrBlankNodeRef::NamedNode(n) => Some(n.into_owned()),
            _ => None,
        })
        .collect()
}
