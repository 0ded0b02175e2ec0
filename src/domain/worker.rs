//! Grid workers (网格员) and their roles, duty status and last reported position.

use super::codes::{CommunityCode, GridCode};
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
    /// 社区工作者
    CommunityWorker,
}

impl WorkerRole {
    pub const ALL: [WorkerRole; 5] = [
        Self::GridLeader,
        Self::GridWorker,
        Self::Patrol,
        Self::BuildingHead,
        Self::CommunityWorker,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::GridLeader => "grid_leader",
            Self::GridWorker => "grid_worker",
            Self::Patrol => "patrol",
            Self::BuildingHead => "building_head",
            Self::CommunityWorker => "community_worker",
        }
    }

    /// The role as offices write it.
    pub fn chinese(self) -> &'static str {
        match self {
            Self::GridLeader => "网格长",
            Self::GridWorker => "网格员",
            Self::Patrol => "巡查员",
            Self::BuildingHead => "楼栋长",
            Self::CommunityWorker => "社区工作者",
        }
    }

    /// A role as offices write it, in Chinese or English (`grid worker`, `grid_worker`).
    pub fn from_office_text(text: &str) -> Option<Self> {
        match text.trim() {
            "网格长" => Some(Self::GridLeader),
            "网格员" | "专职网格员" | "兼职网格员" => Some(Self::GridWorker),
            "巡查员" => Some(Self::Patrol),
            "楼栋长" => Some(Self::BuildingHead),
            "社区工作者" | "社工" => Some(Self::CommunityWorker),
            other => Self::parse(&other.to_ascii_lowercase().replace([' ', '-'], "_")),
        }
    }

    /// The Chinese role names, listed for messages.
    pub fn office_names() -> String {
        Self::ALL.map(Self::chinese).join("、")
    }

    /// Whether a worker of this role serves every base grid of their community (grid
    /// leaders, community workers) rather than one grid of it (grid workers, patrols,
    /// building heads).
    pub fn serves_whole_community(self) -> bool {
        matches!(self, Self::GridLeader | Self::CommunityWorker)
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

/// Longest worker id and name, in characters.
pub const MAX_WORKER_ID_CHARS: usize = 32;
pub const MAX_WORKER_NAME_CHARS: usize = 50;

/// A phone number as people write it: a mainland mobile (11 digits, 13–19 first), or a
/// landline with its area code (0, then 9–11 more digits); `+86`, spaces and dashes
/// between digits allowed. The OpenAPI document states the same pattern.
pub const PHONE_PATTERN: &str =
    r"^ *(\+86)?[ -]*(1[ -]*[3-9]([ -]*[0-9]){9}|0([ -]*[0-9]){9,11})[ -]*$";

static PHONE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    // A constant pattern: the doctest below compiles it.
    regex::Regex::new(PHONE_PATTERN).expect("the phone pattern compiles")
});

/// Whether a phone number is one (see [`PHONE_PATTERN`]).
///
/// ```
/// use gridmap::domain::worker::is_phone_number;
/// assert!(is_phone_number("+86 138-0013-8000"));
/// assert!(is_phone_number("0477-8581234"));
/// assert!(!is_phone_number("12345"));
/// assert!(!is_phone_number("12800138000"));
/// ```
pub fn is_phone_number(text: &str) -> bool {
    PHONE.is_match(text)
}

/// A grid worker; names, phones and positions are personal data, never public.
#[derive(Debug, Clone, PartialEq)]
pub struct Worker {
    pub id: WorkerId,
    pub name: String,
    pub phone: Option<String>,
    pub role: WorkerRole,
    pub grids: Vec<GridCode>,
    /// The community the worker belongs to (所属社区), when the roster names one.
    pub community: Option<CommunityCode>,
    pub duty: DutyStatus,
    pub position: Option<Point<f64>>,
    pub position_at: Option<DateTime<Utc>>,
    /// When the worker left; a retired worker is kept for the record, off duty and serving
    /// no grid.
    pub retired_at: Option<DateTime<Utc>>,
}

impl Worker {
    /// Whether the worker has left.
    pub fn is_retired(&self) -> bool {
        self.retired_at.is_some()
    }
}
