//! Pure spatial algorithms over domain entities: orderings, polygon lookups, the local
//! metric frame, ring assembly, and cutting and joining boundaries.

mod boundary_merge;
mod boundary_split;
mod community_assignment;
mod local_frame;
mod polygon_index;
mod reading_order;
mod ring_assembly;

pub use boundary_merge::{MergeRefusal, merge_boundaries};
pub use boundary_split::split_boundary;
pub use community_assignment::{assign_communities, community_index};
pub use local_frame::LocalFrame;
pub use polygon_index::PolygonIndex;
pub(crate) use polygon_index::{BoxTree, slots_in_box};
pub use reading_order::reading_order;
pub use ring_assembly::assemble_rings;
