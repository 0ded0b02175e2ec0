//! Incidents (事件): reported problems that follow the closed loop to closure.

use super::codes::GridCode;
use super::ids::{IncidentId, WorkerId};
use super::photo::PhotoId;
use super::public_report::Satisfaction;
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

impl IncidentStatus {
    /// Whether the incident still needs work (counts towards deadlines and dispatch).
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Closed)
    }

    /// The status `action` leads to from this one, if the closed loop allows it:
    /// reported/returned → assigned → in progress → resolved → closed; an assigned or
    /// in-progress incident can be returned (not this worker's job), a resolved one returned
    /// for rework; a closed incident is final.
    ///
    /// ```
    /// use gridmap::domain::{IncidentAction, IncidentStatus};
    /// let s = IncidentStatus::Reported.after(IncidentAction::Assign).unwrap();
    /// assert_eq!(s, IncidentStatus::Assigned);
    /// assert!(IncidentStatus::Closed.after(IncidentAction::Resolve).is_none());
    /// ```
    pub fn after(self, action: IncidentAction) -> Option<IncidentStatus> {
        use IncidentAction as A;
        use IncidentStatus as S;
        match (self, action) {
            (S::Reported | S::Returned | S::Assigned, A::Assign) => Some(S::Assigned),
            (S::Assigned, A::Start) => Some(S::InProgress),
            (S::InProgress, A::Resolve) => Some(S::Resolved),
            (S::Resolved, A::Close) => Some(S::Closed),
            (S::Assigned | S::InProgress | S::Resolved, A::Return) => Some(S::Returned),
            _ => None,
        }
    }
}

/// A step of the closed loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentAction {
    /// Created (first event of every incident).
    Report,
    /// Given to a worker (again, when reassigned).
    Assign,
    Start,
    Resolve,
    /// Verified and closed.
    Close,
    /// Sent back: not this worker's, or the resolution did not hold.
    Return,
}

impl IncidentAction {
    pub const ALL: [IncidentAction; 6] = [
        Self::Report,
        Self::Assign,
        Self::Start,
        Self::Resolve,
        Self::Close,
        Self::Return,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Report => "report",
            Self::Assign => "assign",
            Self::Start => "start",
            Self::Resolve => "resolve",
            Self::Close => "close",
            Self::Return => "return",
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
    /// When it must be closed (reported + the category's deadline).
    pub deadline_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// How often it was sent back after being resolved (退回).
    pub returned_times: u32,
    /// The resident's rating once closed (residents' reports only).
    pub satisfaction: Option<Satisfaction>,
}

impl Incident {
    /// Open past its deadline at `now`.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.status.is_open() && self.deadline_at.is_some_and(|d| d < now)
    }

    /// The order of work lists: soonest deadline first (none last), then the oldest report,
    /// then the id.
    pub fn by_deadline(&self, other: &Self) -> std::cmp::Ordering {
        let key = |i: &Self| (i.deadline_at.is_none(), i.deadline_at, i.reported_at);
        key(self)
            .cmp(&key(other))
            .then_with(|| self.id.cmp(&other.id))
    }
}

/// One step of an incident's history: who did what, when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentEvent {
    pub incident: IncidentId,
    pub action: IncidentAction,
    /// The status after the step.
    pub status: IncidentStatus,
    pub at: DateTime<Utc>,
    /// Who: the token's label (or role) that made the request.
    pub actor: String,
    /// The worker assigned by this step, if any.
    pub worker: Option<WorkerId>,
    pub note: Option<String>,
    /// Photos taken for this step (the scene reported, the work done).
    pub photos: Vec<PhotoId>,
}
