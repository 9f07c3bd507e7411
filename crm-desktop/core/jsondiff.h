// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QStringList>

#include <functional>

namespace Provisio::Crm {

// How a value is shown in a diff: given the member's dotted path and its
// value, a text, or an empty one for the default (a string in quotes,
// anything else as compact JSON). The CRM uses it to show a customer's
// name where the record holds its id.
using DiffValueText = std::function<QString(const QString &path, const QJsonValue &value)>;

// The changes from `before` to `after` as lines a person reads, one per
// member, nested objects by dotted path ("tags.room"), in member order:
//   status: "inStock" → "sold"
//   added customerId: "Acme Corp"
//   removed notes: "display scratched"
// Arrays compare as a whole. Nothing changed gives no lines.
QStringList describeChanges(const QJsonObject &before, const QJsonObject &after, const DiffValueText &text = {});

} // namespace Provisio::Crm
