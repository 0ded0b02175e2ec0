//! Land cover for the basemap: water bodies, parks, woods, farmland and land use areas.

use super::ids::LandAreaId;
use geo_types::MultiPolygon;

/// What covers an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LandClass {
    Water,
    Park,
    Forest,
    Grass,
    Farmland,
    Residential,
    Commercial,
    Industrial,
    Institutional,
    Other,
}

impl LandClass {
    pub const ALL: [LandClass; 10] = [
        Self::Water,
        Self::Park,
        Self::Forest,
        Self::Grass,
        Self::Farmland,
        Self::Residential,
        Self::Commercial,
        Self::Industrial,
        Self::Institutional,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Water => "water",
            Self::Park => "park",
            Self::Forest => "forest",
            Self::Grass => "grass",
            Self::Farmland => "farmland",
            Self::Residential => "residential",
            Self::Commercial => "commercial",
            Self::Industrial => "industrial",
            Self::Institutional => "institutional",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The class of OSM tags (`natural`, `water`, `waterway`, `leisure`, `landuse`,
    /// `amenity`), `None` for areas that are not land cover.
    ///
    /// ```
    /// use gridmap::domain::LandClass;
    /// let tag = |k: &str| match k { "landuse" => Some("retail"), _ => None };
    /// assert_eq!(LandClass::from_osm(tag), Some(LandClass::Commercial));
    /// ```
    pub fn from_osm<'a>(tag: impl Fn(&str) -> Option<&'a str>) -> Option<Self> {
        if tag("natural") == Some("water")
            || tag("water").is_some()
            || matches!(tag("waterway"), Some("riverbank" | "dock"))
            || matches!(tag("landuse"), Some("reservoir" | "basin"))
        {
            return Some(Self::Water);
        }
        if matches!(
            tag("leisure"),
            Some("park" | "garden" | "playground" | "pitch")
        ) {
            return Some(Self::Park);
        }
        if matches!(tag("natural"), Some("wood" | "scrub")) || tag("landuse") == Some("forest") {
            return Some(Self::Forest);
        }
        if matches!(tag("natural"), Some("grassland" | "heath"))
            || matches!(
                tag("landuse"),
                Some("grass" | "meadow" | "recreation_ground" | "village_green" | "cemetery")
            )
        {
            return Some(Self::Grass);
        }
        if matches!(
            tag("amenity"),
            Some("school" | "university" | "college" | "hospital")
        ) {
            return Some(Self::Institutional);
        }
        match tag("landuse")? {
            "farmland" | "orchard" | "vineyard" | "allotments" | "greenhouse_horticulture" => {
                Some(Self::Farmland)
            }
            "residential" => Some(Self::Residential),
            "commercial" | "retail" => Some(Self::Commercial),
            "industrial" | "port" | "railway" | "construction" | "brownfield" => {
                Some(Self::Industrial)
            }
            "education" | "religious" | "military" => Some(Self::Institutional),
            _ => Some(Self::Other),
        }
    }
}

/// One area of land cover.
#[derive(Debug, Clone, PartialEq)]
pub struct LandArea {
    pub id: LandAreaId,
    pub class: LandClass,
    pub name: Option<String>,
    pub boundary: MultiPolygon<f64>,
}
