//! The tables of the explorer's pages: one set of rows that the page shows (through
//! templates/macros.html), and that `?format=csv|json&table=ID` downloads, so that what a
//! reader sees and what they download cannot differ.

/// How a cell shows in HTML (its text is what CSV and JSON carry).
#[derive(Clone, Default)]
pub(super) enum Show {
    /// The text.
    #[default]
    Plain,
    /// The text as a link to a path of this server.
    Link(String),
    /// Links, one for each (path, label), separated by spaces.
    Links(Vec<(String, String)>),
    /// Marks ([新規], [拡充], new program): each (its CSS suffix, its label).
    Marks(Vec<(String, String)>),
    /// The text in a span of this class.
    Classed(&'static str),
    /// A percentage with a bar this wide (px).
    Bar(f64),
    /// The text in a span with this id (an anchor for links from search).
    Anchor(String),
    /// The text and a note under it: (the note's label, the note).
    Noted(&'static str, String),
    /// A quoted source line: (its line number as `L128`), the text as printed.
    Quote(String),
    /// Another text than the one downloaded (a label for a code, in the page's language).
    Label(String),
}

/// A table cell.
#[derive(Clone, Default)]
pub(super) struct Cell {
    pub text: String,
    pub show: Show,
    pub numeric: bool,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            ..Cell::default()
        }
    }

    /// A link to a path of this server (plain text if the path is not one: every link a
    /// page renders is http(s) or ours, crate::markup::link_target).
    pub fn link(s: impl Into<String>, href: &str) -> Cell {
        let show = match crate::markup::link_target(href) {
            Some(href) => Show::Link(href.to_owned()),
            None => Show::Plain,
        };
        Cell {
            text: s.into(),
            show,
            numeric: false,
        }
    }

    pub fn num(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            numeric: true,
            show: Show::Plain,
        }
    }

    pub fn showing(mut self, show: Show) -> Cell {
        self.show = show;
        self
    }

    /// A short cell (kept on one line): six characters at most, and under 120 bytes of
    /// markup (three links of a few characters each are short, a quote is not).
    pub fn is_short(&self) -> bool {
        let link = |href: &str, label: &str| "<a href=\"\"></a>".len() + href.len() + label.len();
        let span =
            |class: &str, inner: usize| "<span class=\"\"></span>".len() + class.len() + inner;
        let text = self.text.len();
        let markup = match &self.show {
            Show::Plain | Show::Label(_) => 0,
            Show::Link(href) => link(href, &self.text),
            Show::Links(links) => links.iter().map(|(h, l)| link(h, l) + 1).sum(),
            Show::Marks(marks) => marks.iter().map(|(c, l)| span(c, l.len()) + 11).sum(),
            Show::Classed(class) => span(class, text),
            Show::Bar(_) => 100,
            Show::Anchor(id) => span(id, text),
            Show::Noted(label, note) => text + span("src", label.len() + note.len() + 2) + 4,
            Show::Quote(ln) => span("src", span("ln", ln.len()) + text + 7),
        };
        self.text.chars().count() <= 6 && markup < 120
    }
}

/// A table of a page: downloadable as CSV and JSON with the same rows.
pub(super) struct Table {
    pub id: &'static str,
    pub caption: String,
    /// (the column's key in CSV and JSON, its heading on the page).
    pub columns: Vec<(&'static str, String)>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(self.columns.iter().map(|(k, _)| *k));
        for row in &self.rows {
            let _ = w.write_record(row.iter().map(|c| c.text.as_str()));
        }
        w.into_inner().unwrap_or_default()
    }

    pub fn json(&self) -> String {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|row| {
                serde_json::Value::Object(
                    self.columns
                        .iter()
                        .zip(row)
                        .map(|((k, _), c)| {
                            ((*k).to_owned(), serde_json::Value::from(c.text.clone()))
                        })
                        .collect(),
                )
            })
            .collect();
        serde_json::Value::from(rows).to_string()
    }
}
