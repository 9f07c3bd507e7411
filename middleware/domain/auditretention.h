// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "retentionsweep.h"

#include <QObject>
#include <QTimer>

namespace Provisio {

struct ServiceContext;

// Deletes audit entries older than `days` (audit-days; 0 keeps them all),
// every `intervalMs`, in bounded rounds (RetentionSweep), so a large
// backlog (a first start with retention switched on over years of log)
// never stalls the writers. Every instance may run it: the rounds delete
// by the same order, one statement each.
class AuditRetention : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int days = 0;             // 0: entries are kept forever
        int intervalMs = 3600000; // how often a sweep starts
        RetentionSweep::Options sweep;
    };

    AuditRetention(ServiceContext &ctx, Options options, QObject *parent = nullptr);

    void start();
    // One sweep now (the timer's work).
    void sweep();
    RetentionSweep &sweeper() { return m_sweep; }

private:
    ServiceContext &m_ctx;
    Options m_options;
    RetentionSweep m_sweep;
    QTimer m_timer;
};

} // namespace Provisio
