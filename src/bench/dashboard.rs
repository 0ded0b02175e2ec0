//! The leaders' dashboard at a city's scale: a year of incidents at Xi'an's rate (20,000 a
//! day, ≈ 7.3 million, each with its steps) written into PostGIS by SQL, the server loaded
//! from it, and every dashboard query over HTTP timed beside the same figures computed by a
//! plain SQL `GROUP BY` in the same database, with the figures compared.

use super::BenchServer;
use crate::api::AppState;
use crate::store::Store;
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use sqlx::{PgPool, Row};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// Ids of the benchmark's incidents start with this, so a second run reuses them.
const ID_PREFIX: &str = "Y";

/// What to run.
#[derive(Debug, Clone)]
pub struct DashboardBenchOptions {
    /// Incidents over the year (Xi'an: 20,000 a day).
    pub incidents: u64,
    /// Timed runs of each query.
    pub runs: usize,
}

/// One query, both ways.
#[derive(Debug, Clone, Serialize)]
pub struct QueryTiming {
    pub name: String,
    /// Units answered (rows of the table or periods of the trend).
    pub units: usize,
    pub http_ms_median: f64,
    pub http_ms_max: f64,
    pub sql_ms_median: f64,
    /// SQL over HTTP (how many times faster the dashboard is).
    pub ratio: f64,
    /// Units whose reported or closed counts differ between the two.
    pub mismatches: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct DashboardBenchReport {
    pub incidents: u64,
    pub incident_events: u64,
    pub fill_s: f64,
    pub server_load_s: f64,
    pub queries: Vec<QueryTiming>,
}

impl DashboardBenchReport {
    pub fn lines(&self) -> String {
        let mut out = format!(
            "{} incidents, {} steps (filled in {:.0} s); server loaded in {:.1} s\n",
            self.incidents, self.incident_events, self.fill_s, self.server_load_s
        );
        for q in &self.queries {
            out.push_str(&format!(
                "{:<34} {:>5} units  HTTP median {:>7.1} ms (max {:>7.1})  SQL GROUP BY {:>8.1} ms  {:>6.1}×  {} differ\n",
                q.name, q.units, q.http_ms_median, q.http_ms_max, q.sql_ms_median, q.ratio, q.mismatches
            ));
        }
        out
    }
}

/// Writes the year of incidents and their steps when the database has fewer than asked.
async fn fill(pool: &PgPool, incidents: u64, say: &dyn Fn(&str)) -> Result<f64, sqlx::Error> {
    let have: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents WHERE id LIKE 'Y%'")
        .fetch_one(pool)
        .await?;
    if have as u64 >= incidents {
        say(&format!("{have} benchmark incidents already there"));
        return Ok(0.0);
    }
    say(&format!(
        "writing {incidents} incidents over the last 365 days and their steps (a few minutes)…"
    ));
    let t = Instant::now();
    // One connection: the temporary table is its own.
    let mut conn = pool.acquire().await?;
    let conn = &mut *conn;
    sqlx::query("DELETE FROM incidents WHERE id LIKE 'Y%'")
        .execute(&mut *conn)
        .await?;
    // Grids with a point inside and a worker serving them; categories with their hours.
    sqlx::query(
        "CREATE TEMP TABLE bench_grids AS \
         SELECT row_number() OVER (ORDER BY g.code) AS n, g.code, ST_PointOnSurface(g.geom) AS at, \
                (SELECT w.id FROM workers w WHERE w.grids LIKE '%' || g.code || '%' ORDER BY w.id LIMIT 1) AS worker \
         FROM grids g WHERE g.kind = 'base'",
    )
    .execute(&mut *conn)
    .await?;
    let grids: i64 = sqlx::query_scalar("SELECT count(*) FROM bench_grids")
        .fetch_one(&mut *conn)
        .await?;
    if grids == 0 {
        return Err(sqlx::Error::Protocol(
            "no base grids: partition first".into(),
        ));
    }
    let insert = format!(
        "INSERT INTO incidents (id, category, description, source, status, reported_at, grid_code, \
           assignee, geom, deadline_at, closed_at, returned_times, satisfaction) \
         SELECT '{ID_PREFIX}' || lpad(s::text, 8, '0'), c.name, c.name, \
           CASE WHEN s % 10 = 0 THEN 'resident' WHEN s % 10 < 3 THEN 'hotline' ELSE 'worker' END, \
           CASE WHEN r.closed THEN 'closed' ELSE (ARRAY['reported','assigned','in_progress','resolved'])[1 + s % 4] END, \
           r.at, g.code, g.worker, g.at, r.at + c.hours * interval '1 hour', \
           CASE WHEN r.closed THEN r.at + (random() * c.hours * 1.3 + 0.2) * interval '1 hour' END, \
           CASE WHEN s % 23 = 0 THEN 1 ELSE 0 END, \
           CASE WHEN r.closed AND s % 10 = 0 THEN (ARRAY['satisfied','satisfied','basically_satisfied','dissatisfied'])[1 + s % 4] END \
         FROM generate_series(1::bigint, {incidents}) AS s \
         CROSS JOIN LATERAL (SELECT now() - (s::float8 / {incidents}) * interval '365 days' AS at, \
                                    (s > {incidents} / 100 AND s % 50 <> 0) AS closed) r \
         JOIN bench_grids g ON g.n = 1 + (s * 7919) % {grids} \
         JOIN (VALUES (0, '环境卫生', 8), (1, '占道经营', 16), (2, '设施损坏', 72), (3, '邻里纠纷', 120), \
                      (4, '违章搭建', 480), (5, '井盖缺失', 2)) AS c(k, name, hours) ON c.k = s % 6"
    );
    sqlx::query(sqlx::AssertSqlSafe(insert))
        .execute(&mut *conn)
        .await?;
    say(&format!(
        "  incidents written in {:.0} s",
        t.elapsed().as_secs_f64()
    ));
    // Every step: reported, assigned, started, resolved and closed as far as the status goes.
    let steps = format!(
        "INSERT INTO incident_events (incident_id, action, status, at, actor, worker, note) \
         SELECT i.id, st.action, st.status, i.reported_at + st.k * interval '10 minutes', \
           CASE WHEN st.k = 0 THEN '网格员' ELSE '调度员' END, i.assignee, \
           CASE WHEN st.action = 'resolve' THEN '已处置' END \
         FROM incidents i \
         JOIN (VALUES (0, 'report', 'reported'), (1, 'assign', 'assigned'), (2, 'start', 'in_progress'), \
                      (3, 'resolve', 'resolved'), (4, 'close', 'closed')) AS st(k, action, status) \
           ON st.k <= CASE i.status WHEN 'reported' THEN 0 WHEN 'assigned' THEN 1 \
                        WHEN 'in_progress' THEN 2 WHEN 'resolved' THEN 3 ELSE 4 END \
         WHERE i.id LIKE '{ID_PREFIX}%'"
    );
    sqlx::query(sqlx::AssertSqlSafe(steps))
        .execute(&mut *conn)
        .await?;
    sqlx::query("ANALYZE incidents").execute(&mut *conn).await?;
    sqlx::query("ANALYZE incident_events")
        .execute(&mut *conn)
        .await?;
    Ok(t.elapsed().as_secs_f64())
}

/// The figures of one unit as SQL computes them: reported and closed.
type SqlFigures = BTreeMap<String, (i64, i64)>;

/// The dashboard's incident figures per unit as a plain `GROUP BY` computes them.
async fn sql_group_by(
    pool: &PgPool,
    unit: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<SqlFigures, sqlx::Error> {
    let sql = format!(
        "SELECT {unit} AS unit, count(*) AS reported, \
           count(*) FILTER (WHERE status = 'closed') AS closed, \
           count(*) FILTER (WHERE status = 'closed' AND (deadline_at IS NULL OR closed_at <= deadline_at)) AS on_time, \
           count(*) FILTER (WHERE status = 'closed' OR deadline_at < now()) AS due, \
           count(*) FILTER (WHERE status <> 'closed' AND deadline_at < now()) AS overdue, \
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - reported_at)) \
             FILTER (WHERE status = 'closed') / 3600 AS median_hours, \
           count(*) FILTER (WHERE returned_times > 0) AS returned, \
           count(*) FILTER (WHERE satisfaction = 'satisfied') AS satisfied, \
           count(*) FILTER (WHERE satisfaction = 'basically_satisfied') AS fairly, \
           count(*) FILTER (WHERE satisfaction = 'dissatisfied') AS dissatisfied \
         FROM incidents WHERE reported_at >= $1::timestamptz AND reported_at < $2::timestamptz AND {unit} IS NOT NULL \
         GROUP BY 1"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(from.to_rfc3339())
        .bind(to.to_rfc3339())
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get::<String, _>("unit"),
                (r.get::<i64, _>("reported"), r.get::<i64, _>("closed")),
            )
        })
        .collect())
}

/// Median and maximum of timings in milliseconds.
fn median_max(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    (
        ms.get(ms.len() / 2).copied().unwrap_or(0.0),
        ms.last().copied().unwrap_or(0.0),
    )
}

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

/// One GET with the token, its JSON answer read whole (the time a leader's browser waits).
async fn get_json(
    client: &HttpClient,
    url: &str,
    token: &str,
) -> Result<serde_json::Value, String> {
    let request = hyper::Request::get(url)
        .header(hyper::header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Empty::new())
        .map_err(|e| e.to_string())?;
    let response = client.request(request).await.map_err(|e| e.to_string())?;
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    let body: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{url}: {status} {body}"));
    }
    Ok(body)
}

/// Runs the benchmark on a PostGIS store holding a partitioned district.
pub async fn run(
    store: Arc<dyn Store>,
    pool: &PgPool,
    options: &DashboardBenchOptions,
    say: &dyn Fn(&str),
) -> Result<DashboardBenchReport, Box<dyn std::error::Error + Send + Sync>> {
    let fill_s = fill(pool, options.incidents, say).await?;
    let incidents: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(pool)
        .await?;
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM incident_events")
        .fetch_one(pool)
        .await?;
    say(&format!("loading the server ({incidents} incidents)…"));
    let t = Instant::now();
    let state = AppState::load(store.clone()).await?;
    let server_load_s = t.elapsed().as_secs_f64();
    let server = BenchServer::start(&state).await?;
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let now = Utc::now();
    let periods = [
        ("30 days", now - Duration::days(30)),
        ("year", now - Duration::days(366)),
    ];
    let mut queries = Vec::new();
    for (period, from) in periods {
        let range = format!(
            "from={}&to={}",
            from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        for (level, unit) in [
            ("district", "left(grid_code, 6)"),
            ("street", "left(grid_code, 9)"),
            ("community", "left(grid_code, 12)"),
            ("grid", "grid_code"),
            ("worker", "assignee"),
        ] {
            let url = format!("{}/api/dashboard?level={level}&{range}", server.base);
            let mut http = Vec::new();
            let mut answer = serde_json::Value::Null;
            for _ in 0..options.runs {
                let t = Instant::now();
                answer = get_json(&client, &url, &server.token).await?;
                http.push(t.elapsed().as_secs_f64() * 1e3);
            }
            let mut sql = Vec::new();
            let mut figures = SqlFigures::new();
            for _ in 0..options.runs.min(5) {
                let t = Instant::now();
                figures = sql_group_by(pool, unit, from, now).await?;
                sql.push(t.elapsed().as_secs_f64() * 1e3);
            }
            let rows = answer["rows"].as_array().cloned().unwrap_or_default();
            let mismatches = rows
                .iter()
                .filter(|r| {
                    let key = r["key"].as_str().unwrap_or_default();
                    let (reported, closed) = figures.get(key).copied().unwrap_or((0, 0));
                    r["reported"].as_i64() != Some(reported) || r["closed"].as_i64() != Some(closed)
                })
                .count();
            let (http_ms_median, http_ms_max) = median_max(http);
            let (sql_ms_median, _) = median_max(sql);
            let timing = QueryTiming {
                name: format!("{level}, {period}"),
                units: rows.len(),
                http_ms_median,
                http_ms_max,
                sql_ms_median,
                ratio: sql_ms_median / http_ms_median.max(1e-9),
                mismatches,
            };
            say(&format!("  {}", timing.name));
            queries.push(timing);
        }
    }
    // The year's trend by day, one area and everything.
    let year_from = now - Duration::days(366);
    let range = format!(
        "from={}&to={}",
        year_from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let url = format!("{}/api/dashboard/trend?step=day&{range}", server.base);
    let mut http = Vec::new();
    let mut points = 0;
    for _ in 0..options.runs {
        let t = Instant::now();
        let answer = get_json(&client, &url, &server.token).await?;
        http.push(t.elapsed().as_secs_f64() * 1e3);
        points = answer["points"].as_array().map_or(0, Vec::len);
    }
    let day = "to_char(reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')";
    let mut sql = Vec::new();
    for _ in 0..options.runs.min(5) {
        let t = Instant::now();
        sql_group_by(pool, day, year_from, now).await?;
        sql.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (http_ms_median, http_ms_max) = median_max(http);
    let (sql_ms_median, _) = median_max(sql);
    queries.push(QueryTiming {
        name: "trend by day, year".into(),
        units: points,
        http_ms_median,
        http_ms_max,
        sql_ms_median,
        ratio: sql_ms_median / http_ms_median.max(1e-9),
        mismatches: 0,
    });
    Ok(DashboardBenchReport {
        incidents: incidents as u64,
        incident_events: events as u64,
        fill_s,
        server_load_s,
        queries,
    })
}
