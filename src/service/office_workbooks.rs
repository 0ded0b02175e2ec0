//! Excel workbooks in the form offices file them (internal: names and phones): the grid
//! ledger (网格台账) — a summary sheet per street and community, then per community a
//! sheet of its grids with households, residents, buildings and grid workers with phones —
//! and incident statistics (事件统计) by grid, community, street and worker for a period.
//! Built from the engine, so the CLI and the API give the same file.

use crate::domain::{CommunityCode, GridCode, GridKind, StreetCode, Worker, WorkerRole};
use crate::engine::{AreaLevel, AreaStats, Engine};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::collections::{BTreeMap, HashSet};

use super::evaluation::{Evaluation, EvaluationLevel, EvaluationRow, IncidentFigures, TrendPoint};
use super::staffing::WORKERS_PER_10K_NORM as WORKERS_PER_10K;

/// China Standard Time, for dates as people write them.
fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
}

/// A date as people write it: 2026年11月30日.
pub fn chinese_date(t: DateTime<Utc>) -> String {
    chinese_day(t.with_timezone(&beijing()).date_naive())
}

/// A day as people write it: 2026年11月30日.
fn chinese_day(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

struct Formats {
    title: Format,
    header: Format,
    percent: Format,
    decimal: Format,
    below_norm: Format,
    total: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_background_color("#DDE8F5")
                .set_border(rust_xlsxwriter::FormatBorder::Thin),
            percent: Format::new().set_num_format("0.0%"),
            decimal: Format::new().set_num_format("0.0"),
            below_norm: Format::new()
                .set_num_format("0.0")
                .set_font_color("#C00000"),
            total: Format::new().set_bold(),
        }
    }
}

/// A sheet name Excel takes: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(wanted: &str, taken: &mut HashSet<String>, code: &str) -> String {
    let clean: String = wanted
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    let mut name = if clean.is_empty() {
        code.to_string()
    } else {
        clean
    };
    if taken.contains(&name) {
        let suffix = &code[code.len().saturating_sub(3)..];
        name = format!("{}-{suffix}", name.chars().take(27).collect::<String>());
    }
    taken.insert(name.clone());
    name
}

fn header(sheet: &mut Worksheet, row: u32, names: &[&str], f: &Formats) -> Result<(), XlsxError> {
    for (c, name) in names.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        sheet.write_with_format(row, col, *name, &f.header)?;
        let width = name.chars().count().max(8) as f64 * 2.0 + 2.0;
        sheet.set_column_width(col, width)?;
    }
    sheet.set_freeze_panes(row + 1, 0)?;
    Ok(())
}

/// One community's figures.
#[derive(Default)]
struct CommunityRow {
    grids: u64,
    households: u64,
    residents: u64,
    buildings: u64,
    workers: HashSet<String>,
    without_grid_worker: u64,
}

fn grid_workers<'a>(engine: &'a Engine, grid: &GridCode) -> Vec<&'a Worker> {
    let mut workers: Vec<&Worker> = engine.workers().serving(grid).collect();
    workers.sort_by(|a, b| a.role.as_str().cmp(b.role.as_str()).then(a.id.cmp(&b.id)));
    workers
}

/// The grid ledger: 汇总 (per street and community), then one sheet per community.
pub fn grid_ledger(engine: &Engine) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let mut by_community: BTreeMap<CommunityCode, Vec<&GridCode>> = BTreeMap::new();
    for (code, info) in engine.grid_info() {
        by_community
            .entry(info.community.clone())
            .or_default()
            .push(code);
    }
    for grids in by_community.values_mut() {
        grids.sort();
    }
    let mut rows: BTreeMap<CommunityCode, CommunityRow> = BTreeMap::new();
    for (community, grids) in &by_community {
        let row = rows.entry(community.clone()).or_default();
        for grid in grids {
            let info = &engine.grid_info()[*grid];
            if info.kind != GridKind::Base {
                continue;
            }
            row.grids += 1;
            row.households += u64::from(info.households);
            row.residents += u64::from(info.residents);
            row.buildings += u64::from(info.buildings);
            let workers = grid_workers(engine, grid);
            if !workers.iter().any(|w| w.role == WorkerRole::GridWorker) {
                row.without_grid_worker += 1;
            }
            row.workers.extend(workers.iter().map(|w| w.id.to_string()));
        }
    }

    let summary = book.add_worksheet().set_name("汇总")?;
    summary.write_with_format(0, 0, "网格台账汇总", &f.title)?;
    summary.write(1, 0, format!("导出日期：{}", chinese_date(Utc::now())))?;
    header(
        summary,
        2,
        &[
            "街道编码",
            "街道",
            "社区编码",
            "社区",
            "基础网格（个）",
            "户数（户）",
            "人数（人）",
            "楼栋（栋）",
            "网格工作人员（名）",
            "每万人工作人员",
            "无专职网格员的网格（个）",
        ],
        &f,
    )?;
    let mut r = 3;
    let mut street_total: BTreeMap<StreetCode, CommunityRow> = BTreeMap::new();
    for (community, row) in &rows {
        let street = community.street();
        let total = street_total.entry(street.clone()).or_default();
        total.grids += row.grids;
        total.households += row.households;
        total.residents += row.residents;
        total.buildings += row.buildings;
        total.workers.extend(row.workers.iter().cloned());
        total.without_grid_worker += row.without_grid_worker;
        let names = (
            engine
                .street_names()
                .get(&street)
                .map_or("", String::as_str),
            engine
                .community_names()
                .get(community)
                .map_or("", String::as_str),
        );
        summary.write(r, 0, street.as_str())?;
        summary.write(r, 1, names.0)?;
        summary.write(r, 2, community.as_str())?;
        summary.write(r, 3, names.1)?;
        write_figures(summary, r, row, &f, None)?;
        r += 1;
    }
    for (street, total) in &street_total {
        let name = engine.street_names().get(street).map_or("", String::as_str);
        summary.write_with_format(r, 0, street.as_str(), &f.total)?;
        summary.write_with_format(r, 1, format!("{name} 小计"), &f.total)?;
        write_figures(summary, r, total, &f, Some(&f.total))?;
        r += 1;
    }

    let mut taken: HashSet<String> = HashSet::from(["汇总".to_string()]);
    for (community, grids) in &by_community {
        let name = engine
            .community_names()
            .get(community)
            .cloned()
            .unwrap_or_default();
        let sheet =
            book.add_worksheet()
                .set_name(sheet_name(&name, &mut taken, community.as_str()))?;
        sheet.write_with_format(0, 0, format!("{name}（{community}）网格台账"), &f.title)?;
        header(
            sheet,
            1,
            &[
                "网格编码",
                "类型",
                "户数（户）",
                "人数（人）",
                "楼栋（栋）",
                "网格员",
                "电话",
                "网格长及其他",
            ],
            &f,
        )?;
        for (i, grid) in grids.iter().enumerate() {
            let r = 2 + u32::try_from(i).unwrap_or(u32::MAX - 2);
            let info = &engine.grid_info()[*grid];
            let workers = grid_workers(engine, grid);
            let (grid_workers, others): (Vec<&Worker>, Vec<&Worker>) = workers
                .into_iter()
                .partition(|w| w.role == WorkerRole::GridWorker);
            sheet.write(r, 0, grid.as_str())?;
            sheet.write(
                r,
                1,
                if info.kind == GridKind::Base {
                    "基础网格"
                } else {
                    "专属网格"
                },
            )?;
            sheet.write(r, 2, info.households)?;
            sheet.write(r, 3, info.residents)?;
            sheet.write(r, 4, info.buildings)?;
            sheet.write(
                r,
                5,
                grid_workers
                    .iter()
                    .map(|w| w.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
            )?;
            sheet.write(
                r,
                6,
                grid_workers
                    .iter()
                    .filter_map(|w| w.phone.as_deref())
                    .collect::<Vec<_>>()
                    .join("、"),
            )?;
            sheet.write(
                r,
                7,
                others
                    .iter()
                    .map(|w| format!("{}（{}）", w.name, w.role.chinese()))
                    .collect::<Vec<_>>()
                    .join("、"),
            )?;
        }
    }
    book.save_to_buffer()
}

fn write_figures(
    sheet: &mut Worksheet,
    r: u32,
    row: &CommunityRow,
    f: &Formats,
    bold: Option<&Format>,
) -> Result<(), XlsxError> {
    let plain = Format::new();
    let format = bold.unwrap_or(&plain);
    sheet.write_with_format(r, 4, row.grids, format)?;
    sheet.write_with_format(r, 5, row.households, format)?;
    sheet.write_with_format(r, 6, row.residents, format)?;
    sheet.write_with_format(r, 7, row.buildings, format)?;
    sheet.write_with_format(r, 8, row.workers.len() as u64, format)?;
    if row.residents > 0 {
        let per_10k = row.workers.len() as f64 * 10_000.0 / row.residents as f64;
        // Below the norm in red.
        let shown = if per_10k < WORKERS_PER_10K {
            &f.below_norm
        } else {
            &f.decimal
        };
        sheet.write_with_format(r, 9, per_10k, shown)?;
    }
    sheet.write_with_format(r, 10, row.without_grid_worker, format)?;
    Ok(())
}

/// The period an incident report covers, for its title.
fn period_text(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> String {
    match (from, to) {
        (Some(a), Some(b)) => format!("统计期间：{}至{}", chinese_date(a), chinese_date(b)),
        (Some(a), None) => format!("统计期间：{}起", chinese_date(a)),
        (None, Some(b)) => format!("统计期间：截至{}", chinese_date(b)),
        (None, None) => "统计期间：全部".to_string(),
    }
}

/// Incident statistics: 按网格, 按社区, 按街道, 按网格员.
pub fn incident_statistics(
    engine: &Engine,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let book_ref = engine.incidents();
    let name_of = |level: AreaLevel, code: &str| -> String {
        match level {
            AreaLevel::Community => code
                .parse::<CommunityCode>()
                .ok()
                .and_then(|c| engine.community_names().get(&c).cloned())
                .unwrap_or_default(),
            AreaLevel::Street => code
                .parse::<StreetCode>()
                .ok()
                .and_then(|s| engine.street_names().get(&s).cloned())
                .unwrap_or_default(),
            AreaLevel::Grid => code
                .parse::<GridCode>()
                .ok()
                .and_then(|g| engine.community_names().get(&g.community()).cloned())
                .unwrap_or_default(),
        }
    };
    for (title, level, name_header) in [
        ("按网格", AreaLevel::Grid, "所属社区"),
        ("按社区", AreaLevel::Community, "社区"),
        ("按街道", AreaLevel::Street, "街道"),
    ] {
        let stats = book_ref.stats(level, from, to, now);
        let sheet = book.add_worksheet().set_name(title)?;
        let rows: Vec<(String, String, &AreaStats)> = stats
            .iter()
            .map(|s| (s.area.clone(), name_of(level, &s.area), s))
            .collect();
        write_stats(
            sheet,
            &format!("事件统计（{title}）"),
            &period_text(from, to),
            name_header,
            &rows,
            &f,
        )?;
    }
    let stats = book_ref.stats_by_worker(from, to, now);
    let sheet = book.add_worksheet().set_name("按网格员")?;
    let rows: Vec<(String, String, &AreaStats)> = stats
        .iter()
        .map(|s| {
            let name = engine
                .workers()
                .get(&crate::domain::WorkerId(s.area.clone()))
                .map(|w| format!("{}（{}）", w.name, w.role.chinese()))
                .unwrap_or_default();
            (s.area.clone(), name, s)
        })
        .collect();
    write_stats(
        sheet,
        "事件统计（按网格员）",
        &period_text(from, to),
        "姓名",
        &rows,
        &f,
    )?;
    book.save_to_buffer()
}

fn write_stats(
    sheet: &mut Worksheet,
    title: &str,
    period: &str,
    name_header: &str,
    rows: &[(String, String, &AreaStats)],
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.write_with_format(0, 0, title, &f.title)?;
    sheet.write(1, 0, period)?;
    header(
        sheet,
        2,
        &[
            "编码",
            name_header,
            "上报（件）",
            "办结（件）",
            "办结率",
            "办结用时中位数（小时）",
            "超期未办结（件）",
        ],
        f,
    )?;
    for (i, (code, name, s)) in rows.iter().enumerate() {
        let r = 3 + u32::try_from(i).unwrap_or(u32::MAX - 3);
        sheet.write(r, 0, code.as_str())?;
        sheet.write(r, 1, name.as_str())?;
        sheet.write(r, 2, s.reported)?;
        sheet.write(r, 3, s.closed)?;
        sheet.write_with_format(r, 4, s.closure_rate, &f.percent)?;
        if let Some(h) = s.median_hours_to_close {
            sheet.write_with_format(r, 5, h, &f.decimal)?;
        }
        sheet.write(r, 6, s.overdue)?;
    }
    Ok(())
}

/// The dashboard's tables as a workbook: the units of the level ranked as shown with the
/// whole area's total, and the trend.
pub fn evaluation_workbook(
    evaluation: &Evaluation,
    trend: &[TrendPoint],
) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let unit = match evaluation.level {
        EvaluationLevel::District => "区县",
        EvaluationLevel::Street => "街道",
        EvaluationLevel::Community => "社区",
        EvaluationLevel::Grid => "网格",
        EvaluationLevel::Worker => "网格员",
    };
    let last_second = evaluation.to - chrono::Duration::seconds(1);
    let period = period_text(Some(evaluation.from), Some(last_second));
    let sheet = book.add_worksheet().set_name(format!("考核（按{unit}）"))?;
    sheet.write_with_format(0, 0, format!("网格化服务管理考核（按{unit}）"), &f.title)?;
    sheet.write(1, 0, period.as_str())?;
    let mut names = vec!["编码", unit];
    names.extend(INCIDENT_FIGURE_COLUMNS);
    names.extend(COVERAGE_COLUMNS);
    header(sheet, 2, &names, &f)?;
    let mut r = 3;
    for row in &evaluation.rows {
        write_evaluation_row(sheet, r, row, &f, None)?;
        r += 1;
    }
    write_evaluation_row(sheet, r, &evaluation.total, &f, Some(&f.total))?;
    let sheet = book.add_worksheet().set_name("趋势")?;
    sheet.write_with_format(0, 0, "考核指标趋势", &f.title)?;
    sheet.write(1, 0, period.as_str())?;
    let mut names = vec!["起始日期"];
    names.extend(INCIDENT_FIGURE_COLUMNS);
    header(sheet, 2, &names, &f)?;
    for (i, p) in trend.iter().enumerate() {
        let r = 3 + u32::try_from(i).unwrap_or(u32::MAX - 3);
        sheet.write(r, 0, chinese_day(p.start))?;
        write_incident_figures(sheet, r, 1, &p.incidents, &f)?;
    }
    book.save_to_buffer()
}

/// The columns [`write_incident_figures`] fills.
const INCIDENT_FIGURE_COLUMNS: [&str; 8] = [
    "上报（件）",
    "办结（件）",
    "办结率",
    "按期办结率",
    "办结用时中位数（小时）",
    "超期未办结（件）",
    "退回率",
    "满意率",
];

/// The staffing and patrol columns of an evaluation sheet, after the incident figures.
const COVERAGE_COLUMNS: [&str; 6] = [
    "基础网格（个）",
    "无专职网格员网格（个）",
    "巡查覆盖率",
    "网格员（名）",
    "常住人口（人）",
    "每万人网格员（名）",
];

fn optional(
    sheet: &mut Worksheet,
    r: u32,
    c: u16,
    value: Option<f64>,
    format: &Format,
) -> Result<(), XlsxError> {
    if let Some(v) = value {
        sheet.write_with_format(r, c, v, format)?;
    }
    Ok(())
}

/// The eight incident figures of an evaluation from column `c` on.
fn write_incident_figures(
    sheet: &mut Worksheet,
    r: u32,
    c: u16,
    s: &IncidentFigures,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.write(r, c, s.reported)?;
    sheet.write(r, c + 1, s.closed)?;
    optional(sheet, r, c + 2, s.closure_rate, &f.percent)?;
    optional(sheet, r, c + 3, s.on_time_rate, &f.percent)?;
    optional(sheet, r, c + 4, s.median_hours_to_close, &f.decimal)?;
    sheet.write(r, c + 5, s.overdue_now)?;
    optional(sheet, r, c + 6, s.returned_share, &f.percent)?;
    optional(sheet, r, c + 7, s.satisfaction_rate, &f.percent)
}

fn write_evaluation_row(
    sheet: &mut Worksheet,
    r: u32,
    row: &EvaluationRow,
    f: &Formats,
    emphasis: Option<&Format>,
) -> Result<(), XlsxError> {
    match emphasis {
        Some(e) => sheet.write_with_format(
            r,
            0,
            if row.key.is_empty() {
                "合计"
            } else {
                row.key.as_str()
            },
            e,
        )?,
        None => sheet.write(r, 0, row.key.as_str())?,
    };
    sheet.write(r, 1, row.name.as_deref().unwrap_or(""))?;
    write_incident_figures(sheet, r, 2, &row.incidents, f)?;
    let c = &row.coverage;
    sheet.write(r, 10, c.base_grids)?;
    sheet.write(r, 11, c.grids_without_worker)?;
    optional(sheet, r, 12, c.patrol_coverage, &f.percent)?;
    if let Some(w) = c.workers {
        sheet.write(r, 13, w)?;
    }
    if let Some(p) = c.residents {
        sheet.write(r, 14, p)?;
    }
    if let Some(ratio) = c.workers_per_10k_residents {
        let shown = if ratio < WORKERS_PER_10K {
            &f.below_norm
        } else {
            &f.decimal
        };
        sheet.write_with_format(r, 15, ratio, shown)?;
    }
    Ok(())
}

/// New-site suggestions (选址建议): the sites in rank order with what each brings into
/// reach, and the before and after coverage.
pub fn site_suggestions_workbook(
    s: &super::site_suggestions::Suggestions,
) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("选址建议")?;
    sheet.write_with_format(
        0,
        0,
        format!("{}选址建议（步行{}米）", s.kind.chinese(), s.within_m),
        &f.title,
    )?;
    sheet.write(1, 0, format!("导出日期：{}", chinese_date(Utc::now())))?;
    header(
        sheet,
        2,
        &[
            "序号",
            "候选点",
            "经度",
            "纬度",
            "新增覆盖户数（户）",
            "新增覆盖人数（人）",
            "步行范围内未覆盖户数（户）",
        ],
        &f,
    )?;
    let mut row = 3;
    for site in &s.sites {
        sheet.write(row, 0, site.rank as f64)?;
        sheet.write(row, 1, site.label.as_str())?;
        sheet.write(row, 2, site.at.x())?;
        sheet.write(row, 3, site.at.y())?;
        sheet.write(row, 4, site.adds_households as f64)?;
        sheet.write(row, 5, site.adds_residents as f64)?;
        sheet.write(row, 6, site.reaches_households as f64)?;
        row += 1;
    }
    row += 1;
    let figures: [(&str, f64, Option<&Format>); 5] = [
        ("范围内户数（户）", s.households as f64, None),
        ("现有站点覆盖户数（户）", s.covered_before as f64, None),
        ("新增站点后覆盖户数（户）", s.covered_after as f64, None),
        (
            "现有覆盖率",
            s.share_before.unwrap_or(0.0),
            Some(&f.percent),
        ),
        (
            "新增后覆盖率",
            s.share_after.unwrap_or(0.0),
            Some(&f.percent),
        ),
    ];
    for (name, value, format) in figures {
        sheet.write_with_format(row, 0, name, &f.total)?;
        match format {
            Some(format) => sheet.write_with_format(row, 4, value, format)?,
            None => sheet.write(row, 4, value)?,
        };
        row += 1;
    }
    sheet.write_with_format(row, 0, "与最优解的差距不超过", &f.total)?;
    sheet.write_with_format(row, 4, s.gap_at_most, &f.percent)?;
    book.save_to_buffer()
}
