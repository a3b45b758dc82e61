// reconcile-bench: how many rounds and bytes XRECONCILE needs to find the difference between
// two nodes' article sets, against the plain Message-ID lists (what NEWNEWS or an id-list
// exchange would send). In-process: both sides' messages go through protocol/reconcile.h as
// tidingsd sends them; the wire figure adds the yEnc block framing and the command and status lines.
//
//   reconcile-bench [--articles N] [--differ D] [--seed S] [--frame BYTES] [--days DAYS]
//
// D differences: D/2 articles only on side A, the rest only on side B.
#include "protocol/reconcile.h"
#include "protocol/yenc_block.h"
#include "server/reconcile/item_id.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace rc = tidings::protocol::reconcile;
using tidings::server::reconcile::item_id;

namespace {

std::string message_id(std::mt19937_64& rng, std::uint64_t n) {
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string s = "<";
    for (int i = 0; i < 12; ++i) s.push_back(alnum[rng() % 36]);
    s += "." + std::to_string(n) + "@news" + std::to_string(rng() % 50) + ".example.org>";
    return s;
}

// The message as XRECONCILE sends it: a yEnc block, plus its ".\r\n".
std::size_t wire_bytes(const std::string& msg) { return tidings::protocol::yenc_encode_block(msg).size() + 3; }

}  // namespace

int main(int argc, char** argv) {
    std::size_t articles = 1000000, differ = 1000, frame = 500000;
    std::uint64_t seed = 1, days = 30;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i];
        std::uint64_t v = std::strtoull(argv[i + 1], nullptr, 10);
        if (k == "--articles") articles = v;
        else if (k == "--differ") differ = v;
        else if (k == "--seed") seed = v;
        else if (k == "--frame") frame = v;
        else if (k == "--days") days = v;
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            return 2;
        }
    }
    std::mt19937_64 rng(seed);
    auto salt = tidings::server::reconcile::random_salt();
    std::vector<rc::Item> a, b;
    std::size_t list_a = 0, list_b = 0;
    std::set<std::uint64_t> only_a, only_b;
    auto t0 = std::chrono::steady_clock::now();
    std::size_t shared = articles - differ / 2;  // each side holds `articles`
    for (std::uint64_t n = 0; n < shared + differ; ++n) {
        std::string id = message_id(rng, n);
        rc::Item it{1760000000 + rng() % (days * 86400), item_id(salt, id)};
        bool on_a = n < shared || n < shared + differ / 2;
        bool on_b = n < shared || n >= shared + differ / 2;
        if (on_a) a.push_back(it), list_a += id.size() + 2;
        if (on_b) b.push_back(it), list_b += id.size() + 2;
        if (on_a && !on_b) only_a.insert(rc::short_id(it.id));
        if (on_b && !on_a) only_b.insert(rc::short_id(it.id));
    }
    rc::ItemSet sa(std::move(a)), sb(std::move(b));
    auto t1 = std::chrono::steady_clock::now();
    rc::Limits limits;
    limits.max_message_bytes = frame;
    rc::Reconciler init(sa, rc::Reconciler::Role::initiator, limits);
    rc::Reconciler resp(sb, rc::Reconciler::Role::responder, limits);
    rc::Differences d;
    std::size_t raw = 0, wire = 0, rounds = 0, fps = 0, ids = 0;
    // XRECONCILE OPEN line and its 290 answer.
    wire += 90 + 40;
    std::string q = init.initiate();
    for (;;) {
        ++rounds;
        auto sq = rc::inspect(q);
        fps += sq.fingerprints;
        ids += sq.listed_ids;
        raw += q.size();
        wire += std::strlen("XRECONCILE ROUND\r\n") + 50 + wire_bytes(q) + 20;  // 390, block, 291
        auto answer = resp.step(q, nullptr);
        if (answer.error != rc::Error::none) {
            std::fprintf(stderr, "responder: %s\n", std::string(rc::to_string(answer.error)).c_str());
            return 1;
        }
        auto sa2 = rc::inspect(answer.out);
        fps += sa2.fingerprints;
        ids += sa2.listed_ids;
        raw += answer.out.size();
        wire += wire_bytes(answer.out);
        auto next = init.step(answer.out, &d);
        if (next.error != rc::Error::none) {
            std::fprintf(stderr, "initiator: %s\n", std::string(rc::to_string(next.error)).c_str());
            return 1;
        }
        if (next.done) break;
        q = std::move(next.out);
    }
    auto t2 = std::chrono::steady_clock::now();
    std::set<std::uint64_t> have, need(d.need.begin(), d.need.end());
    for (auto i : d.have) have.insert(rc::short_id(sa[i].id));
    bool exact = have == only_a && need == only_b;
    auto ms = [](auto x, auto y) { return std::chrono::duration<double, std::milli>(y - x).count(); };
    std::printf("articles per side      %zu (differing: %zu only on A, %zu only on B)\n", articles, only_a.size(),
                only_b.size());
    std::printf("found                  have %zu, need %zu: %s\n", have.size(), need.size(),
                exact ? "exact" : "WRONG");
    std::printf("rounds                 %zu\n", rounds);
    std::printf("fingerprints, ids sent %zu, %zu\n", fps, ids);
    std::printf("reconcile bytes        %zu binary, %zu on the wire (yEnc blocks, commands)\n", raw, wire);
    std::printf("plain Message-ID list  %zu (A's), %zu (both)\n", list_a, list_a + list_b);
    std::printf("wire / one plain list  %.3f %%\n", 100.0 * static_cast<double>(wire) / static_cast<double>(list_a));
    std::printf("wire / both lists      %.3f %%\n",
                100.0 * static_cast<double>(wire) / static_cast<double>(list_a + list_b));
    std::printf("time                   hash+sort %.0f ms, reconcile %.0f ms\n", ms(t0, t1), ms(t1, t2));
    return exact ? 0 : 1;
}
