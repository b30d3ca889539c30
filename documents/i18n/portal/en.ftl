# The customer's portal, English. Arguments arrive formatted by locale.
portal-title = { $organisation }: your account
portal-statement-for = Statement for { $customer } on { $date }
portal-invoice-title = Invoice { $number }
portal-balance-due = Balance due
portal-nothing-due = Nothing is due. Thank you.
portal-open-invoices = Open invoices
portal-credit = Unapplied credit
portal-payments = Payments of the last 12 months
portal-no-payments = No payments in the last 12 months.
portal-aging = By age
portal-column-number = Invoice
portal-column-issued = Issued
portal-column-due = Due
portal-column-overdue = Days overdue
portal-column-open = Open amount
portal-column-date = Date
portal-column-reference = Reference
portal-column-amount = Amount
portal-downloads = Downloads
portal-download-pdf = Invoice PDF
portal-download-ubl = E-invoice (UBL)
portal-download-cii = E-invoice (CII)
portal-back = Back to the statement
portal-amount-due = Amount due
portal-total = Total
portal-vat-breakdown = VAT breakdown
portal-disputed = disputed
portal-pages = Pages of open invoices
portal-page = Page { $page } of { $pages }
portal-previous = Previous
portal-next = Next
portal-language = Language
portal-change-language = Change
portal-not-found-title = This link does not open
portal-not-found = The link is unknown, has expired or was withdrawn. Ask the sender for a new one.
portal-busy-title = Too many attempts
portal-busy = Too many links that do not open were tried from your address. Try again later.
portal-failed-title = Something went wrong
portal-failed = The page cannot be shown just now. Try again later.
portal-bucket = { $label ->
    [Current] Not yet due
   *[other] { $label } days
}
