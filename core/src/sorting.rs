//! Stable sorting with one copy of the sorting code for every element type.
//!
//! `slice::sort_by` is compiled once per element type and comparison, and the standard
//! library's sort is large: the core's 25 or so sorted types cost about 170 KB of the phone
//! library (x86_64, measured with symbol names). These functions sort a list of positions with
//! a comparison reached through `dyn`, which is compiled once, then move the elements into
//! that order; what remains per element type is a few hundred bytes. The lists the core sorts
//! this way are a day's or a plan's worth (doses, occurrences, steps, medications); a hot sort
//! of many plain numbers (the AGP's percentiles) keeps `slice::sort_by`.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, stably (equal elements keep their order), exactly as
/// `v.sort_by(cmp)` would.
pub(crate) fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..v.len()).collect();
    sort_positions(&mut order, &mut |a, b| cmp(&v[a], &v[b]));
    // Apply the permutation in place: position i takes the element `order[i]` named, which
    // may itself have been swapped away already (follow where it went).
    for i in 0..v.len() {
        let mut from = order[i];
        while from < i {
            from = order[from];
        }
        order[i] = from;
        v.swap(i, from);
    }
}

/// Sorts `v` by the key `key` gives, stably, exactly as `v.sort_by_key(key)` would.
pub(crate) fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` in its natural order, stably, exactly as `v.sort()` would.
pub(crate) fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The one instantiation of the standard sort: positions, compared through `dyn`.
fn sort_positions(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Same order as the standard library's stable sort, equal keys included.
        #[test]
        fn matches_std(mut v in proptest::collection::vec((0u8..6, any::<u16>()), 0..80)) {
            let mut expected = v.clone();
            expected.sort_by_key(|p| p.0);
            sort_by_key(&mut v, |p| p.0);
            prop_assert_eq!(v, expected);
        }

        #[test]
        fn natural_order(mut v in proptest::collection::vec(any::<i32>(), 0..80)) {
            let mut expected = v.clone();
            expected.sort();
            sort(&mut v);
            prop_assert_eq!(v, expected);
        }
    }
}
