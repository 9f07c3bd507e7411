// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QMetaType>
#include <QString>

namespace Provisio::Crm {

// Why a call to the middleware did not succeed, in the shape the UI shows:
// the HTTP status (0 when the request never got an answer: DNS, refused,
// TLS, timeout), the middleware's errorCode and message, and the trackingId
// a user quotes when reporting a problem.
//
// fromAnswer() is the CRM's one reader of the API's error body (through
// common's ApiError) and its one mapping of an HTTP status to a message;
// callers branch on `code`, never on the body.
struct ApiFailure
{
    Q_DECLARE_TR_FUNCTIONS(Provisio::Crm::ApiFailure)

public:
    int httpStatus = 0;               // 0 = network/TLS failure
    ErrorCode code = ErrorCode::None; // what the status means, as the server maps it (ApiError)
    int errorCode = 0;                // the middleware's errorCode (e.g. 404001), 0 if none
    QString message;                  // plain text for the status bar / inline error; never empty
    QString trackingId;

    // Why a request without an answer (httpStatus 0) failed, so the UI can
    // offer the right next step (check the CA, retry, nothing for a cancel).
    bool tlsError = false; // the certificate did not chain to the trusted CA, or the handshake failed
    bool timedOut = false;
    bool aborted = false; // abort() was called

    bool isNetworkError() const { return httpStatus == 0; }

    // A non-2xx answer. The middleware's error body is an ApiError; a proxy
    // in front of it may answer with anything, so the status decides what
    // the body does not say. `trackingIdHeader` is X-Provisio-Tracking-Id,
    // `reasonPhrase` the HTTP reason, both used only when the body lacks them.
    static ApiFailure fromAnswer(int httpStatus, const QByteArray &body, const QString &trackingIdHeader = {},
                                 const QString &reasonPhrase = {});
    // A request that got no answer at all (network, TLS, timeout, cancel).
    static ApiFailure noAnswer(const QString &message);
};

} // namespace Provisio::Crm

Q_DECLARE_METATYPE(Provisio::Crm::ApiFailure)
