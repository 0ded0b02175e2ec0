//! What the workbench and the phone app read, through the API on both stores: the incident
//! queue (filters, order, counts), buildings searched by name or address, the buildings of a
//! worker's grids near it, and sign-in codes for workers' phones.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use common::field;

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
) -> (StatusCode, Value) {
    common::call(state, method, uri, token, None).await
}

use axum::http::StatusCode;
use gridmap::api::AppState;
use gridmap::domain::*;
use gridmap::engine::read;
use gridmap::service::staffing;
use gridmap::store::{LayerQuery, Store};
use serde_json::Value;
use std::sync::Arc;

fn ids(page: &Value) -> Vec<String> {
    page["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["id"].as_str().unwrap().to_string())
        .collect()
}

async fn the_queue_filters_and_orders(state: &AppState, dispatcher: &str) {
    let (status, page) = call(
        state,
        "GET",
        "/api/incidents/queue?status=open&limit=500",
        Some(dispatcher),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (open, mut expected): (usize, Vec<Incident>) = {
        let engine = read(&state.engine);
        let open: Vec<Incident> = engine.incidents().open().cloned().collect();
        (open.len(), open)
    };
    assert!(open > 0, "the district has open incidents");
    assert_eq!(page["total"], open);
    expected.sort_by(|a, b| a.by_deadline(b));
    let expected_ids: Vec<String> = expected.iter().take(500).map(|i| i.id.0.clone()).collect();
    assert_eq!(ids(&page), expected_ids, "soonest deadline first");
    let per_status = page["per_status"].as_object().unwrap();
    let summed: u64 = per_status
        .iter()
        .filter(|(k, _)| k.as_str() != "closed")
        .map(|(_, v)| v.as_u64().unwrap())
        .sum();
    assert_eq!(
        summed as usize, open,
        "per-status counts add up to the open total"
    );
    let first = &page["incidents"][0]["properties"];
    assert!(
        first["community_name"].is_string(),
        "names come with the incident: {first}"
    );

    // Area, source, category and id filters each keep only what they name.
    let grid = first["grid"].as_str().unwrap().to_string();
    let community = &grid[..12];
    let (_, in_area) = call(
        state,
        "GET",
        &format!("/api/incidents/queue?area={community}&limit=500"),
        Some(dispatcher),
    )
    .await;
    assert!(in_area["total"].as_u64().unwrap() >= 1);
    for f in in_area["incidents"].as_array().unwrap() {
        assert!(
            f["properties"]["grid"]
                .as_str()
                .unwrap()
                .starts_with(community)
        );
    }
    let category = first["category"].as_str().unwrap();
    let (_, of_category) = call(
        state,
        "GET",
        &format!(
            "/api/incidents/queue?category={}&limit=500",
            urlencode(category)
        ),
        Some(dispatcher),
    )
    .await;
    for f in of_category["incidents"].as_array().unwrap() {
        assert_eq!(f["properties"]["category"], category);
    }
    let id = first["id"].as_str().unwrap();
    let part = &id[id.len() - 6..];
    let (_, found) = call(
        state,
        "GET",
        &format!("/api/incidents/queue?q={part}"),
        Some(dispatcher),
    )
    .await;
    assert!(
        ids(&found).contains(&id.to_string()),
        "found by part of its id"
    );
    let (_, overdue) = call(
        state,
        "GET",
        "/api/incidents/queue?overdue=true&limit=500",
        Some(dispatcher),
    )
    .await;
    let overdue_now = read(&state.engine)
        .incidents()
        .overdue(chrono::Utc::now())
        .len();
    assert_eq!(overdue["total"], overdue_now);
    let (_, hotline) = call(
        state,
        "GET",
        "/api/incidents/queue?source=hotline&limit=500",
        Some(dispatcher),
    )
    .await;
    for f in hotline["incidents"].as_array().unwrap() {
        assert_eq!(f["properties"]["source"], "hotline");
    }

    // Refusals name the parameter; workers and the public do not read the queue.
    for (query, name) in [
        ("status=done", "status"),
        ("overdue=yes", "overdue"),
        ("area=12a", "area"),
        ("source=email", "source"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("sort=deadline", "sort"),
    ] {
        let (status, body) = call(
            state,
            "GET",
            &format!("/api/incidents/queue?{query}"),
            Some(dispatcher),
        )
        .await;
        assert_eq!(
            (status, field(&body)),
            (StatusCode::BAD_REQUEST, name),
            "{query}: {body}"
        );
    }
    let (status, _) = call(state, "GET", "/api/incidents/queue", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn buildings_are_found_by_name(state: &AppState, store: &dyn Store, dispatcher: &str) {
    let buildings = store
        .buildings(&LayerQuery {
            limit: Some(5000),
            ..Default::default()
        })
        .await
        .unwrap();
    let named = buildings
        .iter()
        .find(|b| b.name.as_ref().is_some_and(|n| n.chars().count() >= 3))
        .expect("a named building");
    let name = named.name.clone().unwrap();
    let part: String = name.chars().skip(1).take(2).collect();
    let (status, found) = call(
        state,
        "GET",
        &format!("/api/buildings?q={}&limit=1000", urlencode(&part)),
        Some(dispatcher),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let features = found["features"].as_array().unwrap();
    assert!(
        features
            .iter()
            .any(|f| f["properties"]["id"] == named.id.0.as_str()),
        "{name} found by {part}"
    );
    for f in features {
        let p = &f["properties"];
        let text = format!("{} {} {}", p["id"], p["name"], p["address"]);
        assert!(text.contains(&part), "{text} does not hold {part}");
    }
    // Pattern characters are taken literally.
    let (_, none) = call(state, "GET", "/api/buildings?q=%25%25%25", Some(dispatcher)).await;
    assert_eq!(none["features"].as_array().unwrap().len(), 0);
    let (status, body) = call(state, "GET", "/api/grids?q=abc", Some(dispatcher)).await;
    assert_eq!((status, field(&body)), (StatusCode::BAD_REQUEST, "q"));
}

async fn workers_see_buildings_near_them(state: &AppState, store: &dyn Store, dispatcher: &str) {
    let workers = store.workers(&LayerQuery::default()).await.unwrap();
    let me = workers.iter().find(|w| w.grids.len() == 1).unwrap();
    let token = common::worker_token(store, &me.id).await;
    let (building, anchor) = {
        let engine = read(&state.engine);
        let mut ids: Vec<&BuildingId> = engine.building_info().keys().collect();
        ids.sort();
        let id = ids
            .into_iter()
            .find(|b| {
                engine.grids().locate(engine.building_info()[*b].anchor) == Some(&me.grids[0])
            })
            .unwrap()
            .clone();
        let anchor = engine.building_info()[&id].anchor;
        (id, anchor)
    };
    let uri = format!(
        "/api/me/buildings?lon={}&lat={}&radius_m=100",
        anchor.x(),
        anchor.y()
    );
    let (status, near) = call(state, "GET", &uri, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{near}");
    let list = near["buildings"].as_array().unwrap();
    assert_eq!(list[0]["distance_m"], 0.0, "standing inside it: {near}");
    assert!(list.iter().any(|b| b["id"] == building.0.as_str()));
    for b in list {
        assert_eq!(b["grid"], me.grids[0].as_str(), "only the worker's grids");
        assert!(b["distance_m"].as_f64().unwrap() <= 100.0);
    }
    let (status, body) = call(state, "GET", &format!("{uri}&radius_m=5000"), Some(&token)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = call(state, "GET", &uri, Some(dispatcher)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a dispatcher is no worker");
}

async fn planners_print_sign_in_codes(state: &AppState, store: &dyn Store, dispatcher: &str) {
    let planner = common::token(store, Role::Planner, "规划员").await;
    let worker = store
        .workers(&LayerQuery::default())
        .await
        .unwrap()
        .into_iter()
        .find(|w| !w.is_retired())
        .unwrap();
    let uri = format!("/api/workers/{}/sign-in-code", worker.id);
    let (status, code) = call(state, "POST", &uri, Some(&planner)).await;
    assert_eq!(status, StatusCode::OK, "{code}");
    assert!(code["svg"].as_str().unwrap().contains("<svg"));
    let token = code["token"].as_str().unwrap();
    assert!(
        code["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/worker#token={token}"))
    );
    let (_, me) = call(state, "GET", "/api/me", Some(token)).await;
    assert_eq!(
        (me["role"].as_str(), me["worker"].as_str()),
        (Some("worker"), Some(worker.id.as_str()))
    );
    assert_eq!(me["label"], worker.name.as_str());
    let (status, _) = call(state, "POST", &uri, Some(dispatcher)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        state,
        "POST",
        "/api/workers/nobody/sign-in-code",
        Some(&planner),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn workbench_reads(store: Arc<dyn Store>) {
    common::partitioned_district(store.as_ref(), 8_000, 7).await;
    staffing::settle(store.as_ref()).await.unwrap();
    let state = AppState::load(store.clone()).await.unwrap();
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    the_queue_filters_and_orders(&state, &dispatcher).await;
    buildings_are_found_by_name(&state, store.as_ref(), &dispatcher).await;
    workers_see_buildings_near_them(&state, store.as_ref(), &dispatcher).await;
    planners_print_sign_in_codes(&state, store.as_ref(), &dispatcher).await;
}
both_stores!(workbench, workbench_reads);
