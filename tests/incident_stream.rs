//! The incident stream (server-sent events) on PostGIS with two gridmap processes: a step
//! taken through one reaches a dispatcher's stream on the other, and a worker's stream
//! carries only the incidents that worker works on.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gridmap::api::{AppState, app};
use gridmap::domain::*;
use gridmap::service::staffing;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// A server-sent event stream being read.
struct EventStream {
    body: Body,
    buffer: String,
}

impl EventStream {
    async fn open(state: &AppState, token: &str) -> Self {
        let request = Request::get("/api/incidents/stream")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let response = app(state.clone()).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/event-stream"
        );
        let mut stream = Self {
            body: response.into_body(),
            buffer: String::new(),
        };
        let (event, _) = stream.next(Duration::from_secs(5)).await.unwrap();
        assert_eq!(event, "ready");
        stream
    }

    /// The next event (name and data) within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<(String, String)> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let (mut event, mut data) = (String::new(), String::new());
                for line in frame.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if !event.is_empty() {
                    return Some((event, data));
                }
                continue;
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            let frame = tokio::time::timeout(left, self.body.frame())
                .await
                .ok()??
                .ok()?;
            if let Ok(bytes) = frame.into_data() {
                self.buffer.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }

    /// Whether an `incident` event for `id` comes within `wait`.
    async fn hears(&mut self, id: &str, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.next(left).await {
                Some((event, data)) if event == "incident" => {
                    let incident: Value = serde_json::from_str(&data).unwrap();
                    if incident["properties"]["id"] == json!(id) {
                        return true;
                    }
                }
                Some(_) => {}
                None => return false,
            }
        }
        false
    }
}

async fn post(state: &AppState, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let (status, _, bytes) = common::send(state, "POST", uri, Some(token), &[], Some(body)).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_reach_every_screen_that_shows_them() {
    let url = common::fresh_postgis_url().await;
    let first = gridmap::store::open(&url).await.unwrap();
    common::partitioned_district(first.as_ref(), 6_000, 8).await;
    staffing::settle(first.as_ref()).await.unwrap();
    let second = gridmap::store::open(&url).await.unwrap();
    let (a, b) = (
        AppState::load(first.clone()).await.unwrap(),
        AppState::load(second.clone()).await.unwrap(),
    );
    let dispatcher = common::token(first.as_ref(), Role::Dispatcher, "调度员").await;
    let workers = first
        .workers(&gridmap::store::LayerQuery::default())
        .await
        .unwrap();
    let local = workers.iter().find(|w| w.grids.len() == 1).unwrap();
    let grid = local.grids[0].clone();
    let stranger = workers
        .iter()
        .find(|w| !w.grids.is_empty() && !w.grids.contains(&grid))
        .unwrap();
    let local_token = common::worker_token(first.as_ref(), &local.id).await;
    let stranger_token = common::worker_token(first.as_ref(), &stranger.id).await;

    let mut dispatcher_elsewhere = EventStream::open(&b, &dispatcher).await;
    let mut local_phone = EventStream::open(&a, &local_token).await;
    let mut stranger_phone = EventStream::open(&a, &stranger_token).await;

    let point = {
        let engine = gridmap::engine::read(&a.engine);
        geo::InteriorPoint::interior_point(engine.grids().polygon(&grid).unwrap()).unwrap()
    };
    let (status, incident) = post(
        &a,
        "/api/incidents",
        &dispatcher,
        json!({"lon": point.x(), "lat": point.y(), "category": "环境卫生", "description": "垃圾堆放", "source": "hotline"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = incident["properties"]["id"].as_str().unwrap().to_string();
    assert!(
        dispatcher_elsewhere
            .hears(&id, Duration::from_secs(5))
            .await,
        "the other process's dispatcher saw the report"
    );
    assert!(local_phone.hears(&id, Duration::from_secs(5)).await);
    assert!(
        !stranger_phone.hears(&id, Duration::from_millis(1500)).await,
        "another grid's worker hears nothing of it"
    );

    // A step through the second process: the first process's phone hears it too.
    let (status, body) = post(
        &b,
        &format!("/api/incidents/{id}/steps"),
        &dispatcher,
        json!({"action": "assign", "worker": local.id.as_str()}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(local_phone.hears(&id, Duration::from_secs(5)).await);
}

/// A worker's task list: what is assigned to it, then what else is open in its grids;
/// nothing of other grids; closed incidents leave it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workers_task_list_holds_its_own_and_its_grids() {
    let (_dir, store) = common::fresh_gpkg().await;
    common::partitioned_district(store.as_ref(), 6_000, 9).await;
    staffing::settle(store.as_ref()).await.unwrap();
    let state = AppState::load(store.clone()).await.unwrap();
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let workers = store
        .workers(&gridmap::store::LayerQuery::default())
        .await
        .unwrap();
    let me = workers.iter().find(|w| w.grids.len() == 1).unwrap();
    let grid = me.grids[0].clone();
    let other = workers
        .iter()
        .find(|w| !w.grids.is_empty() && !w.grids.contains(&grid))
        .unwrap();
    let my_token = common::worker_token(store.as_ref(), &me.id).await;
    let point_in = |g: &GridCode| {
        let engine = gridmap::engine::read(&state.engine);
        geo::InteriorPoint::interior_point(engine.grids().polygon(g).unwrap()).unwrap()
    };
    let mut ids = Vec::new();
    for (g, category, worker) in [
        (&grid, "安全隐患", &me.id),
        (&grid, "环境卫生", &other.id),
        (&other.grids[0], "环境卫生", &other.id),
        (&grid, "违章搭建", &me.id),
    ] {
        let p = point_in(g);
        let (status, incident) = post(
            &state,
            "/api/incidents",
            &dispatcher,
            json!({"lon": p.x(), "lat": p.y(), "category": category, "description": "巡查发现", "source": "hotline"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let id = incident["properties"]["id"].as_str().unwrap().to_string();
        let (status, body) = post(
            &state,
            &format!("/api/incidents/{id}/steps"),
            &dispatcher,
            json!({"action": "assign", "worker": worker.as_str()}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        ids.push(id);
    }
    let tasks = |token: Option<String>| {
        let state = state.clone();
        async move {
            let (status, _, bytes) =
                common::send(&state, "GET", "/api/me/tasks", token.as_deref(), &[], None).await;
            (
                status,
                serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
            )
        }
    };
    let ids_of = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, list) = tasks(Some(my_token.clone())).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let assigned: Vec<String> = ids_of(&list["assigned"])
        .into_iter()
        .filter(|id| ids.contains(id))
        .collect();
    // Both of mine, the 2-hour safety hazard before the week-long construction case.
    assert_eq!(assigned, [ids[0].clone(), ids[3].clone()]);
    let deadlines: Vec<&str> = list["assigned"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["deadline_at"].as_str())
        .collect();
    assert!(deadlines.windows(2).all(|w| w[0] <= w[1]), "{deadlines:?}");
    let others = ids_of(&list["in_my_grids"]);
    assert!(
        others.contains(&ids[1]) && !others.contains(&ids[2]),
        "{others:?}"
    );
    let entry = list["in_my_grids"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == json!(ids[1]))
        .unwrap();
    assert_eq!(entry["properties"]["assignee_name"], json!(other.name));

    // Closed, it leaves the list.
    for action in ["start", "resolve", "close"] {
        let (status, body) = post(
            &state,
            &format!("/api/incidents/{}/steps", ids[0]),
            &dispatcher,
            json!({"action": action}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, list) = tasks(Some(my_token)).await;
    assert!(!ids_of(&list["assigned"]).contains(&ids[0]));
    assert_eq!(tasks(Some(dispatcher)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(tasks(None).await.0, StatusCode::UNAUTHORIZED);
}
