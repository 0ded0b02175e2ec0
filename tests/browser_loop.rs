//! The closed loop in people's hands, in headless Chromium: a dispatcher creates, assigns,
//! returns, reassigns and closes an incident and sees others' steps appear without a reload;
//! a grid worker on a 390 × 844 screen signs in by the QR link, starts and resolves an
//! assigned incident with a photo, reports with a photo, and a report made offline is sent
//! once when back online; a resident reports, gets a code, follows it to closed and rates it.
//! Screenshots are kept under `target/browser-artifacts/`.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use common::browser::*;
use fantoccini::{Client, Locator};
use gridmap::api::AppState;
use gridmap::domain::*;
use gridmap::engine::read;
use gridmap::store::LayerQuery;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Waits until the engine's incident `id` passes `test`.
async fn until_incident(
    state: &AppState,
    id: &IncidentId,
    test: impl Fn(&Incident) -> bool,
    what: &str,
) {
    let started = Instant::now();
    loop {
        if let Some(i) = read(&state.engine).incidents().get(id)
            && test(i)
        {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{what}: never");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Who has incident `id` now.
fn assignee(state: &AppState, id: &IncidentId) -> WorkerId {
    read(&state.engine)
        .incidents()
        .get(id)
        .and_then(|i| i.assignee.clone())
        .unwrap()
}

fn worker_name(state: &AppState, worker: &WorkerId) -> String {
    read(&state.engine)
        .workers()
        .get(worker)
        .unwrap()
        .name
        .clone()
}

/// Clicks an element; one redrawn between finding and clicking (the stream updates panels)
/// is found again.
async fn click(client: &Client, css: &str) {
    for attempt in 0.. {
        let el = client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        match el.click().await {
            Ok(()) => return,
            Err(e) if attempt < 5 && e.to_string().contains("stale element") => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("click {css}: {e}"),
        }
    }
}

async fn type_into(client: &Client, css: &str, text: &str) {
    let el = client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

/// A step through the API, as another person (a worker on a phone, another dispatcher).
async fn step(state: &AppState, token: &str, id: &IncidentId, body: Value) {
    let (status, _, bytes) = common::send(
        state,
        "POST",
        &format!("/api/incidents/{id}/steps"),
        Some(token),
        &[],
        Some(body),
    )
    .await;
    assert!(
        status.is_success(),
        "{status}: {}",
        String::from_utf8_lossy(&bytes)
    );
}

async fn sign_in(client: &Client, base: &str, token: &str) {
    client.goto(&format!("{base}/api/health")).await.unwrap();
    js(
        client,
        "localStorage.setItem('gridmap.token', arguments[0])",
        vec![json!(token)],
    )
    .await;
}

/// A JPEG photo file on disk, for a file input.
fn photo_file(dir: &std::path::Path, name: &str, shade: u8) -> String {
    let path = dir.join(name);
    image::RgbImage::from_fn(480, 360, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, shade])
    })
    .save_with_format(&path, image::ImageFormat::Jpeg)
    .unwrap();
    path.display().to_string()
}

/// A building anchor of `grid`: a point inside it.
fn point_in(state: &AppState, grid: &GridCode) -> geo_types::Point<f64> {
    let engine = read(&state.engine);
    let mut ids: Vec<&BuildingId> = engine.building_info().keys().collect();
    ids.sort();
    ids.into_iter()
        .map(|b| engine.building_info()[b].anchor)
        .find(|a| engine.grids().locate(*a) == Some(grid))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispatcher_works_an_incident_to_closure() {
    let (_dir, store, state, base) = served_district(8_000, 11).await;
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员甲").await;
    let other_dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员乙").await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = browser(profile.path()).await;
    sign_in(&client, &base, &dispatcher).await;
    client.goto(&format!("{base}/dispatch")).await.unwrap();
    wait_ready(&client).await;
    until(
        &client,
        "return document.querySelectorAll('#queue li[data-id]').length > 0",
        "the queue",
    )
    .await;
    js(&client, "window.sameDocument = true", vec![]).await;
    assert!(
        js(
            &client,
            "return document.getElementById('legend').innerText",
            vec![]
        )
        .await
        .as_str()
        .unwrap()
        .contains("事件")
    );

    // A hotline call: the building searched by name, the incident created and opened.
    let building = store
        .buildings(&LayerQuery {
            limit: Some(2000),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.name.as_ref().is_some_and(|n| n.chars().count() >= 3) && b.grid.is_some())
        .unwrap();
    let before: usize = read(&state.engine).incidents().len();
    click(&client, "#hotline-new").await;
    type_into(
        &client,
        "#hotline-search",
        building.name.as_deref().unwrap(),
    )
    .await;
    until(
        &client,
        "return document.querySelectorAll('#hotline-results li[data-i]').length > 0",
        "building found",
    )
    .await;
    click(&client, "#hotline-results li[data-i]").await;
    type_into(
        &client,
        "#hotline-description",
        "来电反映：楼道堆放杂物，堵塞消防通道",
    )
    .await;
    click(&client, "#hotline-submit").await;
    let started = Instant::now();
    let id = loop {
        let found = read(&state.engine)
            .incidents()
            .all()
            .find(|i| i.description.starts_with("来电反映"))
            .map(|i| (i.id.clone(), i.source));
        if let Some((id, source)) = found {
            assert_eq!(source, IncidentSource::Hotline);
            break id;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no hotline incident"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(read(&state.engine).incidents().len(), before + 1);
    let opened = format!("return document.getElementById('details').dataset.code === '{id}'");
    until(&client, &opened, "the new incident opened").await;

    // Assign to the nearest on-duty worker (another than the one a report is given at once).
    let status_is =
        |s: &str| format!("return document.getElementById('details').dataset.status === '{s}'");
    let at_once = read(&state.engine)
        .incidents()
        .get(&id)
        .unwrap()
        .assignee
        .clone();
    click(&client, "#step-buttons [data-action=assign]").await;
    until(
        &client,
        "return document.querySelectorAll('#nearest-workers button').length > 0",
        "nearest workers",
    )
    .await;
    click(&client, "#nearest-workers button").await;
    until_incident(
        &state,
        &id,
        |i| i.status == IncidentStatus::Assigned && i.assignee.is_some() && i.assignee != at_once,
        "assigned",
    )
    .await;
    let first = assignee(&state, &id);
    let first_name = worker_name(&state, &first);
    until(
        &client,
        &format!("return document.getElementById('details').innerText.includes('{first_name}')"),
        "names, not ids",
    )
    .await;
    until(
        &client,
        &status_is("assigned"),
        "the panel shows the assignment",
    )
    .await;

    // Return needs a reason; then it is returned.
    click(&client, "#step-buttons [data-action=return]").await;
    click(&client, "#step-confirm").await;
    until(
        &client,
        "return document.getElementById('step-status').textContent.includes('退回原因')",
        "reason asked",
    )
    .await;
    type_into(&client, "#step-note", "不在该网格员负责范围").await;
    click(&client, "#step-confirm").await;
    until_incident(
        &state,
        &id,
        |i| i.status == IncidentStatus::Returned,
        "returned",
    )
    .await;
    until(
        &client,
        &status_is("returned"),
        "the panel shows the return",
    )
    .await;

    // Reassign to any on-duty worker from the list.
    click(&client, "#step-buttons [data-action=assign]").await;
    until(
        &client,
        "return document.querySelectorAll('#any-worker option').length > 0",
        "on-duty workers",
    )
    .await;
    click(&client, "#assign-any").await;
    until_incident(
        &state,
        &id,
        |i| i.status == IncidentStatus::Assigned,
        "reassigned",
    )
    .await;
    let second = assignee(&state, &id);

    // Another dispatcher returns it; the panel follows without a reload.
    step(
        &state,
        &other_dispatcher,
        &id,
        json!({"action": "return", "note": "地址需核实"}),
    )
    .await;
    until(
        &client,
        &status_is("returned"),
        "another dispatcher's step shown",
    )
    .await;
    until(
        &client,
        "return document.getElementById('timeline').innerText.includes('调度员乙')",
        "who did it",
    )
    .await;
    step(
        &state,
        &other_dispatcher,
        &id,
        json!({"action": "assign", "worker": second.0}),
    )
    .await;
    until(
        &client,
        &status_is("assigned"),
        "reassigned by the other dispatcher",
    )
    .await;

    // The worker starts and resolves on the phone; the panel follows; the dispatcher closes.
    let worker_token = common::worker_token(store.as_ref(), &second).await;
    step(&state, &worker_token, &id, json!({"action": "start"})).await;
    step(
        &state,
        &worker_token,
        &id,
        json!({"action": "resolve", "note": "已清理完毕"}),
    )
    .await;
    until(&client, &status_is("resolved"), "the worker's steps shown").await;
    click(&client, "#step-buttons [data-action=close]").await;
    click(&client, "#step-confirm").await;
    until_incident(
        &state,
        &id,
        |i| i.status == IncidentStatus::Closed,
        "closed",
    )
    .await;
    until(&client, &status_is("closed"), "closed shown").await;
    assert_eq!(
        js(&client, "return window.sameDocument === true", vec![]).await,
        json!(true),
        "never reloaded"
    );
    let timeline = js(
        &client,
        "return document.getElementById('timeline').innerText",
        vec![],
    )
    .await;
    for action in ["上报", "派遣", "退回", "开始处置", "办结", "核查关闭"] {
        assert!(
            timeline.as_str().unwrap().contains(action),
            "{action} in {timeline}"
        );
    }
    screenshot(&client, "dispatch-workbench").await;

    // At low zoom workers are aggregated.
    js(&client, "window.gridmapMap.jumpTo({ zoom: 11 })", vec![]).await;
    idle(&client).await;
    assert!(rendered(&client, "worker-clusters-circle").await > 0);
    screenshot(&client, "dispatch-workers-aggregated").await;
    no_errors(&client, "dispatch workbench").await;
    client.close().await.unwrap();
}

/// Chromium's network switched off or on (DevTools through ChromeDriver).
async fn network(client: &Client, offline: bool) {
    for (cmd, params) in [
        ("Network.enable", json!({})),
        (
            "Network.emulateNetworkConditions",
            json!({"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
        ),
    ] {
        client
            .issue_cmd(DevTools { cmd, params })
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    }
}

#[derive(Debug)]
struct DevTools {
    cmd: &'static str,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(json!({"cmd": self.cmd, "params": self.params}).to_string()),
        )
    }
}

/// Makes the phone's position `at`.
async fn position(client: &Client, at: geo_types::Point<f64>) {
    js(
        client,
        "const [lon, lat] = arguments[0];
         const fix = (ok) => ok({ coords: { longitude: lon, latitude: lat, accuracy: 8 }, timestamp: Date.now() });
         Object.defineProperty(navigator.geolocation, 'getCurrentPosition', { value: (ok) => fix(ok), configurable: true });
         Object.defineProperty(navigator.geolocation, 'watchPosition', { value: (ok) => { fix(ok); return 1; }, configurable: true });",
        vec![json!([at.x(), at.y()])],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_reports_and_resolves_on_a_phone() {
    let (_dir, store, state, base) = served_district(8_000, 12).await;
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let planner = common::token(store.as_ref(), Role::Planner, "规划员").await;
    let workers = store.workers(&LayerQuery::default()).await.unwrap();
    let me = workers
        .iter()
        .find(|w| w.grids.len() == 1 && !w.is_retired())
        .unwrap()
        .clone();
    let grid = me.grids[0].clone();

    // The planner's sign-in code carries the link the phone opens.
    let (status, _, bytes) = common::send(
        &state,
        "POST",
        &format!("/api/workers/{}/sign-in-code", me.id),
        Some(&planner),
        &[],
        None,
    )
    .await;
    assert!(status.is_success());
    let code: Value = serde_json::from_slice(&bytes).unwrap();
    // Sent without a Host header, the link names localhost; the phone here reaches `base`.
    let link = code["url"]
        .as_str()
        .unwrap()
        .replace("http://localhost", &base);

    // An incident of the worker's grid assigned to it.
    let here = point_in(&state, &grid);
    let (status, _, bytes) = common::send(
        &state, "POST", "/api/incidents", Some(&dispatcher), &[],
        Some(json!({"lon": here.x(), "lat": here.y(), "category": "环境卫生", "description": "垃圾桶满溢", "source": "hotline"})),
    )
    .await;
    assert!(status.is_success(), "{}", String::from_utf8_lossy(&bytes));
    let assigned = IncidentId(
        serde_json::from_slice::<Value>(&bytes).unwrap()["properties"]["id"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    step(
        &state,
        &dispatcher,
        &assigned,
        json!({"action": "assign", "worker": me.id.0}),
    )
    .await;

    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = browser_sized(profile.path(), 390, 844).await;
    client.goto(&link).await.unwrap();
    until(
        &client,
        "return document.body.dataset.ready === 'true'",
        "the app",
    )
    .await;
    assert_eq!(
        js(&client, "return location.hash", vec![]).await,
        json!(""),
        "the token leaves the address"
    );
    assert_eq!(
        js(
            &client,
            "return document.getElementById('who').textContent",
            vec![]
        )
        .await,
        json!(me.name)
    );
    assert_eq!(js(&client, "return innerWidth", vec![]).await, json!(390));
    assert_eq!(
        js(
            &client,
            "return document.querySelector('link[rel=manifest]').href",
            vec![]
        )
        .await,
        json!(format!("{base}/worker.webmanifest"))
    );
    until(&client, "return navigator.serviceWorker.controller !== null || navigator.serviceWorker.getRegistration('/worker').then(r => Boolean(r))", "service worker").await;

    // Start and resolve the assigned incident with a note and a photo.
    let task = format!("#tasks-assigned li[data-id='{assigned}']");
    until(
        &client,
        &format!("return document.querySelector(\"{task}\") !== null"),
        "the task",
    )
    .await;
    click(&client, &format!("{task} button[data-step=start]")).await;
    until_incident(
        &state,
        &assigned,
        |i| i.status == IncidentStatus::InProgress,
        "started",
    )
    .await;
    until(
        &client,
        &format!("return document.querySelector(\"{task} button[data-step=resolve]\") !== null"),
        "resolve offered",
    )
    .await;
    // Open the resolve form; a list refreshed by a late event closes it, so open it again
    // until its photo input is there.
    until(
        &client,
        &format!(
            "if (document.querySelector(\"{task} input[type=file]\")) return true; \
             const b = document.querySelector(\"{task} button[data-step=resolve]\"); \
             if (b) b.click(); return false"
        ),
        "the resolve form",
    )
    .await;
    let photos = tempfile::tempdir().unwrap();
    client
        .find(Locator::Css(&format!("{task} input[type=file]")))
        .await
        .unwrap()
        .send_keys(&photo_file(photos.path(), "done.jpg", 40))
        .await
        .unwrap();
    type_into(&client, &format!("{task} textarea"), "已清运，周边已打扫").await;
    screenshot(&client, "worker-resolve").await;
    click(&client, &format!("{task} .step-form button")).await;
    until_incident(
        &state,
        &assigned,
        |i| i.status == IncidentStatus::Resolved,
        "resolved",
    )
    .await;
    let events = store.incident_events(&assigned).await.unwrap();
    let resolve = events
        .iter()
        .find(|e| e.action == IncidentAction::Resolve)
        .unwrap();
    assert_eq!(resolve.photos.len(), 1, "the photo goes with the step");

    // Report with a photo, at the phone's position.
    position(&client, here).await;
    click(&client, "#tabs button[data-tab=report]").await;
    until(
        &client,
        "return document.getElementById('report-position').textContent.includes('北纬')",
        "located",
    )
    .await;
    client
        .find(Locator::Css("#report-photos"))
        .await
        .unwrap()
        .send_keys(&photo_file(photos.path(), "scene.jpg", 90))
        .await
        .unwrap();
    type_into(&client, "#report-description", "路灯不亮，夜间行人不便").await;
    click(&client, "#report-submit").await;
    let reported = |text: &'static str| {
        let state = state.clone();
        move || {
            read(&state.engine)
                .incidents()
                .all()
                .filter(|i| i.description == text)
                .map(|i| (i.id.clone(), i.grid.clone(), i.source))
                .collect::<Vec<_>>()
        }
    };
    let started = Instant::now();
    while reported("路灯不亮，夜间行人不便")().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the report never arrived"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (id, in_grid, source) = reported("路灯不亮，夜间行人不便")()[0].clone();
    assert_eq!(
        (in_grid.as_ref(), source),
        (Some(&grid), IncidentSource::Worker)
    );
    let first = store.incident_events(&id).await.unwrap();
    assert_eq!(first[0].photos.len(), 1, "the report's photo");
    screenshot(&client, "worker-report").await;

    // Offline: the report waits in the outbox; back online it is sent once.
    network(&client, true).await;
    until(&client, "return navigator.onLine === false", "offline").await;
    type_into(&client, "#report-description", "井盖松动，有安全隐患").await;
    click(&client, "#report-submit").await;
    until(
        &client,
        "return document.getElementById('outbox').dataset.count === '1'",
        "kept in the outbox",
    )
    .await;
    assert!(
        js(
            &client,
            "return document.getElementById('report-status').textContent",
            vec![]
        )
        .await
        .as_str()
        .unwrap()
        .contains("待发送")
    );
    screenshot(&client, "worker-offline").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        reported("井盖松动，有安全隐患")().is_empty(),
        "nothing arrives while offline"
    );
    network(&client, false).await;
    until(
        &client,
        "return document.getElementById('outbox').dataset.count === '0'",
        "the outbox sent",
    )
    .await;
    assert_eq!(reported("井盖松动，有安全隐患")().len(), 1);
    js(&client, "window.dispatchEvent(new Event('online'))", vec![]).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        reported("井盖松动，有安全隐患")().len(),
        1,
        "sent once, never twice"
    );
    no_errors(&client, "worker app").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_reports_follows_and_rates() {
    let (_dir, store, state, base) = served_district(8_000, 13).await;
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = browser_sized(profile.path(), 390, 844).await;
    client.goto(&format!("{base}/")).await.unwrap();
    wait_ready(&client).await;

    // Report by tapping the map where the problem is.
    let grid = read(&state.engine)
        .grids()
        .in_box([-180.0, -90.0], [180.0, 90.0])
        .into_iter()
        .min()
        .unwrap()
        .clone();
    let here = point_in(&state, &grid);
    click(&client, "#report-open").await;
    until(
        &client,
        "return document.querySelectorAll('#report-category option').length > 0",
        "public categories",
    )
    .await;
    jump_to(&client, here, 16.0).await;
    click_lonlat(&client, here).await;
    until(
        &client,
        "return document.getElementById('report-at').textContent.includes('已选定')",
        "the place",
    )
    .await;
    type_into(&client, "#report-description", "小区门口井盖缺失").await;
    click(&client, "#report-submit").await;
    until(
        &client,
        "return document.getElementById('tracking-code') !== null",
        "a tracking code",
    )
    .await;
    let code = js(
        &client,
        "return document.getElementById('tracking-code').textContent",
        vec![],
    )
    .await;
    let code = code.as_str().unwrap().to_string();
    assert_eq!(code.replace('-', "").len(), 12, "{code}");
    screenshot(&client, "resident-report").await;
    let id = read(&state.engine)
        .incidents()
        .all()
        .find(|i| i.description == "小区门口井盖缺失")
        .map(|i| {
            assert_eq!(i.source, IncidentSource::Resident);
            i.id.clone()
        })
        .unwrap();

    // Staff work it to closure.
    let worker = read(&state.engine).nearest_workers(here, 1)[0]
        .worker
        .clone();
    let worker_token = common::worker_token(store.as_ref(), &worker).await;
    if read(&state.engine)
        .incidents()
        .get(&id)
        .unwrap()
        .assignee
        .as_ref()
        != Some(&worker)
    {
        step(
            &state,
            &dispatcher,
            &id,
            json!({"action": "assign", "worker": worker.0}),
        )
        .await;
    }
    step(&state, &worker_token, &id, json!({"action": "start"})).await;
    step(
        &state,
        &worker_token,
        &id,
        json!({"action": "resolve", "note": "已补装井盖"}),
    )
    .await;
    step(&state, &dispatcher, &id, json!({"action": "close"})).await;

    // The status page: times only, then a rating.
    client.goto(&format!("{base}/?track={code}")).await.unwrap();
    wait_ready(&client).await;
    until(
        &client,
        "return document.getElementById('track-status')?.dataset.status === 'closed'",
        "closed shown",
    )
    .await;
    let page = js(
        &client,
        "return document.getElementById('track-result').innerText",
        vec![],
    )
    .await;
    let worker_name = worker_name(&state, &worker);
    for secret in [
        "小区门口井盖缺失",
        "已补装井盖",
        worker_name.as_str(),
        "调度员",
    ] {
        assert!(
            !page.as_str().unwrap().contains(secret),
            "{secret} shown to the public: {page}"
        );
    }
    click(&client, "input[name=rating][value=basically_satisfied]").await;
    type_into(&client, "#rating-comment", "处理及时，希望定期巡查").await;
    click(&client, "#rating-send").await;
    until(
        &client,
        "return document.getElementById('rated') !== null",
        "rated",
    )
    .await;
    assert!(
        js(
            &client,
            "return document.getElementById('rated').textContent",
            vec![]
        )
        .await
        .as_str()
        .unwrap()
        .contains("基本满意")
    );
    let (_, _, bytes) = common::send(
        &state,
        "GET",
        &format!("/api/public/reports/{code}"),
        None,
        &[],
        None,
    )
    .await;
    let status: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(status["report"]["rating"], "basically_satisfied");
    screenshot(&client, "resident-rated").await;
    no_errors(&client, "resident").await;
    client.close().await.unwrap();
}
