// SPDX-License-Identifier: Apache-2.0
//
// Fuzz target for what a stranger controls at the hub's door: the CONNECT's
// client id, username and password (a SAS token), and the topics of every
// later request. Built with clang -fsanitize=fuzzer,address,undefined when
// libFuzzer is available (hub/fuzz/clang), else linked with standalonedriver.cpp.
//
// The same input also goes to the control-command parser (revocations and
// credit grants), the credit accounting and the translation of IoT Hub's
// $iothub/... topics (which must only ever yield the device's own topics).
//
// Input layout: client id '\n' username '\n' password; a missing part is
// empty. When the first byte is odd, the username is rebuilt in the expected
// form from the client id, so the fuzzer spends its time in the token parser
// and verifier instead of failing at the username check.

#include "controlcommand.h"
#include "credentials.h"
#include "ingresscredit.h"
#include "iothubtopics.h"
#include "protocol/deliveryidentity.h"
#include "revocationlist.h"
#include "topicrules.h"

#include "crypto/sastoken.h"

#include <QByteArray>
#include <QList>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace Provisio;
using namespace Provisio::HubAuth;

namespace {

const CredentialChecker &checker()
{
    static const CredentialChecker instance([] {
        HubAuthConfig c;
        c.hubHost = QStringLiteral("hub1.provisio.test");
        // Fixed test keys (base64 of 32 bytes), not secrets.
        c.signingKey = QStringLiteral("c2lnbmluZy1rZXktZm9yLXRoZS1mdXp6LXRhcmdldCE=");
        c.servicePolicy = QStringLiteral("provisio-service");
        c.serviceKey = QStringLiteral("c2VydmljZS1rZXktZm9yLXRoZS1mdXp6LXRhcmdldCE=");
        c.revocationFile = QStringLiteral("/nonexistent/revoked.json");
        c.maxTokenLifetime = 3600;
        c.clockSkew = 300;
        return c;
    }());
    return instance;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string input(reinterpret_cast<const char *>(data), size);
    const bool rebuildUsername = size > 0 && (data[0] & 1);

    // Split into three NUL-free parts (C strings, as the broker hands them over).
    std::string parts[3];
    int part = 0;
    for (size_t i = rebuildUsername ? 1 : 0; i < input.size(); ++i) {
        const char c = input[i];
        if (c == '\n' && part < 2) {
            ++part;
            continue;
        }
        if (c != '\0')
            parts[part].push_back(c);
    }
    std::string &clientId = parts[0];
    std::string &username = parts[1];
    std::string &password = parts[2];
    if (rebuildUsername)
        username = "hub1.provisio.test/" + clientId + "/?api-version=2021-04-12&" + username;

    // Fixed clock: results must not depend on when the fuzzer runs.
    constexpr qint64 now = 1700000000;
    // One revoked device; the others at a generation taken from the input,
    // so the generation loop (up to its upper bound) is exercised as well.
    const quint32 generation = size > 1 ? (quint32(data[1]) << 22) : 0;
    const auto standing = [generation](const QString &id) {
        return DeviceStanding{id == QLatin1String("revoked-device"), generation};
    };
    (void)checker().check(clientId.c_str(), username.c_str(), password.c_str(), now, standing);
    (void)checker().check(nullptr, username.c_str(), password.c_str(), now);
    (void)checker().check(clientId.c_str(), nullptr, nullptr, now);

    // The parsers on their own, over the whole input.
    const QString whole = QString::fromUtf8(input.data(), qsizetype(input.size()));
    if (auto token = SasToken::parse(whole)) {
        (void)token->verify(QStringLiteral("hub1.provisio.test/devices/dev1"),
                            QStringLiteral("c2lnbmluZy1rZXktZm9yLXRoZS1mdXp6LXRhcmdldCE="), now, 300, 3600);
    }
    (void)CredentialChecker::deviceIdFromUsername(whole, u"hub1.provisio.test");
    (void)CredentialChecker::isServiceUsername(whole, u"hub1.provisio.test", u"provisio-service");

    // The control channel (what a middleware, or a stolen service key, sends):
    // the whole input as a command, and a grant built from it applied to
    // the credit accounting, whose totals must stay within their bounds.
    static RevocationList revoked = *RevocationList::load(QStringLiteral("/nonexistent/fuzz-revoked.json"));
    const ControlOutcome outcome = applyControlCommand(QByteArray::fromStdString(input), revoked);
    static IngressCredit credit(IngressCredit::Options{});
    // Charged under the identity of the input as a delivery, as the plugin
    // does; confirmations by identity pay at most what is held.
    credit.charge("mw-fuzz", deliveryIdentity(input, username), int64_t(size));
    if (outcome.isCredit && !outcome.creditDeliveries.empty()) {
        for (const quint64 identity : outcome.creditDeliveries)
            credit.confirm(clientId, identity);
    } else if (outcome.isCredit) {
        credit.grant(clientId, outcome.creditMessages, outcome.creditBytes);
    }
    credit.confirm(clientId, deliveryIdentity(password, username));
    if (credit.outstandingMessages() < 0 || credit.outstandingBytes() < 0)
        __builtin_trap();

    // Topic rules, for a device and the service, every access.
    const std::string prefix = devicePrefix(clientId.empty() ? std::string_view("dev1") : std::string_view(clientId));
    const std::string *topics[] = {&username, &password, &input};
    for (const std::string *topic : topics) {
        for (const Access access : {Access::Read, Access::Write, Access::Subscribe, Access::Unsubscribe}) {
            (void)isAllowed(Role::Device, prefix, access, *topic);
            (void)isAllowed(Role::Service, {}, access, *topic);
        }
        // A device's $iothub request becomes a topic of its own that it may
        // publish, or nothing; a service topic's $iothub form names the
        // device the topic was about.
        if (const auto request = deviceRequestFromIotHub(prefix, *topic)) {
            if (request->topic.compare(0, prefix.size(), prefix) != 0 || !deviceMayPublish(prefix, request->topic) ||
                !isValidRequestId(request->rid))
                __builtin_trap();
        }
        const auto delivery = iotHubDeliveryFor(*topic, topLevelVersion(*topic));
        if (delivery &&
            (topic->compare(0, devicePrefix(delivery->deviceId).size(), devicePrefix(delivery->deviceId)) != 0 ||
             delivery->topic.compare(0, 8, "$iothub/") != 0))
            __builtin_trap();
        (void)iotHubSubscriptionOf(*topic);
        (void)queryValue(*topic, "$rid");
    }
    // The same with the input behind a request prefix, so the fuzzer reaches
    // the request-id parser at once.
    for (const char *head : {"$iothub/twin/GET/?$rid=", "$iothub/methods/res/200/?", "devices/dev1/twin/res/204/"}) {
        const std::string topic = head + password;
        if (const auto request = deviceRequestFromIotHub(prefix, topic)) {
            if (!deviceMayPublish(prefix, request->topic))
                __builtin_trap();
        }
        (void)iotHubDeliveryFor(topic, std::nullopt);
    }
    return 0;
}
