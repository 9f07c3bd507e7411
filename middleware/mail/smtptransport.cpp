// SPDX-License-Identifier: Apache-2.0
#include "smtptransport.h"

#include <QHostAddress>
#include <QUrl>

#include <curl/curl.h>

#include <cstring>
#include <memory>
#include <mutex>

namespace Provisio {

namespace {

struct Upload
{
    const QByteArray *data;
    qsizetype offset = 0;
};

size_t readChunk(char *buffer, size_t size, size_t count, void *userdata)
{
    auto *upload = static_cast<Upload *>(userdata);
    const size_t room = size * count;
    const size_t left = size_t(upload->data->size() - upload->offset);
    const size_t n = qMin(room, left);
    std::memcpy(buffer, upload->data->constData() + upload->offset, n);
    upload->offset += qsizetype(n);
    return n;
}

bool isLocalHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

} // namespace

void SmtpTransport::initGlobal()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

SmtpTransport::Outcome SmtpTransport::send(const Settings &settings, const QString &from, const QString &to,
                                           const QByteArray &message)
{
    initGlobal();
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl)
        return {false, false, QStringLiteral("cannot start an SMTP session (libcurl)")};
    const QUrl url(settings.url);
    const bool implicitTls = url.scheme() == QLatin1String("smtps");
    const bool auth = !settings.user.isEmpty();
    const QByteArray urlBytes = settings.url.toUtf8();
    const QByteArray fromBytes = '<' + from.toUtf8() + '>';
    const QByteArray toBytes = '<' + to.toUtf8() + '>';
    const QByteArray user = settings.user.toUtf8();
    const QByteArray password = settings.password.toUtf8();
    const QByteArray caFile = settings.caFile.toLocal8Bit();
    char errorText[CURL_ERROR_SIZE] = {};
    Upload upload{&message};
    curl_slist *recipients = curl_slist_append(nullptr, toBytes.constData());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipientList(recipients, &curl_slist_free_all);

    CURL *c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, urlBytes.constData());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errorText);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(settings.timeoutMs));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(settings.timeoutMs));
    if (!implicitTls) {
        // STARTTLS whenever offered; before AUTH to another machine it is a
        // must, so a password never crosses a network in the clear.
        curl_easy_setopt(c, CURLOPT_USE_SSL, long(auth && !isLocalHost(url.host()) ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    }
    if (!caFile.isEmpty())
        curl_easy_setopt(c, CURLOPT_CAINFO, caFile.constData());
    if (auth) {
        curl_easy_setopt(c, CURLOPT_USERNAME, user.constData());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password.constData());
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, fromBytes.constData());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &readChunk);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.size()));

    const CURLcode result = curl_easy_perform(c);
    if (result == CURLE_OK)
        return {true, false, {}};
    long response = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response);
    QString error = QString::fromUtf8(errorText).trimmed();
    if (error.isEmpty())
        error = QString::fromUtf8(curl_easy_strerror(result));
    if (response > 0)
        error += QStringLiteral(" (SMTP %1)").arg(response);
    // 5xx: the server will not take this mail, however often it is asked.
    return {false, response >= 500 && response < 600, error};
}

} // namespace Provisio
