# Remit document messages, English. Ids are shared with the portal and the app.
# Arguments arrive formatted by locale (numbers, dates, amounts); `count` is a plain number for plurals.

document-title = { $kind ->
    [credit-note] Credit note
   *[invoice] Invoice
}
document-number = { $kind ->
    [credit-note] Credit note number
   *[invoice] Invoice number
}
issue-date = Issue date
supply-date = Date of supply
supply-period = Period of supply
period = { $start } – { $end }
due-date = Due date
buyer-reference = Your reference
purchase-order = Purchase order
preceding-invoice = Corrects invoice
payment-reference = Payment reference
amounts-in = Amounts in { $currency }
seller = From
buyer = Bill to
vat-id = VAT ID: { $id }
column-description = Description
column-quantity = Quantity
column-unit = Unit
column-unit-price = Unit price
column-vat = VAT
column-net = Net amount
line-allowance = Allowance: { $reason }
line-charge = Charge: { $reason }
document-allowance = Allowance: { $reason } (VAT { $vat })
document-charge = Charge: { $reason } (VAT { $vat })
unit = { $code ->
    [C62] pcs
    [H87] pcs
    [HUR] h
    [DAY] days
    [MON] months
    [KGM] kg
    [MTR] m
    [LTR] l
    [KMT] km
    [MIN] min
   *[other] { $code }
}
vat-breakdown = VAT breakdown
column-category = Category
column-rate = Rate
column-taxable = Taxable amount
column-tax = VAT amount
vat-category = { $category ->
    [S] Standard rate
    [Z] Zero rated
    [E] Exempt
    [AE] Reverse charge
    [K] Intra-community supply
    [G] Export outside the EU
    [O] Outside the scope of VAT
    [L] IGIC (Canary Islands)
    [M] IPSI (Ceuta and Melilla)
    [B] Transferred VAT (split payment)
   *[other] { $category }
}
exemption-reason = Exemption reason: { $reason }
total-lines = Sum of line net amounts
total-allowances = Allowances
total-charges = Charges
total-net = Total excluding VAT
total-vat = Total VAT
total-gross = Total including VAT
total-prepaid = Paid in advance
total-rounding = Rounding
total-due = Amount due
accounting-vat = VAT in { $currency } at { $rate }: { $amount }
payment = Payment
terms = { $kind ->
    [due-on-receipt] Payable on receipt
    [net] Net { $days } { $count ->
        [one] day
       *[other] days
    }
    [net-end-of-month] Net { $days } { $count ->
        [one] day
       *[other] days
    } after the end of the month
    [end-of-following-month] At the end of the following month
   *[day-of-next-month] On day { $days } of the following month
}
instalment = { $amount } due { $date }
early-discount = Early payment discount: { $percent } ({ $amount }) if paid by { $date }
bank-account = Bank account
account-holder = Account holder: { $name }
iban = IBAN: { $iban }
bic = BIC: { $bic }
pay-with-reference = Please state the payment reference { $reference } with your payment.
note = Note
page = Page { $page } of { $pages }

## Statements and payment receipts (issue #13)

statement-title = Statement of account
statement-customer = Customer
statement-date = Statement date
statement-period = Period
statement-currency = Account in { $currency }
registration-id = Registration no.: { $id }
open-items = Open items
column-invoice = Invoice
column-days-overdue = Days overdue
column-amount = Amount
column-open = Open
disputed-item = { $number } (disputed)
no-open-items = Nothing is open.
unapplied-credit = Less unapplied credit
statement-total-due = Total due
account-activity = Account activity
column-date = Date
column-reference = Reference
column-entry = Entry
column-balance = Balance
opening-balance = Opening balance
closing-balance = Closing balance
entry-kind = { $kind ->
    [invoice] Invoice
    [fee-invoice] Fee invoice
    [credit-note] Credit note
    [payment] Payment
    [refund] Refund
    [discount-taken] Discount taken
    [write-off] Written off
    [allocation] Credit applied
    [allocation-reversal] Allocation reversed
    [discount-reversal] Discount reversed
   *[void] Invoice voided
}
receipt-title = Payment receipt
received-from = Received from
received-on = Received on
amount-received = Amount received
payment-method = Payment method
payment-method-name = { $method ->
    [bank-transfer] Bank transfer
    [card] Card
    [cash] Cash
    [cheque] Cheque
    [direct-debit] Direct debit
   *[collections] Collection agency
}
applied-to = Applied to
column-applied = Applied
column-discount = Discount taken
invoice-instalment = { $number }, instalment { $instalment }
nothing-applied = Nothing was applied to an invoice.
credited = Credited to your account
total-received = Total received
receipt-thanks = Thank you for your payment.
aging = Open amounts by days past due
aging-bucket = { $label ->
    [Current] Not yet due
   *[other] { $label } days
}

## Mail: the default subject and body of a mailed invoice or credit note
## ($kind: invoice-due, invoice, credit-note or receipt; $amount and $date already formatted; a
## receipt's $date is the day the payment was received)

mail-subject = { $kind ->
    [credit-note] Credit note { $number } from { $seller }
    [receipt] Receipt for your payment to { $seller }
   *[other] Invoice { $number } from { $seller }
}
mail-greeting = Dear customer,
mail-body = { $kind ->
    [credit-note] Please find attached credit note { $number } for { $amount }.
    [receipt] Thank you for your payment of { $amount } on { $date }. Please find your receipt attached.
    [invoice-due] Please find attached invoice { $number } for { $amount }, due on { $date }.
   *[other] Please find attached invoice { $number } for { $amount }.
}
mail-closing = Kind regards,
