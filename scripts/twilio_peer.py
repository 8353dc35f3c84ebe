#!/usr/bin/env python3
"""A local HTTP server that speaks the part of Twilio's Messages API Relay uses.

It accepts sends (Basic auth with the configured account SID and auth token, form-encoded
To/From/Body/StatusCallback), answers like Twilio (201 + message JSON), and later posts signed
status callbacks (X-Twilio-Signature: HMAC-SHA1 over URL + sorted form params) back to the
StatusCallback URL: `sent`, then `delivered` (or `undelivered` for numbers ending in 0000).

Inspection and fault injection for tests and operators:
  GET  /_peer/messages            every message accepted so far (JSON list)
  POST /_peer/mode   mode=ok|fail500|fail429|reset|invalid_number|slow|timeout|lost_reply [delay=seconds]
                                  how the next sends answer:
                                    slow        wait `delay` (default 1 s), then accept as usual
                                    timeout     wait `delay` (default 30 s) and hang up: nothing created
                                    lost_reply  create the message (callbacks follow), then wait `delay`
                                                (default 30 s) and hang up: the sender cannot know
  GET  /_peer/health              200 when up

Standard library only, so it runs anywhere python3 does.
"""
import argparse
import base64
import hashlib
import hmac
import json
import secrets
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"mode": "ok", "delay": None, "messages": [], "lock": threading.Lock()}
DEFAULT_DELAYS = {"slow": 1.0, "timeout": 30.0, "lost_reply": 30.0}
ARGS = None


def twilio_signature(token, url, params):
    data = url + "".join(k + params[k] for k in sorted(params))
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def post_callback(url, params):
    body = urllib.parse.urlencode(params).encode()
    req = urllib.request.Request(url, data=body, method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    req.add_header("X-Twilio-Signature", twilio_signature(ARGS.auth_token, url, params))
    for attempt in range(20):  # like Twilio: retry a failed callback for a while
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                if resp.status < 300:
                    return
        except Exception as e:  # noqa: BLE001 - any failure is retried, then logged
            last = e
        time.sleep(min(0.25 * (2 ** attempt), 5))
    print(f"callback to {url} gave up: {last}", file=sys.stderr, flush=True)


def deliver_later(msg):
    time.sleep(ARGS.callback_delay)
    final = "undelivered" if msg["to"].endswith("0000") else "delivered"
    for status in ("sent", final):
        with STATE["lock"]:
            msg["status"] = status
        if msg.get("status_callback"):
            params = {"MessageSid": msg["sid"], "MessageStatus": status, "AccountSid": ARGS.account_sid,
                      "To": msg["to"], "From": msg["from"], "ApiVersion": "2010-04-01"}
            if status == "undelivered":
                params["ErrorCode"] = "30003"
            post_callback(msg["status_callback"], params)


def message_json(m):
    return {"sid": m["sid"], "account_sid": ARGS.account_sid, "to": m["to"], "from": m["from"],
            "body": m["body"], "status": m["status"], "num_segments": "1", "direction": "outbound-api",
            "date_created": m["date_created"], "date_updated": m["date_created"], "date_sent": None,
            "api_version": "2010-04-01", "price": None, "price_unit": "USD", "error_code": None,
            "error_message": None, "uri": f"/2010-04-01/Accounts/{ARGS.account_sid}/Messages/{m['sid']}.json",
            "subresource_uris": {}, "messaging_service_sid": None, "num_media": "0"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet unless asked
        if ARGS.verbose:
            super().log_message(fmt, *args)

    def reply(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        expected = "Basic " + base64.b64encode(f"{ARGS.account_sid}:{ARGS.auth_token}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self.reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
            return False
        return True

    def form(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        return {k: v[-1] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/_peer/health":
            return self.reply(200, {"status": "up"})
        if url.path == "/_peer/messages":
            with STATE["lock"]:
                return self.reply(200, [message_json(m) | {"status_callback": m.get("status_callback")}
                                        for m in STATE["messages"]])
        if url.path.startswith(f"/2010-04-01/Accounts/{ARGS.account_sid}/Messages"):
            if not self.authorized():
                return
            query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
            with STATE["lock"]:
                found = [m for m in STATE["messages"]
                         if (not query.get("To") or m["to"] == query["To"])
                         and (not query.get("From") or m["from"] == query["From"])]
            if url.path.endswith(".json") and "/Messages/" in url.path:
                sid = url.path.rsplit("/", 1)[1][:-5]
                match = [m for m in found if m["sid"] == sid]
                if not match:
                    return self.reply(404, {"code": 20404, "message": "not found", "status": 404})
                return self.reply(200, message_json(match[0]))
            return self.reply(200, {"messages": [message_json(m) for m in reversed(found)],
                                    "page": 0, "page_size": 50, "uri": url.path, "next_page_uri": None,
                                    "previous_page_uri": None, "first_page_uri": url.path, "start": 0,
                                    "end": len(found)})
        self.reply(404, {"message": "no such route"})

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/_peer/mode":
            form = self.form()
            mode = form.get("mode", "ok")
            try:
                delay = float(form["delay"]) if form.get("delay") else DEFAULT_DELAYS.get(mode)
            except ValueError:
                return self.reply(400, {"message": "delay must be a number of seconds"})
            with STATE["lock"]:
                STATE["mode"] = mode
                STATE["delay"] = delay
            return self.reply(200, {"mode": mode, "delay": delay})
        if url.path != f"/2010-04-01/Accounts/{ARGS.account_sid}/Messages.json":
            return self.reply(404, {"message": "no such route"})
        if not self.authorized():
            return
        form = self.form()
        with STATE["lock"]:
            mode, delay = STATE["mode"], STATE["delay"]
        if mode == "slow":
            time.sleep(delay)
        if mode == "timeout":
            time.sleep(delay)
            return self.hang_up()
        if mode == "reset":
            self.close_connection = True
            self.connection.close()
            return
        if mode == "fail500":
            return self.reply(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
        if mode == "fail429":
            return self.reply(429, {"code": 20429, "message": "Too Many Requests", "status": 429})
        if mode == "invalid_number" or not form.get("To", "").startswith("+"):
            return self.reply(400, {"code": 21211, "message": f"The 'To' number {form.get('To')} is not a valid phone number.",
                                    "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})
        msg = {"sid": "SM" + secrets.token_hex(16), "to": form["To"], "from": form.get("From", ""),
               "body": form.get("Body", ""), "status": "queued", "status_callback": form.get("StatusCallback"),
               "date_created": datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")}
        with STATE["lock"]:
            STATE["messages"].append(msg)
        if ARGS.log_file:
            with open(ARGS.log_file, "a") as f:
                f.write(json.dumps(message_json(msg)) + "\n")
        threading.Thread(target=deliver_later, args=(msg,), daemon=True).start()
        if mode == "lost_reply":
            time.sleep(delay)
            return self.hang_up()
        self.reply(201, message_json(msg))

    def hang_up(self):
        """Close the connection without an answer (the sender sees a reset or its own timeout)."""
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass
        self.connection.close()


def main():
    global ARGS
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8089)
    p.add_argument("--account-sid", default="AC00000000000000000000000000000000")
    p.add_argument("--auth-token", default="local-dev-auth-token")
    p.add_argument("--callback-delay", type=float, default=0.5, help="seconds before status callbacks")
    p.add_argument("--log-file", help="append every accepted message as a JSON line")
    p.add_argument("--verbose", action="store_true")
    ARGS = p.parse_args()
    server = ThreadingHTTPServer((ARGS.host, ARGS.port), Handler)
    print(f"twilio peer on http://{ARGS.host}:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
