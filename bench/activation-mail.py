#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Activation e-mails end to end: how fast operators can queue them and how
fast the middleware hands them to a real SMTP server (aiosmtpd).

  bench/activation-mail.py BUILD_DIR [N]     (N mails, default 200)

Starts tests/support/smtpserver.py and `provisio-middleware serve` on free
loopback ports in a temporary directory, creates N sold and enrolled devices,
then POSTs /api/v1/enrollments/{id}/activation-email for each over one
keep-alive HTTPS connection and waits until GET /api/v1/mails lists all N as
sent. Prints the request rate, request latency (p50, p95) and the delivery
rate. Needs a python3 with aiosmtpd for the server (Debian: python3-aiosmtpd).
"""
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    build = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    mw = os.path.join(build, 'middleware', 'provisio-middleware')
    python = '/usr/bin/python3' if os.path.exists('/usr/bin/python3') else sys.executable
    work = tempfile.mkdtemp(prefix='provisio-mail-bench.')
    smtp_port, mw_port = free_port(), free_port()
    procs = []
    try:
        smtp = subprocess.Popen([python, os.path.join(ROOT, 'tests', 'support', 'smtpserver.py'), '127.0.0.1',
                                 str(smtp_port), os.path.join(work, 'mail')], stdout=subprocess.PIPE)
        procs.append(smtp)
        if smtp.stdout.readline().strip() != b'ready':
            sys.exit('the SMTP server did not start')
        env = dict(os.environ, PROVISIO_SMTP_URL='smtp://127.0.0.1:%d' % smtp_port)
        data = os.path.join(work, 'mw')
        procs.append(subprocess.Popen([mw, 'serve', '--data-dir', data, '--listen', '127.0.0.1:%d' % mw_port],
                                      env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        ca = os.path.join(data, 'tls', 'ca.crt')
        for _ in range(200):
            if os.path.exists(ca):
                try:
                    socket.create_connection(('127.0.0.1', mw_port), 0.2).close()
                    break
                except OSError:
                    pass
            time.sleep(0.1)
        token = subprocess.run([mw, 'token', 'create', '--data-dir', data, '--role', 'admin'], check=True,
                               capture_output=True, text=True).stdout.strip().splitlines()[-1]
        ctx = ssl.create_default_context(cafile=ca)
        ctx.check_hostname = False
        conn = http.client.HTTPSConnection('127.0.0.1', mw_port, context=ctx)
        headers = {'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json'}

        def call(method, path, body=None):
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            r = conn.getresponse()
            return r.status, r.read()

        _, body = call('POST', '/api/v1/customers', {'name': 'Bench', 'email': 'bench@mail.example'})
        customer = json.loads(body)['id']
        for i in range(n):
            serial = 'BENCH-%d' % i
            call('POST', '/api/v1/devices', {'serial': serial, 'model': 'M', 'manufacturer': 'A', 'batch': 'B',
                                             'deliveryDate': '2026-11-20'})
            call('POST', '/api/v1/devices/%s/sell' % serial, {'customerId': customer})
            call('PUT', '/api/v1/enrollments/bench-%d' % i,
                 {'registrationId': 'bench-%d' % i, 'attestation': {'type': 'symmetricKey'}, 'serial': serial})
        latencies = []
        start = time.time()
        for i in range(n):
            t = time.time()
            status, body = call('POST', '/api/v1/enrollments/bench-%d/activation-email' % i, {})
            latencies.append(time.time() - t)
            if status != 202:
                sys.exit('activation-email answered %d: %s' % (status, body[:200]))
        queued = time.time()
        while True:
            _, body = call('GET', '/api/v1/mails?state=sent&limit=500')
            if len(json.loads(body)['items']) >= n:
                break
            time.sleep(0.05)
        done = time.time()
        latencies.sort()
        print('%d mails: queued at %.1f requests/s (p50 %.1f ms, p95 %.1f ms); all sent %.2f s after the first '
              'request: %.1f mails/s' % (n, n / (queued - start), latencies[n // 2] * 1000,
                                         latencies[int(n * 0.95)] * 1000, done - start, n / (done - start)))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)


if __name__ == '__main__':
    main()
