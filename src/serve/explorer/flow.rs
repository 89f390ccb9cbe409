//! The follow-the-money drawing: ministry → budget line → recipient for one fiscal year, laid
//! out on the server as an SVG whose every node and band is a link with a title (the amount),
//! so that it works without script and offline. Here only the layout; the page is
//! `pages/flow.rs`.

use std::collections::BTreeMap;

/// A payment as the drawing takes it (yen).
pub(super) struct Flow {
    pub ministry: (String, String),
    pub line: (String, String),
    pub recipient: (String, String),
    pub yen: i128,
}

/// A node as drawn: a bar in its column with its label.
pub(super) struct Mark {
    pub x: f64,
    pub y: f64,
    pub h: f64,
    pub label: String,
    pub title: String,
    pub href: String,
    /// The label's side: right of the bar but in the last column.
    pub label_x: f64,
    pub anchor: &'static str,
}

/// A band between two nodes.
pub(super) struct Band {
    pub path: String,
    pub width: f64,
    pub title: String,
}

pub(super) struct Drawing {
    pub width: f64,
    pub height: f64,
    pub marks: Vec<Mark>,
    pub bands: Vec<Band>,
}

/// Most recipients drawn; the others are one node.
pub(super) const RECIPIENTS: usize = 12;
const WIDTH: f64 = 900.0;
const GAP: f64 = 8.0;
const MIN: f64 = 3.0;

/// A node of a column: its key, label, link and amount.
struct Node {
    key: String,
    label: String,
    href: String,
    yen: i128,
}

/// Lays out the flows: `hrefs` gives each node's link from its key (ministry code, line IRI,
/// recipient key); `other` names the node of the recipients not drawn one by one.
pub(super) fn layout(
    flows: &[Flow],
    oku: impl Fn(i128) -> String,
    href: impl Fn(usize, &str) -> String,
    other: &str,
) -> Option<Drawing> {
    let total: i128 = flows.iter().map(|f| f.yen).sum();
    if flows.is_empty() || total <= 0 {
        return None;
    }
    let mut by_recipient: BTreeMap<&str, i128> = BTreeMap::new();
    for f in flows {
        *by_recipient.entry(&f.recipient.0).or_default() += f.yen;
    }
    let mut ranked: Vec<(&str, i128)> = by_recipient.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let shown: Vec<&str> = ranked.iter().take(RECIPIENTS).map(|(k, _)| *k).collect();
    let recipient_of = |f: &Flow| -> (String, String) {
        if shown.contains(&f.recipient.0.as_str()) {
            f.recipient.clone()
        } else {
            (String::new(), other.to_owned())
        }
    };
    let column = |i: usize| -> Vec<Node> {
        let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
        for f in flows {
            let (key, label) = match i {
                0 => f.ministry.clone(),
                1 => f.line.clone(),
                _ => recipient_of(f),
            };
            let n = nodes.entry(key.clone()).or_insert_with(|| Node {
                href: if key.is_empty() {
                    String::new()
                } else {
                    href(i, &key)
                },
                key,
                label,
                yen: 0,
            });
            n.yen += f.yen;
        }
        let mut v: Vec<Node> = nodes.into_values().collect();
        // Largest first; "the others" last.
        v.sort_by(|a, b| (a.key.is_empty(), b.yen).cmp(&(b.key.is_empty(), a.yen)));
        v
    };
    let ministries = column(0);
    // Lines grouped under their ministry (bands from one ministry do not cross), largest
    // first within it.
    let rank = |line: &str| {
        let ministry = flows
            .iter()
            .find(|f| f.line.0 == line)
            .map(|f| &f.ministry.0);
        ministries
            .iter()
            .position(|m| Some(&m.key) == ministry)
            .unwrap_or(usize::MAX)
    };
    let mut lines = column(1);
    lines.sort_by(|a, b| (rank(&a.key), b.yen).cmp(&(rank(&b.key), a.yen)));
    let columns = [ministries, lines, column(2)];
    let most = columns.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let plot = (most * 34.0).max(240.0);
    let scale = plot / total as f64;
    let xs = [10.0, WIDTH * 0.42, WIDTH * 0.72];
    let mut boxes = Vec::new();
    let mut tops: Vec<BTreeMap<String, (f64, f64)>> = vec![BTreeMap::new(); 3];
    let mut height: f64 = 0.0;
    for (i, nodes) in columns.iter().enumerate() {
        let mut y = 24.0;
        for n in nodes {
            let h = (n.yen as f64 * scale).max(MIN);
            let (label_x, anchor) = (xs[i] + 14.0, "start");
            boxes.push(Mark {
                x: xs[i],
                y,
                h,
                label: short(&n.label, if i == 1 { 21 } else { 16 }),
                title: format!("{} {}", n.label, oku(n.yen)),
                href: n.href.clone(),
                label_x,
                anchor,
            });
            tops[i].insert(n.key.clone(), (y, y));
            y += h.max(14.0) + GAP;
        }
        height = height.max(y);
    }
    let bands = bands(flows, &recipient_of, &mut tops, scale, xs, &oku);
    Some(Drawing {
        width: WIDTH,
        height: height + 8.0,
        marks: boxes,
        bands,
    })
}

/// The bands ministry → line and line → recipient, stacked within each node.
fn bands(
    flows: &[Flow],
    recipient_of: &dyn Fn(&Flow) -> (String, String),
    tops: &mut [BTreeMap<String, (f64, f64)>],
    scale: f64,
    xs: [f64; 3],
    oku: &dyn Fn(i128) -> String,
) -> Vec<Band> {
    let mut pairs: [BTreeMap<(String, String), (i128, String)>; 2] = Default::default();
    for f in flows {
        let r = recipient_of(f);
        let first = pairs[0]
            .entry((f.ministry.0.clone(), f.line.0.clone()))
            .or_insert((0, format!("{} → {}", f.ministry.1, f.line.1)));
        first.0 += f.yen;
        let second = pairs[1]
            .entry((f.line.0.clone(), r.0))
            .or_insert((0, format!("{} → {}", f.line.1, r.1)));
        second.0 += f.yen;
    }
    let mut out = Vec::new();
    for (i, pairs) in pairs.iter().enumerate() {
        let mut ordered: Vec<_> = pairs.iter().collect();
        ordered.sort_by_key(|(_, (yen, _))| std::cmp::Reverse(*yen));
        for ((from, to), (yen, title)) in ordered {
            let w = (*yen as f64 * scale).max(1.0);
            let (Some(a), Some(b)) = (
                tops[i].get_mut(from).map(|t| t.1),
                tops[i + 1].get(to).map(|t| t.0),
            ) else {
                continue;
            };
            let (y0, y1) = (a + w / 2.0, b + w / 2.0);
            if let Some(t) = tops[i].get_mut(from) {
                t.1 += w;
            }
            if let Some(t) = tops[i + 1].get_mut(to) {
                t.0 += w;
            }
            let (x0, x1) = (xs[i] + 10.0, xs[i + 1]);
            let mid = (x0 + x1) / 2.0;
            out.push(Band {
                path: format!(
                    "M{x0:.1},{y0:.1} C{mid:.1},{y0:.1} {mid:.1},{y1:.1} {x1:.1},{y1:.1}"
                ),
                width: w,
                title: format!("{title} {}", oku(*yen)),
            });
        }
    }
    out
}

/// A label cut to `n` characters (the title holds the whole name).
fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).chain(['…']).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(line: &str, recipient: &str, yen: i128) -> Flow {
        let pair = |s: &str| (s.to_owned(), s.to_owned());
        Flow {
            ministry: pair("mhlw"),
            line: pair(line),
            recipient: pair(recipient),
            yen,
        }
    }

    #[test]
    fn nodes_are_as_tall_as_their_money_and_bands_fill_them() {
        let flows = [
            flow("a", "x", 300),
            flow("a", "y", 100),
            flow("b", "x", 100),
        ];
        let d = layout(&flows, |y| y.to_string(), |_, k| format!("/{k}"), "others").unwrap();
        let h = |label: &str, x: f64| {
            d.marks
                .iter()
                .find(|b| b.label == label && b.x == x)
                .unwrap()
                .h
        };
        // The ministry holds all 500, line a 400, recipient x 400.
        assert!((h("mhlw", 10.0) - 5.0 * h("b", WIDTH * 0.42)).abs() < 1e-6);
        assert!((h("x", WIDTH * 0.72) - 4.0 * h("y", WIDTH * 0.72)).abs() < 1e-6);
        assert_eq!(d.bands.len(), 2 + 3);
        let widths: f64 = d.bands.iter().take(2).map(|b| b.width).sum();
        assert!((widths - h("mhlw", 10.0)).abs() < 1e-6);
    }

    #[test]
    fn recipients_past_the_limit_are_one_node() {
        let flows: Vec<Flow> = (0..RECIPIENTS as i128 + 5)
            .map(|i| flow("a", &format!("r{i:02}"), 100 + i))
            .collect();
        let d = layout(&flows, |y| y.to_string(), |_, k| format!("/{k}"), "others").unwrap();
        let right = d.marks.iter().filter(|b| b.x == WIDTH * 0.72).count();
        assert_eq!(right, RECIPIENTS + 1);
        assert!(d
            .marks
            .iter()
            .any(|b| b.label == "others" && b.href.is_empty()));
        assert!(layout(&[], |y| y.to_string(), |_, k| k.to_owned(), "o").is_none());
    }
}
