// SPDX-License-Identifier: Apache-2.0
// The kiosk end to end, as its user meets it: a real middleware and a real
// Mosquitto with Provisio's plugin, an inventory device with an enrollment
// created through the CRM API, and the kiosk's real QML window over a real
// DeviceController, with Qt Virtual Keyboard as provisio-kiosk runs it. The
// test taps and types through the UI only, and checks that whatever is being
// typed in stays above the on-screen keyboard: it mistypes
// the code, sends a well-formed but wrong one, types the right one, waits for
// the dashboard and checks the telemetry arrived at the middleware; then it
// resets the device from the settings screen. The activation code is typed
// on the kiosk's code keypad, one tap per character, and sent with its ↵ key
// as a person finishing the code would.
//
// PROVISIO_KIOSK_TEST_LANGUAGE=de runs it in German (for the screenshots);
// the assertions on English words are skipped then.
//
// With PROVISIO_KIOSK_SCREENSHOTS=DIR (and a real display, e.g. under Xvfb)
// each screen is also captured with ImageMagick's `import -window root` into
// DIR/kiosk-<screen>.png; scripts/kiosk-screenshots.sh does that.
#include "devicecontroller.h"
#include "hubfixture.h"
#include "kioskdevice.h"
#include "kiosklanguage.h"
#include "kioskui.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QInputMethod>
#include <QProcess>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

Q_IMPORT_QML_PLUGIN(Provisio_KioskPlugin)

using namespace Provisio;
using namespace Provisio::Kiosk;
using namespace Provisio::Test;

namespace {
const QString kHubHost = QStringLiteral("hub1.kiosk.test");
const QString kSerial = QStringLiteral("SN-KIOSK-1");
const QString kRegistrationId = QStringLiteral("sn-kiosk-1");
} // namespace

class TestKioskE2e : public QObject
{
    Q_OBJECT

private:
    DeviceFixture m_f;
    HubFixture m_hubs{m_f};
    QTemporaryDir m_work;
    QString m_code;
    std::unique_ptr<DeviceController> m_controller;
    std::unique_ptr<KioskDevice> m_device;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;

    QQuickItem *item(const char *name) { return kioskItem(m_window, name); }
    bool english() const { return KioskLanguage::instance()->current() == QLatin1String("en"); }
    bool screenShown(const char *name) { return isShown(item(name)); }

    void screenshot(const QString &screen)
    {
        const QString dir = qEnvironmentVariable("PROVISIO_KIOSK_SCREENSHOTS");
        if (dir.isEmpty())
            return;
        // Let the last state change reach the X server before capturing it:
        // two rendered frames, then a moment for the server to show them (only
        // in screenshot mode; the assertions never depend on it).
        QVERIFY(QTest::qWaitForWindowExposed(m_window));
        for (int frame = 0; frame < 2; ++frame) {
            QSignalSpy swapped(m_window, &QQuickWindow::frameSwapped);
            m_window->update();
            swapped.wait(2000);
        }
        QTest::qWait(300);
        // English as kiosk-<screen>.png, another language with its code.
        const QString suffix = english() ? QString() : QLatin1Char('-') + KioskLanguage::instance()->current();
        const QString file = QDir(dir).filePath(QStringLiteral("kiosk-%1%2.png").arg(screen, suffix));
        const int rc =
            QProcess::execute(QStringLiteral("import"), {QStringLiteral("-window"), QStringLiteral("root"), file});
        QVERIFY2(rc == 0, qPrintable(QStringLiteral("import failed for %1").arg(file)));
    }

    // The on-screen keyboard is up and the field (and whatever else the
    // person needs to see while typing, e.g. the field's message) is wholly
    // above it.
    void verifyTypingVisibly(const char *fieldName, std::initializer_list<const char *> alsoShown = {})
    {
        QQuickItem *panel = item("inputPanel");
        QVERIFY(panel);
        QTRY_VERIFY(panel->property("shown").toBool());
        // Geometry is only worth checking once the positioners have laid out
        // (just before a frame) and the page has scrolled (right after).
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QCoreApplication::processEvents();
        QTRY_VERIFY(item(fieldName)->hasActiveFocus());
        QVERIFY(keyboardTop(m_window) < m_window->height());
        QTRY_VERIFY2(isAboveKeyboard(m_window, item(fieldName)), fieldName);
        for (const char *name : alsoShown)
            QTRY_VERIFY2(isAboveKeyboard(m_window, item(name)), name);
    }

    // The code keypad is up, with no on-screen keyboard over it, and the
    // field, its message (and `alsoShown`) are wholly above it.
    void verifyKeypadTyping(std::initializer_list<const char *> alsoShown = {})
    {
        QQuickItem *keypad = item("codeKeypad");
        QVERIFY(keypad);
        QTRY_VERIFY(keypad->isVisible());
        QVERIFY(!item("inputPanel")->property("shown").toBool());
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QCoreApplication::processEvents();
        QTRY_VERIFY(item("codeField")->hasActiveFocus());
        const qreal top = keypad->mapToScene(QPointF(0, 0)).y();
        for (const char *name : std::initializer_list<const char *>{"codeField", "codeMessage"}) {
            QQuickItem *shown = item(name);
            QTRY_VERIFY2(shown->mapRectToScene(QRectF(0, 0, shown->width(), shown->height())).bottom() <= top, name);
        }
        for (const char *name : alsoShown) {
            QQuickItem *shown = item(name);
            QTRY_VERIFY2(shown->mapRectToScene(QRectF(0, 0, shown->width(), shown->height())).bottom() <= top, name);
        }
    }

    // Types `text` on the code keypad: one tap per code character (dashes
    // and spaces are not typed; the field adds the dashes). Returns the taps.
    int tapCode(const QString &text)
    {
        int taps = 0;
        for (const QChar c : text) {
            if (c == QLatin1Char('-') || c.isSpace())
                continue;
            const QByteArray name = "codeKey_" + QString(c.toUpper()).toUtf8();
            QQuickItem *key = item(name.constData());
            if (!key || !tap(m_window, key)) {
                qWarning("cannot tap the key %s", name.constData());
                return -1;
            }
            ++taps;
        }
        return taps;
    }

    void typeCode(const QString &text)
    {
        QQuickItem *field = item("codeField");
        QVERIFY(field);
        QTRY_VERIFY(field->hasActiveFocus());
        const int expected = int(QString(text).remove(QLatin1Char('-')).size());
        QCOMPARE(tapCode(text), expected);
        verifyKeypadTyping();
    }

    void clearCode()
    {
        QQuickItem *field = item("codeField");
        for (int i = 0; i < 17 && !field->property("text").toString().isEmpty(); ++i)
            QVERIFY(tap(m_window, item("codeKeyBackspace")));
        QCOMPARE(field->property("text").toString(), QString());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(KioskLanguage::instance()->setLanguage(
            qEnvironmentVariable("PROVISIO_KIOSK_TEST_LANGUAGE", QStringLiteral("en"))));
        QVERIFY2(QFileInfo::exists(QStringLiteral(PROVISIO_MOSQUITTO_BIN)), "mosquitto is not installed");
        QVERIFY(m_f.start());

        // The hub: linked through the admin API, configured by the real
        // `hub-config`, run by a real mosquitto with the plugin.
        QVERIFY2(m_hubs.linkHub(QStringLiteral("hub1"), kHubHost), qPrintable(m_hubs.lastError()));

        // The CRM side: the delivered device and its enrollment, whose answer
        // carries the one-time activation code.
        const auto enrolled = m_hubs.enroll(
            kSerial, kRegistrationId,
            QJsonObject{{QStringLiteral("initialTwin"),
                         QJsonObject{{QStringLiteral("properties"),
                                      QJsonObject{{QStringLiteral("desired"),
                                                   QJsonObject{{QStringLiteral("telemetryIntervalMs"), 300},
                                                               {QStringLiteral("mode"), QStringLiteral("lab")}}}}}}}},
            QStringLiteral("Kiosk 1"));
        QVERIFY2(enrolled.status == 201, qPrintable(m_hubs.lastError()));
        m_code = enrolled.activationCode;
        QCOMPARE(m_code.size(), 21);

        // The kiosk, as main() builds it.
        QFile ca(m_f.mw->caCertificatePath());
        QVERIFY(ca.open(QIODevice::ReadOnly));
        DeviceSettings settings;
        settings.dataDirectory = m_work.filePath(QStringLiteral("device"));
        settings.middlewareUrl = QUrl(m_f.mw->baseUrl());
        settings.middlewareCaPem = ca.readAll();
        settings.serial = kSerial;
        settings.telemetryIntervalMs = 1000;
        QVERIFY(QDir().mkpath(settings.dataDirectory));
        m_controller = std::make_unique<DeviceController>(settings);
        m_controller->setTelemetrySource(std::make_unique<SimulatedSensorsSource>(7u));
        m_device = std::make_unique<KioskDevice>(m_controller.get());
        KioskDevice::setInstance(m_device.get());
        m_controller->start();
        QCOMPARE(m_controller->state(), DeviceController::State::Unprovisioned);

        m_engine = std::make_unique<QQmlApplicationEngine>();
        m_engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
        m_engine->load(QUrl(QStringLiteral("qrc:/qt/qml/Provisio/Kiosk/Main.qml")));
        QCOMPARE(m_engine->rootObjects().size(), 1);
        m_window = qobject_cast<QQuickWindow *>(m_engine->rootObjects().constFirst());
        QVERIFY(m_window);
        QVERIFY(QTest::qWaitForWindowExposed(m_window));
        // Typing needs the focus: a kiosk's only window has it under eglfs,
        // but an X display without a window manager (screenshots) only
        // gives it when asked.
        m_window->requestActivate();
        QVERIFY(QTest::qWaitForWindowActive(m_window));
        QCOMPARE(m_window->size(), QSize(800, 480));
    }

    void cleanupTestCase()
    {
        m_engine.reset();
        if (m_controller) {
            QSignalSpy stopped(m_controller.get(), &DeviceController::stopped);
            m_controller->stop();
            stopped.wait(5000);
        }
        m_device.reset();
        m_controller.reset();
    }

    void welcomeShowsTheSerial()
    {
        QTRY_VERIFY(screenShown("welcomeScreen"));
        QCOMPARE(item("serialLabel")->property("text").toString(), kSerial);
        screenshot(QStringLiteral("welcome"));
        QVERIFY(tap(m_window, item("startButton")));
        QTRY_VERIFY(screenShown("keyEntryScreen"));
        QVERIFY(!screenShown("welcomeScreen"));
        // The screen opens ready to type: the code keypad up, the empty
        // field and its hint above it.
        verifyKeypadTyping();
        QCOMPARE(item("codeField")->property("text").toString(), QString());
        screenshot(QStringLiteral("keyentry"));
    }

    void mistypedCodeIsCaughtOnTheDevice()
    {
        // The right code with its first two characters swapped: the check
        // character catches it before anything is sent.
        QString wrong = m_code;
        std::swap(wrong[0], wrong[1]);
        if (wrong == m_code)
            wrong[0] = wrong[0] == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
        const QString typed = wrong.toLower().remove(QLatin1Char('-'));
        // Half of it first: grouped as it is typed.
        typeCode(typed.left(9));
        QCOMPARE(item("codeField")->property("text").toString(), wrong.left(11));
        if (english())
            QCOMPARE(item("codeMessage")->property("text").toString(), QStringLiteral("8 more characters to go."));
        screenshot(QStringLiteral("keyentry-typing"));
        typeCode(typed.mid(9));
        QCOMPARE(item("codeField")->property("text").toString(), wrong);
        QVERIFY(!item("activateButton")->isEnabled());
        if (english())
            QVERIFY(item("codeMessage")->property("text").toString().contains(QLatin1String("mistyped")));
        // ↵ cannot be tapped for a code that does not check out.
        QVERIFY(!tap(m_window, item("codeKeyEnter")));
        QTest::keyClick(m_window, Qt::Key_Return);
        QCOMPARE(m_controller->state(), DeviceController::State::Unprovisioned);
        screenshot(QStringLiteral("keyentry-mistyped"));
        clearCode();
    }

    void wrongCodeIsRefusedWithAClearMessage()
    {
        // Well formed, so the device sends it; the middleware does not know it.
        const QString unknown = QStringLiteral("0000-0000-0000-00AA-$");
        QVERIFY(unknown != m_code);
        typeCode(QStringLiteral("000000000000") + QStringLiteral("00aa$"));
        QCOMPARE(item("codeField")->property("text").toString(), unknown);
        QTRY_VERIFY(item("activateButton")->isEnabled());
        QVERIFY(tap(m_window, item("activateButton")));
        QTRY_VERIFY_WITH_TIMEOUT(m_controller->state() == DeviceController::State::Failed, 30000);
        QTRY_VERIFY(screenShown("progressScreen"));
        const QString message = item("errorMessage")->property("text").toString();
        // What the person reads: the device's own words for an unknown code.
        if (english())
            QCOMPARE(message, QStringLiteral("This activation code is not valid. Check it for typos, "
                                             "or ask your provider for a new one."));
        QCOMPARE(m_device->errorKind(), QStringLiteral("wrongCode"));
        // The first wrong code of five free ones: the screen says what is left.
        QCOMPARE(m_device->attemptsLeft(), 4);
        QCOMPARE(item("progressScreen")->property("attemptsLeft").toInt(), 4);
        if (english())
            QCOMPARE(item("nextStepMessage")->property("text").toString(),
                     QStringLiteral("Check the activation code on the card and type it again. "
                                    "4 more wrong codes before the device has to wait."));
        // The refused code is never offered to be sent again: the next step
        // is typing it again.
        QVERIFY(!isShown(item("retryButton")));
        QVERIFY(isShown(item("nextStepMessage")));
        screenshot(QStringLiteral("progress-failed"));

        QVERIFY(tap(m_window, item("editButton")));
        QTRY_VERIFY(screenShown("keyEntryScreen"));
        QCOMPARE(item("codeField")->property("text").toString(), QString());
        verifyKeypadTyping();
    }

    void lockoutCountsDownThenLetsThePersonTypeAgain()
    {
        // Four more wrong codes from this address (the kiosk's one above is
        // the first) use up the free attempts; the kiosk's next wrong code is
        // refused with 429 and a wait.
        // Typed first, sent right after the last free attempt is gone: the
        // first wait is only 2 s.
        const QString wrong = QStringLiteral("0000-0000-0000-00AA-$");
        typeCode(wrong);
        for (int i = 0; i < 4; ++i) {
            const auto refused = m_f.operatorClient->post(
                QStringLiteral("/api/v1/activation"),
                QJsonObject{{QStringLiteral("serial"), kSerial}, {QStringLiteral("code"), wrong}});
            QVERIFY2(refused.status == 401, refused.body.constData());
        }
        QVERIFY(tap(m_window, item("codeKeyEnter")));
        QTRY_VERIFY_WITH_TIMEOUT(m_controller->state() == DeviceController::State::Failed, 30000);
        QTRY_VERIFY(screenShown("progressScreen"));
        QCOMPARE(m_device->errorKind(), QStringLiteral("lockout"));
        QVERIFY(m_device->retryAfterSeconds() > 0);
        QQuickItem *progress = item("progressScreen");
        QVERIFY(progress->property("countdown").toInt() > 0);
        QVERIFY(!item("editButton")->isEnabled());
        QVERIFY(!isShown(item("retryButton")));
        QVERIFY(isShown(item("supportReference")));
        if (english()) {
            QVERIFY2(item("nextStepMessage")
                         ->property("text")
                         .toString()
                         .startsWith(QLatin1String("You can type the activation code again in ")),
                     qPrintable(item("nextStepMessage")->property("text").toString()));
            QVERIFY(item("supportReference")->property("text").toString().contains(kSerial));
        }
        screenshot(QStringLiteral("progress-lockout"));
        // The wait ends on screen; then typing again is open.
        QTRY_VERIFY_WITH_TIMEOUT(item("editButton")->isEnabled(), 70000);
        QCOMPARE(progress->property("countdown").toInt(), 0);
        QVERIFY(tap(m_window, item("editButton")));
        QTRY_VERIFY(screenShown("keyEntryScreen"));
        QCOMPARE(item("codeField")->property("text").toString(), QString());
        verifyKeypadTyping();
    }

    void fullKeyPathKeepsEveryFieldInView()
    {
        // Whatever the last attempt left (the refused code above): a key
        // refused on the device starts nothing new.
        const DeviceController::State stateBefore = m_controller->state();
        QTRY_VERIFY(item("fullKeyButton")->isVisible());
        QVERIFY(tap(m_window, item("fullKeyButton")));
        verifyTypingVisibly("scopeField");
        typeText(m_window, m_f.mw->idScope());
        QTest::keyClick(m_window, Qt::Key_Return);
        verifyTypingVisibly("registrationField");
        typeText(m_window, kRegistrationId);
        QTest::keyClick(m_window, Qt::Key_Return);
        // The key field is the lowest on the screen: the page scrolls it up.
        verifyTypingVisibly("keyField");
        typeText(m_window, QStringLiteral("bm90LWEta2V5"));
        QTest::keyClick(m_window, Qt::Key_Return);
        // Refused on the device (too short to be a key), said under the field.
        QTRY_VERIFY(isShown(item("fullKeyMessage")));
        verifyTypingVisibly("keyField", {"fullKeyMessage"});
        QCOMPARE(m_controller->state(), stateBefore);
        screenshot(QStringLiteral("keyentry-fullkey"));

        // The keyboard's own key puts it away; then the way back is in reach.
        QGuiApplication::inputMethod()->hide();
        QTRY_VERIFY(!item("inputPanel")->property("shown").toBool());
        QQuickItem *codeButton = item("codeButton");
        QTRY_VERIFY(isShown(codeButton));
        auto *page = item("keyEntryScreen");
        page->setProperty("contentY", qMax(0.0, page->property("contentHeight").toReal() - page->height()));
        QVERIFY(tap(m_window, codeButton));
        QTRY_VERIFY(isShown(item("codeField")));
        verifyKeypadTyping();
    }

    void rightCodeLeadsToTheDashboard()
    {
        QSignalSpy states(m_device.get(), &KioskDevice::stateChanged);
        // The code from the card, 17 characters in 17 taps: every character
        // of a new code is on the keypad's one page.
        QCOMPARE(tapCode(m_code), 17);
        QCOMPARE(item("codeField")->property("text").toString(), m_code);
        QTRY_VERIFY(item("activateButton")->isEnabled());
        // Complete: the Activate button is in reach above the keypad too.
        verifyKeypadTyping({"activateButton"});
        screenshot(QStringLiteral("keyentry-valid"));
        // Finished with ↵, as the person typing does.
        QVERIFY(tap(m_window, item("codeKeyEnter")));

        QTRY_VERIFY(screenShown("progressScreen"));
        QVERIFY(m_controller->state() != DeviceController::State::Unprovisioned);
        // The code is gone from the field: nothing can send it again.
        QCOMPARE(item("codeField")->property("text").toString(), QString());
        QVERIFY(!isShown(item("codeKeypad")));
        screenshot(QStringLiteral("progress"));
        QTRY_VERIFY_WITH_TIMEOUT(screenShown("successScreen"), 30000);
        QCOMPARE(m_controller->state(), DeviceController::State::Running);
        screenshot(QStringLiteral("success"));
        // A tap goes on at once (the screen also moves on by itself after a
        // few seconds, which a slow machine may have reached already).
        if (screenShown("successScreen"))
            QVERIFY(tap(m_window, item("continueButton")));
        QTRY_VERIFY(screenShown("dashboardScreen"));
        // A usable dashboard: no keypad or keyboard over it, the header
        // (and its long press into the settings) back, a second ↵ or
        // Return sends nothing.
        QVERIFY(!isShown(item("codeKeypad")));
        QVERIFY(!item("inputPanel")->property("shown").toBool());
        QVERIFY(isShown(item("logo")));
        QTest::keyClick(m_window, Qt::Key_Return);
        QCOMPARE(m_controller->state(), DeviceController::State::Running);
        QVERIFY(!states.isEmpty());
        // Every step the progress screen showed ended done.
        for (int i = 0; i < m_device->steps()->rowCount(); ++i)
            QCOMPARE(m_device->steps()->status(i), QStringLiteral("done"));
        QTRY_VERIFY(item("connectionLabel")->property("text").toString().contains(kHubHost));
    }

    void telemetryArrivesAtTheMiddleware()
    {
        const QString deviceId = m_controller->deviceId();
        QCOMPARE(deviceId, kRegistrationId);
        QTRY_VERIFY_WITH_TIMEOUT(m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/telemetry?limit=5").arg(deviceId))
                                         .json()
                                         .value(QStringLiteral("count"))
                                         .toInt() >= 3,
                                 30000);
        const QJsonObject telemetry =
            m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/telemetry?limit=1").arg(deviceId)).json();
        const QJsonObject body = telemetry.value(QStringLiteral("messages"))
                                     .toArray()
                                     .at(0)
                                     .toObject()
                                     .value(QStringLiteral("body"))
                                     .toObject();
        QVERIFY2(body.contains(QStringLiteral("temperature")), QJsonDocument(telemetry).toJson().constData());

        // The dashboard shows what the device sent and what it was told.
        QTRY_VERIFY(m_device->messagesSent() >= 3);
        QTRY_VERIFY(m_device->lastTelemetry().contains(QStringLiteral("temperature")));
        QTRY_COMPARE(m_device->desired().value(QStringLiteral("mode")).toString(), QStringLiteral("lab"));
        QTRY_COMPARE(m_device->telemetryIntervalMs(), 300);
        QTRY_COMPARE(item("dashboardScreen")->property("intervalMs").toInt(), 300);
        const auto registration = m_f.viewer->get(QStringLiteral("/api/v1/registrations/") + kRegistrationId).json();
        QCOMPARE(registration.value(QStringLiteral("assignedHub")).toString(), kHubHost);
        QTRY_COMPARE_WITH_TIMEOUT(m_f.viewer->get(QStringLiteral("/api/v1/registrations/") + kRegistrationId)
                                      .json()
                                      .value(QStringLiteral("deviceStatus"))
                                      .toString(),
                                  QStringLiteral("provisioned"), 15000);
        // Each value by name with its unit, and its trend.
        QTRY_VERIFY(isShown(item("value_temperature")));
        QTRY_VERIFY(isShown(item("value_pressure")));
        screenshot(QStringLiteral("dashboard"));
        // The counters and the back office's settings behind Details.
        QVERIFY(tap(m_window, item("detailsButton")));
        QTRY_VERIFY(isShown(item("closeDetailsButton")));
        QVERIFY(QQuickTest::qWaitForPolish(m_window)); // laid out, then tapped
        screenshot(QStringLiteral("dashboard-details"));
        QVERIFY(tap(m_window, item("closeDetailsButton")));
        QTRY_VERIFY(!isShown(item("closeDetailsButton")));
    }

    void settingsRejectABadAddressAndResetAfterConfirmation()
    {
        // The settings sit behind a long press on the logo.
        QQuickItem *logo = item("logo");
        QVERIFY(logo);
        const QPoint centre = logo->mapToScene(QPointF(logo->width() / 2, logo->height() / 2)).toPoint();
        QTest::mousePress(m_window, Qt::LeftButton, Qt::NoModifier, centre);
        QTRY_VERIFY_WITH_TIMEOUT(screenShown("settingsScreen"), 5000);
        QTest::mouseRelease(m_window, Qt::LeftButton, Qt::NoModifier, centre);

        const QUrl before = m_controller->settings().middlewareUrl;
        QQuickItem *url = item("urlField");
        QVERIFY(tap(m_window, url));
        verifyTypingVisibly("urlField");
        QTest::keyClick(m_window, Qt::Key_A, Qt::ControlModifier);
        typeText(m_window, QStringLiteral("http://insecure.example"));
        QVERIFY(tap(m_window, item("saveUrlButton")));
        QTRY_VERIFY(item("urlMessage")->property("text").toString().contains(QLatin1String("https://")));
        QCOMPARE(m_controller->settings().middlewareUrl, before);
        screenshot(QStringLiteral("settings"));
        // Save took the focus from the field, and the keyboard went with it.
        QTRY_VERIFY(!item("inputPanel")->property("shown").toBool());
        // About this device, at the foot of the settings.
        auto *settingsPage = item("settingsScreen");
        settingsPage->setProperty("contentY",
                                  qMax(0.0, settingsPage->property("contentHeight").toReal() - settingsPage->height()));
        QTRY_VERIFY(item("aboutHub")->property("text").toString().contains(kHubHost));
        screenshot(QStringLiteral("settings-about"));
        settingsPage->setProperty("contentY", 0);

        QVERIFY(tap(m_window, item("resetButton")));
        QTRY_VERIFY(isShown(item("confirmResetButton")));
        screenshot(QStringLiteral("settings-reset"));
        QVERIFY(tap(m_window, item("confirmResetButton")));
        QTRY_COMPARE(m_controller->state(), DeviceController::State::Unprovisioned);
        QTRY_VERIFY(screenShown("welcomeScreen"));
        QVERIFY(m_controller->deviceId().isEmpty());
    }

    void progressShowsTheLiveStepWhileTheHubIsDown()
    {
        // A fresh code for the reset device, and a hub that is not there yet:
        // the device registers, then keeps trying to connect, and the progress
        // screen says so until the hub is back.
        const auto issued = m_f.operatorClient->post(
            QStringLiteral("/api/v1/enrollments/%1/activation-code").arg(kRegistrationId), QJsonObject{});
        QVERIFY2(issued.status == 201, issued.body.constData());
        const QString code = issued.json().value(QStringLiteral("activationCode")).toString();
        m_hubs.broker(QStringLiteral("hub1"))->stop();

        QVERIFY(tap(m_window, item("startButton")));
        QTRY_VERIFY(screenShown("keyEntryScreen"));
        QCOMPARE(item("codeField")->property("text").toString(), QString()); // the reset cleared it
        typeCode(code);
        QVERIFY(tap(m_window, item("activateButton")));
        QTRY_VERIFY_WITH_TIMEOUT(
            m_device->steps()->status(int(DeviceController::Step::Connecting)) == QLatin1String("active"), 30000);
        QVERIFY(screenShown("progressScreen"));
        QVERIFY(isShown(item("cancelButton")));
        QCOMPARE(m_device->steps()->status(int(DeviceController::Step::Assigned)), QStringLiteral("done"));
        QVERIFY(m_device->steps()->detail(int(DeviceController::Step::Assigned)).contains(kHubHost));
        screenshot(QStringLiteral("progress"));

        QVERIFY2(m_hubs.restartBroker(QStringLiteral("hub1")), qPrintable(m_hubs.lastError()));
        QTRY_VERIFY_WITH_TIMEOUT(screenShown("dashboardScreen"), 60000);
        QCOMPARE(m_controller->state(), DeviceController::State::Running);
    }
};

int main(int argc, char *argv[])
{
    // As provisio-kiosk sets them up, before the application object: the
    // on-screen keyboard and the Basic style.
    qputenv("QT_IM_MODULE", QByteArrayLiteral("qtvirtualkeyboard"));
    QQuickStyle::setStyle(QStringLiteral("Basic"));
    QGuiApplication app(argc, argv);
    TestKioskE2e test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_kiosk_e2e.moc"
