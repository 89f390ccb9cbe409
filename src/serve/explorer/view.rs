//! The request as an explorer page reads it — its path, parameters, language and fiscal
//! year — taken from the request by an axum extractor, so that a handler receives a `View`
//! or the request is answered 400 before the handler runs.

use super::Explorer;
use crate::ingest::sources::YearView;
use crate::lang::{year_label, Lang};
use crate::serve::HttpError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::sync::Arc;

/// The request as the explorer reads it.
pub(super) struct View {
    pub path: String,
    pub params: Vec<(String, String)>,
    pub lang: Lang,
    /// The fiscal year whose figures the view shows (`fy`) and its document, as the queries
    /// are bound to them and as the page's heading and footer name it.
    pub scope: YearView,
    /// Whether that is the default year (the newest document's).
    pub default_year: bool,
    /// Every fiscal year a document gives, oldest first (a choice when more than one).
    pub years: Vec<i32>,
}

impl FromRequestParts<Arc<Explorer>> for View {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, ex: &Arc<Explorer>) -> Result<View, HttpError> {
        View::of(parts.uri.path(), parts.uri.query().unwrap_or(""), ex)
    }
}

impl View {
    fn of(path: &str, query: &str, ex: &Explorer) -> Result<View, HttpError> {
        let params = crate::serve::sparql::params(query.as_bytes(), "query string")?;
        let mut view = View {
            path: path.to_owned(),
            params,
            lang: Lang::Ja,
            scope: ex.default_scope(),
            default_year: true,
            years: ex.years.iter().map(|y| y.year).collect(),
        };
        if let Some(fy) = view.param("fy").filter(|fy| !fy.is_empty()) {
            let Some(doc) = fy.parse::<i32>().ok().and_then(|y| ex.year_doc(y)) else {
                let known: Vec<String> = ex.years.iter().map(|y| y.year.to_string()).collect();
                return Err(HttpError::bad_request(format!(
                    "unknown fiscal year fy={fy:?}: the documents give {}",
                    known.join(", ")
                )));
            };
            view.default_year = doc.year == view.scope.year;
            view.scope = doc.clone();
        }
        view.lang = match view.param("lang") {
            None | Some("") | Some("ja") => Lang::Ja,
            Some("en") => Lang::En,
            Some(other) => {
                return Err(HttpError::bad_request(format!(
                    "unknown lang {other:?} (ja or en)"
                )))
            }
        };
        Ok(view)
    }

    /// The Japanese or English text, as the view's language asks.
    pub fn t<'a>(&self, ja: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(ja, en)
    }

    /// The view's language tag (`ja`, `en`).
    pub fn code(&self) -> &'static str {
        self.lang.tag()
    }

    /// The label of a row in the view's language (the other when empty).
    pub fn pick<'a>(&self, row: &'a super::Row, ja: &str, en: &str) -> &'a str {
        let get = |k: &str| row.get(k).map(String::as_str).filter(|s| !s.is_empty());
        match self.lang {
            Lang::Ja => get(ja).or_else(|| get(en)),
            Lang::En => get(en).or_else(|| get(ja)),
        }
        .unwrap_or("")
    }

    /// The view's fiscal year as the pages name it (令和6年度, FY2024).
    pub fn year_label(&self) -> String {
        year_label(self.scope.year, self.lang)
    }

    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// This view's URL with some parameters replaced (an empty value removes one).
    pub fn with(&self, changes: &[(&str, &str)]) -> String {
        let mut params: Vec<(String, String)> = self
            .params
            .iter()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .cloned()
            .collect();
        for (k, v) in changes {
            if !v.is_empty() {
                params.push(((*k).to_owned(), (*v).to_owned()));
            }
        }
        url(&self.path, &params)
    }

    /// A link to another explorer page in this view's language and fiscal year (the
    /// parameters go before a `#fragment`).
    pub fn link(&self, path: &str) -> String {
        let (path, fragment) = match path.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (path, None),
        };
        let mut out = path.to_owned();
        let mut add = |kv: String| {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&kv);
        };
        if self.lang == Lang::En {
            add("lang=en".to_owned());
        }
        if !self.default_year {
            add(format!("fy={}", self.scope.year));
        }
        if let Some(f) = fragment {
            out.push('#');
            out.push_str(f);
        }
        out
    }

    /// The address of a diagram in this view's language and of its fiscal year's document.
    pub fn diagram(&self, path: &str) -> String {
        let mut out = format!("{path}?lang={}", self.lang.tag());
        if !self.default_year {
            out.push_str(&format!("&fy={}", self.scope.year));
        }
        out
    }

    /// The parameters that keep this view's language and fiscal year in a form (hidden
    /// inputs).
    pub fn hidden(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.lang == Lang::En {
            out.push(("lang", "en".to_owned()));
        }
        if !self.default_year {
            out.push(("fy", self.scope.year.to_string()));
        }
        out
    }

    /// The same view in each fiscal year the documents give, when they give more than one:
    /// (label, link, whether it is this view's year).
    pub fn year_choice(&self) -> Vec<(String, String, bool)> {
        if self.years.len() < 2 {
            return Vec::new();
        }
        self.years
            .iter()
            .map(|&y| {
                let here = y == self.scope.year;
                let href = if here {
                    self.with(&[])
                } else {
                    self.with(&[("fy", &y.to_string())])
                };
                (year_label(y, self.lang), href, here)
            })
            .collect()
    }
}

/// A path with its query string.
pub(super) fn url(path: &str, params: &[(String, String)]) -> String {
    if params.is_empty() {
        return path.to_owned();
    }
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    format!("{path}?{query}")
}
