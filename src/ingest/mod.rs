//! Ingest: every source of `data/` read into records and turned into quads, one named graph
//! per source — the document's TOML records citing its lines (`document/`), the RS editions'
//! CSV/ZIP files (`rs/`), the review sheets of 2015–2023 (`judgit/`) — and the links between
//! them (`link/`). Nothing here names the store: the store (`store::Kb`) takes what ingest
//! hands it in one transaction.

pub mod decisions;
pub mod document;
pub mod judgit;
pub mod link;
pub mod rs;
pub mod sources;

use crate::error::Result;
use oxigraph::model::Quad;
use std::path::Path;

/// The RS editions and the review sheets of `data/` as quads, linked to the documents'
/// programs: the editions first (`link::link_editions`), then the sheets through the RS lines
/// and links they gave (`judgit`). Nothing when there is neither. The quads come in parts,
/// in the order they are to be inserted: never copied into one list (at national scale the
/// copy held two lists of a million quads at once).
pub fn linked_sources(
    root: &Path,
    queries: &Path,
    ontology: &[Quad],
    documents: &[Quad],
    sources: &sources::Sources,
) -> Result<Vec<Vec<Quad>>> {
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
        let described = judgit::described_organisations(parts.iter().flatten());
        let sheets = side.import(&s.files, &s.ministries)?;
        parts.push(sheets.sheet_quads(&side.our_ministries(), &described));
        parts.push(sheets.link_quads());
        parts.push(sources::sheets_description(s));
    }
    Ok(parts)
}
