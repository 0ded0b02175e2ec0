//! Partitioning a scope (one community, a street, or everything) from the store, and
//! committing the result in one transaction (or not, for a dry run).

pub use super::job_stop::{JobStop, JobStopped};
use crate::domain::{Building, BuildingId, Community, CommunityCode, StreetCode};
use crate::partition::{
    CommunityJob, CommunityPlan, GridMetrics, PartitionError, PartitionMetrics, PartitionOptions,
    RecursiveBisection, partition_communities,
};
use crate::store::{GridReplacement, LayerQuery, Store, StoreError};
use geo_types::LineString;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Instant;

/// What to partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Community(CommunityCode),
    Street(StreetCode),
    All,
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Community(c) => write!(f, "community {c}"),
            Self::Street(s) => write!(f, "street {s}"),
            Self::All => f.write_str("all communities"),
        }
    }
}

/// Whether to write the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    Write,
    DryRun,
}

/// Why a partition job failed; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PartitionJobError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Partition(#[from] PartitionError),
    #[error("no community matches {0}")]
    EmptyScope(String),
    #[error("the job stopped before its end ({0}): nothing was written")]
    Stopped(JobStopped),
}

/// Buildings a job over all communities left out because no community holds them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outside {
    pub count: usize,
    /// The first few, as imported.
    pub examples: Vec<BuildingId>,
}

/// How many buildings outside every community a report names.
const OUTSIDE_EXAMPLES: usize = 5;

/// The outcome of a job.
#[derive(Debug, Clone, Serialize)]
pub struct PartitionReport {
    pub scope: String,
    pub options: PartitionOptions,
    pub committed: bool,
    /// Buildings outside every community (a job over all communities partitions the rest).
    pub outside_communities: Outside,
    /// Communities of the scope with no buildings: they get no grids.
    pub without_buildings: Vec<CommunityCode>,
    pub metrics: PartitionMetrics,
    pub grids: Vec<GridMetrics>,
    #[serde(skip)]
    pub plans: Vec<CommunityPlan>,
}

/// The lines grids should not cross: the barrier roads (major roads, rail, rivers).
pub async fn barriers(store: &dyn Store) -> Result<Vec<LineString<f64>>, StoreError> {
    Ok(store
        .roads(&LayerQuery::default())
        .await?
        .into_iter()
        .filter(|r| r.class.is_barrier())
        .map(|r| r.geometry)
        .collect())
}

/// What a job partitions, read from the store.
struct Loaded {
    communities: Vec<Community>,
    buildings: Vec<Building>,
    barriers: Vec<LineString<f64>>,
    outside: Outside,
}

/// Runs a partition job; `progress` is told how many communities are done of how many.
pub async fn run(
    store: &dyn Store,
    scope: &Scope,
    options: &PartitionOptions,
    commit: Commit,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<PartitionReport, PartitionJobError> {
    let started = Instant::now();
    let loaded = load(store, scope).await?;
    let plans =
        tokio::task::block_in_place(|| cut(&loaded, options, &JobStop::default(), progress))?;
    finish(store, scope, options, commit, loaded, plans, started).await
}

/// [`run`] on a blocking thread of its own, for requests: it stops between communities
/// when `stop` says so (the request's future was dropped — the client went away — or its
/// time limit passed), and then nothing is written.
pub async fn run_detached(
    store: &dyn Store,
    scope: &Scope,
    options: &PartitionOptions,
    commit: Commit,
    stop: JobStop,
) -> Result<PartitionReport, PartitionJobError> {
    let guard = stop.cancel_on_drop();
    let started = Instant::now();
    let loaded = load(store, scope).await?;
    let options_copy = *options;
    let job_stop = stop.clone();
    let (loaded, plans) = stop
        .run_blocking(move || {
            let plans = cut(&loaded, &options_copy, &job_stop, &|_, _| {});
            (loaded, plans)
        })
        .await
        .map_err(PartitionJobError::Stopped)?;
    let report = finish(store, scope, options, commit, loaded, plans?, started).await;
    guard.disarm();
    report
}

/// Reads the communities of the scope, their buildings and the barriers.
async fn load(store: &dyn Store, scope: &Scope) -> Result<Loaded, PartitionJobError> {
    let prefix = match scope {
        Scope::Community(c) => Some(c.to_string()),
        Scope::Street(s) => Some(s.to_string()),
        Scope::All => None,
    };
    let query = LayerQuery {
        code_prefix: prefix,
        ..LayerQuery::default()
    };
    let communities = store.communities(&query).await?;
    if communities.is_empty() {
        return Err(PartitionJobError::EmptyScope(scope.to_string()));
    }
    let buildings = store.buildings(&query).await?;
    let outside_ids: Vec<&BuildingId> = buildings
        .iter()
        .filter(|b| b.community.is_none())
        .map(|b| &b.id)
        .collect();
    let outside = Outside {
        count: outside_ids.len(),
        examples: outside_ids
            .into_iter()
            .take(OUTSIDE_EXAMPLES)
            .cloned()
            .collect(),
    };
    Ok(Loaded {
        communities,
        buildings,
        barriers: barriers(store).await?,
        outside,
    })
}

/// Partitions every community (the CPU-bound part) on every core, checking `stop` before
/// each community.
fn cut(
    loaded: &Loaded,
    options: &PartitionOptions,
    stop: &JobStop,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<CommunityPlan>, PartitionJobError> {
    let mut by_community: HashMap<&CommunityCode, Vec<&Building>> = HashMap::new();
    for b in &loaded.buildings {
        if let Some(c) = &b.community {
            by_community.entry(c).or_default().push(b);
        }
    }
    let total = loaded.communities.len();
    // Over several communities, one without buildings simply gets no grids.
    let jobs: Vec<CommunityJob<'_>> = loaded
        .communities
        .iter()
        .map(|c| (c, by_community.remove(&c.code).unwrap_or_default()))
        .filter(|(_, members)| !members.is_empty() || total == 1)
        .collect();
    partition_communities(
        &jobs,
        &loaded.barriers,
        options,
        &RecursiveBisection,
        &|| stop.check().is_err(),
        progress,
    )
    .map_err(|e| match (e, stop.check()) {
        (PartitionError::Stopped, Err(why)) => PartitionJobError::Stopped(why),
        (e, _) => PartitionJobError::Partition(e),
    })
}

/// Measures the plans and commits them (or not, for a dry run).
async fn finish(
    store: &dyn Store,
    scope: &Scope,
    options: &PartitionOptions,
    commit: Commit,
    loaded: Loaded,
    plans: Vec<CommunityPlan>,
    started: Instant,
) -> Result<PartitionReport, PartitionJobError> {
    let communities = &loaded.communities;
    let metrics = PartitionMetrics::of(
        &plans,
        options.target,
        options.tolerance,
        started.elapsed().as_secs_f64() * 1e3,
    );
    let grids = PartitionMetrics::grids(&plans);
    let committed = commit == Commit::Write;
    if committed {
        let replacement = GridReplacement {
            communities: communities.iter().map(|c| c.code.clone()).collect(),
            grids: plans
                .iter()
                .flat_map(|p| p.grids.iter().map(|g| g.grid.clone()))
                .collect(),
            assignments: plans
                .iter()
                .flat_map(CommunityPlan::assignments)
                .collect::<Vec<(BuildingId, _)>>(),
            scope: scope.to_string(),
            options: serde_json::to_value(options).unwrap_or_default(),
            metrics: serde_json::json!({"summary": &metrics, "grids": &grids}),
            community_rows: communities.clone(),
            author: "partition".into(),
        };
        store.replace_grids(&replacement).await?;
    }
    let planned: std::collections::HashSet<&CommunityCode> =
        plans.iter().map(|p| &p.community).collect();
    let without_buildings = communities
        .iter()
        .filter(|c| !planned.contains(&c.code))
        .map(|c| c.code.clone())
        .collect();
    Ok(PartitionReport {
        scope: scope.to_string(),
        options: *options,
        committed,
        outside_communities: loaded.outside,
        without_buildings,
        metrics,
        grids,
        plans,
    })
}
