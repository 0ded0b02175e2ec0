//! Deadlines in working time, through the dispatch service on both stores: a report of a
//! category counted in 工作时 made on a Friday afternoon is due on Monday morning; one counted
//! in 工作日 before the National Day holiday is due after it; calendar hours run on.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use gridmap::api::AppState;
use gridmap::domain::*;
use gridmap::engine::read;
use gridmap::service::dispatch::{self, Actor, NewIncident};
use gridmap::store::Store;
use std::sync::Arc;

/// Beijing time.
fn beijing(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

async fn deadlines_count_working_time(store: Arc<dyn Store>) {
    common::partitioned_district(store.as_ref(), 4_000, 3).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let inside = read(&state.engine)
        .building_info()
        .values()
        .next()
        .unwrap()
        .anchor;
    let report = |category: &'static str, now: DateTime<Utc>| {
        let state = state.clone();
        let store = store.clone();
        async move {
            dispatch::report(
                &state.engine,
                store.as_ref(),
                &state.taxonomy,
                NewIncident {
                    location: inside,
                    category: category.into(),
                    description: "工作时测试".into(),
                    source: IncidentSource::Hotline,
                    photos: Vec::new(),
                    tracking_code_sha256: None,
                },
                &Actor {
                    who: "测试".into(),
                    now,
                },
                None,
            )
            .await
            .unwrap()
            .0
        }
    };
    let deadline = |category: &'static str, now: DateTime<Utc>| {
        let reported = report(category, now);
        async move { reported.await.deadline_at }
    };
    // 环境卫生: 4 working hours. Friday 27 November 2026, 16:00 → Monday 30 November, 10:30.
    assert_eq!(
        deadline("环境卫生", beijing(2026, 11, 27, 16, 0)).await,
        Some(beijing(2026, 11, 30, 10, 30))
    );
    // 设施损坏: 3 working days. Wednesday 30 September 2026 → 8, 9, 10 October (the
    // Saturday worked instead of a holiday day), at the end of work.
    assert_eq!(
        deadline("设施损坏", beijing(2026, 9, 30, 11, 0)).await,
        Some(beijing(2026, 10, 10, 18, 0))
    );
    // 井盖缺失: 2 hours on the clock, on a holiday too.
    assert_eq!(
        deadline("井盖缺失", beijing(2026, 10, 2, 23, 0)).await,
        Some(beijing(2026, 10, 3, 1, 0))
    );

    // The dispatcher's countdown is in the category's unit: a report of 4 工作时 made now
    // has 4 working hours left, whatever the day.
    let fresh = report("环境卫生", Utc::now()).await;
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let (status, shown) = common::call(
        &state,
        "GET",
        &format!("/api/incidents/{}", fresh.id),
        Some(&dispatcher),
        None,
    )
    .await;
    assert_eq!(status, axum::http::StatusCode::OK, "{shown}");
    let left = &shown["properties"]["time_left"];
    assert_eq!(left["unit"], "working_hours", "{shown}");
    let hours = left["amount"].as_f64().unwrap();
    assert!(hours > 3.99 && hours <= 4.0, "{left}");
}
both_stores!(working_time, deadlines_count_working_time);
