// The admin HTTP API's request router: one request in, one response out. No socket here — the
// session loop (http_server.cpp) reads and writes; this decides. Runs on the I/O thread.
#pragma once

#include "server/net/net.h"

#include <boost/beast/http.hpp>

#include <string>
#include <string_view>

#include "server/admin/context.h"
#include "server/admin/routes.h"

namespace tidings::server {

namespace http = beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// Routes one request (remote already checked against http.allow_hosts):
//   GET /healthz, /readyz, /status, /metrics, /            read-only, open
//   POST /groups, DELETE /groups/{name}, POST /cancel,
//   POST /peers/{name}/pause|resume|flush, POST /reload     bearer token required
// Unknown path: 404; known path, wrong method: 405 with Allow. Errors are JSON
// {"error": "..."}; the request's own bytes are never echoed unsanitized. Never throws for
// bad input. Mutations wait for the store's commit before answering.
awaitable<HttpResponse> handle_request(AdminContext& ctx, const AdminAuth& auth, HttpRequest req);

// A JSON error response with `status` and {"error": text}.
HttpResponse error_response(http::status status, std::string_view text, unsigned version = 11,
                            bool keep_alive = false);

}  // namespace tidings::server
