//! The SPARQL files of `queries/`: named queries (`*.rq`), checks
//! (`checks/*-violation.rq`) and derivation rules (`rules/*.ru`), each with a `#+ summary:`.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// A SPARQL file with its header.
#[derive(Clone, Debug)]
pub struct NamedQuery {
    pub name: String,
    pub path: PathBuf,
    pub summary: String,
    pub text: String,
}

impl NamedQuery {
    /// Reads a SPARQL file; its `#+ summary:` header is required.
    pub fn read(path: &Path) -> Result<Self> {
        let text = crate::inputs::read_utf8(path, crate::inputs::MAX_SMALL_FILE)?;
        let summary = header(&text, "summary")
            .map(str::to_owned)
            .ok_or_else(|| Error::data(path, 1, "missing `#+ summary:` header"))?;
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        Ok(NamedQuery {
            name,
            path: path.to_owned(),
            summary,
            text,
        })
    }

    /// The value of the `#+ NAME: value` header line, trimmed (`summary`, `key`, `about`).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.text, name)
    }

    /// The `#+ NAME COLUMN: value` header lines, by column (`column`, `value-url`,
    /// `separator`, `foreign-key` of the table queries).
    pub fn column_headers(&self, name: &str) -> std::collections::BTreeMap<String, String> {
        header_lines(&self.text)
            .filter_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .filter_map(|l| l.split_once(':'))
            .map(|(n, d)| (n.trim().to_owned(), d.trim().to_owned()))
            .collect()
    }

    /// A query error that names this file.
    pub fn error(&self, e: impl std::fmt::Display) -> Error {
        Error::Query {
            name: self.path.display().to_string(),
            message: e.to_string(),
        }
    }
}

/// The lines of a query's header (the comment lines it opens with) that are `#+ ` lines, without
/// the `#+ `: the one place the headers of `queries/` are read.
fn header_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("#+ "))
}

/// The value of a `#+ NAME: value` header line, trimmed.
fn header<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    header_lines(text)
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .map(str::trim)
}

/// The text of a query with variables bound: each `?name` (or `$name`) of `values` replaced by
/// its SPARQL term text (`<iri>`, `"2024"^^<…#gYear>`), so that it is bound in subqueries and
/// filters alike (oxigraph's own substitution binds only projected variables). Other
/// variables, and longer names that begin alike (`?argument` for `arg`), are left as they are.
pub fn bind(text: &str, values: &[(&str, String)]) -> String {
    static VARIABLE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    VARIABLE
        .get_or_init(|| regex::Regex::new(r"[?$](\w+)").expect("a valid pattern"))
        .replace_all(text, |c: &regex::Captures<'_>| {
            values
                .iter()
                .find(|(name, _)| *name == &c[1])
                .map_or_else(|| c[0].to_owned(), |(_, term)| term.clone())
        })
        .into_owned()
}

fn read_dir(dir: &Path, suffix: &str) -> Result<Vec<NamedQuery>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.to_str().is_some_and(|s| s.ends_with(suffix)))
        .collect();
    paths.sort();
    paths.iter().map(|p| NamedQuery::read(p)).collect()
}

/// The named queries a user runs by name.
pub fn named(queries: &Path) -> Result<Vec<NamedQuery>> {
    read_dir(queries, ".rq")
}

/// The queries behind the explorer's pages (`queries/explorer/*.rq`, see `medrd serve`).
pub fn explorer(queries: &Path) -> Result<Vec<NamedQuery>> {
    read_dir(&queries.join("explorer"), ".rq")
}

/// The checks `medrd validate` runs: each must return no rows.
pub fn checks(queries: &Path) -> Result<Vec<NamedQuery>> {
    read_dir(&queries.join("checks"), "-violation.rq")
}

/// The derivation rules applied when the store is built.
pub fn rules(queries: &Path) -> Result<Vec<NamedQuery>> {
    read_dir(&queries.join("rules"), ".ru")
}

/// Finds a named query by name, or reads a `.rq` file by path.
pub fn resolve(queries: &Path, name_or_file: &str) -> Result<NamedQuery> {
    let as_path = Path::new(name_or_file);
    let directory = || {
        Error::io(
            as_path,
            std::io::Error::other(
                "is a directory, not a query file (give a .rq file or a query name)",
            ),
        )
    };
    if name_or_file.ends_with(".rq") || as_path.components().count() > 1 {
        if as_path.is_dir() {
            return Err(directory());
        }
        if as_path.is_file() {
            return NamedQuery::read(as_path).or_else(|_| {
                let text = crate::inputs::read_utf8(as_path, crate::inputs::MAX_SMALL_FILE)?;
                Ok(NamedQuery {
                    name: name_or_file.to_owned(),
                    path: as_path.to_owned(),
                    summary: String::new(),
                    text,
                })
            });
        }
        if as_path.symlink_metadata().is_ok() {
            // A pipe, a device or a link loop: named for what it is.
            crate::inputs::open(as_path, None)?;
        }
        return Err(Error::io(
            as_path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such query file"),
        ));
    }
    match named(queries)?.into_iter().find(|q| q.name == name_or_file) {
        Some(q) => Ok(q),
        None if as_path.is_dir() => Err(directory()),
        None => Err(Error::UnknownQuery(name_or_file.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bind_replaces_each_named_variable_and_only_it() {
        let text =
            "SELECT ?argument WHERE { ?x ?p $arg . FILTER (?y = ?view_year) ?arg ?q ?other }";
        let bound = super::bind(
            text,
            &[
                (
                    "arg",
                    "<https://w3id.org/medrd-kg/id/program/dementia-rd>".into(),
                ),
                (
                    "view_year",
                    "\"2024\"^^<http://www.w3.org/2001/XMLSchema#gYear>".into(),
                ),
            ],
        );
        assert_eq!(
            bound,
            "SELECT ?argument WHERE { ?x ?p <https://w3id.org/medrd-kg/id/program/dementia-rd> . \
             FILTER (?y = \"2024\"^^<http://www.w3.org/2001/XMLSchema#gYear>) \
             <https://w3id.org/medrd-kg/id/program/dementia-rd> ?q ?other }"
        );
    }
}
