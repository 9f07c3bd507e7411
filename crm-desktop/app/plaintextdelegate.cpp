// SPDX-License-Identifier: Apache-2.0
#include "plaintextdelegate.h"

#include <QApplication>
#include <QFontMetrics>
#include <QPainter>
#include <QStyle>
#include <QTextLayout>
#include <QWidget>

#include <cmath>
#include <memory>

namespace Provisio::Crm {

namespace {

// Text that one QTextLayout line shows as the style shows it: no line
// breaks (the delegate turns "\n" into a line separator), no tabs or other
// control characters whose width depends on a tab stop or the engine.
bool isOneLine(const QString &text)
{
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u == 0x7f || u == QChar::LineSeparator || u == QChar::ParagraphSeparator)
            return false;
    }
    return true;
}

} // namespace

PlainTextDelegate::PlainTextDelegate(QObject *parent) : QStyledItemDelegate(parent) { }

bool PlainTextDelegate::isPlainStyle(const QStyle *style)
{
    // Fusion and Windows paint an item view's cell as QCommonStyle does
    // (the item panel, then the text); a style sheet or a proxy may not.
    if (!style || style->inherits("QStyleSheetStyle") || style->inherits("QProxyStyle"))
        return false;
    const QString name = style->name();
    return name.compare(QLatin1String("fusion"), Qt::CaseInsensitive) == 0 ||
           name.compare(QLatin1String("windows"), Qt::CaseInsensitive) == 0;
}

void PlainTextDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    if (style != m_style) {
        m_style = style;
        m_plainStyle = isPlainStyle(style);
        m_texts.clear();
    }
    constexpr auto notPlain =
        QStyleOptionViewItem::HasCheckIndicator | QStyleOptionViewItem::HasDecoration | QStyleOptionViewItem::WrapText;
    if (!m_plainStyle || (opt.features & notPlain) || (opt.state & (QStyle::State_HasFocus | QStyle::State_Editing)) ||
        opt.direction != Qt::LeftToRight || opt.textElideMode == Qt::ElideNone || !isOneLine(opt.text)) {
        // What QStyledItemDelegate::paint() does with the option it built.
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
        return;
    }

    painter->save();
    painter->setClipRect(opt.rect);
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, painter, widget);
    if (!opt.text.isEmpty()) {
        QPalette::ColorGroup group = (opt.state & QStyle::State_Enabled) ? QPalette::Normal : QPalette::Disabled;
        if (group == QPalette::Normal && !(opt.state & QStyle::State_Active))
            group = QPalette::Inactive;
        painter->setPen(opt.palette.color(group, (opt.state & QStyle::State_Selected) ? QPalette::HighlightedText
                                                                                      : QPalette::Text));
        // Without an icon or a check box the text has the whole cell less
        // the style's text margin on either side.
        const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 1;
        const QRect rect = opt.rect.adjusted(margin, 0, -margin, 0);
        const Laid &laid = laidOut(opt.text, opt.font, rect,
                                   QStyle::visualAlignment(opt.direction, opt.displayAlignment), opt.textElideMode);
        laid.layout->draw(painter, rect.topLeft() + laid.offset);
    }
    painter->restore();
}

int PlainTextDelegate::fontIndexOf(const QFont &font) const
{
    // A table shows one font or a few (a bold cell).
    for (int i = 0; i < m_fonts.size(); ++i)
        if (m_fonts.at(i) == font)
            return i;
    if (m_fonts.size() >= kMaxFonts) {
        m_fonts.clear();
        m_texts.clear();
    }
    m_fonts.append(font);
    return int(m_fonts.size()) - 1;
}

const PlainTextDelegate::Laid &PlainTextDelegate::laidOut(const QString &text, const QFont &font, const QRect &rect,
                                                          Qt::Alignment alignment, Qt::TextElideMode elide) const
{
    Key key{text, rect.width(), rect.height(), int(alignment), fontIndexOf(font)};
    const auto found = m_texts.constFind(key);
    if (found != m_texts.constEnd())
        return *found;
    if (m_texts.size() >= kMaxCachedTexts)
        m_texts.clear();

    // Laid out as the style lays it out: one line as wide as the room,
    // aligned in it, elided where it does not fit. The style lays the text out again on every paint (and
    // twice more to measure it); here it is laid out once and kept.
    QTextOption option;
    option.setWrapMode(QTextOption::ManualWrap);
    option.setTextDirection(Qt::LeftToRight);
    option.setAlignment(alignment);
    const auto layOut = [&](const QString &shown) {
        auto layout = std::make_shared<QTextLayout>(shown, font);
        layout->setTextOption(option);
        layout->setCacheEnabled(true); // keeps the shaped glyphs for the next paint
        layout->beginLayout();
        layout->createLine().setLineWidth(rect.width());
        layout->endLayout();
        return layout;
    };
    // Elided on the right, a long text (an audit entry's record) shows only
    // its beginning: a prefix that is itself wider than the room elides to
    // the same line, so the rest is never shaped. (A prefix of as many
    // characters as the room has pixels is that wide unless most of them
    // have no width; then the whole text is used.)
    QString measured = text;
    if (elide == Qt::ElideRight && text.size() > rect.width() + kPrefixSlack) {
        qsizetype cut = rect.width() + kPrefixSlack;
        if (text.at(cut - 1).isHighSurrogate())
            ++cut;
        measured = text.left(cut);
    }
    Laid laid{layOut(measured), QPointF()};
    if (measured.size() < text.size() && !(laid.layout->lineAt(0).naturalTextWidth() > rect.width())) {
        measured = text;
        laid.layout = layOut(measured);
    }
    if (laid.layout->lineAt(0).naturalTextWidth() > rect.width())
        laid.layout = layOut(QFontMetrics(font).elidedText(measured, elide, rect.width()));
    // The style puts the line at a whole pixel: with an odd number of
    // pixels to spare, the odd one goes below.
    const qreal height = laid.layout->lineAt(0).height();
    if (alignment & Qt::AlignVCenter)
        laid.offset.setY(std::floor((rect.height() - height) / 2));
    else if (alignment & Qt::AlignBottom)
        laid.offset.setY(std::floor(rect.height() - height));
    return *m_texts.insert(std::move(key), std::move(laid));
}

} // namespace Provisio::Crm
