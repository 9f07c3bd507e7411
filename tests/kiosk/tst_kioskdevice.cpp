// SPDX-License-Identifier: Apache-2.0
// The kiosk's QML-facing C++: the ActivationCode typing aid, the steps model
// and the Device singleton over a real DeviceController (on a temporary data
// directory; nothing here needs the network). Bad input from a screen must
// get a plain message and change nothing.
#include "activationcodeinput.h"
#include "devicecontroller.h"
#include "kioskdevice.h"
#include "steplistmodel.h"

#include "crypto/activationcode.h"

#include <QAbstractItemModelTester>
#include <QGuiApplication>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(Provisio_KioskPlugin)

using namespace Provisio;
using namespace Provisio::Kiosk;

class TestKioskDevice : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    DeviceSettings settings(const QString &sub) const
    {
        DeviceSettings s;
        s.dataDirectory = m_dir.filePath(sub);
        s.middlewareUrl = QUrl(QStringLiteral("https://127.0.0.1:1"));
        s.serial = QStringLiteral("SN-UNIT-1");
        return s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
    }

    void formatsAsTyped_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("formatted");
        QTest::addColumn<bool>("complete");
        QTest::addColumn<bool>("valid");
        QTest::newRow("empty") << QString() << QString() << false << false;
        QTest::newRow("group") << QStringLiteral("abcd") << QStringLiteral("ABCD") << false << false;
        QTest::newRow("dash appears") << QStringLiteral("abcde") << QStringLiteral("ABCD-E") << false << false;
        QTest::newRow("aliases") << QStringLiteral("ilo") << QStringLiteral("110") << false << false;
        QTest::newRow("U only as check") << QStringLiteral("uAuB") << QStringLiteral("AB") << false << false;
        QTest::newRow("punctuation") << QStringLiteral("98-ES 67.WC") << QStringLiteral("98ES-67WC") << false << false;
        QTest::newRow("valid") << QStringLiteral("98ES67WCEWATZJSGG") << QStringLiteral("98ES-67WC-EWAT-ZJSG-G") << true
                               << true;
        QTest::newRow("wrong check") << QStringLiteral("98ES67WCEWATZJSGH") << QStringLiteral("98ES-67WC-EWAT-ZJSG-H")
                                     << true << false;
        QTest::newRow("check-only symbol")
            << QStringLiteral("00000000000000aa$") << QStringLiteral("0000-0000-0000-00AA-$") << true << true;
        QTest::newRow("too long") << QStringLiteral("98ES67WCEWATZJSGGZZZ") << QStringLiteral("98ES-67WC-EWAT-ZJSG-G")
                                  << true << true;
    }
    void formatsAsTyped()
    {
        QFETCH(QString, typed);
        QFETCH(QString, formatted);
        QFETCH(bool, complete);
        QFETCH(bool, valid);
        ActivationCodeInput input;
        QCOMPARE(input.format(typed), formatted);
        QCOMPARE(input.isComplete(typed), complete);
        QCOMPARE(input.isValid(typed), valid);
        QCOMPARE(input.problem(typed).isEmpty(), !complete || valid);
        // Whatever the field shows is what the device would accept.
        if (valid)
            QCOMPARE(ActivationCode::parse(formatted).value(), input.normalize(typed));
    }

    void generatedCodesAreAccepted()
    {
        ActivationCodeInput input;
        for (int i = 0; i < 200; ++i) {
            const QString code = ActivationCode::generate();
            QVERIFY2(input.isValid(code.toLower()), qPrintable(code));
            QCOMPARE(input.format(code), ActivationCode::format(code));
        }
    }

    void cursorFollowsTheCharacters_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("cursor");
        QTest::addColumn<int>("expected");
        QTest::newRow("start") << QStringLiteral("ABCD") << 0 << 0;
        QTest::newRow("end of group") << QStringLiteral("ABCD") << 4 << 4;
        QTest::newRow("after dash") << QStringLiteral("ABCDE") << 5 << 6;
        QTest::newRow("inserted") << QStringLiteral("98XES-67") << 3 << 3;
        QTest::newRow("across groups") << QStringLiteral("ABCD-EFGHX-IJ") << 10 << 11;
        QTest::newRow("past the end") << QStringLiteral("AB") << 9 << 2;
        QTest::newRow("full") << QStringLiteral("98ES67WCEWATZJSGG") << 17 << 21;
    }
    void cursorFollowsTheCharacters()
    {
        QFETCH(QString, text);
        QFETCH(int, cursor);
        QFETCH(int, expected);
        QCOMPARE(ActivationCodeInput().formattedCursor(text, cursor), expected);
    }

    void stepModel()
    {
        StepListModel model({QStringLiteral("one"), QStringLiteral("two")});
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.status(0), QStringLiteral("pending"));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setStep(1, QStringLiteral("active"), QStringLiteral("working"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
        QCOMPARE(model.data(model.index(1), StepListModel::DetailRole).toString(), QStringLiteral("working"));
        model.setStep(1, QStringLiteral("active"), QStringLiteral("working"));
        QCOMPARE(changed.count(), 1); // no change, no signal
        model.setStep(5, QStringLiteral("done"), {});
        QCOMPARE(changed.count(), 1); // out of range: ignored
        model.clear();
        QCOMPARE(model.status(1), QStringLiteral("pending"));
        QCOMPARE(model.detail(1), QString());
    }

    void badInputChangesNothing()
    {
        DeviceController controller(settings(QStringLiteral("bad-input")));
        KioskDevice device(&controller);
        QAbstractItemModelTester tester(device.steps(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        controller.start();
        QCOMPARE(device.state(), KioskDevice::Unprovisioned);
        QCOMPARE(device.serial(), QStringLiteral("SN-UNIT-1"));
        QCOMPARE(device.steps()->rowCount(), 5);

        QSignalSpy states(&controller, &DeviceController::stateChanged);
        QVERIFY(!device.activate(QStringLiteral("98ES-67WC-EWAT-ZJSG-H")));
        QVERIFY(!device.errorMessage().isEmpty());
        QVERIFY(!device.activate(QStringLiteral("98ES")));
        QVERIFY(!device.canRetry());
        QVERIFY(!device.retry());

        QVERIFY(
            device.provisionWithKey({}, QStringLiteral("a"), QStringLiteral("a")).contains(QLatin1String("ID scope")));
        QVERIFY(!device.provisionWithKey(QStringLiteral("0ne 00"), QStringLiteral("a"), QStringLiteral("a")).isEmpty());
        QVERIFY(device.provisionWithKey(QStringLiteral("0ne00"), QStringLiteral("bad/id"), QStringLiteral("a"))
                    .contains(QLatin1String("registration ID")));
        QVERIFY(device.provisionWithKey(QStringLiteral("0ne00"), QStringLiteral("sn-1"), QStringLiteral("not base64!"))
                    .contains(QLatin1String("key")));
        QVERIFY(!device.provisionWithKey(QStringLiteral("0ne00"), QStringLiteral("sn-1"), QStringLiteral("c2hvcnQ="))
                     .isEmpty()); // 5 bytes: too short to be a key
        QCOMPARE(controller.state(), DeviceController::State::Unprovisioned);
        QVERIFY(states.isEmpty());

        QSignalSpy urlChanged(&device, &KioskDevice::middlewareUrlChanged);
        const QUrl before = controller.settings().middlewareUrl;
        for (const QString &bad : {QString(), QStringLiteral("http://mw.example"), QStringLiteral("mw.example:8443"),
                                   QStringLiteral("https://"), QStringLiteral("https://mw.example/api"),
                                   QStringLiteral("https://user@mw.example")}) {
            QVERIFY2(!device.setMiddlewareUrl(bad).isEmpty(), qPrintable(bad));
            QCOMPARE(controller.settings().middlewareUrl, before);
        }
        QVERIFY(urlChanged.isEmpty());
    }

    void middlewareUrlIsKept()
    {
        {
            DeviceController controller(settings(QStringLiteral("url")));
            KioskDevice device(&controller);
            controller.start();
            QSignalSpy urlChanged(&device, &KioskDevice::middlewareUrlChanged);
            QCOMPARE(device.setMiddlewareUrl(QStringLiteral(" https://mw.example:9443/ ")), QString());
            QCOMPARE(urlChanged.count(), 1);
            QCOMPARE(device.middlewareUrl(), QStringLiteral("https://mw.example:9443"));
        }
        // The next start of the program uses it.
        DeviceController controller(settings(QStringLiteral("url")));
        KioskDevice device(&controller);
        controller.start();
        QCOMPARE(device.middlewareUrl(), QStringLiteral("https://mw.example:9443"));
    }

    void startingWithAFullKeyShowsProgressAndAFailure()
    {
        // Nobody listens on port 1: the attempt fails, and the failure reaches
        // the properties the progress screen shows.
        DeviceSettings s = settings(QStringLiteral("unreachable"));
        s.provisioningTimeoutMs = 10000;
        DeviceController controller(s);
        KioskDevice device(&controller);
        controller.start();
        QSignalSpy failed(&device, &KioskDevice::failed);
        QSignalSpy stateChanged(&device, &KioskDevice::stateChanged);
        QCOMPARE(device.provisionWithKey(QStringLiteral("0ne00AB12"), QStringLiteral("sn-1"),
                                         QString::fromLatin1(QByteArray(32, 'k').toBase64())),
                 QString());
        QVERIFY(device.canRetry());
        QVERIFY(stateChanged.count() >= 1);
        QVERIFY(failed.wait(15000));
        QTRY_COMPARE(device.state(), KioskDevice::Failed);
        QVERIFY(!device.errorMessage().isEmpty());
        QCOMPARE(failed.at(0).at(0).toString(), device.errorMessage());
        bool anyFailed = false;
        for (int i = 0; i < device.steps()->rowCount(); ++i)
            anyFailed = anyFailed || device.steps()->status(i) == QLatin1String("failed");
        QVERIFY(anyFailed);
        // "Try again" runs the same attempt again.
        QVERIFY(device.retry());
        QTRY_COMPARE(device.state(), KioskDevice::Provisioning);
        QVERIFY(device.errorMessage().isEmpty());
        device.cancel();
        QTRY_COMPARE(device.state(), KioskDevice::Unprovisioned);
    }

    void anUnreachableServiceIsAnOutageAndACodeGoesOutOnce()
    {
        DeviceSettings s = settings(QStringLiteral("outage"));
        s.provisioningTimeoutMs = 10000;
        DeviceController controller(s);
        KioskDevice device(&controller);
        controller.start();
        QSignalSpy failed(&device, &KioskDevice::failed);
        QVERIFY(device.activate(QStringLiteral("98ES-67WC-EWAT-ZJSG-G")));
        QCOMPARE(device.state(), KioskDevice::Provisioning);
        // A second ↵ while the first is on its way changes nothing.
        QVERIFY(device.activate(QStringLiteral("98ES-67WC-EWAT-ZJSG-G")));
        QVERIFY(failed.wait(15000));
        QCOMPARE(failed.count(), 1);
        QCOMPARE(device.state(), KioskDevice::Failed);
        QCOMPARE(device.errorKind(), QStringLiteral("outage"));
        QCOMPARE(device.retryAfterSeconds(), -1);
        QVERIFY(device.trackingId().isEmpty());
        // The next attempt starts clean: no kind until it fails again.
        QVERIFY(device.retry());
        QCOMPARE(device.errorKind(), QString());
        QVERIFY(failed.wait(15000));
        QCOMPARE(device.errorKind(), QStringLiteral("outage"));
        // A malformed code is refused on the device and is no such failure.
        device.reset();
        QVERIFY(!device.activate(QStringLiteral("98ES-67WC-EWAT-ZJSG-H")));
        QCOMPARE(device.state(), KioskDevice::Unprovisioned);
    }

    void singletonsReachQml()
    {
        DeviceController controller(settings(QStringLiteral("qml")));
        KioskDevice device(&controller);
        controller.start();
        KioskDevice::setInstance(&device);
        QQmlEngine engine;
        engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
        QQmlComponent component(&engine);
        component.setData("import QtQml\nimport Provisio.Kiosk\nQtObject {\n"
                          "  property string serial: Device.serial\n"
                          "  property bool unprovisioned: Device.state === Device.Unprovisioned\n"
                          "  property int steps: Device.steps.count\n"
                          "  property string grouped: ActivationCode.format('98es67wce')\n"
                          "}\n",
                          QUrl());
        std::unique_ptr<QObject> object(component.create());
        QVERIFY2(object, qPrintable(component.errorString()));
        QCOMPARE(object->property("serial").toString(), QStringLiteral("SN-UNIT-1"));
        QCOMPARE(object->property("unprovisioned").toBool(), true);
        QCOMPARE(object->property("steps").toInt(), 5);
        QCOMPARE(object->property("grouped").toString(), QStringLiteral("98ES-67WC-E"));
        object.reset();
        KioskDevice::setInstance(nullptr);
    }
};

QTEST_MAIN(TestKioskDevice)
#include "tst_kioskdevice.moc"
