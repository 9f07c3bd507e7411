// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

namespace Provisio::Bench {

// What Linux says about a process in /proc: memory as the kernel accounts it
// (so the figures match what `ps` and the OOM killer see) and CPU time, for
// telling whether the server or the load generator was the busy side.
struct ProcessStats
{
    bool valid = false;
    qint64 peakResidentKiB = 0; // VmHWM: the high-water mark since the process started
    qint64 residentKiB = 0;     // VmRSS: now
    double cpuSeconds = 0;      // user + system time so far
    double systemSeconds = 0;   // the kernel's share of cpuSeconds (sockets, file I/O)
    // Time the main thread was ready to run but waited for a CPU
    // (/proc/PID/schedstat): high when other work competes for the cores.
    double runQueueWaitSeconds = 0;

    // pid 0 reads the calling process.
    static ProcessStats read(qint64 pid);
};

} // namespace Provisio::Bench
