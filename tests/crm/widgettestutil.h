// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QCoreApplication>
#include <QDir>
#include <QPixmap>
#include <QSettings>
#include <QStandardPaths>
#include <QWidget>

namespace Provisio::Test {

// Settings of the test's own (test-mode paths, an application name per
// test), emptied, so no layout, filter or saved view of an earlier run or
// of the user's own provisio-crm leaks into what a test sees.
inline void useCleanSettings(const QString &testName)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ProvisioTest"));
    QCoreApplication::setApplicationName(testName);
    QSettings().clear();
}

// With PROVISIO_SCREENSHOT_DIR set, widget tests also save what they show
// as the docs' screenshots (see docs/activation-cards.md); otherwise this
// does nothing.
inline void saveScreenshot(QWidget *widget, const char *name)
{
    const QString dir = qEnvironmentVariable("PROVISIO_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QCoreApplication::processEvents();
    if (!widget->grab().save(QDir(dir).filePath(QString::fromLatin1(name))))
        qWarning("cannot save the screenshot %s", name);
}

} // namespace Provisio::Test
