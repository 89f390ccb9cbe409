//! Ingest: every source of `data/` read into records and turned into quads, one named graph
//! per source — the document's TOML records citing its lines (`document/`), the RS editions'
//! CSV/ZIP files (`rs/`), the review sheets of 2015–2023 (`judgit/`) — and the links between them (`link/`). Nothing here names the
//! store: the store ([`crate::store`]) takes what ingest hands it in one transaction.

pub mod document;
pub mod judgit;
pub mod link;
pub mod rs;
pub mod sources;
