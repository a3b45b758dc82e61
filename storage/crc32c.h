// Private to storage/: CRC-32C (Castagnoli) for the journal's records. SSE4.2's crc32
// instruction when the CPU has it (~10 GB/s: the journal carries every article, so a byte-wise
// table would cost a large share of a core at ingest rates), a table otherwise.
#pragma once

#include <cstdint>
#include <string_view>

namespace tidings::storage::detail {

std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0) noexcept;

}  // namespace tidings::storage::detail
