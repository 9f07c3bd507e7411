// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QFrame>

class QLabel;
class QToolButton;
class QTimer;

namespace Provisio::Crm {

// An inline, non-modal message strip shown above a view: errors stay until
// dismissed (the user must be able to read and quote the tracking id), good
// news fades after a few seconds. Nothing here blocks the window.
class MessageBanner : public QFrame
{
    Q_OBJECT
public:
    enum class Kind { Information, Positive, Error };

    explicit MessageBanner(QWidget *parent = nullptr);

    void showMessage(Kind kind, const QString &text);
    void showError(const QString &text) { showMessage(Kind::Error, text); }
    void showInformation(const QString &text) { showMessage(Kind::Information, text); }
    void showPositive(const QString &text) { showMessage(Kind::Positive, text); }
    void dismiss();

    Kind kind() const { return m_kind; }
    QString text() const;

private:
    QLabel *m_label = nullptr;
    QToolButton *m_close = nullptr;
    QTimer *m_autoHide = nullptr;
    Kind m_kind = Kind::Information;
};

} // namespace Provisio::Crm
