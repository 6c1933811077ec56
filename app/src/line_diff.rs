//! Which lines of a file are new since its previous version, for the files panel to
//! highlight what an edit changed.
//!
//! Lines both versions share at the start and at the end are skipped first: an edit
//! usually touches a few lines in the middle, so what is left to compare is tiny. The rest
//! is compared with a longest-common-subsequence table, which is exact; past a size
//! where that table would be slow, every remaining line counts as changed.

/// The most cells the comparison table may have (about 4 MB of `u16`).
const MAX_TABLE: usize = 2_000_000;

/// For each line of `after`, whether it is not in `before` (added or changed).
pub fn changed_lines(before: &str, after: &str) -> Vec<bool> {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_middle = &old[prefix..old.len() - suffix];
    let new_middle = &new[prefix..new.len() - suffix];
    let mut changed = vec![false; new.len()];
    for (i, kept) in kept_lines(old_middle, new_middle).into_iter().enumerate() {
        changed[prefix + i] = !kept;
    }
    changed
}

/// For each line of `new`, whether it belongs to a longest common subsequence with `old`.
fn kept_lines(old: &[&str], new: &[&str]) -> Vec<bool> {
    if old.is_empty() || new.is_empty() || (old.len() + 1) * (new.len() + 1) > MAX_TABLE {
        return vec![false; new.len()];
    }
    let width = new.len() + 1;
    // lengths[i * width + j]: the LCS length of old[i..] and new[j..].
    let mut lengths = vec![0u16; (old.len() + 1) * width];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lengths[i * width + j] = if old[i] == new[j] {
                lengths[(i + 1) * width + j + 1].saturating_add(1)
            } else {
                lengths[(i + 1) * width + j].max(lengths[i * width + j + 1])
            };
        }
    }
    let mut kept = vec![false; new.len()];
    let (mut i, mut j) = (0, 0);
    while i < old.len() && j < new.len() {
        if old[i] == new[j] {
            kept[j] = true;
            i += 1;
            j += 1;
        } else if lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers (from 1) of the changed lines of `after`.
    fn check(before: &str, after: &str, expected: &[usize]) {
        let changed: Vec<usize> = changed_lines(before, after)
            .iter()
            .enumerate()
            .filter(|(_, c)| **c)
            .map(|(i, _)| i + 1)
            .collect();
        assert_eq!(changed, expected, "{before:?} -> {after:?}");
    }

    #[test]
    fn finds_what_an_edit_touched() {
        check("a\nb\nc", "a\nb\nc", &[]);
        check("a\nb\nc", "a\nB\nc", &[2]);
        check("a\nb\nc", "a\nb\nx\nc", &[3]);
        check("a\nb\nc", "a\nc", &[]);
        check("", "a\nb", &[1, 2]);
        check("a\nb", "", &[]);
        check(
            "listen 8000;\nroot x;\nlisten 8000;",
            "listen 8001;\nroot x;\nlisten 8001;",
            &[1, 3],
        );
        check("x\na\nb\nc\ny", "x\nb\nq\nc\ny", &[3]);
    }

    #[test]
    fn repeated_lines_are_matched_once() {
        check("}\n}\n", "}\nnew\n}\n}\n", &[2, 3]);
    }

    #[test]
    fn a_huge_rewrite_marks_the_rest_changed() {
        let before: String = (0..2000).map(|i| format!("old {i}\n")).collect();
        let after: String = (0..2000).map(|i| format!("new {i}\n")).collect();
        assert!(changed_lines(&before, &after).iter().all(|c| *c));
    }
}
