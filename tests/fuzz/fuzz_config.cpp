// Fuzzes the configuration loader: any text gives either a config or error lines, each naming
// the file, and never a crash, a hang or a control character echoed back to the terminal.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/config.h"
#include "protocol/newsgroup.h"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const tidings::config::LoadResult r = tidings::config::load_string(text, "fuzz.toml");
    check(r.config.has_value() == r.errors.empty());
    for (const std::string& e : r.errors) {
        check(e.starts_with("fuzz.toml"));
        for (char c : e) check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
    }
    if (r.config) {
        check(!r.config->listeners.empty());
        // The loader and the admin API create groups under the same rules.
        for (const auto& g : r.config->groups)
            check(tidings::protocol::is_valid_new_newsgroup_name(g.name));
        check(tidings::config::to_string(r.config->node.log_level) != "?");
    }
    return 0;
}
