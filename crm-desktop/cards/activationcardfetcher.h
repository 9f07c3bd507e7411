// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "activationcard.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QLoggingCategory>
#include <QObject>
#include <QString>
#include <QStringList>

Q_DECLARE_LOGGING_CATEGORY(lcCrmCards)

namespace Provisio::Crm {

class ApiClient;
struct ApiFailure;

// Gathers what the activation cards of some devices need from the
// middleware: the device (model, customer), the customer's name, the
// device's enrollment, and a fresh activation code. Codes appear only in the
// answer that issues them (docs/api.md, "Enrollments and activation codes"),
// so a card always comes with a newly issued code, and issuing one voids the
// device's earlier unused codes. Works on a few devices at a time so a batch
// of hundreds neither floods the middleware nor waits on one request at a
// time. Also fetches an enrollment's full key on request, for the rare case
// a device is set up by hand.
class ActivationCardFetcher : public QObject
{
    Q_OBJECT
public:
    struct FullKey
    {
        QString idScope;
        QString registrationId;
        QString symmetricKey; // never logged
    };

    explicit ActivationCardFetcher(ApiClient *api, QObject *parent = nullptr);

    // Issues codes for these serials (duplicates and blanks dropped). Ignored
    // while a run is going.
    void start(const QStringList &serials);
    // Starts no further devices; those already asking finish.
    void cancel();
    bool isRunning() const { return m_running; }
    bool isCancelled() const { return m_cancelled; }

    QStringList serials() const { return m_serials; }
    int total() const { return int(m_serials.size()); }
    int done() const { return m_done; }

    // The full provisioning key of an enrollment (operator role needed).
    void requestFullKey(const QString &registrationId);

    static constexpr int Parallel = 4;

Q_SIGNALS:
    void progress(int done, int total);
    void cardReady(int index, const Provisio::Crm::ActivationCard &card);
    void cardFailed(int index, const QString &serial, const QString &message);
    void finished();
    void fullKeyReady(const Provisio::Crm::ActivationCardFetcher::FullKey &key);
    void fullKeyFailed(const QString &registrationId, const QString &message);

private:
    struct Job
    {
        int index = 0;
        ActivationCard card;
        QString customerId;
    };
    void fetchService();
    void startNext();
    void fetchDevice(Job job);
    void fetchCustomer(Job job);
    void fetchEnrollment(Job job);
    void issueCode(Job job);
    void succeed(const Job &job);
    void fail(const Job &job, const QString &message);
    void jobEnded();

    ApiClient *m_api;
    QStringList m_serials;
    QHash<QString, QString> m_customerNames;
    QString m_idScope;
    int m_next = 0;
    int m_active = 0;
    int m_done = 0;
    bool m_running = false;
    bool m_cancelled = false;
};

} // namespace Provisio::Crm

Q_DECLARE_METATYPE(Provisio::Crm::ActivationCardFetcher::FullKey)
