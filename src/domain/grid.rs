//! Grids (网格): base grids of about 300 households and dedicated grids for institutions.

use super::codes::{CommunityCode, GridCode};
use geo_types::MultiPolygon;
use serde::{Deserialize, Serialize};

/// Base grid (基础网格) or dedicated grid (专属网格).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GridKind {
    Base,
    Dedicated,
}

impl GridKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Base => "base",
            Self::Dedicated => "dedicated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "base" => Some(Self::Base),
            "dedicated" => Some(Self::Dedicated),
            _ => None,
        }
    }
}

/// One grid with its polygon and totals.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub code: GridCode,
    pub kind: GridKind,
    pub community: CommunityCode,
    pub boundary: MultiPolygon<f64>,
    pub households: u32,
    pub residents: u32,
}
