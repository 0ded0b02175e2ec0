//! Incidents (事件): reported problems that follow the closed loop to closure.

use super::codes::GridCode;
use super::ids::{IncidentId, WorkerId};
use chrono::{DateTime, Utc};
use geo_types::Point;
use serde::{Deserialize, Serialize};

/// Who reported an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentSource {
    Worker,
    Hotline,
    Resident,
}

impl IncidentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Worker => "worker",
            Self::Hotline => "hotline",
            Self::Resident => "resident",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "worker" => Some(Self::Worker),
            "hotline" => Some(Self::Hotline),
            "resident" => Some(Self::Resident),
            _ => None,
        }
    }
}

/// Where an incident stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Reported,
    Assigned,
    InProgress,
    Resolved,
    Closed,
    Returned,
}

impl IncidentStatus {
    pub const ALL: [IncidentStatus; 6] = [
        Self::Reported,
        Self::Assigned,
        Self::InProgress,
        Self::Resolved,
        Self::Closed,
        Self::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reported => "reported",
            Self::Assigned => "assigned",
            Self::InProgress => "in_progress",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
            Self::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// One incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub id: IncidentId,
    pub location: Point<f64>,
    pub category: String,
    pub description: String,
    pub source: IncidentSource,
    pub status: IncidentStatus,
    pub reported_at: DateTime<Utc>,
    pub grid: Option<GridCode>,
    pub assignee: Option<WorkerId>,
}
