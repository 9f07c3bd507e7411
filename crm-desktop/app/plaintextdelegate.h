// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QFont>
#include <QHash>
#include <QList>
#include <QStyledItemDelegate>
#include <QTextLayout>

#include <memory>

namespace Provisio::Crm {

// The record tables' cells: one line of plain text, as QStyledItemDelegate
// paints it, without laying the text out on every paint. The style's item
// painting lays each cell's text out two or three times per paint (its
// size, its elision, the drawing) with QTextLayout, most of what scrolling a
// table costs; here a cell's text is laid out (and elided) once and the
// layout kept, with its shaped glyphs, until the text, the cell's size or
// the font change.
//
// Only cells that are plain text take this path: a cell with an icon, a
// check box, wrapped or multi-line text, the focus frame, an editor, a
// right-to-left layout, text that must not be elided, or a style that
// paints items its own way (a style sheet, a proxy, a platform style other
// than Fusion or Windows) is painted by
// QStyledItemDelegate as before. What this path draws is the same as the
// style draws (the item panel by the style, the text in the palette's
// colour for its state, aligned and elided alike): tst_crm_app_delegate
// compares the two pixel by pixel.
class PlainTextDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit PlainTextDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // Laid-out texts kept at most; past it the cache starts again (a screen
    // of a table shows some 40 rows of 10 cells).
    static constexpr int kMaxCachedTexts = 2048;
    int cachedTexts() const { return int(m_texts.size()); }

private:
    struct Key
    {
        QString text;
        int width; // the room for the text; elision and alignment depend on it
        int height;
        int alignment;
        int font; // in m_fonts
        bool operator==(const Key &o) const
        {
            return width == o.width && height == o.height && alignment == o.alignment && font == o.font &&
                   text == o.text;
        }
    };
    friend size_t qHash(const Key &key, size_t seed)
    {
        return qHashMulti(seed, key.text, key.width, key.height, key.alignment, key.font);
    }
    struct Laid
    {
        std::shared_ptr<QTextLayout> layout;
        QPointF offset; // from the text rectangle's top left to the layout's
    };

    // Whether the style paints an item the way this delegate repeats.
    static bool isPlainStyle(const QStyle *style);
    int fontIndexOf(const QFont &font) const;
    const Laid &laidOut(const QString &text, const QFont &font, const QRect &rect, Qt::Alignment alignment,
                        Qt::TextElideMode elide) const;

    mutable QHash<Key, Laid> m_texts;
    static constexpr int kMaxFonts = 8;
    // Characters past the room's width in pixels kept of a long text to
    // elide (so a cluster at the cut does not matter).
    static constexpr int kPrefixSlack = 16;
    mutable QList<QFont> m_fonts; // the fonts of the texts in m_texts
    mutable const QStyle *m_style = nullptr;
    mutable bool m_plainStyle = false;
};

} // namespace Provisio::Crm
