//! Maximal covering location: choose `k` candidate sites that together cover the most
//! demand weight; greedy (lazily re-evaluated gains), then swaps of one chosen site for one
//! unchosen while any swap adds weight.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Demand points with weights and, for each candidate site, the demand points it covers.
#[derive(Debug, Clone, Default)]
pub struct CoverProblem {
    /// Weight of each demand point (households).
    pub weights: Vec<f64>,
    /// For each candidate, the demand points it covers (indices into `weights`).
    pub covers: Vec<Vec<u32>>,
}

/// Chosen sites and the weight they cover together.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Candidate indices, in the order they were chosen.
    pub sites: Vec<u32>,
    pub covered: f64,
    /// How many swaps improved the greedy choice.
    pub swaps: usize,
}

/// A candidate's gain when it was last evaluated (the largest first).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Gain {
    gain: f64,
    site: u32,
}

impl Eq for Gain {}

impl Ord for Gain {
    fn cmp(&self, other: &Self) -> Ordering {
        self.gain
            .total_cmp(&other.gain)
            .then(other.site.cmp(&self.site))
    }
}

impl PartialOrd for Gain {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl CoverProblem {
    /// The weight a set of sites covers together.
    pub fn covered_by(&self, sites: &[u32]) -> f64 {
        let mut seen = vec![false; self.weights.len()];
        let mut total = 0.0;
        for &s in sites {
            for &d in self.covers.get(s as usize).map_or(&[][..], Vec::as_slice) {
                if !std::mem::replace(&mut seen[d as usize], true) {
                    total += self.weights[d as usize];
                }
            }
        }
        total
    }

    /// The best `k` sites found by greedy choice and swaps (fewer when fewer candidates
    /// add anything).
    ///
    /// ```
    /// use gridmap::siting::CoverProblem;
    /// // Greedy takes the big middle site first and can then add only one end; swapping
    /// // the middle for the other end covers everything.
    /// let problem = CoverProblem {
    ///     weights: vec![3.0, 3.0, 1.0, 3.0, 3.0],
    ///     covers: vec![vec![0, 1], vec![1, 2, 3], vec![3, 4]],
    /// };
    /// let choice = problem.choose(2);
    /// assert_eq!(choice.covered, 12.0);
    /// assert_eq!(choice.swaps, 1);
    /// ```
    pub fn choose(&self, k: usize) -> Choice {
        let mut state = Cover::new(self);
        let sites = self.greedy(k, &mut state);
        let mut choice = Choice {
            covered: state.total,
            sites,
            swaps: 0,
        };
        while self.best_swap(&mut choice, &mut state) {
            choice.swaps += 1;
        }
        choice
    }

    /// Greedy choice: each time the candidate adding the most; gains only fall as sites are
    /// added, so a candidate is re-evaluated only when it comes to the top.
    fn greedy(&self, k: usize, state: &mut Cover) -> Vec<u32> {
        let mut heap: BinaryHeap<Gain> = (0..self.covers.len())
            .map(|s| Gain {
                gain: self.gain_of(s as u32, state),
                site: s as u32,
            })
            .filter(|g| g.gain > 0.0)
            .collect();
        let mut sites = Vec::new();
        while sites.len() < k {
            let Some(top) = heap.pop() else { break };
            let now = self.gain_of(top.site, state);
            if now <= 0.0 {
                continue;
            }
            if heap.peek().is_none_or(|next| now >= next.gain) {
                state.add(self, top.site);
                sites.push(top.site);
            } else {
                heap.push(Gain {
                    gain: now,
                    site: top.site,
                });
            }
        }
        sites
    }

    /// What a site would add to the cover now.
    fn gain_of(&self, site: u32, state: &Cover) -> f64 {
        self.covers[site as usize]
            .iter()
            .filter(|&&d| state.count[d as usize] == 0)
            .map(|&d| self.weights[d as usize])
            .sum()
    }

    /// Makes the one swap (a chosen site out, an unchosen one in) that adds the most, if
    /// any adds weight; whether one was made.
    fn best_swap(&self, choice: &mut Choice, state: &mut Cover) -> bool {
        let chosen: Vec<bool> = {
            let mut c = vec![false; self.covers.len()];
            for &s in &choice.sites {
                c[s as usize] = true;
            }
            c
        };
        let mut best: Option<(usize, u32, f64)> = None;
        for (slot, &out) in choice.sites.iter().enumerate() {
            let loss = self.loss_of(out, state);
            state.remove(self, out);
            for candidate in 0..self.covers.len() as u32 {
                if chosen[candidate as usize] {
                    continue;
                }
                let change = self.gain_of(candidate, state) - loss;
                // A swap must add more than rounding to count.
                if change > 1e-9 * (1.0 + state.total) && best.is_none_or(|(_, _, b)| change > b) {
                    best = Some((slot, candidate, change));
                }
            }
            state.add(self, out);
        }
        let Some((slot, candidate, _)) = best else {
            return false;
        };
        state.remove(self, choice.sites[slot]);
        state.add(self, candidate);
        choice.sites[slot] = candidate;
        choice.covered = state.total;
        true
    }

    /// The weight only this chosen site covers.
    fn loss_of(&self, site: u32, state: &Cover) -> f64 {
        self.covers[site as usize]
            .iter()
            .filter(|&&d| state.count[d as usize] == 1)
            .map(|&d| self.weights[d as usize])
            .sum()
    }
}

/// How many chosen sites cover each demand point, and the weight covered.
struct Cover {
    count: Vec<u32>,
    total: f64,
}

impl Cover {
    fn new(problem: &CoverProblem) -> Self {
        Self {
            count: vec![0; problem.weights.len()],
            total: 0.0,
        }
    }

    fn add(&mut self, problem: &CoverProblem, site: u32) {
        for &d in &problem.covers[site as usize] {
            let c = &mut self.count[d as usize];
            if *c == 0 {
                self.total += problem.weights[d as usize];
            }
            *c += 1;
        }
    }

    fn remove(&mut self, problem: &CoverProblem, site: u32) {
        for &d in &problem.covers[site as usize] {
            let c = &mut self.count[d as usize];
            *c -= 1;
            if *c == 0 {
                self.total -= problem.weights[d as usize];
            }
        }
    }
}
