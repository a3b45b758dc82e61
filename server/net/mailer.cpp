#include "server/net/mailer.h"

#include "server/net/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>


namespace tidings::server {

namespace {

using clock = std::chrono::steady_clock;

int remaining_ms(clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

// Writes all of `data` to the non-blocking `fd` before `deadline`. 0, ETIMEDOUT or an errno.
int write_all(int fd, std::string_view data, clock::time_point deadline) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) return errno;
        pollfd p{fd, POLLOUT, 0};
        int rc = ::poll(&p, 1, remaining_ms(deadline));
        if (rc == 0) return ETIMEDOUT;
        if (rc < 0 && errno != EINTR) return errno;
    }
    return 0;
}

}  // namespace

std::string run_mailer(const std::vector<std::string>& argv, std::string_view message,
                       std::chrono::milliseconds timeout) {
    if (argv.empty() || argv[0].empty() || argv[0][0] != '/') return "no mailer (an absolute path is needed)";
    const auto deadline = clock::now() + timeout;
    // A mailer that exits without reading would raise SIGPIPE in this thread: take EPIPE
    // instead (the mask is this thread's; the child gets an empty one below).
    sigset_t pipe_only, old;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);

    const Spawned child = spawn_with_pipe(argv, PipeTo::child_stdin);
    if (child.pid < 0) {
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        return child.error;
    }
    const pid_t pid = child.pid;
    const int to_child = child.fd;
    ::fcntl(to_child, F_SETFL, ::fcntl(to_child, F_GETFL) | O_NONBLOCK);
    int werr = write_all(to_child, message, deadline);
    ::close(to_child);
    if (werr == EPIPE) {
        // The EPIPE also left a SIGPIPE pending for this thread: take it before unblocking.
        timespec zero{0, 0};
        while (::sigtimedwait(&pipe_only, nullptr, &zero) == SIGPIPE) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);

    int status = 0;
    for (;;) {
        pid_t got = ::waitpid(pid, &status, WNOHANG);
        if (got == pid) break;
        if (got < 0 && errno != EINTR) return std::string("waitpid: ") + std::strerror(errno);
        if (werr == ETIMEDOUT || clock::now() >= deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return "timed out after " + std::to_string(timeout.count()) + " ms";
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        if (werr) return std::string("the mailer did not read the message: ") + std::strerror(werr);
        return {};
    }
    if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
    return "ended abnormally";
}

}  // namespace tidings::server
