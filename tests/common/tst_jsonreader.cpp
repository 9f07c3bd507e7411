// SPDX-License-Identifier: Apache-2.0
// JsonReader and parseJsonObject: every request body in Provisio goes through
// these, so the tests pin down what a client sees for each kind of bad input.
#include "protocol/jsonreader.h"
#include "protocol/timeutil.h"

#include <QJsonDocument>
#include <QTest>

#include <functional>

using namespace Provisio;

namespace {

QJsonObject obj(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

QString s(const char *latin1)
{
    return QString::fromLatin1(latin1);
}

using ReadFn = std::function<QVariant(JsonReader &)>;

} // namespace

Q_DECLARE_METATYPE(ReadFn)

class TestJsonReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseJsonObject_data();
    void parseJsonObject();
    void getters_data();
    void getters();
    void firstErrorWins();
    void childSharesErrorState();
    void objectList();
    void allowOnlyOverloads();
    void failWithoutField();
    void timeutil_data();
    void timeutil();
    void toIsoUtcFormat();
    void toIsoDateFormat_data();
    void toIsoDateFormat();
};

void TestJsonReader::parseJsonObject_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("messageContains");

    QTest::newRow("object") << QByteArray(R"({"registrationId":"dev-1"})") << true << QString();
    QTest::newRow("empty object") << QByteArray("{}") << true << QString();
    QTest::newRow("whitespace around") << QByteArray(" \n{ } \n") << true << QString();
    QTest::newRow("truncated") << QByteArray(R"({"registrationId":)") << false << s("malformed JSON at offset");
    QTest::newRow("missing quote") << QByteArray(R"({"a:1})") << false << s("malformed JSON at offset");
    QTest::newRow("trailing comma") << QByteArray(R"({"a":1,})") << false << s("malformed JSON at offset");
    QTest::newRow("trailing garbage") << QByteArray(R"({"a":1} x)") << false << s("malformed JSON at offset");
    QTest::newRow("single quotes") << QByteArray("{'a':1}") << false << s("malformed JSON at offset");
    QTest::newRow("array") << QByteArray("[1,2]") << false << s("must be an object");
    QTest::newRow("number") << QByteArray("42") << false << s("must be an object");
    QTest::newRow("string") << QByteArray(R"("x")") << false << s("must be an object");
    QTest::newRow("null") << QByteArray("null") << false << s("must be an object");
    QTest::newRow("empty") << QByteArray() << false << s("empty");
    QTest::newRow("blank") << QByteArray("  \n") << false << s("empty");
}

void TestJsonReader::parseJsonObject()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    QFETCH(QString, messageContains);

    const Result<QJsonObject> result = Provisio::parseJsonObject(body);
    QCOMPARE(result.ok(), ok);
    if (!ok) {
        QCOMPARE(result.error().code, ErrorCode::InvalidInput);
        QVERIFY2(result.error().message.contains(messageContains), qPrintable(result.error().message));
    }
}

void TestJsonReader::getters_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<ReadFn>("read");
    QTest::addColumn<QVariant>("expected"); // value returned when ok
    QTest::addColumn<QString>("errorPath"); // empty: no error expected
    QTest::addColumn<QString>("message");   // exact error message

    const auto reqStr = [](const char *key) {
        return ReadFn([key](JsonReader &r) { return QVariant(r.requiredString(QLatin1String(key))); });
    };
    const auto optStr = [](const char *key) {
        return ReadFn(
            [key](JsonReader &r) { return QVariant(r.optionalString(QLatin1String(key), QStringLiteral("dflt"))); });
    };
    const auto maybeStr = [](const char *key) {
        return ReadFn([key](JsonReader &r) {
            const auto v = r.maybeString(QLatin1String(key));
            return v ? QVariant(*v) : QVariant(QStringLiteral("<absent>"));
        });
    };
    const auto reqInt = [](const char *key) {
        return ReadFn([key](JsonReader &r) { return QVariant(r.requiredInt(QLatin1String(key))); });
    };
    const auto optInt = [](const char *key, qint64 min, qint64 max) {
        return ReadFn([=](JsonReader &r) { return QVariant(r.optionalInt(QLatin1String(key), 7, min, max)); });
    };
    const auto optDouble = [](const char *key) {
        return ReadFn([key](JsonReader &r) { return QVariant(r.optionalDouble(QLatin1String(key), 0.5, 0.0, 10.0)); });
    };
    const auto optBool = [](const char *key) {
        return ReadFn([key](JsonReader &r) { return QVariant(r.optionalBool(QLatin1String(key), true)); });
    };
    const auto optObject = [](const char *key) {
        return ReadFn([key](JsonReader &r) { return QVariant(r.optionalObject(QLatin1String(key)).keys()); });
    };
    const auto optArray = [](const char *key) {
        return ReadFn([key](JsonReader &r) { return QVariant(r.optionalArray(QLatin1String(key)).size()); });
    };
    const auto strList = [](const char *key) {
        return ReadFn([key](JsonReader &r) { return QVariant(r.optionalStringList(QLatin1String(key))); });
    };
    const auto dateTime = [](const char *key) {
        return ReadFn([key](JsonReader &r) { return QVariant(toIsoUtc(r.optionalDateTime(QLatin1String(key)))); });
    };
    const auto date = [](const char *key) {
        return ReadFn(
            [key](JsonReader &r) { return QVariant(r.optionalDate(QLatin1String(key)).toString(Qt::ISODate)); });
    };
    const auto allow = ReadFn([](JsonReader &r) {
        r.allowOnly({"registrationId", "payload"});
        return QVariant(true);
    });
    const auto nested = ReadFn([](JsonReader &r) {
        JsonReader props = r.child(QStringLiteral("initialTwin")).child(QStringLiteral("properties"));
        return QVariant(props.optionalObject(QStringLiteral("desired")).keys());
    });
    const auto nestedRequired = ReadFn([](JsonReader &r) {
        return QVariant(r.child(QStringLiteral("attestation")).requiredString(QStringLiteral("type")));
    });
    const auto nestedAllow = ReadFn([](JsonReader &r) {
        JsonReader twin = r.child(QStringLiteral("initialTwin"));
        twin.allowOnly({"tags", "properties"});
        return QVariant(true);
    });
    const auto callerFail = ReadFn([](JsonReader &r) {
        JsonReader keys = r.child(QStringLiteral("symmetricKey"));
        const QString key = keys.optionalString(QStringLiteral("primaryKey"));
        if (key == QLatin1String("bad"))
            keys.fail(QStringLiteral("primaryKey"), QStringLiteral("must be base64"));
        return QVariant(key);
    });

    const QVariant none;
    // requiredString
    QTest::newRow("requiredString ok") << QByteArray(R"({"x":"v"})") << reqStr("x") << QVariant(s("v")) << QString()
                                       << QString();
    QTest::newRow("requiredString missing")
        << QByteArray("{}") << reqStr("x") << none << s("x") << s("field 'x' is required");
    QTest::newRow("requiredString null") << QByteArray(R"({"x":null})") << reqStr("x") << none << s("x")
                                         << s("field 'x' is required");
    QTest::newRow("requiredString number")
        << QByteArray(R"({"x":1})") << reqStr("x") << none << s("x") << s("field 'x' must be a string");
    QTest::newRow("requiredString object")
        << QByteArray(R"({"x":{}})") << reqStr("x") << none << s("x") << s("field 'x' must be a string");
    QTest::newRow("requiredString empty")
        << QByteArray(R"({"x":""})") << reqStr("x") << none << s("x") << s("field 'x' must not be empty");
    // optionalString / maybeString
    QTest::newRow("optionalString ok") << QByteArray(R"({"x":"v"})") << optStr("x") << QVariant(s("v")) << QString()
                                       << QString();
    QTest::newRow("optionalString absent")
        << QByteArray("{}") << optStr("x") << QVariant(s("dflt")) << QString() << QString();
    QTest::newRow("optionalString null") << QByteArray(R"({"x":null})") << optStr("x") << QVariant(s("dflt"))
                                         << QString() << QString();
    QTest::newRow("optionalString empty kept")
        << QByteArray(R"({"x":""})") << optStr("x") << QVariant(QString()) << QString() << QString();
    QTest::newRow("optionalString bool") << QByteArray(R"({"x":true})") << optStr("x") << none << s("x")
                                         << s("field 'x' must be a string");
    QTest::newRow("maybeString absent") << QByteArray("{}") << maybeStr("x") << QVariant(s("<absent>")) << QString()
                                        << QString();
    QTest::newRow("maybeString null") << QByteArray(R"({"x":null})") << maybeStr("x") << QVariant(s("<absent>"))
                                      << QString() << QString();
    QTest::newRow("maybeString array") << QByteArray(R"({"x":[]})") << maybeStr("x") << none << s("x")
                                       << s("field 'x' must be a string");
    // integers
    QTest::newRow("requiredInt ok") << QByteArray(R"({"n":42})") << reqInt("n") << QVariant(qint64(42)) << QString()
                                    << QString();
    QTest::newRow("requiredInt negative")
        << QByteArray(R"({"n":-3})") << reqInt("n") << QVariant(qint64(-3)) << QString() << QString();
    QTest::newRow("requiredInt exponent")
        << QByteArray(R"({"n":1e3})") << reqInt("n") << QVariant(qint64(1000)) << QString() << QString();
    QTest::newRow("requiredInt big exact") << QByteArray(R"({"n":9007199254740993})") << reqInt("n")
                                           << QVariant(qint64(9007199254740993LL)) << QString() << QString();
    QTest::newRow("requiredInt missing") << QByteArray("{}") << reqInt("n") << none << s("n")
                                         << s("field 'n' is required");
    QTest::newRow("requiredInt fraction")
        << QByteArray(R"({"n":1.5})") << reqInt("n") << none << s("n") << s("field 'n' must be an integer");
    QTest::newRow("requiredInt string") << QByteArray(R"({"n":"42"})") << reqInt("n") << none << s("n")
                                        << s("field 'n' must be an integer");
    QTest::newRow("requiredInt bool") << QByteArray(R"({"n":true})") << reqInt("n") << none << s("n")
                                      << s("field 'n' must be an integer");
    QTest::newRow("requiredInt too big") << QByteArray(R"({"n":1e30})") << reqInt("n") << none << s("n")
                                         << s("field 'n' must be between -9223372036854775808 and 9223372036854775807");
    QTest::newRow("optionalInt absent") << QByteArray("{}") << optInt("port", 1, 65535) << QVariant(qint64(7))
                                        << QString() << QString();
    QTest::newRow("optionalInt null") << QByteArray(R"({"port":null})") << optInt("port", 1, 65535)
                                      << QVariant(qint64(7)) << QString() << QString();
    QTest::newRow("optionalInt min edge")
        << QByteArray(R"({"port":1})") << optInt("port", 1, 65535) << QVariant(qint64(1)) << QString() << QString();
    QTest::newRow("optionalInt max edge") << QByteArray(R"({"port":65535})") << optInt("port", 1, 65535)
                                          << QVariant(qint64(65535)) << QString() << QString();
    QTest::newRow("optionalInt below") << QByteArray(R"({"port":0})") << optInt("port", 1, 65535) << none << s("port")
                                       << s("field 'port' must be between 1 and 65535");
    QTest::newRow("optionalInt above") << QByteArray(R"({"port":65536})") << optInt("port", 1, 65535) << none
                                       << s("port") << s("field 'port' must be between 1 and 65535");
    QTest::newRow("optionalInt fraction") << QByteArray(R"({"port":8883.5})") << optInt("port", 1, 65535) << none
                                          << s("port") << s("field 'port' must be an integer");
    // doubles and bools
    QTest::newRow("optionalDouble ok") << QByteArray(R"({"d":2.25})") << optDouble("d") << QVariant(2.25) << QString()
                                       << QString();
    QTest::newRow("optionalDouble absent")
        << QByteArray("{}") << optDouble("d") << QVariant(0.5) << QString() << QString();
    QTest::newRow("optionalDouble string")
        << QByteArray(R"({"d":"2"})") << optDouble("d") << none << s("d") << s("field 'd' must be a number");
    QTest::newRow("optionalDouble range")
        << QByteArray(R"({"d":11})") << optDouble("d") << none << s("d") << s("field 'd' must be between 0 and 10");
    QTest::newRow("optionalBool ok") << QByteArray(R"({"b":false})") << optBool("b") << QVariant(false) << QString()
                                     << QString();
    QTest::newRow("optionalBool absent") << QByteArray("{}") << optBool("b") << QVariant(true) << QString()
                                         << QString();
    QTest::newRow("optionalBool string") << QByteArray(R"({"b":"false"})") << optBool("b") << none << s("b")
                                         << s("field 'b' must be a boolean");
    QTest::newRow("optionalBool number") << QByteArray(R"({"b":0})") << optBool("b") << none << s("b")
                                         << s("field 'b' must be a boolean");
    // objects, arrays, string lists
    QTest::newRow("optionalObject ok") << QByteArray(R"({"o":{"k":1}})") << optObject("o")
                                       << QVariant(QStringList{s("k")}) << QString() << QString();
    QTest::newRow("optionalObject array")
        << QByteArray(R"({"o":[]})") << optObject("o") << none << s("o") << s("field 'o' must be an object");
    QTest::newRow("optionalArray ok") << QByteArray(R"({"a":[1,"x",null]})") << optArray("a") << QVariant(qsizetype(3))
                                      << QString() << QString();
    QTest::newRow("optionalArray object")
        << QByteArray(R"({"a":{}})") << optArray("a") << none << s("a") << s("field 'a' must be an array");
    QTest::newRow("stringList ok") << QByteArray(R"({"iotHubs":["a","b"]})") << strList("iotHubs")
                                   << QVariant(QStringList{s("a"), s("b")}) << QString() << QString();
    QTest::newRow("stringList element") << QByteArray(R"({"iotHubs":["a","b",3]})") << strList("iotHubs") << none
                                        << s("iotHubs[2]") << s("field 'iotHubs[2]' must be a string");
    QTest::newRow("stringList not array") << QByteArray(R"({"iotHubs":"a"})") << strList("iotHubs") << none
                                          << s("iotHubs") << s("field 'iotHubs' must be an array");
    // timestamps and dates
    QTest::newRow("dateTime ms") << QByteArray(R"({"t":"2024-05-01T12:00:00.123Z"})") << dateTime("t")
                                 << QVariant(s("2024-05-01T12:00:00.123Z")) << QString() << QString();
    QTest::newRow("dateTime DPS ticks") << QByteArray(R"({"t":"2017-09-28T16:29:42.3447817Z"})") << dateTime("t")
                                        << QVariant(s("2017-09-28T16:29:42.344Z")) << QString() << QString();
    QTest::newRow("dateTime offset") << QByteArray(R"({"t":"2024-05-01T14:00:00+02:00"})") << dateTime("t")
                                     << QVariant(s("2024-05-01T12:00:00.000Z")) << QString() << QString();
    QTest::newRow("dateTime no zone")
        << QByteArray(R"({"t":"2024-05-01T12:00:00"})") << dateTime("t") << none << s("t")
        << s("field 't' must be an ISO-8601 timestamp with a zone, e.g. 2024-05-01T12:00:00.000Z");
    QTest::newRow("dateTime number") << QByteArray(R"({"t":1714564800})") << dateTime("t") << none << s("t")
                                     << s("field 't' must be a string");
    QTest::newRow("date ok") << QByteArray(R"({"d":"2024-02-29"})") << date("d") << QVariant(s("2024-02-29"))
                             << QString() << QString();
    QTest::newRow("date invalid day") << QByteArray(R"({"d":"2023-02-29"})") << date("d") << none << s("d")
                                      << s("field 'd' must be a date in the form yyyy-MM-dd");
    QTest::newRow("date with time") << QByteArray(R"({"d":"2024-02-01T00:00:00Z"})") << date("d") << none << s("d")
                                    << s("field 'd' must be a date in the form yyyy-MM-dd");
    // unknown fields
    QTest::newRow("allowOnly ok") << QByteArray(R"({"registrationId":"a","payload":{}})") << allow << QVariant(true)
                                  << QString() << QString();
    QTest::newRow("allowOnly unknown") << QByteArray(R"({"registrationId":"a","regsitrationId":"b"})") << allow << none
                                       << s("regsitrationId") << s("unknown field 'regsitrationId'");
    // nesting
    QTest::newRow("nested ok") << QByteArray(R"({"initialTwin":{"properties":{"desired":{"fw":"1.2"}}}})") << nested
                               << QVariant(QStringList{s("fw")}) << QString() << QString();
    QTest::newRow("nested absent") << QByteArray("{}") << nested << QVariant(QStringList()) << QString() << QString();
    QTest::newRow("nested wrong type") << QByteArray(R"({"initialTwin":{"properties":{"desired":[]}}})") << nested
                                       << none << s("initialTwin.properties.desired")
                                       << s("field 'initialTwin.properties.desired' must be an object");
    QTest::newRow("nested parent wrong type")
        << QByteArray(R"({"initialTwin":{"properties":"x"}})") << nested << none << s("initialTwin.properties")
        << s("field 'initialTwin.properties' must be an object");
    QTest::newRow("nested required missing") << QByteArray(R"({"attestation":{}})") << nestedRequired << none
                                             << s("attestation.type") << s("field 'attestation.type' is required");
    QTest::newRow("nested required parent absent")
        << QByteArray("{}") << nestedRequired << none << s("attestation.type")
        << s("field 'attestation.type' is required");
    QTest::newRow("nested unknown") << QByteArray(R"({"initialTwin":{"tags":{},"propreties":{}}})") << nestedAllow
                                    << none << s("initialTwin.propreties")
                                    << s("unknown field 'initialTwin.propreties'");
    QTest::newRow("caller fail") << QByteArray(R"({"symmetricKey":{"primaryKey":"bad"}})") << callerFail << none
                                 << s("symmetricKey.primaryKey") << s("field 'symmetricKey.primaryKey' must be base64");
}

void TestJsonReader::getters()
{
    QFETCH(QByteArray, json);
    QFETCH(ReadFn, read);
    QFETCH(QVariant, expected);
    QFETCH(QString, errorPath);
    QFETCH(QString, message);

    JsonReader reader(QJsonDocument::fromJson(json).object());
    const QVariant value = read(reader);
    if (errorPath.isEmpty()) {
        QVERIFY2(reader.ok(), qPrintable(reader.error().message));
        QCOMPARE(reader.error().code, ErrorCode::None);
        QCOMPARE(value, expected);
    } else {
        QVERIFY(!reader.ok());
        QCOMPARE(reader.errorPath(), errorPath);
        QCOMPARE(reader.error().code, ErrorCode::InvalidInput);
        QCOMPARE(reader.error().message, message);
    }
}

void TestJsonReader::firstErrorWins()
{
    JsonReader reader(obj(R"({"a":1,"b":2})"));
    reader.requiredString(QStringLiteral("a"));
    reader.requiredString(QStringLiteral("b"));
    reader.fail(QStringLiteral("c"), QStringLiteral("is wrong"));
    QCOMPARE(reader.errorPath(), s("a"));
    QCOMPARE(reader.error().message, s("field 'a' must be a string"));
    // Later getters still return their defaults rather than garbage.
    QCOMPARE(reader.optionalInt(QStringLiteral("b"), 5), qint64(2));
}

void TestJsonReader::childSharesErrorState()
{
    JsonReader root(obj(R"({"outer":{"inner":{"n":"x"}}})"));
    {
        JsonReader inner = root.child(QStringLiteral("outer")).child(QStringLiteral("inner"));
        QCOMPARE(inner.path(), s("outer.inner"));
        QCOMPARE(inner.fieldPath(QStringLiteral("n")), s("outer.inner.n"));
        QVERIFY(root.ok());
        inner.requiredInt(QStringLiteral("n"));
    }
    // The child is gone; the parent still knows.
    QVERIFY(!root.ok());
    QCOMPARE(root.errorPath(), s("outer.inner.n"));

    // A child with a path of its own, e.g. a reader started below the root.
    JsonReader sub(obj(R"({"x":1})"), QStringLiteral("registrationState"));
    sub.allowOnly({"y"});
    QCOMPARE(sub.error().message, s("unknown field 'registrationState.x'"));
}

void TestJsonReader::objectList()
{
    JsonReader ok(obj(R"({"items":[{"id":"a"},{"id":"b"}]})"));
    const QList<JsonReader> items = ok.optionalObjectList(QStringLiteral("items"));
    QCOMPARE(items.size(), 2);
    QCOMPARE(items.at(1).path(), s("items[1]"));

    JsonReader bad(obj(R"({"items":[{"id":"a"},{"id":3}]})"));
    QList<JsonReader> list = bad.optionalObjectList(QStringLiteral("items"));
    for (JsonReader &r : list)
        r.requiredString(QStringLiteral("id"));
    QCOMPARE(bad.error().message, s("field 'items[1].id' must be a string"));

    JsonReader notObjects(obj(R"({"items":[{}, 2]})"));
    QVERIFY(notObjects.optionalObjectList(QStringLiteral("items")).isEmpty());
    QCOMPARE(notObjects.error().message, s("field 'items[1]' must be an object"));
}

void TestJsonReader::allowOnlyOverloads()
{
    const QJsonObject json = obj(R"({"a":1,"b":2})");
    JsonReader byLatin1(json);
    byLatin1.allowOnly({QLatin1String("a"), QLatin1String("b")});
    QVERIFY(byLatin1.ok());

    JsonReader byList(json);
    byList.allowOnly(QStringList{s("a")});
    QCOMPARE(byList.error().message, s("unknown field 'b'"));
    QVERIFY(byList.has(QStringLiteral("a")));
    QVERIFY(!byList.has(QStringLiteral("z")));
}

void TestJsonReader::failWithoutField()
{
    JsonReader root(obj("{}"));
    root.fail(QString(), QStringLiteral("hashed allocation needs at least one hub"));
    QCOMPARE(root.error().message, s("hashed allocation needs at least one hub"));
    QCOMPARE(root.errorPath(), QString());

    JsonReader nested(obj("{}"), QStringLiteral("customAllocationDefinition"));
    nested.fail(QString(), QStringLiteral("is incomplete"));
    QCOMPARE(nested.error().message, s("field 'customAllocationDefinition' is incomplete"));
}

void TestJsonReader::timeutil_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("normalized"); // empty: rejected

    QTest::newRow("Z ms") << s("2024-05-01T12:00:00.000Z") << s("2024-05-01T12:00:00.000Z");
    QTest::newRow("Z no fraction") << s("2024-05-01T12:00:00Z") << s("2024-05-01T12:00:00.000Z");
    QTest::newRow("lower z") << s("2024-05-01T12:00:00z") << s("2024-05-01T12:00:00.000Z");
    QTest::newRow("one digit") << s("2024-05-01T12:00:00.5Z") << s("2024-05-01T12:00:00.500Z");
    QTest::newRow("seven digits") << s("2017-09-28T16:29:42.3447817Z") << s("2017-09-28T16:29:42.344Z");
    QTest::newRow("negative offset") << s("2024-05-01T07:30:00.250-04:30") << s("2024-05-01T12:00:00.250Z");
    QTest::newRow("offset across midnight") << s("2024-01-01T01:00:00+02:00") << s("2023-12-31T23:00:00.000Z");
    QTest::newRow("no zone") << s("2024-05-01T12:00:00.000") << QString();
    QTest::newRow("date only") << s("2024-05-01") << QString();
    QTest::newRow("space separator") << s("2024-05-01 12:00:00Z") << QString();
    QTest::newRow("bad month") << s("2024-13-01T12:00:00Z") << QString();
    QTest::newRow("bad hour") << s("2024-05-01T24:00:00Z") << QString();
    QTest::newRow("eight digits") << s("2024-05-01T12:00:00.12345678Z") << QString();
    QTest::newRow("bad offset") << s("2024-05-01T12:00:00+25:00") << QString();
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("dot without digits") << s("2024-05-01T12:00:00.Z") << QString();
    QTest::newRow("trailing text") << s("2024-05-01T12:00:00ZX") << QString();
    QTest::newRow("offset without colon") << s("2024-05-01T12:00:00+0200") << QString();
    QTest::newRow("offset too long") << s("2024-05-01T12:00:00+02:000") << QString();
    QTest::newRow("truncated") << s("2024-05-01T12:0") << QString();
    QTest::newRow("bad minute offset") << s("2024-05-01T12:00:00+02:60") << QString();
    QTest::newRow("february 30") << s("2024-02-30T12:00:00Z") << QString();
    QTest::newRow("leap day") << s("2024-02-29T23:59:59.999Z") << s("2024-02-29T23:59:59.999Z");
    // Non-ASCII digits (Arabic-Indic) are not digits of this format.
    QTest::newRow("non-ascii digits") << (QString(QChar(0x0662)) + s("024-05-01T12:00:00Z")) << QString();
    QTest::newRow("sign in a field") << s("2024-+5-01T12:00:00Z") << QString();
}

void TestJsonReader::timeutil()
{
    QFETCH(QString, text);
    QFETCH(QString, normalized);
    const auto parsed = fromIsoUtc(text);
    if (normalized.isEmpty()) {
        QVERIFY(!parsed);
        return;
    }
    QVERIFY(parsed);
    QCOMPARE(parsed->timeSpec(), Qt::UTC);
    QCOMPARE(toIsoUtc(*parsed), normalized);
}

void TestJsonReader::toIsoUtcFormat()
{
    const QDateTime utc(QDate(2024, 5, 1), QTime(12, 0, 0, 7), Qt::UTC);
    QCOMPARE(toIsoUtc(utc), s("2024-05-01T12:00:00.007Z"));
    const QDateTime offset(QDate(2024, 5, 1), QTime(14, 0), Qt::OffsetFromUTC, 7200);
    QCOMPARE(toIsoUtc(offset), s("2024-05-01T12:00:00.000Z"));
    QCOMPARE(toIsoUtc(QDateTime()), QString());
    QCOMPARE(toIsoUtc(QDateTime(QDate(999, 1, 2), QTime(3, 4, 5, 6), Qt::UTC)), s("0999-01-02T03:04:05.006Z"));

    // The hand-written formatter agrees with Qt's own over a wide spread of
    // instants (years 1970..2200, every millisecond position).
    quint64 x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 5000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const qint64 ms = qint64(x % 7258118400000ULL);
        const QDateTime dt = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
        QCOMPARE(toIsoUtc(dt), dt.toString(Qt::ISODateWithMs));
    }
}

void TestJsonReader::toIsoDateFormat_data()
{
    QTest::addColumn<QDate>("date");
    QTest::newRow("ordinary") << QDate(2026, 11, 20);
    QTest::newRow("single digits") << QDate(2024, 1, 2);
    QTest::newRow("leap day") << QDate(2024, 2, 29);
    QTest::newRow("year 1") << QDate(1, 12, 31);
    QTest::newRow("year 9999") << QDate(9999, 12, 31);
    QTest::newRow("year 10000") << QDate(10000, 1, 1);
    QTest::newRow("invalid") << QDate();
}

// The hand-written date is QDate's own ISO text, for every year.
void TestJsonReader::toIsoDateFormat()
{
    QFETCH(QDate, date);
    QCOMPARE(toIsoDate(date), date.isValid() ? date.toString(Qt::ISODate) : QString());
}

QTEST_GUILESS_MAIN(TestJsonReader)
#include "tst_jsonreader.moc"
