//! `medrd analyze` and `medrd path`: network analysis of the data graph and the shortest
//! chain of triples between two entities.

use super::diagram::lang;
use crate::cli::DiagramLang;
use medrd_kg::diagram::analyze::{analyze, DataGraph};
use medrd_kg::query::output::{compact, write_table, Table};
use medrd_kg::Kb;
use oxigraph::model::{Literal, Term};
use std::io::Write;
use std::process::ExitCode;
use unicode_width::UnicodeWidthStr;

fn cell(s: impl Into<String>) -> Option<Term> {
    Some(Literal::new_simple_literal(s.into()).into())
}

/// A label cut to about 40 columns for tables.
fn short(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if UnicodeWidthStr::width(out.as_str()) >= 40 {
            out.push('…');
            break;
        }
        out.push(c);
    }
    out
}

pub fn run(kb: &Kb, top: usize, language: DiagramLang) -> anyhow::Result<ExitCode> {
    let g = DataGraph::load(kb, lang(language))?;
    let a = analyze(&g, top);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Data graph: {} resources, {} object-property triples (undirected; see \
         queries/diagrams/analysis-edges.rq).\n",
        a.nodes, a.edges
    )?;
    writeln!(
        out,
        "Programs by betweenness centrality (Brandes' algorithm: how many shortest paths \
         between other pairs of resources run through the program; normalised by the \
         (n-1)(n-2)/2 pairs):"
    )?;
    let mut t = Table {
        vars: ["program", "betweenness", "normalised", "projects", "themes"]
            .map(String::from)
            .to_vec(),
        rows: Vec::new(),
    };
    for b in &a.bridges {
        t.rows.push(vec![
            cell(&b.program),
            cell(format!("{:.1}", b.betweenness)),
            cell(format!("{:.4}", b.normalised)),
            cell(b.projects.join(" / ")),
            cell(b.themes.join(" / ")),
        ]);
    }
    write_table(&t, &mut out)?;
    let isolated: usize = a.isolated.values().sum();
    writeln!(
        out,
        "\nConnected components: {} with edges, plus {isolated} resources without any \
         object-property triple ({}).",
        a.components.len(),
        a.isolated
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    let mut t = Table {
        vars: ["size", "best-connected member"].map(String::from).to_vec(),
        rows: Vec::new(),
    };
    for (size, hub) in &a.components {
        t.rows.push(vec![cell(size.to_string()), cell(short(hub))]);
    }
    write_table(&t, &mut out)?;
    writeln!(out, "\nDegree per class:")?;
    let mut t = Table {
        vars: ["class", "count", "min", "mean", "max", "highest"]
            .map(String::from)
            .to_vec(),
        rows: Vec::new(),
    };
    for d in &a.degrees {
        t.rows.push(vec![
            cell(&d.class),
            cell(d.count.to_string()),
            cell(d.min.to_string()),
            cell(format!("{:.2}", d.mean)),
            cell(d.max.to_string()),
            cell(short(&d.top)),
        ]);
    }
    write_table(&t, &mut out)?;
    Ok(ExitCode::SUCCESS)
}

pub fn path(kb: &Kb, from: &str, to: &str, language: DiagramLang) -> anyhow::Result<ExitCode> {
    let g = DataGraph::load(kb, lang(language))?;
    let (a, b) = (g.find(from)?, g.find(to)?);
    let mut out = std::io::stdout().lock();
    match g.path(a, b) {
        Some(steps) => {
            writeln!(out, "{}", g.describe_path(a, &steps))?;
            writeln!(out, "({} steps)", steps.len())?;
            Ok(ExitCode::SUCCESS)
        }
        // No chain is an answer, not an error: say it on stderr and exit 1, like a failed check.
        None => {
            eprintln!(
                "no path between {} and {}",
                compact(&g.graph[a].iri),
                compact(&g.graph[b].iri)
            );
            Ok(ExitCode::from(1))
        }
    }
}
