#include "protocol/wildmat.h"

#include <gtest/gtest.h>

namespace tidings::protocol {
namespace {

TEST(Wildmat, ErrorContract) {
    EXPECT_FALSE(wildmat_error("comp.*,!comp.lang.*"));
    EXPECT_TRUE(wildmat_error(""));
    EXPECT_TRUE(wildmat_error("a,,b"));
    EXPECT_TRUE(wildmat_error("a b"));
    EXPECT_TRUE(wildmat_error("@a"));
    EXPECT_FALSE(wildmat_error("@a", true));
}

}  // namespace
}  // namespace tidings::protocol
