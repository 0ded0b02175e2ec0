//! An R-tree over roads, rail and rivers by bounding box: the lines a tile needs.

use crate::domain::Road;
use crate::spatial::{BoxTree, slots_in_box};
use geo::BoundingRect;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

/// Roads with their bounding boxes in an R-tree.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    tree: BoxTree,
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
        slots_in_box(&self.tree, min, max)
            .into_iter()
            .map(|i| &self.roads[i])
            .collect()
    }

    pub fn len(&self) -> usize {
        self.roads.len()
    }

    pub fn is_empty(&self) -> bool {
        self.roads.is_empty()
    }
}
