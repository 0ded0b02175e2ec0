//! Patrols (巡查) through the API on both stores: started once at a time, fixes sent (late
//! ones with their own time), stopped with its length and the grids and buildings passed;
//! GPS jumps left out; another worker's patrol is not there for it.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use common::call;

use axum::http::StatusCode;
use gridmap::api::AppState;
use gridmap::domain::*;
use gridmap::service::staffing;
use gridmap::spatial::LocalFrame;
use gridmap::store::{LayerQuery, Store};
use serde_json::{Value, json};
use std::sync::Arc;

async fn a_patrol_records_what_it_passed(store: Arc<dyn Store>) {
    common::partitioned_district(store.as_ref(), 6_000, 5).await;
    staffing::settle(store.as_ref()).await.unwrap();
    let state = AppState::load(store.clone()).await.unwrap();
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let workers = store.workers(&LayerQuery::default()).await.unwrap();
    let me = workers.iter().find(|w| w.grids.len() == 1).unwrap();
    let other = workers
        .iter()
        .find(|w| w.id != me.id && !w.grids.is_empty())
        .unwrap();
    let token = common::worker_token(store.as_ref(), &me.id).await;
    let other_token = common::worker_token(store.as_ref(), &other.id).await;
    // From inside my grid to inside the nearest other grid.
    let (from, to, to_grid) = {
        let engine = gridmap::engine::read(&state.engine);
        let inside = |g: &GridCode| {
            geo::InteriorPoint::interior_point(engine.grids().polygon(g).unwrap()).unwrap()
        };
        let from = inside(&me.grids[0]);
        let frame = LocalFrame::new(from.x(), from.y());
        let (to_grid, to) = engine
            .grid_info()
            .keys()
            .filter(|g| **g != me.grids[0])
            .map(|g| (g.clone(), inside(g)))
            .min_by(|a, b| {
                frame
                    .distance_m(from, a.1)
                    .total_cmp(&frame.distance_m(from, b.1))
            })
            .unwrap();
        (from, to, to_grid)
    };
    // The walk: from the last point of my grid on the way there to just inside the other.
    let along = |t: f64| {
        geo_types::Point::new(
            from.x() + (to.x() - from.x()) * t,
            from.y() + (to.y() - from.y()) * t,
        )
    };
    let (from, to) = {
        let engine = gridmap::engine::read(&state.engine);
        let grid_at = |t: f64| engine.grids().locate(along(t)).cloned();
        let enter = (0..=1000)
            .map(|i| f64::from(i) / 1000.0)
            .find(|t| grid_at(*t).as_ref() == Some(&to_grid))
            .unwrap();
        let leave = (0..=1000)
            .rev()
            .map(|i| f64::from(i) / 1000.0)
            .find(|t| *t < enter && grid_at(*t).as_ref() == Some(&me.grids[0]))
            .unwrap();
        (along(leave), along((enter + 0.02).min(1.0)))
    };
    let frame = LocalFrame::new(from.x(), from.y());
    let distance_m = frame.distance_m(from, to);
    assert!(distance_m < 700.0, "{distance_m} m");

    let (status, patrol) = call(&state, "POST", "/api/patrols", Some(&token), None).await;
    assert_eq!(status, StatusCode::CREATED, "{patrol}");
    let id = patrol["id"].as_str().unwrap().to_string();
    let (status, _) = call(&state, "POST", "/api/patrols", Some(&token), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "one patrol at a time");

    // Fixes about 2 m and half a second apart (the patrol started a moment ago), one GPS
    // jump of a kilometre among them.
    let started: chrono::DateTime<chrono::Utc> =
        patrol["started_at"].as_str().unwrap().parse().unwrap();
    let steps = ((distance_m / 2.0).ceil() as usize).max(4);
    let mut fixes: Vec<Value> = (0..=steps)
        .map(|i| {
            let t = i as f64 / steps as f64;
            json!({
                "lon": from.x() + (to.x() - from.x()) * t,
                "lat": from.y() + (to.y() - from.y()) * t,
                "at": started + chrono::Duration::milliseconds(500 * i as i64 + 100),
            })
        })
        .collect();
    let jump_at = fixes[steps / 2]["at"].clone();
    fixes.insert(
        steps / 2,
        json!({"lon": from.x() + 0.01, "lat": from.y(), "at": jump_at}),
    );
    let (status, body) = call(
        &state,
        "POST",
        &format!("/api/patrols/{id}/points"),
        Some(&other_token),
        Some(json!({"points": fixes[..2]})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another worker's patrol: {body}"
    );
    let early = json!({"points": [{"lon": from.x(), "lat": from.y(), "at": started - chrono::Duration::hours(1)}]});
    let (status, body) = call(
        &state,
        "POST",
        &format!("/api/patrols/{id}/points"),
        Some(&token),
        Some(early),
    )
    .await;
    assert_eq!(
        (status, body["invalid-params"][0]["name"].as_str()),
        (StatusCode::BAD_REQUEST, Some("points[0].at"))
    );
    // Sent in two batches, the second late (as from a phone back online).
    let half = fixes.len() / 2;
    for batch in [&fixes[..half], &fixes[half..]] {
        let (status, body) = call(
            &state,
            "POST",
            &format!("/api/patrols/{id}/points"),
            Some(&token),
            Some(json!({"points": batch})),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }

    let (status, stopped) = call(
        &state,
        "POST",
        &format!("/api/patrols/{id}/stop"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{stopped}");
    let length = stopped["length_m"].as_f64().unwrap();
    assert!(
        length <= distance_m + 1.0 && length >= distance_m - 20.0,
        "{length} m walked over {distance_m} m, the jump left out"
    );
    let grids: Vec<&str> = stopped["grids"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(grids.first(), Some(&me.grids[0].as_str()));
    assert!(grids.contains(&to_grid.as_str()), "{grids:?}");
    let buildings = stopped["buildings"].as_array().unwrap();
    {
        let engine = gridmap::engine::read(&state.engine);
        for b in buildings {
            let id = BuildingId(b.as_str().unwrap().to_string());
            assert!(engine.building_info().contains_key(&id));
        }
    }
    assert_eq!(
        stopped["track"]["geometry"]["coordinates"]
            .as_array()
            .unwrap()
            .len(),
        fixes.len()
    );

    let (status, _) = call(
        &state,
        "POST",
        &format!("/api/patrols/{id}/stop"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = call(
        &state,
        "POST",
        &format!("/api/patrols/{id}/points"),
        Some(&token),
        Some(json!({"points": fixes[..1]})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a stopped patrol takes no more fixes"
    );
    let (status, list) = call(&state, "GET", "/api/patrols", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["patrols"].as_array().unwrap().len(), 1);
    let (status, _) = call(
        &state,
        "GET",
        &format!("/api/patrols?worker={}", other.id),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, shown) = call(
        &state,
        "GET",
        &format!("/api/patrols/{id}"),
        Some(&dispatcher),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown["grids"], stopped["grids"]);
    let (status, _) = call(
        &state,
        "GET",
        &format!("/api/patrols/{id}"),
        Some(&other_token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A new patrol can start once the first is stopped.
    let (status, _) = call(&state, "POST", "/api/patrols", Some(&token), None).await;
    assert_eq!(status, StatusCode::CREATED);
}
both_stores!(patrols, a_patrol_records_what_it_passed);
