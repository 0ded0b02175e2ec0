//! Voronoi tessellation of building sites (via a Delaunay triangulation): each site's cell,
//! and which sites are neighbours — their cells share an edge inside the community that
//! does not cross a barrier (major road, rail, river).

use super::error::PartitionError;
use geo::{BooleanOps, BoundingRect, Contains, Euclidean, Intersects, Length};
use geo_types::{Coord, Line, LineString, MultiLineString, MultiPolygon, Point, Polygon};
use rstar::{AABB, RTree, primitives::GeomWithData};
use spade::{DelaunayTriangulation, HasPosition, Point2, Triangulation};

/// Shared Voronoi edges shorter than this do not make sites neighbours (co-circular sites
/// touch only at a point).
const MIN_SHARED_EDGE_M: f64 = 0.05;

struct Site {
    position: Point2<f64>,
    /// Index of the site, or `usize::MAX` for the frame's ghost points.
    index: usize,
}

impl HasPosition for Site {
    type Scalar = f64;
    fn position(&self) -> Point2<f64> {
        self.position
    }
}

/// Segments (barriers, the boundary's edges) in an R-tree, asked whether a segment crosses
/// any of them.
struct SegmentIndex(RTree<GeomWithData<rstar::primitives::Rectangle<[f64; 2]>, Line<f64>>>);

impl SegmentIndex {
    fn new(segments: impl Iterator<Item = Line<f64>>) -> Self {
        Self(RTree::bulk_load(
            segments
                .map(|l| GeomWithData::new(rstar::primitives::Rectangle::from(envelope(l)), l))
                .collect(),
        ))
    }

    /// Whether the segment from `a` to `b` meets any of the segments.
    fn crossed_by(&self, a: Coord<f64>, b: Coord<f64>) -> bool {
        let segment = Line::new(a, b);
        self.0
            .locate_in_envelope_intersecting(&envelope(segment))
            .any(|candidate| candidate.data.intersects(&segment))
    }
}

fn envelope(l: Line<f64>) -> AABB<[f64; 2]> {
    let (a, b) = (l.start, l.end);
    AABB::from_corners([a.x.min(b.x), a.y.min(b.y)], [a.x.max(b.x), a.y.max(b.y)])
}

/// Cells and neighbours of sites.
pub struct Tessellation {
    /// Each site's Voronoi cell (metres), unclipped; cells of the community's sites cover it.
    pub cells: Vec<Polygon<f64>>,
    /// Neighbours of each site (sorted).
    pub adjacency: Vec<Vec<usize>>,
    /// Length (m) of the shared cell edge inside the community, parallel to `adjacency`.
    pub shared_m: Vec<Vec<f64>>,
    /// Neighbours across a barrier, used only when a component has no other way.
    pub barrier_adjacency: Vec<Vec<usize>>,
}

/// Tessellates distinct `sites` (metres) inside `boundary` (metres).
pub fn tessellate(
    sites: &[Coord<f64>],
    boundary: &MultiPolygon<f64>,
    barriers: &[Line<f64>],
) -> Result<Tessellation, PartitionError> {
    let n = sites.len();
    let rect = boundary
        .bounding_rect()
        .ok_or_else(|| PartitionError::Geometry("community boundary is empty".into()))?;
    // Ghost points far outside bound every real cell; no ghost cell reaches the community.
    let span = (rect.width().max(rect.height()) + 1.0) * 20.0;
    let (cx, cy) = (rect.center().x, rect.center().y);
    let mut vertices: Vec<Site> = sites
        .iter()
        .enumerate()
        .map(|(index, c)| Site {
            position: Point2::new(c.x, c.y),
            index,
        })
        .collect();
    for (dx, dy) in [
        (-1.0, -1.0),
        (1.0, -1.0),
        (1.0, 1.0),
        (-1.0, 1.0),
        (0.0, 1.4),
        (0.0, -1.4),
        (1.4, 0.0),
        (-1.4, 0.0),
    ] {
        vertices.push(Site {
            position: Point2::new(cx + dx * span, cy + dy * span),
            index: usize::MAX,
        });
    }
    let triangulation: DelaunayTriangulation<Site> =
        DelaunayTriangulation::bulk_load_stable(vertices)
            .map_err(|e| PartitionError::Geometry(format!("triangulation failed: {e:?}")))?;
    if triangulation.num_vertices() < n + 8 {
        return Err(PartitionError::Geometry("duplicate building sites".into()));
    }

    let barrier_index = SegmentIndex::new(barriers.iter().copied());
    let crosses_barrier = |a, b| barrier_index.crossed_by(a, b);
    let boundary_index = SegmentIndex::new(
        boundary
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|ring| ring.lines()),
    );
    let leaves_community = |a, b| boundary_index.crossed_by(a, b);

    let mut adjacency: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut barrier_adjacency: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for edge in triangulation.undirected_edges() {
        let [from, to] = edge.vertices();
        let (a, b) = (from.data().index, to.data().index);
        if a == usize::MAX || b == usize::MAX {
            continue;
        }
        let voronoi = edge.as_voronoi_edge();
        let [v0, v1] = voronoi.vertices();
        let (Some(p0), Some(p1)) = (v0.position(), v1.position()) else {
            continue;
        };
        let length = ((p0.x - p1.x).powi(2) + (p0.y - p1.y).powi(2)).sqrt();
        if length < MIN_SHARED_EDGE_M {
            continue;
        }
        // Where the two cells meet nearest the sites: the point of the shared edge closest
        // to the sites' midpoint. It must lie inside the community.
        let (pa, pb) = (sites[a], sites[b]);
        let (mx, my) = ((pa.x + pb.x) / 2.0, (pa.y + pb.y) / 2.0);
        let (dx, dy) = (p1.x - p0.x, p1.y - p0.y);
        let t = (((mx - p0.x) * dx + (my - p0.y) * dy) / (length * length)).clamp(0.0, 1.0);
        let meeting = Point::new(p0.x + t * dx, p0.y + t * dy);
        if !boundary.contains(&meeting) {
            continue;
        }
        // Each site must reach the meeting point without leaving the community: then the
        // pieces of the two cells that hold the sites touch there (a cell is convex), and a
        // group of neighbouring sites is drawn as one polygon. Sites whose cells meet only
        // beyond a notch of the boundary are not neighbours.
        if leaves_community(pa, meeting.0) || leaves_community(meeting.0, pb) {
            continue;
        }
        if crosses_barrier(pa, pb) {
            barrier_adjacency[a].push((b, 0.0));
            barrier_adjacency[b].push((a, 0.0));
            continue;
        }
        // The shared edge's length inside the community (clipped where it leaves).
        let (c0, c1) = (Coord { x: p0.x, y: p0.y }, Coord { x: p1.x, y: p1.y });
        let inside_m = if boundary.contains(&Point::from(c0)) && boundary.contains(&Point::from(c1))
        {
            length
        } else {
            let clipped = boundary.clip(
                &MultiLineString::new(vec![LineString::new(vec![c0, c1])]),
                false,
            );
            clipped.0.iter().map(|l| Euclidean.length(l)).sum()
        };
        adjacency[a].push((b, inside_m));
        adjacency[b].push((a, inside_m));
    }
    let sorted = |lists: Vec<Vec<(usize, f64)>>| -> (Vec<Vec<usize>>, Vec<Vec<f64>>) {
        lists
            .into_iter()
            .map(|mut l| {
                l.sort_by_key(|x| x.0);
                l.dedup_by(|x, y| x.0 == y.0);
                l.into_iter().unzip()
            })
            .unzip()
    };
    let (adjacency, shared_m) = sorted(adjacency);
    let (barrier_adjacency, _) = sorted(barrier_adjacency);

    let mut cells = vec![Polygon::new(LineString::new(vec![]), vec![]); n];
    for face in triangulation.voronoi_faces() {
        let site = face.as_delaunay_vertex();
        let index = site.data().index;
        if index == usize::MAX {
            continue;
        }
        let mut ring: Vec<Coord<f64>> = Vec::new();
        for edge in face.adjacent_edges() {
            match edge.from().position() {
                Some(p) => ring.push(Coord { x: p.x, y: p.y }),
                None => {
                    return Err(PartitionError::Geometry(
                        "unbounded cell of a real site".into(),
                    ));
                }
            }
        }
        if ring.len() < 3 {
            return Err(PartitionError::Geometry("degenerate Voronoi cell".into()));
        }
        ring.push(ring[0]);
        cells[index] = Polygon::new(LineString::new(ring), vec![]);
    }
    Ok(Tessellation {
        cells,
        adjacency,
        shared_m,
        barrier_adjacency,
    })
}
