//! Which community each building is in: the community whose interior holds an interior
//! point of its footprint.

use super::PolygonIndex;
use crate::domain::{Building, Community, CommunityCode};
use geo::InteriorPoint;

/// The communities' boundaries indexed by code.
pub fn community_index(communities: &[Community]) -> PolygonIndex<CommunityCode> {
    PolygonIndex::new(
        communities
            .iter()
            .map(|c| (c.code.clone(), c.boundary.clone()))
            .collect(),
    )
}

/// Sets each building's community from an interior point of its footprint, leaving
/// buildings that already name one. Returns how many buildings lie outside every community.
pub fn assign_communities(
    communities: &PolygonIndex<CommunityCode>,
    buildings: &mut [Building],
) -> usize {
    let mut outside = 0;
    for b in buildings.iter_mut().filter(|b| b.community.is_none()) {
        b.community = b
            .footprint
            .interior_point()
            .and_then(|p| communities.locate_inside(p))
            .cloned();
        if b.community.is_none() {
            outside += 1;
        }
    }
    outside
}
