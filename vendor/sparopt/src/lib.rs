#![cfg_attr(doc, doc = include_str!("../README.md"))]
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(html_favicon_url = "https://raw.githubusercontent.com/oxigraph/oxigraph/main/logo.svg")]
#![doc(html_logo_url = "https://raw.githubusercontent.com/oxigraph/oxigraph/main/logo.svg")]

pub use crate::optimizer::Optimizer;
pub use crate::statistics::{
    PredicateStatistics, Statistics, with_statistics, without_statistics,
};

pub mod algebra;
mod optimizer;
mod statistics;
mod type_inference;
