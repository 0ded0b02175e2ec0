//! `gridmap bench walking`: the walking network beside pgRouting on the same graph in the
//! same PostGIS — the nearest station on foot (`pgr_dijkstraCost` to every station's node,
//! over the whole graph and over a box round the point) and the area within a 15-minute
//! walk (`pgr_drivingDistance`) — with the answers checked against each other, and how
//! walking and straight-line answers differ.

use super::Throughput;
use crate::engine::Engine;
use crate::routing::{NodeId, Seed, Snap, WalkNetwork, reach_within};
use geo_types::Point;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use sqlx::PgPool;
use std::time::{Duration, Instant};

/// Sizes of the run.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct WalkingBenchOptions {
    /// Query points (interiors of random buildings).
    pub points: usize,
    /// Stations per nearest-station answer.
    pub k: usize,
    /// The walk an area is drawn for, in metres (15 minutes at 72 m a minute).
    pub area_m: f64,
}

impl Default for WalkingBenchOptions {
    fn default() -> Self {
        Self {
            points: 200,
            k: 3,
            area_m: 1_080.0,
        }
    }
}

/// The figures of one run.
#[derive(Debug, Clone, Serialize)]
pub struct WalkingBenchReport {
    pub options: WalkingBenchOptions,
    pub nodes: usize,
    pub edges: usize,
    pub length_km: f64,
    pub largest_share: f64,
    pub stations_on_network: usize,
    pub runs: Vec<Throughput>,
    /// pgRouting's fastest nearest-station query / ours, by median.
    pub nearest_vs_pgrouting: f64,
    /// Our area polygon, median and slowest, in ms; pgRouting's reached nodes alone.
    pub area_median_ms: f64,
    pub area_max_ms: f64,
    pub area_vs_pgrouting: f64,
    /// Node-to-node walks compared with pgRouting, and the largest difference (m).
    pub distances_compared: u64,
    pub largest_difference_m: f64,
    /// Walking / straight-line distance to the nearest station on foot: median and 90th
    /// percentile; share of points whose nearest station differs.
    pub walk_over_straight_median: f64,
    pub walk_over_straight_p90: f64,
    pub nearest_changes_share: f64,
}

/// Interiors of random buildings.
fn building_points(engine: &Engine, n: usize, seed: u64) -> Vec<Point<f64>> {
    use geo::InteriorPoint;
    let entries = engine.buildings().entries();
    if entries.is_empty() {
        return Vec::new();
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .filter_map(|_| {
            entries[rng.random_range(0..entries.len())]
                .1
                .interior_point()
        })
        .collect()
}

/// Copies the network into `walk_edges` (pgRouting's edge table: id, source, target, cost,
/// reverse_cost, and a straight line for box filters); node ids are ours plus one.
pub(super) async fn write_edges(pool: &PgPool, engine: &Engine) -> Result<(), sqlx::Error> {
    let network = engine.walking().network();
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pgrouting")
        .execute(pool)
        .await?;
    sqlx::query("DROP TABLE IF EXISTS walk_edges")
        .execute(pool)
        .await?;
    sqlx::query(
        "CREATE TABLE walk_edges (id bigint PRIMARY KEY, source bigint, target bigint, \
         cost float8, reverse_cost float8, geom geometry(LineString, 4326))",
    )
    .execute(pool)
    .await?;
    let frame = network.frame();
    let lonlat = |n: NodeId| {
        let c = network.nodes()[n.0 as usize];
        frame.to_lonlat(c.x, c.y)
    };
    for (chunk_index, chunk) in network.edges().chunks(20_000).enumerate() {
        let first = chunk_index * 20_000;
        let ids: Vec<i64> = (0..chunk.len()).map(|i| (first + i + 1) as i64).collect();
        let sources: Vec<i64> = chunk.iter().map(|e| i64::from(e.tail.0) + 1).collect();
        let targets: Vec<i64> = chunk.iter().map(|e| i64::from(e.head.0) + 1).collect();
        let costs: Vec<f64> = chunk.iter().map(|e| e.length_m).collect();
        let coords = |end: fn(&crate::routing::WalkEdge) -> NodeId| -> (Vec<f64>, Vec<f64>) {
            chunk
                .iter()
                .map(|e| {
                    let c = lonlat(end(e));
                    (c.x, c.y)
                })
                .unzip()
        };
        let (x0, y0) = coords(|e| e.tail);
        let (x1, y1) = coords(|e| e.head);
        sqlx::query(
            "INSERT INTO walk_edges SELECT id, s, t, c, c, \
             ST_SetSRID(ST_MakeLine(ST_MakePoint(x0, y0), ST_MakePoint(x1, y1)), 4326) \
             FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::float8[], \
             $5::float8[], $6::float8[], $7::float8[], $8::float8[]) \
             AS u(id, s, t, c, x0, y0, x1, y1)",
        )
        .bind(&ids)
        .bind(&sources)
        .bind(&targets)
        .bind(&costs)
        .bind(&x0)
        .bind(&y0)
        .bind(&x1)
        .bind(&y1)
        .execute(pool)
        .await?;
    }
    sqlx::query("CREATE INDEX walk_edges_geom ON walk_edges USING GIST (geom)")
        .execute(pool)
        .await?;
    sqlx::query("ANALYZE walk_edges").execute(pool).await?;
    Ok(())
}

/// The end of a snap's edge nearer to the snapped point, and the metres to it.
pub(super) fn nearer_end(network: &WalkNetwork, snap: &Snap) -> (NodeId, f64) {
    let [a, b] = network.approaches(snap);
    if b.1 < a.1 { b } else { a }
}

/// The node nearer along its edge to where a point joins the network, and the metres
/// from the point to it.
fn nearest_node(engine: &Engine, p: Point<f64>) -> Option<(NodeId, f64)> {
    let network = engine.walking().network();
    let snap = network.snap(p, crate::engine::POINT_SNAP_M).ok()?;
    Some(nearer_end(network, &snap))
}

pub(super) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn quantile(mut values: Vec<f64>, q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let i = ((values.len() as f64 * q) as usize).min(values.len().saturating_sub(1));
    values.get(i).copied().unwrap_or(f64::NAN)
}

/// Runs the comparison on a loaded engine whose store is the PostGIS behind `pool`.
pub async fn run(
    engine: &Engine,
    pool: &PgPool,
    options: WalkingBenchOptions,
    say: &impl Fn(&str),
) -> Result<WalkingBenchReport, Box<dyn std::error::Error + Send + Sync>> {
    let walking = engine.walking();
    let network = walking.network();
    let report = walking.report();
    say(&format!(
        "walking network: {} nodes, {} edges, {:.0} km; largest piece {:.2}% of nodes; {} sealed compounds",
        report.nodes,
        report.edges,
        report.length_m / 1000.0,
        report.largest_share * 100.0,
        report.sealed.len()
    ));
    let started = Instant::now();
    write_edges(pool, engine).await?;
    say(&format!(
        "edges copied into walk_edges in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    let points: Vec<Point<f64>> = building_points(engine, options.points, 7)
        .into_iter()
        .filter(|p| nearest_node(engine, *p).is_some())
        .collect();
    // Station nodes for pgRouting: the nearer end of each station's edge.
    let station_vids: Vec<i64> = engine
        .station_info()
        .keys()
        .filter_map(|id| walking.station(id))
        .map(|snap| i64::from(nearer_end(network, snap).0.0) + 1)
        .collect();
    let mut runs = Vec::new();

    // Ours: the nearest stations on foot from each point (snap, search, routes).
    let mut ours = Vec::new();
    let mut ratios = Vec::new();
    let mut changed = 0usize;
    for p in &points {
        let t = Instant::now();
        let walks = walking.nearest_stations(*p, options.k, |_| true)?;
        ours.push(t.elapsed());
        let straight = engine.nearest_stations(*p, 1, None);
        if let (Some(w), Some((s, _))) = (walks.first(), straight.first()) {
            if w.station != s.id {
                changed += 1;
            }
            if let Some(station) = engine.station_info().get(&w.station) {
                let line = network.frame().distance_m(*p, station.location).max(1.0);
                ratios.push(w.walking_m / line);
            }
        }
    }
    let total: Duration = ours.iter().sum();
    let ours_run = Throughput::new("nearest stations on foot: gridmap engine", ours, total);

    // pgRouting: cost to every station node, whole graph and a box round the point.
    let mut whole = Vec::new();
    let mut boxed = Vec::new();
    let mut compared = 0u64;
    let mut largest_difference_m: f64 = 0.0;
    for p in points.iter().take(points.len().min(50)) {
        let Some((start, _)) = nearest_node(engine, *p) else {
            continue;
        };
        let vid = i64::from(start.0) + 1;
        let t = Instant::now();
        let rows: Vec<(i64, f64)> = sqlx::query_as(
            "SELECT end_vid, agg_cost FROM pgr_dijkstraCost(\
             'SELECT id, source, target, cost, reverse_cost FROM walk_edges', $1, $2::bigint[], \
             directed => false) ORDER BY agg_cost LIMIT $3",
        )
        .bind(vid)
        .bind(&station_vids)
        .bind(options.k as i64)
        .fetch_all(pool)
        .await?;
        whole.push(t.elapsed());
        let t = Instant::now();
        let _: Vec<(i64, f64)> = sqlx::query_as(
            "SELECT end_vid, agg_cost FROM pgr_dijkstraCost(format(\
             'SELECT id, source, target, cost, reverse_cost FROM walk_edges \
              WHERE geom && ST_Expand(ST_SetSRID(ST_MakePoint(%s, %s), 4326), 0.04)', $4::float8, $5::float8), \
             $1, $2::bigint[], directed => false) ORDER BY agg_cost LIMIT $3",
        )
        .bind(vid)
        .bind(&station_vids)
        .bind(options.k as i64)
        .bind(p.x())
        .bind(p.y())
        .fetch_all(pool)
        .await?;
        boxed.push(t.elapsed());
        // The same node-to-node walks in the engine.
        let reach = reach_within(
            network,
            &[Seed {
                node: start,
                start_m: 0.0,
            }],
            f64::INFINITY,
        );
        for (end_vid, cost) in rows {
            if let Some(d) = reach.distance_m(NodeId((end_vid - 1) as u32)) {
                largest_difference_m = largest_difference_m.max((d - cost).abs());
                compared += 1;
            }
        }
    }
    let total: Duration = whole.iter().sum();
    let whole_run = Throughput::new(
        "nearest stations: pgr_dijkstraCost, whole graph",
        whole,
        total,
    );
    let total: Duration = boxed.iter().sum();
    let boxed_run = Throughput::new(
        "nearest stations: pgr_dijkstraCost, ±0.04° box",
        boxed,
        total,
    );
    let fastest_pg = whole_run.p50_us.min(boxed_run.p50_us);
    let nearest_vs_pgrouting = fastest_pg / ours_run.p50_us.max(1e-3);

    // Areas: ours as polygons; pgRouting's reached nodes only.
    let mut areas = Vec::new();
    for p in &points {
        let t = Instant::now();
        std::hint::black_box(walking.area_from_point(*p, options.area_m)?);
        areas.push(t.elapsed());
    }
    let area_ms: Vec<f64> = areas.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    let total: Duration = areas.iter().sum();
    let area_run = Throughput::new("15-minute area polygon: gridmap engine", areas, total);
    let mut driving = Vec::new();
    for p in points.iter().take(points.len().min(50)) {
        let Some((start, _)) = nearest_node(engine, *p) else {
            continue;
        };
        let t = Instant::now();
        let _: Vec<(i64,)> = sqlx::query_as(
            "SELECT node FROM pgr_drivingDistance(format(\
             'SELECT id, source, target, cost, reverse_cost FROM walk_edges \
              WHERE geom && ST_Expand(ST_SetSRID(ST_MakePoint(%s, %s), 4326), 0.02)', $3::float8, $4::float8), \
             $1, $2, directed => false)",
        )
        .bind(i64::from(start.0) + 1)
        .bind(options.area_m)
        .bind(p.x())
        .bind(p.y())
        .fetch_all(pool)
        .await?;
        driving.push(t.elapsed());
    }
    let total: Duration = driving.iter().sum();
    let driving_run = Throughput::new(
        "15-minute reach: pgr_drivingDistance, ±0.02° box (nodes only)",
        driving,
        total,
    );
    let area_vs_pgrouting = driving_run.p50_us / area_run.p50_us.max(1e-3);
    runs.extend([ours_run, whole_run, boxed_run, area_run, driving_run]);
    Ok(WalkingBenchReport {
        options,
        nodes: report.nodes,
        edges: report.edges,
        length_km: report.length_m / 1000.0,
        largest_share: report.largest_share,
        stations_on_network: station_vids.len(),
        runs,
        nearest_vs_pgrouting,
        area_median_ms: median(area_ms.clone()),
        area_max_ms: area_ms.iter().copied().fold(0.0, f64::max),
        area_vs_pgrouting,
        distances_compared: compared,
        largest_difference_m,
        walk_over_straight_median: median(ratios.clone()),
        walk_over_straight_p90: quantile(ratios, 0.9),
        nearest_changes_share: changed as f64 / points.len().max(1) as f64,
    })
}
