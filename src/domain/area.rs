//! Administrative areas: district (区/县), street (街道/乡镇) and community (社区/村).

use super::codes::{CommunityCode, DistrictCode, StreetCode};
use geo_types::MultiPolygon;

/// A district with its boundary (WGS84).
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    pub code: DistrictCode,
    pub name: String,
    pub boundary: MultiPolygon<f64>,
}

/// A street office area; its boundary is the union of its communities when not imported.
#[derive(Debug, Clone, PartialEq)]
pub struct Street {
    pub code: StreetCode,
    pub name: String,
    pub boundary: Option<MultiPolygon<f64>>,
}

/// A community (社区) or village (村): the unit that base grids tile without gaps.
#[derive(Debug, Clone, PartialEq)]
pub struct Community {
    pub code: CommunityCode,
    pub name: String,
    pub boundary: MultiPolygon<f64>,
}
