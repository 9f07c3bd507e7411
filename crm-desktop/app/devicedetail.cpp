// SPDX-License-Identifier: Apache-2.0
#include "devicedetail.h"

#include "apiclient.h"
#include "auditpage.h"
#include "cardsdialog.h"
#include "customersmodel.h"
#include "devicedetailcontroller.h"
#include "devicetimeline.h"
#include "displayformat.h"
#include "enrollmentsmodel.h"
#include "jsonobjectedit.h"
#include "plaintextdelegate.h"
#include "protocol/timeutil.h"
#include "telemetrychart.h"
#include "telemetrymodel.h"

#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

namespace Provisio::Crm {

namespace {

QString escape(const QString &s)
{
    return s.toHtmlEscaped();
}

QString row(const QString &label, const QString &value)
{
    // A fixed label column keeps the tables of the overview aligned.
    return QStringLiteral("<tr><td width='110' style='color:#7f8c8d; padding-right:10px'>%1</td><td>%2</td></tr>")
        .arg(escape(label), value.isEmpty() ? QStringLiteral("—") : escape(value));
}

QString table(const QString &rows)
{
    return QStringLiteral("<table cellspacing='0' cellpadding='1'>") + rows + QStringLiteral("</table>");
}

// A time as the tables show it, in the user's locale and time zone.
QString when(const QString &iso)
{
    return formatApiDateTime(iso);
}

QString masked(const QString &key)
{
    return key.isEmpty() ? QString() : QStringLiteral("•").repeated(24);
}

QLabel *infoLabel(QWidget *parent, const QString &name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setTextFormat(Qt::RichText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    return label;
}

} // namespace

DeviceDetail::DeviceDetail(ApiClient *api, EventFeed *feed, QWidget *parent)
    : QWidget(parent), m_api(api), m_controller(new DeviceDetailController(api, feed, this)),
      m_telemetry(new TelemetryModel(api, this)), m_audit(new AuditModel(api, this))
{
    setObjectName(QStringLiteral("deviceDetail"));
    m_telemetry->setEventFeed(feed);
    m_title = new QLabel(tr("No device selected"), this);
    m_title->setObjectName(QStringLiteral("deviceTitle"));
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_title->setFont(big);
    m_busy = new QProgressBar(this);
    m_busy->setRange(0, 0);
    m_busy->setMaximumHeight(4);
    m_busy->setTextVisible(false);
    m_busy->hide();
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("deviceTabs"));
    m_tabs->setUsesScrollButtons(true);
    m_tabs->addTab(buildOverview(), tr("Overview"));
    m_timeline = new DeviceTimeline(api, m_controller, this);
    m_tabs->addTab(m_timeline, tr("Timeline"));
    connect(m_timeline, &DeviceTimeline::unlockRequested, this, &DeviceDetail::confirmUnlock);
    connect(m_timeline, &DeviceTimeline::newCardRequested, this, &DeviceDetail::openNewCard);
    // Each tab scrolls rather than widening the panel: the panel shares the
    // window with the inventory and must fit next to it on a laptop screen.
    m_tabs->addTab(scrollable(buildTwin()), tr("Twin"));
    m_tabs->addTab(scrollable(buildTelemetry()), tr("Telemetry"));
    m_tabs->addTab(scrollable(buildAudit()), tr("Audit trail"));
    m_tabs->addTab(scrollable(buildActions()), tr("Actions"));
    // Reopen on the tab last used: people watching telemetry keep watching it.
    m_tabs->setCurrentIndex(QSettings().value(QStringLiteral("deviceDetail/tab"), 0).toInt());
    connect(m_tabs, &QTabWidget::currentChanged, this,
            [](int index) { QSettings().setValue(QStringLiteral("deviceDetail/tab"), index); });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(m_title);
    layout->addWidget(m_busy);
    layout->addWidget(m_tabs, 1);
    setMinimumWidth(380);

    connect(m_controller, &DeviceDetailController::loadingChanged, m_busy, &QWidget::setVisible);
    connect(m_controller, &DeviceDetailController::deviceLoaded, this, &DeviceDetail::showDevice);
    connect(m_controller, &DeviceDetailController::enrollmentLoaded, this, [this] { showEnrollment(); });
    connect(m_controller, &DeviceDetailController::registrationLoaded, this, &DeviceDetail::showRegistration);
    connect(m_controller, &DeviceDetailController::twinSaved, this, [this] { m_twinDirty = false; });
    connect(m_controller, &DeviceDetailController::twinLoaded, this, &DeviceDetail::showTwin);
    connect(m_controller, &DeviceDetailController::activationFailuresLoaded, this,
            &DeviceDetail::showActivationFailures);
    connect(m_controller, &DeviceDetailController::cloudMessagesLoaded, this, &DeviceDetail::showCloudMessages);
    connect(m_controller, &DeviceDetailController::activationMailsLoaded, this, &DeviceDetail::showActivationMails);
    connect(m_controller, &DeviceDetailController::failed, this, &DeviceDetail::errorOccurred);
    connect(m_controller, &DeviceDetailController::changed, this, [this](const QString &message) {
        Q_EMIT messageShown(message);
        Q_EMIT deviceChanged();
        m_audit->refresh();
        m_timeline->reload();
    });
    connect(m_controller, &DeviceDetailController::methodAnswered, this,
            [this](const QString &name, int status, const QJsonValue &payload) {
                QString text = tr("%1 answered %2").arg(name).arg(status);
                if (!payload.isUndefined() && !payload.isNull()) {
                    const QJsonDocument doc =
                        payload.isObject() ? QJsonDocument(payload.toObject()) : QJsonDocument(QJsonArray{payload});
                    text += QStringLiteral(":\n") + QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
                }
                m_methodAnswer->setPlainText(text);
            });
    connect(m_telemetry, &TelemetryModel::errorOccurred, this, [this](const QString &message) {
        // A device that never registered has no telemetry: not an error to show.
        if (!m_controller->deviceId().isEmpty())
            Q_EMIT errorOccurred(message);
    });
    applyRole(false);
}

QWidget *DeviceDetail::buildOverview()
{
    auto *page = new QWidget(this);
    m_identity = infoLabel(page, QStringLiteral("deviceIdentity"));
    m_customer = infoLabel(page, QStringLiteral("deviceCustomer"));
    m_enrollmentInfo = infoLabel(page, QStringLiteral("deviceEnrollment"));
    m_activationMail = infoLabel(page, QStringLiteral("deviceActivationMail"));
    m_registrationInfo = infoLabel(page, QStringLiteral("deviceRegistration"));
    m_primaryKey = new QLabel(page);
    m_primaryKey->setObjectName(QStringLiteral("devicePrimaryKey"));
    m_secondaryKey = new QLabel(page);
    m_secondaryKey->setObjectName(QStringLiteral("deviceSecondaryKey"));
    for (QLabel *l : {m_primaryKey, m_secondaryKey}) {
        l->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        l->setWordWrap(true);
    }
    m_reveal = new QPushButton(tr("&Reveal keys"), page);
    m_reveal->setObjectName(QStringLiteral("revealKeys"));
    m_reveal->setCheckable(true);
    m_copyPrimary = new QPushButton(tr("Copy primary"), page);
    m_copyPrimary->setObjectName(QStringLiteral("copyPrimaryKey"));
    m_copySecondary = new QPushButton(tr("Copy secondary"), page);
    m_copySecondary->setObjectName(QStringLiteral("copySecondaryKey"));
    connect(m_reveal, &QPushButton::toggled, this, &DeviceDetail::setKeysRevealed);
    connect(m_copyPrimary, &QPushButton::clicked, this, [this] { copyKey(true); });
    connect(m_copySecondary, &QPushButton::clicked, this, [this] { copyKey(false); });

    auto *identityBox = new QGroupBox(tr("Device"), page);
    auto *il = new QVBoxLayout(identityBox);
    il->addWidget(m_identity);
    il->addWidget(m_customer);
    auto *enrollmentBox = new QGroupBox(tr("Enrollment"), page);
    auto *el = new QVBoxLayout(enrollmentBox);
    el->addWidget(m_enrollmentInfo);
    el->addWidget(m_activationMail);
    auto *keys = new QFormLayout;
    keys->addRow(tr("Primary key:"), m_primaryKey);
    keys->addRow(tr("Secondary key:"), m_secondaryKey);
    el->addLayout(keys);
    auto *keyButtons = new QHBoxLayout;
    keyButtons->addWidget(m_reveal);
    keyButtons->addWidget(m_copyPrimary);
    keyButtons->addWidget(m_copySecondary);
    keyButtons->addStretch();
    el->addLayout(keyButtons);
    auto *registrationBox = new QGroupBox(tr("Registration and hub"), page);
    auto *rl = new QVBoxLayout(registrationBox);
    rl->addWidget(m_registrationInfo);

    auto *inner = new QWidget(page);
    auto *layout = new QVBoxLayout(inner);
    layout->addWidget(identityBox);
    layout->addWidget(enrollmentBox);
    layout->addWidget(registrationBox);
    layout->addStretch();
    auto *scroll = new QScrollArea(page);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(inner);
    auto *outer = new QVBoxLayout(page);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);
    return page;
}

QWidget *DeviceDetail::buildTwin()
{
    auto *page = new QWidget(this);
    m_tags = new JsonObjectEdit(page);
    m_tags->setObjectName(QStringLiteral("twinTags"));
    m_tags->setRejectReservedNames(true);
    m_desired = new JsonObjectEdit(page);
    m_desired->setObjectName(QStringLiteral("twinDesired"));
    m_desired->setRejectReservedNames(true);
    m_reported = new QPlainTextEdit(page);
    m_reported->setObjectName(QStringLiteral("twinReported"));
    m_reported->setReadOnly(true);
    m_reported->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_versions = new QLabel(page);
    m_versions->setObjectName(QStringLiteral("twinVersions"));
    m_saveTwin = new QPushButton(tr("&Save twin"), page);
    m_saveTwin->setObjectName(QStringLiteral("twinSave"));
    m_reloadTwin = new QPushButton(tr("Re&load"), page);
    auto dirty = [this] {
        m_twinDirty = true;
        updateActions();
    };
    connect(m_tags, &JsonObjectEdit::edited, this, dirty);
    connect(m_desired, &JsonObjectEdit::edited, this, dirty);
    connect(m_tags, &JsonObjectEdit::validityChanged, this, &DeviceDetail::updateActions);
    connect(m_desired, &JsonObjectEdit::validityChanged, this, &DeviceDetail::updateActions);
    connect(m_saveTwin, &QPushButton::clicked, this,
            [this] { m_controller->saveTwin(m_tags->object(), m_desired->object()); });
    connect(m_reloadTwin, &QPushButton::clicked, this, [this] {
        m_twinDirty = false;
        m_controller->reload();
    });

    auto *form = new QVBoxLayout(page);
    form->addWidget(new QLabel(tr("Tags (back office only, never sent to the device):"), page));
    form->addWidget(m_tags, 1);
    form->addWidget(new QLabel(tr("Desired properties (sent to the device):"), page));
    form->addWidget(m_desired, 1);
    form->addWidget(new QLabel(tr("Reported by the device (read-only):"), page));
    form->addWidget(m_reported, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_versions, 1);
    buttons->addWidget(m_reloadTwin);
    buttons->addWidget(m_saveTwin);
    form->addLayout(buttons);
    return page;
}

QWidget *DeviceDetail::scrollable(QWidget *page)
{
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(page);
    return scroll;
}

QWidget *DeviceDetail::buildTelemetry()
{
    auto *page = new QWidget(this);
    m_chart = new TelemetryChart(m_telemetry, page);
    m_telemetryTable = new QTableView(page);
    m_telemetryTable->setObjectName(QStringLiteral("telemetryTable"));
    m_telemetryTable->setModel(m_telemetry);
    m_telemetryTable->verticalHeader()->hide();
    m_telemetryTable->horizontalHeader()->setStretchLastSection(true);
    // Wide enough for the milliseconds: messages a second apart differ there.
    m_telemetryTable->setColumnWidth(
        TelemetryModel::ReceivedColumn,
        m_telemetryTable->fontMetrics().horizontalAdvance(
            formatDateTime(QDateTime(QDate(2026, 12, 31), QTime(23, 59, 59, 999)), true) + QStringLiteral("WW")) +
            16);
    m_telemetryTable->setColumnWidth(TelemetryModel::PropertiesColumn, 100);
    m_telemetryTable->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_telemetryTable->verticalHeader()->setDefaultSectionSize(m_telemetryTable->fontMetrics().height() + 6);
    m_telemetryTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_telemetryTable->setWordWrap(false);
    m_telemetryTable->setItemDelegate(new PlainTextDelegate(m_telemetryTable));
    m_telemetryCount = new QLabel(page);
    m_telemetryCount->setObjectName(QStringLiteral("telemetryCount"));
    m_telemetryCount->setWordWrap(true);
    const auto messages = [](qint64 n) { return n == 1 ? tr("1 message") : tr("%1 messages").arg(n); };
    auto updateCount = [this, messages] {
        if (m_telemetry->isLoading() && m_telemetry->totalCount() == 0)
            m_telemetryCount->setText(tr("Loading the history…"));
        else if (m_telemetry->isLoading())
            m_telemetryCount->setText(
                tr("Loading the history: %1 of the latest %2…")
                    .arg(m_telemetry->rowCount())
                    .arg(messages(qMin<qint64>(m_telemetry->totalCount(), m_telemetry->maximumMessages()))));
        else if (m_telemetry->missedLive() > 0)
            m_telemetryCount->setText(tr("Showing the latest %1 of %2; %3 not shown live — "
                                         "Reload history to see them.")
                                          .arg(m_telemetry->rowCount())
                                          .arg(messages(m_telemetry->totalCount()))
                                          .arg(messages(m_telemetry->missedLive())));
        else
            m_telemetryCount->setText(tr("Showing the latest %1 of %2; new ones appear as they arrive.")
                                          .arg(m_telemetry->rowCount())
                                          .arg(messages(m_telemetry->totalCount())));
    };
    connect(m_telemetry, &TelemetryModel::loadingChanged, this, updateCount);
    connect(m_telemetry, &TelemetryModel::totalCountChanged, this, updateCount);
    connect(m_telemetry, &TelemetryModel::missedLiveChanged, this, updateCount);
    connect(m_telemetry, &QAbstractItemModel::rowsInserted, this, updateCount);
    connect(m_telemetry, &QAbstractItemModel::modelReset, this, updateCount);
    auto *splitter = new QSplitter(Qt::Vertical, page);
    splitter->addWidget(m_chart);
    splitter->addWidget(m_telemetryTable);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    // Live events are capped per device by the middleware; the history has
    // every message, so reloading fills any gap.
    auto *reloadHistory = new QPushButton(tr("Re&load history"), page);
    reloadHistory->setObjectName(QStringLiteral("reloadTelemetry"));
    connect(reloadHistory, &QPushButton::clicked, m_telemetry, &TelemetryModel::reload);
    connect(m_telemetry, &TelemetryModel::loadingChanged, reloadHistory, &QWidget::setDisabled);
    auto *footer = new QHBoxLayout;
    footer->addWidget(m_telemetryCount, 1);
    footer->addWidget(reloadHistory);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(splitter, 1);
    layout->addLayout(footer);
    return page;
}

QWidget *DeviceDetail::buildAudit()
{
    auto *page = new QWidget(this);
    m_auditTable = new QTableView(page);
    m_auditTable->setObjectName(QStringLiteral("deviceAuditTable"));
    m_auditTable->setModel(m_audit);
    m_auditTable->verticalHeader()->hide();
    m_auditTable->horizontalHeader()->setStretchLastSection(true);
    fitAuditColumns(m_auditTable);
    m_auditTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto *open = new QPushButton(tr("Open in the audit log"), page);
    connect(open, &QPushButton::clicked, this,
            [this] { Q_EMIT auditTrailRequested(QStringLiteral("device"), m_controller->serial()); });
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_auditTable, 1);
    layout->addWidget(open, 0, Qt::AlignRight);
    return page;
}

QWidget *DeviceDetail::buildActions()
{
    auto *page = new QWidget(this);
    m_method = new QComboBox(page);
    m_method->setObjectName(QStringLiteral("methodName"));
    m_method->setEditable(true);
    m_method->addItems({QStringLiteral("ping"), QStringLiteral("reprovision"), QStringLiteral("reboot")});
    m_methodPayload = new JsonObjectEdit(page);
    m_methodPayload->setObjectName(QStringLiteral("methodPayload"));
    m_methodPayload->setMaximumHeight(90);
    m_methodTimeout = new QSpinBox(page);
    m_methodTimeout->setObjectName(QStringLiteral("methodTimeout"));
    m_methodTimeout->setRange(1, 300);
    m_methodTimeout->setValue(30);
    m_methodTimeout->setSuffix(tr(" s"));
    m_invoke = new QPushButton(tr("&Invoke"), page);
    m_invoke->setObjectName(QStringLiteral("methodInvoke"));
    m_methodAnswer = new QPlainTextEdit(page);
    m_methodAnswer->setObjectName(QStringLiteral("methodAnswer"));
    m_methodAnswer->setReadOnly(true);
    m_methodAnswer->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_methodAnswer->setPlaceholderText(tr("The device's answer appears here."));
    connect(m_invoke, &QPushButton::clicked, this, &DeviceDetail::invoke);
    connect(m_methodPayload, &JsonObjectEdit::validityChanged, this, &DeviceDetail::updateActions);

    m_enable = new QPushButton(tr("&Enable enrollment"), page);
    m_enable->setObjectName(QStringLiteral("deviceEnable"));
    m_disable = new QPushButton(tr("&Disable…"), page);
    m_disable->setObjectName(QStringLiteral("deviceDisable"));
    m_deprovision = new QPushButton(tr("De&provision…"), page);
    m_deprovision->setObjectName(QStringLiteral("deviceDeprovision"));
    connect(m_enable, &QPushButton::clicked, m_controller, &DeviceDetailController::enableEnrollment);
    connect(m_disable, &QPushButton::clicked, this, &DeviceDetail::confirmDisable);
    connect(m_deprovision, &QPushButton::clicked, this, &DeviceDetail::confirmDeprovision);
    m_rotateHubKey = new QPushButton(tr("&Rotate hub key…"), page);
    m_rotateHubKey->setObjectName(QStringLiteral("deviceRotateHubKey"));
    connect(m_rotateHubKey, &QPushButton::clicked, this, &DeviceDetail::confirmRotateHubKey);
    // For a device of an enrollment group: every device of the group at once
    // (a group key that leaked puts all of them at risk).
    m_rotateGroupHubKeys = new QPushButton(tr("Rotate the &group's hub keys…"), page);
    m_rotateGroupHubKeys->setObjectName(QStringLiteral("deviceRotateGroupHubKeys"));
    connect(m_rotateGroupHubKeys, &QPushButton::clicked, this, &DeviceDetail::confirmRotateGroupHubKeys);

    auto *methodBox = new QGroupBox(tr("Direct method"), page);
    auto *form = new QFormLayout(methodBox);
    form->addRow(tr("&Method:"), m_method);
    form->addRow(tr("&Payload (JSON):"), m_methodPayload);
    form->addRow(tr("&Timeout:"), m_methodTimeout);
    form->addRow(QString(), m_invoke);
    form->addRow(m_methodAnswer);
    auto *stateBox = new QGroupBox(tr("Provisioning"), page);
    auto *sl = new QHBoxLayout(stateBox);
    sl->addWidget(m_enable);
    sl->addWidget(m_disable);
    sl->addWidget(m_deprovision);
    sl->addWidget(m_rotateHubKey);
    sl->addWidget(m_rotateGroupHubKeys);
    sl->addStretch();
    // Failed activation attempts: who tried which serial, and a way to clear
    // them when a crowd of strangers has held the owner back.
    m_activationSummary = new QLabel(page);
    m_activationSummary->setObjectName(QStringLiteral("activationSummary"));
    m_activationSummary->setWordWrap(true);
    m_activationFailures = new QTableWidget(0, 3, page);
    m_activationFailures->setObjectName(QStringLiteral("activationFailures"));
    m_activationFailures->setHorizontalHeaderLabels({tr("Time"), tr("Client address"), tr("Reason")});
    m_activationFailures->horizontalHeader()->setStretchLastSection(true);
    m_activationFailures->verticalHeader()->hide();
    m_activationFailures->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_activationFailures->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_unlock = new QPushButton(tr("&Unlock activation…"), page);
    m_unlock->setObjectName(QStringLiteral("activationUnlock"));
    connect(m_unlock, &QPushButton::clicked, this, &DeviceDetail::confirmUnlock);
    auto *activationBox = new QGroupBox(tr("Failed activation attempts"), page);
    auto *al = new QVBoxLayout(activationBox);
    auto *ah = new QHBoxLayout;
    ah->addWidget(m_activationSummary, 1);
    ah->addWidget(m_unlock);
    al->addLayout(ah);
    al->addWidget(m_activationFailures);

    // Cloud-to-device messages: send one, and see each one's fate (queued in
    // the middleware, delivered to the hub, expired), live from the feed.
    m_c2dPayload = new JsonObjectEdit(page);
    m_c2dPayload->setObjectName(QStringLiteral("c2dPayload"));
    m_c2dPayload->setMaximumHeight(90);
    m_c2dTtl = new QSpinBox(page);
    m_c2dTtl->setObjectName(QStringLiteral("c2dTtl"));
    m_c2dTtl->setRange(1, 172800);
    m_c2dTtl->setValue(3600);
    m_c2dTtl->setSuffix(tr(" s"));
    m_c2dSend = new QPushButton(tr("Se&nd message"), page);
    m_c2dSend->setObjectName(QStringLiteral("c2dSend"));
    connect(m_c2dSend, &QPushButton::clicked, this, &DeviceDetail::sendCloudMessage);
    connect(m_c2dPayload, &JsonObjectEdit::validityChanged, this, &DeviceDetail::updateActions);
    m_c2dMessages = new QTableWidget(0, 4, page);
    m_c2dMessages->setObjectName(QStringLiteral("c2dMessages"));
    m_c2dMessages->setHorizontalHeaderLabels({tr("Sent"), tr("State"), tr("Expires"), tr("Message id")});
    m_c2dMessages->horizontalHeader()->setStretchLastSection(true);
    m_c2dMessages->verticalHeader()->hide();
    m_c2dMessages->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_c2dMessages->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto *c2dBox = new QGroupBox(tr("Cloud-to-device messages"), page);
    auto *cf = new QFormLayout(c2dBox);
    cf->addRow(tr("Pa&yload (JSON):"), m_c2dPayload);
    cf->addRow(tr("Time to &live:"), m_c2dTtl);
    cf->addRow(QString(), m_c2dSend);
    cf->addRow(m_c2dMessages);

    auto *layout = new QVBoxLayout(page);
    layout->addWidget(methodBox, 1);
    layout->addWidget(c2dBox, 1);
    layout->addWidget(stateBox);
    layout->addWidget(activationBox, 1);
    return page;
}

void DeviceDetail::setDevice(const QString &serial)
{
    m_title->setText(serial);
    m_keysRevealed = false;
    m_reveal->setChecked(false);
    m_twinDirty = false;
    m_identity->setText(tr("Loading…"));
    m_customer->clear();
    m_enrollmentInfo->clear();
    m_registrationInfo->clear();
    m_tags->setObject({});
    m_desired->setObject({});
    m_reported->clear();
    m_versions->clear();
    m_methodAnswer->clear();
    m_c2dMessages->setRowCount(0);
    m_telemetry->setDeviceId(QString());
    AuditModel::Filter f;
    f.entityId = serial;
    m_audit->setFilter(f);
    m_controller->setSerial(serial);
    updateActions();
}

QString DeviceDetail::serial() const
{
    return m_controller->serial();
}

void DeviceDetail::applyRole(bool canOperate)
{
    m_canOperate = canOperate;
    // Viewers get blanked keys from the server anyway; hide what they cannot use.
    for (QWidget *w :
         std::initializer_list<QWidget *>{m_reveal, m_copyPrimary, m_copySecondary, m_saveTwin, m_invoke, m_enable,
                                          m_disable, m_deprovision, m_unlock, m_rotateHubKey, m_rotateGroupHubKeys})
        w->setVisible(canOperate);
    m_tags->setReadOnly(!canOperate);
    m_desired->setReadOnly(!canOperate);
    m_timeline->setCanOperate(canOperate);
    updateActions();
}

void DeviceDetail::showDevice(const QJsonObject &d)
{
    const auto v = [&d](const char *k) { return d.value(QLatin1String(k)).toString(); };
    m_identity->setText(table(row(tr("Serial"), v("serial")) + row(tr("Model"), v("model")) +
                              row(tr("Manufacturer"), v("manufacturer")) + row(tr("Batch"), v("batch")) +
                              row(tr("Delivered"), v("deliveryDate")) + row(tr("Status"), v("status")) +
                              row(tr("Notes"), v("notes"))));
    QString customer = v("customerId");
    if (customer.isEmpty())
        customer = tr("not sold");
    else if (m_customers && !m_customers->nameFor(customer).isEmpty())
        customer = m_customers->nameFor(customer);
    m_customer->setText(table(row(tr("Customer"), customer) + row(tr("Sold"), v("soldDate"))));
    updateActions();
}

void DeviceDetail::showEnrollment()
{
    const std::optional<Enrollment> e = m_controller->enrollment();
    if (!e) {
        m_enrollmentInfo->setText(tr("Not enrolled. Create an enrollment from the inventory to give it keys and an "
                                     "activation code."));
        m_primaryKey->clear();
        m_secondaryKey->clear();
        updateActions();
        return;
    }
    m_enrollmentInfo->setText(
        table(row(tr("Registration id"), e->registrationId) + row(tr("Device id"), e->deviceId) +
              row(tr("Status"), e->provisioningStatus) +
              row(tr("Allocation"),
                  e->allocationPolicy ? allocationPolicyName(*e->allocationPolicy) : tr("instance default")) +
              row(tr("Updated"),
                  e->lastUpdatedDateTimeUtc.isValid() ? when(toIsoUtc(e->lastUpdatedDateTimeUtc)) : QString())));
    setKeysRevealed(m_keysRevealed);
    updateActions();
}

void DeviceDetail::setKeysRevealed(bool revealed)
{
    m_keysRevealed = revealed;
    const Attestation keys = m_controller->enrollment().value_or(Enrollment()).attestation;
    const QString primary = keys.primaryKey;
    const QString secondary = keys.secondaryKey;
    const QString hidden = tr("(hidden)");
    const QString none = m_canOperate ? tr("(none)") : tr("(viewers do not see keys)");
    m_primaryKey->setText(primary.isEmpty() ? none : revealed ? primary : masked(primary) + QLatin1Char(' ') + hidden);
    m_secondaryKey->setText(secondary.isEmpty() ? none
                            : revealed          ? secondary
                                                : masked(secondary) + QLatin1Char(' ') + hidden);
    m_reveal->setText(revealed ? tr("&Hide keys") : tr("&Reveal keys"));
    updateActions();
}

void DeviceDetail::copyKey(bool primary)
{
    const Attestation keys = m_controller->enrollment().value_or(Enrollment()).attestation;
    const QString key = primary ? keys.primaryKey : keys.secondaryKey;
    if (key.isEmpty())
        return;
    // Straight to the clipboard; never logged, never put in a message.
    QGuiApplication::clipboard()->setText(key);
    Q_EMIT messageShown(tr("Key copied to the clipboard."));
}

void DeviceDetail::showRegistration(const QJsonObject &r)
{
    if (r.isEmpty()) {
        m_registrationInfo->setText(!m_controller->enrollment()
                                        ? tr("—")
                                        : tr("Not registered yet: the device has not contacted the middleware."));
        m_telemetry->setDeviceId(QString());
        updateActions();
        return;
    }
    const auto v = [&r](const char *k) { return r.value(QLatin1String(k)).toString(); };
    const QJsonObject hub = r.value(QStringLiteral("hub")).toObject();
    QString hubText = v("assignedHub");
    if (!hub.isEmpty())
        hubText = hub.value(QStringLiteral("name")).toString() + QStringLiteral(" (") +
                  hub.value(QStringLiteral("endpoint")).toString() + QLatin1Char(')');
    // Presence: whether the device is on its hub now, and when it was last heard.
    QString connection;
    if (v("connectionState") == QLatin1String("Connected"))
        connection = tr("online");
    else if (!v("connectionState").isEmpty())
        connection = tr("offline");
    if (!v("lastActivityTime").isEmpty())
        connection += (connection.isEmpty() ? QString() : QStringLiteral(" · ")) +
                      tr("last seen %1").arg(when(v("lastActivityTime")));
    // DPS's words for how the device got its hub, in a person's.
    QString assignment = v("substatus");
    if (assignment == QLatin1String("initialAssignment"))
        assignment = tr("first assignment");
    else if (assignment == QLatin1String("deviceDataMigrated"))
        assignment = tr("moved to another hub, twin kept");
    else if (assignment == QLatin1String("deviceDataReset"))
        assignment = tr("moved to another hub, twin reset");
    else if (assignment == QLatin1String("reprovisionedToInitialAssignment"))
        assignment = tr("back on its first hub");
    m_registrationInfo->setText(table(
        row(tr("Status"), v("status")) + row(tr("Assignment"), assignment) + row(tr("Hub"), hubText) +
        row(tr("Connection"), connection) + row(tr("Device id"), v("deviceId")) +
        row(tr("Device reports"), v("deviceStatus")) + row(tr("Reported at"), when(v("deviceStatusDateTimeUtc"))) +
        row(tr("Registered"), when(v("createdDateTimeUtc"))) + row(tr("Updated"), when(v("lastUpdatedDateTimeUtc"))) +
        (r.contains(QStringLiteral("errorMessage")) ? row(tr("Error"), v("errorMessage")) : QString())));
    if (m_telemetry->deviceId() != m_controller->deviceId())
        m_telemetry->setDeviceId(m_controller->deviceId());
    updateActions();
}

void DeviceDetail::showTwin(const QJsonObject &twin)
{
    const QJsonObject props = twin.value(QStringLiteral("properties")).toObject();
    QJsonObject desired = props.value(QStringLiteral("desired")).toObject();
    QJsonObject reported = props.value(QStringLiteral("reported")).toObject();
    const int desiredVersion = desired.value(QStringLiteral("$version")).toInt();
    const int reportedVersion = reported.value(QStringLiteral("$version")).toInt();
    desired.remove(QStringLiteral("$version"));
    // Keep what the user is typing; a live update only refreshes the rest.
    if (!m_twinDirty) {
        m_tags->setObject(twin.value(QStringLiteral("tags")).toObject());
        m_desired->setObject(desired);
        m_twinDirty = false;
    }
    m_reported->setPlainText(QString::fromUtf8(QJsonDocument(reported).toJson(QJsonDocument::Indented)));
    m_versions->setText(tr("desired v%1 · reported v%2 · %3")
                            .arg(desiredVersion)
                            .arg(reportedVersion)
                            .arg(twin.value(QStringLiteral("connectionState")).toString(tr("presence unknown"))));
    updateActions();
}

void DeviceDetail::sendCloudMessage()
{
    m_controller->sendCloudMessage(m_c2dPayload->object(), m_c2dTtl->value());
}

void DeviceDetail::showCloudMessages(const QJsonArray &messages)
{
    m_c2dMessages->setRowCount(int(messages.size()));
    for (int row = 0; row < messages.size(); ++row) {
        const QJsonObject m = messages.at(row).toObject();
        const QString state = m.value(QStringLiteral("state")).toString();
        QString shown = state;
        if (state == QLatin1String("queued"))
            shown = tr("waiting");
        else if (state == QLatin1String("delivered"))
            shown = tr("delivered to the hub");
        else if (state == QLatin1String("expired"))
            shown = tr("expired");
        const QString cells[] = {formatApiDateTime(m.value(QStringLiteral("createdDateTimeUtc")).toString()), shown,
                                 formatApiDateTime(m.value(QStringLiteral("expiryTimeUtc")).toString()),
                                 m.value(QStringLiteral("messageId")).toString()};
        for (int column = 0; column < 4; ++column)
            m_c2dMessages->setItem(row, column, new QTableWidgetItem(cells[column]));
    }
    m_c2dMessages->resizeColumnsToContents();
}

void DeviceDetail::invoke()
{
    const QString name = m_method->currentText().trimmed();
    if (name.isEmpty() || name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('+')) ||
        name.contains(QLatin1Char('#'))) {
        Q_EMIT errorOccurred(tr("A method name is 1 to 128 characters without / + #."));
        return;
    }
    m_methodAnswer->setPlainText(tr("Waiting up to %1 s for %2 to answer…").arg(m_methodTimeout->value()).arg(name));
    const QJsonObject payload = m_methodPayload->object();
    m_controller->invokeMethod(name, payload.isEmpty() ? QJsonValue() : QJsonValue(payload), m_methodTimeout->value());
}

void DeviceDetail::confirmDisable()
{
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Disable %1").arg(serial()),
                                tr("Disable the enrollment of %1? The device can no longer register, and if it is "
                                   "connected to its hub it is disconnected at once. Enable it again to undo.")
                                    .arg(serial()),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmDeviceDisable"));
    box->addButton(tr("Disable"), QMessageBox::AcceptRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box](QAbstractButton *button) {
        if (box->buttonRole(button) == QMessageBox::AcceptRole)
            m_controller->disableEnrollment();
    });
    box->open();
}

void DeviceDetail::confirmRotateHubKey()
{
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Rotate the hub key of %1").arg(serial()),
                                tr("Retire the key %1 uses on its hub? The hub disconnects it at once and refuses "
                                   "that key from then on, also a copy of it anyone else may hold. The device "
                                   "registers again by itself and gets a new key.")
                                    .arg(serial()),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmRotateHubKey"));
    box->addButton(tr("Rotate"), QMessageBox::DestructiveRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box](QAbstractButton *button) {
        if (box->buttonRole(button) == QMessageBox::DestructiveRole)
            m_controller->rotateHubKey();
    });
    box->open();
}

void DeviceDetail::confirmRotateGroupHubKeys()
{
    const QString group = m_controller->enrollmentGroupId();
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Rotate the hub keys of group %1").arg(group),
                                tr("Retire the hub keys of every device of enrollment group %1? Their hubs disconnect "
                                   "them at once and refuse those keys from then on. Each device registers again by "
                                   "itself and gets a new key.")
                                    .arg(group),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmRotateGroupHubKeys"));
    box->addButton(tr("Rotate"), QMessageBox::DestructiveRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box](QAbstractButton *button) {
        if (box->buttonRole(button) == QMessageBox::DestructiveRole)
            m_controller->rotateGroupHubKeys();
    });
    box->open();
}

void DeviceDetail::confirmDeprovision()
{
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Deprovision %1").arg(serial()),
                                tr("Deprovision %1? Its enrollment is disabled (it is disconnected from its hub and "
                                   "cannot register) and its registration is removed, so the hub assignment and twin "
                                   "are forgotten. The enrollment, its keys and the inventory record stay; enable "
                                   "the enrollment to let the device register from scratch.")
                                    .arg(serial()),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmDeprovision"));
    box->addButton(tr("Deprovision"), QMessageBox::DestructiveRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box](QAbstractButton *button) {
        if (box->buttonRole(button) == QMessageBox::DestructiveRole)
            m_controller->deprovision();
    });
    box->open();
}

void DeviceDetail::updateActions()
{
    const std::optional<Enrollment> enrollment = m_controller->enrollment();
    const bool enrolled = enrollment.has_value();
    const bool enabled = !enrollment || enrollment->isEnabled();
    const bool registered = !m_controller->registration().isEmpty();
    const Attestation keys = enrollment.value_or(Enrollment()).attestation;
    m_reveal->setEnabled(m_canOperate && !keys.primaryKey.isEmpty());
    m_copyPrimary->setEnabled(m_canOperate && !keys.primaryKey.isEmpty());
    m_copySecondary->setEnabled(m_canOperate && !keys.secondaryKey.isEmpty());
    m_saveTwin->setEnabled(m_canOperate && registered && m_twinDirty && m_tags->isValid() && m_desired->isValid());
    m_reloadTwin->setEnabled(!serial().isEmpty());
    m_invoke->setEnabled(m_canOperate && registered && m_methodPayload->isValid());
    m_c2dSend->setEnabled(m_canOperate && registered && m_c2dPayload->isValid());
    m_enable->setEnabled(m_canOperate && enrolled && !enabled);
    m_disable->setEnabled(m_canOperate && enrolled && enabled);
    m_deprovision->setEnabled(m_canOperate && enrolled);
    m_rotateHubKey->setEnabled(m_canOperate && registered);
    m_rotateGroupHubKeys->setEnabled(m_canOperate && !m_controller->enrollmentGroupId().isEmpty());
    m_unlock->setEnabled(m_canOperate &&
                         m_controller->activationFailures().value(QStringLiteral("counting")).toInt() > 0);
}

void DeviceDetail::showActivationMails(const QJsonArray &mails)
{
    if (mails.isEmpty()) {
        m_activationMail->setText(m_controller->registrationId().isEmpty()
                                      ? QString()
                                      : tr("No activation card has been e-mailed for this device."));
        return;
    }
    // The newest mail tells where the current code went.
    const QJsonObject m = mails.first().toObject();
    const QString to = m.value(QStringLiteral("to")).toString().toHtmlEscaped();
    const QString state = m.value(QStringLiteral("state")).toString();
    const int attempts = m.value(QStringLiteral("attempts")).toInt();
    const QString error = m.value(QStringLiteral("lastError")).toString().toHtmlEscaped();
    QString text;
    if (state == QLatin1String("sent")) {
        text = tr("Activation card e-mailed to <b>%1</b> on %2.")
                   .arg(to, formatApiDateTime(m.value(QStringLiteral("sentDateTimeUtc")).toString()));
        if (m.value(QStringLiteral("transport")).toString() == QLatin1String("outbox"))
            text += QLatin1Char(' ') + tr("(written to the middleware's outbox: no mail server is set up)");
    } else if (state == QLatin1String("failed")) {
        text =
            tr("<b>The activation e-mail to %1 failed</b> after %n attempt(s): %2", nullptr, attempts).arg(to, error);
    } else if (attempts > 0) {
        text = tr("Activation e-mail to %1 is waiting: %n attempt(s) failed (%2); next try %3.", nullptr, attempts)
                   .arg(to, error, formatApiDateTime(m.value(QStringLiteral("nextAttemptDateTimeUtc")).toString()));
    } else {
        text = tr("Activation e-mail to %1 is being sent.").arg(to);
    }
    m_activationMail->setText(text);
}

void DeviceDetail::showActivationFailures(const QJsonObject &failures)
{
    const QJsonArray items = failures.value(QStringLiteral("items")).toArray();
    const int counting = failures.value(QStringLiteral("counting")).toInt();
    m_activationSummary->setText(
        items.isEmpty() ? tr("No failed activation attempts in the last 30 days.")
                        : tr("%n failed attempt(s) count against the activation limits; cleared ones are greyed.",
                             nullptr, counting));
    m_activationFailures->setRowCount(int(items.size()));
    for (int i = 0; i < items.size(); ++i) {
        const QJsonObject f = items.at(i).toObject();
        const bool cleared = f.contains(QStringLiteral("clearedAt"));
        const QStringList cells{f.value(QStringLiteral("at")).toString(),
                                f.value(QStringLiteral("clientAddress")).toString(),
                                f.value(QStringLiteral("reason")).toString()};
        for (int c = 0; c < cells.size(); ++c) {
            auto *item = new QTableWidgetItem(cells.at(c));
            if (cleared) {
                item->setForeground(palette().brush(QPalette::Disabled, QPalette::Text));
                item->setToolTip(tr("Cleared %1").arg(f.value(QStringLiteral("clearedAt")).toString()));
            }
            m_activationFailures->setItem(i, c, item);
        }
    }
    m_activationFailures->resizeColumnsToContents();
    updateActions();
}

void DeviceDetail::openNewCard()
{
    if (serial().isEmpty())
        return;
    // The cards dialog issues the new code (the old one stops working) and
    // prints or exports the card; the timeline shows the new code's issue.
    auto *dialog = new ActivationCardsDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setApiClient(m_api);
    dialog->setSerials({serial()});
    connect(dialog, &QDialog::finished, m_timeline, &DeviceTimeline::reload);
    dialog->open();
}

void DeviceDetail::confirmUnlock()
{
    auto *box = new QMessageBox(QMessageBox::Question, tr("Unlock activation of %1").arg(serial()),
                                tr("Clear the failed activation attempts of %1? They no longer hold its activation "
                                   "back; they stay listed, and the unlock is audited.")
                                    .arg(serial()),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmActivationUnlock"));
    box->addButton(tr("Unlock"), QMessageBox::AcceptRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box](QAbstractButton *button) {
        if (box->buttonRole(button) == QMessageBox::AcceptRole)
            m_controller->unlockActivation();
    });
    box->open();
}

} // namespace Provisio::Crm
