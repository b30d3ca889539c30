//! An organisation's gateway as its owner sets it (`PUT /api/gateway`, `remit gateway set`): which
//! gateway, and its secrets. Write-only: what is read back ([`GatewaySummary`]) names the gateway, the
//! key's last four characters and how many webhook secrets there are, never a secret. The secrets are
//! kept in `gateway_accounts` alone: not in the synced settings (every device, read-only users' too,
//! pulls those), not in a log line, not in the audit row that records who set the gateway.

use std::fmt;

use remit_core::gateway::Provider;
use remit_core::ids::{OrganisationId, UserId};
use remit_core::sync::MutationStatus;
use remit_core::validation::{Rule, ValidationError};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::store::gateway::{self, GatewayAccount};
use crate::store::sync_log::{self, AuditEntry};
use crate::store::{Store, StoreError, StoreResult};
use crate::sync::system::SystemClient;

/// The audit log's name for setting an organisation's gateway.
pub const AUDITED_AS: &str = "gateway.set";

/// The most webhook signing secrets kept at once: during a rotation the old and the new, with room for
/// one endpoint per Stripe account mode.
pub const MAX_WEBHOOK_SECRETS: usize = 4;

/// The longest key or secret taken (Stripe's are about a hundred characters).
pub const MAX_SECRET_LENGTH: usize = 255;

/// A gateway as given: `{"provider": "sandbox"}`, or `{"provider": "stripe", "secret_key": "sk_…",
/// "webhook_secrets": ["whsec_…"]}`.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
pub struct GatewaySettings {
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub secret_key: String,
    #[serde(default)]
    pub webhook_secrets: Vec<String>,
}

/// Never prints a secret, whatever logs it.
impl fmt::Debug for GatewaySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewaySettings")
            .field("provider", &self.provider)
            .field("secret_key", &"[redacted]")
            .field("webhook_secrets", &self.webhook_secrets.len())
            .finish()
    }
}

fn must_be(field: &str, expected: &str) -> ValidationError {
    ValidationError::new(
        field,
        Rule::Matches {
            expected: expected.into(),
        },
    )
}

/// Whether `text` is `prefix` and then letters, digits and underscores: how Stripe writes its keys.
fn stripe_token(text: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|prefix| {
        text.strip_prefix(prefix).is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    })
}

impl GatewaySettings {
    /// The account to store, or the first field that breaks a rule: the sandbox takes no secrets;
    /// Stripe needs a secret or restricted key (`sk_…`, `rk_…`) and at least one webhook signing secret
    /// (`whsec_…`).
    pub fn account(&self) -> Result<GatewayAccount, ValidationError> {
        let provider = Provider::parse(&self.provider)?;
        let secret_key = self.secret_key.trim();
        let given: Vec<&str> = self.webhook_secrets.iter().map(|s| s.trim()).collect();
        match provider {
            Provider::Sandbox => {
                if !secret_key.is_empty() {
                    return Err(must_be("secret_key", "left out for the sandbox"));
                }
                if !given.is_empty() {
                    return Err(must_be("webhook_secrets", "left out for the sandbox"));
                }
                return Ok(GatewayAccount {
                    provider,
                    secret_key: String::new(),
                    webhook_secrets: Vec::new(),
                });
            }
            Provider::Stripe => {}
        }
        if secret_key.is_empty() {
            return Err(ValidationError::new("secret_key", Rule::Required));
        }
        if secret_key.chars().count() > MAX_SECRET_LENGTH {
            let max = MAX_SECRET_LENGTH;
            return Err(ValidationError::new("secret_key", Rule::MaxLength { max }));
        }
        if !stripe_token(secret_key, &["sk_", "rk_"]) {
            return Err(must_be(
                "secret_key",
                "a Stripe secret or restricted key (sk_… or rk_…)",
            ));
        }
        if given.is_empty() {
            return Err(ValidationError::new("webhook_secrets", Rule::Required));
        }
        if given.len() > MAX_WEBHOOK_SECRETS {
            return Err(must_be(
                "webhook_secrets",
                &format!("at most {MAX_WEBHOOK_SECRETS} secrets"),
            ));
        }
        let mut webhook_secrets: Vec<String> = Vec::new();
        for (i, secret) in given.into_iter().enumerate() {
            let field = format!("webhook_secrets[{i}]");
            if secret.chars().count() > MAX_SECRET_LENGTH {
                let max = MAX_SECRET_LENGTH;
                return Err(ValidationError::new(field, Rule::MaxLength { max }));
            }
            if !stripe_token(secret, &["whsec_"]) {
                return Err(must_be(&field, "a Stripe webhook signing secret (whsec_…)"));
            }
            if !webhook_secrets.iter().any(|s| s == secret) {
                webhook_secrets.push(secret.to_owned());
            }
        }
        Ok(GatewayAccount {
            provider,
            secret_key: secret_key.to_owned(),
            webhook_secrets,
        })
    }
}

/// What may be read of an organisation's gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewaySummary {
    pub provider: Provider,
    /// The key's last four characters; `None` without a key (the sandbox).
    pub key_hint: Option<String>,
    /// How many webhook signing secrets are kept.
    pub webhook_secrets: usize,
    /// Where the gateway is to send its webhooks, on this server; `None` for the sandbox, which
    /// reports on its own page.
    pub webhook_url: Option<String>,
}

impl GatewaySummary {
    pub fn of(organisation: OrganisationId, account: &GatewayAccount) -> Self {
        let webhook_url = match account.provider {
            Provider::Sandbox => None,
            Provider::Stripe => Some(format!("/hooks/stripe/{organisation}")),
        };
        Self {
            provider: account.provider,
            key_hint: Some(account.key_hint()).filter(|hint| !hint.is_empty()),
            webhook_secrets: account.webhook_secrets.len(),
            webhook_url,
        }
    }
}

/// Sets `organisation`'s gateway to `account`, replacing any before, and records in the audit log that
/// `user` did (the provider and the number of webhook secrets, no secret), in one transaction.
pub async fn set(
    store: &Store,
    (organisation, user): (OrganisationId, UserId),
    account: &GatewayAccount,
    now_ms: i64,
) -> StoreResult<GatewaySummary> {
    let mut tx = store.write().await?;
    gateway::put_account(&mut tx, organisation, account, now_ms).await?;
    sync_log::append_audit(
        &mut tx,
        &AuditEntry {
            organisation_id: organisation,
            change_no: None,
            user_id: user,
            client_id: SystemClient::of(organisation).client,
            mutation_id: 0,
            mutation_name: AUDITED_AS,
            status: MutationStatus::Applied,
            at_ms: now_ms,
            summary: json!({
                "op": "put", "entity": "gateway", "provider": account.provider.name(),
                "webhook_secrets": account.webhook_secrets.len(),
            }),
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(%organisation, provider = account.provider.name(), "gateway set");
    Ok(GatewaySummary::of(organisation, account))
}

/// What may be read of `organisation`'s gateway; `None` when it set none.
pub async fn summary(
    store: &Store,
    organisation: OrganisationId,
) -> StoreResult<Option<GatewaySummary>> {
    let account = gateway::account(&mut *store.read().await?, organisation).await?;
    Ok(account.map(|account| GatewaySummary::of(organisation, &account)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripe(key: &str, secrets: &[&str]) -> GatewaySettings {
        GatewaySettings {
            provider: "stripe".into(),
            secret_key: key.into(),
            webhook_secrets: secrets.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn refused_field(settings: &GatewaySettings) -> String {
        settings.account().unwrap_err().field
    }

    #[test]
    fn stripe_needs_a_secret_key_and_a_webhook_secret() {
        let account = stripe(" sk_test_remit0example0key ", &["whsec_old1", "whsec_new2"])
            .account()
            .unwrap();
        assert_eq!(account.secret_key, "sk_test_remit0example0key");
        assert_eq!(account.webhook_secrets, ["whsec_old1", "whsec_new2"]);
        assert!(stripe("rk_live_abc", &["whsec_1"]).account().is_ok());

        assert_eq!(refused_field(&stripe("", &["whsec_1"])), "secret_key");
        assert_eq!(
            refused_field(&stripe("pk_live_abc", &["whsec_1"])),
            "secret_key"
        );
        assert_eq!(refused_field(&stripe("sk_", &["whsec_1"])), "secret_key");
        assert_eq!(refused_field(&stripe("sk_a b", &["whsec_1"])), "secret_key");
        assert_eq!(refused_field(&stripe("sk_abc", &[])), "webhook_secrets");
        assert_eq!(
            refused_field(&stripe("sk_abc", &["whsec_1", "sk_abc"])),
            "webhook_secrets[1]"
        );
        assert_eq!(
            refused_field(&stripe("sk_abc", &["whsec_1\nwhsec_2"])),
            "webhook_secrets[0]",
            "one secret per entry: the store keeps them a line each"
        );
        let many = ["whsec_1", "whsec_2", "whsec_3", "whsec_4", "whsec_5"];
        assert_eq!(refused_field(&stripe("sk_abc", &many)), "webhook_secrets");
        let long = format!("sk_{}", "a".repeat(MAX_SECRET_LENGTH));
        assert_eq!(refused_field(&stripe(&long, &["whsec_1"])), "secret_key");
    }

    #[test]
    fn a_secret_given_twice_is_kept_once() {
        let account = stripe("sk_abc", &["whsec_1", " whsec_1"])
            .account()
            .unwrap();
        assert_eq!(account.webhook_secrets, ["whsec_1"]);
    }

    #[test]
    fn the_sandbox_takes_no_secrets_and_an_unknown_provider_is_named() {
        let sandbox = GatewaySettings {
            provider: "sandbox".into(),
            ..GatewaySettings::default()
        };
        assert_eq!(sandbox.account().unwrap().secret_key, "");
        let with_key = GatewaySettings {
            secret_key: "sk_abc".into(),
            ..sandbox.clone()
        };
        assert_eq!(refused_field(&with_key), "secret_key");
        let with_secret = GatewaySettings {
            webhook_secrets: vec!["whsec_1".into()],
            ..sandbox
        };
        assert_eq!(refused_field(&with_secret), "webhook_secrets");
        let paypal = GatewaySettings {
            provider: "paypal".into(),
            ..GatewaySettings::default()
        };
        assert_eq!(refused_field(&paypal), "provider");
    }

    #[test]
    fn the_summary_names_no_secret() {
        let organisation = OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap();
        let account = stripe("sk_test_abcd4242", &["whsec_old1", "whsec_new2"])
            .account()
            .unwrap();
        let summary = GatewaySummary::of(organisation, &account);
        assert_eq!(
            serde_json::to_value(&summary).unwrap(),
            json!({
                "provider": "stripe",
                "key_hint": "4242",
                "webhook_secrets": 2,
                "webhook_url": "/hooks/stripe/019a4d5e-0000-7000-8000-000000000001",
            })
        );
        let printed = format!("{:?}", stripe("sk_test_abcd4242", &["whsec_old1"]));
        assert!(
            !printed.contains("sk_test") && !printed.contains("whsec"),
            "{printed}"
        );
    }
}
