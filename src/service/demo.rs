//! The demo district: an empty store gets the generated Dongsheng district (东胜区, seed 1),
//! written in one transaction, partitioned into grids, staffed (交通街道 as Suizhou staffs
//! its grids, every other base grid its grid worker, some communities short of the norm)
//! and given the last 30 days of incidents with their histories — what `serve` shows on a
//! fresh machine and what the benchmarks run on.

use crate::domain::*;
use crate::engine::Engine;
use crate::generate::activity::{self, Activity, ActivityOptions, Beat};
use crate::generate::staffing_plan::{self, CommunityPosts, GridPost, StaffingPlanOptions};
use crate::generate::{DONGSHENG_HOUSEHOLDS, GenerateOptions};
use crate::partition::PartitionOptions;
use crate::service::partition_job::{self, Commit, PartitionJobError, Scope};
use crate::service::staffing::WORKERS_PER_10K_NORM;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use geo_types::Point;
use std::collections::BTreeMap;

/// Days of incidents before the demo is loaded.
const DEMO_DAYS: u32 = 30;
/// Reports per base grid and day (Xi'an's ~3 counts every source of a big city; a quieter
/// district's grid sees one every two days).
const REPORTS_PER_GRID_DAY: f64 = 0.5;
/// Who dispatches in the demo's histories.
const DISPATCHER: &str = "东胜区网格化服务管理中心";
/// Share of the communities outside the model street staffed below the norm.
const SHORT_SHARE: f64 = 0.2;

/// Why the demo could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("generating the demo district: {0}")]
    Generate(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Partition(#[from] PartitionJobError),
}

/// What loading the demo reports as it goes (a CLI shows bars).
pub trait DemoProgress: Sync {
    /// The district is being generated (`done` once it is).
    fn generating(&self, done: bool);
    /// `written` of `total` rows are in the store.
    fn writing(&self, written: u64, total: u64);
}

/// The demo as loaded: its grids and how many are within ±10% of the target.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoLoaded {
    pub grids: usize,
    pub within_10_percent: f64,
    pub target: u32,
}

/// Generates, writes, partitions and staffs the demo district when the store has no
/// communities; `None` when it has some (nothing is done).
pub async fn load_demo_if_empty(
    store: &dyn Store,
    progress: &dyn DemoProgress,
    now: DateTime<Utc>,
) -> Result<Option<DemoLoaded>, DemoError> {
    if store.counts().await?.communities > 0 {
        return Ok(None);
    }
    progress.generating(false);
    let options = GenerateOptions {
        households: DONGSHENG_HOUSEHOLDS,
        seed: 1,
    };
    let data = crate::generate::generate_dongsheng(&options);
    progress.generating(true);
    let mut data = data.map_err(DemoError::Generate)?;
    // The generator's week of incidents is replaced by a month ending now, once grids exist.
    data.incidents.clear();
    data.incident_events.clear();
    let total = data.len() as u64;
    let report = |n: u64| progress.writing(n, total);
    store.write(&data, Some(&report)).await?;
    let options = PartitionOptions::default();
    let run = partition_job::run(store, &Scope::All, &options, Commit::Write, &|_, _| {}).await?;
    // The staffing plan gives every worker its post: settling workers by position first
    // would be overwritten.
    populate(store, now).await?;
    Ok(Some(DemoLoaded {
        grids: run.metrics.grids,
        within_10_percent: run.metrics.within_10_percent,
        target: options.target,
    }))
}

/// Staffs the partitioned demo and writes its month of incidents (two writes).
async fn populate(store: &dyn Store, now: DateTime<Utc>) -> Result<(), DemoError> {
    let engine = Engine::load(store).await?;
    let places = grid_places(&engine);
    let posts = grid_posts(&engine, &places);
    let mut pool: Vec<Worker> = engine.workers().all().to_vec();
    pool.sort_by(|a, b| a.id.cmp(&b.id));
    let model_street = posts
        .first()
        .map(|c| c.community.street())
        .ok_or_else(|| DemoError::Generate("the demo has no base grid".into()))?;
    let workers = staffing_plan::staff(
        &pool,
        &posts,
        &StaffingPlanOptions {
            model_street,
            norm_per_10k: WORKERS_PER_10K_NORM,
            short_share: SHORT_SHARE,
            now,
            seed: 1,
        },
    );
    let Activity { incidents, events } = activity::simulate(
        &beats(&posts, &places, &workers),
        &Taxonomy::default(),
        &ActivityOptions {
            until: now,
            days: DEMO_DAYS,
            reports_per_beat_day: REPORTS_PER_GRID_DAY,
            dispatcher: DISPATCHER.into(),
            first_number: 1,
            seed: 1,
        },
    );
    store
        .write(
            &Dataset {
                workers,
                incidents,
                incident_events: events,
                ..Dataset::default()
            },
            None,
        )
        .await?;
    Ok(())
}

/// Places incidents happen at and workers stand at: every building's inner point with its
/// name, by the grid holding it, in building order.
fn grid_places(engine: &Engine) -> BTreeMap<&GridCode, Vec<(Point<f64>, String)>> {
    let mut places: BTreeMap<&GridCode, Vec<(Point<f64>, String)>> = BTreeMap::new();
    let mut buildings: Vec<_> = engine.building_info().iter().collect();
    buildings.sort_by(|a, b| a.0.cmp(b.0));
    for (_, info) in buildings {
        if let Some(grid) = engine.grids().locate(info.anchor) {
            let name = info.name.clone().unwrap_or_default();
            places.entry(grid).or_default().push((info.anchor, name));
        }
    }
    places
}

/// Every community's base grids holding a building, with their places, in code order.
fn grid_posts(
    engine: &Engine,
    places: &BTreeMap<&GridCode, Vec<(Point<f64>, String)>>,
) -> Vec<CommunityPosts> {
    let mut communities: BTreeMap<CommunityCode, CommunityPosts> = BTreeMap::new();
    let mut grids: Vec<_> = engine
        .grid_info()
        .iter()
        .filter(|(_, i)| i.kind == GridKind::Base)
        .collect();
    grids.sort_by(|a, b| a.0.cmp(b.0));
    for (code, info) in grids {
        let Some(points) = places.get(code) else {
            continue;
        };
        let entry = communities
            .entry(info.community.clone())
            .or_insert_with(|| CommunityPosts {
                community: info.community.clone(),
                residents: 0,
                grids: Vec::new(),
            });
        entry.residents += u64::from(info.residents);
        entry.grids.push(GridPost {
            grid: code.clone(),
            places: points.iter().map(|(p, _)| *p).collect(),
        });
    }
    communities.into_values().collect()
}

/// One beat per base grid: its buildings, its grid worker.
fn beats(
    posts: &[CommunityPosts],
    places: &BTreeMap<&GridCode, Vec<(Point<f64>, String)>>,
    workers: &[Worker],
) -> Vec<Beat> {
    let mut handlers: BTreeMap<&GridCode, Vec<(WorkerId, String)>> = BTreeMap::new();
    for w in workers.iter().filter(|w| w.role == WorkerRole::GridWorker) {
        if let [grid] = w.grids.as_slice() {
            handlers
                .entry(grid)
                .or_default()
                .push((w.id.clone(), w.name.clone()));
        }
    }
    posts
        .iter()
        .flat_map(|c| &c.grids)
        .map(|g| Beat {
            grid: Some(g.grid.clone()),
            places: places.get(&g.grid).cloned().unwrap_or_default(),
            handlers: handlers.get(&g.grid).cloned().unwrap_or_default(),
        })
        .collect()
}
