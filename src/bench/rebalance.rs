//! `gridmap bench rebalance`: previews of splits and merges on the default generated
//! district (time each), and how many buildings a ±15% household change moves.

use crate::domain::*;
use crate::partition::{PartitionOptions, fewest_moves_bound};
use crate::service::rebalance::{self, Operation};
use crate::store::{LayerQuery, Store};
use geo::{BoundingRect, Centroid, Intersects};
use geo_types::{Geometry, LineString};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::time::Instant;

/// The households of each building of `buildings`, grouped by their (base) grid.
fn households_by_grid(buildings: &[Building], base_grids: &HashSet<GridCode>) -> Vec<Vec<u32>> {
    let mut by: HashMap<&GridCode, Vec<u32>> = HashMap::new();
    for b in buildings {
        if let Some(g) = b.grid.as_ref().filter(|g| base_grids.contains(*g)) {
            by.entry(g).or_default().push(b.households);
        }
    }
    by.into_values().collect()
}

/// One measured preview.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewRun {
    pub operation: String,
    pub ms: f64,
    pub buildings: usize,
    pub buildings_moved: usize,
    pub within_10_percent: f64,
    /// For household changes: the fewest buildings any rebalancing within tolerance must
    /// move ([`fewest_moves_bound`]); `None` when no number of grids fits the band.
    pub fewest_possible: Option<usize>,
}

/// The figures of a run.
#[derive(Debug, Clone, Serialize)]
pub struct RebalanceBenchReport {
    pub runs: Vec<PreviewRun>,
    pub split_ms_max: f64,
    pub merge_ms_max: f64,
    /// Largest share of a community's buildings moved by +15% / −15% households.
    pub grow_moved_max: f64,
    pub shrink_moved_max: f64,
    /// Household changes (both signs) run, how many moved under 10% of the buildings, how
    /// many left a balanced grid outside the tolerance band, and how many did both: moved
    /// under 10% with every grid within the band (the target).
    pub changes: usize,
    pub changes_under_10_percent: usize,
    pub changes_outside_band: usize,
    pub changes_met: usize,
    /// Changes where no rebalancing within tolerance can move under 10%: the bound is at
    /// least 10% of the buildings, or no number of grids fits the band.
    pub changes_impossible_under_10_percent: usize,
}

/// Runs the benchmark over the first `communities` communities of a partitioned store.
pub async fn run(
    store: &dyn Store,
    communities: usize,
    say: &(dyn Fn(&str) + Sync),
) -> Result<RebalanceBenchReport, String> {
    let options = PartitionOptions::default();
    let all = store
        .communities(&LayerQuery::default())
        .await
        .map_err(|e| e.to_string())?;
    let mut runs = Vec::new();
    let mut record = |run: PreviewRun| {
        let bound = match (run.operation.starts_with("households"), run.fewest_possible) {
            (false, _) => String::new(),
            (true, Some(b)) => format!("  (at least {b} must move)"),
            (true, None) => "  (no grid count fits the band)".to_string(),
        };
        say(&format!(
            "{:<60} {:>8.1} ms  moved {:>4} of {:>5} buildings ({:>4.1}%)  within ±10% {:>5.1}%{bound}",
            run.operation,
            run.ms,
            run.buildings_moved,
            run.buildings,
            100.0 * run.buildings_moved as f64 / run.buildings.max(1) as f64,
            run.within_10_percent * 100.0
        ));
        runs.push(run);
    };
    for c in all.iter().take(communities) {
        // Split along a north-south line through the middle.
        let (Some(rect), Some(centre)) = (c.boundary.bounding_rect(), c.boundary.centroid()) else {
            continue;
        };
        let line = LineString::from(vec![
            (centre.x(), rect.min().y - 0.01),
            (centre.x(), rect.max().y + 0.01),
        ]);
        let Ok(new_code) = format!("{}{:03}", c.code.street(), 990).parse::<CommunityCode>() else {
            continue;
        };
        let split = Operation::Split {
            community: c.code.clone(),
            blade: Geometry::LineString(line),
            codes: vec![c.code.clone(), new_code],
            names: Vec::new(),
        };
        let t = Instant::now();
        if let Ok(p) = rebalance::preview(store, &split, &options).await {
            record(PreviewRun {
                operation: format!("split {} in two", c.code),
                ms: t.elapsed().as_secs_f64() * 1e3,
                buildings: p.buildings,
                buildings_moved: p.buildings_moved,
                within_10_percent: p.metrics.within_10_percent,
                fewest_possible: None,
            });
        }
        // Merge with a neighbour of the same street.
        if let Some(other) = all.iter().find(|o| {
            o.code != c.code
                && o.code.street() == c.code.street()
                && o.boundary.intersects(&c.boundary)
        }) {
            let merge = Operation::Merge {
                communities: vec![c.code.clone(), other.code.clone()],
                code: c.code.clone(),
                name: c.name.clone(),
            };
            let t = Instant::now();
            if let Ok(p) = rebalance::preview(store, &merge, &options).await {
                record(PreviewRun {
                    operation: format!("merge {} + {}", c.code, other.code),
                    ms: t.elapsed().as_secs_f64() * 1e3,
                    buildings: p.buildings,
                    buildings_moved: p.buildings_moved,
                    within_10_percent: p.metrics.within_10_percent,
                    fewest_possible: None,
                });
            }
        }
        // Households ±15% in every residential building, then back.
        let q = LayerQuery {
            code_prefix: Some(c.code.to_string()),
            ..LayerQuery::default()
        };
        let original = store.buildings(&q).await.map_err(|e| e.to_string())?;
        let base_grids: HashSet<GridCode> = store
            .grids(&q)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|g| g.kind == GridKind::Base)
            .map(|g| g.code)
            .collect();
        for factor in [1.15, 0.85] {
            let changed: Vec<Building> = original
                .iter()
                .map(|b| Building {
                    households: if b.kind.is_residential() {
                        ((f64::from(b.households) * factor).round() as u32).max(1)
                    } else {
                        b.households
                    },
                    ..b.clone()
                })
                .collect();
            let fewest_possible = fewest_moves_bound(
                &households_by_grid(&changed, &base_grids),
                f64::from(options.target),
                options.tolerance * f64::from(options.target),
            );
            let write = |buildings: Vec<Building>| Dataset {
                buildings,
                ..Dataset::default()
            };
            store
                .write(&write(changed), None)
                .await
                .map_err(|e| e.to_string())?;
            let adjust = Operation::Adjust {
                communities: vec![c.code.clone()],
            };
            let t = Instant::now();
            let result = rebalance::preview(store, &adjust, &options).await;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            store
                .write(&write(original.clone()), None)
                .await
                .map_err(|e| e.to_string())?;
            if let Ok(p) = result {
                record(PreviewRun {
                    operation: format!("households ×{factor} in {}", c.code),
                    ms,
                    buildings: p.buildings,
                    buildings_moved: p.buildings_moved,
                    within_10_percent: p.metrics.within_10_percent,
                    fewest_possible,
                });
            }
        }
    }
    let max = |prefix: &str, f: &dyn Fn(&PreviewRun) -> f64| {
        runs.iter()
            .filter(|r| r.operation.starts_with(prefix))
            .map(f)
            .fold(0.0, f64::max)
    };
    let share = |r: &PreviewRun| r.buildings_moved as f64 / r.buildings.max(1) as f64;
    let changes: Vec<&PreviewRun> = runs
        .iter()
        .filter(|r| r.operation.starts_with("households"))
        .collect();
    let under_10 = |moved: usize, r: &PreviewRun| (moved as f64) < 0.1 * r.buildings as f64;
    let changes_under_10_percent = changes
        .iter()
        .filter(|r| under_10(r.buildings_moved, r))
        .count();
    let in_band = |r: &PreviewRun| r.within_10_percent >= 1.0 - 1e-9;
    let changes_outside_band = changes.iter().filter(|r| !in_band(r)).count();
    let changes_met = changes
        .iter()
        .filter(|r| in_band(r) && under_10(r.buildings_moved, r))
        .count();
    let changes_impossible_under_10_percent = changes
        .iter()
        .filter(|r| r.fewest_possible.is_none_or(|b| !under_10(b, r)))
        .count();
    Ok(RebalanceBenchReport {
        changes: changes.len(),
        changes_under_10_percent,
        changes_outside_band,
        changes_met,
        changes_impossible_under_10_percent,
        split_ms_max: max("split", &|r| r.ms),
        merge_ms_max: max("merge", &|r| r.ms),
        grow_moved_max: runs
            .iter()
            .filter(|r| r.operation.contains("×1.15"))
            .map(share)
            .fold(0.0, f64::max),
        shrink_moved_max: runs
            .iter()
            .filter(|r| r.operation.contains("×0.85"))
            .map(share)
            .fold(0.0, f64::max),
        runs,
    })
}
