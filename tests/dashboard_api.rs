//! The leaders' dashboard through the API on both stores: each level's figures equal the
//! same figures computed here from the store's incidents, the units add up to the total, a
//! return and a rating count where they should, the trend adds up, the workbook holds the
//! table, and bad periods, levels and areas are refused naming the parameter.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::field;
use gridmap::api::AppState;
use gridmap::domain::*;
use gridmap::service::staffing;
use gridmap::store::{LayerQuery, Store};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
) -> (StatusCode, Value) {
    common::call(state, method, uri, token, None).await
}

async fn step(state: &AppState, token: &str, id: &str, body: Value) {
    let (status, answer) = common::call(
        state,
        "POST",
        &format!("/api/incidents/{id}/steps"),
        Some(token),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// Reported, closed, closed on time, due and the median hours, counted here per community
/// from the store's incidents (not through the engine's facts).
fn expected_by_community(
    incidents: &[Incident],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> BTreeMap<String, (u64, u64, u64, u64, Option<f64>)> {
    let mut groups: BTreeMap<String, (u64, u64, u64, u64, Vec<f64>)> = BTreeMap::new();
    for i in incidents {
        if i.reported_at < from || i.reported_at >= to {
            continue;
        }
        let Some(grid) = &i.grid else { continue };
        let g = groups.entry(grid.as_str()[..12].to_string()).or_default();
        g.0 += 1;
        if i.status == IncidentStatus::Closed {
            let closed = i.closed_at.unwrap();
            g.1 += 1;
            g.3 += 1;
            g.4.push((closed - i.reported_at).num_seconds() as f64 / 3600.0);
            if i.deadline_at.is_none_or(|d| closed <= d) {
                g.2 += 1;
            }
        } else if i.deadline_at.is_some_and(|d| d < now) {
            g.3 += 1;
        }
    }
    groups
        .into_iter()
        .map(|(k, (r, c, on, due, mut hours))| {
            hours.sort_by(f64::total_cmp);
            let n = hours.len();
            let median = (n > 0).then(|| {
                if n % 2 == 1 {
                    hours[n / 2]
                } else {
                    (hours[n / 2 - 1] + hours[n / 2]) / 2.0
                }
            });
            (k, (r, c, on, due, median))
        })
        .collect()
}

fn close_to(a: &Value, b: Option<f64>) -> bool {
    match (a.as_f64(), b) {
        // Durations count whole seconds.
        (Some(x), Some(y)) => (x - y).abs() <= 1.0 / 3600.0,
        (None, None) => a.is_null(),
        _ => false,
    }
}

async fn figures_match_the_store(state: &AppState, store: &dyn Store, dispatcher: &str) {
    let from = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
    let to = Utc::now() + Duration::hours(1);
    let period = format!(
        "from={}&to={}",
        from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let (status, board) = call(
        state,
        "GET",
        &format!("/api/dashboard?level=community&{period}"),
        Some(dispatcher),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{board}");
    let now = Utc::now();
    let incidents = store.incidents(&LayerQuery::default()).await.unwrap();
    let expected = expected_by_community(&incidents, from, to, now);
    let rows = board["rows"].as_array().unwrap();
    assert!(
        rows.len() >= expected.len(),
        "every community with reports is a row"
    );
    let mut reported_sum = 0;
    for row in rows {
        let key = row["key"].as_str().unwrap();
        assert_eq!(key.len(), 12, "{row}");
        let (r, c, on, due, median) = expected.get(key).cloned().unwrap_or_default();
        assert_eq!(row["reported"], json!(r), "{key}");
        assert_eq!(row["closed"], json!(c), "{key}");
        let on_time = (due > 0).then(|| on as f64 / due as f64);
        assert!(
            close_to(&row["on_time_rate"], on_time),
            "{key}: {row} vs {on_time:?}"
        );
        assert!(
            close_to(&row["median_hours_to_close"], median),
            "{key}: {row}"
        );
        assert!(row["name"].is_string(), "communities are named: {row}");
        assert!(row["base_grids"].as_u64().unwrap() > 0, "{row}");
        reported_sum += row["reported"].as_u64().unwrap();
    }
    assert_eq!(
        board["total"]["reported"],
        json!(reported_sum),
        "rows add up"
    );
    let with_grid = incidents
        .iter()
        .filter(|i| i.grid.is_some() && i.reported_at >= from && i.reported_at < to)
        .count();
    assert_eq!(reported_sum, with_grid as u64);

    // The statistics endpoint answers the same figures for the same period.
    let (_, stats) = call(
        state,
        "GET",
        &format!("/api/incidents/stats?by=community&{period}"),
        Some(dispatcher),
    )
    .await;
    for area in stats["areas"].as_array().unwrap() {
        let row = rows.iter().find(|r| r["key"] == area["area"]).unwrap();
        assert_eq!(row["reported"], area["reported"]);
        assert_eq!(row["closed"], area["closed"]);
        assert_eq!(row["overdue_now"], area["overdue"]);
        assert!(close_to(
            &row["median_hours_to_close"],
            area["median_hours_to_close"].as_f64()
        ));
    }

    // Streets and the district hold the same incidents; staffing counts every base grid.
    for level in ["district", "street", "grid", "worker"] {
        let (status, other) = call(
            state,
            "GET",
            &format!("/api/dashboard?level={level}&{period}"),
            Some(dispatcher),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{other}");
        let sum: u64 = other["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["reported"].as_u64().unwrap())
            .sum();
        if level != "worker" {
            assert_eq!(sum, reported_sum, "{level}");
            assert_eq!(other["total"]["base_grids"], board["total"]["base_grids"]);
        }
    }

    // One street, drilled into: only its communities.
    let street = &rows[0]["key"].as_str().unwrap()[..9];
    let (_, inside) = call(
        state,
        "GET",
        &format!("/api/dashboard?level=community&within={street}&{period}"),
        Some(dispatcher),
    )
    .await;
    assert!(
        inside["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["key"].as_str().unwrap().starts_with(street))
    );
    assert!(inside["total"]["name"].is_string(), "{}", inside["total"]);

    // The trend's days add up to the period's total.
    let (status, trend) = call(
        state,
        "GET",
        &format!("/api/dashboard/trend?step=day&{period}"),
        Some(dispatcher),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{trend}");
    let per_day: u64 = trend["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["reported"].as_u64().unwrap())
        .sum();
    assert_eq!(per_day, reported_sum);
}

async fn returns_and_ratings_count(state: &AppState, store: &dyn Store, dispatcher: &str) {
    // An open incident in a staffed grid, carried to resolved from wherever it stands.
    let (open, worker) = {
        let engine = gridmap::engine::read(&state.engine);
        engine
            .incidents()
            .open()
            .find_map(|i| {
                let grid = i.grid.as_ref()?;
                let w = engine.workers().serving(grid).next()?;
                Some((i.clone(), w.id.clone()))
            })
            .unwrap()
    };
    let id = open.id.as_str();
    let mut status = open.status;
    for (action, body) in [
        (
            IncidentAction::Assign,
            json!({"action": "assign", "worker": worker.as_str()}),
        ),
        (IncidentAction::Start, json!({"action": "start"})),
        (
            IncidentAction::Resolve,
            json!({"action": "resolve", "note": "已清理"}),
        ),
    ] {
        if let Some(next) = status.after(action) {
            step(state, dispatcher, id, body).await;
            status = next;
        }
    }
    assert_eq!(status, IncidentStatus::Resolved);
    step(
        state,
        dispatcher,
        id,
        json!({"action": "return", "note": "现场仍有垃圾"}),
    )
    .await;
    // Sent back to the same worker: a worker's figures are of the incidents assigned to it.
    step(
        state,
        dispatcher,
        id,
        json!({"action": "assign", "worker": worker.as_str()}),
    )
    .await;
    let stored = store
        .incidents(&LayerQuery {
            ids: Some(vec![id.to_string()]),
            ..LayerQuery::default()
        })
        .await
        .unwrap();
    // The demo's incidents were sent back now and then already.
    assert_eq!(
        stored[0].returned_times,
        open.returned_times + 1,
        "the store counts the return"
    );
    let (_, board) = call(
        state,
        "GET",
        "/api/dashboard?level=worker&from=2026-01-01T00:00:00Z",
        Some(dispatcher),
    )
    .await;
    let row = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == json!(worker.as_str()))
        .cloned();
    let row = row.unwrap_or_else(|| panic!("{worker} has a row"));
    assert!(row["returned_share"].as_f64().unwrap() > 0.0, "{row}");
    assert!(row["name"].is_string());
}

async fn the_workbook_holds_the_table(state: &AppState, dispatcher: &str) {
    let (status, headers, bytes) = common::send(
        state,
        "GET",
        "/api/dashboard/export.xlsx?level=street&from=2026-10-01T00:00:00Z&step=week",
        Some(dispatcher),
        &[],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    assert_eq!(names, ["考核（按街道）", "趋势"]);
    let sheet = book.worksheet_range("考核（按街道）").unwrap();
    let (_, board) = call(
        state,
        "GET",
        "/api/dashboard?level=street&from=2026-10-01T00:00:00Z",
        Some(dispatcher),
    )
    .await;
    let streets = board["rows"].as_array().unwrap().len();
    // Title, period, header, a row per street and the total.
    assert_eq!(sheet.height(), 3 + streets + 1);
    let total_reported = sheet.get((3 + streets, 2)).unwrap().to_string();
    assert_eq!(total_reported, board["total"]["reported"].to_string());
}

async fn bad_input_is_refused(state: &AppState, store: &dyn Store, dispatcher: &str) {
    for (query, named) in [
        ("level=city", "level"),
        ("within=15060", "within"),
        ("within=abcdefghi", "within"),
        ("from=2026-11-30T00:00:00Z&to=2026-11-01T00:00:00Z", "to"),
        ("from=yesterday", "from"),
        ("colour=red", "colour"),
    ] {
        let (status, body) = call(
            state,
            "GET",
            &format!("/api/dashboard?{query}"),
            Some(dispatcher),
        )
        .await;
        assert_eq!(
            (status, field(&body)),
            (StatusCode::BAD_REQUEST, named),
            "{query}: {body}"
        );
    }
    let (status, body) = call(
        state,
        "GET",
        "/api/dashboard/trend?step=hour",
        Some(dispatcher),
    )
    .await;
    assert_eq!((status, field(&body)), (StatusCode::BAD_REQUEST, "step"));
    let (status, body) = call(
        state,
        "GET",
        "/api/dashboard/trend?step=day&from=2000-01-01T00:00:00Z",
        Some(dispatcher),
    )
    .await;
    assert_eq!(
        (status, field(&body)),
        (StatusCode::BAD_REQUEST, "step"),
        "too many days"
    );
    let (status, body) = call(state, "GET", "/api/dashboard/trend?unit=", Some(dispatcher)).await;
    assert_eq!((status, field(&body)), (StatusCode::BAD_REQUEST, "unit"));
    let (status, _) = call(state, "GET", "/api/dashboard", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let worker = {
        let engine = gridmap::engine::read(&state.engine);
        engine.workers().all()[0].id.clone()
    };
    let worker_token = common::worker_token(store, &worker).await;
    let (status, _) = call(state, "GET", "/api/dashboard", Some(&worker_token)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "figures of everyone are for leaders"
    );
}

async fn dashboard(store: Arc<dyn Store>) {
    common::partitioned_district(store.as_ref(), 8_000, 11).await;
    staffing::settle(store.as_ref()).await.unwrap();
    let state = AppState::load(store.clone()).await.unwrap();
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    returns_and_ratings_count(&state, store.as_ref(), &dispatcher).await;
    figures_match_the_store(&state, store.as_ref(), &dispatcher).await;
    the_workbook_holds_the_table(&state, &dispatcher).await;
    bad_input_is_refused(&state, store.as_ref(), &dispatcher).await;
}
both_stores!(dashboard_figures, dashboard);
