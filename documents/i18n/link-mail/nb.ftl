# A portal link mailed to the customer, Norwegian Bokmål. Arguments arrive formatted by locale.
link-mail-subject = { $scope ->
    [invoice] Faktura { $number } fra { $seller }: lenken din
   *[statement] Kontoen din hos { $seller }
}
link-mail-body = { $scope ->
    [invoice] { $seller } sender deg en lenke til faktura { $number }, der du ser hva som forfaller og kan laste ned fakturaen.
   *[statement] { $seller } sender deg en lenke til kontoutskriften din, der du ser hva du skylder og kan laste ned fakturaene dine.
}
link-mail-open = Åpne den her (lenken virker til og med { $date }):
link-mail-answer-subject = { $scope ->
    [invoice] Spørsmålet ditt om faktura { $number }: { $seller } har svart
   *[statement] Spørsmålet ditt til { $seller }: et svar
}
link-mail-answer-body = { $resolved ->
    [yes] { $seller } har avsluttet spørsmålet ditt{ $scope ->
        [invoice] {" "}om faktura { $number }
       *[statement] {""}
    }. Svaret står på siden din.
   *[no] { $seller } har svart på spørsmålet ditt{ $scope ->
        [invoice] {" "}om faktura { $number }
       *[statement] {""}
    }. Les svaret på siden din, og skriv gjerne tilbake der.
}
