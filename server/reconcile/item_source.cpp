#include "server/reconcile/item_source.h"

#include "protocol/date.h"
#include "protocol/wildmat.h"
#include "storage/snapshot.h"

#include <algorithm>

namespace tidings::server::reconcile {

namespace rc = protocol::reconcile;

std::int64_t overview_date(std::string_view record) {
    // subject TAB from TAB date TAB ...
    for (int field = 0; field < 2; ++field) {
        auto tab = record.find('\t');
        if (tab == std::string_view::npos) return 0;
        record.remove_prefix(tab + 1);
    }
    auto date = protocol::parse_rfc5322_date(record.substr(0, record.find('\t')));
    return date && *date > 0 ? *date : 0;
}

std::vector<std::string> BuiltSet::lookup(std::uint64_t s) const {
    std::vector<std::string> out;
    auto [lo, hi] = std::equal_range(by_short.begin(), by_short.end(), std::pair<std::uint64_t, std::uint32_t>{s, 0},
                                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto it = lo; it != hi; ++it) out.push_back(names[it->second]);
    return out;
}

std::shared_ptr<BuiltSet> build_set(const storage::Store& store, const Window& w, std::size_t max_items) {
    auto out = std::make_shared<BuiltSet>();
    std::vector<std::pair<rc::Item, std::string>> found;
    {
        storage::Snapshot snap(store);
        snap.for_each_article([&](const storage::StoredArticle& a) {
            ++out->scanned;
            const std::pair<std::string, std::uint64_t>* filed = nullptr;
            for (const auto& p : a.placements)
                if (protocol::wildmat_match(w.wildmat, p.first)) {
                    filed = &p;
                    break;
                }
            if (!filed) return true;
            auto record = snap.overview_record(filed->first, filed->second);
            std::int64_t t = record ? overview_date(*record) : 0;
            if (t < w.since || t >= w.until) return true;
            if (found.size() >= max_items) {
                out->too_many = true;
                return false;
            }
            found.emplace_back(rc::Item{static_cast<std::uint64_t>(t), item_id(w.salt, a.message_id)},
                               std::string(a.message_id));
            return true;
        });
    }
    if (out->too_many) return out;
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    // Equal items would be one Message-ID twice: impossible, but keep names aligned anyway.
    found.erase(std::unique(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
                found.end());
    std::vector<rc::Item> items;
    items.reserve(found.size());
    out->names.reserve(found.size());
    for (auto& [item, name] : found) {
        out->by_short.emplace_back(rc::short_id(item.id), static_cast<std::uint32_t>(items.size()));
        items.push_back(item);
        out->names.push_back(std::move(name));
    }
    std::sort(out->by_short.begin(), out->by_short.end());
    out->set = rc::ItemSet(std::move(items));
    return out;
}

}  // namespace tidings::server::reconcile
