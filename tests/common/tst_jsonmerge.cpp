// SPDX-License-Identifier: Apache-2.0
// jsonMergePatch: every PATCH of a record and the enrollment twin patch go
// through it, so it is pinned to RFC 7396's own examples (Appendix A, those
// with an object on both sides) plus the cases the API relies on.
#include "protocol/jsonmerge.h"

#include <QJsonDocument>
#include <QTest>

using namespace Provisio;

namespace {
QJsonObject obj(const char *json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(json), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qFatal("bad test JSON: %s", json);
    return doc.object();
}
} // namespace

class TestJsonMerge : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rfc7396_data();
    void rfc7396();
    void targetIsNotModified();
};

void TestJsonMerge::rfc7396_data()
{
    QTest::addColumn<QJsonObject>("target");
    QTest::addColumn<QJsonObject>("patch");
    QTest::addColumn<QJsonObject>("expected");
    QTest::newRow("replace") << obj(R"({"a":"b"})") << obj(R"({"a":"c"})") << obj(R"({"a":"c"})");
    QTest::newRow("add") << obj(R"({"a":"b"})") << obj(R"({"b":"c"})") << obj(R"({"a":"b","b":"c"})");
    QTest::newRow("remove") << obj(R"({"a":"b"})") << obj(R"({"a":null})") << obj(R"({})");
    QTest::newRow("remove one of two") << obj(R"({"a":"b","b":"c"})") << obj(R"({"a":null})") << obj(R"({"b":"c"})");
    QTest::newRow("scalar replaces array") << obj(R"({"a":["b"]})") << obj(R"({"a":"c"})") << obj(R"({"a":"c"})");
    QTest::newRow("array replaces scalar") << obj(R"({"a":"c"})") << obj(R"({"a":["b"]})") << obj(R"({"a":["b"]})");
    QTest::newRow("nested merge") << obj(R"({"a":{"b":"c"}})") << obj(R"({"a":{"b":"d","c":null}})")
                                  << obj(R"({"a":{"b":"d"}})");
    QTest::newRow("arrays are not merged") << obj(R"({"a":[{"b":"c"}]})") << obj(R"({"a":[1]})") << obj(R"({"a":[1]})");
    QTest::newRow("null in target is kept") << obj(R"({"e":null})") << obj(R"({"a":1})") << obj(R"({"e":null,"a":1})");
    QTest::newRow("nulls inside a new object dropped")
        << obj(R"({})") << obj(R"({"a":{"bb":{"ccc":null}}})") << obj(R"({"a":{"bb":{}}})");
    QTest::newRow("object over scalar") << obj(R"({"a":"foo"})") << obj(R"({"a":{"b":"c","d":null}})")
                                        << obj(R"({"a":{"b":"c"}})");
    QTest::newRow("empty patch") << obj(R"({"a":1,"b":{"c":2}})") << obj(R"({})") << obj(R"({"a":1,"b":{"c":2}})");
    QTest::newRow("removing what is absent") << obj(R"({"a":1})") << obj(R"({"x":null})") << obj(R"({"a":1})");
    QTest::newRow("deep") << obj(R"({"p":{"desired":{"$version":3,"interval":10,"mode":"eco"}}})")
                          << obj(R"({"p":{"desired":{"interval":null,"mode":"fast"}}})")
                          << obj(R"({"p":{"desired":{"$version":3,"mode":"fast"}}})");
}

void TestJsonMerge::rfc7396()
{
    QFETCH(QJsonObject, target);
    QFETCH(QJsonObject, patch);
    QFETCH(QJsonObject, expected);
    QCOMPARE(jsonMergePatch(target, patch), expected);
}

void TestJsonMerge::targetIsNotModified()
{
    const QJsonObject target = obj(R"({"a":{"b":1},"c":2})");
    const QJsonObject copy = target;
    const QJsonObject merged = jsonMergePatch(target, obj(R"({"a":{"b":null},"c":null})"));
    QCOMPARE(merged, obj(R"({"a":{}})"));
    QCOMPARE(target, copy);
}

QTEST_GUILESS_MAIN(TestJsonMerge)
#include "tst_jsonmerge.moc"
