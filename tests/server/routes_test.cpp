#include "server/admin/routes.h"

#include <gtest/gtest.h>

namespace tidings::server {
namespace {

namespace http = boost::beast::http;

struct RouteCase {
    const char* target;
    Route route;
    const char* arg;
    const char* action;
};

TEST(AdminRoutes, TargetsNameTheirRoute) {
    const RouteCase cases[] = {
        {"/", Route::dashboard, "", ""},
        {"/?refresh=1", Route::dashboard, "", ""},
        {"/healthz", Route::healthz, "", ""},
        {"/readyz", Route::readyz, "", ""},
        {"/status", Route::status, "", ""},
        {"/status?pretty", Route::status, "", ""},
        {"/metrics", Route::metrics, "", ""},
        {"/groups", Route::groups, "", ""},
        {"/groups/local.test", Route::group, "local.test", ""},
        {"/cancel", Route::cancel, "", ""},
        {"/reload", Route::reload, "", ""},
        {"/peers/hub/pause", Route::peer_action, "hub", "pause"},
        {"/peers/hub/resume", Route::peer_action, "hub", "resume"},
        {"/peers/hub/flush", Route::peer_action, "hub", "flush"},
        {"/peers/hub/clear", Route::peer_action, "hub", "clear"},
        {"/reconcile/hub", Route::reconcile, "hub", ""},
        {"/peering", Route::peering, "", ""},
        {"/peering/0123456789abcdef0123456789abcdef/approve", Route::peering_action, "0123456789abcdef0123456789abcdef", "approve"},
        {"/peering/peering-b.example/withdraw", Route::peering_action, "peering-b.example", "withdraw"},
        {"/peering/x/delete", Route::none, "", ""},
        // RFC 7230 §5.3.2: the absolute form names the same resource.
        {"http://localhost:8080/status", Route::status, "", ""},
        {"HTTP://localhost/peers/b/flush", Route::peer_action, "b", "flush"},
        {"http://localhost", Route::dashboard, "", ""},
        // Nothing else matches by accident.
        {"/status/", Route::none, "", ""},
        {"//status", Route::none, "", ""},
        {"/groups/", Route::none, "", ""},
        {"/peers/hub/stop", Route::none, "", ""},
        {"/peers//pause", Route::none, "", ""},
        {"/peers/hub", Route::none, "", ""},
        {"/STATUS", Route::none, "", ""},
        {"*", Route::none, "", ""},
        {"localhost:80", Route::none, "", ""},
        {"", Route::none, "", ""},
    };
    for (const auto& c : cases) {
        Match m = match_route(c.target);
        EXPECT_EQ(m.route, c.route) << c.target;
        EXPECT_EQ(m.arg, c.arg) << c.target;
        EXPECT_EQ(m.action, c.action) << c.target;
    }
}

TEST(AdminRoutes, EachRouteTakesItsMethodsOnly) {
    EXPECT_TRUE(method_fits(Route::status, http::verb::get));
    EXPECT_TRUE(method_fits(Route::metrics, http::verb::head));
    EXPECT_FALSE(method_fits(Route::status, http::verb::post));
    EXPECT_TRUE(method_fits(Route::groups, http::verb::post));
    EXPECT_FALSE(method_fits(Route::groups, http::verb::get));
    EXPECT_TRUE(method_fits(Route::group, http::verb::delete_));
    EXPECT_FALSE(method_fits(Route::group, http::verb::post));
    EXPECT_TRUE(method_fits(Route::reload, http::verb::post));
    EXPECT_FALSE(method_fits(Route::peer_action, http::verb::put));
    EXPECT_EQ(allowed_methods(Route::dashboard), "GET, HEAD");
    EXPECT_EQ(allowed_methods(Route::group), "DELETE");
    EXPECT_EQ(allowed_methods(Route::cancel), "POST");
}

TEST(AdminBearer, RefusesMissingOtherSchemeAndWrongTokens) {
    AdminAuth auth{"s3cret", ""};
    EXPECT_EQ(check_bearer(auth, "Bearer s3cret"), 0u);
    EXPECT_EQ(check_bearer(auth, "bearer s3cret"), 0u);  // the scheme is case-insensitive
    EXPECT_EQ(check_bearer(auth, ""), 401u);
    EXPECT_EQ(check_bearer(auth, "Basic czNjcmV0"), 401u);
    EXPECT_EQ(check_bearer(auth, "Bearer"), 401u);
    EXPECT_EQ(check_bearer(auth, "Bearer s3cre"), 403u);   // a prefix
    EXPECT_EQ(check_bearer(auth, "Bearer s3cret2"), 403u); // longer
    EXPECT_EQ(check_bearer(auth, "Bearer S3cret"), 403u);  // the token is case-sensitive
    EXPECT_EQ(check_bearer(auth, "Bearer "), 403u);
}

TEST(AdminBearer, NoTokenConfiguredRefusesEveryChange) {
    AdminAuth none{"", "token_file unreadable"};
    EXPECT_EQ(check_bearer(none, "Bearer "), 403u);
    EXPECT_EQ(check_bearer(none, "Bearer anything"), 403u);
    EXPECT_EQ(check_bearer(none, ""), 401u);
}

}  // namespace
}  // namespace tidings::server

namespace tidings::server {
namespace {

TEST(AdminHost, OnlyAddressesLocalhostAndThePathhostAreThisServer) {
    struct Case {
        bool present;
        const char* host;
        bool allowed;
    };
    const Case cases[] = {
        {false, "", true},  // HTTP/1.0 without Host: no browser sends that
        {true, "127.0.0.1", true},
        {true, "127.0.0.1:8119", true},
        {true, "192.0.2.7:80", true},
        {true, "[::1]", true},
        {true, "[::1]:8119", true},
        {true, "[2001:db8::1]:80", true},
        {true, "localhost", true},
        {true, "LocalHost:8119", true},
        {true, "news.example.org", true},  // the pathhost
        {true, "NEWS.example.org:8119", true},
        {true, "evil.example.com", false},  // DNS rebinding: a name that resolves to us
        {true, "evil.example.com:8119", false},
        {true, "news.example.org.evil.example.com", false},
        {true, "", false},
        {true, ":8119", false},
        {true, "127.0.0.1:port", false},
        {true, "1.2.3", false},
        {true, "1.2.3.4.5", false},
        {true, "[::1", false},
        {true, "[::1]x", false},
        {true, "[evil]", false},
        // Found by fuzz_routes: only real literals. Browsers never send these, but the check
        // promised "an IP literal" and took any digits and dots, and any hex digits in brackets.
        {true, "999.999.999.999", false},
        {true, "256.0.0.1:80", false},
        {true, "255.255.255.255", true},
        {true, "127.000.000.001", true},
        {true, "[cafe]", false},
        {true, "[::1.2.3]", false},
        {true, "[1.2.3.4]", false},
        {true, "[1:2:3:4:5:6:7:8:9]", false},
        {true, "[1::2::3]", false},
        {true, "[:1]", false},
        {true, "[1:]", false},
        {true, "[12345::1]", false},
        {true, "[::ffff:010.0.0.1]", false},
        {true, "[::]", true},
        {true, "[1:2:3:4:5:6:7::]", true},
        {true, "[::ffff:192.0.2.1]:8119", true},
        {true, "[fe80::1:2:3:4]", true},
    };
    for (const auto& c : cases)
        EXPECT_EQ(host_header_allowed(c.present, c.host, "news.example.org"), c.allowed) << c.host;
}

}  // namespace
}  // namespace tidings::server
