// SPDX-License-Identifier: Apache-2.0
#include "registrationanswer.h"
#include "protocol/timeutil.h"
#include "storage/jsontext.h"

#include <QJsonDocument>

#include <utility>

namespace Provisio {

namespace {

void appendPayload(QString &out, const QJsonObject &payload, const QJsonObject *provisio)
{
    // The common answer: no payload of the allocation's own.
    if (provisio && payload.isEmpty()) {
        QString inner;
        if (appendJsonObject(inner, *provisio)) {
            appendJsonKey(out, QLatin1String("payload"));
            out += QLatin1String("{\"provisio\":");
            out += inner;
            out += QLatin1Char('}');
            return;
        }
    }
    QJsonObject merged = payload;
    if (provisio)
        merged.insert(QStringLiteral("provisio"), *provisio);
    if (merged.isEmpty())
        return;
    appendJsonKey(out, QLatin1String("payload"));
    out += QString::fromUtf8(QJsonDocument(merged).toJson(QJsonDocument::Compact));
}

void appendPayloadText(QString &out, const QJsonObject &payload, const QString &provisioText)
{
    if (payload.isEmpty()) {
        appendJsonKey(out, QLatin1String("payload"));
        out += QLatin1String("{\"provisio\":");
        out += provisioText;
        out += QLatin1Char('}');
        return;
    }
    // The allocation's own payload beside it (a custom allocation): merged
    // as the object form is.
    const QJsonObject provisio = QJsonDocument::fromJson(provisioText.toUtf8()).object();
    appendPayload(out, payload, &provisio);
}

// Exactly one of `provisio` and `provisioText` is used: the text when given.
// `payloadAt`, when given, gets where the payload member starts in `out`
// (with its leading comma) and ends: nothing between them when there is none.
void appendState(QString &out, const RegistrationState &s, const QJsonObject *provisio,
                 const QString *provisioText = nullptr, std::pair<qsizetype, qsizetype> *payloadAt = nullptr)
{
    out += QLatin1Char('{');
    if (!s.assignedHub.isEmpty())
        appendJsonMember(out, QLatin1String("assignedHub"), s.assignedHub);
    if (s.createdDateTimeUtc.isValid())
        appendJsonMember(out, QLatin1String("createdDateTimeUtc"), toIsoUtc(s.createdDateTimeUtc));
    if (!s.deviceId.isEmpty())
        appendJsonMember(out, QLatin1String("deviceId"), s.deviceId);
    if (s.errorCode) {
        appendJsonKey(out, QLatin1String("errorCode"));
        out += QString::number(*s.errorCode);
    }
    if (!s.errorMessage.isEmpty())
        appendJsonMember(out, QLatin1String("errorMessage"), s.errorMessage);
    if (!s.etag.isEmpty())
        appendJsonMember(out, QLatin1String("etag"), s.etag);
    if (s.lastUpdatedDateTimeUtc.isValid())
        appendJsonMember(out, QLatin1String("lastUpdatedDateTimeUtc"), toIsoUtc(s.lastUpdatedDateTimeUtc));
    const qsizetype payloadFrom = out.size();
    if (provisioText)
        appendPayloadText(out, s.payload, *provisioText);
    else
        appendPayload(out, s.payload, provisio);
    if (payloadAt)
        *payloadAt = {payloadFrom, out.size()};
    appendJsonMember(out, QLatin1String("registrationId"), s.registrationId);
    appendJsonMember(out, QLatin1String("status"), s.status);
    if (!s.substatus.isEmpty())
        appendJsonMember(out, QLatin1String("substatus"), s.substatus);
    out += QLatin1Char('}');
}

} // namespace

namespace {
QByteArray answerText(const RegistrationOperation &op, const QJsonObject *provisio, const QString *provisioText)
{
    QString out;
    out.reserve(provisio || provisioText ? 2048 : 512);
    out += QLatin1Char('{');
    appendJsonMember(out, QLatin1String("operationId"), op.operationId);
    if (op.registrationState) {
        appendJsonKey(out, QLatin1String("registrationState"));
        appendState(out, *op.registrationState, provisio, provisioText);
    }
    appendJsonMember(out, QLatin1String("status"), op.status);
    out += QLatin1Char('}');
    return out.toUtf8();
}
} // namespace

QByteArray registrationStateText(const RegistrationState &state)
{
    QString out;
    out.reserve(512);
    appendState(out, state, nullptr);
    return out.toUtf8();
}

RegistrationStateTexts registrationStateTexts(const RegistrationState &state, const QString &operationId,
                                              const QString &previousHub)
{
    QString out;
    out.reserve(512);
    std::pair<qsizetype, qsizetype> payloadAt;
    appendState(out, state, nullptr, nullptr, &payloadAt);
    RegistrationStateTexts texts;
    texts.state = out.toUtf8();
    // The event's members sort where the payload does (after
    // "lastUpdatedDateTimeUtc", before "registrationId"): the payload's
    // place takes them, the rest is the state's text as it is.
    QString &event = texts.event;
    event.reserve(out.size() + operationId.size() + previousHub.size() + 48);
    event += QStringView(out).first(payloadAt.first);
    appendJsonMember(event, QLatin1String("operationId"), operationId);
    if (!previousHub.isEmpty())
        appendJsonMember(event, QLatin1String("previousAssignedHub"), previousHub);
    // The members after it, with their comma (absent when the state had
    // nothing before them).
    QStringView rest = QStringView(out).sliced(payloadAt.second);
    if (!rest.startsWith(u',') && !rest.startsWith(u'}'))
        event += QLatin1Char(',');
    event += rest;
    texts.beforePayload = QStringView(out).first(payloadAt.first).toString();
    texts.afterPayload = rest.toString();
    if (!rest.startsWith(u',') && !rest.startsWith(u'}'))
        texts.afterPayload.prepend(QLatin1Char(','));
    return texts;
}

QByteArray registrationAnswerText(const RegistrationOperation &op, const QJsonObject *provisio)
{
    return answerText(op, provisio, nullptr);
}

QByteArray registrationAnswerText(const RegistrationOperation &op, const QString &provisioText)
{
    return answerText(op, nullptr, &provisioText);
}

QByteArray registrationAnswerText(const RegistrationOperation &op, const RegistrationStateTexts &texts,
                                  const QString &provisioText)
{
    // The state's own payload (a custom allocation's) is merged with the
    // connection details, which the text around it cannot do.
    if (!op.registrationState || !op.registrationState->payload.isEmpty() || texts.beforePayload.isEmpty())
        return registrationAnswerText(op, provisioText);
    QString out;
    out.reserve(texts.beforePayload.size() + texts.afterPayload.size() + provisioText.size() + op.operationId.size() +
                96);
    out += QLatin1Char('{');
    appendJsonMember(out, QLatin1String("operationId"), op.operationId);
    appendJsonKey(out, QLatin1String("registrationState"));
    out += texts.beforePayload;
    appendJsonKey(out, QLatin1String("payload"));
    out += QLatin1String("{\"provisio\":");
    out += provisioText;
    out += QLatin1Char('}');
    out += texts.afterPayload;
    appendJsonMember(out, QLatin1String("status"), op.status);
    out += QLatin1Char('}');
    return out.toUtf8();
}

QString provisioPayloadText(const QString &caCertificateJson, const QString &hubDeviceKey, const QString &hubEndpoint)
{
    QString out;
    out.reserve(caCertificateJson.size() + hubDeviceKey.size() + hubEndpoint.size() + 64);
    out += QLatin1String("{\"caCertificate\":");
    out += caCertificateJson;
    if (!hubDeviceKey.isEmpty())
        appendJsonMember(out, QLatin1String("hubDeviceKey"), hubDeviceKey);
    appendJsonMember(out, QLatin1String("hubEndpoint"), hubEndpoint);
    out += QLatin1Char('}');
    return out;
}

} // namespace Provisio
