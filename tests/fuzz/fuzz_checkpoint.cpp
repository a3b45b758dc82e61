// Fuzzes the checkpoint file's decoder (storage/checkpoint_format.h), which start-up trusts to
// restore LMDB's meta page: arbitrary bytes never crash it or make it read outside the buffer,
// what it accepts re-encodes to the same bytes, and a checkpoint built from the input reads back
// — but not once cut, extended or changed in any byte.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "storage/checkpoint_format.h"

using namespace tidings::storage::detail;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    if (auto c = decode_checkpoint(raw)) {
        check(encode_checkpoint(*c) == raw);
        check(c->meta_page.size() >= 512 && meta_page_txnid(c->meta_page) == c->txnid);
    }
    (void)meta_page_txnid(raw);

    FuzzedDataProvider in(data, size);
    Checkpoint c;
    c.seq = in.ConsumeIntegral<std::uint64_t>();
    c.txnid = in.ConsumeIntegral<std::uint64_t>();
    const std::size_t page = in.ConsumeBool() ? 4096 : in.ConsumeIntegralInRange<std::size_t>(0, 8192);
    c.meta_page = in.ConsumeBytesAsString(page);
    c.meta_page.resize(page, '\0');
    if (page >= 152) std::memcpy(c.meta_page.data() + 144, &c.txnid, 8);
    const std::string bytes = encode_checkpoint(c);
    const auto back = decode_checkpoint(bytes);
    if (page < 512) {
        check(!back);
        return 0;
    }
    check(back && back->seq == c.seq && back->txnid == c.txnid && back->meta_page == c.meta_page);

    const std::size_t cut = in.ConsumeIntegralInRange<std::size_t>(0, bytes.size() - 1);
    check(!decode_checkpoint(std::string_view(bytes).substr(0, cut)));
    check(!decode_checkpoint(bytes + in.ConsumeRandomLengthString(16) + 'x'));
    std::string bad = bytes;
    const std::size_t at = in.ConsumeIntegralInRange<std::size_t>(0, bytes.size() - 1);
    bad[at] = static_cast<char>(bad[at] ^ in.ConsumeIntegralInRange<int>(1, 255));
    check(!decode_checkpoint(bad));
    return 0;
}
