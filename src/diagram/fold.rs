//! A money diagram draws the largest recipients of each RS line and folds the others into
//! one node that says how many they are. A line of the review sheets can list hundreds of
//! recipients (医療機器等における先進的研究開発・開発体制強靱化事業: 398 payments of its lines'
//! latest editions), which no reader follows and which were most of Graphviz's time in a
//! build (issue 22). The explorer's money page shows the largest recipients the same way.
//!
//! No figure is counted twice or lost: a recipient among the largest of any line keeps every
//! edge it has; the folded node holds only recipients drawn nowhere else, with one edge from
//! each line that paid them, weighted with what that line paid them together. (No sum is
//! printed on a recipient: the lines are sheets of different years.)

use super::{Diagram, Edge, Node};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use std::collections::{BTreeMap, BTreeSet};

/// How many of the largest recipients of each line a money diagram draws.
pub const TOP: usize = 10;

impl Diagram {
    /// Folds the recipients that are not among the `top` largest of any line into one node
    /// (kind `others`), with a `money` edge from each line that paid them.
    pub(super) fn fold_recipients(&mut self, top: usize) {
        let kept = self.largest_recipients(top);
        let folded: BTreeSet<NodeIndex> = self
            .recipient_edges()
            .map(|(_, to, _)| to)
            .filter(|to| !kept.contains(to))
            .collect();
        if folded.is_empty() {
            return;
        }
        let mut paid: BTreeMap<String, f64> = BTreeMap::new();
        for (line, to, weight) in self.recipient_edges() {
            if folded.contains(&to) {
                *paid.entry(self.graph[line].key.clone()).or_default() += weight;
            }
        }
        // By key: removing a node moves another to its index.
        let gone: BTreeSet<String> = folded.iter().map(|i| self.graph[*i].key.clone()).collect();
        self.graph.retain_nodes(|g, i| !gone.contains(&g[i].key));
        self.index = (self.graph.node_indices())
            .map(|i| (self.graph[i].key.clone(), i))
            .collect();
        let mut key = String::from("others");
        while self.index.contains_key(&key) {
            key.push('_');
        }
        let i = self.node(&key);
        let count = folded.len();
        self.graph[i] = Node {
            key: key.clone(),
            label: self
                .lang
                .pick(
                    &format!("ほかの支出先 {count}者"),
                    &format!("{count} other recipients"),
                )
                .to_owned(),
            kind: "others".into(),
            ..Node::default()
        };
        for (line, weight) in paid {
            let edge = Edge {
                label: String::new(),
                kind: "money".into(),
                weight: Some(weight),
            };
            self.edge(&line, &key, edge);
        }
    }

    /// The `money` edges from an RS line to a recipient (kind `category` in `money.rq`):
    /// (line, recipient, amount in 億円). Whatever the line's kind: a line the query could
    /// not name is a plain node, and its payments count as any other's.
    fn recipient_edges(&self) -> impl Iterator<Item = (NodeIndex, NodeIndex, f64)> + '_ {
        self.graph.edge_references().filter_map(|e| {
            let (from, to) = (e.source(), e.target());
            let money = e.weight().kind == "money" && self.graph[to].kind == "category";
            money.then(|| (from, to, e.weight().weight.unwrap_or(0.0)))
        })
    }

    /// The recipients among the `top` largest of at least one line (ties by key).
    fn largest_recipients(&self, top: usize) -> BTreeSet<NodeIndex> {
        let mut by_line: BTreeMap<NodeIndex, Vec<(f64, &str, NodeIndex)>> = BTreeMap::new();
        for (line, to, weight) in self.recipient_edges() {
            let key = self.graph[to].key.as_str();
            by_line.entry(line).or_default().push((weight, key, to));
        }
        let mut kept = BTreeSet::new();
        for paid in by_line.values_mut() {
            paid.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
            kept.extend(paid.iter().take(top).map(|p| p.2));
        }
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Diagram, Edge, Lang, Node};

    fn money(d: &mut Diagram, from: &str, to: &str, weight: f64) {
        let edge = Edge {
            label: String::new(),
            kind: "money".into(),
            weight: Some(weight),
        };
        d.edge(from, to, edge);
    }

    /// Two lines of four recipients each, the two largest drawn: `b` is among line 2's
    /// largest, so it keeps its edge from line 1 too; the folded node has what each line
    /// paid the recipients drawn nowhere else, line 2's too although the query could not
    /// name it (a plain node, not an `item`).
    #[test]
    fn a_recipient_drawn_keeps_every_edge_and_the_rest_are_summed_by_line() {
        let mut d = Diagram::new("money-x".into(), Lang::En);
        for line in ["l1", "l2"] {
            let i = d.node(line);
            d.graph[i] = Node {
                key: line.into(),
                label: line.into(),
                kind: if line == "l1" { "item" } else { "resource" }.into(),
                ..Node::default()
            };
        }
        for to in ["a", "b", "c", "d", "e", "f"] {
            let i = d.node(to);
            d.graph[i].kind = "category".into();
        }
        for (to, w) in [("a", 9.0), ("b", 1.0), ("c", 5.0), ("d", 0.5)] {
            money(&mut d, "l1", to, w);
        }
        for (to, w) in [("b", 8.0), ("e", 7.0), ("c", 0.25), ("f", 0.125)] {
            money(&mut d, "l2", to, w);
        }
        d.fold_recipients(2);
        let mut edges: Vec<(String, String, f64)> = d
            .edges()
            .into_iter()
            .map(|(a, b, e)| (a.key.clone(), b.key.clone(), e.weight.unwrap()))
            .collect();
        edges.sort_by(|x, y| x.partial_cmp(y).unwrap());
        let want = [
            ("l1", "a", 9.0),
            ("l1", "b", 1.0),
            ("l1", "c", 5.0),
            ("l1", "others", 0.5),
            ("l2", "b", 8.0),
            ("l2", "c", 0.25),
            ("l2", "e", 7.0),
            ("l2", "others", 0.125),
        ];
        let want: Vec<(String, String, f64)> = want
            .iter()
            .map(|(a, b, w)| (a.to_string(), b.to_string(), *w))
            .collect();
        assert_eq!(edges, want);
        assert_eq!(d.find("others").unwrap().label, "2 other recipients");
        assert!(d.find("d").is_none() && d.find("f").is_none());
    }
}
