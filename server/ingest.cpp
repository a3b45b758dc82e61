// Transit acceptance rules: validation, loop detection, carried groups, Path, overview, feeds.
#include "server/ingest.h"

#include <algorithm>
#include <ctime>

#include "protocol/article.h"

namespace tidings::server {

FeedTable::FeedTable(const config::Config& cfg) {
    for (const auto& p : cfg.peers)
        if (p.outgoing) feeds_.push_back(Feed{&p, protocol::Wildmat(p.newsgroups, true)});
}

std::vector<std::string> FeedTable::select(std::string_view newsgroups,
                                           const std::vector<std::string_view>& path,
                                           std::size_t bytes, const config::Peer* source) const {
    std::vector<std::string> out;
    for (const auto& f : feeds_) {
        if (f.peer == source) continue;
        if (bytes > f.peer->max_article_bytes) continue;
        // A peer whose identity is in the Path has seen the article already.
        if (std::find(path.begin(), path.end(), f.peer->path_identity) != path.end()) continue;
        if (protocol::feed_match(f.pattern, newsgroups) != protocol::FeedPatternResult::matched) continue;
        out.push_back(f.peer->name);
    }
    return out;
}

std::vector<std::string_view> path_entries(std::string_view value) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i <= value.size()) {
        std::size_t j = value.find('!', i);
        if (j == std::string_view::npos) j = value.size();
        std::string_view e = value.substr(i, j - i);
        while (!e.empty() && (e.front() == ' ' || e.front() == '\t' || e.front() == '\r' || e.front() == '\n'))
            e.remove_prefix(1);
        while (!e.empty() && (e.back() == ' ' || e.back() == '\t' || e.back() == '\r' || e.back() == '\n'))
            e.remove_suffix(1);
        if (!e.empty()) out.push_back(e);
        i = j + 1;
    }
    return out;
}

std::string overview_field(std::string_view value) {
    std::string s = protocol::unfold(value);
    for (char& c : s)
        if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    return s;
}

namespace {

std::uint64_t count_lines(std::string_view body) {
    std::uint64_t n = 0;
    for (std::size_t p = 0; (p = body.find("\r\n", p)) != std::string_view::npos; p += 2) ++n;
    if (!body.empty() && !body.ends_with("\r\n")) ++n;
    return n;
}

std::string header_or_empty(const protocol::ParsedArticle& a, std::string_view name) {
    const auto* f = a.find(name);
    return f ? overview_field(f->value) : std::string();
}

IngestVerdict refuse(std::string reason, std::string detail) {
    IngestVerdict v;
    v.reason = std::move(reason);
    v.detail = std::move(detail);
    return v;
}

}  // namespace

IngestVerdict prepare_transit_article(const config::Config& cfg, const FeedTable& feeds,
                                      const config::Peer* from, std::string_view offered_id,
                                      std::string wire, const storage::Snapshot& snap) {
    auto article = protocol::parse_article(wire);
    // Relayed articles are checked loosely for Message-ID syntax, as INN is: old software
    // made ids the strict grammar forbids, and refusing them only breaks propagation.
    if (auto err = protocol::transit_error(article, offered_id, protocol::MessageIdRules::nntp))
        return refuse("malformed", *err);

    std::string path_value = protocol::unfold(article.find("Path")->value);
    auto path = path_entries(path_value);
    if (std::find(path.begin(), path.end(), cfg.node.pathhost) != path.end())
        return refuse("loop", "our pathhost is in Path");

    std::string newsgroups = protocol::unfold(article.find("Newsgroups")->value);
    IngestVerdict v;
    for (auto g : protocol::split_newsgroups(newsgroups)) {
        if (!snap.group(g)) continue;
        if (std::find(v.request.groups.begin(), v.request.groups.end(), g) == v.request.groups.end())
            v.request.groups.emplace_back(g);
    }
    if (v.request.groups.empty()) {
        if (!cfg.storage.junk_unwanted) return refuse("unwanted_group", "no carried group in Newsgroups");
        // Kept by id (history, ARTICLE <id>, onward feeds) without being filed in a group.
    }

    auto& o = v.request.overview;
    o.subject = header_or_empty(article, "Subject");
    o.from = header_or_empty(article, "From");
    o.date = header_or_empty(article, "Date");
    o.message_id = std::string(offered_id);
    o.references = header_or_empty(article, "References");
    o.lines = count_lines(article.body);

    v.request.feeds = feeds.select(newsgroups, path, wire.size(), from);
    v.request.message_id = std::string(offered_id);
    v.request.article = protocol::rewrite_for_storage(wire, article, cfg.node.pathhost, {});
    v.request.arrival = static_cast<std::int64_t>(std::time(nullptr));
    v.accept = true;
    return v;
}

}  // namespace tidings::server
