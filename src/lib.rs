//! medrd-kg: a knowledge graph of Japan's FY2024 medical R&D budget request. The library
//! loads the curated data into Oxigraph and answers, checks and exports it; the `medrd`
//! binary is a thin command line over it.

pub mod bench;
pub mod diagram;
pub mod draft;
pub mod error;
pub mod fence;
pub mod ingest;
pub mod inputs;
pub mod layout;
pub mod markup;
pub mod progress;
pub mod publish;
pub mod query;
pub mod serve;
pub mod store;
pub mod text;
pub mod validate;
pub mod vocab;

pub use error::{Error, Result};
pub use layout::Layout;
pub use store::Kb;
