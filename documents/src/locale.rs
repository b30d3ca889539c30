//! The customer's language: messages from the Fluent catalogues in `documents/i18n/`, and numbers,
//! percentages, dates and currency amounts formatted by ICU4X with CLDR data. Nothing here formats a
//! number by hand: every digit separator and currency placement comes from CLDR.

use std::cell::RefCell;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use fixed_decimal::Decimal as FixedDecimal;
use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use icu_calendar::{Date, Iso};
use icu_datetime::DateTimeFormatter;
use icu_datetime::fieldsets::YMD;
use icu_decimal::DecimalFormatter;
use icu_experimental::dimension::currency::CurrencyType;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_experimental::dimension::percent::formatter::PercentFormatter;
use icu_experimental::displaynames::multi::RegionDisplayNames;
use icu_locale_core::Locale;
use icu_locale_core::subtags::Region;
use remit_core::money::{Currency, Money};
use rust_decimal::Decimal;
use unic_langid::LanguageIdentifier;

use crate::RenderError;

/// A language documents are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    English,
    German,
    French,
    NorwegianBokmal,
}

impl Language {
    pub const ALL: [Language; 4] = [
        Language::English,
        Language::German,
        Language::French,
        Language::NorwegianBokmal,
    ];

    /// The BCP 47 tag (`en`, `de`, `fr`, `nb`), also written as the PDF's `/Lang`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
            Language::French => "fr",
            Language::NorwegianBokmal => "nb",
        }
    }

    /// The language of a customer's stored tag (`de`, `de-AT`, `nb-NO`); `None` for one Remit does
    /// not write documents in yet.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Language::ALL
            .into_iter()
            .find(|l| l.tag() == primary || (primary == "no" && *l == Language::NorwegianBokmal))
    }

    fn catalogue(self) -> &'static str {
        match self {
            Language::English => include_str!("../i18n/en.ftl"),
            Language::German => include_str!("../i18n/de.ftl"),
            Language::French => include_str!("../i18n/fr.ftl"),
            Language::NorwegianBokmal => include_str!("../i18n/nb.ftl"),
        }
    }

    /// The portal's messages (`portal-…`), in the same bundle as the documents' whose ids it reuses:
    /// its pages, its questions and disputes, then paying online.
    fn portal_catalogues(self) -> [&'static str; 3] {
        match self {
            Language::English => [
                include_str!("../i18n/portal/en.ftl"),
                include_str!("../i18n/threads/en.ftl"),
                include_str!("../i18n/pay/en.ftl"),
            ],
            Language::German => [
                include_str!("../i18n/portal/de.ftl"),
                include_str!("../i18n/threads/de.ftl"),
                include_str!("../i18n/pay/de.ftl"),
            ],
            Language::French => [
                include_str!("../i18n/portal/fr.ftl"),
                include_str!("../i18n/threads/fr.ftl"),
                include_str!("../i18n/pay/fr.ftl"),
            ],
            Language::NorwegianBokmal => [
                include_str!("../i18n/portal/nb.ftl"),
                include_str!("../i18n/threads/nb.ftl"),
                include_str!("../i18n/pay/nb.ftl"),
            ],
        }
    }

    /// The messages of a portal link sent by mail (`link-mail-…`).
    fn link_mail_catalogue(self) -> &'static str {
        match self {
            Language::English => include_str!("../i18n/link-mail/en.ftl"),
            Language::German => include_str!("../i18n/link-mail/de.ftl"),
            Language::French => include_str!("../i18n/link-mail/fr.ftl"),
            Language::NorwegianBokmal => include_str!("../i18n/link-mail/nb.ftl"),
        }
    }
}

/// A message argument: text (already formatted by locale where it is a number) or a count that only
/// selects a plural form.
pub enum Arg<'a> {
    Text(&'a str),
    Count(u32),
}

/// The messages and formatters of one language.
pub struct Localizer {
    bundle: FluentBundle<FluentResource>,
    decimal: DecimalFormatter,
    percent: PercentFormatter<DecimalFormatter>,
    date: DateTimeFormatter<YMD>,
    regions: RegionDisplayNames,
    locale: Locale,
    /// The currency formatters made so far: a statement formats hundreds of amounts in one currency.
    currencies: RefCell<Vec<(Currency, CurrencyFormatter<DecimalFormatter>)>>,
}

impl Localizer {
    pub fn new(language: Language) -> Result<Self, RenderError> {
        let locale =
            Locale::from_str(language.tag()).map_err(|e| RenderError::Locale(e.to_string()))?;
        let langid: LanguageIdentifier =
            language
                .tag()
                .parse()
                .map_err(|e: unic_langid::LanguageIdentifierError| {
                    RenderError::Locale(e.to_string())
                })?;
        let mut bundle = FluentBundle::new(vec![langid]);
        // The arguments are placed into printed text: no Unicode isolation marks around them.
        bundle.set_use_isolating(false);
        let [portal, threads, pay] = language.portal_catalogues();
        for catalogue in [
            language.catalogue(),
            portal,
            threads,
            pay,
            language.link_mail_catalogue(),
        ] {
            let resource = FluentResource::try_new(catalogue.to_owned())
                .map_err(|(_, errors)| RenderError::Catalogue(format!("{errors:?}")))?;
            bundle
                .add_resource(resource)
                .map_err(|errors| RenderError::Catalogue(format!("{errors:?}")))?;
        }
        let data = |e: icu_provider::DataError| RenderError::Locale(e.to_string());
        Ok(Self {
            bundle,
            decimal: DecimalFormatter::try_new((&locale).into(), Default::default())
                .map_err(data)?,
            percent: PercentFormatter::try_new((&locale).into(), Default::default())
                .map_err(data)?,
            date: DateTimeFormatter::try_new((&locale).into(), YMD::medium())
                .map_err(|e| RenderError::Locale(e.to_string()))?,
            regions: RegionDisplayNames::try_new((&locale).into(), Default::default())
                .map_err(data)?,
            locale,
            currencies: RefCell::new(Vec::new()),
        })
    }

    /// The message `id` with `args`; a missing message or a reference error is an error, never a
    /// silently half-printed label.
    pub fn text(&self, id: &str, args: &[(&str, Arg)]) -> Result<String, RenderError> {
        let missing = || RenderError::Catalogue(format!("no message {id}"));
        let pattern = self
            .bundle
            .get_message(id)
            .and_then(|m| m.value())
            .ok_or_else(missing)?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Text(text) => fluent_args.set(*name, FluentValue::from(*text)),
                Arg::Count(n) => fluent_args.set(*name, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        if errors.is_empty() {
            Ok(text.into_owned())
        } else {
            Err(RenderError::Catalogue(format!("{id}: {errors:?}")))
        }
    }

    /// A label without arguments.
    pub fn label(&self, id: &str) -> Result<String, RenderError> {
        self.text(id, &[])
    }

    /// A decimal as it is stated (every decimal it has), grouped by locale: `1,234.5` / `1.234,5`.
    pub fn decimal(&self, value: Decimal) -> Result<String, RenderError> {
        Ok(self.decimal.format(&fixed(value)?).to_string())
    }

    /// A price: at least two decimals, more when the price has them.
    pub fn price(&self, value: Decimal) -> Result<String, RenderError> {
        let mut value = value.normalize();
        if value.scale() < 2 {
            value.rescale(2);
        }
        self.decimal(value)
    }

    /// A quantity, without trailing zeros.
    pub fn quantity(&self, value: Decimal) -> Result<String, RenderError> {
        self.decimal(value.normalize())
    }

    /// A percentage: `25 %` in German, `25%` in English.
    pub fn percent(&self, value: Decimal) -> Result<String, RenderError> {
        Ok(self.percent.format(&fixed(value.normalize())?).to_string())
    }

    /// An amount in its currency, with the ISO code where CLDR's currency pattern puts the symbol:
    /// `NOK 1,299.88`, `1.299,88 EUR`, `1 299,88 EUR`.
    pub fn money(&self, money: Money) -> Result<String, RenderError> {
        let currency = money.currency();
        let mut made = self.currencies.borrow_mut();
        let index = match made.iter().position(|(c, _)| *c == currency) {
            Some(index) => index,
            None => {
                made.push((currency, self.currency(currency)?));
                made.len() - 1
            }
        };
        Ok(made[index]
            .1
            .format_fixed_decimal(&fixed(money.amount())?)
            .to_string())
    }

    fn currency(
        &self,
        currency: Currency,
    ) -> Result<CurrencyFormatter<DecimalFormatter>, RenderError> {
        let code = CurrencyType::try_from_str(currency.code())
            .map_err(|e| RenderError::Locale(format!("{}: {e}", currency.code())))?;
        CurrencyFormatter::try_new_code((&self.locale).into(), code, Default::default())
            .map_err(|e| RenderError::Locale(e.to_string()))
    }

    /// The name of a country (ISO 3166-1 alpha-2) in the language: `Germany`, `Deutschland`; the code
    /// itself for one CLDR does not name.
    pub fn country(&self, code: &str) -> String {
        Region::try_from_str(code)
            .ok()
            .and_then(|region| self.regions.of(region))
            .map_or_else(|| code.to_owned(), str::to_owned)
    }

    /// A calendar date in the language's medium style: `23 Nov 2026`, `23.11.2026`.
    pub fn date(&self, date: NaiveDate) -> Result<String, RenderError> {
        let month = u8::try_from(date.month()).map_err(|e| RenderError::Locale(e.to_string()))?;
        let day = u8::try_from(date.day()).map_err(|e| RenderError::Locale(e.to_string()))?;
        let iso: Date<Iso> = Date::try_new_iso(date.year(), month, day)
            .map_err(|e| RenderError::Locale(e.to_string()))?;
        Ok(self.date.format(&iso).to_string())
    }
}

/// The decimal as ICU's fixed decimal, digit for digit (through its canonical text, which keeps the
/// scale: `12.30` stays two decimals).
fn fixed(value: Decimal) -> Result<FixedDecimal, RenderError> {
    FixedDecimal::from_str(&value.to_string())
        .map_err(|e| RenderError::Locale(format!("{value}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn eur(amount: Decimal) -> Money {
        Money::exact(amount, Currency::parse("EUR").unwrap()).unwrap()
    }

    /// CLDR's separators use no-break spaces; compared here as plain ones.
    fn plain(text: String) -> String {
        text.replace(['\u{a0}', '\u{202f}'], " ")
    }

    #[test]
    fn numbers_amounts_percentages_and_dates_follow_the_language() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let cases = [
            (
                Language::English,
                "1,234.56",
                "EUR 1,234.56",
                "19%",
                "Nov 23, 2026",
            ),
            (
                Language::German,
                "1.234,56",
                "1.234,56 EUR",
                "19 %",
                "23.11.2026",
            ),
            (
                Language::French,
                "1 234,56",
                "1 234,56 EUR",
                "19 %",
                "23 nov. 2026",
            ),
            (
                Language::NorwegianBokmal,
                "1 234,56",
                "1 234,56 EUR",
                "19 %",
                "23. nov. 2026",
            ),
        ];
        for (language, number, money, percent, day) in cases {
            let l = Localizer::new(language).unwrap();
            assert_eq!(
                plain(l.decimal(dec!(1234.56)).unwrap()),
                number,
                "{language:?}"
            );
            assert_eq!(
                plain(l.money(eur(dec!(1234.56))).unwrap()),
                money,
                "{language:?}"
            );
            assert_eq!(plain(l.percent(dec!(19)).unwrap()), percent, "{language:?}");
            assert_eq!(plain(l.date(date).unwrap()), day, "{language:?}");
        }
    }

    #[test]
    fn countries_are_named_in_the_language() {
        let names = Language::ALL.map(|l| Localizer::new(l).unwrap().country("DE"));
        assert_eq!(names, ["Germany", "Deutschland", "Allemagne", "Tyskland"]);
        let l = Localizer::new(Language::English).unwrap();
        assert_eq!(l.country("NO"), "Norway");
        assert_eq!(l.country("XY"), "XY");
        assert_eq!(l.country("??"), "??");
    }

    #[test]
    fn prices_keep_their_decimals_and_quantities_drop_trailing_zeros() {
        let l = Localizer::new(Language::English).unwrap();
        assert_eq!(l.price(dec!(5)).unwrap(), "5.00");
        assert_eq!(l.price(dec!(8.3949)).unwrap(), "8.3949");
        assert_eq!(l.quantity(dec!(2.500)).unwrap(), "2.5");
        assert_eq!(l.decimal(dec!(-61.73)).unwrap(), "-61.73");
    }

    #[test]
    fn every_catalogue_has_every_message_of_the_english_one() {
        let [portal, threads, pay] = Language::English.portal_catalogues();
        let english = [
            Language::English.catalogue(),
            portal,
            threads,
            pay,
            Language::English.link_mail_catalogue(),
        ];
        let ids: Vec<String> = english
            .into_iter()
            .flat_map(|c| {
                let resource = FluentResource::try_new(c.to_owned()).unwrap();
                resource
                    .entries()
                    .filter_map(|e| match e {
                        fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(ids.len() > 70);
        for language in Language::ALL {
            let l = Localizer::new(language).unwrap();
            for id in &ids {
                assert!(l.bundle.has_message(id), "{language:?} lacks {id}");
            }
        }
    }

    #[test]
    fn a_customers_language_tag_picks_the_catalogue() {
        assert_eq!(Language::from_tag("de"), Some(Language::German));
        assert_eq!(Language::from_tag("fr-CA"), Some(Language::French));
        assert_eq!(Language::from_tag("nb_NO"), Some(Language::NorwegianBokmal));
        assert_eq!(Language::from_tag("no"), Some(Language::NorwegianBokmal));
        assert_eq!(Language::from_tag("sv"), None);
        assert_eq!(Language::from_tag(""), None);
    }

    #[test]
    fn a_missing_message_is_an_error_not_a_blank() {
        let l = Localizer::new(Language::German).unwrap();
        assert!(matches!(
            l.label("no-such-message"),
            Err(RenderError::Catalogue(_))
        ));
    }
}
