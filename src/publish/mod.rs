//! Publishing the dataset: the RDF exports ([`rdf`]), its DCAT catalogue ([`dcat`]), the main
//! tables as tidy CSV with CSVW metadata (`write_csv_tables`, from the SPARQL of
//! `queries/tables/*.rq`), and our graphs put into a remote store ([`graph_store`]).

pub mod dcat;
pub mod graph_store;
pub mod rdf;

pub use dcat::{dcat_triples, dcat_triples_of, write_dcat, write_dcat_of};

use crate::error::{Error, Result};
use crate::query::catalog::{self, NamedQuery};
use crate::query::output::Table;
use crate::store::Kb;
use crate::vocab::id;
use oxigraph::model::Term;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// Where the published files are downloaded from (`medrd build` writes them to `dist/`).
pub const DIST_BASE: &str = "https://w3id.org/medrd-kg/dist/";
/// The dataset described by the catalog.
pub const DATASET: &str = "https://w3id.org/medrd-kg/id/dataset/medrd-kg";

/// The RDF distributions `medrd build` writes: file name, media type, format title, and the
/// EU Publications Office's file type (DCAT-AP's `dct:format`).
pub const RDF_DISTRIBUTIONS: &[(&str, &str, &str, &str)] = &[
    ("medrd-kg.ttl", "text/turtle", "Turtle", "RDF_TURTLE"),
    (
        "medrd-kg.nt",
        "application/n-triples",
        "N-Triples",
        "RDF_N_TRIPLES",
    ),
    (
        "medrd-kg.nq",
        "application/n-quads",
        "N-Quads",
        "RDF_N_QUADS",
    ),
    ("medrd-kg.trig", "application/trig", "TriG", "RDF_TRIG"),
    ("medrd-kg.rdf", "application/rdf+xml", "RDF/XML", "RDF_XML"),
    (
        "medrd-kg.jsonld",
        "application/ld+json",
        "JSON-LD",
        "JSON_LD",
    ),
];

/// Where `write_csv_tables` puts its files under the distribution base.
pub const TABLES_DIR: &str = "tables";
/// The CSVW metadata file of the tables.
pub const CSVW_METADATA: &str = "csv-metadata.json";

/// The table queries of `queries/tables/`.
pub fn table_queries(kb: &Kb) -> Result<Vec<NamedQuery>> {
    catalog::named(&kb.layout.queries().join(TABLES_DIR))
}

/// The `#+ key: COL COL…` header of a table query (its primary key), if any.
fn key(q: &NamedQuery) -> Option<Vec<String>> {
    q.header("key")
        .map(|k| k.split_whitespace().map(String::from).collect())
}

/// The CSVW table schema of a table query's result: its columns with datatype, description,
/// value URL and separator; its primary key, the URL of what a row is about and its foreign
/// keys, from the query's header.
fn table_schema(q: &NamedQuery, table: &Table) -> serde_json::Value {
    let notes = q.column_headers("column");
    let urls = q.column_headers("value-url");
    let separators = q.column_headers("separator");
    let columns: Vec<serde_json::Value> = table
        .vars
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut c = serde_json::json!({
                "name": v,
                "titles": v,
                "datatype": datatype(table, i),
            });
            if let Some(d) = notes.get(v) {
                c["dc:description"] = serde_json::Value::String(d.clone());
            }
            if let Some(u) = urls.get(v) {
                c["valueUrl"] = serde_json::Value::String(u.clone());
            }
            if let Some(sep) = separators.get(v) {
                c["separator"] = serde_json::Value::String(sep.trim_matches('"').to_owned());
            }
            c
        })
        .collect();
    let mut schema = serde_json::json!({ "columns": columns });
    if let Some(k) = key(q) {
        schema["primaryKey"] = serde_json::json!(k);
    }
    if let Some(u) = q.header("about").map(str::to_owned) {
        schema["aboutUrl"] = serde_json::Value::String(u);
    }
    let foreign: Vec<serde_json::Value> = q
        .column_headers("foreign-key")
        .into_iter()
        .filter_map(|(column, target)| {
            let (resource, referenced) = target.split_once(' ')?;
            Some(serde_json::json!({
                "columnReference": column,
                "reference": {
                    "resource": format!("{resource}.csv"),
                    "columnReference": referenced.trim(),
                },
            }))
        })
        .collect();
    if !foreign.is_empty() {
        schema["foreignKeys"] = serde_json::Value::Array(foreign);
    }
    schema
}

/// The CSVW datatype of a column: the XSD type all its values share, else string.
fn datatype(table: &Table, col: usize) -> &'static str {
    let mut kinds = BTreeSet::new();
    for row in &table.rows {
        match &row[col] {
            Some(Term::Literal(l)) => {
                let dt = l.datatype().as_str();
                kinds.insert(match dt.strip_prefix(XSD) {
                    Some("integer") => "integer",
                    Some("decimal") => "decimal",
                    Some("boolean") => "boolean",
                    Some("gYear") => "gYear",
                    _ => "string",
                });
            }
            Some(_) => {
                kinds.insert("string");
            }
            None => {}
        }
    }
    match kinds.len() {
        1 => kinds.into_iter().next().unwrap_or("string"),
        2 if kinds.contains("integer") && kinds.contains("decimal") => "decimal",
        _ => "string",
    }
}

/// Writes the main tables (`queries/tables/*.rq`) as tidy CSV in `dir`, with their CSVW
/// metadata in `dir/csv-metadata.json`, each CSV begun with a UTF-8 byte order mark when `bom`
/// (CSVW readers skip it). Returns the files written. Unless `replace`, any of these files
/// already in `dir` is refused before one is written (other files in `dir` are never touched).
/// In a `stage`, the files are not flushed to disk one by one ([`crate::fence::write_staged`]:
/// the caller flushes the stage whole).
pub fn write_csv_tables(
    kb: &Kb,
    dir: &Path,
    replace: bool,
    bom: bool,
    stage: Option<&crate::fence::Stage>,
) -> Result<Vec<PathBuf>> {
    let queries = table_queries(kb)?;
    if !replace {
        let names = queries.iter().map(|q| format!("{}.csv", q.name));
        for path in names.chain([CSVW_METADATA.to_owned()]).map(|n| dir.join(n)) {
            if std::fs::symlink_metadata(&path).is_ok() {
                return Err(Error::io(
                    &path,
                    std::io::Error::new(
                        std::io::ErrorKind::AlreadyExists,
                        "the file exists: medrd does not replace a file unless asked (pass \
                         --force to replace it)",
                    ),
                ));
            }
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::new();
    let mut tables = Vec::new();
    for q in queries {
        let table = Table::collect(kb.query(&q.name, &q.text)?)?;
        let path = dir.join(format!("{}.csv", q.name));
        // Whole or not at all, and never through a link left in `dir` (the fence).
        crate::fence::write_entry_or_staged(
            &path,
            replace,
            stage,
            |out| -> Result<(), csv::Error> {
                if bom {
                    out.write_all("\u{feff}".as_bytes())?;
                }
                let mut w = csv::Writer::from_writer(out);
                w.write_record(&table.vars)?;
                for row in table.texts() {
                    w.write_record(&row)?;
                }
                Ok(w.flush()?)
            },
        )?;
        let schema = table_schema(&q, &table);
        tables.push(serde_json::json!({
            "url": format!("{}.csv", q.name),
            "dc:title": q.name,
            "dc:description": q.summary,
            "tableSchema": schema,
        }));
        written.push(path);
    }
    let metadata = serde_json::json!({
        "@context": ["http://www.w3.org/ns/csvw", { "@language": "en" }],
        "dc:title": "medrd-kg tables",
        "dc:license": { "@id": kb.primary().source.value.document.licence },
        "dc:source": { "@id": id("source", &kb.primary().source.value.document.id) },
        "dc:isPartOf": { "@id": DATASET },
        "tables": tables,
    });
    let path = dir.join(CSVW_METADATA);
    let text = serde_json::to_string_pretty(&metadata)
        .map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    crate::fence::write_entry_or_staged(&path, replace, stage, |w| {
        w.write_all((text + "\n").as_bytes())
    })?;
    written.push(path);
    Ok(written)
}
