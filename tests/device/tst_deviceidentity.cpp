// SPDX-License-Identifier: Apache-2.0
// DeviceIdentity on prepared files: the order of the sources (configured,
// device tree, /proc/cpuinfo, machine id) and what is not a usable serial.
#include "deviceidentity.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio::Kiosk;

class TestDeviceIdentity : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &content)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(content) != content.size())
            qWarning("cannot write %s", qPrintable(path));
        return path;
    }

private Q_SLOTS:
    void detect_data()
    {
        QTest::addColumn<QString>("configured");
        QTest::addColumn<QByteArray>("deviceTree"); // "-" = no file
        QTest::addColumn<QByteArray>("cpuInfo");
        QTest::addColumn<QByteArray>("machineId");
        QTest::addColumn<QString>("expected");

        const QByteArray piCpuInfo = "processor\t: 0\nmodel name\t: ARMv7 Processor rev 4 (v7l)\n\n"
                                     "Hardware\t: BCM2835\nRevision\t: a02082\nSerial\t\t: 00000000a1b2c3d4\n"
                                     "Model\t\t: Raspberry Pi 3 Model B Rev 1.2\n";
        const QByteArray pcCpuInfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel\n";
        QTest::newRow("configured wins") << QStringLiteral(" SN-0001 ") << QByteArray("10000000abcdef\0", 15)
                                         << piCpuInfo << QByteArray("0123abcd\n") << QStringLiteral("SN-0001");
        QTest::newRow("device tree with NUL") << QString() << QByteArray("10000000abcdef01\0", 17) << piCpuInfo
                                              << QByteArray("0123abcd\n") << QStringLiteral("10000000abcdef01");
        QTest::newRow("cpuinfo on a Pi") << QString() << QByteArray("-") << piCpuInfo << QByteArray("0123abcd\n")
                                         << QStringLiteral("00000000a1b2c3d4");
        QTest::newRow("zero device tree falls through")
            << QString() << QByteArray("0000000000000000\0", 17) << piCpuInfo << QByteArray("m\n")
            << QStringLiteral("00000000a1b2c3d4");
        QTest::newRow("machine id on a PC")
            << QString() << QByteArray("-") << pcCpuInfo << QByteArray("4f1c0a9e8d7b6c5a4f3e2d1c0b9a8f7e\n")
            << QStringLiteral("4f1c0a9e8d7b6c5a4f3e2d1c0b9a8f7e");
        QTest::newRow("zero cpuinfo serial falls through")
            << QString() << QByteArray("-") << QByteArray("Serial\t\t: 0000000000000000\n") << QByteArray("abc\n")
            << QStringLiteral("abc");
        QTest::newRow("nothing") << QString() << QByteArray("-") << pcCpuInfo << QByteArray("-") << QString();
        QTest::newRow("binary garbage is no serial")
            << QString() << QByteArray("\x01\x02 x y", 7) << pcCpuInfo << QByteArray("-") << QString();
    }

    void detect()
    {
        QFETCH(QString, configured);
        QFETCH(QByteArray, deviceTree);
        QFETCH(QByteArray, cpuInfo);
        QFETCH(QByteArray, machineId);
        QFETCH(QString, expected);

        const QString tag = QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_'));
        DeviceIdentity::Paths paths;
        paths.deviceTreeSerial = deviceTree == "-" ? m_dir.filePath(QStringLiteral("missing"))
                                                   : write(tag + QStringLiteral(".dt"), deviceTree);
        paths.cpuInfo =
            cpuInfo == "-" ? m_dir.filePath(QStringLiteral("missing")) : write(tag + QStringLiteral(".cpu"), cpuInfo);
        paths.machineId = machineId == "-" ? m_dir.filePath(QStringLiteral("missing"))
                                           : write(tag + QStringLiteral(".mid"), machineId);
        QCOMPARE(DeviceIdentity::detect(configured, paths), expected);
    }

    void realHostHasSomeSerial()
    {
        // Every Linux system with systemd has /etc/machine-id.
        if (!QFile::exists(QStringLiteral("/etc/machine-id")))
            QSKIP("no /etc/machine-id here");
        QVERIFY(!DeviceIdentity::detect().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestDeviceIdentity)
#include "tst_deviceidentity.moc"
