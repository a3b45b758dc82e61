#include "server/nntp/capabilities.h"

#include <gtest/gtest.h>

using tidings::server::CapabilityState;
using tidings::server::capabilities_response;

TEST(Capabilities, AlwaysVersionTwoAndImplementationAndTerminator) {
    std::string r = capabilities_response({}, "1.2.3");
    EXPECT_EQ(r, "101 Capability list:\r\nVERSION 2\r\nIMPLEMENTATION Tidings 1.2.3\r\n.\r\n");
}

TEST(Capabilities, ListsOnlyWhatIsOn) {
    CapabilityState s;
    s.ihave = true;
    s.streaming = true;
    s.list_keywords = {"ACTIVE", "NEWSGROUPS"};
    std::string r = capabilities_response(s, "1");
    EXPECT_NE(r.find("\r\nIHAVE\r\n"), std::string::npos);
    EXPECT_NE(r.find("\r\nSTREAMING\r\n"), std::string::npos);
    EXPECT_NE(r.find("\r\nLIST ACTIVE NEWSGROUPS\r\n"), std::string::npos);
    EXPECT_EQ(r.find("READER"), std::string::npos);
    EXPECT_EQ(r.find("POST"), std::string::npos);
}
