//! Whether a site can belong to any connected grid within the tolerance band: an exhaustive,
//! bounded search over the connected sets holding it. A site no such set holds makes its
//! grid miss the band whatever the partition ("building sizes do not allow").

use super::graph::SiteGraph;

/// What the search found out about a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandReach {
    /// Some connected set holding the site weighs within the band.
    Reachable,
    /// No connected set holding the site does: proven by exhausting them all.
    Unreachable,
    /// The search stopped at its budget before deciding.
    Unknown,
}

/// Searches the connected sets of `allowed` sites holding `start` that weigh at most
/// `high` households for one weighing at least `low`, visiting at most `budget` sets.
/// Every connected set is enumerated once: a branch either takes a candidate neighbour or
/// forbids it for the rest of the search; sets above `high` are pruned (weights are never
/// negative, so their supersets are too heavy as well).
///
/// ```
/// use gridmap::partition::{BandReach, SiteGraph, band_reach};
/// // A 207-household building whose only neighbour has 297: alone it is below 270,
/// // with its neighbour above 330.
/// let graph = SiteGraph {
///     x: vec![0.0, 1.0, 2.0],
///     y: vec![0.0; 3],
///     weight: vec![207, 297, 30],
///     adjacency: vec![vec![1], vec![0, 2], vec![1]],
///     shared_m: vec![vec![1.0], vec![1.0, 1.0], vec![1.0]],
/// };
/// let all = |_: usize| true;
/// assert_eq!(band_reach(&graph, 0, &all, 270, 330, 1000), BandReach::Unreachable);
/// assert_eq!(band_reach(&graph, 2, &all, 270, 330, 1000), BandReach::Reachable);
/// ```
pub fn band_reach(
    graph: &SiteGraph,
    start: usize,
    allowed: &dyn Fn(usize) -> bool,
    low: u64,
    high: u64,
    budget: usize,
) -> BandReach {
    let weight = u64::from(graph.weight[start]);
    if weight > high {
        return BandReach::Unreachable;
    }
    let mut search = Search {
        graph,
        allowed,
        low,
        high,
        budget,
        state: vec![Mark::Free; graph.len()],
    };
    search.state[start] = Mark::Taken;
    let mut candidates = Vec::new();
    for &m in &graph.adjacency[start] {
        if allowed(m) && search.state[m] == Mark::Free {
            search.state[m] = Mark::Candidate;
            candidates.push(m);
        }
    }
    search.extend(weight, candidates)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Free,
    Taken,
    Candidate,
    Forbidden,
}

struct Search<'a> {
    graph: &'a SiteGraph,
    allowed: &'a dyn Fn(usize) -> bool,
    low: u64,
    high: u64,
    budget: usize,
    state: Vec<Mark>,
}

impl Search<'_> {
    /// Explores the sets made of the taken sites plus any of `candidates` (and what they
    /// open up). Restores every mark it changes before returning.
    fn extend(&mut self, weight: u64, mut candidates: Vec<usize>) -> BandReach {
        if weight >= self.low {
            return BandReach::Reachable;
        }
        if self.budget == 0 {
            return BandReach::Unknown;
        }
        self.budget -= 1;
        let mut forbidden = Vec::new();
        let mut outcome = BandReach::Unreachable;
        while let Some(v) = candidates.pop() {
            let with_v = weight + u64::from(self.graph.weight[v]);
            if with_v <= self.high {
                self.state[v] = Mark::Taken;
                let mut next = candidates.clone();
                let mut opened = Vec::new();
                for &m in &self.graph.adjacency[v] {
                    if (self.allowed)(m) && self.state[m] == Mark::Free {
                        self.state[m] = Mark::Candidate;
                        next.push(m);
                        opened.push(m);
                    }
                }
                let found = self.extend(with_v, next);
                for m in opened {
                    self.state[m] = Mark::Free;
                }
                if found != BandReach::Unreachable {
                    outcome = found;
                    self.state[v] = Mark::Candidate;
                    forbidden.push(v);
                    break;
                }
            }
            // Sets holding v are done (or too heavy): v is out for the rest.
            self.state[v] = Mark::Forbidden;
            forbidden.push(v);
        }
        for v in forbidden.into_iter().chain(candidates) {
            self.state[v] = Mark::Candidate;
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_end_chain_behind_a_heavy_site_cannot_reach_the_band() {
        // 116 at the end of a chain of small sites whose only way out is a 235 site:
        // the chain alone stays below 270, with the 235 site it overshoots 330.
        let graph = SiteGraph::row(&[116, 5, 13, 10, 11, 235, 40, 40]);
        let all = |_: usize| true;
        assert_eq!(
            band_reach(&graph, 0, &all, 270, 330, 10_000),
            BandReach::Unreachable
        );
        // The 235 site itself reaches the band with its other neighbours (235 + 40 + 40).
        assert_eq!(
            band_reach(&graph, 5, &all, 270, 330, 10_000),
            BandReach::Reachable
        );
    }

    #[test]
    fn sites_outside_the_allowed_set_are_never_taken() {
        let graph = SiteGraph::row(&[200, 100, 0]);
        assert_eq!(
            band_reach(&graph, 0, &|_| true, 270, 330, 100),
            BandReach::Reachable
        );
        assert_eq!(
            band_reach(&graph, 0, &|n| n != 1, 270, 330, 100),
            BandReach::Unreachable
        );
    }

    #[test]
    fn the_budget_bounds_the_search() {
        // A clique of light sites: many sets, none heavy enough.
        let n = 16;
        let graph = SiteGraph {
            x: vec![0.0; n],
            y: vec![0.0; n],
            weight: vec![1; n],
            adjacency: (0..n)
                .map(|i| (0..n).filter(|&j| j != i).collect())
                .collect(),
            shared_m: (0..n).map(|_| vec![1.0; n - 1]).collect(),
        };
        assert_eq!(
            band_reach(&graph, 0, &|_| true, 270, 330, 50),
            BandReach::Unknown
        );
        assert_eq!(
            band_reach(&graph, 0, &|_| true, 10, 330, 50),
            BandReach::Reachable
        );
    }

    #[test]
    fn an_exhaustive_search_agrees_with_brute_force_on_small_graphs() {
        // Every subset of a 3 × 3 lattice: the band is reachable from a site exactly when
        // some connected subset holding it weighs within the band.
        let w = [50u32, 120, 80, 200, 10, 90, 60, 140, 30];
        let n = w.len();
        let adjacency: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                let (r, c) = (i / 3, i % 3);
                let mut a = Vec::new();
                if r > 0 {
                    a.push(i - 3);
                }
                if r < 2 {
                    a.push(i + 3);
                }
                if c > 0 {
                    a.push(i - 1);
                }
                if c < 2 {
                    a.push(i + 1);
                }
                a
            })
            .collect();
        let graph = SiteGraph {
            x: vec![0.0; n],
            y: vec![0.0; n],
            weight: w.to_vec(),
            shared_m: adjacency.iter().map(|a| vec![1.0; a.len()]).collect(),
            adjacency,
        };
        for (low, high) in [(270, 330), (400, 410), (95, 99), (781, 781)] {
            for start in 0..n {
                let brute = (0u32..1 << n).any(|mask| {
                    let set: Vec<usize> = (0..n).filter(|&i| mask & (1 << i) != 0).collect();
                    let total: u64 = set.iter().map(|&i| u64::from(w[i])).sum();
                    mask & (1 << start) != 0
                        && (low..=high).contains(&total)
                        && graph.components(&set).len() == 1
                });
                let found = band_reach(&graph, start, &|_| true, low, high, 1_000_000);
                assert_eq!(
                    found == BandReach::Reachable,
                    brute,
                    "start {start}, band {low}..={high}"
                );
                assert_ne!(found, BandReach::Unknown);
            }
        }
    }
}
