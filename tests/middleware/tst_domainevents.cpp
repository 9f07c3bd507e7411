// SPDX-License-Identifier: Apache-2.0
// Each domain service change publishes exactly its typed event, once, after
// its transaction commits, and nothing when the change fails or is rolled
// back. Runs on a real SQLite file, and on a real PostgreSQL database in the
// _pg variant.
#include "childprocesswatch.h"
#include "middlewareprocess.h"
#include "testdatabase.h"

#include "base/metrics.h"
#include "base/serviceconfig.h"
#include "base/servicecontext.h"
#include "domain/customers.h"
#include "domain/enrollments.h"
#include "domain/eventbus.h"
#include "domain/hubs.h"
#include "domain/inventory.h"
#include "domain/registrations.h"
#include "domain/tokens.h"
#include "domain/webhooks.h"
#include "storage/activationcodestore.h"
#include "storage/auditlog.h"
#include "storage/database.h"
#include "storage/enrollmentstore.h"
#include "storage/hubstore.h"
#include "storage/registrationstore.h"
#include "storage/settingsstore.h"
#include "storage/tokenstore.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;

Q_DECLARE_METATYPE(std::optional<Provisio::EventKind>)

class TestDomainEvents : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void changePublishesItsEvent_data();
    void changePublishesItsEvent();
    void rolledBackChangePublishesNothing();
    void eventWaitsForOutermostCommit();
    void wireNames();
    void everyKindIsAFilter_data();
    void everyKindIsAFilter();

private:
    // Records a change depends on (a customer to sell to, a device to
    // change), created before the change under test is watched.
    void prepare(const QString &change);
    Result<void> perform(const QString &change);

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    ServiceConfig m_config;
    std::unique_ptr<SettingsStore> m_settings;
    std::unique_ptr<AuditLog> m_audit;
    std::unique_ptr<TokenStore> m_tokens;
    std::unique_ptr<HubStore> m_hubs;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<EventBus> m_bus;
    std::unique_ptr<ServiceContext> m_ctx;
    std::unique_ptr<WebhookStore> m_webhookStore;
    std::unique_ptr<Customers> m_customers;
    std::unique_ptr<Inventory> m_inventory;
    std::unique_ptr<Webhooks> m_webhooks;
    std::unique_ptr<EnrollmentStore> m_enrollmentStore;
    std::unique_ptr<ActivationCodeStore> m_codes;
    std::unique_ptr<RegistrationStore> m_registrationStore;
    std::unique_ptr<Enrollments> m_enrollments;

    int m_serial = 0;
    QString m_customerId;
    QString m_deviceSerial;
    QString m_webhookId;
    QString m_id; // enrollment, group, hub or token
    QByteArray m_etag;
};

void TestDomainEvents::initTestCase()
{
    auto db = Test::openMigratedDatabase(m_dir.path(), QStringLiteral("db"));
    QVERIFY2(db, qPrintable(db.error().message));
    m_db = std::move(*db);
    m_settings = std::make_unique<SettingsStore>(*m_db);
    m_audit = std::make_unique<AuditLog>(*m_db);
    m_tokens = std::make_unique<TokenStore>(*m_db);
    m_hubs = std::make_unique<HubStore>(*m_db);
    m_metrics = std::make_unique<Metrics>();
    m_network = std::make_unique<QNetworkAccessManager>();
    m_bus = std::make_unique<EventBus>();
    m_ctx.reset(new ServiceContext{
        m_config, *m_db, *m_settings, *m_audit, *m_tokens, *m_hubs, *m_metrics, *m_network, *m_bus, QByteArray(), {}});
    m_webhookStore = std::make_unique<WebhookStore>(*m_db);
    m_customers = std::make_unique<Customers>(*m_ctx);
    m_inventory = std::make_unique<Inventory>(*m_ctx);
    m_webhooks = std::make_unique<Webhooks>(*m_ctx, *m_webhookStore);
    m_enrollmentStore = std::make_unique<EnrollmentStore>(*m_db);
    m_codes = std::make_unique<ActivationCodeStore>(*m_db);
    m_registrationStore = std::make_unique<RegistrationStore>(*m_db);
    m_enrollments = std::make_unique<Enrollments>(*m_ctx, *m_enrollmentStore, *m_codes, *m_registrationStore);
}

void TestDomainEvents::cleanupTestCase()
{
    m_enrollments.reset();
    m_webhooks.reset();
    m_inventory.reset();
    m_customers.reset();
    m_webhookStore.reset();
    m_ctx.reset();
    m_bus.reset();
    m_db.reset();
}

void TestDomainEvents::changePublishesItsEvent_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<std::optional<EventKind>>("kind"); // nullopt: the change fails, nothing is published
    QTest::addColumn<QString>("entity");                // "customer", "device" or "webhook": the entity id to expect

    const auto row = [](const char *change, std::optional<EventKind> kind, const char *entity) {
        QTest::newRow(change) << QString::fromLatin1(change) << kind << QString::fromLatin1(entity);
    };
    row("customer.create", EventKind::CustomerCreated, "customer");
    row("customer.update", EventKind::CustomerUpdated, "customer");
    row("customer.update stale If-Match", std::nullopt, "");
    row("customer.update refused", std::nullopt, "");
    row("customer.delete", EventKind::CustomerDeleted, "customer");
    row("customer.delete with devices", std::nullopt, "");
    row("device.create", EventKind::DeviceCreated, "device");
    row("device.create duplicate", std::nullopt, "");
    row("device.update", EventKind::DeviceUpdated, "device");
    row("device.update stale If-Match", std::nullopt, "");
    row("device.sell", EventKind::DeviceSold, "device");
    row("device.sell unknown customer", std::nullopt, "");
    row("device.return", EventKind::DeviceReturned, "device");
    row("device.return unsold", std::nullopt, "");
    row("device.delete", EventKind::DeviceDeleted, "device");
    row("device.importNew", EventKind::DeviceImported, "device");
    row("device.importOver", EventKind::DeviceImported, "device");
    row("device.markProvisioned", EventKind::DeviceProvisioned, "device");
    row("webhook.create", EventKind::WebhookCreated, "webhook");
    row("webhook.update", EventKind::WebhookUpdated, "webhook");
    row("webhook.update stale If-Match", std::nullopt, "");
    row("webhook.delete", EventKind::WebhookDeleted, "webhook");
    row("token.create new", EventKind::TokenCreated, "");
    row("token.create duplicate name", std::nullopt, "");
    row("token.revoke", EventKind::TokenRevoked, "");
    row("token.revoke unknown", std::nullopt, "");
    row("hub.put new", EventKind::HubCreated, "");
    row("hub.put existing", EventKind::HubUpdated, "");
    row("hub.put stale If-Match", std::nullopt, "");
    row("hub.rotateKey", EventKind::HubKeyRotated, "");
    row("hub.delete", EventKind::HubDeleted, "");
    row("policy.set", EventKind::PolicyUpdated, "");
    row("policy.set stale If-Match", std::nullopt, "");
    row("enrollment.put new", EventKind::EnrollmentCreated, "");
    row("enrollment.put existing", EventKind::EnrollmentUpdated, "");
    row("enrollment.put stale If-Match", std::nullopt, "");
    row("enrollment.disable", EventKind::EnrollmentDisabled, "");
    row("enrollment.enable", EventKind::EnrollmentEnabled, "");
    row("enrollment.disable stale If-Match", std::nullopt, "");
    row("enrollment.regenerateKeys", EventKind::EnrollmentKeysRegenerated, "");
    row("enrollment.patchTwin", EventKind::EnrollmentTwinUpdated, "");
    row("enrollment.delete", EventKind::EnrollmentDeleted, "");
    row("enrollment.delete unknown", std::nullopt, "");
    row("group.put new", EventKind::GroupCreated, "");
    row("group.put existing", EventKind::GroupUpdated, "");
    row("group.delete", EventKind::GroupDeleted, "");
    row("registration.delete unknown", std::nullopt, "");
}

void TestDomainEvents::prepare(const QString &change)
{
    const QString serial = QStringLiteral("SN-DE-%1").arg(++m_serial);
    m_deviceSerial = serial;
    m_customerId.clear();
    m_webhookId.clear();
    m_etag.clear();
    const bool needsCustomer =
        change.startsWith(QLatin1String("customer.")) && change != QLatin1String("customer.create");
    if (needsCustomer || change.startsWith(QLatin1String("device.sell")) ||
        change.startsWith(QLatin1String("device.return"))) {
        Customer c;
        c.name = QStringLiteral("Customer %1").arg(m_serial);
        auto created = m_customers->create(c, QStringLiteral("token:t"));
        QVERIFY2(created, qPrintable(created.error().message));
        m_customerId = created->id;
        m_etag = created->etag.toUtf8();
    }
    const bool needsDevice = change.startsWith(QLatin1String("device.")) && change != QLatin1String("device.create") &&
                             change != QLatin1String("device.importNew");
    if (needsDevice || change == QLatin1String("customer.delete with devices")) {
        DeviceRecord d;
        d.serial = serial;
        d.model = QStringLiteral("M1");
        d.customerId =
            change == QLatin1String("device.return") || change == QLatin1String("customer.delete with devices")
                ? m_customerId
                : QString();
        if (!d.customerId.isEmpty())
            d.status = QStringLiteral("sold");
        auto created = m_inventory->create(d, QStringLiteral("token:t"));
        QVERIFY2(created, qPrintable(created.error().message));
        if (!change.startsWith(QLatin1String("customer.")))
            m_etag = created->etag.toUtf8();
    }
    m_id = QStringLiteral("de-%1").arg(m_serial);
    const bool existing = !change.endsWith(QLatin1String(" new")) && !change.endsWith(QLatin1String(" unknown"));
    if (change.startsWith(QLatin1String("token.")) && existing) {
        auto created = Tokens(*m_ctx).create(Role::Viewer, m_id, QStringLiteral("token:t"));
        QVERIFY2(created, qPrintable(created.error().message));
    }
    if (change.startsWith(QLatin1String("hub.")) && existing) {
        Hub h;
        h.name = m_id;
        h.host = m_id + QStringLiteral(".hubs.example");
        auto saved = Hubs(*m_ctx).put(h, QByteArray(), QStringLiteral("token:t"));
        QVERIFY2(saved, qPrintable(saved.error().message));
        m_etag = saved->hub.etag.toUtf8();
    }
    if (change.startsWith(QLatin1String("enrollment.")) && existing) {
        Enrollment e;
        e.registrationId = m_id;
        e.deviceId = m_id;
        auto saved = m_enrollments->put(e, QByteArray(), QStringLiteral("token:t"));
        QVERIFY2(saved, qPrintable(saved.error().message));
        m_etag = saved->enrollment.etag.toUtf8();
    }
    if (change.startsWith(QLatin1String("group.")) && existing) {
        EnrollmentGroup g;
        g.enrollmentGroupId = m_id;
        auto saved = m_enrollments->putGroup(g, QByteArray(), QStringLiteral("token:t"));
        QVERIFY2(saved, qPrintable(saved.error().message));
        m_etag = saved->group.etag.toUtf8();
    }
    if (change.startsWith(QLatin1String("webhook.")) && change != QLatin1String("webhook.create")) {
        Webhook w;
        w.url = QStringLiteral("https://127.0.0.1:1/hook");
        w.events = QStringList{QStringLiteral("*")};
        auto created = m_webhooks->create(w, QStringLiteral("token:t"));
        QVERIFY2(created, qPrintable(created.error().message));
        m_webhookId = created->id;
        m_etag = created->etag.toUtf8();
    }
}

Result<void> TestDomainEvents::perform(const QString &change)
{
    const QString actor = QStringLiteral("token:t");
    const QByteArray stale = "\"stale\"";
    const auto done = [](const auto &r) -> Result<void> {
        if (!r)
            return r.error();
        return {};
    };
    const auto renamed = [](const Customer &current) -> Result<Customer> {
        Customer next = current;
        next.name += QStringLiteral(" (renamed)");
        return next;
    };
    const auto remodelled = [](const DeviceRecord &current) -> Result<DeviceRecord> {
        DeviceRecord next = current;
        next.model = QStringLiteral("M2");
        return next;
    };
    if (change == QLatin1String("customer.create")) {
        Customer c;
        c.name = QStringLiteral("New customer");
        return done(m_customers->create(c, actor));
    }
    if (change == QLatin1String("customer.update"))
        return done(m_customers->update(m_customerId, m_etag, actor, renamed));
    if (change == QLatin1String("customer.update stale If-Match"))
        return done(m_customers->update(m_customerId, stale, actor, renamed));
    if (change == QLatin1String("customer.update refused"))
        return done(m_customers->update(m_customerId, m_etag, actor, [](const Customer &) -> Result<Customer> {
            return Error(ErrorCode::InvalidInput, QStringLiteral("no"));
        }));
    if (change.startsWith(QLatin1String("customer.delete")))
        return m_customers->remove(m_customerId, QByteArray(), actor);
    if (change.startsWith(QLatin1String("device.create"))) {
        // The duplicate's first device was made by prepare().
        DeviceRecord d;
        d.serial = m_deviceSerial;
        return done(m_inventory->create(d, actor));
    }
    if (change == QLatin1String("device.update"))
        return done(m_inventory->update(m_deviceSerial, m_etag, actor, remodelled));
    if (change == QLatin1String("device.update stale If-Match"))
        return done(m_inventory->update(m_deviceSerial, stale, actor, remodelled));
    if (change == QLatin1String("device.sell"))
        return done(m_inventory->sell(m_deviceSerial, m_etag, actor, m_customerId, QDate(2026, 1, 2), false));
    if (change == QLatin1String("device.sell unknown customer"))
        return done(m_inventory->sell(m_deviceSerial, m_etag, actor, QStringLiteral("cus_none"), QDate(), false));
    if (change.startsWith(QLatin1String("device.return")))
        return done(m_inventory->takeBack(m_deviceSerial, m_etag, actor));
    if (change == QLatin1String("device.delete"))
        return m_inventory->remove(m_deviceSerial, m_etag, actor);
    if (change == QLatin1String("device.importNew")) {
        DeviceRecord d;
        d.serial = m_deviceSerial;
        return m_inventory->importMany({d}, actor);
    }
    if (change == QLatin1String("device.importOver"))
        return done(m_inventory->importOver(m_deviceSerial, actor, remodelled));
    if (change == QLatin1String("device.markProvisioned"))
        return done(m_inventory->markProvisioned(m_deviceSerial, QStringLiteral("hub:h")));
    const auto disabled = [](const Webhook &current) -> Result<Webhook> {
        Webhook next = current;
        next.enabled = false;
        return next;
    };
    if (change == QLatin1String("webhook.create")) {
        Webhook w;
        w.url = QStringLiteral("https://127.0.0.1:1/hook");
        w.events = QStringList{QStringLiteral("device.*")};
        return done(m_webhooks->create(w, actor));
    }
    if (change == QLatin1String("webhook.update"))
        return done(m_webhooks->update(m_webhookId, m_etag, actor, disabled));
    if (change == QLatin1String("webhook.update stale If-Match"))
        return done(m_webhooks->update(m_webhookId, stale, actor, disabled));
    if (change == QLatin1String("webhook.delete"))
        return m_webhooks->remove(m_webhookId, m_etag, actor);
    if (change == QLatin1String("token.create new"))
        return done(Tokens(*m_ctx).create(Role::Operator, m_id, actor));
    if (change == QLatin1String("token.create duplicate name"))
        return done(Tokens(*m_ctx).create(Role::Operator, m_id, actor));
    if (change.startsWith(QLatin1String("token.revoke")))
        return done(Tokens(*m_ctx).revoke(m_id, actor));
    if (change.startsWith(QLatin1String("hub.put"))) {
        Hub h;
        h.name = m_id;
        h.host = m_id + QStringLiteral(".hubs.example");
        return done(Hubs(*m_ctx).put(h, change.contains(QLatin1String("stale")) ? stale : m_etag, actor));
    }
    if (change == QLatin1String("hub.rotateKey"))
        return done(Hubs(*m_ctx).rotateKey(m_id, m_etag, 3600, actor));
    if (change == QLatin1String("hub.delete"))
        return Hubs(*m_ctx).remove(m_id, m_etag, false, actor);
    if (change.startsWith(QLatin1String("policy.set"))) {
        auto current = Hubs(*m_ctx).policy();
        if (!current)
            return current.error();
        const QByteArray etag = change.contains(QLatin1String("stale"))
                                    ? stale
                                    : "\"" + current->value(QStringLiteral("etag")).toString().toUtf8() + "\"";
        return done(Hubs(*m_ctx).setPolicy(AllocationPolicy::Hashed, QStringLiteral("hashed"), QString(),
                                           CustomAllocationDefinition(), etag, actor));
    }
    if (change.startsWith(QLatin1String("enrollment.put"))) {
        Enrollment e;
        e.registrationId = m_id;
        e.deviceId = m_id;
        return done(m_enrollments->put(e, change.contains(QLatin1String("stale")) ? stale : m_etag, actor));
    }
    if (change.startsWith(QLatin1String("enrollment.disable")))
        return done(
            m_enrollments->setStatus(m_id, false, change.contains(QLatin1String("stale")) ? stale : m_etag, actor));
    if (change == QLatin1String("enrollment.enable"))
        return done(m_enrollments->setStatus(m_id, true, m_etag, actor));
    if (change == QLatin1String("enrollment.regenerateKeys"))
        return done(m_enrollments->regenerateKeys(m_id, QStringLiteral("both"), m_etag, actor));
    if (change == QLatin1String("enrollment.patchTwin"))
        return done(m_enrollments->patchTwin(m_id, QJsonObject{{QStringLiteral("site"), QStringLiteral("a")}},
                                             QJsonObject(), m_etag, actor));
    if (change.startsWith(QLatin1String("enrollment.delete")))
        return m_enrollments->remove(m_id, QByteArray(), actor);
    if (change.startsWith(QLatin1String("group.put"))) {
        EnrollmentGroup g;
        g.enrollmentGroupId = m_id;
        return done(m_enrollments->putGroup(g, m_etag, actor));
    }
    if (change == QLatin1String("group.delete"))
        return m_enrollments->removeGroup(m_id, m_etag, actor);
    if (change == QLatin1String("registration.delete unknown"))
        return Registrations(*m_ctx, *m_registrationStore).remove(m_id, QByteArray(), actor);
    return Error(ErrorCode::Internal, QStringLiteral("unknown change ") + change);
}

void TestDomainEvents::changePublishesItsEvent()
{
    QFETCH(QString, change);
    QFETCH(std::optional<EventKind>, kind);
    QFETCH(QString, entity);

    prepare(change);
    if (QTest::currentTestFailed())
        return;
    QSignalSpy spy(m_bus.get(), &EventBus::eventPublished);
    const auto result = perform(change);
    QVERIFY(!m_db->inTransaction());
    if (!kind) {
        QVERIFY2(!result, "the change was expected to fail");
        QCOMPARE(spy.count(), 0);
        return;
    }
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    QCOMPARE(spy.count(), 1);
    const auto event = spy.at(0).at(0).value<DomainEvent>();
    QCOMPARE(wireName(event.kind), wireName(*kind));
    QVERIFY(event.id.startsWith(QLatin1String("evt_")));
    if (entity == QLatin1String("device")) {
        QCOMPARE(event.entityId, m_deviceSerial);
        QCOMPARE(event.deviceId, m_deviceSerial);
        // The record travels with the event, as an object or (the import)
        // as text, and reaches the wire either way.
        QCOMPARE(event.record().value(QStringLiteral("serial")).toString(), m_deviceSerial);
        QCOMPARE(event.toJson().value(QStringLiteral("data")).toObject().value(QStringLiteral("serial")).toString(),
                 m_deviceSerial);
    } else if (entity == QLatin1String("customer") && !m_customerId.isEmpty()) {
        QCOMPARE(event.entityId, m_customerId);
    } else if (entity == QLatin1String("webhook") && !m_webhookId.isEmpty()) {
        QCOMPARE(event.entityId, m_webhookId);
    }
    QVERIFY(!event.entityId.isEmpty());
    // No secret travels in an event.
    QVERIFY(!event.record().contains(QStringLiteral("secret")) ||
            event.record().value(QStringLiteral("secret")).toString() == QLatin1String("***"));
}

void TestDomainEvents::rolledBackChangePublishesNothing()
{
    QSignalSpy spy(m_bus.get(), &EventBus::eventPublished);
    {
        Transaction outer(*m_db);
        Customer c;
        c.name = QStringLiteral("Rolled back");
        QVERIFY(m_customers->create(c, QStringLiteral("token:t")));
        DeviceRecord d;
        d.serial = QStringLiteral("SN-DE-ROLLBACK");
        QVERIFY(m_inventory->create(d, QStringLiteral("token:t")));
        QCOMPARE(spy.count(), 0);
        // Leaves scope uncommitted: rolled back.
    }
    QCOMPARE(spy.count(), 0);
    auto gone = m_inventory->store().find(QStringLiteral("SN-DE-ROLLBACK"));
    QVERIFY(gone && !*gone);
}

void TestDomainEvents::eventWaitsForOutermostCommit()
{
    QSignalSpy spy(m_bus.get(), &EventBus::eventPublished);
    {
        Transaction outer(*m_db);
        for (const char *serial : {"SN-DE-OUTER-1", "SN-DE-OUTER-2"}) {
            DeviceRecord d;
            d.serial = QString::fromLatin1(serial);
            QVERIFY(m_inventory->importMany({d}, QStringLiteral("token:t")));
        }
        QCOMPARE(spy.count(), 0);
        QVERIFY(outer.commit());
    }
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(0).at(0).value<DomainEvent>().kind, EventKind::DeviceImported);
    QCOMPARE(spy.at(1).at(0).value<DomainEvent>().entityId, QStringLiteral("SN-DE-OUTER-2"));
}

void TestDomainEvents::wireNames()
{
    // Every published type has exactly one kind, and the names stay those
    // the feed and webhooks have always used.
    for (const QString &type : EventBus::knownTypes()) {
        const auto kind = eventKindFromWireName(type);
        QVERIFY2(kind, qPrintable(type));
        QCOMPARE(wireName(*kind), type);
    }
    QCOMPARE(wireName(EventKind::EnrollmentDisabled), QStringLiteral("enrollment.disabled"));
    QCOMPARE(wireName(EventKind::GroupDisabled), QStringLiteral("enrollmentGroup.disabled"));
    QCOMPARE(wireName(EventKind::HubKeyRotated), QStringLiteral("hub.keyRotated"));
    QCOMPARE(wireName(EventKind::Telemetry), QStringLiteral("telemetry"));
    DomainEvent telemetry;
    telemetry.kind = EventKind::Telemetry;
    QVERIFY(!telemetry.toJson().contains(QStringLiteral("entityType")));
    DomainEvent issued;
    issued.kind = EventKind::ActivationIssued;
    QCOMPARE(issued.toJson().value(QStringLiteral("entityType")).toString(), QStringLiteral("enrollment"));
}

void TestDomainEvents::everyKindIsAFilter_data()
{
    QTest::addColumn<QString>("type");
    for (EventKind kind : allEventKinds())
        QTest::newRow(qPrintable(wireName(kind))) << wireName(kind);
}

void TestDomainEvents::everyKindIsAFilter()
{
    // The feed and webhooks take every type that is published, by its name
    // and by its category, and list it in GET /api/v1/events/types.
    QFETCH(QString, type);
    QVERIFY(EventBus::knownTypes().contains(type));
    QVERIFY(EventBus::isKnownPattern(type));
    const QString category = type.section(QLatin1Char('.'), 0, 0);
    QVERIFY2(EventBus::isKnownPattern(category), qPrintable(category));
    QVERIFY2(EventBus::isKnownPattern(category + QStringLiteral(".*")), qPrintable(category));
    QVERIFY(EventBus::typeMatches(type, type));
    QVERIFY(EventBus::typeMatches(category, type));
    QVERIFY(EventBus::typeMatches(category + QStringLiteral(".*"), type));
    QVERIFY(EventBus::typeMatches(QStringLiteral("*"), type));
    // A near miss stays unknown, so a typo is refused.
    QVERIFY(!EventBus::isKnownPattern(type + QStringLiteral("x")));
    QVERIFY(!EventBus::isKnownPattern(category + QStringLiteral("x.*")));
}

PROVISIO_TEST_GUILESS_MAIN(TestDomainEvents)
#include "tst_domainevents.moc"
