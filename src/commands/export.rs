//! `medrd export`: the whole knowledge base in one RDF syntax.

use crate::cli::ExportFormat;
use anyhow::Context;
use medrd_kg::{export, Kb};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn run(kb: &Kb, format: ExportFormat, output: Option<&Path>) -> anyhow::Result<ExitCode> {
    let format = super::rdf_format(format);
    match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("creating {}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            export::write(kb, format, &mut w)?;
            w.flush()?;
            eprintln!("wrote {}", path.display());
        }
        None => {
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            export::write(kb, format, &mut w)?;
            w.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
