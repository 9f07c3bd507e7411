// SPDX-License-Identifier: Apache-2.0
#include "devicetimeline.h"

#include "apiclient.h"
#include "devicedetailcontroller.h"
#include "displayformat.h"

#include <QColor>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSet>
#include <QTreeWidget>
#include <QUrlQuery>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace Provisio::Crm {

namespace {

constexpr int kAuditLimit = 200;

QDateTime parseTime(const QJsonValue &value)
{
    const QString text = value.toString();
    QDateTime at = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!at.isValid())
        at = QDateTime::fromString(text, Qt::ISODate);
    if (at.isValid() && text.size() == 10) // a date only: the start of that day, UTC
        at = QDateTime(at.date(), QTime(0, 0), Qt::UTC);
    return at;
}

QString shown(const QDateTime &at)
{
    return formatDateTime(at);
}

} // namespace

DeviceTimeline::DeviceTimeline(ApiClient *api, DeviceDetailController *controller, QWidget *parent)
    : QWidget(parent), m_api(api), m_controller(controller), m_list(new QTreeWidget(this)), m_summary(new QLabel(this)),
      m_unlock(new QPushButton(tr("&Unlock activation…"), this)),
      m_newCard(new QPushButton(tr("Issue new &card…"), this))
{
    setObjectName(QStringLiteral("deviceTimeline"));
    m_list->setObjectName(QStringLiteral("deviceTimelineList"));
    m_list->setColumnCount(3);
    m_list->setHeaderLabels({tr("When"), tr("What"), tr("Details")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->header()->setStretchLastSection(true);
    m_list->setColumnWidth(0, 150);
    m_list->setColumnWidth(1, 170);
    m_summary->setObjectName(QStringLiteral("deviceTimelineSummary"));
    m_summary->setWordWrap(true);
    m_unlock->setObjectName(QStringLiteral("timelineUnlock"));
    m_unlock->setToolTip(tr("Clear the failed activation attempts that hold this device's activation back"));
    m_newCard->setObjectName(QStringLiteral("timelineNewCard"));
    m_newCard->setToolTip(tr("Issue a new activation code and print or export its card (the old code stops working)"));

    // The summary above its buttons: in a narrow dock (and in German) both
    // keep their whole words.
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_unlock);
    buttons->addWidget(m_newCard);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(m_summary);
    layout->addLayout(buttons);
    layout->addWidget(m_list, 1);

    connect(m_unlock, &QPushButton::clicked, this, &DeviceTimeline::unlockRequested);
    connect(m_newCard, &QPushButton::clicked, this, &DeviceTimeline::newCardRequested);
    connect(controller, &DeviceDetailController::deviceLoaded, this, &DeviceTimeline::reload);
    connect(controller, &DeviceDetailController::enrollmentLoaded, this, &DeviceTimeline::reload);
    connect(controller, &DeviceDetailController::registrationLoaded, this, &DeviceTimeline::reload);
    connect(controller, &DeviceDetailController::twinLoaded, this, &DeviceTimeline::rebuild);
    connect(controller, &DeviceDetailController::activationFailuresLoaded, this, &DeviceTimeline::rebuild);
    rebuild();
}

void DeviceTimeline::setCanOperate(bool canOperate)
{
    m_canOperate = canOperate;
    rebuild();
}

void DeviceTimeline::reload()
{
    const quint64 generation = ++m_generation;
    m_audit = QJsonArray();
    rebuild();
    if (!m_api || m_controller->serial().isEmpty())
        return;
    // Each record the device is known by: its serial (inventory changes,
    // unlocks), its registration id (enrollment, codes, activations) and
    // its device id (twin changes).
    QSet<QString> asked;
    const auto ask = [&](const QString &type, const QString &id) {
        if (id.isEmpty() || asked.contains(type + QLatin1Char('/') + id))
            return;
        asked.insert(type + QLatin1Char('/') + id);
        loadAudit(type, id, generation);
    };
    ask(QStringLiteral("device"), m_controller->serial());
    ask(QStringLiteral("enrollment"), m_controller->registrationId());
    ask(QStringLiteral("registration"), m_controller->registrationId());
    ask(QStringLiteral("twin"), m_controller->deviceId());
}

void DeviceTimeline::loadAudit(const QString &entityType, const QString &entityId, quint64 generation)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("entityType"), entityType);
    query.addQueryItem(QStringLiteral("entityId"), entityId);
    query.addQueryItem(QStringLiteral("limit"), QString::number(kAuditLimit));
    ApiCall *call = m_api->get(QStringLiteral("audit"), query);
    connect(call, &ApiCall::finished, this, [this, generation](const QJsonDocument &body, const QByteArray &) {
        if (generation != m_generation)
            return;
        const QJsonArray items = body.object().value(QStringLiteral("items")).toArray();
        for (const QJsonValue &item : items)
            m_audit.append(item);
        rebuild();
    });
}

void DeviceTimeline::rebuild()
{
    QList<Entry> entries;
    const QJsonObject device = m_controller->device();
    const auto add = [&entries](const QDateTime &at, const QString &kind, const QString &title,
                                const QString &detail = QString()) {
        if (at.isValid())
            entries.append({at, kind, title, detail, false});
    };
    const auto addDay = [&entries](const QDateTime &at, const QString &kind, const QString &title,
                                   const QString &detail = QString()) {
        if (at.isValid())
            entries.append({at, kind, title, detail, true});
    };

    if (!device.isEmpty()) {
        addDay(parseTime(device.value(QStringLiteral("deliveryDate"))), QStringLiteral("delivered"), tr("Delivered"),
               device.value(QStringLiteral("batch")).toString().isEmpty()
                   ? QString()
                   : tr("batch %1").arg(device.value(QStringLiteral("batch")).toString()));
        addDay(parseTime(device.value(QStringLiteral("soldDate"))), QStringLiteral("sold"), tr("Sold"));
    }
    if (const auto enrollment = m_controller->enrollment()) {
        add(enrollment->createdDateTimeUtc, QStringLiteral("enrolled"), tr("Enrolled"),
            tr("registration id %1").arg(enrollment->registrationId));
    }

    // The audit trail: what the records above do not tell.
    for (const QJsonValue &value : std::as_const(m_audit)) {
        const QJsonObject a = value.toObject();
        const QString action = a.value(QStringLiteral("action")).toString();
        const QString type = a.value(QStringLiteral("entityType")).toString();
        const QString actor = a.value(QStringLiteral("actor")).toString();
        const QDateTime at = parseTime(a.value(QStringLiteral("at")));
        const QJsonObject after = a.value(QStringLiteral("after")).toObject();
        if (action == QLatin1String("issueActivationCode")) {
            const QDateTime expires = parseTime(after.value(QStringLiteral("expiresDateTimeUtc")));
            add(at, QStringLiteral("codeIssued"), tr("Activation code issued"),
                expires.isValid() ? tr("valid until %1, by %2").arg(shown(expires), actor) : tr("by %1").arg(actor));
        } else if (action == QLatin1String("activate")) {
            add(at, QStringLiteral("activated"), tr("Activated"), tr("the device exchanged its code for its keys"));
        } else if (action == QLatin1String("activationUnlock")) {
            add(at, QStringLiteral("unlocked"), tr("Activation unlocked"),
                tr("failed attempts cleared by %1").arg(actor));
        } else if (type == QLatin1String("twin")) {
            add(at, QStringLiteral("twinChanged"), tr("Twin changed"), tr("%1 by %2").arg(action, actor));
        } else if (type == QLatin1String("device") &&
                   (action == QLatin1String("create") || action == QLatin1String("sell"))) {
            continue; // delivered and sold come from the record itself
        } else if (type == QLatin1String("enrollment") && action == QLatin1String("create")) {
            continue; // enrolled comes from the enrollment
        } else {
            add(at, QStringLiteral("change"), tr("%1 %2").arg(type, action), tr("by %1").arg(actor));
        }
    }

    // Every attempt that failed, from the failure log (never the code).
    const QJsonObject failures = m_controller->activationFailures();
    const QJsonArray failed = failures.value(QStringLiteral("items")).toArray();
    for (const QJsonValue &value : failed) {
        const QJsonObject f = value.toObject();
        QString detail =
            tr("%1 from %2")
                .arg(f.value(QStringLiteral("reason")).toString(), f.value(QStringLiteral("clientAddress")).toString());
        if (f.contains(QStringLiteral("clearedAt")))
            detail += tr(" (cleared)");
        add(parseTime(f.value(QStringLiteral("at"))), QStringLiteral("activationFailed"),
            tr("Activation attempt failed"), detail);
    }

    const QJsonObject registration = m_controller->registration();
    if (!registration.isEmpty()) {
        QDateTime at = parseTime(registration.value(QStringLiteral("createdDateTimeUtc")));
        add(at, QStringLiteral("registered"), tr("Registered"),
            tr("%1 on %2")
                .arg(registration.value(QStringLiteral("status")).toString(),
                     registration.value(QStringLiteral("assignedHub")).toString()));
        const QJsonObject twin = m_controller->twin();
        QString connection = registration.value(QStringLiteral("connectionState")).toString();
        QDateTime since = parseTime(registration.value(QStringLiteral("lastActivityTime")));
        if (connection.isEmpty()) {
            connection = twin.value(QStringLiteral("connectionState")).toString();
            since = parseTime(twin.value(QStringLiteral("lastActivityTime")));
        }
        if (!connection.isEmpty()) {
            const bool online = connection == QLatin1String("Connected");
            add(since.isValid() ? since : QDateTime::currentDateTimeUtc(),
                online ? QStringLiteral("online") : QStringLiteral("offline"), online ? tr("Online") : tr("Offline"),
                online ? tr("last activity") : tr("last seen"));
        }
    }

    std::stable_sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) { return a.at < b.at; });
    m_entries = entries;

    m_list->clear();
    QList<QTreeWidgetItem *> items;
    items.reserve(entries.size());
    for (const Entry &e : std::as_const(entries)) {
        auto *item = new QTreeWidgetItem({e.dateOnly ? formatDate(e.at.date()) : shown(e.at), e.title, e.detail});
        item->setData(0, Qt::UserRole, e.kind);
        item->setToolTip(0, e.dateOnly ? e.at.date().toString(Qt::ISODate) : e.at.toUTC().toString(Qt::ISODateWithMs));
        item->setToolTip(2, e.detail);
        if (e.kind == QLatin1String("activationFailed"))
            item->setForeground(1, QColor(0xb0, 0x20, 0x20));
        items.append(item);
    }
    m_list->addTopLevelItems(items);
    m_list->resizeColumnToContents(0);
    m_list->resizeColumnToContents(1);
    if (!items.isEmpty())
        m_list->scrollToItem(items.constLast());

    const int counting = failures.value(QStringLiteral("counting")).toInt();
    if (counting == 1)
        m_summary->setText(tr("1 failed activation attempt counts against this device."));
    else if (counting > 1)
        m_summary->setText(tr("%1 failed activation attempts count against this device.").arg(counting));
    else
        m_summary->clear();
    m_unlock->setEnabled(m_canOperate && counting > 0);
    m_newCard->setEnabled(m_canOperate && m_controller->enrollment().has_value());
}

} // namespace Provisio::Crm
