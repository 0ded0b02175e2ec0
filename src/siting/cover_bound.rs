//! An upper bound on the best cover of `k` sites, by Lagrangian relaxation of the covering
//! constraints and subgradient steps: no choice of `k` sites covers more, so a choice's gap
//! to the bound is at least its gap to the exact optimum.

use super::max_cover::CoverProblem;

/// The bound and how it was reached.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverBound {
    /// No `k` sites cover more weight than this.
    pub upper: f64,
    pub iterations: usize,
}

/// Subgradient iterations at most.
const MAX_ITERATIONS: usize = 400;

impl CoverProblem {
    /// An upper bound on the weight any `k` sites cover, given a cover `known` that some
    /// choice reaches (it steers the steps).
    ///
    /// For multipliers `λ` (one per demand point, `0 ≤ λᵢ ≤ wᵢ`) the relaxed problem
    /// `Σ max(0, wᵢ − λᵢ) + (the k largest of Σ_{i ∈ site} λᵢ)` bounds the optimum from
    /// above; the steps lower it.
    ///
    /// ```
    /// use gridmap::siting::CoverProblem;
    /// let problem = CoverProblem {
    ///     weights: vec![3.0, 3.0, 1.0, 3.0, 3.0],
    ///     covers: vec![vec![0, 1], vec![1, 2, 3], vec![3, 4]],
    /// };
    /// let best = problem.choose(2).covered;
    /// let bound = problem.upper_bound(2, best);
    /// assert!(bound.upper >= best - 1e-9 && bound.upper <= 13.0 + 1e-9);
    /// ```
    pub fn upper_bound(&self, k: usize, known: f64) -> CoverBound {
        let n = self.weights.len();
        if n == 0 || k == 0 {
            return CoverBound {
                upper: known,
                iterations: 0,
            };
        }
        let mut lambda: Vec<f64> = self.weights.iter().map(|w| w * 0.5).collect();
        let mut best = f64::INFINITY;
        let mut step_scale = 2.0;
        let mut since_better = 0;
        let mut iterations = 0;
        let mut values = vec![0.0; self.covers.len()];
        let mut count = vec![0u32; n];
        while iterations < MAX_ITERATIONS {
            iterations += 1;
            for (v, sites) in values.iter_mut().zip(&self.covers) {
                *v = sites.iter().map(|&d| lambda[d as usize]).sum();
            }
            let top = top_k(&values, k);
            let free: f64 = self
                .weights
                .iter()
                .zip(&lambda)
                .map(|(w, l)| (w - l).max(0.0))
                .sum();
            let bound = free + top.iter().map(|&s| values[s]).sum::<f64>();
            if bound < best - 1e-9 {
                best = bound;
                since_better = 0;
            } else {
                since_better += 1;
                if since_better >= 20 {
                    step_scale /= 2.0;
                    since_better = 0;
                }
            }
            if best - known <= 1e-6 * (1.0 + known) || step_scale < 1e-4 {
                break;
            }
            // The subgradient: how often each point is covered by the top sites, less
            // whether the relaxation takes it free.
            count.iter_mut().for_each(|c| *c = 0);
            for &s in &top {
                for &d in &self.covers[s] {
                    count[d as usize] += 1;
                }
            }
            let grad: Vec<f64> = (0..n)
                .map(|i| {
                    let free = f64::from(u8::from(self.weights[i] > lambda[i]));
                    f64::from(count[i]) - free
                })
                .collect();
            let norm: f64 = grad.iter().map(|g| g * g).sum();
            if norm == 0.0 {
                break;
            }
            let step = step_scale * (bound - known).max(1e-9) / norm;
            for ((l, g), w) in lambda.iter_mut().zip(&grad).zip(&self.weights) {
                *l = (*l - step * g).clamp(0.0, *w);
            }
        }
        CoverBound {
            upper: best.max(known),
            iterations,
        }
    }
}

/// The indices of the `k` largest values.
fn top_k(values: &[f64], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    let k = k.min(order.len());
    if k == 0 {
        return Vec::new();
    }
    order.select_nth_unstable_by(k - 1, |&a, &b| values[b].total_cmp(&values[a]));
    order.truncate(k);
    order
}
