#include "server/net/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace tidings::server {

Spawned spawn_with_pipe(const std::vector<std::string>& argv, PipeTo pipe) {
    Spawned s;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        s.error = std::string("cannot make a pipe: ") + std::strerror(errno);
        return s;
    }
    const bool to_stdin = pipe == PipeTo::child_stdin;
    const int child_end = to_stdin ? fds[0] : fds[1];
    const int our_end = to_stdin ? fds[1] : fds[0];
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (to_stdin) {
        posix_spawn_file_actions_adddup2(&fa, child_end, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
    } else {
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, child_end, 1);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    }
    // The child starts with no signal blocked, whatever this thread blocks (SIGPIPE, say).
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = ::posix_spawn(&s.pid, argv[0].c_str(), &fa, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(child_end);
    if (rc != 0) {
        ::close(our_end);
        s.pid = -1;
        s.error = "cannot run " + argv[0] + ": " + std::strerror(rc);
        return s;
    }
    s.fd = our_end;
    return s;
}

}  // namespace tidings::server
