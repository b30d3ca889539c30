//! Rounding is a named decision, never an accident of arithmetic.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// How a value is brought to a number of decimals.
///
/// EN 16931 and most tax authorities round half away from zero on magnitudes ("commercial rounding"):
/// 0.525 → 0.53 and −0.525 → −0.53. Banker's rounding (half to even) would give 0.52 and is offered only
/// because some ledgers are built on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Halves go away from zero: 0.525 → 0.53, −0.525 → −0.53.
    #[default]
    HalfAwayFromZero,
    /// Halves go to the even neighbour ("banker's rounding"): 0.525 → 0.52, 0.535 → 0.54.
    HalfEven,
    /// Truncate: 0.529 → 0.52.
    TowardZero,
    /// Any remainder goes away from zero: 0.521 → 0.53.
    AwayFromZero,
}

impl Rounding {
    /// Rounds `value` to `decimals` places and fixes the scale at exactly `decimals`, so that `1` at two
    /// decimals reads `1.00` everywhere it is shown or stored.
    pub fn round(self, value: Decimal, decimals: u32) -> Decimal {
        let strategy = match self {
            Rounding::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
            Rounding::TowardZero => RoundingStrategy::ToZero,
            Rounding::AwayFromZero => RoundingStrategy::AwayFromZero,
        };
        let mut rounded = value.round_dp_with_strategy(decimals, strategy);
        rounded.rescale(decimals);
        rounded
    }

    /// Rounds `value` to a multiple of `increment` (cash rounding: 0.05 CHF, 1 SEK).
    /// Returns `None` when the increment is not positive or the quotient overflows.
    pub fn round_to_increment(self, value: Decimal, increment: Decimal) -> Option<Decimal> {
        if increment <= Decimal::ZERO {
            return None;
        }
        let steps = self.round(value.checked_div(increment)?, 0);
        let mut rounded = steps.checked_mul(increment)?;
        rounded.rescale(increment.scale());
        Some(rounded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn each_rounding_is_table_tested_where_they_differ() {
        use Rounding::*;
        let cases = [
            // value, decimals, half-away, half-even, toward-zero, away-from-zero
            (
                dec!(0.525),
                2,
                dec!(0.53),
                dec!(0.52),
                dec!(0.52),
                dec!(0.53),
            ),
            (
                dec!(-0.525),
                2,
                dec!(-0.53),
                dec!(-0.52),
                dec!(-0.52),
                dec!(-0.53),
            ),
            (
                dec!(0.535),
                2,
                dec!(0.54),
                dec!(0.54),
                dec!(0.53),
                dec!(0.54),
            ),
            (dec!(2.5), 0, dec!(3), dec!(2), dec!(2), dec!(3)),
            (
                dec!(0.521),
                2,
                dec!(0.52),
                dec!(0.52),
                dec!(0.52),
                dec!(0.53),
            ),
            (dec!(1), 2, dec!(1.00), dec!(1.00), dec!(1.00), dec!(1.00)),
        ];
        for (value, dp, away, even, trunc, up) in cases {
            assert_eq!(HalfAwayFromZero.round(value, dp), away, "{value} half-away");
            assert_eq!(HalfEven.round(value, dp), even, "{value} half-even");
            assert_eq!(TowardZero.round(value, dp), trunc, "{value} toward-zero");
            assert_eq!(AwayFromZero.round(value, dp), up, "{value} away-from-zero");
        }
    }

    #[test]
    fn rounding_fixes_the_scale_so_text_is_canonical() {
        assert_eq!(
            Rounding::HalfAwayFromZero.round(dec!(3), 2).to_string(),
            "3.00"
        );
        assert_eq!(
            Rounding::HalfAwayFromZero
                .round(dec!(3.14159), 3)
                .to_string(),
            "3.142"
        );
    }

    #[test]
    fn cash_rounding_goes_to_the_nearest_increment() {
        let r = Rounding::HalfAwayFromZero;
        assert_eq!(
            r.round_to_increment(dec!(10.02), dec!(0.05)),
            Some(dec!(10.00))
        );
        assert_eq!(
            r.round_to_increment(dec!(10.025), dec!(0.05)),
            Some(dec!(10.05))
        );
        assert_eq!(r.round_to_increment(dec!(10.50), dec!(1)), Some(dec!(11)));
        assert_eq!(r.round_to_increment(dec!(-10.50), dec!(1)), Some(dec!(-11)));
        assert_eq!(r.round_to_increment(dec!(1), dec!(0)), None);
    }
}
