// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

class QSocketNotifier;

namespace Provisio {

// Turns SIGTERM and SIGINT into a Qt signal. A POSIX signal handler may only
// do async-signal-safe work, so it writes one byte to a socket pair and the
// event loop picks it up (the self-pipe pattern).
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested();

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Provisio
