//! The command line: every flag and its help text, in one place (clap derive).

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// medrd: the knowledge graph of Japan's FY2024 medical R&D budget request
/// (令和6年度 医療分野の研究開発関連予算 概算要求), queried in SPARQL.
#[derive(Parser, Debug)]
#[command(name = "medrd", version, about, long_about = None)]
pub struct Cli {
    /// Project directory holding ontology/, data/ and queries/ [default: the current
    /// directory if it has them, else the directory medrd was built from]
    #[arg(long, global = true, env = "MEDRD_ROOT", value_name = "DIR")]
    pub root: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build the store, validate it and write the published dataset (every RDF format and
    /// every named query's results as CSV)
    Build {
        /// Output directory
        #[arg(short, long, default_value = "dist")]
        output: PathBuf,
    },
    /// Run a named query, a .rq file or inline SPARQL
    Query {
        /// Name of a query in queries/ (see `medrd queries`) or path to a .rq file
        #[arg(required_unless_present = "sparql", conflicts_with = "sparql")]
        query: Option<String>,
        /// SPARQL text to run instead of a named query
        #[arg(long, value_name = "TEXT")]
        sparql: Option<String>,
        /// Output format [default: table on a terminal, else csv; turtle for graphs]
        #[arg(short, long, value_enum)]
        format: Option<QueryFormat>,
    },
    /// List the named queries with their summaries
    Queries,
    /// Write the whole knowledge base, ontology included (data in its own named graph)
    Export {
        /// RDF syntax
        #[arg(short, long, value_enum, default_value = "turtle")]
        format: ExportFormat,
        /// Output file [default: stdout]
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Run the checks (queries/checks/*-violation.rq and the source-line check); exit 1 on
    /// any violation
    Validate,
    /// Count triples, programs, initiatives, amounts and the instances of each class
    Stats,
}

/// Result formats of `medrd query`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryFormat {
    /// Aligned table for people
    Table,
    /// SPARQL 1.1 Query Results CSV
    Csv,
    /// SPARQL 1.1 Query Results TSV
    Tsv,
    /// SPARQL 1.1 Query Results JSON
    Json,
    /// SPARQL Query Results XML
    Xml,
    /// Turtle (CONSTRUCT/DESCRIBE)
    Turtle,
    /// N-Triples (CONSTRUCT/DESCRIBE)
    Ntriples,
    /// JSON-LD (CONSTRUCT/DESCRIBE)
    Jsonld,
    /// RDF/XML (CONSTRUCT/DESCRIBE)
    Rdfxml,
}

/// RDF syntaxes of `medrd export`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Turtle,
    Ntriples,
    Nquads,
    Trig,
    Rdfxml,
    Jsonld,
}
