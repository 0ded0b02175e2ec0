//! Worker rosters (网格员花名册) from a table (an Excel sheet or a CSV file): id, name,
//! phone, role, grids and duty, with Chinese headers (编号, 姓名, 电话, 角色, 所属网格,
//! 在岗) or English ones. Every cell is checked; errors name the file, sheet, row and column.

use super::ImportError;
use super::table::Table;
use crate::domain::worker::{MAX_WORKER_ID_CHARS, MAX_WORKER_NAME_CHARS, is_phone_number};
use crate::domain::{
    CommunityCode, DutyStatus, GridCode, Lines, Worker, WorkerId, WorkerRole, check_required_text,
};
use std::collections::HashMap;

/// One worker of a roster and the row it came from.
#[derive(Debug, Clone)]
pub struct WorkerRow {
    pub row: usize,
    /// The column holding the grids, for naming it when a grid does not exist.
    pub grids_column: Option<usize>,
    /// The column holding the community, for naming it when the community does not exist.
    pub community_column: Option<usize>,
    pub worker: Worker,
}

/// Reads a worker roster. Grids are codes separated by `;`, `,` or `、` (full-width too);
/// role defaults to 网格员 and duty to on duty.
pub fn parse(table: &Table) -> Result<Vec<WorkerRow>, ImportError> {
    let id_col = table
        .column(&["id", "worker_id", "编号", "工号"])
        .ok_or_else(|| table.row_error(1, "the header has no `id` (编号) column"))?;
    let name_col = table
        .column(&["name", "姓名"])
        .ok_or_else(|| table.row_error(1, "the header has no `name` (姓名) column"))?;
    let phone_col = table.column(&["phone", "电话", "手机", "联系电话"]);
    let role_col = table.column(&["role", "角色", "岗位"]);
    let grids_col = table.column(&["grids", "grid", "所属网格", "网格"]);
    let duty_col = table.column(&["duty", "在岗", "状态"]);
    let community_col = table.column(&["community", "所属社区", "社区"]);
    let mut first_row_of: HashMap<String, usize> = HashMap::new();
    let mut workers = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let cell = |col: Option<usize>| {
            col.and_then(|c| row.cells.get(c))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        let text_cell = |col: usize, max: usize| -> Result<String, ImportError> {
            let value = cell(Some(col)).unwrap_or_default();
            check_required_text(value, max, Lines::Single)
                .map(|()| value.to_string())
                .map_err(|e| table.cell_error(row.number, col, e.to_string()))
        };
        let id = text_cell(id_col, MAX_WORKER_ID_CHARS)?;
        if let Some(first) = first_row_of.insert(id.clone(), row.number) {
            return Err(table.cell_error(
                row.number,
                id_col,
                format!("worker {id} is listed twice (first in row {first})"),
            ));
        }
        let name = text_cell(name_col, MAX_WORKER_NAME_CHARS)?;
        let phone = match (phone_col, cell(phone_col)) {
            (Some(c), Some(p)) if !is_phone_number(p) => {
                return Err(table.cell_error(
                    row.number,
                    c,
                    format!(
                        "{p:?} is not a phone number (11-digit mobile, or area code and number)"
                    ),
                ));
            }
            (_, p) => p.map(str::to_string),
        };
        let role = match (role_col, cell(role_col)) {
            (Some(c), Some(r)) => WorkerRole::from_office_text(r).ok_or_else(|| {
                table.cell_error(
                    row.number,
                    c,
                    format!("unknown role {r:?}: use {}", WorkerRole::office_names()),
                )
            })?,
            _ => WorkerRole::GridWorker,
        };
        let duty = match (duty_col, cell(duty_col)) {
            (Some(c), Some(d)) => match d {
                "在岗" | "是" | "on_duty" | "yes" => DutyStatus::OnDuty,
                "离岗" | "否" | "off_duty" | "no" => DutyStatus::OffDuty,
                other => {
                    return Err(table.cell_error(
                        row.number,
                        c,
                        format!("{other:?}: use 在岗 or 离岗"),
                    ));
                }
            },
            _ => DutyStatus::OnDuty,
        };
        let mut grids = Vec::new();
        if let (Some(c), Some(list)) = (grids_col, cell(grids_col)) {
            for code in list
                .split([';', ',', '、', '；', '，'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let grid: GridCode = code.parse().map_err(|e: crate::domain::CodeError| {
                    table.cell_error(row.number, c, e.to_string())
                })?;
                if !grids.contains(&grid) {
                    grids.push(grid);
                }
            }
        }
        let community = match (community_col, cell(community_col)) {
            (Some(c), Some(code)) => Some(code.parse::<CommunityCode>().map_err(
                |e: crate::domain::CodeError| table.cell_error(row.number, c, e.to_string()),
            )?),
            _ => None,
        };
        workers.push(WorkerRow {
            row: row.number,
            grids_column: grids_col,
            community_column: community_col,
            worker: Worker {
                id: WorkerId(id),
                name,
                phone,
                role,
                grids,
                community,
                duty,
                position: None,
                position_at: None,
                retired_at: None,
            },
        });
    }
    Ok(workers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::table::{TableOptions, read_table};

    fn roster(text: &str) -> Result<Vec<WorkerRow>, ImportError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("网格员花名册.csv");
        std::fs::write(&path, text).unwrap();
        parse(&read_table(&path, &TableOptions::default())?)
    }

    #[test]
    fn chinese_headers_roles_grid_lists_and_duty() {
        let rows = roster(
            "编号,姓名,电话,角色,所属网格,在岗\n\
             W1,张伟,138 0013 8000,网格长,150602001001001、150602001001002,在岗\n\
             W2,李娜,0477-8581234,巡查员,150602001001003;150602001001003,离岗\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].worker.role, WorkerRole::GridLeader);
        assert_eq!(rows[0].worker.grids.len(), 2);
        assert_eq!(
            rows[1].worker.grids.len(),
            1,
            "a grid listed twice counts once"
        );
        assert_eq!(rows[1].worker.duty, DutyStatus::OffDuty);
        assert_eq!(rows[1].row, 3);
    }

    #[test]
    fn bad_cells_are_refused_naming_row_and_column() {
        let cases = [
            ("id,name,phone\nW1,张伟,12345\n", "row 2, column C (phone)"),
            (
                "id,name\nW1,张伟\nW1,李娜\n",
                "listed twice (first in row 2)",
            ),
            ("id,name,role\nW1,张伟,书记\n", "unknown role"),
            (
                "id,name,grids\nW1,张伟,15060200100100\n",
                "row 2, column C (grids)",
            ),
            ("id,name\nW1,\n", "row 2, column B (name)"),
            ("name\n张伟\n", "no `id`"),
        ];
        for (text, expected) in cases {
            let error = roster(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn phones_as_people_write_them() {
        for good in [
            "13800138000",
            "+86 138-0013-8000",
            "0477-8581234",
            "010 12345678",
        ] {
            assert!(is_phone_number(good), "{good}");
        }
        for bad in ["12345", "12800138000", "1380013800", "电话", "0477-85"] {
            assert!(!is_phone_number(bad), "{bad}");
        }
    }
}
