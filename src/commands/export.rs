//! `medrd export`: the whole knowledge base in one RDF syntax, its DCAT description
//! (`--dcat`) or its main tables as CSV with CSVW metadata (`--csv DIR`).

use super::Dest;
use crate::cli::ExportFormat;
use medrd_kg::publish::{self, rdf as export};
use medrd_kg::Kb;
use std::path::Path;
use std::process::ExitCode;

pub fn run(kb: &Kb, format: ExportFormat, dest: Dest<'_>) -> anyhow::Result<ExitCode> {
    let format = super::rdf_format(format);
    super::write_output(dest, |w| export::write(kb, format, w))?;
    Ok(ExitCode::SUCCESS)
}

/// `medrd export --dcat`: the DCAT description of the dataset, in Turtle.
pub fn dcat(kb: &Kb, dest: Dest<'_>) -> anyhow::Result<ExitCode> {
    super::write_output(dest, |w| publish::write_dcat(kb, w))?;
    Ok(ExitCode::SUCCESS)
}

/// `medrd export --csv DIR`: the main tables as CSV with their CSVW metadata.
pub fn csv(kb: &Kb, dir: &Path, replace: bool, bom: bool) -> anyhow::Result<ExitCode> {
    for path in publish::write_csv_tables(kb, dir, replace, bom, None)? {
        eprintln!("wrote {}", medrd_kg::inputs::shown(&path));
    }
    Ok(ExitCode::SUCCESS)
}
