//! `gridmap partition`: cut communities into grids, report metrics, commit in one transaction.

use super::{CliResult, progress};
use crate::partition::PartitionOptions;
use crate::service::partition_job::{self, Commit, Scope};
use crate::store;

pub async fn run(
    database: &str,
    scope: &Scope,
    options: &PartitionOptions,
    dry_run: bool,
    json: bool,
) -> CliResult {
    let store = store::open(database).await?;
    let bar = progress::bar(0, "partitioning");
    let report_progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let commit = if dry_run {
        Commit::DryRun
    } else {
        Commit::Write
    };
    let report = partition_job::run(store.as_ref(), scope, options, commit, &report_progress).await;
    bar.finish_and_clear();
    store.close().await;
    let report = report?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let m = &report.metrics;
    println!(
        "{} {}: {} communities → {} grids ({} base, {} dedicated, {} oversized buildings, {} small enclaves, {} unbalanceable by building sizes)",
        if report.committed {
            "partitioned"
        } else {
            "dry run of"
        },
        report.scope,
        m.communities,
        m.grids,
        m.base_grids,
        m.dedicated_grids,
        m.oversized_grids,
        m.small_enclaves,
        m.unbalanceable
    );
    println!(
        "households per grid: min {} / median {} / max {} (target {}); within ±10%: {:.1}%, ±20%: {:.1}%",
        m.households_min,
        m.households_median,
        m.households_max,
        m.target,
        m.within_10_percent * 100.0,
        m.within_20_percent * 100.0
    );
    println!(
        "contiguous: {:.1}%; Polsby-Popper mean {:.3}, min {:.3}; tiling error {:.2e}",
        m.contiguous * 100.0,
        m.polsby_popper_mean,
        m.polsby_popper_min,
        m.tiling_error_max
    );
    println!(
        "time: partition {:.0} ms, polygons {:.0} ms, total {:.0} ms",
        m.partition_ms, m.polygons_ms, m.total_ms
    );
    let outside = &report.outside_communities;
    if outside.count > 0 {
        let examples: Vec<&str> = outside.examples.iter().map(|b| b.as_str()).collect();
        println!(
            "note: {} buildings lie outside every community and got no grid (e.g. {}); list them with `gridmap export buildings --outside-communities --output FILE`, or import the communities that hold them",
            outside.count,
            examples.join(", ")
        );
    }
    if !report.without_buildings.is_empty() {
        let codes: Vec<&str> = report
            .without_buildings
            .iter()
            .map(|c| c.as_str())
            .collect();
        println!(
            "note: {} communities have no buildings and got no grids: {}",
            codes.len(),
            codes.join(", ")
        );
    }
    Ok(())
}
