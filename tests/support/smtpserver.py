#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A real SMTP server for the mail tests, on aiosmtpd (Debian: python3-aiosmtpd).

Each accepted message is stored as OUT/N.eml (as received) and OUT/N.json:
the envelope (sender, recipients, the AUTH user if any) and the message as
Python's email parser reads it (subject, To, text and HTML bodies, and each
non-text part with its type, file name, Content-ID, size and, for an image,
its bytes as OUT/N-<index>.<ext>). The .json is written last, atomically.

  smtpserver.py HOST PORT OUT [--user U --password P] [--reject-domain D]
                [--starttls CERT KEY | --implicit-tls CERT KEY]

With --user, AUTH (PLAIN, LOGIN) is offered and only U/P is accepted (without
TLS too, unless --starttls: the tests run on loopback). --starttls offers
STARTTLS and requires it before MAIL and AUTH; --implicit-tls speaks TLS from
the first byte (smtps). The summary's `tls` says whether the message came
over TLS. --reject-domain answers 550 to every recipient in domain D. Prints
"ready" on stdout once it accepts connections.
"""
import argparse
import email
import email.policy
import json
import os
import signal
import ssl
import sys
import threading
import warnings

warnings.filterwarnings('ignore', category=DeprecationWarning)

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('host')
    ap.add_argument('port', type=int)
    ap.add_argument('out')
    ap.add_argument('--user')
    ap.add_argument('--password')
    ap.add_argument('--reject-domain')
    ap.add_argument('--starttls', nargs=2, metavar=('CERT', 'KEY'))
    ap.add_argument('--implicit-tls', nargs=2, metavar=('CERT', 'KEY'))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    lock = threading.Lock()
    counter = [0]

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if args.reject_domain and address.lower().endswith('@' + args.reject_domain.lower()):
                return '550 5.1.1 no such mailbox here'
            envelope.rcpt_tos.append(address)
            return '250 OK'

        async def handle_DATA(self, server, session, envelope):
            with lock:
                counter[0] += 1
                n = counter[0]
            base = os.path.join(args.out, str(n))
            raw = envelope.original_content or envelope.content
            with open(base + '.eml', 'wb') as f:
                f.write(raw)
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            summary = {
                'mailFrom': envelope.mail_from,
                'rcptTos': envelope.rcpt_tos,
                'authUser': session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else '',
                'tls': bool(args.implicit_tls) or session.ssl is not None,
                'subject': str(msg['Subject'] or ''),
                'from': str(msg['From'] or ''),
                'to': str(msg['To'] or ''),
                'text': '',
                'html': '',
                'parts': [],
            }
            for i, part in enumerate(msg.walk()):
                if part.is_multipart():
                    continue
                ctype = part.get_content_type()
                if ctype == 'text/plain' and part.get_filename() is None:
                    summary['text'] += part.get_content()
                elif ctype == 'text/html' and part.get_filename() is None:
                    summary['html'] += part.get_content()
                else:
                    data = part.get_payload(decode=True) or b''
                    entry = {'contentType': ctype, 'fileName': part.get_filename() or '',
                             'contentId': str(part['Content-ID'] or ''), 'size': len(data),
                             'disposition': part.get_content_disposition() or ''}
                    if part.get_content_maintype() == 'image':
                        path = '%s-%d.%s' % (base, i, part.get_content_subtype())
                        with open(path, 'wb') as f:
                            f.write(data)
                        entry['path'] = path
                    summary['parts'].append(entry)
            with open(base + '.json.tmp', 'w') as f:
                json.dump(summary, f)
            os.replace(base + '.json.tmp', base + '.json')
            return '250 Message accepted'

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and args.user is not None
              and auth_data.login.decode() == args.user and auth_data.password.decode() == args.password)
        return AuthResult(success=ok, auth_data=auth_data if ok else None)

    kwargs = {}
    if args.user:
        kwargs = {'authenticator': authenticate, 'auth_require_tls': bool(args.starttls)}
    if args.starttls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.starttls)
        kwargs.update(tls_context=context, require_starttls=True)
    if args.implicit_tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.implicit_tls)
        kwargs.update(ssl_context=context, server_hostname='localhost')
    controller = Controller(Handler(), hostname=args.host, port=args.port, **kwargs)
    controller.start()
    print('ready', flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    controller.stop()


if __name__ == '__main__':
    sys.exit(main())
