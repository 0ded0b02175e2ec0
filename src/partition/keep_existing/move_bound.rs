//! The fewest buildings that any rebalancing must move to bring every grid of a community
//! within tolerance: a lower bound that tells a community where few moves are impossible
//! (a handful of tower blocks per grid) from a poor result.
//!
//! Each moved building leaves exactly one grid and lands in exactly one. So the moves are at
//! least what the grids over the band must shed (each its fewest, largest buildings), plus
//! what retired grids hold; and at least what the grids under the band must receive plus
//! what new grids are made of. Both sums are minimised over every number of grids whose
//! mean fits the band and over how many grids are retired, which keeps the bound valid
//! whatever shape the grids take (contiguity only adds moves).

use crate::partition::band::count_fits;

/// The least number of buildings any rebalancing of `grids` (the households of each
/// building, grid by grid) must move so that every grid holds between `target − band` and
/// `target + band` households; `None` when no number of grids can average within the band.
///
/// ```
/// use gridmap::partition::fewest_moves_bound;
/// // Two grids of 300 households: nothing has to move.
/// assert_eq!(fewest_moves_bound(&[vec![100, 100, 100], vec![150, 150]], 300.0, 30.0), Some(0));
/// // One grid 40 over, the other 40 under: a 50-household building moves, or two of 40,
/// // or one of 100 (which would push the other grid over): at least one building.
/// let grids = [vec![100, 100, 100, 40], vec![100, 160]];
/// assert_eq!(fewest_moves_bound(&grids, 300.0, 30.0), Some(1));
/// // Three grids of three towers at 345 (+15%): 1,035 households fit neither 3 grids
/// // (345 each) nor 4 (259 each).
/// let towers = vec![vec![115, 115, 115]; 3];
/// assert_eq!(fewest_moves_bound(&towers, 300.0, 30.0), None);
/// ```
pub fn fewest_moves_bound(grids: &[Vec<u32>], target: f64, band: f64) -> Option<usize> {
    let (low, high) = (target - band, target + band);
    let households: Vec<f64> = grids
        .iter()
        .map(|g| g.iter().map(|&h| f64::from(h)).sum())
        .collect();
    let total: f64 = households.iter().sum();
    let n = grids.len();
    // Every building of the community, largest first: what new grids and short grids can
    // draw on (drawing on all of them, even a grid's own, only loosens the bound).
    let mut pool: Vec<u32> = grids.iter().flatten().copied().collect();
    pool.sort_unstable_by(|a, b| b.cmp(a));
    let fewest_from_pool = |amount: f64| fewest_summing_to(&pool, amount);

    // What each grid must shed (over the band) or receive (under it), in buildings.
    let mut shed = Vec::with_capacity(n);
    let mut receive = Vec::with_capacity(n);
    for (g, &h) in grids.iter().zip(&households) {
        let mut own = g.clone();
        own.sort_unstable_by(|a, b| b.cmp(a));
        shed.push(if h > high {
            fewest_summing_to(&own, h - high)?
        } else {
            0
        });
        receive.push(if h < low {
            fewest_from_pool(low - h).unwrap_or(usize::MAX)
        } else {
            0
        });
    }
    // Retiring a grid moves all its buildings; what it spares is its own shedding.
    let mut retire_cost: Vec<usize> = grids
        .iter()
        .zip(&shed)
        .map(|(g, s)| g.len().saturating_sub(*s))
        .collect();
    retire_cost.sort_unstable();
    let mut receive_sorted = receive.clone();
    receive_sorted.sort_unstable_by(|a, b| b.cmp(a));
    let shed_total: usize = shed.iter().sum();
    let receive_total: usize = receive.iter().fold(0, |a, &r| a.saturating_add(r));

    let counts = (1..=pool.len().max(1))
        .filter(|&k| count_fits(total, k, target, band))
        .collect::<Vec<_>>();
    counts
        .into_iter()
        .filter_map(|k| {
            let retired_at_least = n.saturating_sub(k);
            let from_sources =
                shed_total + retire_cost.iter().take(retired_at_least).sum::<usize>();
            // Into surviving short grids and new grids, for each number retired.
            let into_destinations = (retired_at_least..=n)
                .filter_map(|retired| {
                    let new = (k + retired).checked_sub(n)?;
                    let spared: usize = receive_sorted
                        .iter()
                        .take(retired)
                        .fold(0, |a, &r| a.saturating_add(r));
                    let new_grids = if new == 0 {
                        0
                    } else {
                        fewest_from_pool(new as f64 * low)?
                    };
                    Some(
                        receive_total
                            .saturating_sub(spared)
                            .saturating_add(new_grids),
                    )
                })
                .min()?;
            Some(from_sources.max(into_destinations))
        })
        .min()
}

/// How many of `sorted_desc`'s first values it takes to reach `amount`; `None` if all of
/// them do not.
fn fewest_summing_to(sorted_desc: &[u32], amount: f64) -> Option<usize> {
    if amount <= 0.0 {
        return Some(0);
    }
    let mut sum = 0.0;
    for (i, &v) in sorted_desc.iter().enumerate() {
        sum += f64::from(v);
        if sum >= amount - 1e-9 {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partition::graph::SiteGraph;
    use crate::partition::keep_existing::identity::buildings_moved;
    use crate::partition::keep_existing::rebalance_existing::rebalance_existing;
    use crate::partition::options::Effort;
    use proptest::prelude::*;

    proptest! {
        /// Whenever our rebalancing ends with every grid within tolerance, it moved at
        /// least the bound: the bound never claims more than some rebalancing needs.
        #[test]
        fn no_rebalancing_within_tolerance_moves_fewer(
            households in proptest::collection::vec(20u32..90, 12..60),
            factor in 0.85f64..1.15,
        ) {
            // Grids of consecutive sites (one building each) of about 300 households.
            let mut parts: Vec<Vec<usize>> = vec![Vec::new()];
            let mut sum = 0;
            for (i, &h) in households.iter().enumerate() {
                if sum >= 280 {
                    parts.push(Vec::new());
                    sum = 0;
                }
                if let Some(last) = parts.last_mut() {
                    last.push(i);
                }
                sum += h;
            }
            let changed: Vec<u32> = households
                .iter()
                .map(|&h| ((f64::from(h) * factor).round() as u32).max(1))
                .collect();
            let graph = SiteGraph::row(&changed);
            let ones = vec![1; changed.len()];
            let after = rebalance_existing(&graph, parts.clone(), 300.0, 30.0, &ones, Effort::Quick);
            let all_within = after
                .iter()
                .all(|p| (graph.weight_of(p) as f64 - 300.0).abs() <= 30.0 + 1e-9);
            let grids: Vec<Vec<u32>> = parts
                .iter()
                .map(|p| p.iter().map(|&n| changed[n]).collect())
                .collect();
            let bound = fewest_moves_bound(&grids, 300.0, 30.0);
            if all_within {
                let moved = buildings_moved(&graph, &parts, &after, &ones);
                prop_assert!(bound.is_some_and(|b| b as u64 <= moved), "bound {:?}, moved {}", bound, moved);
            }
        }
    }

    #[test]
    fn a_new_grid_is_made_of_moved_buildings() {
        // Four grids of ten 34-household houses (340 each, +13%): 1,360 households fit four
        // grids of 340 only outside the band, five of 272 inside it. The new grid needs 270
        // households: eight houses at least; and each old grid must shed 10: one house each.
        let grids = vec![vec![34; 10]; 4];
        assert_eq!(fewest_moves_bound(&grids, 300.0, 30.0), Some(8));
    }

    #[test]
    fn a_retired_grid_moves_all_its_buildings() {
        // Four grids of 255 (−15%) in five houses of 51: 1,020 households make three grids
        // of 340 or four of 255, both outside the band: no count works.
        assert_eq!(fewest_moves_bound(&vec![vec![51; 5]; 4], 300.0, 30.0), None);
        // Five grids of 255: 1,275 fit four grids of 319. One grid retires (five houses
        // move), and the four others are each 15 short: one house each, and the retired
        // grid's five houses can be those, so five moves at least.
        assert_eq!(
            fewest_moves_bound(&vec![vec![51; 5]; 5], 300.0, 30.0),
            Some(5)
        );
    }

    #[test]
    fn each_grid_outside_the_band_moves_at_least_one_building() {
        // Ten grids of six towers pushed just over the band (336): each must shed a tower,
        // whatever else happens (3,660 households: 11 grids of 333 are over, 12 of 305 fit).
        let mut grids = vec![vec![56; 6]; 10];
        grids.push(vec![50; 6]);
        let bound = fewest_moves_bound(&grids, 300.0, 30.0).expect("12 grids fit");
        assert!(bound >= 10, "bound {bound}");
    }
}
