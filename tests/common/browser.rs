//! Driving headless Chromium (Debian's, through ChromeDriver) for the browser tests: a
//! session at a window size, page scripts, waiting for the map, clicks on the map and
//! screenshots kept under `target/browser-artifacts/`.

use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The ChromeDriver process, stopped when dropped.
pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A browser session at 1280 × 800.
pub async fn browser(profile: &std::path::Path) -> (Driver, Client) {
    browser_sized(profile, 1280, 800).await
}

/// A browser session with a window of `width` × `height` (a phone: 390 × 844).
pub async fn browser_sized(profile: &std::path::Path, width: u32, height: u32) -> (Driver, Client) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (Debian package chromium-driver) is required: apt-get install chromium chromium-driver fonts-noto-cjk");
    let driver = Driver(child);
    let mut caps = serde_json::Map::new();
    let mut options = json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--use-angle=swiftshader",
                "--enable-unsafe-swiftshader", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic",
                "--no-first-run", format!("--window-size={width},{height}"), "--lang=zh-CN",
                format!("--user-data-dir={}", profile.display()),
            ]
    });
    // A window is at least 500 px wide: a phone's screen is emulated instead.
    if width < 500 {
        options["mobileEmulation"] = json!({
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 3.0, "touch": true, "mobile": true},
            "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36",
        });
    }
    caps.insert("goog:chromeOptions".into(), options);
    let started = Instant::now();
    loop {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (driver, client),
            Err(e) if started.elapsed() < Duration::from_secs(20) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("no WebDriver session: {e}"),
        }
    }
}

pub async fn js(client: &Client, script: &str, args: Vec<Value>) -> Value {
    client
        .execute(script, args)
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Waits until the page says the map is drawn (`body[data-ready]`), then for the map to idle.
pub async fn wait_ready(client: &Client) {
    let started = Instant::now();
    while js(
        client,
        "return document.body.dataset.ready === 'true'",
        vec![],
    )
    .await
        != json!(true)
    {
        if started.elapsed() > Duration::from_secs(60) {
            let state = js(
                client,
                "return [window.gridmapErrors, document.getElementById('status').textContent, Boolean(window.gridmapMap)]",
                vec![],
            )
            .await;
            panic!("the map never became ready: {state}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    idle(client).await;
}

pub async fn idle(client: &Client) {
    let started = Instant::now();
    while js(
        client,
        "const m = window.gridmapMap; return m.loaded() && m.areTilesLoaded() && !m.isMoving();",
        vec![],
    )
    .await
        != json!(true)
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "tiles never finished loading"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
}

pub async fn no_errors(client: &Client, view: &str) {
    let errors = js(client, "return window.gridmapErrors", vec![]).await;
    assert_eq!(errors, json!([]), "{view}: errors on the page");
}

pub async fn rendered(client: &Client, layer: &str) -> u64 {
    js(
        client,
        "return window.gridmapMap.queryRenderedFeatures({ layers: [arguments[0]] }).length",
        vec![json!(layer)],
    )
    .await
    .as_u64()
    .unwrap()
}

/// Clicks the map where a lon/lat point is drawn.
pub async fn click_lonlat(client: &Client, at: geo_types::Point<f64>) {
    let p = js(
        client,
        "const p = window.gridmapMap.project(arguments[0]); return [p.x, p.y];",
        vec![json!([at.x(), at.y()])],
    )
    .await;
    click_map(client, p[0].as_f64().unwrap(), p[1].as_f64().unwrap()).await;
}

/// Clicks a page element by id.
pub async fn click_id(client: &Client, id: &str) {
    client
        .find(fantoccini::Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click #{id}: {e}"));
}

/// Clicks the map at a pixel of its canvas (a real pointer event).
pub async fn click_map(client: &Client, x: f64, y: f64) {
    let origin = js(
        client,
        "const r = window.gridmapMap.getCanvas().getBoundingClientRect(); return [r.left, r.top];",
        vec![],
    )
    .await;
    let (left, top) = (origin[0].as_f64().unwrap(), origin[1].as_f64().unwrap());
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x: (left + x).round(),
            y: (top + y).round(),
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    client.perform_actions(mouse).await.expect("click");
    tokio::time::sleep(Duration::from_millis(400)).await;
}

pub async fn screenshot(client: &Client, view: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.expect("screenshot");
    assert!(
        png.len() > 10_000,
        "{view}: screenshot of {} bytes",
        png.len()
    );
    std::fs::write(dir.join(format!("{view}.png")), png).unwrap();
}

pub async fn details(client: &Client) -> String {
    js(
        client,
        "return document.getElementById('details').innerText",
        vec![],
    )
    .await
    .as_str()
    .unwrap()
    .to_string()
}

/// Centres the map on `at` at `zoom` and waits for it to draw.
pub async fn jump_to(client: &Client, at: geo_types::Point<f64>, zoom: f64) {
    js(
        client,
        "window.gridmapMap.jumpTo({ center: arguments[0], zoom: arguments[1] });",
        vec![json!([at.x(), at.y()]), json!(zoom)],
    )
    .await;
    idle(client).await;
}

/// A partitioned, staffed district in a fresh GeoPackage, served on a loopback port (with
/// each connection's peer address, as `serve` does): its temporary directory, store, state
/// and base URL.
pub async fn served_district(
    households: u32,
    seed: u64,
) -> (
    tempfile::TempDir,
    std::sync::Arc<dyn gridmap::store::Store>,
    gridmap::api::AppState,
    String,
) {
    let (dir, store) = super::fresh_gpkg().await;
    super::partitioned_district(store.as_ref(), households, seed).await;
    gridmap::service::staffing::settle(store.as_ref())
        .await
        .expect("staffing");
    let state = gridmap::api::AppState::load(store.clone())
        .await
        .expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("its address"));
    let served = gridmap::api::app(state.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(axum::serve(listener, served).into_future());
    (dir, store, state, base)
}

/// Waits until `script` answers true in the page.
pub async fn until(client: &Client, script: &str, what: &str) {
    let started = Instant::now();
    while js(client, script, vec![]).await != json!(true) {
        if started.elapsed() > Duration::from_secs(20) {
            let page = js(
                client,
                "return [window.gridmapErrors, document.body.innerText.slice(0, 2000)]",
                vec![],
            )
            .await;
            panic!("{what}: never; page: {page}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}
