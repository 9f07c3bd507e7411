// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QString>

#include <optional>

namespace Provisio {

class Database;

// One-time activation codes. Only Crypto::hashToken of the canonical code is
// stored, so a database leak does not leak usable codes; the code itself is
// shown once, in the response that issued it.
class ActivationCodeStore
{
public:
    explicit ActivationCodeStore(Database &db) : m_db(db) { }

    struct Record
    {
        QString codeHash;
        QString serial;
        QString registrationId;
        QDateTime created;
        QDateTime expires;
        QDateTime usedAt; // invalid while unused
    };

    // Stores a new code and drops the serial's unused older ones, so only
    // the latest code handed out works.
    Result<void> issue(const Record &record);
    Result<std::optional<Record>> find(const QString &codeHash);
    // Marks the code used; false when it already was (a concurrent exchange
    // won), so a code can never be redeemed twice.
    Result<bool> markUsed(const QString &codeHash, const QDateTime &at);
    // Forgets every unused code for an enrollment (deleted, or re-bound to
    // another serial).
    Result<void> removeUnused(const QString &registrationId);

private:
    Database &m_db;
};

} // namespace Provisio
