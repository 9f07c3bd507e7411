// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "support/rawhttpsconnection.h"

#include <QByteArray>
#include <QString>
#include <QTextStream>

#include <vector>

// What every benchmark program prints with and measures by.
namespace Provisio::Bench {

// The program's stdout and stderr.
QTextStream &out();
QTextStream &err();

// Nearest-rank percentile of sorted nanosecond values, in milliseconds.
double percentileMs(const std::vector<qint64> &sorted, double p);

// v with `decimals` places after the point.
QString fixed(double v, int decimals = 1);

// The 1, 5 and 15 minute load averages ("n/a" when unknown): other work on
// the machine skews every figure, so the output says how busy it was.
QString loadAverage();
// The CPU model, its count and the memory, for the record of a figure.
QString machine();

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
