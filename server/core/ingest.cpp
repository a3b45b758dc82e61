// Transit acceptance rules: validation, loop detection, carried groups, Path, overview, feeds.
#include "server/core/ingest.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "protocol/article.h"
#include "protocol/overview.h"
#include "protocol/path.h"
#include "server/core/group_control.h"

namespace tidings::server {

FeedTable::FeedTable(const config::Config& cfg) {
    for (const auto& p : cfg.peers) {
        if (!p.outgoing) continue;
        Feed f{&p, protocol::Wildmat(p.newsgroups, true)};
        for (const auto& other : cfg.peers)
            if (&other != &p)
                for (const auto& h : p.hosts)
                    if (std::find(other.hosts.begin(), other.hosts.end(), h) != other.hosts.end())
                        f.source_ambiguous = true;
        feeds_.push_back(std::move(f));
    }
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

bool one_distribution_wanted(const std::vector<std::string>& wanted, std::string_view d) {
    bool only_negations = true;
    for (const auto& w : wanted) {
        if (!w.empty() && w[0] == '!') {
            if (iequals(std::string_view(w).substr(1), d)) return false;
        } else {
            only_negations = false;
            if (iequals(w, d)) return true;
        }
    }
    return only_negations;
}

}  // namespace

bool distribution_wanted(const std::vector<std::string>& wanted, std::string_view distribution) {
    if (wanted.empty()) return true;
    bool any = false;
    std::size_t i = 0;
    while (i < distribution.size()) {
        auto j = distribution.find_first_of(", \t\r\n", i);
        if (j == std::string_view::npos) j = distribution.size();
        auto d = distribution.substr(i, j - i);
        i = j + 1;
        if (d.empty()) continue;
        any = true;
        if (one_distribution_wanted(wanted, d)) return true;
    }
    return !any;  // no Distribution (or an empty one): everybody gets it
}

std::vector<std::string> FeedTable::select(std::string_view newsgroups, std::string_view path,
                                           std::size_t bytes, const config::Peer* source,
                                           std::string_view distribution) const {
    std::vector<std::string> out;
    for (const auto& f : feeds_) {
        if (f.peer == source && !f.source_ambiguous) continue;
        if (bytes > f.peer->max_article_bytes) continue;
        // A peer whose identity (or an alias of it) is in the Path has seen the article already.
        if (protocol::path_contains(path, f.peer->path_identity)) continue;
        if (std::any_of(f.peer->path_aliases.begin(), f.peer->path_aliases.end(),
                        [&](const std::string& a) { return protocol::path_contains(path, a); }))
            continue;
        if (protocol::feed_match(f.pattern, newsgroups) != protocol::FeedPatternResult::matched) continue;
        if (!distribution_wanted(f.peer->distributions, distribution)) continue;
        out.push_back(f.peer->name);
    }
    return out;
}

namespace {

std::string header_or_empty(const protocol::ParsedArticle& a, std::string_view name) {
    std::string out;
    if (const auto* f = a.find(name)) protocol::append_overview_field(out, f->value);
    return out;
}

IngestVerdict refuse(std::string reason, std::string detail) {
    IngestVerdict v;
    v.reason = std::move(reason);
    v.detail = std::move(detail);
    return v;
}

}  // namespace

std::optional<WithdrawalPlan> plan_withdrawal(const config::Control& control, const protocol::ParsedArticle& article,
                                              const storage::Snapshot& snap) {
    auto w = protocol::withdrawal_of(article);
    if (!w) return std::nullopt;
    std::optional<std::string_view> stored;
    if (auto h = snap.history(w->target); h && h->status == storage::HistoryStatus::stored) stored = snap.article(w->target);
    if (stored) {
        const auto target = protocol::parse_article(*stored);
        return WithdrawalPlan{*w, judge_withdrawal(control, article, &target)};
    }
    return WithdrawalPlan{*w, judge_withdrawal(control, article, nullptr)};
}

void file_control_message(std::vector<std::string>& groups, const storage::Snapshot& snap, std::string_view verb) {
    groups.clear();
    const std::string own = "control." + std::string(verb);
    if (snap.group(own)) groups.push_back(own);
    else if (snap.group("control")) groups.emplace_back("control");
}

void apply_filter(IngestVerdict& v, const Filtering& filtering, const protocol::ParsedArticle& article,
                  std::size_t bytes, std::string_view source, const std::string& quarantine_group,
                  const storage::Snapshot& snap) {
    v.filter = filtering.table.judge(article, bytes, source, filtering.bodies, filtering.now);
    if (!v.filter) return;
    switch (v.filter->action) {
    case config::FilterAction::accept: break;
    case config::FilterAction::reject:
        v.accept = false;
        v.reason = "filter";
        v.detail = "rule " + v.filter->rule->name;
        break;
    case config::FilterAction::quarantine:
        // Filed there even if the group is not committed yet (a reload that added the first
        // quarantine rule queued its creation ahead of this article on the single writer).
        v.request.groups.assign(1, quarantine_group);
        v.request.feeds.clear();
        v.withdrawal.reset();
        v.group_control = false;
        break;
    }
}

IngestVerdict prepare_transit_article(const config::Config& cfg, const FeedTable& feeds,
                                      const config::Peer* from, std::string_view offered_id,
                                      std::string wire, const storage::Snapshot& snap,
                                      const Filtering* filtering, std::string_view source) {
    auto article = protocol::parse_article(wire);
    // Relayed articles are checked loosely for Message-ID syntax, as INN is: old software
    // made ids the strict grammar forbids, and refusing them only breaks propagation.
    if (auto err = protocol::transit_error(article, offered_id, protocol::MessageIdRules::nntp)) {
        IngestVerdict v = refuse("malformed", *err);
        const auto* header = article.error.empty() ? article.find("Message-ID") : nullptr;
        v.remember = header != nullptr && protocol::unfold(header->value) == offered_id;
        return v;
    }

    std::string_view path_value = article.find("Path")->value;
    if (protocol::path_contains(path_value, cfg.node.pathhost))
        return refuse("loop", "our pathhost is in Path");

    std::string newsgroups = protocol::unfold(article.find("Newsgroups")->value);
    IngestVerdict v;
    for (auto g : protocol::split_newsgroups(newsgroups)) {
        // Only the filter files into the quarantine group: a peer naming it gets nothing there.
        if (g == cfg.filter.quarantine_group || !snap.group(g)) continue;
        if (std::find(v.request.groups.begin(), v.request.groups.end(), g) == v.request.groups.end())
            v.request.groups.emplace_back(g);
    }
    // A newgroup is usually posted to groups not carried yet: group control messages are
    // taken whatever their Newsgroups, and filed under control (as innd does).
    const auto group_control = is_group_control(article) ? protocol::control_command(article) : std::nullopt;
    if (v.request.groups.empty() && !group_control) {
        if (!cfg.storage.junk_unwanted) return refuse("unwanted_group", "no carried group in Newsgroups");
        // Kept by id (history, ARTICLE <id>, onward feeds) without being filed in a group.
    }

    v.withdrawal = plan_withdrawal(cfg.control, article, snap);
    if (v.withdrawal && v.withdrawal->what.kind == protocol::WithdrawalKind::cancel)
        file_control_message(v.request.groups, snap, "cancel");
    if (group_control) {
        v.group_control = true;
        file_control_message(v.request.groups, snap, group_control->verb);
    }
    // Indexed as it came (the Path we prepend changes neither the overview nor who has it).
    index_article(v.request, article, wire, offered_id, newsgroups, feeds, from,
                  static_cast<std::int64_t>(std::time(nullptr)));
    v.accept = true;
    if (filtering) {
        apply_filter(v, *filtering, article, wire.size(), from ? std::string_view(from->name) : source,
                     cfg.filter.quarantine_group, snap);
        if (!v.accept) return v;
    }
    std::size_t header_end = 0;
    v.request.article = protocol::rewrite_for_storage(wire, article, cfg.node.pathhost, {}, &header_end);
    v.request.xref_at = header_end;
    return v;
}

void index_article(storage::StoreRequest& req, const protocol::ParsedArticle& a, std::string_view wire,
                   std::string_view message_id, std::string_view newsgroups, const FeedTable& feeds,
                   const config::Peer* from, std::int64_t arrival) {
    auto& o = req.overview;
    o.subject = header_or_empty(a, "Subject");
    o.from = header_or_empty(a, "From");
    o.date = header_or_empty(a, "Date");
    o.message_id = std::string(message_id);
    o.references = header_or_empty(a, "References");
    o.lines = protocol::measure_article(wire, a, protocol::BlockMode::wire).lines;
    std::string distribution;
    if (const auto* d = a.find("Distribution")) distribution = protocol::unfold(d->value);
    const auto* path = a.find("Path");
    req.feeds = feeds.select(newsgroups, path ? std::string_view(path->value) : std::string_view(), wire.size(),
                             from, distribution);
    req.message_id = std::string(message_id);
    req.arrival = arrival;
}

}  // namespace tidings::server
