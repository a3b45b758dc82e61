// Logging set-up: spdlog to stderr, text or JSON lines.
#include "server/node/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <spdlog/pattern_formatter.h>

#include <memory>
#include <string>

namespace tidings::server {
namespace {

// %j: the message escaped for a JSON string (quotes, backslashes, control bytes).
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        static constexpr char hex[] = "0123456789abcdef";
        for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
            auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                dest.push_back('\\');
                dest.push_back(c);
            } else if (u < 0x20) {
                const char esc[] = {'\\', 'u', '0', '0', hex[u >> 4], hex[u & 15]};
                dest.append(esc, esc + sizeof esc);
            } else {
                dest.push_back(c);
            }
        }
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JsonEscapedMessage>();
    }
};

}  // namespace

void setup_logging(std::string_view level, std::string_view format) {
    static auto logger = [] {
        auto l = spdlog::stderr_color_mt("tidings");
        spdlog::set_default_logger(l);
        return l;
    }();
    logger->set_level(spdlog::level::from_str(std::string(level)));
    if (format == "json") {
        // The message itself is key=value text; JSON lines keep it as one string field so
        // log shippers can index time and level without parsing our text.
        auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
        f->add_flag<JsonEscapedMessage>('j').set_pattern(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%j"})");
        logger->set_formatter(std::move(f));
    } else {
        logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
    }
    logger->flush_on(spdlog::level::info);
}

}  // namespace tidings::server
