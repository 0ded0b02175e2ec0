//! Partition quality: household balance, contiguity, compactness, tiling, runtime.

use super::plan::{CommunityPlan, GridFlag};
use crate::domain::GridKind;
use serde::Serialize;

/// Per-grid figures, as reported by `--json` and the API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GridMetrics {
    pub code: String,
    pub kind: GridKind,
    pub flag: GridFlag,
    pub households: u32,
    pub residents: u32,
    pub buildings: usize,
    pub polsby_popper: f64,
    pub contiguous: bool,
}

/// Metrics of a partition run over one or more communities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionMetrics {
    pub target: u32,
    pub tolerance: f64,
    pub communities: usize,
    pub grids: usize,
    pub base_grids: usize,
    pub dedicated_grids: usize,
    /// Base grids that are one oversized building (excluded from balance figures).
    pub oversized_grids: usize,
    /// Base grids cut off with too few households for a full grid (excluded too).
    pub small_enclaves: usize,
    /// Base grids that building sizes keep outside the band (flagged unbalanceable:
    /// excluded too).
    pub unbalanceable: usize,
    /// Households per balanced base grid.
    pub households_min: u32,
    pub households_median: u32,
    pub households_max: u32,
    /// Share of balanced base grids within ±10% and ±20% of the target.
    pub within_10_percent: f64,
    pub within_20_percent: f64,
    /// Share of grids whose polygon is one piece.
    pub contiguous: f64,
    pub polsby_popper_mean: f64,
    pub polsby_popper_min: f64,
    /// Largest relative difference between a community's area and its grids' total area.
    pub tiling_error_max: f64,
    pub partition_ms: f64,
    /// Of `partition_ms`, the time spent cutting balanced parts.
    pub cut_ms: f64,
    pub polygons_ms: f64,
    pub total_ms: f64,
}

impl PartitionMetrics {
    /// Computes the metrics of `plans`.
    pub fn of(plans: &[CommunityPlan], target: u32, tolerance: f64, total_ms: f64) -> Self {
        let grids: Vec<_> = plans.iter().flat_map(|p| &p.grids).collect();
        let t = f64::from(target);
        let balanced: Vec<u32> = grids
            .iter()
            .filter(|g| g.grid.kind == GridKind::Base && g.grid.flag == GridFlag::Normal)
            .map(|g| g.grid.households)
            .collect();
        let mut sorted = balanced.clone();
        sorted.sort_unstable();
        let share = |band: f64| {
            if balanced.is_empty() {
                return 1.0;
            }
            balanced
                .iter()
                .filter(|&&h| (f64::from(h) - t).abs() <= band * t + 1e-9)
                .count() as f64
                / balanced.len() as f64
        };
        let pp: Vec<f64> = grids.iter().map(|g| g.polsby_popper).collect();
        let tiling_error_max = plans
            .iter()
            .map(|p| {
                let sum: f64 = p.grids.iter().map(|g| g.area_m2).sum();
                if p.area_m2 > 0.0 {
                    (sum - p.area_m2).abs() / p.area_m2
                } else {
                    0.0
                }
            })
            .fold(0.0, f64::max);
        Self {
            target,
            tolerance,
            communities: plans.len(),
            grids: grids.len(),
            base_grids: grids
                .iter()
                .filter(|g| g.grid.kind == GridKind::Base)
                .count(),
            dedicated_grids: grids
                .iter()
                .filter(|g| g.grid.kind == GridKind::Dedicated)
                .count(),
            oversized_grids: grids
                .iter()
                .filter(|g| g.grid.flag == GridFlag::OversizedBuilding)
                .count(),
            small_enclaves: grids
                .iter()
                .filter(|g| g.grid.flag == GridFlag::SmallEnclave)
                .count(),
            unbalanceable: grids
                .iter()
                .filter(|g| g.grid.flag == GridFlag::Unbalanceable)
                .count(),
            households_min: sorted.first().copied().unwrap_or(0),
            households_median: sorted.get(sorted.len() / 2).copied().unwrap_or(0),
            households_max: sorted.last().copied().unwrap_or(0),
            within_10_percent: share(0.1),
            within_20_percent: share(0.2),
            contiguous: if grids.is_empty() {
                1.0
            } else {
                grids.iter().filter(|g| g.parts == 1).count() as f64 / grids.len() as f64
            },
            polsby_popper_mean: if pp.is_empty() {
                0.0
            } else {
                pp.iter().sum::<f64>() / pp.len() as f64
            },
            polsby_popper_min: pp.iter().copied().fold(f64::INFINITY, f64::min).min(1.0),
            tiling_error_max,
            partition_ms: plans.iter().map(|p| p.partition_ms).sum(),
            cut_ms: plans.iter().map(|p| p.cut_ms).sum(),
            polygons_ms: plans.iter().map(|p| p.polygons_ms).sum(),
            total_ms,
        }
    }

    /// Per-grid figures.
    pub fn grids(plans: &[CommunityPlan]) -> Vec<GridMetrics> {
        plans
            .iter()
            .flat_map(|p| &p.grids)
            .map(|g| GridMetrics {
                code: g.grid.code.to_string(),
                kind: g.grid.kind,
                flag: g.grid.flag,
                households: g.grid.households,
                residents: g.grid.residents,
                buildings: g.buildings.len(),
                polsby_popper: g.polsby_popper,
                contiguous: g.parts == 1,
            })
            .collect()
    }
}
