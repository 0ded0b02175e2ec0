//! Leaders in headless Chromium: the dashboard's figures equal the API's statistics for the
//! same period, a row leads one level down, the map is coloured with a legend, and switching
//! to English translates the open dashboard. Screenshots under `target/browser-artifacts/`.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use common::browser::*;
use fantoccini::Client;
use gridmap::domain::*;
use serde_json::{Value, json};

/// Chooses `value` in the select or input `id` as a person would (a change event).
async fn choose(client: &Client, id: &str, value: &str) {
    js(
        client,
        "const s = document.getElementById(arguments[0]); s.value = arguments[1]; \
         document.getElementById('dashboard').dataset.loaded = 'false'; \
         s.dispatchEvent(new Event('change'));",
        vec![json!(id), json!(value)],
    )
    .await;
    until(
        client,
        "return document.getElementById('dashboard').dataset.loaded === 'true'",
        "the dashboard reloaded",
    )
    .await;
}

/// The table's rows: code → the texts of its cells by indicator.
async fn table(client: &Client) -> Vec<(String, Value)> {
    let rows = js(
        client,
        "return [...document.querySelectorAll('#dash-table tbody tr[data-key]')].map((tr) => \
         [tr.dataset.key, Object.fromEntries([...tr.querySelectorAll('td[data-key]')].map((td) => [td.dataset.key, td.textContent]))])",
        vec![],
    )
    .await;
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_str().unwrap().to_string(), r[1].clone()))
        .collect()
}

fn number(text: &Value) -> f64 {
    let digits: String = text
        .as_str()
        .unwrap()
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    digits.parse().unwrap()
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_reads_the_dashboard() {
    let (_dir, store, state, base) = served_district(8_000, 14).await;
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "区领导").await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = browser(profile.path()).await;
    client.goto(&format!("{base}/api/health")).await.unwrap();
    js(
        &client,
        "localStorage.setItem('gridmap.token', arguments[0])",
        vec![json!(dispatcher)],
    )
    .await;
    client.goto(&format!("{base}/dashboard")).await.unwrap();
    wait_ready(&client).await;
    until(
        &client,
        "return document.getElementById('dashboard').dataset.loaded === 'true'",
        "the dashboard",
    )
    .await;
    // The generated district's incidents are of October and November 2026.
    choose(&client, "dash-from", "2026-10-01").await;
    choose(&client, "dash-level", "community").await;

    // The figures shown equal the statistics the API answers for the same period.
    let query = js(
        &client,
        "return document.getElementById('dashboard').dataset.query",
        vec![],
    )
    .await;
    let query = query.as_str().unwrap();
    let period = query
        .split('&')
        .filter(|p| p.starts_with("from=") || p.starts_with("to="))
        .collect::<Vec<_>>()
        .join("&");
    let (status, stats) = common::call(
        &state,
        "GET",
        &format!("/api/incidents/stats?by=community&{period}"),
        Some(&dispatcher),
        None,
    )
    .await;
    assert_eq!(status, axum::http::StatusCode::OK, "{stats}");
    let rows = table(&client).await;
    let areas = stats["areas"].as_array().unwrap();
    assert!(
        !areas.is_empty(),
        "the demo has incidents in the last 30 days"
    );
    for area in areas {
        let code = area["area"].as_str().unwrap();
        let (_, cells) = rows
            .iter()
            .find(|(k, _)| k == code)
            .unwrap_or_else(|| panic!("{code} is in the table"));
        assert_eq!(
            number(&cells["reported"]),
            area["reported"].as_f64().unwrap(),
            "{code}"
        );
        let rate = (area["closure_rate"].as_f64().unwrap() * 1000.0).round() / 10.0;
        assert_eq!(number(&cells["closure_rate"]), rate, "{code}: {cells}");
        assert!(
            cells["reported"].as_str().unwrap().ends_with('件'),
            "counts carry their measure word: {cells}"
        );
    }
    // The map is coloured by the indicator and has its legend.
    until(
        &client,
        "return !document.getElementById('legend').hidden && document.getElementById('legend').textContent.includes('办结率')",
        "the legend of the indicator",
    )
    .await;
    let painted = js(
        &client,
        "return JSON.stringify(gridmapMap.getPaintProperty('dashboard-communities', 'fill-color'))",
        vec![],
    )
    .await;
    assert!(painted.as_str().unwrap().contains("match"), "{painted}");
    screenshot(&client, "dashboard-communities").await;

    // Ranked by a heading: overdue, fewest first.
    js(
        &client,
        "document.querySelector('#dash-table th[data-key=overdue_now]').click()",
        vec![],
    )
    .await;
    let ranked = table(&client).await;
    let overdue: Vec<f64> = ranked
        .iter()
        .map(|(_, c)| number(&c["overdue_now"]))
        .collect();
    assert!(overdue.windows(2).all(|w| w[0] <= w[1]), "{overdue:?}");

    // A row leads one level down: the community's grids.
    let community = ranked[0].0.clone();
    js(
        &client,
        "document.getElementById('dashboard').dataset.loaded = 'false'; \
         document.querySelector(`#dash-table tbody tr[data-key='${arguments[0]}']`).click()",
        vec![json!(community)],
    )
    .await;
    until(
        &client,
        "return document.getElementById('dashboard').dataset.loaded === 'true'",
        "the community's grids",
    )
    .await;
    let grids = table(&client).await;
    assert!(!grids.is_empty());
    assert!(
        grids
            .iter()
            .all(|(k, _)| k.len() == 15 && k.starts_with(&community))
    );

    // English translates the open dashboard: headings, tiles, options and measure words.
    js(&client, "document.getElementById('lang').click()", vec![]).await;
    let texts = js(
        &client,
        "return [...document.querySelectorAll('#dashboard h2, #dashboard th, #dashboard .tile span, #dashboard option, #dashboard button, #dashboard td[data-key]')].map((e) => e.textContent)",
        vec![],
    )
    .await;
    let chinese: Vec<&str> = texts
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .filter(|s| has_chinese(s))
        .collect();
    assert!(chinese.is_empty(), "left in Chinese: {chinese:?}");
    assert!(texts.to_string().contains("Closure rate"), "{texts}");
    screenshot(&client, "dashboard-english").await;
    no_errors(&client, "dashboard").await;
}
