//! When households change, a community may need more or fewer grids: a new grid is seeded
//! where heavy grids meet and fed by their surplus, or a grid is dissolved into its
//! neighbours. Which grid seeds or dissolves decides how many buildings move (a grid of
//! three tower blocks moves three buildings; one of forty houses, forty), so each candidate
//! is balanced by the refiner and the one moving the fewest buildings wins. Existing grids
//! keep everything else.

use super::anneal_moves::anneal_moves;
use super::ejection_chain::{repair_with_chains, restore_with_chains};
use super::identity::{buildings_moved, part_of, site_buildings};
use super::restore_moves::restore_moves;
use crate::partition::band::{choose_parts, count_fits, within_band};
use crate::partition::graph::SiteGraph;
use crate::partition::options::Effort;
use crate::partition::refine::Refiner;

/// Grids tried as the one to seed from or dissolve (the heaviest or lightest first).
const CANDIDATES: usize = 12;

/// Best balanced candidates annealed further.
const ANNEALED: usize = 3;
/// Annealing proposals per site of the component, and their floor and ceiling.
const ANNEAL_STEPS_PER_SITE: usize = 200;
const ANNEAL_STEPS_MIN: usize = 20_000;
const ANNEAL_STEPS_MAX: usize = 200_000;

/// Annealing steps of a thorough search, as a multiple of the usual.
const THOROUGH_ANNEAL_SCALE: usize = 10;

/// Sites of each candidate grid tried as the seed of a new grid.
const SEEDS_PER_GRID: usize = 3;

/// The number of parts that suits the households: the count nearest to the current one
/// whose parts can average within the band (fewest grids added or dissolved); when none
/// does, the best count for the households.
fn wanted_count(households: f64, current: usize, target: f64, band: f64) -> usize {
    let fits = |k: usize| count_fits(households, k, target, band);
    let best = choose_parts(households, target);
    (0..=current.abs_diff(best))
        .flat_map(|d| [current + d, current.saturating_sub(d)])
        .find(|&k| fits(k))
        .unwrap_or(best)
}

/// Adds or dissolves parts until their number suits the households (the heaviest part
/// seeds, the lightest dissolves), without balancing: the plain rule the candidate search
/// of [`rebalance_existing`] is measured against.
#[cfg(test)]
fn adjust_part_count(
    graph: &SiteGraph,
    mut parts: Vec<Vec<usize>>,
    target: f64,
    band: f64,
) -> Vec<Vec<usize>> {
    let households = parts.iter().map(|p| graph.weight_of(p)).sum::<u64>() as f64;
    let wanted = wanted_count(households, parts.len(), target, band);
    dissolve_scraps(graph, &mut parts, target, band);
    reach_count(graph, &mut parts, wanted);
    parts
}

/// Scraps (a grid cut by a new boundary, say) under half the band's lower edge cannot be
/// filled by moves: they join their neighbours.
fn dissolve_scraps(graph: &SiteGraph, parts: &mut Vec<Vec<usize>>, target: f64, band: f64) {
    let scrap = (target - band) / 2.0;
    while parts.len() > 1 && parts.iter().any(|p| (graph.weight_of(p) as f64) < scrap) {
        if !dissolve_lightest(graph, parts) {
            break;
        }
    }
}

fn reach_count(graph: &SiteGraph, parts: &mut Vec<Vec<usize>>, wanted: usize) {
    let total_sites: usize = parts.iter().map(Vec::len).sum();
    while parts.len() < wanted && parts.len() < total_sites {
        if !seed_new_part(graph, parts) {
            break;
        }
    }
    while parts.len() > wanted.max(1) {
        if !dissolve_lightest(graph, parts) {
            break;
        }
    }
}

/// Rebalances an existing partition with the fewest buildings moved: the part count is
/// adjusted to the households (each candidate grid to seed from or dissolve is tried, and
/// keeping the count), boundary moves bring parts within the band, and the best candidates
/// are annealed ([`anneal_moves`]); the candidate with the fewest parts outside the band,
/// then the fewest buildings moved, wins. When every candidate leaves parts outside the
/// band, the neighbouring counts whose mean fits the band are tried too: a grid is added
/// or dissolved only when moves cannot balance. `buildings[s]` is how many buildings site
/// `s` holds.
pub fn rebalance_existing(
    graph: &SiteGraph,
    parts: Vec<Vec<usize>>,
    target: f64,
    band: f64,
    buildings: &[u32],
    effort: Effort,
) -> Vec<Vec<usize>> {
    let households = parts.iter().map(|p| graph.weight_of(p)).sum::<u64>() as f64;
    let wanted = wanted_count(households, parts.len(), target, band);
    let original = parts.clone();
    let mut start = parts;
    dissolve_scraps(graph, &mut start, target, band);
    let mut search = Search {
        graph,
        original: &original,
        start: &start,
        target,
        band,
        buildings,
        anneal_scale: 1,
    };
    let mut best = search.best(wanted, households);
    let all_buildings: u64 = original
        .iter()
        .flatten()
        .map(|&n| site_buildings(buildings, n))
        .sum();
    let disruptive = |rank: Rank| rank.0 > 0 || rank.1 * 10 >= all_buildings;
    if effort == Effort::Thorough && disruptive(best.0) {
        search.anneal_scale = THOROUGH_ANNEAL_SCALE;
        let longer = search.best(wanted, households);
        if longer.0 < best.0 {
            best = longer;
        }
    }
    best.1
}

/// What [`rebalance_existing`] searches from.
struct Search<'a> {
    graph: &'a SiteGraph,
    original: &'a [Vec<usize>],
    /// The original parts without scraps.
    start: &'a [Vec<usize>],
    target: f64,
    band: f64,
    buildings: &'a [u32],
    /// Annealing steps, as a multiple of the usual.
    anneal_scale: usize,
}

/// Parts outside the band, then buildings moved.
type Rank = (usize, u64);

impl Search<'_> {
    fn rank(&self, parts: &[Vec<usize>]) -> Rank {
        let outside = parts
            .iter()
            .filter(|p| !within_band(self.graph.weight_of(p) as f64, self.target, self.band))
            .count();
        (
            outside,
            buildings_moved(self.graph, self.original, parts, self.buildings),
        )
    }

    /// Boundary moves, then moved sites sent home.
    fn balance(&self, parts: &[Vec<usize>]) -> Vec<Vec<usize>> {
        let (graph, target, band) = (self.graph, self.target, self.band);
        let mut refiner = Refiner::new(graph, parts, target, band).keeping_existing();
        refiner.run();
        restore_moves(
            graph,
            self.original,
            refiner.parts(),
            target,
            band,
            self.buildings,
        )
    }

    /// The best balanced partition with `wanted` parts or, when that leaves parts outside
    /// the band, with a neighbouring count whose mean fits the band.
    fn best(&self, wanted: usize, households: f64) -> (Rank, Vec<Vec<usize>>) {
        let (target, band) = (self.target, self.band);
        let mut best = self.best_with_count(wanted);
        if best.0.0 > 0 {
            let others = [self.start.len(), wanted + 1, wanted.saturating_sub(1)];
            let mut tried = vec![wanted];
            for count in others {
                if tried.contains(&count) || !count_fits(households, count, target, band) {
                    continue;
                }
                tried.push(count);
                let other = self.best_with_count(count);
                if other.0 < best.0 {
                    best = other;
                }
            }
        }
        // Moved sites sent home with chains carrying on what they displace.
        let (graph, buildings) = (self.graph, self.buildings);
        let homed = restore_with_chains(
            graph,
            self.original,
            best.1.clone(),
            target,
            band,
            buildings,
        );
        let rank = self.rank(&homed);
        if rank < best.0 {
            best = (rank, homed);
        }
        best
    }

    /// Ejection chains for the parts still outside the band, then moved sites sent home.
    fn repair(&self, parts: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
        let (graph, target, band, buildings) = (self.graph, self.target, self.band, self.buildings);
        let repaired = repair_with_chains(graph, self.original, parts, target, band, buildings);
        restore_moves(graph, self.original, repaired, target, band, buildings)
    }

    /// Starting points with `count` parts: each candidate grid to seed a new part from or
    /// to dissolve, and keeping the count.
    fn candidates(&self, count: usize) -> Vec<Vec<Vec<usize>>> {
        let (graph, start) = (self.graph, self.start);
        let mut order: Vec<usize> = (0..start.len()).collect();
        order.sort_by_key(|&p| (graph.weight_of(&start[p]), p));
        let mut candidates: Vec<Vec<Vec<usize>>> = Vec::new();
        if start.len() < count {
            for &p in order.iter().rev().take(CANDIDATES) {
                for seed in seed_sites(graph, start, p).into_iter().take(SEEDS_PER_GRID) {
                    let mut parts = start.to_vec();
                    seed_new_part_at(&mut parts, p, seed);
                    reach_count(graph, &mut parts, count);
                    candidates.push(parts);
                }
            }
        } else if start.len() > count.max(1) {
            for &p in order.iter().take(CANDIDATES) {
                let mut parts = start.to_vec();
                if dissolve_part(graph, &mut parts, p) {
                    reach_count(graph, &mut parts, count);
                    candidates.push(parts);
                }
            }
        }
        if candidates.is_empty() {
            let mut parts = start.to_vec();
            reach_count(graph, &mut parts, count);
            candidates.push(parts);
        }
        // Keeping the number of grids is a candidate too: a grid is added or dissolved
        // only when moves alone leave more grids outside the band.
        if start.len() != count {
            candidates.push(start.to_vec());
        }
        candidates
    }

    /// The best balanced candidate for `count` parts, the best few annealed.
    fn best_with_count(&self, count: usize) -> (Rank, Vec<Vec<usize>>) {
        let mut balanced: Vec<(Rank, usize, Vec<Vec<usize>>)> = self
            .candidates(count)
            .iter()
            .map(|c| self.balance(c))
            .enumerate()
            .map(|(i, parts)| (self.rank(&parts), i, parts))
            .collect();
        balanced.sort_by_key(|a| (a.0, a.1));
        let sites: usize = self.original.iter().map(Vec::len).sum();
        let steps = (sites * ANNEAL_STEPS_PER_SITE).clamp(ANNEAL_STEPS_MIN, ANNEAL_STEPS_MAX)
            * self.anneal_scale;
        let (graph, target, band, buildings) = (self.graph, self.target, self.band, self.buildings);
        balanced
            .into_iter()
            .take(ANNEALED)
            .map(|(before, i, parts)| {
                let annealed = anneal_moves(
                    graph,
                    self.original,
                    parts.clone(),
                    target,
                    band,
                    buildings,
                    steps,
                );
                let mut annealed =
                    restore_moves(graph, self.original, annealed, target, band, buildings);
                let mut after = self.rank(&annealed);
                if after.0 > 0 {
                    let repaired = self.repair(annealed.clone());
                    let rank = self.rank(&repaired);
                    if rank < after {
                        (annealed, after) = (repaired, rank);
                    }
                }
                if after < before {
                    (after, i, annealed)
                } else {
                    (before, i, parts)
                }
            })
            .min_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)))
            .map(|(rank, _, parts)| (rank, parts))
            .unwrap_or_else(|| ((usize::MAX, u64::MAX), self.start.to_vec()))
    }
}

/// A new part of one site, taken from the heaviest part where it borders the most other
/// heavy parts (so the new grid can draw on several surpluses).
fn seed_new_part(graph: &SiteGraph, parts: &mut Vec<Vec<usize>>) -> bool {
    let weight: Vec<u64> = parts.iter().map(|p| graph.weight_of(p)).collect();
    let Some(heaviest) = (0..parts.len())
        .filter(|&p| parts[p].len() > 1)
        .max_by_key(|&p| (weight[p], std::cmp::Reverse(p)))
    else {
        return false;
    };
    seed_new_part_from(graph, parts, heaviest)
}

/// A new part of one site of part `heaviest`, where it borders the most other heavy parts.
fn seed_new_part_from(graph: &SiteGraph, parts: &mut Vec<Vec<usize>>, heaviest: usize) -> bool {
    match seed_sites(graph, parts, heaviest).first() {
        Some(&seed) => {
            seed_new_part_at(parts, heaviest, seed);
            true
        }
        None => false,
    }
}

/// Sites of part `p` a new part can start from: on its border, removable without cutting
/// it apart; those bordering the heaviest other parts first (the new grid can draw on
/// several surpluses), then the heaviest sites.
fn seed_sites(graph: &SiteGraph, parts: &[Vec<usize>], p: usize) -> Vec<usize> {
    let Some(members) = parts.get(p).filter(|m| m.len() >= 2) else {
        return Vec::new();
    };
    let of = part_of(graph, parts);
    let weight: Vec<u64> = parts.iter().map(|q| graph.weight_of(q)).collect();
    let mut ranked: Vec<(u64, u32, usize)> = Vec::new();
    for &n in members {
        let mut neighbours: Vec<usize> = graph.adjacency[n]
            .iter()
            .map(|&m| of[m])
            .filter(|&q| q != p && q != usize::MAX)
            .collect();
        neighbours.sort_unstable();
        neighbours.dedup();
        if neighbours.is_empty() || !graph.connected_without(&of, p, members.len(), n) {
            continue;
        }
        let pull: u64 = neighbours.iter().map(|&q| weight[q]).sum();
        ranked.push((pull, graph.weight[n], n));
    }
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    ranked.into_iter().map(|(_, _, n)| n).collect()
}

/// Moves `seed` out of part `from` into a new part of its own.
fn seed_new_part_at(parts: &mut Vec<Vec<usize>>, from: usize, seed: usize) {
    if let Some(members) = parts.get_mut(from) {
        members.retain(|&n| n != seed);
    }
    parts.push(vec![seed]);
}

/// Dissolves the lightest part.
fn dissolve_lightest(graph: &SiteGraph, parts: &mut Vec<Vec<usize>>) -> bool {
    let weight: Vec<u64> = parts.iter().map(|p| graph.weight_of(p)).collect();
    let Some(lightest) = (0..parts.len()).min_by_key(|&p| (weight[p], p)) else {
        return false;
    };
    dissolve_part(graph, parts, lightest)
}

/// Gives part `dissolved`'s sites to the neighbouring parts, each to its lightest
/// neighbour, growing inwards from the border so every part stays connected.
fn dissolve_part(graph: &SiteGraph, parts: &mut Vec<Vec<usize>>, dissolved: usize) -> bool {
    if dissolved >= parts.len() || parts.len() < 2 {
        return false;
    }
    let mut weights: Vec<u64> = parts.iter().map(|p| graph.weight_of(p)).collect();
    let mut of = part_of(graph, parts);
    let mut left: Vec<usize> = parts[dissolved].clone();
    while !left.is_empty() {
        let mut progress = false;
        let mut i = 0;
        while i < left.len() {
            let n = left[i];
            let receiver = graph.adjacency[n]
                .iter()
                .map(|&m| of[m])
                .filter(|&p| p != dissolved && p != usize::MAX)
                .min_by_key(|&p| (weights[p], p));
            if let Some(p) = receiver {
                of[n] = p;
                weights[p] += u64::from(graph.weight[n]);
                left.swap_remove(i);
                progress = true;
            } else {
                i += 1;
            }
        }
        if !progress {
            // The part borders no other part (an island of its own): keep it.
            return false;
        }
    }
    parts.remove(dissolved);
    let mut rebuilt = vec![Vec::new(); parts.len()];
    let index_after = |p: usize| if p > dissolved { p - 1 } else { p };
    for (n, &p) in of.iter().enumerate() {
        if p != usize::MAX && p != dissolved {
            rebuilt[index_after(p)].push(n);
        }
    }
    *parts = rebuilt;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_households_seed_a_new_part_and_fewer_dissolve_one() {
        let graph = SiteGraph::row(&[115; 12]);
        let parts: Vec<Vec<usize>> = (0..4).map(|p| (p * 3..p * 3 + 3).collect()).collect();
        // 4 × 345: +15% over a target of 300 → 5 parts (1380 / 5 = 276).
        let grown = adjust_part_count(&graph, parts.clone(), 300.0, 30.0);
        assert_eq!(grown.len(), 5);
        assert_eq!(grown.iter().map(Vec::len).sum::<usize>(), 12);
        for p in &grown {
            assert_eq!(graph.components(p).len(), 1);
        }
        // 4 × 345 with a target of 460 → 3 parts.
        let shrunk = adjust_part_count(&graph, parts.clone(), 460.0, 46.0);
        assert_eq!(shrunk.len(), 3);
        for p in &shrunk {
            assert_eq!(graph.components(p).len(), 1);
        }
        // Already fitting: untouched.
        assert_eq!(adjust_part_count(&graph, parts.clone(), 345.0, 34.5), parts);
        let ones = [1; 12];
        assert_eq!(
            rebalance_existing(&graph, parts.clone(), 345.0, 34.5, &ones, Effort::Quick),
            parts
        );
    }

    #[test]
    fn the_grid_dissolved_or_seeded_is_the_one_moving_fewest_buildings() {
        // A row of 12 sites of 115 households in 4 grids of 3; the last grid's sites hold
        // one tower each, the others twenty houses each.
        let graph = SiteGraph::row(&[115; 12]);
        let parts: Vec<Vec<usize>> = (0..4).map(|p| (p * 3..p * 3 + 3).collect()).collect();
        let buildings: Vec<u32> = (0..12).map(|s| if s >= 9 { 1 } else { 20 }).collect();
        let balanced = |parts: Vec<Vec<usize>>, target: f64| {
            let mut refiner = Refiner::new(&graph, &parts, target, target * 0.1).keeping_existing();
            refiner.run();
            refiner.parts()
        };
        // 1380 households: 3 grids for a target of 460 (one dissolves), 6 for 230 (two
        // seed). The search never does worse than the plain rule, and better here.
        for (target, grids) in [(460.0, 3), (230.0, 6)] {
            let band = target * 0.1;
            let plain = balanced(
                adjust_part_count(&graph, parts.clone(), target, band),
                target,
            );
            let chosen = rebalance_existing(
                &graph,
                parts.clone(),
                target,
                band,
                &buildings,
                Effort::Quick,
            );
            assert_eq!((chosen.len(), plain.len()), (grids, grids));
            assert_eq!(chosen.iter().map(Vec::len).sum::<usize>(), 12);
            for p in &chosen {
                assert_eq!(graph.components(p).len(), 1, "{chosen:?}");
                assert!((graph.weight_of(p) as f64 - target).abs() <= band + 1e-9);
            }
            // (grids outside the band, buildings moved): never worse than the plain rule.
            let score = |after: &[Vec<usize>]| {
                let outside = after
                    .iter()
                    .filter(|p| (graph.weight_of(p) as f64 - target).abs() > band + 1e-9)
                    .count();
                (outside, buildings_moved(&graph, &parts, after, &buildings))
            };
            assert!(
                score(&chosen) <= score(&plain),
                "target {target}: chosen {chosen:?} {:?}, plain {plain:?} {:?}",
                score(&chosen),
                score(&plain)
            );
            if target == 460.0 {
                // Dissolving the first grid (the lightest by index) leaves the row unable
                // to balance with the fewest moves; dissolving the towers' grid balances.
                assert!(score(&plain).0 > 0);
            }
        }
        // Dissolving the towers' grid: its 3 towers plus two sites of houses passed along
        // the row (3 + 40 + 20 = 63), not a grid of sixty houses.
        let chosen = rebalance_existing(
            &graph,
            parts.clone(),
            460.0,
            46.0,
            &buildings,
            Effort::Quick,
        );
        assert_eq!(buildings_moved(&graph, &parts, &chosen, &buildings), 63);
    }
}
