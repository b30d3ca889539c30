# Das Kundenportal, Deutsch. Argumente kommen nach Gebietsschema formatiert an.
portal-title = { $organisation }: Ihr Kundenkonto
portal-statement-for = Kontoauszug für { $customer } zum { $date }
portal-invoice-title = Rechnung { $number }
portal-balance-due = Offener Saldo
portal-nothing-due = Es ist nichts offen. Vielen Dank.
portal-open-invoices = Offene Rechnungen
portal-credit = Nicht zugeordnetes Guthaben
portal-payments = Zahlungen der letzten 12 Monate
portal-no-payments = Keine Zahlungen in den letzten 12 Monaten.
portal-aging = Nach Alter
portal-column-number = Rechnung
portal-column-issued = Ausgestellt
portal-column-due = Fällig
portal-column-overdue = Tage überfällig
portal-column-open = Offener Betrag
portal-column-date = Datum
portal-column-reference = Referenz
portal-column-amount = Betrag
portal-downloads = Downloads
portal-download-pdf = Rechnung als PDF
portal-download-ubl = E-Rechnung (UBL)
portal-download-cii = E-Rechnung (CII)
portal-back = Zurück zum Kontoauszug
portal-amount-due = Zahlbetrag
portal-total = Gesamt
portal-vat-breakdown = Aufschlüsselung der Umsatzsteuer
portal-disputed = beanstandet
portal-pages = Seiten der offenen Rechnungen
portal-page = Seite { $page } von { $pages }
portal-previous = Zurück
portal-next = Weiter
portal-language = Sprache
portal-change-language = Wechseln
portal-not-found-title = Dieser Link öffnet sich nicht
portal-not-found = Der Link ist unbekannt, abgelaufen oder wurde zurückgezogen. Bitten Sie den Absender um einen neuen.
portal-busy-title = Zu viele Versuche
portal-busy = Von Ihrer Adresse wurden zu viele ungültige Links versucht. Bitte versuchen Sie es später erneut.
portal-failed-title = Etwas ist schiefgegangen
portal-failed = Die Seite kann gerade nicht angezeigt werden. Bitte versuchen Sie es später erneut.
portal-bucket = { $label ->
    [Current] Noch nicht fällig
   *[other] { $label } Tage
}
