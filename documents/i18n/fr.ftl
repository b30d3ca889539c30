# Remit document messages, French.

document-title = { $kind ->
    [credit-note] Avoir
   *[invoice] Facture
}
document-number = { $kind ->
    [credit-note] Numéro d’avoir
   *[invoice] Numéro de facture
}
issue-date = Date d’émission
supply-date = Date de livraison
supply-period = Période de livraison
period = { $start } – { $end }
due-date = Date d’échéance
buyer-reference = Votre référence
purchase-order = Bon de commande
preceding-invoice = Rectifie la facture
payment-reference = Référence de paiement
amounts-in = Montants en { $currency }
seller = Émetteur
buyer = Facturé à
vat-id = N° TVA : { $id }
column-description = Désignation
column-quantity = Quantité
column-unit = Unité
column-unit-price = Prix unitaire
column-vat = TVA
column-net = Montant HT
line-allowance = Remise : { $reason }
line-charge = Majoration : { $reason }
document-allowance = Remise : { $reason } (TVA { $vat })
document-charge = Majoration : { $reason } (TVA { $vat })
unit = { $code ->
    [C62] pce
    [H87] pce
    [HUR] h
    [DAY] jours
    [MON] mois
    [KGM] kg
    [MTR] m
    [LTR] l
    [KMT] km
    [MIN] min
   *[other] { $code }
}
vat-breakdown = Récapitulatif de la TVA
column-category = Catégorie
column-rate = Taux
column-taxable = Base HT
column-tax = Montant TVA
vat-category = { $category ->
    [S] Taux normal
    [Z] Taux zéro
    [E] Exonéré
    [AE] Autoliquidation
    [K] Livraison intracommunautaire
    [G] Exportation hors UE
    [O] Hors champ de la TVA
    [L] IGIC (Canaries)
    [M] IPSI (Ceuta et Melilla)
    [B] TVA transférée (paiement scindé)
   *[other] { $category }
}
exemption-reason = Motif d’exonération : { $reason }
total-lines = Total des lignes HT
total-allowances = Remises
total-charges = Majorations
total-net = Total HT
total-vat = Total TVA
total-gross = Total TTC
total-prepaid = Acompte versé
total-rounding = Arrondi
total-due = Net à payer
accounting-vat = TVA en { $currency } au taux de { $rate } : { $amount }
payment = Paiement
terms = { $kind ->
    [due-on-receipt] Payable à réception
    [net] Payable à { $days } { $count ->
        [one] jour
       *[other] jours
    }
    [net-end-of-month] Payable à { $days } { $count ->
        [one] jour
       *[other] jours
    } fin de mois
    [end-of-following-month] Payable à la fin du mois suivant
   *[day-of-next-month] Payable le { $days } du mois suivant
}
instalment = { $amount } à payer le { $date }
early-discount = Escompte pour paiement anticipé : { $percent } ({ $amount }) avant le { $date }
bank-account = Coordonnées bancaires
account-holder = Titulaire : { $name }
iban = IBAN : { $iban }
bic = BIC : { $bic }
pay-with-reference = Merci d’indiquer la référence { $reference } avec votre paiement.
note = Remarque
page = Page { $page } sur { $pages }

## Relevés de compte et reçus de paiement (issue #13)

statement-title = Relevé de compte
statement-customer = Client
statement-date = Date du relevé
statement-period = Période
statement-currency = Compte en { $currency }
registration-id = N° d’immatriculation : { $id }
open-items = Postes ouverts
column-invoice = Facture
column-days-overdue = Jours de retard
column-amount = Montant
column-open = Restant dû
disputed-item = { $number } (contestée)
no-open-items = Aucun poste ouvert.
unapplied-credit = Moins l’avoir non affecté
statement-total-due = Total dû
account-activity = Mouvements du compte
column-date = Date
column-reference = Référence
column-entry = Écriture
column-balance = Solde
opening-balance = Solde d’ouverture
closing-balance = Solde de clôture
entry-kind = { $kind ->
    [invoice] Facture
    [fee-invoice] Facture de frais
    [credit-note] Avoir
    [payment] Paiement
    [refund] Remboursement
    [discount-taken] Escompte
    [write-off] Passé en perte
    [allocation] Avoir imputé
    [allocation-reversal] Imputation annulée
    [discount-reversal] Escompte annulé
   *[void] Facture annulée
}
receipt-title = Reçu de paiement
received-from = Reçu de
received-on = Reçu le
amount-received = Montant reçu
payment-method = Mode de paiement
payment-method-name = { $method ->
    [bank-transfer] Virement
    [card] Carte
    [cash] Espèces
    [cheque] Chèque
    [direct-debit] Prélèvement
   *[collections] Agence de recouvrement
}
applied-to = Imputé sur
column-applied = Imputé
column-discount = Escompte
invoice-instalment = { $number }, échéance { $instalment }
nothing-applied = Imputé sur aucune facture.
credited = Porté au crédit de votre compte
total-received = Total reçu
receipt-thanks = Merci pour votre paiement.
aging = Montants ouverts par jours de retard
aging-bucket = { $label ->
    [Current] Pas encore échu
   *[other] { $label } jours
}

## Mail: the default subject and body of a mailed invoice or credit note
## ($kind: invoice-due, invoice or credit-note; $amount and $date already formatted)

mail-subject = { $kind ->
    [credit-note] Avoir { $number } de { $seller }
    [receipt] Reçu de votre paiement à { $seller }
   *[other] Facture { $number } de { $seller }
}
mail-greeting = Madame, Monsieur,
mail-body = { $kind ->
    [credit-note] Veuillez trouver ci-joint l’avoir { $number } d’un montant de { $amount }.
    [receipt] Merci pour votre paiement de { $amount } le { $date }. Veuillez trouver votre reçu ci-joint.
    [invoice-due] Veuillez trouver ci-joint la facture { $number } d’un montant de { $amount }, à régler au plus tard le { $date }.
   *[other] Veuillez trouver ci-joint la facture { $number } d’un montant de { $amount }.
}
mail-closing = Cordialement,
