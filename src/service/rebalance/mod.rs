//! Rebalancing (调整): split a community along a line or polygon, merge adjacent
//! communities, or absorb household changes — previewed (nothing written) or committed as
//! a plan version in one transaction, touching as little as possible: untouched grids keep
//! their buildings (and sequence numbers), touched ones are redrawn with the fewest moves.
//!
//! [`operation`] says what to change, [`targets`] what each operation partitions,
//! [`preview`] runs it, [`comparison`] tells what changed, [`history`] diffs and restores
//! plan versions.

mod comparison;
mod history;
mod operation;
mod preview;
mod targets;

pub use comparison::{Moved, OutsideBand, Preview, Totals};
pub use history::{GridChange, diff, restore};
pub use operation::{MAX_COMMUNITIES, MAX_NAME_CHARS, Operation, RebalanceError};
pub use preview::{commit, preview};
