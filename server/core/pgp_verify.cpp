// gpgv as a subprocess: two temporary files in, status lines out.
#include "server/core/pgp_verify.h"

#include "server/net/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>


namespace tidings::server {

namespace {

using clock = std::chrono::steady_clock;
constexpr std::size_t max_status_bytes = 64 * 1024;  // gpgv writes a few hundred

// A file of `data` in `dir` (mkostemp: O_EXCL, mode 0600); its path, or "" on failure.
std::string temp_file(const std::string& dir, std::string_view data) {
    std::string path = dir + "/pgp.XXXXXX";
    int fd = ::mkostemp(path.data(), O_CLOEXEC);  // not inherited by processes started meanwhile
    if (fd < 0) return {};
    std::string_view left = data;
    while (!left.empty()) {
        ssize_t n = ::write(fd, left.data(), left.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            ::unlink(path.c_str());
            return {};
        }
        left.remove_prefix(static_cast<std::size_t>(n));
    }
    ::close(fd);
    return path;
}

std::string unescape(std::string_view s) {
    // GnuPG's status lines escape bytes outside printable ASCII as %XX (doc/DETAILS).
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            auto hex = [](char c) {
                return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            };
            int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

// Runs argv, stdin and stderr /dev/null, collecting stdout; "" on success (any exit status:
// gpgv's status lines are the answer), else why it could not run.
std::string run_capture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, std::string& out) {
    if (argv.empty() || argv[0].empty() || argv[0][0] != '/') return "gpgv must be an absolute path";
    const auto deadline = clock::now() + timeout;
    const Spawned child = spawn_with_pipe(argv, PipeTo::child_stdout);
    if (child.pid < 0) return child.error;
    const pid_t pid = child.pid;
    const int from_child = child.fd;
    bool timed_out = false;
    char buf[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        pollfd p{from_child, POLLIN, 0};
        int pr = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
        if (pr < 0 && errno != EINTR) break;
        if (pr <= 0) continue;
        ssize_t n = ::read(from_child, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (out.size() < max_status_bytes) out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(from_child);
    int status = 0;
    for (;;) {
        pid_t got = ::waitpid(pid, &status, WNOHANG);
        if (got == pid) break;
        if (got < 0 && errno != EINTR) break;
        if (timed_out || clock::now() >= deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return "timed out after " + std::to_string(timeout.count()) + " ms";
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return {};
}

}  // namespace

PgpResult parse_gpg_status(std::string_view status) {
    PgpResult r;
    std::string problem;
    while (!status.empty()) {
        auto nl = status.find('\n');
        std::string_view line = status.substr(0, nl);
        status.remove_prefix(nl == std::string_view::npos ? status.size() : nl + 1);
        constexpr std::string_view prefix = "[GNUPG:] ";
        if (!line.starts_with(prefix)) continue;
        line.remove_prefix(prefix.size());
        auto sp = line.find(' ');
        std::string_view keyword = line.substr(0, sp), rest = sp == std::string_view::npos ? "" : line.substr(sp + 1);
        if (keyword == "GOODSIG") {
            auto s2 = rest.find(' ');  // "<long keyid> <user id>"
            r.good = true;
            r.signer = s2 == std::string_view::npos ? std::string() : unescape(rest.substr(s2 + 1));
        } else if (keyword == "VALIDSIG") {
            r.fingerprint = std::string(rest.substr(0, rest.find(' ')));
        } else if (keyword == "BADSIG") {
            problem = "bad signature";
        } else if (keyword == "NO_PUBKEY") {
            problem = "unknown key";
        } else if (keyword == "EXPKEYSIG") {
            problem = "expired key";
        } else if (keyword == "REVKEYSIG") {
            problem = "revoked key";
        } else if (keyword == "EXPSIG") {
            problem = "expired signature";
        } else if ((keyword == "NODATA" || keyword == "ERRSIG") && problem.empty()) {
            problem = keyword == "NODATA" ? "no signature data" : "signature not checkable";
        }
    }
    // Anything worse than GOODSIG in the same run (gpgv reports each signature) spoils it.
    if (!problem.empty()) {
        r.good = false;
        r.problem = problem;
    } else if (!r.good) {
        r.problem = "no good signature";
    }
    return r;
}

bool signer_matches(std::string_view signer, std::string_view wanted) {
    if (wanted.empty()) return false;
    if (signer == wanted) return true;
    auto sp = signer.find(' ');
    return sp != std::string_view::npos && signer.substr(0, sp) == wanted;
}

PgpResult pgp_verify(const std::string& gpgv, const std::string& keyring, const std::string& tmp_dir,
                     std::string_view signed_text, std::string_view armor, std::chrono::milliseconds timeout) {
    PgpResult r;
    const std::string data = temp_file(tmp_dir, signed_text);
    const std::string sig = data.empty() ? std::string() : temp_file(tmp_dir, armor);
    if (sig.empty()) {
        if (!data.empty()) ::unlink(data.c_str());
        r.problem = "cannot write temporary files in " + tmp_dir + ": " + std::strerror(errno);
        return r;
    }
    std::string out;
    std::string err = run_capture({gpgv, "--quiet", "--status-fd=1", "--keyring", keyring, sig, data}, timeout, out);
    ::unlink(data.c_str());
    ::unlink(sig.c_str());
    if (!err.empty()) {
        r.problem = err;
        return r;
    }
    return parse_gpg_status(out);
}

}  // namespace tidings::server
