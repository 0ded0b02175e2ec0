//! Visits (走访): a grid worker's call on a building or a household, with a note and photos —
//! the everyday record of knowing one's grid.

use super::codes::GridCode;
use super::ids::{BuildingId, VisitId, WorkerId};
use super::photo::PhotoId;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Longest household label (a room or door number such as 3单元502), in characters.
pub const MAX_HOUSEHOLD_CHARS: usize = 50;

/// One visit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Visit {
    pub id: VisitId,
    pub worker: WorkerId,
    pub building: BuildingId,
    /// The grid holding the building when visited.
    pub grid: Option<GridCode>,
    /// The household within the building, when the visit was to one.
    pub household: Option<String>,
    pub note: String,
    pub photos: Vec<PhotoId>,
    pub at: DateTime<Utc>,
}
