//! An R-tree over points in local metres: the k nearest to a point (optionally filtered),
//! and the points in a box.

use crate::spatial::LocalFrame;
use geo_types::Point;
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};

/// Points with a key each.
#[derive(Debug, Clone)]
pub struct PointIndex<K> {
    frame: LocalFrame,
    tree: RTree<GeomWithData<[f64; 2], usize>>,
    items: Vec<(K, Point<f64>)>,
}

impl<K: Clone> PointIndex<K> {
    pub fn new(frame: LocalFrame, items: Vec<(K, Point<f64>)>) -> Self {
        let entries = items
            .iter()
            .enumerate()
            .map(|(i, (_, p))| GeomWithData::new(frame.point_metres(*p), i))
            .collect();
        Self {
            frame,
            tree: RTree::bulk_load(entries),
            items,
        }
    }

    /// Up to `k` keys nearest to `point` among those `keep` accepts, with distances (m).
    ///
    /// ```
    /// use gridmap::engine::PointIndex;
    /// use gridmap::spatial::LocalFrame;
    /// use geo_types::Point;
    /// let index = PointIndex::new(LocalFrame::new(110.0, 39.8), vec![
    ///     ("far", Point::new(110.0, 39.8)), ("near", Point::new(109.99, 39.8)),
    /// ]);
    /// let found = index.nearest(Point::new(109.98, 39.8), 1, |_| true);
    /// assert_eq!(found[0].0, "near");
    /// assert!((found[0].1 - 856.4).abs() < 0.1);
    /// ```
    pub fn nearest(&self, point: Point<f64>, k: usize, keep: impl Fn(&K) -> bool) -> Vec<(K, f64)> {
        let here = self.frame.point_metres(point);
        self.tree
            .nearest_neighbor_iter_with_distance_2(&here)
            .filter(|(e, _)| keep(&self.items[e.data].0))
            .take(k)
            .map(|(e, d2)| (self.items[e.data].0.clone(), d2.sqrt()))
            .collect()
    }

    /// Keys of the points inside a lon/lat box.
    pub fn in_box(&self, min: [f64; 2], max: [f64; 2]) -> Vec<&K> {
        let (a, b) = (
            self.frame.point_metres(Point::new(min[0], min[1])),
            self.frame.point_metres(Point::new(max[0], max[1])),
        );
        let mut found: Vec<usize> = self
            .tree
            .locate_in_envelope(&AABB::from_corners(a, b))
            .map(|e| e.data)
            .collect();
        found.sort_unstable();
        found.into_iter().map(|i| &self.items[i].0).collect()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
