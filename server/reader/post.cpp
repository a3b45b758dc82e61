// POST (RFC 3977 §6.3.1) with injection per RFC 5537 §3.5. The article is read with the size
// limit enforced while it arrives (an over-long one is read to its end and dropped, never
// buffered), injected, then stored like any relayed article: filed, overviewed and queued for
// the peers that want it, all in one group commit; 240 is sent only after that commit.
#include "server/reader/util.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "protocol/article.h"
#include "server/net/address_key.h"
#include "config/checks.h"
#include "protocol/injection.h"
#include "protocol/moderation.h"
#include "protocol/overview.h"
#include "protocol/status.h"
#include "protocol/wildmat.h"
#include "protocol/control.h"
#include "server/core/cancel_lock.h"
#include "server/core/filter_note.h"
#include "server/core/group_control.h"
#include "server/core/ingest.h"
#include "server/core/withdraw.h"
#include "server/net/mailer.h"
#include "server/net/off_thread.h"
#include "server/nntp/read_block.h"

namespace tidings::server::reader {

namespace st = protocol::status;

namespace {

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
    // Set: unapproved for this moderated group (the first in Newsgroups): mail, do not store.
    std::string moderated_group;
    std::optional<WithdrawalPlan> withdrawal;  // a cancel or Supersedes, judged
    bool group_control = false;  // a newgroup/rmgroup/checkgroups, acted on once stored
};

// Adds `element` to the header field `name` of `text` (CRLF article): at the end of the first
// such field when there is one (RFC 8315 §2 lists are space-separated), else as a new last
// field.
void add_element(std::string& text, std::string_view name, const std::string& element) {
    const auto parsed = protocol::parse_article(text);
    if (const auto* f = parsed.find(name)) {
        const std::size_t at = static_cast<std::size_t>(f->raw.data() - text.data()) + f->raw.size() - 2;
        text.insert(at, " " + element);
        return;
    }
    auto end = text.find("\r\n\r\n");
    if (end != std::string::npos) text.insert(end + 2, std::string(name) + ": " + element + "\r\n");
}

// RFC 8315 §4 (as INN's nnrpd with addcanlockuser): a Cancel-Lock for the poster — the account
// name, or none when anonymous — on every local post, and on a local cancel or Supersedes the
// key that opens the lock this node put on the target for the same poster; both added to what
// the poster wrote, never replacing it. Another account's key does not match: a reader can
// withdraw only their own posts (and those whose keys they hold).
void add_cancel_lock(const Session& s, std::string& text, const std::string& message_id) {
    if (!s.cfg().control.add_cancel_lock || s.node.cancel_lock_secret.empty()) return;
    const std::string user = s.user ? s.user->name : std::string();
    const auto withdrawal = protocol::withdrawal_of(protocol::parse_article(text));
    std::string target = withdrawal ? withdrawal->target : std::string();
    add_element(text, "Cancel-Lock",
                "sha256:" + make_cancel_lock(make_cancel_key(s.node.cancel_lock_secret, user, message_id)));
    if (!target.empty())
        add_element(text, "Cancel-Key", "sha256:" + make_cancel_key(s.node.cancel_lock_secret, user, target));
}

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
    add_cancel_lock(s, r.text, r.message_id);
    auto a = protocol::parse_article(r.text);
    std::string newsgroups = protocol::unfold(a.find("Newsgroups")->value);
    ReaderRights rights = reader_rights(s);
    bool quarantined = false;
    // RFC 5537 §3.5: only a moderator approves; anyone may write the header, so the right is
    // the account's (INN's nnrpd answers the same 441 without access `A`).
    if (a.find("Approved") && !rights.approve) {
        p.error = "You are not allowed to approve postings";
        return p;
    }
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
            // RFC 5537 §3.5 step 5: unapproved, it goes to the moderator of the first moderated
            // group in Newsgroups (after every group passed the checks above).
            if (info->flag == 'm' && !a.find("Approved") && p.moderated_group.empty())
                p.moderated_group = std::string(g);
            if (std::find(p.request.groups.begin(), p.request.groups.end(), g) == p.request.groups.end())
                p.request.groups.emplace_back(g);
        }
        p.withdrawal = plan_withdrawal(cfg.control, a, snap);
        if (p.withdrawal && p.withdrawal->what.kind == protocol::WithdrawalKind::cancel)
            file_control_message(p.request.groups, snap, "cancel");
        if (is_group_control(a)) {
            p.group_control = true;
            file_control_message(p.request.groups, snap, protocol::control_command(a)->verb);
        }
        // [[filter.rule]] with source "local": after the poster's own mistakes are answered.
        const Filtering filtering = s.node.filtering();
        if (auto match = filtering.table.judge(a, r.text.size(), "local", filtering.bodies, filtering.now)) {
            note_filter_match(s.node, s.id, "local", r.message_id, *match);
            if (match->action == config::FilterAction::reject) {
                p.error = "Refused by the site's filter (rule " + match->rule->name + ")";
                return p;
            }
            quarantined = match->action == config::FilterAction::quarantine;
            if (quarantined) {
                p.request.groups.assign(1, s.node.cfg().filter.quarantine_group);
                p.withdrawal.reset();
                p.moderated_group.clear();
                p.group_control = false;
            }
        }
    }
    if (!p.moderated_group.empty()) {
        p.request.message_id = r.message_id;
        p.request.article = std::move(r.text);
        return p;
    }
    index_article(p.request, a, r.text, r.message_id, newsgroups, s.node.feeds(), nullptr, now);
    if (quarantined) p.request.feeds.clear();
    p.request.article = std::move(r.text);
    return p;
}

// At most this many mailers run at once; further moderated posts wait their turn (a flood of
// them cannot fork without bound).
OffThreadLimit mailers{4, std::chrono::milliseconds(20)};  // I/O thread only

// RFC 5537 §3.5.1: the article goes to the moderator by mail (INN's moderators file and mta),
// 240 once the mailer took it; no matching rule or a failing mailer: 441.
awaitable<void> mail_to_moderator(Session& s, Prepared p) {
    const auto& m = s.cfg().moderation;
    const std::string& group = p.moderated_group;
    const config::ModerationRule* rule = nullptr;
    for (const auto& r : m.rules)
        if (protocol::wildmat_match(r.pattern, group)) {
            rule = &r;
            break;
        }
    if (!rule) {
        ++s.node.counters.refused["post_unapproved"];
        spdlog::info("conn={} event=post_refused remote={} reason=\"no moderator address for {}\"", s.id,
                     s.ip, protocol::sanitize_for_echo(group));
        answer(s, st::fail_post_reject,
               "Moderated group " + protocol::sanitize_for_echo(group) + ": not approved, and no moderator address");
        co_return;
    }
    std::string address = protocol::moderator_address(rule->address, group);
    std::vector<std::string> argv = config::split_command(m.mail_command);
    for (auto& a : argv) {
        for (auto at = a.find("%s"); at != std::string::npos; at = a.find("%s", at + address.size()))
            a.replace(at, 2, address);
    }
    std::string mail = protocol::moderator_mail(p.request.article, address);
    auto timeout = std::chrono::seconds(m.timeout_s);
    // A named lambda: gcc 12 destroys a temporary one inside a co_await expression twice.
    auto job = [argv = std::move(argv), mail = std::move(mail), timeout] { return run_mailer(argv, mail, timeout); };
    std::string why = co_await run_off_thread(s.node.io, mailers, std::move(job));
    if (!why.empty()) {
        ++s.node.counters.refused["post_mail_failed"];
        spdlog::error("conn={} event=moderator_mail_failed group={} to={} error=\"{}\"", s.id,
                      protocol::sanitize_for_echo(group), address, why);
        answer(s, st::fail_post_reject, "Could not mail the article to the moderator");
        co_return;
    }
    spdlog::info("conn={} event=post_mailed id={} group={} to={}", s.id,
                 protocol::sanitize_for_echo(p.request.message_id, 250), protocol::sanitize_for_echo(group),
                 address);
    answer(s, st::ok_post, "Article mailed to the moderator of " + protocol::sanitize_for_echo(group));
}

}  // namespace

awaitable<void> run_post(Session& s, const protocol::Command&) {
    ReaderRights rights = reader_rights(s);
    if (!rights.post) {
        answer(s, st::fail_post_auth, "Posting not permitted");
        co_return;
    }
    // Back-pressure: like transit, no article is read while the writer is behind.
    co_await wait_for_store_room(s.node, *s.conn);
    answer(s, st::cont_post, "Send article to be posted");
    std::string wire;
    BlockRead got = co_await read_block(s, s.cfg().limits.max_article_bytes, wire);
    if (got == BlockRead::closed) co_return;
    if (got == BlockRead::too_big) {
        ++s.node.counters.refused["post_too_big"];
        answer(s, st::fail_post_reject, "Article too big");
        co_return;
    }
    // limits.max_posts_per_minute, per user or per address: checked once the article is read,
    // so the client gets a per-article 441 it can report and retry (RFC 3977 §6.3.1).
    std::chrono::seconds retry{};
    const std::string rate_key =
        s.user ? "user:" + s.user->name : "address:" + address_key(net::ip::make_address(s.ip));
    if (!s.node.post_rate.allow(rate_key, s.cfg().limits.max_posts_per_minute,
                                RateLimiter::Clock::now(), &retry)) {
        ++s.node.counters.refused["post_rate"];
        spdlog::info("conn={} event=post_refused remote={} reason=rate key={}", s.id, s.ip, rate_key);
        answer(s, st::fail_post_reject,
               "Posting too fast; try again in " + std::to_string(retry.count()) + " s");
        co_return;
    }
    Prepared p = prepare(s, std::move(wire));
    if (!p.error.empty()) {
        ++s.node.counters.refused["post_rejected"];
        spdlog::info("conn={} event=post_refused remote={} reason=\"{}\"", s.id, s.ip, p.error);
        answer(s, st::fail_post_reject, p.error);
        co_return;
    }
    if (!p.moderated_group.empty()) {
        co_await mail_to_moderator(s, std::move(p));
        co_return;
    }
    std::string id = p.request.message_id;
    if (p.withdrawal) apply_withdrawal(s.node, *p.withdrawal, id, "local");
    std::uint64_t ticket = s.conn->reserve();
    auto conn = s.conn;
    auto* node = &s.node;
    auto session_id = s.id;
    const std::uint64_t bytes = p.request.article.size();
    s.node.store_budget.take(*conn, bytes);
    const bool group_control = p.group_control;
    s.node.store.submit(std::move(p.request), [node, conn, ticket, id, session_id, bytes, group_control](storage::StoreResult r) {
        // The writer thread, after the commit: hop back to the I/O thread to answer.
        std::string text = group_control ? std::move(r.request.article) : std::string();
        net::post(node->io, [node, conn, ticket, id, session_id, bytes, status = r.status, text = std::move(text)]() mutable {
            node->store_budget.give_back(*conn, bytes);
            if (status == storage::StoreStatus::stored) {
                spdlog::info("conn={} event=posted id={}", session_id, protocol::sanitize_for_echo(id, 250));
                if (!text.empty())
                    net::co_spawn(node->io, run_group_control(*node, id, std::move(text), "local"), net::detached);
                if (node->wake_feeds) node->wake_feeds();  // send it on now, not at the senders' next poll
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
