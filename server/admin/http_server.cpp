// Admin HTTP listener: accept loop, the per-connection request loop with Beast's limits and
// timeouts, and start/stop. Routing lives in http_router.cpp.
#include "server/admin/http_server.h"
#include "server/net/exception_text.h"

#include <spdlog/spdlog.h>

#include <array>
#include <fstream>

#include "protocol/status.h"

namespace tidings::server {
namespace {

AdminAuth load_auth(const config::Http& h) {
    AdminAuth a;
    if (!h.token.empty()) {
        a.token = h.token;
    } else if (!h.token_file.empty()) {
        std::ifstream in(h.token_file);
        std::string line;
        if (!in || !std::getline(in, line)) {
            a.token_problem = "http.token_file cannot be read";
            spdlog::error("event=admin_token_unreadable file={}", h.token_file);
        }
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
            line.pop_back();
        a.token = line;
        if (a.token.empty() && a.token_problem.empty()) a.token_problem = "http.token_file is empty";
    } else {
        a.token_problem = "no [http] token configured";
    }
    return a;
}

bool ep_is_loopback(const std::string& address) {
    boost::system::error_code ec;
    auto a = net::ip::make_address(address, ec);
    return !ec && a.is_loopback();
}

// A Beast read error that deserves an HTTP answer before closing, or 0 for a quiet close.
http::status status_for(const boost::system::error_code& ec) {
    if (ec == http::error::body_limit) return http::status::payload_too_large;
    if (ec == http::error::header_limit) return http::status::request_header_fields_too_large;
    if (ec == http::error::end_of_stream || ec == http::error::partial_message)
        return http::status::unknown;  // the client went away: nobody to answer
    if (ec.category() == make_error_code(http::error::bad_method).category())
        return http::status::bad_request;  // any other parse error: malformed HTTP
    return http::status::unknown;
}

// After an error answer sent mid-request (413, 431, 400), reads and drops what the client
// still sends for a moment: closing with unread input makes the kernel send RST, and the
// client could lose the answer before reading it (nginx's lingering_close).
awaitable<void> linger(beast::tcp_stream& stream) {
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 16384> sink;
    std::size_t dropped = 0;
    stream.expires_after(std::chrono::seconds(2));
    while (!ec && dropped < (std::size_t{1} << 20))
        dropped += co_await stream.async_read_some(net::buffer(sink), net::redirect_error(use_awaitable, ec));
}

// The router's answer, counted and logged; a handler that throws gets a 500 (a bug or an
// exhausted resource such as LMDB reader slots), and the node and other sessions go on.
awaitable<HttpResponse> answer(AdminContext& ctx, AdminServer& admin, HttpRequest req, std::uint64_t id) {
    const bool keep = req.keep_alive();
    const std::string target = protocol::sanitize_for_echo(std::string(req.target()));
    const std::string method = protocol::sanitize_for_echo(std::string(req.method_string()));
    HttpResponse res;
    bool failed = false;
    auto host = req.find(http::field::host);
    const bool has_host = host != req.end();
    const std::string_view host_value = has_host ? std::string_view(host->value().data(), host->value().size())
                                                 : std::string_view();
    if (!host_header_allowed(has_host, host_value, ctx.node.cfg().node.pathhost)) {
        spdlog::warn("admin={} event=refused reason=wrong_host target={}", id, target);
        res = error_response(http::status::forbidden, "Host names no address of this server", 11, keep);
        res.keep_alive(keep);
        ++admin.responses[res.result_int()];
        co_return res;
    }
    try {
        res = co_await handle_request(ctx, admin.auth, std::move(req));
    } catch (const std::exception& e) {
        spdlog::error("admin={} event=request_failed target={} what=\"{}\"", id, target, e.what());
        failed = true;
    }
    if (failed) res = error_response(http::status::internal_server_error, "internal error", 11, keep);
    res.keep_alive(keep);  // the router set Content-Length (also for HEAD)
    ++admin.responses[res.result_int()];
    spdlog::debug("admin={} event=request method={} target={} status={}", id, method, target, res.result_int());
    co_return res;
}

// One admin connection: requests in order, each answered before the next is read (admin
// clients do not pipeline, and this keeps memory per connection at one request).
awaitable<void> serve_admin(beast::tcp_stream stream, AdminContext& ctx,
                            std::shared_ptr<AdminServer> admin, std::uint64_t id) {
    NodeContext& node = ctx.node;
    admin->streams[id] = &stream;
    struct Unregister {
        AdminServer& a;
        std::uint64_t id;
        ~Unregister() { a.streams.erase(id); }
    } unregister{*admin, id};
    boost::system::error_code ec;
    beast::flat_buffer buffer(admin->limits.header_bytes + admin->limits.body_bytes);
    bool first = true;
    while (!node.stopping) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(admin->limits.header_bytes);
        parser.body_limit(admin->limits.body_bytes);
        // The first request gets the request timeout; a kept-alive connection may idle longer.
        stream.expires_after(first ? admin->limits.request_timeout : admin->limits.keep_alive_idle);
        co_await http::async_read_header(stream, buffer, parser, net::redirect_error(use_awaitable, ec));
        if (!ec && !parser.is_done()) {
            stream.expires_after(admin->limits.request_timeout);
            co_await http::async_read(stream, buffer, parser, net::redirect_error(use_awaitable, ec));
        }
        first = false;
        if (ec) {
            auto st = status_for(ec);
            if (ec == beast::error::timeout) ++admin->closed["timeout"];
            if (st == http::status::unknown) break;  // EOF, reset, timeout: quiet close
            ++admin->closed["bad_request"];
            spdlog::debug("admin={} event=bad_request error=\"{}\"", id, ec.message());
            auto res = error_response(st, ec.message());
            ++admin->responses[res.result_int()];
            stream.expires_after(admin->limits.request_timeout);
            co_await http::async_write(stream, res, net::redirect_error(use_awaitable, ec));
            co_await linger(stream);
            break;
        }
        const bool keep = parser.get().keep_alive();
        HttpResponse res = co_await answer(ctx, *admin, parser.release(), id);
        stream.expires_after(admin->limits.request_timeout);
        co_await http::async_write(stream, res, net::redirect_error(use_awaitable, ec));
        if (ec || !keep) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.close();
}

awaitable<void> accept_admin(AdminContext& ctx, std::shared_ptr<AdminServer> admin) {
    NodeContext& node = ctx.node;
    for (;;) {
        boost::system::error_code ec;
        tcp::socket socket = co_await admin->acceptor->async_accept(net::redirect_error(use_awaitable, ec));
        if (ec) {
            if (node.stopping || !admin->acceptor->is_open() || ec == net::error::operation_aborted) co_return;
            spdlog::warn("event=admin_accept_error error=\"{}\"", ec.message());
            net::steady_timer t(node.io, std::chrono::milliseconds(100));
            co_await t.async_wait(net::redirect_error(use_awaitable, ec));
            continue;
        }
        auto remote = socket.remote_endpoint(ec);
        if (ec) continue;
        // Strangers get nothing, not even a 403 body: the port should look closed to them.
        if (!config::matches_any(admin->settings.allow_hosts, remote.address().to_string())) {
            ++admin->closed["refused_host"];
            spdlog::warn("event=admin_refused remote={} reason=not_in_allow_hosts", remote.address().to_string());
            socket.close(ec);
            continue;
        }
        if (admin->streams.size() >= admin->limits.max_connections) {
            ++admin->closed["too_many"];
            socket.close(ec);
            continue;
        }
        std::uint64_t id = admin->next_id++;
        net::co_spawn(node.io, serve_admin(beast::tcp_stream(std::move(socket)), ctx, admin, id),
                      [id](std::exception_ptr e) {
                          if (!e) return;
                          spdlog::error("admin={} event=session_crash what=\"{}\"", id, exception_text(e));
                      });
    }
}

}  // namespace

bool start_admin(AdminContext& ctx) {
    NodeContext& node = ctx.node;
    const auto& h = node.cfg().http;
    if (!h.enabled) return true;
    auto admin = std::make_shared<AdminServer>();
    admin->settings = h;
    admin->auth = load_auth(h);
    try {
        tcp::endpoint ep(net::ip::make_address(h.address), h.port);
        admin->acceptor = std::make_unique<tcp::acceptor>(node.io);
        admin->acceptor->open(ep.protocol());
        admin->acceptor->set_option(net::socket_base::reuse_address(true));
        if (ep.address().is_v6()) admin->acceptor->set_option(net::ip::v6_only(true));
        admin->acceptor->bind(ep);
        admin->acceptor->listen(64);
        admin->address = h.address;
        admin->port = admin->acceptor->local_endpoint().port();
    } catch (const std::exception& e) {
        // The news service matters more than its dashboard: keep serving NNTP, say so loudly.
        spdlog::error("event=admin_listen_failed listen={}:{} error=\"{}\"", h.address, h.port, e.what());
        return false;
    }
    if (!ep_is_loopback(admin->address))
        spdlog::warn("event=admin_exposed listen={}:{} note=\"[http] address is not loopback\"",
                     admin->address, admin->port);
    spdlog::info("event=admin_start listen={}:{} mutations={}", admin->address, admin->port,
                 admin->auth.token.empty() ? "disabled" : "token");
    ctx.server = admin;
    net::co_spawn(node.io, accept_admin(ctx, admin), net::detached);
    return true;
}

std::vector<std::string> update_admin_access(AdminServer& admin, const config::Http& next) {
    std::vector<std::string> changed;
    if (next.token != admin.settings.token) changed.emplace_back("http.token");
    if (next.token_file != admin.settings.token_file) changed.emplace_back("http.token_file");
    if (next.allow_hosts != admin.settings.allow_hosts) changed.emplace_back("http.allow_hosts");
    // The token file is re-read on every reload: rotating the token is writing the file and
    // sending SIGHUP, with the path unchanged.
    AdminAuth auth = load_auth(next);
    if (auth.token != admin.auth.token && changed.empty()) changed.emplace_back("http.token_file contents");
    admin.settings.token = next.token;
    admin.settings.token_file = next.token_file;
    admin.settings.allow_hosts = next.allow_hosts;
    admin.auth = std::move(auth);
    return changed;
}

void stop_admin(AdminContext& ctx) {
    auto admin = ctx.server;
    if (!admin) return;
    boost::system::error_code ec;
    if (admin->acceptor) admin->acceptor->close(ec);
    for (auto& [id, s] : admin->streams) s->socket().close(ec);
}

}  // namespace tidings::server
