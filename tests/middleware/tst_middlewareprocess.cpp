// SPDX-License-Identifier: Apache-2.0
//
// The test harness's own promise about signals: a test stops, resumes or
// kills its middleware and nothing else. `ctest -j` starts every test in
// ctest's process group, and the middlewares they start inherit it; a
// signal sent to "the middleware's pid" while none runs is kill(0, ...),
// which reaches all of them. That once resumed another test's middleware in
// the middle of its stall (tst_backpressure_burst: the hub, correctly, let
// devices in again as the resumed middleware confirmed their messages, and
// the test blamed the hub's credit window).

#include "childprocesswatch.h"
#include "middlewareprocess.h"

#include <QProcess>
#include <QScopeGuard>
#include <QTest>

#include <csignal>

using namespace Provisio::Test;

class TestMiddlewareProcess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signalsReachItsOwnProcessOnly();
};

void TestMiddlewareProcess::signalsReachItsOwnProcessOnly()
{
    // A neighbour in this process group, stopped, as another test's
    // middleware is during its stall.
    QProcess neighbour;
    neighbour.start(QStringLiteral("sleep"), {QStringLiteral("60")});
    QVERIFY(neighbour.waitForStarted());
    const auto reap = qScopeGuard([&neighbour] {
        ::kill(pid_t(neighbour.processId()), SIGKILL);
        neighbour.waitForFinished(5000);
    });
    QVERIFY(neighbour.processId() > 0);
    QCOMPARE(::kill(pid_t(neighbour.processId()), SIGSTOP), 0);
    QTRY_VERIFY(processIsStopped(neighbour.processId()));

    MiddlewareProcess mw;
    // Not started: nothing to signal, and nothing is sent (kill(0, SIGCONT)
    // would resume the neighbour).
    QCOMPARE(mw.processId(), 0);
    const bool sent = mw.sendSignal(SIGCONT);
    QTest::qWait(200);
    QVERIFY2(processIsStopped(neighbour.processId()), "a signal meant for the middleware resumed its neighbour");
    QVERIFY(!sent);
    QVERIFY(!mw.isStopped());

    QVERIFY2(mw.start(), qPrintable(mw.lastError()));
    QVERIFY(mw.sendSignal(SIGSTOP));
    QTRY_VERIFY(mw.isStopped());
    QVERIFY(mw.sendSignal(SIGCONT));
    QTRY_VERIFY(!mw.isStopped());
    QVERIFY(mw.sendSignal(SIGKILL));
    mw.stop(); // reaps it
    QCOMPARE(mw.exitStatus(), QProcess::CrashExit);
    // Gone: a resume "in case it was stopped" reaches no one.
    QVERIFY(!mw.sendSignal(SIGCONT));

    QTest::qWait(200);
    QVERIFY2(processIsStopped(neighbour.processId()), "a signal meant for the middleware resumed its neighbour");
}

PROVISIO_TEST_GUILESS_MAIN(TestMiddlewareProcess)
#include "tst_middlewareprocess.moc"
