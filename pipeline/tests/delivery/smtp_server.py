"""A real SMTP server for the delivery tests, on Debian's aiosmtpd.

Binds 127.0.0.1 on a free port and prints "PORT <n>" once it listens. Every
accepted message is stored as <n>.eml (the raw bytes) and <n>.json (what
Python's own email package reads from it), each written under a temporary name
and renamed, so the test never sees half a message.

Recipients starting with "reject" get a permanent 550, those starting with
"later" a transient 451. --tls starttls|tls serves a certificate; --auth
USER:PASS requires authentication.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import socket
import ssl
import sys
import uuid

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Store:
    def __init__(self, folder):
        self.folder = folder

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if address.startswith("later"):
            return "451 4.3.0 <%s>: Temporary lookup failure, try again" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        name = uuid.uuid4().hex
        self.write(name + ".eml", raw)
        summary = describe(raw)
        summary["mail_from"] = envelope.mail_from
        summary["rcpt_tos"] = envelope.rcpt_tos
        summary["tls"] = session.ssl is not None or server.transport.get_extra_info("sslcontext") is not None
        summary["authenticated"] = bool(session.authenticated)
        self.write(name + ".json", json.dumps(summary).encode("utf-8"))
        return "250 2.0.0 Ok: queued as " + name

    def write(self, name, data):
        tmp = os.path.join(self.folder, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.folder, name))


def describe(raw):
    """The headers and leaf parts of a message, as Python's email package sees them."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            parts.append({"content_type": part.get_content_type(), "multipart": True})
            continue
        entry = {
            "content_type": part.get_content_type(),
            "multipart": False,
            "disposition": part.get_content_disposition(),
            "filename": part.get_filename(),
        }
        payload = part.get_payload(decode=True) or b""
        if part.get_content_maintype() == "text":
            entry["text"] = payload.decode(part.get_content_charset() or "utf-8")
        else:
            entry["data_hex"] = payload.hex()
        parts.append(entry)
    return {
        "subject": str(msg["subject"]),
        "message_id": str(msg["message-id"]),
        "from": str(msg["from"]),
        "to": str(msg["to"]),
        "auto_submitted": str(msg["auto-submitted"]),
        "content_type": msg.get_content_type(),
        "parts": parts,
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("folder")
    p.add_argument("--tls", choices=["none", "starttls", "tls"], default="none")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--auth")
    args = p.parse_args()

    context = None
    if args.tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword) or args.auth is None:
            return AuthResult(success=False, handled=False)
        user, password = args.auth.split(":", 1)
        ok = auth_data.login.decode() == user and auth_data.password.decode() == password
        # handled=False: aiosmtpd answers 535 itself (its default, True,
        # answers nothing and the client waits forever).
        return AuthResult(success=ok, handled=False)

    handler = Store(args.folder)

    def factory():
        kwargs = {}
        if args.tls == "starttls":
            kwargs["tls_context"] = context
            kwargs["require_starttls"] = True
        if args.auth:
            kwargs["authenticator"] = authenticate
            kwargs["auth_required"] = True
            # With TLS from the first byte aiosmtpd does not know the channel
            # is encrypted; the test only offers AUTH over TLS anyway.
            kwargs["auth_require_tls"] = args.tls == "starttls"
        return SMTP(handler, hostname="mymeet-test-smtp", **kwargs)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    loop = asyncio.new_event_loop()
    ssl_arg = context if args.tls == "tls" else None
    server = loop.run_until_complete(loop.create_server(factory, sock=sock, ssl=ssl_arg))
    print("PORT %d" % sock.getsockname()[1], flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
