//! An R-tree over roads, rail and rivers by bounding box: the lines a tile needs.

use crate::domain::Road;
use geo::BoundingRect;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// Roads with their bounding boxes in an R-tree.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    roads: Vec<Road>,
}

impl LineIndex {
    pub fn new(roads: Vec<Road>) -> Self {
        let entries = roads
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let b = r.geometry.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]),
                    i,
                ))
            })
            .collect();
        Self {
            tree: RTree::bulk_load(entries),
            roads,
        }
    }

    /// The roads whose bounding box meets a lon/lat box, in a stable order.
    pub fn in_box(&self, min: [f64; 2], max: [f64; 2]) -> Vec<&Road> {
        let mut found: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_corners(min, max))
            .map(|e| e.data)
            .collect();
        found.sort_unstable();
        found.into_iter().map(|i| &self.roads[i]).collect()
    }

    pub fn len(&self) -> usize {
        self.roads.len()
    }

    pub fn is_empty(&self) -> bool {
        self.roads.is_empty()
    }
}
