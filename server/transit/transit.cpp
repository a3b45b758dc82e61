// Transit: IHAVE, MODE STREAM, CHECK and TAKETHIS from feeding peers.
//
// Answers go through the connection's ordered queue: CHECK is answered at once (history and
// the in-flight table decide), TAKETHIS/IHAVE reserve their place and are filled when the
// store's group commit returns, so 239/235 is never sent before the article is durable, while
// the command loop already reads and parses the next articles.
#include "server/transit/transit.h"

#include <spdlog/spdlog.h>

#include "protocol/dot_stuffing.h"
#include "protocol/status.h"
#include "server/core/filter_note.h"
#include "server/core/group_control.h"
#include "server/core/withdraw.h"
#include "server/nntp/read_block.h"

namespace tidings::server {
namespace {

namespace st = protocol::status;

using Clock = std::chrono::steady_clock;

void release_id(Transit& t, const std::string& id, std::uint64_t session) { t.in_flight.release(id, session); }

bool held_body_by_other(const Transit& t, const std::string& id, std::uint64_t session) {
    return t.in_flight.held_body_by_other(id, session);
}

void hold_id(Transit& t, const std::string& id, std::uint64_t session, bool body) {
    t.in_flight.hold(id, session, body, Clock::now());
}

// Article bytes submitted to the store and not yet committed, across all sessions: past this,
// sessions stop reading until the writer catches up (memory stays bounded).

std::string id_response(int code, std::string_view id) {
    return protocol::response(code, id);
}

// Per-peer outcome counters (the admin API's tidings_peer_received_articles_total).
Counters::PeerIncoming* incoming(NodeContext& node, std::string_view peer) {
    if (peer.empty() || peer == "-") return nullptr;
    auto it = node.counters.incoming_by_peer.find(peer);
    if (it == node.counters.incoming_by_peer.end())
        it = node.counters.incoming_by_peer.emplace(std::string(peer), Counters::PeerIncoming{}).first;
    return &it->second;
}

void count_refusal(NodeContext& node, const Session& s, std::string_view id, std::string_view reason,
                   std::string_view detail) {
    ++node.counters.refused[std::string(reason)];
    if (auto* in = incoming(node, s.peer ? std::string_view(s.peer->name) : std::string_view())) {
        if (reason == "duplicate" || reason == "in_progress") ++in->refused;
        else ++in->rejected;
    }
    // Configured peers' protocol problems are worth a warning only when they are not the
    // everyday duplicates.
    // A filter's refusal has its own line (note_filter_match, with the rule).
    if (reason == "duplicate" || reason == "in_progress" || reason == "filter")
        spdlog::debug("conn={} peer={} event=refused id={} reason={}", s.id, s.peer ? s.peer->name : "-",
                      protocol::sanitize_for_echo(id), reason);
    else
        spdlog::info("conn={} peer={} event=refused id={} reason={} detail=\"{}\"", s.id,
                     s.peer ? s.peer->name : "-", protocol::sanitize_for_echo(id), reason, detail);
}

// Remember a refused id so a re-offer is answered from history (INN's history does the same).
// Until the writer has committed it, the id is kept in memory so that an immediate re-offer
// is refused too.
void remember_rejected(Transit& t, std::string id,
                       storage::HistoryStatus why = storage::HistoryStatus::rejected) {
    t.being_remembered.insert(id);
    auto* tp = &t;
    t.node.store.remember(id, why, [tp, id](bool) {
        net::post(tp->node.io, [tp, id] { tp->being_remembered.erase(id); });
    });
}

enum class Known { no, in_history, in_progress };

Known known(const Transit& t, const storage::Snapshot& snap, const std::string& id, std::uint64_t session) {
    if (t.being_remembered.count(id) || snap.history(id)) return Known::in_history;
    if (t.in_flight.held_by_other(id, session, Clock::now())) return Known::in_progress;
    return Known::no;
}

// Which answers a store outcome gets, for IHAVE and TAKETHIS.
constexpr AckCodes takethis_codes{st::ok_takethis, st::fail_takethis_reject, st::fail_takethis_reject,
                               st::fail_terminating};
constexpr AckCodes ihave_codes{st::ok_ihave, st::fail_ihave_refuse, st::fail_ihave_reject,
                            st::fail_ihave_defer};

// Validates, stores and answers one received article; `ticket` is its reserved answer.
void accept_article(Transit& t, Session& s, std::string id, std::string wire, std::uint64_t ticket,
                    AckCodes codes) {
    NodeContext& node = s.node;
    IngestVerdict v;
    {
        storage::Snapshot snap(node.store);
        if (t.being_remembered.count(id) || snap.history(id)) {
            release_id(t, id, s.id);
            count_refusal(node, s, id, "duplicate", "");
            s.conn->fill(ticket, id_response(codes.duplicate, id));
            return;
        }
        const Filtering filtering = node.filtering();
        v = prepare_transit_article(node.cfg(), node.feeds(), s.peer, id, std::move(wire), snap, &filtering);
    }
    if (v.filter) note_filter_match(node, s.id, s.peer ? std::string_view(s.peer->name) : "-", id, *v.filter);
    if (!v.accept) {
        release_id(t, id, s.id);
        count_refusal(node, s, id, v.reason, v.detail);
        s.conn->fill(ticket, id_response(codes.rejected, id));
        if (v.remember) remember_rejected(t, id);
        return;
    }
    // RFC 5537 §5.3: a cancel that came first (and waited for this article's Cancel-Lock).
    if (cancelled_on_arrival(node, id, v.request.article)) {
        release_id(t, id, s.id);
        count_refusal(node, s, id, "cancelled", "a cancel with a matching key came first");
        s.conn->fill(ticket, id_response(codes.rejected, id));
        remember_rejected(t, id, storage::HistoryStatus::cancelled);
        return;
    }
    if (v.withdrawal) apply_withdrawal(node, *v.withdrawal, id, s.peer ? std::string_view(s.peer->name) : "-");
    std::uint64_t bytes = v.request.article.size();
    node.store_budget.take(*s.conn, bytes);
    StoreAck ack{s.conn, ticket, std::move(id), bytes, codes, s.id, s.peer ? s.peer->name : "-",
                 std::chrono::steady_clock::now() /* the article's last byte is in */, {}, v.group_control};
    // Runs on the store's writer thread after the commit; StoreAcks hands it to the I/O thread.
    node.store.submit(std::move(v.request), [acks = &t.store_acks, ack = std::move(ack)](storage::StoreResult r) mutable {
        ack.result = std::move(r);
        acks->push(std::move(ack));
    });
}

}  // namespace

Transit::Transit(NodeContext& node)
    : node(node), store_acks(node.io, [this](StoreAck& a) { deliver(a); }) {}

void Transit::deliver(StoreAck& a) {
    const AckCodes& codes = a.codes;
    auto& conn = a.conn;
    node.store_budget.give_back(*conn, a.bytes);
    release_id(*this, a.id, a.session_id);
    auto* in = incoming(node, a.peer);
    switch (a.result.status) {
        case storage::StoreStatus::stored:
            ++node.counters.accepted;
            if (in) ++in->accepted;
            node.counters.observe_ack(std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::steady_clock::now() - a.received));
            conn->fill(a.ticket, id_response(codes.ok, a.id));
            if (node.wake_feeds) node.wake_feeds();
            if (a.group_control)
                net::co_spawn(node.io, run_group_control(node, a.id, std::move(a.result.request.article), a.peer),
                              net::detached);
            break;
        case storage::StoreStatus::duplicate:
            ++node.counters.refused["duplicate"];
            if (in) ++in->refused;
            conn->fill(a.ticket, id_response(codes.duplicate, a.id));
            break;
        case storage::StoreStatus::rejected:
            ++node.counters.refused["store_rejected"];
            if (in) ++in->rejected;
            conn->fill(a.ticket, id_response(codes.rejected, a.id));
            break;
        default:
            // Not stored, not acknowledged: the peer must offer it again later.
            ++node.counters.deferred;
            if (in) ++in->deferred;
            spdlog::warn("conn={} peer={} event=deferred id={} status={}", a.session_id, a.peer,
                         protocol::sanitize_for_echo(a.id), storage::to_string(a.result.status));
            if (codes.deferred == st::fail_terminating) {
                // TAKETHIS has no "try later" answer (RFC 4644 §2.5): like a throttled
                // innd, say 400 and close; the peer re-offers after reconnecting.
                conn->fill(a.ticket, protocol::response(st::fail_terminating,
                                                        "Cannot store articles now, try later"));
                conn->set_close_reason(CloseReason::limit);
                conn->stop_reading();
            } else {
                conn->fill(a.ticket, id_response(codes.deferred, a.id));
            }
            break;
    }
}

namespace {

// The offer step shared by CHECK and IHAVE: refuses an id we have (refuse_code) or that another
// connection is sending now (defer_code); otherwise reserves it for this session, so another
// peer's offer gets defer_code until it is stored or dropped, and returns true.
bool take_offer(Transit& t, Session& s, const std::string& id, int refuse_code, int defer_code, bool body) {
    storage::Snapshot snap(s.node.store);
    switch (known(t, snap, id, s.id)) {
        case Known::in_history:
            count_refusal(s.node, s, id, "duplicate", "");
            s.conn->push(id_response(refuse_code, id));
            return false;
        case Known::in_progress:
            count_refusal(s.node, s, id, "in_progress", "");
            s.conn->push(id_response(defer_code, id));
            return false;
        case Known::no:
            break;
    }
    hold_id(t, id, s.id, body);
    return true;
}

awaitable<void> run_check(Transit& t, Session& s, const protocol::ParseResult& parsed) {
    std::string id(parsed.command.message_id);
    if (t.in_flight.promises(s.id) >= s.cfg().limits.max_check_promises) {
        // A peer that asks for ids and sends no articles cannot grow the table without bound:
        // RFC 4644 §2.4's 431 ("try again later") until its promises are kept or lapse.
        count_refusal(s.node, s, id, "max_check_promises", "");
        s.conn->push(id_response(st::fail_check_defer, id));
        co_return;
    }
    if (take_offer(t, s, id, st::fail_check_refuse, st::fail_check_defer, /*body=*/false))
        s.conn->push(id_response(st::ok_check, id));
    co_return;
}

awaitable<void> run_takethis(Transit& t, Session& s, const protocol::ParseResult& parsed) {
    // RFC 4644 §2.5: the article always follows TAKETHIS; read it whatever the answer. (The
    // dispatcher reads it away itself when it refuses the command.)
    std::size_t limit = s.peer->max_article_bytes;
    std::string wire;
    co_await wait_for_store_room(s.node, *s.conn);
    // Hold the id while its article streams in, so other peers' CHECKs get 431 meanwhile. Only
    // another article on its way keeps it from us: a mere CHECK promise from another peer is
    // taken over, since this article is in hand (its 238 peer then gets 439, a duplicate).
    std::string id(parsed.command.message_id);
    const bool mine = !held_body_by_other(t, id, s.id);
    if (mine) hold_id(t, id, s.id, /*body=*/true);
    BlockRead b = co_await read_block(s, limit, wire);
    if (b == BlockRead::closed) {
        if (mine) release_id(t, id, s.id);
        co_return;
    }
    if (b == BlockRead::too_big) {
        count_refusal(s.node, s, id, "too_big", "over max_article_bytes");
        if (mine) release_id(t, id, s.id);
        s.conn->push(id_response(st::fail_takethis_reject, id));
        remember_rejected(t, id);
        co_return;
    }
    if (held_body_by_other(t, id, s.id)) {
        // Another peer's copy is being received or stored; TAKETHIS has no "later" answer.
        count_refusal(s.node, s, id, "in_progress", "");
        s.conn->push(id_response(st::fail_takethis_reject, id));
        co_return;
    }
    hold_id(t, id, s.id, /*body=*/true);  // history is checked with the article (accept_article)
    std::uint64_t ticket = s.conn->reserve();
    accept_article(t, s, std::move(id), std::move(wire), ticket, takethis_codes);
}

awaitable<void> run_ihave(Transit& t, Session& s, const protocol::ParseResult& parsed) {
    std::string id(parsed.command.message_id);
    if (!take_offer(t, s, id, st::fail_ihave_refuse, st::fail_ihave_defer, /*body=*/true)) co_return;
    s.conn->push(protocol::response(st::cont_ihave, "Send it; end with <CR-LF>.<CR-LF>"));
    co_await wait_for_store_room(s.node, *s.conn);
    std::string wire;
    std::size_t limit = s.peer->max_article_bytes;
    BlockRead b = co_await read_block(s, limit, wire);
    if (b == BlockRead::closed) {
        release_id(t, id, s.id);
        co_return;
    }
    if (b == BlockRead::too_big) {
        release_id(t, id, s.id);
        count_refusal(s.node, s, id, "too_big", "over max_article_bytes");
        s.conn->push(id_response(st::fail_ihave_reject, id));
        remember_rejected(t, id);
        co_return;
    }
    std::uint64_t ticket = s.conn->reserve();
    accept_article(t, s, std::move(id), std::move(wire), ticket, ihave_codes);
}

awaitable<void> run_mode_stream(Session& s, const protocol::ParseResult&) {
    s.streaming = true;
    s.conn->push(protocol::response(st::ok_stream, "Streaming permitted"));
    co_return;
}

}  // namespace

void Transit::install(Dispatcher& d) {
    using K = protocol::Kind;
    d.handle(K::mode_stream, run_mode_stream);
    d.handle(K::check, [this](Session& s, const protocol::ParseResult& p) { return run_check(*this, s, p); });
    d.handle(K::takethis, [this](Session& s, const protocol::ParseResult& p) { return run_takethis(*this, s, p); });
    d.handle(K::ihave, [this](Session& s, const protocol::ParseResult& p) { return run_ihave(*this, s, p); });
    d.on_session_end([this](std::uint64_t id) { release_session(id); });
}

void Transit::release_session(std::uint64_t session_id) { in_flight.release_session(session_id); }

}  // namespace tidings::server
