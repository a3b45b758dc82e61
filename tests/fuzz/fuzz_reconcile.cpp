// Fuzzes the reconciliation messages (protocol/reconcile.h) both roles receive from a peer:
// any bytes get a named error or a well-formed answer within the frame limit, never a crash,
// and what an initiator learns names only items that exist (have) or ids it lacks (need).
// The input's first bytes also seed two sets with a known difference, whose full exchange
// must find exactly that difference.
#include <cstdint>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <string_view>

#include "protocol/reconcile.h"

namespace rc = tidings::protocol::reconcile;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

rc::Item item(std::mt19937_64& rng, std::uint64_t span) {
    rc::Item it;
    it.time = 1000 + rng() % span;
    for (auto& b : it.id) b = static_cast<std::uint8_t>(rng());
    return it;
}

const rc::ItemSet& fixed_set() {
    static const rc::ItemSet set = [] {
        std::mt19937_64 rng(42);
        std::vector<rc::Item> items;
        for (int i = 0; i < 2000; ++i) items.push_back(item(rng, 500));
        return rc::ItemSet(std::move(items));
    }();
    return set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    const rc::ItemSet& set = fixed_set();
    rc::Limits limits;
    limits.max_message_bytes = 4000;
    std::string msg(1, static_cast<char>(rc::protocol_version));
    msg.append(in);
    for (auto role : {rc::Reconciler::Role::responder, rc::Reconciler::Role::initiator}) {
        rc::Reconciler r(set, role, limits);
        rc::Differences d;
        auto out = r.step(msg, &d);
        if (out.error == rc::Error::none) {
            check(!out.out.empty() && out.out[0] == static_cast<char>(rc::protocol_version));
            check(out.out.size() <= limits.max_message_bytes + 64 * 1024);
            for (auto i : d.have) check(i < set.size());
        }
        (void)rc::inspect(msg);
    }

    // Two sets from the input's first 8 bytes: a shared part plus a few items on each side.
    if (size >= 8) {
        std::uint64_t seed = 0;
        for (int i = 0; i < 8; ++i) seed = (seed << 8) | data[i];
        std::mt19937_64 rng(seed);
        std::uint64_t span = 1 + rng() % 100000;
        std::vector<rc::Item> a, b;
        std::set<std::uint64_t> only_a, only_b;
        std::size_t shared = rng() % 3000, na = rng() % 40, nb = rng() % 40;
        for (std::size_t i = 0; i < shared; ++i) {
            auto it = item(rng, span);
            a.push_back(it);
            b.push_back(it);
        }
        for (std::size_t i = 0; i < na; ++i) {
            auto it = item(rng, span);
            a.push_back(it);
            only_a.insert(rc::short_id(it.id));
        }
        for (std::size_t i = 0; i < nb; ++i) {
            auto it = item(rng, span);
            b.push_back(it);
            only_b.insert(rc::short_id(it.id));
        }
        rc::ItemSet sa(std::move(a)), sb(std::move(b));
        rc::Reconciler init(sa, rc::Reconciler::Role::initiator, limits);
        rc::Reconciler resp(sb, rc::Reconciler::Role::responder, limits);
        rc::Differences d;
        std::string q = init.initiate();
        for (int round = 0;; ++round) {
            check(round < 200);
            auto answer = resp.step(q, nullptr);
            check(answer.error == rc::Error::none);
            auto next = init.step(answer.out, &d);
            check(next.error == rc::Error::none);
            if (next.done) break;
            q = std::move(next.out);
        }
        std::set<std::uint64_t> have, need(d.need.begin(), d.need.end());
        for (auto i : d.have) have.insert(rc::short_id(sa[i].id));
        check(have == only_a);
        check(need == only_b);
    }
    return 0;
}
