//! A month of the incident loop as it happens in a district: reports by grid workers, the
//! 12345 hotline and residents, each with its whole history (assignment, start, resolution,
//! the occasional return for rework, closing) in legal steps, the status where the history
//! stands at `until`, deadlines from the taxonomy's working-time calendar.

use crate::domain::*;
use chrono::{DateTime, Duration, Utc};
use geo_types::Point;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Where incidents happen and who handles them: a base grid (or, before a partition, a
/// community) with places in it and the workers it is assigned to.
#[derive(Debug, Clone)]
pub struct Beat {
    /// The grid the incidents lie in, once grids exist.
    pub grid: Option<GridCode>,
    /// Places incidents are reported at, with a name to describe them by.
    pub places: Vec<(Point<f64>, String)>,
    /// Workers an incident here is assigned to (grid workers first); none leaves it reported.
    pub handlers: Vec<(WorkerId, String)>,
}

/// How much happens, over which days.
#[derive(Debug, Clone)]
pub struct ActivityOptions {
    /// The moment the history stands at (nothing happens after it).
    pub until: DateTime<Utc>,
    pub days: u32,
    /// Reports per beat and day, on average.
    pub reports_per_beat_day: f64,
    /// Who dispatches (the actor of hotline assignments, returns and closings).
    pub dispatcher: String,
    /// The first incident's number (ids are `E` and six digits, in order of reporting).
    pub first_number: u32,
    pub seed: u64,
}

/// Incidents and their steps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Activity {
    pub incidents: Vec<Incident>,
    pub events: Vec<IncidentEvent>,
}

/// How often each category is reported (of 100), in a heating-season month.
const CATEGORY_WEIGHTS: &[(&str, u32)] = &[
    ("环境卫生", 24),
    ("占道经营", 12),
    ("违章停车", 14),
    ("设施损坏", 8),
    ("噪音扰民", 6),
    ("邻里纠纷", 4),
    ("安全隐患", 5),
    ("违章搭建", 2),
    ("路灯损坏", 7),
    ("井盖缺失", 3),
    ("供暖问题", 13),
    ("物业纠纷", 2),
];

/// What is reported and what the worker writes when done, per category.
fn wording(category: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match category {
        "环境卫生" => (
            &[
                "垃圾桶满溢未清运",
                "楼道堆放杂物",
                "路边垃圾堆积",
                "绿化带内有建筑垃圾",
            ],
            &[
                "已联系环卫清运完毕",
                "已督促清理，现场整洁",
                "杂物已清出楼道",
            ],
        ),
        "占道经营" => (
            &["流动摊贩占道经营", "商户店外摆摊", "早市摊点占用人行道"],
            &["已劝离摊贩", "商户已将物品收回店内", "已引导至便民市场经营"],
        ),
        "违章停车" => (
            &["车辆占用消防通道", "车辆堵塞小区出入口", "非机动车乱停放"],
            &["已联系车主挪车", "已协调交警处理", "车辆已规范停放"],
        ),
        "设施损坏" => (
            &["单元门禁损坏", "健身器材损坏", "楼道扶手松动"],
            &["已报修，物业更换完毕", "维修完成，已试用正常"],
        ),
        "噪音扰民" => (
            &["夜间装修噪音", "广场舞音响过大", "商铺音响扰民"],
            &["已上门劝导，噪音停止", "已协调调整活动时间"],
        ),
        "邻里纠纷" => (
            &["楼上漏水引发纠纷", "公共区域占用纠纷", "宠物扰邻纠纷"],
            &["已组织双方调解，达成一致", "调解完成，双方签字确认"],
        ),
        "安全隐患" => (
            &["电动车楼道充电", "飞线充电", "楼道堆放易燃物"],
            &["已劝导拆除飞线", "易燃物已清理", "已告知住户并现场整改"],
        ),
        "违章搭建" => (
            &["楼顶私搭乱建", "院内违规搭建彩钢房", "底商违规扩建"],
            &["已联合执法拆除", "当事人已自行拆除"],
        ),
        "路灯损坏" => (
            &["路灯不亮", "路灯杆倾斜", "小区照明损坏"],
            &["已报修，路灯恢复照明", "维修完成"],
        ),
        "井盖缺失" => (
            &["井盖缺失", "井盖破损下陷", "雨水篦子丢失"],
            &["已设置警示并补装井盖", "权属单位已更换"],
        ),
        "供暖问题" => (
            &["暖气不热", "供暖管道漏水", "单元暖气未开通"],
            &["已协调热力公司排气，温度达标", "管道已维修", "已开通供暖"],
        ),
        _ => (
            &["物业服务不到位", "物业费争议", "电梯维保不及时"],
            &["已约谈物业整改", "已协调物业与业主达成一致"],
        ),
    }
}

/// A random time of day for a report: mostly daytime.
fn report_moment(day_start: DateTime<Utc>, rng: &mut ChaCha8Rng) -> DateTime<Utc> {
    // Beijing 07:00–21:00 is 23:00–13:00 UTC of the day before; day_start is Beijing midnight.
    let minutes = if rng.random_bool(0.9) {
        rng.random_range(7 * 60..21 * 60)
    } else {
        rng.random_range(0..24 * 60)
    };
    day_start + Duration::minutes(minutes) + Duration::seconds(rng.random_range(0..60))
}

/// One incident's history as it is being written.
struct History {
    id: IncidentId,
    status: IncidentStatus,
    events: Vec<IncidentEvent>,
    returned_times: u32,
    closed_at: Option<DateTime<Utc>>,
    assignee: Option<WorkerId>,
}

impl History {
    /// Appends a step if it happened by `until` and the loop allows it; false otherwise
    /// (the history stops there).
    fn step(
        &mut self,
        until: DateTime<Utc>,
        action: IncidentAction,
        at: DateTime<Utc>,
        actor: &str,
        worker: Option<&WorkerId>,
        note: Option<String>,
    ) -> bool {
        let Some(status) = self.status.after(action) else {
            return false;
        };
        if at > until {
            return false;
        }
        self.status = status;
        if let Some(w) = worker {
            self.assignee = Some(w.clone());
        }
        if action == IncidentAction::Return {
            self.returned_times += 1;
        }
        if status == IncidentStatus::Closed {
            self.closed_at = Some(at);
        }
        self.events.push(IncidentEvent {
            incident: self.id.clone(),
            action,
            status,
            at,
            actor: actor.to_string(),
            worker: worker.cloned(),
            note,
            photos: Vec::new(),
        });
        true
    }
}

/// Simulates the incident loop over the beats: reports spread over `days` before `until`,
/// each carried as far as it got by `until`. Deterministic for the same input and seed.
pub fn simulate(beats: &[Beat], taxonomy: &Taxonomy, options: &ActivityOptions) -> Activity {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let calendar = taxonomy.calendar();
    let first_day = calendar.local_date(options.until) - Duration::days(i64::from(options.days));
    let mut drafts: Vec<(DateTime<Utc>, usize)> = Vec::new();
    for (b, beat) in beats.iter().enumerate() {
        if beat.places.is_empty() {
            continue;
        }
        let expected = options.reports_per_beat_day * f64::from(options.days);
        let count = (expected * rng.random_range(0.6..1.4)).round() as u32;
        for _ in 0..count {
            let day = first_day + Duration::days(rng.random_range(0..=i64::from(options.days)));
            let at = report_moment(calendar.instant(day, chrono::NaiveTime::MIN), &mut rng);
            if at <= options.until {
                drafts.push((at, b));
            }
        }
    }
    drafts.sort_by_key(|&(at, b)| (at, b));
    let mut activity = Activity::default();
    for (n, (reported_at, b)) in drafts.into_iter().enumerate() {
        let number = options.first_number + n as u32;
        let (incident, events) =
            one_incident(&beats[b], number, reported_at, taxonomy, options, &mut rng);
        activity.incidents.push(incident);
        activity.events.extend(events);
    }
    activity
}

fn pick_category(rng: &mut ChaCha8Rng) -> &'static str {
    let total: u32 = CATEGORY_WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut k = rng.random_range(0..total);
    for &(name, w) in CATEGORY_WEIGHTS {
        if k < w {
            return name;
        }
        k -= w;
    }
    "环境卫生"
}

/// A share of the deadline the work takes: mostly well within it, some late.
fn share_of_deadline(rng: &mut ChaCha8Rng) -> f64 {
    if rng.random_bool(0.05) {
        rng.random_range(1.05..1.8)
    } else {
        rng.random_range(0.05..0.6)
    }
}

fn one_incident(
    beat: &Beat,
    number: u32,
    reported_at: DateTime<Utc>,
    taxonomy: &Taxonomy,
    options: &ActivityOptions,
    rng: &mut ChaCha8Rng,
) -> (Incident, Vec<IncidentEvent>) {
    let id = IncidentId(format!("E{number:06}"));
    let category = pick_category(rng);
    let (problems, fixes) = wording(category);
    let (location, place) = beat
        .places
        .choose(rng)
        .cloned()
        .unwrap_or((Point::new(0.0, 0.0), String::new()));
    let problem = problems.choose(rng).copied().unwrap_or(category);
    let description = format!("{place}{problem}");
    let source = match rng.random_range(0..10) {
        0..6 => IncidentSource::Worker,
        6..9 => IncidentSource::Hotline,
        _ => IncidentSource::Resident,
    };
    let deadline_at = taxonomy.deadline_at(category, reported_at);
    let allowed = deadline_at.map_or(Duration::hours(24), |d| d - reported_at);
    let handler = beat.handlers.first().cloned();
    let until = options.until;
    let reporter = match (source, &handler) {
        (IncidentSource::Worker, Some((_, name))) => name.clone(),
        (IncidentSource::Hotline, _) => "12345热线".to_string(),
        _ => "居民上报".to_string(),
    };
    let mut h = History {
        id: id.clone(),
        status: IncidentStatus::Reported,
        events: vec![IncidentEvent {
            incident: id.clone(),
            action: IncidentAction::Report,
            status: IncidentStatus::Reported,
            at: reported_at,
            actor: reporter,
            worker: None,
            note: Some(problem.to_string()),
            photos: Vec::new(),
        }],
        returned_times: 0,
        closed_at: None,
        assignee: None,
    };
    if let Some((worker, name)) = &handler {
        let minutes =
            |rng: &mut ChaCha8Rng, a: i64, b: i64| Duration::minutes(rng.random_range(a..b));
        let (assign_at, assigner, assign_note) = match source {
            IncidentSource::Hotline => (
                reported_at + minutes(rng, 5, 30),
                options.dispatcher.as_str(),
                "请网格员尽快核实处置",
            ),
            _ => (reported_at, "auto", "本网格网格员"),
        };
        let work =
            Duration::seconds((allowed.num_seconds() as f64 * share_of_deadline(rng)) as i64)
                .max(Duration::minutes(20));
        let mut at = assign_at;
        let mut going = h.step(
            until,
            IncidentAction::Assign,
            at,
            assigner,
            Some(worker),
            Some(assign_note.into()),
        );
        let rounds = if rng.random_bool(0.05) { 2 } else { 1 };
        for round in 0..rounds {
            at += if source == IncidentSource::Worker && round == 0 {
                minutes(rng, 1, 15)
            } else {
                minutes(rng, 10, 40)
            };
            going = going
                && h.step(
                    until,
                    IncidentAction::Start,
                    at,
                    name,
                    None,
                    Some("已到现场".into()),
                );
            at += if round == 0 { work } else { work / 2 };
            let fix = fixes.choose(rng).copied().unwrap_or("已处理");
            going = going
                && h.step(
                    until,
                    IncidentAction::Resolve,
                    at,
                    name,
                    None,
                    Some(fix.into()),
                );
            at += minutes(rng, 5, 45);
            if round + 1 < rounds {
                going = going
                    && h.step(
                        until,
                        IncidentAction::Return,
                        at,
                        &options.dispatcher,
                        None,
                        Some("回访核查未解决，退回重办".into()),
                    );
                at += minutes(rng, 5, 60);
                going = going
                    && h.step(
                        until,
                        IncidentAction::Assign,
                        at,
                        &options.dispatcher,
                        Some(worker),
                        Some("重新处置".into()),
                    );
            }
        }
        if going {
            h.step(
                until,
                IncidentAction::Close,
                at,
                &options.dispatcher,
                None,
                Some("核查属实，予以办结".into()),
            );
        }
    }
    let satisfaction = (source == IncidentSource::Resident
        && h.status == IncidentStatus::Closed
        && rng.random_bool(0.6))
    .then(|| match rng.random_range(0..100) {
        0..84 => Satisfaction::Satisfied,
        84..97 => Satisfaction::BasicallySatisfied,
        _ => Satisfaction::Dissatisfied,
    });
    let incident = Incident {
        id,
        location,
        category: category.to_string(),
        description,
        source,
        status: h.status,
        reported_at,
        grid: beat.grid.clone(),
        assignee: h.assignee,
        deadline_at,
        closed_at: h.closed_at,
        returned_times: h.returned_times,
        satisfaction,
    };
    (incident, h.events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn beats() -> Vec<Beat> {
        (0..20)
            .map(|g| Beat {
                grid: Some(GridCode::new(format!("150602001001{g:03}")).unwrap()),
                places: vec![(Point::new(110.0, 39.8), format!("{g}号楼"))],
                handlers: vec![(WorkerId(format!("W{g:05}")), format!("网格员{g}"))],
            })
            .collect()
    }

    fn options() -> ActivityOptions {
        ActivityOptions {
            until: Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).unwrap(),
            days: 30,
            reports_per_beat_day: 2.0,
            dispatcher: "调度员".into(),
            first_number: 1,
            seed: 3,
        }
    }

    #[test]
    fn every_history_is_a_legal_walk_of_the_loop_ending_in_the_status() {
        let activity = simulate(&beats(), &Taxonomy::default(), &options());
        assert!(
            activity.incidents.len() > 800,
            "{}",
            activity.incidents.len()
        );
        for incident in &activity.incidents {
            let steps: Vec<_> = activity
                .events
                .iter()
                .filter(|e| e.incident == incident.id)
                .collect();
            assert_eq!(steps[0].action, IncidentAction::Report);
            let mut status = IncidentStatus::Reported;
            let mut last = incident.reported_at;
            for step in &steps[1..] {
                status = status.after(step.action).expect("a legal step");
                assert_eq!(status, step.status);
                assert!(step.at >= last && step.at <= options().until);
                last = step.at;
            }
            assert_eq!(status, incident.status, "{}", incident.id);
            assert_eq!(
                incident.assignee.is_some(),
                status != IncidentStatus::Reported
            );
            assert_eq!(
                incident.closed_at.is_some(),
                status == IncidentStatus::Closed
            );
        }
    }

    #[test]
    fn most_close_in_time_and_few_are_overdue() {
        let o = options();
        let activity = simulate(&beats(), &Taxonomy::default(), &o);
        let n = activity.incidents.len() as f64;
        let closed = activity
            .incidents
            .iter()
            .filter(|i| i.closed_at.is_some())
            .count() as f64;
        let overdue = activity
            .incidents
            .iter()
            .filter(|i| i.is_overdue(o.until))
            .count() as f64;
        assert!((0.9..0.99).contains(&(closed / n)), "closed {}", closed / n);
        assert!(
            overdue > 0.0 && overdue / n < 0.02,
            "overdue {}",
            overdue / n
        );
        assert!(activity.incidents.iter().any(|i| i.returned_times > 0));
        assert!(activity.incidents.iter().any(|i| i.satisfaction.is_some()));
        assert_eq!(activity, simulate(&beats(), &Taxonomy::default(), &o));
    }
}
