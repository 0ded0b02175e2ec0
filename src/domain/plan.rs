//! Plan versions (规划版本): every committed change of grids or community boundaries, with
//! author, time, summary and a snapshot of the communities it touched.

use super::area::Community;
use super::codes::CommunityCode;
use super::grid::Grid;
use super::ids::BuildingId;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One committed version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanVersion {
    pub version: u64,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub summary: String,
    /// The operation as requested (JSON).
    pub operation: serde_json::Value,
    /// Communities whose grids or boundary the version wrote (including retired ones).
    pub communities: Vec<CommunityCode>,
}

/// A grid as a version recorded it: with its member buildings.
#[derive(Debug, Clone, PartialEq)]
pub struct GridSnapshot {
    pub grid: Grid,
    pub buildings: Vec<BuildingId>,
}

/// The plan of some communities at one version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanState {
    pub communities: Vec<Community>,
    pub grids: Vec<GridSnapshot>,
}

/// A change to commit as a new version, in one transaction.
#[derive(Debug, Clone, Default)]
pub struct PlanCommit {
    /// The version the change was previewed against: the commit fails with a conflict if
    /// any community it touches changed after it.
    pub base_version: u64,
    pub author: String,
    pub summary: String,
    pub operation: serde_json::Value,
    /// Communities that cease to exist (split or merged away).
    pub retired_communities: Vec<CommunityCode>,
    /// The new or changed communities, with all their grids in `grids`.
    pub communities: Vec<Community>,
    pub grids: Vec<GridSnapshot>,
    /// Workers whose grids changed (codes mapped, retired ones dropped).
    pub workers: Vec<super::worker::Worker>,
}
