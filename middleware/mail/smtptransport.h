// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

namespace Provisio {

// Hands one message to an SMTP server through libcurl, blocking: run it off
// the event loop (MailDispatcher does, on its own thread). smtp:// upgrades
// with STARTTLS when the server offers it, and insists on it before AUTH
// unless the server is on this machine (a password never crosses a network
// in the clear); smtps:// speaks TLS from the start. The server's
// certificate is checked against the system's trust store, or the given CA
// file.
class SmtpTransport
{
public:
    struct Settings
    {
        QString url; // smtp://host[:port] or smtps://host[:port]
        QString user;
        QString password;
        int timeoutMs = 30000;
        QString caFile; // empty: the system's trust store
    };

    struct Outcome
    {
        bool ok = false;
        bool permanent = false; // the server refused for good (5xx)
        QString error;          // what went wrong, for the mail's lastError and the log (never a secret)
    };

    // libcurl's global state, once per process, before any thread sends.
    static void initGlobal();

    static Outcome send(const Settings &settings, const QString &from, const QString &to, const QByteArray &message);
};

} // namespace Provisio
