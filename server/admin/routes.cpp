// The admin API's routes: the Beast verb overload of method_allowed (routes_pure.cpp has the rest).
#include "server/admin/routes.h"

namespace tidings::server {

bool method_fits(Route r, boost::beast::http::verb v) {
    const auto name = boost::beast::http::to_string(v);
    return method_allowed(r, std::string_view(name.data(), name.size()));
}

}  // namespace tidings::server
