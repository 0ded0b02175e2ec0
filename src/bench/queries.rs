//! `gridmap bench queries`: point-in-grid and k-nearest-worker queries in the engine, over
//! HTTP, and as the equivalent PostGIS queries (`ST_Contains` on a GiST index,
//! `ORDER BY geom <-> point LIMIT k`) through the same connection pool, on the same data;
//! then incident intake and worker position updates over HTTP into PostGIS.

use super::http_load::{self, LoadRequest};
use super::{BenchServer, Throughput};
use crate::api::AppState;
use crate::domain::*;
use crate::engine::Engine;
use crate::store::{LayerQuery, Store};
use geo::BoundingRect;
use geo_types::Point;
use hyper::{Method, StatusCode};
use rand::{Rng, SeedableRng};
use serde::Serialize;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sizes of the runs.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct QueryBenchOptions {
    /// Query points (random over the district, some outside every grid).
    pub points: usize,
    /// Workers nearest to each point.
    pub k: usize,
    /// Concurrent PostGIS queries and HTTP clients.
    pub concurrency: usize,
    /// Incidents reported over HTTP.
    pub incidents: usize,
    /// Worker position updates over HTTP.
    pub positions: usize,
}

impl Default for QueryBenchOptions {
    fn default() -> Self {
        Self {
            points: 20_000,
            k: 5,
            concurrency: 32,
            incidents: 10_000,
            positions: 50_000,
        }
    }
}

/// The figures of one run.
#[derive(Debug, Clone, Serialize)]
pub struct QueryBenchReport {
    pub options: QueryBenchOptions,
    pub grids: usize,
    pub workers: usize,
    pub runs: Vec<Throughput>,
    /// Engine / PostGIS and HTTP / PostGIS throughput ratios.
    pub locate_engine_vs_postgis: f64,
    pub locate_http_vs_postgis: f64,
    pub nearest_engine_vs_postgis: f64,
    pub nearest_http_vs_postgis: f64,
    /// Points where the engine's grid differs from PostGIS's (must be 0).
    pub locate_mismatches: u64,
    /// Incidents reported, and how many the store holds more afterwards (must match).
    pub incidents_sent: u64,
    pub incidents_stored: u64,
    pub http_failures: u64,
    /// Nearest-worker answers checked against brute force after the position updates, and
    /// how many differed (must be 0).
    pub nearest_checked: u64,
    pub nearest_wrong: u64,
}

fn random_points(engine: &Engine, n: usize, seed: u64) -> Vec<Point<f64>> {
    let mut min = [f64::MAX; 2];
    let mut max = [f64::MIN; 2];
    for g in engine.grids().in_box([-180.0, -90.0], [180.0, 90.0]) {
        if let Some(r) = engine.grids().polygon(g).and_then(|p| p.bounding_rect()) {
            min = [min[0].min(r.min().x), min[1].min(r.min().y)];
            max = [max[0].max(r.max().x), max[1].max(r.max().y)];
        }
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            Point::new(
                rng.random_range(min[0]..=max[0]),
                rng.random_range(min[1]..=max[1]),
            )
        })
        .collect()
}

/// Runs `op` over the points on every core, timing each call.
fn engine_run<T: Send>(
    name: &str,
    points: &[Point<f64>],
    op: impl Fn(Point<f64>) -> T + Sync,
) -> Throughput {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = points.len().div_ceil(threads).max(1);
    let started = Instant::now();
    let latencies: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = points
            .chunks(chunk)
            .map(|part| {
                let op = &op;
                s.spawn(move || {
                    part.iter()
                        .map(|&p| {
                            let t = Instant::now();
                            std::hint::black_box(op(p));
                            t.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    Throughput::new(name, latencies, started.elapsed())
}

/// Runs one PostGIS query per point, `concurrency` at a time over the pool; returns the
/// figures and the first column of each answer.
async fn postgis_run(
    name: &str,
    pool: &PgPool,
    sql: &'static str,
    points: &[Point<f64>],
    k: Option<i64>,
    concurrency: usize,
) -> Result<(Throughput, Vec<Option<String>>), String> {
    use futures_util::StreamExt;
    let started = Instant::now();
    let results: Vec<Result<(Duration, Option<String>), sqlx::Error>> =
        futures_util::stream::iter(points.iter().copied())
            .map(|p| async move {
                let t = Instant::now();
                let mut q = sqlx::query_scalar::<_, String>(sql).bind(p.x()).bind(p.y());
                if let Some(k) = k {
                    q = q.bind(k);
                }
                let rows = q.fetch_all(pool).await?;
                Ok((t.elapsed(), rows.into_iter().next()))
            })
            .buffered(concurrency)
            .collect()
            .await;
    let wall = started.elapsed();
    let mut latencies = Vec::with_capacity(results.len());
    let mut answers = Vec::with_capacity(results.len());
    for r in results {
        let (d, a) = r.map_err(|e| format!("{name}: {e}"))?;
        latencies.push(d);
        answers.push(a);
    }
    Ok((Throughput::new(name, latencies, wall), answers))
}

const POSTGIS_LOCATE: &str = "SELECT code FROM grids WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) ORDER BY code LIMIT 1";
const POSTGIS_NEAREST: &str = "SELECT id FROM workers WHERE duty = 'on_duty' AND geom IS NOT NULL ORDER BY geom <-> ST_SetSRID(ST_MakePoint($1, $2), 4326) LIMIT $3";

/// Runs the whole benchmark on a PostGIS store holding a partitioned district.
pub async fn run(
    store: Arc<dyn Store>,
    pool: &PgPool,
    options: QueryBenchOptions,
    say: &(dyn Fn(&str) + Sync),
) -> Result<QueryBenchReport, String> {
    let engine = Engine::load(store.as_ref())
        .await
        .map_err(|e| e.to_string())?;
    let points = random_points(&engine, options.points, 7);

    // Point in grid.
    let engine_locate = engine_run("locate: engine (R-tree + point in polygon)", &points, |p| {
        engine.grids().locate(p).cloned()
    });
    say(&engine_locate.line());
    let (postgis_locate, postgis_grids) = postgis_run(
        "locate: PostGIS ST_Contains (GiST)",
        pool,
        POSTGIS_LOCATE,
        &points,
        None,
        options.concurrency,
    )
    .await?;
    say(&postgis_locate.line());
    let locate_mismatches = points
        .iter()
        .zip(&postgis_grids)
        .filter(|(p, g)| engine.grids().locate(**p).map(|c| c.as_str()) != g.as_deref())
        .count() as u64;

    // k nearest on-duty workers (the engine also puts the point's grid workers first).
    let k = options.k;
    let engine_nearest = engine_run("nearest workers: engine (own grid first)", &points, |p| {
        engine.nearest_workers(p, k)
    });
    say(&engine_nearest.line());
    let (postgis_nearest, _) = postgis_run(
        "nearest workers: PostGIS ORDER BY <-> LIMIT k",
        pool,
        POSTGIS_NEAREST,
        &points,
        Some(k as i64),
        options.concurrency,
    )
    .await?;
    say(&postgis_nearest.line());

    // Over HTTP, on a real socket.
    let state = AppState::load(store.clone())
        .await
        .map_err(|e| e.to_string())?;
    let server = BenchServer::start(&state).await?;
    let (base, dispatcher) = (server.base.clone(), server.token.clone());
    let locate_requests = points
        .iter()
        .map(|p| LoadRequest::get(format!("{base}/api/locate?lon={}&lat={}", p.x(), p.y())))
        .collect();
    let http_locate = http_load::run(
        "locate: HTTP GET /api/locate",
        locate_requests,
        options.concurrency,
        None,
        StatusCode::OK,
    )
    .await;
    say(&http_locate.throughput.line());
    let nearest_requests = points
        .iter()
        .map(|p| {
            LoadRequest::get(format!(
                "{base}/api/dispatch/nearest?lon={}&lat={}&k={k}",
                p.x(),
                p.y()
            ))
        })
        .collect();
    let http_nearest = http_load::run(
        "nearest workers: HTTP GET /api/dispatch/nearest",
        nearest_requests,
        options.concurrency,
        Some(&dispatcher),
        StatusCode::OK,
    )
    .await;
    say(&http_nearest.throughput.line());

    // Incident intake into PostGIS.
    let before = store.counts().await.map_err(|e| e.to_string())?.incidents;
    let categories = state.taxonomy.names();
    let intake_points = random_points(&engine, options.incidents, 11);
    let intake_requests = intake_points
        .iter()
        .enumerate()
        .map(|(i, p)| LoadRequest {
            method: Method::POST,
            uri: format!("{base}/api/incidents"),
            body: Some(
                serde_json::json!({
                    "lon": p.x(), "lat": p.y(),
                    "category": categories[i % categories.len().max(1)],
                    "description": format!("bench report {i}"),
                    "source": "hotline",
                })
                .to_string(),
            ),
            headers: vec![(
                "idempotency-key".into(),
                format!("bench-{}-{i}", std::process::id()),
            )],
        })
        .collect();
    let intake = http_load::run(
        "incident intake: HTTP POST /api/incidents",
        intake_requests,
        options.concurrency * 2,
        Some(&dispatcher),
        StatusCode::CREATED,
    )
    .await;
    say(&intake.throughput.line());
    let after = store.counts().await.map_err(|e| e.to_string())?.incidents;

    // Worker position updates, then nearest answers checked against brute force.
    let workers: Vec<WorkerId> = engine
        .workers()
        .all()
        .iter()
        .map(|w| w.id.clone())
        .collect();
    let moves = random_points(&engine, options.positions, 13);
    let position_requests = moves
        .iter()
        .enumerate()
        .map(|(i, p)| LoadRequest {
            method: Method::POST,
            uri: format!(
                "{base}/api/workers/{}/position",
                workers[i % workers.len().max(1)].as_str()
            ),
            body: Some(serde_json::json!({"lon": p.x(), "lat": p.y()}).to_string()),
            headers: Vec::new(),
        })
        .collect();
    let positions = http_load::run(
        "position updates: HTTP POST /api/workers/{id}/position",
        position_requests,
        options.concurrency * 2,
        Some(&dispatcher),
        StatusCode::NO_CONTENT,
    )
    .await;
    say(&positions.throughput.line());
    state.flush_positions().await.map_err(|e| e.to_string())?;
    let stored = store
        .workers(&LayerQuery::default())
        .await
        .map_err(|e| e.to_string())?;
    let (mut checked, mut wrong) = (0u64, 0u64);
    {
        let live = crate::engine::read(&state.engine);
        let frame = live.workers().frame();
        for p in random_points(&engine, 200, 17) {
            let grid = live.grids().locate(p).cloned();
            let mut expected: Vec<(bool, f64)> = stored
                .iter()
                .filter(|w| w.duty == DutyStatus::OnDuty)
                .filter_map(|w| {
                    let own = grid.as_ref().is_some_and(|g| w.grids.contains(g));
                    Some((!own, frame.distance_m(p, w.position?)))
                })
                .collect();
            expected.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let got = live.nearest_workers(p, k);
            checked += 1;
            if got.len() != k.min(expected.len())
                || got
                    .iter()
                    .zip(&expected)
                    .any(|(g, e)| g.serves_grid == e.0 || (g.distance_m - e.1).abs() > 1e-6)
            {
                wrong += 1;
            }
        }
    }
    drop(server);

    let ratio = |a: &Throughput, b: &Throughput| a.per_second / b.per_second.max(1e-9);
    let report = QueryBenchReport {
        options,
        grids: engine.grids().len(),
        workers: engine.workers().all().len(),
        locate_engine_vs_postgis: ratio(&engine_locate, &postgis_locate),
        locate_http_vs_postgis: ratio(&http_locate.throughput, &postgis_locate),
        nearest_engine_vs_postgis: ratio(&engine_nearest, &postgis_nearest),
        nearest_http_vs_postgis: ratio(&http_nearest.throughput, &postgis_nearest),
        locate_mismatches,
        incidents_sent: options.incidents as u64,
        incidents_stored: after.saturating_sub(before),
        http_failures: http_locate.failures
            + http_nearest.failures
            + intake.failures
            + positions.failures,
        nearest_checked: checked,
        nearest_wrong: wrong,
        runs: vec![
            engine_locate,
            postgis_locate,
            http_locate.throughput,
            engine_nearest,
            postgis_nearest,
            http_nearest.throughput,
            intake.throughput,
            positions.throughput,
        ],
    };
    Ok(report)
}
