//! Compound walls and their gates: walking crosses a wall only through a gate.

use super::ids::{GateId, WallId};
use geo_types::{LineString, Point};
use serde::{Deserialize, Serialize};

/// What a wall line is (OSM `barrier=*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WallKind {
    Wall,
    Fence,
}

impl WallKind {
    pub const ALL: [WallKind; 2] = [Self::Wall, Self::Fence];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wall => "wall",
            Self::Fence => "fence",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// From OSM `barrier=*`: walls (also city and retaining walls) and fences (also railings
    /// and hedges); `None` for other barriers.
    ///
    /// ```
    /// use gridmap::domain::WallKind;
    /// assert_eq!(WallKind::from_osm_barrier("city_wall"), Some(WallKind::Wall));
    /// assert_eq!(WallKind::from_osm_barrier("hedge"), Some(WallKind::Fence));
    /// assert_eq!(WallKind::from_osm_barrier("bollard"), None);
    /// ```
    pub fn from_osm_barrier(value: &str) -> Option<Self> {
        match value {
            "wall" | "city_wall" | "retaining_wall" => Some(Self::Wall),
            "fence" | "railing" | "hedge" => Some(Self::Fence),
            _ => None,
        }
    }
}

/// A wall or fence line.
#[derive(Debug, Clone, PartialEq)]
pub struct Wall {
    pub id: WallId,
    pub kind: WallKind,
    pub geometry: LineString<f64>,
}

/// What lets people through a wall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateKind {
    /// `barrier=gate` (also lift gates, kissing gates, turnstiles).
    Gate,
    /// `barrier=entrance` or `entrance=*`: a gap or doorway.
    Entrance,
}

impl GateKind {
    pub const ALL: [GateKind; 2] = [Self::Gate, Self::Entrance];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gate => "gate",
            Self::Entrance => "entrance",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// From OSM node tags `barrier=*` and `entrance=*`; `None` for nodes that let no one
    /// through a wall.
    ///
    /// ```
    /// use gridmap::domain::GateKind;
    /// assert_eq!(GateKind::from_osm(|k| (k == "barrier").then_some("lift_gate")), Some(GateKind::Gate));
    /// assert_eq!(GateKind::from_osm(|k| (k == "entrance").then_some("main")), Some(GateKind::Entrance));
    /// assert_eq!(GateKind::from_osm(|k| (k == "barrier").then_some("bollard")), None);
    /// ```
    pub fn from_osm<'a>(tag: impl Fn(&str) -> Option<&'a str>) -> Option<Self> {
        match tag("barrier") {
            Some(
                "gate"
                | "lift_gate"
                | "swing_gate"
                | "sliding_gate"
                | "kissing_gate"
                | "turnstile"
                | "full-height_turnstile"
                | "wicket_gate",
            ) => Some(Self::Gate),
            Some("entrance") => Some(Self::Entrance),
            _ => tag("entrance")
                .filter(|v| *v != "no")
                .map(|_| Self::Entrance),
        }
    }
}

/// A gate or entrance: a point where ways pass through a wall.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    pub id: GateId,
    pub kind: GateKind,
    pub location: Point<f64>,
}
