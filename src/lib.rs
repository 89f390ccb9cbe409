//! medrd-kg: a knowledge graph of Japan's FY2024 medical R&D budget request. The library
//! loads the curated data into Oxigraph and answers, checks and exports it; the `medrd`
//! binary is a thin command line over it.

pub mod bench;
pub mod catalog;
pub mod dataset;
pub mod diagram;
pub mod draft;
pub mod error;
pub mod export;
pub mod fence;
pub mod graph;
pub mod guard;
pub mod inputs;
pub mod kb;
pub mod link;
pub mod markup;
pub mod memory;
pub mod model;
pub mod output;
pub mod progress;
pub mod provenance;
pub mod publish;
pub mod remote;
pub mod serve;
pub mod service;
pub mod sources;
pub mod synth;
pub mod validate;
pub mod vocab;

pub use error::{Error, Result};
pub use kb::{Kb, Layout};
