// SPDX-License-Identifier: Apache-2.0
// Database::afterCommit and the typed events ChangeRecorder publishes with
// it: only a committed change becomes an event. Runs on a real SQLite file, and on a real
// PostgreSQL database in the _pg variant.
#include "childprocesswatch.h"
#include "middlewareprocess.h"
#include "testdatabase.h"

#include "domain/changerecorder.h"
#include "domain/eventbus.h"
#include "domain/registrationanswer.h"
#include "protocol/timeutil.h"
#include "storage/auditlog.h"
#include "storage/database.h"
#include "storage/databasereader.h"
#include "storage/enrollmentstore.h"
#include "storage/jsontext.h"
#include "storage/registrationstore.h"
#include "storage/settingsstore.h"
#include "storage/tokenstore.h"
#include "storage/walcheckpointer.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <numeric>

using namespace Provisio;

Q_DECLARE_METATYPE(Provisio::RegistrationOperation)

class TestDatabase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void withoutTransactionRunsAtOnce();
    void commitPublishes();
    void rollbackDiscards();
    void nestedWaitsForOutermostCommit();
    void innerRollbackDiscardsEverything();
    void callbacksRunInOrderAndMayUseTheDatabase();
    void changeBecomesEvent_data();
    void changeBecomesEvent();
    void secretsNeverReachEvents();
    void auditTextIsRedacted_data();
    void auditTextIsRedacted();
    void tokensAreStoredAsTheirHashOnly();
    void typePatterns_data();
    void typePatterns();
    void knownPatterns_data();
    void knownPatterns();
    void selectRowsReadsWhatExecReads_data();
    void selectRowsReadsWhatExecReads();
    void execWriteStoresWhatExecStores_data();
    void execWriteStoresWhatExecStores();
    void execWriteReportsConflictsAndGoesOn();
    void storedRegistrationDocumentsAreTheirJson_data();
    void storedRegistrationDocumentsAreTheirJson();
    void groupPruneDropsOnlyOldOperationsOfItsRegistrations();
    void groupWritesStoreWhatSingleWritesStore();
    void registrationAnswerTextIsItsJson_data();
    void registrationAnswerTextIsItsJson();
    void registrationReadsWhatTheDocumentHolds_data();
    void registrationReadsWhatTheDocumentHolds();
    void walIsCheckpointedOffTheWritingConnection();
    void bulkWriterLeavesTheLogToTheThreadLonger();
    void readerAnswersInTheOrderJobsCame();
    void keyCheckReadsRecordAndPolicyAlong();

private:
    int auditRows();
    Result<void> record(EventKind kind, const QString &action, const QString &entityType, const QString &entityId,
                        const QJsonObject &before = {}, const QJsonObject &after = {})
    {
        return m_changes->record(kind, {QStringLiteral("token:t"), action, entityType, entityId, before, after});
    }

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<EventBus> m_bus;
    std::unique_ptr<AuditLog> m_audit;
    std::unique_ptr<ChangeRecorder> m_changes;
};

void TestDatabase::initTestCase()
{
    auto db = Test::openMigratedDatabase(m_dir.path(), QStringLiteral("db"));
    QVERIFY2(db, qPrintable(db.error().message));
    m_db = std::move(*db);
    m_bus = std::make_unique<EventBus>();
    m_audit = std::make_unique<AuditLog>(*m_db);
    m_changes = std::make_unique<ChangeRecorder>(*m_db, *m_audit, *m_bus);
}

void TestDatabase::init()
{
    // Each test starts from an empty log, outside any transaction.
    QVERIFY(!m_db->inTransaction());
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM audit_log")));
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM settings WHERE key = ?"), {QStringLiteral("afterCommit")}));
}

void TestDatabase::cleanupTestCase()
{
    m_changes.reset();
    m_audit.reset();
    m_bus.reset();
    m_db.reset();
}

int TestDatabase::auditRows()
{
    auto q = m_db->exec(QStringLiteral("SELECT COUNT(*) FROM audit_log"));
    if (!q || !q->next())
        return -1;
    const int n = q->value(0).toInt();
    q->finish();
    return n;
}

void TestDatabase::withoutTransactionRunsAtOnce()
{
    int runs = 0;
    m_db->afterCommit([&] { ++runs; });
    QCOMPARE(runs, 1);

    QSignalSpy spy(m_bus.get(), &EventBus::eventPublished);
    QVERIFY(record(EventKind::CustomerCreated, QStringLiteral("create"), QStringLiteral("customer"),
                   QStringLiteral("cus_1"), {}, QJsonObject{{QStringLiteral("name"), QStringLiteral("A")}}));
    QCOMPARE(spy.count(), 1);
}

void TestDatabase::commitPublishes()
{
    QSignalSpy spy(m_bus.get(), &EventBus::eventPublished);
    {
        Transaction tx(*m_db);
        QVERIFY(tx.isActive());
        QVERIFY(record(EventKind::CustomerCreated, QStringLiteral("create"), QStringLiteral("customer"),
                       QStringLiteral("cus_1"), {}, QJsonObject{{QStringLiteral("name"), QStringLiteral("A")}}));
        QCOMPARE(spy.count(), 0); // not yet: the change could still be undone
        QVERIFY(tx.commit());
    }
    QCOMPARE(spy.count(), 1);
    const auto event = spy.at(0).at(0).value<DomainEvent>();
    QCOMPARE(wireName(event.kind), QStringLiteral("customer.created"));
    QCOMPARE(event.entityId, QStringLiteral("cus_1"));
    QCOMPARE(event.data.value(QStringLiteral("name")).toString(), QStringLiteral("A"));
    QVERIFY(event.id.startsWith(QLatin1String("evt_")));
    QVERIFY(!event.at.isEmpty());
}

void TestDatabase::rollbackDiscards()
{
    QSignalSpy spy(m_bus.get(), &EventBus::eventPublished);
    int runs = 0;
    {
        Transaction tx(*m_db);
        QVERIFY(record(EventKind::HubDeleted, QStringLiteral("delete"), QStringLiteral("hub"), QStringLiteral("hub1"),
                       QJsonObject{{QStringLiteral("host"), QStringLiteral("h")}}));
        m_db->afterCommit([&] { ++runs; });
        // Leaves scope uncommitted: rolled back.
    }
    QCOMPARE(auditRows(), 0); // the change really was undone
    QCOMPARE(spy.count(), 0);
    QCOMPARE(runs, 0);

    // A later, committed change publishes only its own event.
    {
        Transaction tx(*m_db);
        QVERIFY(record(EventKind::HubUpdated, QStringLiteral("update"), QStringLiteral("hub"), QStringLiteral("hub2"),
                       {}, QJsonObject{{QStringLiteral("host"), QStringLiteral("h2")}}));
        QVERIFY(tx.commit());
    }
    QCOMPARE(runs, 0);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<DomainEvent>().entityId, QStringLiteral("hub2"));
}

void TestDatabase::nestedWaitsForOutermostCommit()
{
    QSignalSpy spy(m_bus.get(), &EventBus::eventPublished);
    {
        Transaction outer(*m_db);
        {
            Transaction inner(*m_db);
            QVERIFY(record(EventKind::CustomerCreated, QStringLiteral("create"), QStringLiteral("customer"),
                           QStringLiteral("cus_2"), {}, QJsonObject{{QStringLiteral("name"), QStringLiteral("B")}}));
            QVERIFY(inner.commit());
        }
        QCOMPARE(spy.count(), 0);
        QVERIFY(outer.commit());
    }
    QCOMPARE(spy.count(), 1);
}

void TestDatabase::innerRollbackDiscardsEverything()
{
    QSignalSpy spy(m_bus.get(), &EventBus::eventPublished);
    {
        Transaction outer(*m_db);
        QVERIFY(record(EventKind::CustomerCreated, QStringLiteral("create"), QStringLiteral("customer"),
                       QStringLiteral("cus_3"), {}, QJsonObject{{QStringLiteral("name"), QStringLiteral("C")}}));
        {
            Transaction inner(*m_db);
            QVERIFY(record(EventKind::CustomerCreated, QStringLiteral("create"), QStringLiteral("customer"),
                           QStringLiteral("cus_4"), {}, QJsonObject{{QStringLiteral("name"), QStringLiteral("D")}}));
            // inner fails: rolled back, and with it the outer unit of work
        }
        QVERIFY(!outer.commit());
    }
    QCOMPARE(auditRows(), 0);
    QCOMPARE(spy.count(), 0);
}

void TestDatabase::callbacksRunInOrderAndMayUseTheDatabase()
{
    QStringList order;
    {
        Transaction tx(*m_db);
        m_db->afterCommit([&] {
            order << QStringLiteral("first");
            // A follow-up change in a transaction of its own.
            Transaction again(*m_db);
            QVERIFY(again.isActive());
            QVERIFY(m_db->execAffected(QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?)"),
                                       {QStringLiteral("afterCommit"), QStringLiteral("yes")}));
            m_db->afterCommit([&] { order << QStringLiteral("nested"); });
            QVERIFY(again.commit());
        });
        m_db->afterCommit([&] { order << QStringLiteral("second"); });
        QVERIFY(order.isEmpty());
        QVERIFY(tx.commit());
    }
    QCOMPARE(order, (QStringList{QStringLiteral("first"), QStringLiteral("nested"), QStringLiteral("second")}));
    auto q = m_db->exec(QStringLiteral("SELECT value FROM settings WHERE key = ?"), {QStringLiteral("afterCommit")});
    QVERIFY(q && q->next());
    QCOMPARE(q->value(0).toString(), QStringLiteral("yes"));
    q->finish();
    QVERIFY(!m_db->inTransaction());
}

void TestDatabase::changeBecomesEvent_data()
{
    QTest::addColumn<QString>("entityType");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("entityId");
    QTest::addColumn<QJsonObject>("before");
    QTest::addColumn<QJsonObject>("after");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("deviceId");
    QTest::addColumn<QString>("registrationId");
    QTest::addColumn<QString>("dataMarker");

    const QJsonObject device{{QStringLiteral("serial"), QStringLiteral("SN1")},
                             {QStringLiteral("m"), QStringLiteral("after")}};
    const QJsonObject old{{QStringLiteral("m"), QStringLiteral("before")}};
    QTest::newRow("device sold") << "device"
                                 << "sell"
                                 << "SN1" << old << device << "device.sold"
                                 << "SN1"
                                 << ""
                                 << "after";
    QTest::newRow("device deleted uses before") << "device"
                                                << "delete"
                                                << "SN1" << old << QJsonObject() << "device.deleted"
                                                << "SN1"
                                                << ""
                                                << "before";
    QTest::newRow("enrollment created") << "enrollment"
                                        << "create"
                                        << "reg-1" << QJsonObject()
                                        << QJsonObject{{QStringLiteral("registrationId"), QStringLiteral("reg-1")},
                                                       {QStringLiteral("deviceId"), QStringLiteral("dev-1")},
                                                       {QStringLiteral("m"), QStringLiteral("after")}}
                                        << "enrollment.created"
                                        << "dev-1"
                                        << "reg-1"
                                        << "after";
    QTest::newRow("enrollment disabled") << "enrollment"
                                         << "disable"
                                         << "reg-1" << old
                                         << QJsonObject{{QStringLiteral("m"), QStringLiteral("after")}}
                                         << "enrollment.disabled"
                                         << ""
                                         << "reg-1"
                                         << "after";
    QTest::newRow("registration assigned")
        << "registration"
        << "assigned"
        << "reg-2" << QJsonObject()
        << QJsonObject{{QStringLiteral("registrationState"),
                        QJsonObject{{QStringLiteral("deviceId"), QStringLiteral("dev-2")}}},
                       {QStringLiteral("m"), QStringLiteral("after")}}
        << "registration.assigned"
        << "dev-2"
        << "reg-2"
        << "after";
    QTest::newRow("activation exchanged") << "enrollment"
                                          << "activate"
                                          << "reg-3" << QJsonObject()
                                          << QJsonObject{{QStringLiteral("deviceId"), QStringLiteral("dev-3")},
                                                         {QStringLiteral("m"), QStringLiteral("after")}}
                                          << "activation.exchanged"
                                          << "dev-3"
                                          << "reg-3"
                                          << "after";
    QTest::newRow("hub updated") << "hub"
                                 << "update"
                                 << "hub1" << old << QJsonObject{{QStringLiteral("m"), QStringLiteral("after")}}
                                 << "hub.updated"
                                 << ""
                                 << ""
                                 << "after";
    QTest::newRow("policy alias") << "allocationPolicy"
                                  << "update"
                                  << "default" << old << QJsonObject{{QStringLiteral("m"), QStringLiteral("after")}}
                                  << "policy.updated"
                                  << ""
                                  << ""
                                  << "after";
}

void TestDatabase::changeBecomesEvent()
{
    QFETCH(QString, entityType);
    QFETCH(QString, action);
    QFETCH(QString, entityId);
    QFETCH(QJsonObject, before);
    QFETCH(QJsonObject, after);
    QFETCH(QString, type);
    QFETCH(QString, deviceId);
    QFETCH(QString, registrationId);
    QFETCH(QString, dataMarker);

    QSignalSpy spy(m_bus.get(), &EventBus::eventPublished);
    const auto kind = eventKindFromWireName(type);
    QVERIFY(kind);
    QVERIFY(record(*kind, action, entityType, entityId, before, after));
    QCOMPARE(spy.count(), 1);
    const auto event = spy.at(0).at(0).value<DomainEvent>();
    QCOMPARE(wireName(event.kind), type);
    QCOMPARE(event.deviceId, deviceId);
    QCOMPARE(event.registrationId, registrationId);
    QCOMPARE(event.entityId, entityId);
    QCOMPARE(event.data.value(QStringLiteral("m")).toString(), dataMarker);
    QCOMPARE(event.toJson().value(QStringLiteral("type")).toString(), type);
}

void TestDatabase::secretsNeverReachEvents()
{
    QSignalSpy spy(m_bus.get(), &EventBus::eventPublished);
    const QJsonObject after{
        {QStringLiteral("registrationId"), QStringLiteral("reg-9")},
        {QStringLiteral("attestation"),
         QJsonObject{{QStringLiteral("symmetricKey"),
                      QJsonObject{{QStringLiteral("primaryKey"), QStringLiteral("S3CR3T-1")},
                                  {QStringLiteral("secondaryKey"), QStringLiteral("S3CR3T-2")}}}}},
        {QStringLiteral("secret"), QStringLiteral("S3CR3T-3")},
        {QStringLiteral("signingKey"), QStringLiteral("S3CR3T-4")},
    };
    QVERIFY(record(EventKind::EnrollmentCreated, QStringLiteral("create"), QStringLiteral("enrollment"),
                   QStringLiteral("reg-9"), {}, after));
    QCOMPARE(spy.count(), 1);
    const QByteArray json = QJsonDocument(spy.at(0).at(0).value<DomainEvent>().toJson()).toJson();
    QVERIFY2(!json.contains("S3CR3T"), json.constData());
    QVERIFY(json.contains("reg-9"));
}

void TestDatabase::auditTextIsRedacted_data()
{
    // A record as JSON text (what the import hands the audit log) and
    // whether it holds a secret: the text must then come back redacted,
    // otherwise as it was, character for character.
    QTest::addColumn<QString>("document");
    QTest::addColumn<bool>("secret");
    QTest::newRow("device") << QStringLiteral(R"({"batch":"B1","model":"Sensor 2","notes":"","serial":"SN-1"})")
                            << false;
    QTest::newRow("a value that names a key") << QStringLiteral(R"({"notes":"password","serial":"SN-2"})") << false;
    QTest::newRow("null secret") << QStringLiteral(R"({"password":null,"serial":"SN-3"})") << false;
    QTest::newRow("top level") << QStringLiteral(R"({"password":"S3CR3T","serial":"SN-4"})") << true;
    QTest::newRow("nested") << QStringLiteral(R"({"a":{"b":{"token":"S3CR3T"}}})") << true;
    QTest::newRow("in an array") << QStringLiteral(R"({"a":[1,{"secret":"S3CR3T"}]})") << true;
    QTest::newRow("key spelt with an escape") << QStringLiteral(R"({"password":"S3CR3T"})") << true;
    QTest::newRow("after an escaped quote")
        << QStringLiteral(R"({"notes":"a "quoted" word","signingKey":"S3CR3T"})") << true;
    QTest::newRow("key inside an object key") << QStringLiteral(R"({"symmetricKey":{"primaryKey":"S3CR3T"}})") << true;
}

void TestDatabase::auditTextIsRedacted()
{
    QFETCH(QString, document);
    QFETCH(bool, secret);
    const QString text = AuditLog::redactedText(document);
    QVERIFY2(!text.contains(QLatin1String("S3CR3T")), qPrintable(text));
    // Whatever path it took, the text says what redactSecrets says.
    QCOMPARE(QJsonDocument::fromJson(text.toUtf8()).object(),
             AuditLog::redactSecrets(QJsonDocument::fromJson(document.toUtf8()).object()));
    if (!secret)
        QCOMPARE(text, document);
    // And the many-at-once writer stores exactly that.
    const QString id = QStringLiteral("redact-%1").arg(QString::fromLatin1(QTest::currentDataTag()));
    AuditLog audit(*m_db);
    QVERIFY(audit.recordMany(QStringLiteral("token:t"), QStringLiteral("import"), QStringLiteral("device"),
                             {{id, QString(), document}}));
    auto q = m_db->exec(QStringLiteral("SELECT before_doc, after_doc FROM audit_log WHERE entity_id = ?"), {id});
    QVERIFY(q && q->next());
    QVERIFY(q->value(0).isNull());
    QCOMPARE(q->value(1).toString(), text);
    q->finish();
}

void TestDatabase::tokensAreStoredAsTheirHashOnly()
{
    TokenStore tokens(*m_db);
    auto created = tokens.create(Role::Operator, QStringLiteral("stored-hashed"));
    QVERIFY2(created, created ? "" : qPrintable(created.error().message));
    const QString token = created->token;
    QVERIFY(token.size() >= 32);

    auto q = m_db->exec(QStringLiteral("SELECT id, name, role, token_hash, created, revoked_at FROM api_tokens "
                                       "WHERE name = ?"),
                        {QStringLiteral("stored-hashed")});
    QVERIFY(q && q->next());
    QStringList row;
    for (int i = 0; i < 6; ++i)
        row << q->value(i).toString();
    q->finish();
    // The row is there (so a secret in it would have been seen) ...
    QCOMPARE(row.at(0), created->info.id);
    // ... holds SHA-256 of the token, computed here independently ...
    QCOMPARE(row.at(3),
             QString::fromLatin1(QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).toHex()));
    // ... and the token itself in no column.
    for (const QString &value : std::as_const(row))
        QVERIFY2(!value.contains(token), "the token is stored in the clear");
    // The hash alone still authenticates.
    const auto principal = tokens.authenticate(token.toUtf8());
    QVERIFY(principal);
    QCOMPARE(principal->role, Role::Operator);
    QVERIFY(tokens.revoke(QStringLiteral("stored-hashed")));
}

void TestDatabase::typePatterns_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("type");
    QTest::addColumn<bool>("matches");
    QTest::newRow("all") << "*"
                         << "device.online" << true;
    QTest::newRow("category") << "registration"
                              << "registration.assigned" << true;
    QTest::newRow("category wildcard") << "device.*"
                                       << "device.sold" << true;
    QTest::newRow("exact") << "device.online"
                           << "device.online" << true;
    QTest::newRow("exact other") << "device.online"
                                 << "device.offline" << false;
    QTest::newRow("prefix is not a category") << "dev"
                                              << "device.online" << false;
    QTest::newRow("other category") << "device"
                                    << "enrollment.created" << false;
    QTest::newRow("no dot type") << "telemetry"
                                 << "telemetry" << true;
    QTest::newRow("empty") << ""
                           << "device.online" << false;
}

void TestDatabase::typePatterns()
{
    QFETCH(QString, pattern);
    QFETCH(QString, type);
    QFETCH(bool, matches);
    QCOMPARE(EventBus::typeMatches(pattern, type), matches);
}

void TestDatabase::knownPatterns_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<bool>("known");
    QTest::newRow("*") << "*" << true;
    QTest::newRow("device.*") << "device.*" << true;
    QTest::newRow("registration") << "registration" << true;
    QTest::newRow("registration.assigned") << "registration.assigned" << true;
    QTest::newRow("telemetry") << "telemetry" << true;
    QTest::newRow("device.exploded") << "device.exploded" << false;
    QTest::newRow("bogus.*") << "bogus.*" << false;
    QTest::newRow("device.") << "device." << false;
    QTest::newRow("empty") << "" << false;
}

void TestDatabase::knownPatterns()
{
    QFETCH(QString, pattern);
    QFETCH(bool, known);
    QCOMPARE(EventBus::isKnownPattern(pattern), known);
}

// selectRows reads SQLite through its own interface: every value it gives
// must be the one Qt's driver gives through exec() for the same row.
void TestDatabase::selectRowsReadsWhatExecReads_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::newRow("text") << QVariant(QStringLiteral("caf\u00e9 \"x\" \\ \U0001F600"));
    QTest::newRow("empty text") << QVariant(QStringLiteral(""));
    QTest::newRow("null") << QVariant();
    QTest::newRow("integer") << QVariant(qlonglong(-9007199254740993LL));
    QTest::newRow("bool") << QVariant(true);
    QTest::newRow("double") << QVariant(2.5);
}

void TestDatabase::selectRowsReadsWhatExecReads()
{
    QFETCH(QVariant, value);
    const QString key = QStringLiteral("selectRows");
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM settings WHERE key = ?"), {key}));
    QVERIFY(m_db->execAffected(QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?)"),
                               {key, QStringLiteral("v")}));
    const QString sql = QStringLiteral("SELECT ?, key, value FROM settings WHERE key = ? "
                                       "UNION ALL SELECT ?, 'zz', NULL ORDER BY 2");
    const QVariantList binds{value, key, value};
    auto q = m_db->exec(sql, binds);
    QVERIFY2(q, qPrintable(q.error().message));
    QList<QVariantList> viaExec;
    while (q->next())
        viaExec << QVariantList{q->value(0), q->value(1), q->value(2)};
    q->finish();
    auto rows = m_db->selectRows(sql, binds, 3);
    QVERIFY2(rows, qPrintable(rows.error().message));
    QCOMPARE(rows->size(), 2);
    QCOMPARE(rows->size(), viaExec.size());
    for (int r = 0; r < rows->size(); ++r) {
        for (int c = 0; c < 3; ++c) {
            const QVariant &mine = rows->at(r).at(c);
            const QVariant &qts = viaExec.at(r).at(c);
            QCOMPARE(mine.isNull(), qts.isNull());
            QCOMPARE(mine.toString(), qts.toString());
            QCOMPARE(mine.toLongLong(), qts.toLongLong());
            QCOMPARE(mine.metaType(), qts.metaType());
        }
    }
    QCOMPARE(rows->at(0).at(2).toString(), QStringLiteral("v"));
    QVERIFY(rows->at(1).at(2).isNull());
    // Another run of the same statement starts over.
    auto again = m_db->selectRows(sql, binds, 3);
    QVERIFY(again);
    QCOMPARE(again->size(), 2);
    // Planned for its values (unprepared on PostgreSQL), the same rows.
    auto planned = m_db->selectRows(sql, binds, 3, Database::Plan::PlanEachRun);
    QVERIFY2(planned, qPrintable(planned ? QString() : planned.error().message));
    QCOMPARE(*planned, *rows);
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM settings WHERE key = ?"), {key}));
}

// execWrite binds through the database's own client library (SQLite's,
// libpq) instead of Qt SQL: every kind of value it is given lands as exec()
// would store it.
void TestDatabase::execWriteStoresWhatExecStores_data()
{
    QTest::addColumn<QVariant>("properties");
    QTest::addColumn<QVariant>("body");
    QTest::addColumn<QVariant>("messageId");
    const QByteArray binary("\0\x01\xff\xfe'\"\\ \0end", 13);
    QTest::newRow("text and bytes") << QVariant(QStringLiteral("a=1&b=caf\u00e9 \U0001F600 'q' \"?\""))
                                    << QVariant(binary) << QVariant(QStringLiteral("m-1"));
    QTest::newRow("empty") << QVariant(QStringLiteral("")) << QVariant(QByteArray("", 0))
                           << QVariant(QStringLiteral(""));
    QTest::newRow("null message id") << QVariant(QStringLiteral("$.mid=")) << QVariant(QByteArray("{}"))
                                     << QVariant(QMetaType(QMetaType::QString));
    QTest::newRow("invalid variant is null")
        << QVariant(QStringLiteral("x")) << QVariant(QByteArray("1")) << QVariant();
}

void TestDatabase::execWriteStoresWhatExecStores()
{
    QFETCH(QVariant, properties);
    QFETCH(QVariant, body);
    QFETCH(QVariant, messageId);
    const QString insert = QStringLiteral("INSERT INTO telemetry (device_id, hub_host, received, properties, body, "
                                          "message_id) VALUES (?, ?, ?, ?, ?, ?)");
    const QString received = QStringLiteral("2026-12-06T10:00:00.000Z");
    const QString viaExec = QStringLiteral("exec-write-a");
    const QString viaWrite = QStringLiteral("exec-write-b");
    const auto clear = [this](const QString &device) {
        return bool(m_db->execAffected(QStringLiteral("DELETE FROM telemetry WHERE device_id = ?"), {device}));
    };
    QVERIFY(clear(viaExec) && clear(viaWrite));
    QVERIFY(m_db->execAffected(insert, {viaExec, QStringLiteral("hub"), received, properties, body, messageId}));
    // A read of the same table left unfinished before the write: the write
    // runs all the same, and so does the next read.
    auto pending = m_db->exec(QStringLiteral("SELECT id FROM telemetry WHERE device_id = ?"), {viaExec});
    QVERIFY(pending && pending->next());
    auto written = m_db->execWrite(insert, {viaWrite, QStringLiteral("hub"), received, properties, body, messageId});
    QVERIFY2(written, qPrintable(written.error().message));
    pending->finish();
    const auto row = [this](const QString &device) {
        auto q = m_db->exec(QStringLiteral("SELECT properties, body, message_id FROM telemetry WHERE device_id = ?"),
                            {device});
        QVariantList values;
        if (q && q->next())
            values = {q->value(0), q->value(1), q->value(2)};
        if (q)
            q->finish();
        return values;
    };
    const QVariantList expected = row(viaExec);
    const QVariantList actual = row(viaWrite);
    QCOMPARE(expected.size(), 3);
    QCOMPARE(actual.size(), 3);
    QCOMPARE(actual.at(0).toString(), properties.toString());
    QCOMPARE(actual.at(1).toByteArray(), body.toByteArray());
    QCOMPARE(actual.at(2).isNull(), messageId.isNull());
    for (int c = 0; c < 3; ++c) {
        QCOMPARE(actual.at(c).isNull(), expected.at(c).isNull());
        QCOMPARE(actual.at(c).toByteArray(), expected.at(c).toByteArray());
    }
    // Numbers bind too (a comparison's parameter takes the column's type).
    auto id = m_db->selectRows(QStringLiteral("SELECT id FROM telemetry WHERE device_id = ?"), {viaWrite}, 1);
    QVERIFY(id && id->size() == 1);
    QVERIFY(m_db->execWrite(QStringLiteral("DELETE FROM telemetry WHERE device_id = ? AND id >= ?"),
                            {viaWrite, id->at(0).at(0).toLongLong()}));
    QCOMPARE(row(viaWrite).size(), 0);
    QVERIFY(clear(viaExec));
}

void TestDatabase::execWriteReportsConflictsAndGoesOn()
{
    const QString sql = QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?)");
    const QString key = QStringLiteral("execWriteConflict");
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM settings WHERE key = ?"), {key}));
    QVERIFY(m_db->execWrite(sql, {key, QStringLiteral("first")}));
    {
        Transaction tx(*m_db);
        QVERIFY(tx.isActive());
        const auto again = m_db->execWrite(sql, {key, QStringLiteral("second")});
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::Conflict);
        // Rolled back as the transaction goes out of scope.
    }
    QVERIFY(!m_db->inTransaction());
    // The prepared statement serves the next write.
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM settings WHERE key = ?"), {key}));
    QVERIFY(m_db->execWrite(sql, {key, QStringLiteral("third")}));
    auto value = m_db->selectRows(QStringLiteral("SELECT value FROM settings WHERE key = ?"), {key}, 1);
    QVERIFY(value && value->size() == 1);
    QCOMPARE(value->at(0).at(0).toString(), QStringLiteral("third"));
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM settings WHERE key = ?"), {key}));
}

// A registration's documents are written from the state's text spliced
// between the other members: they must be exactly the JSON Qt renders.
void TestDatabase::storedRegistrationDocumentsAreTheirJson_data()
{
    QTest::addColumn<QString>("groupId");
    QTest::addColumn<QString>("operationId");
    QTest::addColumn<QString>("deviceStatus");
    QTest::addColumn<QJsonObject>("twin");
    QTest::newRow("first registration") << QString() << QStringLiteral("5.abc.def") << QString() << QJsonObject();
    QTest::newRow("group, status, twin")
        << QStringLiteral("grp-\"1\"") << QStringLiteral("5.0123.4567") << QStringLiteral("sold")
        << QJsonObject{{QStringLiteral("tags"), QJsonObject{{QStringLiteral("k"), QStringLiteral("v\u00e9")}}}};
    QTest::newRow("no operation") << QStringLiteral("g") << QString() << QString()
                                  << QJsonObject{{QStringLiteral("properties"), QJsonObject()}};
    // The twin is written as text unless a number is not an integer.
    const QJsonObject desired{
        {QStringLiteral("$version"), 7},
        {QStringLiteral("rate"), -5},
        {QStringLiteral("big"), qint64(100000000000000)},
        {QStringLiteral("on"), true},
        {QStringLiteral("off"), false},
        {QStringLiteral("none"), QJsonValue::Null},
        {QStringLiteral("n\u00e4me \"q\"\t"), QStringLiteral("v\u00e4l\\ue \u2603\n")},
        {QStringLiteral("list"), QJsonArray{1, QStringLiteral("x"), QJsonArray{}, QJsonObject{}}},
        {QStringLiteral("nested"), QJsonObject{{QStringLiteral("b"), 2}, {QStringLiteral("a"), 1}}}};
    const auto twinOf = [](const QJsonObject &desired) {
        return QJsonObject{{QStringLiteral("tags"), QJsonObject{{QStringLiteral("zone"), QStringLiteral("z")}}},
                           {QStringLiteral("properties"), QJsonObject{{QStringLiteral("desired"), desired}}}};
    };
    QTest::newRow("twin of integers, strings, arrays")
        << QString() << QStringLiteral("5.1") << QString() << twinOf(desired);
    QJsonObject doubles = desired;
    doubles.insert(QStringLiteral("ratio"), 1.5);
    QTest::newRow("twin with a fraction") << QString() << QStringLiteral("5.2") << QString() << twinOf(doubles);
    QJsonObject integralDouble = desired;
    integralDouble.insert(QStringLiteral("huge"), 1e14);
    QTest::newRow("twin with an integral double")
        << QString() << QStringLiteral("5.3") << QString() << twinOf(integralDouble);
    QTest::newRow("twin read from text")
        << QString() << QStringLiteral("5.4") << QString()
        << QJsonDocument::fromJson(R"({"properties":{"desired":{"$version":3,"a":2.0,"b":-0,"c":1e3,"d":12}}})")
               .object();
}

void TestDatabase::storedRegistrationDocumentsAreTheirJson()
{
    QFETCH(QString, groupId);
    QFETCH(QString, operationId);
    QFETCH(QString, deviceStatus);
    QFETCH(QJsonObject, twin);
    RegistrationRecord rec;
    rec.state.registrationId = QStringLiteral("doc-test");
    rec.state.status = QStringLiteral("assigned");
    rec.state.assignedHub = QStringLiteral("hub-a.example");
    rec.state.deviceId = QStringLiteral("dev \"\\ \u00fc");
    rec.state.substatus = QStringLiteral("initialAssignment");
    rec.state.etag = QStringLiteral("etag-1");
    rec.state.createdDateTimeUtc = QDateTime(QDate(2026, 12, 6), QTime(17, 0, 1, 23), Qt::UTC);
    rec.state.lastUpdatedDateTimeUtc = rec.state.createdDateTimeUtc.addSecs(5);
    rec.state.payload = QJsonObject{{QStringLiteral("a"), 1}};
    rec.enrollmentGroupId = groupId;
    rec.operationId = operationId;
    rec.deviceStatus = deviceStatus;
    rec.deviceStatusDateTimeUtc = rec.state.createdDateTimeUtc;
    rec.twin = twin;
    RegistrationStore store(*m_db);
    const QByteArray stateText = QJsonDocument(rec.state.toJson()).toJson(QJsonDocument::Compact);
    QVERIFY(store.save(rec, stateText));
    RegistrationOperation op;
    op.operationId = QStringLiteral("5.op\"1");
    op.status = QStringLiteral("assigned");
    op.registrationState = rec.state;
    const QDateTime at = QDateTime::currentDateTimeUtc();
    QVERIFY(store.saveOperation({op, rec.state.registrationId, at, at}, stateText));

    auto q = m_db->exec(QStringLiteral("SELECT doc FROM registrations WHERE registration_id = ?"),
                        {rec.state.registrationId});
    QVERIFY(q && q->next());
    const QString recordDoc = q->value(0).toString();
    q->finish();
    QCOMPARE(recordDoc, QString::fromUtf8(QJsonDocument(rec.toDoc()).toJson(QJsonDocument::Compact)));
    q = m_db->exec(QStringLiteral("SELECT doc FROM operations WHERE operation_id = ?"), {op.operationId});
    QVERIFY(q && q->next());
    const QString opDoc = q->value(0).toString();
    q->finish();
    QCOMPARE(opDoc, QString::fromUtf8(QJsonDocument(op.toJson()).toJson(QJsonDocument::Compact)));
    auto found = store.find(rec.state.registrationId);
    QVERIFY(found && *found);
    QCOMPARE((*found)->state.deviceId, rec.state.deviceId);
    QCOMPARE((*found)->twin, twin);
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM operations WHERE registration_id = ?"),
                               {rec.state.registrationId}));
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM registrations WHERE registration_id = ?"),
                               {rec.state.registrationId}));
}

// The group commit drops its registrations' operations older than a day in
// one statement per chunk of ids: exactly those, across chunk boundaries.
void TestDatabase::groupPruneDropsOnlyOldOperationsOfItsRegistrations()
{
    RegistrationStore store(*m_db);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime old = now.addDays(-2);
    const int registrations = RegistrationStore::kPruneChunk + 6; // a full chunk and a padded one
    QStringList pruned;
    for (int i = 0; i < registrations + 1; ++i) {
        const QString id = QStringLiteral("prune-%1").arg(i);
        if (i < registrations)
            pruned << id;
        for (const QDateTime &at : {old, now}) {
            RegistrationOperation op;
            op.operationId = id + (at == old ? QStringLiteral("-old") : QStringLiteral("-new"));
            op.status = QStringLiteral("assigned");
            QVERIFY(store.saveOperation({op, id, at, at}));
        }
    }
    QVERIFY(store.pruneOperations(pruned, now.addDays(-1)));
    const auto count = [this](const QString &like) {
        auto q = m_db->exec(QStringLiteral("SELECT COUNT(*) FROM operations WHERE operation_id LIKE ?"), {like});
        const int n = q && q->next() ? q->value(0).toInt() : -1;
        if (q)
            q->finish();
        return n;
    };
    QCOMPARE(count(QStringLiteral("prune-%-old")), 1); // the registration not in the list keeps its old one
    QCOMPARE(count(QStringLiteral("prune-%-new")), registrations + 1);
    auto q = m_db->exec(QStringLiteral("SELECT operation_id FROM operations WHERE operation_id LIKE 'prune-%-old'"));
    QVERIFY(q && q->next());
    QCOMPARE(q->value(0).toString(), QStringLiteral("prune-%1-old").arg(registrations));
    q->finish();
    QVERIFY(store.pruneOperations(QStringList(), now));
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM operations WHERE operation_id LIKE 'prune-%'")));
}

// The group commit's records and operations go as multi-row statements on
// PostgreSQL (chunks of 64, 32, ... rows) and one by one on SQLite: the
// same documents and columns as save() and saveOperation() store, new rows
// and replaced ones alike.
void TestDatabase::groupWritesStoreWhatSingleWritesStore()
{
    RegistrationStore store(*m_db);
    const QDateTime at = QDateTime(QDate(2026, 12, 7), QTime(2, 0, 0, 5), Qt::UTC);
    const int count = 64 + 4 + 2 + 1;
    std::vector<RegistrationRecord> records(count);
    std::vector<QByteArray> texts(count);
    std::vector<OperationRecord> operations(count);
    QList<RegistrationStore::StateWrite> recordWrites;
    QList<RegistrationStore::OperationWrite> operationWrites;
    for (int i = 0; i < count; ++i) {
        RegistrationRecord &rec = records[size_t(i)];
        rec.state.registrationId = QStringLiteral("group-write-%1").arg(i);
        rec.state.status = QStringLiteral("assigned");
        rec.state.assignedHub = QStringLiteral("hub-%1.example").arg(i % 3);
        rec.state.deviceId = rec.state.registrationId;
        rec.state.substatus = QStringLiteral("initialAssignment");
        rec.state.etag = QStringLiteral("etag-%1").arg(i);
        rec.state.createdDateTimeUtc = at;
        rec.state.lastUpdatedDateTimeUtc = at.addMSecs(i);
        rec.enrollmentGroupId = i % 2 ? QStringLiteral("g\u00e9") : QString();
        rec.operationId = QStringLiteral("5.group.%1").arg(i);
        rec.twin =
            QJsonObject{{QStringLiteral("properties"),
                         QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("$version"), i}}}}}};
        texts[size_t(i)] = QJsonDocument(rec.state.toJson()).toJson(QJsonDocument::Compact);
        operations[size_t(i)].operation.operationId = rec.operationId;
        operations[size_t(i)].operation.status = QStringLiteral("assigned");
        operations[size_t(i)].operation.registrationState = rec.state;
        operations[size_t(i)].registrationId = rec.state.registrationId;
        operations[size_t(i)].created = at;
        operations[size_t(i)].updated = at.addMSecs(i);
        recordWrites.append({&records[size_t(i)], &texts[size_t(i)]});
        operationWrites.append({&operations[size_t(i)], &texts[size_t(i)]});
    }
    // One of them stored before: the group write replaces it.
    RegistrationRecord old = records[3];
    old.state.status = QStringLiteral("failed");
    old.state.assignedHub.clear();
    QVERIFY(store.save(old));
    QVERIFY(store.saveMany(recordWrites));
    QVERIFY(store.saveOperations(operationWrites));
    QVERIFY(store.saveMany({}));
    QVERIFY(store.saveOperations({}));
    for (int i = 0; i < count; ++i) {
        const RegistrationRecord &rec = records[size_t(i)];
        auto q = m_db->exec(QStringLiteral("SELECT doc, assigned_hub, status, group_id, updated FROM registrations "
                                           "WHERE registration_id = ?"),
                            {rec.state.registrationId});
        QVERIFY(q && q->next());
        QCOMPARE(q->value(0).toString(), QString::fromUtf8(QJsonDocument(rec.toDoc()).toJson(QJsonDocument::Compact)));
        QCOMPARE(q->value(1).toString(), rec.state.assignedHub);
        QCOMPARE(q->value(2).toString(), QStringLiteral("assigned"));
        QCOMPARE(q->value(3).toString(), rec.enrollmentGroupId);
        QCOMPARE(q->value(4).toString(), toIsoUtc(rec.state.lastUpdatedDateTimeUtc));
        q->finish();
        const auto op = store.findOperation(rec.operationId);
        QVERIFY(op && *op);
        QCOMPARE((*op)->registrationId, rec.state.registrationId);
        QCOMPARE((*op)->updated, operations[size_t(i)].updated);
        QCOMPARE((*op)->operation.toJson(), operations[size_t(i)].operation.toJson());
    }
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM operations WHERE registration_id LIKE 'group-write-%'")));
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM registrations WHERE registration_id LIKE 'group-write-%'")));
}

void TestDatabase::registrationAnswerTextIsItsJson_data()
{
    QTest::addColumn<RegistrationOperation>("op");
    QTest::addColumn<QJsonObject>("provisio");
    QTest::addColumn<bool>("withProvisio");

    const QDateTime created(QDate(2026, 12, 6), QTime(17, 0, 1, 23), Qt::UTC);
    RegistrationState assigned;
    assigned.registrationId = QStringLiteral("dev-1");
    assigned.status = QStringLiteral("assigned");
    assigned.substatus = QStringLiteral("initialAssignment");
    assigned.assignedHub = QStringLiteral("hub-a.example.net");
    assigned.deviceId = QStringLiteral("dev-1");
    assigned.createdDateTimeUtc = created;
    assigned.lastUpdatedDateTimeUtc = created.addMSecs(5);
    assigned.etag = QStringLiteral("\"etag-1\"");
    const QJsonObject provisio{{QStringLiteral("hubEndpoint"), QStringLiteral("mqtts://hub-a.example.net:8883")},
                               {QStringLiteral("caCertificate"),
                                QStringLiteral("-----BEGIN CERTIFICATE-----\nMIIB/w==\r\n-----END CERTIFICATE-----\n")},
                               {QStringLiteral("hubDeviceKey"), QStringLiteral("a2V5+/=")}};

    RegistrationOperation op;
    op.operationId = QStringLiteral("5.0123456789abcdef.0123");
    op.status = QStringLiteral("assigned");
    op.registrationState = assigned;
    QTest::newRow("assigned, connection details") << op << provisio << true;
    QTest::newRow("assigned, none") << op << QJsonObject() << false;
    QJsonObject keyless = provisio;
    keyless.remove(QStringLiteral("hubDeviceKey"));
    QTest::newRow("assigned, no device key") << op << keyless << true;

    RegistrationOperation custom = op;
    custom.registrationState->payload =
        QJsonObject{{QStringLiteral("zone"), QStringLiteral("n\u00f6rd \u2603 \U0001F600")},
                    {QStringLiteral("n"), 1.5},
                    {QStringLiteral("i"), 42},
                    {QStringLiteral("list"), QJsonArray{1, QStringLiteral("x"), QJsonValue::Null, true}},
                    {QStringLiteral("provisio"), QStringLiteral("the allocation's own, replaced")}};
    QTest::newRow("allocation payload, connection details") << custom << provisio << true;
    QTest::newRow("allocation payload, none") << custom << QJsonObject() << false;

    QJsonObject mixed = provisio;
    mixed.insert(QStringLiteral("port"), 8883);
    QTest::newRow("connection details not all strings") << op << mixed << true;
    QTest::newRow("empty connection details") << op << QJsonObject() << true;

    RegistrationOperation escapes = op;
    escapes.operationId = QStringLiteral("op \"quoted\" \\ back\tslash\x01\x1f\u007f");
    escapes.registrationState->registrationId = QStringLiteral("d\u00e9vice-\u00fc\u4e2d");
    escapes.registrationState->deviceId = QStringLiteral("line\nbreak\b\f\r");
    escapes.registrationState->assignedHub = QStringLiteral("h\u00fcb/\u2028");
    QTest::newRow("escapes and non-ASCII") << escapes << provisio << true;

    RegistrationOperation failed;
    failed.operationId = QStringLiteral("5.failed");
    failed.status = QStringLiteral("failed");
    RegistrationState fs;
    fs.registrationId = QStringLiteral("dev-2");
    fs.status = QStringLiteral("failed");
    fs.errorCode = 503000;
    fs.errorMessage = QStringLiteral("the registration could not be stored; try again");
    failed.registrationState = fs;
    QTest::newRow("failed") << failed << QJsonObject() << false;
    RegistrationOperation negative = failed;
    negative.registrationState->errorCode = -1;
    negative.registrationState->createdDateTimeUtc = created;
    QTest::newRow("negative error code") << negative << QJsonObject() << false;

    RegistrationOperation disabled = op;
    disabled.status = QStringLiteral("disabled");
    disabled.registrationState->status = QStringLiteral("disabled");
    disabled.registrationState->assignedHub.clear();
    disabled.registrationState->deviceId.clear();
    disabled.registrationState->substatus.clear();
    disabled.registrationState->etag.clear();
    disabled.registrationState->lastUpdatedDateTimeUtc = QDateTime();
    QTest::newRow("disabled, few members") << disabled << QJsonObject() << false;
    RegistrationOperation bare = disabled;
    bare.registrationState->createdDateTimeUtc = QDateTime();
    QTest::newRow("nothing before the registration id") << bare << QJsonObject() << false;
    QTest::newRow("nothing before the registration id, connection details") << bare << provisio << true;

    RegistrationOperation assigning;
    assigning.operationId = QStringLiteral("5.assigning");
    assigning.status = QStringLiteral("assigning");
    QTest::newRow("no state") << assigning << QJsonObject() << false;
    QTest::newRow("no state, connection details unused") << assigning << provisio << true;
}

void TestDatabase::registrationAnswerTextIsItsJson()
{
    QFETCH(RegistrationOperation, op);
    QFETCH(QJsonObject, provisio);
    QFETCH(bool, withProvisio);

    // What the registrar answered through QJsonObject before.
    QJsonObject expected = op.toJson();
    if (op.registrationState && withProvisio) {
        QJsonObject state = expected.value(QStringLiteral("registrationState")).toObject();
        QJsonObject payload = state.value(QStringLiteral("payload")).toObject();
        payload.insert(QStringLiteral("provisio"), provisio);
        state.insert(QStringLiteral("payload"), payload);
        expected.insert(QStringLiteral("registrationState"), state);
    }
    const QByteArray text = registrationAnswerText(op, withProvisio ? &provisio : nullptr);
    QCOMPARE(text, QJsonDocument(expected).toJson(QJsonDocument::Compact));
    // The state alone, as the stored record and operation hold it.
    if (op.registrationState)
        QCOMPARE(registrationStateText(*op.registrationState),
                 QJsonDocument(op.registrationState->toJson()).toJson(QJsonDocument::Compact));
    // The group commit renders the state once for the record and for the
    // registration event, whose data was built as this object before: the
    // state without its payload, the operation's id and the hub it left.
    if (op.registrationState) {
        for (const QString &previousHub : {QString(), QStringLiteral("left.provisio.test")}) {
            QJsonObject event = op.registrationState->toJson();
            event.remove(QStringLiteral("payload"));
            event.insert(QStringLiteral("operationId"), op.operationId);
            if (!previousHub.isEmpty())
                event.insert(QStringLiteral("previousAssignedHub"), previousHub);
            const RegistrationStateTexts texts =
                registrationStateTexts(*op.registrationState, op.operationId, previousHub);
            QCOMPARE(texts.state, registrationStateText(*op.registrationState));
            QCOMPARE(texts.event.toUtf8(), QJsonDocument(event).toJson(QJsonDocument::Compact));
            DomainEvent published;
            published.dataText = texts.event;
            QCOMPARE(published.record(), event);
        }
    }

    // The group commit's answers: the connection details written as text,
    // the CA escaped once. The same bytes whenever they are what the
    // registrar gives (the CA, the endpoint, perhaps the key: strings).
    const QStringList keys = provisio.keys();
    const bool connectionShape =
        withProvisio && provisio.value(QStringLiteral("caCertificate")).isString() &&
        provisio.value(QStringLiteral("hubEndpoint")).isString() &&
        (keys.size() == 2 || (keys.size() == 3 && provisio.value(QStringLiteral("hubDeviceKey")).isString()));
    if (!connectionShape)
        return;
    QString caJson;
    appendJsonString(caJson, provisio.value(QStringLiteral("caCertificate")).toString());
    const QString provisioText = provisioPayloadText(caJson, provisio.value(QStringLiteral("hubDeviceKey")).toString(),
                                                     provisio.value(QStringLiteral("hubEndpoint")).toString());
    QCOMPARE(QJsonDocument::fromJson(provisioText.toUtf8()).object(), provisio);
    QCOMPARE(registrationAnswerText(op, provisioText), text);
    // And around the state's text as the group commit rendered it.
    if (op.registrationState) {
        const RegistrationStateTexts texts = registrationStateTexts(*op.registrationState, op.operationId, QString());
        QCOMPARE(registrationAnswerText(op, texts, provisioText), text);
    }
}

// A registration reads its enrollment from the columns every write fills
// beside the document (migration 24): what it reads is what the document
// holds, after an insert and after an update; a custom allocation, and a
// row written without those columns (before the migration), are read from
// the document itself, which an unreadable one fails as before.
void TestDatabase::registrationReadsWhatTheDocumentHolds_data()
{
    QTest::addColumn<QJsonObject>("enrollment");
    QTest::addColumn<QJsonObject>("update");
    QTest::addColumn<bool>("withoutColumns");
    const QString key1 = QString::fromLatin1(QByteArray(32, 'k').toBase64());
    const QString key2 = QString::fromLatin1(QByteArray(64, 's').toBase64());
    const QJsonObject keys{{QStringLiteral("type"), QStringLiteral("symmetricKey")},
                           {QStringLiteral("symmetricKey"),
                            QJsonObject{{QStringLiteral("primaryKey"), key1}, {QStringLiteral("secondaryKey"), key2}}}};
    const QJsonObject primaryOnly{{QStringLiteral("type"), QStringLiteral("symmetricKey")},
                                  {QStringLiteral("symmetricKey"), QJsonObject{{QStringLiteral("primaryKey"), key2}}}};
    const QJsonObject twin{
        {QStringLiteral("tags"), QJsonObject{{QStringLiteral("site"), QStringLiteral("Caf\u00e9 \"north\"")}}},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("desired"),
                      QJsonObject{{QStringLiteral("interval"), 30},
                                  {QStringLiteral("nested"), QJsonObject{{QStringLiteral("a"), QJsonArray{1, 2}}}}}}}}};
    const QJsonObject base{{QStringLiteral("attestation"), keys}};
    auto with = [&base](std::initializer_list<std::pair<QString, QJsonValue>> members) {
        QJsonObject o = base;
        for (const auto &[k, v] : members)
            o.insert(k, v);
        return o;
    };
    QTest::newRow("defaults") << base << QJsonObject() << false;
    QTest::newRow("primary key only") << QJsonObject{{QStringLiteral("attestation"), primaryOnly}} << QJsonObject()
                                      << false;
    QTest::newRow("device id, disabled") << with({{QStringLiteral("deviceId"), QStringLiteral("dev-7")},
                                                  {QStringLiteral("provisioningStatus"), QStringLiteral("disabled")}})
                                         << QJsonObject() << false;
    QTest::newRow("static hub, no reprovisioning")
        << with({{QStringLiteral("allocationPolicy"), QStringLiteral("static")},
                 {QStringLiteral("iotHubs"), QJsonArray{QStringLiteral("hub-a.example.net")}},
                 {QStringLiteral("reprovisionPolicy"), QJsonObject{{QStringLiteral("updateHubAssignment"), false},
                                                                   {QStringLiteral("migrateDeviceData"), false}}}})
        << QJsonObject() << false;
    QTest::newRow("hashed over hubs, reset on move")
        << with({{QStringLiteral("allocationPolicy"), QStringLiteral("hashed")},
                 {QStringLiteral("iotHubs"),
                  QJsonArray{QStringLiteral("hub-a.example.net"), QStringLiteral("hub-b.example.net")}},
                 {QStringLiteral("reprovisionPolicy"), QJsonObject{{QStringLiteral("migrateDeviceData"), false}}}})
        << QJsonObject() << false;
    QTest::newRow("initial twin") << with({{QStringLiteral("initialTwin"), twin}}) << QJsonObject() << false;
    QTest::newRow("custom allocation")
        << with({{QStringLiteral("allocationPolicy"), QStringLiteral("custom")},
                 {QStringLiteral("customAllocationDefinition"),
                  QJsonObject{{QStringLiteral("webhookUrl"), QStringLiteral("https://alloc.example.net/f")},
                              {QStringLiteral("apiVersion"), QStringLiteral("2021-10-01")}}}})
        << QJsonObject() << false;
    QTest::newRow("updated: new keys, twin, hubs")
        << with({{QStringLiteral("initialTwin"), twin}})
        << with({{QStringLiteral("attestation"), primaryOnly},
                 {QStringLiteral("deviceId"), QStringLiteral("dev-8")},
                 {QStringLiteral("allocationPolicy"), QStringLiteral("geoLatency")},
                 {QStringLiteral("iotHubs"), QJsonArray{QStringLiteral("hub-c.example.net")}}})
        << false;
    QTest::newRow("updated: twin and policy removed")
        << with({{QStringLiteral("initialTwin"), twin},
                 {QStringLiteral("allocationPolicy"), QStringLiteral("static")},
                 {QStringLiteral("iotHubs"), QJsonArray{QStringLiteral("hub-a.example.net")}}})
        << base << false;
    QTest::newRow("written before the columns")
        << with({{QStringLiteral("initialTwin"), twin}, {QStringLiteral("deviceId"), QStringLiteral("dev-9")}})
        << QJsonObject() << true;
}

void TestDatabase::registrationReadsWhatTheDocumentHolds()
{
    QFETCH(QJsonObject, enrollment);
    QFETCH(QJsonObject, update);
    QFETCH(bool, withoutColumns);
    static int row = 0;
    const QString id = QStringLiteral("columns-") + QString::number(++row);
    enrollment.insert(QStringLiteral("registrationId"), id);
    EnrollmentStore store(*m_db);
    auto parsed = Enrollment::fromJson(enrollment);
    QVERIFY2(parsed, qPrintable(parsed.error().message));
    QVERIFY(store.insert(*parsed));
    if (!update.isEmpty()) {
        update.insert(QStringLiteral("registrationId"), id);
        auto changed = Enrollment::fromJson(update);
        QVERIFY2(changed, qPrintable(changed.error().message));
        changed->createdDateTimeUtc = parsed->createdDateTimeUtc;
        QVERIFY(store.update(*changed, parsed->etag));
    }
    if (withoutColumns)
        QVERIFY(m_db->execAffected(
            QStringLiteral("UPDATE enrollments SET registration_columns = NULL, primary_key = NULL, "
                           "secondary_key = NULL, iot_hubs = NULL, initial_twin = NULL WHERE registration_id = ?"),
            {id}));

    auto whole = store.find(id);
    QVERIFY2(whole && *whole, "the enrollment was stored");
    auto read = store.findForRegistration(id);
    QVERIFY2(read, qPrintable(read.error().message));
    QVERIFY(read->has_value());
    const Enrollment &w = **whole;
    const Enrollment &r = **read;
    // The key check's read with its side reads in the same statement finds
    // the same enrollment.
    EnrollmentStore::CheckSideReads side;
    auto together = store.findForRegistration(id, &side);
    QVERIFY2(together && together->has_value(), "read with the key check's side reads");
    QCOMPARE((*together)->toJson(), r.toJson());
    QVERIFY(!side.record);
    QCOMPARE(r.registrationId, w.registrationId);
    QCOMPARE(r.deviceId, w.deviceId);
    QCOMPARE(r.provisioningStatus, w.provisioningStatus);
    QCOMPARE(r.isEnabled(), w.isEnabled());
    QCOMPARE(r.attestation.type, w.attestation.type);
    QCOMPARE(r.attestation.primaryKey, w.attestation.primaryKey);
    QCOMPARE(r.attestation.secondaryKey, w.attestation.secondaryKey);
    QCOMPARE(r.reprovisionPolicy.updateHubAssignment, w.reprovisionPolicy.updateHubAssignment);
    QCOMPARE(r.reprovisionPolicy.migrateDeviceData, w.reprovisionPolicy.migrateDeviceData);
    QCOMPARE(r.allocationPolicy.has_value(), w.allocationPolicy.has_value());
    if (w.allocationPolicy)
        QCOMPARE(int(*r.allocationPolicy), int(*w.allocationPolicy));
    QCOMPARE(r.iotHubs, w.iotHubs);
    QCOMPARE(r.initialTwin.toJson(), w.initialTwin.toJson());
    QCOMPARE(r.customAllocationDefinition.has_value(), w.customAllocationDefinition.has_value());
    const bool readWhole = withoutColumns || w.allocationPolicy == AllocationPolicy::Custom;
    if (readWhole) {
        QCOMPARE(r.toJson(), w.toJson());
    } else {
        // Read from the columns: not the document's other members.
        QVERIFY(r.etag.isEmpty());
        QVERIFY(!r.createdDateTimeUtc.isValid());
    }

    // A document that cannot be read fails the registration's read as it
    // fails find() when the row has no columns; with them it is not read.
    QVERIFY(m_db->execAffected(QStringLiteral("UPDATE enrollments SET doc = ? WHERE registration_id = ?"),
                               {QStringLiteral("{\"registrationId\": 1"), id}));
    for (EnrollmentStore::CheckSideReads *with : {static_cast<EnrollmentStore::CheckSideReads *>(nullptr), &side}) {
        auto damaged = store.findForRegistration(id, with);
        if (readWhole) {
            QVERIFY(!damaged);
            QVERIFY(damaged.error().code == ErrorCode::Conflict);
        } else {
            QVERIFY2(damaged && *damaged, "read from the columns");
            QCOMPARE((*damaged)->attestation.primaryKey, w.attestation.primaryKey);
        }
    }
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM enrollments WHERE registration_id = ?"), {id}));
    auto gone = store.findForRegistration(id);
    QVERIFY(gone);
    QVERIFY(!gone->has_value());
    gone = store.findForRegistration(id, &side);
    QVERIFY(gone);
    QVERIFY(!gone->has_value());
}

void TestDatabase::keyCheckReadsRecordAndPolicyAlong()
{
    const QString id = QStringLiteral("side-reads-1");
    EnrollmentStore enrollments(*m_db);
    RegistrationStore registrations(*m_db);
    SettingsStore settings(*m_db);
    QVERIFY(
        m_db->execAffected(QStringLiteral("DELETE FROM settings WHERE key = ?"), {QStringLiteral("allocationPolicy")}));

    // Nothing yet: one row all the same, every part absent.
    EnrollmentStore::CheckSideReads side;
    side.allocationPolicy = QStringLiteral("stale");
    auto read = enrollments.findForRegistration(id, &side);
    QVERIFY2(read, qPrintable(read.error().message));
    QVERIFY(!read->has_value());
    QVERIFY(!side.record);
    QVERIFY(!side.allocationPolicy);

    // A registration without an individual enrollment (a group's device)
    // and the instance's policy.
    RegistrationRecord record;
    record.state.registrationId = id;
    record.state.deviceId = QStringLiteral("side-device");
    record.state.assignedHub = QStringLiteral("hub-side.example.net");
    record.state.status = QStringLiteral("assigned");
    record.state.etag = QStringLiteral("etag-1");
    record.state.createdDateTimeUtc = QDateTime::currentDateTimeUtc();
    record.state.lastUpdatedDateTimeUtc = record.state.createdDateTimeUtc;
    record.enrollmentGroupId = QStringLiteral("group-side");
    QVERIFY(registrations.save(record));
    QVERIFY(settings.setValue(QStringLiteral("allocationPolicy"), QStringLiteral("geoLatency")));
    read = enrollments.findForRegistration(id, &side);
    QVERIFY2(read, qPrintable(read.error().message));
    QVERIFY(!read->has_value());
    QVERIFY(side.record);
    QCOMPARE(side.record->state.deviceId, QStringLiteral("side-device"));
    QCOMPARE(side.record->state.assignedHub, QStringLiteral("hub-side.example.net"));
    QCOMPARE(side.record->enrollmentGroupId, QStringLiteral("group-side"));
    QCOMPARE(side.record->state.etag, QStringLiteral("etag-1"));
    QVERIFY(!side.record->unreadable);
    QCOMPARE(side.allocationPolicy, std::optional<QString>(QStringLiteral("geoLatency")));

    // With its individual enrollment too: all three from the one row, the
    // record as RegistrationStore::find reads it.
    QJsonObject enrollment{
        {QStringLiteral("registrationId"), id},
        {QStringLiteral("attestation"),
         QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")},
                     {QStringLiteral("symmetricKey"),
                      QJsonObject{{QStringLiteral("primaryKey"), QStringLiteral("cHJpbWFyeS1rZXktc2lkZQ==")},
                                  {QStringLiteral("secondaryKey"), QStringLiteral("c2Vjb25kYXJ5LWtleS1zaWRl")}}}}}};
    auto parsed = Enrollment::fromJson(enrollment);
    QVERIFY2(parsed, qPrintable(parsed.error().message));
    QVERIFY(enrollments.insert(*parsed));
    read = enrollments.findForRegistration(id, &side);
    QVERIFY2(read && read->has_value(), "the enrollment is read");
    QCOMPARE((*read)->attestation.primaryKey, QStringLiteral("cHJpbWFyeS1rZXktc2lkZQ=="));
    auto alone = registrations.find(id);
    QVERIFY(alone && *alone);
    QVERIFY(side.record);
    QCOMPARE(side.record->toDoc(), (*alone)->toDoc());
    QCOMPARE(side.allocationPolicy, std::optional<QString>(QStringLiteral("geoLatency")));

    // A record whose document cannot be read comes from its columns,
    // flagged, as find() gives it.
    QVERIFY(m_db->execAffected(QStringLiteral("UPDATE registrations SET doc = ? WHERE registration_id = ?"),
                               {QStringLiteral("{\"registrationState\": 1"), id}));
    read = enrollments.findForRegistration(id, &side);
    QVERIFY(read && read->has_value());
    QVERIFY(side.record);
    QVERIFY(side.record->unreadable);
    QCOMPARE(side.record->state.assignedHub, QStringLiteral("hub-side.example.net"));

    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM registrations WHERE registration_id = ?"), {id}));
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM enrollments WHERE registration_id = ?"), {id}));
    QVERIFY(
        m_db->execAffected(QStringLiteral("DELETE FROM settings WHERE key = ?"), {QStringLiteral("allocationPolicy")}));
}

// A writer that never pauses: `commits` transactions of `rows` rows of
// 4 KiB each into a new table, on `db` (the file at `path`). The largest
// the WAL grew after a commit, or -1 when a write failed.
namespace {
qint64 writeBlobs(Database &db, const QString &path, int commits, int rows)
{
    if (!db.execWrite(QStringLiteral("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)"), {}))
        return -1;
    const QByteArray row(4096, 'x');
    qint64 largestWal = 0;
    const QString wal = path + QStringLiteral("-wal");
    for (int commit = 0; commit < commits; ++commit) {
        Transaction tx(db);
        if (!tx.isActive())
            return -1;
        for (int i = 0; i < rows; ++i) {
            if (!db.execWrite(QStringLiteral("INSERT INTO blobs (data) VALUES (?)"), {row}))
                return -1;
        }
        if (!tx.commit())
            return -1;
        largestWal = std::max(largestWal, QFileInfo(wal).size());
    }
    return largestWal;
}
} // namespace

// A connection that writes continuously never checkpoints the WAL itself:
// the process's checkpointer does, on its own thread, so the data reaches
// the database file while the writer goes on, the WAL restarts instead of
// growing, and each commit returns without copying or syncing pages.
void TestDatabase::walIsCheckpointedOffTheWritingConnection()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("wal.db"));
    auto opened = Database::open(path);
    QVERIFY2(opened, qPrintable(opened.error().message));
    Database &db = **opened;
    QVERIFY(db.walCheckpointer());
    // Every connection of the process to the file hands its checkpoints to
    // the same thread.
    auto another = db.openAnother();
    QVERIFY(another);
    QCOMPARE((*another)->walCheckpointer(), db.walCheckpointer());
    // 80 MiB in 200 commits of 100 rows of 4 KiB: twenty times SQLite's
    // checkpoint threshold.
    const qint64 largestWal = writeBlobs(db, path, 200, 100);
    QVERIFY(largestWal > 0);
    QTRY_VERIFY(db.walCheckpointer()->checkpoints() > 0);
    // While the connections are open, only a checkpoint moves pages into
    // the database file.
    QTRY_VERIFY2(QFileInfo(path).size() > 60 * 1024 * 1024, qPrintable(QString::number(QFileInfo(path).size())));
    // A writer that never pauses outruns the thread, but the log starts
    // over rather than holding all 80 MiB: past WalCheckpointer::kInlinePages
    // (16 MiB) the committing connection waits for the thread's round and
    // copies the rest itself.
    QVERIFY2(largestWal < 24 * 1024 * 1024, qPrintable(QString::number(largestWal)));
    auto count = db.selectRows(QStringLiteral("SELECT COUNT(*) FROM blobs"), {}, 1);
    QVERIFY(count);
    QCOMPARE(count->first().value(0).toInt(), 20000);
}

// The CSV import's writer commits some 2,000 pages at a time, back to back:
// its commits leave the log to the thread for longer (kBulkInlinePages),
// and only its own; the log is still bounded and every row is there.
void TestDatabase::bulkWriterLeavesTheLogToTheThreadLonger()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bulk.db"));
    auto opened = Database::open(path);
    QVERIFY2(opened, qPrintable(opened.error().message));
    Database &db = **opened;
    auto other = db.openAnother();
    QVERIFY(other);
    WalCheckpointer *checkpointer = db.walCheckpointer();
    QVERIFY(checkpointer);
    QCOMPARE(checkpointer->inlinePagesOf(db.sqliteHandle()), WalCheckpointer::kInlinePages);
    db.setBulkWriter();
    db.setBulkWriter(); // again: the same
    QCOMPARE(checkpointer->inlinePagesOf(db.sqliteHandle()), WalCheckpointer::kBulkInlinePages);
    QCOMPARE(checkpointer->inlinePagesOf((*other)->sqliteHandle()), WalCheckpointer::kInlinePages);

    // 120 MiB in 60 commits of 500 rows of 4 KiB, each some 500 pages.
    const qint64 largestWal = writeBlobs(db, path, 60, 500);
    QVERIFY(largestWal > 0);
    QTRY_VERIFY(checkpointer->checkpoints() > 0);
    QTRY_VERIFY2(QFileInfo(path).size() > 100 * 1024 * 1024, qPrintable(QString::number(QFileInfo(path).size())));
    // Bounded by the bulk threshold and one commit (frames of 4 KiB and a
    // 24-byte header each).
    const qint64 bound = qint64(WalCheckpointer::kBulkInlinePages + 600) * (4096 + 24);
    QVERIFY2(largestWal < bound, qPrintable(QString::number(largestWal)));
    auto count = (*other)->selectRows(QStringLiteral("SELECT COUNT(*) FROM blobs"), {}, 1);
    QVERIFY(count);
    QCOMPARE(count->first().value(0).toInt(), 30000);
}

void TestDatabase::readerAnswersInTheOrderJobsCame()
{
    // On PostgreSQL the reader's threads run jobs at once, so a later job
    // may finish first; its `then` still waits for those of the jobs before
    // it. On SQLite one thread runs them in order.
    QObject owner;
    auto reader = DatabaseReader::create(*m_db, &owner);
    QVERIFY(reader);
    const bool postgres = m_db->dialect() == Database::Dialect::Postgres;
    QCOMPARE(reader->threads(), postgres ? DatabaseReader::kPostgresThreads : 1);
    constexpr int kJobs = 40;
    std::atomic<int> running{0};
    std::atomic<int> mostAtOnce{0};
    std::atomic<int> failedReads{0};
    std::vector<int> answered;
    for (int i = 0; i < kJobs; ++i) {
        reader->post(
            [&, i](Database *db) {
                const int now = ++running;
                for (int seen = mostAtOnce; now > seen && !mostAtOnce.compare_exchange_weak(seen, now);) { }
                // Earlier jobs take longer: on several threads they finish last.
                QThread::msleep(ulong((kJobs - i) % 8));
                bool read = false;
                if (db) {
                    const auto rows = db->selectRows(QStringLiteral("SELECT ?"), {i}, 1);
                    read = rows && rows->size() == 1 && rows->first().first().toInt() == i;
                }
                if (!read)
                    ++failedReads;
                --running;
            },
            [&answered, i] { answered.push_back(i); });
    }
    QCOMPARE(reader->pending(), kJobs);
    reader->settle();
    QCOMPARE(reader->pending(), 0);
    QCOMPARE(failedReads.load(), 0);
    std::vector<int> expected(kJobs);
    std::iota(expected.begin(), expected.end(), 0);
    QCOMPARE(answered, expected);
    if (postgres)
        QVERIFY2(mostAtOnce > 1, "the reader's threads never ran two jobs at once");
    else
        QCOMPARE(mostAtOnce.load(), 1);

    // A `then` that queues a job of its own: settle() waits for that one too.
    answered.clear();
    reader->post([](Database *) {},
                 [&] {
                     answered.push_back(1);
                     reader->post([](Database *) {}, [&answered] { answered.push_back(2); });
                 });
    reader->settle();
    QCOMPARE(answered, (std::vector<int>{1, 2}));
}

PROVISIO_TEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
