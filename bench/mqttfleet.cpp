// SPDX-License-Identifier: Apache-2.0
#include "mqttfleet.h"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <QHostAddress>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <sys/epoll.h>
#include <unistd.h>
#include <utility>

namespace Provisio::Bench {

namespace {

qint64 nowNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

constexpr qint64 kMiscIntervalNs = 1000000000LL; // keepalive bookkeeping, once a second
constexpr int kSeqDigits = 6;

QString mosqError(int rc)
{
    QString text = QString::fromUtf8(mosquitto_strerror(rc));
    if (rc == MOSQ_ERR_ERRNO)
        text += QStringLiteral(": ") + QString::fromLocal8Bit(strerror(errno));
    return text;
}

// A telemetry message of exactly `size` bytes (at least the JSON skeleton),
// with a fixed-width sequence number patched in per message.
QByteArray makePayload(const QByteArray &deviceId, int size, int *seqOffset)
{
    QByteArray p = "{\"deviceId\":\"" + deviceId + "\",\"seq\":";
    *seqOffset = int(p.size());
    p += QByteArray(kSeqDigits, '0');
    p += ",\"temperature\":21.5,\"humidity\":48.25,\"battery\":3.71,\"pad\":\"";
    const int closing = 2; // "}
    if (p.size() + closing < size)
        p += QByteArray(size - int(p.size()) - closing, 'x');
    p += "\"}";
    return p;
}

} // namespace

struct MqttFleet::Client
{
    enum class State { Idle, Connecting, Connected, Done };

    MqttFleet *fleet = nullptr;
    const Device *device = nullptr;
    mosquitto *mosq = nullptr;
    State state = State::Idle;
    int fd = -1;         // as registered in the epoll set; -1 = not registered
    unsigned events = 0; // the registered interest
    qint64 connectStartNs = 0;
    int nextSeq = 0;                             // messages published so far in this phase
    int finished = 0;                            // of them, acknowledged or failed
    std::vector<std::pair<int, qint64>> pending; // mid, published at
    QByteArray payload;
    int seqOffset = 0;
};

MqttFleet::MqttFleet(const Options &options, std::vector<Device> devices)
    : m_options(options), m_devices(std::move(devices))
{ }

MqttFleet::~MqttFleet()
{
    for (auto &c : m_clients) {
        if (c->mosq)
            mosquitto_destroy(c->mosq); // closes a socket still open
    }
    if (m_sslContext)
        SSL_CTX_free(m_sslContext);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

bool MqttFleet::init(QString *error)
{
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0) {
        *error = QStringLiteral("epoll_create1: %1").arg(QString::fromLocal8Bit(strerror(errno)));
        return false;
    }

    // One TLS context for every device: the CA is parsed once, not per
    // connection. Verification is what a device does: the chain up to the
    // middleware's CA and the name (here the address) it dialled.
    m_sslContext = SSL_CTX_new(TLS_client_method());
    if (!m_sslContext) {
        *error = QStringLiteral("SSL_CTX_new failed");
        return false;
    }
    SSL_CTX_set_min_proto_version(m_sslContext, TLS1_2_VERSION);
    if (SSL_CTX_load_verify_locations(m_sslContext, m_options.caFile.toLocal8Bit().constData(), nullptr) != 1) {
        *error = QStringLiteral("cannot load CA certificate %1").arg(m_options.caFile);
        return false;
    }
    SSL_CTX_set_verify(m_sslContext, SSL_VERIFY_PEER, nullptr);
    X509_VERIFY_PARAM *param = SSL_CTX_get0_param(m_sslContext);
    const bool isAddress = !QHostAddress(QString::fromLatin1(m_options.host)).isNull();
    if ((isAddress ? X509_VERIFY_PARAM_set1_ip_asc(param, m_options.host.constData())
                   : X509_VERIFY_PARAM_set1_host(param, m_options.host.constData(), 0)) != 1) {
        *error = QStringLiteral("cannot set the expected server name %1").arg(QString::fromLatin1(m_options.host));
        return false;
    }

    m_clients.reserve(m_devices.size());
    for (const Device &d : m_devices) {
        auto c = std::make_unique<Client>();
        c->fleet = this;
        c->device = &d;
        c->payload = makePayload(d.clientId, m_options.payloadBytes, &c->seqOffset);
        c->mosq = mosquitto_new(d.clientId.constData(), true, c.get());
        if (!c->mosq) {
            *error = QStringLiteral("mosquitto_new failed for %1").arg(QString::fromUtf8(d.clientId));
            return false;
        }
        mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION,
                             m_options.protocol == 5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
        mosquitto_int_option(c->mosq, MOSQ_OPT_TCP_NODELAY, 1);
        // Our context as it is: without this, libmosquitto wants a CA file
        // per client and would build a context of its own from it.
        mosquitto_int_option(c->mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
        if (mosquitto_void_option(c->mosq, MOSQ_OPT_SSL_CTX, m_sslContext) != MOSQ_ERR_SUCCESS) {
            *error = QStringLiteral("this libmosquitto cannot use an external TLS context");
            return false;
        }
        mosquitto_username_pw_set(c->mosq, d.username.isEmpty() ? nullptr : d.username.constData(),
                                  d.password.isEmpty() ? nullptr : d.password.constData());
        mosquitto_connect_v5_callback_set(c->mosq, &MqttFleet::onConnect);
        mosquitto_disconnect_v5_callback_set(c->mosq, &MqttFleet::onDisconnect);
        mosquitto_publish_v5_callback_set(c->mosq, &MqttFleet::onPublish);
        m_clients.push_back(std::move(c));
    }
    return true;
}

int MqttFleet::connectedCount() const
{
    return int(std::count_if(m_clients.begin(), m_clients.end(),
                             [](const auto &c) { return c->state == Client::State::Connected; }));
}

void MqttFleet::fail(Phase &phase, const QString &reason)
{
    phase.failed += 1;
    phase.failures[reason] += 1;
}

// ---------------------------------------------------------------- the loop

void MqttFleet::forget(Client &c)
{
    // libmosquitto closed the socket, which took it out of the epoll set.
    c.fd = -1;
    c.events = 0;
}

void MqttFleet::updateInterest(Client &c)
{
    const int fd = mosquitto_socket(c.mosq);
    const unsigned want = EPOLLIN | (mosquitto_want_write(c.mosq) ? unsigned(EPOLLOUT) : 0u);
    if (c.fd == fd && c.events == want)
        return;
    epoll_event ev{};
    ev.events = want;
    ev.data.ptr = &c;
    const int op = c.fd == fd ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(m_epoll, op, fd, &ev) != 0) {
        if (m_phase)
            fail(*m_phase, QStringLiteral("epoll_ctl: %1").arg(QString::fromLocal8Bit(strerror(errno))));
        return;
    }
    c.fd = fd;
    c.events = want;
}

void MqttFleet::afterIo(Client &c, int rc)
{
    const int fd = mosquitto_socket(c.mosq);
    if (fd < 0) {
        forget(c);
        if (c.state == Client::State::Connecting || c.state == Client::State::Connected)
            onDisconnect(c.mosq, &c, rc == MOSQ_ERR_SUCCESS ? MOSQ_ERR_CONN_LOST : rc, nullptr);
        return;
    }
    if (rc != MOSQ_ERR_SUCCESS) {
        // An error that left the socket open: give it up.
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        forget(c);
        if (c.state == Client::State::Connecting || c.state == Client::State::Connected)
            onDisconnect(c.mosq, &c, rc, nullptr);
        mosquitto_disconnect(c.mosq);
        return;
    }
    updateInterest(c);
}

void MqttFleet::service(Client &c, unsigned events)
{
    if (c.fd < 0)
        return; // closed earlier in this batch
    int rc = MOSQ_ERR_SUCCESS;
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        rc = mosquitto_loop_read(c.mosq, 1);
        // Records already decrypted into OpenSSL's buffer do not make the
        // socket readable again: drain them now.
        for (int guard = 0; rc == MOSQ_ERR_SUCCESS && guard < 64; ++guard) {
            SSL *ssl = static_cast<SSL *>(mosquitto_ssl_get(c.mosq));
            if (!ssl || SSL_pending(ssl) <= 0)
                break;
            rc = mosquitto_loop_read(c.mosq, 1);
        }
    }
    // Answers queued by callbacks (the next PUBLISH after a PUBACK, the
    // CONNECT after the handshake) go out at once; the socket is nearly
    // always writable, so waiting for EPOLLOUT would only add a round trip.
    if (rc == MOSQ_ERR_SUCCESS && mosquitto_socket(c.mosq) >= 0 && mosquitto_want_write(c.mosq))
        rc = mosquitto_loop_write(c.mosq, 1);
    afterIo(c, rc);
}

template<typename Done, typename TopUp>
void MqttFleet::run(qint64 deadlineNs, Done done, TopUp topUp)
{
    epoll_event events[512];
    qint64 lastMisc = nowNs();
    while (!done()) {
        const qint64 now = nowNs();
        if (now >= deadlineNs)
            break;
        const int timeoutMs = int(std::min<qint64>(100, (deadlineNs - now) / 1000000 + 1));
        const int n = epoll_wait(m_epoll, events, int(std::size(events)), timeoutMs);
        if (n < 0 && errno != EINTR)
            break;
        for (int i = 0; i < n; ++i)
            service(*static_cast<Client *>(events[i].data.ptr), events[i].events);
        topUp();
        if (nowNs() - lastMisc > kMiscIntervalNs) {
            lastMisc = nowNs();
            for (auto &c : m_clients) {
                if (c->fd < 0)
                    continue;
                afterIo(*c, mosquitto_loop_misc(c->mosq)); // keepalive pings
            }
        }
    }
}

// ---------------------------------------------------------------- callbacks

void MqttFleet::onConnect(mosquitto *, void *obj, int rc, int, const mqtt5__property *)
{
    auto &c = *static_cast<Client *>(obj);
    MqttFleet &f = *c.fleet;
    if (f.m_stage != Stage::Connect || c.state != Client::State::Connecting || !f.m_phase)
        return;
    const qint64 now = nowNs();
    f.m_inProgress -= 1;
    f.m_finished += 1;
    f.m_lastDoneNs = now;
    if (rc == 0) {
        c.state = Client::State::Connected;
        f.m_phase->succeeded += 1;
        f.m_phase->latencyNs.push_back(now - c.connectStartNs);
        return;
    }
    c.state = Client::State::Done; // the broker closes the connection
    const QString reason =
        f.m_options.protocol == 5
            ? QStringLiteral("CONNACK reason 0x%1 (%2)")
                  .arg(rc, 2, 16, QLatin1Char('0'))
                  .arg(QString::fromUtf8(mosquitto_reason_string(rc)))
            : QStringLiteral("CONNACK %1 (%2)").arg(rc).arg(QString::fromUtf8(mosquitto_connack_string(rc)));
    f.fail(*f.m_phase, reason);
}

void MqttFleet::onDisconnect(mosquitto *, void *obj, int rc, const mqtt5__property *)
{
    auto &c = *static_cast<Client *>(obj);
    MqttFleet &f = *c.fleet;
    const Client::State was = c.state;
    c.state = Client::State::Done;
    if (f.m_stage == Stage::Disconnect || !f.m_phase)
        return;
    const QString reason = rc > 0 && rc < 0x80 && rc != MOSQ_ERR_CONN_LOST
                               ? QStringLiteral("connection closed (%1)").arg(mosqError(rc))
                           : rc >= 0x80 ? QStringLiteral("DISCONNECT reason 0x%1").arg(rc, 2, 16, QLatin1Char('0'))
                                        : QStringLiteral("connection lost");
    if (was == Client::State::Connecting && f.m_stage == Stage::Connect) {
        f.m_inProgress -= 1;
        f.m_finished += 1;
        f.fail(*f.m_phase, reason + QStringLiteral(" before CONNACK"));
    } else if (was == Client::State::Connected && f.m_stage == Stage::Publish) {
        // Every message this device had not finished is lost.
        const int lost = f.m_options.messagesPerDevice - c.finished;
        c.finished += lost;
        c.pending.clear();
        f.m_finished += lost;
        f.m_phase->failed += lost;
        f.m_phase->failures[reason + QStringLiteral(" while publishing")] += lost;
    }
}

void MqttFleet::onPublish(mosquitto *, void *obj, int mid, int reason, const mqtt5__property *)
{
    auto &c = *static_cast<Client *>(obj);
    MqttFleet &f = *c.fleet;
    const auto it = std::find_if(c.pending.begin(), c.pending.end(), [mid](const auto &p) { return p.first == mid; });
    if (it == c.pending.end() || f.m_stage != Stage::Publish || !f.m_phase)
        return;
    const qint64 now = nowNs();
    const qint64 sentAt = it->second;
    c.pending.erase(it);
    c.finished += 1;
    f.m_finished += 1;
    f.m_lastDoneNs = now;
    // MQTT 5: 0x00 success, 0x10 "no matching subscribers" (no service
    // subscriber in this benchmark) are accepted; 0x80+ refusals are not.
    if (reason >= 0x80) {
        f.fail(*f.m_phase, QStringLiteral("PUBACK reason 0x%1 (%2)")
                               .arg(reason, 2, 16, QLatin1Char('0'))
                               .arg(QString::fromUtf8(mosquitto_reason_string(reason))));
    } else {
        f.m_phase->succeeded += 1;
        f.m_phase->latencyNs.push_back(now - sentAt);
    }
    while (c.nextSeq < f.m_options.messagesPerDevice && int(c.pending.size()) < f.m_options.inflightPerDevice) {
        if (!f.publishNext(c))
            break;
    }
}

// ---------------------------------------------------------------- phases

bool MqttFleet::startConnect(Client &c)
{
    c.state = Client::State::Connecting;
    c.connectStartNs = nowNs();
    m_inProgress += 1;
    const int rc =
        mosquitto_connect_async(c.mosq, m_options.host.constData(), m_options.port, m_options.keepaliveSeconds);
    if (rc != MOSQ_ERR_SUCCESS) {
        c.state = Client::State::Done;
        m_inProgress -= 1;
        m_finished += 1;
        fail(*m_phase, QStringLiteral("connect: %1").arg(mosqError(rc)));
        return false;
    }
    afterIo(c, MOSQ_ERR_SUCCESS); // registers the new socket
    return true;
}

MqttFleet::Phase MqttFleet::connectAll()
{
    Phase phase;
    m_phase = &phase;
    m_stage = Stage::Connect;
    m_inProgress = 0;
    m_finished = 0;
    m_expected = int(m_clients.size());
    phase.attempted = m_expected;
    phase.latencyNs.reserve(m_clients.size());

    size_t next = 0;
    const int concurrency = std::max(1, m_options.connectConcurrency);
    auto topUp = [&] {
        while (m_inProgress < concurrency && next < m_clients.size())
            startConnect(*m_clients[next++]);
    };
    const qint64 start = nowNs();
    m_lastDoneNs = start;
    topUp();
    run(
        start + qint64(m_options.phaseTimeoutMs) * 1000000, [&] { return m_finished >= m_expected; }, topUp);
    phase.wallNs = m_lastDoneNs - start;

    for (auto &c : m_clients) {
        if (c->state == Client::State::Connecting) {
            fail(phase, QStringLiteral("no CONNACK within %1 s").arg(m_options.phaseTimeoutMs / 1000));
            c->state = Client::State::Done;
        } else if (c->state == Client::State::Idle) {
            fail(phase, QStringLiteral("not started within %1 s").arg(m_options.phaseTimeoutMs / 1000));
            c->state = Client::State::Done;
        }
    }
    std::sort(phase.latencyNs.begin(), phase.latencyNs.end());
    m_phase = nullptr;
    m_stage = Stage::Idle;
    return phase;
}

bool MqttFleet::publishNext(Client &c)
{
    char digits[16];
    std::snprintf(digits, sizeof digits, "%0*d", kSeqDigits, c.nextSeq % 1000000);
    std::memcpy(c.payload.data() + c.seqOffset, digits, kSeqDigits);
    int mid = 0;
    const qint64 t = nowNs();
    const int rc = mosquitto_publish(c.mosq, &mid, c.device->topic.constData(), int(c.payload.size()),
                                     c.payload.constData(), 1, false);
    c.nextSeq += 1;
    if (rc != MOSQ_ERR_SUCCESS) {
        // This message and every later one of the device fail: a device
        // whose client refuses to publish does not get better by retrying.
        const int lost = m_options.messagesPerDevice - (c.nextSeq - 1);
        c.nextSeq = m_options.messagesPerDevice;
        c.finished += lost;
        m_finished += lost;
        m_phase->failed += lost;
        m_phase->failures[QStringLiteral("publish: %1").arg(mosqError(rc))] += lost;
        return false;
    }
    c.pending.emplace_back(mid, t);
    return true;
}

MqttFleet::Phase MqttFleet::publishAll()
{
    Phase phase;
    m_phase = &phase;
    m_stage = Stage::Publish;
    m_finished = 0;
    const int perDevice = m_options.messagesPerDevice;
    phase.attempted = int(m_clients.size()) * perDevice;
    m_expected = phase.attempted;
    phase.latencyNs.reserve(size_t(phase.attempted));

    const qint64 start = nowNs();
    m_lastDoneNs = start;
    for (auto &c : m_clients) {
        c->nextSeq = 0;
        c->finished = 0;
        c->pending.clear();
        if (c->state != Client::State::Connected || c->fd < 0) {
            // A device that never connected cannot send its messages.
            c->finished = perDevice;
            m_finished += perDevice;
            phase.failed += perDevice;
            phase.failures[QStringLiteral("device not connected")] += perDevice;
            continue;
        }
        for (int k = 0; k < m_options.inflightPerDevice && c->nextSeq < perDevice; ++k) {
            if (!publishNext(*c))
                break;
        }
        afterIo(*c, MOSQ_ERR_SUCCESS);
    }
    run(
        start + qint64(m_options.phaseTimeoutMs) * 1000000, [&] { return m_finished >= m_expected; }, [] {});
    phase.wallNs = m_lastDoneNs - start;

    for (auto &c : m_clients) {
        const int missing = perDevice - c->finished;
        if (missing > 0) {
            phase.failed += missing;
            phase.failures[QStringLiteral("no PUBACK within %1 s").arg(m_options.phaseTimeoutMs / 1000)] += missing;
            c->finished = perDevice;
        }
    }
    std::sort(phase.latencyNs.begin(), phase.latencyNs.end());
    m_phase = nullptr;
    m_stage = Stage::Idle;
    return phase;
}

int MqttFleet::disconnectAll(int timeoutMs)
{
    m_stage = Stage::Disconnect;
    for (auto &c : m_clients) {
        if (c->fd < 0)
            continue;
        mosquitto_disconnect(c->mosq); // writes DISCONNECT and closes when it can
        afterIo(*c, MOSQ_ERR_SUCCESS);
    }
    const auto open = [this] {
        return std::count_if(m_clients.begin(), m_clients.end(), [](const auto &c) { return c->fd >= 0; });
    };
    run(
        nowNs() + qint64(timeoutMs) * 1000000, [&] { return open() == 0; }, [] {});
    const int abandoned = int(open());
    m_stage = Stage::Idle;
    return abandoned;
}

} // namespace Provisio::Bench
