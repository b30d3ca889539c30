//! Credit limits: warn or block a new invoice that would take a customer's balance past their limit.

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::validation::{Rule, ValidationError};

/// What happens when a new invoice would exceed the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitPolicy {
    /// The user is warned and may go on.
    #[default]
    Warn,
    /// The invoice is refused (a draft stays a draft).
    Block,
}

/// A customer's credit limit in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditLimit {
    pub limit: Money,
    pub policy: LimitPolicy,
}

/// The outcome of checking a new invoice against the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CreditCheck {
    Within,
    /// Over the limit by `excess`; the invoice may still be issued.
    Warning {
        excess: Money,
    },
    /// Over the limit by `excess`; the invoice must not be issued.
    Blocked {
        excess: Money,
    },
}

impl CreditLimit {
    /// Checks `balance + new_invoice` against the limit. Both must be in the limit's currency: balances
    /// and limits are per (customer, currency).
    pub fn check(
        &self,
        balance: Money,
        new_invoice: Money,
    ) -> Result<CreditCheck, ValidationError> {
        if balance.currency() != self.limit.currency()
            || new_invoice.currency() != self.limit.currency()
        {
            return Err(ValidationError::new("currency", Rule::SameCurrency));
        }
        let after = balance.checked_add(new_invoice)?;
        if after.amount() <= self.limit.amount() {
            return Ok(CreditCheck::Within);
        }
        let excess = after.checked_sub(self.limit)?;
        Ok(match self.policy {
            LimitPolicy::Warn => CreditCheck::Warning { excess },
            LimitPolicy::Block => CreditCheck::Blocked { excess },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn eur(s: &str) -> Money {
        Money::parse(s, Currency::parse("EUR").unwrap()).unwrap()
    }

    #[test]
    fn the_limit_is_checked_on_the_balance_after_the_new_invoice() {
        let warn = CreditLimit {
            limit: eur("1000"),
            policy: LimitPolicy::Warn,
        };
        let block = CreditLimit {
            policy: LimitPolicy::Block,
            ..warn
        };
        assert_eq!(
            warn.check(eur("600"), eur("400")).unwrap(),
            CreditCheck::Within
        );
        assert_eq!(
            warn.check(eur("600"), eur("400.01")).unwrap(),
            CreditCheck::Warning {
                excess: eur("0.01")
            }
        );
        assert_eq!(
            block.check(eur("-200"), eur("1300")).unwrap(),
            CreditCheck::Blocked { excess: eur("100") }
        );
        let usd = Money::parse("1", Currency::parse("USD").unwrap()).unwrap();
        assert_eq!(
            warn.check(usd, eur("1")).unwrap_err().rule,
            Rule::SameCurrency
        );
    }
}
