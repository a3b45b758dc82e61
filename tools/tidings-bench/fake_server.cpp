// A tiny in-process NNTP server for the self-test (see fake_server.h).
#include "fake_server.h"

#include <cstdio>
#include <cstring>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "connection.h"
#include "corpus.h"

namespace tidings::bench {

FakeServer::FakeServer(std::map<std::string, std::string> expected) : expected_{std::move(expected)} {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        return;
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

FakeServer::~FakeServer() {
    stopping_ = true;
    if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
    if (port_ != 0) {  // where shutdown() does not wake accept(), a connection does
        Connection wake;
        (void)wake.open("127.0.0.1", std::to_string(port_), 1);
    }
    if (acceptor_.joinable()) acceptor_.join();
    for (auto& s : sessions_) s.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::size_t FakeServer::stored() const {
    std::lock_guard lock{mu_};
    return spool_.size();
}

void FakeServer::accept_loop() {
    for (;;) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0 || stopping_) {
            if (fd >= 0) ::close(fd);
            return;
        }
        sessions_.emplace_back([this, fd] { serve(fd); });
    }
}

bool FakeServer::take_article(Connection& conn, const std::string& id) {
    std::string wire;
    std::string_view line;
    while (conn.read_line(line)) {
        wire += line;
        wire += "\r\n";
        if (line == ".") break;
    }
    std::string text;
    const auto want = expected_.find(id);
    if (!dot_unstuff(wire, text) || want == expected_.end() || want->second != text) {
        ++mismatches_;
        return false;
    }
    std::lock_guard lock{mu_};
    if (!spool_.emplace(id, text).second) return false;
    numbered_.push_back(id);
    return true;
}

void FakeServer::serve(int fd) {
    Connection conn;
    conn.adopt(fd);
    auto reply = [&](const std::string& s) { return conn.send_all(s + "\r\n"); };
    auto have = [&](const std::string& id) {
        std::lock_guard lock{mu_};
        return spool_.count(id) != 0;
    };
    if (!reply("200 fake server ready")) return;
    std::string_view raw;
    while (conn.read_line(raw)) {
        const std::string line(raw);
        const auto sp = line.find(' ');
        const std::string verb = line.substr(0, sp);
        const std::string arg = sp == std::string::npos ? "" : line.substr(sp + 1);
        bool ok = true;
        if (line == "MODE STREAM") ok = reply("203 streaming ok");
        else if (line == "MODE READER") ok = reply("200 reading ok");
        else if (verb == "QUIT") return (void)reply("205 bye");
        else if (verb == "CHECK") ok = reply((have(arg) ? "438 " : "238 ") + arg);
        else if (verb == "TAKETHIS") ok = reply((take_article(conn, arg) ? "239 " : "439 ") + arg);
        else if (verb == "IHAVE") {
            if (have(arg)) ok = reply("435 duplicate");
            else ok = reply("335 send it") && reply(take_article(conn, arg) ? "235 thanks" : "437 refused");
        } else if (verb == "GROUP") {
            std::lock_guard lock{mu_};
            const auto n = numbered_.size();
            ok = reply("211 " + std::to_string(n) + " " + (n ? "1 " : "0 ") + std::to_string(n) + " " + arg);
        } else if (verb == "OVER") {
            unsigned long lo = 0, hi = 0;
            std::string out;
            {
                std::lock_guard lock{mu_};
                std::sscanf(arg.c_str(), "%lu-%lu", &lo, &hi);
                for (unsigned long n = std::max(lo, 1UL); n <= hi && n <= numbered_.size(); ++n)
                    out += std::to_string(n) + "\tsubject\tfrom\tdate\t" + numbered_[n - 1] + "\t\t100\t3\r\n";
            }
            ok = out.empty() ? reply("423 no articles") : conn.send_all("224 overview\r\n" + out + ".\r\n");
        } else if (verb == "ARTICLE") {
            std::string id = arg, text;
            {
                std::lock_guard lock{mu_};
                if (arg[0] != '<') {
                    const auto n = std::strtoul(arg.c_str(), nullptr, 10);
                    id = n >= 1 && n <= numbered_.size() ? numbered_[n - 1] : "";
                }
                if (const auto it = spool_.find(id); it != spool_.end()) text = it->second;
            }
            ok = text.empty() ? reply(arg[0] == '<' ? "430 no such article" : "423 no such number")
                              : conn.send_all("220 0 " + id + "\r\n" + dot_stuff(text));
        } else {
            ok = reply("500 what?");
        }
        if (!ok) return;
    }
}

}  // namespace tidings::bench
