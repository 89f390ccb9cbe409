//! The command line: every flag and its help text, in one place (clap derive).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// medrd: the knowledge graph of Japan's medical R&D budget (the budget request summaries and
/// administrative project review editions of data/), queried in SPARQL.
#[derive(Parser, Debug)]
#[command(name = "medrd", version, about, long_about = None)]
pub struct Cli {
    /// Project directory holding ontology/, data/ and queries/ [default: the current
    /// directory if it has them, else the directory medrd was built from]
    #[arg(long, global = true, env = "MEDRD_ROOT", value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// Extra RDF to load beside ours (any syntax, by file extension; a directory loads every
    /// file in it), each file into its own named graph <https://w3id.org/medrd-kg/graph/with/FILE>
    /// (FILE percent-encoded but for ASCII letters, digits and .-_~). A triple another graph
    /// already states (ours, or an earlier file's), or that the rules derive there, stays there
    /// only, so that queries over the union of the graphs count it once; stderr says how many
    #[arg(long = "with", global = true, value_name = "FILE_OR_DIR")]
    pub with: Vec<PathBuf>,

    /// Keep the store on disk in DIR between runs (RocksDB; needs a medrd built with
    /// `--features rocksdb`). Each run replaces the ontology, data and --with graphs it
    /// loads, in one transaction (graphs the store does not hold yet go in through the bulk
    /// loader); graphs of earlier --with files stay
    #[arg(long, global = true, env = "MEDRD_STORE", value_name = "DIR")]
    pub store: Option<PathBuf>,

    /// Answer queries (query, validate's SPARQL checks, diagram, analyze, stats, export…) from
    /// this remote SPARQL 1.1 endpoint instead of the embedded store, which is then not loaded
    /// (nor are --with files read or --store opened, but by link and publish); `publish` puts
    /// our graphs there; build, serve and bench refuse it (they work on the embedded store).
    /// The endpoint must evaluate queries over the union of its graphs (Fuseki:
    /// tdb2:unionDefaultGraph, see scripts/fuseki-test.sh)
    #[arg(long, global = true, env = "MEDRD_ENDPOINT", value_name = "URL")]
    pub endpoint: Option<String>,

    /// Let `medrd query` and the endpoint of `medrd serve` send SERVICE patterns to remote
    /// SPARQL endpoints (http:// only); without it a query using SERVICE is refused
    #[arg(long, global = true)]
    pub allow_service: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build the store, validate it and write the published dataset (every RDF format and
    /// every named query's results as CSV)
    Build {
        /// Output directory. It is replaced whole, so it must be absent, empty or written by
        /// an earlier build (it holds a .medrd-build marker); never the project root, the
        /// current or home directory, or any directory holding them
        #[arg(short, long, default_value = "dist")]
        output: PathBuf,
        /// Replace the output directory even though `medrd build` did not write it (no
        /// .medrd-build marker): everything in it is deleted. Still refuses /, the project
        /// root, the current and home directory, the build's inputs and their parents
        #[arg(long)]
        force: bool,
        /// Print on stderr how long each stage took (load, validate, exports, query results,
        /// tables, catalogue, diagrams, charts) and how many files it wrote
        #[arg(long)]
        timings: bool,
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
        /// Write the DCAT 3 + VoID description of the dataset (Turtle) instead of the data
        #[arg(long, conflicts_with_all = ["format", "csv"])]
        dcat: bool,
        /// Write the main tables (queries/tables/*.rq) as CSV with CSVW metadata
        /// (csv-metadata.json) into this directory instead of the data
        #[arg(long, value_name = "DIR", conflicts_with_all = ["format", "output"])]
        csv: Option<PathBuf>,
        /// With --csv: begin each CSV with a UTF-8 byte order mark, as the RS system's own
        /// files do, so that spreadsheet programs that take CSV for Shift_JIS (Excel in
        /// Japanese) read it as UTF-8
        #[arg(long, requires = "csv")]
        bom: bool,
        /// Replace the output file (or the table files in the --csv directory) if it exists;
        /// without it an existing file is refused and left as it was
        #[arg(long)]
        force: bool,
    },
    /// Run the checks (queries/checks/*-violation.rq, the SHACL shapes of queries/shapes/ and
    /// the source-line check); exit 1 on any violation
    Validate,
    /// Count triples, programs, initiatives, amounts and the instances of each class
    Stats,
    /// Draw a diagram of the knowledge graph (Graphviz DOT, SVG, PNG or Mermaid)
    Diagram {
        /// What to draw: overview, project N, theme SLUG, ministry CODE, cross-project,
        /// budget, ontology, or timeline program|project|ministry SLUG (a chart of the
        /// figures across fiscal years and budget stages, SVG only)
        #[arg(required_unless_present = "query", conflicts_with = "query")]
        kind: Option<String>,
        /// The project number, theme slug or ministry code the diagram is about (for
        /// timeline: program, project or ministry)
        arg: Option<String>,
        /// For timeline: the program slug, project number or ministry code
        #[arg(value_name = "SLUG")]
        slug: Option<String>,
        /// Draw the graph of this CONSTRUCT query (.rq file) instead of a built-in diagram
        #[arg(long, value_name = "FILE.rq")]
        query: Option<PathBuf>,
        /// Output format (svg and png need Graphviz `dot` on PATH; timeline is svg only)
        /// [default: from the -o extension, else dot; svg for timeline]
        #[arg(short, long, value_enum)]
        format: Option<DiagramFormat>,
        /// Language of the labels
        #[arg(short, long, value_enum, default_value = "ja")]
        lang: DiagramLang,
        /// The fiscal year whose document the diagram shows: the figures of budget, the
        /// title's head of every diagram [default: the newest document's year]
        #[arg(long, value_name = "YEAR")]
        fy: Option<i32>,
        /// Output file [default: stdout]
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Replace the output file if it exists; without it an existing file is refused
        #[arg(long)]
        force: bool,
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
    Serve(ServeArgs),
    /// Link the knowledge graph with other open government data (see `medrd link rs --help`,
    /// `medrd link judgit --help`)
    Link {
        #[command(subcommand)]
        target: LinkTarget,
    },
    /// Time the pipeline, generate synthetic knowledge bases and measure them at scale
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Put our graphs (ontology, data, --with graphs) into the remote store of --endpoint by
    /// the SPARQL 1.1 Graph Store Protocol (PUT URL?graph=IRI for each named graph)
    Publish {
        /// Graph Store Protocol URL [default: the --endpoint URL; Fuseki serves both on the
        /// dataset URL, e.g. http://127.0.0.1:3030/ds]
        #[arg(long, value_name = "URL")]
        graph_store: Option<String>,
    },
    /// Draft reviewed data from a text of a 概算要求のポイント summary: -o writes a draft source
    /// folder in the layout of data/<source>/ (source.toml, a copy of the text and TOML
    /// records, each citing its line, `needs_review` where the text does not decide); --check
    /// compares the draft with a curated source folder and exits 1 below 95% agreement in any
    /// category
    Draft {
        /// The text conversion of the summary (like
        /// data/fy2024-request/fy2024-medical-rd-budget-request.ja.txt)
        source: PathBuf,
        /// Write the draft source folder here (new or empty; its name becomes the source's id)
        #[arg(
            short,
            long,
            value_name = "DIR",
            required_unless_present = "check",
            conflicts_with = "check"
        )]
        output: Option<PathBuf>,
        /// Compare the draft with the curated data of the source folder DIR (e.g.
        /// data/fy2024-request)
        #[arg(long, value_name = "DIR")]
        check: Option<PathBuf>,
        /// The organizations.toml whose `short` marks resolve ministries [default: DIR's (or
        /// its parent's) with --check, else data/organizations.toml]
        #[arg(long, value_name = "FILE")]
        organizations: Option<PathBuf>,
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

/// The datasets `medrd link` links with.
#[derive(Subcommand, Debug)]
pub enum LinkTarget {
    /// Match our programs to the budget programs of the administrative project review
    /// (行政事業レビュー, RS system) and write a linkset, the RS records as RDF and a review
    /// report; the review table goes to stdout
    Rs {
        /// RS CSV files or the ZIPs they are published in (1-2 基本情報, 2-1 予算・執行
        /// サマリ, 5-1 支出先 …), UTF-8 or Shift_JIS
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Write the linkset here (Turtle, or the syntax of the extension)
        #[arg(short, long, value_name = "LINKSET.ttl")]
        output: Option<PathBuf>,
        /// Write the review report here as CSV (program_ja, rs_id, rs_name, score, decision,
        /// relation, program, basis, evidence)
        #[arg(long, value_name = "REPORT.csv")]
        report: Option<PathBuf>,
        /// Write the imported RS records here (.ttl for `--with`; .trig/.nq keep the graph
        /// <https://w3id.org/medrd-kg/graph/rs>)
        #[arg(long, value_name = "RS.ttl")]
        rs_graph: Option<PathBuf>,
        /// Curated accept/reject decisions [default: data/link-decisions.toml]
        #[arg(long, value_name = "FILE.toml")]
        decisions: Option<PathBuf>,
        /// Known true pairs (CSV: program,rs_id[,relation,reason]) to print the matcher's
        /// precision and recall, with the curated decisions and by the rules alone
        #[arg(long, value_name = "TRUTH.csv")]
        truth: Option<PathBuf>,
        /// Inflate at most this many bytes from ZIPs in all (a ZIP bomb stops with the
        /// entry's name)
        #[arg(long, value_name = "BYTES", default_value_t = medrd_kg::ingest::rs::DEFAULT_MAX_UNZIPPED)]
        max_unzipped: u64,
        /// Replace the linkset, report and RS files if they exist; without it an existing
        /// file is refused (before any is written)
        #[arg(long)]
        force: bool,
    },
    /// Read the administrative project review sheets of 2015–2023 as JUDGIT! publishes them
    /// (judgit/data, CC BY 4.0), join them across editions and to the RS lines, and link our
    /// programs and integrated projects to them; the review table goes to stdout
    Judgit {
        /// JUDGIT's data/ folder, edition folders (data/2019), 府省庁 folders or sheet files
        /// (EDITION/府省庁/STEM.json)
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Write the links here (lineages, program and project links, rs:CandidateLink nodes;
        /// Turtle, or the syntax of the extension)
        #[arg(short, long, value_name = "LINKSET.ttl")]
        output: Option<PathBuf>,
        /// Write the review report here as CSV (subject, sheet, sheet_name, decision,
        /// relation, basis, evidence)
        #[arg(long, value_name = "REPORT.csv")]
        report: Option<PathBuf>,
        /// Write the imported sheets here (.ttl/.nt for `--with`; .trig/.nq keep the graph
        /// <https://w3id.org/medrd-kg/graph/judgit>)
        #[arg(long, value_name = "SHEETS.nt")]
        judgit_graph: Option<PathBuf>,
        /// Curated decisions ([[sheet]] and the RS [[decision]]) [default:
        /// data/link-decisions.toml]
        #[arg(long, value_name = "FILE.toml")]
        decisions: Option<PathBuf>,
        /// Known links (CSV: subject,sheet,relation,decision[,evidence], like
        /// tests/fixtures/judgit-real/truth.csv) to print precision and recall, with the
        /// curated decisions and by the rules alone
        #[arg(long, value_name = "TRUTH.csv")]
        truth: Option<PathBuf>,
        /// Replace the linkset, report and sheet files if they exist; without it an existing
        /// file is refused (before any is written)
        #[arg(long)]
        force: bool,
    },
    /// Write the verified external identifiers of our organisations (data/identifiers.toml:
    /// 法人番号 as gBizINFO IRIs, Wikidata QIDs) as a linkset to load with --with
    Ids {
        /// Output file (Turtle, or the syntax of the extension) [default: stdout]
        #[arg(short, long, value_name = "IDS.ttl")]
        output: Option<PathBuf>,
        /// Replace the output file if it exists; without it an existing file is refused
        #[arg(long)]
        force: bool,
    },
}

/// The subcommands of `medrd bench`.
#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Time the whole pipeline on the document (build the store, validate, every named query,
    /// every diagram as DOT), per stage, in ms (median and min of the runs)
    Pipeline {
        /// Timed runs (after one warm-up run)
        #[arg(long, default_value_t = 10)]
        runs: usize,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
        /// Also print each check's, query's and diagram's median time
        #[arg(long)]
        detail: bool,
    },
    /// Write a synthetic knowledge base shaped like ours (whole copies of the data graph
    /// renamed under id/synth/K/, sharing ministries, themes and the ontology) as N-Triples,
    /// to load with --with
    Gen {
        /// At least this many programs (about 93 triples each)
        #[arg(long)]
        programs: usize,
        /// Output file (.nt) [default: stdout]
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
        /// Replace the output file if it exists; without it an existing file is refused
        #[arg(long)]
        force: bool,
    },
    /// Run a named query (or .rq file) and print oxigraph's plan with the rows and time of
    /// each step (JSON), to find why a query is slow
    Explain {
        /// Name of a query in queries/ or path to a .rq file
        query: String,
    },
    /// Measure what --with loads: load time and triples/s, peak RSS, each named query's
    /// latency (median of the runs) and one diagram's time
    Scale {
        /// Runs of each query and of the diagram
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
        /// The diagram to time (a kind of `medrd diagram`)
        #[arg(long, default_value = "cross-project")]
        diagram: String,
        /// The diagram's argument (project number, theme or ministry)
        #[arg(long)]
        arg: Option<String>,
        /// Load into Oxigraph's store, as `link` and `publish` do, instead of the read-only
        /// copy the commands that only read load into, `serve` among them
        #[arg(long)]
        into_store: bool,
    },
}

/// The flags of `medrd serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; port 0 picks a free port)
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR:PORT")]
    pub bind: std::net::SocketAddr,
    /// Base IRI under which /id/... answers name the resources (IRIs under the canonical
    /// base are rewritten under it, with owl:sameAs the canonical IRI)
    #[arg(long, default_value = "https://w3id.org/medrd-kg/", value_name = "IRI")]
    pub base: String,
    /// Longest time a query may run, in seconds
    #[arg(long, default_value_t = 5.0, value_name = "SECS")]
    pub timeout: f64,
    /// Most solutions or triples in one SPARQL answer (a larger answer is refused whole,
    /// 413, never cut); most statements pointing to a resource on its /id page (that page
    /// says how many more there are)
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub max_results: usize,
    /// Largest request body accepted, in bytes (413 beyond)
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES")]
    pub max_body: usize,
    /// Longest time a client may take to send a request's headers, or to start its next
    /// request on a kept-alive connection, in seconds; then the connection is closed. A body
    /// must arrive within the same time after its headers (408), and a client that takes no
    /// byte of its answer for this long is closed
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub header_timeout: f64,
    /// Most client connections open at once: when all are taken, the oldest one waiting for
    /// a request is closed to make room, and when all are busy a new one is answered 503
    /// (lowered to fit the open-files limit, which serve raises to its hard limit)
    #[arg(long, default_value_t = 4096, value_name = "N")]
    pub max_connections: usize,
    /// Most heap memory the server may hold, in MiB: when queries take it past this, the
    /// query holding the most is cancelled (503 "memory limit"). The heap stays within
    /// about this plus what the running queries allocate in 10 ms (about 20 MiB each) plus
    /// what cancelled queries have not yet freed (a running query may grow by 32 MiB
    /// meanwhile); the loaded store counts too
    #[arg(long, default_value_t = 2048, value_name = "MIB")]
    pub max_memory: usize,
}
