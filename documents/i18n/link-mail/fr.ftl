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
