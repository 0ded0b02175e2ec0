//! What the partitioner returns: each community's planned grids with their flags,
//! compactness and timings.

use crate::domain::{BuildingId, CommunityCode, Grid, GridCode};
use serde::Serialize;

/// A grid produced by the partitioner.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedGrid {
    pub grid: Grid,
    /// Member buildings (ids as imported).
    pub buildings: Vec<BuildingId>,
    pub flag: GridFlag,
    /// Polsby-Popper compactness of the polygon.
    pub polsby_popper: f64,
    /// Number of polygon parts holding the grid's territory (1 when contiguous).
    pub parts: usize,
    /// Extra pieces that are islands of the community itself, touching no other grid.
    pub islands: usize,
    /// Area in m².
    pub area_m2: f64,
}

/// Why a grid stands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GridFlag {
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

/// The partition of one community.
#[derive(Debug, Clone)]
pub struct CommunityPlan {
    pub community: CommunityCode,
    pub grids: Vec<PlannedGrid>,
    /// Community area (m²), to check that the grids tile it.
    pub area_m2: f64,
    /// Time spent partitioning (ms: sites, adjacency, cuts), of which in the cutter alone,
    /// and building polygons.
    pub partition_ms: f64,
    pub cut_ms: f64,
    pub polygons_ms: f64,
}

impl CommunityPlan {
    /// The grid code of every building.
    pub fn assignments(&self) -> Vec<(BuildingId, GridCode)> {
        self.grids
            .iter()
            .flat_map(|g| g.buildings.iter().map(|b| (b.clone(), g.grid.code.clone())))
            .collect()
    }
}
