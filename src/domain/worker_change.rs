//! The record of changes to the workers list (who changed which worker, when, and how):
//! every import, addition, edit and retirement leaves one entry with the worker before and
//! after.

use super::codes::{CommunityCode, GridCode};
use super::ids::WorkerId;
use super::role::Role;
use super::worker::{DutyStatus, Worker, WorkerRole};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What was done to a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerAction {
    /// Written by a roster import (new or replaced).
    Imported,
    /// Added one by one.
    Added,
    /// Name, phone, role, grids, community or duty changed.
    Edited,
    /// Left the service.
    Retired,
}

impl WorkerAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Imported => "imported",
            Self::Added => "added",
            Self::Edited => "edited",
            Self::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Imported, Self::Added, Self::Edited, Self::Retired]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// Who made a change: a token's label and role, or the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub label: String,
    pub role: Role,
}

/// A worker as recorded in a change: what a planner manages (no position).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerRecord {
    pub id: WorkerId,
    pub name: String,
    pub phone: Option<String>,
    pub role: WorkerRole,
    pub grids: Vec<GridCode>,
    pub community: Option<CommunityCode>,
    pub duty: DutyStatus,
    pub retired_at: Option<DateTime<Utc>>,
}

impl From<&Worker> for WorkerRecord {
    fn from(w: &Worker) -> Self {
        Self {
            id: w.id.clone(),
            name: w.name.clone(),
            phone: w.phone.clone(),
            role: w.role,
            grids: w.grids.clone(),
            community: w.community.clone(),
            duty: w.duty,
            retired_at: w.retired_at,
        }
    }
}

/// One change to one worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerChange {
    pub worker: WorkerId,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub action: WorkerAction,
    /// The worker before (none when added).
    pub before: Option<WorkerRecord>,
    /// The worker after.
    pub after: WorkerRecord,
}

impl WorkerChange {
    /// The change that turns `before` into `after`.
    pub fn new(
        actor: &Actor,
        action: WorkerAction,
        before: Option<&Worker>,
        after: &Worker,
    ) -> Self {
        Self {
            worker: after.id.clone(),
            at: Utc::now(),
            actor: actor.clone(),
            action,
            before: before.map(WorkerRecord::from),
            after: WorkerRecord::from(after),
        }
    }
}
