// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

class QSocketNotifier;

namespace Provisio {

// SIGTERM and SIGINT as a Qt signal. A POSIX handler may only do
// async-signal-safe work, so it writes the signal number to a socket pair
// that the event loop watches (the self-pipe pattern). One per process.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Provisio
