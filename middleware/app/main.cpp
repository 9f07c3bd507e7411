// SPDX-License-Identifier: Apache-2.0
#include "cli.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("provisio-middleware"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PROVISIO_VERSION));
    return Provisio::runMiddlewareCli(QCoreApplication::arguments());
}
