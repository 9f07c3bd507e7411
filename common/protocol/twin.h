// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "jsonreader.h"

#include <QJsonObject>

namespace Provisio {

// DPS InitialTwin: the tags and desired properties a device's twin starts
// with when it is first assigned. Wire shape (Azure's):
// {"tags": {...}, "properties": {"desired": {...}}}. The contents are free
// JSON owned by the operator, so only their shape is checked.
struct InitialTwin
{
    QJsonObject tags;
    QJsonObject desiredProperties;

    bool isEmpty() const { return tags.isEmpty() && desiredProperties.isEmpty(); }

    static Result<InitialTwin> fromJson(const QJsonObject &json);
    // Reads from a reader so nested errors carry the full path.
    static InitialTwin readFrom(JsonReader reader);
    QJsonObject toJson() const;
};

} // namespace Provisio
