// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>

#include <memory>
#include <vector>

struct mosquitto;
struct mqtt5__property;
struct ssl_ctx_st; // OpenSSL's SSL_CTX

namespace Provisio::Bench {

// Many simulated MQTT devices on ONE thread: every device is a libmosquitto
// client whose non-blocking TLS socket sits in one epoll set, driven with
// mosquitto_loop_read / _write / _misc as its socket becomes ready. A
// thousand devices thus cost a thousand sockets, not a thousand threads, and
// the load generator needs one core while the broker has the other.
//
// Everything a device sends is prepared before a phase starts (credentials,
// topic, payload), so the clock measures the broker and the network stack,
// not token signing.
class MqttFleet
{
public:
    struct Device
    {
        QByteArray clientId;
        QByteArray username;
        QByteArray password;
        QByteArray topic;
    };

    struct Options
    {
        QByteArray host = "127.0.0.1";
        int port = 0;
        QString caFile;              // the broker's CA; its certificate must name `host`
        int protocol = 5;            // 5 or 4 (3.1.1)
        int connectConcurrency = 50; // CONNECTs in progress at once
        int messagesPerDevice = 20;
        int inflightPerDevice = 1; // QoS 1 publishes awaiting their PUBACK, per device
        int payloadBytes = 200;
        int keepaliveSeconds = 60;
        int phaseTimeoutMs = 120000;
    };

    // What one phase (connect or publish) did.
    struct Phase
    {
        qint64 wallNs = 0; // first operation started .. last one finished
        int attempted = 0;
        int succeeded = 0;
        int failed = 0;
        std::vector<qint64> latencyNs; // of every success, sorted
        QMap<QString, int> failures;   // reason -> count
        double perSecond() const { return wallNs > 0 ? succeeded / (wallNs / 1e9) : 0; }
    };

    MqttFleet(const Options &options, std::vector<Device> devices);
    ~MqttFleet();
    MqttFleet(const MqttFleet &) = delete;
    MqttFleet &operator=(const MqttFleet &) = delete;

    // Creates the TLS context and one libmosquitto client per device.
    bool init(QString *error);
    // Connects every device over TLS (MQTT CONNECT .. CONNACK), at most
    // connectConcurrency at a time; connected devices stay connected.
    Phase connectAll();
    // Every connected device publishes messagesPerDevice QoS 1 messages to
    // its topic, keeping inflightPerDevice unacknowledged; latency is
    // mosquitto_publish() .. PUBACK. Under MQTT 5 a PUBACK reason >= 0x80
    // (0x87: not authorised) is a failure.
    Phase publishAll();
    // Sends DISCONNECT on every connection and waits for the sockets to
    // close; returns how many had to be abandoned.
    int disconnectAll(int timeoutMs);
    int connectedCount() const;

    struct Client;

private:
    enum class Stage { Idle, Connect, Publish, Disconnect };

    bool startConnect(Client &c);
    void service(Client &c, unsigned events);
    void afterIo(Client &c, int rc);
    void updateInterest(Client &c);
    void forget(Client &c);
    bool publishNext(Client &c);
    void fail(Phase &phase, const QString &reason);
    // Runs the epoll loop until done() or the deadline; `topUp` runs after
    // every batch of events.
    template<typename Done, typename TopUp>
    void run(qint64 deadlineNs, Done done, TopUp topUp);

    static void onConnect(mosquitto *, void *obj, int rc, int flags, const struct mqtt5__property *);
    static void onDisconnect(mosquitto *, void *obj, int rc, const struct mqtt5__property *);
    static void onPublish(mosquitto *, void *obj, int mid, int reason, const struct mqtt5__property *);

    Options m_options;
    std::vector<Device> m_devices;
    std::vector<std::unique_ptr<Client>> m_clients;
    ssl_ctx_st *m_sslContext = nullptr;
    int m_epoll = -1;
    Stage m_stage = Stage::Idle;
    Phase *m_phase = nullptr;
    int m_inProgress = 0; // connects started and not finished
    int m_finished = 0;   // operations of the phase that ended (either way)
    int m_expected = 0;   // operations the phase will end
    qint64 m_lastDoneNs = 0;
};

} // namespace Provisio::Bench
