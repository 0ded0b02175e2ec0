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

/// Whether people may walk along a way (OSM `foot`, `access`, `sidewalk`, or the class's
/// default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FootAccess {
    Allowed,
    Forbidden,
}

impl FootAccess {
    pub const ALL: [FootAccess; 2] = [Self::Allowed, Self::Forbidden];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "yes",
            Self::Forbidden => "no",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Whether walking is allowed.
    pub fn is_allowed(self) -> bool {
        self == Self::Allowed
    }

    /// What a class allows when no tag says otherwise: motorways and trunks (no sidewalk),
    /// rail and rivers are not walked; every other way is.
    pub fn of_class(class: RoadClass) -> Self {
        match class {
            RoadClass::Motorway | RoadClass::Trunk | RoadClass::Rail | RoadClass::River => {
                Self::Forbidden
            }
            _ => Self::Allowed,
        }
    }

    /// Access from OSM tags: `foot=yes|designated|permissive` allows and `foot=no` forbids;
    /// otherwise `access=no|private` forbids, a sidewalk (`sidewalk=both|left|right|yes`)
    /// opens a motorway or trunk, and the class decides. Rail and rivers are never walked.
    ///
    /// ```
    /// use gridmap::domain::{FootAccess, RoadClass};
    /// let tags = |pairs: &'static [(&'static str, &'static str)]| {
    ///     move |k: &str| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| *v)
    /// };
    /// assert_eq!(FootAccess::from_osm(RoadClass::Path, tags(&[])), FootAccess::Allowed);
    /// assert_eq!(FootAccess::from_osm(RoadClass::Service, tags(&[("access", "private")])), FootAccess::Forbidden);
    /// assert_eq!(FootAccess::from_osm(RoadClass::Service, tags(&[("access", "private"), ("foot", "yes")])), FootAccess::Allowed);
    /// assert_eq!(FootAccess::from_osm(RoadClass::Trunk, tags(&[])), FootAccess::Forbidden);
    /// assert_eq!(FootAccess::from_osm(RoadClass::Trunk, tags(&[("sidewalk", "both")])), FootAccess::Allowed);
    /// assert_eq!(FootAccess::from_osm(RoadClass::Residential, tags(&[("foot", "no")])), FootAccess::Forbidden);
    /// ```
    pub fn from_osm<'a>(class: RoadClass, tag: impl Fn(&str) -> Option<&'a str>) -> Self {
        if matches!(class, RoadClass::Rail | RoadClass::River) {
            return Self::Forbidden;
        }
        match tag("foot") {
            Some("yes" | "designated" | "permissive" | "official") => return Self::Allowed,
            Some("no" | "private" | "use_sidepath") => return Self::Forbidden,
            _ => {}
        }
        if matches!(tag("access"), Some("no" | "private")) {
            return Self::Forbidden;
        }
        if matches!(
            tag("sidewalk"),
            Some("both" | "left" | "right" | "yes" | "separate")
        ) {
            return Self::Allowed;
        }
        Self::of_class(class)
    }
}

/// Where a way runs: on the ground, where a wall stops it unless a gate lets it through, or
/// over or under what it crosses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WayLevel {
    Ground,
    Bridge,
    Tunnel,
}

impl WayLevel {
    pub const ALL: [WayLevel; 3] = [Self::Ground, Self::Bridge, Self::Tunnel];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ground => "ground",
            Self::Bridge => "bridge",
            Self::Tunnel => "tunnel",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// From OSM `bridge=*` and `tunnel=*` (any value but `no`).
    ///
    /// ```
    /// use gridmap::domain::WayLevel;
    /// assert_eq!(WayLevel::from_osm(|k| (k == "bridge").then_some("viaduct")), WayLevel::Bridge);
    /// assert_eq!(WayLevel::from_osm(|k| (k == "tunnel").then_some("no")), WayLevel::Ground);
    /// ```
    pub fn from_osm<'a>(tag: impl Fn(&str) -> Option<&'a str>) -> Self {
        let set = |key| tag(key).is_some_and(|v| v != "no");
        if set("bridge") {
            Self::Bridge
        } else if set("tunnel") {
            Self::Tunnel
        } else {
            Self::Ground
        }
    }
}

/// One road or barrier line.
#[derive(Debug, Clone, PartialEq)]
pub struct Road {
    pub id: RoadId,
    pub class: RoadClass,
    pub name: Option<String>,
    pub geometry: LineString<f64>,
    /// Whether people walk it (the walking network's ways).
    pub foot: FootAccess,
    pub level: WayLevel,
}
