//! Step 5a: each group of sites drawn as a grid polygon (its cells unioned and clipped to
//! the community, metres) with its centre, which orders the codes.

use super::polygons::grid_polygon;
use super::roles::{Group, Role};
use super::tessellation::Tessellation;
use geo::Centroid;
use geo_types::{Coord, MultiPolygon, Point};

/// A grid being drawn: its role, sites, polygon (metres) and centre.
pub(crate) struct DrawnGrid {
    pub role: Role,
    pub sites: Vec<usize>,
    pub polygon_m: MultiPolygon<f64>,
    pub centre: Point<f64>,
}

/// Draws every group (its first site stands in for the centre of an empty polygon).
pub(crate) fn draw_grids(
    groups: Vec<Group>,
    tessellation: &Tessellation,
    boundary_m: &MultiPolygon<f64>,
    site_points: &[Coord<f64>],
) -> Vec<DrawnGrid> {
    groups
        .into_iter()
        .map(|(role, sites)| {
            let cells: Vec<_> = sites.iter().map(|&s| &tessellation.cells[s]).collect();
            let polygon_m = grid_polygon(&cells, boundary_m);
            let centre = polygon_m
                .centroid()
                .unwrap_or_else(|| Point::new(site_points[sites[0]].x, site_points[sites[0]].y));
            DrawnGrid {
                role,
                sites,
                polygon_m,
                centre,
            }
        })
        .collect()
}
