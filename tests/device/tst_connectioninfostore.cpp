// SPDX-License-Identifier: Apache-2.0
// ConnectionInfoStore on a real file system: round trip, owner-only
// permissions, a clear error for a damaged file, atomic replacement.
#include "connectioninfostore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio::Kiosk;

class TestConnectionInfoStore : public QObject
{
    Q_OBJECT

private:
    static ConnectionInfo sample(const QString &deviceId)
    {
        ConnectionInfo info;
        info.idScope = QStringLiteral("0ne0000ABCD");
        info.registrationId = deviceId;
        info.deviceId = deviceId;
        info.assignedHub = QStringLiteral("hub1.test");
        info.hubEndpoint = QStringLiteral("hub1.test:8883");
        info.hubDeviceKey = QStringLiteral("c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0xMjM0NTY=");
        info.caCertificate = QStringLiteral("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        info.provisionedAt = QDateTime(QDate(2026, 11, 26), QTime(10, 0, 0, 123), Qt::UTC);
        return info;
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void loadWithoutFileIsEmpty()
    {
        QTemporaryDir tmp;
        ConnectionInfoStore store(tmp.filePath(QStringLiteral("kiosk")));
        const auto loaded = store.load();
        QVERIFY2(loaded.ok(), qPrintable(loaded.error().message));
        QVERIFY(!loaded->has_value());
    }

    void roundTripWithOwnerOnlyPermissions()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("state/kiosk"));
        ConnectionInfoStore store(dir);
        const ConnectionInfo info = sample(QStringLiteral("sn-1"));
        const auto saved = store.save(info);
        QVERIFY2(saved.ok(), qPrintable(saved.error().message));

        const auto loaded = store.load();
        QVERIFY2(loaded.ok(), qPrintable(loaded.error().message));
        QVERIFY(loaded->has_value());
        QCOMPARE(loaded->value(), info);

        const auto filePerms = QFileInfo(store.filePath()).permissions();
        QCOMPARE(filePerms &
                     (QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::WriteGroup |
                      QFile::ExeGroup | QFile::ReadOther | QFile::WriteOther | QFile::ExeOther),
                 QFile::ReadOwner | QFile::WriteOwner);
        const auto dirPerms = QFileInfo(dir).permissions();
        QCOMPARE(dirPerms &
                     (QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::WriteGroup |
                      QFile::ExeGroup | QFile::ReadOther | QFile::WriteOther | QFile::ExeOther),
                 QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    void corruptFileGivesClearError_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("truncated") << QByteArray("{\"idScope\":\"0ne") << QStringLiteral("corrupt");
        QTest::newRow("array") << QByteArray("[]") << QStringLiteral("corrupt");
        QTest::newRow("missing key") << QByteArray("{\"idScope\":\"x\",\"registrationId\":\"r\",\"deviceId\":\"d\","
                                                   "\"assignedHub\":\"h\",\"hubEndpoint\":\"h:1\"}")
                                     << QStringLiteral("hubDeviceKey");
    }
    void corruptFileGivesClearError()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir tmp;
        ConnectionInfoStore store(tmp.path());
        QFile file(store.filePath());
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
        file.close();

        const auto loaded = store.load();
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().message.contains(store.filePath()), qPrintable(loaded.error().message));
        QVERIFY2(loaded.error().message.contains(expected), qPrintable(loaded.error().message));
    }

    void saveReplacesAtomically()
    {
        QTemporaryDir tmp;
        ConnectionInfoStore store(tmp.path());
        QVERIFY(store.save(sample(QStringLiteral("old-device"))).ok());

        // A reader that opened the file before the replacement keeps the
        // complete old content: the new file is renamed into place, the old
        // one is never truncated or rewritten in place.
        QFile reader(store.filePath());
        QVERIFY(reader.open(QIODevice::ReadOnly));

        QVERIFY(store.save(sample(QStringLiteral("new-device"))).ok());

        const QJsonObject oldJson = QJsonDocument::fromJson(reader.readAll()).object();
        QCOMPARE(oldJson.value(QStringLiteral("deviceId")).toString(), QStringLiteral("old-device"));
        const auto loaded = store.load();
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->value().deviceId, QStringLiteral("new-device"));
        // No temporary file is left behind.
        QCOMPARE(QDir(tmp.path()).entryList(QDir::Files | QDir::Hidden),
                 QStringList{QStringLiteral("connection.json")});
    }

    void clearRemovesTheConnection()
    {
        QTemporaryDir tmp;
        ConnectionInfoStore store(tmp.path());
        QVERIFY(store.clear().ok()); // nothing stored: still fine
        QVERIFY(store.save(sample(QStringLiteral("sn-1"))).ok());
        QVERIFY(store.clear().ok());
        QVERIFY(!QFile::exists(store.filePath()));
        const auto loaded = store.load();
        QVERIFY(loaded.ok());
        QVERIFY(!loaded->has_value());
    }
};

QTEST_GUILESS_MAIN(TestConnectionInfoStore)
#include "tst_connectioninfostore.moc"
