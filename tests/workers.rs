//! The workers list through the API, on both stores: add (by grids, or by community with
//! the stated rule), edit, retire, the record of who changed what when, refusals naming
//! the field, and staffing and dispatch using each change at once.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use axum::http::StatusCode;
use gridmap::api::AppState;
use gridmap::domain::{GridCode, GridKind, Role};
use gridmap::engine::read;
use gridmap::store::{LayerQuery, Store};
use serde_json::{Value, json};
use std::sync::Arc;

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (status, _, bytes) = common::send(state, method, uri, Some(token), &[], body).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn invalid_param(problem: &Value) -> &str {
    problem["invalid-params"][0]["name"].as_str().unwrap_or("")
}

/// A community's base grids in code order, and whether each has a grid worker now.
fn base_grids(state: &AppState, community: &str) -> Vec<GridCode> {
    let engine = read(&state.engine);
    let mut grids: Vec<GridCode> = engine
        .grid_info()
        .iter()
        .filter(|(_, i)| i.kind == GridKind::Base && i.community.as_str() == community)
        .map(|(g, _)| g.clone())
        .collect();
    grids.sort();
    grids
}

fn grids_without_worker(state: &AppState) -> Vec<GridCode> {
    let engine = read(&state.engine);
    gridmap::service::staffing::check(&engine, &Default::default()).grids_without_worker
}

async fn planners_manage_workers(store: Arc<dyn Store>) {
    common::partitioned_district(store.as_ref(), 20_000, 11).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let planner = common::token(store.as_ref(), Role::Planner, "王规划").await;
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "李调度").await;

    // A grid with no grid worker: a new worker named by its community takes it (the least
    // served grid of the community, lowest code among equals).
    let unstaffed = grids_without_worker(&state);
    assert!(
        !unstaffed.is_empty(),
        "the generated district leaves grids unstaffed"
    );
    let community = unstaffed[0].community().to_string();
    let community_grids = base_grids(&state, &community);
    let expected = community_grids
        .iter()
        .find(|g| unstaffed.contains(g))
        .unwrap()
        .clone();
    let (status, added) = call(
        &state,
        "POST",
        "/api/workers",
        &planner,
        Some(json!({"id": "N001", "name": "赵新", "phone": "139 0477 0001", "role": "grid_worker", "community": community})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["grids"], json!([expected.as_str()]), "{added}");
    assert!(
        !grids_without_worker(&state).contains(&expected),
        "staffing counts the new worker at once"
    );

    // A community worker named by community serves all its base grids.
    let (status, leader) = call(
        &state,
        "POST",
        "/api/workers",
        &planner,
        Some(json!({"id": "N002", "name": "钱社工", "role": "community_worker", "community": community})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{leader}");
    assert_eq!(
        leader["grids"].as_array().unwrap().len(),
        community_grids.len()
    );

    // Refusals name the field; nothing is written.
    let other_community_grid = read(&state.engine)
        .grid_info()
        .iter()
        .find(|(_, i)| i.kind == GridKind::Base && i.community.as_str() != community)
        .map(|(g, _)| g.to_string())
        .unwrap();
    let refusals = [
        (
            json!({"id": "N001", "name": "重复"}),
            StatusCode::CONFLICT,
            "",
        ),
        (
            json!({"id": "N003", "name": "孙", "phone": "12345"}),
            StatusCode::BAD_REQUEST,
            "phone",
        ),
        (
            json!({"id": "N003", "name": "孙", "grids": ["150602999999999"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "grids",
        ),
        (
            json!({"id": "N003", "name": "孙", "community": "150602999999"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "community",
        ),
        (
            json!({"id": "N003", "name": "孙", "community": community, "grids": [other_community_grid]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "grids",
        ),
        (
            json!({"id": "N003", "name": "孙", "role": "mayor"}),
            StatusCode::BAD_REQUEST,
            "role",
        ),
        (json!({"id": "N003"}), StatusCode::BAD_REQUEST, "name"),
    ];
    for (body, status, field) in refusals {
        let (got, problem) =
            call(&state, "POST", "/api/workers", &planner, Some(body.clone())).await;
        assert_eq!(got, status, "{body}: {problem}");
        if !field.is_empty() {
            assert_eq!(invalid_param(&problem), field, "{body}: {problem}");
        }
    }
    let n003 = LayerQuery {
        ids: Some(vec!["N003".into()]),
        ..LayerQuery::default()
    };
    assert!(store.workers(&n003).await.unwrap().is_empty());

    // Dispatchers may not manage workers.
    let (status, _) = call(
        &state,
        "PATCH",
        "/api/workers/N001",
        &dispatcher,
        Some(json!({"name": "改名"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Edit: only the fields given change; a position report then makes the worker the
    // nearest to a point in their grid.
    let (status, edited) = call(
        &state,
        "PATCH",
        "/api/workers/N001",
        &planner,
        Some(json!({"phone": null, "duty": "on_duty"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["phone"], Value::Null);
    assert_eq!(edited["name"], "赵新");
    let inside = {
        use geo::InteriorPoint;
        let query = LayerQuery {
            ids: Some(vec![expected.to_string()]),
            ..LayerQuery::default()
        };
        store.grids(&query).await.unwrap()[0]
            .boundary
            .interior_point()
            .unwrap()
    };
    let (status, _) = call(
        &state,
        "POST",
        "/api/workers/N001/position",
        &planner,
        Some(json!({"lon": inside.x(), "lat": inside.y()})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let nearest_uri = format!(
        "/api/dispatch/nearest?lon={}&lat={}&k=3",
        inside.x(),
        inside.y()
    );
    let (_, nearest) = call(&state, "GET", &nearest_uri, &dispatcher, None).await;
    assert_eq!(nearest["workers"][0]["worker"], "N001", "{nearest}");

    // Retire: no longer dispatched, no longer staffing the grid; kept for the record.
    let (status, retired) = call(&state, "POST", "/api/workers/N001/retire", &planner, None).await;
    assert_eq!(status, StatusCode::OK, "{retired}");
    assert!(retired["retired_at"].is_string());
    assert_eq!(retired["grids"], json!([]));
    let (_, nearest) = call(&state, "GET", &nearest_uri, &dispatcher, None).await;
    assert!(
        nearest["workers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["worker"] != "N001"),
        "{nearest}"
    );
    assert!(grids_without_worker(&state).contains(&expected));
    let (status, _) = call(&state, "POST", "/api/workers/N001/retire", &planner, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = call(
        &state,
        "PATCH",
        "/api/workers/N001",
        &planner,
        Some(json!({"name": "复职"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = call(&state, "POST", "/api/workers/N404/retire", &planner, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The record: who, when, what, before and after, newest first.
    let (status, history) = call(&state, "GET", "/api/workers/N001/history", &planner, None).await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["retired", "edited", "added"]);
    for change in history.as_array().unwrap() {
        assert_eq!(change["actor"]["label"], "王规划");
        assert_eq!(change["actor"]["role"], "planner");
        assert!(change["at"].is_string());
    }
    assert_eq!(history[1]["before"]["phone"], "139 0477 0001");
    assert_eq!(history[1]["after"]["phone"], Value::Null);
    assert_eq!(history[2]["before"], Value::Null);
    let (status, _) = call(&state, "GET", "/api/workers/N404/history", &planner, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A server started afterwards on the same store sees the same list.
    let reloaded = AppState::load(store.clone()).await.unwrap();
    let engine = read(&reloaded.engine);
    assert!(engine.workers().get(&"N001".into()).unwrap().is_retired());
    assert_eq!(
        engine.workers().get(&"N002".into()).unwrap().grids.len(),
        community_grids.len()
    );
}

both_stores!(planners_manage_workers, planners_manage_workers);

/// The office workbooks over the API: the grid ledger's figures are the engine's, every
/// grid worker of a community is on its sheet with the phone, the incident statistics
/// match `/api/incidents/stats`; workers and the public may not download them.
async fn office_workbooks(store: Arc<dyn Store>) {
    use calamine::{Data, Reader, Xlsx};
    common::partitioned_district(store.as_ref(), 20_000, 12).await;
    gridmap::service::staffing::settle(store.as_ref())
        .await
        .unwrap();
    let state = AppState::load(store.clone()).await.unwrap();
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "李调度").await;
    let public = common::token(store.as_ref(), Role::Public, "公众").await;
    for token in [&public] {
        let (status, _, _) = common::send(
            &state,
            "GET",
            "/api/exports/grid-ledger.xlsx",
            Some(token),
            &[],
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, bytes) = common::send(
        &state,
        "GET",
        "/api/exports/grid-ledger.xlsx",
        Some(&dispatcher),
        &[],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[axum::http::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''%E7%BD%91%E6%A0%BC%E5%8F%B0%E8%B4%A6.xlsx")
    );
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[0], "汇总");
    let cell = |range: &calamine::Range<Data>, r: usize, c: usize| {
        range.get((r, c)).cloned().unwrap_or(Data::Empty)
    };
    {
        let engine = read(&state.engine);
        assert_eq!(
            names.len(),
            1 + engine.community_names().len().min(
                engine
                    .grid_info()
                    .values()
                    .map(|i| i.community.clone())
                    .collect::<std::collections::HashSet<_>>()
                    .len()
            )
        );
        let summary = book.worksheet_range("汇总").unwrap();
        let mut checked = 0;
        for r in 3..summary.height() {
            let Data::String(code) = cell(&summary, r, 2) else {
                continue;
            };
            let households: u64 = engine
                .grid_info()
                .values()
                .filter(|i| i.kind == GridKind::Base && i.community.as_str() == code)
                .map(|i| u64::from(i.households))
                .sum();
            assert_eq!(
                cell(&summary, r, 5),
                Data::Float(households as f64),
                "community {code}"
            );
            checked += 1;
        }
        let communities_with_grids = engine
            .grid_info()
            .values()
            .map(|i| i.community.clone())
            .collect::<std::collections::HashSet<_>>()
            .len();
        assert_eq!(checked, communities_with_grids);
        // A community's sheet: every grid worker with their phone.
        let (grid, worker) = engine
            .grid_info()
            .keys()
            .find_map(|g| {
                engine
                    .workers()
                    .serving(g)
                    .find(|w| {
                        w.role == gridmap::domain::WorkerRole::GridWorker && w.phone.is_some()
                    })
                    .map(|w| (g.clone(), w.clone()))
            })
            .unwrap();
        let name = engine.community_names()[&grid.community()].clone();
        let sheet = book.worksheet_range(&name).unwrap();
        let row = (0..sheet.height())
            .find(|r| cell(&sheet, *r, 0) == Data::String(grid.to_string()))
            .unwrap();
        assert!(matches!(cell(&sheet, row, 5), Data::String(s) if s.contains(&worker.name)));
        assert!(
            matches!(cell(&sheet, row, 6), Data::String(s) if s.contains(worker.phone.as_deref().unwrap()))
        );
    }

    let (status, _, bytes) = common::send(
        &state,
        "GET",
        "/api/exports/incident-statistics.xlsx",
        Some(&dispatcher),
        &[],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["按网格", "按社区", "按街道", "按网格员"]
    );
    let (_, _, stats) = common::send(
        &state,
        "GET",
        "/api/incidents/stats?by=community",
        Some(&dispatcher),
        &[],
        None,
    )
    .await;
    let stats: Value = serde_json::from_slice(&stats).unwrap();
    let by_community = book.worksheet_range("按社区").unwrap();
    for area in stats["areas"].as_array().unwrap() {
        let row = (3..by_community.height())
            .find(|r| {
                cell(&by_community, *r, 0)
                    == Data::String(area["area"].as_str().unwrap().to_string())
            })
            .unwrap();
        assert_eq!(
            cell(&by_community, row, 2),
            Data::Float(area["reported"].as_f64().unwrap())
        );
        assert_eq!(
            cell(&by_community, row, 6),
            Data::Float(area["overdue"].as_f64().unwrap())
        );
    }
    let (status, _, _) = common::send(
        &state,
        "GET",
        "/api/exports/incident-statistics.xlsx?from=yesterday",
        Some(&dispatcher),
        &[],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

both_stores!(office_workbooks, office_workbooks);

/// Another process edits and retires workers while this one's engine still has the old
/// copies; the positions this one writes behind change positions and duty only, so the
/// edit and the retirement stay.
async fn positions_do_not_undo_another_process(location: String) {
    let here = gridmap::store::open(&location).await.unwrap();
    common::partitioned_district(here.as_ref(), 20_000, 13).await;
    gridmap::service::staffing::settle(here.as_ref())
        .await
        .unwrap();
    let state = AppState::load(here.clone()).await.unwrap();
    let there = gridmap::store::open(&location).await.unwrap();
    let workers = there.workers(&LayerQuery::default()).await.unwrap();
    let (renamed, retired) = (workers[0].clone(), workers[1].clone());
    let actor = gridmap::domain::Actor {
        label: "另一进程".into(),
        role: Role::Admin,
    };
    let directory = gridmap::service::worker_roster::GridDirectory::load(there.as_ref())
        .await
        .unwrap();
    gridmap::service::worker_roster::edit(
        there.as_ref(),
        &directory,
        &actor,
        &renamed.id,
        gridmap::service::worker_roster::WorkerEdit {
            name: Some("改名后".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    gridmap::service::worker_roster::retire(there.as_ref(), &actor, &retired.id)
        .await
        .unwrap();
    // This process reports positions for both from its older copies, and writes them.
    let planner = common::token(here.as_ref(), Role::Planner, "规划").await;
    for w in [&renamed, &retired] {
        let (status, _) = call(
            &state,
            "POST",
            &format!("/api/workers/{}/position", w.id),
            &planner,
            Some(json!({"lon": 109.981, "lat": 39.812, "duty": "on_duty"})),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    state.flush_positions().await.unwrap();
    let stored = |id: &gridmap::domain::WorkerId| {
        let query = LayerQuery {
            ids: Some(vec![id.to_string()]),
            ..LayerQuery::default()
        };
        let there = there.clone();
        async move { there.workers(&query).await.unwrap().remove(0) }
    };
    let r = stored(&renamed.id).await;
    assert_eq!(r.name, "改名后", "the other process's edit stays");
    assert!(
        (r.position.unwrap().x() - 109.981).abs() < 1e-9,
        "the position is written"
    );
    let t = stored(&retired.id).await;
    assert!(t.is_retired(), "the retirement stays");
    assert_eq!(t.duty, gridmap::domain::DutyStatus::OffDuty);
    assert!(t.grids.is_empty());
    there.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_do_not_undo_another_process_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.gpkg");
    positions_do_not_undo_another_process(path.to_str().unwrap().to_string()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_do_not_undo_another_process_postgis() {
    positions_do_not_undo_another_process(common::fresh_postgis_url().await).await;
}
