// Headless Chromium (Debian `chromium`) for the tests that check what the dashboard renders.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace tidings::testing {

inline const char* chromium_path() {
    for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
        if (std::filesystem::exists(p)) return p;
    return nullptr;
}

// Runs headless Chromium on `url` with `what` ("--dump-dom" or "--screenshot=FILE"); returns stdout.
inline std::string chromium(const std::string& url, const std::string& what) {
    auto profile = std::filesystem::temp_directory_path() / ("tidings-chromium-" + std::to_string(getpid()));
    std::filesystem::create_directories(profile);
    std::string cmd = std::string(chromium_path()) +
                      " --headless --no-sandbox --disable-gpu --disable-background-networking"
                      " --disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage"
                      " --user-data-dir=" + profile.string() +
                      " --window-size=1200,800 --virtual-time-budget=5000 --timeout=20000 " + what + " " + url +
                      " 2>/dev/null";
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        char buf[65536];
        std::size_t n;
        while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
        pclose(p);
    }
    std::filesystem::remove_all(profile);
    return out;
}

}  // namespace tidings::testing
