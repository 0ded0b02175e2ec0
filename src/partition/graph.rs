//! The adjacency graph of a community's building sites and the connectivity queries the
//! partitioner needs (components, whether a part stays connected without one node).

use std::cell::RefCell;
use std::collections::VecDeque;

/// Marks of one walk over a part, reused between connectivity questions (one set per
/// thread) so that a question costs the sites it walks, not a fresh array the size of the
/// graph.
#[derive(Debug, Default)]
struct Walk {
    /// `seen[n] == stamp`: `n` was reached in this walk.
    seen: Vec<u32>,
    stamp: u32,
    stack: Vec<usize>,
}

impl Walk {
    /// Starts a walk over a graph of `len` sites: nothing seen, nothing to visit.
    fn start(&mut self, len: usize) {
        if self.seen.len() < len {
            self.seen.resize(len, 0);
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.fill(0);
            self.stamp = 1;
        }
        self.stack.clear();
    }

    /// Marks `n` seen; whether it was new.
    fn reach(&mut self, n: usize) -> bool {
        let fresh = self.seen[n] != self.stamp;
        self.seen[n] = self.stamp;
        fresh
    }
}

thread_local! {
    static WALK: RefCell<Walk> = RefCell::new(Walk::default());
}

/// Sites (co-located buildings merged) with households and neighbours.
#[derive(Debug, Clone, Default)]
pub struct SiteGraph {
    /// Position in local metres.
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Households of each site.
    pub weight: Vec<u32>,
    /// Neighbours of each site (sorted, no duplicates).
    pub adjacency: Vec<Vec<usize>>,
    /// Length (m) of the cell edge shared with each neighbour, parallel to `adjacency`:
    /// the part boundary a cut along that edge draws.
    pub shared_m: Vec<Vec<f64>>,
}

impl SiteGraph {
    pub fn len(&self) -> usize {
        self.weight.len()
    }

    pub fn is_empty(&self) -> bool {
        self.weight.is_empty()
    }

    /// Sum of weights of `nodes`.
    pub fn weight_of(&self, nodes: &[usize]) -> u64 {
        nodes.iter().map(|&n| u64::from(self.weight[n])).sum()
    }

    /// Connected components of the subgraph induced by `nodes` (each sorted), largest
    /// weight first, ties by smallest node.
    pub fn components(&self, nodes: &[usize]) -> Vec<Vec<usize>> {
        let mut inside = vec![false; self.len()];
        for &n in nodes {
            inside[n] = true;
        }
        let mut seen = vec![false; self.len()];
        let mut components = Vec::new();
        for &start in nodes {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            let mut component = vec![start];
            let mut queue = VecDeque::from([start]);
            while let Some(n) = queue.pop_front() {
                for &m in &self.adjacency[n] {
                    if inside[m] && !seen[m] {
                        seen[m] = true;
                        component.push(m);
                        queue.push_back(m);
                    }
                }
            }
            component.sort_unstable();
            components.push(component);
        }
        components.sort_by(|a, b| {
            self.weight_of(b)
                .cmp(&self.weight_of(a))
                .then(b.len().cmp(&a.len()))
                .then(a[0].cmp(&b[0]))
        });
        components
    }

    /// Whether `nodes` (no duplicates) form one connected piece; an empty set does not.
    /// The yes-or-no of `components(nodes).len() == 1`, without building the pieces.
    pub fn is_connected(&self, nodes: &[usize]) -> bool {
        let Some(&start) = nodes.first() else {
            return false;
        };
        WALK.with_borrow_mut(|walk| {
            // Sites of `nodes` are marked waiting (this stamp); reaching one unmarks it.
            walk.start(self.len());
            for &n in nodes {
                walk.reach(n);
            }
            let waiting = walk.stamp;
            walk.seen[start] = 0;
            let mut reached = 1;
            walk.stack.push(start);
            while let Some(n) = walk.stack.pop() {
                for &m in &self.adjacency[n] {
                    if walk.seen[m] == waiting {
                        walk.seen[m] = 0;
                        reached += 1;
                        walk.stack.push(m);
                    }
                }
            }
            reached == nodes.len()
        })
    }

    /// Whether the nodes labelled `part` in `assignment` (a connected part) stay connected
    /// without `removed`.
    /// `size` is the number of nodes in the part.
    pub fn connected_without(
        &self,
        assignment: &[usize],
        part: usize,
        size: usize,
        removed: usize,
    ) -> bool {
        if size <= 1 {
            return false; // a part never becomes empty
        }
        let Some(&start) = self.adjacency[removed]
            .iter()
            .find(|&&m| assignment[m] == part)
        else {
            return size == 1;
        };
        if self.neighbours_joined_without(assignment, part, removed) {
            return true;
        }
        WALK.with_borrow_mut(|walk| {
            walk.start(self.len());
            walk.reach(removed);
            walk.reach(start);
            let mut count = 1;
            walk.stack.push(start);
            while let Some(n) = walk.stack.pop() {
                for &m in &self.adjacency[n] {
                    if assignment[m] == part && walk.reach(m) {
                        count += 1;
                        walk.stack.push(m);
                    }
                }
            }
            count == size - 1
        })
    }

    /// Whether the neighbours of `removed` in `part` are joined to each other by edges
    /// among themselves: then any path through `removed` can go round it, and the part
    /// stays connected without it (a quick answer before a search of the whole part).
    fn neighbours_joined_without(&self, assignment: &[usize], part: usize, removed: usize) -> bool {
        let around = &self.adjacency[removed];
        if around.len() > 64 {
            return false;
        }
        let in_part = around
            .iter()
            .enumerate()
            .filter(|&(_, &m)| assignment[m] == part)
            .fold(0_u64, |mask, (i, _)| mask | (1 << i));
        // Grow the set reached from the lowest neighbour in the part, one bit per neighbour.
        let mut reached = in_part & in_part.wrapping_neg();
        let mut frontier = reached;
        while frontier != 0 {
            let i = frontier.trailing_zeros() as usize;
            frontier &= frontier - 1;
            let mut waiting = in_part & !reached;
            while waiting != 0 {
                let j = waiting.trailing_zeros() as usize;
                waiting &= waiting - 1;
                if self.adjacency[around[i]].binary_search(&around[j]).is_ok() {
                    reached |= 1 << j;
                    frontier |= 1 << j;
                }
            }
        }
        reached == in_part
    }
}

#[cfg(test)]
impl SiteGraph {
    /// Sites in a row, one metre apart, each the neighbour of the next (for tests).
    pub(crate) fn row(weights: &[u32]) -> Self {
        let n = weights.len();
        let adjacency: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                let mut a = Vec::new();
                if i > 0 {
                    a.push(i - 1);
                }
                if i + 1 < n {
                    a.push(i + 1);
                }
                a
            })
            .collect();
        Self {
            x: (0..n).map(|i| i as f64).collect(),
            y: vec![0.0; n],
            weight: weights.to_vec(),
            shared_m: adjacency.iter().map(|a| vec![1.0; a.len()]).collect(),
            adjacency,
        }
    }
}

#[cfg(test)]
impl SiteGraph {
    /// A lattice of `columns` (see [`SiteGraph::lattice`]) whose sites hold `households`
    /// scaled by `factor`, and the old grids: runs of sites in row order of about 300 of
    /// the unscaled households, each connected (for tests of rebalancing).
    pub(crate) fn lattice_strips(
        columns: usize,
        households: &[u32],
        factor: f64,
    ) -> (Self, Vec<Vec<usize>>) {
        let changed: Vec<u32> = households
            .iter()
            .map(|&h| ((f64::from(h) * factor).round() as u32).max(1))
            .collect();
        let graph = Self::lattice(columns, &changed);
        let mut before: Vec<Vec<usize>> = vec![Vec::new()];
        let mut sum = 0;
        for (i, &h) in households.iter().enumerate() {
            if sum >= 280 && before.last().is_some_and(|p| p.len() >= columns) {
                before.push(Vec::new());
                sum = 0;
            }
            if let Some(last) = before.last_mut() {
                last.push(i);
            }
            sum += h;
        }
        let before = before
            .into_iter()
            .filter(|p| graph.components(p).len() == 1)
            .collect();
        (graph, before)
    }
}

#[cfg(test)]
impl SiteGraph {
    /// Sites on a lattice of `columns`, row by row, each the neighbour of the sites left,
    /// right, above and below (for tests).
    pub(crate) fn lattice(columns: usize, weights: &[u32]) -> Self {
        let n = weights.len();
        let columns = columns.max(1);
        let adjacency: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                let (c, r) = (i % columns, i / columns);
                let mut a = Vec::new();
                if r > 0 {
                    a.push(i - columns);
                }
                if c > 0 {
                    a.push(i - 1);
                }
                if c + 1 < columns && i + 1 < n {
                    a.push(i + 1);
                }
                if i + columns < n {
                    a.push(i + columns);
                }
                a
            })
            .collect();
        Self {
            x: (0..n).map(|i| (i % columns) as f64).collect(),
            y: (0..n).map(|i| (i / columns) as f64).collect(),
            weight: weights.to_vec(),
            shared_m: adjacency.iter().map(|a| vec![1.0; a.len()]).collect(),
            adjacency,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path 0-1-2-3 and a separate node 4.
    fn path() -> SiteGraph {
        SiteGraph {
            x: vec![0.0, 1.0, 2.0, 3.0, 9.0],
            y: vec![0.0; 5],
            weight: vec![1, 2, 3, 4, 5],
            adjacency: vec![vec![1], vec![0, 2], vec![1, 3], vec![2], vec![]],
            shared_m: vec![vec![1.0], vec![1.0, 1.0], vec![1.0, 1.0], vec![1.0], vec![]],
        }
    }

    #[test]
    fn components_and_articulation() {
        let g = path();
        let comps = g.components(&[0, 1, 2, 3, 4]);
        assert_eq!(comps, vec![vec![0, 1, 2, 3], vec![4]]);
        let assignment = vec![0, 0, 0, 0, 1];
        assert!(g.connected_without(&assignment, 0, 4, 0));
        assert!(g.connected_without(&assignment, 0, 4, 3));
        assert!(
            !g.connected_without(&assignment, 0, 4, 1),
            "1 is an articulation point"
        );
        assert!(
            !g.connected_without(&assignment, 1, 1, 4),
            "a part never empties"
        );
    }

    /// Sites on a 5×5 lattice joined to all eight neighbours (so a site's neighbours
    /// often border each other, the case the quick answer of `connected_without` takes),
    /// with some links `dropped`.
    fn lattice_with_diagonals(dropped: &[bool]) -> SiteGraph {
        let side = 5_usize;
        let mut adjacency = vec![Vec::new(); side * side];
        let mut link = 0;
        for i in 0..side * side {
            let (c, r) = (i % side, i / side);
            for (dc, dr) in [(1, 0), (0, 1), (1, 1), (-1, 1)] {
                let (c2, r2) = (c as i64 + dc, r as i64 + dr);
                if !(0..side as i64).contains(&c2) || r2 >= side as i64 {
                    continue;
                }
                let j = r2 as usize * side + c2 as usize;
                link += 1;
                if dropped.get(link).copied().unwrap_or(false) {
                    continue;
                }
                adjacency[i].push(j);
                adjacency[j].push(i);
            }
        }
        for a in &mut adjacency {
            a.sort_unstable();
        }
        SiteGraph {
            x: vec![0.0; side * side],
            y: vec![0.0; side * side],
            weight: vec![1; side * side],
            shared_m: adjacency.iter().map(|a| vec![1.0; a.len()]).collect(),
            adjacency,
        }
    }

    proptest::proptest! {
        #[test]
        fn quick_connectivity_answers_agree_with_the_components(
            labels in proptest::collection::vec(0_usize..3, 25),
            dropped in proptest::collection::vec(proptest::bool::weighted(0.2), 80),
        ) {
            let g = lattice_with_diagonals(&dropped);
            for part in 0..3 {
                let members: Vec<usize> = (0..25).filter(|&n| labels[n] == part).collect();
                let whole = g.components(&members).len() == 1;
                proptest::prop_assert_eq!(g.is_connected(&members), whole);
                if !whole {
                    continue;
                }
                for &removed in &members {
                    let rest: Vec<usize> =
                        members.iter().copied().filter(|&n| n != removed).collect();
                    proptest::prop_assert_eq!(
                        g.connected_without(&labels, part, members.len(), removed),
                        g.components(&rest).len() == 1,
                        "part {} without {}", part, removed
                    );
                }
            }
        }
    }
}
