// SPDX-License-Identifier: Apache-2.0
#include "steplistmodel.h"

#include <algorithm>

namespace Provisio::Kiosk {

namespace {
const QString kPending = QStringLiteral("pending");
}

StepListModel::StepListModel(const QStringList &titles, QObject *parent) : QAbstractListModel(parent)
{
    m_rows.reserve(titles.size());
    for (const QString &title : titles)
        m_rows.append(Row{title, kPending, {}});
}

void StepListModel::setTitles(const QStringList &titles)
{
    const int count = std::min(int(titles.size()), int(m_rows.size()));
    for (int i = 0; i < count; ++i)
        m_rows[i].title = titles.at(i);
    if (count > 0)
        Q_EMIT dataChanged(index(0), index(count - 1), {TitleRole, Qt::DisplayRole});
}

int StepListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant StepListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return row.title;
    case StatusRole:
        return row.status;
    case DetailRole:
        return row.detail;
    case StepRole:
        return index.row();
    default:
        return {};
    }
}

QHash<int, QByteArray> StepListModel::roleNames() const
{
    return {{TitleRole, "title"}, {StatusRole, "status"}, {DetailRole, "detail"}, {StepRole, "step"}};
}

void StepListModel::setStep(int step, const QString &status, const QString &detail)
{
    if (step < 0 || step >= m_rows.size())
        return;
    Row &row = m_rows[step];
    if (row.status == status && row.detail == detail)
        return;
    row.status = status;
    row.detail = detail;
    const QModelIndex changed = index(step);
    Q_EMIT dataChanged(changed, changed, {StatusRole, DetailRole});
}

void StepListModel::clear()
{
    for (int i = 0; i < m_rows.size(); ++i)
        setStep(i, kPending, {});
}

QString StepListModel::status(int step) const
{
    return step >= 0 && step < m_rows.size() ? m_rows.at(step).status : QString();
}

QString StepListModel::detail(int step) const
{
    return step >= 0 && step < m_rows.size() ? m_rows.at(step).detail : QString();
}

} // namespace Provisio::Kiosk
