//! Pure spatial algorithms over domain entities: orderings, lookups and ring assembly.

mod community_lookup;
mod local_frame;
mod reading_order;
mod ring_assembly;

pub use community_lookup::CommunityLookup;
pub use local_frame::LocalFrame;
pub use reading_order::reading_order;
pub use ring_assembly::assemble_rings;
