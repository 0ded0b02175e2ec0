//! When households change, a community may need more or fewer grids: a new grid is seeded
//! where the heaviest grids meet and fed by their surplus; the lightest grid is dissolved
//! into its neighbours. Existing grids keep everything else (the refiner then balances
//! with the fewest moves).

use super::choose_parts;
use super::graph::SiteGraph;

/// Adds or dissolves parts until their number suits the households: the count nearest to
/// the current one whose parts can average within the band.
pub fn adjust_part_count(
    graph: &SiteGraph,
    mut parts: Vec<Vec<usize>>,
    target: f64,
    band: f64,
) -> Vec<Vec<usize>> {
    let households = parts.iter().map(|p| graph.weight_of(p)).sum::<u64>() as f64;
    // The count nearest to the current one whose average fits the band (fewest grids
    // added or dissolved); when none does, the best count for the households.
    let fits = |k: usize| k > 0 && (households / k as f64 - target).abs() <= band;
    let current = parts.len();
    let best = choose_parts(households, target);
    let wanted = (0..=current.abs_diff(best))
        .flat_map(|d| [current + d, current.saturating_sub(d)])
        .find(|&k| fits(k))
        .unwrap_or(best);
    // Scraps (a grid cut by a new boundary, say) under half the band's lower edge cannot
    // be filled by moves: they join their neighbours first.
    let scrap = (target - band) / 2.0;
    while parts.len() > 1 && parts.iter().any(|p| (graph.weight_of(p) as f64) < scrap) {
        if !dissolve_lightest(graph, &mut parts) {
            break;
        }
    }
    let total_sites: usize = parts.iter().map(Vec::len).sum();
    while parts.len() < wanted && parts.len() < total_sites {
        if !seed_new_part(graph, &mut parts) {
            break;
        }
    }
    while parts.len() > wanted.max(1) {
        if !dissolve_lightest(graph, &mut parts) {
            break;
        }
    }
    parts
}

fn part_of(graph: &SiteGraph, parts: &[Vec<usize>]) -> Vec<usize> {
    let mut of = vec![usize::MAX; graph.len()];
    for (p, members) in parts.iter().enumerate() {
        for &n in members {
            of[n] = p;
        }
    }
    of
}

/// A new part of one site, taken from the heaviest part where it borders the most other
/// heavy parts (so the new grid can draw on several surpluses).
fn seed_new_part(graph: &SiteGraph, parts: &mut Vec<Vec<usize>>) -> bool {
    let of = part_of(graph, parts);
    let weight: Vec<u64> = parts.iter().map(|p| graph.weight_of(p)).collect();
    let Some(heaviest) = (0..parts.len())
        .filter(|&p| parts[p].len() > 1)
        .max_by_key(|&p| (weight[p], std::cmp::Reverse(p)))
    else {
        return false;
    };
    // Candidate sites: on the heaviest part's border, removable without cutting it apart;
    // best where the neighbouring parts are heavy.
    let mut best: Option<(u64, usize)> = None;
    for &n in &parts[heaviest] {
        let mut neighbours: Vec<usize> = graph.adjacency[n]
            .iter()
            .map(|&m| of[m])
            .filter(|&p| p != heaviest && p != usize::MAX)
            .collect();
        neighbours.sort_unstable();
        neighbours.dedup();
        let pull: u64 = neighbours.iter().map(|&p| weight[p]).sum();
        if best.is_none_or(|b| (pull, std::cmp::Reverse(n)) > (b.0, std::cmp::Reverse(b.1)))
            && graph.connected_without(&of, heaviest, parts[heaviest].len(), n)
        {
            best = Some((pull, n));
        }
    }
    let Some((_, seed)) = best else {
        return false;
    };
    parts[heaviest].retain(|&n| n != seed);
    parts.push(vec![seed]);
    true
}

/// Gives the lightest part's sites to the neighbouring parts, each to its lightest
/// neighbour, growing inwards from the border so every part stays connected.
fn dissolve_lightest(graph: &SiteGraph, parts: &mut Vec<Vec<usize>>) -> bool {
    let weight: Vec<u64> = parts.iter().map(|p| graph.weight_of(p)).collect();
    let Some(lightest) = (0..parts.len()).min_by_key(|&p| (weight[p], p)) else {
        return false;
    };
    let mut of = part_of(graph, parts);
    let mut left: Vec<usize> = parts[lightest].clone();
    let mut weights = weight.clone();
    while !left.is_empty() {
        let mut progress = false;
        let mut i = 0;
        while i < left.len() {
            let n = left[i];
            let receiver = graph.adjacency[n]
                .iter()
                .map(|&m| of[m])
                .filter(|&p| p != lightest && p != usize::MAX)
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
    parts.remove(lightest);
    let mut rebuilt = vec![Vec::new(); parts.len()];
    let index_after = |p: usize| if p > lightest { p - 1 } else { p };
    for (n, &p) in of.iter().enumerate() {
        if p != usize::MAX && p != lightest {
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
    }
}
