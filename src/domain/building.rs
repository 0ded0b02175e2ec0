//! Buildings: footprint, households, residents, floors, kind, address and building head (楼栋长).

use super::codes::{CommunityCode, GridCode};
use super::ids::BuildingId;
use geo_types::MultiPolygon;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a building is used for; dedicated kinds get dedicated grids (专属网格).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuildingKind {
    /// Housing of unknown form, or mixed housing.
    Residential,
    /// Multi-storey apartment block (住宅楼).
    Apartments,
    /// Low-rise house (平房, 自建房).
    House,
    School,
    Hospital,
    /// University or college campus.
    Campus,
    /// Office, factory or other workplace.
    Enterprise,
    /// Market or large retail.
    Market,
    Park,
    /// Government, community or other public building.
    Public,
    /// Anything else (garages, sheds, churches…), never counted as housing by default.
    Other,
}

impl BuildingKind {
    /// All kinds, in a stable order.
    pub const ALL: [BuildingKind; 11] = [
        Self::Residential,
        Self::Apartments,
        Self::House,
        Self::School,
        Self::Hospital,
        Self::Campus,
        Self::Enterprise,
        Self::Market,
        Self::Park,
        Self::Public,
        Self::Other,
    ];

    /// The snake_case name used in files, the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Residential => "residential",
            Self::Apartments => "apartments",
            Self::House => "house",
            Self::School => "school",
            Self::Hospital => "hospital",
            Self::Campus => "campus",
            Self::Enterprise => "enterprise",
            Self::Market => "market",
            Self::Park => "park",
            Self::Public => "public",
            Self::Other => "other",
        }
    }

    /// Whether people live here (households are estimated only for these).
    pub fn is_residential(self) -> bool {
        matches!(self, Self::Residential | Self::Apartments | Self::House)
    }

    /// Whether this kind forms a dedicated grid (专属网格) rather than a base grid.
    pub fn is_dedicated(self) -> bool {
        matches!(
            self,
            Self::School
                | Self::Hospital
                | Self::Campus
                | Self::Enterprise
                | Self::Market
                | Self::Park
        )
    }

    /// Maps an OSM `building=*` value (or our own kind names) to a kind.
    pub fn from_osm(value: &str) -> Self {
        match value {
            "residential" | "yes" => Self::Residential,
            "apartments" | "dormitory" => Self::Apartments,
            "house" | "detached" | "semidetached_house" | "terrace" | "bungalow" | "farm" => {
                Self::House
            }
            "school" | "kindergarten" => Self::School,
            "hospital" | "clinic" => Self::Hospital,
            "university" | "college" | "campus" => Self::Campus,
            "office" | "industrial" | "commercial" | "warehouse" | "factory" | "hotel"
            | "enterprise" => Self::Enterprise,
            "retail" | "supermarket" | "market" | "kiosk" => Self::Market,
            "park" | "stadium" | "sports_centre" | "grandstand" => Self::Park,
            "public" | "civic" | "government" | "townhall" | "fire_station" | "police" => {
                Self::Public
            }
            _ => Self::Other,
        }
    }
}

impl fmt::Display for BuildingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BuildingKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown building kind {s:?}"))
    }
}

/// One building as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Building {
    /// The id as imported (e.g. `w23715051` for an OSM way).
    pub id: BuildingId,
    pub footprint: MultiPolygon<f64>,
    pub households: u32,
    pub residents: u32,
    /// Above-ground floors, when known or estimated.
    pub floors: Option<u16>,
    pub kind: BuildingKind,
    pub name: Option<String>,
    pub address: Option<String>,
    /// The building head (楼栋长), a name; personal data, never public.
    pub building_head: Option<String>,
    /// The community whose boundary holds the footprint's centroid, when known.
    pub community: Option<CommunityCode>,
    /// The grid the building belongs to, once partitioned.
    pub grid: Option<GridCode>,
}

impl Building {
    /// This building with its households scaled by `factor`, rounded and at least 1, for
    /// residential kinds (others keep theirs): a household change, as benchmarks and tests
    /// make them.
    ///
    /// ```
    /// use gridmap::domain::{Building, BuildingId, BuildingKind};
    /// use geo_types::MultiPolygon;
    /// let b = Building { id: BuildingId("b".into()), kind: BuildingKind::Apartments, households: 40,
    ///     residents: 100, floors: None, name: None, address: None, building_head: None,
    ///     community: None, grid: None, footprint: MultiPolygon::new(vec![]) };
    /// assert_eq!(b.with_households_scaled(1.15).households, 46);
    /// assert_eq!(b.with_households_scaled(0.0).households, 1);
    /// ```
    pub fn with_households_scaled(&self, factor: f64) -> Building {
        let households = if self.kind.is_residential() {
            ((f64::from(self.households) * factor).round() as u32).max(1)
        } else {
            self.households
        };
        Building {
            households,
            ..self.clone()
        }
    }
}
