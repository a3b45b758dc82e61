#include "server/net/mailer.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

using namespace tidings::server;
using namespace std::chrono_literals;

TEST(Mailer, FeedsTheMessageOnStandardInputAndReportsSuccess) {
    char path[] = "/tmp/tidings-mailer-out-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    std::string message(300000, 'x');  // more than a pipe holds: written as the mailer reads
    message += "\nend\n";
    EXPECT_EQ(run_mailer({"/bin/sh", "-c", std::string("cat > ") + path}, message, 10s), "");
    std::ifstream in(path, std::ios::binary);
    std::stringstream got;
    got << in.rdbuf();
    EXPECT_EQ(got.str(), message);
    std::remove(path);
}

TEST(Mailer, ReportsExitStatusTimeoutAndUnrunnableCommands) {
    EXPECT_EQ(run_mailer({"/bin/sh", "-c", "cat >/dev/null; exit 75"}, "m\n", 10s), "exit status 75");
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(run_mailer({"/bin/sleep", "30"}, "m\n", 300ms), "timed out after 300 ms");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);  // killed, not waited for
    EXPECT_EQ(run_mailer({"/nonexistent/sendmail"}, "m\n", 1s).rfind("cannot run /nonexistent/sendmail", 0), 0u);
    EXPECT_NE(run_mailer({"sendmail"}, "m\n", 1s), "");  // not an absolute path
    EXPECT_NE(run_mailer({}, "m\n", 1s), "");
}

TEST(Mailer, AMailerThatExitsWithoutReadingIsAFailureNotASignal) {
    // The write end sees EPIPE (SIGPIPE is blocked in the calling thread), never a dead process.
    std::string big(1 << 20, 'y');
    EXPECT_NE(run_mailer({"/bin/true"}, big, 10s), "");
}
