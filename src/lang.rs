//! The two languages of labels, pages and diagrams (Japanese, the sources' language, and
//! English), and a fiscal year as each names it: one type for the diagrams, the explorer and
//! the command line.

/// The language of labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// Japanese, the language of the source document.
    #[default]
    Ja,
    /// English.
    En,
}

impl Lang {
    /// The language tag (`ja`, `en`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// Picks the Japanese or English text.
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }

    /// The other language.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }
}

/// A fiscal year as the documents name it: 令和6年度 in Japanese (平成 before 2019), FY2024 in
/// English.
pub fn year_label(fy: i32, lang: Lang) -> String {
    match lang {
        Lang::En => format!("FY{fy}"),
        Lang::Ja if fy == 2019 => "令和元年度".into(),
        Lang::Ja if fy > 2019 => format!("令和{}年度", fy - 2018),
        Lang::Ja if fy > 1989 => format!("平成{}年度", fy - 1988),
        Lang::Ja => format!("{fy}年度"),
    }
}
