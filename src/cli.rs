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

    /// Extra RDF to load beside ours (any syntax, by file extension; a directory loads every
    /// file in it), each file into its own named graph <https://w3id.org/medrd-kg/graph/with/FILE>
    #[arg(long = "with", global = true, value_name = "FILE_OR_DIR")]
    pub with: Vec<PathBuf>,

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
    /// Draw a diagram of the knowledge graph (Graphviz DOT, SVG, PNG or Mermaid)
    Diagram {
        /// What to draw: overview, project N, theme SLUG, ministry CODE, cross-project,
        /// budget or ontology
        #[arg(required_unless_present = "query", conflicts_with = "query")]
        kind: Option<String>,
        /// The project number, theme slug or ministry code the diagram is about
        arg: Option<String>,
        /// Draw the graph of this CONSTRUCT query (.rq file) instead of a built-in diagram
        #[arg(long, value_name = "FILE.rq")]
        query: Option<PathBuf>,
        /// Output format (svg and png need Graphviz `dot` on PATH) [default: from the -o
        /// extension, else dot]
        #[arg(short, long, value_enum)]
        format: Option<DiagramFormat>,
        /// Language of the labels
        #[arg(short, long, value_enum, default_value = "ja")]
        lang: DiagramLang,
        /// Output file [default: stdout]
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Network analysis of the data graph: betweenness of programs, components, degrees
    Analyze {
        /// How many programs to list by betweenness centrality
        #[arg(long, default_value_t = 10)]
        top: usize,
        /// Language of the labels
        #[arg(short, long, value_enum, default_value = "ja")]
        lang: DiagramLang,
    },
    /// Shortest chain of triples between two entities (by label in Japanese or English, or IRI)
    Path {
        /// Where the path starts: a label (e.g. 認知症研究開発事業), compact IRI or IRI
        from: String,
        /// Where the path ends: a label (e.g. 経済産業省), compact IRI or IRI
        to: String,
        /// Language of the labels printed
        #[arg(short, long, value_enum, default_value = "ja")]
        lang: DiagramLang,
    },
    /// Serve the knowledge base read-only over HTTP: SPARQL 1.1 Protocol endpoint (/sparql),
    /// named queries (/queries/NAME), entity pages (/id/...) and a query page (/)
    Serve {
        /// Address to listen on (loopback by default; port 0 picks a free port)
        #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR:PORT")]
        bind: std::net::SocketAddr,
        /// Base IRI under which /id/... answers name the resources (IRIs under the canonical
        /// base are rewritten under it, with owl:sameAs the canonical IRI)
        #[arg(long, default_value = "https://w3id.org/medrd-kg/", value_name = "IRI")]
        base: String,
        /// Longest time a query may run, in seconds
        #[arg(long, default_value_t = 5.0, value_name = "SECS")]
        timeout: f64,
        /// Most solutions or triples in one response (beyond, the response is cut and has the
        /// header Medrd-Results-Truncated: true)
        #[arg(long, default_value_t = 10_000, value_name = "N")]
        max_results: usize,
        /// Largest request body accepted, in bytes (413 beyond)
        #[arg(long, default_value_t = 1 << 20, value_name = "BYTES")]
        max_body: usize,
    },
}

/// Output formats of `medrd diagram`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagramFormat {
    /// Graphviz DOT source
    Dot,
    /// SVG drawn by Graphviz dot
    Svg,
    /// PNG drawn by Graphviz dot
    Png,
    /// Mermaid flowchart
    Mermaid,
}

/// Label languages of `medrd diagram`, `analyze` and `path`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagramLang {
    /// Japanese
    Ja,
    /// English
    En,
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
