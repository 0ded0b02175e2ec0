//! `gridmap bench rebalance`: previews of splits and merges on the default generated
//! district (time each), and how many buildings a ±15% household change moves: every
//! household of the community scaled, a new compound built, or a block demolished.

use crate::domain::*;
use crate::partition::{
    CommunityPlan, PartitionMetrics, PartitionOptions, Start, fewest_moves_bound,
    partition_community,
};
use crate::service::job_stop::JobStop;
use crate::service::rebalance::{self, Operation, Preview};
use crate::store::{LayerQuery, Store};
use geo::{BoundingRect, Centroid, Intersects, MapCoords};
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

/// A new compound adding 15% of the community's households: copies of the residential
/// buildings of the base grid with the fewest buildings (mid- and high-rise blocks), a few
/// metres off, without a grid.
fn new_compound(buildings: &[Building]) -> Vec<Building> {
    let total: u32 = buildings.iter().map(|b| b.households).sum();
    let mut per_grid: HashMap<&GridCode, usize> = HashMap::new();
    for b in buildings.iter().filter(|b| b.kind.is_residential()) {
        if let Some(g) = &b.grid {
            *per_grid.entry(g).or_default() += 1;
        }
    }
    let Some(grid) = per_grid
        .into_iter()
        .min_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0)))
        .map(|(g, _)| g.clone())
    else {
        return Vec::new();
    };
    let models: Vec<&Building> = buildings
        .iter()
        .filter(|b| b.grid.as_ref() == Some(&grid) && b.kind.is_residential() && b.households > 0)
        .collect();
    let mut compound = Vec::new();
    let mut added = 0u32;
    for (i, b) in models.iter().cycle().enumerate().take(10_000) {
        if f64::from(added) >= 0.15 * f64::from(total) {
            break;
        }
        let shift = 0.00003 * (1 + i % 7) as f64;
        compound.push(Building {
            id: BuildingId(format!("bench-compound-{i}")),
            footprint: b
                .footprint
                .map_coords(|c| geo::coord! {x: c.x + shift, y: c.y - shift}),
            grid: None,
            ..(*b).clone()
        });
        added += b.households;
    }
    compound
}

/// The community without its westernmost residential buildings (a block demolished for
/// redevelopment), until 15% of its households are gone.
fn demolished_block(buildings: &[Building]) -> Vec<Building> {
    let total: u32 = buildings.iter().map(|b| b.households).sum();
    let mut west_first: Vec<(f64, usize)> = buildings
        .iter()
        .enumerate()
        .filter(|(_, b)| b.kind.is_residential() && b.households > 0)
        .filter_map(|(i, b)| b.footprint.centroid().map(|c| (c.x(), i)))
        .collect();
    west_first.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut demolished = HashSet::new();
    let mut removed = 0u32;
    for (_, i) in west_first {
        if f64::from(removed) >= 0.15 * f64::from(total) {
            break;
        }
        removed += buildings[i].households;
        demolished.insert(i);
    }
    buildings
        .iter()
        .enumerate()
        .filter(|(i, _)| !demolished.contains(i))
        .map(|(_, b)| b.clone())
        .collect()
}

/// How many of `before`'s buildings still standing `plan` puts in another grid.
fn buildings_moved(before: &[Building], plan: &CommunityPlan) -> usize {
    let after: HashMap<BuildingId, GridCode> = plan.assignments().into_iter().collect();
    before
        .iter()
        .filter(|b| {
            b.grid.is_some() && after.get(&b.id).is_some_and(|a| Some(a) != b.grid.as_ref())
        })
        .count()
}

/// One measured preview.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewRun {
    pub operation: String,
    pub ms: f64,
    pub buildings: usize,
    pub buildings_moved: usize,
    /// Share of the balanced base grids within ±10% (grids flagged unbalanceable left out).
    pub within_10_percent: f64,
    /// Base grids flagged unbalanceable: proven outside the band in every partition.
    pub unbalanceable: usize,
    /// For household changes: the fewest buildings any rebalancing within tolerance must
    /// move ([`fewest_moves_bound`]); `None` when no number of grids fits the band.
    pub fewest_possible: Option<usize>,
}

impl PreviewRun {
    /// The run of a preview that took `ms`.
    fn of(operation: String, ms: f64, p: &Preview, fewest_possible: Option<usize>) -> Self {
        Self {
            operation,
            ms,
            buildings: p.buildings,
            buildings_moved: p.buildings_moved,
            within_10_percent: p.metrics.within_10_percent,
            unbalanceable: p.metrics.unbalanceable,
            fewest_possible,
        }
    }
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
    /// least 10% of the buildings, no number of grids fits the band, or a grid is proven
    /// unbalanceable (no rebalancing within tolerance exists).
    pub changes_impossible_under_10_percent: usize,
    /// New compounds (+15% of households in new buildings) and demolished blocks (−15%) run,
    /// how many moved under 10% of the buildings with every grid within the band, and how
    /// many no rebalancing within tolerance can do under 10% (the bound, for demolished
    /// blocks; for both, a grid proven unbalanceable).
    pub local_changes: usize,
    pub local_changes_met: usize,
    pub local_changes_impossible_under_10_percent: usize,
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
    let barriers = crate::service::partition_job::barriers(store)
        .await
        .map_err(|e| e.to_string())?;
    let keep = PartitionOptions {
        start: Start::KeepExisting,
        ..options
    };
    let (target, band) = (
        f64::from(options.target),
        options.tolerance * f64::from(options.target),
    );
    let mut runs = Vec::new();
    let mut record = |run: PreviewRun| {
        let bound = match (run.operation.starts_with("households"), run.fewest_possible) {
            (_, Some(b)) => format!("  (at least {b} must move)"),
            (true, None) => "  (no grid count fits the band)".to_string(),
            (false, None) => String::new(),
        };
        let bound = if run.unbalanceable > 0 {
            format!(
                "{bound}  ({} grid(s) no partition can balance)",
                run.unbalanceable
            )
        } else {
            bound
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
        if let Ok(p) = rebalance::preview(store, &split, &options, &JobStop::default()).await {
            let ms = t.elapsed().as_secs_f64() * 1e3;
            record(PreviewRun::of(
                format!("split {} in two", c.code),
                ms,
                &p,
                None,
            ));
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
            if let Ok(p) = rebalance::preview(store, &merge, &options, &JobStop::default()).await {
                let ms = t.elapsed().as_secs_f64() * 1e3;
                let operation = format!("merge {} + {}", c.code, other.code);
                record(PreviewRun::of(operation, ms, &p, None));
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
                .map(|b| b.with_households_scaled(factor))
                .collect();
            let fewest_possible =
                fewest_moves_bound(&households_by_grid(&changed, &base_grids), target, band);
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
            let result = rebalance::preview(store, &adjust, &options, &JobStop::default()).await;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            store
                .write(&write(original.clone()), None)
                .await
                .map_err(|e| e.to_string())?;
            if let Ok(p) = result {
                let operation = format!("households ×{factor} in {}", c.code);
                record(PreviewRun::of(operation, ms, &p, fewest_possible));
            }
        }
        // A new compound and a demolished block: the same partitioning a preview runs.
        let compound = new_compound(&original);
        let with_compound: Vec<Building> = original.iter().chain(&compound).cloned().collect();
        let demolished = demolished_block(&original);
        // Only for the demolished block: the compound's buildings have no grid to count
        // moves from.
        let demolished_bound =
            fewest_moves_bound(&households_by_grid(&demolished, &base_grids), target, band);
        for (label, changed, fewest_possible) in [
            ("new compound +15%", with_compound, None),
            ("demolished block −15%", demolished, demolished_bound),
        ] {
            let refs: Vec<&Building> = changed.iter().collect();
            let t = Instant::now();
            let plan =
                tokio::task::block_in_place(|| partition_community(c, &refs, &barriers, &keep));
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if let Ok(plan) = plan {
                let metrics = PartitionMetrics::of(
                    std::slice::from_ref(&plan),
                    options.target,
                    options.tolerance,
                    ms,
                );
                record(PreviewRun {
                    operation: format!("{label} in {}", c.code),
                    ms,
                    buildings: original.len(),
                    buildings_moved: buildings_moved(&original, &plan),
                    within_10_percent: metrics.within_10_percent,
                    unbalanceable: metrics.unbalanceable,
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
    // Every grid: grids flagged unbalanceable are outside the band too.
    let in_band = |r: &PreviewRun| r.within_10_percent >= 1.0 - 1e-9 && r.unbalanceable == 0;
    let changes_outside_band = changes.iter().filter(|r| !in_band(r)).count();
    // Moved under 10% with every grid in the band; no plan within tolerance can.
    let met = |r: &&&PreviewRun| in_band(r) && under_10(r.buildings_moved, r);
    let impossible =
        |r: &&&PreviewRun| r.unbalanceable > 0 || r.fewest_possible.is_none_or(|b| !under_10(b, r));
    let changes_met = changes.iter().filter(met).count();
    let changes_impossible_under_10_percent = changes.iter().filter(impossible).count();
    let local: Vec<&PreviewRun> = runs
        .iter()
        .filter(|r| {
            r.operation.starts_with("new compound") || r.operation.starts_with("demolished")
        })
        .collect();
    let local_changes_met = local.iter().filter(met).count();
    // Only demolished blocks have a bound; a new compound is impossible when a grid is
    // proven unbalanceable.
    let local_changes_impossible_under_10_percent = local
        .iter()
        .filter(|r| r.operation.starts_with("demolished") || r.unbalanceable > 0)
        .filter(impossible)
        .count();
    Ok(RebalanceBenchReport {
        local_changes_impossible_under_10_percent,
        local_changes: local.len(),
        local_changes_met,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of buildings west to east: `households` each, the first `in_small_grid` in grid
    /// A (the grid of fewest buildings), the rest in grid B.
    fn row(households: &[u32], in_small_grid: usize) -> Vec<Building> {
        households
            .iter()
            .enumerate()
            .map(|(i, &h)| {
                let x = 110.0 + 0.001 * i as f64;
                let ring = vec![
                    (x, 39.8),
                    (x + 0.0002, 39.8),
                    (x + 0.0002, 39.8002),
                    (x, 39.8),
                ];
                Building {
                    id: BuildingId(format!("b{i}")),
                    footprint: geo::MultiPolygon::new(vec![geo::Polygon::new(ring.into(), vec![])]),
                    households: h,
                    residents: h * 2,
                    floors: None,
                    kind: BuildingKind::Apartments,
                    name: None,
                    address: None,
                    building_head: None,
                    community: None,
                    grid: if i < in_small_grid {
                        "150602001001001"
                    } else {
                        "150602001001002"
                    }
                    .parse()
                    .ok(),
                }
            })
            .collect()
    }

    #[test]
    fn a_new_compound_copies_the_grid_of_fewest_buildings_until_15_percent_more() {
        // 1,000 households: grid A of two towers of 100, grid B of twenty houses of 40.
        let mut households = vec![100, 100];
        households.extend([40; 20]);
        let compound = new_compound(&row(&households, 2));
        // 150 households: two copies of the towers reach 200.
        assert_eq!(compound.len(), 2);
        assert!(
            compound
                .iter()
                .all(|b| b.grid.is_none() && b.households == 100)
        );
        assert!(
            compound
                .iter()
                .all(|b| b.id.0.starts_with("bench-compound-"))
        );
    }

    #[test]
    fn a_demolished_block_is_the_westernmost_15_percent_of_households() {
        let buildings = row(&[50; 20], 5);
        let left = demolished_block(&buildings);
        // 1,000 households: the three westernmost buildings (150) go.
        assert_eq!(left.len(), 17);
        assert_eq!(left[0].id, BuildingId("b3".into()));
    }
}
