// SPDX-License-Identifier: Apache-2.0
#include "hubservice.h"

#include "crypto/keys.h"

namespace Provisio {

QString hubServicePolicyName()
{
    return QStringLiteral("provisio-service");
}

QString hubServicePolicyDerivationId()
{
    return QStringLiteral("$policy/provisio-service");
}

Result<QString> hubServicePolicyKey(const QString &hubSigningKeyBase64)
{
    return Crypto::deriveKey(hubSigningKeyBase64, hubServicePolicyDerivationId());
}

QString hubServiceUsername(const QString &hubHost)
{
    return hubServicePolicyName() + QStringLiteral("@sas.root.") + hubHost;
}

} // namespace Provisio
