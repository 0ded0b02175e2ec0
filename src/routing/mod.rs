//! Walking distance along a path network (pure, no I/O): the network built from ways, walls
//! and gates; snapping points onto it; bounded, early-stopping and multi-source shortest
//! paths; the area reached within a distance.

mod components;
mod error;
mod isochrone;
mod nearest_targets;
mod network_build;
mod places_within;
mod shortest_paths;
mod snap;
mod walk_network;
mod wall_crossing;

pub use components::{NetworkPiece, SealedCompound};
pub use error::RoutingError;
pub use isochrone::{AreaStyle, reached_area, reached_stretches};
pub use nearest_targets::TargetsOnEdges;
pub use network_build::{NetworkReport, build_network};
pub use places_within::PlacesByNode;
pub use shortest_paths::{NearestSources, Reach, Seed, nearest_sources, reach_within};
pub use snap::{EdgePlace, Snap};
pub use walk_network::{EdgeId, NodeId, WalkEdge, WalkNetwork};
pub use wall_crossing::WallIndex;
