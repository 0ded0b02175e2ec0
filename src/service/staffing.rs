//! Staffing checks (grids without a worker, communities below the worker ratio, grids far
//! above the household target) and the assignment of workers to the grids they stand in.

use crate::domain::*;
use crate::engine::Engine;
use crate::store::{Store, StoreError};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Community workers per 10,000 residents below which a community is understaffed (the
/// common provincial norm).
pub const WORKERS_PER_10K_NORM: f64 = 18.0;

/// Thresholds of the checks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StaffingOptions {
    /// Community workers per 10,000 residents below which a community is understaffed
    /// (the common provincial norm is 18).
    pub workers_per_10k_residents: f64,
    pub target_households: u32,
    /// A grid above this multiple of the target is flagged.
    pub overload_factor: f64,
}

impl Default for StaffingOptions {
    fn default() -> Self {
        Self {
            workers_per_10k_residents: WORKERS_PER_10K_NORM,
            target_households: 300,
            overload_factor: 1.5,
        }
    }
}

/// A community below the ratio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Understaffed {
    pub community: CommunityCode,
    pub name: Option<String>,
    pub workers: usize,
    pub residents: u64,
    pub workers_per_10k_residents: f64,
    /// Workers missing to reach the ratio.
    pub missing: u64,
}

/// A grid far above the household target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overloaded {
    pub grid: GridCode,
    pub households: u32,
}

/// The checks' findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffingReport {
    pub options: StaffingOptions,
    pub base_grids: usize,
    /// Base grids no grid worker (网格员) serves; grid leaders serving many do not count.
    pub grids_without_worker: Vec<GridCode>,
    pub understaffed_communities: Vec<Understaffed>,
    pub overloaded_grids: Vec<Overloaded>,
}

/// Runs the checks on the engine's grids and workers.
pub fn check(engine: &Engine, options: &StaffingOptions) -> StaffingReport {
    let mut base: Vec<&GridCode> = engine
        .grid_info()
        .iter()
        .filter(|(_, i)| i.kind == GridKind::Base)
        .map(|(c, _)| c)
        .collect();
    base.sort();
    // One grid, one grid worker (一格一员): leaders serving many grids do not count.
    let grids_without_worker = base
        .iter()
        .filter(|g| {
            !engine
                .workers()
                .serving(g)
                .any(|w| w.role == WorkerRole::GridWorker)
        })
        .map(|g| (*g).clone())
        .collect();
    let mut residents: BTreeMap<CommunityCode, u64> = BTreeMap::new();
    for info in engine.grid_info().values() {
        *residents.entry(info.community.clone()).or_default() += u64::from(info.residents);
    }
    let mut staff: BTreeMap<CommunityCode, BTreeSet<&WorkerId>> = BTreeMap::new();
    for w in engine.workers().all() {
        for g in &w.grids {
            staff.entry(g.community()).or_default().insert(&w.id);
        }
    }
    let understaffed_communities = residents
        .iter()
        .filter(|(_, r)| **r > 0)
        .filter_map(|(c, &r)| {
            let workers = staff.get(c).map_or(0, BTreeSet::len);
            let ratio = workers as f64 * 10_000.0 / r as f64;
            (ratio < options.workers_per_10k_residents).then(|| Understaffed {
                community: c.clone(),
                name: engine.community_names().get(c).cloned(),
                workers,
                residents: r,
                workers_per_10k_residents: ratio,
                missing: ((options.workers_per_10k_residents * r as f64 / 10_000.0).ceil() as u64)
                    .saturating_sub(workers as u64),
            })
        })
        .collect();
    let limit = f64::from(options.target_households) * options.overload_factor;
    let mut overloaded_grids: Vec<Overloaded> = engine
        .grid_info()
        .iter()
        .filter(|(_, i)| i.kind == GridKind::Base && f64::from(i.households) > limit)
        .map(|(g, i)| Overloaded {
            grid: g.clone(),
            households: i.households,
        })
        .collect();
    overloaded_grids.sort_by(|a, b| b.households.cmp(&a.households).then(a.grid.cmp(&b.grid)));
    StaffingReport {
        options: *options,
        base_grids: base.len(),
        grids_without_worker,
        understaffed_communities,
        overloaded_grids,
    }
}

/// Gives every worker with a position the grids where they stand: grid workers, patrols
/// and building heads the grid holding their position; grid leaders and community workers
/// every base grid of that community. Workers outside every grid keep theirs. Returns the changed workers.
pub fn assign_by_position(engine: &Engine) -> Vec<Worker> {
    let mut base_of: BTreeMap<CommunityCode, Vec<GridCode>> = BTreeMap::new();
    for (code, info) in engine.grid_info() {
        if info.kind == GridKind::Base {
            base_of
                .entry(info.community.clone())
                .or_default()
                .push(code.clone());
        }
    }
    for list in base_of.values_mut() {
        list.sort();
    }
    engine
        .workers()
        .all()
        .iter()
        .filter(|w| !w.is_retired())
        .filter_map(|w| {
            let grid = engine.grids().locate(w.position?)?.clone();
            let grids = if w.role.serves_whole_community() {
                base_of.get(&grid.community()).cloned()?
            } else {
                vec![grid]
            };
            (grids != w.grids).then(|| Worker { grids, ..w.clone() })
        })
        .collect()
}

/// After a partition: workers serve the grids they stand in ([`assign_by_position`]) and
/// incidents get the grid they lie in; one write. Returns the rows written.
pub async fn settle(store: &dyn Store) -> Result<u64, StoreError> {
    let engine = Engine::load(store).await?;
    let workers = assign_by_position(&engine);
    let incidents: Vec<Incident> = engine
        .incidents()
        .all()
        .filter_map(|i| {
            let grid = engine.grids().locate(i.location)?.clone();
            (i.grid.as_ref() != Some(&grid)).then(|| Incident {
                grid: Some(grid),
                ..i.clone()
            })
        })
        .collect();
    let data = Dataset {
        workers,
        incidents,
        ..Dataset::default()
    };
    store.write(&data, None).await
}
