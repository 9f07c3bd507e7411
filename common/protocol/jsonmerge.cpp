// SPDX-License-Identifier: Apache-2.0
#include "jsonmerge.h"

namespace Provisio {

QJsonObject jsonMergePatch(const QJsonObject &target, const QJsonObject &patch)
{
    QJsonObject out = target;
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (it.value().isNull())
            out.remove(it.key());
        else if (it.value().isObject())
            out.insert(it.key(), jsonMergePatch(out.value(it.key()).toObject(), it.value().toObject()));
        else
            out.insert(it.key(), it.value());
    }
    return out;
}

} // namespace Provisio
