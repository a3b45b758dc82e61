#include "server/transit/in_flight.h"

#include <gtest/gtest.h>

namespace tidings::server {
namespace {

using namespace std::chrono_literals;
using T = InFlightTable::Clock::time_point;

TEST(InFlight, APromiseHoldsAnIdForOthersUntilItLapses) {
    InFlightTable t(5s);
    const T t0{};
    t.hold("<a>", 1, false, t0);
    EXPECT_TRUE(t.held_by_other("<a>", 2, t0 + 4s));
    EXPECT_FALSE(t.held_by_other("<a>", 1, t0 + 4s));  // not from itself
    EXPECT_FALSE(t.held_by_other("<a>", 2, t0 + 5s));  // lapsed
    EXPECT_FALSE(t.held_body_by_other("<a>", 2));      // a promise is no article
    EXPECT_EQ(t.promises(1), 1u);
}

TEST(InFlight, LapsedPromisesLeaveInTimeOrderOnTheNextHold) {
    InFlightTable t(5s);
    const T t0{};
    for (int i = 0; i < 1000; ++i) t.hold("<p" + std::to_string(i) + ">", 1, false, t0 + std::chrono::milliseconds(i));
    EXPECT_EQ(t.size(), 1000u);
    EXPECT_EQ(t.promises(1), 1000u);
    t.hold("<x>", 2, true, t0 + 5s + 499ms);  // the first 500 have lapsed
    EXPECT_EQ(t.promises(1), 500u);
    EXPECT_EQ(t.size(), 501u);
    t.hold("<y>", 2, true, t0 + 60s);
    EXPECT_EQ(t.promises(1), 0u);
    EXPECT_EQ(t.size(), 2u);  // the articles stay until released
    EXPECT_TRUE(t.held_body_by_other("<x>", 1));
}

TEST(InFlight, AKeptOrRenewedPromiseIsNotDroppedByItsOldRecord) {
    InFlightTable t(5s);
    const T t0{};
    t.hold("<a>", 1, false, t0);
    t.hold("<a>", 1, true, t0 + 1s);  // TAKETHIS: the article is coming
    EXPECT_EQ(t.promises(1), 0u);
    t.hold("<b>", 1, false, t0);
    t.hold("<b>", 1, false, t0 + 3s);  // CHECKed again: a new promise
    t.hold("<c>", 3, false, t0 + 6s);  // lapses the t0 records
    EXPECT_TRUE(t.held_body_by_other("<a>", 2));
    EXPECT_TRUE(t.held_by_other("<b>", 2, t0 + 6s));
    EXPECT_EQ(t.promises(1), 1u);
}

TEST(InFlight, ReleaseOnlyByTheHolderAndAllOfASessionAtItsEnd) {
    InFlightTable t(5s);
    const T t0{};
    t.hold("<a>", 1, true, t0);
    t.hold("<b>", 1, false, t0);
    t.hold("<c>", 2, false, t0);
    t.release("<a>", 2);  // not its own: nothing happens
    EXPECT_TRUE(t.held_body_by_other("<a>", 2));
    t.release("<a>", 1);
    EXPECT_FALSE(t.held_body_by_other("<a>", 2));
    t.release_session(1);
    EXPECT_EQ(t.promises(1), 0u);
    EXPECT_EQ(t.promises(2), 1u);
    EXPECT_EQ(t.size(), 1u);
}

TEST(InFlight, AnotherSessionTakingAnIdMovesThePromiseCount) {
    InFlightTable t(5s);
    const T t0{};
    t.hold("<a>", 1, false, t0);
    t.hold("<a>", 2, true, t0 + 1s);  // a TAKETHIS from elsewhere takes the promise over
    EXPECT_EQ(t.promises(1), 0u);
    EXPECT_TRUE(t.held_body_by_other("<a>", 1));
}

}  // namespace
}  // namespace tidings::server
