// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QSet>
#include <QString>
#include <QTest>

namespace Provisio::Test {

// Every process a test starts must be gone when the test ends: a middleware
// or broker left running holds ports, files and databases, and makes the next
// run pass or fail for the wrong reason. The watch makes the test process a
// child subreaper, so even a grandchild whose parent died is re-parented here
// and seen; it finds live children in /proc.
//
// Per test function: begin() in init(), verify() in cleanup() (fails the
// function and kills what outlived it). Per run: PROVISIO_TEST_MAIN /
// PROVISIO_TEST_GUILESS_MAIN check after the test object is destroyed that
// no child is left at all, and make the run fail otherwise.
class ChildProcessWatch
{
public:
    struct Child
    {
        qint64 pid = 0;
        QString commandLine;
    };

    // Live (not zombie) children of this process.
    static QList<Child> liveChildren();
    // Orphaned descendants become this process's children (Linux
    // PR_SET_CHILD_SUBREAPER); false where the kernel does not allow it.
    static bool adoptOrphans();
    // SIGKILLs `children` and waits briefly for each to go.
    static void killAll(const QList<Child> &children);
    static QString describe(const QList<Child> &children);

    // Children alive now are the suite's own (started in initTestCase).
    void begin();
    // Children started since begin() that are still alive: killed, and
    // returned (empty when the test cleaned up after itself).
    QList<Child> outlived(int graceMs = 2000);
    // For cleanup(): QFAIL when a child outlived the test function.
    void verify();

    // After the test object is gone: every child left is reported on stderr
    // and killed; returns the exit code to use (non-zero if any was left).
    static int finishRun(int testExitCode);

private:
    QSet<qint64> m_before;
};

} // namespace Provisio::Test

#define PROVISIO_TEST_MAIN_WRAPPER(TestObject, ...) \
    int main(int argc, char *argv[]) \
    { \
        ::Provisio::Test::ChildProcessWatch::adoptOrphans(); \
        const int provisioTestResult = [&]() -> int { \
            QT_PREPEND_NAMESPACE(QTest::Internal::callInitMain)<TestObject>(); \
            __VA_ARGS__ \
            TestObject tc; \
            QTEST_SET_MAIN_SOURCE_PATH \
            return QTest::qExec(&tc, argc, argv); \
        }(); \
        return ::Provisio::Test::ChildProcessWatch::finishRun(provisioTestResult); \
    }

// QTEST_MAIN / QTEST_GUILESS_MAIN that also fail the run when a process the
// suite started outlives it.
#define PROVISIO_TEST_MAIN(TestObject) PROVISIO_TEST_MAIN_WRAPPER(TestObject, QTEST_MAIN_SETUP())
#define PROVISIO_TEST_GUILESS_MAIN(TestObject) \
    PROVISIO_TEST_MAIN_WRAPPER(TestObject, QTEST_QAPP_SETUP(QCoreApplication))
