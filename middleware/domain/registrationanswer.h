// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "protocol/registrationstate.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace Provisio {

// The device's answer to a registration as compact JSON text, written
// directly rather than through a QJsonObject per answer: byte for byte
// QJsonDocument(op.toJson()).toJson(QJsonDocument::Compact), except that
// with `provisio` the state's payload also carries it as its "provisio"
// member (replacing one the payload had), as the registrar answers an
// assigned device.
QByteArray registrationAnswerText(const RegistrationOperation &op, const QJsonObject *provisio = nullptr);
// A registration state as compact JSON text, written directly: byte for
// byte QJsonDocument(state.toJson()).toJson(QJsonDocument::Compact), for the
// stored record and operation, which hold the state's text.
QByteArray registrationStateText(const RegistrationState &state);
// From one rendering of `state`: registrationStateText() (`state`), and the
// data of the registration event that publishes it as JSON text (`event`):
// the state without its payload (which never travels in events), with
// "operationId" and, when not empty, "previousAssignedHub" (the hub the
// device left) — byte for byte QJsonDocument's compact text of that object,
// which DomainEvent::dataText carries until a listener reads it.
struct RegistrationStateTexts
{
    QByteArray state;
    QString event;
    // The state's text before and after its payload member (with the comma
    // of the member after it), for the device's answer once stored.
    QString beforePayload;
    QString afterPayload;
};
RegistrationStateTexts registrationStateTexts(const RegistrationState &state, const QString &operationId,
                                              const QString &previousHub);
// The connection details of payload.provisio as their JSON object's text
// (members in QJsonObject's order): `caCertificateJson` is the CA
// certificate already written as a JSON string (appendJsonString), the same
// in every answer; an empty `hubDeviceKey` is left out.
QString provisioPayloadText(const QString &caCertificateJson, const QString &hubDeviceKey, const QString &hubEndpoint);
// registrationAnswerText() with payload.provisio given as
// provisioPayloadText()'s text: the same bytes as with its QJsonObject.
QByteArray registrationAnswerText(const RegistrationOperation &op, const QString &provisioText);
// The same from `texts`, registrationStateTexts() of op's state (not
// rendered again).
QByteArray registrationAnswerText(const RegistrationOperation &op, const RegistrationStateTexts &texts,
                                  const QString &provisioText);

} // namespace Provisio
