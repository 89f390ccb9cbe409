//! `medrd diagram`: draw one diagram of the knowledge graph to stdout or a file.

use crate::cli::{DiagramFormat, DiagramLang};
use medrd_kg::diagram::{self, Format, Kind, Lang};
use medrd_kg::Kb;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// The library's language for a command-line language.
pub fn lang(l: DiagramLang) -> Lang {
    match l {
        DiagramLang::Ja => Lang::Ja,
        DiagramLang::En => Lang::En,
    }
}

/// How a diagram is drawn: the document of fiscal year `fy` (the newest when `None`), in a
/// language and a format (from the output's extension when `None`).
pub struct Style {
    pub format: Option<DiagramFormat>,
    pub lang: DiagramLang,
    pub fy: Option<i32>,
}

pub fn run(
    kb: &Kb,
    kind: Option<&str>,
    args: &[&str],
    query: Option<&Path>,
    style: Style,
    dest: super::Dest<'_>,
) -> anyhow::Result<ExitCode> {
    let Style {
        format,
        lang: language,
        fy,
    } = style;
    let kind = match (kind, query) {
        (_, Some(q)) => Kind::Query(q.to_owned()),
        (Some(k), None) => {
            // `timeline program SLUG`: the subject and the slug make one argument.
            let arg = (!args.is_empty()).then(|| args.join("/"));
            let kind = Kind::parse(k, arg.as_deref())?;
            if args.len() > 1 && !matches!(kind, Kind::Timeline(..)) {
                anyhow::bail!("diagram {k} takes one argument, not two");
            }
            kind
        }
        (None, None) => anyhow::bail!("give a diagram kind or --query FILE.rq"),
    };
    let format = match format {
        Some(DiagramFormat::Dot) => Format::Dot,
        Some(DiagramFormat::Svg) => Format::Svg,
        Some(DiagramFormat::Png) => Format::Png,
        Some(DiagramFormat::Mermaid) => Format::Mermaid,
        None => match dest
            .file
            .and_then(|o| o.extension())
            .and_then(|e| e.to_str())
        {
            Some("svg") => Format::Svg,
            Some("png") => Format::Png,
            Some("mmd" | "mermaid") => Format::Mermaid,
            Some("dot" | "gv") => Format::Dot,
            // A timeline is a chart: SVG unless the file name asks for another format
            // (which it then refuses, rather than writing SVG into a .png).
            _ if matches!(kind, Kind::Timeline(..)) => Format::Svg,
            _ => Format::Dot,
        },
    };
    let bytes = diagram::draw(kb, &kind, lang(language), format, fy)?;
    match dest.file {
        Some(path) => super::write_file(path, dest.replace, |w| w.write_all(&bytes))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
