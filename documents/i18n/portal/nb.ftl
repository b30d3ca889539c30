# Kundeportalen, norsk bokmål. Argumentene kommer formatert etter språk.
portal-title = { $organisation }: din konto
portal-statement-for = Kontoutskrift for { $customer } per { $date }
portal-invoice-title = Faktura { $number }
portal-balance-due = Skyldig saldo
portal-nothing-due = Ingenting er forfalt. Takk.
portal-open-invoices = Åpne fakturaer
portal-credit = Ufordelt kreditt
portal-payments = Betalinger siste 12 måneder
portal-no-payments = Ingen betalinger de siste 12 månedene.
portal-aging = Etter alder
portal-column-number = Faktura
portal-column-issued = Utstedt
portal-column-due = Forfall
portal-column-overdue = Dager på overtid
portal-column-open = Åpent beløp
portal-column-date = Dato
portal-column-reference = Referanse
portal-column-amount = Beløp
portal-downloads = Nedlastinger
portal-download-pdf = Faktura som PDF
portal-download-ubl = E-faktura (UBL)
portal-download-cii = E-faktura (CII)
portal-back = Tilbake til kontoutskriften
portal-amount-due = Å betale
portal-total = Totalt
portal-vat-breakdown = Mva-spesifikasjon
portal-disputed = bestridt
portal-pages = Sider med åpne fakturaer
portal-page = Side { $page } av { $pages }
portal-previous = Forrige
portal-next = Neste
portal-language = Språk
portal-change-language = Bytt
portal-not-found-title = Denne lenken åpnes ikke
portal-not-found = Lenken er ukjent, utløpt eller trukket tilbake. Be avsenderen om en ny.
portal-busy-title = For mange forsøk
portal-busy = For mange ugyldige lenker er prøvd fra adressen din. Prøv igjen senere.
portal-failed-title = Noe gikk galt
portal-failed = Siden kan ikke vises akkurat nå. Prøv igjen senere.
portal-bucket = { $label ->
    [Current] Ikke forfalt
   *[other] { $label } dager
}
