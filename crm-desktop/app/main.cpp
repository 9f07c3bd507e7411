// SPDX-License-Identifier: Apache-2.0
// provisio-crm: the CRM administrator's desktop. Everything lives in
// crm_app; this only makes the application object and starts a Session.
#include "appoptions.h"
#include "crmlanguage.h"
#include "session.h"

#include <QApplication>
#include <QIcon>
#include <QLoggingCategory>

#include <cstdio>

int main(int argc, char *argv[])
{
    // --help and --version answer without a display (over ssh, in scripts).
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v" || arg == "--version") {
            QCoreApplication core(argc, argv);
            QCoreApplication::setOrganizationName(QStringLiteral("Provisio"));
            QCoreApplication::setApplicationName(QStringLiteral("provisio-crm"));
            QCoreApplication::setApplicationVersion(QStringLiteral(PROVISIO_VERSION));
            // In the language the window would have (--language, else the
            // one chosen in View › Language, else the system's), and with
            // nothing but the help on the terminal.
            QLoggingCategory::setFilterRules(QStringLiteral("provisio.*=false"));
            const QString language = Provisio::Crm::AppOptions::languageArgument(core.arguments());
            Provisio::Crm::CrmLanguage::install(language.isEmpty() ? Provisio::Crm::CrmLanguage::effective()
                                                                   : language);
            Provisio::Crm::AppOptions::parse(core); // prints and exits
            return 0;
        }
    }
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Provisio"));
    QApplication::setApplicationName(QStringLiteral("provisio-crm"));
    QApplication::setApplicationDisplayName(QStringLiteral("Provisio CRM")); // a name: not translated
    QApplication::setApplicationVersion(QStringLiteral(PROVISIO_VERSION));

    const auto options = Provisio::Crm::AppOptions::parse(app);
    if (!options.ok()) {
        std::fprintf(stderr, "provisio-crm: %s\n", qPrintable(options.error().message));
        return 2;
    }
    // The language chosen in View › Language (or --language), else the system's.
    Provisio::Crm::CrmLanguage::install(options->language.isEmpty() ? Provisio::Crm::CrmLanguage::effective()
                                                                    : options->language);
    Provisio::Crm::Session session;
    QObject::connect(&session, &Provisio::Crm::Session::quitRequested, &app,
                     [](int code) { QCoreApplication::exit(code); });
    session.start(*options);
    return app.exec();
}
