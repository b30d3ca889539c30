# Remit document messages, German.

document-title = { $kind ->
    [credit-note] Gutschrift
   *[invoice] Rechnung
}
document-number = { $kind ->
    [credit-note] Gutschriftsnummer
   *[invoice] Rechnungsnummer
}
issue-date = Rechnungsdatum
supply-date = Liefer-/Leistungsdatum
supply-period = Leistungszeitraum
period = { $start } – { $end }
due-date = Fällig am
buyer-reference = Ihre Referenz
purchase-order = Bestellnummer
preceding-invoice = Korrektur zu Rechnung
payment-reference = Zahlungsreferenz
amounts-in = Beträge in { $currency }
seller = Von
buyer = Rechnungsempfänger
vat-id = USt-IdNr.: { $id }
column-description = Beschreibung
column-quantity = Menge
column-unit = Einheit
column-unit-price = Einzelpreis
column-vat = USt.
column-net = Nettobetrag
line-allowance = Abzug: { $reason }
line-charge = Zuschlag: { $reason }
document-allowance = Abzug: { $reason } (USt. { $vat })
document-charge = Zuschlag: { $reason } (USt. { $vat })
unit = { $code ->
    [C62] Stk.
    [H87] Stk.
    [HUR] Std.
    [DAY] Tage
    [MON] Monate
    [KGM] kg
    [MTR] m
    [LTR] l
    [KMT] km
    [MIN] Min.
   *[other] { $code }
}
vat-breakdown = Umsatzsteueraufstellung
column-category = Kategorie
column-rate = Satz
column-taxable = Bemessungsgrundlage
column-tax = Steuerbetrag
vat-category = { $category ->
    [S] Regelsteuersatz
    [Z] Nullsatz
    [E] Steuerbefreit
    [AE] Steuerschuldnerschaft des Leistungsempfängers
    [K] Innergemeinschaftliche Lieferung
    [G] Ausfuhr außerhalb der EU
    [O] Nicht steuerbar
    [L] IGIC (Kanarische Inseln)
    [M] IPSI (Ceuta und Melilla)
    [B] Übertragene USt. (Split Payment)
   *[other] { $category }
}
exemption-reason = Befreiungsgrund: { $reason }
total-lines = Summe der Positionen
total-allowances = Abzüge
total-charges = Zuschläge
total-net = Gesamtbetrag netto
total-vat = Umsatzsteuer gesamt
total-gross = Gesamtbetrag brutto
total-prepaid = Bereits gezahlt
total-rounding = Rundung
total-due = Zahlbetrag
accounting-vat = Umsatzsteuer in { $currency } zum Kurs { $rate }: { $amount }
payment = Zahlung
terms = { $kind ->
    [due-on-receipt] Zahlbar sofort nach Erhalt
    [net] Zahlbar innerhalb von { $days } { $count ->
        [one] Tag
       *[other] Tagen
    }
    [net-end-of-month] Zahlbar { $days } { $count ->
        [one] Tag
       *[other] Tage
    } nach Monatsende
    [end-of-following-month] Zahlbar zum Ende des Folgemonats
   *[day-of-next-month] Zahlbar am { $days }. des Folgemonats
}
instalment = { $amount } fällig am { $date }
early-discount = Skonto: { $percent } ({ $amount }) bei Zahlung bis { $date }
bank-account = Bankverbindung
account-holder = Kontoinhaber: { $name }
iban = IBAN: { $iban }
bic = BIC: { $bic }
pay-with-reference = Bitte geben Sie bei der Zahlung die Referenz { $reference } an.
note = Bemerkung
page = Seite { $page } von { $pages }

## Kontoauszüge und Zahlungsbestätigungen (Issue #13)

statement-title = Kontoauszug
statement-customer = Kunde
statement-date = Datum des Auszugs
statement-period = Zeitraum
statement-currency = Konto in { $currency }
registration-id = Registernummer: { $id }
open-items = Offene Posten
column-invoice = Rechnung
column-days-overdue = Tage überfällig
column-amount = Betrag
column-open = Offen
disputed-item = { $number } (beanstandet)
no-open-items = Es ist nichts offen.
unapplied-credit = Abzüglich nicht zugeordnetes Guthaben
statement-total-due = Fälliger Gesamtbetrag
account-activity = Kontobewegungen
column-date = Datum
column-reference = Referenz
column-entry = Buchung
column-balance = Saldo
opening-balance = Anfangssaldo
closing-balance = Endsaldo
entry-kind = { $kind ->
    [invoice] Rechnung
    [fee-invoice] Gebührenrechnung
    [credit-note] Gutschrift
    [payment] Zahlung
    [refund] Erstattung
    [discount-taken] Skonto
    [write-off] Ausgebucht
    [allocation] Guthaben verrechnet
    [allocation-reversal] Verrechnung storniert
    [discount-reversal] Skonto storniert
   *[void] Rechnung storniert
}
receipt-title = Zahlungsbestätigung
received-from = Erhalten von
received-on = Eingegangen am
amount-received = Erhaltener Betrag
payment-method = Zahlungsart
payment-method-name = { $method ->
    [bank-transfer] Überweisung
    [card] Karte
    [cash] Bar
    [cheque] Scheck
    [direct-debit] Lastschrift
   *[collections] Inkassobüro
}
applied-to = Verrechnet mit
column-applied = Verrechnet
column-discount = Skonto
invoice-instalment = { $number }, Rate { $instalment }
nothing-applied = Keiner Rechnung zugeordnet.
credited = Ihrem Konto gutgeschrieben
total-received = Erhalten insgesamt
receipt-thanks = Vielen Dank für Ihre Zahlung.
aging = Offene Beträge nach Tagen überfällig
aging-bucket = { $label ->
    [Current] Noch nicht fällig
   *[other] { $label } Tage
}

## Mail: the default subject and body of a mailed invoice or credit note
## ($kind: invoice-due, invoice or credit-note; $amount and $date already formatted)

mail-subject = { $kind ->
    [credit-note] Gutschrift { $number } von { $seller }
    [receipt] Quittung für Ihre Zahlung an { $seller }
   *[other] Rechnung { $number } von { $seller }
}
mail-greeting = Sehr geehrte Damen und Herren,
mail-body = { $kind ->
    [credit-note] anbei erhalten Sie die Gutschrift { $number } über { $amount }.
    [receipt] vielen Dank für Ihre Zahlung über { $amount } am { $date }. Anbei erhalten Sie Ihre Quittung.
    [invoice-due] anbei erhalten Sie die Rechnung { $number } über { $amount }, zahlbar bis { $date }.
   *[other] anbei erhalten Sie die Rechnung { $number } über { $amount }.
}
mail-closing = Mit freundlichen Grüßen
