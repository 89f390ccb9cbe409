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

/// The Japanese eras a fiscal year is named in, newest first: each era's name and the
/// Gregorian year of its first year (元年).
const ERAS: [(&str, i32); 2] = [("令和", 2019), ("平成", 1989)];

/// A fiscal year as the documents name it: 令和6年度 in Japanese (an era's first fiscal year
/// is its 元年度: 令和元年度 is FY2019; a plain year before 平成), FY2024 in English.
pub fn year_label(fy: i32, lang: Lang) -> String {
    if lang == Lang::En {
        return format!("FY{fy}");
    }
    match ERAS.iter().find(|(_, first)| fy >= *first) {
        Some((name, first)) if fy == *first => format!("{name}元年度"),
        Some((name, first)) => format!("{name}{}年度", fy - first + 1),
        None => format!("{fy}年度"),
    }
}

/// The Gregorian year of year `n` of an era named at the start of `text` (`令和6` → 2024,
/// `平成30` → 2018), or by its initial (`R6`, `H30`).
pub fn era_year(text: &str, n: i32) -> Option<i32> {
    let initials = ['R', 'H'];
    ERAS.iter()
        .zip(initials)
        .find(|((name, _), initial)| {
            text.starts_with(name)
                || text.starts_with(*initial)
                || text.starts_with(initial.to_ascii_lowercase())
        })
        .map(|((_, first), _)| first + n - 1)
}
