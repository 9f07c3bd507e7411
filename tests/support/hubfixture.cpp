// SPDX-License-Identifier: Apache-2.0
#include "hubfixture.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QTest>

namespace Provisio::Test {

HubFixture::HubFixture(DeviceFixture &f) : m_f(f) { }

HubFixture::~HubFixture()
{
    for (auto &[name, hub] : m_hubs)
        hub.broker->stop();
}

bool HubFixture::putHub(const QString &name, const QString &host, quint16 port, quint16 endpointPort)
{
    const auto linked =
        m_f.admin->put(QStringLiteral("/api/v1/hubs/") + name,
                       QJsonObject{{QStringLiteral("host"), host},
                                   {QStringLiteral("port"), int(port)},
                                   {QStringLiteral("endpoint"),
                                    QStringLiteral("127.0.0.1:%1").arg(endpointPort ? endpointPort : port)},
                                   {QStringLiteral("region"), QStringLiteral("eu")},
                                   {QStringLiteral("allocationWeight"), 1}});
    if (linked.status == 201 || linked.status == 200)
        return true;
    m_error = QStringLiteral("link %1: %2 %3").arg(name).arg(linked.status).arg(QString::fromUtf8(linked.body));
    qWarning("%s", qPrintable(m_error));
    return false;
}

bool HubFixture::linkHub(const QString &name, const QString &host, quint16 port, quint16 endpointPort)
{
    if (m_hubs.count(name)) {
        m_error = QStringLiteral("hub %1 is already running").arg(name);
        return false;
    }
    if (port == 0)
        port = freeLocalPort();
    if (port == 0) {
        m_error = QStringLiteral("no free port for %1").arg(name);
        return false;
    }
    if (!putHub(name, host, port, endpointPort))
        return false;
    const QString out = m_dir.filePath(name);
    const auto written = writeHubConfig(*m_f.mw, name, port, out);
    if (written.exitCode != 0) {
        m_error = QStringLiteral("hub-config %1: %2").arg(name, written.err);
        qWarning("%s", qPrintable(m_error));
        return false;
    }
    Hub hub;
    hub.port = port;
    hub.conf = QDir(out).filePath(QStringLiteral("mosquitto.conf"));
    hub.broker = std::make_unique<MosquittoProcess>(QStringLiteral(PROVISIO_MOSQUITTO_BIN));
    auto &added = m_hubs[name] = std::move(hub);
    if (!added.broker->start(added.conf, port)) {
        m_error = QStringLiteral("mosquitto %1: %2").arg(name, added.broker->log());
        qWarning("%s", qPrintable(m_error));
        return false;
    }
    return waitForLink(name);
}

bool HubFixture::isLinked(const QString &name) const
{
    return m_f.viewer->get(QStringLiteral("/api/v1/hubs/%1/status").arg(name))
        .json()
        .value(QStringLiteral("connected"))
        .toBool();
}

bool HubFixture::waitForLink(const QString &name, const QString &endpoint, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const QJsonObject status = m_f.viewer->get(QStringLiteral("/api/v1/hubs/%1/status").arg(name)).json();
        if (status.value(QStringLiteral("connected")).toBool() &&
            (endpoint.isEmpty() || status.value(QStringLiteral("endpoint")).toString() == endpoint))
            return true;
        QTest::qWait(100);
    }
    m_error = QStringLiteral("the middleware did not connect to %1").arg(name);
    qWarning("%s", qPrintable(m_error));
    return false;
}

quint16 HubFixture::port(const QString &name) const
{
    const auto it = m_hubs.find(name);
    return it == m_hubs.end() ? 0 : it->second.port;
}

QString HubFixture::configPath(const QString &name) const
{
    const auto it = m_hubs.find(name);
    return it == m_hubs.end() ? QString() : it->second.conf;
}

MosquittoProcess *HubFixture::broker(const QString &name) const
{
    const auto it = m_hubs.find(name);
    return it == m_hubs.end() ? nullptr : it->second.broker.get();
}

bool HubFixture::restartBroker(const QString &name)
{
    const auto it = m_hubs.find(name);
    if (it == m_hubs.end()) {
        m_error = QStringLiteral("no hub %1").arg(name);
        return false;
    }
    if (!it->second.broker->start(it->second.conf, it->second.port)) {
        m_error = QStringLiteral("mosquitto %1: %2").arg(name, it->second.broker->log());
        qWarning("%s", qPrintable(m_error));
        return false;
    }
    return true;
}

HubFixture::Enrollment HubFixture::enroll(const QString &serial, const QString &registrationId,
                                          const QJsonObject &extra, const QString &model)
{
    Enrollment result;
    QJsonObject body = extra;
    if (!serial.isEmpty()) {
        const auto device = m_f.operatorClient->post(
            QStringLiteral("/api/v1/devices"), QJsonObject{{QStringLiteral("serial"), serial},
                                                           {QStringLiteral("model"), model},
                                                           {QStringLiteral("manufacturer"), QStringLiteral("Acme")}});
        if (device.status != 201) {
            result.status = device.status;
            result.json = device.json();
            m_error = QStringLiteral("inventory device: %1 %2").arg(device.status).arg(QString::fromUtf8(device.body));
            qWarning("%s", qPrintable(m_error));
            return result;
        }
        body.insert(QStringLiteral("serial"), serial);
    }
    body.insert(QStringLiteral("registrationId"), registrationId);
    const auto enrolled = m_f.putEnrollment(registrationId, body);
    result.status = enrolled.status;
    result.json = enrolled.json();
    if (enrolled.status != 201) {
        m_error = QStringLiteral("enrollment: %1 %2").arg(enrolled.status).arg(QString::fromUtf8(enrolled.body));
        qWarning("%s", qPrintable(m_error));
        return result;
    }
    result.activationCode = result.json.value(QStringLiteral("activationCode")).toString();
    result.primaryKey = DeviceFixture::primaryKey(result.json);
    return result;
}

} // namespace Provisio::Test
