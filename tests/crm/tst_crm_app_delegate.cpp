// SPDX-License-Identifier: Apache-2.0
// The record tables' PlainTextDelegate paints what QStyledItemDelegate
// paints: two tables over the same model, one with each delegate, are
// rendered (offscreen, Fusion) and compared pixel by pixel, with selected,
// alternating, coloured, aligned, elided, empty and non-Latin cells, and
// again after the texts and the column widths changed (a stale cached
// text would show there). Cells the delegate leaves to the style (an icon,
// a check box, several lines) are in the same tables.

#include "plaintextdelegate.h"

#include <QApplication>
#include <QHeaderView>
#include <QImage>
#include <QItemSelectionModel>
#include <QPainter>
#include <QPixmap>
#include <QStandardItemModel>
#include <QStyle>
#include <QStyleFactory>
#include <QTableView>
#include <QTest>

using namespace Provisio::Crm;

namespace {

QString longRecord()
{
    QString record = QStringLiteral("{\"serial\":\"SN-B-0000001\",\"notes\":\"");
    for (int i = 0; i < 400; ++i)
        record += QStringLiteral("Zähler %1 ✓ ").arg(i);
    return record + QStringLiteral("\"}");
}

QStandardItemModel *buildModel(QObject *parent)
{
    const QStringList texts = {
        QStringLiteral("SN-B-0000001"),
        QStringLiteral("Sensor 2"),
        QStringLiteral("Müller & Söhne GmbH — Zählerwerk Nord, Halle 3, Tor 7"),
        QString(),
        QStringLiteral("2026-11-20"),
        QStringLiteral("assigned · connected"),
        QStringLiteral("hub-eu-west-1.example.net"),
        QStringLiteral("设备 東京 ß ﬁ"),
        QStringLiteral("  leading and trailing  "),
        QStringLiteral("WWWWWWWWWWWWWWWWWWWWWWWWWWWWWW"),
        QStringLiteral("iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii"),
        QStringLiteral("x"),
    };
    auto *model = new QStandardItemModel(14, 6, parent);
    for (int row = 0; row < model->rowCount(); ++row) {
        for (int column = 0; column < model->columnCount(); ++column) {
            auto *item = new QStandardItem(texts.at((row * 5 + column * 3) % texts.size()));
            if (column == 3) // numbers, right-aligned
                item->setData(int(Qt::AlignRight | Qt::AlignVCenter), Qt::TextAlignmentRole);
            if (column == 4 && row % 3 == 0)
                item->setData(int(Qt::AlignHCenter | Qt::AlignVCenter), Qt::TextAlignmentRole);
            if (row % 4 == 1 && column == 1) // as the hubs' and access policies' states
                item->setForeground(QColor(0xc0, 0x39, 0x2b));
            if (row == 6 && column == 2)
                item->setBackground(QColor(0xfd, 0xeb, 0xd0));
            if (row == 9 && column == 0) // left to the style
                item->setCheckState(Qt::Checked);
            if (row == 10 && column == 5) {
                QPixmap pixmap(12, 12);
                pixmap.fill(Qt::darkGreen);
                item->setIcon(QIcon(pixmap));
            }
            if (row == 11 && column == 2)
                item->setText(QStringLiteral("two\nlines"));
            if (row == 12 && column == 1)
                item->setText(QStringLiteral("tab\there"));
            if (row == 8 && column % 2 == 0) // an audit entry's record: only its start shows
                item->setText(longRecord());
            if (row == 13 && column == 3)
                item->setFont(QFont(QApplication::font().family(), 15, QFont::Bold));
            model->setItem(row, column, item);
        }
    }
    return model;
}

void setUpTable(QTableView &view, QAbstractItemModel *model, int rowPadding = 8)
{
    // As RecordListPage sets up its table.
    view.setModel(model);
    view.setSelectionBehavior(QAbstractItemView::SelectRows);
    view.setSelectionMode(QAbstractItemView::ExtendedSelection);
    view.setAlternatingRowColors(true);
    view.setWordWrap(false);
    view.verticalHeader()->hide();
    view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view.verticalHeader()->setDefaultSectionSize(view.fontMetrics().height() + rowPadding);
    view.horizontalHeader()->setStretchLastSection(true);
    view.horizontalHeader()->setDefaultSectionSize(120);
    view.resize(820, 420);
}

void select(QTableView &view, const QList<int> &rows)
{
    for (int row : rows)
        view.selectionModel()->select(view.model()->index(row, 0),
                                      QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

// The first pixel where the two differ, or an empty string.
QString firstDifference(const QImage &a, const QImage &b)
{
    if (a.size() != b.size())
        return QStringLiteral("sizes differ");
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x)
            if (a.pixel(x, y) != b.pixel(x, y))
                return QStringLiteral("(%1, %2): %3 against %4")
                    .arg(x)
                    .arg(y)
                    .arg(a.pixel(x, y), 8, 16)
                    .arg(b.pixel(x, y), 8, 16);
    return {};
}

} // namespace

class TestCrmAppDelegate : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void paintsAsTheStyle_data();
    void paintsAsTheStyle();
    void keepsItsCacheBounded();
};

void TestCrmAppDelegate::initTestCase()
{
    // The style the app gets on Linux without a desktop theme; the
    // delegate's own path is taken only for a style it repeats.
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));
}

void TestCrmAppDelegate::paintsAsTheStyle_data()
{
    QTest::addColumn<QList<int>>("selectedRows");
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<int>("elide");
    // The record pages' rows are the font's height + 8, the device
    // detail's telemetry + 6: the text is centred on a half pixel in
    // both; + 7 centres it on a whole one.
    QTest::addColumn<int>("rowPadding");
    QTest::newRow("nothing selected") << QList<int>{} << true << int(Qt::ElideRight) << 8;
    QTest::newRow("rows selected") << QList<int>{0, 3, 4, 9, 10, 13} << true << int(Qt::ElideRight) << 8;
    QTest::newRow("disabled") << QList<int>{2} << false << int(Qt::ElideRight) << 8;
    QTest::newRow("elided in the middle") << QList<int>{1} << true << int(Qt::ElideMiddle) << 8;
    QTest::newRow("elided on the left") << QList<int>{} << true << int(Qt::ElideLeft) << 8;
    QTest::newRow("not elided (left to the style)") << QList<int>{5} << true << int(Qt::ElideNone) << 8;
    QTest::newRow("rows 7 pixels taller than the font") << QList<int>{1, 2} << true << int(Qt::ElideRight) << 7;
    QTest::newRow("rows 6 pixels taller than the font") << QList<int>{} << true << int(Qt::ElideRight) << 6;
}

void TestCrmAppDelegate::paintsAsTheStyle()
{
    QFETCH(QList<int>, selectedRows);
    QFETCH(bool, enabled);
    QFETCH(int, elide);
    QFETCH(int, rowPadding);

    QStandardItemModel *model = buildModel(this);
    QTableView styled;
    QTableView plain;
    setUpTable(styled, model, rowPadding);
    setUpTable(plain, model, rowPadding);
    auto *delegate = new PlainTextDelegate(&plain);
    plain.setItemDelegate(delegate);
    for (QTableView *view : {&styled, &plain}) {
        view->setTextElideMode(Qt::TextElideMode(elide));
        view->setEnabled(enabled);
        select(*view, selectedRows);
        view->horizontalHeader()->resizeSection(2, 150); // the long names elide here
        view->horizontalHeader()->resizeSection(3, 64);
    }

    const QImage before = styled.grab().toImage();
    const QImage after = plain.grab().toImage();
    QVERIFY2(firstDifference(before, after).isEmpty(), qPrintable(firstDifference(before, after)));
    // The cells were painted by the delegate's own path, not left to the
    // style (which it does for text it must not elide).
    if (elide != Qt::ElideNone)
        QVERIFY2(delegate->cachedTexts() > 20, qPrintable(QString::number(delegate->cachedTexts())));
    else
        QCOMPARE(delegate->cachedTexts(), 0);

    // New texts and narrower columns: what was cached for the old ones
    // must not be painted.
    model->item(0, 0)->setText(QStringLiteral("SN-B-0000002"));
    model->item(2, 2)->setText(QStringLiteral("Gateway"));
    model->item(4, 1)->setForeground(QColor(0x27, 0xae, 0x60));
    for (QTableView *view : {&styled, &plain}) {
        view->horizontalHeader()->resizeSection(0, 70);
        view->horizontalHeader()->resizeSection(2, 96);
    }
    const QImage styledAgain = styled.grab().toImage();
    const QImage plainAgain = plain.grab().toImage();
    QVERIFY2(styledAgain != before, "the change shows");
    QVERIFY2(firstDifference(styledAgain, plainAgain).isEmpty(), qPrintable(firstDifference(styledAgain, plainAgain)));
}

void TestCrmAppDelegate::keepsItsCacheBounded()
{
    // Scrolling through many rows lays out many texts; the cache starts
    // again past its bound instead of growing with the rows.
    QStandardItemModel model(PlainTextDelegate::kMaxCachedTexts + 100, 1);
    for (int row = 0; row < model.rowCount(); ++row)
        model.setItem(row, 0, new QStandardItem(QStringLiteral("SN-%1").arg(row)));
    QTableView view;
    setUpTable(view, &model);
    auto *delegate = new PlainTextDelegate(&view);
    view.setItemDelegate(delegate);
    QImage image(400, 30, QImage::Format_ARGB32_Premultiplied);
    QPainter painter(&image);
    QStyleOptionViewItem option;
    option.initFrom(&view);
    option.rect = QRect(0, 0, 400, 30);
    option.widget = &view;
    int most = 0;
    for (int row = 0; row < model.rowCount(); ++row) {
        delegate->paint(&painter, option, model.index(row, 0));
        most = qMax(most, delegate->cachedTexts());
    }
    QCOMPARE(most, PlainTextDelegate::kMaxCachedTexts);
    QCOMPARE(delegate->cachedTexts(), 100);
}

QTEST_MAIN(TestCrmAppDelegate)
#include "tst_crm_app_delegate.moc"
