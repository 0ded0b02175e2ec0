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
