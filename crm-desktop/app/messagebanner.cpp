// SPDX-License-Identifier: Apache-2.0
#include "messagebanner.h"

#include <QColor>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

namespace Provisio::Crm {

MessageBanner::MessageBanner(QWidget *parent)
    : QFrame(parent), m_label(new QLabel(this)), m_close(new QToolButton(this)), m_autoHide(new QTimer(this))
{
    setObjectName(QStringLiteral("messageBanner"));
    setFrameShape(QFrame::StyledPanel);
    m_label->setObjectName(QStringLiteral("messageBannerText"));
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Dismiss"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_close, 0, Qt::AlignTop);
    m_autoHide->setSingleShot(true);
    connect(m_autoHide, &QTimer::timeout, this, &MessageBanner::dismiss);
    connect(m_close, &QToolButton::clicked, this, &MessageBanner::dismiss);
    hide();
}

void MessageBanner::showMessage(Kind kind, const QString &text)
{
    m_kind = kind;
    m_label->setText(text);
    // Colours that read on light and dark palettes alike: a tinted
    // background with a strong left edge, as KMessageWidget does.
    QString colour;
    switch (kind) {
    case Kind::Error:
        colour = QStringLiteral("#da4453");
        break;
    case Kind::Positive:
        colour = QStringLiteral("#27ae60");
        break;
    case Kind::Information:
        colour = QStringLiteral("#3daee9");
        break;
    }
    const QColor c(colour);
    setStyleSheet(QStringLiteral("#messageBanner { border: 1px solid %1; border-left: 4px solid %1; "
                                 "border-radius: 3px; background-color: rgba(%2, %3, %4, 40); }")
                      .arg(colour)
                      .arg(c.red())
                      .arg(c.green())
                      .arg(c.blue()));
    show();
    if (kind == Kind::Error)
        m_autoHide->stop();
    else
        m_autoHide->start(6000);
}

void MessageBanner::dismiss()
{
    m_autoHide->stop();
    hide();
}

QString MessageBanner::text() const
{
    return m_label->text();
}

} // namespace Provisio::Crm
