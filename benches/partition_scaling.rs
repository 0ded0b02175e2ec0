//! How the cut grows with the community, beside METIS k-way (contiguity on) on the same
//! graphs: one generated old-town community of 500, 1,000, 2,000, 4,000 and 8,000 buildings
//! (~12 households each), then a city of such communities cut on every core. For both: cut
//! time (median and range over runs), share of grids within ±10%, mean Polsby-Popper; the
//! log-log slope of cut time against buildings.
//!
//! `cargo bench --bench partition_scaling` (sizes by `SCALING_SIZES=500,1000`, runs by
//! `SCALING_RUNS`, the city by `SCALING_CITY=communities×buildings`, e.g. `100x3076`).

mod common;

use common::metis_cutter::Metis;
use gridmap::domain::{Building, Community};
use gridmap::generate::{old_town_city, old_town_community};
use gridmap::partition::{
    CommunityPlan, Cutter, PartitionMetrics, PartitionOptions, RecursiveBisection,
    partition_communities,
};
use std::time::Instant;

/// One cutter's figures on one case.
struct Figures {
    /// Cut times (ms) of each run, sorted.
    cut_ms: Vec<f64>,
    /// Wall time of the whole partitioning (ms), median over runs.
    wall_ms: f64,
    within_10: f64,
    polsby_popper: f64,
    grids: usize,
}

impl Figures {
    fn median_cut_ms(&self) -> f64 {
        self.cut_ms[self.cut_ms.len() / 2]
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Partitions `communities` `runs` times with `cutter` (all cores), with the metrics of the
/// last run.
fn measure(
    communities: &[Community],
    buildings: &[Building],
    cutter: &(dyn Cutter + Sync),
    runs: usize,
) -> Figures {
    let options = PartitionOptions::default();
    let jobs: Vec<(&Community, Vec<&Building>)> = communities
        .iter()
        .map(|c| {
            let members = buildings
                .iter()
                .filter(|b| b.community.as_ref() == Some(&c.code))
                .collect();
            (c, members)
        })
        .collect();
    let mut cut_ms = Vec::new();
    let mut wall_ms = Vec::new();
    let mut plans: Vec<CommunityPlan> = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        plans = partition_communities(&jobs, &[], &options, cutter, &|| false, &|_, _| {})
            .expect("partition");
        wall_ms.push(started.elapsed().as_secs_f64() * 1e3);
        cut_ms.push(plans.iter().map(|p| p.cut_ms).sum());
    }
    cut_ms.sort_by(f64::total_cmp);
    wall_ms.sort_by(f64::total_cmp);
    let metrics = PartitionMetrics::of(&plans, options.target, options.tolerance, 0.0);
    Figures {
        cut_ms,
        wall_ms: wall_ms[wall_ms.len() / 2],
        within_10: metrics.within_10_percent * 100.0,
        polsby_popper: metrics.polsby_popper_mean,
        grids: metrics.grids,
    }
}

/// Least-squares slope of ln(time) against ln(size).
fn log_log_slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    let (xs, ys): (Vec<f64>, Vec<f64>) = points.iter().map(|&(x, y)| (x.ln(), y.ln())).unzip();
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let covariance: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let variance: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    covariance / variance
}

fn line(label: &str, name: &str, f: &Figures) {
    println!(
        "{label:<28} {name:<8} grids {:>6}  cut median {:>9.1} ms (range {:>9.1}–{:>9.1})  wall {:>9.1} ms  within ±10% {:>5.1}%  PP mean {:.3}",
        f.grids,
        f.median_cut_ms(),
        f.cut_ms[0],
        f.cut_ms[f.cut_ms.len() - 1],
        f.wall_ms,
        f.within_10,
        f.polsby_popper
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::var("SCALING_SIZES")
        .unwrap_or_else(|_| "500,1000,2000,4000,8000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs = env_or("SCALING_RUNS", 3_usize).max(1);
    let cutters: [(&str, &(dyn Cutter + Sync)); 2] =
        [("gridmap", &RecursiveBisection), ("METIS", &Metis)];
    let mut times: Vec<Vec<(f64, f64)>> = vec![Vec::new(); cutters.len()];
    println!(
        "one old-town community, {runs} runs each, {} cores",
        rayon::current_num_threads()
    );
    for &size in &sizes {
        let (community, buildings) =
            old_town_community("110101001001", (116.40, 39.93), size, 1).expect("community");
        let label = format!("{size} buildings");
        let mut medians = Vec::new();
        for (i, (name, cutter)) in cutters.iter().enumerate() {
            let f = measure(std::slice::from_ref(&community), &buildings, *cutter, runs);
            line(&label, name, &f);
            times[i].push((size as f64, f.median_cut_ms()));
            medians.push(f.median_cut_ms());
        }
        println!(
            "{label:<28} gridmap / METIS cut time {:.2}×",
            medians[0] / medians[1]
        );
    }
    if sizes.len() >= 2 {
        for (i, (name, _)) in cutters.iter().enumerate() {
            println!(
                "log-log slope of cut time against buildings, {name}: {:.2}",
                log_log_slope(&times[i])
            );
        }
    }
    let city = std::env::var("SCALING_CITY").unwrap_or_else(|_| "100x3076".into());
    let Some((count, each)) = city
        .split_once('x')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
    else {
        return;
    };
    if count == 0 {
        return;
    }
    let data = old_town_city(count, each, 1).expect("city");
    let label = format!("city {count}×{each} buildings");
    let mut walls = Vec::new();
    for (name, cutter) in &cutters {
        let f = measure(&data.communities, &data.buildings, *cutter, 1);
        line(&label, name, &f);
        walls.push(f.wall_ms);
    }
    println!(
        "{label:<28} gridmap / METIS wall time {:.2}×",
        walls[0] / walls[1]
    );
}
