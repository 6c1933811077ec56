//! Ordering the short lists, sets and maps the engine builds: diagnostics, components,
//! import notes, section and file names.
//!
//! `slice::sort_by` is a tuned merge sort that adds about 4 kB of wasm for every element
//! type it sorts, and collecting into a `BTreeSet` or `BTreeMap` sorts the same way. The
//! designer ships the engine to every visitor. Here a plain merge sort orders indices,
//! then the items move into place: still n log n on any input, a few hundred bytes each.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sorts `items` by `compare`, keeping equal items in their order.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    let from = sorted_indices(items.len(), &mut |a, b| compare(&items[a], &items[b]));
    permute(from, &mut |a, b| items.swap(a, b));
}

/// The indices `0..n` in the order `compare` sorts them, equal ones in their order: runs
/// of `width` merged bottom-up into runs of twice that. Not generic, so the wasm holds it
/// once.
fn sorted_indices(n: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut from: Vec<usize> = (0..n).collect();
    let mut merged = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut left, mut right) = (start, mid);
            for slot in &mut merged[start..end] {
                // The right run's item goes first only when strictly less: stable.
                let take_right = right < end
                    && (left == mid || compare(from[right], from[left]) == Ordering::Less);
                if take_right {
                    *slot = from[right];
                    right += 1;
                } else {
                    *slot = from[left];
                    left += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut from, &mut merged);
        width *= 2;
    }
    from
}

/// Moves the items so that the one at `from[k]` ends at `k`, along each cycle of the
/// permutation; `usize::MAX` marks a slot that is done.
fn permute(mut from: Vec<usize>, swap: &mut dyn FnMut(usize, usize)) {
    for start in 0..from.len() {
        let mut k = start;
        while from[k] != usize::MAX {
            let source = from[k];
            from[k] = usize::MAX;
            if source == start {
                break;
            }
            swap(k, source);
            k = source;
        }
    }
}

/// Sorts `items` by the key `key` gives, keeping items with equal keys in their order.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Adds `item` to `seen` unless it is there already, and says whether it was new: a set
/// for the short lists where a `BTreeSet` would cost more wasm than it saves time.
pub fn insert_new<T: PartialEq>(seen: &mut Vec<T>, item: T) -> bool {
    let new = !seen.contains(&item);
    if new {
        seen.push(item);
    }
    new
}

/// The set of `items`, inserted one by one.
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    set.extend(items);
    set
}

/// The map of `entries`, inserted one by one; a later entry replaces an earlier one with
/// the same key.
pub fn map_of<K: Ord, V>(entries: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    map.extend(entries);
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_like_std_and_keeps_ties_in_order(items in prop::collection::vec((0u8..6, any::<u16>()), 0..300)) {
            let mut ours = items.clone();
            sort_by_key(&mut ours, |&(key, _)| key);
            let mut std = items;
            std.sort_by_key(|&(key, _)| key);
            prop_assert_eq!(ours, std);
        }
    }

    #[test]
    fn sorts_by_a_comparison() {
        let mut words = vec!["pear", "fig", "apple", "kiwi", "date"];
        sort_by(&mut words, |a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
        assert_eq!(words, ["fig", "date", "kiwi", "pear", "apple"]);
    }

    #[test]
    fn sets_and_maps_match_collected_ones() {
        let words = ["pear", "fig", "pear", "apple"];
        assert_eq!(set_of(words), words.into_iter().collect::<BTreeSet<_>>());
        let entries = [("b", 1), ("a", 2), ("b", 3)];
        assert_eq!(
            map_of(entries),
            entries.into_iter().collect::<BTreeMap<_, _>>()
        );
        assert_eq!(map_of(entries)["b"], 3);
        let mut seen = Vec::new();
        let new: Vec<bool> = words.iter().map(|w| insert_new(&mut seen, *w)).collect();
        assert_eq!(new, [true, true, false, true]);
        assert_eq!(seen, ["pear", "fig", "apple"]);
    }
}
