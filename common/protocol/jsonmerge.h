// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>

namespace Provisio {

// RFC 7396 JSON merge patch, the one implementation every PATCH (customers,
// devices, webhooks) and the enrollment twin patch use: members of `patch`
// replace those of `target`, null removes a member, and a nested object
// merges into the target's member (a target member that is not an object
// counts as {}). Arrays and scalars replace as a whole.
QJsonObject jsonMergePatch(const QJsonObject &target, const QJsonObject &patch);

} // namespace Provisio
