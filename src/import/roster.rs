//! Household rosters (户籍/住户花名册) and building attribute tables from a table (an Excel
//! sheet or a CSV file): `building` (id) or `address`, then any of `households`,
//! `residents`, `floors`, `name`, `building_head`; blank cells change nothing.

use super::ImportError;
use super::table::Table;
use crate::domain::{BuildingId, Lines, RosterEntry, RosterKey, check_required_text};

/// Longest building name and building head, in characters.
const MAX_NAME_CHARS: usize = 100;

/// Reads a roster; the header names the columns (`building`/`building_id`/`id`,
/// `address`, `households`, `residents`, `floors`, `name`, `building_head`; Chinese
/// headers 楼栋编号, 地址, 户数, 人数, 层数, 名称, 楼栋长 too). Errors name the file, sheet,
/// row and column.
pub fn parse(table: &Table) -> Result<Vec<RosterEntry>, ImportError> {
    let id_col = table.column(&["building", "building_id", "id", "楼栋编号"]);
    let address_col = table.column(&["address", "地址"]);
    let households_col = table.column(&["households", "户数"]);
    let residents_col = table.column(&["residents", "人数", "人口"]);
    let floors_col = table.column(&["floors", "层数", "楼层数"]);
    let name_col = table.column(&["name", "名称", "楼栋名称"]);
    let head_col = table.column(&["building_head", "楼栋长"]);
    if [
        households_col,
        residents_col,
        floors_col,
        name_col,
        head_col,
    ]
    .iter()
    .all(Option::is_none)
    {
        return Err(table.row_error(
            1,
            "the header has nothing to change: give `households` (户数), `residents` (人数), `floors` (层数), `name` (名称) or `building_head` (楼栋长)",
        ));
    }
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
        let floors = match count(floors_col)? {
            None => None,
            Some(f) => Some(
                u16::try_from(f)
                    .ok()
                    .filter(|f| (1..=200).contains(f))
                    .ok_or_else(|| {
                        table.cell_error(
                            row.number,
                            floors_col.unwrap_or(0),
                            "floors must be 1 to 200",
                        )
                    })?,
            ),
        };
        let text = |col: Option<usize>| -> Result<Option<String>, ImportError> {
            match (col, field(col)) {
                (Some(c), Some(v)) => check_required_text(v, MAX_NAME_CHARS, Lines::Single)
                    .map(|()| Some(v.to_string()))
                    .map_err(|e| table.cell_error(row.number, c, e.to_string())),
                _ => Ok(None),
            }
        };
        entries.push(RosterEntry {
            households: count(households_col)?,
            residents: count(residents_col)?,
            floors,
            name: text(name_col)?,
            building_head: text(head_col)?,
            ..RosterEntry::new(row.number, building)
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
        assert_eq!(chinese[0].households, Some(120));
        let attributes =
            roster("楼栋编号,层数,名称,楼栋长\nB-1,6,幸福小区3号楼,王芳\nB-2,,,\n").unwrap();
        assert_eq!(attributes[0].floors, Some(6));
        assert_eq!(attributes[0].building_head.as_deref(), Some("王芳"));
        assert_eq!(
            attributes[1],
            RosterEntry::new(3, RosterKey::Id(BuildingId("B-2".into())))
        );
        let err = roster("楼栋编号,层数\nB-1,0\n").unwrap_err();
        assert!(err.to_string().contains("column B (层数)"), "{err}");
        assert!(
            roster("楼栋编号,地址\nB-1,x\n")
                .unwrap_err()
                .to_string()
                .contains("nothing to change")
        );
    }
}
