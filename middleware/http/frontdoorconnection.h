// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "frontdoor.h"

#include <QPointer>
#include <QSocketNotifier>
#include <QTcpSocket>

#include <limits>
#include <map>

namespace Provisio {

// One connection as its FrontDoor keeps it: the ledger's view, TLS, the
// framing of its byte stream, its deadlines, and which parser reads it with
// the answers it still owes (see FrontDoor::answer). Only the door's own
// sources use it (frontdoor.cpp, frontdoorhttp.cpp).
struct FrontDoor::Connection
{
    Connection(QTcpSocket *s, const QHostAddress &a, RequestFraming f)
        : key(s), socket(s), address(a), framing(std::move(f))
    { }

    QTcpSocket *key; // never dereferenced: the table's key
    quint64 ledgerId = 0;
    bool idle = true; // as the ledger was last told
    QPointer<QTcpSocket> socket;
    // TLS connections that have sent nothing yet are only a descriptor and a
    // notifier: a flood of silent sockets costs no TLS context.
    qintptr descriptor = -1;
    QSocketNotifier *notifier = nullptr;
    QHostAddress address;
    RequestFraming framing;
    Stage stage = Stage::Handshake;
    // Bytes at the start of the socket's buffer the framing has already
    // followed: a head still arriving (our parser), or whatever Qt has not
    // read yet (Qt's).
    qint64 seenUnconsumed = 0;
    quint64 responded = 0;
    qint64 stageStart = 0;
    qint64 requestStart = 0;
    qint64 lastActivity = 0;
    qint64 lastWrite = 0;
    qint64 deadline = 0; // 0: none
    const char *deadlineReason = "";
    bool rejected = false;
    qint64 drainLeft = 0; // after a rejection: body bytes still read and thrown away

    // Which parser reads the connection: ours until a WebSocket upgrade
    // request (or from the start without a request handler), then Qt's for
    // good, for that request only.
    bool qtReads = false;
    bool handedOver = false;                                  // an upgrade request went to Qt
    quint64 handedAt = 0;                                     // requests complete when it did
    quint64 serial = 0;                                       // tells connections on a reused socket address apart
    quint64 nextSequence = 0;                                 // of the next request parsed
    quint64 nextToWrite = 0;                                  // the answer due next
    std::map<quint64, HttpResponse> waiting;                  // answers ready before their turn
    quint64 closeAfter = std::numeric_limits<quint64>::max(); // the request whose answer ends the connection
};

} // namespace Provisio
