//! The engine's side of `gridmap bench dashboard`: a year of incidents at Xi'an's rate (20,000
//! a day, 7.3 million) held in memory, evaluated per district, street, community, grid and
//! worker and as a trend by day — what a leader's dashboard request costs without HTTP and
//! PostGIS. Set `GRIDMAP_BENCH_INCIDENTS` for another size.

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use geo::{MultiPolygon, Rect};
use gridmap::domain::*;
use gridmap::engine::{Engine, EngineData};
use gridmap::service::evaluation::{
    EvaluationLevel, EvaluationScope, TrendStep, evaluate_loaded, trend,
};
use std::hint::black_box;

const STREETS: u16 = 12;
const COMMUNITIES_PER_STREET: u16 = 7;
const GRIDS_PER_COMMUNITY: u16 = 8;

/// Categories with their deadlines in hours, as the SQL side of the benchmark writes them.
const CATEGORIES: [(&str, i64); 6] = [
    ("环境卫生", 8),
    ("占道经营", 16),
    ("设施损坏", 72),
    ("邻里纠纷", 120),
    ("违章搭建", 480),
    ("井盖缺失", 2),
];

fn square(x: f64, y: f64) -> MultiPolygon<f64> {
    let r = Rect::new((x, y), (x + 0.001, y + 0.001));
    MultiPolygon(vec![r.to_polygon()])
}

/// A district of 12 streets, 84 communities and 672 base grids, a grid worker for each grid
/// and `incidents` incidents spread over the year before `now`.
fn district(incidents: u64, now: DateTime<Utc>) -> EngineData {
    let mut data = EngineData::default();
    for s in 1..=STREETS {
        let street = StreetCode::new(format!("150602{s:03}")).expect("street code");
        data.streets.push(Street {
            code: street.clone(),
            name: format!("第{s}街道"),
            boundary: Some(square(f64::from(s), 0.0)),
        });
        for c in 1..=COMMUNITIES_PER_STREET {
            let community =
                CommunityCode::new(format!("{}{c:03}", street.as_str())).expect("community code");
            for g in 1..=GRIDS_PER_COMMUNITY {
                let code = community.grid(g).expect("grid code");
                data.workers.push(Worker {
                    id: WorkerId(format!("w{}", code.as_str())),
                    name: format!("网格员{}", code.as_str()),
                    phone: None,
                    role: WorkerRole::GridWorker,
                    grids: vec![code.clone()],
                    community: Some(community.clone()),
                    duty: DutyStatus::OffDuty,
                    position: None,
                    position_at: None,
                    retired_at: None,
                });
                data.grids.push(Grid {
                    code,
                    kind: GridKind::Base,
                    community: community.clone(),
                    boundary: square(f64::from(s), f64::from(c * 10 + g)),
                    households: 300,
                    residents: 800,
                    flag: GridFlag::default(),
                });
            }
            data.communities.push(Community {
                code: community,
                name: format!("第{s}街道第{c}社区"),
                boundary: square(f64::from(s), f64::from(c)),
            });
        }
    }
    let grids = data.grids.len() as u64;
    data.incidents = (1..=incidents)
        .map(|s| {
            let reported_at =
                now - Duration::seconds((s as f64 / incidents as f64 * 365.0 * 86_400.0) as i64);
            let (category, hours) = CATEGORIES[(s % 6) as usize];
            let grid = &data.grids[((s * 7919) % grids) as usize];
            let closed = s > incidents / 100 && s % 50 != 0;
            // A deterministic spread of closing times over 0.2 h to 1.5 × the deadline.
            let spread = ((s * 2_654_435_761) % 1_000) as f64 / 1_000.0;
            let close_hours = spread * hours as f64 * 1.3 + 0.2;
            Incident {
                id: IncidentId(format!("Y{s:08}")),
                location: geo::Point::new(0.0, 0.0),
                category: category.to_string(),
                description: String::new(),
                source: IncidentSource::Worker,
                status: if closed {
                    IncidentStatus::Closed
                } else {
                    IncidentStatus::Assigned
                },
                reported_at,
                grid: Some(grid.code.clone()),
                assignee: Some(WorkerId(format!("w{}", grid.code.as_str()))),
                deadline_at: Some(reported_at + Duration::hours(hours)),
                closed_at: closed
                    .then(|| reported_at + Duration::seconds((close_hours * 3600.0) as i64)),
                returned_times: u32::from(s % 23 == 0),
                satisfaction: (closed && s % 10 == 0).then_some(Satisfaction::Satisfied),
            }
        })
        .collect();
    data
}

fn evaluation(c: &mut Criterion) {
    let incidents = std::env::var("GRIDMAP_BENCH_INCIDENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(7_300_000);
    let now = Utc
        .with_ymd_and_hms(2026, 12, 1, 4, 0, 0)
        .single()
        .expect("now");
    let engine = Engine::new(district(incidents, now));
    let calendar = WorkCalendar::default();
    let mut group = c.benchmark_group(format!("evaluation of {incidents} incidents"));
    group.sample_size(10);
    for (period, days) in [("30 days", 30), ("year", 366)] {
        for level in EvaluationLevel::ALL {
            let scope = EvaluationScope {
                from: now - Duration::days(days),
                to: now,
                level,
                within: None,
                now,
            };
            group.bench_function(format!("{}, {period}", level.as_str()), |b| {
                b.iter(|| black_box(evaluate_loaded(&engine, &[], &scope)))
            });
        }
    }
    let scope = EvaluationScope {
        from: now - Duration::days(366),
        to: now,
        level: EvaluationLevel::District,
        within: None,
        now,
    };
    group.bench_function("trend by day, year", |b| {
        b.iter(|| black_box(trend(&engine, &calendar, &scope, None, TrendStep::Day)))
    });
    group.finish();
}

criterion_group!(benches, evaluation);
criterion_main!(benches);
