// Private to storage/: CRC-32C (Castagnoli) for the journal's records. SSE4.2's crc32
// instruction when the CPU has it, three streams at a time (the journal and every read carry
// whole articles, so a byte-wise table would cost a large share of a core), a table otherwise.
#pragma once

#include <cstdint>
#include <string_view>

namespace tidings::storage::detail {

std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0) noexcept;
// The same with the byte-wise table only: the reference the fast path is tested against.
std::uint32_t crc32c_bytewise(std::string_view data, std::uint32_t crc = 0) noexcept;

}  // namespace tidings::storage::detail
