//! Patrols (巡查): a grid worker's walk with the phone's track recorded, and what it passed —
//! the grids entered and the buildings come near.

use super::codes::GridCode;
use super::ids::{BuildingId, PatrolId, WorkerId};
use chrono::{DateTime, Utc};
use geo_types::Point;
use serde::Serialize;

/// One fix of a track.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackPoint {
    pub location: Point<f64>,
    pub at: DateTime<Utc>,
}

/// A patrol; `stopped_at`, `length_m`, `grids` and `buildings` once stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Patrol {
    pub id: PatrolId,
    pub worker: WorkerId,
    pub started_at: DateTime<Utc>,
    pub stopped_at: Option<DateTime<Utc>>,
    pub length_m: Option<f64>,
    pub grids: Vec<GridCode>,
    pub buildings: Vec<BuildingId>,
    /// The fixes in time order (empty in listings).
    pub track: Vec<TrackPoint>,
}

/// A patrol as listed and answered: the track as a GeoJSON LineString.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatrolView {
    pub id: PatrolId,
    pub worker: WorkerId,
    pub started_at: DateTime<Utc>,
    pub stopped_at: Option<DateTime<Utc>>,
    pub length_m: Option<f64>,
    pub grids: Vec<GridCode>,
    pub buildings: Vec<BuildingId>,
    pub points: usize,
    pub track: Option<serde_json::Value>,
}

impl Patrol {
    pub fn view(&self, with_track: bool) -> PatrolView {
        let track = (with_track && !self.track.is_empty()).then(|| {
            let coordinates: Vec<[f64; 2]> = self
                .track
                .iter()
                .map(|p| [p.location.x(), p.location.y()])
                .collect();
            let times: Vec<DateTime<Utc>> = self.track.iter().map(|p| p.at).collect();
            serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coordinates},
                "properties": {"times": times},
            })
        });
        PatrolView {
            id: self.id.clone(),
            worker: self.worker.clone(),
            started_at: self.started_at,
            stopped_at: self.stopped_at,
            length_m: self.length_m,
            grids: self.grids.clone(),
            buildings: self.buildings.clone(),
            points: self.track.len(),
            track,
        }
    }
}
