# A portal link mailed to the customer, French. Arguments arrive formatted by locale.
link-mail-subject = { $scope ->
    [invoice] Facture { $number } de { $seller } : votre lien
   *[statement] Votre compte chez { $seller }
}
link-mail-body = { $scope ->
    [invoice] { $seller } vous envoie un lien vers la facture { $number }, où vous pouvez voir le montant dû et télécharger la facture.
   *[statement] { $seller } vous envoie un lien vers votre relevé de compte, où vous pouvez voir ce que vous devez et télécharger vos factures.
}
link-mail-open = Ouvrez-le ici (le lien est valable jusqu’au { $date }) :
link-mail-answer-subject = { $scope ->
    [invoice] Votre question sur la facture { $number } : réponse de { $seller }
   *[statement] Votre question à { $seller } : une réponse
}
link-mail-answer-body = { $resolved ->
    [yes] { $seller } a réglé votre question{ $scope ->
        [invoice] {" "}sur la facture { $number }
       *[statement] {""}
    }. La réponse se trouve sur votre page.
   *[no] { $seller } a répondu à votre question{ $scope ->
        [invoice] {" "}sur la facture { $number }
       *[statement] {""}
    }. Lisez la réponse sur votre page, et répondez-y si vous le souhaitez.
}
