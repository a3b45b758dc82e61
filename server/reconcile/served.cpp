// The responder's side of XRECONCILE: a configured peer opens an item set, sends messages we
// answer, then asks for the Message-IDs of what it lacks (to fetch them) or has us queue
// them to our feed to it. Limits: reconcile.max_sessions sets at once,
// max_rounds and max_seconds per session, messages of at most twice max_message_bytes.
#include "server/reconcile/reconciliation.h"

#include "protocol/status.h"
#include "protocol/yenc_block.h"
#include "server/core/store_wait.h"
#include "server/net/off_thread.h"
#include "server/nntp/dispatcher.h"
#include "server/nntp/read_block.h"
#include "server/reconcile/shared.h"

#include <chrono>
#include <functional>

namespace tidings::server {

namespace st = protocol::status;
namespace rc = protocol::reconcile;

struct Reconciliation::Served {
    std::shared_ptr<reconcile::BuiltSet> set;  // null while it is being built
    std::unique_ptr<rc::Reconciler> reconciler;
    std::uint32_t rounds = 0;
    std::chrono::steady_clock::time_point opened = std::chrono::steady_clock::now();
};

namespace reconcile {

namespace {

// Items an item set may hold (memory: about 100 bytes each).
constexpr std::size_t max_set_items = 20'000'000;

// The block a message is read from: yEnc adds a few percent, lines add two bytes per 128.
std::size_t block_limit(std::size_t bytes) { return bytes + bytes / 16 + 1024; }

}  // namespace

awaitable<std::shared_ptr<BuiltSet>> build_set_off_thread(NodeContext& node, const Window& w) {
    const storage::Store* store = &node.store;
    std::function<std::shared_ptr<BuiltSet>()> job = [store, w] { return build_set(*store, w, max_set_items); };
    auto set = co_await run_off_thread(node.io, std::move(job));
    co_return set;
}

rc::Limits limits_of(const config::Reconcile& c) {
    rc::Limits l;
    l.max_message_bytes = c.max_message_bytes;
    l.max_input_bytes = 2 * c.max_message_bytes;
    l.max_differences = c.max_differences;
    return l;
}

config::Upstream as_endpoint(const config::Peer& p) {
    config::Upstream u;
    u.name = p.name;
    u.address = p.outgoing;
    u.tls = p.tls;
    u.tls_pin = p.tls_pin;
    u.tls_ca_file = p.tls_ca_file;
    u.tls_server_name = p.tls_server_name;
    u.auth_file = p.auth_file;
    u.timeout_s = 120;
    return u;
}

awaitable<std::size_t> enqueue_for(NodeContext& node, const std::string& peer, std::vector<std::string> names) {
    auto waiter = std::make_shared<Waiter>(node.io);
    auto count = std::make_shared<std::size_t>(0);
    node.store.enqueue(peer, std::move(names), [count, done = completion(waiter)](std::size_t n) mutable {
        *count = n;  // read on the I/O thread only after done() posted there
        done(true);
    });
    co_await wait_for(waiter);
    if (node.wake_feeds) node.wake_feeds();
    co_return *count;
}

awaitable<void> serve_open(ReconcileSessions& sessions, ServedReconcileStats& served, Session& s,
                           const protocol::ParseResult& p) {
    const config::Reconcile& cfg = s.cfg().reconcile;
    if (!cfg.serve) {
        s.conn->push(protocol::response(st::err_access, "Reconciliation not offered"));
        co_return;
    }
    if (!sessions.count(s.id) && sessions.size() >= cfg.max_sessions) {
        ++served.refused;
        s.conn->push(protocol::response(st::fail_reconcile_limit, "Too many reconciliations at once; try later"));
        co_return;
    }
    Window w;
    w.wildmat = std::string(p.command.wildmat);
    w.since = p.command.since;
    w.until = p.command.until;
    w.salt = *parse_salt(p.command.salt);  // the parser checked its form
    auto entry = std::make_shared<Reconciliation::Served>();
    sessions[s.id] = entry;  // counts against max_sessions while it is built
    auto set = co_await build_set_off_thread(s.node, w);
    auto it = sessions.find(s.id);
    if (it == sessions.end() || it->second != entry) co_return;  // the session ended meanwhile
    if (set->too_many) {
        sessions.erase(it);
        ++served.refused;
        s.conn->push(protocol::response(st::fail_reconcile_limit, "Too many articles in that window"));
        co_return;
    }
    entry->set = std::move(set);
    entry->reconciler = std::make_unique<rc::Reconciler>(entry->set->set, rc::Reconciler::Role::responder, limits_of(cfg));
    entry->opened = std::chrono::steady_clock::now();
    ++served.sessions;
    served.active = sessions.size();
    spdlog::info("event=reconcile_open session={} peer={} items={} scanned={}", s.id, s.peer ? s.peer->name : "-",
                 entry->set->set.size(), entry->set->scanned);
    s.conn->push(protocol::response(st::ok_reconcile_open, std::to_string(entry->set->set.size()) + " items"));
}

namespace {

// The open session of `s`, or an answer saying why there is none (and the entry dropped when
// a limit ended it).
std::shared_ptr<Reconciliation::Served> usable(ReconcileSessions& sessions,
                                               ServedReconcileStats& served, Session& s) {
    auto it = sessions.find(s.id);
    if (it == sessions.end() || !it->second->set) {
        s.conn->push(protocol::response(st::fail_reconcile_none));
        return nullptr;
    }
    const config::Reconcile& cfg = s.cfg().reconcile;
    auto age = std::chrono::steady_clock::now() - it->second->opened;
    if (it->second->rounds >= cfg.max_rounds || age > std::chrono::seconds(cfg.max_seconds)) {
        sessions.erase(it);
        served.active = sessions.size();
        ++served.refused;
        s.conn->push(protocol::response(st::fail_reconcile_limit, "Round or time limit reached; session closed"));
        return nullptr;
    }
    return it->second;
}

}  // namespace

awaitable<void> serve_round(ReconcileSessions& sessions,
                            ServedReconcileStats& served, Session& s) {
    auto entry = usable(sessions, served, s);
    if (!entry) co_return;
    const std::size_t max_in = 2 * s.cfg().reconcile.max_message_bytes;
    s.conn->push(protocol::response(st::cont_reconcile));
    std::string text;
    BlockRead b = co_await read_block(s, block_limit(max_in), text);
    if (b == BlockRead::closed) co_return;
    served.bytes_in += text.size();
    if (b == BlockRead::too_big) {
        s.conn->push(protocol::response(st::fail_reconcile_message, "Message too big"));
        co_return;
    }
    auto bytes = protocol::yenc_decode_block(text);
    if (!bytes) {
        s.conn->push(protocol::response(st::fail_reconcile_message, "Not a yEnc block"));
        co_return;
    }
    ++entry->rounds;
    ++served.rounds;
    auto result = entry->reconciler->step(*bytes, nullptr);
    if (result.error != rc::Error::none) {
        s.conn->push(protocol::response(st::fail_reconcile_message, rc::to_string(result.error)));
        co_return;
    }
    std::string answer = protocol::response(st::ok_reconcile_round, std::to_string(result.out.size()) + " bytes");
    answer += protocol::yenc_encode_block(result.out);
    answer += ".\r\n";
    served.bytes_out += answer.size();
    s.conn->push(std::move(answer));
}

namespace {

// The block of 8-byte short ids that follows a 390 (SEND, NAMES): the Message-IDs of our
// items with those ids; nullopt after a 491 answer, or when the connection closed.
awaitable<std::optional<std::vector<std::string>>> read_short_ids(const Reconciliation::Served& entry,
                                                                   ServedReconcileStats& served, Session& s) {
    const config::Reconcile& cfg = s.cfg().reconcile;
    s.conn->push(protocol::response(st::cont_reconcile));
    std::string text;
    BlockRead b = co_await read_block(s, block_limit(cfg.max_differences * rc::short_id_bytes), text);
    if (b == BlockRead::closed) co_return std::nullopt;
    served.bytes_in += text.size();
    auto bytes = b == BlockRead::ok ? protocol::yenc_decode_block(text) : std::nullopt;
    if (!bytes || bytes->size() % rc::short_id_bytes != 0) {
        s.conn->push(protocol::response(st::fail_reconcile_message, b == BlockRead::too_big ? "Too many ids" : "Malformed id list"));
        co_return std::nullopt;
    }
    std::vector<std::string> names;
    for (std::size_t at = 0; at < bytes->size(); at += rc::short_id_bytes) {
        std::uint64_t id = 0;
        for (std::size_t k = 0; k < rc::short_id_bytes; ++k) id = (id << 8) | static_cast<std::uint8_t>((*bytes)[at + k]);
        for (auto& n : entry.set->lookup(id)) names.push_back(std::move(n));
    }
    co_return names;
}

}  // namespace

awaitable<void> serve_names(ReconcileSessions& sessions, ServedReconcileStats& served, Session& s) {
    auto entry = usable(sessions, served, s);
    if (!entry) co_return;
    auto names = co_await read_short_ids(*entry, served, s);
    if (!names) co_return;
    // Message-IDs begin with '<': no line needs dot-stuffing (RFC 3977 §3.1.1).
    std::string answer = protocol::response(st::ok_reconcile_names, std::to_string(names->size()) + " Message-IDs follow");
    for (const auto& n : *names) answer += n + "\r\n";
    answer += ".\r\n";
    served.bytes_out += answer.size();
    served.named += names->size();
    spdlog::info("event=reconcile_names session={} peer={} named={}", s.id, s.peer ? s.peer->name : "-", names->size());
    s.conn->push(std::move(answer));
}

awaitable<void> serve_send(ReconcileSessions& sessions, ServedReconcileStats& served, Session& s) {
    auto entry = usable(sessions, served, s);
    if (!entry) co_return;
    // Refused before 390, so no block follows: we can only queue to a feed we send.
    if (!s.peer || !s.peer->outgoing) {
        s.conn->push(protocol::response(st::fail_reconcile_nofeed));
        co_return;
    }
    auto names = co_await read_short_ids(*entry, served, s);
    if (!names) co_return;
    const std::size_t asked = names->size();
    std::string peer = s.peer->name;
    const std::size_t queued = co_await enqueue_for(s.node, peer, std::move(*names));
    served.queued += queued;
    spdlog::info("event=reconcile_send session={} peer={} asked={} queued={}", s.id, peer, asked, queued);
    s.conn->push(protocol::response(st::ok_reconcile_send, std::to_string(queued) + " queued"));
}

}  // namespace reconcile
}  // namespace tidings::server
