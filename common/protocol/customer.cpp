// SPDX-License-Identifier: Apache-2.0
#include "customer.h"

#include "timeutil.h"

namespace Provisio {

namespace {

void checkLength(JsonReader &reader, const QString &key, const QString &value, int max)
{
    if (value.size() > max)
        reader.fail(key, QStringLiteral("must be at most %1 characters").arg(max));
}

} // namespace

bool Customer::isPlausibleEmail(const QString &email)
{
    if (email.size() > 254 || email.count(QLatin1Char('@')) != 1)
        return false;
    for (const QChar c : email) {
        if (c.isSpace())
            return false;
    }
    const qsizetype at = email.indexOf(QLatin1Char('@'));
    return at > 0 && at < email.size() - 1;
}

Customer Customer::readFrom(JsonReader reader)
{
    reader.allowOnly(
        {"id", "name", "email", "phone", "address", "notes", "etag", "createdDateTimeUtc", "lastUpdatedDateTimeUtc"});
    Customer c;
    c.id = reader.optionalString(QStringLiteral("id"));
    checkLength(reader, QStringLiteral("id"), c.id, 64);
    c.name = reader.requiredString(QStringLiteral("name"));
    if (!c.name.isEmpty() && c.name.trimmed().isEmpty())
        reader.fail(QStringLiteral("name"), QStringLiteral("must not be blank"));
    checkLength(reader, QStringLiteral("name"), c.name, 256);
    c.email = reader.optionalString(QStringLiteral("email"));
    if (!c.email.isEmpty() && !isPlausibleEmail(c.email))
        reader.fail(QStringLiteral("email"), QStringLiteral("must be an e-mail address with one '@' and no spaces"));
    c.phone = reader.optionalString(QStringLiteral("phone"));
    checkLength(reader, QStringLiteral("phone"), c.phone, 64);
    c.address = reader.optionalString(QStringLiteral("address"));
    checkLength(reader, QStringLiteral("address"), c.address, 1024);
    c.notes = reader.optionalString(QStringLiteral("notes"));
    checkLength(reader, QStringLiteral("notes"), c.notes, 4096);
    c.etag = reader.optionalString(QStringLiteral("etag"));
    c.createdDateTimeUtc = reader.optionalDateTime(QStringLiteral("createdDateTimeUtc"));
    c.lastUpdatedDateTimeUtc = reader.optionalDateTime(QStringLiteral("lastUpdatedDateTimeUtc"));
    return c;
}

Result<Customer> Customer::fromJson(const QJsonObject &json)
{
    JsonReader reader(json);
    Customer c = readFrom(reader);
    if (!reader.ok())
        return reader.error();
    return c;
}

QJsonObject Customer::toJson() const
{
    QJsonObject json{
        {QStringLiteral("name"), name},       {QStringLiteral("email"), email}, {QStringLiteral("phone"), phone},
        {QStringLiteral("address"), address}, {QStringLiteral("notes"), notes},
    };
    if (!id.isEmpty())
        json.insert(QStringLiteral("id"), id);
    if (!etag.isEmpty())
        json.insert(QStringLiteral("etag"), etag);
    if (createdDateTimeUtc.isValid())
        json.insert(QStringLiteral("createdDateTimeUtc"), toIsoUtc(createdDateTimeUtc));
    if (lastUpdatedDateTimeUtc.isValid())
        json.insert(QStringLiteral("lastUpdatedDateTimeUtc"), toIsoUtc(lastUpdatedDateTimeUtc));
    return json;
}

} // namespace Provisio
