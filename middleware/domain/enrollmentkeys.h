// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>

namespace Provisio {

// An enrollment or group JSON without attestation.symmetricKey's keys: what
// viewers, custom allocation webhooks and events may see of it.
QJsonObject enrollmentWithoutKeys(QJsonObject record);

} // namespace Provisio
