//! Simulated annealing over site moves, swaps between bordering grids and two-move chains,
//! minimising first the grids outside the tolerance band and then the buildings moved from
//! their old grids.
//!
//! Greedy balancing fixes one grid at a time and cannot see that a surplus is better passed
//! along a chain of grids of tower blocks than into the row of houses next door, nor undo a
//! choice that boxed a grid in. Annealing walks through such detours: a move that costs one
//! building or pushes a grid a little out of the band is taken now and then, less often as
//! the walk cools, and the best partition seen is kept. A chain moves a site into a
//! bordering grid and, in the same step, a site of similar households from that grid on to
//! a grid it borders (or back): tower blocks trade places across a grid without the
//! detour through two grids far outside the band that single moves would need. Every
//! visited partition keeps each grid connected and non-empty, so the result is as valid as
//! the start, and never worse.

use super::identity::{home_parts, part_of, site_buildings};
use crate::partition::graph::SiteGraph;
use crate::partition::part_lists::PartLists;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Cost of one household outside the band, in buildings moved: a grid well outside the
/// band weighs more than a few moves, a household or two less than one.
const OUTSIDE_PER_HOUSEHOLD: f64 = 0.5;
/// Cost of a grid being outside the band at all, in buildings moved.
const OUTSIDE_STEP: f64 = 4.0;
/// Temperatures (in buildings moved) at the start and the end of the walk.
const HOT: f64 = 1.0;
const COLD: f64 = 0.02;
/// Share of proposals that exchange two neighbouring sites rather than move one.
const SWAP_SHARE: f64 = 0.25;
/// Share of proposals that pass a site on along a chain of two moves.
const CHAIN_SHARE: f64 = 0.2;
/// Sites of the receiving part sampled for the second move of a chain.
const CHAIN_TRIES: usize = 16;
/// Rounds of repair and polish at most, each from the best partition found; the walk
/// stops after a round that found nothing better.
const ROUNDS: usize = 4;
/// Fixed seed: the same change always gives the same plan.
const SEED: u64 = 0x0067_7269_646d_6170;

/// What a partition is ranked by: grids outside the band, buildings moved, then
/// households outside the band (smaller is better).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
struct Rank {
    outside: usize,
    moved: u64,
    distance: f64,
}

/// What a stretch of the walk does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Brings parts into the band, at a cost in buildings moved.
    Repair,
    /// Moves fewer buildings without taking any part further outside the band.
    Polish,
}

/// The walk's state: the part of each site, and each part's households and size.
struct Walk<'a> {
    graph: &'a SiteGraph,
    buildings: &'a [u32],
    /// Part of each site (`usize::MAX` outside the component).
    of: Vec<usize>,
    /// The part carrying each site's old grid (`usize::MAX`: retired, every place is a move).
    home: Vec<usize>,
    weights: Vec<f64>,
    /// Sites of each part, and where each site sits in its part's list.
    lists: PartLists,
    low: f64,
    high: f64,
    moved: u64,
}

impl Walk<'_> {
    fn outside(&self, w: f64) -> f64 {
        (self.low - w).max(w - self.high).max(0.0)
    }

    fn part_cost(&self, w: f64) -> f64 {
        let d = self.outside(w);
        if d > 1e-9 {
            OUTSIDE_STEP + OUTSIDE_PER_HOUSEHOLD * d
        } else {
            0.0
        }
    }

    fn rank(&self) -> Rank {
        let (outside, distance) = self.weights.iter().fold((0, 0.0), |(count, sum), &w| {
            let d = self.outside(w);
            (count + usize::from(d > 1e-9), sum + d)
        });
        Rank {
            outside,
            moved: self.moved,
            distance,
        }
    }

    /// Buildings moved more (or fewer, when negative) if site `n` goes to part `to`.
    fn moved_delta(&self, n: usize, to: usize) -> i64 {
        let b = site_buildings(self.buildings, n) as i64;
        let away_before = self.of[n] != self.home[n];
        let away_after = to != self.home[n];
        i64::from(away_after) * b - i64::from(away_before) * b
    }

    fn apply(&mut self, n: usize, to: usize) {
        let from = self.of[n];
        let w = f64::from(self.graph.weight[n]);
        self.moved = self.moved.saturating_add_signed(self.moved_delta(n, to));
        self.of[n] = to;
        self.weights[from] -= w;
        self.weights[to] += w;
        self.lists.move_site(n, from, to);
    }

    /// Whether part `p` is in one piece.
    fn whole(&self, p: usize) -> bool {
        self.graph.is_connected(self.lists.of(p))
    }

    /// A proposal from site `n`: move it to the part of its neighbour `m` and, for a swap,
    /// `m` to `n`'s part, or, for a chain, another site `k` of `m`'s part on to a third part
    /// (or back to `n`'s) that `k` borders, the site whose households come nearest `n`'s of
    /// [`CHAIN_TRIES`] sampled.
    fn propose(
        &self,
        n: usize,
        m: usize,
        kind: Proposal,
        rng: &mut ChaCha8Rng,
    ) -> Option<Vec<(usize, usize)>> {
        let (from, to) = (self.of[n], self.of[m]);
        match kind {
            Proposal::Move => Some(vec![(n, to)]),
            Proposal::Swap => Some(vec![(n, to), (m, from)]),
            Proposal::Chain => {
                let wn = i64::from(self.graph.weight[n]);
                let mut chosen: Option<(i64, usize, usize)> = None;
                let receiving = self.lists.of(to);
                for _ in 0..CHAIN_TRIES {
                    let k = receiving[rng.random_range(0..receiving.len())];
                    let onward: Vec<usize> = self.graph.adjacency[k]
                        .iter()
                        .map(|&j| self.of[j])
                        .filter(|&c| c != to && c != usize::MAX)
                        .collect();
                    if onward.is_empty() {
                        continue;
                    }
                    let c = onward[rng.random_range(0..onward.len())];
                    let gap = (i64::from(self.graph.weight[k]) - wn).abs();
                    if chosen.is_none_or(|(g, _, _)| gap < g) {
                        chosen = Some((gap, k, c));
                    }
                }
                chosen.map(|(_, k, c)| vec![(n, to), (k, c)])
            }
        }
    }

    /// `steps` proposals of `phase`, cooling from [`HOT`] to [`COLD`]; `best` keeps the
    /// best partition seen.
    fn run(
        &mut self,
        phase: Phase,
        members: &[usize],
        steps: usize,
        rng: &mut ChaCha8Rng,
        best: &mut (Rank, Vec<usize>),
    ) {
        let graph = self.graph;
        let cooling = (COLD / HOT).powf(1.0 / steps.max(1) as f64);
        let mut temperature = HOT;
        for _ in 0..steps {
            temperature *= cooling;
            let n = members[rng.random_range(0..members.len())];
            let from = self.of[n];
            let neighbours: Vec<usize> = graph.adjacency[n]
                .iter()
                .copied()
                .filter(|&m| self.of[m] != from && self.of[m] != usize::MAX)
                .collect();
            if neighbours.is_empty() {
                continue;
            }
            // A site away from its old grid that borders it is sent home half the time.
            let homeward = neighbours.iter().find(|&&m| self.of[m] == self.home[n]);
            let m = match homeward {
                Some(&m) if rng.random_bool(0.5) => m,
                _ => neighbours[rng.random_range(0..neighbours.len())],
            };
            let roll: f64 = rng.random();
            let kind = if roll < SWAP_SHARE {
                Proposal::Swap
            } else if roll < SWAP_SHARE + CHAIN_SHARE {
                Proposal::Chain
            } else {
                Proposal::Move
            };
            let Some(plan) = self.propose(n, m, kind, rng) else {
                continue;
            };
            // The parts the proposal touches, with their households after it.
            let mut touched: Vec<(usize, f64)> = Vec::with_capacity(3);
            let mut delta = 0.0;
            {
                let mut shift =
                    |part: usize, by: f64| match touched.iter_mut().find(|t| t.0 == part) {
                        Some(t) => t.1 += by,
                        None => touched.push((part, self.weights[part] + by)),
                    };
                for &(site, to) in &plan {
                    let w = f64::from(graph.weight[site]);
                    shift(self.of[site], -w);
                    shift(to, w);
                }
            }
            if phase == Phase::Polish
                && touched
                    .iter()
                    .any(|&(p, w)| self.outside(w) > self.outside(self.weights[p]) + 1e-9)
            {
                continue;
            }
            for &(p, w) in &touched {
                delta += self.part_cost(w) - self.part_cost(self.weights[p]);
            }
            for &(site, to) in &plan {
                delta += self.moved_delta(site, to) as f64;
            }
            if delta > 0.0 && !rng.random_bool((-delta / temperature).exp().clamp(0.0, 1.0)) {
                continue;
            }
            if let [(site, to)] = plan[..] {
                if !graph.connected_without(&self.of, from, self.lists.of(from).len(), site) {
                    continue;
                }
                self.apply(site, to);
            } else {
                let back: Vec<(usize, usize)> = plan
                    .iter()
                    .map(|&(site, _)| (site, self.of[site]))
                    .collect();
                for &(site, to) in &plan {
                    self.apply(site, to);
                }
                if !touched.iter().all(|&(p, _)| self.whole(p)) {
                    for &(site, to) in back.iter().rev() {
                        self.apply(site, to);
                    }
                    continue;
                }
            }
            let rank = self.rank();
            if rank < best.0 {
                *best = (rank, self.of.clone());
            }
        }
    }
}

/// What a step of the walk proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proposal {
    /// One site to a bordering part.
    Move,
    /// Two neighbouring sites of bordering parts trade places.
    Swap,
    /// A site to a bordering part, and a site of that part on to a part it borders.
    Chain,
}

/// Anneals `start` (a partition of some sites of `graph`, each part connected), whose old
/// partition is `before`: rounds of `steps` proposals (half repairing, half polishing),
/// each round from the best partition so far, until a round finds nothing better or
/// [`ROUNDS`] have run. Returns the best partition seen: fewest parts outside
/// `target ± band`, then fewest buildings moved (`buildings[s]` per site), then fewest
/// households outside the band. Deterministic.
pub fn anneal_moves(
    graph: &SiteGraph,
    before: &[Vec<usize>],
    start: Vec<Vec<usize>>,
    target: f64,
    band: f64,
    buildings: &[u32],
    steps: usize,
) -> Vec<Vec<usize>> {
    let members: Vec<usize> = start.iter().flatten().copied().collect();
    if start.len() < 2 || members.is_empty() {
        return start;
    }
    let home = home_parts(graph, before, &start, buildings);
    let of = part_of(graph, &start);
    let moved = members
        .iter()
        .filter(|&&n| of[n] != home[n])
        .map(|&n| site_buildings(buildings, n))
        .sum();
    let mut walk = Walk {
        graph,
        buildings,
        weights: start.iter().map(|p| graph.weight_of(p) as f64).collect(),
        lists: PartLists::new(graph.len(), &start),
        of,
        home,
        low: target - band - 1e-9,
        high: target + band + 1e-9,
        moved,
    };
    let mut best = (walk.rank(), walk.of.clone());
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    for _ in 0..ROUNDS {
        let at_start = best.0;
        for phase in [Phase::Repair, Phase::Polish] {
            // Each stretch starts from the best partition found.
            for &n in &members {
                let p = best.1[n];
                if walk.of[n] != p {
                    walk.apply(n, p);
                }
            }
            walk.run(phase, &members, steps / 2, &mut rng, &mut best);
        }
        if best.0 >= at_start {
            break;
        }
    }
    let mut parts = vec![Vec::new(); start.len()];
    for &n in &members {
        parts[best.1[n]].push(n);
    }
    for p in &mut parts {
        p.sort_unstable();
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partition::keep_existing::identity::buildings_moved;
    use proptest::prelude::*;

    fn outside(graph: &SiteGraph, parts: &[Vec<usize>]) -> usize {
        parts
            .iter()
            .filter(|p| (graph.weight_of(p) as f64 - 300.0).abs() > 30.0 + 1e-9)
            .count()
    }

    /// Anneals `before` itself, one building per site: the result and buildings moved.
    fn anneal_one_building_sites(
        graph: &SiteGraph,
        before: &[Vec<usize>],
    ) -> (Vec<Vec<usize>>, u64) {
        let ones = vec![1; graph.len()];
        let after = anneal_moves(graph, before, before.to_vec(), 300.0, 30.0, &ones, 20_000);
        let moved = buildings_moved(graph, before, &after, &ones);
        (after, moved)
    }

    #[test]
    fn a_surplus_passes_along_a_chain_of_grids() {
        // Grids of 400, 300 and 200 households in a row of 100-household sites: the first
        // must give a site to the second, which gives one to the third. Each move alone
        // pushes the middle grid out of the band, so greedy balancing stops there.
        let graph = SiteGraph::row(&[100; 9]);
        let before = vec![vec![0, 1, 2, 3], vec![4, 5, 6], vec![7, 8]];
        let (after, moved) = anneal_one_building_sites(&graph, &before);
        assert_eq!(after, vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8]]);
        assert_eq!(moved, 2);
    }

    #[test]
    fn a_tower_trades_places_with_a_site_it_does_not_border() {
        // Rows of a 3×3 lattice are grids: 340, 300 and 300 households.
        //   140 100 100     A
        //    60 120 120     B
        //   100 100 100     C
        // A must give up its 140 corner tower and take back one of 110–130. B's only site
        // of that size that A could take without splitting is B's far corner (120), which
        // does not border the tower: no move or swap of neighbours balances A, and every
        // step towards it pushes two grids far outside the band. A chain does it at once.
        let graph = SiteGraph::lattice(3, &[140, 100, 100, 60, 120, 120, 100, 100, 100]);
        let before = vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8]];
        let (after, moved) = anneal_one_building_sites(&graph, &before);
        assert_eq!(after, vec![vec![1, 2, 5], vec![0, 3, 4], vec![6, 7, 8]]);
        assert_eq!(moved, 2);
    }

    #[test]
    fn a_balanced_partition_is_left_alone() {
        let graph = SiteGraph::lattice(3, &[100; 9]);
        let before = vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8]];
        let (after, moved) = anneal_one_building_sites(&graph, &before);
        assert_eq!(after, before);
        assert_eq!(moved, 0);
    }

    proptest! {
        /// From grids of consecutive lattice sites, annealing never leaves more grids
        /// outside the band or, with as many outside, more buildings moved; every grid
        /// stays connected and non-empty; the same input gives the same output.
        #[test]
        fn annealing_never_ends_worse_and_keeps_grids_whole(
            households in proptest::collection::vec(10u32..120, 24..72),
            buildings in proptest::collection::vec(1u32..12, 72),
            factor in 0.85f64..1.15,
        ) {
            let (graph, before) = SiteGraph::lattice_strips(6, &households, factor);
            let after = anneal_moves(&graph, &before, before.clone(), 300.0, 30.0, &buildings, 5_000);
            let again = anneal_moves(&graph, &before, before.clone(), 300.0, 30.0, &buildings, 5_000);
            prop_assert_eq!(&after, &again);
            let (was, now) = (outside(&graph, &before), outside(&graph, &after));
            prop_assert!(now <= was);
            if now == was {
                prop_assert_eq!(buildings_moved(&graph, &before, &after, &buildings), 0);
            }
            let mut sites: Vec<usize> = after.iter().flatten().copied().collect();
            let mut expected: Vec<usize> = before.iter().flatten().copied().collect();
            sites.sort_unstable();
            expected.sort_unstable();
            prop_assert_eq!(sites, expected);
            for p in &after {
                prop_assert_eq!(graph.components(p).len(), 1);
            }
        }
    }
}
