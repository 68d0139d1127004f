//! Search for the file lines most similar to a line that was not found, so that
//! `edit_file` can show the model what the file contains instead.

use std::collections::HashMap;

/// Minimum similarity, from 0 to 1, for a line to be shown as a candidate.
const MIN_SIMILARITY: f64 = 0.5;

/// Maximum number of candidate lines returned.
const MAX_CANDIDATES: usize = 3;

/// Returns up to three `(line number, line)` pairs of `content` that are most similar
/// to `target`, best first. Both sides are compared without leading and trailing
/// whitespace, so a line that differs only in indentation scores 1.
pub(crate) fn similar_lines<'a>(content: &'a str, target: &str) -> Vec<(usize, &'a str)> {
    let target = target.trim();
    if target.is_empty() {
        return Vec::new();
    }
    let target_bigrams = bigrams(target);

    let mut scored: Vec<(f64, usize, &str)> = content
        .lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let trimmed = line.trim();
            let score = if trimmed == target {
                1.0
            } else {
                dice_coefficient(&target_bigrams, &bigrams(trimmed))
            };
            (score >= MIN_SIMILARITY).then_some((score, index + 1, line))
        })
        .collect();

    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
        .into_iter()
        .take(MAX_CANDIDATES)
        .map(|(_, number, line)| (number, line))
        .collect()
}

/// Counts the pairs of adjacent characters in `text`.
fn bigrams(text: &str) -> HashMap<(char, char), usize> {
    let chars: Vec<char> = text.chars().collect();
    let mut counts = HashMap::new();
    for pair in chars.windows(2) {
        *counts.entry((pair[0], pair[1])).or_insert(0) += 1;
    }
    counts
}

/// Sørensen–Dice coefficient of two bigram multisets: twice the shared bigrams over
/// the total, from 0 for nothing shared to 1 for the same multiset.
fn dice_coefficient(a: &HashMap<(char, char), usize>, b: &HashMap<(char, char), usize>) -> f64 {
    let total: usize = a.values().sum::<usize>() + b.values().sum::<usize>();
    if total == 0 {
        return 0.0;
    }
    let shared: usize = a
        .iter()
        .map(|(pair, count)| (*count).min(b.get(pair).copied().unwrap_or(0)))
        .sum();
    2.0 * shared as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTENT: &str =
        "fn main() {\n    let total = compute(1, 2);\n    println!(\"{total}\");\n}\n";

    #[test]
    fn similar_lines_ignores_indentation() {
        let found = similar_lines(CONTENT, "let total = compute(1, 2);");
        assert_eq!(found.first(), Some(&(2, "    let total = compute(1, 2);")));
    }

    #[test]
    fn similar_lines_finds_close_spelling() {
        let found = similar_lines(CONTENT, "let totl = compute(1, 3);");
        assert_eq!(found.first().map(|(number, _)| *number), Some(2));
    }

    #[test]
    fn similar_lines_skips_unrelated_text() {
        let found = similar_lines(CONTENT, "completely different words here");
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn similar_lines_returns_at_most_three() {
        let content = "value = 1\nvalue = 2\nvalue = 3\nvalue = 4\n";
        let found = similar_lines(content, "value = 5");
        assert_eq!(found.len(), 3);
    }
}
