// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "protocol/registrationstate.h"

#include <QByteArray>
#include <QJsonObject>

namespace Provisio {

// The device's answer to a registration as compact JSON text, written
// directly rather than through a QJsonObject per answer: byte for byte
// QJsonDocument(op.toJson()).toJson(QJsonDocument::Compact), except that
// with `provisio` the state's payload also carries it as its "provisio"
// member (replacing one the payload had), as the registrar answers an
// assigned device.
QByteArray registrationAnswerText(const RegistrationOperation &op, const QJsonObject *provisio = nullptr);

} // namespace Provisio
