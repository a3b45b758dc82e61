// Token buckets by key (a user name or an address): `per_minute` events a minute, in bursts of
// at most `per_minute`. Pure (time is a parameter) and bounded: keys whose bucket has filled
// up again are forgotten once the table passes `max_keys`. Used for limits.max_posts_per_minute.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace tidings::server {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t max_keys = 10000;

    // True (and one token spent) when `key` may act now; false when it is over its rate, and
    // then `retry_after` says when it may again. per_minute == 0: no limit.
    bool allow(const std::string& key, std::uint32_t per_minute, Clock::time_point now,
               std::chrono::seconds* retry_after = nullptr);
    // True when `key` has a token now (nothing is spent).
    bool available(const std::string& key, std::uint32_t per_minute, Clock::time_point now) const;
    // Tokens `key` has spent and not yet got back (0 for an unknown key or no limit).
    std::uint32_t spent(const std::string& key, std::uint32_t per_minute, Clock::time_point now) const;
    std::size_t keys() const { return buckets_.size(); }

private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point at{};
    };
    void forget_full(std::uint32_t per_minute, Clock::time_point now);
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace tidings::server
