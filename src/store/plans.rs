//! Grid plans as stored: partition results, plan versions with their snapshots, and
//! commits guarded against stale bases.

use super::StoreError;
use crate::domain::{
    BuildingId, Community, CommunityCode, Grid, GridCode, PlanCommit, PlanState, PlanVersion,
};
use async_trait::async_trait;
use serde::Serialize;

/// One recorded partition run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionRun {
    pub scope: String,
    pub options: serde_json::Value,
    pub metrics: serde_json::Value,
    pub created_at: String,
}

/// A partition result to commit: the grids of `communities` are replaced by `grids`, every
/// building of those communities gets its grid from `assignments`, and the run is recorded.
#[derive(Debug, Clone, Default)]
pub struct GridReplacement {
    pub communities: Vec<CommunityCode>,
    pub grids: Vec<Grid>,
    pub assignments: Vec<(BuildingId, GridCode)>,
    /// What was partitioned, e.g. `community 150602001001` or `all`.
    pub scope: String,
    /// Parameters and metrics as JSON, kept with the run.
    pub options: serde_json::Value,
    pub metrics: serde_json::Value,
    /// The communities partitioned, recorded with the grids as a plan version.
    pub community_rows: Vec<Community>,
    /// Who committed it (recorded with the plan version).
    pub author: String,
}

/// Partitions and plan versions.
#[async_trait]
pub trait PlanStore: Send + Sync {
    /// Replaces the grids of some communities in one transaction (see [`GridReplacement`]).
    async fn replace_grids(&self, replacement: &GridReplacement) -> Result<u64, StoreError>;

    /// The recorded partition runs, newest first.
    async fn partition_runs(&self, limit: u32) -> Result<Vec<PartitionRun>, StoreError>;

    /// The latest plan version (0 before any).
    async fn plan_head(&self) -> Result<u64, StoreError>;

    /// Plan versions, newest first.
    async fn plan_versions(&self, limit: u32) -> Result<Vec<PlanVersion>, StoreError>;

    /// The plan as it stood at `version`: every community's latest snapshot up to it
    /// (communities retired by then left out).
    async fn plan_state(&self, version: u64) -> Result<PlanState, StoreError>;

    /// Commits a change of grids and community boundaries as a new plan version, in one
    /// transaction: [`StoreError::Conflict`] (nothing written) when a community it touches
    /// changed after `base_version`. Returns the new version.
    async fn commit_plan(&self, plan: &PlanCommit) -> Result<u64, StoreError>;
}
