// SPDX-License-Identifier: Apache-2.0
#include "appoptions.h"

#include "crmlanguage.h"
#include "mainwindow.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>

namespace Provisio::Crm {

namespace {

struct Parser
{
    QCommandLineParser parser;
    QCommandLineOption url{
        QStringLiteral("url"),
        QCoreApplication::translate("AppOptions", "Middleware URL, e.g. https://provisio.example.com:8443."),
        QStringLiteral("URL")};
    QCommandLineOption tokenFile{QStringLiteral("token-file"),
                                 QCoreApplication::translate("AppOptions", "File holding the access token (pvs_…)."),
                                 QStringLiteral("FILE")};
    QCommandLineOption ca{QStringLiteral("ca"),
                          QCoreApplication::translate("AppOptions", "PEM file of the middleware's CA to trust."),
                          QStringLiteral("FILE")};
    QCommandLineOption profile{
        QStringLiteral("profile"),
        QCoreApplication::translate("AppOptions",
                                    "Saved connection to open; with --url, the name to save that connection under."),
        QStringLiteral("NAME")};
    QCommandLineOption page{QStringLiteral("page"),
                            QCoreApplication::translate("AppOptions",
                                                        "Page to open: inventory, customers, enrollments, hubs, audit, "
                                                        "access (service access, admins only) or overview."),
                            QStringLiteral("PAGE")};
    QCommandLineOption device{
        QStringLiteral("device"),
        QCoreApplication::translate("AppOptions", "Open the details of the device with this serial."),
        QStringLiteral("SERIAL")};
    QCommandLineOption language{
        QStringLiteral("language"),
        QCoreApplication::translate("AppOptions",
                                    "Language of the window for this run: en or de (default: the one chosen in "
                                    "View › Language, else the system's)."),
        QStringLiteral("CODE")};

    Parser()
    {
        parser.setApplicationDescription(QCoreApplication::translate(
            "AppOptions", "Provisio CRM: inventory, customers, enrollments and hubs of a Provisio middleware."));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOptions({url, tokenFile, ca, profile, page, device, language});
    }

    Result<AppOptions> result() const
    {
        AppOptions options;
        if (!parser.positionalArguments().isEmpty())
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));
        if (parser.isSet(url)) {
            options.url = QUrl(parser.value(url), QUrl::StrictMode);
            if (!options.url.isValid() || options.url.host().isEmpty() ||
                options.url.scheme() != QLatin1String("https"))
                return Error(ErrorCode::InvalidInput,
                             QStringLiteral("--url must be an https:// URL with a host, e.g. https://localhost:8443"));
        }
        options.tokenFile = parser.value(tokenFile);
        options.caFile = parser.value(ca);
        options.profile = parser.value(profile);
        if (!options.tokenFile.isEmpty() && options.url.isEmpty())
            return Error(ErrorCode::InvalidInput, QStringLiteral("--token-file needs --url"));
        options.page = parser.value(page);
        options.device = parser.value(device);
        options.language = parser.value(language);
        if (!options.language.isEmpty() && !CrmLanguage::available().contains(options.language))
            return Error(ErrorCode::InvalidInput, QStringLiteral("--language must be one of %1")
                                                      .arg(CrmLanguage::available().join(QStringLiteral(", "))));
        const QStringList pages = MainWindow::pageNames();
        if (!options.page.isEmpty() && !pages.contains(options.page))
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("--page must be one of %1").arg(pages.join(QStringLiteral(", "))));
        return options;
    }
};

} // namespace

Result<AppOptions> AppOptions::parse(const QCoreApplication &app)
{
    Parser p;
    p.parser.process(app); // --help / --version / unknown options exit here
    return p.result();
}

Result<AppOptions> AppOptions::parse(const QStringList &arguments)
{
    Parser p;
    if (!p.parser.parse(arguments))
        return Error(ErrorCode::InvalidInput, p.parser.errorText());
    return p.result();
}

QString AppOptions::languageArgument(const QStringList &arguments)
{
    // As the parser reads it: "--language de" or "--language=de", the last
    // one given; nothing after "--".
    QString code;
    for (int i = 1; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (arg == QLatin1String("--"))
            break;
        if (arg.startsWith(QLatin1String("--language=")))
            code = arg.mid(int(qstrlen("--language=")));
        else if (arg == QLatin1String("--language"))
            code = arguments.value(++i);
    }
    return CrmLanguage::available().contains(code) ? code : QString();
}

Result<QByteArray> AppOptions::readToken() const
{
    QFile file(tokenFile);
    if (!file.open(QIODevice::ReadOnly))
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("cannot read token file %1: %2").arg(tokenFile, file.errorString()));
    const QByteArray token = file.readLine(4096).trimmed();
    if (token.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("token file %1 is empty").arg(tokenFile));
    return token;
}

} // namespace Provisio::Crm
