// tidingsctl: the admin CLI over tidingsd's HTTP API (README "Operations").
//
//   tidingsctl [--admin HOST:PORT] [--token T | --token-file F] [--json] COMMAND [ARGS]
//
// Exit status: 0 done; 1 tidingsd refused or failed (its message is printed); 2 usage;
// 3 tidingsd could not be reached.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "http_client.h"
#include "render.h"

using nlohmann::json;
using namespace tidings::ctl;

namespace {

constexpr const char* usage =
    "usage: tidingsctl [--config FILE] [--admin HOST:PORT] [--token TOKEN | --token-file FILE] [--json] COMMAND\n"
    "commands:\n"
    "  status                 node summary and listeners\n"
    "  peers                  the peer table\n"
    "  pause NAME             stop feeding peer NAME\n"
    "  resume NAME            feed peer NAME again\n"
    "  clear NAME             drop peer NAME's backlog (what is queued for it)\n"
    "  flush NAME             wake peer NAME's senders now\n"
    "  newgroup NAME [y|n|m]  create a newsgroup (default y)\n"
    "  rmgroup NAME           remove a newsgroup\n"
    "  cancel MESSAGE-ID      cancel an article\n"
    "  reload                 re-read the configuration file (as SIGHUP)\n"
    "  pull [--now]           the [[upstream]] table; --now starts a pull run\n"
    "  reconcile PEER         reconcile article sets with PEER now (XRECONCILE)\n"
    "  peering list           proposals, peerings and candidates (GET /peering)\n"
    "  peering approve NONCE  approve a proposal: the peer is written to peering.peers_file\n"
    "  peering refuse NONCE   refuse a proposal (the proposer is told)\n"
    "  peering withdraw NAME  end a peering on both sides\n"
    "--config FILE (or $TIDINGS_CONFIG): take the address and token from tidingsd's [http]\n"
    "defaults: --admin $TIDINGS_ADMIN or 127.0.0.1:8119; --token $TIDINGS_TOKEN\n";

struct Options {
    std::string host = "127.0.0.1";
    int port = 8119;
    std::string token;
    bool json_out = false;
    std::vector<std::string> words;
};

bool set_admin(Options& o, const std::string& hp) {
    auto colon = hp.rfind(':');
    if (colon == std::string::npos) return false;
    o.host = hp.substr(0, colon);
    if (o.host.size() > 1 && o.host.front() == '[' && o.host.back() == ']') o.host = o.host.substr(1, o.host.size() - 2);
    o.port = std::atoi(hp.c_str() + colon + 1);
    return o.port > 0 && o.port < 65536 && !o.host.empty();
}

bool read_token_file(Options& o, const std::string& path) {
    std::ifstream in(path);
    if (!in || !std::getline(in, o.token)) return false;
    while (!o.token.empty() && (o.token.back() == '\r' || o.token.back() == ' ')) o.token.pop_back();
    return true;
}

// Strips characters that would let a name break out of a URL path segment.
bool path_safe(const std::string& s) {
    return !s.empty() && s.find_first_of("/?#% \t\r\n") == std::string::npos;
}

int report(const HttpReply& r, const Options& o) {
    if (r.status == 0) {
        std::cerr << "tidingsctl: cannot reach tidingsd at " << o.host << ":" << o.port << ": " << r.error << "\n";
        return 3;
    }
    if (o.json_out) {
        std::cout << r.body;
        return r.status < 300 ? 0 : 1;
    }
    json j = json::parse(r.body, nullptr, false);
    if (r.status >= 300) {
        std::cerr << "tidingsctl: " << r.status << ": "
                  << (j.is_object() && j.contains("error") ? j["error"].get<std::string>() : r.body) << "\n";
        if (j.is_object() && j.contains("errors"))
            for (const auto& e : j["errors"]) std::cerr << "  " << e.get<std::string>() << "\n";
        return 1;
    }
    if (j.is_object() && j.contains("result")) std::cout << j["result"].get<std::string>() << "\n";
    if (j.is_object() && j.contains("applied")) {
        for (const auto& a : j["applied"]) std::cout << "applied: " << a.get<std::string>() << "\n";
        if (j["applied"].empty()) std::cout << "applied: nothing changed that can change while running\n";
        for (const auto& s : j["restart_needed"])
            std::cout << "restart needed: [" << s.get<std::string>() << "] changed in the file\n";
    }
    return 0;
}

// [http] of tidingsd's configuration file: where to connect (a wildcard address means this
// host's loopback) and the token. False after printing the file's errors.
bool apply_config(Options& o, const std::string& path) {
    auto r = tidings::config::load_file(path);
    for (const auto& e : r.errors) std::cerr << e << "\n";
    if (!r.config) return false;
    const auto& h = r.config->http;
    o.host = h.address == "0.0.0.0" ? "127.0.0.1" : h.address == "::" ? "::1" : h.address;
    o.port = h.port;
    if (!h.token.empty()) o.token = h.token;
    else if (!h.token_file.empty() && !read_token_file(o, h.token_file))
        std::cerr << "tidingsctl: cannot read " << h.token_file << " (http.token_file): changes will be refused\n";
    return true;
}

// Fills `o` from, in rising precedence, the configuration file, the environment and the
// options; returns -1 to go on, else the exit status.
int parse_options(Options& o, const std::vector<std::string>& args) {
    std::string config_path, admin, token, token_file;
    bool have_token = false;
    if (const char* c = std::getenv("TIDINGS_CONFIG")) config_path = c;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= args.size()) return false;
            out = args[++i];
            return true;
        };
        if (a == "--json") {
            o.json_out = true;
        } else if (a == "--help" || a == "-h") {
            std::cout << usage;
            return 0;
        } else if (a == "--config" || a == "--admin" || a == "--token" || a == "--token-file") {
            std::string& out = a == "--config" ? config_path : a == "--admin" ? admin : a == "--token" ? token : token_file;
            if (!value(out)) return std::cerr << "tidingsctl: " << a << " needs a value\n" << usage, 2;
            have_token = have_token || a == "--token";
        } else if (a.size() > 1 && a[0] == '-' && o.words.empty()) {
            return std::cerr << "tidingsctl: unknown option " << a << "\n" << usage, 2;
        } else {
            o.words.push_back(a);
        }
    }
    if (!config_path.empty() && !apply_config(o, config_path)) return 2;
    if (const char* a = std::getenv("TIDINGS_ADMIN"); a && !set_admin(o, a))
        return std::cerr << "tidingsctl: TIDINGS_ADMIN must be HOST:PORT\n", 2;
    if (const char* t = std::getenv("TIDINGS_TOKEN")) o.token = t;
    if (!admin.empty() && !set_admin(o, admin)) return std::cerr << "tidingsctl: --admin HOST:PORT\n" << usage, 2;
    if (have_token) o.token = token;
    if (!token_file.empty() && !read_token_file(o, token_file))
        return std::cerr << "tidingsctl: cannot read token file " << token_file << "\n", 2;
    if (o.words.empty()) return std::cerr << usage, 2;
    return -1;
}

// `status` and `peers`: GET /status, rendered as tables (or passed through with --json).
int show(const Options& o, const std::string& what) {
    auto r = http_request(o.host, o.port, "GET", "/status", "", "");
    if (o.json_out || r.status != 200) return report(r, o);
    json s = json::parse(r.body, nullptr, false);
    if (!s.is_object()) {
        std::cerr << "tidingsctl: /status did not return JSON\n";
        return 1;
    }
    try {
        std::cout << (what == "status" ? render_status(s) : what == "pull" ? render_pull(s) : render_peers(s));
    } catch (const json::exception& e) {
        std::cerr << "tidingsctl: unexpected /status shape: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

// `peering list`: GET /peering as tables (or passed through with --json).
int show_peering(const Options& o) {
    auto r = http_request(o.host, o.port, "GET", "/peering", "", "");
    if (o.json_out || r.status != 200) return report(r, o);
    json p = json::parse(r.body, nullptr, false);
    try {
        std::cout << render_peering(p);
    } catch (const json::exception& e) {
        std::cerr << "tidingsctl: unexpected /peering shape: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

int run_command(const Options& o) {
    const std::string& cmd = o.words[0];
    const std::size_t nargs = o.words.size() - 1;
    auto need = [&](std::size_t lo, std::size_t hi) { return nargs >= lo && nargs <= hi; };
    auto post = [&](const std::string& path, const std::string& body) {
        return report(http_request(o.host, o.port, "POST", path, o.token, body), o);
    };
    if ((cmd == "status" || cmd == "peers") && need(0, 0)) return show(o, cmd);
    if ((cmd == "pause" || cmd == "resume" || cmd == "flush" || cmd == "clear") && need(1, 1) && path_safe(o.words[1]))
        return post("/peers/" + o.words[1] + "/" + cmd, "");
    if (cmd == "newgroup" && need(1, 2))
        return post("/groups", json{{"name", o.words[1]}, {"flag", nargs == 2 ? o.words[2] : "y"}}.dump());
    if (cmd == "rmgroup" && need(1, 1) && path_safe(o.words[1]))
        return report(http_request(o.host, o.port, "DELETE", "/groups/" + o.words[1], o.token, ""), o);
    if (cmd == "cancel" && need(1, 1)) return post("/cancel", json{{"message_id", o.words[1]}}.dump());
    if (cmd == "reload" && need(0, 0)) return post("/reload", "");
    if (cmd == "pull" && need(1, 1) && o.words[1] == "--now") return post("/pull", "");
    if (cmd == "pull" && need(0, 0)) return show(o, cmd);
    if (cmd == "reconcile" && need(1, 1) && path_safe(o.words[1])) return post("/reconcile/" + o.words[1], "");
    if (cmd == "peering" && need(1, 1) && o.words[1] == "list") return show_peering(o);
    if (cmd == "peering" && need(2, 2) && path_safe(o.words[2]) &&
        (o.words[1] == "approve" || o.words[1] == "refuse" || o.words[1] == "withdraw"))
        return post("/peering/" + o.words[2] + "/" + o.words[1], "");
    std::cerr << "tidingsctl: unknown command or wrong arguments: " << cmd << "\n" << usage;
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (int status = parse_options(o, std::vector<std::string>(argv + 1, argv + argc)); status >= 0) return status;
    return run_command(o);
}
