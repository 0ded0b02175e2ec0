//! Ejection chains: a grid left outside the tolerance band is brought in by a chain of
//! steps that carries its surplus (or deficit) from grid to grid until grids with room
//! absorb it, every grid the chain passes ending within the band; the chain moving the
//! fewest buildings from their old grids is taken.
//!
//! Annealing finds most balances, but a deficit that has to travel through two or three
//! full grids (each taking a site from the next and passing one on) is a path through
//! many worse partitions, which a random walk seldom completes. A best-first search over
//! such chains finds it directly. Its state is the grids still outside the band (at most
//! two: a grid may take a house from a neighbour that then takes one from its own
//! neighbour) and the moves so far; a step takes a site from a bordering grid, gives one
//! to it, or exchanges a tower for a smaller site, and brings every grid it touches that
//! was outside the band nearer to it.

use super::identity::{buildings_moved, home_parts, part_of, site_buildings};
use crate::partition::graph::SiteGraph;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// Chains expanded at most per grid outside the band.
const EXPANSIONS: usize = 1_500;
/// Moves in one chain at most.
const CHAIN_MOVES: usize = 12;
/// Chains expanded at most to send one moved site home.
const RESTORE_EXPANSIONS: usize = 100;
/// Passes over the moved sites at most.
const RESTORE_ROUNDS: usize = 2;
/// Parts a chain may leave outside the band on its way, at most.
const OPEN_PARTS: usize = 2;

/// One site changing grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Move {
    site: usize,
    from: usize,
    to: usize,
}

/// The parts a chain has left outside the band, each with its households (sorted).
type Open = Vec<(usize, i64)>;

/// A chain being searched: its moves, the parts still outside the band, and its cost in
/// buildings moved from their old grids (negative when sites go home).
#[derive(Debug, Clone)]
struct Chain {
    moves: Vec<Move>,
    open: Open,
    cost: i64,
}

/// Brings parts of `parts` outside `target ± band` within it by ejection chains, one grid
/// at a time, as long as a chain is found; `before` gives the old grids (a site's moves
/// are counted against the part carrying its old grid's identity) and `buildings[s]` how
/// many buildings site `s` holds. Parts stay connected and non-empty; a part already
/// within the band stays within it.
///
/// ```
/// use gridmap::partition::{SiteGraph, repair_with_chains};
/// // A row of grids of 250 | 280 | 320 households (band 270–330). The first grid takes
/// // the middle grid's 20-household end, and the middle grid takes the last grid's.
/// let weights = [125, 125, 20, 120, 120, 20, 20, 150, 150];
/// let graph = SiteGraph {
///     x: (0..9).map(f64::from).collect(),
///     y: vec![0.0; 9],
///     weight: weights.to_vec(),
///     adjacency: (0..9_usize)
///         .map(|i| [i.wrapping_sub(1), i + 1].into_iter().filter(|&j| j < 9).collect())
///         .collect(),
///     shared_m: (0..9).map(|i| vec![1.0; if i == 0 || i == 8 { 1 } else { 2 }]).collect(),
/// };
/// let parts = vec![vec![0, 1], vec![2, 3, 4, 5], vec![6, 7, 8]];
/// let repaired = repair_with_chains(&graph, &parts, parts.clone(), 300.0, 30.0, &[1; 9]);
/// assert_eq!(repaired, vec![vec![0, 1, 2], vec![3, 4, 5, 6], vec![7, 8]]);
/// ```
pub fn repair_with_chains(
    graph: &SiteGraph,
    before: &[Vec<usize>],
    parts: Vec<Vec<usize>>,
    target: f64,
    band: f64,
    buildings: &[u32],
) -> Vec<Vec<usize>> {
    let mut state = State::new(graph, before, &parts, target, band, buildings);
    // Parts no chain was found for are not searched again.
    let mut stuck = vec![false; parts.len()];
    loop {
        let mut outside: Vec<usize> = (0..parts.len())
            .filter(|&p| !stuck[p] && !state.within(state.weights[p]))
            .collect();
        // Furthest outside first.
        outside.sort_by_key(|&p| (Reverse(state.distance(state.weights[p])), p));
        let found = outside.into_iter().find_map(|p| {
            let chain = state.cheapest_chain(vec![(p, state.weights[p])], i64::MAX, EXPANSIONS);
            stuck[p] = chain.is_none();
            chain
        });
        match found {
            Some(chain) => state.apply(&chain.moves),
            None => break,
        }
    }
    state.parts(parts.len())
}

/// Sends moved sites of `parts` home (to the part carrying their old grid's identity in
/// `before`) when a chain costing fewer buildings than the site holds brings both parts
/// back within the band: a tower goes home and the houses it displaces travel on. Only
/// parts within the band are left within it, none ends further outside, and never are more
/// buildings moved (identities carried anew).
pub(super) fn restore_with_chains(
    graph: &SiteGraph,
    before: &[Vec<usize>],
    parts: Vec<Vec<usize>>,
    target: f64,
    band: f64,
    buildings: &[u32],
) -> Vec<Vec<usize>> {
    let mut state = State::new(graph, before, &parts, target, band, buildings);
    for _ in 0..RESTORE_ROUNDS {
        let mut moved: Vec<usize> = (0..graph.len())
            .filter(|&n| {
                let (at, home) = (state.of[n], state.home[n]);
                at != usize::MAX && home != usize::MAX && at != home
            })
            .collect();
        moved.sort_by_key(|&n| (Reverse(site_buildings(buildings, n)), n));
        let mut restored = false;
        for n in moved {
            let (at, home) = (state.of[n], state.home[n]);
            let weights_before = [at, home].map(|p| state.weights[p]);
            if at == home
                || !graph.adjacency[n].iter().any(|&m| state.of[m] == home)
                || !graph.connected_without(&state.of, at, state.sizes[at], n)
            {
                continue;
            }
            let back = [Move {
                site: n,
                from: at,
                to: home,
            }];
            state.apply(&back);
            let open: Open = [at, home]
                .into_iter()
                .filter(|&p| !state.within(state.weights[p]))
                .map(|p| (p, state.weights[p]))
                .collect();
            // A part already outside the band may stay outside, no further out; a part
            // the move pushes out must be brought back by a chain (which then brings back
            // every part left outside by the move).
            let pushed_out = [at, home].iter().zip(weights_before).any(|(&p, w)| {
                let now = state.weights[p];
                !state.within(now) && (state.within(w) || state.distance(now) > state.distance(w))
            });
            let gain = site_buildings(buildings, n) as i64;
            let chain = if pushed_out {
                state.cheapest_chain(open, gain, RESTORE_EXPANSIONS)
            } else {
                Some(Chain {
                    moves: Vec::new(),
                    open,
                    cost: 0,
                })
            };
            match chain {
                Some(chain) => {
                    state.apply(&chain.moves);
                    restored = true;
                }
                None => state.undo(&back),
            }
        }
        if !restored {
            break;
        }
    }
    // Chains count moves against the identities the parts carried at the start; sending
    // sites home can shift which part carries which old grid, and then the count with
    // identities carried anew may be higher: the parts as they came are kept.
    let homed = state.parts(parts.len());
    if buildings_moved(graph, before, &homed, buildings)
        > buildings_moved(graph, before, &parts, buildings)
    {
        return parts;
    }
    homed
}

/// The partition the chains are searched on.
struct State<'a> {
    graph: &'a SiteGraph,
    buildings: &'a [u32],
    /// The part carrying each site's old grid (`usize::MAX`: none, every place is a move).
    home: Vec<usize>,
    of: Vec<usize>,
    weights: Vec<i64>,
    sizes: Vec<usize>,
    low: i64,
    high: i64,
    /// Last search stamp that saw each site (to list a grid's neighbours once).
    seen: Vec<usize>,
    stamp: usize,
}

impl<'a> State<'a> {
    fn new(
        graph: &'a SiteGraph,
        before: &[Vec<usize>],
        parts: &[Vec<usize>],
        target: f64,
        band: f64,
        buildings: &'a [u32],
    ) -> Self {
        Self {
            graph,
            buildings,
            home: home_parts(graph, before, parts, buildings),
            of: part_of(graph, parts),
            weights: parts.iter().map(|p| graph.weight_of(p) as i64).collect(),
            sizes: parts.iter().map(Vec::len).collect(),
            low: (target - band - 1e-9).ceil() as i64,
            high: (target + band + 1e-9).floor() as i64,
            seen: vec![0; graph.len()],
            stamp: 0,
        }
    }

    /// The sites of each of the `count` parts.
    fn parts(&self, count: usize) -> Vec<Vec<usize>> {
        let mut parts = vec![Vec::new(); count];
        for (n, &p) in self.of.iter().enumerate() {
            if let Some(members) = parts.get_mut(p) {
                members.push(n);
            }
        }
        parts
    }

    fn within(&self, w: i64) -> bool {
        (self.low..=self.high).contains(&w)
    }

    fn distance(&self, w: i64) -> i64 {
        (self.low - w).max(w - self.high).max(0)
    }

    /// Buildings moved more when `m` is made: the site's buildings when it leaves its old
    /// grid, fewer when it returns.
    fn cost(&self, m: Move) -> i64 {
        let b = site_buildings(self.buildings, m.site) as i64;
        match self.home.get(m.site).copied() {
            Some(h) if h == m.from => b,
            Some(h) if h == m.to => -b,
            _ => 0,
        }
    }

    fn apply(&mut self, moves: &[Move]) {
        for m in moves {
            self.shift(m.site, m.from, m.to);
        }
    }

    fn undo(&mut self, moves: &[Move]) {
        for m in moves.iter().rev() {
            self.shift(m.site, m.to, m.from);
        }
    }

    fn shift(&mut self, site: usize, from: usize, to: usize) {
        let w = i64::from(self.graph.weight[site]);
        self.of[site] = to;
        self.weights[from] -= w;
        self.weights[to] += w;
        self.sizes[from] -= 1;
        self.sizes[to] += 1;
    }

    /// The chain moving the fewest buildings (fewer than `limit`) that brings the parts of
    /// `open` within the band and leaves every other part it touches within it, expanding
    /// at most `budget` chains.
    fn cheapest_chain(&mut self, open: Open, limit: i64, budget: usize) -> Option<Chain> {
        let mut chains = vec![Chain {
            moves: Vec::new(),
            open,
            cost: 0,
        }];
        let mut queue = BinaryHeap::from([Reverse((0_i64, 0_usize))]);
        // The cheapest chain seen leaving the same parts open with the same households.
        let mut cheapest: HashMap<Open, i64> = HashMap::new();
        let mut best: Option<Chain> = None;
        let mut expansions = 0;
        while let Some(Reverse((cost, id))) = queue.pop() {
            if best.as_ref().map_or(limit, |b| b.cost) <= cost || expansions >= budget {
                break;
            }
            expansions += 1;
            let chain = chains[id].clone();
            self.apply(&chain.moves);
            for &(open, _) in &chain.open {
                for (step, next_open) in self.steps(&chain.open, open) {
                    let cost = chain.cost + step.iter().map(|&m| self.cost(m)).sum::<i64>();
                    let mut moves = chain.moves.clone();
                    moves.extend(step);
                    if next_open.is_empty() {
                        if best.as_ref().is_none_or(|b| cost < b.cost) {
                            best = Some(Chain {
                                moves,
                                open: next_open,
                                cost,
                            });
                        }
                    } else if moves.len() < CHAIN_MOVES {
                        let known = cheapest.entry(next_open.clone()).or_insert(i64::MAX);
                        if cost < *known {
                            *known = cost;
                            queue.push(Reverse((cost, chains.len())));
                            chains.push(Chain {
                                moves,
                                open: next_open,
                                cost,
                            });
                        }
                    }
                }
            }
            self.undo(&chain.moves);
        }
        best
    }

    /// The steps forward from part `open` ([`Self::classify`]): a site taken from or given
    /// to a bordering part, or one taken and one given back in exchange, each with the parts
    /// it leaves open.
    fn steps(&mut self, open_before: &Open, open: usize) -> Vec<(Vec<Move>, Open)> {
        let graph = self.graph;
        self.stamp += 1;
        let members: Vec<usize> = (0..graph.len()).filter(|&n| self.of[n] == open).collect();
        let mut steps = Vec::new();
        // Own sites on the border, with the parts each borders.
        let mut border: Vec<(usize, Vec<usize>)> = Vec::new();
        for &n in &members {
            let mut others: Vec<usize> = graph.adjacency[n]
                .iter()
                .map(|&m| self.of[m])
                .filter(|&q| q != open && q != usize::MAX)
                .collect();
            others.sort_unstable();
            others.dedup();
            if !others.is_empty() {
                border.push((n, others));
            }
        }
        // Whether each own border site can leave without cutting the open part apart
        // (worked out once, for the gives and the exchanges).
        let mut own_removable: Vec<Option<bool>> = vec![None; border.len()];
        for (i, (n, others)) in border.iter().enumerate() {
            for &other in others {
                let give = [Move {
                    site: *n,
                    from: open,
                    to: other,
                }];
                let Some(next) = self.classify(open_before, open, other, &give) else {
                    continue;
                };
                if *own_removable[i].get_or_insert_with(|| {
                    graph.connected_without(&self.of, open, self.sizes[open], *n)
                }) {
                    steps.push((give.to_vec(), next));
                }
            }
        }
        let mut exchanges: Vec<(usize, u32, u32, i64)> = Vec::new();
        for &(n, _) in &border {
            for &m in &graph.adjacency[n] {
                let other = self.of[m];
                if other == open || other == usize::MAX || self.seen[m] == self.stamp {
                    continue;
                }
                self.seen[m] = self.stamp;
                let take = Move {
                    site: m,
                    from: other,
                    to: open,
                };
                // Whether `m` can leave its part without cutting it apart (once, for the take
                // and the exchanges).
                let other_removable =
                    || graph.connected_without(&self.of, other, self.sizes[other], m);
                let mut removable = None;
                if let Some(next) = self.classify(open_before, open, other, &[take])
                    && *removable.get_or_insert_with(other_removable)
                {
                    steps.push((vec![take], next));
                }
                // Exchanges: `m` taken and an own site bordering `other` given back. Both
                // must be able to leave their parts alone, and each must border its new
                // part without the other (so both parts stay whole).
                for (i, (t, others)) in border.iter().enumerate() {
                    if !others.contains(&other) || graph.weight[*t] == graph.weight[m] {
                        continue;
                    }
                    let give = Move {
                        site: *t,
                        from: open,
                        to: other,
                    };
                    let pair = [take, give];
                    let Some(next) = self.classify(open_before, open, other, &pair) else {
                        continue;
                    };
                    let key = (
                        other,
                        graph.weight[m],
                        graph.weight[*t],
                        self.cost(take) + self.cost(give),
                    );
                    let borders_without = |site: usize, part: usize, without: usize| {
                        graph.adjacency[site]
                            .iter()
                            .any(|&x| x != without && self.of[x] == part)
                    };
                    if exchanges.contains(&key)
                        || !borders_without(m, open, *t)
                        || !borders_without(*t, other, m)
                        || !*removable.get_or_insert_with(other_removable)
                        || !*own_removable[i].get_or_insert_with(|| {
                            graph.connected_without(&self.of, open, self.sizes[open], *t)
                        })
                    {
                        continue;
                    }
                    exchanges.push(key);
                    steps.push((pair.to_vec(), next));
                }
            }
        }
        steps
    }

    /// The parts a step (`moves` between open part `open` and part `other`) leaves open,
    /// or `None` when it is not a step forward: a part open before must end within the
    /// band or nearer it, and at most [`OPEN_PARTS`] parts are left open.
    fn classify(
        &self,
        open_before: &Open,
        open: usize,
        other: usize,
        moves: &[Move],
    ) -> Option<Open> {
        let (mut v, mut u) = (self.weights[open], self.weights[other]);
        for m in moves {
            let w = i64::from(self.graph.weight[m.site]);
            if m.to == open {
                v += w;
                u -= w;
            } else {
                v -= w;
                u += w;
            }
        }
        let was_open = |p: usize| open_before.iter().any(|&(q, _)| q == p);
        let forward = |p: usize, before: i64, after: i64| {
            self.within(after) || !was_open(p) || self.distance(after) < self.distance(before)
        };
        if !forward(open, self.weights[open], v) || !forward(other, self.weights[other], u) {
            return None;
        }
        let mut next: Open = open_before
            .iter()
            .copied()
            .filter(|&(q, _)| q != open && q != other)
            .collect();
        for (p, w) in [(open, v), (other, u)] {
            if !self.within(w) {
                next.push((p, w));
            }
        }
        next.sort_unstable();
        (next.len() <= OPEN_PARTS).then_some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partition::keep_existing::restore_moves::restore_moves;
    use proptest::prelude::*;

    fn within(graph: &SiteGraph, part: &[usize]) -> bool {
        (graph.weight_of(part) as f64 - 300.0).abs() <= 30.0 + 1e-9
    }

    #[test]
    fn a_tower_and_a_house_change_places() {
        // Rows of a 3×3 lattice are grids of 260, 310 and 300 households.
        //   100 100  60     A
        //    90 100 120     B
        //   100 100 100     C
        // Every site A could take alone overshoots the band and giving its 60 away takes it
        // further below: only the exchange of B's 90 for A's 60 balances both.
        let graph = SiteGraph::lattice(3, &[100, 100, 60, 90, 100, 120, 100, 100, 100]);
        let before = vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8]];
        let ones = vec![1; graph.len()];
        let after = repair_with_chains(&graph, &before, before.clone(), 300.0, 30.0, &ones);
        assert_eq!(after, vec![vec![0, 1, 3], vec![2, 4, 5], vec![6, 7, 8]]);
    }

    #[test]
    fn a_site_goes_home_and_its_grid_takes_back_its_own() {
        // Before: 0–2 | 3–5 | 6–8. A plan left site 2 (40) in the middle grid and site 5
        // (40) in the last: 280 | 300 | 330. Neither can go home alone (the middle grid
        // would end at 260 or 340), and they are not a pair between two grids; sending 2
        // home and the middle grid taking 5 back is a chain, two buildings fewer moved.
        let graph = SiteGraph::row(&[140, 140, 40, 130, 130, 40, 100, 100, 90]);
        let before = vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8]];
        let after = vec![vec![0, 1], vec![2, 3, 4], vec![5, 6, 7, 8]];
        let ones = [1; 9];
        let restored = restore_moves(&graph, &before, after.clone(), 300.0, 30.0, &ones);
        assert_eq!(restored, after);
        let homed = restore_with_chains(&graph, &before, after, 300.0, 30.0, &ones);
        assert_eq!(homed, before);
    }

    #[test]
    fn a_grid_no_chain_can_balance_is_left_as_it_is() {
        // 200 | 300: the light grid can only take a 150 tower, which overshoots.
        let graph = SiteGraph::row(&[100, 100, 150, 150]);
        let before = vec![vec![0, 1], vec![2, 3]];
        let after = repair_with_chains(&graph, &before, before.clone(), 300.0, 30.0, &[1; 4]);
        assert_eq!(after, before);
    }

    proptest! {
        /// From grids of consecutive lattice sites, repair leaves every grid within the band
        /// within it, never leaves more grids outside, keeps grids connected and non-empty,
        /// and gives the same output for the same input.
        #[test]
        fn repair_keeps_balanced_grids_balanced_and_grids_whole(
            households in proptest::collection::vec(10u32..120, 24..72),
            buildings in proptest::collection::vec(1u32..12, 72),
            factor in 0.85f64..1.15,
        ) {
            let (graph, before) = SiteGraph::lattice_strips(6, &households, factor);
            let after = repair_with_chains(&graph, &before, before.clone(), 300.0, 30.0, &buildings);
            let again = repair_with_chains(&graph, &before, before.clone(), 300.0, 30.0, &buildings);
            prop_assert_eq!(&after, &again);
            prop_assert_eq!(after.len(), before.len());
            for (was, now) in before.iter().zip(&after) {
                if within(&graph, was) {
                    prop_assert!(within(&graph, now));
                }
                prop_assert_eq!(graph.components(now).len(), 1);
            }
            let outside = |parts: &[Vec<usize>]| parts.iter().filter(|p| !within(&graph, p)).count();
            prop_assert!(outside(&after) <= outside(&before));
            // Sending home what the repair moved: no more buildings moved, grids within the
            // band stay within it, grids stay whole.
            let homed = restore_with_chains(&graph, &before, after.clone(), 300.0, 30.0, &buildings);
            prop_assert!(
                buildings_moved(&graph, &before, &homed, &buildings)
                    <= buildings_moved(&graph, &before, &after, &buildings)
            );
            for (was, now) in after.iter().zip(&homed) {
                if within(&graph, was) {
                    prop_assert!(within(&graph, now));
                }
                prop_assert_eq!(graph.components(now).len(), 1);
            }
            let mut sites: Vec<usize> = after.iter().flatten().copied().collect();
            let mut expected: Vec<usize> = before.iter().flatten().copied().collect();
            sites.sort_unstable();
            expected.sort_unstable();
            prop_assert_eq!(sites, expected);
        }
    }
}
