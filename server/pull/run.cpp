// One pull run over several upstreams: discover (GROUP, OVER), split and fetch (ARTICLE),
// store, then the marks. See pulls.h.
#include "server/pull/pulls.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <deque>
#include <unordered_set>

#include "protocol/date.h"
#include "protocol/message_id.h"
#include "protocol/overview.h"
#include "protocol/status.h"
#include "protocol/wildmat.h"
#include "server/core/filter_note.h"
#include "server/core/group_control.h"
#include "server/core/store_wait.h"
#include "server/core/withdraw.h"
#include "server/pull/ingest_fetched.h"
#include "server/pull/upstream_link.h"
#include "server/pull/work_set.h"
#include "storage/snapshot.h"

namespace tidings::server {

namespace st = protocol::status;
using namespace std::chrono_literals;
using pull::WorkSet;
using pull::open_upstream;
using pull::ArticleAnswer;
using pull::read_article_answer;

namespace {

// OVER is asked in ranges of this many numbers; one range's answer may be at most this long
// (an upstream that never ends its answer is cut off there).
constexpr std::uint64_t over_range = 1000;
constexpr std::size_t max_over_bytes = 32 * 1024 * 1024;
// A connection that failed this many times in a row gives up for the run (its share goes to
// the others); between attempts it waits 1 s, 2 s, 4 s...
constexpr int max_connect_failures = 3;
// A fetch held by one upstream this long may be asked of another upstream too (work_set.h).
constexpr auto hedge_after = 5s;
constexpr auto idle_poll = 20ms;

std::string mark_key(const std::string& upstream, const std::string& group) { return "pull/" + upstream + "/" + group; }

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

}  // namespace

// What one (upstream, group) pair of a run found: the numbers examined and the missing ids.
struct GroupPlan {
    unsigned upstream = 0;
    std::string group;
    std::uint64_t old_mark = 0;
    std::uint64_t examined = 0;  // highest number looked at; 0: nothing
    std::vector<std::pair<std::uint64_t, std::string>> items;  // missing, by number
};

class PullEngine : public std::enable_shared_from_this<PullEngine> {
public:
    PullEngine(Pulls& owner, std::vector<const config::Upstream*> ups)
        : owner(owner), node(owner.node_), gen(node.generation()), ups(std::move(ups)), wake(node.io) {
        wake.expires_at(net::steady_timer::time_point::max());
        tls.resize(this->ups.size());
        newnews_items.resize(this->ups.size());
        newnews_since.resize(this->ups.size());
        for (const auto* u : this->ups) stats.push_back(&owner.stats_[u->name]);
    }

    awaitable<void> run();

    Pulls& owner;
    NodeContext& node;
    GenerationPtr gen;  // the upstreams' settings stay alive for the run
    std::vector<const config::Upstream*> ups;
    std::vector<UpstreamStats*> stats;
    std::vector<std::shared_ptr<net::ssl::context>> tls;
    WorkSet work;
    std::vector<GroupPlan> plans;
    // Ids that failed for a reason that may pass (the store deferred, a connection broke in the
    // article): the marks stop before them, so the next run looks again.
    std::unordered_set<std::string> hold_back;
    // NEWNEWS (upstreams with `newnews`): the ids it listed, and the upstream's clock when this
    // run began (the next run's "since", saved once everything found is settled).
    std::vector<std::vector<std::string>> newnews_items;
    std::vector<std::optional<std::int64_t>> newnews_since;
    unsigned discovering = 0;
    unsigned active = 0;   // connection coroutines
    unsigned storing = 0;  // store requests not answered yet
    bool stop = false;
    net::steady_timer wake;
    std::uint64_t stored = 0, duplicates = 0, refused = 0;
    std::vector<std::uint64_t> errors_at_start;  // per upstream: a run with errors keeps the NEWNEWS mark

    void changed() { wake.cancel(); }
    // Settled for good: stored (or not wanted), or unobtainable everywhere for a lasting reason.
    // Marks never pass an id that is not.
    bool settled(const std::string& id) const {
        return work.is_done(id) || (work.resolved(id) && !hold_back.count(id));
    }

private:
    awaitable<void> connection(unsigned u, unsigned index);
    awaitable<bool> discover(unsigned u, feed::Link& link);
    // How a connection lists a range's ids: the first that the upstream knows, in this order.
    enum class Listing { hdr, xhdr, over, xover };
    awaitable<bool> discover_group(unsigned u, feed::Link& link, const std::string& group, Listing& how);
    awaitable<bool> discover_newnews(unsigned u, feed::Link& link, std::int64_t since);
    awaitable<void> fetch(unsigned u, unsigned index, std::unique_ptr<feed::Link>& link);
    void ingest(unsigned u, std::string id, std::string wire);
    void outcome(unsigned u, const std::string& id, Fetched f);
    void error(unsigned u, unsigned index, const std::string& what);
};

void PullEngine::error(unsigned u, unsigned index, const std::string& what) {
    ++stats[u]->errors_total;
    stats[u]->last_error = what;
    spdlog::warn("upstream={} conn={} event=pull_error error=\"{}\"", ups[u]->name, index, what);
}

// GROUP, then OVER from the mark on in ranges: the numbers with ids we lack become items.
awaitable<bool> PullEngine::discover_group(unsigned u, feed::Link& link, const std::string& group, Listing& how) {
    const auto& up = *ups[u];
    link.out = "GROUP " + group + "\r\n";
    if (!co_await link.flush()) co_return false;
    auto r = co_await link.read_reply();
    if (!r) co_return false;
    if (r->code == st::fail_bad_group) co_return true;  // not carried there: nothing to pull
    if (r->code != st::ok_group) {
        error(u, 0, "GROUP " + group + ": " + feed::printable(r->line));
        co_return false;
    }
    // "211 count low high group" (RFC 3977 §6.1.1.2).
    std::uint64_t count = 0, low = 0, high = 0;
    if (std::sscanf(r->line.c_str(), "211 %lu %lu %lu", &count, &low, &high) != 3) {
        error(u, 0, "GROUP " + group + ": malformed answer: " + feed::printable(r->line));
        co_return false;
    }
    GroupPlan plan;
    plan.upstream = u;
    plan.group = group;
    std::optional<std::uint64_t> mark;
    {
        storage::Snapshot snap(node.store);
        mark = snap.mark(mark_key(up.name, group));
    }
    plan.old_mark = mark.value_or(0);
    std::uint64_t from = std::max<std::uint64_t>(low, plan.old_mark + 1);
    if (mark && *mark > high) {
        // The upstream's numbers went back (renumbered or rebuilt): start over from its low;
        // history keeps what we have from being fetched again.
        spdlog::warn("upstream={} event=pull_renumbered group={} mark={} high={}", up.name, group, *mark, high);
        from = low;
    }
    if (count == 0 || from > high) {
        plan.examined = std::max(plan.old_mark, high);
        plans.push_back(std::move(plan));
        co_return true;
    }
    const std::int64_t oldest = up.max_age_days ? unix_now() - std::int64_t{86400} * up.max_age_days : 0;
    std::size_t taken = 0;
    for (std::uint64_t lo = from; lo <= high && taken < up.max_articles && !stop;) {
        const std::uint64_t hi = std::min(high, lo + over_range - 1);
        // Without an age cut-off only the ids are needed: "HDR Message-ID" sends about a sixth of
        // the bytes OVER does (RFC 3977 §8.5); servers without it get XHDR (RFC 2980), then OVER.
        if (oldest && (how == Listing::hdr || how == Listing::xhdr)) how = Listing::over;
        const std::string range = std::to_string(lo) + "-" + std::to_string(hi);
        static constexpr const char* verbs[] = {"HDR Message-ID ", "XHDR Message-ID ", "OVER ", "XOVER "};
        link.out = verbs[static_cast<int>(how)] + range + "\r\n";
        if (!co_await link.flush()) co_return false;
        r = co_await link.read_reply();
        if (!r) co_return false;
        const bool unknown = r->code == st::err_command || r->code == st::err_unavailable ||
                             (how == Listing::hdr && r->code == st::err_syntax);
        if (unknown && how != Listing::xover) {  // try the next way on this connection
            how = static_cast<Listing>(static_cast<int>(how) + 1);
            continue;
        }
        const bool ids_only = how == Listing::hdr || how == Listing::xhdr;
        std::string block;
        if (r->code == st::ok_overview || (ids_only && (r->code == st::ok_hdr || r->code == st::ok_head))) {
            auto b = co_await link.read_block(max_over_bytes);
            if (!b) {
                error(u, 0, std::string(verbs[static_cast<int>(how)]) + group + ": answer lost, or longer than " + std::to_string(max_over_bytes) + " bytes");
                co_return false;
            }
            block = std::move(*b);
        } else if (r->code != st::fail_article_number) {  // 423: nothing in the range
            error(u, 0, std::string(verbs[static_cast<int>(how)]) + group + ": " + feed::printable(r->line));
            co_return false;
        }
        std::uint64_t last = hi;
        storage::Snapshot snap(node.store);
        for (std::size_t at = 0; at < block.size();) {
            auto eol = block.find("\r\n", at);
            if (eol == std::string::npos) eol = block.size();
            const std::string_view line(block.data() + at, eol - at);
            at = eol + 2;
            std::uint64_t number = 0;
            std::string_view message_id;
            if (ids_only) {
                auto h = protocol::parse_hdr_id_line(line);
                if (!h) continue;
                number = h->number;
                message_id = h->message_id;
            } else {
                auto o = protocol::parse_overview_line(line);
                if (!o) continue;
                if (oldest) {
                    auto when = protocol::parse_rfc5322_date(o->date);
                    if (when && *when < oldest) continue;
                }
                number = o->number;
                message_id = o->message_id;
            }
            if (number < lo || number > hi) continue;  // not a record of this range
            std::string id(message_id);
            if (snap.history(id)) continue;
            plan.items.emplace_back(number, id);
            work.add(id, u);
            ++stats[u]->missing;
            if (++taken >= up.max_articles) {
                last = number;  // the rest of the range waits for the next run
                break;
            }
        }
        plan.examined = last;
        lo = hi + 1;
    }
    // Out-of-order records would break the marks' "everything up to here" rule.
    std::sort(plan.items.begin(), plan.items.end());
    plans.push_back(std::move(plan));
    co_return true;
}

// The upstream's clock (RFC 3977 §7.1 DATE: "111 yyyymmddhhmmss"), for NEWNEWS; nullopt when
// it does not say.
awaitable<std::optional<std::int64_t>> upstream_date(feed::Link& link) {
    link.out = "DATE\r\n";
    if (!co_await link.flush()) co_return std::nullopt;
    auto r = co_await link.read_reply();
    if (!r || r->code != st::info_date || r->id.size() != 14) co_return std::nullopt;
    auto when = protocol::parse_nntp_date(std::string_view(r->id).substr(0, 8), std::string_view(r->id).substr(8), "GMT");
    if (!when) co_return std::nullopt;
    co_return protocol::to_unix_time(*when, 0);
}

// NEWNEWS `groups` since `since` (RFC 3977 §7.4): the ids we lack become items. False: the
// upstream refused or broke off (the caller reads the groups instead).
awaitable<bool> PullEngine::discover_newnews(unsigned u, feed::Link& link, std::int64_t since) {
    const auto& up = *ups[u];
    const std::string when = protocol::format_nntp_date(since);
    link.out = "NEWNEWS " + up.groups + " " + when.substr(0, 8) + " " + when.substr(8) + " GMT\r\n";
    if (!co_await link.flush()) co_return false;
    auto r = co_await link.read_reply();
    if (!r) co_return false;
    if (r->code != st::ok_newnews) {
        spdlog::info("upstream={} event=pull_newnews_refused reply=\"{}\" fallback=groups", up.name, feed::printable(r->line));
        co_return false;
    }
    auto block = co_await link.read_block(max_over_bytes);
    if (!block) {
        error(u, 0, "NEWNEWS: answer lost, or longer than " + std::to_string(max_over_bytes) + " bytes");
        co_return false;
    }
    storage::Snapshot snap(node.store);
    std::size_t taken = 0;
    for (std::size_t at = 0; at < block->size() && taken < up.max_articles;) {
        auto eol = block->find("\r\n", at);
        if (eol == std::string::npos) eol = block->size();
        const std::string_view id = std::string_view(*block).substr(at, eol - at);
        at = eol + 2;
        if (!protocol::is_listed_message_id(id)) continue;
        std::string key(id);
        if (snap.history(key)) continue;
        newnews_items[u].push_back(key);
        work.add(key, u);
        ++stats[u]->missing;
        ++taken;
    }
    spdlog::info("upstream={} event=pull_newnews since={} missing={}", up.name, since, taken);
    co_return true;
}

awaitable<bool> PullEngine::discover(unsigned u, feed::Link& link) {
    const auto& up = *ups[u];
    if (up.newnews) {
        // The time mark is the upstream's own clock when the last settled run began: NEWNEWS
        // since then misses nothing that arrived there meanwhile (and a little overlap only
        // finds ids history already has).
        auto now = co_await upstream_date(link);
        std::optional<std::uint64_t> mark;
        {
            storage::Snapshot snap(node.store);
            mark = snap.mark("pull/" + up.name + "/newnews");
        }
        if (now) newnews_since[u] = *now;
        if (now && mark) {
            const bool ok = co_await discover_newnews(u, link, static_cast<std::int64_t>(*mark));
            if (ok) co_return true;
            newnews_items[u].clear();
        }
    }
    std::vector<std::string> groups;
    {
        protocol::Wildmat want(up.groups);
        storage::Snapshot snap(node.store);
        snap.for_each_group([&](const storage::GroupInfo& g) {
            if (g.name != gen->config->filter.quarantine_group && want.matches(g.name)) groups.push_back(g.name);
            return true;
        });
    }
    Listing how = Listing::hdr;
    for (const auto& g : groups) {
        if (stop) co_return false;
        const bool ok = co_await discover_group(u, link, g, how);
        if (!ok) co_return false;
    }
    co_return true;
}

void PullEngine::outcome(unsigned u, const std::string& id, Fetched f) {
    auto& s = *stats[u];
    switch (f) {
        case Fetched::stored:
            ++stored;
            ++s.fetched;
            ++s.stored_total;
            work.done(id);
            break;
        case Fetched::duplicate:
            ++duplicates;
            ++s.duplicate_total;
            work.done(id);
            break;
        case Fetched::refused:
            ++refused;
            ++s.refused_total;
            work.done(id);
            break;
        case Fetched::bad:
            // This upstream's copy is bad (or not the id we asked for): another may have a good one.
            ++s.unavailable_total;
            work.failed(id, u);
            break;
        case Fetched::not_now:
            // Not stored now (full disk, shutting down): looked for again by the next run.
            hold_back.insert(id);
            work.failed(id, u);
            break;
    }
}

// The shared acceptance and store path (ingest_fetched.h); the WorkSet learns the outcome when
// the store answers.
void PullEngine::ingest(unsigned u, std::string id, std::string wire) {
    ++storing;
    auto self = shared_from_this();
    std::string key = id;
    ingest_fetched(node, gen, ups[u]->name, std::move(id), std::move(wire), [self, u, key](Fetched f) {
        --self->storing;
        self->outcome(u, key, f);
        self->changed();
    });
}

// One connection's fetching: ARTICLE <id> pipelined `window` deep, answers in order.
awaitable<void> PullEngine::fetch(unsigned u, unsigned index, std::unique_ptr<feed::Link>& link) {
    const auto& up = *ups[u];
    const std::size_t max_article = gen->config->limits.max_article_bytes;
    int failures = 0;
    std::uint64_t counted = 0;  // of link->bytes_read
    while (!stop) {
        if (!link) {
            if (failures >= max_connect_failures || !work.could_help(u)) break;
            if (failures) {
                net::steady_timer pause(node.io, std::chrono::seconds(1 << std::min(failures - 1, 5)));
                boost::system::error_code ec;
                co_await pause.async_wait(net::redirect_error(use_awaitable, ec));
            }
            link = std::make_unique<feed::Link>(node.io);
            counted = 0;
            std::string why = co_await open_upstream(node.io, up, node.identity, tls[u], *link);
            if (!why.empty()) {
                error(u, index, why);
                link.reset();
                ++failures;
                continue;
            }
        }
        std::deque<std::string> asked;
        bool broken = false;
        while (!stop) {
            const auto now = std::chrono::steady_clock::now();
            while (asked.size() < up.window) {
                auto id = work.take(u, now, hedge_after);
                if (!id) break;
                link->out += "ARTICLE " + *id + "\r\n";
                asked.push_back(std::move(*id));
            }
            if (asked.empty()) {
                if (work.finished() || !work.could_help(u)) break;
                net::steady_timer idle(node.io, idle_poll);
                boost::system::error_code ec;
                co_await idle.async_wait(net::redirect_error(use_awaitable, ec));
                continue;
            }
            if (!co_await link->flush()) {
                error(u, index, "connection lost");
                broken = true;
                break;
            }
            const std::string id = asked.front();
            asked.pop_front();
            ArticleAnswer a = co_await read_article_answer(*link, max_article);
            stats[u]->bytes_total += link->bytes_read - counted;
            counted = link->bytes_read;
            if (a.kind == ArticleAnswer::Kind::article) {
                failures = 0;
                ingest(u, id, std::move(a.text));
                changed();
                continue;
            }
            if (a.kind == ArticleAnswer::Kind::missing) {  // 430: not (or no longer) there
                ++stats[u]->unavailable_total;
                work.failed(id, u);
                changed();
                continue;
            }
            // No answer, an article cut off, or an answer ARTICLE cannot have: the connection
            // is not to be trusted further.
            if (a.cut) ++stats[u]->unavailable_total;
            const std::string shown = protocol::sanitize_for_echo(id);
            error(u, index, a.silent ? "no answer to ARTICLE " + shown + " within " + std::to_string(up.timeout_s) + " s"
                            : a.cut  ? "article " + shown + " cut off, or over " + std::to_string(max_article) + " bytes"
                                     : "ARTICLE " + shown + ": " + a.why);
            hold_back.insert(id);
            work.failed(id, u);
            broken = true;
            break;
        }
        for (const auto& id : asked) work.retry(id, u);
        changed();
        if (!broken) break;
        link.reset();
        ++failures;
    }
    if (link) {
        link->out = "QUIT\r\n";
        (void)co_await link->flush();
        stats[u]->bytes_total += link->bytes_read - counted;
    }
}

awaitable<void> PullEngine::connection(unsigned u, unsigned index) {
    auto self = shared_from_this();  // alive while any connection is
    std::unique_ptr<feed::Link> link;
    if (index == 0) {
        link = std::make_unique<feed::Link>(node.io);
        std::string why = co_await open_upstream(node.io, *ups[u], node.identity, tls[u], *link);
        bool ok = why.empty();
        if (!ok) error(u, 0, why);
        else ok = co_await discover(u, *link);
        if (!ok) link.reset();
        if (--discovering == 0) work.order_queues();
        changed();
    }
    // Fetching starts once every upstream has said what it has: only then is the split known.
    while (discovering > 0 && !stop) {
        net::steady_timer t(node.io, idle_poll);
        boost::system::error_code ec;
        co_await t.async_wait(net::redirect_error(use_awaitable, ec));
    }
    if (index == 0) stats[u]->state = "fetching";
    co_await fetch(u, index, link);
    --active;
    changed();
}

awaitable<void> PullEngine::run() {
    auto self = shared_from_this();
    const auto t0 = std::chrono::steady_clock::now();
    for (unsigned u = 0; u < ups.size(); ++u) {
        ++stats[u]->runs;
        stats[u]->state = "discovering";
        stats[u]->last_start = unix_now();
        stats[u]->missing = stats[u]->fetched = 0;
        errors_at_start.push_back(stats[u]->errors_total);
        ++discovering;
        for (unsigned c = 0; c < ups[u]->connections; ++c) {
            ++active;
            net::co_spawn(node.io, connection(u, c), net::detached);
        }
    }
    while (active > 0 || storing > 0) {
        boost::system::error_code ec;
        wake.expires_at(net::steady_timer::time_point::max());
        co_await wake.async_wait(net::redirect_error(use_awaitable, ec));
    }
    // The marks: per (upstream, group), up to just before the first item not settled for good.
    std::vector<std::pair<std::string, std::uint64_t>> marks;
    if (!stop) {
        for (const auto& p : plans) {
            std::uint64_t mark = p.examined;
            for (const auto& [number, id] : p.items)
                if (!settled(id)) {
                    mark = number - 1;
                    break;
                }
            if (mark > p.old_mark || (mark != p.old_mark && p.examined < p.old_mark))
                marks.emplace_back(mark_key(ups[p.upstream]->name, p.group), mark);
        }
        for (unsigned u = 0; u < ups.size(); ++u) {
            if (!newnews_since[u]) continue;
            bool all = std::all_of(newnews_items[u].begin(), newnews_items[u].end(),
                                   [&](const std::string& id) { return settled(id); });
            for (const auto& p : plans)
                if (p.upstream == u)
                    for (const auto& [number, id] : p.items) all = all && settled(id);
            if (all && stats[u]->errors_total == errors_at_start[u])
                marks.emplace_back("pull/" + ups[u]->name + "/newnews", static_cast<std::uint64_t>(*newnews_since[u]));
        }
    }
    bool marked = true;
    if (!marks.empty()) {
        auto w = std::make_shared<Waiter>(node.io);
        node.store.put_marks(std::move(marks), completion(w));
        marked = co_await wait_for(w);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::string names;
    for (unsigned u = 0; u < ups.size(); ++u) {
        names += (u ? "," : "") + ups[u]->name;
        stats[u]->state = "idle";
        stats[u]->last_end = unix_now();
    }
    spdlog::info("event=pull_run upstreams={} missing={} stored={} duplicates={} refused={} unavailable={} "
                 "unfinished={} hedged={} seconds={:.2f} rate={:.0f} marks={}",
                 names, work.size(), stored, duplicates, refused, work.unavailable(), work.unresolved(), work.hedged(),
                 seconds, seconds > 0 ? static_cast<double>(stored) / seconds : 0.0, marked ? "saved" : "failed");
}

Pulls::Pulls(NodeContext& node) : node_(node) {
    for (const auto& u : node.cfg().upstreams) stats_[u.name];
}

Pulls::~Pulls() = default;

void Pulls::start() {
    if (started_) return;
    started_ = true;
    wake_ = std::make_unique<net::steady_timer>(node_.io);
    net::co_spawn(node_.io, schedule(), net::detached);
}

void Pulls::stop() {
    stopping_ = true;
    if (engine_) engine_->stop = true;
    if (wake_) wake_->cancel();
}

bool Pulls::run_now() {
    if (node_.cfg().upstreams.empty()) return false;
    asked_ = true;
    if (wake_) wake_->cancel();
    return true;
}

bool Pulls::running() const { return running_; }

// Runs when asked, or when an upstream's interval has passed since its last run.
awaitable<void> Pulls::schedule() {
    std::map<std::string, std::chrono::steady_clock::time_point> due;
    bool last_fetched = false;
    while (!stopping_) {
        const auto now = std::chrono::steady_clock::now();
        std::vector<const config::Upstream*> ups;
        auto next = now + std::chrono::seconds(60);  // a reload may add upstreams
        const GenerationPtr gen = node_.generation();  // the pointers below live while it does
        for (const auto& u : gen->config->upstreams) {
            stats_[u.name];
            if (!due.count(u.name)) due[u.name] = now + (u.interval_s ? std::chrono::seconds(u.interval_s) : 24h);
            const bool again = u.continuous && last_fetched;
            if (asked_ || again || (u.interval_s && due[u.name] <= now))
                ups.push_back(&u);
            else if (u.interval_s)
                next = std::min(next, due[u.name]);
        }
        asked_ = false;
        if (ups.empty()) {
            wake_->expires_at(next);
            boost::system::error_code ec;
            co_await wake_->async_wait(net::redirect_error(use_awaitable, ec));
            continue;
        }
        running_ = true;
        ++runs_;
        engine_ = std::make_shared<PullEngine>(*this, ups);
        co_await engine_->run();
        last_fetched = engine_->stored > 0;
        engine_.reset();
        running_ = false;
        const auto end = std::chrono::steady_clock::now();
        for (const auto* u : ups) due[u->name] = end + (u->interval_s ? std::chrono::seconds(u->interval_s) : 24h);
    }
}

}  // namespace tidings::server
