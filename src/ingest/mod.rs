//! Ingest: every source of `data/` read into records and turned into quads, one named graph
//! per source — the document's TOML records citing its lines (`document/`), the RS editions'
//! CSV/ZIP files (`rs/`), the review sheets of 2015–2023 (`judgit/`) — and the links between
//! them (`link/`). Nothing here names the store: the store (`store::Kb`) takes what ingest
//! hands it in one transaction.

pub mod decisions;
pub mod document;
pub mod judgit;
pub mod link;
pub mod quad_list;
pub mod rs;
pub mod sources;

use crate::error::Result;
use oxigraph::model::Quad;
use quad_list::QuadList;
use std::path::Path;

/// The RS editions and the review sheets of `data/` as quads, linked to the documents'
/// programs: the editions first (`link::link_editions`), then the sheets through the RS lines
/// and links they gave (`judgit`). Nothing when there is neither. The quads come in parts,
/// in the order they are to be inserted, each a compact [`QuadList`] (at national scale the
/// quads as `Quad`s took 580 MB of heap, more than the store they fill).
pub fn linked_sources(
    root: &Path,
    queries: &Path,
    ontology: &[Quad],
    documents: &[Quad],
    sources: &sources::Sources,
) -> Result<Vec<QuadList>> {
    if sources.editions.is_empty() && sources.review_sheets.is_empty() {
        return Ok(Vec::new());
    }
    let (mut parts, linked) = link::link_editions(root, queries, ontology, documents, sources)?;
    let side = judgit::RsSide {
        store: &linked.store,
        queries,
        root,
        programs: &linked.programs,
        rs: &linked.rs,
        rs_links: &linked.candidates,
        ministries: &linked.ministries,
    };
    for s in &sources.review_sheets {
        let described = judgit::described_organisations(parts.iter().flat_map(QuadList::iter));
        let sheets = side.import(&s.files, &s.ministries)?;
        parts.push(QuadList::from_iter(
            sheets.sheet_quads(&side.our_ministries(), &described),
        ));
        parts.push(QuadList::from_iter(sheets.link_quads()));
        parts.push(QuadList::from_iter(sources::sheets_description(s)));
    }
    Ok(parts)
}
