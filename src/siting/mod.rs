//! Choosing new sites (pure, no I/O): maximal covering location by greedy choice and swaps,
//! an upper bound on the best cover that says how far a choice can be from optimal, and the
//! exact optimum of small problems.

mod cover_bound;
mod exact_cover;
mod max_cover;

pub use cover_bound::CoverBound;
pub use exact_cover::{ExactError, MAX_EXACT_PAIRS, MAX_EXACT_ROWS};
pub use max_cover::{Choice, CoverProblem};
