// SPDX-License-Identifier: Apache-2.0
#include "cardpreview.h"
#include "activationcardrenderer.h"

#include <QPainter>

namespace Provisio::Crm {

CardPreview::CardPreview(QWidget *parent) : QWidget(parent)
{
    setMinimumSize(360, 170);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void CardPreview::setCard(const ActivationCard &card)
{
    m_card = card;
    m_hasCard = true;
    update();
}

void CardPreview::setPlaceholder(const QString &text)
{
    m_placeholder = text;
    m_hasCard = false;
    m_card = {};
    update();
}

QSize CardPreview::sizeHint() const
{
    return {540, heightForWidth(540)};
}

int CardPreview::heightForWidth(int width) const
{
    return qRound(width * ActivationCardRenderer::CardHeightMm / ActivationCardRenderer::CardWidthMm);
}

void CardPreview::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    if (!m_hasCard) {
        painter.setPen(palette().placeholderText().color());
        painter.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    const qreal ratio = ActivationCardRenderer::CardWidthMm / ActivationCardRenderer::CardHeightMm;
    QRectF area = QRectF(rect()).adjusted(6, 6, -6, -6);
    QSizeF size(area.width(), area.width() / ratio);
    if (size.height() > area.height())
        size = QSizeF(area.height() * ratio, area.height());
    const QRectF card(area.center() - QPointF(size.width() / 2, size.height() / 2), size);
    ActivationCardRenderer::paint(&painter, card, m_card);
}

} // namespace Provisio::Crm
