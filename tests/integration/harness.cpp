// Integration-test harness: a tidingsd child process and a blocking NNTP client.
#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace tidings::testing {

namespace fs = std::filesystem;

std::string tidingsd_path() { return TIDINGSD_PATH; }

namespace {

std::string make_temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "tidings-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    return tmpl;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

Daemon::Daemon(std::string config_toml, std::vector<std::string> extra_args)
    : dir_(make_temp_dir()), config_(std::move(config_toml)), args_(std::move(extra_args)) {
    for (std::size_t p; (p = config_.find("{DATA}")) != std::string::npos;)
        config_.replace(p, 6, dir_ + "/data");
    std::ofstream(dir_ + "/tidings.toml") << config_;
}

Daemon::~Daemon() {
    if (pid_ > 0) stop(SIGKILL, std::chrono::seconds(5));
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

bool Daemon::start() {
    fs::remove(data_dir() + "/tidingsd.listen");
    pid_ = fork();
    if (pid_ == 0) {
        int err = ::open((dir_ + "/stderr.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        dup2(err, 2);
        dup2(err, 1);
        std::vector<std::string> argv{tidingsd_path(), "--config", dir_ + "/tidings.toml"};
        argv.insert(argv.end(), args_.begin(), args_.end());
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        execv(cargv[0], cargv.data());
        _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        std::ifstream in(data_dir() + "/tidingsd.listen");
        std::string kind, addr, roles;
        int port = 0;
        ports_.clear();
        while (in >> kind >> addr >> port >> roles) ports_.emplace_back(roles, port);
        if (!ports_.empty()) return true;
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

int Daemon::port(std::string_view role) const {
    for (const auto& [roles, port] : ports_)
        if (role.empty() || roles.find(role) != std::string::npos) return port;
    return -1;
}

int Daemon::stop(int sig, std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    kill(pid_, sig);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return status;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
}

std::string Daemon::log() const { return slurp(dir_ + "/stderr.log"); }

int run_tidingsd(const std::vector<std::string>& args, std::string* out, std::string* err) {
    std::string dir = make_temp_dir();
    pid_t pid = fork();
    if (pid == 0) {
        int o = ::open((dir + "/out").c_str(), O_WRONLY | O_CREAT, 0644);
        int e = ::open((dir + "/err").c_str(), O_WRONLY | O_CREAT, 0644);
        dup2(o, 1);
        dup2(e, 2);
        std::vector<std::string> argv{tidingsd_path()};
        argv.insert(argv.end(), args.begin(), args.end());
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        execv(cargv[0], cargv.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (out) *out = slurp(dir + "/out");
    if (err) *err = slurp(dir + "/err");
    std::error_code ec;
    fs::remove_all(dir, ec);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

NntpClient::~NntpClient() { close(); }

void NntpClient::shutdown_write() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void NntpClient::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool NntpClient::connect(int port, const char* host, const char* source) {
    close();
    // An IPv6 literal ("::1") connects over IPv6, anything else over IPv4.
    const bool v6 = std::string_view(host).find(':') != std::string_view::npos;
    fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (v6) {
        if (source) {
            sockaddr_in6 src{};
            src.sin6_family = AF_INET6;
            inet_pton(AF_INET6, source, &src.sin6_addr);
            if (::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) return false;
        }
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(static_cast<std::uint16_t>(port));
        inet_pton(AF_INET6, host, &sa.sin6_addr);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return false;
    } else {
        if (source) {
            sockaddr_in src{};
            src.sin_family = AF_INET;
            inet_pton(AF_INET, source, &src.sin_addr);
            if (::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) return false;
        }
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(static_cast<std::uint16_t>(port));
        inet_pton(AF_INET, host, &sa.sin_addr);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return false;
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    buf_.clear();
    eof_ = false;
    return true;
}

bool NntpClient::send_raw(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::string NntpClient::read_line(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto pos = buf_.find("\r\n");
        if (pos != std::string::npos) {
            std::string line = buf_.substr(0, pos);
            buf_.erase(0, pos + 2);
            return line;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || fd_ < 0) {
            eof_ = true;
            return {};
        }
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char tmp[65536];
        ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
        if (n <= 0) {
            eof_ = true;
            return {};
        }
        buf_.append(tmp, static_cast<std::size_t>(n));
    }
}

std::vector<std::string> NntpClient::read_block(std::chrono::milliseconds timeout) {
    std::vector<std::string> lines;
    for (;;) {
        std::string l = read_line(timeout);
        if (eof_) return lines;
        if (l == ".") return lines;
        if (!l.empty() && l[0] == '.') l.erase(0, 1);
        lines.push_back(std::move(l));
    }
}

bool NntpClient::closed_by_server(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 50) > 0) {
            char tmp[4096];
            ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
            if (n <= 0) return true;
        }
    }
    return false;
}

std::string node_config(std::string_view pathhost) {
    std::string c = "[node]\npathhost = \"";
    c += pathhost;
    c += "\"\ndata_dir = \"{DATA}\"\n\n[[listen]]\naddress = \"127.0.0.1\"\nport = 0\n";
    return c;
}

std::string make_article(std::string_view message_id, std::string_view newsgroups,
                         std::string_view path, std::string_view body) {
    std::string a;
    a += "Path: ";
    a += path;
    a += "\r\nFrom: Tester <tester@example.com>\r\nNewsgroups: ";
    a += newsgroups;
    a += "\r\nSubject: test article\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\nMessage-ID: ";
    a += message_id;
    a += "\r\n\r\n";
    a += body;
    return a;
}

std::string wire(std::string_view article) {
    std::string out;
    bool bol = true;
    for (char c : article) {
        if (bol && c == '.') out += '.';
        out += c;
        bol = c == '\n';
    }
    if (!out.empty() && out.back() != '\n') out += "\r\n";
    out += ".\r\n";
    return out;
}

TakethisFeeder::TakethisFeeder(int port, std::size_t batch, std::function<std::string(int)> make_id, int& next)
    : thread_([this, port, batch, make_id = std::move(make_id), &next] { run(port, batch, make_id, next); }) {}

void TakethisFeeder::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

std::set<std::string> TakethisFeeder::acked() {
    std::lock_guard lock(mu_);
    return acked_;
}

void TakethisFeeder::run(int port, std::size_t batch, std::function<std::string(int)> make_id, int& next) {
    NntpClient c;
    if (!c.connect(port)) return;
    c.read_line();
    c.command("MODE STREAM");
    while (!stop_) {
        std::string out;
        std::vector<std::string> ids;
        for (std::size_t i = 0; i < batch; ++i) {
            ids.push_back(make_id(next++));
            out += "TAKETHIS " + ids.back() + "\r\n" + wire(make_article(ids.back(), "local.test"));
        }
        if (!c.send_raw(out)) return;
        for (auto& m : ids) {
            std::string r = c.read_line(std::chrono::seconds(5));
            if (c.eof()) return;
            if (r == "239 " + m) {
                std::lock_guard lock(mu_);
                acked_.insert(m);
            }
        }
    }
}

}  // namespace tidings::testing
