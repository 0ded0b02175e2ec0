//! An R-tree over polygons answering "which polygon holds this point": bounding boxes in the
//! tree, exact point-in-polygon tests on the few candidates.

use geo::{BoundingRect, Contains};
use geo_types::{MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// Bounding boxes with the slot of their item.
pub(crate) type BoxTree = RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>;

/// The slots whose boxes meet a lon/lat box, in slot order (stable answers).
pub(crate) fn slots_in_box(tree: &BoxTree, min: [f64; 2], max: [f64; 2]) -> Vec<usize> {
    let mut found: Vec<usize> = tree
        .locate_in_envelope_intersecting(&AABB::from_corners(min, max))
        .map(|e| e.data)
        .collect();
    found.sort_unstable();
    found
}

/// Polygons with a key each; the first polygon (in key order) holding a point wins, so
/// answers are deterministic where polygons touch.
#[derive(Debug, Clone)]
pub struct PolygonIndex<K> {
    tree: BoxTree,
    items: Vec<(K, MultiPolygon<f64>)>,
}

impl<K: Clone + Ord> PolygonIndex<K> {
    /// Builds the index (bulk loaded); polygons without extent are left out.
    pub fn new(mut items: Vec<(K, MultiPolygon<f64>)>) -> Self {
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let entries = items
            .iter()
            .enumerate()
            .filter_map(|(i, (_, polygon))| {
                let r = polygon.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        Self {
            tree: RTree::bulk_load(entries),
            items,
        }
    }

    /// The key of the polygon holding `point` (boundary points count as held).
    ///
    /// ```
    /// use gridmap::spatial::PolygonIndex;
    /// use geo_types::{MultiPolygon, Point, polygon};
    /// let square = MultiPolygon::new(vec![polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)]]);
    /// let index = PolygonIndex::new(vec![("a", square)]);
    /// assert_eq!(index.locate(Point::new(0.5, 0.5)), Some(&"a"));
    /// assert_eq!(index.locate(Point::new(1.5, 0.5)), None);
    /// ```
    pub fn locate(&self, point: Point<f64>) -> Option<&K> {
        self.first_holding(point, |polygon| {
            polygon.contains(&point) || geo::Intersects::intersects(polygon, &point)
        })
    }

    /// The key of the polygon whose interior holds `point` (boundary points are not held),
    /// e.g. which community a building's interior point is in.
    ///
    /// ```
    /// use gridmap::spatial::PolygonIndex;
    /// use geo_types::{MultiPolygon, Point, polygon};
    /// let square = MultiPolygon::new(vec![polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)]]);
    /// let index = PolygonIndex::new(vec![("a", square)]);
    /// assert_eq!(index.locate_inside(Point::new(0.5, 0.5)), Some(&"a"));
    /// assert_eq!(index.locate_inside(Point::new(1.0, 0.5)), None);
    /// ```
    pub fn locate_inside(&self, point: Point<f64>) -> Option<&K> {
        self.first_holding(point, |polygon| polygon.contains(&point))
    }

    /// The first key (in key order) whose box holds `point` and whose polygon `holds` it.
    fn first_holding(
        &self,
        point: Point<f64>,
        holds: impl Fn(&MultiPolygon<f64>) -> bool,
    ) -> Option<&K> {
        self.tree
            .locate_all_at_point(&[point.x(), point.y()])
            .map(|e| e.data)
            .filter(|&i| holds(&self.items[i].1))
            .min()
            .map(|i| &self.items[i].0)
    }

    /// Keys of the polygons whose bounding box meets `bbox` (lon/lat corners).
    pub fn in_box(&self, min: [f64; 2], max: [f64; 2]) -> Vec<&K> {
        self.entries_in_box(min, max)
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    }

    /// The keys and polygons whose bounding box meets `bbox`, in key order.
    pub fn entries_in_box(&self, min: [f64; 2], max: [f64; 2]) -> Vec<&(K, MultiPolygon<f64>)> {
        slots_in_box(&self.tree, min, max)
            .into_iter()
            .map(|i| &self.items[i])
            .collect()
    }

    /// The polygon of a key.
    pub fn polygon(&self, key: &K) -> Option<&MultiPolygon<f64>> {
        self.position(key).map(|i| &self.items[i].1)
    }

    /// The place of a key among [`Self::entries`] (keys are kept sorted).
    pub fn position(&self, key: &K) -> Option<usize> {
        self.items.binary_search_by(|(k, _)| k.cmp(key)).ok()
    }

    /// Every key with its polygon, in key order.
    pub fn entries(&self) -> &[(K, MultiPolygon<f64>)] {
        &self.items
    }

    /// The box holding every polygon (`None` when empty).
    pub fn extent(&self) -> Option<([f64; 2], [f64; 2])> {
        (!self.items.is_empty()).then(|| {
            let e = self.tree.root().envelope();
            (e.lower(), e.upper())
        })
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
