// Node start-up and shutdown: store, groups, listeners, the services wired to the dispatcher,
// signals, and the I/O loop. The one place that knows every subsystem.
#include "server/node/start.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <future>

#include "server/admin/http_server.h"
#include "server/core/cancel_lock.h"
#include "server/core/node_context.h"
#include "server/feeds/feeds.h"
#include "server/pull/pulls.h"
#include "server/peering/peering.h"
#include "server/reconcile/reconciliation.h"
#include "server/net/tls_context.h"
#include "server/nntp/dispatcher.h"
#include "server/nntp/listener.h"
#include "server/node/reload.h"
#include "server/node/summary.h"
#include "server/reader/reader.h"
#include "server/transit/transit.h"

namespace tidings::server {
namespace {

storage::Options store_options(const config::Config& cfg) {
    storage::Options o;
    o.dir = cfg.node.data_dir;
    o.pathhost = cfg.node.pathhost;
    o.durable = cfg.storage.durability == config::Durability::durable;
    o.initial_map_bytes = static_cast<std::size_t>(cfg.storage.initial_map_mb) << 20;
    o.free_space_floor_bytes = static_cast<std::uint64_t>(cfg.storage.free_space_floor_mb) << 20;
    o.batch_max_articles = cfg.storage.batch_max_articles;
    o.batch_max_bytes = static_cast<std::size_t>(cfg.storage.batch_max_kb) << 10;
    o.batch_deadline = std::chrono::microseconds(cfg.storage.batch_deadline_us);
    o.remember = std::chrono::hours(24) * cfg.expire.remember_days;
    o.default_retention = std::chrono::hours(24) * cfg.expire.default_days;
    // config/ says the first matching rule wins (as a reader of the file expects); storage/
    // lets the last one win, as INN's expire.ctl does: hand them over in reverse.
    for (auto r = cfg.expire.rules.rbegin(); r != cfg.expire.rules.rend(); ++r)
        o.retention_rules.push_back({r->pattern, std::chrono::hours(24) * r->days});
    o.expiry_interval = std::chrono::seconds(cfg.expire.interval_s);
    return o;
}

// Groups named in the configuration exist in the store (created on first start, flag
// updated when the file changes it). Groups created later by the admin are left alone.
void ensure_groups(const config::Config& cfg, storage::Store& store) {
    for (const auto& g : cfg.groups) {
        std::promise<bool> done;
        auto fut = done.get_future();
        const char flag = config::to_string(g.status)[0];  // y, n or m
        store.create_group(g.name, flag, "config", static_cast<std::int64_t>(std::time(nullptr)),
                           [&done](bool ok) { done.set_value(ok); });
        fut.get();  // false: it existed already
        std::promise<bool> flag_done;
        auto flag_fut = flag_done.get_future();
        store.set_group_flag(g.name, flag, [&flag_done](bool ok) { flag_done.set_value(ok); });
        flag_fut.get();
    }
    // The filter's quarantine group (hidden from readers; server/nntp/auth.cpp), flag `n`: no
    // local posting. Made when a rule quarantines and it is missing, as a reload does.
    if (!cfg.filter.quarantines()) return;
    std::promise<bool> made;
    auto made_fut = made.get_future();
    store.create_group(cfg.filter.quarantine_group, 'n', "filter", static_cast<std::int64_t>(std::time(nullptr)),
                       [&made](bool ok) { made.set_value(ok); });
    made_fut.get();
}

std::string roles_text(const ListenerInfo& l) {
    if (l.reader && l.transit) return "reader,transit";
    return l.reader ? "reader" : "transit";
}

// A bound NNTP listener.
struct Bound {
    std::unique_ptr<tcp::acceptor> acceptor;
    ListenerInfo info;
};

// Binds every [[listen]] (with its TLS context); false, logged, when one cannot be bound.
bool bind_listeners(net::io_context& io, const config::Config& cfg, const NodeIdentity& identity,
                    std::vector<Bound>& out) {
    for (const auto& l : cfg.listeners) {
        ListenerInfo info{l.address, l.port, l.reader, l.transit};
        try {
            info.tls = l.tls;
            if (l.tls != config::Tls::none)
                info.tls_context = l.tls_cert.empty() ? make_tls_context(identity.cert_file, identity.key_file)
                                                      : make_tls_context(l.tls_cert, l.tls_key);
            info.client_certs = l.client_certs;
            if (info.tls_context && l.client_certs != config::ClientCerts::none)
                request_client_certificates(*info.tls_context);
            tcp::endpoint ep(net::ip::make_address(l.address), l.port);
            auto a = std::make_unique<tcp::acceptor>(io);
            a->open(ep.protocol());
            a->set_option(net::socket_base::reuse_address(true));
            if (ep.address().is_v6()) a->set_option(net::ip::v6_only(true));
            a->bind(ep);
            a->listen(net::socket_base::max_listen_connections);
            info.port = a->local_endpoint().port();
            out.push_back({std::move(a), std::move(info)});
        } catch (const std::exception& e) {
            spdlog::critical("event=fatal listen={}:{} error=\"{}\"", l.address, l.port, e.what());
            return false;
        }
    }
    return true;
}

// <data_dir>/tidingsd.listen: the addresses actually bound, for scripts and tests that asked
// for port 0; and the start line in the log.
void announce(const config::Config& cfg, const std::vector<ListenerInfo>& infos, const AdminServer* admin) {
    auto data_dir = std::filesystem::absolute(cfg.node.data_dir).lexically_normal();
    {
        std::ofstream ports(data_dir / "tidingsd.listen", std::ios::trunc);
        for (const auto& i : infos) ports << "nntp " << i.address << ' ' << i.port << ' ' << roles_text(i) << '\n';
        if (admin) ports << "http " << admin->address << ' ' << admin->port << " admin\n";
    }
    std::string where;
    for (const auto& i : infos)
        where += (where.empty() ? "" : " ") + i.address + ":" + std::to_string(i.port) + "(" + roles_text(i) + ")";
    spdlog::info("event=start listen={} data_dir={} pathhost={}", where, data_dir.string(), cfg.node.pathhost);
}

// Ends every session's reading: each finishes the command it is in, answers what it owes
// and closes. Then the loop stops.
awaitable<void> drain_sessions(NodeContext& node, AdminContext& admin, Feeds& feeds, Pulls& pulls,
                               Reconciliation& reconciliation, Peering& peering, std::vector<Bound>& bound) {
    node.stopping = true;
    boost::system::error_code ec;
    for (auto& b : bound) b.acceptor->close(ec);
    stop_admin(admin);
    feeds.stop();
    pulls.stop();
    reconciliation.stop();
    peering.stop();
    for (auto& [id, conn] : node.sessions)
        if (auto c = conn.lock()) c->stop_reading();
    net::steady_timer t(node.io);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!node.sessions.empty() && std::chrono::steady_clock::now() < deadline) {
        t.expires_after(std::chrono::milliseconds(20));
        co_await t.async_wait(net::redirect_error(use_awaitable, ec));
    }
    for (auto& [id, conn] : node.sessions)
        if (auto c = conn.lock()) c->close();
    node.io.stop();
}

// The store, open, with the configured groups in it; null (logged) when it cannot be.
std::unique_ptr<storage::Store> open_store(const config::Config& cfg) {
    // The store creates the data folder (durably: storage/file_io.h, make_dirs_durable).
    try {
        auto store = storage::Store::open(store_options(cfg));
        ensure_groups(cfg, *store);
        return store;
    } catch (const std::exception& e) {
        spdlog::critical("event=fatal store={} error=\"{}\"", cfg.node.data_dir, e.what());
        return nullptr;
    }
}

}  // namespace

int run_node(const config::Config& cfg, const std::string& config_path) {
    std::unique_ptr<storage::Store> store = open_store(cfg);
    if (!store) return 1;
    NodeIdentity identity;
    try {
        identity = load_or_create_identity(cfg.node.identity_cert, cfg.node.identity_key, cfg.node.data_dir,
                                           cfg.node.pathhost);
    } catch (const std::exception& e) {
        spdlog::error("event=identity_failed error=\"{}\"", e.what());
        return 1;
    }
    spdlog::info("event=identity pin={} cert={}{}", identity.pin, identity.cert_file, identity.created ? " created=yes" : "");
    net::io_context io(1);
    NodeContext node(io, cfg, *store);
    node.identity = identity;
    try {
        node.cancel_lock_secret =
            load_or_create_cancel_secret(cfg.control.cancel_lock_secret_file, cfg.node.data_dir);
    } catch (const std::exception& e) {
        spdlog::error("event=cancel_lock_secret_failed error=\"{}\"", e.what());
        return 1;
    }
    Transit transit(node);
    Feeds feeds(node);
    Pulls pulls(node);
    Reconciliation reconciliation(node);
    // The store's writer hands outcomes to transit.store_acks until it has stopped: stop it
    // before `transit` goes, on every way out of this function (shutdown() is idempotent).
    struct StopStore {
        storage::Store& store;
        ~StopStore() { store.shutdown(); }
    } stop_store{*store};
    std::vector<Bound> bound;
    if (!bind_listeners(io, cfg, identity, bound)) return 1;
    for (const auto& b : bound) node.listeners.push_back(b.info);

    // The services, wired here and nowhere else: the dispatcher gets the reader's and
    // transit's handlers; the admin API gets the feeds and the reload.
    Dispatcher dispatcher;
    install_reader(dispatcher);
    transit.install(dispatcher);
    reconciliation.install(dispatcher);
    ReloadState reload_state{config_path, cfg.node.log_level, cfg.node.log_format, cfg.groups};
    AdminContext admin{node, feeds, {}, nullptr, &pulls, &reconciliation};
    auto reload = [&] { return reload_config(node, reload_state, feeds, admin.server.get()); };
    admin.reload = reload;
    Peering peering(node, reload);
    admin.peering = &peering;
    start_admin(admin);  // a failed admin bind is logged; NNTP goes on without it
    // Signals are caught before the listen file announces the node: a SIGHUP or SIGTERM sent
    // as soon as it appears (scripts, tests, systemd) must not meet the default action and
    // kill the process. They are handled once io.run() starts, after everything below.
    // SIGHUP: the same reload as POST /reload (server/node/reload.h).
    net::signal_set hup(io, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_hup =
        [&](const boost::system::error_code& ec, int) {
            if (ec || node.stopping) return;
            spdlog::info("event=reload_requested by=SIGHUP");
            reload();
            hup.async_wait(on_hup);
        };
    hup.async_wait(on_hup);
    net::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        spdlog::info("event=stopping signal={} sessions={}", signo, node.sessions.size());
        hup.cancel();
        net::co_spawn(io, drain_sessions(node, admin, feeds, pulls, reconciliation, peering, bound), net::detached);
    });

    announce(cfg, node.listeners, admin.server.get());

    for (auto& b : bound)
        net::co_spawn(io, accept_connections(*b.acceptor, node, dispatcher, b.info), net::detached);
    feeds.start();
    pulls.start();
    reconciliation.watch_feeds(&feeds);
    reconciliation.start();
    peering.start();
    start_summaries(admin);

    io.run();
    store->shutdown();
    spdlog::info("event=stopped");
    return 0;
}

}  // namespace tidings::server
