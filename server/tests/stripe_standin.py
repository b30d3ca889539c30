"""The Stripe tests' stand-in for Stripe's API: Python's standard library only, on 127.0.0.1 at a free
port. It speaks the contract Remit uses, as Stripe documents it:

- every /v1/ request carries `Authorization: Bearer <the secret key>`, else 401;
- POST /v1/checkout/sessions (form-encoded, as Stripe takes it) creates a Checkout Session;
  GET /v1/checkout/sessions/{id} answers it as it is now;
- POST /v1/refunds refunds part of a payment intent; more than is left is refused with HTTP 400 and
  code `amount_too_large`, an unknown payment intent with HTTP 400 and `resource_missing`;
- a repeated Idempotency-Key (per key and path) gets the first answer again, status included;
- errors are Stripe's shape: {"error": {"type", "code", "message"}}.

Test-only controls (they answer what Stripe would send to a webhook, signed, WITHOUT delivering it, so
the test posts it as it pleases: twice, late, out of order, racing the success page):

- POST /test/sessions/{id}/pay {"method": "card"|"delayed", "email"}: the customer finishes the page.
  A card pays at once (`checkout.session.completed`, paid); a delayed method completes unpaid.
- POST /test/sessions/{id}/settle {"outcome": "succeeded"|"failed"}: a delayed payment settles
  (`checkout.session.async_payment_succeeded` / `_failed`).
- POST /test/payment_intents/{pi}/refund {"amount": minor units}: a refund made in Stripe's dashboard
  (`charge.refunded`, listing every refund of the charge).
- POST /test/payment_intents/{pi}/charge_refunded: the `charge.refunded` of the charge as it is now.
- POST /test/sign {"payload": "..."}: signs any payload.
- GET /test/sessions/{id}: the session and the form it was created with; GET /test/refunds: every
  refund with the idempotency key it was made under, and how many requests asked for refunds.

Every control takes "signed_with" (the webhook secrets to sign with; one v1 each, as Stripe does
while a secret is rolled) and "signed_at" (Unix seconds) to sign otherwise than now with the secrets
it was started with. The answer is {"event": {...}, "payload": "<raw body>", "signature": "<header>"}.

    python3 stripe_standin.py SECRET_KEY WEBHOOK_SECRET [WEBHOOK_SECRET ...]

Prints "ready <port>" once it listens; exits when its stdin closes, so it never outlives the test
process that started it.
"""

import hashlib
import hmac
import json
import secrets as random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


def new_id(prefix):
    return f"{prefix}_test_{random.token_hex(12)}"


def stripe_signature(payload, secrets, timestamp):
    """The Stripe-Signature header as Stripe documents it: t=<time>, then one v1 per secret, each the
    hex HMAC-SHA256 of "<t>.<payload>" keyed with the secret."""
    signed = f"{timestamp}.".encode() + payload.encode()
    parts = [f"t={timestamp}"]
    for secret in secrets:
        parts.append("v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest())
    return ",".join(parts)


class ApiError(Exception):
    def __init__(self, status, code, message, kind="invalid_request_error"):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": kind, "code": code, "message": message}}


class Stripe:
    """What the stand-in keeps: sessions, payment intents (each with one charge), refunds, and the
    answers given per idempotency key."""

    def __init__(self, secret_key, webhook_secrets):
        self.secret_key = secret_key
        self.webhook_secrets = webhook_secrets
        self.lock = threading.Lock()
        self.sessions = {}
        self.forms = {}
        self.intents = {}
        self.refunds = []
        self.answers = {}
        self.refund_requests = 0
        self.port = 0

    # The API.

    def create_session(self, form):
        for field in (
            "mode",
            "line_items[0][price_data][currency]",
            "line_items[0][price_data][unit_amount]",
            "line_items[0][price_data][product_data][name]",
            "line_items[0][quantity]",
            "success_url",
            "cancel_url",
        ):
            if not form.get(field):
                raise ApiError(400, "parameter_missing", f"Missing required param: {field}.")
        if form["mode"] != "payment":
            raise ApiError(400, "parameter_invalid", "Only mode=payment is stood in for.")
        try:
            amount = int(form["line_items[0][price_data][unit_amount]"])
            quantity = int(form["line_items[0][quantity]"])
        except ValueError:
            raise ApiError(400, "parameter_invalid_integer", "Invalid integer.")
        currency = form["line_items[0][price_data][currency]"]
        if currency != currency.lower() or len(currency) != 3:
            raise ApiError(400, "parameter_invalid", "Invalid currency.")
        session_id = new_id("cs")
        metadata = {
            key[len("metadata[") : -1]: value
            for key, value in form.items()
            if key.startswith("metadata[")
        }
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "payment",
            "url": f"http://127.0.0.1:{self.port}/pay/{session_id}",
            "status": "open",
            "payment_status": "unpaid",
            "client_reference_id": form.get("client_reference_id"),
            "metadata": metadata,
            "amount_total": amount * quantity,
            "currency": currency,
            "customer_email": form.get("customer_email"),
            "customer_details": None,
            "payment_intent": None,
            "success_url": form["success_url"],
            "cancel_url": form["cancel_url"],
            "created": int(time.time()),
        }
        self.sessions[session_id] = session
        self.forms[session_id] = form
        return session

    def session(self, session_id):
        if session_id not in self.sessions:
            raise ApiError(404, "resource_missing", f"No such checkout.session: '{session_id}'")
        return self.sessions[session_id]

    def create_refund(self, form, idempotency_key):
        intent_id = form.get("payment_intent", "")
        intent = self.intents.get(intent_id)
        if intent is None:
            raise ApiError(400, "resource_missing", f"No such payment_intent: '{intent_id}'")
        try:
            amount = int(form.get("amount", intent["amount"] - self.refunded(intent_id)))
        except ValueError:
            raise ApiError(400, "parameter_invalid_integer", "Invalid integer: amount.")
        left = intent["amount"] - self.refunded(intent_id)
        if amount <= 0:
            raise ApiError(400, "parameter_invalid_integer", "The amount must be positive.")
        if amount > left:
            raise ApiError(
                400,
                "amount_too_large",
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
            )
        metadata = {
            key[len("metadata[") : -1]: value
            for key, value in form.items()
            if key.startswith("metadata[")
        }
        return self.refund(intent, amount, metadata, idempotency_key)

    # What the test controls do.

    def refund(self, intent, amount, metadata, idempotency_key):
        refund = {
            "id": new_id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "charge": intent["charge"],
            "payment_intent": intent["id"],
            "status": "succeeded",
            "metadata": metadata,
            "created": int(time.time()),
        }
        self.refunds.append({"refund": refund, "idempotency_key": idempotency_key})
        return refund

    def refunded(self, intent_id):
        return sum(r["refund"]["amount"] for r in self.refunds if r["refund"]["payment_intent"] == intent_id)

    def pay(self, session_id, method, email):
        session = self.session(session_id)
        if session["status"] != "open":
            raise ApiError(400, "session_not_open", "The session is not open.")
        intent_id = new_id("pi")
        self.intents[intent_id] = {
            "id": intent_id,
            "amount": session["amount_total"],
            "currency": session["currency"],
            "charge": new_id("ch"),
        }
        session["status"] = "complete"
        session["url"] = None
        session["payment_intent"] = intent_id
        session["payment_status"] = "paid" if method == "card" else "unpaid"
        session["customer_details"] = {
            "email": email or session["customer_email"] or "payer@example.test"
        }
        return self.event("checkout.session.completed", session)

    def settle(self, session_id, outcome):
        session = self.session(session_id)
        if session["status"] != "complete" or session["payment_status"] != "unpaid":
            raise ApiError(400, "session_not_pending", "The session has no pending payment.")
        if outcome == "succeeded":
            session["payment_status"] = "paid"
            return self.event("checkout.session.async_payment_succeeded", session)
        return self.event("checkout.session.async_payment_failed", session)

    def charge(self, intent_id):
        intent = self.intents.get(intent_id)
        if intent is None:
            raise ApiError(404, "resource_missing", f"No such payment_intent: '{intent_id}'")
        refunds = [r["refund"] for r in self.refunds if r["refund"]["payment_intent"] == intent_id]
        return {
            "id": intent["charge"],
            "object": "charge",
            "amount": intent["amount"],
            "amount_refunded": self.refunded(intent_id),
            "currency": intent["currency"],
            "payment_intent": intent_id,
            "refunded": self.refunded(intent_id) == intent["amount"],
            "refunds": {"object": "list", "data": refunds, "has_more": False},
        }

    def dashboard_refund(self, intent_id, amount):
        intent = self.intents.get(intent_id)
        if intent is None:
            raise ApiError(404, "resource_missing", f"No such payment_intent: '{intent_id}'")
        left = intent["amount"] - self.refunded(intent_id)
        if amount is None:
            amount = left
        if amount <= 0 or amount > left:
            raise ApiError(400, "amount_too_large", "The refund is more than is left.")
        self.refund(intent, amount, {}, None)
        return self.event("charge.refunded", self.charge(intent_id))

    @staticmethod
    def event(kind, obj):
        return {
            "id": new_id("evt"),
            "object": "event",
            "api_version": "2024-06-20",
            "type": kind,
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": json.loads(json.dumps(obj))},
        }

    def signed(self, event, options):
        payload = json.dumps(event, indent=2)
        at = int(options.get("signed_at") or time.time())
        with_secrets = options.get("signed_with") or self.webhook_secrets
        return {
            "event": event,
            "payload": payload,
            "signature": stripe_signature(payload, with_secrets, at),
        }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    @property
    def stripe(self):
        return self.server.stripe

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode() if length else ""

    def authorised(self):
        return self.headers.get("Authorization") == f"Bearer {self.stripe.secret_key}"

    def do_GET(self):
        self.handle_request("GET")

    def do_POST(self):
        self.handle_request("POST")

    def handle_request(self, method):
        raw = self.body()
        path = self.path.split("?", 1)[0]
        parts = [p for p in path.split("/") if p]
        try:
            with self.stripe.lock:
                if parts[:1] == ["v1"]:
                    status, body = self.api(method, parts, raw)
                elif parts[:1] == ["test"]:
                    status, body = 200, self.control(method, parts, json.loads(raw or "{}"))
                else:
                    raise ApiError(404, "resource_missing", "Unrecognized request URL.")
        except ApiError as e:
            status, body = e.status, e.body
        self.answer(status, body)

    def api(self, method, parts, raw):
        if not self.authorised():
            return 401, {
                "error": {
                    "type": "invalid_request_error",
                    "code": "api_key_invalid",
                    "message": "Invalid API Key provided.",
                }
            }
        key = self.headers.get("Idempotency-Key")
        if method == "POST" and parts == ["v1", "refunds"]:
            self.stripe.refund_requests += 1
        remembered = (self.stripe.secret_key, "/".join(parts), key)
        if method == "POST" and key and remembered in self.stripe.answers:
            return self.stripe.answers[remembered]
        form = dict(parse_qsl(raw, keep_blank_values=True))
        try:
            if method == "POST" and parts == ["v1", "checkout", "sessions"]:
                answer = 200, self.stripe.create_session(form)
            elif method == "GET" and parts[:3] == ["v1", "checkout", "sessions"] and len(parts) == 4:
                answer = 200, self.stripe.session(parts[3])
            elif method == "POST" and parts == ["v1", "refunds"]:
                answer = 200, self.stripe.create_refund(form, key)
            else:
                raise ApiError(404, "resource_missing", "Unrecognized request URL.")
        except ApiError as e:
            answer = e.status, e.body
        if method == "POST" and key:
            self.stripe.answers[remembered] = answer
        return answer

    def control(self, method, parts, options):
        stripe = self.stripe
        if method == "GET" and parts[1:2] == ["sessions"] and len(parts) == 3:
            return {"session": stripe.session(parts[2]), "form": stripe.forms[parts[2]]}
        if method == "GET" and parts == ["test", "refunds"]:
            return {"refunds": stripe.refunds, "requests": stripe.refund_requests}
        if method != "POST":
            raise ApiError(404, "resource_missing", "Unrecognized control.")
        if parts[1:2] == ["sessions"] and len(parts) == 4 and parts[3] == "pay":
            event = stripe.pay(parts[2], options.get("method", "card"), options.get("email"))
        elif parts[1:2] == ["sessions"] and len(parts) == 4 and parts[3] == "settle":
            event = stripe.settle(parts[2], options.get("outcome", "succeeded"))
        elif parts[1:2] == ["payment_intents"] and len(parts) == 4 and parts[3] == "refund":
            event = stripe.dashboard_refund(parts[2], options.get("amount"))
        elif parts[1:2] == ["payment_intents"] and len(parts) == 4 and parts[3] == "charge_refunded":
            event = stripe.event("charge.refunded", stripe.charge(parts[2]))
        elif parts == ["test", "sign"]:
            return {
                "payload": options["payload"],
                "signature": stripe_signature(
                    options["payload"],
                    options.get("signed_with") or stripe.webhook_secrets,
                    int(options.get("signed_at") or time.time()),
                ),
            }
        else:
            raise ApiError(404, "resource_missing", "Unrecognized control.")
        return stripe.signed(event, options)


def main():
    secret_key, webhook_secrets = sys.argv[1], sys.argv[2:]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.stripe = Stripe(secret_key, webhook_secrets)
    server.stripe.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", server.server_address[1], flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
