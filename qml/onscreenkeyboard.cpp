// SPDX-License-Identifier: Apache-2.0
#include "onscreenkeyboard.h"

#include <QGuiApplication>
#include <QInputMethod>

namespace Provisio::Kiosk {

OnScreenKeyboard::OnScreenKeyboard(QObject *parent) : QObject(parent)
{
    connect(QGuiApplication::inputMethod(), &QInputMethod::visibleChanged, this, &OnScreenKeyboard::visibleChanged);
}

bool OnScreenKeyboard::isVisible() const
{
    return QGuiApplication::inputMethod()->isVisible();
}

void OnScreenKeyboard::show()
{
    QGuiApplication::inputMethod()->show();
}

void OnScreenKeyboard::hide()
{
    QGuiApplication::inputMethod()->hide();
}

} // namespace Provisio::Kiosk
