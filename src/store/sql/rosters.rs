//! Household rosters and building attribute tables on SQL: rows resolved to buildings, checked
//! in the database and applied as one UPDATE joined with the rows sent as one JSON array.
//!
//! A roster of 300,000 rows is one parameter, not 300 statements of 1,000 rows: neither
//! backend's parameter limit nor a per-statement round trip bounds it, and the store checks
//! the ids against its unique index instead of sending every building id back to be hashed.

use super::{SqlBackend, SqlStore};
use crate::domain::{RosterEntry, RosterKey};
use crate::store::schema::{ColumnType, Dialect, SqlValue, Statement};
use crate::store::{ChangedLayer, StoreError};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

/// Most building ids a roster change names; beyond, the whole layer is announced.
const MAX_ANNOUNCED_IDS: usize = 10_000;

/// The buildings a roster changes: one row per building, in the order each was first
/// named, carrying the last row that named it (later rows win, as if applied one by one).
struct ResolvedRoster<'a> {
    rows: Vec<ResolvedRow<'a>>,
}

struct ResolvedRow<'a> {
    building_id: &'a str,
    /// The first line naming the building, for errors.
    first_line: usize,
    entry: &'a RosterEntry,
}

impl<'a> ResolvedRoster<'a> {
    /// Resolves every entry to a building id, addresses through `by_address` (trimmed
    /// address to the ids of the buildings there); an address matching no building or
    /// several is refused naming the line.
    fn resolve(
        entries: &'a [RosterEntry],
        by_address: &'a HashMap<String, Vec<String>>,
    ) -> Result<Self, StoreError> {
        let mut rows: Vec<ResolvedRow<'a>> = Vec::with_capacity(entries.len());
        let mut position: HashMap<&'a str, usize> = HashMap::with_capacity(entries.len());
        for entry in entries {
            let building_id = match &entry.building {
                RosterKey::Id(id) => id.as_str(),
                RosterKey::Address(address) => match by_address.get(address.trim()) {
                    Some(ids) if ids.len() == 1 => ids[0].as_str(),
                    Some(ids) if ids.len() > 1 => {
                        return Err(StoreError::Roster {
                            line: entry.line,
                            reason: format!(
                                "address {address:?} matches {} buildings; give the building id",
                                ids.len()
                            ),
                        });
                    }
                    _ => {
                        return Err(StoreError::Roster {
                            line: entry.line,
                            reason: format!("no building with address {address:?}"),
                        });
                    }
                },
            };
            match position.entry(building_id) {
                Entry::Occupied(seen) => rows[*seen.get()].entry = entry,
                Entry::Vacant(slot) => {
                    slot.insert(rows.len());
                    rows.push(ResolvedRow {
                        building_id,
                        first_line: entry.line,
                        entry,
                    });
                }
            }
        }
        Ok(Self { rows })
    }

    /// The rows as one JSON array of `[id, households, residents, floors, name,
    /// building_head]`, `null` where the roster leaves a value as it is.
    fn to_json(&self) -> Result<String, StoreError> {
        type JsonRow<'r> = (
            &'r str,
            Option<u32>,
            Option<u32>,
            Option<u16>,
            &'r Option<String>,
            &'r Option<String>,
        );
        let rows: Vec<JsonRow<'_>> = self
            .rows
            .iter()
            .map(|row| {
                let e = row.entry;
                (
                    row.building_id,
                    e.households,
                    e.residents,
                    e.floors,
                    &e.name,
                    &e.building_head,
                )
            })
            .collect();
        serde_json::to_string(&rows).map_err(|e| StoreError::Write {
            what: "roster rows".into(),
            source: sqlx::Error::Encode(Box::new(e)),
        })
    }

    /// The changed building ids, sorted, to announce.
    fn sorted_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .rows
            .iter()
            .map(|r| r.building_id.to_string())
            .collect();
        ids.sort_unstable();
        ids
    }
}

/// The JSON array's rows as a table `(id, h, r, f, n, bh, position)`, bound as parameter 1.
fn json_rows(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::GeoPackage => {
            "SELECT value ->> 0 AS id, value ->> 1 AS h, value ->> 2 AS r, value ->> 3 AS f, \
             value ->> 4 AS n, value ->> 5 AS bh, key AS position FROM json_each(?)"
        }
        Dialect::Postgis => {
            "SELECT v ->> 0 AS id, (v ->> 1)::integer AS h, (v ->> 2)::integer AS r, \
             (v ->> 3)::integer AS f, v ->> 4 AS n, v ->> 5 AS bh, (ord - 1)::bigint AS position \
             FROM json_array_elements($1::json) WITH ORDINALITY AS j(v, ord)"
        }
    }
}

/// The position of the first row naming no stored building, if any.
fn first_unknown_sql(dialect: Dialect) -> String {
    format!(
        "SELECT v.position FROM ({}) AS v WHERE NOT EXISTS (SELECT 1 FROM buildings b WHERE b.id = v.id) \
         ORDER BY v.position LIMIT 1",
        json_rows(dialect)
    )
}

/// One UPDATE of every roster building from the JSON rows; NULL leaves a column as it is.
fn update_sql(dialect: Dialect) -> String {
    format!(
        "UPDATE buildings SET households = COALESCE(v.h, buildings.households), \
         residents = COALESCE(v.r, buildings.residents), floors = COALESCE(v.f, buildings.floors), \
         name = COALESCE(v.n, buildings.name), building_head = COALESCE(v.bh, buildings.building_head) \
         FROM ({}) AS v WHERE buildings.id = v.id",
        json_rows(dialect)
    )
}

/// The trimmed addresses stored for the buildings at any of the JSON array's addresses.
fn addresses_sql(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::GeoPackage => {
            "SELECT TRIM(address), id FROM buildings WHERE TRIM(address) IN (SELECT value FROM json_each(?))"
        }
        Dialect::Postgis => {
            "SELECT btrim(address), id FROM buildings WHERE btrim(address) IN (SELECT json_array_elements_text($1::json))"
        }
    }
}

impl<B: SqlBackend> SqlStore<B> {
    /// Trimmed address → ids of the buildings there, for the addresses the roster names
    /// (nothing is read when it names buildings by id only).
    async fn buildings_at(
        &self,
        entries: &[RosterEntry],
    ) -> Result<HashMap<String, Vec<String>>, StoreError> {
        let mut addresses: Vec<&str> = entries
            .iter()
            .filter_map(|e| match &e.building {
                RosterKey::Address(a) => Some(a.trim()),
                RosterKey::Id(_) => None,
            })
            .collect();
        let mut by_address: HashMap<String, Vec<String>> = HashMap::new();
        if addresses.is_empty() {
            return Ok(by_address);
        }
        addresses.sort_unstable();
        addresses.dedup();
        let wanted = serde_json::Value::from(addresses).to_string();
        let rows = self
            .backend
            .fetch(
                addresses_sql(B::DIALECT),
                &[SqlValue::Text(Some(wanted))],
                &[ColumnType::Text, ColumnType::Text],
            )
            .await
            .map_err(StoreError::query("buildings"))?;
        for row in rows {
            if let [SqlValue::Text(Some(address)), SqlValue::Text(Some(id))] = row.as_slice() {
                by_address
                    .entry(address.clone())
                    .or_default()
                    .push(id.clone());
            }
        }
        Ok(by_address)
    }

    /// The first roster row naming no stored building, as the error naming its line.
    async fn first_unknown(&self, roster: &ResolvedRoster<'_>) -> Result<StoreError, StoreError> {
        let unknown = self
            .backend
            .fetch(
                &first_unknown_sql(B::DIALECT),
                &[SqlValue::Text(Some(roster.to_json()?))],
                &[ColumnType::Int],
            )
            .await
            .map_err(StoreError::query("buildings"))?;
        let row = match unknown.first().map(Vec::as_slice) {
            Some([SqlValue::Int(Some(position))]) => usize::try_from(*position)
                .ok()
                .and_then(|p| roster.rows.get(p)),
            _ => None,
        };
        Ok(match row {
            Some(row) => StoreError::Roster {
                line: row.first_line,
                reason: format!("no building with id {:?}", row.building_id),
            },
            // Every building exists now: one was removed and restored meanwhile.
            None => StoreError::Conflict {
                what: "buildings".into(),
                now: "changed by another writer".into(),
            },
        })
    }

    /// Applies a roster: resolved, then written in one transaction with its announcement,
    /// which rolls back unless every row's building is stored (the UPDATE must change one
    /// building per row); a row naming none is then refused with its line. Returns the
    /// number of buildings updated.
    pub(super) async fn apply_roster_rows(
        &self,
        entries: &[RosterEntry],
    ) -> Result<u64, StoreError> {
        let by_address = self.buildings_at(entries).await?;
        let roster = ResolvedRoster::resolve(entries, &by_address)?;
        let update = Statement::new(
            Arc::from(update_sql(B::DIALECT)),
            vec![SqlValue::Text(Some(roster.to_json()?))],
        )
        .exactly_rows(roster.rows.len() as u64);
        let mut statements = vec![update];
        // A bulk roster reloads the layer (an id list of hundreds of thousands costs more
        // to write and read than the reload).
        let ids = (roster.rows.len() <= MAX_ANNOUNCED_IDS).then(|| roster.sorted_ids());
        statements.extend(self.announce(ChangedLayer::Buildings, ids));
        match self.backend.execute_in_transaction(&statements, None).await {
            Ok(updated) => Ok(updated),
            Err(sqlx::Error::RowNotFound) => Err(self.first_unknown(&roster).await?),
            Err(source) => Err(StoreError::Write {
                what: format!("roster of {} lines", entries.len()),
                source,
            }),
        }
    }
}
