//! The test suites, one file per area.

mod build;
mod cli;
mod diagram;
mod document;
mod draft;
mod explorer;
mod explorer_money;
mod frozen;
mod inputs;
mod judgit;
mod link;
mod publish;
mod queries;
mod readme;
mod scale;
mod serve;
mod sources;
mod vocabulary;
mod writers;
