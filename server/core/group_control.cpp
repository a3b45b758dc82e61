// newgroup / rmgroup / checkgroups: rule, PGP check, action.
#include "server/core/group_control.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <set>

#include "config/checks.h"
#include "protocol/ascii.h"
#include "protocol/moderation.h"
#include "protocol/newsgroup.h"
#include "protocol/status.h"
#include "protocol/wildmat.h"
#include "server/core/node_context.h"
#include "server/core/pgp_verify.h"
#include "server/core/store_wait.h"
#include "server/core/withdrawal.h"
#include "server/net/mailer.h"
#include "server/net/off_thread.h"
#include "storage/snapshot.h"

namespace tidings::server {

namespace {

using protocol::GroupControlKind;

bool kind_fits(config::GroupControlKinds k, GroupControlKind kind) {
    switch (k) {
        case config::GroupControlKinds::all: return true;
        case config::GroupControlKinds::newgroup: return kind == GroupControlKind::newgroup;
        case config::GroupControlKinds::rmgroup: return kind == GroupControlKind::rmgroup;
        case config::GroupControlKinds::checkgroups: return kind == GroupControlKind::checkgroups;
    }
    return false;
}

std::string sender_of(const protocol::ParsedArticle& a) {
    const auto* f = a.find("Sender");
    if (!f) f = a.find("From");
    return f ? protocol::ascii_lower(from_address(protocol::unfold(f->value))) : std::string();
}

// gpgv and the mailer run as processes off the I/O thread, two at a time.
OffThreadLimit pgp_checks{2, std::chrono::milliseconds(20)};   // I/O thread only
// Signed messages waiting for a gpgv slot; past this many a new one is only logged ("busy"),
// so a flood of signed-looking control messages cannot pile up coroutines and articles.
constexpr int max_pgp_waiting = 32;
int pgp_waiting = 0;
OffThreadLimit control_mailers{2, std::chrono::milliseconds(20)};

}  // namespace

bool protected_group(const config::Config& cfg, std::string_view name) {
    if (name == cfg.filter.quarantine_group || name == "control" || name.starts_with("control.") || name == "junk")
        return true;
    return std::any_of(cfg.groups.begin(), cfg.groups.end(), [&](const config::Group& g) { return g.name == name; });
}

bool is_group_control(const protocol::ParsedArticle& a) {
    auto c = protocol::control_command(a);
    return c && (c->verb == "newgroup" || c->verb == "rmgroup" || c->verb == "checkgroups");
}

std::optional<GroupControlPlan> plan_group_control(const config::Control& control, const protocol::ParsedArticle& a) {
    auto c = protocol::control_command(a);
    if (!c) return std::nullopt;
    auto what = protocol::group_control_of(*c);
    if (!what) return std::nullopt;
    GroupControlPlan p;
    p.what = std::move(*what);
    p.sender = sender_of(a);
    p.rule_name = "default";
    std::vector<protocol::GroupLine> listed;
    for (std::size_t i = 0; i < control.group_rules.size(); ++i) {
        const auto& r = control.group_rules[i];
        if (!kind_fits(r.kind, p.what.kind)) continue;
        if (!r.sender.empty() && !protocol::wildmat_match(protocol::ascii_lower(r.sender), p.sender)) continue;
        if (p.what.kind != GroupControlKind::checkgroups) {
            if (!protocol::wildmat_match(r.pattern, p.what.group)) continue;
        } else {
            // A checkgroups is judged by the first rule for one of the groups it lists (one
            // hierarchy's maintainer, key and all), as INN matches each line.
            if (listed.empty()) listed = protocol::checkgroups_lines(a.body);
            if (std::none_of(listed.begin(), listed.end(),
                             [&](const protocol::GroupLine& l) { return protocol::wildmat_match(r.pattern, l.name); }))
                continue;
        }
        p.rule = &r;
        p.rule_name = "control.group_rule[" + std::to_string(i) + "]";
        break;
    }
    return p;
}

CheckgroupsDiff checkgroups_diff(const std::vector<protocol::GroupLine>& lines, std::vector<std::string> scope,
                                 const std::map<std::string, char>& groups, const std::string& pattern) {
    CheckgroupsDiff d;
    if (scope.empty()) {
        std::set<std::string> tops;
        for (const auto& l : lines) tops.insert(l.name.substr(0, l.name.find('.')));
        scope.assign(tops.begin(), tops.end());
    }
    d.scope = scope;
    std::set<std::string> listed;
    for (const auto& l : lines) {
        if (!protocol::in_scope(scope, l.name)) continue;
        listed.insert(l.name);
        auto it = groups.find(l.name);
        if (it == groups.end()) d.add.push_back(l);
        else if ((it->second == 'm') != l.moderated) d.moderate.push_back(l);
    }
    for (const auto& [name, flag] : groups)
        if (protocol::in_scope(scope, name) && protocol::wildmat_match(pattern, name) && !listed.count(name))
            d.remove.push_back(name);
    return d;
}

std::uint64_t CheckgroupsDiffs::add(CheckgroupsDiff d) {
    d.id = next_++;
    diffs_.push_back(std::move(d));
    while (diffs_.size() > max_) diffs_.pop_front();
    return diffs_.back().id;
}

std::optional<CheckgroupsDiff> CheckgroupsDiffs::take(std::uint64_t id) {
    auto it = std::find_if(diffs_.begin(), diffs_.end(), [&](const auto& d) { return d.id == id; });
    if (it == diffs_.end()) return std::nullopt;
    CheckgroupsDiff d = std::move(*it);
    diffs_.erase(it);
    return d;
}

awaitable<std::vector<std::string>> apply_checkgroups(NodeContext& node, const CheckgroupsDiff& diff) {
    std::vector<std::string> done;
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    // Each change is awaited: the answer reports what was committed, not what was asked for.
    auto store_step = [&](const std::string& verb, const std::string& name, bool ok) {
        done.push_back(ok ? verb + " " + name : "failed to " + verb.substr(0, verb.size() - 1) + " " + name);
    };
    for (const auto& g : diff.add) {
        // Names we would refuse in [[group]] (reserved components) are not created either.
        if (!protocol::is_valid_new_newsgroup_name(g.name)) {
            done.push_back("skipped " + g.name + ": reserved name");
            continue;
        }
        auto w = std::make_shared<Waiter>(node.io);
        node.store.create_group(g.name, g.moderated ? 'm' : 'y', "checkgroups", now, completion(w));
        const bool ok = co_await wait_for(w);
        store_step("created", g.name, ok);
    }
    for (const auto& g : diff.moderate) {
        if (protected_group(node.cfg(), g.name)) continue;
        auto w = std::make_shared<Waiter>(node.io);
        node.store.set_group_flag(g.name, g.moderated ? 'm' : 'y', completion(w));
        const bool ok = co_await wait_for(w);
        store_step(g.moderated ? "moderated" : "unmoderated", g.name, ok);
    }
    for (const auto& name : diff.remove) {
        if (protected_group(node.cfg(), name)) {
            done.push_back("kept " + name + ": protected");
            continue;
        }
        auto w = std::make_shared<Waiter>(node.io);
        node.store.remove_group(name, completion(w));
        const bool ok = co_await wait_for(w);
        store_step("removed", name, ok);
    }
    for (const auto& d : done) spdlog::info("event=checkgroups_applied diff={} change=\"{}\"", diff.id, d);
    co_return done;
}

awaitable<void> run_group_control(NodeContext& node, std::string id, std::string article, std::string source) {
    const auto cfg_holder = node.generation();  // the rules stay alive while we wait on gpgv
    const config::Config& cfg = *cfg_holder->config;
    const auto a = protocol::parse_article(article);
    auto plan = plan_group_control(cfg.control, a);
    if (!plan) co_return;
    const auto kind = protocol::to_string(plan->what.kind);
    const std::string target = plan->what.kind == GroupControlKind::checkgroups ? std::string("-") : plan->what.group;
    const auto action = plan->rule ? plan->rule->action : config::GroupControlAction::log;
    std::string decision = std::string(config::to_string(action)), reason = plan->rule ? "rule" : "no_rule", signer = "-";
    auto note = [&](spdlog::level::level_enum level) {
        ++node.counters.group_controls[std::string(kind) + "/" + decision];
        spdlog::log(level,
                    "event=group_control kind={} group={} id={} source={} sender={} rule={} decision={} reason=\"{}\" signer=\"{}\"",
                    kind, target, protocol::sanitize_for_echo(id), source, protocol::sanitize_for_echo(plan->sender),
                    plan->rule_name, decision, reason, protocol::sanitize_for_echo(signer));
    };
    if (action == config::GroupControlAction::drop) {
        note(spdlog::level::debug);
        co_return;
    }
    if (action == config::GroupControlAction::doit) {
        // RFC 5537 §5.2: group control messages MUST carry Approved; without it, not honoured.
        if (!a.find("Approved")) {
            decision = "log";
            reason = "unapproved";
        } else if (!plan->rule->verify.empty()) {
            auto sig = protocol::pgp_signature_of(a);
            auto text = sig ? protocol::pgp_signed_text(a, *sig, a.body) : std::nullopt;
            if (!sig || !text) {
                decision = "log";
                reason = sig ? "pgp_duplicate_signed_header" : "unsigned";
            } else if (pgp_waiting >= max_pgp_waiting) {
                decision = "log";
                reason = "busy";
            } else {
                auto job = [gpgv = cfg.control.gpgv, keyring = cfg.control.keyring, dir = cfg.node.data_dir,
                            text = std::move(*text), armor = protocol::pgp_armor(*sig)] {
                    return pgp_verify(gpgv, keyring, dir, text, armor, std::chrono::seconds(10));
                };
                ++pgp_waiting;
                PgpResult r = co_await run_off_thread(node.io, pgp_checks, std::move(job));
                --pgp_waiting;
                signer = r.signer.empty() ? "-" : r.signer;
                if (!r.good) {
                    decision = "log";
                    reason = "pgp: " + r.problem;
                } else if (!signer_matches(r.signer, plan->rule->verify)) {
                    decision = "log";
                    reason = "wrong_signer";
                } else {
                    reason = "pgp_verified";
                }
            }
        }
    }
    if (decision == "mail") {
        std::vector<std::string> argv = config::split_command(cfg.moderation.mail_command);
        for (auto& arg : argv)
            for (auto at = arg.find("%s"); at != std::string::npos; at = arg.find("%s", at + cfg.control.mail_to.size()))
                arg.replace(at, 2, cfg.control.mail_to);
        auto job = [argv = std::move(argv), mail = protocol::moderator_mail(article, cfg.control.mail_to)] {
            return run_mailer(argv, mail, std::chrono::seconds(30));
        };
        std::string why = co_await run_off_thread(node.io, control_mailers, std::move(job));
        if (!why.empty()) reason = "mail_failed: " + why;
        note(spdlog::level::info);
        co_return;
    }
    if (decision != "doit") {
        note(spdlog::level::info);
        co_return;
    }
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    // The store change is made after the Snapshot is closed and awaited before the decision is
    // logged: once the line is written, readers and feeds see the group.
    enum class Step { none, create, set_flag, remove } step = Step::none;
    char step_flag = 'y';
    {
        storage::Snapshot snap(node.store);
        switch (plan->what.kind) {
            case GroupControlKind::newgroup: {
                const std::string& name = plan->what.group;
                const char flag = plan->what.moderated ? 'm' : 'y';
                if (!protocol::is_valid_new_newsgroup_name(name)) {
                    decision = "log";
                    reason = "reserved_name";
                } else if (auto g = snap.group(name)) {
                    if (g->flag == flag) {
                        reason = "exists";
                    } else if (protected_group(cfg, name)) {
                        decision = "log";
                        reason = "protected_group";
                    } else {
                        step = Step::set_flag;
                        step_flag = flag;
                        reason = std::string("flag_") + flag;
                    }
                } else {
                    step = Step::create;
                    step_flag = flag;
                    reason = "created";
                }
                break;
            }
            case GroupControlKind::rmgroup:
                if (protected_group(cfg, plan->what.group)) {
                    decision = "log";
                    reason = "protected_group";
                } else if (!snap.group(plan->what.group)) {
                    reason = "no_such_group";
                } else {
                    step = Step::remove;
                    reason = "removed";
                }
                break;
            case GroupControlKind::checkgroups: {
                std::vector<protocol::GroupLine> lines;
                for (auto& l : protocol::checkgroups_lines(a.body))
                    if (protocol::wildmat_match(plan->rule->pattern, l.name)) lines.push_back(std::move(l));
                // §5.2.3: a serial lower than the last one honoured for the same scope (given, or
                // the hierarchies of the listed groups) is declined.
                std::string scope_key;
                for (const auto& sc : checkgroups_diff(lines, plan->what.scope, {}, plan->rule->pattern).scope)
                    scope_key += sc + " ";
                auto& serials = node.checkgroups.serials;
                if (plan->what.serial && serials.count(scope_key) && *plan->what.serial < serials[scope_key]) {
                    decision = "log";
                    reason = "old_serial";
                    break;
                }
                if (plan->what.serial) serials[scope_key] = *plan->what.serial;
                // Protected groups are left out: never removed or re-flagged by a checkgroups.
                std::map<std::string, char> groups;
                snap.for_each_group([&](const storage::GroupInfo& g) {
                    if (!protected_group(cfg, g.name)) groups.emplace(g.name, g.flag);
                    return true;
                });
                CheckgroupsDiff d = checkgroups_diff(lines, plan->what.scope, groups, plan->rule->pattern);
                d.message_id = id;
                d.sender = plan->sender;
                d.rule = plan->rule_name;
                d.received = now;
                const auto n_add = d.add.size(), n_remove = d.remove.size(), n_mod = d.moderate.size();
                const auto diff_id = node.checkgroups.add(std::move(d));
                reason = "diff " + std::to_string(diff_id) + ": +" + std::to_string(n_add) + " -" +
                         std::to_string(n_remove) + " ~" + std::to_string(n_mod);
                break;
            }
        }
    }
    if (step != Step::none) {
        const std::string& name = plan->what.group;
        auto w = std::make_shared<Waiter>(node.io);
        if (step == Step::create) node.store.create_group(name, step_flag, plan->sender, now, completion(w));
        if (step == Step::set_flag) node.store.set_group_flag(name, step_flag, completion(w));
        if (step == Step::remove) node.store.remove_group(name, completion(w));
        const bool ok = co_await wait_for(w);
        if (!ok) reason = "store_refused_" + reason;  // e.g. created or removed meanwhile
    }
    note(spdlog::level::info);
}

}  // namespace tidings::server
