//! `gridmap bench load`: a district's field load sustained over HTTP — every worker's phone
//! sending its position every few seconds and reports arriving at a steady rate. Requests go
//! out on schedule whatever the answers (open loop: a slow answer does not hold back the
//! next request), and each latency counts from the scheduled time (no coordinated
//! omission). Afterwards every acknowledged report and each worker's last acknowledged
//! position are looked up in the store: nothing acknowledged may be lost.

use super::Throughput;
use crate::api::AppState;
use crate::domain::{DutyStatus, IncidentId, Role, Worker, WorkerId, WorkerRole};
use crate::store::{LayerQuery, Store};
use bytes::Bytes;
use geo::InteriorPoint;
use http_body_util::{BodyExt, Full};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
use hyper::{Method, Request};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What to sustain, and for how long.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub duration_s: u64,
    /// Workers sending positions (made up as extra on-duty workers when the store has fewer).
    pub workers: usize,
    pub position_every_s: f64,
    pub reports_per_s: f64,
}

/// What the load run measured.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    pub store: String,
    pub duration_s: u64,
    pub workers: usize,
    pub positions: Throughput,
    pub positions_sent: u64,
    pub positions_acknowledged: u64,
    pub reports: Throughput,
    pub reports_sent: u64,
    pub reports_acknowledged: u64,
    /// Both routes together.
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Acknowledged reports not found in the store afterwards.
    pub reports_lost: u64,
    /// Workers whose last acknowledged position is not the stored one afterwards.
    pub positions_lost: u64,
}

impl LoadReport {
    pub fn lines(&self) -> String {
        let route = |t: &Throughput, sent: u64, acked: u64| {
            format!(
                "{:<10} {sent:>7} sent, {acked:>7} acknowledged, {:>6.1} /s, p50 {:.1} ms, p99 {:.1} ms",
                t.name,
                t.per_second,
                t.p50_us / 1e3,
                t.p99_us / 1e3
            )
        };
        format!(
            "{} s on {}, {} workers:\n{}\n{}\nboth: p99 {:.1} ms (target < 100 ms), slowest {:.1} ms; lost after the run: {} reports, {} positions",
            self.duration_s,
            self.store,
            self.workers,
            route(
                &self.positions,
                self.positions_sent,
                self.positions_acknowledged
            ),
            route(&self.reports, self.reports_sent, self.reports_acknowledged),
            self.p99_ms,
            self.max_ms,
            self.reports_lost,
            self.positions_lost
        )
    }
}

/// One phone: its worker, its token and where it walks.
#[derive(Debug, Clone)]
struct Phone {
    worker: WorkerId,
    token: String,
    home: [f64; 2],
}

/// One answered (or failed) request.
#[derive(Debug)]
struct Sample {
    route: Route,
    latency: Duration,
    acknowledged: bool,
    /// The report's incident, or the worker and the position sent.
    incident: Option<IncidentId>,
    position: Option<(usize, [f64; 2], Instant)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Position,
    Report,
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// Runs the load against `app(state)` on loopback over `store`.
pub async fn run(
    store: Arc<dyn Store>,
    options: &LoadOptions,
    say: &(impl Fn(&str) + Sync),
) -> Result<LoadReport, String> {
    let phones = phones(store.as_ref(), options.workers, say).await?;
    let state = AppState::load(store.clone())
        .await
        .map_err(|e| e.to_string())?;
    let server = super::LoopbackServer::start(crate::api::app(state.clone())).await?;
    let categories = state.taxonomy.names();
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(512)
        .build(connector);
    let samples: Arc<Mutex<Vec<Sample>>> = Arc::new(Mutex::new(Vec::new()));
    let phones = Arc::new(phones);
    let run_id = chrono::Utc::now().timestamp_millis();
    say(&format!(
        "{} phones: a position every {} s each, {} reports/s, for {} s…",
        phones.len(),
        options.position_every_s,
        options.reports_per_s,
        options.duration_s
    ));
    let started = Instant::now();
    let end = started + Duration::from_secs(options.duration_s);
    let position_gap =
        Duration::from_secs_f64(options.position_every_s / phones.len().max(1) as f64);
    let report_gap = Duration::from_secs_f64(1.0 / options.reports_per_s.max(1e-3));
    let mut tasks = tokio::task::JoinSet::new();
    let mut next_position = started;
    let mut next_report = started;
    let mut next_note = started + Duration::from_secs(30);
    let (mut positions_sent, mut reports_sent) = (0u64, 0u64);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(run_id as u64);
    while next_position < end || next_report < end {
        let due = next_position.min(next_report);
        tokio::time::sleep_until(due.into()).await;
        if next_position <= next_report {
            let i = (positions_sent as usize) % phones.len();
            let at = jitter(&mut rng, phones[i].home, 60.0);
            tasks.spawn(send_position(
                client.clone(),
                server.base.clone(),
                phones.clone(),
                i,
                at,
                due,
                samples.clone(),
            ));
            positions_sent += 1;
            next_position += position_gap;
        } else {
            let i = rng.random_range(0..phones.len());
            let at = jitter(&mut rng, phones[i].home, 40.0);
            let category = categories[rng.random_range(0..categories.len())].clone();
            let key = format!("load-{run_id}-{reports_sent}");
            tasks.spawn(send_report(
                client.clone(),
                server.base.clone(),
                phones[i].token.clone(),
                at,
                category,
                key,
                due,
                samples.clone(),
            ));
            reports_sent += 1;
            next_report += report_gap;
        }
        while tasks.try_join_next().is_some() {}
        if Instant::now() >= next_note {
            next_note += Duration::from_secs(30);
            say(&format!(
                "{:>4} s: {positions_sent} positions, {reports_sent} reports sent; {} in flight",
                started.elapsed().as_secs(),
                tasks.len()
            ));
        }
    }
    while tasks.join_next().await.is_some() {}
    let wall = started.elapsed();
    say("checking the store for every acknowledged report and position…");
    state.flush_positions().await.map_err(|e| e.to_string())?;
    let samples = std::mem::take(&mut *samples.lock().map_err(|e| e.to_string())?);
    let (reports_lost, positions_lost) = lost(store.as_ref(), &samples, &phones).await?;
    let pick = |route: Route| -> Vec<Duration> {
        samples
            .iter()
            .filter(|s| s.route == route)
            .map(|s| s.latency)
            .collect()
    };
    let acknowledged = |route: Route| {
        samples
            .iter()
            .filter(|s| s.route == route && s.acknowledged)
            .count() as u64
    };
    let all: Vec<Duration> = samples.iter().map(|s| s.latency).collect();
    let max_ms = all.iter().max().map_or(f64::NAN, |d| d.as_secs_f64() * 1e3);
    let p99 = Throughput::new("both", all, wall).p99_us / 1e3;
    Ok(LoadReport {
        store: format!("{:?}", store.kind()),
        duration_s: options.duration_s,
        workers: phones.len(),
        positions: Throughput::new("positions", pick(Route::Position), wall),
        positions_sent,
        positions_acknowledged: acknowledged(Route::Position),
        reports: Throughput::new("reports", pick(Route::Report), wall),
        reports_sent,
        reports_acknowledged: acknowledged(Route::Report),
        p99_ms: p99,
        max_ms,
        reports_lost,
        positions_lost,
    })
}

/// A point within `radius_m` of `at` (uniform in the square; degrees scaled at the latitude).
fn jitter(rng: &mut impl Rng, at: [f64; 2], radius_m: f64) -> [f64; 2] {
    let metres_per_degree = 111_320.0;
    let dx = rng.random_range(-radius_m..radius_m) / (metres_per_degree * at[1].to_radians().cos());
    let dy = rng.random_range(-radius_m..radius_m) / metres_per_degree;
    [at[0] + dx, at[1] + dy]
}

async fn send(
    client: &HttpClient,
    request: Request<Full<Bytes>>,
) -> Option<(hyper::StatusCode, Bytes)> {
    let response = client.request(request).await.ok()?;
    let status = response.status();
    let body = response.into_body().collect().await.ok()?.to_bytes();
    Some((status, body))
}

async fn send_position(
    client: HttpClient,
    base: String,
    phones: Arc<Vec<Phone>>,
    i: usize,
    at: [f64; 2],
    scheduled: Instant,
    samples: Arc<Mutex<Vec<Sample>>>,
) {
    let phone = &phones[i];
    let body = serde_json::json!({"lon": at[0], "lat": at[1], "duty": "on_duty"}).to_string();
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("{base}/api/workers/{}/position", phone.worker))
        .header(AUTHORIZATION, format!("Bearer {}", phone.token))
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)));
    let answer = match request {
        Ok(r) => send(&client, r).await,
        Err(_) => None,
    };
    let acknowledged = answer.is_some_and(|(s, _)| s == hyper::StatusCode::NO_CONTENT);
    let sample = Sample {
        route: Route::Position,
        latency: scheduled.elapsed(),
        acknowledged,
        incident: None,
        position: acknowledged.then_some((i, at, scheduled)),
    };
    if let Ok(mut all) = samples.lock() {
        all.push(sample);
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one spawned request: all it needs, by value"
)]
async fn send_report(
    client: HttpClient,
    base: String,
    token: String,
    at: [f64; 2],
    category: String,
    key: String,
    scheduled: Instant,
    samples: Arc<Mutex<Vec<Sample>>>,
) {
    let body = serde_json::json!({
        "lon": at[0], "lat": at[1], "category": category,
        "description": "压测：巡查发现的问题", "source": "worker",
    })
    .to_string();
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("{base}/api/incidents"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(CONTENT_TYPE, "application/json")
        .header("idempotency-key", key)
        .body(Full::new(Bytes::from(body)));
    let answer = match request {
        Ok(r) => send(&client, r).await,
        Err(_) => None,
    };
    let incident = answer.as_ref().and_then(|(status, body)| {
        status.is_success().then(|| {
            serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| {
                    v["properties"]["id"]
                        .as_str()
                        .map(|id| IncidentId(id.to_string()))
                })
        })?
    });
    let sample = Sample {
        route: Route::Report,
        latency: scheduled.elapsed(),
        acknowledged: incident.is_some(),
        incident,
        position: None,
    };
    if let Ok(mut all) = samples.lock() {
        all.push(sample);
    }
}

/// The phones: the store's on-duty workers serving a grid, and as many made-up ones as
/// needed (`LOAD00001`…, on duty, serving existing grids), each with a worker token and a
/// home inside one of its grids.
async fn phones(
    store: &dyn Store,
    wanted: usize,
    say: &impl Fn(&str),
) -> Result<Vec<Phone>, String> {
    let mut workers: Vec<Worker> = store
        .workers(&LayerQuery::default())
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|w| !w.is_retired() && !w.grids.is_empty())
        .collect();
    workers.sort_by(|a, b| a.id.cmp(&b.id));
    workers.truncate(wanted);
    let grids = store
        .grids(&LayerQuery::default())
        .await
        .map_err(|e| e.to_string())?;
    if grids.is_empty() {
        return Err("the store has no grids: partition first".into());
    }
    if workers.len() < wanted {
        let extra: Vec<Worker> = (workers.len()..wanted)
            .map(|i| Worker {
                id: WorkerId(format!("LOAD{i:05}")),
                name: format!("压测{i:05}"),
                phone: None,
                role: WorkerRole::GridWorker,
                grids: vec![grids[i % grids.len()].code.clone()],
                community: None,
                duty: DutyStatus::OnDuty,
                position: None,
                position_at: None,
                retired_at: None,
            })
            .collect();
        say(&format!(
            "adding {} made-up on-duty workers (LOAD…) to reach {wanted}…",
            extra.len()
        ));
        store
            .save_workers(&extra)
            .await
            .map_err(|e| e.to_string())?;
        workers.extend(extra);
    }
    let homes: HashMap<_, [f64; 2]> = grids
        .iter()
        .filter_map(|g| {
            g.boundary
                .interior_point()
                .map(|p| (g.code.clone(), [p.x(), p.y()]))
        })
        .collect();
    say(&format!("signing in {} phones…", workers.len()));
    let mut phones = Vec::with_capacity(workers.len());
    for w in workers {
        let token = crate::auth::new_token();
        store
            .create_token(
                &crate::auth::hash_token(&token),
                Role::Worker,
                &w.name,
                Some(&w.id),
            )
            .await
            .map_err(|e| e.to_string())?;
        let home = w
            .grids
            .iter()
            .find_map(|g| homes.get(g).copied())
            .unwrap_or([0.0, 0.0]);
        phones.push(Phone {
            worker: w.id,
            token,
            home,
        });
    }
    Ok(phones)
}

/// Acknowledged reports missing from the store, and workers whose last acknowledged
/// position is not the one stored.
async fn lost(
    store: &dyn Store,
    samples: &[Sample],
    phones: &[Phone],
) -> Result<(u64, u64), String> {
    let acknowledged: Vec<String> = samples
        .iter()
        .filter_map(|s| s.incident.as_ref().map(|i| i.0.clone()))
        .collect();
    let mut found = 0u64;
    for batch in acknowledged.chunks(1000) {
        let query = LayerQuery {
            ids: Some(batch.to_vec()),
            limit: None,
            ..Default::default()
        };
        found += store
            .incidents(&query)
            .await
            .map_err(|e| e.to_string())?
            .len() as u64;
    }
    let mut last: HashMap<usize, ([f64; 2], Instant)> = HashMap::new();
    for (i, at, when) in samples.iter().filter_map(|s| s.position) {
        let entry = last.entry(i).or_insert((at, when));
        if when > entry.1 {
            *entry = (at, when);
        }
    }
    let stored: HashMap<WorkerId, Option<geo_types::Point<f64>>> = store
        .workers(&LayerQuery::default())
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|w| (w.id, w.position))
        .collect();
    let positions_lost = last
        .iter()
        .filter(|(i, (at, _))| {
            let p = stored.get(&phones[**i].worker).copied().flatten();
            p.is_none_or(|p| (p.x() - at[0]).abs() > 1e-7 || (p.y() - at[1]).abs() > 1e-7)
        })
        .count() as u64;
    Ok((acknowledged.len() as u64 - found, positions_lost))
}
