// SPDX-License-Identifier: Apache-2.0
#include "mqtt/mqttclient.h"

#include "mqtt/mqtttopic.h"

#include <QDataStream>
#include <QFile>
#include <QHostAddress>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QRandomGenerator>

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcMqtt, "provisio.mqtt")

namespace Provisio {

namespace {

constexpr int MaxPayloadSize = 268435455; // MQTT's remaining-length limit

void initLibrary()
{
    // mosquitto_lib_init() is not thread-safe; it is never undone
    // (mosquitto_lib_cleanup() would pull the rug from other instances).
    static std::once_flag once;
    std::call_once(once, [] { mosquitto_lib_init(); });
}

QString libraryErrorString(int rc)
{
    if (rc == MOSQ_ERR_ERRNO)
        return qt_error_string(errno);
    return QString::fromUtf8(mosquitto_strerror(rc));
}

MqttClient::ClientError clientErrorFor(int mosquittoError, bool wasConnected)
{
    switch (mosquittoError) {
    case MOSQ_ERR_SUCCESS:
        return MqttClient::NoError;
    case MOSQ_ERR_INVAL:
    case MOSQ_ERR_PAYLOAD_SIZE:
    case MOSQ_ERR_MALFORMED_UTF8:
    case MOSQ_ERR_QOS_NOT_SUPPORTED:
    case MOSQ_ERR_OVERSIZE_PACKET:
    case MOSQ_ERR_RETAIN_NOT_SUPPORTED:
        return MqttClient::InvalidArgument;
    case MOSQ_ERR_NO_CONN:
        return wasConnected ? MqttClient::ConnectionLost : MqttClient::NotConnected;
    case MOSQ_ERR_CONN_LOST:
    case MOSQ_ERR_ERRNO:
    case MOSQ_ERR_CONN_REFUSED:
        return wasConnected ? MqttClient::ConnectionLost : MqttClient::NetworkError;
    case MOSQ_ERR_EAI:
    case MOSQ_ERR_LOOKUP:
        return MqttClient::HostNotFound;
    case MOSQ_ERR_KEEPALIVE:
        return MqttClient::KeepAliveTimeout;
    case MOSQ_ERR_TLS:
    case MOSQ_ERR_TLS_HANDSHAKE:
    case MOSQ_ERR_OCSP:
        return MqttClient::TlsError;
    case MOSQ_ERR_PROTOCOL:
    case MOSQ_ERR_MALFORMED_PACKET:
    case MOSQ_ERR_DUPLICATE_PROPERTY:
    case MOSQ_ERR_NOT_SUPPORTED:
        return MqttClient::ProtocolError;
    default:
        return MqttClient::UnknownError;
    }
}

// CONNACK refusals that the same CONNECT would get again.
bool isPermanentRefusal(int code, bool mqtt5)
{
    if (!mqtt5)
        return code == 1 || code == 2 || code == 4 || code == 5;
    switch (code) {
    case MQTT_RC_MALFORMED_PACKET:
    case MQTT_RC_PROTOCOL_ERROR:
    case MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION:
    case MQTT_RC_CLIENTID_NOT_VALID:
    case MQTT_RC_BAD_USERNAME_OR_PASSWORD:
    case MQTT_RC_NOT_AUTHORIZED:
    case MQTT_RC_BANNED:
    case MQTT_RC_BAD_AUTHENTICATION_METHOD:
    case MQTT_RC_TOPIC_NAME_INVALID:
    case MQTT_RC_PACKET_TOO_LARGE:
    case MQTT_RC_PAYLOAD_FORMAT_INVALID:
    case MQTT_RC_RETAIN_NOT_SUPPORTED:
    case MQTT_RC_QOS_NOT_SUPPORTED:
        return true;
    default:
        return false; // server unavailable/busy, quota, rate limit, moved...
    }
}

QString takeString(char *text)
{
    QString result = QString::fromUtf8(text);
    std::free(text);
    return result;
}

MqttMessageProperties readMessageProperties(const mosquitto_property *list)
{
    MqttMessageProperties properties;
    for (const mosquitto_property *p = list; p; p = mosquitto_property_next(p)) {
        char *name = nullptr;
        char *value = nullptr;
        switch (mosquitto_property_identifier(p)) {
        case MQTT_PROP_USER_PROPERTY:
            if (mosquitto_property_read_string_pair(p, MQTT_PROP_USER_PROPERTY, &name, &value, false)) {
                QString key = takeString(name);
                properties.userProperties.append({key, takeString(value)});
            }
            break;
        case MQTT_PROP_CONTENT_TYPE:
            if (mosquitto_property_read_string(p, MQTT_PROP_CONTENT_TYPE, &value, false))
                properties.contentType = takeString(value);
            break;
        case MQTT_PROP_RESPONSE_TOPIC:
            if (mosquitto_property_read_string(p, MQTT_PROP_RESPONSE_TOPIC, &value, false))
                properties.responseTopic = takeString(value);
            break;
        case MQTT_PROP_CORRELATION_DATA: {
            void *data = nullptr;
            uint16_t length = 0;
            if (mosquitto_property_read_binary(p, MQTT_PROP_CORRELATION_DATA, &data, &length, false)) {
                properties.correlationData = QByteArray(static_cast<const char *>(data), length);
                std::free(data);
            }
            break;
        }
        case MQTT_PROP_MESSAGE_EXPIRY_INTERVAL: {
            uint32_t seconds = 0;
            if (mosquitto_property_read_int32(p, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL, &seconds, false))
                properties.messageExpiryInterval = seconds;
            break;
        }
        default:
            break;
        }
    }
    return properties;
}

// Owns a mosquitto_property list for the duration of one call.
struct PropertyList
{
    mosquitto_property *list = nullptr;
    ~PropertyList() { mosquitto_property_free_all(&list); }
};

int buildProperties(const MqttMessageProperties &in, PropertyList &out)
{
    int rc = MOSQ_ERR_SUCCESS;
    for (const auto &[key, value] : in.userProperties) {
        rc = mosquitto_property_add_string_pair(&out.list, MQTT_PROP_USER_PROPERTY, key.toUtf8().constData(),
                                                value.toUtf8().constData());
        if (rc)
            return rc;
    }
    if (!in.contentType.isEmpty() &&
        (rc = mosquitto_property_add_string(&out.list, MQTT_PROP_CONTENT_TYPE, in.contentType.toUtf8().constData())))
        return rc;
    if (!in.responseTopic.isEmpty() && (rc = mosquitto_property_add_string(&out.list, MQTT_PROP_RESPONSE_TOPIC,
                                                                           in.responseTopic.toUtf8().constData())))
        return rc;
    if (!in.correlationData.isEmpty()) {
        if (in.correlationData.size() > 0xffff)
            return MOSQ_ERR_INVAL;
        if ((rc = mosquitto_property_add_binary(&out.list, MQTT_PROP_CORRELATION_DATA, in.correlationData.constData(),
                                                uint16_t(in.correlationData.size()))))
            return rc;
    }
    if (in.messageExpiryInterval != 0 &&
        (rc = mosquitto_property_add_int32(&out.list, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL, in.messageExpiryInterval)))
        return rc;
    return rc;
}

QString openSslErrors()
{
    QStringList errors;
    while (const unsigned long e = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(e, buffer, sizeof buffer);
        errors.append(QString::fromLatin1(buffer));
    }
    return errors.join(QStringLiteral("; "));
}

// The client's TLS context: TLS 1.2+, peer verification against the given CA
// certificates (or the system store) and against `verifyName`, checked by
// OpenSSL during the handshake. libmosquitto's own check of the dialled
// address is not installed because the context is used without its defaults.
SSL_CTX *createSslContext(const QByteArray &caPem, const QString &verifyName, QString *error)
{
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        *error = QStringLiteral("cannot create TLS context: ") + openSslErrors();
        return nullptr;
    }
    const auto failWith = [&](const QString &message) -> SSL_CTX * {
        *error = message;
        SSL_CTX_free(ctx);
        return nullptr;
    };
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);

    if (caPem.isEmpty()) {
        if (SSL_CTX_set_default_verify_paths(ctx) != 1)
            return failWith(QStringLiteral("cannot load the system CA store: ") + openSslErrors());
    } else {
        X509_STORE *store = SSL_CTX_get_cert_store(ctx);
        BIO *bio = BIO_new_mem_buf(caPem.constData(), int(caPem.size()));
        int added = 0;
        while (X509 *cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
            if (X509_STORE_add_cert(store, cert) == 1)
                ++added;
            X509_free(cert);
        }
        BIO_free(bio);
        ERR_clear_error(); // the loop ends with a "no start line" error
        if (added == 0)
            return failWith(QStringLiteral("no CA certificate found in the PEM data"));
    }

    if (verifyName.isEmpty())
        return failWith(QStringLiteral("TLS needs a host name or peer verify name to check"));
    X509_VERIFY_PARAM *param = SSL_CTX_get0_param(ctx);
    const QByteArray name = verifyName.toUtf8();
    int ok = 0;
    if (QHostAddress(verifyName).isNull()) {
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        ok = X509_VERIFY_PARAM_set1_host(param, name.constData(), size_t(name.size()));
    } else {
        ok = X509_VERIFY_PARAM_set1_ip_asc(param, name.constData());
    }
    if (ok != 1)
        return failWith(QStringLiteral("invalid peer verify name \"%1\"").arg(verifyName));
    return ctx;
}

} // namespace

// ---------------------------------------------------------------------------
// Network thread side. These run in libmosquitto's thread with its callback
// mutex held: they copy what they need and post it to the client's thread;
// they never touch the client's members except the thread-safe ones
// (m_shuttingDown, m_abortLoop, m_loopFinished). The client outlives every
// call because its destructor joins this thread first.
struct MqttClient::Callbacks
{
    template<typename Functor>
    static void post(MqttClient *client, Functor &&functor)
    {
        if (!client->m_shuttingDown.load(std::memory_order_acquire))
            QMetaObject::invokeMethod(client, std::forward<Functor>(functor), Qt::QueuedConnection);
    }

    static void onConnect(mosquitto *mosq, void *obj, int rc, int flags, const mosquitto_property *props)
    {
        auto *client = static_cast<MqttClient *>(obj);
        client->m_connackSeen.store(true, std::memory_order_release);
        if (rc != 0)
            mosquitto_disconnect(mosq); // our policy decides about retrying, not libmosquitto's loop
        QString reason;
        char *text = nullptr;
        if (props && mosquitto_property_read_string(props, MQTT_PROP_REASON_STRING, &text, false))
            reason = takeString(text);
        post(client, [client, rc, flags, reason] { client->handleConnack(rc, flags, reason); });
    }

    static void onDisconnect(mosquitto *mosq, void *obj, int rc, const mosquitto_property *)
    {
        auto *client = static_cast<MqttClient *>(obj);
        // Marks the handle disconnected so that the loop (run()) ends and
        // libmosquitto does not reconnect by itself: every connection gets its
        // own thread, so the reconnect policy (backoff + jitter) stays ours.
        mosquitto_disconnect(mosq);
        post(client, [client, rc] { client->handleDisconnect(rc); });
    }

    // One pass of the network loop: what mosquitto_loop() does, with poll()
    // instead of select(). select() cannot watch a descriptor >= FD_SETSIZE
    // (1024), and mosquitto_loop() then fails with MOSQ_ERR_INVAL, so a
    // process with many connections (the agent's fleet simulation) could not
    // open more than a few hundred. The socket is watched for reading always
    // and for writing when libmosquitto has something to write; `wakeFd`
    // (an eventfd the client's thread signals after queueing a packet) stands
    // in for libmosquitto's internal socket pair, which only its own loop
    // reads. A wakeup counts as "writable", as in mosquitto_loop().
    static int loopOnce(mosquitto *mosq, int wakeFd, int timeoutMs)
    {
        const int fd = mosquitto_socket(mosq);
        if (fd < 0)
            return MOSQ_ERR_NO_CONN;
        pollfd fds[2] = {{fd, short(POLLIN | (mosquitto_want_write(mosq) ? POLLOUT : 0)), 0}, {wakeFd, POLLIN, 0}};
        const int ready = ::poll(fds, wakeFd >= 0 ? 2 : 1, timeoutMs);
        if (ready < 0)
            return errno == EINTR ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ERRNO;
        bool writable = fds[0].revents & (POLLOUT | POLLERR | POLLHUP);
        if (wakeFd >= 0 && (fds[1].revents & POLLIN)) {
            eventfd_t count = 0;
            ::eventfd_read(wakeFd, &count);
            writable = true;
        }
        if (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) {
            const int rc = mosquitto_loop_read(mosq, 1);
            if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(mosq) < 0)
                return rc;
        }
        if (writable && mosquitto_socket(mosq) >= 0) {
            // During the TLS handshake libmosquitto's loop continues the
            // handshake when the socket is writable; mosquitto_loop_read()
            // is its public way to do that (packet writes wait for the
            // handshake anyway).
            SSL *ssl = static_cast<SSL *>(mosquitto_ssl_get(mosq));
            const int rc =
                ssl && !SSL_is_init_finished(ssl) ? mosquitto_loop_read(mosq, 1) : mosquitto_loop_write(mosq, 1);
            if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(mosq) < 0)
                return rc;
        }
        return mosquitto_loop_misc(mosq);
    }

    // The body of the network thread: libmosquitto's loop for one connection.
    // This is mosquitto_loop_forever() without its own reconnecting (the
    // policy is ours; onDisconnect() already stops it), on poll() rather than
    // select() (loopOnce()), and with a way out for abortAttempt(): it queues
    // a DISCONNECT with mosquitto_disconnect() and wakes the loop. If one
    // more pass does not end the connection (nothing can be written: a TCP or
    // TLS handshake nobody answers), the socket is shut down here, so that
    // the next pass fails and libmosquitto closes it in this thread, as for
    // any lost connection. Only this thread closes the socket while it runs,
    // so the descriptor cannot be stale.
    static void run(mosquitto *mosq, MqttClient *client, int wakeFd, int idleTimeoutMs)
    {
        // With SIGPIPE blocked in this thread, a write to a socket the broker
        // closed (OpenSSL writes without MSG_NOSIGNAL) fails with EPIPE
        // instead of killing the process.
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
        int rc = MOSQ_ERR_SUCCESS;
        int abortPasses = 0;
        do {
            const bool aborting = client->m_abortLoop.load(std::memory_order_acquire);
            if (aborting && ++abortPasses == 2) {
                const int fd = mosquitto_socket(mosq);
                if (fd >= 0)
                    ::shutdown(fd, SHUT_RDWR);
            }
            // While connecting, wake often enough to notice a failed connect.
            const bool connecting = !client->m_connackSeen.load(std::memory_order_acquire);
            rc = loopOnce(mosq, wakeFd, aborting ? 100 : connecting ? 250 : idleTimeoutMs);
            if (rc == MOSQ_ERR_ERRNO) {
                // errno belongs to this thread: keep it for the message.
                client->m_loopErrno.store(errno, std::memory_order_release);
            } else if (rc == MOSQ_ERR_SUCCESS && connecting) {
                // libmosquitto 2.0.11 does not notice a non-blocking TLS
                // connect that failed (connection refused, unreachable): it
                // stays "connect pending" until the connect timeout, and an
                // abort cannot end it either. A socket whose connect failed
                // reports POLLERR or POLLHUP; one still connecting does not.
                const int fd = mosquitto_socket(mosq);
                pollfd p{fd, POLLOUT, 0};
                if (fd >= 0 && ::poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP))) {
                    int error = 0;
                    socklen_t length = sizeof error;
                    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
                    client->m_loopErrno.store(error != 0 ? error : ECONNREFUSED, std::memory_order_release);
                    rc = MOSQ_ERR_ERRNO;
                } else if (aborting && abortPasses >= 20) {
                    rc = MOSQ_ERR_CONN_LOST; // an abort must end the attempt
                }
            }
        } while (rc == MOSQ_ERR_SUCCESS);
        post(client, [client, rc] { client->handleLoopFinished(rc); });
        client->m_loopFinished.release();
    }

    static void onPublish(mosquitto *, void *obj, int mid, int rc, const mosquitto_property *)
    {
        auto *client = static_cast<MqttClient *>(obj);
        post(client, [client, mid, rc] { client->handlePublished(mid, rc); });
    }

    static void onMessage(mosquitto *, void *obj, const mosquitto_message *message, const mosquitto_property *props)
    {
        auto *client = static_cast<MqttClient *>(obj);
        QByteArray payload(static_cast<const char *>(message->payload), message->payloadlen);
        QString topic = QString::fromUtf8(message->topic);
        const bool retained = message->retain;
        const int qos = message->qos;
        MqttMessageProperties properties = readMessageProperties(props);
        post(client, [client, payload = std::move(payload), topic = std::move(topic), retained, qos,
                      properties = std::move(properties)] {
            client->handleMessage(payload, topic, retained, qos, properties);
        });
    }

    static void onSubscribe(mosquitto *, void *obj, int mid, int count, const int *granted, const mosquitto_property *)
    {
        auto *client = static_cast<MqttClient *>(obj);
        QList<int> grantedQos;
        grantedQos.reserve(count);
        for (int i = 0; i < count; ++i)
            grantedQos.append(granted[i]);
        post(client, [client, mid, grantedQos] { client->handleSubscribed(mid, grantedQos); });
    }

    static void onUnsubscribe(mosquitto *, void *obj, int mid, const mosquitto_property *)
    {
        auto *client = static_cast<MqttClient *>(obj);
        post(client, [client, mid] { client->handleUnsubscribed(mid); });
    }

    static void onLog(mosquitto *, void *obj, int level, const char *text)
    {
        // Only errors and warnings: they explain TLS and socket failures.
        // libmosquitto never logs the password.
        if (!(level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING)))
            return;
        auto *client = static_cast<MqttClient *>(obj);
        QString message = QString::fromUtf8(text);
        post(client, [client, level, message] { client->handleLibraryLog(level, message); });
    }
};

// ---------------------------------------------------------------------------

MqttClient::MqttClient(QObject *parent) : QObject(parent)
{
    initLibrary();
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &MqttClient::beginAttempt);
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, &MqttClient::abortAttempt);
}

MqttClient::~MqttClient()
{
    m_reconnectTimer.stop();
    m_connectTimer.stop();
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
    if (m_mosq && m_loopRunning) {
        m_shuttingDown.store(true, std::memory_order_release);
        // An orderly end: DISCONNECT, so the broker drops the will. Wait a
        // little for it to be written; a dead network must not hang the
        // owner, so after that the thread is cancelled (at a blocking call,
        // which is what mosquitto_destroy() would do as well). An attempt
        // still waiting for its CONNACK is aborted as on a connect timeout,
        // so that an unanswered handshake does not need the cancellation.
        if (m_state != Connected)
            m_abortLoop.store(true, std::memory_order_release);
        mosquitto_disconnect(m_mosq);
        wakeLoop();
        if (!m_loopFinished.tryAcquire(1, 1000))
            pthread_cancel(m_loopThread.native_handle());
        m_loopThread.join();
        m_loopRunning = false;
    }
    if (m_mosq)
        mosquitto_destroy(m_mosq);
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
}

void MqttClient::setKeepAlive(int seconds)
{
    m_keepAlive = qMax(5, seconds);
}

bool MqttClient::setCaCertificateFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    m_caCertificates = file.readAll();
    return true;
}

void MqttClient::setWill(const QString &topic, const QByteArray &payload, int qos, bool retain)
{
    m_willTopic = topic;
    m_willPayload = payload;
    m_willQos = qBound(0, qos, 2);
    m_willRetain = retain;
}

void MqttClient::clearWill()
{
    m_willTopic.clear();
    m_willPayload.clear();
}

void MqttClient::setReconnectDelays(int minimumMs, int maximumMs)
{
    m_minReconnectDelayMs = qMax(1, minimumMs);
    m_maxReconnectDelayMs = qMax(m_minReconnectDelayMs, maximumMs);
}

void MqttClient::setMaxPendingMessages(int count)
{
    m_maxPendingMessages = qBound(1, count, 60000); // below the 16-bit message id space
}

int MqttClient::pendingMessageCount() const
{
    return m_pendingQos12;
}

QMap<QString, int> MqttClient::subscriptions() const
{
    QMap<QString, int> result;
    for (auto it = m_subscriptions.cbegin(); it != m_subscriptions.cend(); ++it)
        result.insert(it.key(), it->qos);
    return result;
}

void MqttClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void MqttClient::fail(ClientError code, const QString &message)
{
    qCWarning(lcMqtt).noquote() << "client" << m_clientId << "error" << int(code) << message;
    Q_EMIT errorOccurred(code, message);
}

// What a libmosquitto handle is created with; when it changes, a new handle
// is needed (the TLS context in particular cannot be replaced on a handle).
QByteArray MqttClient::handleConfiguration() const
{
    QByteArray config;
    QDataStream stream(&config, QIODevice::WriteOnly);
    stream << m_clientId << m_cleanSession << m_tlsEnabled;
    if (m_tlsEnabled)
        stream << m_caCertificates << (m_peerVerifyName.isEmpty() ? m_hostname : m_peerVerifyName);
    return config;
}

bool MqttClient::ensureHandle()
{
    const QByteArray config = handleConfiguration();
    if (m_mosq && (config == m_mosqConfiguration || m_loopRunning))
        return true;
    destroyHandle();

    const QByteArray id = m_clientId.toUtf8();
    m_mosq = mosquitto_new(id.isEmpty() ? nullptr : id.constData(), m_cleanSession, this);
    if (!m_mosq) {
        fail(InvalidArgument, errno == EINVAL ? QStringLiteral("a persistent session needs a client id")
                                              : QStringLiteral("out of memory"));
        return false;
    }
    m_mosqConfiguration = config;
    mosquitto_connect_v5_callback_set(m_mosq, &Callbacks::onConnect);
    mosquitto_disconnect_v5_callback_set(m_mosq, &Callbacks::onDisconnect);
    mosquitto_publish_v5_callback_set(m_mosq, &Callbacks::onPublish);
    mosquitto_message_v5_callback_set(m_mosq, &Callbacks::onMessage);
    mosquitto_subscribe_v5_callback_set(m_mosq, &Callbacks::onSubscribe);
    mosquitto_unsubscribe_v5_callback_set(m_mosq, &Callbacks::onUnsubscribe);
    mosquitto_log_callback_set(m_mosq, &Callbacks::onLog);
    mosquitto_int_option(m_mosq, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_threaded_set(m_mosq, true); // our thread runs the loop: lock, and never write from callers
    // Also set at each connect; here so that publish() before the first
    // connect accepts MQTT 5 properties.
    mosquitto_int_option(m_mosq, MOSQ_OPT_PROTOCOL_VERSION,
                         m_protocolVersion == Mqtt5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);

    if (m_tlsEnabled) {
        QString error;
        SSL_CTX *ctx =
            createSslContext(m_caCertificates, m_peerVerifyName.isEmpty() ? m_hostname : m_peerVerifyName, &error);
        if (!ctx) {
            destroyHandle();
            fail(TlsError, error);
            return false;
        }
        mosquitto_int_option(m_mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
        const int rc = mosquitto_void_option(m_mosq, MOSQ_OPT_SSL_CTX, ctx); // takes a reference
        SSL_CTX_free(ctx);
        if (rc != MOSQ_ERR_SUCCESS) {
            destroyHandle();
            fail(TlsError, QStringLiteral("libmosquitto refused the TLS context: ") + libraryErrorString(rc));
            return false;
        }
    }
    return true;
}

void MqttClient::destroyHandle()
{
    Q_ASSERT(!m_loopRunning);
    if (!m_mosq)
        return;
    mosquitto_destroy(m_mosq);
    m_mosq = nullptr;
    m_mosqConfiguration.clear();
    m_pendingSubscribes.clear();
    const int dropped = m_pendingQos12;
    m_pending.clear();
    m_pendingQos12 = 0;
    if (dropped > 0)
        fail(MessagesDropped,
             tr("%n unacknowledged message(s) discarded with the old connection settings", nullptr, dropped));
}

bool MqttClient::applyConnectOptions()
{
    int rc = mosquitto_int_option(m_mosq, MOSQ_OPT_PROTOCOL_VERSION,
                                  m_protocolVersion == Mqtt5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
    if (rc == MOSQ_ERR_SUCCESS) {
        const QByteArray user = m_username.toUtf8();
        const QByteArray password = m_password.toUtf8();
        rc = mosquitto_username_pw_set(m_mosq, m_username.isEmpty() ? nullptr : user.constData(),
                                       m_password.isEmpty() ? nullptr : password.constData());
    }
    if (rc == MOSQ_ERR_SUCCESS) {
        if (m_willTopic.isEmpty()) {
            rc = mosquitto_will_clear(m_mosq);
        } else if (!MqttTopic::isValidTopicName(m_willTopic)) {
            rc = MOSQ_ERR_INVAL;
        } else {
            rc = mosquitto_will_set(m_mosq, m_willTopic.toUtf8().constData(), int(m_willPayload.size()),
                                    m_willPayload.constData(), m_willQos, m_willRetain);
        }
    }
    if (rc != MOSQ_ERR_SUCCESS) {
        fail(InvalidArgument, QStringLiteral("invalid connection settings: ") + libraryErrorString(rc));
        return false;
    }
    return true;
}

void MqttClient::connectToHost()
{
    m_permanentRefusal = false;
    if (m_wantConnected && !m_restartPending) {
        // Already connected or on the way; a waiting retry happens now.
        if (m_reconnectTimer.isActive()) {
            m_reconnectTimer.stop();
            beginAttempt();
        }
        return;
    }
    m_wantConnected = true;
    m_attempt = 0;
    if (m_loopRunning) {
        m_restartPending = true; // after the DISCONNECT under way
        return;
    }
    beginAttempt();
}

void MqttClient::disconnectFromHost()
{
    m_wantConnected = false;
    m_restartPending = false;
    m_reconnectTimer.stop();
    m_connectTimer.stop();
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    ++m_attemptSerial;
    if (m_loopRunning) {
        m_userDisconnect = true;
        mosquitto_disconnect(m_mosq); // handleDisconnect() finishes the job
        wakeLoop();
        return;
    }
    setState(Disconnected);
}

void MqttClient::beginAttempt()
{
    if (!m_wantConnected)
        return;
    if (m_loopRunning) {
        m_restartPending = true;
        return;
    }
    if (m_hostname.isEmpty()) {
        m_wantConnected = false;
        setState(Disconnected);
        fail(InvalidArgument, QStringLiteral("no host name set"));
        return;
    }
    m_refusedThisAttempt = false;
    m_lastLibraryError.clear();
    setState(Connecting);

    if (!QHostAddress(m_hostname).isNull()) {
        dial(m_hostname);
        return;
    }
    // Resolve here rather than in mosquitto_connect_async(), which would call
    // getaddrinfo() in this (possibly GUI) thread.
    const int serial = ++m_attemptSerial;
    m_lookupId = QHostInfo::lookupHost(m_hostname, this, [this, serial](const QHostInfo &info) {
        if (serial != m_attemptSerial)
            return;
        m_lookupId = -1;
        if (!m_wantConnected || m_state != Connecting)
            return;
        const QList<QHostAddress> addresses = info.addresses();
        if (info.error() != QHostInfo::NoError || addresses.isEmpty()) {
            setState(Disconnected);
            fail(HostNotFound, QStringLiteral("cannot resolve %1: %2").arg(m_hostname, info.errorString()));
            scheduleReconnect();
            return;
        }
        // Successive attempts walk through the addresses (IPv6 and IPv4).
        dial(addresses.at(m_attempt % addresses.size()).toString());
    });
}

void MqttClient::dial(const QString &address)
{
    if (!ensureHandle() || !applyConnectOptions()) {
        m_wantConnected = false; // a settings problem; retrying will not help
        setState(Disconnected);
        return;
    }
    while (m_loopFinished.tryAcquire()) { }
    if (m_wakeFd < 0) {
        // Created once and kept: the client's way to wake its network thread.
        m_wakeFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (m_wakeFd < 0) {
            const QString reason = qt_error_string(errno);
            setState(Disconnected);
            fail(NetworkError, QStringLiteral("cannot connect to %1:%2: %3").arg(address).arg(m_port).arg(reason));
            scheduleReconnect();
            return;
        }
    }

    const int rc = mosquitto_connect_async(m_mosq, address.toUtf8().constData(), m_port, m_keepAlive);
    if (rc != MOSQ_ERR_SUCCESS) {
        const QString reason = libraryErrorString(rc);
        setState(Disconnected);
        fail(clientErrorFor(rc, false),
             QStringLiteral("cannot connect to %1:%2: %3").arg(address).arg(m_port).arg(reason));
        scheduleReconnect();
        return;
    }

    // libmosquitto's own loop wakes when the next PINGREQ is due, which it
    // does not tell; waking twice per keep-alive sends it in time.
    m_abortLoop.store(false, std::memory_order_release);
    m_loopErrno.store(0, std::memory_order_release);
    m_connackSeen.store(false, std::memory_order_release);
    m_connectTimedOut = false;
    m_loopThread = std::thread(&Callbacks::run, m_mosq, this, m_wakeFd, m_keepAlive * 500);
    m_loopRunning = true;
    m_userDisconnect = false;
    m_disconnectReason = -1;
    if (m_connectTimeoutMs > 0)
        m_connectTimer.start(m_connectTimeoutMs);
    qCDebug(lcMqtt).noquote() << "client" << m_clientId << "connecting to" << address << m_port
                              << (m_tlsEnabled ? "(TLS)" : "");
}

void MqttClient::scheduleReconnect()
{
    if (!m_wantConnected || !m_autoReconnect || m_permanentRefusal) {
        m_wantConnected = false;
        return;
    }
    // Exponential backoff with "equal jitter": half the step is fixed, the
    // other half random.
    const qint64 step = qMin<qint64>(m_maxReconnectDelayMs, qint64(m_minReconnectDelayMs) << qMin(m_attempt, 20));
    ++m_attempt;
    const qint64 half = step / 2;
    const qint64 delay = step - half + QRandomGenerator::global()->bounded(half + 1);
    qCDebug(lcMqtt) << "client" << m_clientId << "reconnecting in" << delay << "ms";
    m_reconnectTimer.start(int(delay));
}

// The connect timeout expired: no CONNACK (libmosquitto alone would wait a
// keep-alive). The network thread ends the attempt (see Callbacks::run()) and
// handleLoopFinished() reports it and schedules the next one.
void MqttClient::abortAttempt()
{
    if (!m_loopRunning || m_state != Connecting || m_userDisconnect || m_connectTimedOut)
        return;
    qCDebug(lcMqtt) << "client" << m_clientId << "no CONNACK within" << m_connectTimer.interval() << "ms; abandoning";
    m_connectTimedOut = true;
    m_abortLoop.store(true, std::memory_order_release);
    mosquitto_disconnect(m_mosq); // a DISCONNECT if it can still be written
    wakeLoop();
}

void MqttClient::wakeLoop()
{
    // After queueing a packet: libmosquitto (threaded) leaves the writing to
    // the network thread, which may be asleep in poll().
    if (m_wakeFd >= 0 && m_loopRunning)
        ::eventfd_write(m_wakeFd, 1);
}

void MqttClient::joinNetworkThread()
{
    // Called when the thread has posted its last event: it has returned or
    // is about to, so this join is short.
    m_loopThread.join();
    m_loopRunning = false;
}

int MqttClient::publish(const QString &topic, const QByteArray &payload, int qos, bool retain,
                        const MqttMessageProperties &properties)
{
    if (qos < 0 || qos > 2 || !MqttTopic::isValidTopicName(topic) || payload.size() > MaxPayloadSize) {
        fail(InvalidArgument, QStringLiteral("invalid publish to \"%1\" with QoS %2").arg(topic).arg(qos));
        return -1;
    }
    if (qos == 0 && m_state != Connected) {
        fail(NotConnected, QStringLiteral("QoS 0 message to \"%1\" dropped: not connected").arg(topic));
        return -1;
    }
    if (qos > 0 && m_pendingQos12 >= m_maxPendingMessages) {
        fail(QueueFull, QStringLiteral("%1 messages await acknowledgement; publish to \"%2\" refused")
                            .arg(m_pendingQos12)
                            .arg(topic));
        return -1;
    }
    if (!ensureHandle())
        return -1;

    PropertyList list;
    int rc = MOSQ_ERR_SUCCESS;
    if (m_protocolVersion == Mqtt5 && !properties.isEmpty())
        rc = buildProperties(properties, list);
    int mid = 0;
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_publish_v5(m_mosq, &mid, topic.toUtf8().constData(), int(payload.size()), payload.constData(),
                                  qos, retain, list.list);
    // QoS 1/2 messages are queued by libmosquitto even when it answers
    // NO_CONN, and sent (with their callback) after the next CONNACK.
    if (rc == MOSQ_ERR_SUCCESS || (rc == MOSQ_ERR_NO_CONN && qos > 0)) {
        wakeLoop();
        m_pending.insert(mid, qos);
        if (qos > 0)
            ++m_pendingQos12;
        return mid;
    }
    fail(clientErrorFor(rc, m_state == Connected),
         QStringLiteral("publish to \"%1\" failed: %2").arg(topic, libraryErrorString(rc)));
    return -1;
}

int MqttClient::subscribe(const QString &topicFilter, int qos)
{
    if (qos < 0 || qos > 2 || !MqttTopic::isValidTopicFilter(topicFilter)) {
        fail(InvalidArgument, QStringLiteral("invalid subscription \"%1\" with QoS %2").arg(topicFilter).arg(qos));
        return -1;
    }
    m_subscriptions.insert(topicFilter, Subscription{qos, false});
    if (m_state != Connected)
        return 0;
    return sendSubscribe(topicFilter, qos);
}

int MqttClient::sendSubscribe(const QString &filter, int qos)
{
    int mid = 0;
    const int rc = mosquitto_subscribe_v5(m_mosq, &mid, filter.toUtf8().constData(), qos, 0, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
        fail(clientErrorFor(rc, true),
             QStringLiteral("subscribe to \"%1\" failed: %2").arg(filter, libraryErrorString(rc)));
        return -1;
    }
    wakeLoop();
    m_pendingSubscribes.insert(mid, filter);
    return mid;
}

int MqttClient::unsubscribe(const QString &topicFilter)
{
    if (m_subscriptions.remove(topicFilter) == 0)
        return -1;
    if (m_state != Connected)
        return 0;
    int mid = 0;
    const int rc = mosquitto_unsubscribe_v5(m_mosq, &mid, topicFilter.toUtf8().constData(), nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
        fail(clientErrorFor(rc, true),
             QStringLiteral("unsubscribe from \"%1\" failed: %2").arg(topicFilter, libraryErrorString(rc)));
        return -1;
    }
    wakeLoop();
    return mid;
}

void MqttClient::handleConnack(int reasonCode, int flags, const QString &reasonString)
{
    if (!m_loopRunning || m_connectTimedOut)
        return; // a CONNACK that crossed abortAttempt(): that connection is ending
    m_connectTimer.stop();
    if (reasonCode != 0) {
        const bool mqtt5 = m_protocolVersion == Mqtt5;
        m_refusedThisAttempt = true;
        m_permanentRefusal = isPermanentRefusal(reasonCode, mqtt5);
        const QString text = !reasonString.isEmpty() ? reasonString
                                                     : QString::fromUtf8(mqtt5 ? mosquitto_reason_string(reasonCode)
                                                                               : mosquitto_connack_string(reasonCode));
        qCWarning(lcMqtt).noquote() << "client" << m_clientId << "refused by the broker:" << reasonCode << text;
        Q_EMIT connectionRefused(reasonCode, text);
        return; // handleDisconnect() follows
    }
    m_attempt = 0;
    const bool sessionPresent = flags & 0x01;
    m_sessionPresent = sessionPresent;
    if (!sessionPresent) {
        for (auto &subscription : m_subscriptions)
            subscription.granted = false;
    }
    setState(Connected);
    qCDebug(lcMqtt) << "client" << m_clientId << "connected; session present:" << sessionPresent;
    // Before connected(): a slot that subscribes then sends its own SUBSCRIBE
    // only once.
    for (auto it = m_subscriptions.cbegin(); it != m_subscriptions.cend(); ++it) {
        if (!it->granted)
            sendSubscribe(it.key(), it->qos);
    }
    Q_EMIT connected();
}

void MqttClient::handleDisconnect(int reasonCode)
{
    // The loop ends right after this callback; handleLoopFinished() acts.
    if (m_loopRunning && m_disconnectReason < 0)
        m_disconnectReason = reasonCode;
}

void MqttClient::handleLoopFinished(int loopResult)
{
    if (!m_loopRunning)
        return;
    joinNetworkThread();
    m_connectTimer.stop();
    const bool timedOut = m_connectTimedOut;
    m_connectTimedOut = false;
    // Without a disconnect callback (the TLS case) the loop's result says why.
    const int reasonCode = m_disconnectReason >= 0 ? m_disconnectReason : loopResult;
    m_disconnectReason = -1;

    // QoS 0 messages not yet written went down with the socket; SUBACKs for
    // this connection will not come.
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (it.value() == 0)
            it = m_pending.erase(it);
        else
            ++it;
    }
    m_pendingSubscribes.clear();

    const bool wasConnected = m_state == Connected;
    const bool asked = m_userDisconnect;
    m_userDisconnect = false;
    // libmosquitto reports its own errors (1..31) and the reason codes of an
    // MQTT 5 DISCONNECT from the server (0 or >= 0x80) through one value.
    const bool libraryError = reasonCode > 0 && reasonCode < 0x80;
    const int code = libraryError ? int(clientErrorFor(reasonCode, wasConnected)) : reasonCode;

    if (!asked && timedOut) {
        fail(ConnectTimeout, QStringLiteral("cannot connect to %1: connect timed out (no CONNACK within %2 ms)")
                                 .arg(m_hostname)
                                 .arg(m_connectTimer.interval()));
    } else if (!asked && !m_refusedThisAttempt && reasonCode != 0) {
        const int socketError = m_loopErrno.exchange(0);
        QString message = reasonCode == MOSQ_ERR_ERRNO && socketError != 0 ? qt_error_string(socketError)
                          : libraryError                                   ? libraryErrorString(reasonCode)
                                         : QString::fromUtf8(mosquitto_reason_string(reasonCode));
        if (!m_lastLibraryError.isEmpty())
            message += QStringLiteral(" (") + m_lastLibraryError + u')';
        fail(ClientError(libraryError ? code : int(ConnectionLost)),
             wasConnected ? QStringLiteral("connection to %1 lost: %2").arg(m_hostname, message)
                          : QStringLiteral("cannot connect to %1: %2").arg(m_hostname, message));
    }
    setState(Disconnected);
    if (wasConnected)
        Q_EMIT disconnected(code);

    if (m_restartPending) {
        m_restartPending = false;
        beginAttempt();
        return;
    }
    if (asked)
        return;
    scheduleReconnect();
}

void MqttClient::handlePublished(int messageId, int reasonCode)
{
    const auto it = m_pending.find(messageId);
    if (it == m_pending.end())
        return; // not one of ours (dropped with an old handle) or already reported
    if (it.value() > 0)
        --m_pendingQos12;
    m_pending.erase(it);
    if (reasonCode >= 0x80)
        qCWarning(lcMqtt) << "client" << m_clientId << "message" << messageId << "refused with reason" << reasonCode;
    Q_EMIT messagePublished(messageId, reasonCode);
}

void MqttClient::handleMessage(const QByteArray &payload, const QString &topic, bool retained, int qos,
                               const MqttMessageProperties &properties)
{
    Q_EMIT messageReceived(payload, topic, retained, qos, properties);
}

void MqttClient::handleSubscribed(int messageId, const QList<int> &grantedQos)
{
    const QString filter = m_pendingSubscribes.take(messageId);
    const bool granted = !grantedQos.isEmpty() && grantedQos.constFirst() < 0x80;
    if (!filter.isEmpty()) {
        const auto it = m_subscriptions.find(filter);
        if (it != m_subscriptions.end())
            it->granted = granted;
        if (!granted)
            qCWarning(lcMqtt).noquote() << "client" << m_clientId << "subscription to" << filter
                                        << "refused:" << grantedQos;
    }
    Q_EMIT subscribed(messageId, grantedQos);
}

void MqttClient::handleUnsubscribed(int messageId)
{
    Q_EMIT unsubscribed(messageId);
}

void MqttClient::handleLibraryLog(int level, const QString &text)
{
    m_lastLibraryError = text;
    if (level & MOSQ_LOG_ERR)
        qCWarning(lcMqtt).noquote() << "libmosquitto:" << text;
    else
        qCDebug(lcMqtt).noquote() << "libmosquitto:" << text;
}

} // namespace Provisio
