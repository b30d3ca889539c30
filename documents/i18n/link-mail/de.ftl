# A portal link mailed to the customer, German. Arguments arrive formatted by locale.
link-mail-subject = { $scope ->
    [invoice] Rechnung { $number } von { $seller }: Ihr Link
   *[statement] Ihr Konto bei { $seller }
}
link-mail-body = { $scope ->
    [invoice] { $seller } sendet Ihnen einen Link zur Rechnung { $number }. Dort sehen Sie, was fällig ist, und können die Rechnung herunterladen.
   *[statement] { $seller } sendet Ihnen einen Link zu Ihrem Kontoauszug. Dort sehen Sie, was Sie schulden, und können Ihre Rechnungen herunterladen.
}
link-mail-open = Hier öffnen (der Link gilt bis { $date }):
