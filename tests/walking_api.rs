//! Walking distance over HTTP on a generated district, on both stores: the nearest stations
//! on foot against a full search over every station, routes that start at the point and end
//! at the station, the area within a walk, and refusals naming the field.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use axum::http::StatusCode;
use geo::{Contains, InteriorPoint};
use geo_types::{MultiPolygon, Point};
use gridmap::api::AppState;
use gridmap::store::Store;
use serde_json::Value;
use std::sync::Arc;

async fn get(state: &AppState, uri: &str) -> (StatusCode, Value) {
    let (status, _, bytes) = common::send(state, "GET", uri, None, &[], None).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Interior points of every 200th building.
fn building_points(state: &AppState) -> Vec<Point<f64>> {
    let engine = gridmap::engine::read(&state.engine);
    engine
        .buildings()
        .entries()
        .iter()
        .step_by(200)
        .filter_map(|(_, footprint)| footprint.interior_point())
        .collect()
}

async fn nearest_on_foot_match_a_full_search(store: Arc<dyn Store>) {
    common::partitioned_district(store.as_ref(), 30_000, 5).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let points = building_points(&state);
    assert!(points.len() >= 10);
    let mut longer = 0;
    for p in &points {
        let uri = format!(
            "/api/stations/nearest?lon={}&lat={}&k=3&mode=walk",
            p.x(),
            p.y()
        );
        let (status, body) = get(&state, &uri).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let features = body["features"].as_array().unwrap();
        assert_eq!(features.len(), 3, "{body}");
        // The three least of every station's walk, by a search without early stop.
        let expected: Vec<(String, f64)> = {
            let engine = gridmap::engine::read(&state.engine);
            let walking = engine.walking();
            let network = walking.network();
            let start = network.snap(*p, 500.0).unwrap();
            let reach = network.reach_from(&start, 10_000.0);
            let mut all: Vec<(String, f64)> = engine
                .station_info()
                .keys()
                .filter_map(|id| {
                    let snap = walking.station(id)?;
                    Some((id.0.clone(), reach.distance_to(network, snap)?))
                })
                .collect();
            all.sort_by(|a, b| a.1.total_cmp(&b.1));
            all.truncate(3);
            all
        };
        for (f, (id, metres)) in features.iter().zip(&expected) {
            let walking_m = f["properties"]["walking_m"].as_f64().unwrap();
            assert!(
                (walking_m - metres.round()).abs() <= 1.0,
                "{id}: {walking_m} against {metres}"
            );
            let straight_m = f["properties"]["distance_m"].as_f64().unwrap();
            assert!(
                walking_m + 1.0 >= straight_m,
                "a walk is never shorter than the line"
            );
            if walking_m > straight_m * 1.2 {
                longer += 1;
            }
            assert_eq!(
                f["properties"]["walking_min"].as_f64().unwrap(),
                (metres / 72.0).ceil()
            );
            let route = f["properties"]["route"]["coordinates"].as_array().unwrap();
            let (first, last) = (&route[0], &route[route.len() - 1]);
            let start = (first[0].as_f64().unwrap(), first[1].as_f64().unwrap());
            assert!(
                (start.0 - p.x()).abs() < 1e-9 && (start.1 - p.y()).abs() < 1e-9,
                "the route starts at the point: {start:?}"
            );
            let station = &f["geometry"]["coordinates"];
            assert_eq!(last, station, "the route ends at the station");
        }
    }
    assert!(
        longer > 0,
        "walls and lanes make some walks longer than the line by a fifth"
    );
}

both_stores!(nearest_on_foot, nearest_on_foot_match_a_full_search);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_area_within_a_walk_and_refusals() {
    let (_dir, store) = common::fresh_gpkg().await;
    common::partitioned_district(store.as_ref(), 30_000, 5).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let p = building_points(&state)[3];
    let here = format!("lon={}&lat={}", p.x(), p.y());
    let (status, body) = get(&state, &format!("/api/walk/area?{here}&minutes=10")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let area: MultiPolygon<f64> = geojson::Geometry::from_json_value(body["geometry"].clone())
        .unwrap()
        .try_into()
        .unwrap();
    assert!(area.contains(&p), "the start is in its own area");
    assert_eq!(body["properties"]["metres"], 720.0);
    // Stations within 10 minutes on foot lie in the area; the area is no disc.
    let (_, near) = get(
        &state,
        &format!("/api/stations/nearest?{here}&k=5&mode=walk"),
    )
    .await;
    for f in near["features"].as_array().unwrap() {
        let walking_m = f["properties"]["walking_m"].as_f64().unwrap();
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        let station = Point::new(c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        if walking_m < 650.0 {
            assert!(area.contains(&station), "{walking_m} m away but outside");
        }
    }
    assert!(
        area.0.iter().any(|polygon| !polygon.interiors().is_empty()),
        "holes where nothing is reached"
    );
    // From a station.
    let station = {
        let engine = gridmap::engine::read(&state.engine);
        engine.station_info().keys().min().unwrap().clone()
    };
    let (status, body) = get(
        &state,
        &format!("/api/walk/area?station={}&minutes=5", station.0),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // An older resident's pace: 10 minutes at 50 m a minute.
    let (status, body) = get(
        &state,
        &format!("/api/walk/area?{here}&minutes=10&m_per_min=50"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["properties"]["metres"], 500.0);
    // Refusals name the field.
    for (uri, field, code) in [
        (
            format!("/api/walk/area?{here}&m_per_min=0"),
            "m_per_min",
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/api/stations/nearest?{here}&mode=walk&m_per_min=-72"),
            "m_per_min",
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/api/walk/area?{here}&minutes=0"),
            "minutes",
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/api/walk/area?{here}&minutes=61"),
            "minutes",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/walk/area?station=nope".to_string(),
            "station",
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/api/stations/nearest?{here}&mode=fly"),
            "mode",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/stations/nearest?lon=100&lat=30&mode=walk".to_string(),
            "lon",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/walk/area?lon=100&lat=30".to_string(),
            "lon",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (status, body) = get(&state, &uri).await;
        assert_eq!(status, code, "{uri}: {body}");
        assert!(body.to_string().contains(field), "{uri}: {body}");
    }
}

/// Dispatch along the network: the nearest on-duty workers on foot (grid workers first) are
/// those a full search from the point over every worker finds; by e-bike the same walks in
/// fewer minutes; an unknown mode is refused naming it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nearest_workers_along_the_network_match_a_full_search() {
    use gridmap::domain::{DutyStatus, Role};
    let (_dir, store) = common::fresh_gpkg().await;
    common::partitioned_district(store.as_ref(), 30_000, 5).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let token = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let mut checked = 0;
    for p in building_points(&state).into_iter().step_by(3).take(8) {
        let here = format!("lon={}&lat={}", p.x(), p.y());
        let (status, body) = common::call(
            &state,
            "GET",
            &format!("/api/dispatch/nearest?{here}&k=4&mode=walk"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let workers = body["workers"].as_array().unwrap();
        let expected: Vec<(String, bool, f64)> = {
            let engine = gridmap::engine::read(&state.engine);
            let network = engine.walking().network();
            let start = network.snap(p, 500.0).unwrap();
            let reach = network.reach_from(&start, 72.0 * 60.0);
            let grid = engine.grids().locate(p).cloned();
            let mut all: Vec<(String, bool, f64)> = engine
                .workers()
                .all()
                .iter()
                .filter(|w| w.duty == DutyStatus::OnDuty)
                .filter_map(|w| {
                    let at = w.position?;
                    let snap = network.snap(at, 500.0).ok()?;
                    let metres = reach.distance_to(network, &snap)?;
                    let serves = grid.as_ref().is_some_and(|g| w.grids.contains(g));
                    Some((w.id.0.clone(), serves, metres))
                })
                .collect();
            all.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.total_cmp(&b.2)));
            all.truncate(4);
            all
        };
        assert_eq!(workers.len(), expected.len(), "{body}");
        for (w, (id, serves, metres)) in workers.iter().zip(&expected) {
            assert_eq!(w["serves_grid"], *serves, "{w}");
            let network_m = w["network_m"].as_f64().unwrap();
            assert!(
                (network_m - metres.round()).abs() <= 1.0,
                "{id}: {w} against {metres}"
            );
            assert!(network_m + 1.0 >= w["distance_m"].as_f64().unwrap(), "{w}");
            let minutes = w["minutes"].as_f64().unwrap();
            assert!((minutes - (metres / 72.0).ceil()).abs() <= 1.0, "{w}");
            assert_eq!(w["route"]["type"], "LineString");
            checked += 1;
        }
        let (_, bike) = common::call(
            &state,
            "GET",
            &format!("/api/dispatch/nearest?{here}&k=4&mode=ebike"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(bike["mode"], "ebike");
        if let (Some(a), Some(b)) = (workers.first(), bike["workers"].as_array().unwrap().first()) {
            assert_eq!(a["worker"], b["worker"]);
            assert!(b["minutes"].as_f64().unwrap() <= a["minutes"].as_f64().unwrap());
        }
    }
    assert!(checked >= 8, "{checked}");
    // A slower walker's minutes.
    let p = building_points(&state)[2];
    let (_, slow) = common::call(
        &state,
        "GET",
        &format!(
            "/api/dispatch/nearest?lon={}&lat={}&k=2&mode=walk&m_per_min=40",
            p.x(),
            p.y()
        ),
        Some(&token),
        None,
    )
    .await;
    for w in slow["workers"].as_array().unwrap() {
        let minutes = w["minutes"].as_f64().unwrap();
        assert!(
            (minutes - (w["network_m"].as_f64().unwrap() / 40.0).ceil()).abs() <= 1.0,
            "{w}"
        );
    }
    let (status, body) = common::call(
        &state,
        "GET",
        "/api/dispatch/nearest?lon=109.98&lat=39.81&mode=car",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(common::field(&body), "mode");
}
