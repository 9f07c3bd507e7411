// SPDX-License-Identifier: Apache-2.0
#include "auditpage.h"

#include "columnfit.h"
#include "displayformat.h"
#include "jsondiff.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFontDatabase>
#include <QJsonDocument>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStyle>
#include <QStyleOptionComboBox>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Provisio::Crm {

AuditPage::AuditPage(AuditModel *model, QWidget *parent)
    : RecordListPage(QStringLiteral("audit"), model, parent), m_audit(model), m_actor(new QLineEdit(this)),
      m_action(new QComboBox(this)), m_entityType(new QComboBox(this)), m_entityId(new QLineEdit(this)),
      m_sinceEnabled(new QCheckBox(tr("Si&nce:"), this)),
      m_since(new QDateTimeEdit(QDateTime::currentDateTime().addDays(-7), this)),
      m_untilEnabled(new QCheckBox(tr("&Until:"), this)),
      m_until(new QDateTimeEdit(QDateTime::currentDateTime().addDays(1), this)), m_details(new QPlainTextEdit(this)),
      m_debounce(new QTimer(this))
{
    setTitle(tr("Audit log"));
    m_actor->setObjectName(QStringLiteral("auditActorFilter"));
    m_action->setObjectName(QStringLiteral("auditActionFilter"));
    m_entityType->setObjectName(QStringLiteral("auditEntityTypeFilter"));
    m_entityId->setObjectName(QStringLiteral("auditEntityIdFilter"));
    m_since->setObjectName(QStringLiteral("auditSince"));
    m_until->setObjectName(QStringLiteral("auditUntil"));
    m_details->setObjectName(QStringLiteral("auditDetails"));
    m_actor->setPlaceholderText(tr("token:name, device:serial…"));
    m_entityId->setPlaceholderText(tr("id or serial"));
    for (QLineEdit *edit : {m_actor, m_entityId})
        edit->setClearButtonEnabled(true);
    // The actions the middleware records, offered in the table's words so
    // nobody has to know the API's by heart; the item data is what the
    // filter sends. The field stays editable for actions added later.
    m_action->setEditable(true);
    m_action->setInsertPolicy(QComboBox::NoInsert);
    m_action->addItem(QString(), QString());
    for (const QString &a : AuditModel::knownActions())
        m_action->addItem(apiWord(a), a);
    m_action->lineEdit()->setPlaceholderText(tr("any action"));
    m_action->lineEdit()->setClearButtonEnabled(true);
    m_action->setMinimumContentsLength(14);
    m_entityType->addItem(tr("Anything"), QString());
    for (const QString &t : AuditModel::knownEntityTypes())
        m_entityType->addItem(apiWord(t), t);
    m_since->setCalendarPopup(true);
    m_since->setDisplayFormat(tr("yyyy-MM-dd HH:mm", "QDateTimeEdit format of the audit filter"));
    m_since->setEnabled(false);
    m_until->setCalendarPopup(true);
    m_until->setDisplayFormat(tr("yyyy-MM-dd HH:mm", "QDateTimeEdit format of the audit filter"));
    m_until->setEnabled(false);
    // QDateTimeEdit's size hint leaves out the calendar popup's arrow, and
    // the minutes were cut off: as wide as a combo box showing the widest
    // moment in the format.
    for (QDateTimeEdit *edit : {m_since, m_until}) {
        QStyleOptionComboBox option;
        option.initFrom(edit);
        option.editable = true;
        const QString widest = QDateTime(QDate(2026, 12, 28), QTime(23, 58)).toString(edit->displayFormat());
        const QSize text(edit->fontMetrics().horizontalAdvance(widest) + 2 * edit->fontMetrics().averageCharWidth(),
                         edit->sizeHint().height());
        edit->setMinimumWidth(qMax(edit->sizeHint().width(),
                                   edit->style()->sizeFromContents(QStyle::CT_ComboBox, &option, text, edit).width()));
    }
    addFilterLabel(tr("&Actor:"), m_actor);
    addFilterLabel(tr("A&ction:"), m_action);
    addFilterLabel(tr("&Type:"), m_entityType);
    addFilterLabel(tr("&Id:"), m_entityId);
    startFilterRow();
    addFilterWidget(m_sinceEnabled);
    addFilterWidget(m_since);
    addFilterWidget(m_untilEnabled);
    addFilterWidget(m_until);
    filterBar()->addStretch(1);

    // The before/after records under the table.
    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setPlaceholderText(tr("Select an entry to see the record before and after the change."));
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("auditSplitter"));
    pageLayout()->replaceWidget(table(), splitter);
    splitter->addWidget(table());
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    pageLayout()->setStretchFactor(splitter, 1);

    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    for (QLineEdit *edit : {m_actor, m_action->lineEdit(), m_entityId})
        connect(edit, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, &AuditPage::applyFilter);
    connect(m_entityType, &QComboBox::currentIndexChanged, this, &AuditPage::applyFilter);
    connect(m_sinceEnabled, &QCheckBox::toggled, m_since, &QWidget::setEnabled);
    connect(m_sinceEnabled, &QCheckBox::toggled, this, &AuditPage::applyFilter);
    connect(m_since, &QDateTimeEdit::dateTimeChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_untilEnabled, &QCheckBox::toggled, m_until, &QWidget::setEnabled);
    connect(m_untilEnabled, &QCheckBox::toggled, this, &AuditPage::applyFilter);
    connect(m_until, &QDateTimeEdit::dateTimeChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(this, &RecordListPage::selectionChanged, this, &AuditPage::showSelected);
    fitAuditColumns(table());
    // Actors are free text (token names, serials): a long one is elided,
    // and its tooltip shows it whole.
    table()->setColumnWidth(AuditModel::ActorColumn, qMax(160, table()->columnWidth(AuditModel::ActorColumn)));
}

void fitAuditColumns(QTableView *table)
{
    // The widest moment a day can show: two-digit day, month and hour.
    const QDateTime widest(QDate(2026, 12, 28), QTime(23, 58, 58));
    fitColumn(table, AuditModel::AtColumn, {formatDateTime(widest), formatDateTime(widest.toUTC())});
    QStringList actions;
    for (const QString &a : AuditModel::knownActions())
        actions << apiWord(a);
    fitColumn(table, AuditModel::ActionColumn, actions);
    QStringList types;
    for (const QString &t : AuditModel::knownEntityTypes())
        types << apiWord(t);
    fitColumn(table, AuditModel::EntityTypeColumn, types);
}

void AuditPage::restoreState(QSettings &settings)
{
    QList<int> fitting;
    for (int column = 0; column < AuditModel::ColumnCount; ++column)
        fitting << table()->columnWidth(column);
    RecordListPage::restoreState(settings);
    for (int column : {AuditModel::AtColumn, AuditModel::ActionColumn, AuditModel::EntityTypeColumn})
        table()->setColumnWidth(column, qMax(table()->columnWidth(column), fitting.at(column)));
}

void AuditPage::showEntity(const QString &entityType, const QString &entityId)
{
    m_entityType->blockSignals(true);
    m_entityType->setCurrentIndex(qMax(0, m_entityType->findData(entityType)));
    m_entityType->blockSignals(false);
    m_entityId->blockSignals(true);
    m_entityId->setText(entityId);
    m_entityId->blockSignals(false);
    applyFilter();
}

QString AuditPage::actionFilterValue() const
{
    // A listed action, picked or typed in its shown words, is sent as the
    // API's word; anything else is sent as typed.
    const QString text = m_action->currentText().trimmed();
    const int index = m_action->findText(text, Qt::MatchFixedString);
    return index >= 0 ? m_action->itemData(index).toString() : text;
}

void AuditPage::applyFilter()
{
    m_debounce->stop();
    AuditModel::Filter f;
    f.actor = m_actor->text().trimmed();
    f.action = actionFilterValue();
    f.entityType = m_entityType->currentData().toString();
    f.entityId = m_entityId->text().trimmed();
    if (m_sinceEnabled->isChecked())
        f.since = m_since->dateTime();
    if (m_untilEnabled->isChecked())
        f.until = m_until->dateTime();
    // The server refuses an empty window; say so rather than show its 400.
    if (f.since.isValid() && f.until.isValid() && f.until <= f.since) {
        Q_EMIT errorOccurred(tr("\"Until\" must be later than \"Since\"; the filter was not changed."));
        return;
    }
    m_audit->setFilter(f);
}

void AuditPage::showSelected()
{
    const QJsonObject entry = currentRecord();
    if (entry.isEmpty()) {
        m_details->clear();
        return;
    }
    if (!entry.contains(QLatin1String("before")) && !entry.contains(QLatin1String("after"))) {
        m_details->setPlainText(tr("No record data in this entry."));
        return;
    }
    // What changed, member by member, with customers by name.
    const auto names = [this](const QString &path, const QJsonValue &value) {
        if (value.isString() && (path == QLatin1String("customerId") || path.endsWith(QLatin1String(".customerId"))))
            return QStringLiteral("\u201c%1\u201d").arg(m_audit->customerName(value.toString()));
        return QString();
    };
    const QStringList lines = describeChanges(entry.value(QLatin1String("before")).toObject(),
                                              entry.value(QLatin1String("after")).toObject(), names);
    m_details->setPlainText(lines.isEmpty() ? tr("Nothing in the record changed.") : lines.join(QLatin1Char('\n')));
}

} // namespace Provisio::Crm
