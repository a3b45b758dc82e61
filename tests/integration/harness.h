// Test harness: starts a real tidingsd in a temp dir on an ephemeral port, and a tiny blocking
// NNTP client. Shared by the integration tests.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace tidings::testing {

// A tidingsd process. The config text is written to <dir>/tidings.toml; `{DATA}` in it is
// replaced by <dir>/data. The daemon listens on port 0; port() reads the bound port from
// <data>/tidingsd.listen.
class Daemon {
public:
    explicit Daemon(std::string config_toml, std::vector<std::string> extra_args = {});
    ~Daemon();  // SIGKILLs the process if still running, removes the temp dir
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    bool start();  // true when the listen file appeared within 20 s
    int port(std::string_view role = "") const;  // first listener (with that role if given)
    const std::string& dir() const { return dir_; }
    std::string data_dir() const { return dir_ + "/data"; }
    pid_t pid() const { return pid_; }
    // Sends `sig` and waits up to `timeout` for exit; returns the wait status, or -1.
    int stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(20));
    std::string log() const;  // the daemon's stderr so far

private:
    std::string dir_;
    std::string config_;
    std::vector<std::string> args_;
    pid_t pid_ = -1;
    std::vector<std::pair<std::string, int>> ports_;
};

// Runs tidingsd with `args` to completion; returns the exit status and fills stdout/stderr.
int run_tidingsd(const std::vector<std::string>& args, std::string* out, std::string* err);

std::string tidingsd_path();

class NntpClient {
public:
    NntpClient() = default;
    ~NntpClient();
    NntpClient(const NntpClient&) = delete;
    NntpClient& operator=(const NntpClient&) = delete;

    // `source`: a local address to connect from (e.g. "127.0.0.2"), or null.
    bool connect(int port, const char* host = "127.0.0.1", const char* source = nullptr);
    bool send_raw(std::string_view bytes);
    bool send_line(std::string_view line) { return send_raw(std::string(line) + "\r\n"); }
    // One line without CRLF; "" with eof() true on EOF/timeout.
    std::string read_line(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // A multi-line block after its status line, unstuffed, lines joined by "\n".
    std::vector<std::string> read_block(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Sends a command line and returns its status line.
    std::string command(std::string_view line) {
        send_line(line);
        return read_line();
    }
    bool eof() const { return eof_; }
    // True when the server closed the connection (reads EOF within `timeout`).
    bool closed_by_server(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Sends FIN but keeps reading (a client that hangs up in the middle of an article).
    void shutdown_write();
    void close();

private:
    int fd_ = -1;
    std::string buf_;
    bool eof_ = false;
};

// The start of a test node's TOML: [node] with `pathhost` and data_dir "{DATA}" (the Daemon's
// temp folder), then one [[listen]] on 127.0.0.1 port 0 with both roles. Append the rest.
std::string node_config(std::string_view pathhost);

// A minimal valid article (CRLF lines, not dot-stuffed, no final dot).
std::string make_article(std::string_view message_id, std::string_view newsgroups,
                         std::string_view path = "peer.example!not-for-mail",
                         std::string_view body = "Hello.\r\n");

// An article (CRLF text) dot-stuffed and ended with ".\r\n", as sent after IHAVE/TAKETHIS.
std::string wire(std::string_view article);

// Streams TAKETHIS batches of new articles to a server on its own thread until stop() (or the
// connection dies, e.g. the server was killed), recording each id answered 239: the ids a crash
// must not lose. `make_id(n)` names article n; `next` is the caller's counter, kept across
// feeders so every round offers new ids.
class TakethisFeeder {
public:
    TakethisFeeder(int port, std::size_t batch, std::function<std::string(int)> make_id, int& next);
    ~TakethisFeeder() { stop(); }
    TakethisFeeder(const TakethisFeeder&) = delete;
    TakethisFeeder& operator=(const TakethisFeeder&) = delete;

    void stop();                                 // joins the thread
    std::set<std::string> acked();               // ids answered 239 so far

private:
    void run(int port, std::size_t batch, std::function<std::string(int)> make_id, int& next);
    std::atomic<bool> stop_{false};
    std::mutex mu_;
    std::set<std::string> acked_;
    std::thread thread_;
};

}  // namespace tidings::testing
