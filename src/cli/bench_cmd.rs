//! `gridmap bench …`: end-to-end figures side by side with PostGIS.

use super::{CliResult, demo_load};
use crate::bench::queries::{self, QueryBenchOptions};
use crate::service::staffing;
use crate::store::Store;
use crate::store::postgis::PostgisStore;
use std::sync::Arc;

/// The PostGIS store a comparison runs on, and its pool for the PostGIS side; any other
/// location is refused, naming what the benchmark compares with.
async fn postgis(
    database: &str,
    compares_with: &str,
) -> Result<(Arc<dyn Store>, sqlx::PgPool), Box<dyn std::error::Error + Send + Sync>> {
    if !database.starts_with("postgres://") && !database.starts_with("postgresql://") {
        return Err(format!("{compares_with}: give --database postgres://…").into());
    }
    let postgis = PostgisStore::connect(database).await?;
    let pool = postgis.pool().clone();
    Ok((Arc::new(postgis), pool))
}

/// The PostGIS store a comparison runs on (the demo district when empty), its pool, and the
/// engine loaded from it (the time said).
async fn engine_on_postgis(
    database: &str,
    compares_with: &str,
    json: bool,
) -> Result<
    (Arc<dyn Store>, sqlx::PgPool, crate::engine::Engine),
    Box<dyn std::error::Error + Send + Sync>,
> {
    let (store, pool) = postgis(database, compares_with).await?;
    if store.counts().await?.communities == 0 {
        demo_load::load_demo_if_empty(store.as_ref()).await?;
    }
    let started = std::time::Instant::now();
    let engine = crate::engine::Engine::load(store.as_ref()).await?;
    progress_lines(json)(&format!(
        "engine loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    Ok((store, pool, engine))
}

pub async fn walking(
    database: &str,
    options: crate::bench::walking::WalkingBenchOptions,
    json: bool,
) -> CliResult {
    let (store, pool, engine) =
        engine_on_postgis(database, "bench walking compares with pgRouting", json).await?;
    let say = progress_lines(json);
    let report = crate::bench::walking::run(&engine, &pool, options, &say).await?;
    store.close().await;
    if printed_as_json(&report, json)? {
        return Ok(());
    }
    for run in &report.runs {
        println!("{}", run.line());
    }
    println!(
        "\n{} nodes, {} edges, {:.0} km; nearest station on foot {:.0}× pgRouting's fastest; 15-minute area median {:.2} ms (max {:.2}), {:.1}× pgr_drivingDistance's nodes alone",
        report.nodes,
        report.edges,
        report.length_km,
        report.nearest_vs_pgrouting,
        report.area_median_ms,
        report.area_max_ms,
        report.area_vs_pgrouting
    );
    println!(
        "checks: {} walks compared with pgRouting, largest difference {:.6} m; walking / straight line to the nearest station: median {:.2}, 90th percentile {:.2}; nearest station differs for {:.0}% of points",
        report.distances_compared,
        report.largest_difference_m,
        report.walk_over_straight_median,
        report.walk_over_straight_p90,
        report.nearest_changes_share * 100.0
    );
    Ok(())
}

pub async fn coverage(
    database: &str,
    options: crate::bench::coverage::CoverageBenchOptions,
    json: bool,
) -> CliResult {
    use crate::bench::coverage::median_ms;
    let (store, pool, engine) = engine_on_postgis(
        database,
        "bench coverage compares with PostGIS and pgRouting",
        json,
    )
    .await?;
    let say = progress_lines(json);
    let report = crate::bench::coverage::run(&engine, &pool, options, &say).await?;
    store.close().await;
    if printed_as_json(&report, json)? {
        return Ok(());
    }
    let range = |v: &[f64]| {
        let (lo, hi) = v.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), x| {
            (lo.min(*x), hi.max(*x))
        });
        format!("{lo:.0}–{hi:.0} ms")
    };
    println!(
        "coverage of {} buildings by {} stations, every kind at {:?} m, walking and straight, per community: {} (median {:.0} ms); PostGIS straight line alone {:.0} ms ({:.1}×), pgRouting reach alone {:.0} ms ({:.1}×); straight-line households equal PostGIS's: {}",
        report.buildings,
        report.stations,
        report.tiers_m,
        range(&report.coverage_ms),
        median_ms(&report.coverage_ms),
        report.postgis_straight_ms,
        report.postgis_straight_ms / median_ms(&report.coverage_ms).max(1e-3),
        report.pgrouting_reach_ms,
        report.pgrouting_reach_ms / median_ms(&report.coverage_ms).max(1e-3),
        report.straight_matches_postgis
    );
    println!("district shares (walk / straight):");
    for (kind, tier, walk, straight) in &report.shares {
        println!(
            "  {:<20} {:>5} m  {:>5.1}% / {:>5.1}%",
            kind.as_str(),
            tier,
            walk * 100.0,
            straight * 100.0
        );
    }
    let s = &report.suggestion;
    println!(
        "site suggestions: k = {} of {} candidates in {} (median {:.0} ms); {} households brought within {} m; gap to the optimum at most {:.2}% (Lagrangian bound {:.0})",
        s.k,
        s.candidates,
        range(&report.suggest_ms),
        median_ms(&report.suggest_ms),
        s.covered_after - s.covered_before,
        s.within_m,
        s.gap_at_most * 100.0,
        s.upper_bound_households
    );
    if !report.exact.is_empty() {
        let worst = report.exact.iter().map(|e| e.gap).fold(0.0, f64::max);
        println!(
            "exact optimum on {} streets: largest gap {:.2}%",
            report.exact.len(),
            worst * 100.0
        );
    }
    Ok(())
}

pub async fn queries(database: &str, options: QueryBenchOptions, json: bool) -> CliResult {
    let (store, pool) = postgis(database, "bench queries compares with PostGIS").await?;
    if store.counts().await?.communities == 0 {
        demo_load::load_demo_if_empty(store.as_ref()).await?;
    } else if store.counts().await?.grids == 0 {
        return Err(
            "the database has communities but no grids: run gridmap partition first".into(),
        );
    } else {
        staffing::settle(store.as_ref()).await?;
    }
    let say = progress_lines(json);
    let report = queries::run(store.clone(), &pool, options, &say).await?;
    store.close().await;
    if printed_as_json(&report, json)? {
        return Ok(());
    }
    println!(
        "\n{} grids, {} workers; ratios: locate engine {:.0}× / HTTP {:.1}× PostGIS; nearest engine {:.0}× / HTTP {:.1}× PostGIS",
        report.grids,
        report.workers,
        report.locate_engine_vs_postgis,
        report.locate_http_vs_postgis,
        report.nearest_engine_vs_postgis,
        report.nearest_http_vs_postgis
    );
    println!(
        "checks: {} grid answers differ from PostGIS; incidents sent {} / stored {}; {} HTTP failures; nearest after updates {} wrong of {}",
        report.locate_mismatches,
        report.incidents_sent,
        report.incidents_stored,
        report.http_failures,
        report.nearest_wrong,
        report.nearest_checked
    );
    Ok(())
}

pub async fn import(households: u32, runs: usize, json: bool) -> CliResult {
    let say = progress_lines(json);
    let report = crate::bench::imports::run_bench(households, runs.max(1), &say).await?;
    if printed_as_json(&report, json)? {
        return Ok(());
    }
    let range = |v: &[f64]| {
        let (lo, hi) = v
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
        format!("{lo:.2}–{hi:.2} s")
    };
    println!(
        "\n{} buildings ({:.0} MB Shapefile, EPSG:4525, GBK): gridmap import {} vs ogr2ogr -f GPKG {}: {:.2}× (goal ≤ 2×, floor ≤ 4×)",
        report.buildings,
        report.shapefile_mb,
        range(&report.gridmap_s),
        range(&report.ogr2ogr_s),
        report.ratio
    );
    println!(
        "XLSX rosters: {} workers in {:.2} s, {} households in {:.2} s (target < 3 s each)",
        report.workers_rows,
        report.workers_roster_s,
        report.household_rows,
        report.household_roster_s
    );
    Ok(())
}

pub async fn photos(database: &str, uploads: usize, json: bool) -> CliResult {
    let store = crate::store::open(database).await?;
    let say = progress_lines(json);
    let report = crate::bench::photos::run(store.clone(), uploads.max(1), &say).await;
    store.close().await;
    let report = report?;
    if !printed_as_json(&report, json)? {
        println!("\n{}", report.lines());
    }
    Ok(())
}

pub async fn load(
    database: &str,
    options: &crate::bench::sustained_load::LoadOptions,
    json: bool,
) -> CliResult {
    if !(options.position_every_s > 0.0 && options.reports_per_s > 0.0 && options.workers > 0) {
        return Err(
            "bench load: --workers, --position-every-s and --reports-per-s must be above 0".into(),
        );
    }
    let store = crate::store::open(database).await?;
    demo_load::load_demo_if_empty(store.as_ref()).await?;
    let say = progress_lines(json);
    let report = crate::bench::sustained_load::run(store.clone(), options, &say).await;
    store.close().await;
    let report = report?;
    if !printed_as_json(&report, json)? {
        println!("\n{}", report.lines());
    }
    Ok(())
}

pub async fn rebalance(database: &str, communities: usize, json: bool) -> CliResult {
    let store = crate::store::open(database).await?;
    demo_load::load_demo_if_empty(store.as_ref()).await?;
    let say = progress_lines(json);
    let report = crate::bench::rebalance::run(store.as_ref(), communities, &say).await;
    store.close().await;
    let report = report?;
    if printed_as_json(&report, json)? {
        return Ok(());
    }
    println!(
        "\nslowest preview: split {:.0} ms, merge {:.0} ms; most buildings moved: +15% {:.1}%, −15% {:.1}%",
        report.split_ms_max,
        report.merge_ms_max,
        report.grow_moved_max * 100.0,
        report.shrink_moved_max * 100.0
    );
    println!(
        "±15% household changes: {} of {} moved under 10% of the community's buildings with every grid within tolerance \
         ({} moved under 10%, {} left a grid outside the band); in {} no rebalancing within tolerance can move under 10%",
        report.changes_met,
        report.changes,
        report.changes_under_10_percent,
        report.changes_outside_band,
        report.changes_impossible_under_10_percent
    );
    println!(
        "new compounds (+15%) and demolished blocks (−15%): {} of {} moved under 10% of the community's buildings with every grid within tolerance; \
         in {} no rebalancing within tolerance can do under 10%",
        report.local_changes_met,
        report.local_changes,
        report.local_changes_impossible_under_10_percent
    );
    Ok(())
}

pub async fn tiles(
    database: &str,
    households: u32,
    options: crate::bench::tiles::TileBenchOptions,
    json: bool,
) -> CliResult {
    use crate::generate::{GenerateOptions, generate_dongsheng};
    let (store, pool) = postgis(database, "bench tiles compares with PostGIS ST_AsMVT").await?;
    if store.counts().await?.communities == 0 {
        if !json {
            println!("empty store: generating a city of {households} households (seed 1)…");
        }
        let spinner = super::progress::spinner("generating");
        let data = generate_dongsheng(&GenerateOptions {
            households,
            seed: 1,
        });
        spinner.finish_and_clear();
        super::import_cmd::write_with_progress(store.as_ref(), &data?).await?;
        sqlx::query("ANALYZE buildings").execute(&pool).await?;
    }
    let second = crate::store::open(database).await?;
    let say = progress_lines(json);
    let report =
        crate::bench::tiles::run(store.clone(), second.clone(), &pool, options, &say).await;
    second.close().await;
    store.close().await;
    let report = report?;
    if printed_as_json(&report, json)? {
        return Ok(());
    }
    println!(
        "\n{} buildings, {} tiles; uncached {:.1}×, warm {:.0}× (gzip {:.0}×) PostGIS ST_AsMVT; warm at {:.0}% of the bare-server ceiling; mean tile {:.1} KB (PostGIS {:.1} KB), largest {:.0} KB; {} HTTP failures",
        report.buildings,
        report.tiles,
        report.uncached_vs_postgis,
        report.warm_vs_postgis,
        report.warm_gzip_vs_postgis,
        report.warm_vs_ceiling * 100.0,
        report.mean_tile_bytes / 1024.0,
        report.postgis_mean_tile_bytes / 1024.0,
        report.largest_tile_bytes as f64 / 1024.0,
        report.http_failures
    );
    Ok(())
}

/// Serves each database in turn and reports its memory.
pub async fn memory(databases: Vec<String>, settle_s: u64, json: bool) -> CliResult {
    let settle = std::time::Duration::from_secs(settle_s);
    let mut report = Vec::new();
    for database in databases {
        let measured =
            tokio::task::spawn_blocking(move || crate::bench::memory::measure(&database, settle))
                .await??;
        if !json {
            println!("{}", measured.line());
        }
        report.push(measured);
    }
    printed_as_json(&report, json)?;
    Ok(())
}

/// Progress lines for the terminal, silent when the report goes out as JSON.
fn progress_lines(json: bool) -> impl Fn(&str) {
    move |line: &str| {
        if !json {
            println!("{line}");
        }
    }
}

/// Prints the report as JSON when asked; whether it did.
fn printed_as_json(report: &impl serde::Serialize, json: bool) -> Result<bool, serde_json::Error> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    }
    Ok(json)
}

pub async fn dashboard(
    database: &str,
    options: crate::bench::dashboard::DashboardBenchOptions,
    json: bool,
) -> CliResult {
    let (store, pool) = postgis(
        database,
        "bench dashboard compares with SQL GROUP BY in PostGIS",
    )
    .await?;
    demo_load::load_demo_if_empty(store.as_ref()).await?;
    let say = progress_lines(json);
    let report = crate::bench::dashboard::run(store.clone(), &pool, &options, &say).await;
    store.close().await;
    let report = report?;
    if !printed_as_json(&report, json)? {
        println!("\n{}", report.lines());
    }
    Ok(())
}
