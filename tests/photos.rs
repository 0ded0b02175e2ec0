//! Photos through the API on both stores: uploads checked and stripped of their GPS
//! position, content-addressed, attached to reports, and shown only to those who work on
//! them (never to the public, nor to another grid's worker).
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use axum::http::StatusCode;
use gridmap::api::AppState;
use gridmap::domain::*;
use gridmap::service::staffing;
use gridmap::store::{LayerQuery, Store};
use serde_json::{Value, json};
use std::sync::Arc;

/// A phone photo: a JPEG with an EXIF block holding a GPS position (a marker we can find)
/// and junk after its end, as phones append.
fn phone_photo(width: u32, height: u32, shade: u8) -> Vec<u8> {
    let mut jpeg = Vec::new();
    image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, shade])
    })
    .write_to(
        &mut std::io::Cursor::new(&mut jpeg),
        image::ImageFormat::Jpeg,
    )
    .unwrap();
    let mut app1 = b"Exif\0\0MM\0\x2A\0\0\0\x08\0\0\0\0\0\0".to_vec();
    app1.extend(b"GPS-MARKER 39.8127N 109.9814E");
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
    out.extend(&app1);
    out.extend(&jpeg[2..]);
    out.extend(b"GPS-MARKER trailer");
    out
}

fn holds_marker(bytes: &[u8]) -> bool {
    bytes.windows(10).any(|w| w == b"GPS-MARKER")
}

async fn upload(state: &AppState, token: Option<&str>, bytes: Vec<u8>) -> (StatusCode, Value) {
    let (status, _, body) =
        common::send_bytes(state, "/api/photos", token, "image/jpeg", bytes).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

async fn get(state: &AppState, uri: &str, token: Option<&str>) -> (StatusCode, String, Vec<u8>) {
    let (status, headers, body) = common::send(state, "GET", uri, token, &[], None).await;
    let media_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, media_type, body.to_vec())
}

async fn post(state: &AppState, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let (status, _, bytes) = common::send(state, "POST", uri, Some(token), &[], Some(body)).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn invalid_param(body: &Value) -> &str {
    body["invalid-params"][0]["name"].as_str().unwrap_or("")
}

async fn photos_follow_their_incidents(store: Arc<dyn Store>) {
    common::partitioned_district(store.as_ref(), 6_000, 3).await;
    staffing::settle(store.as_ref()).await.unwrap();
    let state = AppState::load(store.clone()).await.unwrap();
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    // Two grid workers of different grids.
    let workers = store.workers(&LayerQuery::default()).await.unwrap();
    let reporter = workers.iter().find(|w| !w.grids.is_empty()).unwrap();
    let stranger = workers
        .iter()
        .find(|w| !w.grids.is_empty() && w.grids.iter().all(|g| !reporter.grids.contains(g)))
        .unwrap();
    let reporter_token = common::worker_token(store.as_ref(), &reporter.id).await;
    let stranger_token = common::worker_token(store.as_ref(), &stranger.id).await;

    // Uploads: the public may not; a worker's is stored without its GPS block and trailer.
    let original = phone_photo(1200, 900, 40);
    assert!(holds_marker(&original));
    let (status, _) = upload(&state, None, original.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, photo) = upload(&state, Some(&reporter_token), original.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{photo}");
    let id = photo["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 64);
    assert_eq!(
        (photo["width_px"].as_u64(), photo["height_px"].as_u64()),
        (Some(1200), Some(900))
    );
    let (status, again) = upload(&state, Some(&reporter_token), original.clone()).await;
    assert_eq!(
        (status, again["id"].as_str()),
        (StatusCode::OK, Some(id.as_str()))
    );
    let (status, media_type, stored) =
        get(&state, &format!("/api/photos/{id}"), Some(&dispatcher)).await;
    assert_eq!(
        (status, media_type.as_str()),
        (StatusCode::OK, "image/jpeg")
    );
    assert!(
        !holds_marker(&stored),
        "the GPS block and the trailer are gone"
    );
    assert_eq!(
        PhotoId::of(&stored).as_str(),
        id,
        "the id is the stored bytes' hash"
    );
    let decoded = image::load_from_memory(&stored).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (1200, 900));
    let (status, media_type, thumb) = get(
        &state,
        &format!("/api/photos/{id}/thumbnail"),
        Some(&reporter_token),
    )
    .await;
    assert_eq!(
        (status, media_type.as_str()),
        (StatusCode::OK, "image/jpeg")
    );
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 240));

    // Bad uploads change nothing.
    let (status, body) = upload(
        &state,
        Some(&reporter_token),
        b"%PDF-1.7 not a photo".to_vec(),
    )
    .await;
    assert_eq!(
        (status, invalid_param(&body)),
        (StatusCode::BAD_REQUEST, "body")
    );
    let mut truncated = original.clone();
    truncated.truncate(600);
    let (status, body) = upload(&state, Some(&reporter_token), truncated).await;
    assert_eq!(
        (status, invalid_param(&body)),
        (StatusCode::BAD_REQUEST, "body"),
        "{body}"
    );
    let (status, _) = upload(&state, Some(&reporter_token), vec![0xFF; 11 * 1024 * 1024]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // Others: nothing to the public, "not found" to another grid's worker.
    let (status, _, _) = get(&state, &format!("/api/photos/{id}"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = get(&state, &format!("/api/photos/{id}"), Some(&stranger_token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get(
        &state,
        "/api/photos/..%2F..%2Fetc%2Fpasswd",
        Some(&dispatcher),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A report names its photos; unknown or too many are refused and nothing is written.
    let grid = reporter.grids[0].clone();
    let at =
        geo::InteriorPoint::interior_point(state_grid(&state, &grid).as_ref().unwrap()).unwrap();
    let report = |photos: Value| json!({"lon": at.x(), "lat": at.y(), "category": "环境卫生", "description": "楼道堆物", "source": "worker", "photos": photos});
    let before = store.counts().await.unwrap().incidents;
    let unknown = "0".repeat(64);
    let (status, body) = post(
        &state,
        "/api/incidents",
        &reporter_token,
        report(json!([unknown])),
    )
    .await;
    assert_eq!(
        (status, invalid_param(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "photos"),
        "{body}"
    );
    let ten: Vec<&str> = std::iter::repeat_n(id.as_str(), 10).collect();
    let (status, body) = post(
        &state,
        "/api/incidents",
        &reporter_token,
        report(json!(ten)),
    )
    .await;
    assert_eq!(
        (status, invalid_param(&body)),
        (StatusCode::BAD_REQUEST, "photos"),
        "{body}"
    );
    assert_eq!(store.counts().await.unwrap().incidents, before);
    let (status, incident) = post(
        &state,
        "/api/incidents",
        &reporter_token,
        report(json!([id])),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let incident_id = incident["properties"]["id"].as_str().unwrap().to_string();
    let (_, _, shown) = common::send(
        &state,
        "GET",
        &format!("/api/incidents/{incident_id}"),
        Some(&dispatcher),
        &[],
        None,
    )
    .await;
    let shown: Value = serde_json::from_slice(&shown).unwrap();
    assert_eq!(shown["properties"]["steps"][0]["photos"], json!([id]));

    // Assigned to the stranger, the incident shows the stranger its photo.
    let (status, body) = post(
        &state,
        &format!("/api/incidents/{incident_id}/steps"),
        &dispatcher,
        json!({"action": "assign", "worker": stranger.id.as_str()}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, _) = get(
        &state,
        &format!("/api/photos/{id}/thumbnail"),
        Some(&stranger_token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // The stranger resolves with a photo of the work, seen in the timeline.
    let (_, work) = upload(&state, Some(&stranger_token), phone_photo(640, 480, 200)).await;
    let work_id = work["id"].as_str().unwrap();
    for (action, photos) in [("start", json!([])), ("resolve", json!([work_id]))] {
        let (status, body) = post(
            &state,
            &format!("/api/incidents/{incident_id}/steps"),
            &stranger_token,
            json!({"action": action, "note": "已清理", "photos": photos}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let events = store
        .incident_events(&IncidentId(incident_id))
        .await
        .unwrap();
    assert_eq!(
        events.last().unwrap().photos,
        vec![PhotoId::parse(work_id).unwrap()]
    );
}
both_stores!(photos, photos_follow_their_incidents);

fn state_grid(state: &AppState, grid: &GridCode) -> Option<geo_types::MultiPolygon<f64>> {
    gridmap::engine::read(&state.engine)
        .grids()
        .polygon(grid)
        .cloned()
}
