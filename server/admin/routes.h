// The admin API's routes: which resource a request target names, the methods each accepts, and
// the bearer-token check. Pure (no I/O): the router (http_router.h) acts on what these decide.
// All but the Beast verb overload live in routes_pure.h (standard library only, fuzzed).
#pragma once

#include <boost/beast/http/verb.hpp>

#include "server/admin/routes_pure.h"

namespace tidings::server {

// Whether `v` is one of the methods allowed_methods(r) lists.
bool method_fits(Route r, boost::beast::http::verb v);

}  // namespace tidings::server
