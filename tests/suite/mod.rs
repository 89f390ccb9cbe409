//! The test suites, one file per area.

mod cli;
mod document;
mod queries;
mod vocabulary;
