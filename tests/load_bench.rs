//! `gridmap bench load` for a few seconds on a fresh PostGIS: positions and reports sent on
//! schedule are all acknowledged, and nothing acknowledged is missing from the store.

mod common;

use gridmap::bench::sustained_load::{LoadOptions, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_load_run_loses_nothing() {
    let store = common::fresh_postgis().await;
    common::partitioned_district(store.as_ref(), 8_000, 5).await;
    gridmap::service::staffing::settle(store.as_ref())
        .await
        .unwrap();
    let options = LoadOptions {
        duration_s: 4,
        workers: 300,
        position_every_s: 2.0,
        reports_per_s: 20.0,
    };
    let report = run(store.clone(), &options, &|_| {}).await.unwrap();
    assert_eq!(report.workers, 300, "made-up workers fill the count");
    assert!(report.positions_sent >= 550, "{report:?}");
    assert!(report.reports_sent >= 75, "{report:?}");
    assert_eq!(
        report.positions_acknowledged, report.positions_sent,
        "{report:?}"
    );
    assert_eq!(
        report.reports_acknowledged, report.reports_sent,
        "{report:?}"
    );
    assert_eq!(
        (report.reports_lost, report.positions_lost),
        (0, 0),
        "{report:?}"
    );
    assert!(report.p99_ms > 0.0 && report.p99_ms < 2_000.0, "{report:?}");
    let stored = store
        .incidents(&gridmap::store::LayerQuery {
            limit: None,
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .filter(|i| i.description.starts_with("压测"))
        .count() as u64;
    assert_eq!(
        stored, report.reports_acknowledged,
        "each report stored once"
    );
}
