//! The policy document as a source: its TOML records ([`records`], each citing its line of
//! the text), their quads ([`quads`]) and the check that every cited line says what the
//! record says ([`provenance`]).

pub mod provenance;
pub mod quads;
pub mod records;
