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

/// The media type a `format=` short name stands for, so that `?format=csv` can be handled
/// as `Accept: text/csv` (handy for download links, which cannot set headers).
pub fn format_param(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_lowercase().as_str() {
        "json" | "srj" => "application/sparql-results+json",
        "xml" | "srx" => "application/sparql-results+xml",
        "csv" => "text/csv",
        "tsv" => "text/tab-separated-values",
        "ttl" | "turtle" => "text/turtle",
        "nt" | "ntriples" | "n-triples" => "application/n-triples",
        "jsonld" | "json-ld" => "application/ld+json",
        "rdf" | "rdfxml" | "rdf-xml" | "owl" => "application/rdf+xml",
        "html" => "text/html",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::choose;

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
}
