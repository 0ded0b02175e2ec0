//! What several benchmarks share.

pub mod metis_cutter;
