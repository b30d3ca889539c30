//! Upgrades with data in the tables: a database written by an earlier version, migrated by this one,
//! keeps working.

use std::path::Path;

use remit_server::auth::Role;
use remit_server::auth::accounts::{NewAccount, add_user, sign_in};
use remit_server::clock::Clock;
use remit_server::store::Store;
use sqlx::migrate::Migrator;

use crate::helpers::*;
use crate::on_both_backends;

/// Migrates a fresh database only up to `version` (inclusive), as an earlier Remit left it.
async fn migrated_up_to(backend: Backend, version: &str) -> (TestDatabase, Store) {
    let db = TestDatabase::new(backend).await;
    let store = Store::connect(&db.url).await.expect("connect");
    let folder = match store.backend() {
        remit_server::store::Backend::Sqlite => "sqlite",
        remit_server::store::Backend::Postgres => "postgres",
    };
    let all = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    let earlier = db.dir.path().join("earlier-migrations");
    std::fs::create_dir_all(&earlier).unwrap();
    for entry in std::fs::read_dir(&all).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.as_str() <= version {
            std::fs::copy(&path, earlier.join(&name)).unwrap();
        }
    }
    Migrator::new(earlier.as_path())
        .await
        .unwrap()
        .run(store.pool())
        .await
        .expect("the earlier migrations");
    (db, store)
}

/// Users from before system users existed (migration 0006) are people who sign in, as before.
async fn a_user_from_before_system_users_still_signs_in(backend: Backend) {
    let (_db, store) = migrated_up_to(backend, "0005_latest_change.sql").await;
    let clock = Clock::system();
    let account = NewAccount {
        organisation_name: "Acme GmbH".into(),
        time_zone: "Europe/Berlin".into(),
        currency: "EUR".into(),
        name: "Olivia Owner".into(),
        email: OWNER_EMAIL.into(),
        password: PASSWORD.into(),
        role: Role::Owner,
    };
    add_user(&store, &clock, account)
        .await
        .expect("a user on the earlier schema");

    store.migrate().await.expect("this version's migrations");
    let signed_in = sign_in(&store, &clock, OWNER_EMAIL, PASSWORD)
        .await
        .expect("the user still signs in");
    assert_eq!(signed_in.user.role, Role::Owner);
    let kind: String = sqlx::query_scalar("SELECT kind FROM users WHERE email = $1")
        .bind(OWNER_EMAIL)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(kind, "person");
}

on_both_backends!(a_user_from_before_system_users_still_signs_in => a_user_from_before_system_users_still_signs_in_sqlite, a_user_from_before_system_users_still_signs_in_postgres);
