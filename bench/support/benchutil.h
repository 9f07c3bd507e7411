// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "support/rawhttpsconnection.h"

#include <QByteArray>
#include <QString>
#include <QTextStream>

#include <functional>
#include <vector>

// What every benchmark program prints with and measures by.
namespace Provisio::Bench {

// The program's stdout and stderr.
QTextStream &out();
QTextStream &err();

// Nearest-rank percentile of sorted nanosecond values, in milliseconds.
double percentileMs(const std::vector<qint64> &sorted, double p);

// Nearest-rank percentile p (0 to 100) of unsorted values; -1 when empty.
double percentile(std::vector<double> values, double p);

// Runs the event loop until cond() holds; false after timeoutMs. It sleeps
// between events: processEvents() with a time limit returns at once when
// nothing is pending, and spinning on it took one of a 2-CPU machine's
// cores from the middleware being measured. A ticker only bounds how late
// the deadline is noticed.
bool spinUntil(const std::function<bool()> &cond, int timeoutMs);

// v with `decimals` places after the point.
QString fixed(double v, int decimals = 1);

// The 1, 5 and 15 minute load averages ("n/a" when unknown): other work on
// the machine skews every figure, so the output says how busy it was.
QString loadAverage();
// The CPU model, its count and the memory, for the record of a figure.
QString machine();

// Waits until the machine is quiet before a timed pass: after a setup the
// servers still store, checkpoint and publish what it left, and the kernel
// writes its pages back; a pass timed meanwhile would share the cores with
// that work (a yardstick measured then comes out low). Syncs the dirty
// pages first, then waits for two quarter seconds in a row with the
// machine's CPUs below 4 % of a core busy, this process included; a minute
// at most, saying on stderr when it took over 0.6 s (`before`: what waits).
void waitUntilQuiet(const char *before);

// One setup request's answer.
struct Answer
{
    int status = 0;
    QByteArray body;
    QString transportError;
};

// One request on its own connection, for the handful of setup calls.
Answer request(const Endpoint &endpoint, const QByteArray &method, const QByteArray &target, const QString &bearer,
               const QByteArray &body = {});

} // namespace Provisio::Bench
