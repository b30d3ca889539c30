//! Number leases: how a device issues invoices with no network and still keeps the numbering gapless.
//!
//! While online, a device leases a block of numbers from its own series: the organisation's invoice
//! series with the device's code as branch and no year (`INV-L7-000123`), because a lease outlives New
//! Year's Eve on a laptop in a drawer. Offline, it issues from its lease, in order. The server records
//! every leased number's fate: issued, voided, handed back unused, or still leased. Numbers are never
//! reused, so the numbering report proves the series has no gaps.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{ClientId, LeaseId, OrganisationId};
use crate::numbering::{InvoiceNumber, NumberSeries};
use crate::settings::Settings;
use crate::sync::{Command, Mutation};
use crate::validation::{Rule, ValidationError};

/// A device online takes a new lease when fewer numbers than this are left unused…
pub const LEASE_LOW_WATER: u64 = 5;
/// …and asks for this many: enough for a day at a customer's door without asking too often.
pub const LEASE_BLOCK: u64 = 20;

/// A block of numbers `first..=last` of a device's series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberLease {
    pub id: LeaseId,
    pub organisation_id: OrganisationId,
    /// The device (app installation) that holds it.
    pub client_id: ClientId,
    pub series: NumberSeries,
    pub first: u64,
    pub last: u64,
    /// Numbers from here to `last` were handed back unused: on record, never issued.
    #[serde(default)]
    pub returned_from: Option<u64>,
}

/// The arguments of `number_lease.take`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakeLease {
    pub id: LeaseId,
    pub organisation_id: OrganisationId,
    /// How many numbers the device wants.
    pub count: u64,
}

/// The arguments of `number_lease.return`: hand back the numbers of a lease not yet used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLease {
    pub id: LeaseId,
    pub organisation_id: OrganisationId,
}

impl TakeLease {
    pub const MAX_COUNT: u64 = 1000;

    pub fn validate(&self) -> Result<(), ValidationError> {
        if !(1..=Self::MAX_COUNT).contains(&self.count) {
            return Err(ValidationError::new(
                "count",
                Rule::Range {
                    min: "1".into(),
                    max: Self::MAX_COUNT.to_string(),
                },
            ));
        }
        Ok(())
    }
}

/// A device's series: the invoice series with the device's code as branch, never yearly.
pub fn device_series(invoice_series: &NumberSeries, device_code: &str) -> NumberSeries {
    NumberSeries {
        branch: Some(device_code.to_owned()),
        yearly: false,
        ..invoice_series.clone()
    }
}

/// The code of a device's series: `L1`, `L2`, … in the order devices first lease (`known` codes are
/// those the organisation has handed out already).
pub fn next_device_code(known: usize) -> String {
    format!("L{}", known + 1)
}

impl NumberLease {
    /// The next lease of a device's series, after the highest number it has leased so far.
    pub fn grant(
        request: &TakeLease,
        client_id: ClientId,
        series: NumberSeries,
        highest_leased: u64,
    ) -> Result<Self, ValidationError> {
        request.validate()?;
        series.validate().map_err(|e| e.within("series"))?;
        let first = highest_leased + 1;
        Ok(Self {
            id: request.id,
            organisation_id: request.organisation_id,
            client_id,
            series,
            first,
            last: highest_leased + request.count,
            returned_from: None,
        })
    }

    /// The sequence number of `number` if the lease covers it and it was not handed back.
    pub fn sequence_of(&self, number: &InvoiceNumber) -> Option<u64> {
        // Device series are never yearly, so any date reads the same sequence.
        let n = self.series.sequence_of(NaiveDate::MIN, number)?;
        let end = self.returned_from.map_or(self.last, |r| r - 1);
        (self.first..=end).contains(&n).then_some(n)
    }

    /// Checks that a number issued offline came from this lease; `field` names it in the error.
    pub fn check_number(&self, number: &InvoiceNumber) -> Result<u64, ValidationError> {
        self.sequence_of(number).ok_or_else(|| {
            ValidationError::new(
                "number",
                Rule::Matches {
                    expected: format!(
                        "a number of lease {} ({} to {})",
                        self.id,
                        self.series
                            .format(NaiveDate::MIN, self.first)
                            .map(String::from)
                            .unwrap_or_default(),
                        self.series
                            .format(NaiveDate::MIN, self.last)
                            .map(String::from)
                            .unwrap_or_default(),
                    ),
                },
            )
        })
    }

    /// Hands back the numbers above `highest_used` (the highest this lease issued, 0 if none). Returns
    /// the lease as it is afterwards; a lease already handed back stays as it was.
    pub fn hand_back(&self, highest_used: u64) -> Self {
        let from = highest_used.max(self.first - 1) + 1;
        let mut lease = self.clone();
        if self.returned_from.is_none() && from <= self.last {
            lease.returned_from = Some(from);
        }
        lease
    }
}

/// The numbers of `client`'s leases not handed back and on no invoice, in the order they are to be used
/// (leases in the order they were granted, each from its first number). `used` are the numbers on
/// invoices the device knows, its own provisional ones among them.
fn free_numbers<'a>(
    client: ClientId,
    leases: &'a [NumberLease],
    used: &'a [InvoiceNumber],
) -> impl Iterator<Item = (&'a NumberLease, u64)> + 'a {
    let mut mine: Vec<&NumberLease> = leases.iter().filter(|l| l.client_id == client).collect();
    mine.sort_by_key(|l| l.first);
    mine.into_iter().flat_map(move |lease| {
        let taken: BTreeSet<u64> = used.iter().filter_map(|n| lease.sequence_of(n)).collect();
        let end = lease.returned_from.map_or(lease.last, |r| r - 1);
        (lease.first..=end)
            .filter(move |n| !taken.contains(n))
            .map(move |n| (lease, n))
    })
}

/// The number an invoice issued offline now gets: the lowest free number of the device's oldest lease
/// that has one, so the device's series fills without gaps. `None` when every leased number is used.
pub fn next_leased_number(
    client: ClientId,
    leases: &[NumberLease],
    used: &[InvoiceNumber],
) -> Option<(LeaseId, InvoiceNumber)> {
    free_numbers(client, leases, used).find_map(|(lease, n)| {
        let number = lease.series.format(NaiveDate::MIN, n).ok()?;
        Some((lease.id, number))
    })
}

/// How many numbers a device online should lease now, if any: when the seller can be printed (the
/// server refuses a lease otherwise), no lease is already on its way in `outbox`, and fewer than
/// [`LEASE_LOW_WATER`] numbers are left unused.
pub fn lease_to_take(
    client: ClientId,
    settings: &Settings,
    leases: &[NumberLease],
    used: &[InvoiceNumber],
    outbox: &[Mutation],
) -> Option<u64> {
    if settings.seller.validate().is_err() {
        return None;
    }
    let taking = outbox
        .iter()
        .any(|m| matches!(Command::decode(m), Ok(Command::TakeLease(_))));
    let unused = free_numbers(client, leases, used)
        .take(LEASE_LOW_WATER as usize)
        .count();
    (!taking && (unused as u64) < LEASE_LOW_WATER).then_some(LEASE_BLOCK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numbering::DocumentType;

    fn invoice_series() -> NumberSeries {
        NumberSeries {
            document_type: DocumentType::Invoice,
            prefix: "INV".into(),
            yearly: true,
            branch: None,
            width: 6,
        }
    }

    fn take(count: u64) -> TakeLease {
        TakeLease {
            id: LeaseId::parse("019a4d5e-0000-7000-8000-0000000000a1").unwrap(),
            organisation_id: OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap(),
            count,
        }
    }

    fn client() -> ClientId {
        ClientId::parse("019a4d5e-0000-7000-8000-0000000000c1").unwrap()
    }

    fn number(text: &str) -> InvoiceNumber {
        InvoiceNumber::parse(text).unwrap()
    }

    #[test]
    fn a_device_series_carries_the_device_code_and_no_year() {
        let series = device_series(&invoice_series(), &next_device_code(6));
        assert_eq!(
            series.format(NaiveDate::MIN, 123).unwrap().as_str(),
            "INV-L7-000123"
        );
    }

    #[test]
    fn leases_follow_each_other_without_overlap() {
        let series = device_series(&invoice_series(), "L1");
        let first = NumberLease::grant(&take(10), client(), series.clone(), 0).unwrap();
        assert_eq!((first.first, first.last), (1, 10));
        let second = NumberLease::grant(&take(5), client(), series, first.last).unwrap();
        assert_eq!((second.first, second.last), (11, 15));
        assert_eq!(
            NumberLease::grant(&take(0), client(), invoice_series(), 0)
                .unwrap_err()
                .field,
            "count"
        );
    }

    #[test]
    fn only_a_leased_number_that_was_not_handed_back_may_be_issued() {
        let series = device_series(&invoice_series(), "L1");
        let lease = NumberLease::grant(&take(10), client(), series, 0).unwrap();
        assert_eq!(lease.check_number(&number("INV-L1-000001")), Ok(1));
        assert_eq!(lease.check_number(&number("INV-L1-000010")), Ok(10));
        for outside in ["INV-L1-000011", "INV-L2-000001", "INV-2026-000001"] {
            let e = lease.check_number(&number(outside)).unwrap_err();
            assert_eq!(e.field, "number", "{outside}");
            assert!(e.to_string().contains("INV-L1-000001 to INV-L1-000010"));
        }
        let back = lease.hand_back(3);
        assert_eq!(back.returned_from, Some(4));
        assert_eq!(back.sequence_of(&number("INV-L1-000003")), Some(3));
        assert_eq!(back.sequence_of(&number("INV-L1-000004")), None);
    }

    #[test]
    fn handing_back_is_idempotent_and_a_used_up_lease_returns_nothing() {
        let series = device_series(&invoice_series(), "L1");
        let lease = NumberLease::grant(&take(3), client(), series, 0).unwrap();
        assert_eq!(lease.hand_back(0).returned_from, Some(1));
        assert_eq!(lease.hand_back(1).hand_back(0).returned_from, Some(2));
        assert_eq!(lease.hand_back(3).returned_from, None);
    }

    fn lease(id: u8, client: ClientId, first: u64, last: u64) -> NumberLease {
        NumberLease {
            id: LeaseId::parse(&format!("019a4d5e-0000-7000-8000-0000000000{id:02x}")).unwrap(),
            client_id: client,
            first,
            last,
            ..NumberLease::grant(&take(1), client, device_series(&invoice_series(), "L1"), 0)
                .unwrap()
        }
    }

    fn other_client() -> ClientId {
        ClientId::parse("019a4d5e-0000-7000-8000-0000000000c2").unwrap()
    }

    fn settings(country: &str) -> Settings {
        let org = OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap();
        let mut settings = Settings::initial(org, "Nordlys AS");
        settings.seller.address.country = country.into();
        settings
    }

    #[test]
    fn offline_issues_use_the_devices_leased_numbers_in_order() {
        let first = lease(0xa1, client(), 1, 3);
        let second = lease(0xa2, client(), 4, 6);
        // Another device's lease is never this device's to use.
        let foreign = lease(0xa3, other_client(), 7, 9);
        let leases = [second.clone(), foreign, first.clone()];
        assert_eq!(
            next_leased_number(client(), &leases, &[]),
            Some((first.id, number("INV-L1-000001")))
        );
        let used = [number("INV-L1-000001"), number("INV-2026-000001")];
        assert_eq!(
            next_leased_number(client(), &leases, &used),
            Some((first.id, number("INV-L1-000002")))
        );
        let used = [
            number("INV-L1-000001"),
            number("INV-L1-000002"),
            number("INV-L1-000003"),
        ];
        assert_eq!(
            next_leased_number(client(), &leases, &used),
            Some((second.id, number("INV-L1-000004")))
        );
        // Numbers handed back are on record as returned: never issued.
        let back = [first.hand_back(2), second.hand_back(0)];
        assert_eq!(next_leased_number(client(), &back, &used[..2]), None);
        assert_eq!(next_leased_number(other_client(), &[first], &[]), None);
    }

    #[test]
    fn a_device_leases_a_block_when_few_numbers_are_left_and_none_is_on_its_way() {
        let ready = settings("NO");
        let leases = [lease(0xa1, client(), 1, 6)];
        let used: Vec<InvoiceNumber> = (1..=2).map(|n| number(&format!("INV-L1-{n:06}"))).collect();
        // 4 of 6 left: fewer than 5.
        assert_eq!(
            lease_to_take(client(), &ready, &leases, &used, &[]),
            Some(LEASE_BLOCK)
        );
        assert_eq!(
            lease_to_take(client(), &ready, &leases, &used[..1], &[]),
            None
        );
        assert_eq!(
            lease_to_take(other_client(), &ready, &leases, &[], &[]),
            Some(LEASE_BLOCK)
        );
        // Without a printable seller the server would refuse the lease.
        assert_eq!(lease_to_take(client(), &settings(""), &[], &[], &[]), None);
        let pending = Command::TakeLease(take(LEASE_BLOCK)).to_mutation(4);
        assert_eq!(lease_to_take(client(), &ready, &[], &[], &[pending]), None);
    }
}
