//! Keys for keyed lists whose items can repeat.

use std::collections::HashMap;
use std::hash::Hash;

/// Each item with how many items with an equal `key` came before it, plus one. Keying a
/// list by (key, occurrence) tells equal items apart without using their positions, so
/// inserting an item does not change the keys of the items after it.
pub fn with_occurrence<T, K: Hash + Eq>(
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> K,
) -> Vec<(usize, T)> {
    let mut seen: HashMap<K, usize> = HashMap::new();
    items
        .into_iter()
        .map(|item| {
            let count = seen.entry(key(&item)).or_insert(0);
            *count += 1;
            (*count, item)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_items_are_numbered_in_order_and_others_do_not_shift() {
        let numbered = with_occurrence(["}", "a", "}", "b", "}"], |s| *s);
        assert_eq!(numbered, [(1, "}"), (1, "a"), (2, "}"), (1, "b"), (3, "}")]);
        // Inserting a new line before keeps every other (key, occurrence) pair.
        let inserted = with_occurrence(["new", "}", "a", "}", "b", "}"], |s| *s);
        assert!(numbered.iter().all(|pair| inserted.contains(pair)));
    }
}
