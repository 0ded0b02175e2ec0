//! Roads, rail and rivers: the basemap's lines and the partitioner's barriers.

use super::ids::RoadId;
use geo_types::LineString;
use serde::{Deserialize, Serialize};

/// A road's class, from OSM `highway` (or `railway`/`waterway` for other barriers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoadClass {
    Motorway,
    Trunk,
    Primary,
    Secondary,
    Tertiary,
    Residential,
    Service,
    Path,
    Rail,
    River,
}

impl RoadClass {
    pub const ALL: [RoadClass; 10] = [
        Self::Motorway,
        Self::Trunk,
        Self::Primary,
        Self::Secondary,
        Self::Tertiary,
        Self::Residential,
        Self::Service,
        Self::Path,
        Self::Rail,
        Self::River,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Motorway => "motorway",
            Self::Trunk => "trunk",
            Self::Primary => "primary",
            Self::Secondary => "secondary",
            Self::Tertiary => "tertiary",
            Self::Residential => "residential",
            Self::Service => "service",
            Self::Path => "path",
            Self::Rail => "rail",
            Self::River => "river",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Maps an OSM `highway=*` value; `None` for values that are not ways people travel.
    pub fn from_osm_highway(value: &str) -> Option<Self> {
        let base = value.strip_suffix("_link").unwrap_or(value);
        Some(match base {
            "motorway" => Self::Motorway,
            "trunk" => Self::Trunk,
            "primary" => Self::Primary,
            "secondary" => Self::Secondary,
            "tertiary" => Self::Tertiary,
            "residential" | "unclassified" | "living_street" | "road" => Self::Residential,
            "service" => Self::Service,
            "footway" | "path" | "pedestrian" | "steps" | "cycleway" | "track" | "corridor"
            | "bridleway" => Self::Path,
            _ => return None,
        })
    }

    /// Whether a base grid should not cross this line (major roads, rail, rivers).
    pub fn is_barrier(self) -> bool {
        matches!(
            self,
            Self::Motorway
                | Self::Trunk
                | Self::Primary
                | Self::Secondary
                | Self::Rail
                | Self::River
        )
    }
}

/// One road or barrier line.
#[derive(Debug, Clone, PartialEq)]
pub struct Road {
    pub id: RoadId,
    pub class: RoadClass,
    pub name: Option<String>,
    pub geometry: LineString<f64>,
}
