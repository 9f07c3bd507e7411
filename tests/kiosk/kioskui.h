// SPDX-License-Identifier: Apache-2.0
#pragma once

// Helpers for driving the kiosk's real QML window from C++ tests, the way a
// finger or a keyboard would: find an item by objectName, tap it, type.
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>

namespace Provisio::Test {

// The first item named `objectName` among `item`'s visual descendants.
inline QQuickItem *visualChild(QQuickItem *item, const QString &objectName)
{
    for (QQuickItem *child : item->childItems()) {
        if (child->objectName() == objectName)
            return child;
        if (QQuickItem *found = visualChild(child, objectName))
            return found;
    }
    return nullptr;
}

inline QQuickItem *kioskItem(QQuickWindow *window, const char *objectName)
{
    // QML parents the window's items to the window object, popups' contents
    // to the overlay: search both trees. A Repeater's items are visual
    // children only (their QObject parent is not the item they sit in).
    if (auto *found = window->findChild<QQuickItem *>(QLatin1String(objectName)))
        return found;
    if (auto *found = window->contentItem()->findChild<QQuickItem *>(QLatin1String(objectName)))
        return found;
    return visualChild(window->contentItem(), QLatin1String(objectName));
}

// Whether the item and all its ancestors are shown.
inline bool isShown(QQuickItem *item)
{
    return item && item->isVisible() && item->opacity() > 0;
}

// The top of the on-screen keyboard in the window, or the window's height
// while the keyboard is down.
inline qreal keyboardTop(QQuickWindow *window)
{
    auto *panel = kioskItem(window, "inputPanel");
    if (!panel || !panel->property("shown").toBool())
        return window->height();
    return panel->mapToScene(QPointF(0, 0)).y();
}

// Whether all of the item is on screen and above the on-screen keyboard.
inline bool isAboveKeyboard(QQuickWindow *window, QQuickItem *item)
{
    const QRectF rect = item->mapRectToScene(QRectF(0, 0, item->width(), item->height()));
    return rect.top() >= 0 && rect.bottom() <= keyboardTop(window);
}

// A tap in the middle of the item (a mouse click: Qt Quick Controls treat
// both alike). Refused for an item a finger could not reach: hidden,
// disabled, off screen or under the keyboard.
inline bool tap(QQuickWindow *window, QQuickItem *item)
{
    if (!isShown(item) || !item->isEnabled())
        return false;
    const QPointF centre = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    if (centre.x() < 0 || centre.y() < 0 || centre.x() > window->width() || centre.y() >= keyboardTop(window))
        return false;
    QTest::mouseClick(window, Qt::LeftButton, Qt::NoModifier, centre.toPoint());
    return true;
}

// Types `text` (ASCII) into whatever has the focus, one key at a time.
inline void typeText(QQuickWindow *window, const QString &text)
{
    for (const QChar c : text)
        QTest::keyClick(window, c.toLatin1());
}

} // namespace Provisio::Test
