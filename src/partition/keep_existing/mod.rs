//! Keep-existing rebalancing: when households or buildings change, the current grids are
//! kept where they are within the band and the others are fixed with the fewest building
//! moves — a grid seeded or dissolved when the count no longer fits, annealing, ejection
//! chains and moves sent home.

mod anneal_moves;
mod ejection_chain;
mod existing_parts;
mod identity;
mod move_bound;
mod rebalance_existing;
mod restore_moves;

pub use ejection_chain::repair_with_chains;
pub(crate) use existing_parts::existing_parts;
pub use move_bound::fewest_moves_bound;
pub(crate) use rebalance_existing::rebalance_existing;
