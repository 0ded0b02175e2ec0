//! Why a community cannot be partitioned; nothing is written when this happens.

use crate::domain::{BuildingId, BuildingKind, CommunityCode};

/// Why a community cannot be partitioned. Nothing is written when this happens.
#[derive(Debug, thiserror::Error)]
pub enum PartitionError {
    #[error("target must be 10 to 5000 households per grid, got {0}")]
    InvalidTarget(u32),
    #[error("tolerance must be between 0.01 and 0.5 (e.g. 0.1 for ±10%), got {0}")]
    InvalidTolerance(f64),
    #[error("community {0} has no buildings to partition")]
    NoBuildings(CommunityCode),
    #[error(
        "building {building} in community {community} is {kind} with 0 households; fix it with a roster or change its kind"
    )]
    EmptyResidential {
        community: CommunityCode,
        building: BuildingId,
        kind: BuildingKind,
    },
    #[error("community {community}: {count} grids do not fit 3-digit sequence numbers")]
    TooManyGrids {
        community: CommunityCode,
        count: usize,
    },
    #[error("partitioning stopped before every community was cut")]
    Stopped,
    #[error("geometry: {0}")]
    Geometry(String),
}
