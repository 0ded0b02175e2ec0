//! Residents' reports (随手拍) through the API on both stores: reported without signing in,
//! followed by a tracking code to closed, rated once; nothing personal answered; floods and
//! code guessing limited per client.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use axum::http::StatusCode;
use base64::Engine as _;
use gridmap::api::AppState;
use gridmap::domain::*;
use gridmap::service::staffing;
use gridmap::store::{LayerQuery, Store};
use serde_json::{Value, json};
use std::sync::Arc;

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
    client: &str,
    body: Option<Value>,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let (status, headers, bytes) = common::send(
        state,
        method,
        uri,
        token,
        &[("x-forwarded-for", client)],
        body,
    )
    .await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        headers,
    )
}

fn photo_data_url() -> String {
    let mut jpeg = Vec::new();
    image::RgbImage::from_pixel(320, 240, image::Rgb([90, 120, 60]))
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg)
    )
}

async fn residents_report_follow_and_rate(store: Arc<dyn Store>) {
    common::partitioned_district(store.as_ref(), 6_000, 4).await;
    staffing::settle(store.as_ref()).await.unwrap();
    let state = AppState::load(store.clone()).await.unwrap();
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let resident = "198.51.100.7";

    // What residents may report: shared spaces, not disputes between people.
    let (status, categories, _) = call(
        &state,
        "GET",
        "/api/public/categories",
        None,
        resident,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = categories["categories"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(
        names.contains(&"井盖缺失") && !names.contains(&"邻里纠纷"),
        "{names:?}"
    );

    let grids = store.grids(&LayerQuery::default()).await.unwrap();
    let grid = grids.iter().find(|g| g.kind == GridKind::Base).unwrap();
    let at = geo::InteriorPoint::interior_point(&grid.boundary).unwrap();
    let report = |category: &str, lon: f64, lat: f64| json!({"lon": lon, "lat": lat, "category": category, "description": "小区门口井盖缺失，夜里很危险", "photo": photo_data_url()});
    let before = store.counts().await.unwrap().incidents;
    let (status, body, _) = call(
        &state,
        "POST",
        "/api/public/reports",
        None,
        resident,
        Some(report("邻里纠纷", at.x(), at.y())),
    )
    .await;
    assert_eq!(
        (status, body["invalid-params"][0]["name"].as_str()),
        (StatusCode::BAD_REQUEST, Some("category")),
        "{body}"
    );
    let (status, body, _) = call(
        &state,
        "POST",
        "/api/public/reports",
        None,
        resident,
        Some(report("井盖缺失", 2.0, 48.0)),
    )
    .await;
    assert_eq!(
        (status, body["invalid-params"][0]["name"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("lon")),
        "{body}"
    );
    let mut bad_photo = report("井盖缺失", at.x(), at.y());
    bad_photo["photo"] = json!("data:image/jpeg;base64,bm90IGEgcGljdHVyZQ==");
    let (status, body, _) = call(
        &state,
        "POST",
        "/api/public/reports",
        None,
        resident,
        Some(bad_photo),
    )
    .await;
    assert_eq!(
        (status, body["invalid-params"][0]["name"].as_str()),
        (StatusCode::BAD_REQUEST, Some("photo")),
        "{body}"
    );
    assert_eq!(
        store.counts().await.unwrap().incidents,
        before,
        "nothing half-written"
    );

    // A good report: a code to read out, and nothing else of the incident.
    let (status, answer, _) = call(
        &state,
        "POST",
        "/api/public/reports",
        None,
        resident,
        Some(report("井盖缺失", at.x(), at.y())),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let code = answer["code"].as_str().unwrap().to_string();
    assert!(
        regex::Regex::new("^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
            .unwrap()
            .is_match(&code),
        "{code}"
    );
    let mut keys: Vec<&str> = answer
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["code", "deadline_at", "reported_at", "status", "status_url"]
    );
    // Only the code's hash is stored, and it leads to the incident.
    let hash = TrackingCode::parse(&code).unwrap().sha256();
    assert_ne!(hash, code);
    let followed = store.public_report(&hash).await.unwrap().unwrap();
    let incidents = store.incidents(&LayerQuery::default()).await.unwrap();
    let incident = incidents
        .iter()
        .find(|i| i.id == followed.incident)
        .unwrap();
    assert_eq!(incident.source, IncidentSource::Resident);
    assert_eq!(incident.grid.as_ref(), Some(&grid.code));
    let events = store.incident_events(&incident.id).await.unwrap();
    assert_eq!(events[0].actor, "居民");
    assert_eq!(events[0].photos.len(), 1, "the photo is with the report");

    // Its status, as typed on a phone: status and times, no names, notes or description.
    let typed = code.replace('-', "%20").to_lowercase();
    let (status, seen, _) = call(
        &state,
        "GET",
        &format!("/api/public/reports/{typed}"),
        None,
        resident,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    let text = seen.to_string();
    assert!(
        !text.contains("井盖缺失，夜里") && !text.contains("调度员"),
        "{text}"
    );
    if let Some(worker) = &incident.assignee {
        assert!(!text.contains(worker.as_str()), "{text}");
    }
    assert_eq!(seen["report"]["status"], json!(incident.status.as_str()));

    // Rated only once closed, and only once.
    let rating = json!({"rating": "满意", "comment": "处理很快"});
    let (status, _, _) = call(
        &state,
        "POST",
        &format!("/api/public/reports/{code}/rating"),
        None,
        resident,
        Some(rating.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let steps: &[&str] = if incident.status == IncidentStatus::Assigned {
        &["start", "resolve", "close"]
    } else {
        &["assign", "start", "resolve", "close"]
    };
    for action in steps {
        let (status, body, _) = call(
            &state,
            "POST",
            &format!("/api/incidents/{}/steps", incident.id),
            Some(&dispatcher),
            resident,
            Some(json!({"action": action})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let (status, body, _) = call(
        &state,
        "POST",
        &format!("/api/public/reports/{code}/rating"),
        None,
        resident,
        Some(json!({"rating": "great"})),
    )
    .await;
    assert_eq!(
        (status, body["invalid-params"][0]["name"].as_str()),
        (StatusCode::BAD_REQUEST, Some("rating"))
    );
    let (status, _, _) = call(
        &state,
        "POST",
        &format!("/api/public/reports/{code}/rating"),
        None,
        resident,
        Some(rating.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = call(
        &state,
        "POST",
        &format!("/api/public/reports/{code}/rating"),
        None,
        resident,
        Some(json!({"rating": "dissatisfied"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "the first rating stands");
    let (_, seen, _) = call(
        &state,
        "GET",
        &format!("/api/public/reports/{code}"),
        None,
        resident,
        None,
    )
    .await;
    assert_eq!(seen["report"]["status"], json!("closed"));
    assert_eq!(seen["report"]["rating"], json!("satisfied"));
    assert!(seen["report"]["closed_at"].is_string());

    // The incident carries the rating, in the store and in the leaders' dashboard.
    let rated = store
        .incidents(&LayerQuery {
            ids: Some(vec![incident.id.to_string()]),
            ..LayerQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(rated[0].satisfaction, Some(Satisfaction::Satisfied));
    let community = &incident.grid.as_ref().unwrap().as_str()[..12];
    let (status, board, _) = call(
        &state,
        "GET",
        &format!("/api/dashboard?level=community&within={community}&from=2026-01-01T00:00:00Z"),
        Some(&dispatcher),
        resident,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{board}");
    // The generated district's residents rated some of their closed reports too.
    let since = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap();
    let satisfied = store
        .incidents(&LayerQuery::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|i| {
            i.grid
                .as_ref()
                .is_some_and(|g| g.as_str().starts_with(community))
        })
        .filter(|i| i.reported_at >= since && i.satisfaction == Some(Satisfaction::Satisfied))
        .count();
    assert!(satisfied >= 1);
    assert_eq!(board["total"]["satisfied"], json!(satisfied), "{board}");

    // A code that names no report is not found; guessing is limited per client.
    let guesser = "203.0.113.66";
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let guess = TrackingCode::generate().to_string();
        let (status, _, headers) = call(
            &state,
            "GET",
            &format!("/api/public/reports/{guess}"),
            None,
            guesser,
            None,
        )
        .await;
        statuses.push(status);
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(headers.get("retry-after").is_some());
        }
    }
    assert_eq!(statuses[..10], [StatusCode::NOT_FOUND; 10]);
    assert_eq!(statuses[10..], [StatusCode::TOO_MANY_REQUESTS; 2]);
    let (status, _, _) = call(
        &state,
        "GET",
        &format!("/api/public/reports/{code}"),
        None,
        resident,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "another client is not held back");

    // A flood of reports from one client: five, then 429 (invalid ones count too).
    let flooder = "203.0.113.99";
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let (status, _, _) = call(
            &state,
            "POST",
            "/api/public/reports",
            None,
            flooder,
            Some(report("井盖缺失", 2.0, 48.0)),
        )
        .await;
        statuses.push(status);
    }
    assert_eq!(statuses[..5], [StatusCode::UNPROCESSABLE_ENTITY; 5]);
    assert_eq!(statuses[5..], [StatusCode::TOO_MANY_REQUESTS; 2]);
}
both_stores!(public_reports, residents_report_follow_and_rate);
