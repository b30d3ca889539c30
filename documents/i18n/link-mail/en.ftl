# A portal link mailed to the customer, English. Arguments arrive formatted by locale.
link-mail-subject = { $scope ->
    [invoice] Invoice { $number } from { $seller }: your link
   *[statement] Your account with { $seller }
}
link-mail-body = { $scope ->
    [invoice] { $seller } sends you a link to invoice { $number }, where you can see what is due and download the invoice.
   *[statement] { $seller } sends you a link to your statement, where you can see what you owe and download your invoices.
}
link-mail-open = Open it here (the link works until { $date }):
link-mail-answer-subject = { $scope ->
    [invoice] Your question about invoice { $number }: { $seller } answered
   *[statement] Your question to { $seller }: an answer
}
link-mail-answer-body = { $resolved ->
    [yes] { $seller } has resolved your question{ $scope ->
        [invoice] {" "}about invoice { $number }
       *[statement] {""}
    }. The answer is on your page.
   *[no] { $seller } has answered your question{ $scope ->
        [invoice] {" "}about invoice { $number }
       *[statement] {""}
    }. Read the answer, and write back if you wish, on your page.
}
