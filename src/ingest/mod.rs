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
use std::collections::HashSet;
use std::path::Path;

/// The RS editions and the review sheets of `data/` as quads, linked to the documents'
/// programs: the editions first (`link::link_editions`), then the sheets through the RS lines
/// and links they gave (`judgit`). Nothing when there is neither. The quads come in parts,
/// in the order they are to be inserted, each a compact [`QuadList`] (at national scale the
/// quads as `Quad`s took 580 MB of heap, more than the store they fill), each handed to `emit`
/// as soon as it is made (the store inserts the editions' while the sheets are read).
pub fn linked_sources(
    root: &Path,
    queries: &Path,
    ontology: &[Quad],
    documents: &[Quad],
    sources: &sources::Sources,
    emit: &mut dyn FnMut(QuadList) -> Result<()>,
) -> Result<()> {
    if sources.editions.is_empty() && sources.review_sheets.is_empty() {
        return Ok(());
    }
    // The organisations the parts emitted so far describe: a sheet's recipient is described
    // once in the store.
    let mut described = HashSet::new();
    let mut send = |part: QuadList, described: &mut HashSet<_>| {
        described.extend(judgit::described_organisations(part.iter()));
        emit(part)
    };
    let linked = link::link_editions(root, queries, ontology, documents, sources, &mut |part| {
        send(part, &mut described)
    })?;
    let side = judgit::RsSide {
        stats: &linked.stats,
        queries,
        root,
        programs: &linked.programs,
        rs: &linked.rs,
        rs_links: &linked.candidates,
        ministries: &linked.ministries,
    };
    for s in &sources.review_sheets {
        let sheets = side.import(&s.files, &s.ministries)?;
        // In parts as they are made; what they describe counts from the next source on.
        let mut newly = HashSet::new();
        sheets.sheet_quads_into(&side.our_ministries(), &described, &mut |quads| {
            send(QuadList::from_iter(quads), &mut newly)
        })?;
        described.extend(newly);
        send(QuadList::from_iter(sheets.link_quads()), &mut described)?;
        send(
            QuadList::from_iter(sources::sheets_description(s)),
            &mut described,
        )?;
    }
    Ok(())
}
