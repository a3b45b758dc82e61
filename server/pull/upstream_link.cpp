#include "server/pull/upstream_link.h"

#include "protocol/status.h"
#include "server/feeds/credentials.h"
#include "server/net/tls_context.h"

namespace tidings::server::pull {
namespace {

namespace st = protocol::status;
using namespace std::chrono_literals;
constexpr auto connect_timeout = 15s;

std::string answer_text(const std::optional<feed::Reply>& r) {
    return r ? feed::printable(r->line) : std::string("(no answer)");
}

}  // namespace

awaitable<std::string> open_upstream(net::io_context& io, const config::Upstream& up, const NodeIdentity& identity,
                                     std::shared_ptr<net::ssl::context>& tls, feed::Link& link, bool mode_reader) {
    // The login is read before connecting: a missing file costs the upstream nothing.
    std::optional<feed::Credentials> login;
    if (!up.auth_file.empty()) {
        auto read = feed::read_credentials(up.auth_file);
        if (!read.credentials) co_return "AUTHINFO: " + read.error;
        login = std::move(read.credentials);
    }
    link.timeout = std::chrono::seconds(up.timeout_s);
    const auto& where = *up.address;
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    auto endpoints = co_await resolver.async_resolve(where.host, std::to_string(where.port),
                                                     net::redirect_error(use_awaitable, ec));
    if (!ec) {
        link.stream.expires_after(connect_timeout);
        co_await link.stream.async_connect(endpoints, net::redirect_error(use_awaitable, ec));
    }
    if (ec) co_return "connect to " + where.host + ":" + std::to_string(where.port) + ": " + ec.message();
    // Pipelined ARTICLEs are written in bursts: no Nagle wait on the last of a burst.
    link.stream.socket().set_option(tcp::no_delay(true), ec);
    auto handshake = [&]() -> awaitable<std::string> {
        if (!tls) {
            try {
                tls = make_client_tls_context(up.tls_ca_file, identity.cert_file, identity.key_file);
            } catch (const std::exception& e) {
                co_return "TLS: tls_ca_file " + up.tls_ca_file + ": " + e.what();
            }
        }
        const feed::TlsTarget target{where.host, up.tls_server_name, up.tls_ca_file, up.tls_pin};
        std::string why = co_await feed::client_handshake(link, *tls, target);
        co_return why.empty() ? why : "TLS: " + why;
    };
    // RFC 8143 §4: implicit TLS from the first byte, the greeting inside it.
    if (up.tls == config::Tls::implicit) {
        std::string why = co_await handshake();
        if (!why.empty()) co_return why;
    }
    auto greeting = co_await link.read_reply();
    if (!greeting || (greeting->code != st::ok_banner_post && greeting->code != st::ok_banner_nopost))
        co_return "greeting: " + answer_text(greeting);
    if (up.tls == config::Tls::starttls) {
        link.out = "STARTTLS\r\n";
        if (!co_await link.flush()) co_return "connection lost";
        auto r = co_await link.read_reply();
        if (!r || r->code != st::cont_starttls) co_return "TLS: STARTTLS refused: " + answer_text(r);
        if (!link.in.empty()) co_return "TLS: data after the 382 answer to STARTTLS";
        std::string why = co_await handshake();
        if (!why.empty()) co_return why;
    }
    if (login) {
        std::string why = co_await feed::login(link, *login);
        if (!why.empty()) co_return "AUTHINFO: " + why;
    }
    if (!mode_reader) co_return std::string();
    // RFC 3977 §5.3: a mode-switching server becomes a reader; others answer 200/201 too, or
    // do not know the command (500), which is as good.
    link.out = "MODE READER\r\n";
    if (!co_await link.flush()) co_return "connection lost";
    auto r = co_await link.read_reply();
    if (!r) co_return "connection lost after MODE READER";
    if (r->code != st::ok_banner_post && r->code != st::ok_banner_nopost && r->code != st::err_command)
        co_return "MODE READER: " + answer_text(r);
    co_return std::string();
}

awaitable<ArticleAnswer> read_article_answer(feed::Link& link, std::size_t max_article) {
    ArticleAnswer a;
    auto r = co_await link.read_reply();
    if (!r) {
        a.why = "no answer";
        a.silent = true;
        co_return a;
    }
    if (r->code == st::fail_message_id) {
        a.kind = ArticleAnswer::Kind::missing;
        co_return a;
    }
    if (r->code != st::ok_article) {
        a.why = answer_text(r);
        co_return a;
    }
    auto block = co_await link.read_block(max_article + 4096);
    if (!block) {
        a.why = "the article was cut off, or over " + std::to_string(max_article) + " bytes";
        a.cut = true;
        co_return a;
    }
    a.kind = ArticleAnswer::Kind::article;
    a.text = std::move(*block);
    co_return a;
}

}  // namespace tidings::server::pull
