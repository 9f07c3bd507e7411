// SPDX-License-Identifier: Apache-2.0
// The CRM records API end to end: a real middleware over real HTTPS, driven
// the way the CRM desktop drives it. Runs against SQLite and, as
// tst_crmapi_pg, against PostgreSQL.
#include "childprocesswatch.h"
#include "crmtestutil.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QHash>
#include <QScopeGuard>
#include <QSet>
#include <QTest>

#include <algorithm>

using namespace Provisio::Test;

namespace {
using Headers = QList<QPair<QByteArray, QByteArray>>;
} // namespace

class TestCrmApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void customerLifecycle();
    void customerSearch();
    void inventorySellFlow();
    void inventoryFilters();
    void inventorySort_data();
    void inventorySort();
    void inventorySortCursorMismatch_data();
    void inventorySortCursorMismatch();
    void deleteRefusedWhileReferenced();
    void badInputChangesNothing_data();
    void badInputChangesNothing();
    void ifMatchMismatchChangesNothing_data();
    void ifMatchMismatchChangesNothing();
    void ifMatchCurrentEtagSucceeds();
    void roles_data();
    void roles();
    void revokedTokenIsRejected();
    void tokenCreateGivesLocation();
    void tokensNeverShowSecrets();
    void hubSigningKeyShownOnce();
    void hubDeleteRefusedWhileAssigned();
    void allocationPolicy_data();
    void allocationPolicy();
    void viewersSeeNoWebhookSecrets_data();
    void viewersSeeNoWebhookSecrets();
    void unreadableRecordsAreListedPerItem_data();
    void unreadableRecordsAreListedPerItem();
    void auditEntries();
    void auditFilters_data();
    void auditFilters();
    void paging_data();
    void paging();
    void dataSurvivesRestart();

private:
    QJsonObject createCustomer(const QString &name, const QString &email = {});
    QJsonObject createDevice(const QJsonObject &device);
    // Everything a client can see, plus the newest audit entry: equal
    // snapshots mean a request changed nothing.
    QByteArray snapshot();
    HttpsClient &as(const QString &role);
    // Nine SRT- devices with repeated, missing and varied values in every
    // sortable field (created once, for the sort tests).
    void seedSortDevices();
    // The serials and cursor of one page of `query`.
    QStringList pageSerials(const QString &query, QString *nextCursor = nullptr, int *status = nullptr);

    CrmFixture m_f;
    std::unique_ptr<HttpsClient> m_admin;
    std::unique_ptr<HttpsClient> m_operator;
    std::unique_ptr<HttpsClient> m_viewer;
    std::unique_ptr<HttpsClient> m_anonymous;
    std::unique_ptr<HttpsClient> m_forged;
    QString m_customerId; // "Fixture Customer", owns no device
    bool m_sortSeeded = false;
    const QString m_fixtureSerial = QStringLiteral("FIX-0001");
    const QString m_fixtureHub = QStringLiteral("fixture-hub");
    const QString m_fixtureHubHost = QStringLiteral("fixture-hub.example.net");
};

HttpsClient &TestCrmApi::as(const QString &role)
{
    if (role == QLatin1String("admin"))
        return *m_admin;
    if (role == QLatin1String("operator"))
        return *m_operator;
    if (role == QLatin1String("viewer"))
        return *m_viewer;
    if (role == QLatin1String("forged"))
        return *m_forged;
    return *m_anonymous;
}

QJsonObject TestCrmApi::createCustomer(const QString &name, const QString &email)
{
    QJsonObject body{{QStringLiteral("name"), name}};
    if (!email.isEmpty())
        body.insert(QStringLiteral("email"), email);
    const auto r = m_operator->post(QStringLiteral("/api/v1/customers"), body);
    if (r.status != 201)
        qWarning() << "create customer failed" << r.status << r.body;
    return r.json();
}

QJsonObject TestCrmApi::createDevice(const QJsonObject &device)
{
    const auto r = m_operator->post(QStringLiteral("/api/v1/devices"), device);
    if (r.status != 201)
        qWarning() << "create device failed" << r.status << r.body;
    return r.json();
}

QByteArray TestCrmApi::snapshot()
{
    QByteArray s;
    for (const char *path : {"/api/v1/customers?limit=1000", "/api/v1/devices?limit=1000", "/api/v1/hubs?limit=1000",
                             "/api/v1/allocation-policy", "/api/v1/tokens?limit=1000", "/api/v1/audit?limit=1"}) {
        const auto r = m_admin->get(QString::fromLatin1(path));
        QByteArray body = r.body;
        if (QByteArray(path).startsWith("/api/v1/hubs")) {
            // A hub's `link` is this instance's live connection state, not
            // stored data: a restart reconnects and changes it.
            QJsonObject list = r.json();
            QJsonArray items = list.value(QStringLiteral("items")).toArray();
            for (auto it = items.begin(); it != items.end(); ++it) {
                QJsonObject item = it->toObject();
                item.remove(QStringLiteral("link"));
                *it = item;
            }
            list.insert(QStringLiteral("items"), items);
            body = QJsonDocument(list).toJson(QJsonDocument::Compact);
        }
        s += QByteArray::number(r.status) + ' ' + body + '\n';
    }
    return s;
}

void TestCrmApi::initTestCase()
{
    // Allocation webhooks set here are never called; their hosts only have
    // to be allowed (the middleware inherits the environment).
    qputenv("PROVISIO_WEBHOOK_ALLOWED_HOSTS", "alloc.example,a.example,10.0.0.5");
    QVERIFY(m_f.start());
    m_admin = m_f.client(m_f.adminToken);
    m_operator = m_f.client(m_f.operatorToken);
    m_viewer = m_f.client(m_f.viewerToken);
    m_anonymous = m_f.client({});
    m_forged = m_f.client(QStringLiteral("pvs_this-token-was-never-issued"));

    const QJsonObject customer = createCustomer(QStringLiteral("Fixture Customer"));
    m_customerId = customer.value(QStringLiteral("id")).toString();
    QVERIFY(!m_customerId.isEmpty());
    QVERIFY(!createDevice({{QStringLiteral("serial"), m_fixtureSerial}}).isEmpty());
    const auto hub =
        m_admin->put(QStringLiteral("/api/v1/hubs/") + m_fixtureHub, {{QStringLiteral("host"), m_fixtureHubHost}});
    QCOMPARE(hub.status, 201);
}

void TestCrmApi::customerLifecycle()
{
    const auto created = m_operator->post(QStringLiteral("/api/v1/customers"),
                                          {{QStringLiteral("name"), QStringLiteral("Müller & Söhne")},
                                           {QStringLiteral("email"), QStringLiteral("info@mueller.example")},
                                           {QStringLiteral("phone"), QStringLiteral("+49 30 1234")}});
    QCOMPARE(created.status, 201);
    const QJsonObject c = created.json();
    const QString id = c.value(QStringLiteral("id")).toString();
    QVERIFY2(id.startsWith(QLatin1String("cus_")), qPrintable(id));
    QCOMPARE(created.header("Location"), QByteArray("/api/v1/customers/") + id.toUtf8());
    QVERIFY(!c.value(QStringLiteral("etag")).toString().isEmpty());
    QCOMPARE(etagHeader(created), c.value(QStringLiteral("etag")).toString());
    QVERIFY(!c.value(QStringLiteral("createdDateTimeUtc")).toString().isEmpty());

    const QString path = QStringLiteral("/api/v1/customers/") + id;
    auto got = m_viewer->get(path);
    QCOMPARE(got.status, 200);
    QCOMPARE(got.json(), c);
    QCOMPARE(etagHeader(got), c.value(QStringLiteral("etag")).toString());

    // PUT replaces: the phone not sent is gone.
    auto put = m_operator->put(path,
                               {{QStringLiteral("name"), QStringLiteral("Müller & Söhne KG")},
                                {QStringLiteral("email"), QStringLiteral("kg@mueller.example")}},
                               {{"If-Match", quoted(c.value(QStringLiteral("etag")).toString())}});
    QCOMPARE(put.status, 200);
    QCOMPARE(put.json().value(QStringLiteral("name")).toString(), QStringLiteral("Müller & Söhne KG"));
    QCOMPARE(put.json().value(QStringLiteral("phone")).toString(), QString());
    QCOMPARE(put.json().value(QStringLiteral("id")).toString(), id);
    QCOMPARE(put.json().value(QStringLiteral("createdDateTimeUtc")), c.value(QStringLiteral("createdDateTimeUtc")));
    QVERIFY(put.json().value(QStringLiteral("etag")) != c.value(QStringLiteral("etag")));
    QCOMPARE(etagHeader(put), put.json().value(QStringLiteral("etag")).toString());

    // PATCH merges: null removes, the rest stays.
    auto patch = m_operator->patch(
        path, {{QStringLiteral("email"), QJsonValue::Null}, {QStringLiteral("notes"), QStringLiteral("pays on time")}});
    QCOMPARE(patch.status, 200);
    QCOMPARE(patch.json().value(QStringLiteral("email")).toString(), QString());
    QCOMPARE(patch.json().value(QStringLiteral("notes")).toString(), QStringLiteral("pays on time"));
    QCOMPARE(patch.json().value(QStringLiteral("name")).toString(), QStringLiteral("Müller & Söhne KG"));

    // What a GET returned can be sent back as is (read-only members included).
    QJsonObject echoed = m_viewer->get(path).json();
    echoed.insert(QStringLiteral("address"), QStringLiteral("Hauptstr. 1, Berlin"));
    auto roundTrip = m_operator->put(path, echoed);
    QCOMPARE(roundTrip.status, 200);
    QCOMPARE(roundTrip.json().value(QStringLiteral("address")).toString(), QStringLiteral("Hauptstr. 1, Berlin"));
    QCOMPARE(m_viewer->get(path).json(), roundTrip.json());

    auto del = m_operator->del(path, {{"If-Match", quoted(roundTrip.json().value(QStringLiteral("etag")).toString())}});
    QCOMPARE(del.status, 204);
    QCOMPARE(m_viewer->get(path).status, 404);
    QCOMPARE(m_operator->del(path).status, 404);
}

void TestCrmApi::customerSearch()
{
    const QString a = createCustomer(QStringLiteral("Searchable Alpha"), QStringLiteral("alpha@zeta.example"))
                          .value(QStringLiteral("id"))
                          .toString();
    const QString b = createCustomer(QStringLiteral("Beta 100% Searchable"), QStringLiteral("beta@example.org"))
                          .value(QStringLiteral("id"))
                          .toString();
    QVERIFY(!a.isEmpty() && !b.isEmpty());
    const auto ids = [&](const QString &query) {
        QSet<QString> out;
        const auto r = m_viewer->get(QStringLiteral("/api/v1/customers?limit=1000&q=") +
                                     QString::fromLatin1(QUrl::toPercentEncoding(query)));
        if (r.status != 200)
            qWarning() << r.status << r.body;
        const QJsonArray items = r.json().value(QStringLiteral("items")).toArray();
        for (const auto &v : items)
            out.insert(v.toObject().value(QStringLiteral("id")).toString());
        return out;
    };
    QCOMPARE(ids(QStringLiteral("SEARCHABLE")), (QSet<QString>{a, b}));
    QCOMPARE(ids(QStringLiteral("zeta.EXAMPLE")), QSet<QString>{a}); // e-mail matches too
    QCOMPARE(ids(QStringLiteral("100%")), QSet<QString>{b});         // '%' is no wildcard
    QCOMPARE(ids(QStringLiteral("0_")), QSet<QString>());            // nor is '_'
    QCOMPARE(ids(QStringLiteral("no such customer")), QSet<QString>());
}

void TestCrmApi::inventorySellFlow()
{
    const QString buyer = createCustomer(QStringLiteral("Flow GmbH")).value(QStringLiteral("id")).toString();
    const QString other = createCustomer(QStringLiteral("Other AG")).value(QStringLiteral("id")).toString();
    QVERIFY(!buyer.isEmpty() && !other.isEmpty());

    const auto created = m_operator->post(QStringLiteral("/api/v1/devices"),
                                          {{QStringLiteral("serial"), QStringLiteral("FLOW-1")},
                                           {QStringLiteral("model"), QStringLiteral("K1")},
                                           {QStringLiteral("manufacturer"), QStringLiteral("Acme")},
                                           {QStringLiteral("batch"), QStringLiteral("B7")},
                                           {QStringLiteral("deliveryDate"), QStringLiteral("2024-03-01")}});
    QCOMPARE(created.status, 201);
    QCOMPARE(created.json().value(QStringLiteral("status")).toString(), QStringLiteral("inStock"));
    QCOMPARE(etagHeader(created), created.json().value(QStringLiteral("etag")).toString());
    QCOMPARE(created.header("Location"), QByteArray("/api/v1/devices/FLOW-1"));

    const auto ofCustomer = [&](const QString &customerId) {
        const auto r = m_viewer->get(QStringLiteral("/api/v1/devices?customerId=") + customerId);
        QStringList serials;
        for (const auto &v : r.json().value(QStringLiteral("items")).toArray())
            serials << v.toObject().value(QStringLiteral("serial")).toString();
        return serials;
    };
    QCOMPARE(ofCustomer(buyer), QStringList());

    const QString sell = QStringLiteral("/api/v1/devices/FLOW-1/sell");
    auto sold = m_operator->post(
        sell, {{QStringLiteral("customerId"), buyer}, {QStringLiteral("soldDate"), QStringLiteral("2024-04-02")}});
    QCOMPARE(sold.status, 200);
    QCOMPARE(sold.json().value(QStringLiteral("status")).toString(), QStringLiteral("sold"));
    QCOMPARE(sold.json().value(QStringLiteral("customerId")).toString(), buyer);
    QCOMPARE(sold.json().value(QStringLiteral("soldDate")).toString(), QStringLiteral("2024-04-02"));
    QCOMPARE(sold.json().value(QStringLiteral("model")).toString(), QStringLiteral("K1"));
    QCOMPARE(ofCustomer(buyer), QStringList{QStringLiteral("FLOW-1")});

    // The inventory's search box finds a device by its customer's name,
    // the name it has now.
    const auto found = [&](const QString &text) {
        const auto r =
            m_viewer->get(QStringLiteral("/api/v1/devices?q=") + QString::fromLatin1(QUrl::toPercentEncoding(text)));
        QStringList serials;
        for (const auto &v : r.json().value(QStringLiteral("items")).toArray())
            serials << v.toObject().value(QStringLiteral("serial")).toString();
        return serials;
    };
    QCOMPARE(found(QStringLiteral("flow gmbh")), QStringList{QStringLiteral("FLOW-1")});
    QCOMPARE(m_operator
                 ->patch(QStringLiteral("/api/v1/customers/") + buyer,
                         {{QStringLiteral("name"), QStringLiteral("Stream KG")}})
                 .status,
             200);
    QCOMPARE(found(QStringLiteral("Stream KG")), QStringList{QStringLiteral("FLOW-1")});
    QCOMPARE(found(QStringLiteral("flow gmbh")), QStringList());

    // Selling a device another customer owns needs "force".
    auto stolen = m_operator->post(sell, {{QStringLiteral("customerId"), other}});
    QCOMPARE(stolen.status, 409);
    QVERIFY2(stolen.json().value(QStringLiteral("message")).toString().contains(buyer), stolen.body.constData());
    QCOMPARE(m_viewer->get(QStringLiteral("/api/v1/devices/FLOW-1")).json(), sold.json());

    auto forced = m_operator->post(sell, {{QStringLiteral("customerId"), other}, {QStringLiteral("force"), true}});
    QCOMPARE(forced.status, 200);
    QCOMPARE(forced.json().value(QStringLiteral("customerId")).toString(), other);
    // Without a date, the sale is dated today (UTC).
    QCOMPARE(forced.json().value(QStringLiteral("soldDate")).toString(),
             QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate));
    QCOMPARE(ofCustomer(buyer), QStringList());
    QCOMPARE(ofCustomer(other), QStringList{QStringLiteral("FLOW-1")});

    // Selling again to the owner is harmless.
    QCOMPARE(m_operator->post(sell, {{QStringLiteral("customerId"), other}}).status, 200);

    auto returned = m_operator->send("POST", QStringLiteral("/api/v1/devices/FLOW-1/return"));
    QCOMPARE(returned.status, 200);
    QCOMPARE(returned.json().value(QStringLiteral("status")).toString(), QStringLiteral("inStock"));
    QVERIFY(!returned.json().contains(QStringLiteral("customerId")));
    QVERIFY(!returned.json().contains(QStringLiteral("soldDate")));
    QCOMPARE(ofCustomer(other), QStringList());
    QCOMPARE(m_operator->send("POST", QStringLiteral("/api/v1/devices/FLOW-1/return")).status, 409);

    // The history of the device tells the whole story, oldest last.
    const auto audit = m_viewer->get(QStringLiteral("/api/v1/audit?entityType=device&entityId=FLOW-1"));
    QStringList actions;
    for (const auto &v : audit.json().value(QStringLiteral("items")).toArray())
        actions << v.toObject().value(QStringLiteral("action")).toString();
    QCOMPARE(actions, (QStringList{QStringLiteral("return"), QStringLiteral("sell"), QStringLiteral("sell"),
                                   QStringLiteral("sell"), QStringLiteral("create")}));
}

void TestCrmApi::inventoryFilters()
{
    for (int i = 1; i <= 4; ++i) {
        QJsonObject d{{QStringLiteral("serial"), QStringLiteral("FILT-%1").arg(i)},
                      {QStringLiteral("model"), i % 2 ? QStringLiteral("FM-odd") : QStringLiteral("FM-even")},
                      {QStringLiteral("manufacturer"), i < 3 ? QStringLiteral("FiltCo") : QStringLiteral("OtherCo")},
                      {QStringLiteral("batch"), QStringLiteral("FB-%1").arg(i)}};
        QVERIFY(!createDevice(d).isEmpty());
    }
    QCOMPARE(
        m_operator
            ->patch(QStringLiteral("/api/v1/devices/FILT-4"), {{QStringLiteral("status"), QStringLiteral("retired")}})
            .status,
        200);
    const auto serials = [&](const QString &query) {
        const auto r = m_viewer->get(QStringLiteral("/api/v1/devices?") + query);
        QStringList out;
        for (const auto &v : r.json().value(QStringLiteral("items")).toArray())
            out << v.toObject().value(QStringLiteral("serial")).toString();
        return out;
    };
    QCOMPARE(serials(QStringLiteral("q=filt-")), (QStringList{QStringLiteral("FILT-1"), QStringLiteral("FILT-2"),
                                                              QStringLiteral("FILT-3"), QStringLiteral("FILT-4")}));
    QCOMPARE(serials(QStringLiteral("model=FM-odd")),
             (QStringList{QStringLiteral("FILT-1"), QStringLiteral("FILT-3")}));
    QCOMPARE(serials(QStringLiteral("manufacturer=FiltCo")),
             (QStringList{QStringLiteral("FILT-1"), QStringLiteral("FILT-2")}));
    QCOMPARE(serials(QStringLiteral("batch=FB-3")), QStringList{QStringLiteral("FILT-3")});
    QCOMPARE(serials(QStringLiteral("status=retired&q=FILT")), QStringList{QStringLiteral("FILT-4")});
    QCOMPARE(serials(QStringLiteral("model=FM-even&manufacturer=OtherCo")), QStringList{QStringLiteral("FILT-4")});

    // count=true: the number the filter matches, however few the page shows.
    const auto total = [&](const QString &query) {
        const auto r = m_viewer->get(QStringLiteral("/api/v1/devices?count=true&") + query);
        return r.status == 200 && r.json().contains(QStringLiteral("total"))
                   ? r.json().value(QStringLiteral("total")).toInt()
                   : -1;
    };
    QCOMPARE(total(QStringLiteral("q=filt-&limit=1")), 4);
    QCOMPARE(total(QStringLiteral("model=FM-odd&limit=1")), 2);
    QCOMPARE(total(QStringLiteral("status=retired&q=FILT")), 1);
    QCOMPARE(total(QStringLiteral("q=no-such-serial")), 0);
    const auto page = m_viewer->get(QStringLiteral("/api/v1/devices?count=true&q=filt-&limit=1"));
    QCOMPARE(page.json().value(QStringLiteral("items")).toArray().size(), 1);
    QVERIFY(!page.json().value(QStringLiteral("nextCursor")).toString().isEmpty());
    // Without it there is no count, and anything but true/false is refused.
    QVERIFY(!m_viewer->get(QStringLiteral("/api/v1/devices?q=filt-")).json().contains(QStringLiteral("total")));
    const auto bad = m_viewer->get(QStringLiteral("/api/v1/devices?count=yes"));
    QCOMPARE(bad.status, 400);
    QVERIFY2(bad.body.contains("'count'"), bad.body.constData());
}

void TestCrmApi::seedSortDevices()
{
    if (m_sortSeeded)
        return;
    m_sortSeeded = true;
    const QString buyerA = createCustomer(QStringLiteral("Sort Buyer A")).value(QStringLiteral("id")).toString();
    const QString buyerB = createCustomer(QStringLiteral("Sort Buyer B")).value(QStringLiteral("id")).toString();
    QVERIFY(!buyerA.isEmpty() && !buyerB.isEmpty());
    // serial, model, manufacturer, batch, deliveryDate, customer (A/B), retired.
    // Created out of serial order, so an insertion order cannot pass for a sort.
    struct Seed
    {
        const char *serial, *model, *manufacturer, *batch, *date, *customer;
        bool retired;
    };
    const Seed seeds[] = {
        {"SRT-07", "Bravo", "Acme", "B2", "2024-03-01", "", false},
        {"SRT-02", "Alpha", "Zeta Works", "", "2024-01-15", "A", false},
        {"SRT-09", "Alpha", "Acme", "B1", "", "B", false},
        {"SRT-04", "", "", "B2", "2024-03-01", "", true},
        {"SRT-01", "Bravo", "Acme", "B1", "2023-12-31", "A", false},
        {"SRT-05", "Charlie", "", "B10", "", "", false},
        {"SRT-08", "", "Zeta Works", "B1", "2024-01-15", "B", false},
        {"SRT-03", "Bravo", "Acme", "", "2024-03-01", "", false},
        {"SRT-06", "Alpha", "Midway", "B2", "2023-12-31", "A", true},
    };
    for (const Seed &seed : seeds) {
        QJsonObject device{{QStringLiteral("serial"), QString::fromLatin1(seed.serial)}};
        const auto setIf = [&device](const char *key, const char *value) {
            if (*value)
                device.insert(QLatin1String(key), QString::fromLatin1(value));
        };
        setIf("model", seed.model);
        setIf("manufacturer", seed.manufacturer);
        setIf("batch", seed.batch);
        setIf("deliveryDate", seed.date);
        QVERIFY(!createDevice(device).isEmpty());
        const QString path = QStringLiteral("/api/v1/devices/") + QString::fromLatin1(seed.serial);
        if (*seed.customer) {
            const QString customer = seed.customer[0] == 'A' ? buyerA : buyerB;
            QCOMPARE(
                m_operator->post(path + QStringLiteral("/sell"), {{QStringLiteral("customerId"), customer}}).status,
                200);
        }
        if (seed.retired)
            QCOMPARE(m_operator->patch(path, {{QStringLiteral("status"), QStringLiteral("retired")}}).status, 200);
    }
}

QStringList TestCrmApi::pageSerials(const QString &query, QString *nextCursor, int *status)
{
    const auto r = m_viewer->get(QStringLiteral("/api/v1/devices?") + query);
    if (status)
        *status = r.status;
    if (nextCursor)
        *nextCursor = r.json().value(QStringLiteral("nextCursor")).toString();
    QStringList out;
    for (const auto &v : r.json().value(QStringLiteral("items")).toArray())
        out << v.toObject().value(QStringLiteral("serial")).toString();
    return out;
}

void TestCrmApi::inventorySort_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("order");
    QTest::addColumn<QStringList>("expected");
    // Missing values sort as '' (first ascending, last descending); ties go
    // by serial in the sort's direction. Customer ids are random, so that
    // order is checked against the ids the devices carry (below).
    const auto serials = [](std::initializer_list<int> numbers) {
        QStringList out;
        for (int n : numbers)
            out << QStringLiteral("SRT-%1").arg(n, 2, 10, QLatin1Char('0'));
        return out;
    };
    QTest::newRow("serial (default)") << QString() << QString() << serials({1, 2, 3, 4, 5, 6, 7, 8, 9});
    QTest::newRow("serial asc") << QStringLiteral("serial") << QStringLiteral("asc")
                                << serials({1, 2, 3, 4, 5, 6, 7, 8, 9});
    QTest::newRow("serial desc") << QStringLiteral("serial") << QStringLiteral("desc")
                                 << serials({9, 8, 7, 6, 5, 4, 3, 2, 1});
    QTest::newRow("model asc") << QStringLiteral("model") << QStringLiteral("asc")
                               << serials({4, 8, 2, 6, 9, 1, 3, 7, 5});
    QTest::newRow("model (order defaults to asc)")
        << QStringLiteral("model") << QString() << serials({4, 8, 2, 6, 9, 1, 3, 7, 5});
    QTest::newRow("model desc") << QStringLiteral("model") << QStringLiteral("desc")
                                << serials({5, 7, 3, 1, 9, 6, 2, 8, 4});
    QTest::newRow("manufacturer asc") << QStringLiteral("manufacturer") << QStringLiteral("asc")
                                      << serials({4, 5, 1, 3, 7, 9, 6, 2, 8});
    QTest::newRow("manufacturer desc") << QStringLiteral("manufacturer") << QStringLiteral("desc")
                                       << serials({8, 2, 6, 9, 7, 3, 1, 5, 4});
    QTest::newRow("batch asc") << QStringLiteral("batch") << QStringLiteral("asc")
                               << serials({2, 3, 1, 8, 9, 5, 4, 6, 7});
    QTest::newRow("batch desc") << QStringLiteral("batch") << QStringLiteral("desc")
                                << serials({7, 6, 4, 5, 9, 8, 1, 3, 2});
    QTest::newRow("deliveryDate asc") << QStringLiteral("deliveryDate") << QStringLiteral("asc")
                                      << serials({5, 9, 1, 6, 2, 8, 3, 4, 7});
    QTest::newRow("deliveryDate desc") << QStringLiteral("deliveryDate") << QStringLiteral("desc")
                                       << serials({7, 4, 3, 8, 2, 6, 1, 9, 5});
    QTest::newRow("status asc") << QStringLiteral("status") << QStringLiteral("asc")
                                << serials({3, 5, 7, 4, 6, 1, 2, 8, 9});
    QTest::newRow("status desc") << QStringLiteral("status") << QStringLiteral("desc")
                                 << serials({9, 8, 2, 1, 6, 4, 7, 5, 3});
    QTest::newRow("customerId asc") << QStringLiteral("customerId") << QStringLiteral("asc") << QStringList();
    QTest::newRow("customerId desc") << QStringLiteral("customerId") << QStringLiteral("desc") << QStringList();
}

void TestCrmApi::inventorySort()
{
    QFETCH(QString, field);
    QFETCH(QString, order);
    QFETCH(QStringList, expected);
    seedSortDevices();

    QString query = QStringLiteral("q=SRT-");
    if (!field.isEmpty())
        query += QStringLiteral("&sort=") + field;
    if (!order.isEmpty())
        query += QStringLiteral("&order=") + order;
    const auto all = m_viewer->get(QStringLiteral("/api/v1/devices?") + query + QStringLiteral("&limit=1000"));
    QCOMPARE(all.status, 200);
    QStringList listed;
    QHash<QString, QString> customerOf;
    for (const auto &v : all.json().value(QStringLiteral("items")).toArray()) {
        const QJsonObject device = v.toObject();
        listed << device.value(QStringLiteral("serial")).toString();
        customerOf.insert(listed.last(), device.value(QStringLiteral("customerId")).toString());
    }
    if (expected.isEmpty()) {
        // Unsold first (ascending), each customer's devices together, by
        // serial within one customer: what sorting (customerId, serial)
        // gives here, where the test databases compare bytes.
        expected = listed;
        std::sort(expected.begin(), expected.end(), [&](const QString &a, const QString &b) {
            const auto ka = std::make_pair(customerOf.value(a), a);
            const auto kb = std::make_pair(customerOf.value(b), b);
            return order == QLatin1String("desc") ? kb < ka : ka < kb;
        });
        QCOMPARE(QSet<QString>(listed.begin(), listed.end()).size(), 9);
        QCOMPARE(customerOf.value(order == QLatin1String("desc") ? listed.last() : listed.first()), QString());
    }
    QCOMPARE(listed, expected);

    // Page by page, across ties (three Alphas, three Bravos, ...), with
    // every page size: each device exactly once, in the same order.
    const auto walk = [this](const QString &pagedQuery, int limit, int *pages) {
        QStringList walked;
        QString cursor;
        *pages = 0;
        do {
            QString url = pagedQuery + QStringLiteral("&limit=%1").arg(limit);
            if (!cursor.isEmpty())
                url += QStringLiteral("&cursor=") + cursor;
            int status = 0;
            walked += pageSerials(url, &cursor, &status);
            if (status != 200 || ++*pages > 9)
                return QStringList{QStringLiteral("HTTP %1 on page %2").arg(status).arg(*pages)};
        } while (!cursor.isEmpty());
        return walked;
    };
    for (int limit : {1, 2, 4}) {
        int pages = 0;
        QCOMPARE(walk(query, limit, &pages), expected);
        QCOMPARE(pages, (9 + limit - 1) / limit);
    }

    // Filters still apply under a sort, page by page.
    QStringList retired;
    for (const QString &serial : std::as_const(expected)) {
        if (serial == QLatin1String("SRT-04") || serial == QLatin1String("SRT-06"))
            retired << serial;
    }
    int pages = 0;
    QCOMPARE(walk(query + QStringLiteral("&status=retired"), 1, &pages), retired);
    QCOMPARE(pages, 2);
}

void TestCrmApi::inventorySortCursorMismatch_data()
{
    QTest::addColumn<QString>("issuedWith");
    QTest::addColumn<QString>("usedWith");
    QTest::addColumn<QString>("message");
    QTest::newRow("model cursor, batch sort") << "sort=model"
                                              << "sort=batch"
                                              << "sort=model&order=asc";
    QTest::newRow("model cursor, descending") << "sort=model"
                                              << "sort=model&order=desc"
                                              << "not sort=model&order=desc";
    QTest::newRow("model cursor, default sort") << "sort=model"
                                                << ""
                                                << "not sort=serial&order=asc";
    QTest::newRow("serial cursor, model sort") << ""
                                               << "sort=model"
                                               << "sort=serial&order=asc";
    QTest::newRow("desc cursor, asc sort") << "sort=deliveryDate&order=desc"
                                           << "sort=deliveryDate&order=asc"
                                           << "sort=deliveryDate&order=desc";
}

void TestCrmApi::inventorySortCursorMismatch()
{
    QFETCH(QString, issuedWith);
    QFETCH(QString, usedWith);
    QFETCH(QString, message);
    seedSortDevices();
    QString cursor;
    int status = 0;
    const QStringList first = pageSerials(QStringLiteral("q=SRT-&limit=3&") + issuedWith, &cursor, &status);
    QCOMPARE(status, 200);
    QCOMPARE(first.size(), 3);
    QVERIFY(!cursor.isEmpty());

    // A cursor names the order it was issued in; replayed under another
    // it would skip or repeat devices, so it is refused.
    const auto refused =
        m_viewer->get(QStringLiteral("/api/v1/devices?q=SRT-&limit=3&cursor=") + cursor + QLatin1Char('&') + usedWith);
    QCOMPARE(refused.status, 400);
    const QString text = refused.json().value(QStringLiteral("message")).toString();
    QVERIFY2(text.contains(message) && text.contains(QLatin1String("without the cursor")), qPrintable(text));
    // Under its own sort it goes on.
    const QStringList next = pageSerials(
        QStringLiteral("q=SRT-&limit=3&cursor=") + cursor + QLatin1Char('&') + issuedWith, nullptr, &status);
    QCOMPARE(status, 200);
    QCOMPARE(next.size(), 3);
    for (const QString &serial : next)
        QVERIFY(!first.contains(serial));
}

void TestCrmApi::deleteRefusedWhileReferenced()
{
    DirectDb db(*m_f.mw);
    // A device with an enrollment (made here directly: the enrollment API is
    // another module's business) cannot be deleted.
    QVERIFY(!createDevice({{QStringLiteral("serial"), QStringLiteral("REF-1")}}).isEmpty());
    QVERIFY(db.exec(QStringLiteral("INSERT INTO enrollments (registration_id, serial, provisioning_status, etag, "
                                   "created, updated, doc) VALUES ('ref-1-reg', 'REF-1', 'enabled', 'e', "
                                   "'2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', '{}')")));
    auto refused = m_operator->del(QStringLiteral("/api/v1/devices/REF-1"));
    QCOMPARE(refused.status, 409);
    QVERIFY2(refused.json().value(QStringLiteral("message")).toString().contains(QLatin1String("enrollment")),
             refused.body.constData());
    QCOMPARE(m_viewer->get(QStringLiteral("/api/v1/devices/REF-1")).status, 200);
    QVERIFY(db.exec(QStringLiteral("DELETE FROM enrollments WHERE registration_id = 'ref-1-reg'")));
    QCOMPARE(m_operator->del(QStringLiteral("/api/v1/devices/REF-1")).status, 204);
    QCOMPARE(m_viewer->get(QStringLiteral("/api/v1/devices/REF-1")).status, 404);

    // A customer who owns devices cannot be deleted.
    const QString owner = createCustomer(QStringLiteral("Owner Ltd")).value(QStringLiteral("id")).toString();
    QVERIFY(!createDevice({{QStringLiteral("serial"), QStringLiteral("REF-2")}}).isEmpty());
    QCOMPARE(
        m_operator->post(QStringLiteral("/api/v1/devices/REF-2/sell"), {{QStringLiteral("customerId"), owner}}).status,
        200);
    auto ownerRefused = m_operator->del(QStringLiteral("/api/v1/customers/") + owner);
    QCOMPARE(ownerRefused.status, 409);
    QVERIFY2(ownerRefused.json().value(QStringLiteral("message")).toString().contains(QLatin1String("1 device")),
             ownerRefused.body.constData());
    QCOMPARE(m_viewer->get(QStringLiteral("/api/v1/customers/") + owner).status, 200);
    QCOMPARE(m_operator->send("POST", QStringLiteral("/api/v1/devices/REF-2/return")).status, 200);
    QCOMPARE(m_operator->del(QStringLiteral("/api/v1/customers/") + owner).status, 204);
}

void TestCrmApi::badInputChangesNothing_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");

    const QString customer = QStringLiteral("/api/v1/customers/") + m_customerId;
    const QString device = QStringLiteral("/api/v1/devices/") + m_fixtureSerial;
    const QString hubs = QStringLiteral("/api/v1/hubs/");
    const QByteArray cid = m_customerId.toUtf8();

    // Malformed and mistyped JSON.
    QTest::newRow("malformed JSON") << QByteArray("POST") << "/api/v1/customers" << QByteArray("{\"name\": ") << 400
                                    << "malformed JSON";
    QTest::newRow("JSON array") << QByteArray("POST") << "/api/v1/customers" << QByteArray("[{\"name\":\"x\"}]") << 400
                                << "must be an object";
    QTest::newRow("empty body") << QByteArray("POST") << "/api/v1/customers" << QByteArray() << 400 << "body is empty";
    QTest::newRow("name not a string") << QByteArray("POST") << "/api/v1/customers" << QByteArray("{\"name\":5}") << 400
                                       << "field 'name' must be a string";
    QTest::newRow("name missing") << QByteArray("POST") << "/api/v1/customers"
                                  << QByteArray("{\"email\":\"a@b.example\"}") << 400 << "field 'name' is required";
    QTest::newRow("customer unknown field")
        << QByteArray("POST") << "/api/v1/customers" << QByteArray("{\"name\":\"x\",\"colour\":\"red\"}") << 400
        << "unknown field 'colour'";
    QTest::newRow("customer id from client")
        << QByteArray("POST") << "/api/v1/customers" << QByteArray("{\"id\":\"cus_mine\",\"name\":\"x\"}") << 400
        << "assigned by the server";
    QTest::newRow("customer bad email") << QByteArray("POST") << "/api/v1/customers"
                                        << QByteArray("{\"name\":\"x\",\"email\":\"not an address\"}") << 400
                                        << "field 'email'";
    QTest::newRow("customer patch wrong type")
        << QByteArray("PATCH") << customer << QByteArray("{\"notes\":[1]}") << 400 << "field 'notes' must be a string";
    QTest::newRow("customer patch unknown field")
        << QByteArray("PATCH") << customer << QByteArray("{\"vip\":true}") << 400 << "unknown field 'vip'";
    QTest::newRow("customer put other id")
        << QByteArray("PUT") << customer << QByteArray("{\"id\":\"cus_other\",\"name\":\"x\"}") << 400
        << "field 'id' must be";
    QTest::newRow("device serial invalid") << QByteArray("POST") << "/api/v1/devices"
                                           << QByteArray("{\"serial\":\"has space\"}") << 400 << "field 'serial'";
    QTest::newRow("device serial not a string")
        << QByteArray("POST") << "/api/v1/devices" << QByteArray("{\"serial\":12345}") << 400
        << "field 'serial' must be a string";
    QTest::newRow("device date format") << QByteArray("POST") << "/api/v1/devices"
                                        << QByteArray("{\"serial\":\"BAD-1\",\"deliveryDate\":\"01.02.2024\"}") << 400
                                        << "field 'deliveryDate'";
    QTest::newRow("device status invalid")
        << QByteArray("POST") << "/api/v1/devices" << QByteArray("{\"serial\":\"BAD-2\",\"status\":\"lost\"}") << 400
        << "field 'status'";
    QTest::newRow("device unknown field")
        << QByteArray("POST") << "/api/v1/devices" << QByteArray("{\"serial\":\"BAD-3\",\"colour\":\"red\"}") << 400
        << "unknown field 'colour'";
    QTest::newRow("device unknown customer")
        << QByteArray("POST") << "/api/v1/devices" << QByteArray("{\"serial\":\"BAD-4\",\"customerId\":\"cus_nobody\"}")
        << 400 << "cus_nobody";
    QTest::newRow("device duplicate serial") << QByteArray("POST") << "/api/v1/devices"
                                             << QByteArray("{\"serial\":\"FIX-0001\"}") << 409 << "already exists";
    QTest::newRow("device put other serial") << QByteArray("PUT") << device << QByteArray("{\"serial\":\"OTHER-1\"}")
                                             << 400 << "field 'serial' must be 'FIX-0001'";
    QTest::newRow("device patch wrong type")
        << QByteArray("PATCH") << device << QByteArray("{\"model\":7}") << 400 << "field 'model' must be a string";
    QTest::newRow("device patch bad status")
        << QByteArray("PATCH") << device << QByteArray("{\"status\":\"lost\"}") << 400 << "field 'status'";
    QTest::newRow("sell missing customer") << QByteArray("POST") << device + QLatin1String("/sell") << QByteArray("{}")
                                           << 400 << "field 'customerId' is required";
    QTest::newRow("sell unknown field") << QByteArray("POST") << device + QLatin1String("/sell")
                                        << QByteArray("{\"customerId\":\"" + cid + "\",\"price\":5}") << 400
                                        << "unknown field 'price'";
    QTest::newRow("sell bad date") << QByteArray("POST") << device + QLatin1String("/sell")
                                   << QByteArray("{\"customerId\":\"" + cid + "\",\"soldDate\":\"yesterday\"}") << 400
                                   << "field 'soldDate'";
    // The device in the URL exists: an unknown customer in the body is a bad body.
    QTest::newRow("sell to unknown customer")
        << QByteArray("POST") << device + QLatin1String("/sell") << QByteArray("{\"customerId\":\"cus_nobody\"}") << 400
        << "field 'customerId' names no customer: 'cus_nobody'";
    QTest::newRow("sell force not bool") << QByteArray("POST") << device + QLatin1String("/sell")
                                         << QByteArray("{\"customerId\":\"" + cid + "\",\"force\":\"yes\"}") << 400
                                         << "field 'force' must be a boolean";
    QTest::newRow("return unsold") << QByteArray("POST") << device + QLatin1String("/return") << QByteArray() << 409
                                   << "not sold";
    QTest::newRow("return with options") << QByteArray("POST") << device + QLatin1String("/return")
                                         << QByteArray("{\"restock\":true}") << 400 << "unknown field 'restock'";
    QTest::newRow("hub bad host") << QByteArray("PUT") << hubs + QLatin1String("bad-hub")
                                  << QByteArray("{\"host\":\"bad host!\"}") << 400 << "field 'host'";
    QTest::newRow("hub port out of range")
        << QByteArray("PUT") << hubs + QLatin1String("bad-hub")
        << QByteArray("{\"host\":\"bad.example\",\"port\":70000}") << 400 << "field 'port'";
    QTest::newRow("hub weight wrong type")
        << QByteArray("PUT") << hubs + QLatin1String("bad-hub")
        << QByteArray("{\"host\":\"bad.example\",\"allocationWeight\":\"high\"}") << 400 << "field 'allocationWeight'";
    QTest::newRow("hub short key") << QByteArray("PUT") << hubs + QLatin1String("bad-hub")
                                   << QByteArray("{\"host\":\"bad.example\",\"signingKey\":\"c2hvcnQ=\"}") << 400
                                   << "field 'signingKey'";
    QTest::newRow("hub name mismatch") << QByteArray("PUT") << hubs + QLatin1String("bad-hub")
                                       << QByteArray("{\"name\":\"other\",\"host\":\"bad.example\"}") << 400
                                       << "field 'name' must be";
    QTest::newRow("hub bad name") << QByteArray("PUT") << hubs + QLatin1String("bad%20hub")
                                  << QByteArray("{\"host\":\"bad.example\"}") << 400 << "hub name";
    QTest::newRow("hub unknown field") << QByteArray("PUT") << hubs + QLatin1String("bad-hub")
                                       << QByteArray("{\"host\":\"bad.example\",\"tls\":true}") << 400
                                       << "unknown field 'tls'";
    QTest::newRow("hub duplicate host") << QByteArray("PUT") << hubs + QLatin1String("dup-hub")
                                        << QByteArray("{\"host\":\"FIXTURE-HUB.example.net\"}") << 409
                                        << "already has host";
    QTest::newRow("token bad role") << QByteArray("POST") << "/api/v1/tokens" << QByteArray("{\"role\":\"root\"}")
                                    << 400 << "field 'role'";
    QTest::newRow("token unknown field") << QByteArray("POST") << "/api/v1/tokens"
                                         << QByteArray("{\"role\":\"viewer\",\"scope\":\"all\"}") << 400
                                         << "unknown field 'scope'";
    QTest::newRow("token duplicate name")
        << QByteArray("POST") << "/api/v1/tokens" << QByteArray("{\"role\":\"viewer\",\"name\":\"test-viewer\"}") << 409
        << "test-viewer";
    QTest::newRow("policy unknown field")
        << QByteArray("PUT") << "/api/v1/allocation-policy"
        << QByteArray("{\"allocationPolicy\":\"hashed\",\"fallback\":\"x\"}") << 400 << "unknown field 'fallback'";

    // Unknown ids.
    QTest::newRow("get unknown customer")
        << QByteArray("GET") << "/api/v1/customers/cus_nobody" << QByteArray() << 404 << "cus_nobody";
    QTest::newRow("put unknown customer")
        << QByteArray("PUT") << "/api/v1/customers/cus_nobody" << QByteArray("{\"name\":\"x\"}") << 404 << "cus_nobody";
    QTest::newRow("patch unknown customer") << QByteArray("PATCH") << "/api/v1/customers/cus_nobody"
                                            << QByteArray("{\"notes\":\"x\"}") << 404 << "cus_nobody";
    QTest::newRow("delete unknown customer")
        << QByteArray("DELETE") << "/api/v1/customers/cus_nobody" << QByteArray() << 404 << "cus_nobody";
    QTest::newRow("get unknown device") << QByteArray("GET") << "/api/v1/devices/NOPE-1" << QByteArray() << 404
                                        << "NOPE-1";
    QTest::newRow("put unknown device") << QByteArray("PUT") << "/api/v1/devices/NOPE-1"
                                        << QByteArray("{\"serial\":\"NOPE-1\"}") << 404 << "NOPE-1";
    QTest::newRow("delete unknown device")
        << QByteArray("DELETE") << "/api/v1/devices/NOPE-1" << QByteArray() << 404 << "NOPE-1";
    QTest::newRow("sell unknown device") << QByteArray("POST") << "/api/v1/devices/NOPE-1/sell"
                                         << QByteArray("{\"customerId\":\"" + cid + "\"}") << 404 << "NOPE-1";
    QTest::newRow("get unknown hub") << QByteArray("GET") << hubs + QLatin1String("no-hub") << QByteArray() << 404
                                     << "no-hub";
    QTest::newRow("delete unknown hub") << QByteArray("DELETE") << hubs + QLatin1String("no-hub") << QByteArray() << 404
                                        << "no-hub";
    QTest::newRow("rotate unknown hub") << QByteArray("POST") << hubs + QLatin1String("no-hub/rotate-key")
                                        << QByteArray() << 404 << "no-hub";
    QTest::newRow("revoke unknown token")
        << QByteArray("DELETE") << "/api/v1/tokens/no-token" << QByteArray() << 404 << "no-token";

    // Queries.
    QTest::newRow("list unknown filter") << QByteArray("GET") << "/api/v1/devices?colour=red" << QByteArray() << 400
                                         << "unknown query parameter 'colour'";
    // A misspelt filter must not list everything, on the DPS lists too.
    QTest::newRow("enrollments unknown filter")
        << QByteArray("GET") << "/api/v1/enrollments?provisioningstatus=enabled" << QByteArray() << 400
        << "unknown query parameter 'provisioningstatus'";
    QTest::newRow("groups unknown filter") << QByteArray("GET") << "/api/v1/enrollment-groups?limt=5" << QByteArray()
                                           << 400 << "unknown query parameter 'limt'";
    QTest::newRow("registrations unknown filter") << QByteArray("GET") << "/api/v1/registrations?assignedHub=x"
                                                  << QByteArray() << 400 << "unknown query parameter 'assignedHub'";
    QTest::newRow("list bad status filter")
        << QByteArray("GET") << "/api/v1/devices?status=lost" << QByteArray() << 400 << "status";
    QTest::newRow("list limit zero") << QByteArray("GET") << "/api/v1/customers?limit=0" << QByteArray() << 400
                                     << "limit";
    QTest::newRow("list limit text") << QByteArray("GET") << "/api/v1/devices?limit=ten" << QByteArray() << 400
                                     << "limit";
    QTest::newRow("list bad cursor") << QByteArray("GET") << "/api/v1/customers?cursor=AAAA" << QByteArray() << 400
                                     << "cursor";
    QTest::newRow("devices bad cursor") << QByteArray("GET") << "/api/v1/devices?cursor=AAAA" << QByteArray() << 400
                                        << "cursor is not valid";
    // A serial on its own (base64url "FIX-0001") is no device cursor.
    QTest::newRow("devices bare serial cursor")
        << QByteArray("GET") << "/api/v1/devices?cursor=RklYLTAwMDE" << QByteArray() << 400 << "cursor is not valid";
    QTest::newRow("devices unknown sort")
        << QByteArray("GET") << "/api/v1/devices?sort=colour" << QByteArray() << 400
        << "query parameter 'sort' must be one of serial, model, manufacturer, batch, deliveryDate, status, customerId";
    QTest::newRow("devices sort by a column name")
        << QByteArray("GET") << "/api/v1/devices?sort=delivery_date" << QByteArray() << 400 << "'sort' must be one of";
    QTest::newRow("devices empty sort") << QByteArray("GET") << "/api/v1/devices?sort=" << QByteArray() << 400
                                        << "'sort' must be one of";
    QTest::newRow("devices bad order") << QByteArray("GET") << "/api/v1/devices?sort=model&order=up" << QByteArray()
                                       << 400 << "query parameter 'order' must be asc or desc";
    QTest::newRow("devices order case") << QByteArray("GET") << "/api/v1/devices?order=DESC" << QByteArray() << 400
                                        << "'order' must be asc or desc";
    QTest::newRow("audit bad since") << QByteArray("GET") << "/api/v1/audit?since=yesterday" << QByteArray() << 400
                                     << "since";
    QTest::newRow("audit bad until") << QByteArray("GET") << "/api/v1/audit?until=2024-13-01T00:00:00Z" << QByteArray()
                                     << 400 << "query parameter 'until' must be an ISO-8601 timestamp";
    QTest::newRow("audit until without zone")
        << QByteArray("GET") << "/api/v1/audit?until=2024-05-01T12:00:00" << QByteArray() << 400 << "'until'";
    QTest::newRow("audit empty until") << QByteArray("GET") << "/api/v1/audit?until=" << QByteArray() << 400
                                       << "'until'";
    QTest::newRow("audit until before since")
        << QByteArray("GET") << "/api/v1/audit?since=2024-05-02T00:00:00Z&until=2024-05-01T00:00:00Z" << QByteArray()
        << 400 << "'until' must be later than 'since'";
    QTest::newRow("audit empty action") << QByteArray("GET") << "/api/v1/audit?action=" << QByteArray() << 400
                                        << "query parameter 'action'";
    QTest::newRow("audit action with spaces") << QByteArray("GET") << "/api/v1/audit?action=drop%20table"
                                              << QByteArray() << 400 << "query parameter 'action'";
    QTest::newRow("audit actor with a control character")
        << QByteArray("GET") << "/api/v1/audit?actor=token:a%1Fcreate&entityType=device" << QByteArray() << 400
        << "control characters";
    QTest::newRow("audit misspelt filter") << QByteArray("GET") << "/api/v1/audit?actions=create" << QByteArray() << 400
                                           << "unknown query parameter 'actions'";
    QTest::newRow("hub delete bad force") << QByteArray("DELETE") << hubs + m_fixtureHub + QLatin1String("?force=maybe")
                                          << QByteArray() << 400 << "force";

    // Size and method.
    const QByteArray huge = "{\"name\":\"x\",\"notes\":\"" + QByteArray(1200 * 1024, 'n') + "\"}";
    QTest::newRow("oversize body") << QByteArray("POST") << "/api/v1/customers" << huge << 413 << "exceeds the limit";
    QTest::newRow("method not allowed") << QByteArray("DELETE") << "/api/v1/customers" << QByteArray() << 405
                                        << "method not allowed";
}

void TestCrmApi::badInputChangesNothing()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, message);

    const QByteArray before = snapshot();
    const auto r = m_admin->send(method, path, body);
    QVERIFY2(r.status == status,
             qPrintable(QStringLiteral("%1: %2").arg(r.status).arg(QString::fromUtf8(r.body.left(500)))));
    const QJsonObject error = r.json();
    QCOMPARE(error.value(QStringLiteral("errorCode")).toInt() / 1000, status);
    QVERIFY(!error.value(QStringLiteral("trackingId")).toString().isEmpty());
    QVERIFY2(error.value(QStringLiteral("message")).toString().contains(message),
             qPrintable(error.value(QStringLiteral("message")).toString()));
    QCOMPARE(snapshot(), before);
}

void TestCrmApi::ifMatchMismatchChangesNothing_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");

    const QString customer = QStringLiteral("/api/v1/customers/") + m_customerId;
    const QString device = QStringLiteral("/api/v1/devices/") + m_fixtureSerial;
    const QString hub = QStringLiteral("/api/v1/hubs/") + m_fixtureHub;
    QTest::newRow("customer PUT") << QByteArray("PUT") << customer << QByteArray("{\"name\":\"Changed\"}");
    QTest::newRow("customer PATCH") << QByteArray("PATCH") << customer << QByteArray("{\"notes\":\"changed\"}");
    QTest::newRow("customer DELETE") << QByteArray("DELETE") << customer << QByteArray();
    QTest::newRow("device PUT") << QByteArray("PUT") << device
                                << QByteArray("{\"serial\":\"FIX-0001\",\"model\":\"changed\"}");
    QTest::newRow("device PATCH") << QByteArray("PATCH") << device << QByteArray("{\"model\":\"changed\"}");
    QTest::newRow("device DELETE") << QByteArray("DELETE") << device << QByteArray();
    QTest::newRow("device sell") << QByteArray("POST") << device + QLatin1String("/sell")
                                 << QByteArray("{\"customerId\":\"" + m_customerId.toUtf8() + "\"}");
    QTest::newRow("hub PUT") << QByteArray("PUT") << hub
                             << QByteArray("{\"host\":\"fixture-hub.example.net\",\"port\":1883}");
    QTest::newRow("hub DELETE") << QByteArray("DELETE") << hub << QByteArray();
    QTest::newRow("hub rotate-key") << QByteArray("POST") << hub + QLatin1String("/rotate-key") << QByteArray();
    QTest::newRow("new hub PUT") << QByteArray("PUT") << "/api/v1/hubs/not-yet"
                                 << QByteArray("{\"host\":\"not-yet.example\"}");
    QTest::newRow("policy PUT") << QByteArray("PUT") << "/api/v1/allocation-policy"
                                << QByteArray("{\"allocationPolicy\":\"geoLatency\"}");
}

void TestCrmApi::ifMatchMismatchChangesNothing()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);

    const QByteArray before = snapshot();
    const auto r = m_admin->send(method, path, body, {{"If-Match", "\"stale-etag\""}});
    QVERIFY2(r.status == 412, qPrintable(QString::number(r.status) + QLatin1Char(' ') + QString::fromUtf8(r.body)));
    QCOMPARE(r.json().value(QStringLiteral("errorCode")).toInt() / 1000, 412);
    QCOMPARE(snapshot(), before);
}

void TestCrmApi::ifMatchCurrentEtagSucceeds()
{
    const QString path = QStringLiteral("/api/v1/customers/") +
                         createCustomer(QStringLiteral("Etag Tester")).value(QStringLiteral("id")).toString();
    const QString first = m_viewer->get(path).json().value(QStringLiteral("etag")).toString();
    QVERIFY(!first.isEmpty());

    auto weak = m_operator->patch(path, {{QStringLiteral("notes"), QStringLiteral("one")}},
                                  {{"If-Match", "W/" + quoted(first)}});
    QCOMPARE(weak.status, 200);
    const QString second = weak.json().value(QStringLiteral("etag")).toString();
    QVERIFY(second != first);

    // The tag the first writer used is stale now: a second writer holding it loses.
    auto lost = m_operator->patch(path, {{QStringLiteral("notes"), QStringLiteral("lost update")}},
                                  {{"If-Match", quoted(first)}});
    QCOMPARE(lost.status, 412);
    QCOMPARE(m_viewer->get(path).json().value(QStringLiteral("notes")).toString(), QStringLiteral("one"));

    // A list of tags matches when one does; a bare tag is tolerated.
    auto listed = m_operator->patch(path, {{QStringLiteral("notes"), QStringLiteral("two")}},
                                    {{"If-Match", quoted(QStringLiteral("other")) + ", " + second.toUtf8()}});
    QCOMPARE(listed.status, 200);
    auto star = m_operator->patch(path, {{QStringLiteral("notes"), QStringLiteral("three")}}, {{"If-Match", "*"}});
    QCOMPARE(star.status, 200);
    QCOMPARE(etagHeader(star), star.json().value(QStringLiteral("etag")).toString());

    // The allocation policy and hubs follow the same rules.
    const auto policy = m_admin->get(QStringLiteral("/api/v1/allocation-policy"));
    QCOMPARE(policy.status, 200);
    QVERIFY(!etagHeader(policy).isEmpty());
    auto put = m_admin->put(QStringLiteral("/api/v1/allocation-policy"),
                            {{QStringLiteral("allocationPolicy"), QStringLiteral("hashed")}},
                            {{"If-Match", quoted(etagHeader(policy))}});
    QCOMPARE(put.status, 200);
    QVERIFY(etagHeader(put) != etagHeader(policy));
    QCOMPARE(m_admin
                 ->put(QStringLiteral("/api/v1/allocation-policy"),
                       {{QStringLiteral("allocationPolicy"), QStringLiteral("hashed")}},
                       {{"If-Match", quoted(etagHeader(policy))}})
                 .status,
             412);
}

void TestCrmApi::roles_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");

    const QString hub = QStringLiteral("/api/v1/hubs/") + m_fixtureHub;
    const QByteArray customerBody = "{\"name\":\"Role Test\"}";
    QTest::newRow("viewer reads customers")
        << "viewer" << QByteArray("GET") << "/api/v1/customers" << QByteArray() << 200;
    QTest::newRow("viewer reads devices") << "viewer" << QByteArray("GET") << "/api/v1/devices" << QByteArray() << 200;
    QTest::newRow("viewer reads hubs") << "viewer" << QByteArray("GET") << "/api/v1/hubs" << QByteArray() << 200;
    QTest::newRow("viewer reads policy") << "viewer" << QByteArray("GET") << "/api/v1/allocation-policy" << QByteArray()
                                         << 200;
    QTest::newRow("viewer reads audit") << "viewer" << QByteArray("GET") << "/api/v1/audit" << QByteArray() << 200;
    QTest::newRow("viewer cannot create customers")
        << "viewer" << QByteArray("POST") << "/api/v1/customers" << customerBody << 403;
    QTest::newRow("viewer cannot create devices")
        << "viewer" << QByteArray("POST") << "/api/v1/devices" << QByteArray("{\"serial\":\"ROLE-1\"}") << 403;
    QTest::newRow("viewer cannot import")
        << "viewer" << QByteArray("POST") << "/api/v1/devices/import" << QByteArray("serial\nROLE-2\n") << 403;
    QTest::newRow("viewer cannot sell") << "viewer" << QByteArray("POST")
                                        << QLatin1String("/api/v1/devices/") + m_fixtureSerial + QLatin1String("/sell")
                                        << QByteArray("{\"customerId\":\"" + m_customerId.toUtf8() + "\"}") << 403;
    QTest::newRow("viewer cannot list tokens")
        << "viewer" << QByteArray("GET") << "/api/v1/tokens" << QByteArray() << 403;
    QTest::newRow("operator creates customers")
        << "operator" << QByteArray("POST") << "/api/v1/customers" << customerBody << 201;
    QTest::newRow("operator cannot put hubs")
        << "operator" << QByteArray("PUT") << hub << QByteArray("{\"host\":\"elsewhere.example\"}") << 403;
    QTest::newRow("operator cannot delete hubs") << "operator" << QByteArray("DELETE") << hub << QByteArray() << 403;
    QTest::newRow("operator cannot rotate keys")
        << "operator" << QByteArray("POST") << hub + QLatin1String("/rotate-key") << QByteArray() << 403;
    QTest::newRow("operator cannot set policy") << "operator" << QByteArray("PUT") << "/api/v1/allocation-policy"
                                                << QByteArray("{\"allocationPolicy\":\"geoLatency\"}") << 403;
    QTest::newRow("operator cannot create tokens")
        << "operator" << QByteArray("POST") << "/api/v1/tokens" << QByteArray("{\"role\":\"admin\"}") << 403;
    QTest::newRow("operator cannot revoke tokens")
        << "operator" << QByteArray("DELETE") << "/api/v1/tokens/test-admin" << QByteArray() << 403;
    QTest::newRow("no token") << "none" << QByteArray("GET") << "/api/v1/customers" << QByteArray() << 401;
    QTest::newRow("no token cannot write")
        << "none" << QByteArray("POST") << "/api/v1/customers" << customerBody << 401;
    QTest::newRow("forged token") << "forged" << QByteArray("GET") << "/api/v1/devices" << QByteArray() << 401;
}

void TestCrmApi::roles()
{
    QFETCH(QString, role);
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);

    const QByteArray before = snapshot();
    const QByteArray type =
        path.endsWith(QLatin1String("/import")) ? QByteArray("text/csv") : QByteArray("application/json");
    const auto r = as(role).send(method, path, body, {}, type);
    QVERIFY2(r.status == status, qPrintable(QString::number(r.status) + QLatin1Char(' ') + QString::fromUtf8(r.body)));
    if (status >= 400) {
        QCOMPARE(r.json().value(QStringLiteral("errorCode")).toInt() / 1000, status);
        QCOMPARE(snapshot(), before);
    }
    if (status == 401)
        QVERIFY(r.header("WWW-Authenticate").startsWith("Bearer"));
}

void TestCrmApi::revokedTokenIsRejected()
{
    const auto created =
        m_admin->post(QStringLiteral("/api/v1/tokens"), {{QStringLiteral("role"), QStringLiteral("operator")},
                                                         {QStringLiteral("name"), QStringLiteral("short-lived")}});
    QCOMPARE(created.status, 201);
    const QString token = created.json().value(QStringLiteral("token")).toString();
    QVERIFY(token.startsWith(QLatin1String("pvs_")));
    QCOMPARE(created.json().value(QStringLiteral("role")).toString(), QStringLiteral("operator"));

    auto client = m_f.client(token);
    QCOMPARE(client->get(QStringLiteral("/api/v1/customers")).status, 200);
    QCOMPARE(
        client->post(QStringLiteral("/api/v1/customers"), {{QStringLiteral("name"), QStringLiteral("By short-lived")}})
            .status,
        201);
    QCOMPARE(client->get(QStringLiteral("/api/v1/tokens")).status, 403);

    QCOMPARE(m_admin->del(QStringLiteral("/api/v1/tokens/short-lived")).status, 204);
    QCOMPARE(client->get(QStringLiteral("/api/v1/customers")).status, 401);
    QCOMPARE(m_admin->del(QStringLiteral("/api/v1/tokens/short-lived")).status, 404);

    // Revoking by id works as well; the listing shows when.
    const auto second =
        m_admin->post(QStringLiteral("/api/v1/tokens"), {{QStringLiteral("role"), QStringLiteral("viewer")}});
    QCOMPARE(second.status, 201);
    const QString id = second.json().value(QStringLiteral("id")).toString();
    QVERIFY(!second.json().value(QStringLiteral("name")).toString().isEmpty());
    QCOMPARE(m_admin->del(QStringLiteral("/api/v1/tokens/") + id).status, 204);
    QCOMPARE(m_f.client(second.json().value(QStringLiteral("token")).toString())
                 ->get(QStringLiteral("/api/v1/devices"))
                 .status,
             401);
    bool listed = false;
    for (const auto &v :
         m_admin->get(QStringLiteral("/api/v1/tokens?limit=1000")).json().value(QStringLiteral("items")).toArray()) {
        if (v.toObject().value(QStringLiteral("id")).toString() == id) {
            listed = true;
            QVERIFY(!v.toObject().value(QStringLiteral("revokedAt")).toString().isEmpty());
        }
    }
    QVERIFY(listed);
    // Both creations and both revocations are audited, by the admin.
    const auto audit = m_viewer->get(QStringLiteral("/api/v1/audit?entityType=token&entityId=") + id);
    const QJsonArray entries = audit.json().value(QStringLiteral("items")).toArray();
    QCOMPARE(entries.size(), 2);
    QCOMPARE(entries.at(0).toObject().value(QStringLiteral("action")).toString(), QStringLiteral("revoke"));
    QCOMPARE(entries.at(1).toObject().value(QStringLiteral("action")).toString(), QStringLiteral("create"));
    QCOMPARE(entries.at(0).toObject().value(QStringLiteral("actor")).toString(), QStringLiteral("token:test-admin"));
}

void TestCrmApi::tokenCreateGivesLocation()
{
    const auto created =
        m_admin->post(QStringLiteral("/api/v1/tokens"), {{QStringLiteral("role"), QStringLiteral("viewer")},
                                                         {QStringLiteral("name"), QStringLiteral("located")}});
    QCOMPARE(created.status, 201);
    const QString id = created.json().value(QStringLiteral("id")).toString();
    QCOMPARE(created.header("Location"), QByteArray("/api/v1/tokens/" + id.toUtf8()));
    // The Location addresses the token: deleting it revokes it.
    QCOMPARE(m_admin->del(QString::fromUtf8(created.header("Location"))).status, 204);
    QCOMPARE(m_f.client(created.json().value(QStringLiteral("token")).toString())
                 ->get(QStringLiteral("/api/v1/devices"))
                 .status,
             401);
}

void TestCrmApi::tokensNeverShowSecrets()
{
    const auto created =
        m_admin->post(QStringLiteral("/api/v1/tokens"), {{QStringLiteral("role"), QStringLiteral("viewer")},
                                                         {QStringLiteral("name"), QStringLiteral("secret-check")}});
    QCOMPARE(created.status, 201);
    const QString fresh = created.json().value(QStringLiteral("token")).toString();
    QVERIFY(!fresh.isEmpty());

    const auto list = m_admin->get(QStringLiteral("/api/v1/tokens?limit=1000"));
    QCOMPARE(list.status, 200);
    const QJsonArray items = list.json().value(QStringLiteral("items")).toArray();
    QVERIFY(items.size() >= 4);
    QSet<QString> names;
    for (const auto &v : items) {
        const QJsonObject t = v.toObject();
        names.insert(t.value(QStringLiteral("name")).toString());
        const QStringList keys = t.keys();
        const QSet<QString> allowed{QStringLiteral("id"), QStringLiteral("name"), QStringLiteral("role"),
                                    QStringLiteral("created"), QStringLiteral("revokedAt")};
        QCOMPARE(QSet<QString>(keys.begin(), keys.end()) - allowed, QSet<QString>());
    }
    QVERIFY(names.contains(QStringLiteral("test-admin")) && names.contains(QStringLiteral("secret-check")));
    const auto audit = m_admin->get(QStringLiteral("/api/v1/audit?entityType=token&limit=1000"));
    for (const QString &secret : {fresh, m_f.adminToken, m_f.operatorToken, m_f.viewerToken}) {
        const QByteArray hash = QCryptographicHash::hash(secret.toUtf8(), QCryptographicHash::Sha256).toHex();
        for (const QByteArray &body : {list.body, audit.body}) {
            QVERIFY(!body.contains(secret.toUtf8()));
            QVERIFY(!body.contains(hash));
        }
    }
}

void TestCrmApi::hubSigningKeyShownOnce()
{
    DirectDb db(*m_f.mw);
    const QString path = QStringLiteral("/api/v1/hubs/key-hub");
    const auto storedKey = [&] {
        return db.scalar(QStringLiteral("SELECT signing_key FROM hubs WHERE name = 'key-hub'")).toString();
    };

    const auto created = m_admin->put(path, {{QStringLiteral("host"), QStringLiteral("key-hub.example")},
                                             {QStringLiteral("port"), 8883},
                                             {QStringLiteral("region"), QStringLiteral("eu-central")},
                                             {QStringLiteral("allocationWeight"), 3}});
    QCOMPARE(created.status, 201);
    const QString key = created.json().value(QStringLiteral("signingKey")).toString();
    QCOMPARE(QByteArray::fromBase64(key.toLatin1()).size(), 32);
    QCOMPARE(storedKey(), key);
    QCOMPARE(created.json().value(QStringLiteral("region")).toString(), QStringLiteral("eu-central"));
    QCOMPARE(created.json().value(QStringLiteral("allocationWeight")).toInt(), 3);
    QCOMPARE(etagHeader(created), created.json().value(QStringLiteral("etag")).toString());

    const auto got = m_viewer->get(path);
    QCOMPARE(got.status, 200);
    QVERIFY(!got.json().contains(QStringLiteral("signingKey")));
    QVERIFY(!got.body.contains(key.toUtf8()));
    QVERIFY(!m_admin->get(QStringLiteral("/api/v1/hubs")).body.contains(key.toUtf8()));

    // A replace without a key keeps the key and does not show it.
    const auto replaced = m_admin->put(path,
                                       {{QStringLiteral("host"), QStringLiteral("key-hub.example")},
                                        {QStringLiteral("port"), 8884},
                                        {QStringLiteral("region"), QStringLiteral("eu-central")},
                                        {QStringLiteral("allocationWeight"), 5}},
                                       {{"If-Match", quoted(etagHeader(got))}});
    QCOMPARE(replaced.status, 200);
    QVERIFY(!replaced.json().contains(QStringLiteral("signingKey")));
    QCOMPARE(replaced.json().value(QStringLiteral("port")).toInt(), 8884);
    QCOMPARE(replaced.json().value(QStringLiteral("createdDateTimeUtc")),
             created.json().value(QStringLiteral("createdDateTimeUtc")));
    QCOMPARE(storedKey(), key);

    // A key the operator brings replaces it, and is not echoed.
    const QString own = QString::fromLatin1(QByteArray(32, '\x5a').toBase64());
    const auto ownKey = m_admin->put(
        path, {{QStringLiteral("host"), QStringLiteral("key-hub.example")}, {QStringLiteral("signingKey"), own}});
    QCOMPARE(ownKey.status, 200);
    QVERIFY(!ownKey.json().contains(QStringLiteral("signingKey")));
    QCOMPARE(storedKey(), own);

    const auto rotated = m_admin->send("POST", path + QStringLiteral("/rotate-key"));
    QCOMPARE(rotated.status, 200);
    const QString newKey = rotated.json().value(QStringLiteral("signingKey")).toString();
    QCOMPARE(QByteArray::fromBase64(newKey.toLatin1()).size(), 32);
    QVERIFY(newKey != key && newKey != own);
    QCOMPARE(storedKey(), newKey);
    QVERIFY(!m_viewer->get(path).json().contains(QStringLiteral("signingKey")));
    // The replaced key stays for the overlap (--hub-key-overlap's default,
    // a day): stored, never shown; the deadline is.
    QCOMPARE(db.scalar(QStringLiteral("SELECT previous_signing_key FROM hubs WHERE name = 'key-hub'")).toString(), own);
    const auto afterRotation = m_viewer->get(path);
    QVERIFY(!afterRotation.body.contains(own.toUtf8()));
    const QDateTime until = QDateTime::fromString(
        afterRotation.json().value(QStringLiteral("previousKeyAcceptedUntil")).toString(), Qt::ISODateWithMs);
    QVERIFY2(qAbs(QDateTime::currentDateTimeUtc().secsTo(until) - 24 * 3600) <= 5, afterRotation.body.constData());

    // The audit log has every change, with before and after, and no key.
    const auto audit = m_viewer->get(QStringLiteral("/api/v1/audit?entityType=hub&entityId=key-hub"));
    const QJsonArray entries = audit.json().value(QStringLiteral("items")).toArray();
    QCOMPARE(entries.size(), 4);
    QCOMPARE(entries.at(0).toObject().value(QStringLiteral("action")).toString(), QStringLiteral("rotateKey"));
    QCOMPARE(entries.at(3).toObject().value(QStringLiteral("action")).toString(), QStringLiteral("create"));
    const QJsonObject update = entries.at(2).toObject();
    QCOMPARE(update.value(QStringLiteral("before")).toObject().value(QStringLiteral("port")).toInt(), 8883);
    QCOMPARE(update.value(QStringLiteral("after")).toObject().value(QStringLiteral("port")).toInt(), 8884);
    for (const QString &k : {key, own, newKey})
        QVERIFY2(!audit.body.contains(k.toUtf8()), audit.body.constData());
}

void TestCrmApi::hubDeleteRefusedWhileAssigned()
{
    DirectDb db(*m_f.mw);
    const QString path = QStringLiteral("/api/v1/hubs/busy-hub");
    QCOMPARE(m_admin->put(path, {{QStringLiteral("host"), QStringLiteral("busy.example")}}).status, 201);
    // A registration assigned to the hub (written directly: registrations
    // are the device API's business).
    QVERIFY(db.exec(QStringLiteral("INSERT INTO registrations (registration_id, device_id, assigned_hub, status, "
                                   "etag, created, updated, doc) VALUES ('busy-reg', 'busy-reg', 'busy.example', "
                                   "'assigned', 'e', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', '{}')")));
    const QByteArray before = snapshot();
    const auto refused = m_admin->del(path);
    QCOMPARE(refused.status, 409);
    QVERIFY2(refused.json().value(QStringLiteral("message")).toString().contains(QLatin1String("force=true")),
             refused.body.constData());
    QCOMPARE(snapshot(), before);

    QCOMPARE(m_admin->del(path + QStringLiteral("?force=true")).status, 204);
    QCOMPARE(m_viewer->get(path).status, 404);
    QVERIFY(db.exec(QStringLiteral("DELETE FROM registrations WHERE registration_id = 'busy-reg'")));

    // Without registrations no force is needed.
    QCOMPARE(m_admin->put(path, {{QStringLiteral("host"), QStringLiteral("busy.example")}}).status, 201);
    QCOMPARE(m_admin->del(path).status, 204);
}

void TestCrmApi::allocationPolicy_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    // The settings the allocator reads: allocationPolicy, allocation.staticHub,
    // allocation.webhookUrl, allocation.webhookApiVersion.
    QTest::addColumn<QStringList>("settings");

    const QString hub = m_fixtureHub;
    QTest::newRow("hashed") << QByteArray("{\"allocationPolicy\":\"hashed\"}") << 200 << QString()
                            << QStringList{QStringLiteral("hashed"), QStringLiteral(""), QStringLiteral(""),
                                           QStringLiteral("")};
    QTest::newRow("geoLatency") << QByteArray("{\"allocationPolicy\":\"geoLatency\"}") << 200 << QString()
                                << QStringList{QStringLiteral("geoLatency"), QStringLiteral(""), QStringLiteral(""),
                                               QStringLiteral("")};
    QTest::newRow("static") << QByteArray("{\"allocationPolicy\":\"static\",\"staticHub\":\"fixture-hub\"}") << 200
                            << QString()
                            << QStringList{QStringLiteral("static"), hub, QStringLiteral(""), QStringLiteral("")};
    QTest::newRow("custom https")
        << QByteArray("{\"allocationPolicy\":\"custom\",\"customAllocationDefinition\":{\"webhookUrl\":\"https://"
                      "alloc.example/api/pick?code=x\",\"apiVersion\":\"2021-10-01\"}}")
        << 200 << QString()
        << QStringList{QStringLiteral("custom"), QStringLiteral(""),
                       QStringLiteral("https://alloc.example/api/pick?code=x"), QStringLiteral("2021-10-01")};
    // Even on the allow list: plain http and a private address are refused.
    QTest::newRow("custom http") << QByteArray(
                                        "{\"allocationPolicy\":\"custom\",\"customAllocationDefinition\":{"
                                        "\"webhookUrl\":\"http://10.0.0.5:8080/pick\",\"apiVersion\":\"2019-03-31\"}}")
                                 << 400 << "must use https://" << QStringList();
    QTest::newRow("custom private address")
        << QByteArray("{\"allocationPolicy\":\"custom\",\"customAllocationDefinition\":{"
                      "\"webhookUrl\":\"https://10.0.0.5:8080/pick\",\"apiVersion\":\"2019-03-31\"}}")
        << 400 << "private address" << QStringList();
    QTest::newRow("custom host not allowed")
        << QByteArray("{\"allocationPolicy\":\"custom\",\"customAllocationDefinition\":{"
                      "\"webhookUrl\":\"https://elsewhere.example/pick\",\"apiVersion\":\"2019-03-31\"}}")
        << 400 << "not on the allowed webhook hosts" << QStringList();
    QTest::newRow("back to hashed clears")
        << QByteArray("{\"allocationPolicy\":\"hashed\"}") << 200 << QString()
        << QStringList{QStringLiteral("hashed"), QStringLiteral(""), QStringLiteral(""), QStringLiteral("")};
    QTest::newRow("static without hub") << QByteArray("{\"allocationPolicy\":\"static\"}") << 400
                                        << "field 'staticHub' is required" << QStringList();
    QTest::newRow("static unknown hub") << QByteArray("{\"allocationPolicy\":\"static\",\"staticHub\":\"no-such-hub\"}")
                                        << 400 << "no-such-hub" << QStringList();
    QTest::newRow("static hub wrong type") << QByteArray("{\"allocationPolicy\":\"static\",\"staticHub\":7}") << 400
                                           << "field 'staticHub' must be a string" << QStringList();
    QTest::newRow("custom without definition")
        << QByteArray("{\"allocationPolicy\":\"custom\"}") << 400 << "customAllocationDefinition" << QStringList();
    QTest::newRow("custom ftp url") << QByteArray(
                                           "{\"allocationPolicy\":\"custom\",\"customAllocationDefinition\":{"
                                           "\"webhookUrl\":\"ftp://alloc.example/\",\"apiVersion\":\"2021-10-01\"}}")
                                    << 400 << "webhookUrl" << QStringList();
    QTest::newRow("custom no apiVersion")
        << QByteArray("{\"allocationPolicy\":\"custom\",\"customAllocationDefinition\":{\"webhookUrl\":\"https://"
                      "alloc.example/\"}}")
        << 400 << "apiVersion" << QStringList();
    QTest::newRow("custom definition not object")
        << QByteArray("{\"allocationPolicy\":\"custom\",\"customAllocationDefinition\":\"https://alloc.example/\"}")
        << 400 << "must be an object" << QStringList();
    QTest::newRow("custom definition unknown field")
        << QByteArray("{\"allocationPolicy\":\"custom\",\"customAllocationDefinition\":{\"webhookUrl\":\"https://"
                      "a.example/\",\"apiVersion\":\"2021-10-01\",\"secret\":\"x\"}}")
        << 400 << "unknown field 'customAllocationDefinition.secret'" << QStringList();
    QTest::newRow("unknown policy") << QByteArray("{\"allocationPolicy\":\"random\"}") << 400
                                    << "field 'allocationPolicy'" << QStringList();
    QTest::newRow("policy wrong case") << QByteArray("{\"allocationPolicy\":\"Hashed\"}") << 400
                                       << "field 'allocationPolicy'" << QStringList();
    QTest::newRow("policy missing") << QByteArray("{}") << 400 << "field 'allocationPolicy' is required"
                                    << QStringList();
    QTest::newRow("policy wrong type") << QByteArray("{\"allocationPolicy\":1}") << 400 << "must be a string"
                                       << QStringList();
    QTest::newRow("static hub with hashed")
        << QByteArray("{\"allocationPolicy\":\"hashed\",\"staticHub\":\"fixture-hub\"}") << 400 << "only allowed"
        << QStringList();
    QTest::newRow("malformed") << QByteArray("{\"allocationPolicy\":") << 400 << "malformed JSON" << QStringList();
}

void TestCrmApi::allocationPolicy()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, message);
    QFETCH(QStringList, settings);

    const QByteArray before = snapshot();
    const auto r = m_admin->send("PUT", QStringLiteral("/api/v1/allocation-policy"), body);
    QVERIFY2(r.status == status, qPrintable(QString::number(r.status) + QLatin1Char(' ') + QString::fromUtf8(r.body)));
    if (status != 200) {
        QVERIFY2(r.json().value(QStringLiteral("message")).toString().contains(message), r.body.constData());
        QCOMPARE(snapshot(), before);
        return;
    }
    // The answer is the policy as GET shows it from now on.
    const QJsonObject sent = QJsonDocument::fromJson(body).object();
    QJsonObject answered = r.json();
    QCOMPARE(etagHeader(r), answered.value(QStringLiteral("etag")).toString());
    answered.remove(QStringLiteral("etag"));
    QCOMPARE(answered, sent);
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/allocation-policy")).json(), r.json());
    // Viewers read it too, without the webhook URL's query (its secret).
    const QJsonObject viewed = m_viewer->get(QStringLiteral("/api/v1/allocation-policy")).json();
    const QString url = sent.value(QStringLiteral("customAllocationDefinition"))
                            .toObject()
                            .value(QStringLiteral("webhookUrl"))
                            .toString();
    const QString shown =
        url.contains(QLatin1Char('?')) ? url.left(url.indexOf(QLatin1Char('?'))) + QStringLiteral("?***") : url;
    QCOMPARE(viewed.value(QStringLiteral("customAllocationDefinition"))
                 .toObject()
                 .value(QStringLiteral("webhookUrl"))
                 .toString(),
             shown);
    QJsonObject viewedRest = viewed;
    QJsonObject answeredRest = r.json();
    viewedRest.remove(QStringLiteral("customAllocationDefinition"));
    answeredRest.remove(QStringLiteral("customAllocationDefinition"));
    QCOMPARE(viewedRest, answeredRest);

    DirectDb db(*m_f.mw);
    const QStringList keys{QStringLiteral("allocationPolicy"), QStringLiteral("allocation.staticHub"),
                           QStringLiteral("allocation.webhookUrl"), QStringLiteral("allocation.webhookApiVersion")};
    for (int i = 0; i < keys.size(); ++i)
        QCOMPARE(db.scalar(QStringLiteral("SELECT value FROM settings WHERE key = ?"), {keys.at(i)}).toString(),
                 settings.at(i));
    QCOMPARE(db.scalar(QStringLiteral("SELECT value FROM settings WHERE key = 'allocation.etag'")).toString(),
             etagHeader(r));

    const auto audit = m_viewer->get(QStringLiteral("/api/v1/audit?entityType=allocationPolicy&limit=1"));
    const QJsonObject entry = audit.json().value(QStringLiteral("items")).toArray().at(0).toObject();
    QCOMPARE(entry.value(QStringLiteral("after")).toObject().value(QStringLiteral("allocationPolicy")).toString(),
             settings.at(0));
    QCOMPARE(entry.value(QStringLiteral("actor")).toString(), QStringLiteral("token:test-admin"));
    QVERIFY(entry.contains(QStringLiteral("before")));
}

void TestCrmApi::viewersSeeNoWebhookSecrets_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("enrollment") << QStringLiteral("enrollment");
    QTest::newRow("enrollment group") << QStringLiteral("group");
    QTest::newRow("allocation policy") << QStringLiteral("policy");
    QTest::newRow("event webhook") << QStringLiteral("webhook");
}

// A custom allocation webhook's URL carries its secret in the query
// (`?code=`): a viewer reads enrollments, groups and the allocation policy,
// one by one and in lists, with the URL redacted; those who set it (an
// operator for enrollments and groups, an admin for the policy) read it
// whole. An event webhook's secret is write-only: GET says one is set.
void TestCrmApi::viewersSeeNoWebhookSecrets()
{
    QFETCH(QString, kind);
    const QString secret = QStringLiteral("s3cr3t-") + kind + QStringLiteral("-code");
    const QString url = QStringLiteral("https://alloc.example/alloc?code=") + secret;
    const QString redacted = QStringLiteral("https://alloc.example/alloc?***");
    const QJsonObject custom{{QStringLiteral("allocationPolicy"), QStringLiteral("custom")},
                             {QStringLiteral("customAllocationDefinition"),
                              QJsonObject{{QStringLiteral("webhookUrl"), url},
                                          {QStringLiteral("apiVersion"), QStringLiteral("2021-10-01")}}}};
    const QJsonObject attestation{{QStringLiteral("type"), QStringLiteral("symmetricKey")}};
    QStringList paths; // what a viewer reads, one and lists
    HttpsClient *writer = m_operator.get();
    if (kind == QLatin1String("enrollment")) {
        QJsonObject e = custom;
        e.insert(QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}});
        const auto put = m_operator->put(QStringLiteral("/api/v1/enrollments/secret-alloc-1"), e);
        QVERIFY2(put.status == 201, put.body.constData());
        paths << QStringLiteral("/api/v1/enrollments/secret-alloc-1")
              << QStringLiteral("/api/v1/enrollments?limit=1000");
    } else if (kind == QLatin1String("group")) {
        QJsonObject g = custom;
        g.insert(QStringLiteral("attestation"), attestation);
        const auto put = m_operator->put(QStringLiteral("/api/v1/enrollment-groups/secret-alloc-g"), g);
        QVERIFY2(put.status == 201, put.body.constData());
        paths << QStringLiteral("/api/v1/enrollment-groups/secret-alloc-g")
              << QStringLiteral("/api/v1/enrollment-groups?limit=1000");
    } else if (kind == QLatin1String("policy")) {
        const auto put = m_admin->put(QStringLiteral("/api/v1/allocation-policy"), custom);
        QVERIFY2(put.status == 200, put.body.constData());
        writer = m_admin.get();
        paths << QStringLiteral("/api/v1/allocation-policy");
    } else {
        const QString hookSecret = QStringLiteral("event-hook-secret-0123456789abcdef");
        const auto created =
            m_admin->post(QStringLiteral("/api/v1/webhooks"),
                          QJsonObject{{QStringLiteral("url"), QStringLiteral("https://a.example/hook")},
                                      {QStringLiteral("events"), QJsonArray{QStringLiteral("registration.assigned")}},
                                      {QStringLiteral("secret"), hookSecret}});
        QVERIFY2(created.status == 201, created.body.constData());
        const QString id = created.json().value(QStringLiteral("id")).toString();
        for (const QString &path :
             QStringList{QStringLiteral("/api/v1/webhooks/") + id, QStringLiteral("/api/v1/webhooks")}) {
            const auto read = m_admin->get(path);
            QCOMPARE(read.status, 200);
            QVERIFY2(!read.body.contains(hookSecret.toUtf8()), read.body.constData());
            QVERIFY2(read.body.contains("\"secretSet\":true"), read.body.constData());
        }
        QCOMPARE(m_viewer->get(QStringLiteral("/api/v1/webhooks/") + id).status, 403);
        QCOMPARE(m_admin->send("DELETE", QStringLiteral("/api/v1/webhooks/") + id).status, 204);
        return;
    }
    const auto restore = qScopeGuard([&] {
        if (kind == QLatin1String("policy"))
            m_admin->put(QStringLiteral("/api/v1/allocation-policy"),
                         QJsonObject{{QStringLiteral("allocationPolicy"), QStringLiteral("hashed")}});
    });
    QList<HttpsClient *> readers{m_viewer.get()};
    if (kind == QLatin1String("policy"))
        readers << m_operator.get();
    for (const QString &path : std::as_const(paths)) {
        for (HttpsClient *reader : std::as_const(readers)) {
            const auto read = reader->get(path);
            QCOMPARE(read.status, 200);
            QVERIFY2(!read.body.contains(secret.toUtf8()), read.body.constData());
            QVERIFY2(read.body.contains(redacted.toUtf8()), read.body.constData());
        }
        // Whoever sets it reads it whole (so an edit sends it back intact).
        QVERIFY2(writer->get(path).body.contains(secret.toUtf8()), path.toUtf8().constData());
    }
}

void TestCrmApi::unreadableRecordsAreListedPerItem_data()
{
    // What is created, the table and key column its document lives in, the
    // list it shows in, its own path (empty: none), what GET of it answers
    // and what the repair advice names.
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("list");
    QTest::addColumn<QString>("keyField");
    QTest::addColumn<int>("getStatus");
    QTest::addColumn<QString>("advice");
    QTest::newRow("enrollment") << QStringLiteral("enrollment") << QStringLiteral("/api/v1/enrollments?limit=1000")
                                << QStringLiteral("registrationId") << 409
                                << QStringLiteral("DELETE /api/v1/enrollments/");
    QTest::newRow("enrollment group") << QStringLiteral("group")
                                      << QStringLiteral("/api/v1/enrollment-groups?limit=1000")
                                      << QStringLiteral("enrollmentGroupId") << 409
                                      << QStringLiteral("DELETE /api/v1/enrollment-groups/");
    // A device reads back leniently from its columns (and PUT rewrites it).
    QTest::newRow("inventory device") << QStringLiteral("device")
                                      << QStringLiteral("/api/v1/devices?limit=1000&q=UNREAD")
                                      << QStringLiteral("serial") << 200 << QStringLiteral("PUT /api/v1/devices/");
    QTest::newRow("audit entry") << QStringLiteral("audit")
                                 << QStringLiteral("/api/v1/audit?entityType=customer&limit=1000")
                                 << QStringLiteral("entityId") << 0 << QStringLiteral("without its record");
}

// A stored document Qt cannot read back (here nested 1,100 levels deep,
// written straight into the database as one stored before the JSON limits)
// never fails a page: the list shows the record per item, flagged, with
// what its columns keep and how to repair it; the record can be deleted.
void TestCrmApi::unreadableRecordsAreListedPerItem()
{
    QFETCH(QString, kind);
    QFETCH(QString, list);
    QFETCH(QString, keyField);
    QFETCH(int, getStatus);
    QFETCH(QString, advice);
    const QJsonObject attestation{{QStringLiteral("type"), QStringLiteral("symmetricKey")}};
    QString key;
    QString path;
    QString sql;
    if (kind == QLatin1String("enrollment")) {
        key = QStringLiteral("unread-enr-1");
        path = QStringLiteral("/api/v1/enrollments/") + key;
        QCOMPARE(m_operator->put(path, QJsonObject{{QStringLiteral("attestation"), attestation}}).status, 201);
        QCOMPARE(
            m_operator->put(path + QStringLiteral("-ok"), QJsonObject{{QStringLiteral("attestation"), attestation}})
                .status,
            201);
        sql = QStringLiteral("UPDATE enrollments SET doc = ? WHERE registration_id = ?");
    } else if (kind == QLatin1String("group")) {
        key = QStringLiteral("unread-grp-1");
        path = QStringLiteral("/api/v1/enrollment-groups/") + key;
        QCOMPARE(m_operator->put(path, QJsonObject{{QStringLiteral("attestation"), attestation}}).status, 201);
        QCOMPARE(
            m_operator->put(path + QStringLiteral("-ok"), QJsonObject{{QStringLiteral("attestation"), attestation}})
                .status,
            201);
        sql = QStringLiteral("UPDATE enrollment_groups SET doc = ? WHERE group_id = ?");
    } else if (kind == QLatin1String("device")) {
        key = QStringLiteral("UNREAD-1");
        path = QStringLiteral("/api/v1/devices/") + key;
        QVERIFY(!createDevice({{QStringLiteral("serial"), key}, {QStringLiteral("model"), QStringLiteral("UR-1")}})
                     .isEmpty());
        QVERIFY(!createDevice({{QStringLiteral("serial"), QStringLiteral("UNREAD-2")}}).isEmpty());
        sql = QStringLiteral("UPDATE devices SET doc = ? WHERE serial = ?");
    } else {
        key = createCustomer(QStringLiteral("Unreadable Audit")).value(QStringLiteral("id")).toString();
        QVERIFY(!key.isEmpty());
        sql = QStringLiteral("UPDATE audit_log SET after_doc = ? WHERE id = (SELECT MAX(id) FROM audit_log WHERE "
                             "entity_id = ?)");
    }
    const QString deep = QStringLiteral("{\"a\":") + QString(1100, QLatin1Char('[')) + QString(1100, QLatin1Char(']')) +
                         QLatin1Char('}');
    QVERIFY(DirectDb(*m_f.mw).exec(sql, {deep, key}));

    const auto page = m_viewer->get(list);
    QVERIFY2(page.status == 200, page.body.constData());
    QJsonObject flagged;
    int readable = 0;
    for (const QJsonValue &v : page.json().value(QStringLiteral("items")).toArray()) {
        const QJsonObject item = v.toObject();
        if (item.value(keyField).toString() == key)
            flagged = item;
        else if (!item.contains(QStringLiteral("unreadable")))
            ++readable;
    }
    QVERIFY2(!flagged.isEmpty(), page.body.constData());
    QCOMPARE(flagged.value(QStringLiteral("unreadable")).toBool(), true);
    const QString message =
        flagged.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
    QVERIFY2(message.contains(advice), qPrintable(message));
    QVERIFY2(readable > 0, "the other records of the page are listed as usual");
    if (kind == QLatin1String("device"))
        QCOMPARE(flagged.value(QStringLiteral("model")).toString(), QStringLiteral("UR-1")); // from its column
    if (kind == QLatin1String("audit"))
        return; // entries are kept as written
    if (kind != QLatin1String("device"))
        QVERIFY(!flagged.contains(QStringLiteral("attestation")));

    const auto one = m_viewer->get(path);
    QVERIFY2(one.status == getStatus, one.body.constData());
    if (getStatus == 409)
        QVERIFY2(one.body.contains(advice.toUtf8()), one.body.constData());
    // Deleting it works (If-Match with the etag the list showed).
    const QByteArray etag = flagged.value(QStringLiteral("etag")).toString().toUtf8();
    QVERIFY(!etag.isEmpty());
    const auto removed = m_operator->send("DELETE", path, {}, {{"If-Match", "\"" + etag + "\""}});
    QVERIFY2(removed.status == 204, removed.body.constData());
    QCOMPARE(m_viewer->get(path).status, 404);
    QCOMPARE(m_viewer->get(list).status, 200);
}

void TestCrmApi::auditEntries()
{
    const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-1);
    const QJsonObject c = createCustomer(QStringLiteral("Audited Inc"), QStringLiteral("old@audited.example"));
    const QString id = c.value(QStringLiteral("id")).toString();
    QCOMPARE(m_operator
                 ->patch(QStringLiteral("/api/v1/customers/") + id,
                         {{QStringLiteral("email"), QStringLiteral("new@audited.example")}})
                 .status,
             200);

    const auto r = m_viewer->get(QStringLiteral("/api/v1/audit?entityType=customer&entityId=") + id);
    QCOMPARE(r.status, 200);
    const QJsonArray entries = r.json().value(QStringLiteral("items")).toArray();
    QCOMPARE(entries.size(), 2);
    const QJsonObject update = entries.at(0).toObject();
    const QJsonObject create = entries.at(1).toObject();
    QCOMPARE(update.value(QStringLiteral("action")).toString(), QStringLiteral("update"));
    QCOMPARE(update.value(QStringLiteral("actor")).toString(), QStringLiteral("token:test-operator"));
    QCOMPARE(update.value(QStringLiteral("entityType")).toString(), QStringLiteral("customer"));
    QCOMPARE(update.value(QStringLiteral("entityId")).toString(), id);
    QCOMPARE(update.value(QStringLiteral("before")).toObject().value(QStringLiteral("email")).toString(),
             QStringLiteral("old@audited.example"));
    QCOMPARE(update.value(QStringLiteral("after")).toObject().value(QStringLiteral("email")).toString(),
             QStringLiteral("new@audited.example"));
    QVERIFY(!update.value(QStringLiteral("at")).toString().isEmpty());
    QCOMPARE(create.value(QStringLiteral("action")).toString(), QStringLiteral("create"));
    QVERIFY(!create.contains(QStringLiteral("before")));
    QCOMPARE(create.value(QStringLiteral("after")).toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("Audited Inc"));

    const auto count = [&](const QString &query) {
        const auto a = m_viewer->get(QStringLiteral("/api/v1/audit?limit=1000&") + query);
        if (a.status != 200)
            qWarning() << a.status << a.body;
        return a.json().value(QStringLiteral("items")).toArray().size();
    };
    QCOMPARE(count(QStringLiteral("entityId=") + id + QStringLiteral("&actor=token:test-operator")), 2);
    QCOMPARE(count(QStringLiteral("entityId=") + id + QStringLiteral("&actor=token:test-admin")), 0);
    const QString since = QString::fromLatin1(QUrl::toPercentEncoding(start.toString(Qt::ISODate)));
    QCOMPARE(count(QStringLiteral("entityId=") + id + QStringLiteral("&since=") + since), 2);
    const QString future = QString::fromLatin1(QUrl::toPercentEncoding(start.addDays(1).toString(Qt::ISODate)));
    QCOMPARE(count(QStringLiteral("entityId=") + id + QStringLiteral("&since=") + future), 0);
}

void TestCrmApi::auditFilters_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("since"); // a bound named after the entry whose time it takes
    QTest::addColumn<QString>("until");
    QTest::addColumn<QStringList>("expected"); // actions, newest first

    const QString none;
    QTest::newRow("all") << none << none << none
                         << QStringList{QStringLiteral("delete"), QStringLiteral("update"), QStringLiteral("update"),
                                        QStringLiteral("create")};
    QTest::newRow("action create") << "create" << none << none << QStringList{QStringLiteral("create")};
    QTest::newRow("action update") << "update" << none << none
                                   << QStringList{QStringLiteral("update"), QStringLiteral("update")};
    QTest::newRow("action never taken") << "sell" << none << none << QStringList{};
    QTest::newRow("action is exact") << "updat" << none << none << QStringList{};
    QTest::newRow("action is case-sensitive") << "Update" << none << none << QStringList{};
    QTest::newRow("until excludes its own instant") << none << none << "create" << QStringList{};
    QTest::newRow("until second entry") << none << none << "update1" << QStringList{QStringLiteral("create")};
    QTest::newRow("since includes its own instant")
        << none << "delete" << none << QStringList{QStringLiteral("delete")};
    QTest::newRow("since and until") << none << "update1"
                                     << "delete" << QStringList{QStringLiteral("update"), QStringLiteral("update")};
    QTest::newRow("action within range") << "update"
                                         << "create"
                                         << "update2" << QStringList{QStringLiteral("update")};
    QTest::newRow("range in the future") << none << "future" << none << QStringList{};
    QTest::newRow("until in the future") << "delete"
                                         << "past"
                                         << "future" << QStringList{QStringLiteral("delete")};
}

void TestCrmApi::auditFilters()
{
    QFETCH(QString, action);
    QFETCH(QString, since);
    QFETCH(QString, until);
    QFETCH(QStringList, expected);

    // One customer's life: create, two updates, delete, each in a later
    // millisecond than the one before, so every entry has its own instant.
    static QString id;
    static QHash<QString, QString> at;
    if (id.isEmpty()) {
        const auto tick = [] {
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            QTRY_VERIFY(QDateTime::currentMSecsSinceEpoch() > now);
        };
        id = createCustomer(QStringLiteral("Filtered Audit Ltd")).value(QStringLiteral("id")).toString();
        QVERIFY(!id.isEmpty());
        tick();
        QCOMPARE(
            m_operator
                ->patch(QStringLiteral("/api/v1/customers/") + id, {{QStringLiteral("notes"), QStringLiteral("one")}})
                .status,
            200);
        tick();
        QCOMPARE(
            m_operator
                ->patch(QStringLiteral("/api/v1/customers/") + id, {{QStringLiteral("notes"), QStringLiteral("two")}})
                .status,
            200);
        tick();
        QCOMPARE(m_operator->send("DELETE", QStringLiteral("/api/v1/customers/") + id).status, 204);
        const auto all = m_viewer->get(QStringLiteral("/api/v1/audit?entityId=") + id);
        const QJsonArray items = all.json().value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 4);
        const char *names[] = {"delete", "update2", "update1", "create"};
        for (int i = 0; i < 4; ++i)
            at.insert(QString::fromLatin1(names[i]), items.at(i).toObject().value(QStringLiteral("at")).toString());
        const QDateTime now = QDateTime::currentDateTimeUtc();
        at.insert(QStringLiteral("past"), now.addDays(-1).toString(Qt::ISODateWithMs));
        at.insert(QStringLiteral("future"), now.addDays(1).toString(Qt::ISODateWithMs));
    }

    QString query = QStringLiteral("/api/v1/audit?entityId=") + id;
    const auto bound = [&](const char *name, const QString &key) {
        if (!key.isEmpty())
            query += QLatin1Char('&') + QLatin1String(name) + QLatin1Char('=') +
                     QString::fromLatin1(QUrl::toPercentEncoding(at.value(key)));
    };
    bound("since", since);
    bound("until", until);
    if (!action.isEmpty())
        query += QStringLiteral("&action=") + action;
    const auto r = m_viewer->get(query);
    QVERIFY2(r.status == 200, r.body.constData());
    QStringList actions;
    for (const auto &v : r.json().value(QStringLiteral("items")).toArray())
        actions << v.toObject().value(QStringLiteral("action")).toString();
    QCOMPARE(actions, expected);
}

void TestCrmApi::paging_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("key");

    QTest::newRow("customers") << "/api/v1/customers?q=paged%20customer"
                               << "id";
    QTest::newRow("devices") << "/api/v1/devices?q=PAGE-"
                             << "serial";
    QTest::newRow("hubs") << "/api/v1/hubs"
                          << "name";
    QTest::newRow("tokens") << "/api/v1/tokens"
                            << "id";
    QTest::newRow("audit") << "/api/v1/audit?entityType=device"
                           << "id";
}

void TestCrmApi::paging()
{
    QFETCH(QString, path);
    QFETCH(QString, key);

    static bool seeded = false;
    if (!seeded) {
        seeded = true;
        // Mixed case and a repeated name: whatever order the database's
        // collation gives, walking the pages must give the same order.
        for (const char *name :
             {"Paged Customer C", "paged customer a", "Paged Customer B", "Paged Customer B", "Paged Customer E"})
            QVERIFY(!createCustomer(QString::fromLatin1(name)).isEmpty());
        for (int i = 5; i >= 1; --i)
            QVERIFY(!createDevice({{QStringLiteral("serial"), QStringLiteral("PAGE-%1").arg(i)}}).isEmpty());
        for (int i = 1; i <= 3; ++i)
            QCOMPARE(m_admin
                         ->put(QStringLiteral("/api/v1/hubs/page-hub-%1").arg(i),
                               {{QStringLiteral("host"), QStringLiteral("page-hub-%1.example").arg(i)}})
                         .status,
                     201);
    }

    const QString sep = path.contains(QLatin1Char('?')) ? QStringLiteral("&") : QStringLiteral("?");
    const auto all = m_admin->get(path + sep + QStringLiteral("limit=1000"));
    QCOMPARE(all.status, 200);
    QVERIFY(!all.json().contains(QStringLiteral("nextCursor")));
    QStringList expected;
    for (const auto &v : all.json().value(QStringLiteral("items")).toArray())
        expected << v.toObject().value(key).toString();
    QVERIFY2(expected.size() >= 4, qPrintable(expected.join(QLatin1Char(','))));

    QStringList walked;
    QString cursor;
    int pages = 0;
    do {
        QString url = path + sep + QStringLiteral("limit=2");
        if (!cursor.isEmpty())
            url += QStringLiteral("&cursor=") + cursor;
        const auto page = m_admin->get(url);
        QCOMPARE(page.status, 200);
        const QJsonArray items = page.json().value(QStringLiteral("items")).toArray();
        QVERIFY(items.size() >= 1 && items.size() <= 2);
        for (const auto &v : items)
            walked << v.toObject().value(key).toString();
        cursor = page.json().value(QStringLiteral("nextCursor")).toString();
        if (!cursor.isEmpty())
            QCOMPARE(items.size(), 2);
        QVERIFY(++pages <= expected.size());
    } while (!cursor.isEmpty());
    QCOMPARE(walked, expected);
    QCOMPARE(pages, int((expected.size() + 1) / 2));
    QCOMPARE(QSet<QString>(walked.begin(), walked.end()).size(), walked.size());
}

void TestCrmApi::dataSurvivesRestart()
{
    const QByteArray before = snapshot();
    const auto hub = m_viewer->get(QStringLiteral("/api/v1/hubs/") + m_fixtureHub);
    QVERIFY(m_f.mw->restart());
    QCOMPARE(snapshot(), before);
    const auto after = m_viewer->get(QStringLiteral("/api/v1/hubs/") + m_fixtureHub);
    QCOMPARE(after.status, 200);
    QCOMPARE(etagHeader(after), etagHeader(hub));
    // Still writable, and the tokens still work.
    QCOMPARE(m_operator
                 ->patch(QStringLiteral("/api/v1/customers/") + m_customerId,
                         {{QStringLiteral("notes"), QStringLiteral("after restart")}})
                 .status,
             200);
}

PROVISIO_TEST_MAIN(TestCrmApi)
#include "tst_crmapi.moc"
