#include "storage/unique_function.h"

#include <gtest/gtest.h>

#include <memory>

using tidings::storage::unique_function;

TEST(UniqueFunction, HoldsMoveOnlyCallables) {
    auto p = std::make_unique<int>(41);
    unique_function<int(int)> f = [p = std::move(p)](int x) { return *p + x; };
    EXPECT_TRUE(f);
    EXPECT_EQ(f(1), 42);
    unique_function<int(int)> g = std::move(f);
    EXPECT_FALSE(f);  // NOLINT(bugprone-use-after-move): moved-from is empty, by contract
    EXPECT_EQ(g(2), 43);
}

TEST(UniqueFunction, DefaultAndNullAreEmpty) {
    unique_function<void()> a;
    unique_function<void()> b = nullptr;
    EXPECT_FALSE(a);
    EXPECT_FALSE(b);
}
