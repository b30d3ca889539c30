//! The SQLite and PostgreSQL migrations give one schema: the same tables with the same columns in the
//! same order (up to [`column_type`]'s mapping of each backend's types), nullability, primary keys,
//! unique constraints, foreign keys and named indexes. Both backends are migrated from nothing and read
//! back from their own catalogues, so a migration written for one backend and forgotten, or written
//! differently, for the other fails here.
//!
//! The test needs both databases at once, so its name carries both backend suffixes: it runs (and is
//! counted) in the SQLite phase and in the PostgreSQL phase alike, which keeps their counts equal.
//! CHECK constraints and column defaults are not compared: their text is each backend's own rendering.

use std::collections::{BTreeMap, BTreeSet};

use remit_server::store::Store;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::helpers::{Backend, TestDatabase};

/// The type a column holds, whatever each backend calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ColumnType {
    /// SQLite `TEXT`, PostgreSQL `text`.
    Text,
    /// SQLite `INTEGER`, PostgreSQL `bigint`: every stored integer is an `i64`.
    Integer,
    /// SQLite `BLOB`, PostgreSQL `bytea`.
    Bytes,
}

/// The shared type of a column declared as `declared` on `backend`; a type outside the mapping fails the
/// test, since the store could not read it the same way on both backends.
fn column_type(backend: Backend, table: &str, column: &str, declared: &str) -> ColumnType {
    match (backend, declared.to_ascii_lowercase().as_str()) {
        (Backend::Sqlite, "text") | (Backend::Postgres, "text") => ColumnType::Text,
        (Backend::Sqlite, "integer") | (Backend::Postgres, "bigint") => ColumnType::Integer,
        (Backend::Sqlite, "blob") | (Backend::Postgres, "bytea") => ColumnType::Bytes,
        _ => panic!("{backend:?} column {table}.{column} has the unmapped type {declared:?}"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    name: String,
    kind: ColumnType,
    not_null: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ForeignKey {
    columns: Vec<String>,
    table: String,
    references: Vec<String>,
    on_delete: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Index {
    columns: Vec<String>,
    unique: bool,
    /// The `WHERE` of a partial index, lower-cased without brackets or repeated spaces.
    predicate: Option<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Table {
    /// In declaration order.
    columns: Vec<Column>,
    primary_key: Vec<String>,
    unique: BTreeSet<Vec<String>>,
    foreign_keys: BTreeSet<ForeignKey>,
    /// Indexes created by name (`CREATE INDEX`), by name.
    indexes: BTreeMap<String, Index>,
}

type Schema = BTreeMap<String, Table>;

/// Tables of the migration tool itself, not of Remit.
const TOOL_TABLES: [&str; 1] = ["_sqlx_migrations"];

fn text(row: &AnyRow, column: &str) -> String {
    row.try_get(column).unwrap()
}

fn number(row: &AnyRow, column: &str) -> i64 {
    row.try_get(column).unwrap()
}

fn names(list: &str) -> Vec<String> {
    list.split(',').map(str::to_owned).collect()
}

fn predicate(text: &str) -> String {
    text.replace(['(', ')'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

async fn migrated(backend: Backend) -> (TestDatabase, Store) {
    let db = TestDatabase::new(backend).await;
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    (db, store)
}

async fn sqlite_schema(store: &Store) -> Schema {
    let pool = store.pool();
    let tables = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut schema = Schema::new();
    for row in tables {
        let name = text(&row, "name");
        if TOOL_TABLES.contains(&name.as_str()) {
            continue;
        }
        let mut table = Table::default();
        let columns = sqlx::query(
            "SELECT name, type, \"notnull\" AS not_null, pk FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap();
        let mut key: Vec<(i64, String)> = Vec::new();
        for c in &columns {
            let column = text(c, "name");
            let declared = text(c, "type");
            let in_key = number(c, "pk");
            // An INTEGER PRIMARY KEY is the rowid, which is never NULL whatever the declaration says.
            let rowid = in_key > 0 && declared.eq_ignore_ascii_case("integer");
            table.columns.push(Column {
                kind: column_type(Backend::Sqlite, &name, &column, &declared),
                not_null: number(c, "not_null") == 1 || rowid,
                name: column.clone(),
            });
            if in_key > 0 {
                key.push((in_key, column));
            }
        }
        key.sort();
        table.primary_key = key.into_iter().map(|(_, c)| c).collect();

        let indexes = sqlx::query(
            "SELECT name, \"unique\" AS is_unique, origin, partial FROM pragma_index_list($1)",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap();
        for index in indexes {
            let index_name = text(&index, "name");
            let columns: Vec<String> =
                sqlx::query("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index_name)
                    .fetch_all(pool)
                    .await
                    .unwrap()
                    .iter()
                    .map(|c| text(c, "name"))
                    .collect();
            match text(&index, "origin").as_str() {
                // The primary key, read from the columns above.
                "pk" => {}
                "u" => {
                    table.unique.insert(columns);
                }
                _ => {
                    let predicate = if number(&index, "partial") == 1 {
                        let sql: String =
                            sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = $1")
                                .bind(&index_name)
                                .fetch_one(pool)
                                .await
                                .unwrap();
                        let (_, condition) = sql
                            .rsplit_once(" WHERE ")
                            .unwrap_or_else(|| panic!("partial index without WHERE: {sql}"));
                        Some(predicate(condition))
                    } else {
                        None
                    };
                    table.indexes.insert(
                        index_name,
                        Index {
                            columns,
                            unique: number(&index, "is_unique") == 1,
                            predicate,
                        },
                    );
                }
            }
        }

        let keys = sqlx::query(
            "SELECT id, seq, \"table\" AS target, \"from\" AS source, \"to\" AS referenced, \
               on_delete FROM pragma_foreign_key_list($1) ORDER BY id, seq",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap();
        let mut by_id: BTreeMap<i64, ForeignKey> = BTreeMap::new();
        for k in keys {
            let key = by_id.entry(number(&k, "id")).or_insert_with(|| ForeignKey {
                columns: Vec::new(),
                table: text(&k, "target"),
                references: Vec::new(),
                on_delete: text(&k, "on_delete").to_lowercase(),
            });
            key.columns.push(text(&k, "source"));
            key.references.push(text(&k, "referenced"));
        }
        table.foreign_keys = by_id.into_values().collect();
        schema.insert(name, table);
    }
    schema
}

async fn postgres_schema(store: &Store) -> Schema {
    let pool = store.pool();
    let mut schema = Schema::new();
    let columns = sqlx::query(
        "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
           c.data_type::text AS data_type, c.is_nullable::text AS is_nullable \
         FROM information_schema.columns c JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for c in columns {
        let table = text(&c, "table_name");
        if TOOL_TABLES.contains(&table.as_str()) {
            continue;
        }
        let column = text(&c, "column_name");
        let kind = column_type(Backend::Postgres, &table, &column, &text(&c, "data_type"));
        schema.entry(table).or_default().columns.push(Column {
            name: column,
            kind,
            not_null: text(&c, "is_nullable") == "NO",
        });
    }

    // Every index of a table, with the constraint it backs ('p' primary key, 'u' unique), if any.
    let indexes = sqlx::query(
        "SELECT t.relname::text AS table_name, i.relname::text AS index_name, \
           CASE WHEN x.indisunique THEN 1 ELSE 0 END::bigint AS is_unique, \
           pg_get_expr(x.indpred, x.indrelid) AS predicate, \
           (SELECT string_agg(a.attname::text, ',' ORDER BY k.n) \
              FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) \
              JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum) AS columns, \
           (SELECT c.contype::text FROM pg_constraint c \
              WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid \
                AND c.contype IN ('p', 'u')) AS backs \
         FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid \
           JOIN pg_class i ON i.oid = x.indexrelid \
           JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = 'public'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for index in indexes {
        let table_name = text(&index, "table_name");
        if TOOL_TABLES.contains(&table_name.as_str()) {
            continue;
        }
        let table = schema.get_mut(&table_name).expect("index of a known table");
        let columns = names(&text(&index, "columns"));
        let backs: Option<String> = index.try_get("backs").unwrap();
        match backs.as_deref() {
            Some("p") => table.primary_key = columns,
            Some(_) => {
                table.unique.insert(columns);
            }
            None => {
                let predicate: Option<String> = index.try_get("predicate").unwrap();
                table.indexes.insert(
                    text(&index, "index_name"),
                    Index {
                        columns,
                        unique: number(&index, "is_unique") == 1,
                        predicate: predicate.as_deref().map(self::predicate),
                    },
                );
            }
        }
    }

    let keys = sqlx::query(
        "SELECT c.conrelid::regclass::text AS table_name, c.confrelid::regclass::text AS target, \
           c.confdeltype::text AS on_delete, \
           (SELECT string_agg(a.attname::text, ',' ORDER BY k.n) \
              FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) \
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS source, \
           (SELECT string_agg(a.attname::text, ',' ORDER BY k.n) \
              FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n) \
              JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS referenced \
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
         WHERE c.contype = 'f' AND n.nspname = 'public'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for k in keys {
        let on_delete = match text(&k, "on_delete").as_str() {
            "a" => "no action",
            "r" => "restrict",
            "c" => "cascade",
            "n" => "set null",
            "d" => "set default",
            other => panic!("unknown ON DELETE action {other:?}"),
        };
        schema
            .get_mut(&text(&k, "table_name"))
            .expect("foreign key of a known table")
            .foreign_keys
            .insert(ForeignKey {
                columns: names(&text(&k, "source")),
                table: text(&k, "target"),
                references: names(&text(&k, "referenced")),
                on_delete: on_delete.into(),
            });
    }
    schema
}

#[tokio::test]
async fn migrations_give_one_schema_on_sqlite_and_postgres() {
    let (_sqlite_db, sqlite) = migrated(Backend::Sqlite).await;
    let (_postgres_db, postgres) = migrated(Backend::Postgres).await;
    let on_sqlite = sqlite_schema(&sqlite).await;
    let on_postgres = postgres_schema(&postgres).await;
    sqlite.close().await;
    postgres.close().await;

    assert!(on_sqlite.contains_key("changes") && on_sqlite.contains_key("invoices"));
    assert_eq!(
        on_sqlite.keys().collect::<Vec<_>>(),
        on_postgres.keys().collect::<Vec<_>>(),
        "tables"
    );
    for (name, table) in &on_sqlite {
        assert_eq!(
            table, &on_postgres[name],
            "table {name}: SQLite left, PostgreSQL right"
        );
    }
}

/// The tables `docs/scaling.md` lists as not keyed by organisation, each with its reason: the rows
/// `` | `table` | reason | `` of its section "Tables not keyed by organisation".
fn tables_scaling_explains() -> BTreeMap<String, String> {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/scaling.md"),
    )
    .expect("docs/scaling.md");
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with("Tables not keyed by organisation"))
        .expect("docs/scaling.md has a section \"Tables not keyed by organisation\"");
    section
        .lines()
        .filter_map(|line| {
            let mut cells = line.strip_prefix("| `")?.splitn(2, "` |");
            let table = cells.next()?.to_owned();
            let reason = cells.next()?.trim().trim_end_matches('|').trim().to_owned();
            Some((table, reason))
        })
        .collect()
}

/// Sharding by organisation (docs/scaling.md) needs `organisation_id` in every table's primary key.
/// Read from each backend's catalogue, a table without it fails here unless docs/scaling.md lists it with
/// its reason; and a table listed there must exist and lack the key, so the list stays true.
#[tokio::test]
async fn every_table_is_keyed_by_organisation_or_scaling_says_why_sqlite_and_postgres() {
    let explained = tables_scaling_explains();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let (_db, store) = migrated(backend).await;
        let schema = match backend {
            Backend::Sqlite => sqlite_schema(&store).await,
            Backend::Postgres => postgres_schema(&store).await,
        };
        store.close().await;
        for (name, table) in &schema {
            let keyed = table.primary_key.iter().any(|c| c == "organisation_id");
            match explained.get(name) {
                None if !keyed => panic!(
                    "{backend:?}: table {name} has the primary key {:?} without organisation_id; \
                     add it, or list the table in docs/scaling.md with the reason",
                    table.primary_key
                ),
                Some(reason) if reason.is_empty() => {
                    panic!("docs/scaling.md lists {name} without a reason")
                }
                Some(_) if keyed => panic!(
                    "docs/scaling.md lists {name}, whose primary key {:?} has organisation_id",
                    table.primary_key
                ),
                _ => {}
            }
        }
        for name in explained.keys() {
            assert!(
                schema.contains_key(name),
                "docs/scaling.md lists {name}, which is not a table"
            );
        }
    }
}
