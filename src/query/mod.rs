//! The SPARQL of `queries/` and what answers look like: the catalogue of named queries,
//! checks and rules ([`catalog`]) and the writing of results for people and programs
//! ([`output`]). Neither runs a query: the store does ([`crate::Kb::query`]).

pub mod catalog;
pub mod output;
