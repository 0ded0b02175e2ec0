//! Grid workers (网格员) and their roles, duty status and last reported position.

use super::codes::GridCode;
use super::ids::WorkerId;
use chrono::{DateTime, Utc};
use geo_types::Point;
use serde::{Deserialize, Serialize};

/// The role a person plays in the grid system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerRole {
    /// 网格长
    GridLeader,
    /// 网格员
    GridWorker,
    /// 巡查员
    Patrol,
    /// 楼栋长
    BuildingHead,
}

impl WorkerRole {
    pub const ALL: [WorkerRole; 4] = [
        Self::GridLeader,
        Self::GridWorker,
        Self::Patrol,
        Self::BuildingHead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::GridLeader => "grid_leader",
            Self::GridWorker => "grid_worker",
            Self::Patrol => "patrol",
            Self::BuildingHead => "building_head",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Whether a worker can be dispatched now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyStatus {
    OnDuty,
    OffDuty,
}

impl DutyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnDuty => "on_duty",
            Self::OffDuty => "off_duty",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "on_duty" => Some(Self::OnDuty),
            "off_duty" => Some(Self::OffDuty),
            _ => None,
        }
    }
}

/// A grid worker; names, phones and positions are personal data, never public.
#[derive(Debug, Clone, PartialEq)]
pub struct Worker {
    pub id: WorkerId,
    pub name: String,
    pub phone: Option<String>,
    pub role: WorkerRole,
    pub grids: Vec<GridCode>,
    pub duty: DutyStatus,
    pub position: Option<Point<f64>>,
    pub position_at: Option<DateTime<Utc>>,
}
