//! The spatial engine and the incidents' closed loop on a generated, partitioned district,
//! on both stores: answers checked against brute force over the same data, and the API
//! driven through `app(state)` with `oneshot`.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use axum::http::StatusCode;
use geo::{Contains, Intersects};
use geo_types::Point;
use gridmap::api::AppState;
use gridmap::domain::*;
use gridmap::engine::Engine;
use gridmap::service::staffing;
use gridmap::store::{LayerQuery, Store};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::sync::Arc;

/// A generated district of 30,000 households, written, partitioned and settled.
async fn district(store: &dyn Store) {
    common::partitioned_district(store, 30_000, 5).await;
    staffing::settle(store).await.unwrap();
}

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (StatusCode, Value) {
    let (status, _, bytes) = common::send(state, method, uri, token, headers, body).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn token(store: &dyn Store, role: Role, label: &str) -> String {
    common::token(store, role, label).await
}

/// Random points over the district's extent (some fall outside every grid).
fn points(engine: &Engine, n: usize, seed: u64) -> Vec<Point<f64>> {
    let grids: Vec<&GridCode> = engine.grids().in_box([-180.0, -90.0], [180.0, 90.0]);
    let boxes: Vec<_> = grids
        .iter()
        .filter_map(|g| geo::BoundingRect::bounding_rect(engine.grids().polygon(g)?))
        .collect();
    let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
    for r in &boxes {
        min = [min[0].min(r.min().x), min[1].min(r.min().y)];
        max = [max[0].max(r.max().x), max[1].max(r.max().y)];
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            Point::new(
                rng.random_range(min[0] - 0.01..max[0] + 0.01),
                rng.random_range(min[1] - 0.01..max[1] + 0.01),
            )
        })
        .collect()
}

async fn engine_answers_match_brute_force(store: Arc<dyn Store>) {
    district(store.as_ref()).await;
    let engine = Engine::load(store.as_ref()).await.unwrap();
    let grids = store.grids(&LayerQuery::default()).await.unwrap();
    assert!(grids.len() > 100);

    // Point in grid: the engine against a scan of every grid polygon.
    let mut inside = 0;
    for p in points(&engine, 2_000, 1) {
        let located = engine.locate(p);
        let mut holding: Vec<&GridCode> = grids
            .iter()
            .filter(|g| g.boundary.contains(&p) || g.boundary.intersects(&p))
            .map(|g| &g.code)
            .collect();
        holding.sort();
        assert_eq!(located.grid.as_ref(), holding.first().copied(), "at {p:?}");
        if let Some(g) = &located.grid {
            inside += 1;
            assert_eq!(located.community, Some(g.community()));
            assert_eq!(located.street, Some(g.community().street()));
            assert!(located.community_name.is_some() && located.street_name.is_some());
        }
    }
    assert!(inside > 200, "{inside} of 2000 points inside");

    // Nearest on-duty workers: own grid first (by distance), then by distance.
    let workers = store.workers(&LayerQuery::default()).await.unwrap();
    let frame = engine.workers().frame();
    let dist = |a: Point<f64>, b: Point<f64>| {
        let (a, b) = (frame.point_metres(a), frame.point_metres(b));
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
    };
    for p in points(&engine, 200, 2) {
        let grid = engine.grids().locate(p).cloned();
        let mut expected: Vec<(bool, f64, &WorkerId)> = workers
            .iter()
            .filter(|w| w.duty == DutyStatus::OnDuty)
            .filter_map(|w| {
                let own = grid.as_ref().is_some_and(|g| w.grids.contains(g));
                Some((!own, dist(p, w.position?), &w.id))
            })
            .collect();
        expected.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let got = engine.nearest_workers(p, 5);
        assert_eq!(got.len(), 5);
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g.serves_grid, !e.0);
            assert!(
                (g.distance_m - e.1).abs() < 1e-6,
                "{} vs {}",
                g.distance_m,
                e.1
            );
        }
    }

    // Nearest stations against a scan; the building a point is in against a scan.
    let stations = store.stations(&LayerQuery::default()).await.unwrap();
    let buildings = store.buildings(&LayerQuery::default()).await.unwrap();
    for p in points(&engine, 100, 3) {
        let mut expected: Vec<f64> = stations.iter().map(|s| dist(p, s.location)).collect();
        expected.sort_by(f64::total_cmp);
        let got: Vec<f64> = engine
            .nearest_stations(p, 3, None)
            .iter()
            .map(|(_, d)| *d)
            .collect();
        assert_eq!(got.len(), 3);
        for (g, e) in got.iter().zip(&expected) {
            assert!((g - e).abs() < 1e-6);
        }
        let mut holding: Vec<&BuildingId> = buildings
            .iter()
            .filter(|b| b.footprint.contains(&p) || b.footprint.intersects(&p))
            .map(|b| &b.id)
            .collect();
        holding.sort();
        assert_eq!(engine.locate(p).building.as_ref(), holding.first().copied());
    }
    for b in buildings.iter().step_by(97) {
        let inside = geo::InteriorPoint::interior_point(&b.footprint).unwrap();
        assert!(engine.locate(inside).building.is_some());
    }

    // Features in a box: grids whose extent meets it, open incidents inside it.
    let centre = geo::Centroid::centroid(&grids[grids.len() / 2].boundary).unwrap();
    let (min, max) = (
        [centre.x() - 0.01, centre.y() - 0.008],
        [centre.x() + 0.01, centre.y() + 0.008],
    );
    let contents = engine.in_box(min, max);
    let meets = |r: geo::Rect<f64>| {
        r.max().x >= min[0] && r.min().x <= max[0] && r.max().y >= min[1] && r.min().y <= max[1]
    };
    let mut expected: Vec<GridCode> = grids
        .iter()
        .filter(|g| geo::BoundingRect::bounding_rect(&g.boundary).is_some_and(meets))
        .map(|g| g.code.clone())
        .collect();
    expected.sort();
    assert!(expected.len() > 1 && expected.len() < grids.len());
    assert_eq!(contents.grids, expected);
    let mut open: Vec<IncidentId> = store
        .incidents(&LayerQuery::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.status.is_open())
        .filter(|i| {
            (min[0]..=max[0]).contains(&i.location.x())
                && (min[1]..=max[1]).contains(&i.location.y())
        })
        .map(|i| i.id)
        .collect();
    open.sort();
    assert!(!open.is_empty());
    assert_eq!(contents.open_incidents, open);

    // Staffing: every base grid without a worker is listed, and only those.
    let report = staffing::check(&engine, &staffing::StaffingOptions::default());
    let without: Vec<&GridCode> = grids
        .iter()
        .filter(|g| g.kind == GridKind::Base)
        .filter(|g| {
            !workers
                .iter()
                .any(|w| w.role == WorkerRole::GridWorker && w.grids.contains(&g.code))
        })
        .map(|g| &g.code)
        .collect();
    assert_eq!(
        report.grids_without_worker.iter().collect::<Vec<_>>(),
        without
    );
    assert!(
        report.base_grids > without.len(),
        "settle staffed some grids"
    );
    for u in &report.understaffed_communities {
        assert!(u.workers_per_10k_residents < 18.0);
        assert!(u.missing > 0);
    }
}
both_stores!(engine_answers, engine_answers_match_brute_force);

async fn the_closed_loop_over_http(store: Arc<dyn Store>) {
    district(store.as_ref()).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let dispatcher = token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let worker_token = token(store.as_ref(), Role::Worker, "网格员").await;

    // A point inside a staffed grid.
    let (grid, point) = {
        let engine = gridmap::engine::read(&state.engine);
        let grid = engine
            .grid_info()
            .keys()
            .filter(|g| {
                engine
                    .workers()
                    .serving(g)
                    .any(|w| w.duty == DutyStatus::OnDuty)
            })
            .min()
            .cloned()
            .expect("a staffed grid");
        let p = geo::InteriorPoint::interior_point(engine.grids().polygon(&grid).unwrap()).unwrap();
        (grid, p)
    };
    let (status, located) = call(
        &state,
        "GET",
        &format!("/api/locate?lon={}&lat={}", point.x(), point.y()),
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(located["location"]["grid"], json!(grid));
    let (_, outside) = call(&state, "GET", "/api/locate?lon=0&lat=0", None, None, &[]).await;
    assert_eq!(outside["inside"], json!(false));
    assert_eq!(outside["location"]["grid"], Value::Null);

    // Report: located, deadline from the taxonomy, assigned to the grid's nearest worker.
    let report = json!({
        "lon": point.x(), "lat": point.y(), "category": "井盖缺失",
        "description": "人行道井盖缺失", "source": "resident"
    });
    let (status, incident) = call(
        &state,
        "POST",
        "/api/incidents",
        Some(&worker_token),
        Some(report.clone()),
        &[("Idempotency-Key", "report-1")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let p = &incident["properties"];
    assert_eq!(p["grid"], json!(grid));
    assert_eq!(p["status"], json!("assigned"));
    let assignee: String = serde_json::from_value(p["assignee"].clone()).unwrap();
    // The assignee's own token: a worker token steps what is assigned to its worker.
    let assignee_token = common::worker_token(store.as_ref(), &WorkerId(assignee.clone())).await;
    {
        let engine = gridmap::engine::read(&state.engine);
        let own: Vec<&WorkerId> = engine.workers().serving(&grid).map(|w| &w.id).collect();
        assert!(own.contains(&&WorkerId(assignee.clone())));
    }
    let reported: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(p["reported_at"].clone()).unwrap();
    let deadline: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(p["deadline_at"].clone()).unwrap();
    assert_eq!((deadline - reported).num_hours(), 2, "井盖缺失 has 2 hours");
    let id = p["id"].as_str().unwrap().to_string();

    // The same submission again: the first incident, nothing new.
    let before = store.counts().await.unwrap().incidents;
    let (status, again) = call(
        &state,
        "POST",
        "/api/incidents",
        Some(&worker_token),
        Some(report.clone()),
        &[("Idempotency-Key", "report-1")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["properties"]["id"], json!(id));
    assert_eq!(store.counts().await.unwrap().incidents, before);

    // Steps: a worker may not close; start → resolve → close; then nothing more.
    let step = |action: &str| json!({ "action": action });
    let uri = format!("/api/incidents/{id}/steps");
    let (status, _) = call(
        &state,
        "POST",
        &uri,
        Some(&worker_token),
        Some(step("close")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for (action, expected) in [("start", "in_progress"), ("resolve", "resolved")] {
        let (status, body) = call(
            &state,
            "POST",
            &uri,
            Some(&assignee_token),
            Some(step(action)),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["properties"]["status"], json!(expected));
    }
    let (status, closed) = call(
        &state,
        "POST",
        &uri,
        Some(&dispatcher),
        Some(step("close")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(closed["properties"]["closed_at"].is_string());
    let (status, problem) = call(
        &state,
        "POST",
        &uri,
        Some(&assignee_token),
        Some(step("resolve")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        problem["detail"].as_str().unwrap().contains("closed"),
        "{problem}"
    );

    // The history, with who and when, from the store.
    let (status, shown) = call(
        &state,
        "GET",
        &format!("/api/incidents/{id}"),
        Some(&dispatcher),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let steps = shown["properties"]["steps"].as_array().unwrap();
    let actions: Vec<&str> = steps
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["report", "assign", "start", "resolve", "close"]);
    assert_eq!(steps[0]["actor"], json!("网格员"));
    assert_eq!(steps[4]["actor"], json!("调度员"));

    // A stale step (another process moved the incident meanwhile) is a conflict too.
    let mut stale = store
        .incidents(&LayerQuery::default())
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.id.as_str() == id)
        .unwrap();
    stale.status = IncidentStatus::Returned;
    let event = IncidentEvent {
        incident: stale.id.clone(),
        action: IncidentAction::Return,
        status: IncidentStatus::Returned,
        at: chrono::Utc::now(),
        actor: "test".into(),
        worker: None,
        note: None,
        photos: Vec::new(),
    };
    let err = store
        .transition_incident(IncidentStatus::Resolved, &stale, &event)
        .await
        .unwrap_err();
    assert!(
        matches!(err, gridmap::store::StoreError::Conflict { .. }),
        "{err}"
    );
    assert_eq!(store.incident_events(&stale.id).await.unwrap().len(), 5);

    // Statistics count it closed in its grid.
    let (status, stats) = call(
        &state,
        "GET",
        "/api/incidents/stats?by=grid",
        Some(&dispatcher),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let row = stats["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["area"] == json!(grid))
        .cloned()
        .unwrap();
    assert!(row["closed"].as_u64().unwrap() >= 1);
    // Staff see every cell (the public sees only cells of several reports).
    let (_, cells) = call(
        &state,
        "GET",
        "/api/incidents/h3?resolution=8",
        Some(&dispatcher),
        None,
        &[],
    )
    .await;
    let total: u64 = cells["cells"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, store.counts().await.unwrap().incidents);

    // Bad input: named fields, nothing written.
    let before = store.counts().await.unwrap().incidents;
    for (body, field) in [
        (
            json!({"lon": 200, "lat": 39.8, "category": "井盖缺失", "description": "x", "source": "resident"}),
            "lon",
        ),
        (
            json!({"lon": 109.9, "lat": 39.8, "category": "不存在", "description": "x", "source": "resident"}),
            "category",
        ),
        (
            json!({"lon": 109.9, "lat": 39.8, "category": "井盖缺失", "description": "", "source": "resident"}),
            "description",
        ),
        (
            json!({"lon": 109.9, "lat": 39.8, "category": "井盖缺失", "description": "x", "source": "alien"}),
            "source",
        ),
    ] {
        let (status, problem) = call(
            &state,
            "POST",
            "/api/incidents",
            Some(&worker_token),
            Some(body),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(
            problem["invalid-params"][0]["name"],
            json!(field),
            "{problem}"
        );
    }
    assert_eq!(store.counts().await.unwrap().incidents, before);
    let (status, _) = call(
        &state,
        "POST",
        "/api/incidents/nope/steps",
        Some(&dispatcher),
        Some(step("start")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, problem) = call(
        &state,
        "POST",
        &uri,
        Some(&dispatcher),
        Some(json!({"action": "assign", "worker": "W99999"})),
        &[],
    )
    .await;
    // Well-formed, but no such worker: unprocessable, naming the field.
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["invalid-params"][0]["name"], json!("worker"));
    let (status, _) = call(
        &state,
        "GET",
        "/api/dispatch/nearest?lon=109.9&lat=39.8",
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, problem) = call(
        &state,
        "GET",
        "/api/dispatch/nearest?lon=109.9&lat=39.8&k=0",
        Some(&dispatcher),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["invalid-params"][0]["name"], json!("k"));

    // Positions: the next nearest answer uses them; the store has them after a flush.
    let mover = {
        let engine = gridmap::engine::read(&state.engine);
        engine
            .workers()
            .all()
            .iter()
            .find(|w| w.duty == DutyStatus::OnDuty && !w.grids.contains(&grid))
            .map(|w| w.id.clone())
            .unwrap()
    };
    let target = Point::new(point.x() + 0.0001, point.y());
    let mover_token = common::worker_token(store.as_ref(), &mover).await;
    let (status, _) = call(
        &state,
        "POST",
        &format!("/api/workers/{}/position", mover.as_str()),
        Some(&mover_token),
        Some(json!({"lon": target.x(), "lat": target.y()})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, nearest) = call(
        &state,
        "GET",
        &format!(
            "/api/dispatch/nearest?lon={}&lat={}&k=50",
            target.x(),
            target.y()
        ),
        Some(&dispatcher),
        None,
        &[],
    )
    .await;
    let others: Vec<&Value> = nearest["workers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["serves_grid"] == json!(false))
        .collect();
    assert_eq!(others[0]["worker"], json!(mover.as_str()), "{nearest}");
    assert!(others[0]["distance_m"].as_f64().unwrap() < 1.0);
    state.flush_positions().await.unwrap();
    let stored = store
        .workers(&LayerQuery::default())
        .await
        .unwrap()
        .into_iter()
        .find(|w| w.id == mover)
        .unwrap();
    let p = stored.position.unwrap();
    assert!((p.x() - target.x()).abs() < 1e-9 && (p.y() - target.y()).abs() < 1e-9);
    let (status, _) = call(
        &state,
        "POST",
        "/api/workers/W99999/position",
        Some(&dispatcher),
        Some(json!({"lon": 109.9, "lat": 39.8})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Staffing over HTTP.
    let (status, staffing) =
        call(&state, "GET", "/api/staffing", Some(&dispatcher), None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(staffing["base_grids"].as_u64().unwrap() > 0);
}
both_stores!(closed_loop, the_closed_loop_over_http);

/// Polls `check` for up to a second.
async fn within_a_second(check: impl Fn() -> bool) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(1) {
        if check() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    false
}

/// Two gridmap processes on one PostGIS database: what one commits reaches the other's
/// engine within a second (LISTEN/NOTIFY).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_in_one_process_reaches_the_others() {
    let url = common::fresh_postgis_url().await;
    let first = gridmap::store::open(&url).await.unwrap();
    district(first.as_ref()).await;
    let second = gridmap::store::open(&url).await.unwrap();
    let (a, b) = (
        AppState::load(first.clone()).await.unwrap(),
        AppState::load(second.clone()).await.unwrap(),
    );
    let dispatcher = token(first.as_ref(), Role::Dispatcher, "调度员").await;
    let (grid, point) = {
        let engine = gridmap::engine::read(&a.engine);
        let grid = engine.grid_info().keys().min().cloned().unwrap();
        let p = geo::InteriorPoint::interior_point(engine.grids().polygon(&grid).unwrap()).unwrap();
        (grid, p)
    };
    // An incident reported through the first process.
    let (status, incident) = call(
        &a,
        "POST",
        "/api/incidents",
        Some(&dispatcher),
        Some(
            json!({"lon": point.x(), "lat": point.y(), "category": "环境卫生",
                    "description": "垃圾堆放", "source": "hotline"}),
        ),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = IncidentId(incident["properties"]["id"].as_str().unwrap().to_string());
    let seen = within_a_second(|| {
        gridmap::engine::read(&b.engine)
            .incidents()
            .get(&id)
            .is_some_and(|i| i.grid.as_ref() == Some(&grid))
    })
    .await;
    assert!(seen, "the second process did not hear of the incident");

    // A step through the second process reaches the first.
    let (status, _) = call(
        &b,
        "POST",
        &format!("/api/incidents/{}/steps", id.as_str()),
        Some(&dispatcher),
        Some(json!({"action": "assign"})),
        &[],
    )
    .await;
    assert!(status == StatusCode::OK, "{status}");
    let seen = within_a_second(|| {
        gridmap::engine::read(&a.engine)
            .incidents()
            .get(&id)
            .is_some_and(|i| i.status == IncidentStatus::Assigned)
    })
    .await;
    assert!(seen, "the first process did not hear of the step");

    // A position update: the first process writes it behind (≤ 250 ms), the second hears.
    let mover = gridmap::engine::read(&a.engine).workers().all()[0]
        .id
        .clone();
    let target = Point::new(point.x() + 0.0002, point.y());
    let (status, _) = call(
        &a,
        "POST",
        &format!("/api/workers/{}/position", mover.as_str()),
        Some(&dispatcher),
        Some(json!({"lon": target.x(), "lat": target.y()})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let seen = within_a_second(|| {
        gridmap::engine::read(&b.engine)
            .workers()
            .get(&mover)
            .and_then(|w| w.position)
            .is_some_and(|p| (p.x() - target.x()).abs() < 1e-9)
    })
    .await;
    assert!(seen, "the second process did not hear of the position");

    // Listening does not keep a store from closing.
    for store in [&first, &second] {
        tokio::time::timeout(std::time::Duration::from_secs(5), store.close())
            .await
            .expect("the store closes while listening");
    }
}
