# Le portail client, français. Les arguments arrivent formatés selon la langue.
portal-title = { $organisation } : votre compte
portal-statement-for = Relevé de { $customer } au { $date }
portal-invoice-title = Facture { $number }
portal-balance-due = Solde dû
portal-nothing-due = Rien n’est dû. Merci.
portal-open-invoices = Factures ouvertes
portal-credit = Avoir non affecté
portal-payments = Paiements des 12 derniers mois
portal-no-payments = Aucun paiement au cours des 12 derniers mois.
portal-aging = Par ancienneté
portal-column-number = Facture
portal-column-issued = Émise le
portal-column-due = Échéance
portal-column-overdue = Jours de retard
portal-column-open = Montant ouvert
portal-column-date = Date
portal-column-reference = Référence
portal-column-amount = Montant
portal-downloads = Téléchargements
portal-download-pdf = Facture PDF
portal-download-ubl = Facture électronique (UBL)
portal-download-cii = Facture électronique (CII)
portal-back = Retour au relevé
portal-amount-due = Montant à payer
portal-total = Total
portal-vat-breakdown = Ventilation de la TVA
portal-disputed = contestée
portal-pages = Pages des factures ouvertes
portal-page = Page { $page } sur { $pages }
portal-previous = Précédente
portal-next = Suivante
portal-language = Langue
portal-change-language = Changer
portal-not-found-title = Ce lien ne s’ouvre pas
portal-not-found = Le lien est inconnu, a expiré ou a été retiré. Demandez-en un nouveau à l’expéditeur.
portal-busy-title = Trop de tentatives
portal-busy = Trop de liens invalides ont été essayés depuis votre adresse. Réessayez plus tard.
portal-failed-title = Un problème est survenu
portal-failed = La page ne peut pas être affichée pour le moment. Réessayez plus tard.
portal-bucket = { $label ->
    [Current] Pas encore échu
   *[other] { $label } jours
}
