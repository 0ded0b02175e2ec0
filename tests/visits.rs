//! Visits (走访) through the API on both stores: a worker records calls on buildings of its
//! grids only; dispatchers read them all, a worker its own.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use common::{call, field};

use axum::http::StatusCode;
use gridmap::api::AppState;
use gridmap::domain::*;
use gridmap::service::staffing;
use gridmap::store::{LayerQuery, Store};
use serde_json::json;
use std::sync::Arc;

async fn workers_record_visits_in_their_grids(store: Arc<dyn Store>) {
    common::partitioned_district(store.as_ref(), 6_000, 6).await;
    staffing::settle(store.as_ref()).await.unwrap();
    let state = AppState::load(store.clone()).await.unwrap();
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let workers = store.workers(&LayerQuery::default()).await.unwrap();
    let me = workers.iter().find(|w| w.grids.len() == 1).unwrap();
    let other = workers
        .iter()
        .find(|w| !w.grids.is_empty() && !w.grids.contains(&me.grids[0]))
        .unwrap();
    let token = common::worker_token(store.as_ref(), &me.id).await;
    let (mine, elsewhere) = {
        let engine = gridmap::engine::read(&state.engine);
        let grid_of = |id: &BuildingId| {
            engine
                .grids()
                .locate(engine.building_info()[id].anchor)
                .cloned()
        };
        let mut ids: Vec<&BuildingId> = engine.building_info().keys().collect();
        ids.sort();
        let mine = ids
            .iter()
            .find(|b| grid_of(b).as_ref() == Some(&me.grids[0]))
            .map(|b| (*b).clone())
            .unwrap();
        let elsewhere = ids
            .iter()
            .find(|b| grid_of(b).is_some_and(|g| !me.grids.contains(&g)))
            .map(|b| (*b).clone())
            .unwrap();
        (mine, elsewhere)
    };

    let visit = |building: &str, note: &str| json!({"building": building, "household": "3单元502", "note": note});
    let (status, body) = call(
        &state,
        "POST",
        "/api/visits",
        Some(&token),
        Some(visit(mine.as_str(), "走访独居老人，身体状况良好")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["grid"], json!(me.grids[0]));
    assert_eq!(body["worker"], json!(me.id));

    // Refusals name the field and write nothing.
    for (request, expected, name) in [
        (
            visit(elsewhere.as_str(), "走访"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "building",
        ),
        (
            visit("no-such-building", "走访"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "building",
        ),
        (visit(mine.as_str(), ""), StatusCode::BAD_REQUEST, "note"),
        (
            json!({"building": mine.as_str(), "note": "走访", "photos": ["f".repeat(64)]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "photos",
        ),
    ] {
        let (status, body) = call(&state, "POST", "/api/visits", Some(&token), Some(request)).await;
        assert_eq!((status, field(&body)), (expected, name), "{body}");
    }
    let (status, _) = call(
        &state,
        "POST",
        "/api/visits",
        Some(&dispatcher),
        Some(visit(mine.as_str(), "走访")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a visit is a worker's");
    let (status, _) = call(
        &state,
        "POST",
        "/api/visits",
        None,
        Some(visit(mine.as_str(), "走访")),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Read back: the worker its own, a dispatcher by building; another's are refused.
    let (status, own) = call(&state, "GET", "/api/visits", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own["visits"].as_array().unwrap().len(), 1, "{own}");
    let (status, _) = call(
        &state,
        "GET",
        &format!("/api/visits?worker={}", other.id),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, by_building) = call(
        &state,
        "GET",
        &format!("/api/visits?building={mine}"),
        Some(&dispatcher),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let visits = by_building["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0]["household"], json!("3单元502"));
    assert_eq!(visits[0]["note"], json!("走访独居老人，身体状况良好"));
    let (status, body) = call(
        &state,
        "GET",
        "/api/visits?limit=0",
        Some(&dispatcher),
        None,
    )
    .await;
    assert_eq!((status, field(&body)), (StatusCode::BAD_REQUEST, "limit"));
}
both_stores!(visits, workers_record_visits_in_their_grids);
