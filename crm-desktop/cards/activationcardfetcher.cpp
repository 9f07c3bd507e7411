// SPDX-License-Identifier: Apache-2.0
#include "activationcardfetcher.h"

#include "apicall.h"
#include "apiclient.h"
#include "protocol/enrollment.h"

#include <QJsonArray>
#include <QSet>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcCrmCards, "provisio.crm.cards")

namespace Provisio::Crm {

ActivationCardFetcher::ActivationCardFetcher(ApiClient *api, QObject *parent) : QObject(parent), m_api(api)
{
    qRegisterMetaType<ActivationCard>();
    qRegisterMetaType<FullKey>();
}

void ActivationCardFetcher::start(const QStringList &serials)
{
    if (m_running)
        return;
    m_serials.clear();
    QSet<QString> seen;
    for (const QString &raw : serials) {
        const QString serial = raw.trimmed();
        if (serial.isEmpty() || seen.contains(serial))
            continue;
        seen.insert(serial);
        m_serials << serial;
    }
    m_next = m_done = m_active = 0;
    m_cancelled = false;
    m_running = true;
    qCInfo(lcCrmCards) << "issuing activation codes for" << m_serials.size() << "devices";
    Q_EMIT progress(0, total());
    if (m_serials.isEmpty()) {
        m_running = false;
        Q_EMIT finished();
        return;
    }
    fetchService();
}

void ActivationCardFetcher::cancel()
{
    if (!m_running)
        return;
    m_cancelled = true;
    if (m_active == 0)
        jobEnded();
}

// The ID scope is printed on every card; one call for the whole batch.
void ActivationCardFetcher::fetchService()
{
    ApiCall *call = m_api->get(QStringLiteral("service"));
    connect(call, &ApiCall::finished, this, [this](const QJsonDocument &body, const QByteArray &) {
        if (!m_running || m_cancelled) {
            jobEnded();
            return;
        }
        m_idScope = body.object().value(QStringLiteral("idScope")).toString();
        for (int i = 0; i < Parallel; ++i)
            startNext();
    });
    connect(call, &ApiCall::failed, this, [this](const ApiFailure &failure) {
        if (!m_running)
            return;
        // Without the service nothing else would work either: fail every card
        // with the one reason instead of hundreds of identical requests.
        const QString message = failure.message;
        for (int i = 0; i < int(m_serials.size()); ++i) {
            ++m_done;
            Q_EMIT cardFailed(i, m_serials.at(i), message);
        }
        m_next = int(m_serials.size());
        Q_EMIT progress(m_done, total());
        jobEnded();
    });
}

void ActivationCardFetcher::startNext()
{
    if (m_cancelled || m_next >= m_serials.size())
        return;
    Job job;
    job.index = m_next++;
    job.card.serial = m_serials.at(job.index);
    job.card.idScope = m_idScope;
    job.card.middlewareUrl = m_api->baseUrl().toString();
    ++m_active;
    fetchDevice(job);
}

void ActivationCardFetcher::fetchDevice(Job job)
{
    ApiCall *call = m_api->get(QStringLiteral("devices/") + ApiClient::segment(job.card.serial));
    connect(call, &ApiCall::finished, this, [this, job](const QJsonDocument &body, const QByteArray &) mutable {
        const QJsonObject device = body.object();
        job.card.model = device.value(QStringLiteral("model")).toString();
        job.customerId = device.value(QStringLiteral("customerId")).toString();
        fetchCustomer(job);
    });
    connect(call, &ApiCall::failed, this, [this, job](const ApiFailure &failure) {
        fail(job,
             failure.code == ErrorCode::NotFound ? tr("no device with this serial in the inventory") : failure.message);
    });
}

void ActivationCardFetcher::fetchCustomer(Job job)
{
    if (job.customerId.isEmpty()) {
        fetchEnrollment(job);
        return;
    }
    if (const auto known = m_customerNames.constFind(job.customerId); known != m_customerNames.constEnd()) {
        job.card.customerName = known.value();
        fetchEnrollment(job);
        return;
    }
    ApiCall *call = m_api->get(QStringLiteral("customers/") + ApiClient::segment(job.customerId));
    connect(call, &ApiCall::finished, this, [this, job](const QJsonDocument &body, const QByteArray &) mutable {
        job.card.customerName = body.object().value(QStringLiteral("name")).toString();
        m_customerNames.insert(job.customerId, job.card.customerName);
        fetchEnrollment(job);
    });
    connect(call, &ApiCall::failed, this,
            [this, job](const ApiFailure &failure) { fail(job, tr("cannot read the customer: ") + failure.message); });
}

void ActivationCardFetcher::fetchEnrollment(Job job)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("serial"), job.card.serial);
    query.addQueryItem(QStringLiteral("limit"), QStringLiteral("1"));
    ApiCall *call = m_api->get(QStringLiteral("enrollments"), query);
    connect(call, &ApiCall::finished, this, [this, job](const QJsonDocument &body, const QByteArray &) mutable {
        const QJsonArray items = body.object().value(QStringLiteral("items")).toArray();
        if (items.isEmpty()) {
            fail(job, tr("the device has no enrollment yet; create one first"));
            return;
        }
        const auto enrollment = Enrollment::fromJson(items.first().toObject());
        if (!enrollment) {
            fail(job, tr("cannot read the enrollment: ") + enrollment.error().message);
            return;
        }
        job.card.registrationId = enrollment->registrationId;
        issueCode(job);
    });
    connect(call, &ApiCall::failed, this, [this, job](const ApiFailure &failure) {
        fail(job, tr("cannot read the enrollment: ") + failure.message);
    });
}

void ActivationCardFetcher::issueCode(Job job)
{
    // Last chance to honour a cancel before anything changes on the server.
    if (m_cancelled) {
        fail(job, tr("cancelled; no code was issued"));
        return;
    }
    ApiCall *call = m_api->post(QStringLiteral("enrollments/") + ApiClient::segment(job.card.registrationId) +
                                    QStringLiteral("/activation-code"),
                                QJsonObject{});
    connect(call, &ApiCall::finished, this, [this, job](const QJsonDocument &body, const QByteArray &) mutable {
        const QJsonObject answer = body.object();
        job.card.activationCode = answer.value(QStringLiteral("activationCode")).toString();
        job.card.expiresUtc =
            QDateTime::fromString(answer.value(QStringLiteral("expiresDateTimeUtc")).toString(), Qt::ISODateWithMs);
        if (job.card.activationCode.isEmpty()) {
            fail(job, tr("the middleware issued no activation code"));
            return;
        }
        succeed(job);
    });
    connect(call, &ApiCall::failed, this, [this, job](const ApiFailure &failure) {
        fail(job, tr("cannot issue an activation code: ") + failure.message);
    });
}

void ActivationCardFetcher::succeed(const Job &job)
{
    ++m_done;
    // The serial, not the code: codes are secrets and stay out of logs.
    qCDebug(lcCrmCards) << "activation code issued for" << job.card.serial;
    Q_EMIT cardReady(job.index, job.card);
    Q_EMIT progress(m_done, total());
    jobEnded();
}

void ActivationCardFetcher::fail(const Job &job, const QString &message)
{
    ++m_done;
    qCInfo(lcCrmCards) << "no activation card for" << job.card.serial << ":" << message;
    Q_EMIT cardFailed(job.index, job.card.serial, message);
    Q_EMIT progress(m_done, total());
    jobEnded();
}

void ActivationCardFetcher::jobEnded()
{
    if (m_active > 0)
        --m_active;
    startNext();
    if (m_active == 0 && m_running && (m_cancelled || m_next >= m_serials.size())) {
        m_running = false;
        Q_EMIT finished();
    }
}

void ActivationCardFetcher::requestFullKey(const QString &registrationId)
{
    if (registrationId.isEmpty()) {
        Q_EMIT fullKeyFailed(registrationId, tr("the device has no enrollment"));
        return;
    }
    ApiCall *call = m_api->get(QStringLiteral("enrollments/") + ApiClient::segment(registrationId));
    connect(call, &ApiCall::finished, this, [this, registrationId](const QJsonDocument &body, const QByteArray &) {
        const auto enrollment = Enrollment::fromJson(body.object());
        if (!enrollment) {
            Q_EMIT fullKeyFailed(registrationId, tr("cannot read the enrollment: ") + enrollment.error().message);
            return;
        }
        FullKey key;
        key.idScope = m_idScope;
        key.registrationId = enrollment->registrationId;
        key.symmetricKey = enrollment->attestation.primaryKey;
        if (key.symmetricKey.isEmpty()) {
            // Viewers get enrollments with the keys blanked.
            Q_EMIT fullKeyFailed(registrationId, tr("this connection's role may not read keys; "
                                                    "an operator or admin token is needed"));
            return;
        }
        qCInfo(lcCrmCards) << "full key of" << registrationId << "shown on request";
        Q_EMIT fullKeyReady(key);
    });
    connect(call, &ApiCall::failed, this, [this, registrationId](const ApiFailure &failure) {
        Q_EMIT fullKeyFailed(registrationId, failure.message);
    });
}

} // namespace Provisio::Crm
