//! Household rosters (户籍/住户花名册) from a table (an Excel sheet or a CSV file):
//! `building` (id) or `address`, `households`, optional `residents`.

use super::ImportError;
use super::table::Table;
use crate::domain::{BuildingId, RosterEntry, RosterKey};

/// Reads a roster; the header names the columns (`building`/`building_id`/`id`,
/// `address`, `households`, `residents`; Chinese headers 楼栋编号, 地址, 户数, 人数 too).
/// Errors name the file, sheet, row and column.
pub fn parse(table: &Table) -> Result<Vec<RosterEntry>, ImportError> {
    let id_col = table.column(&["building", "building_id", "id", "楼栋编号"]);
    let address_col = table.column(&["address", "地址"]);
    let households_col = table
        .column(&["households", "户数"])
        .ok_or_else(|| table.row_error(1, "the header has no `households` (户数) column"))?;
    let residents_col = table.column(&["residents", "人数"]);
    if id_col.is_none() && address_col.is_none() {
        return Err(table.row_error(
            1,
            "the header needs a `building` (楼栋编号) or `address` (地址) column",
        ));
    }
    let mut entries = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let field = |col: Option<usize>| {
            col.and_then(|c| row.cells.get(c))
                .map(String::as_str)
                .filter(|s| !s.is_empty())
        };
        let building = match (field(id_col), field(address_col)) {
            (Some(id), _) => RosterKey::Id(BuildingId(id.to_string())),
            (None, Some(address)) => RosterKey::Address(address.to_string()),
            (None, None) => {
                return Err(table.row_error(row.number, "neither building id nor address given"));
            }
        };
        let count = |col: Option<usize>| -> Result<Option<u32>, ImportError> {
            match (col, field(col)) {
                (Some(c), Some(v)) => v.parse::<u32>().map(Some).map_err(|_| {
                    table.cell_error(
                        row.number,
                        c,
                        format!("must be a non-negative whole number, found {v:?}"),
                    )
                }),
                _ => Ok(None),
            }
        };
        let households = count(Some(households_col))?
            .ok_or_else(|| table.cell_error(row.number, households_col, "is empty"))?;
        let residents = count(residents_col)?;
        entries.push(RosterEntry {
            line: row.number,
            building,
            households,
            residents,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::table::{TableOptions, read_table};

    fn roster(text: &str) -> Result<Vec<RosterEntry>, ImportError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, text).unwrap();
        parse(&read_table(&path, &TableOptions::default())?)
    }

    #[test]
    fn reads_ids_and_addresses_and_names_bad_cells() {
        let ok = roster("building,address,households,residents\nw1,,12,30\n,5 Rue X,4,\n").unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].building, RosterKey::Id(BuildingId("w1".into())));
        assert_eq!(ok[1].building, RosterKey::Address("5 Rue X".into()));
        assert_eq!(ok[1].residents, None);
        let err = roster("building,households\nw1,3\nw2,-4\n").unwrap_err();
        assert!(
            err.to_string().contains("row 3, column B (households)"),
            "{err}"
        );
        let chinese = roster("楼栋编号,户数,人数\nB-1,120,300\n").unwrap();
        assert_eq!(chinese[0].households, 120);
    }
}
