//! Previewing a change (nothing written) and committing it as a plan version: the touched
//! communities are loaded, partitioned keeping their grids, and compared with before.

use super::comparison::{Before, compare};
use super::targets::{Targets, adjust_targets, merge_targets, split_targets};
use super::{Operation, Preview, RebalanceError};
use crate::domain::*;
use crate::partition::{
    CommunityJob, CommunityPlan, Effort, PartitionError, PartitionOptions, RecursiveBisection,
    Start, partition_communities,
};
use crate::service::job_stop::JobStop;
use crate::store::{LayerQuery, Store, StoreError};
use geo_types::LineString;
use std::collections::HashMap;

/// Computes what `operation` would do, writing nothing.
/// The partitioning runs on a blocking thread and gives up between communities when `stop`
/// says so.
pub async fn preview(
    store: &dyn Store,
    operation: &Operation,
    options: &PartitionOptions,
    stop: &JobStop,
) -> Result<Preview, RebalanceError> {
    let guard = stop.cancel_on_drop();
    operation.check()?;
    let base_version = store.plan_head().await?;
    let all_communities = store.communities(&LayerQuery::default()).await?;
    let mut old_communities = Vec::new();
    for code in operation.communities() {
        let found = all_communities.iter().find(|c| c.code == code).cloned();
        old_communities.push(found.ok_or(RebalanceError::UnknownCommunity(code))?);
    }
    let mut buildings: Vec<Building> = Vec::new();
    let mut old_grids: Vec<Grid> = Vec::new();
    for c in &old_communities {
        let q = LayerQuery {
            code_prefix: Some(c.code.to_string()),
            ..LayerQuery::default()
        };
        buildings.extend(store.buildings(&q).await?);
        old_grids.extend(store.grids(&q).await?);
    }
    let grid_of: HashMap<BuildingId, Option<GridCode>> = buildings
        .iter()
        .map(|b| (b.id.clone(), b.grid.clone()))
        .collect();
    let targets = match operation {
        Operation::Adjust { .. } => adjust_targets(&old_communities, buildings),
        Operation::Split {
            community,
            blade,
            codes,
            names,
        } => split_targets(
            &old_communities[0],
            blade,
            codes,
            names,
            &all_communities,
            buildings,
            community,
        )?,
        Operation::Merge { code, name, .. } => {
            merge_targets(&old_communities, code, name, &all_communities, buildings)?
        }
    };
    let barriers = crate::service::partition_job::barriers(store).await?;
    // Splits and merges are previewed while the planner draws: the quick search.
    let effort = match operation {
        Operation::Adjust { .. } => options.effort,
        Operation::Split { .. } | Operation::Merge { .. } => Effort::Quick,
    };
    let keep = PartitionOptions {
        start: Start::KeepExisting,
        effort,
        ..*options
    };
    let job_stop = stop.clone();
    let (targets, plans) = stop
        .run_blocking(move || {
            let plans = partition_side_by_side(&targets, &barriers, &keep, &job_stop);
            (targets, plans)
        })
        .await
        .map_err(RebalanceError::Stopped)?;
    let plans = plans?;
    let workers = store.workers(&LayerQuery::default()).await?;
    let before = Before {
        base_version,
        grids: &old_grids,
        grid_of: &grid_of,
        workers: &workers,
    };
    guard.disarm();
    Ok(compare(&before, targets, plans, options, operation))
}

/// Partitions the target communities side by side on every core (the pieces of a split
/// run together), checking `stop` before each community.
fn partition_side_by_side(
    targets: &Targets,
    barriers: &[LineString<f64>],
    options: &PartitionOptions,
    stop: &JobStop,
) -> Result<Vec<CommunityPlan>, RebalanceError> {
    let jobs: Vec<CommunityJob<'_>> = targets
        .communities
        .iter()
        .zip(&targets.buildings)
        .map(|(c, b)| (c, b.iter().collect()))
        .collect();
    partition_communities(
        &jobs,
        barriers,
        options,
        &RecursiveBisection,
        &|| stop.check().is_err(),
        &|_, _| {},
    )
    .map_err(|e| match (e, stop.check()) {
        (PartitionError::Stopped, Err(why)) => RebalanceError::Stopped(why),
        (e, _) => RebalanceError::from(e),
    })
}

/// Recomputes the change and commits it as a new plan version, unless a community it
/// touches changed after `base_version` (a stale preview): then a conflict.
pub async fn commit(
    store: &dyn Store,
    operation: &Operation,
    options: &PartitionOptions,
    base_version: u64,
    author: &str,
    stop: &JobStop,
) -> Result<(Preview, u64), RebalanceError> {
    operation.check()?;
    // A stale preview is a conflict before anything else (the operation may not even
    // apply any more); the store checks again inside the transaction.
    let head = store.plan_head().await?;
    if base_version > head {
        return Err(StoreError::base_ahead_of(head, base_version).into());
    }
    if head > base_version {
        let touched = operation.touched();
        let newer = store
            .plan_versions(u32::try_from(head - base_version).unwrap_or(u32::MAX))
            .await?;
        if let Some(v) = newer.iter().find(|v| {
            v.version > base_version && v.communities.iter().any(|c| touched.contains(&c))
        }) {
            return Err(RebalanceError::Store(StoreError::Conflict {
                what: format!(
                    "the plan of {}",
                    v.communities
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                now: format!(
                    "changed by version {} ({}) after version {base_version}",
                    v.version, v.summary
                ),
            }));
        }
    }
    let mut preview = preview(store, operation, options, stop).await?;
    preview.commit.base_version = base_version;
    preview.commit.author = author.to_string();
    let version = store.commit_plan(&preview.commit).await?;
    Ok((preview, version))
}
