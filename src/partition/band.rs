//! Band arithmetic: whether households sit within the tolerance band around the target,
//! and how many grids suit a number of households.

/// Whether `households` can be cut into grids each within the tolerance of the target
/// (ignoring how big single buildings are).
///
/// ```
/// use gridmap::partition::can_balance;
/// assert!(can_balance(300.0, 300.0, 0.1));
/// assert!(!can_balance(450.0, 300.0, 0.1)); // 1 grid of 450 or 2 of 225: both off by >10%
/// assert!(can_balance(1400.0, 300.0, 0.1)); // 5 grids of 280
/// ```
pub fn can_balance(households: f64, target: f64, tolerance: f64) -> bool {
    let k = choose_parts(households, target) as f64;
    within_band(households / k, target, tolerance * target)
}

/// Whether `households` (of a grid, or a mean) lies within `band` of `target`, up to float
/// rounding.
///
/// ```
/// use gridmap::partition::within_band;
/// assert!(within_band(330.0, 300.0, 30.0));
/// assert!(!within_band(331.0, 300.0, 30.0));
/// ```
pub fn within_band(households: f64, target: f64, band: f64) -> bool {
    (households - target).abs() <= band + 1e-9
}

/// Whether `k` grids of `households` can average within `band` of `target`.
///
/// ```
/// use gridmap::partition::count_fits;
/// assert!(count_fits(900.0, 3, 300.0, 30.0));
/// assert!(!count_fits(900.0, 0, 300.0, 30.0));
/// ```
pub fn count_fits(households: f64, k: usize, target: f64, band: f64) -> bool {
    k > 0 && within_band(households / k as f64, target, band)
}

/// The number of grids for `households`: floor or ceil of households / target, whichever
/// gives a mean grid size nearer the target (relative).
///
/// ```
/// use gridmap::partition::choose_parts;
/// assert_eq!(choose_parts(1400.0, 300.0), 5);
/// assert_eq!(choose_parts(100.0, 300.0), 1);
/// ```
pub fn choose_parts(households: f64, target: f64) -> usize {
    let low = (households / target).floor().max(1.0);
    let high = low + 1.0;
    let error = |k: f64| ((households / k) / target - 1.0).abs();
    if error(high) < error(low) {
        high as usize
    } else {
        low as usize
    }
}

/// The whole numbers of households within `band` of `target`, as an inclusive range.
///
/// ```
/// use gridmap::partition::households_within;
/// assert_eq!(households_within(300.0, 0.1 * 300.0), 270..=330);
/// assert_eq!(households_within(10.0, 25.0), 0..=35);
/// ```
pub fn households_within(target: f64, band: f64) -> std::ops::RangeInclusive<u64> {
    (target - band).ceil().max(0.0) as u64..=(target + band).floor() as u64
}
