// Small, fast, seedable PRNG (splitmix64): the corpus must not depend on libstdc++'s engines.
#pragma once

#include <cstdint>

namespace tidings::bench {

constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept : state_{seed} {}
    std::uint64_t next() noexcept { return mix64(state_ += 0x9e3779b97f4a7c15ULL); }
    // Uniform in [0, n); n > 0. The modulo bias (< n / 2^64) is irrelevant here.
    std::uint64_t below(std::uint64_t n) noexcept { return next() % n; }
    // Uniform in [0, 1).
    double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

private:
    std::uint64_t state_;
};

}  // namespace tidings::bench
