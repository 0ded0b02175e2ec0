//! The exact best cover of `k` sites, as a mixed-integer programme (one binary per site, one
//! covered share per group of demand points that the same sites cover) solved by the pure
//! Rust `microlp` solver through `good_lp`, for problems small enough to solve in seconds.

use super::max_cover::{Choice, CoverProblem};
use good_lp::{
    Expression, Solution, SolutionStatus, SolverModel, Variable, WithInitialSolution,
    WithTimeLimit, constraint, microlp, variable, variables,
};
use std::collections::HashMap;
use std::time::Duration;

/// The largest programme tried: sites plus demand groups.
pub const MAX_EXACT_ROWS: usize = 20_000;

/// The largest programme tried: site–group pairs.
pub const MAX_EXACT_PAIRS: usize = 1_000_000;

/// Why no exact optimum was computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExactError {
    #[error("the programme is too large to solve exactly here ({rows} rows, {pairs} pairs)")]
    TooLarge { rows: usize, pairs: usize },
    #[error("the solver failed: {0}")]
    Solver(String),
    #[error("no proven optimum within {0:?}")]
    TimeLimit(Duration),
}

impl CoverProblem {
    /// The exact best choice of at most `k` sites, when the programme is small enough and
    /// the solver proves it within `time_limit`; `start` (a known choice) warms it up.
    ///
    /// ```
    /// use gridmap::siting::CoverProblem;
    /// let problem = CoverProblem {
    ///     weights: vec![3.0, 3.0, 1.0, 3.0, 3.0],
    ///     covers: vec![vec![0, 1], vec![1, 2, 3], vec![3, 4]],
    /// };
    /// let limit = std::time::Duration::from_secs(5);
    /// let best = problem.exact(2, limit, Some(&problem.choose(2))).unwrap();
    /// assert_eq!(best.covered, 12.0);
    /// let mut sites = best.sites.clone();
    /// sites.sort();
    /// assert_eq!(sites, [0, 2]);
    /// ```
    pub fn exact(
        &self,
        k: usize,
        time_limit: Duration,
        start: Option<&Choice>,
    ) -> Result<Choice, ExactError> {
        let groups = self.demand_groups();
        let useful: Vec<u32> = (0..self.covers.len() as u32)
            .filter(|&s| !self.covers[s as usize].is_empty())
            .collect();
        let rows = groups.len() + useful.len();
        let pairs: usize = groups.iter().map(|(sites, _)| sites.len()).sum();
        if rows > MAX_EXACT_ROWS || pairs > MAX_EXACT_PAIRS {
            return Err(ExactError::TooLarge { rows, pairs });
        }
        let mut vars = variables!();
        let site_vars: HashMap<u32, Variable> = useful
            .iter()
            .map(|&s| (s, vars.add(variable().binary())))
            .collect();
        let shares: Vec<Variable> = groups
            .iter()
            .map(|_| vars.add(variable().min(0.0).max(1.0)))
            .collect();
        let objective: Expression = shares
            .iter()
            .zip(&groups)
            .map(|(&y, (_, weight))| *weight * y)
            .sum();
        let mut warm: Vec<(Variable, f64)> = Vec::new();
        if let Some(start) = start {
            let chosen: std::collections::HashSet<u32> = start.sites.iter().copied().collect();
            warm.extend(
                site_vars
                    .iter()
                    .map(|(s, &v)| (v, f64::from(u8::from(chosen.contains(s))))),
            );
            warm.extend(shares.iter().zip(&groups).map(|(&y, (sites, _))| {
                (
                    y,
                    f64::from(u8::from(sites.iter().any(|s| chosen.contains(s)))),
                )
            }));
        }
        let mut model = vars
            .maximise(objective)
            .using(microlp)
            .with_time_limit(time_limit.as_secs_f64());
        if !warm.is_empty() {
            model = model.with_initial_solution(warm);
        }
        for (&y, (sites, _)) in shares.iter().zip(&groups) {
            let any: Expression = sites.iter().map(|s| site_vars[s]).sum();
            model.add_constraint(constraint!(y <= any));
        }
        let count: Expression = site_vars.values().copied().sum();
        model.add_constraint(constraint!(count <= k as f64));
        let solution = model.solve().map_err(|e| match e {
            good_lp::ResolutionError::Other(_) => ExactError::TimeLimit(time_limit),
            e => ExactError::Solver(e.to_string()),
        })?;
        if !matches!(solution.status(), SolutionStatus::Optimal) {
            return Err(ExactError::TimeLimit(time_limit));
        }
        let mut sites: Vec<u32> = useful
            .into_iter()
            .filter(|s| solution.value(site_vars[s]) > 0.5)
            .collect();
        sites.sort_unstable();
        Ok(Choice {
            covered: self.covered_by(&sites),
            sites,
            swaps: 0,
        })
    }

    /// Demand points grouped by the sites that cover them (points no site covers left
    /// out), with the group's weight.
    fn demand_groups(&self) -> Vec<(Vec<u32>, f64)> {
        let mut by_point: Vec<Vec<u32>> = vec![Vec::new(); self.weights.len()];
        for (s, points) in self.covers.iter().enumerate() {
            for &d in points {
                by_point[d as usize].push(s as u32);
            }
        }
        let mut groups: HashMap<Vec<u32>, f64> = HashMap::new();
        for (sites, weight) in by_point.into_iter().zip(&self.weights) {
            if !sites.is_empty() && *weight > 0.0 {
                *groups.entry(sites).or_insert(0.0) += weight;
            }
        }
        let mut groups: Vec<_> = groups.into_iter().collect();
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        groups
    }
}
