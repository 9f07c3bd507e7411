// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QString>

// The service policy. The middleware reaches every hub as one service
// identity whose key is not stored anywhere but derived from the hub's
// signing key:
//     policy name  "provisio-service"
//     policy key   deriveKey(hub signing key, "$policy/provisio-service")
// The derivation input contains '/', which no device id may contain
// (validateDeviceId), so no device key - deriveKey(signing key, deviceId) -
// can ever equal the service key; deriving from "provisio-service" alone
// would hand the service key to a device registered under that id.
// The service connects with username "provisio-service@sas.root.{hubHost}"
// and a SAS token with skn=provisio-service over resource "{hubHost}".
namespace Provisio {

QString hubServicePolicyName();
// The derivation input of the policy key (shown in generated configuration).
QString hubServicePolicyDerivationId();
Result<QString> hubServicePolicyKey(const QString &hubSigningKeyBase64);
QString hubServiceUsername(const QString &hubHost);

} // namespace Provisio
