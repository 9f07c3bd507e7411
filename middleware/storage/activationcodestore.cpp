// SPDX-License-Identifier: Apache-2.0
#include "activationcodestore.h"
#include "database.h"

#include "protocol/timeutil.h"

namespace Provisio {

Result<void> ActivationCodeStore::issue(const Record &record)
{
    auto dropped = m_db.execAffected(
        QStringLiteral("DELETE FROM activation_codes WHERE serial = ? AND used_at IS NULL"), {record.serial});
    if (!dropped)
        return dropped.error();
    auto r = m_db.exec(
        QStringLiteral("INSERT INTO activation_codes (code_hash, serial, registration_id, "
                       "created, expires) VALUES (?, ?, ?, ?, ?)"),
        {record.codeHash, record.serial, record.registrationId, toIsoUtc(record.created), toIsoUtc(record.expires)});
    if (!r)
        return r.error();
    r->finish();
    return {};
}

Result<std::optional<ActivationCodeStore::Record>> ActivationCodeStore::find(const QString &codeHash)
{
    auto q = m_db.exec(QStringLiteral("SELECT code_hash, serial, registration_id, created, expires, used_at "
                                      "FROM activation_codes WHERE code_hash = ?"),
                       {codeHash});
    if (!q)
        return q.error();
    std::optional<Record> out;
    if (q->next()) {
        Record r;
        r.codeHash = q->value(0).toString();
        r.serial = q->value(1).toString();
        r.registrationId = q->value(2).toString();
        r.created = fromIsoUtc(q->value(3).toString()).value_or(QDateTime());
        r.expires = fromIsoUtc(q->value(4).toString()).value_or(QDateTime());
        r.usedAt = fromIsoUtc(q->value(5).toString()).value_or(QDateTime());
        out = r;
    }
    q->finish();
    return out;
}

Result<bool> ActivationCodeStore::markUsed(const QString &codeHash, const QDateTime &at)
{
    auto r = m_db.execAffected(
        QStringLiteral("UPDATE activation_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL"),
        {toIsoUtc(at), codeHash});
    if (!r)
        return r.error();
    return *r == 1;
}

Result<void> ActivationCodeStore::removeUnused(const QString &registrationId)
{
    auto r = m_db.execAffected(
        QStringLiteral("DELETE FROM activation_codes WHERE registration_id = ? AND used_at IS NULL"), {registrationId});
    if (!r)
        return r.error();
    return {};
}

} // namespace Provisio
