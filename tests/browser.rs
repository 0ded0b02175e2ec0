//! The web app in a real browser (Debian's headless Chromium through ChromeDriver): each view
//! loads with no error, the map draws features from gridmap's vector tiles, and a click shows
//! the details the engine holds for that place. One screenshot per view is saved under
//! `target/browser-artifacts/`. Needs `chromium` and `chromium-driver` (`.ci/run` installs
//! them); without them the test fails, it is never skipped.
mod common;

use common::browser::*;
use gridmap::domain::*;
use gridmap::engine::read;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_planner_and_dispatch_views_in_chromium() {
    let (_dir, store, state, base) = served_district(30_000, 3).await;
    let planner = common::token(store.as_ref(), Role::Planner, "规划员").await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = browser(profile.path()).await;

    // Public map: communities and stations drawn from public tiles, no internal layer.
    client.goto(&format!("{base}/")).await.unwrap();
    wait_ready(&client).await;
    no_errors(&client, "public").await;
    assert_eq!(
        js(&client, "return document.documentElement.lang", vec![]).await,
        "zh-CN"
    );
    assert!(rendered(&client, "communities-fill").await > 0);
    assert!(rendered(&client, "roads-line").await > 0);
    assert_eq!(
        js(
            &client,
            "return Boolean(window.gridmapMap.getSource('grids'))",
            vec![]
        )
        .await,
        json!(false),
        "internal tiles on the public map"
    );
    // Zoom to a station and click it: its name and services show.
    let station = {
        let engine = read(&state.engine);
        let (_, s) = engine
            .station_info()
            .iter()
            .min_by_key(|(id, _)| *id)
            .unwrap();
        s.clone()
    };
    jump_to(&client, station.location, 16.0).await;
    assert!(rendered(&client, "stations-circle").await > 0);
    click_lonlat(&client, station.location).await;
    let shown = details(&client).await;
    assert!(shown.contains(&station.name), "{shown}");
    screenshot(&client, "public").await;
    // English on request.
    click_id(&client, "lang").await;
    assert_eq!(
        js(
            &client,
            "return document.getElementById('title').textContent",
            vec![]
        )
        .await,
        "Grid governance"
    );
    js(
        &client,
        "localStorage.setItem('gridmap.lang', 'zh')",
        vec![],
    )
    .await;

    // Planner: grids coloured by deviation, histogram, a click on a grid shows its figures.
    js(
        &client,
        "localStorage.setItem('gridmap.token', arguments[0])",
        vec![json!(planner)],
    )
    .await;
    client.goto(&format!("{base}/planner")).await.unwrap();
    wait_ready(&client).await;
    // Who is signed in, in Chinese, with the role's name.
    let mut who = Value::Null;
    for _ in 0..50 {
        who = js(
            &client,
            "return document.getElementById('auth-status').textContent",
            vec![],
        )
        .await;
        if who.as_str().is_some_and(|w| w.starts_with("已登录")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(who, json!("已登录：规划员（规划员）"));
    // The planner downloads the grid ledger: the button fetches it with the token.
    let downloaded = js(
        &client,
        "document.getElementById('download-ledger').click(); return null",
        vec![],
    )
    .await;
    assert_eq!(downloaded, Value::Null);
    let mut line = Value::Null;
    for _ in 0..100 {
        line = js(
            &client,
            "return document.getElementById('downloads').hidden ? 'hidden' : document.getElementById('download-status').textContent",
            vec![],
        )
        .await;
        if line
            .as_str()
            .is_some_and(|l| l.starts_with("已下载") || l.starts_with("导出失败"))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(line, json!("已下载：网格台账.xlsx"));
    let (grid, point) = {
        let engine = read(&state.engine);
        let grid = engine
            .grid_info()
            .iter()
            .filter(|(_, i)| i.kind == GridKind::Base)
            .map(|(g, _)| g)
            .min()
            .unwrap()
            .clone();
        let p = geo::InteriorPoint::interior_point(engine.grids().polygon(&grid).unwrap()).unwrap();
        (grid, p)
    };
    jump_to(&client, point, 15.0).await;
    no_errors(&client, "planner").await;
    assert!(rendered(&client, "grids-fill").await > 0);
    assert!(rendered(&client, "buildings-fill").await > 0);
    let histogram_grids = js(
        &client,
        "return Number(document.getElementById('stats').dataset.grids || 0)",
        vec![],
    )
    .await;
    let base_grids = read(&state.engine)
        .grid_info()
        .values()
        .filter(|i| i.kind == GridKind::Base)
        .count();
    assert_eq!(histogram_grids, json!(base_grids));
    // Click beside any building: the grid itself.
    js(
        &client,
        "window.gridmapMap.setLayoutProperty('buildings-fill', 'visibility', 'none')",
        vec![],
    )
    .await;
    click_lonlat(&client, point).await;
    let shown = details(&client).await;
    let info = read(&state.engine).grid_info()[&grid].clone();
    assert!(shown.contains(grid.as_str()), "{shown}");
    assert!(shown.contains(&info.households.to_string()), "{shown}");
    js(
        &client,
        "window.gridmapMap.setLayoutProperty('buildings-fill', 'visibility', 'visible')",
        vec![],
    )
    .await;
    idle(&client).await;
    screenshot(&client, "planner").await;

    // Planner: merge two adjacent communities picked on the map; preview, then commit.
    let (a, b, a_at, b_at) = {
        let engine = read(&state.engine);
        let codes: Vec<CommunityCode> = engine.community_names().keys().cloned().collect();
        let mut codes = codes;
        codes.sort();
        let polygon = |c: &CommunityCode| engine.communities().polygon(c).unwrap().clone();
        let (a, b) = codes
            .iter()
            .flat_map(|a| codes.iter().map(move |b| (a, b)))
            .find(|(a, b)| a < b && geo::Intersects::intersects(&polygon(a), &polygon(b)))
            .map(|(a, b)| (a.clone(), b.clone()))
            .expect("two adjacent communities");
        let at = |c: &CommunityCode| geo::InteriorPoint::interior_point(&polygon(c)).unwrap();
        (a.clone(), b.clone(), at(&a), at(&b))
    };
    let head_before = store.plan_head().await.unwrap();
    js(
        &client,
        "window.gridmapMap.fitBounds([arguments[0], arguments[1]], { padding: 120, duration: 0 });",
        vec![json!([a_at.x(), a_at.y()]), json!([b_at.x(), b_at.y()])],
    )
    .await;
    idle(&client).await;
    click_id(&client, "rebalance-merge").await;
    for p in [a_at, b_at] {
        click_lonlat(&client, p).await;
    }
    let said = js(
        &client,
        "return document.getElementById('rebalance-status').textContent",
        vec![],
    )
    .await;
    assert!(
        said.as_str().unwrap().contains(a.as_str()) && said.as_str().unwrap().contains(b.as_str()),
        "{said}"
    );
    client
        .find(fantoccini::Locator::Id("rebalance-names"))
        .await
        .unwrap()
        .send_keys("合并测试社区")
        .await
        .unwrap();
    click_id(&client, "rebalance-preview").await;
    let started = Instant::now();
    while js(
        &client,
        "return document.getElementById('rebalance-commit').disabled",
        vec![],
    )
    .await
        != json!(false)
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no preview: {}",
            js(
                &client,
                "return document.getElementById('rebalance-status').textContent",
                vec![]
            )
            .await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    idle(&client).await;
    assert!(
        rendered(&client, "rebalance-communities-line").await > 0,
        "new boundary not drawn"
    );
    let status = js(
        &client,
        "return document.getElementById('rebalance-status').textContent",
        vec![],
    )
    .await;
    assert!(
        status.as_str().is_some_and(|s| s.contains("容差")),
        "the preview says whether grids stay within the tolerance: {status}"
    );
    assert_eq!(
        store.plan_head().await.unwrap(),
        head_before,
        "a preview wrote"
    );
    screenshot(&client, "planner-merge-preview").await;
    click_id(&client, "rebalance-commit").await;
    let started = Instant::now();
    while store.plan_head().await.unwrap() == head_before {
        assert!(started.elapsed() < Duration::from_secs(20), "not committed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The store commits first; the engine takes the new plan right after (poll: the
    // request may still be applying it).
    let started = Instant::now();
    let merged = loop {
        let names = read(&state.engine).community_names().clone();
        if names.values().any(|n| n == "合并测试社区") {
            break names;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "merged community missing"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(!(merged.contains_key(&a) && merged.contains_key(&b)));
    no_errors(&client, "planner after merging").await;

    // Dispatcher: an open incident; a click lists the nearest on-duty workers; assign one.
    js(
        &client,
        "localStorage.setItem('gridmap.token', arguments[0])",
        vec![json!(planner)],
    )
    .await;
    // A hotline ticket taken in by another system waits for a worker (the generated
    // district's own incidents were all dispatched as they came in).
    let incident = {
        let engine = read(&state.engine);
        let closed = engine
            .incidents()
            .all()
            .filter(|i| i.status == IncidentStatus::Closed)
            .find(|i| !engine.nearest_workers(i.location, 5).is_empty())
            .expect("a place with workers near")
            .clone();
        Incident {
            id: IncidentId("E-HOTLINE-1".into()),
            status: IncidentStatus::Reported,
            source: IncidentSource::Hotline,
            assignee: None,
            closed_at: None,
            reported_at: chrono::Utc::now(),
            deadline_at: Some(chrono::Utc::now() + chrono::Duration::hours(4)),
            returned_times: 0,
            satisfaction: None,
            ..closed
        }
    };
    store
        .write(
            &Dataset {
                incidents: vec![incident.clone()],
                ..Dataset::default()
            },
            None,
        )
        .await
        .unwrap();
    // Written beside the server, as the service does after its own commits.
    gridmap::engine::write(&state.engine).upsert_incident(incident.clone());
    client.goto(&format!("{base}/dispatch")).await.unwrap();
    wait_ready(&client).await;
    jump_to(&client, incident.location, 17.0).await;
    no_errors(&client, "dispatch").await;
    assert!(rendered(&client, "incidents-circle").await > 0);
    for layer in ["buildings-fill", "workers-circle"] {
        js(
            &client,
            "window.gridmapMap.setLayoutProperty(arguments[0], 'visibility', 'none')",
            vec![json!(layer)],
        )
        .await;
    }
    click_lonlat(&client, incident.location).await;
    // The incident opens in the workbench; 派遣 lists the nearest on-duty workers.
    let started = Instant::now();
    while js(
        &client,
        "return document.querySelector('#step-buttons [data-action=assign]') !== null",
        vec![],
    )
    .await
        != json!(true)
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the incident never opened: {}",
            details(&client).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    client
        .find(fantoccini::Locator::Css(
            "#step-buttons [data-action=assign]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let started = Instant::now();
    while js(
        &client,
        "return document.querySelectorAll('#nearest-workers button').length",
        vec![],
    )
    .await
        == json!(0)
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no nearest workers: {}",
            details(&client).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Ranked along the walking network (as the API ranks them), the route drawn.
    let nearest = read(&state.engine)
        .nearest_workers_on_network(incident.location, 5, 72.0 * 60.0)
        .unwrap();
    let first = js(
        &client,
        "return document.querySelector('#nearest-workers button').dataset.worker",
        vec![],
    )
    .await;
    assert_eq!(first, json!(nearest[0].0.worker.0));
    let listed = js(
        &client,
        "return [document.getElementById('nearest-workers').dataset.mode, \
         document.querySelector('#nearest-workers li span').textContent, \
         window.gridmapMap.getSource('walk-route')._data.geojson.geometry?.type]",
        vec![],
    )
    .await;
    assert_eq!(listed[0], json!("walk"), "{listed}");
    assert!(listed[1].as_str().unwrap().contains("步行"), "{listed}");
    assert_eq!(listed[2], json!("LineString"), "{listed}");
    screenshot(&client, "dispatch").await;
    client
        .find(fantoccini::Locator::Css("#nearest-workers button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let started = Instant::now();
    loop {
        let assignee = read(&state.engine)
            .incidents()
            .get(&incident.id)
            .and_then(|i| i.assignee.clone());
        if assignee.as_ref() == Some(&nearest[0].0.worker) {
            break;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let page = js(
                &client,
                "return [window.gridmapErrors, document.getElementById('status').textContent]",
                vec![],
            )
            .await;
            panic!("not assigned: {assignee:?}; page: {page}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    no_errors(&client, "dispatch after assigning").await;
    client.close().await.unwrap();
}
