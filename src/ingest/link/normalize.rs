//! Name normalisation and the similarity score used to match our programs to the programs
//! of other government data (the administrative project review, RS). Kept apart from the
//! readers so the rule can be read, tested and documented in one place.
//!
//! The rule, in order:
//! 1. Unicode NFKC: full-width Latin letters, digits and brackets become half-width
//!    (`ＮＣ` → `NC`, `（` → `(`), half-width katakana become full-width.
//! 2. Trailing parenthesised suffixes that only name who runs or funds the program are
//!    dropped, repeatedly: a ministry (`(厚生労働省)`, `(厚労省)`, `(厚)` …), AMED
//!    (`(AMED)`, `(日本医療研究開発機構)`, `(AMED事業)`, `(AMED分)` …) or a mix of them
//!    (`(文科省・AMED)`); and the budget 目 that RS names carry (`(医療研究開発推進事業費補助金)`,
//!    `(…補助金を含む)`, `(…等を含む)`). Other parentheses (`(B-cure)`) are kept, as they
//!    tell programs apart.
//! 3. Every bracket character — `()[]{}「」『』【】〔〕<>〈〉《》` — and every space is removed
//!    (their content stays), and ASCII letters are lower-cased.
//!
//! The score of two names is 1.0 when their normal forms are equal, else the Sørensen–Dice
//! coefficient of their character bigrams (2·|common bigrams| / (|A| + |B|), bigrams counted
//! with multiplicity), which is robust to a word added or dropped in a long Japanese name.

use unicode_normalization::UnicodeNormalization;

/// Names of who runs or funds a program; a trailing bracket must hold one of them.
const OWNER_WORDS: &[&str] = &[
    "内閣府",
    "こども家庭庁",
    "総務省",
    "文部科学省",
    "文科省",
    "厚生労働省",
    "厚労省",
    "経済産業省",
    "経産省",
    "日本医療研究開発機構",
    "amed",
];
/// The one-character ministry marks of the source document: `(厚)`, `(文)` ….
const SHORT_MARKS: &[&str] = &["内", "こ", "総", "文", "厚", "経"];
/// Words that may stand beside the owner in such a bracket.
const FILLER_WORDS: &[&str] = &[
    "国立研究開発法人",
    "対象分",
    "事業",
    "計上",
    "分",
    "・",
    "、",
    ",",
    "/",
    " ",
];

const BRACKETS: &[char] = &[
    '(', ')', '[', ']', '{', '}', '「', '」', '『', '』', '【', '】', '〔', '〕', '<', '>', '〈',
    '〉', '《', '》', '"', '\'', '“', '”',
];

/// True when a bracket's content only names ministries or AMED, or is a budget 目 (step 2).
fn is_owner_suffix(content: &str) -> bool {
    let content = content.trim().to_lowercase();
    if content.ends_with("補助金") || content.ends_with("を含む") {
        return true;
    }
    if SHORT_MARKS.contains(&content.as_str()) {
        return true;
    }
    if !OWNER_WORDS.iter().any(|w| content.contains(w)) {
        return false;
    }
    let mut words: Vec<&str> = OWNER_WORDS.iter().chain(FILLER_WORDS).copied().collect();
    // Longest words first so that 文部科学省 goes before 事業 or 分.
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let mut rest = content;
    for w in words {
        rest = rest.replace(w, "");
    }
    rest.is_empty()
}

/// The normal form of a program name (see the module documentation for the rule).
pub fn normalize(name: &str) -> String {
    let mut s: String = name.nfkc().collect::<String>().trim().to_owned();
    // Step 2: drop trailing owner suffixes, repeatedly.
    while let Some(stripped) = s.strip_suffix(')') {
        let Some(open) = stripped.rfind('(') else {
            break;
        };
        if open == 0 || !is_owner_suffix(&stripped[open + 1..]) {
            break;
        }
        s = stripped[..open].trim_end().to_owned();
    }
    s.chars()
        .filter(|c| !c.is_whitespace() && !BRACKETS.contains(c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The sub-program of an RS name published as 「親事業(うち 子事業)」: the text after `うち`
/// (the RS sheet is the sub-program's), or `None`.
pub fn sub_program(name: &str) -> Option<String> {
    let s: String = name.nfkc().collect();
    let start = s.find("(うち")?;
    let inner = &s[start + "(うち".len()..];
    let end = inner.rfind(')').unwrap_or(inner.len());
    let t = inner[..end].trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn bigrams(s: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() == 1 {
        return vec![(chars[0], '\0')];
    }
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Similarity of two names in [0, 1]: 1.0 for equal normal forms, else the Dice
/// coefficient of their character bigrams.
pub fn name_score(a: &str, b: &str) -> f64 {
    normalized_score(&normalize(a), &normalize(b))
}

/// [`name_score`] of two names already normalised (a matcher comparing every program with
/// every line normalises each name once, not once per comparison).
pub fn normalized_score(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (ba, mut bb) = (bigrams(a), bigrams(b));
    let total = ba.len() + bb.len();
    let mut common = 0;
    for g in &ba {
        if let Some(i) = bb.iter().position(|h| h == g) {
            bb.swap_remove(i);
            common += 1;
        }
    }
    2.0 * common as f64 / total as f64
}

/// Text reduced for comparing cells and names as they are printed: NFKC, no white space
/// (`令和６年度` and `令和 6年度` alike). ASCII is its own NFKC, so a text of ASCII alone
/// (years, 法人番号, amounts, most IDs) skips the normaliser: in the RS import that was most
/// of the time a row took.
pub fn squeeze(s: &str) -> String {
    if s.is_ascii() {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        s.nfkc().filter(|c| !c.is_whitespace()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ASCII path of `squeeze` gives what the normaliser gives: cells as the RS files and
    /// the review sheets print them, ASCII and not.
    #[test]
    fn a_text_of_ascii_is_squeezed_as_the_normaliser_would() {
        let cells = [
            "2024",
            " 2024 ",
            "R6",
            "7010005018674",
            "1,234",
            "85.3%",
            "-",
            "a\tb\u{a0}c",
            "令和6年度",
            "１，２３４",
            "▲500",
            "個人Ａ",
            "Ｒ６",
            "",
        ];
        for cell in cells {
            let slow: String = cell.nfkc().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(squeeze(cell), slow, "{cell:?}");
        }
        assert_eq!(squeeze(" 20 24\n"), "2024");
    }

    #[test]
    fn widths_brackets_spaces_and_suffixes() {
        assert_eq!(
            normalize("ＮＣにおける治験・臨床研究推進事業"),
            "ncにおける治験・臨床研究推進事業"
        );
        assert_eq!(
            normalize("「統合医療」に係る 医療の質向上・科学的根拠収集研究事業"),
            normalize("統合医療に係る医療の質向上・科学的根拠収集研究事業")
        );
        assert_eq!(
            normalize("認知症研究開発事業（厚生労働省）"),
            "認知症研究開発事業"
        );
        assert_eq!(
            normalize("認知症研究開発事業(AMED)(厚)"),
            "認知症研究開発事業"
        );
        assert_eq!(
            normalize("創薬支援推進事業（日本医療研究開発機構対象分）"),
            "創薬支援推進事業"
        );
        assert_eq!(
            normalize("ゲノム医療実現バイオバンク利活用プログラム(B-cure)"),
            "ゲノム医療実現バイオバンク利活用プログラムb-cure"
        );
        assert_eq!(normalize("ｱﾚﾙｷﾞｰ"), "アレルギー");
        assert_eq!(
            normalize("医療・介護・健康データ利活用基盤高度化事業(医療研究開発推進事業費補助金)"),
            "医療・介護・健康データ利活用基盤高度化事業"
        );
        assert_eq!(
            sub_program("医療・健康推進事業(うち次世代治療・診断実現のための創薬基盤技術開発事業)")
                .as_deref(),
            Some("次世代治療・診断実現のための創薬基盤技術開発事業")
        );
        assert_eq!(sub_program("認知症研究開発事業"), None);
    }

    #[test]
    fn scores() {
        assert_eq!(
            name_score("認知症研究開発事業", "認知症研究開発事業 (AMED)"),
            1.0
        );
        let near = name_score("医療機器開発推進研究事業", "医療機器開発推進事業");
        assert!(near > 0.7 && near < 0.9, "{near}");
        assert!(name_score("認知症研究開発事業", "がん対策推進事業") < 0.3);
    }
}
