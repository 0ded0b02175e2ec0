//! `gridmap bench tiles`: every z14–z16 building tile of a district served by gridmap over
//! HTTP, uncached (fresh cache, each tile once) and warm (the list again, several times),
//! side by side with the same tiles made by PostGIS `ST_AsMVT` (how Martin makes them) on
//! the same data; then the time from a roster commit in another store connection to the
//! changed tile.

use super::http_load::{self, LoadRequest};
use super::{BenchServer, LoopbackServer, Throughput};
use crate::api::AppState;
use crate::domain::{RosterEntry, RosterKey};
use crate::engine::{TileLayer, read};
use crate::mvt::TileId;
use crate::store::Store;
use hyper::StatusCode;
use serde::Serialize;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sizes of the run.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TileBenchOptions {
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// Concurrent HTTP clients and PostGIS queries.
    pub concurrency: usize,
    /// How many times the list is requested warm.
    pub warm_rounds: usize,
}

impl Default for TileBenchOptions {
    fn default() -> Self {
        Self {
            min_zoom: 14,
            max_zoom: 16,
            concurrency: 32,
            warm_rounds: 10,
        }
    }
}

/// The figures of one run.
#[derive(Debug, Clone, Serialize)]
pub struct TileBenchReport {
    pub options: TileBenchOptions,
    pub buildings: usize,
    pub tiles: usize,
    pub runs: Vec<Throughput>,
    pub uncached_vs_postgis: f64,
    pub warm_vs_postgis: f64,
    pub warm_gzip_vs_postgis: f64,
    /// Warm throughput as a share of the bare-server ceiling on the same machine.
    pub warm_vs_ceiling: f64,
    /// Making each z14 tile in the engine, one at a time (no HTTP): median and slowest.
    pub cold_z14_p50_ms: f64,
    pub cold_z14_max_ms: f64,
    pub largest_tile_bytes: usize,
    pub mean_tile_bytes: f64,
    pub postgis_mean_tile_bytes: f64,
    pub http_failures: u64,
    /// From the end of a roster commit by another connection to a tile with a new ETag.
    pub edit_visible_ms: Option<f64>,
}

const POSTGIS_TILE: &str = "SELECT ST_AsMVT(t.*, 'buildings', 4096, 'geom') FROM (\
     SELECT id, households, kind, \
     ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom \
     FROM buildings \
     WHERE geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)) t \
     WHERE t.geom IS NOT NULL";

/// Every tile of the zooms over the buildings' extent.
fn tile_list(extent: ([f64; 2], [f64; 2]), options: &TileBenchOptions) -> Vec<TileId> {
    let mut tiles = Vec::new();
    for z in options.min_zoom..=options.max_zoom {
        let nw = TileId::containing(extent.0[0], extent.1[1], z);
        let se = TileId::containing(extent.1[0], extent.0[1], z);
        for x in nw.x()..=se.x() {
            for y in nw.y()..=se.y() {
                if let Ok(t) = TileId::new(u32::from(z), u64::from(x), u64::from(y)) {
                    tiles.push(t);
                }
            }
        }
    }
    tiles
}

/// Runs the benchmark on a PostGIS store holding buildings; `second` is another
/// connection to the same database (the "other process" of the edit check).
pub async fn run(
    store: Arc<dyn Store>,
    second: Arc<dyn Store>,
    pool: &PgPool,
    options: TileBenchOptions,
    say: &(dyn Fn(&str) + Sync),
) -> Result<TileBenchReport, String> {
    let started = Instant::now();
    let state = AppState::load(store.clone())
        .await
        .map_err(|e| e.to_string())?;
    let (buildings, extent) = {
        let engine = read(&state.engine);
        (engine.buildings().len(), engine.buildings().extent())
    };
    let extent = extent.ok_or("the store has no buildings")?;
    say(&format!(
        "engine loaded {buildings} buildings in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    let tiles = tile_list(extent, &options);
    say(&format!(
        "{} tiles at z{}–z{}",
        tiles.len(),
        options.min_zoom,
        options.max_zoom
    ));

    // Cold z14 tiles in the engine, one at a time.
    let mut cold = Vec::new();
    let (mut largest, mut total_bytes) = (0usize, 0usize);
    {
        let engine = read(&state.engine);
        for t in &tiles {
            let at = Instant::now();
            let bytes = engine.render_tile(TileLayer::Buildings, *t);
            if t.z() == 14 {
                cold.push(at.elapsed().as_secs_f64() * 1e3);
            }
            largest = largest.max(bytes.len());
            total_bytes += bytes.len();
        }
    }
    cold.sort_by(f64::total_cmp);
    let cold_z14_p50_ms = cold.get(cold.len() / 2).copied().unwrap_or(0.0);
    let cold_z14_max_ms = cold.last().copied().unwrap_or(0.0);
    say(&format!(
        "cold z14 tile in the engine: median {cold_z14_p50_ms:.2} ms, slowest {cold_z14_max_ms:.2} ms; largest tile {} KB",
        largest / 1024
    ));

    // Over HTTP on a real socket, with a fresh cache (the cold pass above bypassed it).
    let server = BenchServer::start(&state).await?;
    let (base, token) = (server.base.clone(), server.token.clone());
    let url = |t: &TileId| format!("{base}/tiles/buildings/{}/{}/{}.mvt", t.z(), t.x(), t.y());
    let requests: Vec<LoadRequest> = tiles.iter().map(|t| LoadRequest::get(url(t))).collect();
    let uncached = http_load::run(
        "tiles uncached: gridmap HTTP (engine → MVT)",
        requests.clone(),
        options.concurrency,
        Some(&token),
        StatusCode::OK,
    )
    .await;
    say(&uncached.throughput.line());
    let warm_requests: Vec<LoadRequest> = (0..options.warm_rounds)
        .flat_map(|_| requests.iter().cloned())
        .collect();
    // Warm, alternating with the machine's ceiling: the same bytes served by a bare axum
    // router from a HashMap (no auth, no cache checks, no headers) on the same loopback
    // with the same client; the median of three rounds each (loopback figures on a shared
    // 2-core machine vary by ±20% run to run).
    let ceiling = ceiling_server(&state, &tiles).await?;
    let ceiling_requests: Vec<LoadRequest> = warm_requests
        .iter()
        .map(|r| LoadRequest::get(r.uri.replacen(&base, &ceiling.base, 1)))
        .collect();
    let (mut warm_rounds, mut ceiling_rounds) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        warm_rounds.push(
            http_load::run(
                "tiles warm: gridmap HTTP (cache)",
                warm_requests.clone(),
                options.concurrency,
                Some(&token),
                StatusCode::OK,
            )
            .await,
        );
        ceiling_rounds.push(
            http_load::run(
                "ceiling: bare axum, same bytes from a HashMap",
                ceiling_requests.clone(),
                options.concurrency,
                None,
                StatusCode::OK,
            )
            .await,
        );
    }
    drop(ceiling);
    let warm = median_run(warm_rounds);
    let ceiling = median_run(ceiling_rounds);
    say(&warm.throughput.line());
    say(&ceiling.throughput.line());
    // As browsers ask for them: gzipped (made once per tile, then served from the cache).
    let gzip_requests: Vec<LoadRequest> = warm_requests
        .into_iter()
        .map(|mut r| {
            r.headers.push(("accept-encoding".into(), "gzip".into()));
            r
        })
        .collect();
    // Each tile is gzipped on its first gzip request, once: one unmeasured pass makes them.
    let gzip_first_pass: Vec<LoadRequest> =
        gzip_requests.iter().take(tiles.len()).cloned().collect();
    http_load::run(
        "gzip first pass",
        gzip_first_pass,
        options.concurrency,
        Some(&token),
        StatusCode::OK,
    )
    .await;
    let warm_gzip = http_load::run(
        "tiles warm, gzip: gridmap HTTP (cache)",
        gzip_requests,
        options.concurrency,
        Some(&token),
        StatusCode::OK,
    )
    .await;
    say(&warm_gzip.throughput.line());

    // The same tiles from PostGIS.
    let (postgis, postgis_bytes) = postgis_tiles(pool, &tiles, options.concurrency).await?;
    say(&postgis.line());

    // An edit from another connection: a building's households change by roster.
    let edit_visible_ms = edit_check(&state, second.as_ref(), &base, &token).await;
    match edit_visible_ms {
        Some(ms) => say(&format!(
            "roster commit in another connection → changed tile in {ms:.0} ms"
        )),
        None => say("roster commit in another connection: tile did not change within 10 s"),
    }
    drop(server);

    let ratio = |a: &Throughput| a.per_second / postgis.per_second.max(1e-9);
    Ok(TileBenchReport {
        options,
        buildings,
        tiles: tiles.len(),
        uncached_vs_postgis: ratio(&uncached.throughput),
        warm_vs_postgis: ratio(&warm.throughput),
        warm_gzip_vs_postgis: ratio(&warm_gzip.throughput),
        warm_vs_ceiling: warm.throughput.per_second / ceiling.throughput.per_second.max(1e-9),
        http_failures: uncached.failures + warm.failures + warm_gzip.failures + ceiling.failures,
        runs: vec![
            uncached.throughput,
            warm.throughput,
            ceiling.throughput,
            warm_gzip.throughput,
            postgis,
        ],
        cold_z14_p50_ms,
        cold_z14_max_ms,
        largest_tile_bytes: largest,
        mean_tile_bytes: total_bytes as f64 / tiles.len().max(1) as f64,
        postgis_mean_tile_bytes: postgis_bytes as f64 / tiles.len().max(1) as f64,
        edit_visible_ms,
    })
}

/// The run of median throughput.
fn median_run(mut runs: Vec<http_load::LoadResult>) -> http_load::LoadResult {
    runs.sort_by(|a, b| a.throughput.per_second.total_cmp(&b.throughput.per_second));
    let middle = runs.len() / 2;
    runs.swap_remove(middle)
}

/// A bare axum server answering each tile path with its cached bytes: what the machine's
/// loopback HTTP can do with no work per request.
async fn ceiling_server(state: &AppState, tiles: &[TileId]) -> Result<LoopbackServer, String> {
    use axum::routing::get;
    use std::collections::HashMap;
    let mut bytes: HashMap<String, bytes::Bytes> = HashMap::new();
    for t in tiles {
        let (tile, _) = state.tiles.get(&state.engine, TileLayer::Buildings, *t);
        bytes.insert(
            format!("/tiles/buildings/{}/{}/{}.mvt", t.z(), t.x(), t.y()),
            tile.bytes.clone(),
        );
    }
    let bytes = Arc::new(bytes);
    let router = axum::Router::new().route(
        "/tiles/buildings/{z}/{x}/{y}",
        get(move |uri: axum::http::Uri| {
            let found = bytes.get(uri.path()).cloned();
            async move { found.ok_or(StatusCode::NOT_FOUND) }
        }),
    );
    LoopbackServer::start(router).await
}

/// One `ST_AsMVT` query per tile, `concurrency` at a time; the figures and total bytes.
async fn postgis_tiles(
    pool: &PgPool,
    tiles: &[TileId],
    concurrency: usize,
) -> Result<(Throughput, usize), String> {
    use futures_util::StreamExt;
    let started = Instant::now();
    let results: Vec<Result<(Duration, usize), sqlx::Error>> =
        futures_util::stream::iter(tiles.iter().copied())
            .map(|t| async move {
                let at = Instant::now();
                let bytes: Option<Vec<u8>> = sqlx::query_scalar(POSTGIS_TILE)
                    .bind(i32::from(t.z()))
                    .bind(t.x() as i32)
                    .bind(t.y() as i32)
                    .fetch_one(pool)
                    .await?;
                Ok((at.elapsed(), bytes.map_or(0, |b| b.len())))
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
    let wall = started.elapsed();
    let (mut latencies, mut bytes) = (Vec::with_capacity(tiles.len()), 0);
    for r in results {
        let (d, n) = r.map_err(|e| format!("ST_AsMVT: {e}"))?;
        latencies.push(d);
        bytes += n;
    }
    Ok((
        Throughput::new("tiles: PostGIS ST_AsMVT (same tiles)", latencies, wall),
        bytes,
    ))
}

/// Changes one building's households through `second` and polls its z16 tile until the
/// ETag changes; the milliseconds that took.
async fn edit_check(state: &AppState, second: &dyn Store, base: &str, token: &str) -> Option<f64> {
    let (id, households, tile) = {
        let engine = read(&state.engine);
        let (id, info) = engine.building_info().iter().min_by_key(|(id, _)| *id)?;
        let footprint = engine.buildings().polygon(id)?;
        let at = geo::InteriorPoint::interior_point(footprint)?;
        (
            id.clone(),
            info.households,
            TileId::containing(at.x(), at.y(), 16),
        )
    };
    let url = format!(
        "{base}/tiles/buildings/{}/{}/{}.mvt",
        tile.z(),
        tile.x(),
        tile.y()
    );
    let before = etag(&url, token).await?;
    let entry = RosterEntry {
        households: Some(households + 7),
        ..RosterEntry::new(1, RosterKey::Id(id))
    };
    second.apply_roster(&[entry]).await.ok()?;
    let committed = Instant::now();
    while committed.elapsed() < Duration::from_secs(10) {
        if etag(&url, token).await.is_some_and(|e| e != before) {
            return Some(committed.elapsed().as_secs_f64() * 1e3);
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    None
}

async fn etag(url: &str, token: &str) -> Option<String> {
    use http_body_util::{BodyExt, Empty};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    let client: Client<_, Empty<bytes::Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let request = hyper::Request::get(url)
        .header("authorization", format!("Bearer {token}"))
        .body(Empty::new())
        .ok()?;
    let response = client.request(request).await.ok()?;
    let tag = response
        .headers()
        .get("etag")?
        .to_str()
        .ok()
        .map(str::to_string);
    response.into_body().collect().await.ok()?;
    tag
}
