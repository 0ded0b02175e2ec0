//! What the partitioner returns: each community's planned grids with their flags,
//! compactness and timings.

pub use crate::domain::GridFlag;
use crate::domain::{BuildingId, CommunityCode, Grid, GridCode};

/// A grid produced by the partitioner.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedGrid {
    pub grid: Grid,
    /// Member buildings (ids as imported).
    pub buildings: Vec<BuildingId>,
    /// Polsby-Popper compactness of the polygon.
    pub polsby_popper: f64,
    /// Number of polygon parts holding the grid's territory (1 when contiguous).
    pub parts: usize,
    /// Extra pieces that are islands of the community itself, touching no other grid.
    pub islands: usize,
    /// Area in m².
    pub area_m2: f64,
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
