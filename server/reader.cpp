// Reader service entry points: the generic reader checks, in a fixed order (listener role,
// access, syntax), then the command family (reader_*.cpp, auth.cpp, tls.cpp).
#include "server/reader.h"

#include <spdlog/spdlog.h>

#include <cctype>

#include "protocol/status.h"
#include "server/auth.h"
#include "server/reader_util.h"
#include "server/tls.h"

namespace tidings::server {

namespace st = protocol::status;

bool is_reader_command(protocol::Kind k) noexcept {
    using K = protocol::Kind;
    switch (k) {
        case K::article: case K::body: case K::head: case K::stat: case K::group:
        case K::listgroup: case K::last: case K::next: case K::over: case K::hdr: case K::list:
        case K::newgroups: case K::newnews: case K::post: case K::mode_reader:
        case K::authinfo_user: case K::authinfo_pass: case K::authinfo_sasl: case K::starttls:
        case K::compress: case K::xover: case K::xhdr: case K::xpat: case K::xgtitle:
            return true;
        default:
            return false;
    }
}

namespace {

void push(Session& s, int code, std::string_view text) { s.conn->push(protocol::response(code, text)); }

// COMPRESS DEFLATE (RFC 8054 §2.2): 206, then everything after it is compressed both ways.
awaitable<void> run_compress(Session& s, const protocol::ParseResult& parsed) {
    if (!parsed.ok()) {
        push(s, parsed.code, parsed.text);
        co_return;
    }
    if (s.compress_active) {
        push(s, st::err_access, "DEFLATE compression already active");
        co_return;
    }
    std::string algorithm(parsed.command.argument);
    for (auto& ch : algorithm) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (algorithm != "DEFLATE") {
        push(s, st::err_unavailable, "Compression algorithm not supported");
        co_return;
    }
    push(s, st::ok_compress, "Compression active");
    co_await s.conn->wait_for_room(0, 0);  // the 206 goes out as it is
    // The client may not send more before it sees the 206 (§2.2.2); what it did is compressed.
    s.conn->start_compress(s.reader.pending());
    s.reader.consume(s.reader.pending().size());
    s.compress_active = true;
    spdlog::info("conn={} event=compress remote={}", s.id, s.ip);
}

}  // namespace

awaitable<void> run_reader(Session& s, const protocol::ParseResult& parsed) {
    using K = protocol::Kind;
    const protocol::Command& c = parsed.command;
    // Commands open before authentication (RFC 4643 §2.2: AUTHINFO and STARTTLS themselves).
    switch (c.kind) {
        case K::authinfo_user: case K::authinfo_pass: case K::authinfo_sasl:
            co_await run_authinfo(s, parsed);
            co_return;
        case K::starttls:
            if (!parsed.ok()) push(s, parsed.code, parsed.text);
            else co_await run_starttls(s);
            co_return;
        case K::compress:
            co_await run_compress(s, parsed);
            co_return;
        case K::xgtitle:
            push(s, st::err_unavailable, "Command not available on this server");
            co_return;
        default:
            break;
    }
    if (!s.info.reader) {
        push(s, st::err_access, "Reading is not offered on this port");
        co_return;
    }
    ReaderRights rights = reader_rights(s);
    if (c.kind == K::mode_reader) {
        // Always in reader mode: say whether posting is allowed (RFC 3977 §5.3).
        if (rights.post) push(s, st::ok_banner_post, "Posting allowed");
        else push(s, st::ok_banner_nopost, "Posting prohibited");
        co_return;
    }
    if (!rights.read) {
        push(s, st::fail_auth_needed, "Authentication required");
        co_return;
    }
    if (!parsed.ok()) {
        push(s, parsed.code, parsed.text);
        co_return;
    }
    switch (c.kind) {
        case K::group: co_await reader::run_group(s, c); break;
        case K::listgroup: co_await reader::run_listgroup(s, c); break;
        case K::last: case K::next: co_await reader::run_last_next(s, c); break;
        case K::article: case K::head: case K::body: case K::stat: co_await reader::run_article(s, c); break;
        case K::over: case K::xover: co_await reader::run_over(s, c); break;
        case K::hdr: case K::xhdr: case K::xpat: co_await reader::run_hdr(s, c); break;
        case K::list: co_await reader::run_list(s, c); break;
        case K::newgroups: co_await reader::run_newgroups(s, c); break;
        case K::newnews: co_await reader::run_newnews(s, c); break;
        case K::post: co_await reader::run_post(s, c); break;
        default: push(s, st::err_unavailable, "Command not available on this server"); break;
    }
}

void add_reader_capabilities(const Session& s, CapabilityState& c) {
    c.authinfo_user = authinfo_available(s);
    c.starttls = starttls_available(s);
    c.compress = !s.compress_active;
    if (!s.info.reader) return;
    ReaderRights r = reader_rights(s);
    c.reader = true;
    c.post = r.post;
    c.over_msgid = true;
    c.hdr = true;
    c.newnews = true;
    c.list_keywords = {"ACTIVE", "ACTIVE.TIMES", "COUNTS", "DISTRIB.PATS", "HEADERS"};
    if (!s.cfg().node.motd.empty()) c.list_keywords.push_back("MOTD");
    c.list_keywords.push_back("NEWSGROUPS");
    c.list_keywords.push_back("OVERVIEW.FMT");
}

}  // namespace tidings::server
