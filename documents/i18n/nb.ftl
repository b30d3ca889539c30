# Remit document messages, Norwegian Bokmål.

document-title = { $kind ->
    [credit-note] Kreditnota
   *[invoice] Faktura
}
document-number = { $kind ->
    [credit-note] Kreditnotanummer
   *[invoice] Fakturanummer
}
issue-date = Fakturadato
supply-date = Leveringsdato
supply-period = Leveringsperiode
period = { $start } – { $end }
due-date = Forfallsdato
buyer-reference = Deres referanse
purchase-order = Innkjøpsordre
preceding-invoice = Korrigerer faktura
payment-reference = Betalingsreferanse
amounts-in = Beløp i { $currency }
seller = Fra
buyer = Faktureres til
vat-id = MVA-nr.: { $id }
column-description = Beskrivelse
column-quantity = Antall
column-unit = Enhet
column-unit-price = Enhetspris
column-vat = MVA
column-net = Nettobeløp
line-allowance = Rabatt: { $reason }
line-charge = Tillegg: { $reason }
document-allowance = Rabatt: { $reason } (MVA { $vat })
document-charge = Tillegg: { $reason } (MVA { $vat })
unit = { $code ->
    [C62] stk
    [H87] stk
    [HUR] t
    [DAY] dager
    [MON] måneder
    [KGM] kg
    [MTR] m
    [LTR] l
    [KMT] km
    [MIN] min
   *[other] { $code }
}
vat-breakdown = MVA-spesifikasjon
column-category = Kategori
column-rate = Sats
column-taxable = Grunnlag
column-tax = MVA-beløp
vat-category = { $category ->
    [S] Ordinær sats
    [Z] Nullsats
    [E] Fritatt
    [AE] Omvendt avgiftsplikt
    [K] Leveranse innen EØS
    [G] Eksport
    [O] Utenfor MVA-området
    [L] IGIC (Kanariøyene)
    [M] IPSI (Ceuta og Melilla)
    [B] Overført MVA (delt betaling)
   *[other] { $category }
}
exemption-reason = Fritaksgrunn: { $reason }
total-lines = Sum linjer
total-allowances = Rabatter
total-charges = Tillegg
total-net = Sum eksklusiv MVA
total-vat = Sum MVA
total-gross = Sum inklusiv MVA
total-prepaid = Forskuddsbetalt
total-rounding = Avrunding
total-due = Å betale
accounting-vat = MVA i { $currency } til kurs { $rate }: { $amount }
payment = Betaling
terms = { $kind ->
    [due-on-receipt] Forfaller ved mottak
    [net] Netto { $days } { $count ->
        [one] dag
       *[other] dager
    }
    [net-end-of-month] Netto { $days } { $count ->
        [one] dag
       *[other] dager
    } etter månedens slutt
    [end-of-following-month] Ved slutten av neste måned
   *[day-of-next-month] Den { $days }. i neste måned
}
instalment = { $amount } forfaller { $date }
early-discount = Kontantrabatt: { $percent } ({ $amount }) ved betaling innen { $date }
bank-account = Bankkonto
account-holder = Kontoinnehaver: { $name }
iban = IBAN: { $iban }
bic = BIC: { $bic }
pay-with-reference = Oppgi betalingsreferansen { $reference } ved betaling.
note = Merknad
page = Side { $page } av { $pages }

## Kontoutskrifter og betalingskvitteringer (issue #13)

statement-title = Kontoutskrift
statement-customer = Kunde
statement-date = Utskriftsdato
statement-period = Periode
statement-currency = Konto i { $currency }
registration-id = Org.nr.: { $id }
open-items = Åpne poster
column-invoice = Faktura
column-days-overdue = Dager forfalt
column-amount = Beløp
column-open = Utestående
disputed-item = { $number } (omtvistet)
no-open-items = Ingenting er utestående.
unapplied-credit = Fratrukket ufordelt kreditt
statement-total-due = Totalt å betale
account-activity = Kontobevegelser
column-date = Dato
column-reference = Referanse
column-entry = Postering
column-balance = Saldo
opening-balance = Inngående saldo
closing-balance = Utgående saldo
entry-kind = { $kind ->
    [invoice] Faktura
    [fee-invoice] Gebyrfaktura
    [credit-note] Kreditnota
    [payment] Innbetaling
    [refund] Tilbakebetaling
    [discount-taken] Kontantrabatt
    [write-off] Avskrevet
    [allocation] Kreditt fordelt
    [allocation-reversal] Fordeling reversert
    [discount-reversal] Kontantrabatt reversert
   *[void] Faktura annullert
}
receipt-title = Betalingskvittering
received-from = Mottatt fra
received-on = Mottatt
amount-received = Mottatt beløp
payment-method = Betalingsmåte
payment-method-name = { $method ->
    [bank-transfer] Bankoverføring
    [card] Kort
    [cash] Kontant
    [cheque] Sjekk
    [direct-debit] Avtalegiro
   *[collections] Inkassobyrå
}
applied-to = Fordelt på
column-applied = Fordelt
column-discount = Kontantrabatt
invoice-instalment = { $number }, avdrag { $instalment }
nothing-applied = Ikke fordelt på noen faktura.
credited = Godskrevet kontoen deres
total-received = Mottatt totalt
receipt-thanks = Takk for betalingen.
aging = Utestående etter dager forfalt
aging-bucket = { $label ->
    [Current] Ikke forfalt
   *[other] { $label } dager
}

## Mail: the default subject and body of a mailed invoice or credit note
## ($kind: invoice-due, invoice or credit-note; $amount and $date already formatted)

mail-subject = { $kind ->
    [credit-note] Kreditnota { $number } fra { $seller }
    [receipt] Kvittering for betalingen din til { $seller }
   *[other] Faktura { $number } fra { $seller }
}
mail-greeting = Hei,
mail-body = { $kind ->
    [credit-note] Vedlagt følger kreditnota { $number } på { $amount }.
    [receipt] Takk for betalingen på { $amount } den { $date }. Vedlagt følger kvitteringen.
    [invoice-due] Vedlagt følger faktura { $number } på { $amount }, med forfall { $date }.
   *[other] Vedlagt følger faktura { $number } på { $amount }.
}
mail-closing = Med vennlig hilsen
