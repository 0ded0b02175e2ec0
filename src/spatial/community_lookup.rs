//! Which community holds a point: an R-tree of community boundaries, point-in-polygon exact.

use crate::domain::{Building, Community, CommunityCode};
use geo::{BoundingRect, Contains, InteriorPoint};
use geo_types::{MultiPolygon, Point};
use rstar::{AABB, RTree, RTreeObject};

struct Entry {
    code: CommunityCode,
    boundary: MultiPolygon<f64>,
    envelope: AABB<[f64; 2]>,
}

impl RTreeObject for Entry {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.envelope
    }
}

/// An index over community boundaries.
pub struct CommunityLookup {
    tree: RTree<Entry>,
}

impl CommunityLookup {
    pub fn new(communities: &[Community]) -> Self {
        let entries = communities
            .iter()
            .filter_map(|c| {
                let rect = c.boundary.bounding_rect()?;
                Some(Entry {
                    code: c.code.clone(),
                    boundary: c.boundary.clone(),
                    envelope: AABB::from_corners(
                        [rect.min().x, rect.min().y],
                        [rect.max().x, rect.max().y],
                    ),
                })
            })
            .collect();
        Self {
            tree: RTree::bulk_load(entries),
        }
    }

    /// The community containing `point`, if any (the lowest code when boundaries overlap).
    pub fn locate(&self, point: Point<f64>) -> Option<&CommunityCode> {
        self.tree
            .locate_in_envelope_intersecting(&AABB::from_point([point.x(), point.y()]))
            .filter(|e| e.boundary.contains(&point))
            .map(|e| &e.code)
            .min()
    }

    /// Sets each building's community from an interior point of its footprint, leaving
    /// buildings that already name one. Returns how many buildings lie outside every community.
    pub fn assign(&self, buildings: &mut [Building]) -> usize {
        let mut outside = 0;
        for b in buildings.iter_mut().filter(|b| b.community.is_none()) {
            b.community = b
                .footprint
                .interior_point()
                .and_then(|p| self.locate(p))
                .cloned();
            if b.community.is_none() {
                outside += 1;
            }
        }
        outside
    }
}
