//! Regression tests for what was found by trying the server as an attacker or a careless
//! client would (issue: hardening), each on both stores.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use axum::http::StatusCode;
use gridmap::api::AppState;
use gridmap::domain::Role;
use gridmap::store::{LayerQuery, Store};
use serde_json::{Value, json};
use std::sync::Arc;

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (StatusCode, Value) {
    let (status, _, bytes) = common::send(state, method, uri, Some(token), headers, body).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A POST with a JSON body and no extra headers.
async fn post(state: &AppState, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
    call(state, "POST", uri, token, Some(body), &[]).await
}

/// A report sent with the idempotency key `offline-0001`.
async fn keyed(state: &AppState, token: &str, body: Value) -> (StatusCode, Value) {
    let key = [("idempotency-key", "offline-0001")];
    call(state, "POST", "/api/incidents", token, Some(body), &key).await
}

/// The field a 400 names.
fn field(problem: &Value) -> &str {
    problem["invalid-params"][0]["name"]
        .as_str()
        .unwrap_or_default()
}

/// Text with a NUL or another control character is refused with 400 naming the field on
/// both stores (PostgreSQL cannot store NUL: it was a 500 there), and nothing is written.
async fn control_characters_are_refused_naming_the_field(store: Arc<dyn Store>) {
    let data = common::partitioned_district(store.as_ref(), 20_000, 7).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let planner = common::token(store.as_ref(), Role::Planner, "规划员").await;
    let incidents_before = store.counts().await.unwrap().incidents;
    let grid = store.grids(&LayerQuery::default()).await.unwrap()[0].clone();
    let at = geo::InteriorPoint::interior_point(&grid.boundary).unwrap();
    let report = |description: &str| json!({"lon": at.x(), "lat": at.y(), "category": "环境卫生", "description": description, "source": "hotline"});
    for bad in ["a\u{0}b", "bell\u{7}", "escape\u{1b}[31m", "c1\u{85}"] {
        let (status, problem) = post(&state, "/api/incidents", &dispatcher, report(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {problem}");
        assert_eq!(field(&problem), "description", "{problem}");
    }
    assert_eq!(store.counts().await.unwrap().incidents, incidents_before);

    // Line breaks and tabs are text: stored as given, and read back the same.
    let given = "东门口井盖缺失\n\t请尽快处理";
    let (status, created) = post(&state, "/api/incidents", &dispatcher, report(given)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let stored = store
        .incidents(&LayerQuery {
            ids: Some(vec![id.clone()]),
            ..LayerQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(stored[0].description, given);

    // A step's note.
    let (status, problem) = post(
        &state,
        &format!("/api/incidents/{id}/steps"),
        &dispatcher,
        json!({"action": "close", "note": "done\u{0}"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(field(&problem), "note");
    let events = store
        .incident_events(&gridmap::domain::IncidentId(id.clone()))
        .await
        .unwrap();
    assert!(
        events.iter().all(|e| e.action.as_str() != "close"),
        "{events:?}"
    );

    // A merged community's name: refused before anything is computed, nothing written.
    let (a, b) = (&data.communities[0], &data.communities[1]);
    let head = store.plan_head().await.unwrap();
    let (status, problem) = post(
        &state,
        "/api/rebalance",
        &planner,
        json!({
            "operation": "merge", "communities": [a.code, b.code], "name": "新社区\u{0}",
            "commit": true, "base_version": head,
        }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(field(&problem), "name");
    // And a split's names: one line each.
    let (status, problem) = call(
        &state,
        "POST",
        "/api/rebalance",
        &planner,
        Some(json!({
            "operation": "split", "community": a.code,
            "line": {"type": "LineString", "coordinates": [[0.0, 0.0], [1.0, 1.0]]},
            "codes": [a.code, format!("{}990", &a.code.as_str()[..9])],
            "names": ["东\n区", "西区"],
        })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(field(&problem), "names");
    assert_eq!(store.plan_head().await.unwrap(), head);
}

both_stores!(
    control_characters,
    control_characters_are_refused_naming_the_field
);

/// A base version from the future cannot skip the stale-plan check: rebalance commits (in
/// the body or If-Match) and restores with a version past the head are 409, nothing
/// written; the current version still commits.
async fn future_base_versions_are_conflicts(store: Arc<dyn Store>) {
    let data = common::partitioned_district(store.as_ref(), 20_000, 7).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let planner = common::token(store.as_ref(), Role::Planner, "规划员").await;
    let head = store.plan_head().await.unwrap();
    assert_eq!(head, 1);
    let community = data.communities[0].code.to_string();
    let adjust = |base: Option<u64>| {
        let mut body = json!({"operation": "adjust", "communities": [community], "commit": true});
        if let Some(b) = base {
            body["base_version"] = json!(b);
        }
        body
    };
    for future in [head + 1, 9, 999_999] {
        let (status, problem) =
            post(&state, "/api/rebalance", &planner, adjust(Some(future))).await;
        assert_eq!(status, StatusCode::CONFLICT, "base {future}: {problem}");
        let if_match = format!("\"v{future}\"");
        let (status, problem) = call(
            &state,
            "POST",
            "/api/rebalance",
            &planner,
            Some(adjust(None)),
            &[("if-match", if_match.as_str())],
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "If-Match {future}: {problem}");
        let (status, problem) = post(
            &state,
            "/api/plan/versions/1/restore",
            &planner,
            json!({"base_version": future}),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "restore on {future}: {problem}"
        );
    }
    assert_eq!(store.plan_head().await.unwrap(), head, "nothing committed");
    let (status, done) = post(&state, "/api/rebalance", &planner, adjust(Some(head))).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["version"], json!(head + 1));
}

both_stores!(future_versions, future_base_versions_are_conflicts);

/// One server per GeoPackage: a second claim on the same file is refused while the first
/// holds it, and the file is free again once the first is gone.
#[tokio::test]
async fn a_geopackage_is_served_by_one_process() {
    use gridmap::store::StoreError;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.gpkg");
    let path = path.to_str().unwrap();
    let first = gridmap::store::open(path).await.unwrap();
    first.claim_serving().unwrap();
    first.claim_serving().unwrap(); // claiming again in the same store is no change
    let second = gridmap::store::open(path).await.unwrap();
    match second.claim_serving() {
        Err(StoreError::AlreadyServed { holder, .. }) => {
            assert!(holder.contains(&std::process::id().to_string()), "{holder}")
        }
        other => panic!("a second server was let in: {other:?}"),
    }
    // PostGIS serves any number of processes (kept in step by NOTIFY).
    let url = common::fresh_postgis_url().await;
    let a = gridmap::store::open(&url).await.unwrap();
    let b = gridmap::store::open(&url).await.unwrap();
    a.claim_serving().unwrap();
    b.claim_serving().unwrap();
    first.close().await;
    drop(first);
    second.claim_serving().unwrap();
}

/// Work is bounded before it starts: tolerances and targets outside their ranges, and
/// community lists that are empty, repeat a community or are too long, are refused at once
/// with 400 naming the field (a tolerance of 5e-324 ran for 46 s; one community listed
/// twice took 7.8 s, 10,000 copies 157 s).
async fn requests_that_would_stall_are_refused_at_once(store: Arc<dyn Store>) {
    let data = common::partitioned_district(store.as_ref(), 20_000, 7).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let planner = common::token(store.as_ref(), Role::Planner, "规划员").await;
    let community = data.communities[0].code.to_string();
    let started = std::time::Instant::now();
    for (body, named) in [
        (
            json!({"community": community, "tolerance": 5e-324, "dry_run": true}),
            "tolerance",
        ),
        (
            json!({"community": community, "tolerance": 0.9, "dry_run": true}),
            "tolerance",
        ),
        (
            json!({"community": community, "target": 1, "dry_run": true}),
            "target",
        ),
        (
            json!({"community": community, "target": 4_000_000_000u32, "dry_run": true}),
            "target",
        ),
    ] {
        let (status, problem) = post(&state, "/api/partition", &planner, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {problem}");
        assert_eq!(field(&problem), named, "{problem}");
    }
    let many: Vec<&str> = std::iter::repeat_n(community.as_str(), 10_000).collect();
    for (body, named) in [
        (
            json!({"operation": "adjust", "communities": [community, community]}),
            "communities",
        ),
        (
            json!({"operation": "adjust", "communities": many}),
            "communities",
        ),
        (
            json!({"operation": "adjust", "communities": []}),
            "communities",
        ),
        (
            json!({"operation": "adjust", "communities": [community], "tolerance": 1e-300}),
            "tolerance",
        ),
    ] {
        let (status, problem) = post(&state, "/api/rebalance", &planner, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(field(&problem), named, "{problem}");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "refusals take no work: {:?}",
        started.elapsed()
    );
}

both_stores!(bounded_work, requests_that_would_stall_are_refused_at_once);

/// Every refusal is problem+json with the right status: 405 (it had an empty body), 413
/// with a declared length and with a chunked body (it was text/plain, and 400 when
/// chunked); a JSON value of the wrong type names its field (`lon`, not `body`).
async fn refusals_are_uniform(store: Arc<dyn Store>) {
    use axum::body::Body;
    use axum::http::{Request, header};
    use tower::ServiceExt;
    common::partitioned_district(store.as_ref(), 20_000, 7).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let is_problem = |headers: &axum::http::HeaderMap| {
        headers[header::CONTENT_TYPE] == "application/problem+json"
    };

    let (status, headers, bytes) =
        common::send(&state, "DELETE", "/api/health", None, &[], None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(is_problem(&headers), "{headers:?}");
    let problem: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(problem["status"], 405);
    assert!(headers.contains_key(header::ALLOW));

    let too_big = vec![b' '; gridmap::api::MAX_BODY_BYTES + 1];
    let declared = Request::post("/api/incidents")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, too_big.len())
        .body(Body::from(too_big.clone()))
        .unwrap();
    let chunks = futures_util::stream::iter(
        too_big
            .chunks(1 << 20)
            .map(|c| Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    let chunked = Request::post("/api/incidents")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {dispatcher}"))
        .body(Body::from_stream(chunks))
        .unwrap();
    for (how, request) in [("declared", declared), ("chunked", chunked)] {
        let response = gridmap::api::app(state.clone())
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{how}");
        assert!(
            is_problem(response.headers()),
            "{how}: {:?}",
            response.headers()
        );
    }

    let (status, problem) = post(&state, "/api/incidents", &dispatcher, json!({"lon": "东经110度", "lat": 39.8, "category": "环境卫生", "description": "x", "source": "hotline"}))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(field(&problem), "lon", "{problem}");
    let (status, problem) = post(
        &state,
        "/api/incidents",
        &dispatcher,
        json!({"lon": 110.0, "lat": 39.8, "category": "环境卫生", "description": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(field(&problem), "source", "{problem}");
}

both_stores!(uniform_refusals, refusals_are_uniform);

/// A bad token gets the same answer everywhere: public endpoints answer as to anyone (a
/// public layer never disappears because of a wrong token), everything else is 401.
async fn a_bad_token_is_public_everywhere(store: Arc<dyn Store>) {
    common::partitioned_district(store.as_ref(), 20_000, 7).await;
    let state = AppState::load(store.clone()).await.unwrap();
    for uri in [
        "/api/communities",
        "/api/health",
        "/api/config",
        "/tiles/communities.json",
    ] {
        let (public, _, _) = common::send(&state, "GET", uri, None, &[], None).await;
        let (bogus, _, _) =
            common::send(&state, "GET", uri, Some("gm_not_a_token"), &[], None).await;
        assert_eq!(public, StatusCode::OK, "{uri}");
        assert_eq!(bogus, public, "{uri}");
    }
    for uri in [
        "/api/buildings",
        "/api/incidents/overdue",
        "/api/plan/versions",
        "/tiles/grids.json",
    ] {
        let (status, headers, bytes) =
            common::send(&state, "GET", uri, Some("gm_not_a_token"), &[], None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
        let problem: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(problem["type"], "/api/problems/bad-token", "{uri}");
        assert!(headers.contains_key("www-authenticate"));
    }
}

both_stores!(bad_tokens, a_bad_token_is_public_everywhere);

/// Public aggregates cannot single out a report: a report just made is not findable by a
/// fine cell and a window of a second (it was: one cell of count 1, 8 m from the report);
/// public cells are coarse and hold several reports; community tiles carry no households.
async fn public_aggregates_single_out_nobody(store: Arc<dyn Store>) {
    use gridmap::api::PUBLIC_MIN_CELL_COUNT;
    common::partitioned_district(store.as_ref(), 20_000, 7).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let grid = store.grids(&LayerQuery::default()).await.unwrap()[0].clone();
    let at = geo::InteriorPoint::interior_point(&grid.boundary).unwrap();
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    let (status, _) = post(&state, "/api/incidents", &dispatcher, json!({"lon": at.x(), "lat": at.y(), "category": "环境卫生", "description": "门口堆放垃圾", "source": "hotline"}))
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let since = before.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let fine = format!("/api/incidents/h3?resolution=12&from={since}");
    let (status, _, bytes) = common::send(&state, "GET", &fine, None, &[], None).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    // Staff find it at once.
    let (status, staff) = call(&state, "GET", &fine, &dispatcher, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(staff["cells"].as_object().unwrap().len(), 1, "{staff}");
    // The public, as coarse as it may: whole days, cells of several reports only.
    let coarse = format!("/api/incidents/h3?resolution=8&from={since}");
    let (status, _, bytes) = common::send(&state, "GET", &coarse, None, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let public: Value = serde_json::from_slice(&bytes).unwrap();
    let (_, staff) = call(&state, "GET", &coarse, &dispatcher, None, &[]).await;
    let cells = public["cells"].as_object().unwrap();
    for (cell, count) in cells {
        assert!(
            count.as_u64().unwrap() >= PUBLIC_MIN_CELL_COUNT,
            "{cell}: {count}"
        );
    }
    let staff_cells = staff["cells"].as_object().unwrap();
    assert!(
        staff_cells
            .values()
            .any(|c| c.as_u64().unwrap() < PUBLIC_MIN_CELL_COUNT),
        "the staff answer has small cells the public one must leave out: {staff}"
    );
    for (cell, count) in staff_cells {
        let small = count.as_u64().unwrap() < PUBLIC_MIN_CELL_COUNT;
        assert_eq!(cells.contains_key(cell), !small, "{cell}");
    }

    // Public community tiles: codes, names and grid counts, no household figures (MVT
    // keys are plain strings in the tile).
    let fields = gridmap::engine::TileLayer::Communities.vector_layers();
    assert!(
        fields
            .iter()
            .flat_map(|(_, f)| f)
            .all(|(name, _)| *name != "households"),
        "{fields:?}"
    );
    let z = 13u32;
    let n = f64::from(1u32 << z);
    let x = ((at.x() + 180.0) / 360.0 * n) as u32;
    let lat = at.y().to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n) as u32;
    let uri = format!("/tiles/communities/{z}/{x}/{y}.mvt");
    let (status, _, tile) = common::send(&state, "GET", &uri, None, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{uri}");
    let has = |key: &[u8]| tile.windows(key.len()).any(|w| w == key);
    assert!(has(b"grids") && !has(b"households"), "{uri}");
}

both_stores!(public_aggregates, public_aggregates_single_out_nobody);

/// Idempotency keys are the caller's own and bound to the report: a replay returns the
/// first incident to the same caller with the same body; the same key with another body is
/// 422 (the new report was silently dropped); another caller's same key is another key (it
/// returned that caller's incident).
async fn idempotency_keys_are_scoped_and_bound(store: Arc<dyn Store>) {
    common::partitioned_district(store.as_ref(), 20_000, 7).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let first = common::token(store.as_ref(), Role::Worker, "网格员甲").await;
    let second = common::token(store.as_ref(), Role::Worker, "网格员乙").await;
    let grid = store.grids(&LayerQuery::default()).await.unwrap()[0].clone();
    let at = geo::InteriorPoint::interior_point(&grid.boundary).unwrap();
    let report = |description: &str| json!({"lon": at.x(), "lat": at.y(), "category": "环境卫生", "description": description, "source": "worker"});
    let (status, a) = keyed(&state, &first, report("垃圾")).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let (status, again) = keyed(&state, &first, report("垃圾")).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["id"], a["id"]);
    let count = store.counts().await.unwrap().incidents;
    let (status, problem) = keyed(&state, &first, report("井盖缺失")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key")
    );
    assert_eq!(
        store.counts().await.unwrap().incidents,
        count,
        "nothing written"
    );
    let (status, other) = keyed(&state, &second, report("垃圾")).await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    assert_ne!(other["id"], a["id"], "another caller's key is another key");
    assert_eq!(store.counts().await.unwrap().incidents, count + 1);
}

both_stores!(idempotency, idempotency_keys_are_scoped_and_bound);

/// A worker token acts only on what is its worker's: that worker's position, and incidents
/// assigned to it or open in its grids (one moved W00001 and set it off duty, and stepped an
/// incident assigned to W00320). Dispatchers act on all; a worker token bound to no worker
/// acts on nothing.
async fn worker_tokens_act_on_their_own(store: Arc<dyn Store>) {
    use gridmap::domain::WorkerId;
    common::partitioned_district(store.as_ref(), 20_000, 7).await;
    gridmap::service::staffing::settle(store.as_ref())
        .await
        .unwrap();
    let state = AppState::load(store.clone()).await.unwrap();
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let unbound = common::token(store.as_ref(), Role::Worker, "旧令牌").await;
    // Two on-duty workers serving no grid in common, and a grid of each.
    let workers = store.workers(&LayerQuery::default()).await.unwrap();
    let serving: Vec<_> = workers
        .iter()
        .filter(|w| w.duty == gridmap::domain::DutyStatus::OnDuty && !w.grids.is_empty())
        .collect();
    let a = serving[0];
    let b = serving
        .iter()
        .find(|w| w.grids.iter().all(|g| !a.grids.contains(g)))
        .unwrap();
    let (token_a, token_b) = (
        common::worker_token(store.as_ref(), &a.id).await,
        common::worker_token(store.as_ref(), &b.id).await,
    );
    let position = |id: &WorkerId| format!("/api/workers/{id}/position");
    let here = json!({"lon": 109.98, "lat": 39.81});
    let (status, _) = post(&state, &position(&a.id), &token_a, here.clone()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "own position");
    let moved = json!({"lon": 109.98, "lat": 39.81, "duty": "off_duty"});
    for (token, whose) in [(&token_a, &b.id), (&unbound, &a.id)] {
        let (status, problem) = post(&state, &position(whose), token, moved.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    }
    let still = gridmap::engine::read(&state.engine)
        .workers()
        .get(&b.id)
        .cloned()
        .unwrap();
    assert_eq!(
        still.duty,
        gridmap::domain::DutyStatus::OnDuty,
        "b not set off duty"
    );
    let (status, _) = post(&state, &position(&b.id), &dispatcher, here).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "dispatchers move anyone");

    // An incident in b's grid, assigned to b.
    let grid_b = store
        .grids(&LayerQuery {
            ids: Some(vec![b.grids[0].to_string()]),
            ..LayerQuery::default()
        })
        .await
        .unwrap()
        .remove(0);
    let at = geo::InteriorPoint::interior_point(&grid_b.boundary).unwrap();
    let (status, created) = post(&state, "/api/incidents", &dispatcher, json!({"lon": at.x(), "lat": at.y(), "category": "环境卫生", "description": "垃圾", "source": "hotline"}))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let steps = format!("/api/incidents/{id}/steps");
    let (status, _) = post(
        &state,
        &steps,
        &dispatcher,
        json!({"action": "assign", "worker": b.id}),
    )
    .await;
    assert!(
        status == StatusCode::OK || status == StatusCode::CONFLICT,
        "{status}"
    );
    for token in [&token_a, &unbound] {
        for action in ["start", "resolve", "return"] {
            let (status, problem) = post(&state, &steps, token, json!({"action": action})).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{action}: {problem}");
        }
    }
    let (status, body) = post(&state, &steps, &token_b, json!({"action": "start"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let events = store
        .incident_events(&gridmap::domain::IncidentId(id))
        .await
        .unwrap();
    assert!(
        events.iter().all(|e| e.actor != a.id.as_str()),
        "{events:?}"
    );
}

both_stores!(worker_tokens, worker_tokens_act_on_their_own);

/// Connections opened and left silent cannot starve the server: with 5,000 of them held by
/// one client, `/api/health` answers a new connection under 100 ms; the server closes each
/// silent one within its header timeout and its file descriptors return to the baseline
/// (20,000 such connections, no token needed, once exhausted them and health stopped
/// answering).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connections_cannot_starve_the_server() {
    use gridmap::api::{ServerLimits, app, serve};
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    let (_dir, store) = common::fresh_gpkg().await;
    let state = AppState::load(store).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let header_timeout = Duration::from_secs(2);
    let limits = ServerLimits {
        max_connections: 6_000,
        header_read_timeout: header_timeout,
        ..ServerLimits::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app(state), limits, async {
        let _ = stopped.await;
    }));
    let descriptors = || std::fs::read_dir("/proc/self/fd").unwrap().count();
    let health = || async {
        let started = Instant::now();
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /api/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        assert!(
            answer.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&answer)
        );
        started.elapsed()
    };
    health().await; // warm: the store's first queries
    let baseline = descriptors();

    let mut silent = Vec::with_capacity(5_000);
    for _ in 0..5_000 {
        silent.push(TcpStream::connect(address).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut fastest = Duration::MAX;
    for _ in 0..3 {
        fastest = fastest.min(health().await);
    }
    assert!(
        fastest < Duration::from_millis(100),
        "health took {fastest:?}"
    );
    // Both halves of each silent connection are open now.
    assert!(
        descriptors() >= baseline + 9_000,
        "{} vs {baseline}",
        descriptors()
    );

    tokio::time::sleep(header_timeout + Duration::from_secs(2)).await;
    // The server closed its halves; only the client's remain.
    let held = descriptors();
    assert!(
        held <= baseline + 5_000 + 50,
        "server still holds connections: {held} descriptors, baseline {baseline}"
    );
    let mut buffer = [0u8; 256];
    let answer = silent[0].read(&mut buffer).await.unwrap_or(0);
    let said = String::from_utf8_lossy(&buffer[..answer]);
    assert!(answer == 0 || said.starts_with("HTTP/1.1 408"), "{said}");
    drop(silent);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        descriptors() <= baseline + 50,
        "{} vs {baseline}",
        descriptors()
    );
    let _ = stop.send(());
    server.await.unwrap();
}

/// Expensive jobs stop: past the server's time limit a partition request gets a problem
/// and nothing is written; a job whose caller went away (its future dropped) stops between
/// communities instead of burning CPU to the end (a tolerance of 5e-324 once ran 46 s and
/// went on after the client left).
async fn expensive_jobs_stop(store: Arc<dyn Store>) {
    use gridmap::partition::PartitionOptions;
    use gridmap::service::partition_job::{
        self, Commit, JobStop, JobStopped, PartitionJobError, Scope,
    };
    use gridmap::service::rebalance::{self, Operation};
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};
    common::partitioned_district(store.as_ref(), 40_000, 7).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let planner = common::token(store.as_ref(), Role::Planner, "规划员").await;
    let head = store.plan_head().await.unwrap();

    state.set_job_time_limit(Duration::from_millis(1));
    let (status, problem) = post(&state, "/api/partition", &planner, json!({"all": true})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("time limit"),
        "{problem}"
    );
    assert_eq!(store.plan_head().await.unwrap(), head, "nothing written");
    // Rebalance previews and commits stop the same way.
    let communities: Vec<String> = store
        .communities(&Default::default())
        .await
        .unwrap()
        .iter()
        .take(6)
        .map(|c| c.code.to_string())
        .collect();
    for commit in [false, true] {
        let (status, problem) = post(
            &state,
            "/api/rebalance",
            &planner,
            json!({"operation": "adjust", "communities": communities, "commit": commit,
                   "base_version": head}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("time limit"),
            "{problem}"
        );
    }
    assert_eq!(store.plan_head().await.unwrap(), head, "nothing written");
    state.set_job_time_limit(Duration::from_secs(600));
    let (status, preview) = post(
        &state,
        "/api/rebalance",
        &planner,
        json!({"operation": "adjust", "communities": communities}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "within the limit: {preview}");
    let adjust = Operation::Adjust {
        communities: communities.iter().map(|c| c.parse().unwrap()).collect(),
    };
    let stop = JobStop::default();
    let flag = stop.cancelled.clone();
    let defaults = PartitionOptions::default();
    let job = rebalance::preview(store.as_ref(), &adjust, &defaults, &stop);
    let _ = tokio::time::timeout(Duration::from_millis(30), job).await;
    assert!(
        flag.load(Ordering::Relaxed),
        "the dropped preview was told to stop"
    );

    // The whole job, to know how long it takes.
    let options = PartitionOptions::default();
    let started = Instant::now();
    partition_job::run(
        store.as_ref(),
        &Scope::All,
        &options,
        Commit::DryRun,
        &|_, _| {},
    )
    .await
    .unwrap();
    let whole = started.elapsed();
    // Cancelled a moment in: it stops well before the whole job's time.
    let stop = JobStop::default();
    let flag = stop.cancelled.clone();
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        flag.store(true, Ordering::Relaxed);
    });
    let started = Instant::now();
    let stopped =
        partition_job::run_detached(store.as_ref(), &Scope::All, &options, Commit::Write, stop)
            .await;
    canceller.await.unwrap();
    assert!(
        matches!(
            stopped,
            Err(PartitionJobError::Stopped(JobStopped::Cancelled))
        ),
        "{stopped:?}"
    );
    assert!(
        started.elapsed() < whole,
        "{:?} of {whole:?}",
        started.elapsed()
    );
    // A dropped request future cancels its job.
    let stop = JobStop::default();
    let flag = stop.cancelled.clone();
    let job =
        partition_job::run_detached(store.as_ref(), &Scope::All, &options, Commit::Write, stop);
    let _ = tokio::time::timeout(Duration::from_millis(30), job).await;
    assert!(
        flag.load(Ordering::Relaxed),
        "the dropped job was told to stop"
    );
    assert_eq!(store.plan_head().await.unwrap(), head, "nothing written");
}

both_stores!(expensive_jobs, expensive_jobs_stop);

/// Requests too malformed to reach the router get problem+json answers like every other
/// refusal (hyper wrote 414, 431 and 400 with empty bodies): a URI over 64 KiB, more headers
/// than allowed, a header past the buffer, a request line that is not HTTP — also after a
/// good request on the same keep-alive connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_problems() {
    use gridmap::api::{ServerLimits, app, serve};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    let (_dir, store) = common::fresh_gpkg().await;
    let state = AppState::load(store).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(
        listener,
        app(state),
        ServerLimits::default(),
        async {
            let _ = stopped.await;
        },
    ));
    let health = b"GET /api/health HTTP/1.1\r\nHost: t\r\n\r\n".to_vec();
    let many_headers: Vec<u8> = (0..150)
        .flat_map(|i| format!("X-{i}: v\r\n").into_bytes())
        .collect();
    let cases: Vec<(u16, Vec<u8>)> = vec![
        (
            414,
            [
                b"GET /api/health?x=".as_slice(),
                &[b'a'; 70_000],
                b" HTTP/1.1\r\nHost: t\r\n\r\n",
            ]
            .concat(),
        ),
        (
            431,
            [
                b"GET /api/health HTTP/1.1\r\nHost: t\r\n".as_slice(),
                &many_headers,
                b"\r\n",
            ]
            .concat(),
        ),
        (
            431,
            [
                b"GET /api/health HTTP/1.1\r\nHost: t\r\nX: ".as_slice(),
                &[b'a'; 500_000],
                b"\r\n\r\n",
            ]
            .concat(),
        ),
        (400, b"BL\0AH / HTTP/1.1\r\n\r\n".to_vec()),
    ];
    for (status, request) in cases {
        for after_a_good_one in [false, true] {
            let mut stream = TcpStream::connect(address).await.unwrap();
            if after_a_good_one {
                stream.write_all(&health).await.unwrap();
                let mut first = vec![0u8; 4096];
                let n = stream.read(&mut first).await.unwrap();
                assert!(first[..n].starts_with(b"HTTP/1.1 200"));
            }
            // The server may close before reading all of a huge request.
            let _ = stream.write_all(&request).await;
            let mut answer = Vec::new();
            let _ = stream.read_to_end(&mut answer).await;
            let text = String::from_utf8_lossy(&answer);
            assert!(
                text.starts_with(&format!("HTTP/1.1 {status} ")),
                "{status} (after a good request: {after_a_good_one}): {text}"
            );
            assert!(
                text.contains("content-type: application/problem+json"),
                "{text}"
            );
            let body = text.split("\r\n\r\n").nth(1).unwrap();
            let problem: Value = serde_json::from_str(body).unwrap();
            assert_eq!(problem["status"], status, "{problem}");
            assert!(!problem["detail"].as_str().unwrap().is_empty());
        }
    }
    let _ = stop.send(());
    server.await.unwrap();
}

/// A client opening 10,000 connections one after another and leaving them silent.
const SILENT_CLIENT_PY: &str = r#"
import json, select, socket, sys, time
address, count, wait_s = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
host, port = address.rsplit(":", 1)
held = []
for _ in range(count):
    held.append(socket.create_connection((host, int(port)), timeout=60))
print("opened", flush=True)
started, closed, slowest = time.monotonic(), 0, 0.0
open_ = {s.fileno(): s for s in held}
poll = select.poll()
for fd in open_:
    poll.register(fd, select.POLLIN)
while open_ and time.monotonic() - started < wait_s:
    for fd, _ in poll.poll(200):
        poll.unregister(fd)
        data = open_[fd].recv(4096)
        if data == b"" or data.startswith(b"HTTP/1.1 408"):
            closed += 1
            slowest = time.monotonic() - started
            open_.pop(fd).close()
print(json.dumps({"closed": closed, "slowest_s": slowest}), flush=True)
"#;

/// 20,000 connections opened one after another and left silent (no token needed; they once
/// exhausted the server's descriptors until health stopped answering) are all closed by the
/// server (at its default connection limit, three quarters of the open-file limit, the rest
/// wait to be accepted), health answers throughout, and the server's descriptors return to
/// their baseline. Two client processes hold 10,000 each (one process may hold 20,000
/// descriptors at most here); the server is the real binary.
#[test]
fn twenty_thousand_silent_connections_are_all_closed() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.gpkg");
    let server = common::ServeProcess::start(&[
        "--no-demo",
        "--header-timeout-s",
        "2",
        "--database",
        db.to_str().unwrap(),
    ]);
    let address = server.address.clone();
    let descriptors = || {
        std::fs::read_dir(format!("/proc/{}/fd", server.pid()))
            .unwrap()
            .count()
    };
    let health = || {
        let started = Instant::now();
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        stream
            .write_all(b"GET /api/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        started.elapsed()
    };
    health();
    let baseline = descriptors();
    let wait_s = "60";
    let clients: Vec<_> = (0..2)
        .map(|_| {
            let mut client = Command::new("python3")
                .args(["-c", SILENT_CLIENT_PY, &address, "10000", wait_s])
                .stdout(Stdio::piped())
                .spawn()
                .expect("python3 runs the second client");
            let mut out = BufReader::new(client.stdout.take().unwrap()).lines();
            assert_eq!(out.next().unwrap().unwrap(), "opened");
            (client, out)
        })
        .collect();
    // All 20,000 are open; health still answers (its connection waits at most one header
    // timeout for a slot).
    let during = health();
    assert!(during < Duration::from_secs(5), "health took {during:?}");
    let mut closed = 0;
    for (mut client, mut out) in clients {
        let report: Value = serde_json::from_str(&out.next().unwrap().unwrap()).unwrap();
        client.wait().unwrap();
        eprintln!("client: {report}, health while all were open: {during:?}");
        closed += report["closed"].as_u64().unwrap();
    }
    assert_eq!(
        closed, 20_000,
        "every silent connection closed by the server"
    );
    std::thread::sleep(Duration::from_millis(500));
    let after = descriptors();
    health();
    drop(server);
    assert!(
        after <= baseline + 10,
        "server descriptors {after}, baseline {baseline}"
    );
}
