// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

// Back-pressure for what devices send to the middleware (docs/architecture.md
// "Back-pressure"). Mosquitto acknowledges a device's QoS 1 message before
// any middleware has stored it, and drops what exceeds a session's queue
// limits; so the hub admits device messages only while the middleware is
// keeping up, and the limits are sized above what this window can put in a
// queue.
//
// The accounting: every delivery of a device message to a middleware
// session (connected or absent, as the broker's read check reports it) is
// charged to that session; the middleware grants back what it stored or
// handled, over the control channel of the connection that received it. A
// new device message is admitted only while the sum over all sessions stays
// below the window, in messages and in bytes (one message is always
// admitted when nothing is outstanding, however large, so a message the
// size limit allows cannot be refused for good).
//
// Credit must not leak, or the hub would refuse devices for ever:
// - a message no middleware subscribes to is never delivered, so never
//   charged;
// - a session that starts clean lost its queue in the broker: its charges
//   go;
// - a session absent for longer than `abandonedSeconds` while another
//   middleware session is connected belongs to an instance that is not
//   coming back (a survivor takes sessions over within that time): its
//   charges go. With no session connected at all (every instance stalled
//   or down) nothing is forgotten: that is exactly when devices must wait;
// - a grant larger than the sender's own charges pays off other sessions'
//   (a survivor that drained a dead instance's session sends it under that
//   session's id, but a grant sent over another connection is not lost
//   either); totals never go below zero.
// Credit must not appear from nowhere either, or the hub would acknowledge
// what it cannot keep (the invariant: docs/architecture.md "Back-pressure"):
// - a resumed session's queue was charged when it was queued; Mosquitto
//   asks for read access to it again right after the CONNECT (after
//   reporting the disconnect of the session's previous connection), and
//   those checks are not charged twice (beginResume .. endResume);
// - Mosquitto 2.0.11 does not hand a persistent session's shared
//   subscriptions over to its new connection: until the middleware has
//   subscribed them again, the messages they would have received reach no
//   one, uncharged, while their publishers get a PUBACK. So while a session
//   that reconnected has not re-subscribed every `$share/` filter it had,
//   and no other connected session holds that filter, devices are held
//   back (for at most `resubscribeSeconds`);
// - a charge and its confirmation name the delivery by its identity
//   (deliveryIdentity(): topic and payload), and a confirmation pays only a
//   charge of that identity that is still held: a confirmation that arrives
//   twice (a QoS 1 resend of a grant, a stored message the broker delivers
//   again because its PUBACK was lost, a middleware or broker that restarted
//   in between) pays once, and neither side's restart leaves totals to
//   reconcile;
// - a resumed session's queue is matched against its held charges by
//   identity: what is held already is not charged again, what is not (a
//   delivery confirmed before its PUBACK got through, a queue the broker
//   restored from its saved state after a restart) is charged now, so the
//   window counts what the broker really holds again;
// - whatever Mosquitto does that the above does not foresee, a device
//   message admitted on a topic a middleware `$share/` filter covers and
//   then charged to no session reached no middleware: the broker
//   acknowledged it and dropped it. The plugin sees that right after the
//   routing (admitted .. settleAdmission) and holds devices back until a
//   middleware session subscribes that filter again (for at most
//   `resubscribeSeconds`), so one message is lost, not a burst, and the
//   hub logs it.
// Plain C++ without Qt: it runs on the broker's hot path.
namespace Provisio::HubAuth {

class IngressCredit
{
public:
    struct Options
    {
        int64_t windowMessages = 50000;
        int64_t windowBytes = 32 * 1024 * 1024;
        int64_t abandonedSeconds = 120;
        // How long devices wait for a reconnected session to subscribe again.
        int64_t resubscribeSeconds = 120;
    };

    explicit IngressCredit(Options options);

    const Options &options() const { return m_options; }

    // Whether a device message of `bytes` payload bytes may be taken now
    // (`now` in seconds: a reconnected session's re-subscription is awaited
    // only for so long).
    bool mayAdmit(int64_t bytes, int64_t now) const;
    // The broker queued (or sent) one device message, `delivery` its
    // identity, for `sessionId`.
    void charge(std::string_view sessionId, uint64_t delivery, int64_t bytes);
    void charge(std::string_view sessionId, int64_t bytes) { charge(sessionId, 0, bytes); }
    // A delivery to `sessionId` over `connection`: charged unless it is the
    // read check of a resumed session's queue for a delivery that is held
    // already (see beginResume).
    void chargeDelivery(std::string_view sessionId, const void *connection, uint64_t delivery, int64_t bytes);
    void chargeDelivery(std::string_view sessionId, const void *connection, int64_t bytes)
    {
        chargeDelivery(sessionId, connection, 0, bytes);
    }
    // `sessionId` confirms the delivery `delivery`: one held charge of that
    // identity is paid, its own session's first, else another's (a survivor
    // draining a dead instance's session, a renewal's successor); none held,
    // nothing is paid.
    void confirm(std::string_view sessionId, uint64_t delivery);
    // Older middlewares: `sessionId` reports `messages` messages handled,
    // without saying which (held charges are paid in no particular order;
    // `bytes` only matters with no messages).
    void grant(std::string_view sessionId, int64_t messages, int64_t bytes);
    // `sessionId` reports everything its process handled since it started as
    // `epoch`: only what exceeds the totals of the same epoch paid earlier,
    // over this session or another of the same process, is paid.
    void grantTotals(std::string_view sessionId, std::string_view epoch, int64_t messages, int64_t bytes);

    // A middleware session (re)connected; `now` in seconds.
    void sessionConnected(std::string_view sessionId, bool cleanStart, int64_t now = 0);
    void sessionDisconnected(std::string_view sessionId, int64_t now);
    // The session subscribed / unsubscribed a filter (only `$share/` ones
    // matter: those Mosquitto 2.0.11 loses at a reconnect).
    void subscribed(std::string_view sessionId, std::string_view filter);
    void unsubscribed(std::string_view sessionId, std::string_view filter);
    // Whether devices are being held back for a session's re-subscription.
    bool awaitingResubscription(int64_t now) const;

    // A device message on `topic` was admitted; the broker routes it next.
    // Its charge (charge / chargeDelivery) clears it; settleAdmission, at
    // the next event that is not such a charge, returns the `$share/`
    // filter it should have reached when it reached no session (empty
    // otherwise) and holds devices back until that filter is subscribed
    // again.
    void admitted(std::string_view topic);
    std::string settleAdmission(int64_t now);

    // The read checks of a resumed session's queue follow its CONNECT:
    // beginResume at the CONNECT, endResume at any event that is not such a
    // check. A disconnect reported meanwhile for the same client id is the
    // session's previous connection being retired (Mosquitto does that
    // before the checks): it does not end the resume.
    void beginResume(std::string_view sessionId, const void *connection);
    void endResume();
    void clientDisconnected(std::string_view clientId);
    bool isResuming(const void *connection) const { return connection && connection == m_resuming; }
    // Forgets the charges of abandoned sessions (see above); returns their
    // ids with what was forgotten, for the log.
    struct Forgotten
    {
        std::string sessionId;
        int64_t messages = 0;
        int64_t bytes = 0;
    };
    std::vector<Forgotten> forgetAbandoned(int64_t now);

    int64_t outstandingMessages() const { return m_messages; }
    int64_t outstandingBytes() const { return m_bytes; }
    int64_t outstandingMessages(std::string_view sessionId) const;

private:
    // The held charges of one delivery identity (identical messages share
    // one: a device may send the same bytes on the same topic twice).
    struct Held
    {
        int64_t count = 0;
        int64_t bytes = 0;
    };
    using HeldCharges = std::unordered_map<uint64_t, Held>;
    struct Session
    {
        int64_t messages = 0;
        int64_t bytes = 0;
        HeldCharges held;
        bool connected = false;
        int64_t absentSince = 0;
        // Its `$share/` filters, and those not subscribed again since the
        // last reconnect (with the time devices stop waiting for them).
        std::set<std::string> sharedFilters;
        std::set<std::string> pendingFilters;
        int64_t resubscribeUntil = 0;
        // Running totals of grantTotals() for `epoch`.
        std::string epoch;
        int64_t grantedMessages = 0;
        int64_t grantedBytes = 0;
    };
    Session &session(std::string_view sessionId);
    void drop(Session &s);
    void pay(Session &s, int64_t &messages, int64_t &bytes);
    bool payOne(Session &s, uint64_t delivery);
    // Pays `m` (at most its count) of the charges held at `it`, with their
    // share of its bytes, from the session and the totals; `it` moves on to
    // the next identity (the entry goes once nothing is held). The bytes paid.
    int64_t release(Session &s, HeldCharges::iterator &it, int64_t m);
    void forgetResumeChecks();

    Options m_options;
    std::unordered_map<std::string, Session> m_sessions;
    int64_t m_messages = 0;
    int64_t m_bytes = 0;
    const void *m_resuming = nullptr;
    std::string m_resumingId;
    // Read checks of the resume so far, per identity: those beyond what the
    // session holds are charged.
    std::unordered_map<uint64_t, int64_t> m_resumeSeen;
    // The device message admitted last, until it is charged or settled.
    bool m_admissionOpen = false;
    std::string m_admittedTopic;
    // `$share/` filters a device message was admitted for and reached no
    // session, with the time devices stop waiting for a subscription.
    std::unordered_map<std::string, int64_t> m_unrouted;
};

// Whether an MQTT topic filter (`+`, `#`; a `$share/{group}/` prefix is
// skipped) matches a topic name.
bool filterMatches(std::string_view filter, std::string_view topic);

} // namespace Provisio::HubAuth
