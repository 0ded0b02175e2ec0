//! Mapbox Vector Tiles (pure): tile addresses, Web Mercator, clipping, per-zoom
//! simplification and MVT 2.1 encoding. What goes into each layer is the engine's business
//! (`engine::tile_layers`).

pub mod clip;
pub mod douglas_peucker;
pub mod encode;
pub mod mercator;
mod tile_frame;
mod tile_id;

pub use encode::{EXTENT, LayerBuilder, TileGeometry, Value};
pub use tile_frame::{BUFFER, TileFrame, twice_area};
pub use tile_id::{MAX_ZOOM, TileId, TileIdError};
