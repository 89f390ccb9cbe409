//! Writing query results: the W3C result formats, RDF syntaxes for graphs, an aligned
//! table for people at a terminal, and numbers grouped by thousands for people to read.

use crate::error::{Error, Result};
use crate::vocab::PREFIXES;
use oxigraph::io::RdfFormat;
use oxigraph::model::Term;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::QueryResults;
use std::io::Write;
use unicode_width::UnicodeWidthStr;

/// How SELECT and ASK results are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultsFormat {
    Table,
    Csv,
    Tsv,
    Json,
    Xml,
}

/// A SELECT result held in memory.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub vars: Vec<String>,
    pub rows: Vec<Vec<Option<Term>>>,
}

impl Table {
    /// Collects the solutions of a SELECT query (an ASK gives one `boolean` column).
    pub fn collect(results: QueryResults<'_>) -> Result<Self> {
        let err = |e: &dyn std::fmt::Display| Error::Query {
            name: "results".into(),
            message: e.to_string(),
        };
        match results {
            QueryResults::Solutions(solutions) => {
                let vars: Vec<_> = solutions.variables().to_vec();
                let mut rows = Vec::new();
                for s in solutions {
                    let s = s.map_err(|e| err(&e))?;
                    rows.push(vars.iter().map(|v| s.get(v).cloned()).collect());
                }
                Ok(Table {
                    vars: vars.iter().map(|v| v.as_str().to_owned()).collect(),
                    rows,
                })
            }
            QueryResults::Boolean(b) => Ok(Table {
                vars: vec!["boolean".into()],
                rows: vec![vec![Some(oxigraph::model::Literal::from(b).into())]],
            }),
            QueryResults::Graph(_) => Err(err(
                &"a CONSTRUCT or DESCRIBE query gives a graph, not rows",
            )),
        }
    }

    /// The value of a column in a row as plain text ("" when unbound).
    pub fn text(&self, row: usize, var: &str) -> String {
        self.vars
            .iter()
            .position(|v| v == var)
            .and_then(|i| self.rows[row][i].as_ref())
            .map(plain)
            .unwrap_or_default()
    }

    /// All rows as plain text, for comparisons and diagrams.
    pub fn texts(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|t| t.as_ref().map(plain).unwrap_or_default())
                    .collect()
            })
            .collect()
    }
}

/// A term as a person reads it: literal values bare, IRIs shortened by the known prefixes.
pub fn plain(term: &Term) -> String {
    match term {
        Term::Literal(l) => l.value().to_owned(),
        Term::NamedNode(n) => compact(n.as_str()),
        other => other.to_string(),
    }
}

/// Shortens an IRI with the project prefixes (`id:program/dementia-rd`).
pub fn compact(iri: &str) -> String {
    PREFIXES
        .iter()
        .find_map(|(p, ns)| iri.strip_prefix(ns).map(|rest| format!("{p}:{rest}")))
        .unwrap_or_else(|| iri.to_owned())
}

fn io(e: std::io::Error) -> Error {
    Error::Write(e)
}

/// Writes an aligned table (East Asian wide characters count double).
/// Cells and column names are for a person at a terminal: their control characters are
/// escaped (`\x1b`, `\n`), so that no value from the data can drive the terminal or break
/// the table's lines (the W3C formats keep values exact).
pub fn write_table(table: &Table, out: &mut impl Write) -> Result<()> {
    let shown = |s: &str| crate::text::escape(s).into_owned();
    let cells: Vec<Vec<String>> = table
        .texts()
        .iter()
        .map(|r| r.iter().map(|c| shown(c)).collect())
        .collect();
    let vars: Vec<String> = table.vars.iter().map(|v| shown(v)).collect();
    let mut widths: Vec<usize> = vars.iter().map(|v| v.width()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.width());
        }
    }
    let line = |out: &mut dyn Write, row: &[String]| -> std::io::Result<()> {
        let mut s = String::new();
        for (i, (c, w)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < row.len() {
                s.push_str(&" ".repeat(w - c.width()));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, &vars).map_err(io)?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(out, &rule).map_err(io)?;
    for row in &cells {
        line(out, row).map_err(io)?;
    }
    writeln!(out, "({} rows)", cells.len()).map_err(io)
}

/// Writes a graph result in `format` and returns the writer.
fn write_graph<W: Write>(
    triples: oxigraph::sparql::QueryTripleIter<'_>,
    format: RdfFormat,
    out: W,
) -> Result<W> {
    let mut w = crate::vocab::rdf_serializer(format, &[]).for_writer(out);
    for t in triples {
        let t = t.map_err(|e| Error::Query {
            name: "results".into(),
            message: e.to_string(),
        })?;
        w.serialize_triple(&t).map_err(io)?;
    }
    w.finish().map_err(io)
}

/// Writes any query result: solutions and booleans in `format`, graphs in `graph_format`.
pub fn write_results(
    results: QueryResults<'_>,
    format: ResultsFormat,
    graph_format: RdfFormat,
    out: &mut impl Write,
) -> Result<()> {
    let err = |e: &dyn std::fmt::Display| Error::Query {
        name: "results".into(),
        message: e.to_string(),
    };
    let w3c = match format {
        ResultsFormat::Table => None,
        ResultsFormat::Csv => Some(QueryResultsFormat::Csv),
        ResultsFormat::Tsv => Some(QueryResultsFormat::Tsv),
        ResultsFormat::Json => Some(QueryResultsFormat::Json),
        ResultsFormat::Xml => Some(QueryResultsFormat::Xml),
    };
    match (results, w3c) {
        (QueryResults::Graph(triples), _) => {
            if let RdfFormat::JsonLd { .. } = graph_format {
                let compact = super::jsonld::Compactor::new(&mut *out);
                write_graph(triples, graph_format, compact)?
                    .finish()
                    .map_err(io)?;
            } else {
                write_graph(triples, graph_format, &mut *out)?;
            }
        }
        (results, None) => write_table(&Table::collect(results)?, out)?,
        (QueryResults::Boolean(b), Some(f)) => {
            QueryResultsSerializer::from_format(f)
                .serialize_boolean_to_writer(out, b)
                .map_err(io)?;
        }
        (QueryResults::Solutions(solutions), Some(f)) => {
            let mut w = QueryResultsSerializer::from_format(f)
                .serialize_solutions_to_writer(out, solutions.variables().to_vec())
                .map_err(io)?;
            for s in solutions {
                w.serialize(&s.map_err(|e| err(&e))?).map_err(io)?;
            }
            w.finish().map_err(io)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_groups_digits_and_keeps_the_sign() {
        let t = crate::text::thousands;
        assert_eq!(t(0), "0");
        assert_eq!(t(999), "999");
        assert_eq!(t(1_000), "1,000");
        assert_eq!(t(-1_234_567), "-1,234,567");
        assert_eq!(t(i64::MIN), "-9,223,372,036,854,775,808");
    }
}
