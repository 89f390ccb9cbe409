//! HTTP content negotiation: picks the response format from the `Accept` header (or a
//! `format=` parameter) among the formats a response can be written in, following the
//! quality values and specificity rules of RFC 9110 §12.5.1.

/// One media range of an `Accept` header, such as `text/*;q=0.5`.
#[derive(Clone, Debug, PartialEq)]
struct Range {
    kind: String,
    subtype: String,
    q: f32,
}

fn parse(header: &str) -> Vec<Range> {
    header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let media = parts.next()?.trim().to_ascii_lowercase();
            let (kind, subtype) = media.split_once('/')?;
            let mut q = 1.0;
            for p in parts {
                if let Some((k, v)) = p.split_once('=') {
                    if k.trim().eq_ignore_ascii_case("q") {
                        q = v
                            .trim()
                            .parse::<f32>()
                            .ok()
                            .filter(|q| (0.0..=1.0).contains(q))?;
                    }
                }
            }
            Some(Range {
                kind: kind.trim().to_owned(),
                subtype: subtype.trim().to_owned(),
                q,
            })
        })
        .collect()
}

/// The quality the header gives to one media type: that of its most specific matching range.
fn quality(ranges: &[Range], media: &str) -> f32 {
    let (kind, subtype) = media.split_once('/').unwrap_or((media, ""));
    ranges
        .iter()
        .filter_map(|r| {
            let specificity = match (r.kind.as_str(), r.subtype.as_str()) {
                ("*", "*") => 0,
                (k, "*") if k == kind => 1,
                (k, s) if k == kind && s == subtype => 2,
                _ => return None,
            };
            Some((specificity, r.q))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map_or(0.0, |(_, q)| q)
}

/// Chooses among `offers` (media type, value), in the server's order of preference: the
/// offer with the highest quality wins, ties go to the earlier offer, and with no `Accept`
/// header the first offer is taken. `None` means nothing offered is acceptable (406).
pub fn choose<T: Copy>(accept: Option<&str>, offers: &[(&str, T)]) -> Option<T> {
    let Some(header) = accept.filter(|h| !h.trim().is_empty()) else {
        return offers.first().map(|(_, v)| *v);
    };
    let ranges = parse(header);
    if ranges.is_empty() {
        return offers.first().map(|(_, v)| *v);
    }
    let mut best: Option<(f32, T)> = None;
    for (media, value) in offers {
        let q = quality(&ranges, media);
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, *value));
        }
    }
    best.map(|(_, v)| v)
}

/// The names `format=` takes, for error messages.
pub const FORMAT_NAMES: &str = "json, xml, csv, tsv, turtle (ttl, n3), ntriples (nt), jsonld, rdfxml (rdf+xml, rdf), html, or a media type";

/// The media types a `format=` value stands for (so that `?format=csv` can be handled as
/// `Accept: text/csv`, for download links that cannot set headers): a short name, the
/// aliases other endpoints and clients send (SPARQLWrapper sends `xml`, `rdf+xml`, `n3`,
/// `json-ld`…), or a media type itself. A name covering both result forms (`xml`, `json`)
/// names both media types. `None`: not a format name.
pub fn format_media_types(name: &str) -> Option<Vec<String>> {
    let name = name.trim().to_ascii_lowercase();
    let types: &[&str] = match name.as_str() {
        "json" => &["application/sparql-results+json", "application/ld+json"],
        "srj" | "sparql-results+json" => &["application/sparql-results+json"],
        "xml" => &["application/sparql-results+xml", "application/rdf+xml"],
        "srx" | "sparql-results+xml" => &["application/sparql-results+xml"],
        "csv" => &["text/csv"],
        "tsv" => &["text/tab-separated-values"],
        // Turtle is N3 without N3's extensions: an N3 reader reads it.
        "ttl" | "turtle" | "n3" => &["text/turtle"],
        "nt" | "ntriples" | "n-triples" => &["application/n-triples"],
        "jsonld" | "json-ld" | "ld+json" => &["application/ld+json"],
        "rdf" | "rdfxml" | "rdf-xml" | "rdf+xml" | "owl" => &["application/rdf+xml"],
        "html" => &["text/html"],
        media => {
            let (kind, subtype) = media.split_once('/')?;
            let ok = |t: &str| {
                !t.is_empty()
                    && t.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
            };
            return (ok(kind) && ok(subtype)).then(|| vec![media.to_owned()]);
        }
    };
    Some(types.iter().map(|t| (*t).to_owned()).collect())
}

/// The `Accept` value to negotiate with: the header as sent, or, with a `format=`
/// parameter, the media types it names first and the header's ranges after them at half
/// their quality — so that a format that fits the result form wins and one that does not
/// (SPARQLWrapper's `format=xml` beside `Accept: application/rdf+xml` for a CONSTRUCT)
/// falls back to the header. `Err`: an unknown format name.
pub fn effective_accept(
    format: Option<&str>,
    accept: Option<&str>,
) -> Result<Option<String>, String> {
    let Some(format) = format else {
        return Ok(accept.map(str::to_owned));
    };
    let types = format_media_types(format)
        .ok_or_else(|| format!("unknown format {format:?} (one of {FORMAT_NAMES})"))?;
    let mut ranges: Vec<String> = accept
        .map(parse)
        .unwrap_or_default()
        .into_iter()
        .map(|r| format!("{}/{};q={}", r.kind, r.subtype, r.q / 2.0))
        .collect();
    if ranges.is_empty() {
        ranges.push("*/*;q=0.5".to_owned());
    }
    // After the header's ranges: of two equally specific ranges the later one counts.
    ranges.extend(types);
    Ok(Some(ranges.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::{choose, effective_accept};

    const OFFERS: &[(&str, u8)] = &[("application/json", 1), ("text/csv", 2), ("text/html", 3)];

    #[test]
    fn no_header_takes_the_first_offer() {
        assert_eq!(choose(None, OFFERS), Some(1));
        assert_eq!(choose(Some("*/*"), OFFERS), Some(1));
    }

    #[test]
    fn quality_and_specificity_decide() {
        assert_eq!(choose(Some("text/csv"), OFFERS), Some(2));
        assert_eq!(choose(Some("text/*;q=0.5, text/html"), OFFERS), Some(3));
        assert_eq!(choose(Some("text/html;q=0.1, */*;q=0.5"), OFFERS), Some(1));
        assert_eq!(
            choose(
                Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
                OFFERS
            ),
            Some(3)
        );
        assert_eq!(choose(Some("image/png"), OFFERS), None);
        assert_eq!(choose(Some("text/csv;q=0, */*"), &[("text/csv", 2)]), None);
    }

    #[test]
    fn a_format_that_does_not_fit_falls_back_to_accept() {
        const GRAPH: &[(&str, u8)] = &[("text/turtle", 1), ("application/rdf+xml", 2)];
        const RESULTS: &[(&str, u8)] = &[
            ("application/sparql-results+json", 3),
            ("application/sparql-results+xml", 4),
        ];
        let xml = effective_accept(Some("xml"), Some("application/rdf+xml")).unwrap();
        assert_eq!(choose(xml.as_deref(), GRAPH), Some(2));
        assert_eq!(choose(xml.as_deref(), RESULTS), Some(4));
        let csv = effective_accept(Some("csv"), Some("application/rdf+xml")).unwrap();
        assert_eq!(choose(csv.as_deref(), GRAPH), Some(2));
        let csv = effective_accept(Some("csv"), None).unwrap();
        assert_eq!(choose(csv.as_deref(), GRAPH), Some(1));
        let n3 = effective_accept(Some("n3"), Some("application/rdf+xml")).unwrap();
        assert_eq!(choose(n3.as_deref(), GRAPH), Some(1));
        let media = effective_accept(Some("application/rdf+xml"), Some("text/turtle")).unwrap();
        assert_eq!(choose(media.as_deref(), GRAPH), Some(2));
        assert!(effective_accept(Some("nonsense"), None).is_err());
        assert_eq!(
            effective_accept(None, Some("text/csv")).unwrap().as_deref(),
            Some("text/csv")
        );
    }
}
