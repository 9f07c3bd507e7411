// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractListModel>
#include <QList>
#include <QString>
#include <QtQml/qqmlregistration.h>

namespace Provisio::Kiosk {

// The provisioning steps the progress screen lists, in order, each with its
// live state ("pending", "active", "done", "failed") and a detail line such
// as "Assigned to hub1.provisio.local". The rows are fixed; only their state
// and detail change, so the view never rebuilds while the person watches.
class StepListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Steps come from the Device singleton")
    Q_PROPERTY(int count READ rowCount CONSTANT)
public:
    enum Role { TitleRole = Qt::UserRole + 1, StatusRole, DetailRole, StepRole };
    Q_ENUM(Role)

    // `titles`: one row per step, in the order they happen.
    explicit StepListModel(const QStringList &titles, QObject *parent = nullptr);
    // New titles for the same steps (another language); states stay.
    void setTitles(const QStringList &titles);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Row `step` now has `status` and `detail`; out-of-range rows are ignored.
    void setStep(int step, const QString &status, const QString &detail);
    // Every row back to "pending" with no detail.
    void clear();

    Q_INVOKABLE QString status(int step) const;
    Q_INVOKABLE QString detail(int step) const;

private:
    struct Row
    {
        QString title;
        QString status;
        QString detail;
    };
    QList<Row> m_rows;
};

} // namespace Provisio::Kiosk
