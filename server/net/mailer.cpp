#include "server/net/mailer.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

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

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        return std::string("cannot make a pipe: ") + std::strerror(errno);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, argv[0].c_str(), &fa, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(fds[0]);
    if (rc != 0) {
        ::close(fds[1]);
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        return "cannot run " + argv[0] + ": " + std::strerror(rc);
    }
    ::fcntl(fds[1], F_SETFL, ::fcntl(fds[1], F_GETFL) | O_NONBLOCK);
    int werr = write_all(fds[1], message, deadline);
    ::close(fds[1]);
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
