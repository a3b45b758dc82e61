// Starting a helper program (a mailer, gpgv) with one pipe to it, without a shell: the one
// posix_spawn set-up both users share. Blocking callers run it off the I/O thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace tidings::server {

// Which standard stream of the child is the pipe; the other two go to /dev/null.
enum class PipeTo { child_stdin, child_stdout };

struct Spawned {
    pid_t pid = -1;
    int fd = -1;        // our end of the pipe (close-on-exec), to write or to read
    std::string error;  // when pid is -1: why ("cannot run /usr/sbin/sendmail: No such file...")
};

// Runs argv[0] (an absolute path, checked by the caller) with argv and an empty signal mask.
Spawned spawn_with_pipe(const std::vector<std::string>& argv, PipeTo pipe);

}  // namespace tidings::server
