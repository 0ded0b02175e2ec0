//! The sqlx plumbing both backends share: binding typed values, reading rows, running a
//! batch in one transaction. Macros, as the two pools are of different types.

/// Binds typed [`SqlValue`]s to a sqlx query, for either backend.
macro_rules! bind_values {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                $crate::store::schema::SqlValue::Text(v) => query.bind(v.as_deref()),
                $crate::store::schema::SqlValue::Int(v) => query.bind(*v),
                $crate::store::schema::SqlValue::Real(v) => query.bind(*v),
                $crate::store::schema::SqlValue::Blob(v) => query.bind(v.as_deref()),
            };
        }
        query
    }};
}

/// Reads one fetched row into typed [`SqlValue`]s, for either backend.
macro_rules! read_values {
    ($row:expr, $columns:expr) => {{
        use sqlx::Row as _;
        let row = $row;
        let mut values = Vec::with_capacity($columns.len());
        for (i, ty) in $columns.iter().enumerate() {
            values.push(match ty {
                $crate::store::schema::ColumnType::Text
                | $crate::store::schema::ColumnType::Timestamp => {
                    $crate::store::schema::SqlValue::Text(row.try_get::<Option<String>, _>(i)?)
                }
                $crate::store::schema::ColumnType::Int => {
                    $crate::store::schema::SqlValue::Int(row.try_get::<Option<i64>, _>(i)?)
                }
                $crate::store::schema::ColumnType::Real => {
                    $crate::store::schema::SqlValue::Real(row.try_get::<Option<f64>, _>(i)?)
                }
                $crate::store::schema::ColumnType::Blob => {
                    $crate::store::schema::SqlValue::Blob(row.try_get::<Option<Vec<u8>>, _>(i)?)
                }
            });
        }
        values
    }};
}

/// Runs statements in one transaction with progress every 1,000 entities written, for
/// either backend.
macro_rules! execute_all {
    ($pool:expr, $statements:expr, $progress:expr) => {{
        let mut tx = $pool.begin().await?;
        let mut affected = 0u64;
        let mut written = 0u64;
        for statement in $statements.iter() {
            let query = $crate::store::sql::bind_values!(
                sqlx::query(sqlx::AssertSqlSafe(statement.sql.clone())),
                &statement.params
            );
            let rows = query.execute(&mut *tx).await?.rows_affected();
            match statement.guard {
                $crate::store::schema::RowGuard::Exactly(wanted) if rows != wanted => {
                    // Dropping the transaction rolls it back.
                    return Err(sqlx::Error::RowNotFound);
                }
                $crate::store::schema::RowGuard::Uncounted => {}
                $crate::store::schema::RowGuard::Any
                | $crate::store::schema::RowGuard::Exactly(_) => affected += rows,
            }
            let before = written;
            written += statement.entities;
            if let Some(progress) = $progress {
                if written / 1000 > before / 1000 {
                    progress(written);
                }
            }
        }
        tx.commit().await?;
        if let Some(progress) = $progress {
            progress(written);
        }
        Ok(affected)
    }};
}

/// Runs a query and reads every row into typed [`SqlValue`]s, for either backend. Rows are
/// read as they come and dropped at once: a layer of 300,000 buildings never sits in memory
/// as the driver's rows and as values together.
macro_rules! fetch_values {
    ($pool:expr, $sql:expr, $params:expr, $columns:expr) => {{
        use futures_util::TryStreamExt as _;
        let mut rows =
            $crate::store::sql::bind_values!(sqlx::query(sqlx::AssertSqlSafe($sql)), $params)
                .fetch(&$pool);
        let mut out = Vec::new();
        while let Some(row) = rows.try_next().await? {
            out.push($crate::store::sql::read_values!(&row, $columns));
        }
        Ok(out)
    }};
}

pub(crate) use {bind_values, execute_all, fetch_values, read_values};
