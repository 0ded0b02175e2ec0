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

/// Why a grid stands out of the household balance. Flagged grids are counted apart from
/// the share within the tolerance, by the partitioner, the CLI and the web app alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GridFlag {
    #[default]
    Normal,
    /// One building of more than 1.5 × target households.
    OversizedBuilding,
    /// A part of the community cut off (by barriers or dedicated grounds) with too few
    /// households for a full grid.
    SmallEnclave,
    /// Outside the tolerance band because of building sizes: it holds a building that no
    /// contiguous grid within the band can hold (above the band alone, or below it with
    /// every way of growing it overshooting), as an exhaustive search proves; or it meets
    /// a pocket (sites reached only through one building) whose households no number of
    /// grids can hold.
    Unbalanceable,
}

impl GridFlag {
    pub const ALL: [GridFlag; 4] = [
        Self::Normal,
        Self::OversizedBuilding,
        Self::SmallEnclave,
        Self::Unbalanceable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::OversizedBuilding => "oversized_building",
            Self::SmallEnclave => "small_enclave",
            Self::Unbalanceable => "unbalanceable",
        }
    }

    /// ```
    /// use gridmap::domain::GridFlag;
    /// for f in GridFlag::ALL { assert_eq!(GridFlag::parse(f.as_str()), Some(f)); }
    /// assert_eq!(GridFlag::parse("odd"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
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
    /// Set by the partition that drew the grid (normal for dedicated grids).
    pub flag: GridFlag,
}
