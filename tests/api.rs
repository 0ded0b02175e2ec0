//! The HTTP API through `app(state)` with `oneshot`, on both stores.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gridmap::api::{AppState, app};
use gridmap::domain::Role;
use gridmap::generate::{DistrictProfile, GenerateOptions, generate};
use gridmap::store::Store;
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

async fn get(
    store: &Arc<dyn Store>,
    uri: &str,
    token: Option<&str>,
) -> (StatusCode, String, Value) {
    let mut request = Request::get(uri);
    if let Some(t) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let response = app(AppState::load(store.clone()).await.unwrap())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if json.is_null() {
        return (
            status,
            content_type,
            Value::String(String::from_utf8_lossy(&bytes).into_owned()),
        );
    }
    (status, content_type, json)
}

async fn token(store: &Arc<dyn Store>, role: Role) -> String {
    common::token(store.as_ref(), role, "test").await
}

async fn serves_the_district(store: Arc<dyn Store>) {
    let profile = DistrictProfile::dongsheng().unwrap();
    let data = generate(
        &profile,
        &GenerateOptions {
            households: 40_000,
            seed: 5,
        },
    )
    .unwrap();
    store.write(&data, None).await.unwrap();

    let (status, _, health) = get(&store, "/api/health", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["counts"]["buildings"], data.buildings.len());
    assert_eq!(health["counts"]["communities"], data.communities.len());
    assert!(["geopackage", "postgis"].contains(&health["store"].as_str().unwrap()));

    // Public layers without a token, as GeoJSON.
    let (status, content_type, fc) = get(&store, "/api/communities", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/geo+json");
    assert_eq!(fc["type"], "FeatureCollection");
    assert_eq!(
        fc["features"].as_array().unwrap().len(),
        data.communities.len()
    );
    assert_eq!(fc["features"][0]["geometry"]["type"], "MultiPolygon");
    let street = data.communities[0].code.street().to_string();
    let (_, _, one_street) = get(&store, &format!("/api/communities?code={street}"), None).await;
    let n = one_street["features"].as_array().unwrap().len();
    assert!(n >= 1 && n < data.communities.len());
    assert!(
        one_street["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["properties"]["street"] == street)
    );
    let (_, _, stations) = get(&store, "/api/stations", None).await;
    assert_eq!(
        stations["features"].as_array().unwrap().len(),
        data.stations.len()
    );

    // Internal layers need a token of the right role; the public never sees them.
    let (status, content_type, problem) = get(&store, "/api/buildings", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["status"], 401);
    let (status, _, _) = get(&store, "/api/workers", Some("gm_not_a_token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let worker_token = token(&store, Role::Worker).await;
    let (status, _, problem) = get(&store, "/api/incidents", Some(&worker_token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let planner = token(&store, Role::Planner).await;
    let (status, _, buildings) = get(&store, "/api/buildings?limit=100", Some(&planner)).await;
    assert_eq!(status, StatusCode::OK);
    let features = buildings["features"].as_array().unwrap();
    assert_eq!(features.len(), 100);
    assert!(features[0]["properties"]["households"].is_number());
    assert_eq!(buildings["links"][0]["rel"], "next");
    let next = buildings["links"][0]["href"].as_str().unwrap().to_string();
    assert!(next.contains("offset=100"), "{next}");
    let (_, _, page2) = get(&store, &next, Some(&planner)).await;
    assert_ne!(page2["features"][0]["id"], features[0]["id"]);

    // bbox filters: a box around one community's centre holds some but not all buildings.
    let c = &data.communities[0].boundary.0[0].exterior().0[0];
    let bbox = format!("{},{},{},{}", c.x, c.y, c.x + 0.003, c.y + 0.003);
    let (_, _, boxed) = get(
        &store,
        &format!("/api/buildings?bbox={bbox}"),
        Some(&planner),
    )
    .await;
    let boxed_n = boxed["features"].as_array().unwrap().len();
    assert!(boxed_n > 0 && boxed_n < data.buildings.len(), "{boxed_n}");
    let (_, _, workers) = get(&store, "/api/workers", Some(&planner)).await;
    assert_eq!(
        workers["features"].as_array().unwrap().len(),
        data.workers.len()
    );
}
both_stores!(layers, serves_the_district);

/// The web app's first question: the band it draws grids against is the partitioner's
/// own, and the map opens on the store's data (nothing when the store is empty).
async fn config_names_the_band_and_the_extent_of_the_data(store: Arc<dyn Store>) {
    let (status, _, empty) = get(&store, "/api/config", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(empty["extent"].is_null(), "{empty}");
    let profile = DistrictProfile::dongsheng().unwrap();
    let data = generate(
        &profile,
        &GenerateOptions {
            households: 20_000,
            seed: 3,
        },
    )
    .unwrap();
    store.write(&data, None).await.unwrap();
    let (status, _, config) = get(&store, "/api/config", None).await;
    assert_eq!(status, StatusCode::OK);
    let options = gridmap::partition::PartitionOptions::default();
    assert_eq!(config["target_households"], options.target);
    assert_eq!(config["tolerance"], options.tolerance);
    let (low, high) = (
        config["within_band"]["low"].as_u64().unwrap() as u32,
        config["within_band"]["high"].as_u64().unwrap() as u32,
    );
    assert!(options.within_tolerance(low) && !options.within_tolerance(low - 1));
    assert!(options.within_tolerance(high) && !options.within_tolerance(high + 1));
    let extent: Vec<f64> = serde_json::from_value(config["extent"].clone()).unwrap();
    // Coordinates read back may differ from those written in the last bit.
    let slack = 1e-9;
    for c in &data.communities {
        let r = geo::BoundingRect::bounding_rect(&c.boundary).unwrap();
        assert!(
            r.min().x >= extent[0] - slack && r.min().y >= extent[1] - slack,
            "{extent:?} {r:?} {}",
            c.code
        );
        assert!(
            r.max().x <= extent[2] + slack && r.max().y <= extent[3] + slack,
            "{extent:?} {r:?} {}",
            c.code
        );
    }
}

both_stores!(config, config_names_the_band_and_the_extent_of_the_data);

#[tokio::test]
async fn bad_requests_are_problem_json_naming_the_field() {
    let (_dir, store) = common::fresh_gpkg().await;
    for (uri, field, status) in [
        (
            "/api/communities?bbox=1,2,3",
            Some("bbox"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/communities?bbox=200,0,201,1",
            Some("bbox"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/communities?limit=0",
            Some("limit"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/communities?limit=x",
            Some("limit"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/communities?offset=-1",
            Some("offset"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/communities?code=abc",
            Some("code"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/communities?colour=red",
            Some("colour"),
            StatusCode::BAD_REQUEST,
        ),
        ("/api/rivers", None, StatusCode::NOT_FOUND),
        ("/no/such/page", None, StatusCode::NOT_FOUND),
    ] {
        let (got, content_type, problem) = get(&store, uri, None).await;
        assert_eq!(got, status, "{uri}: {problem}");
        assert_eq!(content_type, "application/problem+json", "{uri}");
        assert_eq!(problem["status"], status.as_u16(), "{uri}");
        if let Some(field) = field {
            assert_eq!(
                problem["invalid-params"][0]["name"], field,
                "{uri}: {problem}"
            );
        }
    }
}

#[tokio::test]
async fn public_grids_hide_household_figures() {
    use gridmap::domain::*;
    let (_dir, store) = common::fresh_gpkg().await;
    let community: CommunityCode = "150602001001".parse().unwrap();
    let ring = vec![
        (110.0, 39.8),
        (110.01, 39.8),
        (110.01, 39.81),
        (110.0, 39.8),
    ];
    let boundary = geo::MultiPolygon::new(vec![geo::Polygon::new(ring.into(), vec![])]);
    let grid = Grid {
        code: community.grid(1).unwrap(),
        kind: GridKind::Base,
        community,
        boundary,
        households: 300,
        residents: 790,
        flag: GridFlag::Normal,
    };
    store
        .write(
            &Dataset {
                grids: vec![grid],
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    let (_, _, public) = get(&store, "/api/grids", None).await;
    assert_eq!(
        public["features"][0]["properties"]["code"],
        "150602001001001"
    );
    assert!(
        public["features"][0]["properties"]
            .get("households")
            .is_none()
    );
    let dispatcher = token(&store, Role::Dispatcher).await;
    let (_, _, internal) = get(&store, "/api/grids", Some(&dispatcher)).await;
    assert_eq!(internal["features"][0]["properties"]["households"], 300);
}

#[tokio::test]
async fn openapi_docs_metrics_and_the_web_app() {
    let (_dir, store) = common::fresh_gpkg().await;
    let (status, _, doc) = get(&store, "/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(
        doc["paths"]["/api/{layer}"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .len()
            >= 5
    );
    let (status, content_type, page) = get(&store, "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"));
    assert!(
        page.as_str()
            .unwrap()
            .contains("/vendor/maplibre-gl/maplibre-gl.css")
    );
    let (_, _, app_js) = get(&store, "/app.js", None).await;
    assert!(
        app_js
            .as_str()
            .unwrap()
            .contains("/vendor/maplibre-gl/maplibre-gl.mjs"),
        "MapLibre comes from the server, no CDN"
    );
    assert!(page.as_str().unwrap().contains("lang=\"zh-CN\""));
    for path in [
        "/planner",
        "/dispatch",
        "/api/docs",
        "/app.js",
        "/vendor/maplibre-gl/maplibre-gl-worker.mjs",
        "/favicon.svg",
    ] {
        let (status, _, _) = get(&store, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    let (_, content_type, _) = get(&store, "/vendor/maplibre-gl/maplibre-gl.mjs", None).await;
    assert_eq!(content_type, "text/javascript");
    let _ = get(&store, "/api/health", None).await;
    let (status, _, metrics) = get(&store, "/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    let text = metrics.as_str().unwrap();
    assert!(
        text.contains("http_requests_total") && text.contains("path=\"/api/health\""),
        "{text}"
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let (_dir, store) = common::fresh_gpkg().await;
    let body = vec![b'x'; gridmap::api::MAX_BODY_BYTES + 1];
    let response = app(AppState::load(store).await.unwrap())
        .oneshot(
            Request::post("/api/health")
                .header(header::CONTENT_LENGTH, body.len())
                .body(Body::from(body))
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
}

async fn post(
    store: &Arc<dyn Store>,
    uri: &str,
    token: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    let mut request = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let response = app(AppState::load(store.clone()).await.unwrap())
        .oneshot(request.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planners_partition_through_the_api() {
    let (_dir, store) = common::fresh_gpkg().await;
    let data = generate(
        &DistrictProfile::dongsheng().unwrap(),
        &GenerateOptions {
            households: 20_000,
            seed: 4,
        },
    )
    .unwrap();
    store.write(&data, None).await.unwrap();
    let community = data.communities[0].code.to_string();
    let body = format!(r#"{{"community":"{community}","dry_run":true}}"#);
    let (status, problem) = post(&store, "/api/partition", None, &body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
    let dispatcher = token(&store, Role::Dispatcher).await;
    let (status, _) = post(&store, "/api/partition", Some(&dispatcher), &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let planner = token(&store, Role::Planner).await;
    let (status, preview) = post(&store, "/api/partition", Some(&planner), &body).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["committed"], false);
    let n = preview["grids"]["features"].as_array().unwrap().len();
    assert!(n > 3);
    assert_eq!(preview["metrics"]["grids"], n);
    assert_eq!(store.counts().await.unwrap().grids, 0);
    let (status, done) = post(
        &store,
        "/api/partition",
        Some(&planner),
        &format!(r#"{{"community":"{community}"}}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(store.counts().await.unwrap().grids as usize, n);
    for (body, field) in [
        (r#"{"community":"123"}"#.to_string(), "community"),
        (
            format!(r#"{{"community":"{community}","target":0}}"#),
            "target",
        ),
        (
            format!(r#"{{"community":"{community}","tolerance":2}}"#),
            "tolerance",
        ),
        (
            r#"{"all":true,"street":"150602001"}"#.to_string(),
            "community",
        ),
        // An unknown field is named itself.
        (r#"{"colour":"red"}"#.to_string(), "colour"),
        ("not json".to_string(), "body"),
    ] {
        let (status, problem) = post(&store, "/api/partition", Some(&planner), &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {problem}");
        assert_eq!(
            problem["invalid-params"][0]["name"], field,
            "{body}: {problem}"
        );
    }
    let (status, _) = post(
        &store,
        "/api/partition",
        Some(&planner),
        r#"{"community":"150602999999"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        store.counts().await.unwrap().grids as usize,
        n,
        "failed requests change nothing"
    );
}
