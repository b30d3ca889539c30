//! Creating accounts and signing in: first-run setup, `remit user add`, and sessions.

use remit_core::access::{LOGIN_THROTTLE, LoginDecision, RetryAfter};
use remit_core::ids::{OrganisationId, UserId};
use remit_core::money::Currency;
use remit_core::organisation::TimeZoneName;
use remit_core::validation::{Rule, ValidationError, looks_like_email, required_text};
use uuid::Uuid;

use super::password::{self, PasswordError};
use super::session::{self, SESSION_TTL_MS};
use super::{Organisation, Role, User};
use crate::clock::{self, Clock};
use crate::store::{Store, StoreError, accounts};

pub const MIN_PASSWORD_CHARS: usize = 10;
/// Argon2 hashes any length, but a megabyte of password is an attack, not a password.
pub const MAX_PASSWORD_CHARS: usize = 1024;
pub const MAX_NAME: usize = 200;
pub const MAX_EMAIL: usize = 254;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("Remit is already set up")]
    AlreadySetUp,
    #[error("a user with this e-mail address already exists")]
    EmailTaken,
    #[error("more than one organisation is named {0:?}")]
    AmbiguousOrganisation(String),
    #[error("wrong e-mail address or password")]
    InvalidCredentials,
    /// The account had too many failed sign-ins lately; the password was not checked.
    #[error("too many failed sign-ins; try again in {} seconds", .0.seconds())]
    TooManyAttempts(RetryAfter),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Password(#[from] PasswordError),
}

/// A new organisation, or the name of an existing one, with its first (or next) user.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub organisation_name: String,
    pub time_zone: String,
    pub currency: String,
    pub name: String,
    pub email: String,
    pub password: String,
    pub role: Role,
}

/// An account's input, checked and normalised.
#[derive(Debug, Clone)]
struct CheckedAccount {
    organisation_name: String,
    time_zone: TimeZoneName,
    currency: Currency,
    name: String,
    email: String,
    password: String,
    role: Role,
}

impl NewAccount {
    /// Checks every field; the first broken rule names its field. A time zone must be one of the
    /// database's, not only look like one.
    fn check(self) -> Result<CheckedAccount, ValidationError> {
        required_text("organisation_name", &self.organisation_name, MAX_NAME)?;
        let time_zone = TimeZoneName::parse(&self.time_zone)?;
        clock::zone(&time_zone).map_err(|_| TimeZoneName::refusal())?;
        let currency = Currency::parse(&self.currency)?;
        required_text("name", &self.name, MAX_NAME)?;
        let email = normalise_email(&self.email);
        required_text("email", &email, MAX_EMAIL)?;
        if !looks_like_email(&email) {
            return Err(ValidationError::new("email", Rule::Email));
        }
        let length = self.password.chars().count();
        if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&length) {
            return Err(ValidationError::new(
                "password",
                Rule::Range {
                    min: format!("{MIN_PASSWORD_CHARS} characters"),
                    max: format!("{MAX_PASSWORD_CHARS} characters"),
                },
            ));
        }
        Ok(CheckedAccount {
            organisation_name: self.organisation_name.trim().to_owned(),
            time_zone,
            currency,
            name: self.name.trim().to_owned(),
            email,
            password: self.password,
            role: self.role,
        })
    }
}

/// E-mail addresses are compared without case and surrounding blanks.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// What setting up or adding an account produced.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: User,
    pub organisation: Organisation,
    /// Whether the organisation was created for this user.
    pub organisation_created: bool,
}

/// Whether first-run setup is still needed: nobody can sign in yet.
pub async fn setup_needed(store: &Store) -> Result<bool, AccountError> {
    let mut conn = store.read().await?;
    Ok(!accounts::any_user_exists(&mut conn).await?)
}

/// First-run setup: creates the organisation and its owner, once. Refused as soon as any user exists.
pub async fn set_up(
    store: &Store,
    clock: &Clock,
    input: NewAccount,
) -> Result<Account, AccountError> {
    create(
        store,
        clock,
        NewAccount {
            role: Role::Owner,
            ..input
        },
        true,
    )
    .await
}

/// `remit user add`: adds a user to the organisation of that name, creating it if there is none.
pub async fn add_user(
    store: &Store,
    clock: &Clock,
    input: NewAccount,
) -> Result<Account, AccountError> {
    create(store, clock, input, false).await
}

async fn create(
    store: &Store,
    clock: &Clock,
    input: NewAccount,
    first_run: bool,
) -> Result<Account, AccountError> {
    let input = input.check()?;
    let password_hash = password::hash_async(input.password.clone()).await?;
    let now = clock.now_ms();
    let mut tx = store.write().await?;
    store.lock_accounts(&mut tx).await?;
    if first_run && accounts::any_user_exists(&mut tx).await? {
        return Err(AccountError::AlreadySetUp);
    }
    if accounts::email_taken(&mut tx, &input.email).await? {
        return Err(AccountError::EmailTaken);
    }
    let existing = if first_run {
        Vec::new()
    } else {
        accounts::organisations_named(&mut tx, &input.organisation_name).await?
    };
    let (organisation, organisation_created) = match existing.as_slice() {
        [] => {
            let organisation = Organisation {
                id: OrganisationId::try_from(Uuid::now_v7())?,
                name: input.organisation_name,
                time_zone: input.time_zone,
                currency: input.currency,
            };
            accounts::insert_organisation(&mut tx, &organisation, now).await?;
            (organisation, true)
        }
        [one] => (one.clone(), false),
        _ => return Err(AccountError::AmbiguousOrganisation(input.organisation_name)),
    };
    let user = User {
        id: UserId::try_from(Uuid::now_v7())?,
        organisation_id: organisation.id,
        email: input.email,
        name: input.name,
        role: input.role,
    };
    accounts::insert_user(&mut tx, &user, &password_hash, now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Account {
        user,
        organisation,
        organisation_created,
    })
}

/// A signed-in user: the token goes to the browser, only its hash is stored.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub user: User,
    pub organisation: Organisation,
}

/// Checks e-mail and password and opens a session. A wrong e-mail and a wrong password are the same
/// error and cost the same time.
///
/// Attempts are throttled per e-mail address by core's [`LOGIN_THROTTLE`]: a refused attempt never
/// reaches the password check. Each admitted attempt is recorded as a failure before the password is
/// checked, so concurrent guesses (on any server process) cannot slip past the count; a successful
/// sign-in clears the failures, its own included.
pub async fn sign_in(
    store: &Store,
    clock: &Clock,
    email: &str,
    password: &str,
) -> Result<SignedIn, AccountError> {
    let email = normalise_email(email);
    admit_attempt(store, clock, &account_key(&email)).await?;
    let found = {
        let mut conn = store.read().await?;
        accounts::credentials(&mut conn, &email).await?
    };
    let (user, stored_hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let matches = password::verify_async(password.to_owned(), stored_hash).await?;
    let user = match user {
        Some(user) if matches => user,
        _ => return Err(AccountError::InvalidCredentials),
    };
    open_session(store, clock, user).await
}

/// The key sign-in failures are counted under: the SHA-256 of the normalised e-mail address.
fn account_key(normalised_email: &str) -> String {
    session::sha256_hex(normalised_email)
}

/// Asks core whether the account may try now; if so, records the attempt as a failure.
async fn admit_attempt(
    store: &Store,
    clock: &Clock,
    account_key: &str,
) -> Result<(), AccountError> {
    let now = clock.now_ms();
    let mut tx = store.write().await?;
    store.lock_login(&mut tx, account_key).await?;
    accounts::forget_login_failures(&mut tx, account_key, LOGIN_THROTTLE.forget_before(now))
        .await?;
    let failures = accounts::login_failures(&mut tx, account_key).await?;
    let decision = LOGIN_THROTTLE.decide(&failures, now);
    if decision == LoginDecision::Allow {
        accounts::insert_login_failure(&mut tx, account_key, now).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    match decision {
        LoginDecision::Allow => Ok(()),
        LoginDecision::Refuse { retry_after } => Err(AccountError::TooManyAttempts(retry_after)),
    }
}

/// Forgets the sign-in failures that no longer count, of every account; how many. An account's own
/// stale failures go whenever it is tried again; this sweeps those of addresses never tried again.
pub async fn forget_stale_login_failures(
    store: &Store,
    clock: &Clock,
) -> Result<u64, AccountError> {
    let mut tx = store.write().await?;
    let forgotten =
        accounts::forget_all_login_failures(&mut tx, LOGIN_THROTTLE.forget_before(clock.now_ms()))
            .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(forgotten)
}

async fn open_session(store: &Store, clock: &Clock, user: User) -> Result<SignedIn, AccountError> {
    let token = session::new_token();
    let now = clock.now_ms();
    let mut tx = store.write().await?;
    accounts::clear_login_failures(&mut tx, &account_key(&user.email)).await?;
    accounts::delete_expired_sessions(&mut tx, user.id, now).await?;
    accounts::insert_session(
        &mut tx,
        &session::token_hash(&token),
        &user,
        now,
        now + SESSION_TTL_MS,
    )
    .await?;
    let organisation = accounts::organisation(&mut tx, user.organisation_id)
        .await?
        .ok_or_else(|| StoreError::corrupt("user", "the user's organisation is missing"))?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(SignedIn {
        token,
        user,
        organisation,
    })
}

/// Opens a session for a user who has just been created (first-run setup signs the owner in).
pub async fn sign_in_new(
    store: &Store,
    clock: &Clock,
    account: Account,
) -> Result<SignedIn, AccountError> {
    open_session(store, clock, account.user).await
}

/// The user and organisation behind a session token, when the session is live.
pub async fn session_of(
    store: &Store,
    clock: &Clock,
    token: &str,
) -> Result<Option<(User, Organisation)>, AccountError> {
    let mut conn = store.read().await?;
    Ok(accounts::live_session(&mut conn, &session::token_hash(token), clock.now_ms()).await?)
}

/// Ends a session.
pub async fn sign_out(store: &Store, token: &str) -> Result<(), AccountError> {
    let mut tx = store.write().await?;
    accounts::delete_session(&mut tx, &session::token_hash(token)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> NewAccount {
        NewAccount {
            organisation_name: "Acme GmbH".into(),
            time_zone: "Europe/Berlin".into(),
            currency: "eur".into(),
            name: "Ada".into(),
            email: " Ada@Acme.Example ".into(),
            password: "correct horse".into(),
            role: Role::Owner,
        }
    }

    #[test]
    fn a_complete_account_is_normalised() {
        let a = account().check().unwrap();
        assert_eq!(a.email, "ada@acme.example");
        assert_eq!(a.currency.code(), "EUR");
        assert_eq!(a.time_zone.as_str(), "Europe/Berlin");
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let cases: [(NewAccount, &str); 7] = [
            (
                NewAccount {
                    organisation_name: " ".into(),
                    ..account()
                },
                "organisation_name",
            ),
            (
                NewAccount {
                    time_zone: "Berlin".into(),
                    ..account()
                },
                "time_zone",
            ),
            (
                NewAccount {
                    currency: "EURO".into(),
                    ..account()
                },
                "currency",
            ),
            (
                NewAccount {
                    name: "".into(),
                    ..account()
                },
                "name",
            ),
            (
                NewAccount {
                    email: "ada.acme.example".into(),
                    ..account()
                },
                "email",
            ),
            (
                NewAccount {
                    email: "".into(),
                    ..account()
                },
                "email",
            ),
            (
                NewAccount {
                    password: "too short".into(),
                    ..account()
                },
                "password",
            ),
        ];
        for (input, field) in cases {
            assert_eq!(input.check().unwrap_err().field, field);
        }
    }

    #[test]
    fn a_time_zone_the_database_lacks_is_refused_like_a_malformed_one() {
        let refused = |time_zone: &str| {
            NewAccount {
                time_zone: time_zone.into(),
                ..account()
            }
            .check()
            .unwrap_err()
        };
        let malformed = refused("Berlin");
        assert_eq!(malformed.field, "time_zone");
        for unknown in ["Mars/Olympus_Mons", "Europe/Atlantis", "europe/oslo"] {
            assert_eq!(refused(unknown), malformed, "{unknown}");
        }
        for known in [
            "UTC",
            "Pacific/Kiritimati",
            "America/Argentina/Salta",
            "Etc/GMT+5",
        ] {
            let checked = NewAccount {
                time_zone: known.into(),
                ..account()
            }
            .check()
            .unwrap();
            assert_eq!(checked.time_zone.as_str(), known);
        }
    }
}
