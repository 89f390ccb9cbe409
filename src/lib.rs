//! medrd-kg: a knowledge graph of Japan's medical R&D budget — the policy documents, the
//! administrative project review (RS) and its review sheets — in Oxigraph. The library loads
//! the sources and answers, checks, draws and exports them; the `medrd` binary is a thin
//! command line over it. ARCHITECTURE.md lays out the pipeline.

pub mod bench;
pub mod cpu;
pub mod diagram;
pub mod draft;
pub mod error;
pub mod fence;
pub mod ingest;
pub mod inputs;
pub mod json;
pub mod lang;
pub mod layout;
pub mod markup;
pub mod order;
pub mod parallel;
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
