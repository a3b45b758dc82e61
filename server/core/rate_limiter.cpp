#include "server/core/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace tidings::server {

namespace {
double refill(double tokens, std::chrono::steady_clock::duration since, std::uint32_t per_minute) {
    const double seconds = std::chrono::duration<double>(since).count();
    return std::min<double>(per_minute, tokens + seconds * per_minute / 60.0);
}
}  // namespace

bool RateLimiter::allow(const std::string& key, std::uint32_t per_minute, Clock::time_point now,
                        std::chrono::seconds* retry_after) {
    if (per_minute == 0) return true;
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_keys) forget_full(per_minute, now);
        it = buckets_.emplace(key, Bucket{static_cast<double>(per_minute), now}).first;
    }
    Bucket& b = it->second;
    b.tokens = refill(b.tokens, now - b.at, per_minute);
    b.at = now;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return true;
    }
    if (retry_after) *retry_after = std::chrono::seconds(
                         static_cast<long>(std::ceil((1.0 - b.tokens) * 60.0 / per_minute)));
    return false;
}

bool RateLimiter::available(const std::string& key, std::uint32_t per_minute, Clock::time_point now) const {
    if (per_minute == 0) return true;
    auto it = buckets_.find(key);
    return it == buckets_.end() || refill(it->second.tokens, now - it->second.at, per_minute) >= 1.0;
}

std::uint32_t RateLimiter::spent(const std::string& key, std::uint32_t per_minute, Clock::time_point now) const {
    auto it = buckets_.find(key);
    if (per_minute == 0 || it == buckets_.end()) return 0;
    const double tokens = refill(it->second.tokens, now - it->second.at, per_minute);
    return static_cast<std::uint32_t>(std::ceil(per_minute - tokens));
}

void RateLimiter::forget_full(std::uint32_t per_minute, Clock::time_point now) {
    // A full bucket is the same as no bucket: dropping it changes nothing for its key.
    std::erase_if(buckets_, [&](const auto& kv) {
        return refill(kv.second.tokens, now - kv.second.at, per_minute) >= per_minute;
    });
    // Still full of busy keys (a flood from many addresses): start over rather than grow.
    if (buckets_.size() >= max_keys) buckets_.clear();
}

}  // namespace tidings::server
