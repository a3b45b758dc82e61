// Helpers for tests of one tidingsd feeding another (feeds_tls_test.cpp, feeds_auth_test.cpp):
// a node's identity pin from its log, a post, and waiting for an article to arrive.
#pragma once

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "harness.h"

namespace tidings::testing {

// The node's identity pin, as logged at start (event=identity), or "".
inline std::string pin_of(const Daemon& d) {
    std::smatch m;
    const std::string log = d.log();
    static const std::regex re("event=identity pin=(sha256//[A-Za-z0-9+/=]{44})");
    return std::regex_search(log, m, re) ? m[1].str() : std::string();
}

// POSTs a small article `id` to `group` on the node's first listener (at `host`); true on 240.
inline bool post(Daemon& d, const std::string& id, const std::string& group, const std::string& host = "127.0.0.1") {
    NntpClient c;
    if (!c.connect(d.port(), host.c_str())) return false;
    c.read_line();
    if (c.command("POST").substr(0, 3) != "340") return false;
    c.send_raw("From: a@example.com\r\nNewsgroups: " + group + "\r\nSubject: fed\r\nMessage-ID: " + id +
               "\r\n\r\nSent over a peer link.\r\n.\r\n");
    return c.read_line().substr(0, 3) == "240";
}

// True once `d` answers 223 to STAT `id` on its reader port at `host` (within `limit`).
inline bool arrives(Daemon& d, const std::string& id, std::chrono::seconds limit, const std::string& host = "127.0.0.1") {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        NntpClient c;
        if (c.connect(d.port("reader"), host.c_str())) {
            c.read_line();
            if (c.command("STAT " + id).substr(0, 3) == "223") return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

// A node identity made ahead, as an admin would with --print-identity: the key files in
// `holder`'s data directory (holder never starts); returns its pin, or "".
inline std::string make_identity(const Daemon& holder) {
    std::string out, err;
    if (run_tidingsd({"--print-identity", "--config", holder.dir() + "/tidings.toml"}, &out, &err) != 0) return "";
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

// [node] keys that give a node the identity made in `holder`.
inline std::string identity_keys(const Daemon& holder) {
    return "identity_cert = \"" + holder.data_dir() + "/identity/cert.pem\"\n"
           "identity_key = \"" + holder.data_dir() + "/identity/key.pem\"\n";
}

}  // namespace tidings::testing
