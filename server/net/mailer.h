// Running a local mailer (sendmail or anything that reads a message on standard input), for
// posts to moderated groups and group control messages. Blocking: call it off the I/O thread
// (server/net/off_thread.h).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace tidings::server {

// Runs argv[0] with argv (no shell, argv[0] an absolute path), writes `message` to its
// standard input, closes it and waits for it to exit. Standard output and error go to
// /dev/null. Past `timeout` the mailer is killed (SIGKILL). Returns "" when it exited with
// status 0, else why not ("exit status 75", "timed out after 30000 ms", "cannot run ...: ...").
std::string run_mailer(const std::vector<std::string>& argv, std::string_view message,
                       std::chrono::milliseconds timeout);

}  // namespace tidings::server
