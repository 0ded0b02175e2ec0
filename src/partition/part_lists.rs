//! The sites of each part as lists a move updates in constant time: each site's place in
//! its part's list is kept, so leaving is a swap-remove.

/// Sites of each part (in no order).
#[derive(Debug, Clone)]
pub(crate) struct PartLists {
    lists: Vec<Vec<usize>>,
    /// Place of each site in its part's list (`usize::MAX` for sites of no part).
    slot: Vec<usize>,
}

impl PartLists {
    /// The lists of `parts`, over a graph of `sites` sites.
    pub(crate) fn new(sites: usize, parts: &[Vec<usize>]) -> Self {
        let mut slot = vec![usize::MAX; sites];
        for members in parts {
            for (i, &n) in members.iter().enumerate() {
                slot[n] = i;
            }
        }
        Self {
            lists: parts.to_vec(),
            slot,
        }
    }

    /// The sites of part `p`.
    pub(crate) fn of(&self, p: usize) -> &[usize] {
        &self.lists[p]
    }

    /// Moves site `n` from part `from` to part `to`.
    pub(crate) fn move_site(&mut self, n: usize, from: usize, to: usize) {
        let at = self.slot[n];
        self.lists[from].swap_remove(at);
        if let Some(&moved) = self.lists[from].get(at) {
            self.slot[moved] = at;
        }
        self.slot[n] = self.lists[to].len();
        self.lists[to].push(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_keep_every_list_and_place_right() {
        let mut lists = PartLists::new(6, &[vec![0, 1, 2], vec![3, 4], vec![5]]);
        lists.move_site(0, 0, 1);
        lists.move_site(4, 1, 2);
        lists.move_site(2, 0, 2);
        let sorted = |p: usize| {
            let mut v = lists.of(p).to_vec();
            v.sort_unstable();
            v
        };
        assert_eq!(
            (sorted(0), sorted(1), sorted(2)),
            (vec![1], vec![0, 3], vec![2, 4, 5])
        );
        lists.move_site(1, 0, 1);
        assert!(lists.of(0).is_empty());
        for p in 0..3 {
            for (i, &n) in lists.of(p).iter().enumerate() {
                assert_eq!(lists.slot[n], i);
            }
        }
    }
}
