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
link-mail-answer-subject = { $scope ->
    [invoice] Ihre Frage zur Rechnung { $number }: { $seller } hat geantwortet
   *[statement] Ihre Frage an { $seller }: eine Antwort
}
link-mail-answer-body = { $resolved ->
    [yes] { $seller } hat Ihre Anfrage{ $scope ->
        [invoice] {" "}zur Rechnung { $number }
       *[statement] {""}
    } erledigt. Die Antwort finden Sie auf Ihrer Seite.
   *[no] { $seller } hat Ihre Anfrage{ $scope ->
        [invoice] {" "}zur Rechnung { $number }
       *[statement] {""}
    } beantwortet. Lesen Sie die Antwort auf Ihrer Seite und schreiben Sie dort gern zurück.
}
