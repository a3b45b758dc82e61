// The admin API's routes: authorization, dispatch by path and method, JSON bodies in and out.
#include "server/admin/http_router.h"

#include <nlohmann/json.hpp>

#include <array>
#include <optional>

#include "protocol/ascii.h"
#include "protocol/status.h"
#include "server/admin/actions.h"
#include "server/core/group_control.h"
#include "server/admin/view.h"
#include "server/admin/http_server.h"
#include "server/admin/routes.h"

namespace tidings::server {
namespace {

using nlohmann::json;

// Beast 1.74 speaks boost::string_view; the rest of the project std::string_view.
std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }
beast::string_view bsv(std::string_view s) { return {s.data(), s.size()}; }

HttpResponse make_response(http::status status, std::string body, std::string_view type, unsigned version) {
    HttpResponse res{status, version};
    res.set(http::field::server, "tidingsd");
    res.set(http::field::content_type, bsv(type));
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

HttpResponse json_response(http::status status, const json& j, unsigned version) {
    // Invalid UTF-8 (a path or message from outside) is replaced, never thrown about.
    return make_response(status, j.dump(2, ' ', false, json::error_handler_t::replace) + "\n", "application/json",
                         version);
}

HttpResponse action_response(const ActionResult& r, unsigned version) {
    auto st = static_cast<http::status>(r.status);
    if (r.status >= 400) return error_response(st, r.message, version, true);
    return json_response(st, json{{"result", r.message}}, version);
}

HttpResponse method_not_allowed(std::string_view allow, unsigned version) {
    auto res = error_response(http::status::method_not_allowed, "method not allowed", version, true);
    res.set(http::field::allow, bsv(allow));
    return res;
}

// The JSON object of a request body, or nullopt (with a 400 to answer) when it is not one.
std::optional<json> body_object(const HttpRequest& req) {
    json j = json::parse(req.body(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

std::string string_field(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

awaitable<HttpResponse> mutate(AdminContext& ctx, const Match& m, const HttpRequest& req) {
    const unsigned v = req.version();
    switch (m.route) {
        case Route::groups: {
            auto j = body_object(req);
            if (!j) co_return error_response(http::status::bad_request, "body must be a JSON object", v, true);
            std::string name = string_field(*j, "name");
            std::string flag = string_field(*j, "flag");
            if (flag.empty()) flag = "y";
            if (name.empty()) co_return error_response(http::status::bad_request, "\"name\" is required", v, true);
            if (flag.size() != 1) co_return error_response(http::status::bad_request, "flag must be y, n or m", v, true);
            co_return action_response(co_await admin_create_group(ctx, name, flag[0]), v);
        }
        case Route::group:
            co_return action_response(co_await admin_remove_group(ctx, m.arg), v);
        case Route::cancel: {
            auto j = body_object(req);
            if (!j) co_return error_response(http::status::bad_request, "body must be a JSON object", v, true);
            std::string id = string_field(*j, "message_id");
            if (id.empty()) co_return error_response(http::status::bad_request, "\"message_id\" is required", v, true);
            co_return action_response(co_await admin_cancel(ctx, id), v);
        }
        case Route::quarantine_release: {
            auto j = body_object(req);
            if (!j) co_return error_response(http::status::bad_request, "body must be a JSON object", v, true);
            std::string id = string_field(*j, "message_id");
            if (id.empty()) co_return error_response(http::status::bad_request, "\"message_id\" is required", v, true);
            co_return action_response(co_await admin_release(ctx, id), v);
        }
        case Route::checkgroups_apply: {
            auto j = body_object(req);
            if (!j) co_return error_response(http::status::bad_request, "body must be a JSON object", v, true);
            auto it = j->find("id");
            if (it == j->end() || !it->is_number_unsigned())
                co_return error_response(http::status::bad_request, "\"id\" (a number from GET /checkgroups) is required", v, true);
            auto diff = ctx.node.checkgroups.take(it->get<std::uint64_t>());
            if (!diff) co_return error_response(http::status::not_found, "no such checkgroups diff", v, true);
            const CheckgroupsDiff& taken = *diff;  // lives in this frame while applied
            auto done = co_await apply_checkgroups(ctx.node, taken);
            co_return json_response(http::status::ok, json{{"result", "applied"}, {"changes", done}}, v);
        }
        case Route::pull: {
            if (!ctx.pulls || !ctx.pulls->run_now())
                co_return error_response(http::status::conflict, "no [[upstream]] is configured", v, true);
            co_return json_response(http::status::accepted,
                                    json{{"result", ctx.pulls->running() ? "queued after the current run" : "started"}}, v);
        }
        case Route::reconcile: {
            if (!ctx.reconciliation || !ctx.reconciliation->run_now(m.arg))
                co_return error_response(http::status::not_found, "no [[peer]] with outgoing named " + m.arg, v, true);
            co_return json_response(http::status::accepted, json{{"result", "started"}, {"peer", m.arg}}, v);
        }
        case Route::peer_action:
            co_return action_response(admin_peer_action(ctx, m.arg, m.action), v);
        case Route::peering_action: {
            if (!ctx.peering) co_return error_response(http::status::not_found, "peering is not running", v, true);
            const std::string why = m.action == "approve" ? ctx.peering->approve(m.arg)
                                    : m.action == "refuse" ? ctx.peering->refuse(m.arg)
                                                           : ctx.peering->withdraw(m.arg);
            if (!why.empty()) co_return error_response(http::status::conflict, why, v, true);
            co_return json_response(http::status::ok, json{{"result", m.action == "withdraw" ? "withdrawn" : m.action + "d"}}, v);
        }
        case Route::reload: {
            auto r = ctx.reload();
            json j{{"applied", r.applied}, {"restart_needed", r.restart_needed}, {"errors", r.errors}};
            co_return json_response(r.errors.empty() ? http::status::ok : http::status::unprocessable_entity, j, v);
        }
        default: break;
    }
    co_return error_response(http::status::not_found, "not found", v, true);
}

HttpResponse read_only(AdminContext& ctx, Route r, unsigned v) {
    const NodeContext& node = ctx.node;
    switch (r) {
        case Route::dashboard:
            return make_response(http::status::ok, std::string(dashboard_html()), "text/html; charset=utf-8", v);
        case Route::healthz: return json_response(http::status::ok, json{{"status", "ok"}}, v);
        case Route::readyz: {
            bool ready = !node.stopping && !node.listeners.empty();
            return json_response(ready ? http::status::ok : http::status::service_unavailable,
                                 json{{"ready", ready}, {"store", "open"}, {"listeners", node.listeners.size()}}, v);
        }
        case Route::status: return json_response(http::status::ok, status_json(gather_view(ctx)), v);
        case Route::quarantine: return json_response(http::status::ok, quarantine_json(ctx), v);
        case Route::checkgroups: return json_response(http::status::ok, checkgroups_json(ctx), v);
        case Route::peering: return json_response(http::status::ok, peering_json(ctx), v);
        case Route::metrics:
            return make_response(http::status::ok, metrics_text(gather_view(ctx), ctx.server.get()),
                                 "text/plain; version=0.0.4; charset=utf-8", v);
        default: return error_response(http::status::not_found, "not found", v, true);
    }
}

}  // namespace

HttpResponse error_response(http::status status, std::string_view text, unsigned version, bool keep_alive) {
    HttpResponse res = make_response(status, json{{"error", protocol::sanitize_for_echo(text, 200)}}.dump() + "\n",
                                     "application/json", version);
    res.keep_alive(keep_alive);
    return res;
}

awaitable<HttpResponse> handle_request(AdminContext& ctx, const AdminAuth& auth, HttpRequest req) {
    const unsigned v = req.version();
    Match m = match_route(sv(req.target()));
    if (m.route == Route::none) co_return error_response(http::status::not_found, "not found", v, true);
    if (!method_fits(m.route, req.method())) co_return method_not_allowed(allowed_methods(m.route), v);
    if (req.method() == http::verb::get || req.method() == http::verb::head) {
        auto res = read_only(ctx, m.route, v);
        if (req.method() == http::verb::head) {
            auto n = res.body().size();
            res.body().clear();
            res.content_length(n);
        }
        co_return res;
    }
    if (unsigned refusal = check_bearer(auth, sv(req[http::field::authorization]))) {
        auto res = error_response(
            static_cast<http::status>(refusal),
            refusal == 401 ? "bearer token required"
                           : (auth.token.empty() ? "changes are disabled: " + auth.token_problem : "wrong token"),
            v, true);
        if (refusal == 401) res.set(http::field::www_authenticate, "Bearer realm=\"tidings\"");
        co_return res;
    }
    co_return co_await mutate(ctx, m, req);
}

}  // namespace tidings::server
