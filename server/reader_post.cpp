// POST (RFC 3977 §6.3.1) with injection per RFC 5537 §3.5. The article is read with the size
// limit enforced while it arrives (an over-long one is read to its end and dropped, never
// buffered), injected, then stored like any relayed article: filed, overviewed and queued for
// the peers that want it, all in one group commit; 240 is sent only after that commit.
#include "server/feeds.h"
#include "server/reader_util.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "protocol/article.h"
#include "protocol/dot_stuffing.h"
#include "protocol/injection.h"
#include "protocol/overview.h"
#include "protocol/status.h"

namespace tidings::server::reader {

namespace st = protocol::status;

namespace {

enum class Read { ok, too_big, closed };

awaitable<Read> read_article(Session& s, std::size_t limit, std::string& out) {
    protocol::BlockReader block(protocol::BlockMode::wire, limit);
    for (;;) {
        auto step = block.step(s.reader.pending(), out);
        s.reader.consume(step.consumed);
        if (step.status == protocol::BlockStatus::done) co_return Read::ok;
        if (step.status == protocol::BlockStatus::too_big_done) co_return Read::too_big;
        if (!co_await s.reader.fill(*s.conn)) co_return Read::closed;
    }
}

std::string overview_value(const protocol::ParsedArticle& a, std::string_view name) {
    std::string out;
    if (const auto* f = a.find(name)) protocol::append_overview_field(out, f->value);
    return out;
}

// A per-process counter for generated Message-IDs; seeded from the clock so that a restart
// within the same second does not reuse ids.
std::uint64_t next_unique() {
    static std::uint64_t n = static_cast<std::uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count() & 0xffffffffu) << 16;
    return ++n;
}

struct Prepared {
    std::string error;  // non-empty: 441 with this text
    storage::StoreRequest request;
};

Prepared prepare(Session& s, std::string wire) {
    Prepared p;
    const auto& cfg = s.cfg();
    auto parsed = protocol::parse_article(wire);
    std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    std::string id = protocol::make_message_id(cfg.node.domain, now, next_unique());
    protocol::Injection inj{cfg.node.pathhost, now, id, s.loopback ? std::string_view{} : std::string_view(s.ip)};
    auto r = protocol::inject_article(wire, parsed, inj);
    if (!r.error.empty()) {
        p.error = r.error;
        return p;
    }
    if (!cfg.node.organization.empty() && !parsed.find("Organization")) {
        // node.organization: added to local posts that carry none, as the last header field.
        auto end = r.text.find("\r\n\r\n");
        if (end != std::string::npos) {
            std::string org;
            protocol::append_overview_field(org, cfg.node.organization);  // one clean line
            r.text.insert(end + 2, "Organization: " + org + "\r\n");
        }
    }
    auto a = protocol::parse_article(r.text);
    std::string newsgroups = protocol::unfold(a.find("Newsgroups")->value);
    ReaderRights rights = reader_rights(s);
    {
        storage::Snapshot snap(s.node.store);
        if (snap.history(r.message_id)) {
            p.error = "Duplicate message-ID " + protocol::sanitize_for_echo(r.message_id);
            return p;
        }
        for (auto g : protocol::split_newsgroups(newsgroups)) {
            auto info = snap.group(g);
            if (!info || !may_read_group(rights, g)) {
                p.error = "No such newsgroup: " + protocol::sanitize_for_echo(g);
                return p;
            }
            if (!may_post_group(rights, g) || info->flag == 'n') {
                p.error = "Posting not allowed to " + protocol::sanitize_for_echo(g);
                return p;
            }
            if (info->flag == 'm' && !a.find("Approved")) {
                // No moderator mail here: a moderated group takes only approved articles.
                p.error = "Moderated group " + protocol::sanitize_for_echo(g) + ": not approved";
                return p;
            }
            if (std::find(p.request.groups.begin(), p.request.groups.end(), g) == p.request.groups.end())
                p.request.groups.emplace_back(g);
        }
    }
    auto& o = p.request.overview;
    o.subject = overview_value(a, "Subject");
    o.from = overview_value(a, "From");
    o.date = overview_value(a, "Date");
    o.message_id = r.message_id;
    o.references = overview_value(a, "References");
    o.lines = protocol::measure_article(r.text, a, protocol::BlockMode::wire).lines;
    std::string distribution;
    if (const auto* d = a.find("Distribution")) distribution = protocol::unfold(d->value);
    p.request.feeds =
        s.node.feeds().select(newsgroups, a.find("Path")->value, r.text.size(), nullptr, distribution);
    p.request.message_id = r.message_id;
    p.request.arrival = now;
    p.request.article = std::move(r.text);
    return p;
}

}  // namespace

awaitable<void> run_post(Session& s, const protocol::Command&) {
    ReaderRights rights = reader_rights(s);
    if (!rights.post) {
        answer(s, st::fail_post_auth, "Posting not permitted");
        co_return;
    }
    answer(s, st::cont_post, "Send article to be posted");
    std::string wire;
    Read got = co_await read_article(s, s.cfg().limits.max_article_bytes, wire);
    if (got == Read::closed) co_return;
    if (got == Read::too_big) {
        ++s.node.counters.refused["post_too_big"];
        answer(s, st::fail_post_reject, "Article too big");
        co_return;
    }
    Prepared p = prepare(s, std::move(wire));
    if (!p.error.empty()) {
        ++s.node.counters.refused["post_rejected"];
        spdlog::info("conn={} event=post_refused remote={} reason=\"{}\"", s.id, s.ip, p.error);
        answer(s, st::fail_post_reject, p.error);
        co_return;
    }
    std::string id = p.request.message_id;
    std::uint64_t ticket = s.conn->reserve();
    auto conn = s.conn;
    auto* node = &s.node;
    auto session_id = s.id;
    s.node.store.submit(std::move(p.request), [node, conn, ticket, id, session_id](storage::StoreResult r) {
        // The writer thread, after the commit: hop back to the I/O thread to answer.
        net::post(node->io, [node, conn, ticket, id, session_id, status = r.status] {
            if (status == storage::StoreStatus::stored) {
                spdlog::info("conn={} event=posted id={}", session_id, protocol::sanitize_for_echo(id, 250));
                notify_feeds(*node);  // send it on now, not at the senders' next poll
                conn->fill(ticket, protocol::response(st::ok_post, "Article posted " + id));
            } else if (status == storage::StoreStatus::duplicate) {
                conn->fill(ticket, protocol::response(st::fail_post_reject, "Duplicate message-ID"));
            } else {
                ++node->counters.deferred;
                conn->fill(ticket, protocol::response(st::fail_post_reject,
                                                      std::string("Posting failed: ") +
                                                          std::string(storage::to_string(status))));
            }
        });
    });
}

}  // namespace tidings::server::reader
