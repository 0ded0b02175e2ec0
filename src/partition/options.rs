//! The parameters of a partition: target, tolerance, seed, where it starts and how hard a
//! rebalance searches.

use super::band::within_band;
use super::error::PartitionError;
use serde::Serialize;

/// Households per base grid a partition accepts: policy grids hold 300–500 households; the
/// range leaves room for villages and special cases, and keeps a request's work bounded.
pub const TARGET_RANGE: std::ops::RangeInclusive<u32> = 10..=5_000;
/// Relative tolerance a partition accepts (±1% to ±50%).
pub const TOLERANCE_RANGE: std::ops::RangeInclusive<f64> = 0.01..=0.5;

/// Where a partition starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Start {
    /// Cut from scratch.
    #[default]
    Fresh,
    /// Start from the buildings' current grids: grids within tolerance keep their buildings
    /// and codes; the others are fixed with the fewest building moves.
    KeepExisting,
}

/// How hard a rebalance of existing grids searches when its first plan disrupts much (a
/// grid left outside the band, or a tenth of the buildings moved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effort {
    /// Anneals that plan again, ten times as long (a few seconds for a hard community):
    /// household and building changes, partitioning that keeps existing grids.
    #[default]
    Thorough,
    /// Keeps the first plan: interactive previews of splits and merges (under a second).
    Quick,
}

/// Parameters of a partition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PartitionOptions {
    /// Households per base grid.
    pub target: u32,
    /// Accepted relative deviation from the target (0.1 = ±10%).
    pub tolerance: f64,
    /// Seed; the algorithm is deterministic, the seed breaks ties in future variants.
    pub seed: u64,
    pub start: Start,
    /// Search effort when starting from existing grids.
    pub effort: Effort,
}

impl Default for PartitionOptions {
    fn default() -> Self {
        Self {
            target: 300,
            tolerance: 0.1,
            seed: 1,
            start: Start::Fresh,
            effort: Effort::Thorough,
        }
    }
}

impl PartitionOptions {
    /// Whether a grid of `households` is within the tolerance band around the target.
    ///
    /// ```
    /// use gridmap::partition::PartitionOptions;
    /// let options = PartitionOptions::default(); // 300 households ± 10%
    /// assert!(options.within_tolerance(270) && options.within_tolerance(330));
    /// assert!(!options.within_tolerance(331));
    /// ```
    pub fn within_tolerance(&self, households: u32) -> bool {
        let target = f64::from(self.target);
        within_band(f64::from(households), target, self.band())
    }

    /// The whole numbers of households a grid may hold and be within the tolerance.
    pub fn households_within(&self) -> std::ops::RangeInclusive<u64> {
        super::band::households_within(f64::from(self.target), self.band())
    }

    /// The accepted deviation in households (tolerance × target).
    pub fn band(&self) -> f64 {
        self.tolerance * f64::from(self.target)
    }

    /// Refuses a target outside [`TARGET_RANGE`] and a tolerance outside
    /// [`TOLERANCE_RANGE`] (before any work).
    ///
    /// ```
    /// use gridmap::partition::PartitionOptions;
    /// let ok = PartitionOptions::default();
    /// assert!(ok.check().is_ok());
    /// assert!(PartitionOptions { tolerance: 5e-324, ..ok }.check().is_err());
    /// assert!(PartitionOptions { target: 0, ..ok }.check().is_err());
    /// ```
    pub fn check(&self) -> Result<(), PartitionError> {
        if !TARGET_RANGE.contains(&self.target) {
            return Err(PartitionError::InvalidTarget(self.target));
        }
        if !TOLERANCE_RANGE.contains(&self.tolerance) {
            return Err(PartitionError::InvalidTolerance(self.tolerance));
        }
        Ok(())
    }
}
