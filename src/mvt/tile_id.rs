//! `TileId`: a validated z/x/y tile address (XYZ scheme, y down from the north) and its
//! bounds in lon/lat and in Web Mercator world units.

use super::mercator::{World, world_to_lonlat};

/// The deepest zoom served.
pub const MAX_ZOOM: u8 = 22;

/// A tile address whose x and y lie in `0..2^z` and whose zoom is at most [`MAX_ZOOM`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    z: u8,
    x: u32,
    y: u32,
}

/// Why a tile address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileIdError {
    #[error("zoom {z} is beyond the deepest zoom {MAX_ZOOM}")]
    ZoomTooDeep { z: u32 },
    #[error("tile {z}/{x}/{y}: x and y must be below {limit} at zoom {z}")]
    OutOfRange { z: u8, x: u64, y: u64, limit: u64 },
}

impl TileId {
    /// Checks the address.
    ///
    /// ```
    /// use gridmap::mvt::TileId;
    /// assert!(TileId::new(14, 13_197, 6_088).is_ok());
    /// assert!(TileId::new(1, 2, 0).is_err());
    /// assert!(TileId::new(23, 0, 0).is_err());
    /// ```
    pub fn new(z: u32, x: u64, y: u64) -> Result<Self, TileIdError> {
        if z > u32::from(MAX_ZOOM) {
            return Err(TileIdError::ZoomTooDeep { z });
        }
        let z = z as u8;
        let limit = 1u64 << z;
        if x >= limit || y >= limit {
            return Err(TileIdError::OutOfRange { z, x, y, limit });
        }
        Ok(Self {
            z,
            x: x as u32,
            y: y as u32,
        })
    }

    pub fn z(self) -> u8 {
        self.z
    }

    pub fn x(self) -> u32 {
        self.x
    }

    pub fn y(self) -> u32 {
        self.y
    }

    /// Tiles per side at this zoom.
    pub fn tiles_per_side(self) -> f64 {
        f64::from(1u32 << self.z)
    }

    /// North-west and south-east corners in world units (0..1, y down).
    pub fn world_bounds(self) -> (World, World) {
        let n = self.tiles_per_side();
        (
            World {
                x: f64::from(self.x) / n,
                y: f64::from(self.y) / n,
            },
            World {
                x: f64::from(self.x + 1) / n,
                y: f64::from(self.y + 1) / n,
            },
        )
    }

    /// The tile's lon/lat box, grown by `margin` (a share of the tile's side, e.g. the
    /// buffer): `(min, max)` as `[lon, lat]`.
    pub fn lonlat_bounds(self, margin: f64) -> ([f64; 2], [f64; 2]) {
        let n = self.tiles_per_side();
        let nw = world_to_lonlat(World {
            x: ((f64::from(self.x) - margin) / n).max(0.0),
            y: ((f64::from(self.y) - margin) / n).max(0.0),
        });
        let se = world_to_lonlat(World {
            x: ((f64::from(self.x + 1) + margin) / n).min(1.0),
            y: ((f64::from(self.y + 1) + margin) / n).min(1.0),
        });
        ([nw[0], se[1]], [se[0], nw[1]])
    }

    /// The tile holding a lon/lat point at zoom `z`.
    pub fn containing(lon: f64, lat: f64, z: u8) -> Self {
        let w = super::mercator::lonlat_to_world(lon, lat);
        let n = f64::from(1u32 << z.min(MAX_ZOOM));
        let limit = (1u32 << z.min(MAX_ZOOM)) - 1;
        Self {
            z: z.min(MAX_ZOOM),
            x: ((w.x * n).floor().max(0.0) as u32).min(limit),
            y: ((w.y * n).floor().max(0.0) as u32).min(limit),
        }
    }
}

impl std::fmt::Display for TileId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_contain_the_point_the_tile_was_found_for() {
        let (lon, lat) = (109.98, 39.81);
        for z in [0u8, 5, 12, 14, 16, 22] {
            let t = TileId::containing(lon, lat, z);
            let (min, max) = t.lonlat_bounds(0.0);
            assert!(min[0] <= lon && lon <= max[0], "z{z} lon");
            assert!(min[1] <= lat && lat <= max[1], "z{z} lat");
        }
    }

    #[test]
    fn out_of_range_is_refused_with_the_address() {
        assert_eq!(
            TileId::new(3, 8, 0),
            Err(TileIdError::OutOfRange {
                z: 3,
                x: 8,
                y: 0,
                limit: 8
            })
        );
    }
}
