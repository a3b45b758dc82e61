#include "storage/crc32c.h"

#include <array>
#include <cstring>

namespace tidings::storage::detail {

namespace {

constexpr std::uint32_t poly = 0x82F63B78;  // CRC-32C, reflected

constexpr std::array<std::uint32_t, 256> make_table() {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
        t[i] = c;
    }
    return t;
}
constexpr auto table = make_table();

std::uint32_t crc_table(const unsigned char* p, std::size_t n, std::uint32_t c) noexcept {
    while (n--) c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
    return c;
}

// The raw CRC register after `n` zero bytes: multiplication by x^(8n) modulo the polynomial.
// It is linear in the register, so for a fixed n it is four table lookups (one per byte).
struct Shift {
    std::array<std::array<std::uint32_t, 256>, 4> t{};
    explicit Shift(std::size_t n) {
        for (int k = 0; k < 4; ++k)
            for (std::uint32_t b = 0; b < 256; ++b) {
                std::uint32_t c = b << (8 * k);
                for (std::size_t i = 0; i < n; ++i) c = table[c & 0xff] ^ (c >> 8);  // a zero byte
                t[static_cast<std::size_t>(k)][b] = c;
            }
    }
    std::uint32_t operator()(std::uint32_t c) const noexcept {
        return t[0][c & 0xff] ^ t[1][(c >> 8) & 0xff] ^ t[2][(c >> 16) & 0xff] ^ t[3][c >> 24];
    }
};

#if defined(__x86_64__)
// One crc32 instruction takes 3 cycles before the next may use its result, but the CPU can
// start one every cycle: three independent streams over three adjacent blocks, joined with
// CRC(A B) = shift(CRC(A), |B|) ^ CRC(B) (the register is linear), run ~3x faster than one.
constexpr std::size_t block = 512;  // per stream; inputs shorter than 3 blocks take one stream

__attribute__((target("sse4.2"))) std::uint64_t crc_words(std::uint64_t c, const unsigned char* p,
                                                           std::size_t words) noexcept {
    for (std::size_t i = 0; i < words; ++i) {
        std::uint64_t w;
        std::memcpy(&w, p + 8 * i, 8);
        c = __builtin_ia32_crc32di(c, w);
    }
    return c;
}

__attribute__((target("sse4.2"))) std::uint32_t crc_hw(const unsigned char* p, std::size_t n,
                                                        std::uint32_t c) noexcept {
    static const Shift by_block(block);
    std::uint64_t c64 = c;
    while (n >= 3 * block) {
        std::uint64_t c1 = 0, c2 = 0;
        for (std::size_t i = 0; i < block; i += 8) {
            std::uint64_t w0, w1, w2;
            std::memcpy(&w0, p + i, 8);
            std::memcpy(&w1, p + block + i, 8);
            std::memcpy(&w2, p + 2 * block + i, 8);
            c64 = __builtin_ia32_crc32di(c64, w0);
            c1 = __builtin_ia32_crc32di(c1, w1);
            c2 = __builtin_ia32_crc32di(c2, w2);
        }
        c64 = by_block(by_block(static_cast<std::uint32_t>(c64)) ^ static_cast<std::uint32_t>(c1)) ^
              static_cast<std::uint32_t>(c2);
        p += 3 * block;
        n -= 3 * block;
    }
    c64 = crc_words(c64, p, n / 8);
    p += n / 8 * 8;
    n %= 8;
    c = static_cast<std::uint32_t>(c64);
    while (n--) c = __builtin_ia32_crc32qi(c, *p++);
    return c;
}
const bool have_hw = __builtin_cpu_supports("sse4.2");
#endif

}  // namespace

std::uint32_t crc32c_bytewise(std::string_view data, std::uint32_t crc) noexcept {
    return ~crc_table(reinterpret_cast<const unsigned char*>(data.data()), data.size(), ~crc);
}

std::uint32_t crc32c(std::string_view data, std::uint32_t crc) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    std::uint32_t c = ~crc;
#if defined(__x86_64__)
    if (have_hw) return ~crc_hw(p, data.size(), c);
#endif
    return ~crc_table(p, data.size(), c);
}

}  // namespace tidings::storage::detail
