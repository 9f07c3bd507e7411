// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "activationcard.h"

#include <QWidget>

namespace Provisio::Crm {

// Shows one activation card as it will print, scaled to the widget, or a
// short note while there is no card to show.
class CardPreview : public QWidget
{
    Q_OBJECT
public:
    explicit CardPreview(QWidget *parent = nullptr);

    void setCard(const ActivationCard &card);
    void setPlaceholder(const QString &text); // shown instead of a card
    bool hasCard() const { return m_hasCard; }
    ActivationCard card() const { return m_card; }

    QSize sizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    ActivationCard m_card;
    QString m_placeholder;
    bool m_hasCard = false;
};

} // namespace Provisio::Crm
