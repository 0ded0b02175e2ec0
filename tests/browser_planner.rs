//! Planners and residents in headless Chromium: a split whose pieces were renamed on the map
//! commits with those names (each on its own piece), the histogram counts "within the
//! tolerance" as the partitioner does, a partition preview of a community clicked through
//! other layers commits from the panel, life-circle coverage and new-site suggestions show in
//! the panel and on the map as the API tells them, and the public map on a 390 × 844 phone
//! shows the map with a usable bottom sheet and the nearest stations on foot with the walk
//! area and route. Screenshots under `target/browser-artifacts/`.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use common::browser::*;
use fantoccini::Client;
use geo::{BoundingRect, Centroid, InteriorPoint};
use geo_types::Point;
use gridmap::domain::*;
use gridmap::engine::read;
use serde_json::{Value, json};

/// Sets the focused field to `value` as typing and leaving it would (a change event); the
/// field must be a piece's name.
async fn rename_focused(client: &Client, value: &str) {
    let class = js(client, "return document.activeElement.className", vec![]).await;
    assert_eq!(
        class,
        json!("piece-name"),
        "the click did not open a piece's name"
    );
    js(
        client,
        "const s = document.getElementById('rebalance-status'); s.dataset.before = s.dataset.previews; \
         const f = document.activeElement; f.value = arguments[0]; f.dispatchEvent(new Event('change'));",
        vec![json!(value)],
    )
    .await;
}

/// The pieces' fields as the panel shows them: (code, name) in order.
async fn pieces(client: &Client) -> Vec<(String, String)> {
    let v = js(
        client,
        "return [...document.querySelectorAll('#rebalance-pieces li')].map((li) => \
         [li.querySelector('.piece-code').value, li.querySelector('.piece-name').value])",
        vec![],
    )
    .await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_split_renamed_on_the_map_commits_with_those_names() {
    let (_dir, store, state, base) = served_district(30_000, 5).await;
    let planner = common::token(store.as_ref(), Role::Planner, "规划员").await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = browser(profile.path()).await;
    client.goto(&format!("{base}/")).await.unwrap();
    js(
        &client,
        "localStorage.setItem('gridmap.token', arguments[0]); localStorage.setItem('gridmap.lang', 'zh')",
        vec![json!(planner)],
    )
    .await;
    client.goto(&format!("{base}/planner")).await.unwrap();
    wait_ready(&client).await;
    no_errors(&client, "planner").await;

    // The histogram's share within ±10% is the partitioner's (flagged grids apart).
    until(
        &client,
        "return Boolean(document.getElementById('stats').dataset.withinShare)",
        "the histogram",
    )
    .await;
    let shown = js(
        &client,
        "return document.getElementById('stats').dataset.withinShare",
        vec![],
    )
    .await;
    let run = store.partition_runs(1).await.unwrap().remove(0);
    let cli = run.metrics["summary"]["within_10_percent"]
        .as_f64()
        .unwrap()
        * 100.0;
    assert_eq!(shown, json!(format!("{cli:.1}")), "UI and CLI disagree");

    // A community cut north–south: its bounding box, a line through its middle.
    let (community, polygon) = {
        let engine = read(&state.engine);
        let mut codes: Vec<_> = engine.community_names().keys().cloned().collect();
        codes.sort();
        let code = codes[0].clone();
        (
            code.clone(),
            engine.communities().polygon(&code).unwrap().clone(),
        )
    };
    let bounds = polygon.bounding_rect().unwrap();
    let centre = polygon.centroid().unwrap();
    let dy = bounds.height() * 0.08;
    js(
        &client,
        "window.gridmapMap.fitBounds([arguments[0], arguments[1]], { padding: 80, duration: 0 });",
        vec![
            json!([bounds.min().x, bounds.min().y - 2.0 * dy]),
            json!([bounds.max().x, bounds.max().y + 2.0 * dy]),
        ],
    )
    .await;
    idle(&client).await;
    click_id(&client, "rebalance-split").await;
    click_lonlat(&client, polygon.interior_point().unwrap()).await;
    for y in [bounds.min().y - dy, bounds.max().y + dy] {
        click_lonlat(&client, Point::new(centre.x(), y)).await;
    }
    click_id(&client, "rebalance-preview").await;
    until(
        &client,
        "return document.querySelectorAll('#rebalance-pieces li').length === 2",
        "the pieces of the preview",
    )
    .await;
    idle(&client).await;
    // Labels are placed a few frames after the data; a loaded machine takes longer.
    until(
        &client,
        "return window.gridmapMap.queryRenderedFeatures({ layers: ['rebalance-communities-label'] }).length >= 2",
        "pieces labelled on the map",
    )
    .await;
    let first = pieces(&client).await;
    assert!(
        first.iter().any(|(c, _)| c == community.as_str()),
        "{first:?}"
    );

    // Rename each piece by clicking it on the map: west, then east.
    let west = Point::new((bounds.min().x + centre.x()) / 2.0, centre.y());
    let east = Point::new((bounds.max().x + centre.x()) / 2.0, centre.y());
    for (at, name) in [(west, "测试西社区"), (east, "测试东社区")] {
        click_lonlat(&client, at).await;
        rename_focused(&client, name).await;
        until(
            &client,
            &format!(
                "return document.getElementById('rebalance-commit').disabled === false && \
                 [...document.querySelectorAll('#rebalance-pieces .piece-name')].some((f) => f.value === '{name}') && \
                 Number(document.getElementById('rebalance-status').dataset.previews) > Number(document.getElementById('rebalance-status').dataset.before)"
            ),
            "the preview again with the new name",
        )
        .await;
    }
    let renamed = pieces(&client).await;
    let names: Vec<&str> = renamed.iter().map(|(_, n)| n.as_str()).collect();
    assert!(
        names.contains(&"测试西社区") && names.contains(&"测试东社区"),
        "{renamed:?}"
    );
    idle(&client).await;
    screenshot(&client, "planner-split-pieces").await;

    let head = store.plan_head().await.unwrap();
    click_id(&client, "rebalance-commit").await;
    until(
        &client,
        "return document.getElementById('rebalance-status').textContent.startsWith('已提交为版本')",
        "the commit",
    )
    .await;
    assert!(store.plan_head().await.unwrap() > head);
    let communities = store
        .communities(&gridmap::store::LayerQuery::default())
        .await
        .unwrap();
    let x_of = |name: &str| {
        let c = communities
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no community named {name}"));
        c.boundary.centroid().unwrap().x()
    };
    assert!(
        x_of("测试西社区") < x_of("测试东社区"),
        "the names landed on the wrong pieces"
    );
    no_errors(&client, "planner after the split").await;

    // A partition preview of a community clicked through grids and buildings, committed
    // from the panel.
    let (other, inside) = {
        let engine = read(&state.engine);
        let mut codes: Vec<_> = engine.community_names().keys().cloned().collect();
        codes.sort();
        let code = codes.last().unwrap().clone();
        let p = engine
            .communities()
            .polygon(&code)
            .unwrap()
            .interior_point()
            .unwrap();
        (code, p)
    };
    jump_to(&client, inside, 15.0).await;
    click_lonlat(&client, inside).await;
    until(
        &client,
        "return document.getElementById('partition-preview') !== null",
        "the community's partition buttons under a grid or building",
    )
    .await;
    let heading = details(&client).await;
    assert!(heading.contains(other.as_str()), "{heading}");
    click_id(&client, "partition-preview").await;
    until(
        &client,
        "return document.getElementById('partition-commit').disabled === false",
        "the partition preview",
    )
    .await;
    let runs = store.partition_runs(100).await.unwrap().len();
    click_id(&client, "partition-commit").await;
    until(
        &client,
        "return document.getElementById('partition-result').dataset.committed === 'true'",
        "the partition commit",
    )
    .await;
    assert_eq!(store.partition_runs(100).await.unwrap().len(), runs + 1);
    let said = js(
        &client,
        "return document.getElementById('partition-result').textContent",
        vec![],
    )
    .await;
    assert!(said.as_str().unwrap().contains("个网格"), "{said}");
    no_errors(&client, "planner after partitioning").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coverage_and_site_suggestions_in_the_planner() {
    let (_dir, store, _state, base) = served_district(30_000, 5).await;
    let planner = common::token(store.as_ref(), Role::Planner, "规划员").await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = browser(profile.path()).await;
    client.goto(&format!("{base}/")).await.unwrap();
    js(
        &client,
        "localStorage.setItem('gridmap.token', arguments[0]); localStorage.setItem('gridmap.lang', 'zh')",
        vec![json!(planner)],
    )
    .await;
    client.goto(&format!("{base}/planner")).await.unwrap();
    wait_ready(&client).await;
    until(
        &client,
        "return !document.getElementById('coverage').hidden",
        "the coverage section",
    )
    .await;
    // Coverage of the red outposts per community, as the API tells it.
    js(
        &client,
        "document.getElementById('coverage-kind').value = 'red_outpost'; \
         document.getElementById('coverage-show-uncovered').checked = true; \
         document.getElementById('coverage-within').value = '300';",
        vec![],
    )
    .await;
    click_id(&client, "coverage-run").await;
    until(
        &client,
        "return Number(document.getElementById('coverage-table').dataset.areas || 0) > 0",
        "the coverage table",
    )
    .await;
    let (status, told) = common::call(
        &_state,
        "GET",
        "/api/coverage?level=community&kinds=red_outpost",
        Some(&planner),
        None,
    )
    .await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let shown = js(
        &client,
        "return document.querySelector('#coverage-table tr.total').textContent",
        vec![],
    )
    .await;
    let tier = &told["total"]["kinds"][0]["tiers"][2];
    let pct = |v: &Value| format!("{:.1}%", v.as_f64().unwrap() * 100.0);
    let expected = format!(
        "{} / {}",
        pct(&tier["walk_share"]),
        pct(&tier["straight_share"])
    );
    assert!(
        shown.as_str().unwrap().contains(&expected),
        "{shown} lacks {expected}"
    );
    let rows = js(
        &client,
        "return document.querySelectorAll('#coverage-table tr').length",
        vec![],
    )
    .await;
    assert_eq!(
        rows.as_u64().unwrap() as usize,
        told["areas"].as_array().unwrap().len() + 2,
        "a header, the total and one row per community"
    );
    // The uncovered buildings on the map are those the API lists.
    let (_, uncovered) = common::call(
        &_state,
        "GET",
        "/api/coverage/buildings?kind=red_outpost&within_m=300&limit=20000",
        Some(&planner),
        None,
    )
    .await;
    let listed = uncovered["features"].as_array().unwrap().len();
    assert!(listed > 0);
    until(
        &client,
        &format!("return window.gridmapMap.getSource('coverage-uncovered')._data.geojson.features?.length === {listed}"),
        "the uncovered buildings on the map",
    )
    .await;

    // Suggestions: three sites on the map and in the list, exported.
    click_id(&client, "suggest-run").await;
    until(
        &client,
        "return document.getElementById('suggest-result').dataset.sites === '3'",
        "three suggested sites",
    )
    .await;
    let said = js(
        &client,
        "return document.getElementById('suggest-result').textContent",
        vec![],
    )
    .await;
    assert!(said.as_str().unwrap().contains("覆盖率由"), "{said}");
    let on_map = js(
        &client,
        "return window.gridmapMap.getSource('site-suggestions')._data.geojson.features.length",
        vec![],
    )
    .await;
    assert_eq!(on_map, json!(3));
    let items = js(
        &client,
        "return document.querySelectorAll('#suggest-list li').length",
        vec![],
    )
    .await;
    assert_eq!(items, json!(3));
    screenshot(&client, "planner-coverage").await;
    no_errors(&client, "planner coverage").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_map_on_a_phone_is_a_map_with_a_bottom_sheet() {
    let (_dir, _store, state, base) = served_district(30_000, 6).await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = browser_sized(profile.path(), 390, 844).await;
    client.goto(&format!("{base}/")).await.unwrap();
    wait_ready(&client).await;
    no_errors(&client, "public on a phone").await;
    let layout = |client: Client| async move {
        js(
            &client,
            "const r = (id) => document.getElementById(id).getBoundingClientRect(); \
             return { map: r('map').height, top: r('panel').top, panel: r('panel').height, \
                      search: r('search').top, sheet: document.body.dataset.sheet };",
            vec![],
        )
        .await
    };
    let peek = layout(client.clone()).await;
    assert_eq!(peek["map"].as_f64(), Some(844.0), "{peek}");
    let top = peek["top"].as_f64().unwrap();
    assert!(
        top >= 844.0 * 0.5,
        "the panel leaves the map {top} px: {peek}"
    );
    let search = peek["search"].as_f64().unwrap();
    assert!(
        search > top && search < 844.0 - 30.0,
        "search out of reach: {peek}"
    );
    assert!(rendered(&client, "communities-fill").await > 0);

    // Search a station and open it: the map flies there, the sheet shows it.
    let station = {
        let engine = read(&state.engine);
        let (_, s) = engine
            .station_info()
            .iter()
            .min_by_key(|(id, _)| *id)
            .unwrap();
        s.clone()
    };
    client
        .find(fantoccini::Locator::Id("search"))
        .await
        .unwrap()
        .send_keys(&station.name)
        .await
        .unwrap();
    until(
        &client,
        "return document.querySelectorAll('#results li').length > 0",
        "search results",
    )
    .await;
    client
        .find(fantoccini::Locator::Css("#results li"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let shown = details(&client).await;
    assert!(shown.contains(&station.name), "{shown}");
    screenshot(&client, "public-phone").await;

    // Nearest to me (no position in a headless browser: the map's centre, on a building):
    // the stations on foot, the walking area and the route to the nearest.
    let here = {
        let engine = read(&state.engine);
        engine.buildings().entries()[40].1.interior_point().unwrap()
    };
    jump_to(&client, here, 15.0).await;
    click_id(&client, "nearest").await;
    until(
        &client,
        "return document.getElementById('results').dataset.mode === 'walk'",
        "the nearest stations on foot",
    )
    .await;
    let first = js(
        &client,
        "return document.querySelector('#results li').textContent",
        vec![],
    )
    .await;
    assert!(first.as_str().unwrap().contains("步行"), "{first}");
    let drawn = js(
        &client,
        "const w = window.gridmapMap.getSource('walk')._data.geojson; \
         const r = window.gridmapMap.getSource('walk-route')._data.geojson; \
         return [w.geometry && w.geometry.type, r.geometry && r.geometry.type];",
        vec![],
    )
    .await;
    assert_eq!(drawn, json!(["MultiPolygon", "LineString"]));

    // The handle raises the sheet, lowers it to a strip, and back.
    click_id(&client, "sheet-handle").await;
    until(
        &client,
        "return document.getElementById('panel').getBoundingClientRect().height > 700",
        "the raised sheet",
    )
    .await;
    click_id(&client, "sheet-handle").await;
    until(
        &client,
        "return document.getElementById('panel').getBoundingClientRect().height < 80",
        "the lowered sheet",
    )
    .await;
    let low: Value = layout(client.clone()).await;
    assert_eq!(low["sheet"], json!("low"));
    click_id(&client, "sheet-handle").await;
    until(
        &client,
        "return document.body.dataset.sheet === 'peek'",
        "the sheet back",
    )
    .await;
    no_errors(&client, "public on a phone after using the sheet").await;
    client.close().await.unwrap();
}
