//! `TileFrame`: lon/lat geometries into one tile's integer grid — projected, clipped to the
//! buffered square, simplified for the zoom (Douglas–Peucker in tile units), snapped, with
//! degenerate parts dropped and rings wound as MVT 2.1 requires.

use super::clip::{ClipBox, clip_line, clip_ring};
use super::encode::{EXTENT, TileGeometry};
use super::mercator::lonlat_to_world;
use super::tile_id::TileId;
use geo_types::{Coord, LineString, MultiPolygon, Point};

/// Tile units around the tile kept in it, so that lines and fills meet across tiles.
pub const BUFFER: u32 = 64;

/// One tile's projection.
#[derive(Debug, Clone, Copy)]
pub struct TileFrame {
    tile: TileId,
    scale: f64,
    origin: [f64; 2],
    clip: ClipBox,
    tolerance: f64,
}

impl TileFrame {
    /// The frame of `tile`; simplification keeps every point within `tolerance` tile units
    /// (0 keeps all). [`TileFrame::for_zoom`] picks it by zoom.
    pub fn new(tile: TileId, tolerance: f64) -> Self {
        let extent = f64::from(EXTENT);
        Self {
            tile,
            scale: tile.tiles_per_side() * extent,
            origin: [f64::from(tile.x()) * extent, f64::from(tile.y()) * extent],
            clip: ClipBox {
                min: -f64::from(BUFFER),
                max: extent + f64::from(BUFFER),
            },
            tolerance,
        }
    }

    /// The frame with the zoom's simplification: a quarter of a screen pixel (512-pixel
    /// tiles) from z16 on, where footprints must stay exact, and half a pixel below.
    pub fn for_zoom(tile: TileId) -> Self {
        Self::new(tile, if tile.z() >= 16 { 2.0 } else { 4.0 })
    }

    pub fn tile(&self) -> TileId {
        self.tile
    }

    /// The tile's lon/lat box with its buffer, for index queries.
    pub fn query_box(&self) -> ([f64; 2], [f64; 2]) {
        self.tile
            .lonlat_bounds(f64::from(BUFFER) / f64::from(EXTENT))
    }

    /// A lon/lat position in tile units (not snapped).
    pub fn project(&self, lon: f64, lat: f64) -> [f64; 2] {
        let w = lonlat_to_world(lon, lat);
        [
            w.x * self.scale - self.origin[0],
            w.y * self.scale - self.origin[1],
        ]
    }

    fn project_all(&self, coords: &[Coord<f64>]) -> Vec<[f64; 2]> {
        coords.iter().map(|c| self.project(c.x, c.y)).collect()
    }

    /// Points inside the buffered tile.
    pub fn points<'a>(&self, points: impl IntoIterator<Item = &'a Point<f64>>) -> TileGeometry {
        TileGeometry::Points(
            points
                .into_iter()
                .map(|p| self.project(p.x(), p.y()))
                .filter(|p| inside(*p, self.clip))
                .map(snap)
                .collect(),
        )
    }

    /// Lines clipped to the buffered tile; pieces shorter than one unit are dropped.
    pub fn lines<'a>(&self, lines: impl IntoIterator<Item = &'a LineString<f64>>) -> TileGeometry {
        let mut out = Vec::new();
        for line in lines {
            let projected = self.project_all(&line.0);
            if !bbox_meets(&projected, self.clip) {
                continue;
            }
            for piece in clip_line(&projected, self.clip) {
                let piece = snap_all(&self.simplify(piece));
                if piece.len() >= 2 {
                    out.push(piece);
                }
            }
        }
        TileGeometry::Lines(out)
    }

    /// Polygons clipped to the buffered tile: each exterior with positive area (y down)
    /// followed by its holes with negative area; rings that collapse are dropped, and a
    /// dropped exterior takes its holes with it.
    pub fn polygons(&self, polygons: &MultiPolygon<f64>) -> TileGeometry {
        let mut rings = Vec::new();
        for polygon in polygons {
            let Some(exterior) = self.ring(&polygon.exterior().0, Winding::Exterior) else {
                continue;
            };
            rings.push(exterior);
            for hole in polygon.interiors() {
                if let Some(h) = self.ring(&hole.0, Winding::Hole) {
                    rings.push(h);
                }
            }
        }
        TileGeometry::Polygons(rings)
    }

    fn ring(&self, coords: &[Coord<f64>], winding: Winding) -> Option<Vec<[i32; 2]>> {
        let projected = self.project_all(coords);
        if !bbox_meets(&projected, self.clip) {
            return None;
        }
        let clipped = clip_ring(&projected, self.clip);
        if clipped.len() < 3 {
            return None;
        }
        let mut closed = clipped;
        closed.push(closed[0]);
        let mut ring = snap_all(&self.simplify(closed));
        if ring.len() > 1 && ring.first() == ring.last() {
            ring.pop();
        }
        if ring.len() < 3 {
            return None;
        }
        let area = twice_area(&ring);
        if area == 0 {
            return None;
        }
        let want_positive = winding == Winding::Exterior;
        if (area > 0) != want_positive {
            ring.reverse();
        }
        Some(ring)
    }

    fn simplify(&self, points: Vec<[f64; 2]>) -> Vec<[f64; 2]> {
        if self.tolerance <= 0.0 || points.len() <= 4 {
            return points;
        }
        super::douglas_peucker::simplify(&points, self.tolerance)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Winding {
    Exterior,
    Hole,
}

fn inside(p: [f64; 2], b: ClipBox) -> bool {
    p[0] >= b.min && p[0] <= b.max && p[1] >= b.min && p[1] <= b.max
}

fn bbox_meets(points: &[[f64; 2]], b: ClipBox) -> bool {
    let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in points {
        for axis in 0..2 {
            min[axis] = min[axis].min(p[axis]);
            max[axis] = max[axis].max(p[axis]);
        }
    }
    min[0] <= b.max && max[0] >= b.min && min[1] <= b.max && max[1] >= b.min
}

fn snap(p: [f64; 2]) -> [i32; 2] {
    [p[0].round() as i32, p[1].round() as i32]
}

/// Snaps to integers, dropping repeated points.
fn snap_all(points: &[[f64; 2]]) -> Vec<[i32; 2]> {
    let mut out: Vec<[i32; 2]> = Vec::with_capacity(points.len());
    for &p in points {
        let s = snap(p);
        if out.last() != Some(&s) {
            out.push(s);
        }
    }
    out
}

/// Twice the signed area (shoelace) of an open ring, y down: positive = clockwise on screen.
pub fn twice_area(ring: &[[i32; 2]]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (p, q) = (ring[i], ring[(i + 1) % n]);
            i64::from(p[0]) * i64::from(q[1]) - i64::from(q[0]) * i64::from(p[1])
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    #[test]
    fn a_square_inside_the_tile_keeps_its_corners_and_winds_clockwise() {
        let tile = TileId::containing(109.98, 39.81, 16);
        let (min, max) = tile.lonlat_bounds(0.0);
        let (w, s) = (
            min[0] + (max[0] - min[0]) * 0.25,
            min[1] + (max[1] - min[1]) * 0.25,
        );
        let (e, n) = (
            min[0] + (max[0] - min[0]) * 0.75,
            min[1] + (max[1] - min[1]) * 0.75,
        );
        // Counter-clockwise in lon/lat (RFC 7946), i.e. anticlockwise on a north-up map.
        let square = MultiPolygon::new(vec![polygon![
            (x: w, y: s), (x: e, y: s), (x: e, y: n), (x: w, y: n), (x: w, y: s)
        ]]);
        let TileGeometry::Polygons(rings) = TileFrame::for_zoom(tile).polygons(&square) else {
            panic!("not polygons");
        };
        assert_eq!(rings.len(), 1);
        assert_eq!(rings[0].len(), 4);
        assert!(twice_area(&rings[0]) > 0);
        for p in &rings[0] {
            assert!(
                (1000..=3100).contains(&p[0]) && (1000..=3100).contains(&p[1]),
                "{p:?}"
            );
        }
    }

    #[test]
    fn a_polygon_far_away_yields_nothing() {
        let tile = TileId::containing(109.98, 39.81, 16);
        let far = MultiPolygon::new(vec![polygon![
            (x: 7.0, y: 43.0), (x: 7.1, y: 43.0), (x: 7.1, y: 43.1), (x: 7.0, y: 43.0)
        ]]);
        assert_eq!(
            TileFrame::for_zoom(tile).polygons(&far),
            TileGeometry::Polygons(vec![])
        );
    }
}
