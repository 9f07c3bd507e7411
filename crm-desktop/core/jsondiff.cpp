// SPDX-License-Identifier: Apache-2.0
#include "jsondiff.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace Provisio::Crm {

namespace {

QString defaultText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return QStringLiteral("\u201c") + value.toString() + QStringLiteral("\u201d");
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return QCoreApplication::translate("JsonDiff", "(none)");
    case QJsonValue::Bool:
        return value.toBool() ? QCoreApplication::translate("JsonDiff", "yes")
                              : QCoreApplication::translate("JsonDiff", "no");
    case QJsonValue::Double: {
        // The language's decimal separator, no grouping: "1013,25" in German.
        QLocale locale;
        locale.setNumberOptions(QLocale::OmitGroupSeparator);
        return locale.toString(value.toDouble(), 'g', 15);
    }
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    }
    return QString();
}

void diff(const QString &prefix, const QJsonObject &before, const QJsonObject &after, const DiffValueText &text,
          QStringList &lines)
{
    const auto show = [&text](const QString &path, const QJsonValue &value) {
        const QString custom = text ? text(path, value) : QString();
        return custom.isEmpty() ? defaultText(value) : custom;
    };
    // Members in order: those of before, then the new ones.
    QStringList keys = before.keys();
    for (const QString &key : after.keys()) {
        if (!before.contains(key))
            keys.append(key);
    }
    for (const QString &key : std::as_const(keys)) {
        const QString path = prefix.isEmpty() ? key : prefix + QLatin1Char('.') + key;
        const bool had = before.contains(key);
        const bool has = after.contains(key);
        const QJsonValue old = before.value(key);
        const QJsonValue now = after.value(key);
        if (had && has && old == now)
            continue;
        if (old.isObject() && now.isObject()) {
            diff(path, old.toObject(), now.toObject(), text, lines);
        } else if (!had) {
            if (now.isObject() && !now.toObject().isEmpty())
                diff(path, QJsonObject(), now.toObject(), text, lines);
            else
                lines << QCoreApplication::translate("JsonDiff", "added %1: %2").arg(path, show(path, now));
        } else if (!has) {
            if (old.isObject() && !old.toObject().isEmpty())
                diff(path, old.toObject(), QJsonObject(), text, lines);
            else
                lines << QCoreApplication::translate("JsonDiff", "removed %1: %2").arg(path, show(path, old));
        } else {
            lines << QStringLiteral("%1: %2 \u2192 %3").arg(path, show(path, old), show(path, now));
        }
    }
}

} // namespace

QStringList describeChanges(const QJsonObject &before, const QJsonObject &after, const DiffValueText &text)
{
    QStringList lines;
    diff(QString(), before, after, text, lines);
    return lines;
}

} // namespace Provisio::Crm
