//! Many communities partitioned side by side on every core (rayon). Each community's cut
//! depends only on its own buildings, so the plans are those of a run one after another,
//! in the order given.

use super::plan::CommunityPlan;
use super::{Cutter, PartitionError, PartitionOptions, partition_community_with};
use crate::domain::{Building, Community};
use geo_types::LineString;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A community with its buildings.
pub type CommunityJob<'a> = (&'a Community, Vec<&'a Building>);

/// Partitions every community of `jobs` with `cutter`, as many at a time as there are cores;
/// the plans come back in the jobs' order, the same as one after another. `should_stop` is
/// asked before each community: once it says yes, the run ends with
/// [`PartitionError::Stopped`]; `progress` is told how many are done of how many.
///
/// ```
/// use gridmap::generate::old_town_community;
/// use gridmap::partition::{PartitionOptions, RecursiveBisection, partition_communities};
/// let (a, a_buildings) = old_town_community("110101001001", (116.40, 39.93), 300, 1).unwrap();
/// let (b, b_buildings) = old_town_community("110101001002", (116.42, 39.93), 300, 2).unwrap();
/// let jobs = vec![(&a, a_buildings.iter().collect()), (&b, b_buildings.iter().collect())];
/// let options = PartitionOptions::default();
/// let plans = partition_communities(&jobs, &[], &options, &RecursiveBisection, &|| false, &|_, _| {})
///     .unwrap();
/// assert_eq!(plans[1].community, b.code);
/// ```
pub fn partition_communities(
    jobs: &[CommunityJob<'_>],
    barriers: &[LineString<f64>],
    options: &PartitionOptions,
    cutter: &(dyn Cutter + Sync),
    should_stop: &(dyn Fn() -> bool + Sync),
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<CommunityPlan>, PartitionError> {
    let done = AtomicUsize::new(0);
    jobs.par_iter()
        .map(|(community, buildings)| {
            if should_stop() {
                return Err(PartitionError::Stopped);
            }
            let plan = partition_community_with(community, buildings, barriers, options, cutter);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, jobs.len());
            plan
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::old_town_community;
    use crate::partition::RecursiveBisection;

    #[test]
    fn plans_side_by_side_equal_plans_one_after_another() {
        let made: Vec<_> = (0..4_u32)
            .map(|i| {
                let code = format!("110101001{:03}", i + 1);
                let centre = (116.30 + f64::from(i) * 0.02, 39.90);
                old_town_community(&code, centre, 250 + 150 * i as usize, u64::from(i))
                    .expect("community")
            })
            .collect();
        let jobs: Vec<CommunityJob<'_>> =
            made.iter().map(|(c, b)| (c, b.iter().collect())).collect();
        let options = PartitionOptions::default();
        let done = AtomicUsize::new(0);
        let parallel = partition_communities(
            &jobs,
            &[],
            &options,
            &RecursiveBisection,
            &|| false,
            &|_, total| {
                assert_eq!(total, 4);
                done.fetch_add(1, Ordering::Relaxed);
            },
        )
        .expect("partition");
        assert_eq!(
            done.load(Ordering::Relaxed),
            4,
            "progress told of every community"
        );
        for ((community, buildings), plan) in jobs.iter().zip(&parallel) {
            let alone =
                partition_community_with(community, buildings, &[], &options, &RecursiveBisection)
                    .expect("partition");
            assert_eq!(plan.community, community.code);
            assert_eq!(plan.grids, alone.grids);
        }
    }

    #[test]
    fn a_stop_ends_the_run_with_stopped() {
        let (community, buildings) =
            old_town_community("110101001001", (116.3, 39.9), 200, 1).expect("community");
        let jobs = vec![(&community, buildings.iter().collect())];
        let stopped = partition_communities(
            &jobs,
            &[],
            &PartitionOptions::default(),
            &RecursiveBisection,
            &|| true,
            &|_, _| {},
        );
        assert!(matches!(stopped, Err(PartitionError::Stopped)));
    }
}
