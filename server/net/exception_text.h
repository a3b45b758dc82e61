// The text of a caught exception, for one log line: what() of a std::exception, else a fixed
// word. For the places that take an exception_ptr out of a handler (no co_await may run inside
// a catch block) or from a coroutine's completion.
#pragma once

#include <exception>
#include <string>

namespace tidings::server {

inline std::string exception_text(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "unknown exception";
    }
}

}  // namespace tidings::server
