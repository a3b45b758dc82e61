// The command table: what each NNTP command is (verb, arity, what it needs, HELP syntax) and
// the LIST keywords. The dispatcher (server/nntp/dispatcher.cpp) checks the needs.
#include "protocol/command.h"

#include "protocol/ascii.h"

namespace tidings::protocol {
namespace {

constexpr Needs reader = Needs::reader | Needs::auth;
constexpr Needs transit = Needs::transit;

// HELP order; one entry per (verb, subverb). INN's NCDISPATCH and nnrpd's CMDENT are the
// models; unlike them, arity here counts arguments only, not the verb.
constexpr CommandSpec commands[] = {
    {"ARTICLE", "", Kind::article, 0, 1, reader, "[message-ID|number]"},
    {"AUTHINFO", "USER", Kind::authinfo_user, 1, 1, Needs::none, "username"},
    {"AUTHINFO", "PASS", Kind::authinfo_pass, 1, 1, Needs::none, "password"},
    {"AUTHINFO", "SASL", Kind::authinfo_sasl, 1, 2, Needs::none,
     "mechanism [initial-response]"},
    {"BODY", "", Kind::body, 0, 1, reader, "[message-ID|number]"},
    {"CAPABILITIES", "", Kind::capabilities, 0, 1, Needs::none, "[keyword]"},
    {"CHECK", "", Kind::check, 1, 1, transit, "message-ID"},
    {"COMPRESS", "", Kind::compress, 1, 1, Needs::none, "DEFLATE"},
    {"DATE", "", Kind::date, 0, 0, Needs::none, ""},
    {"GROUP", "", Kind::group, 1, 1, reader, "newsgroup"},
    {"HDR", "", Kind::hdr, 1, 2, reader, "header [range|message-ID]"},
    {"HEAD", "", Kind::head, 0, 1, reader, "[message-ID|number]"},
    {"HELP", "", Kind::help, 0, 0, Needs::none, ""},
    {"IHAVE", "", Kind::ihave, 1, 1, transit, "message-ID"},
    {"LAST", "", Kind::last, 0, 0, reader, ""},
    {"LIST", "", Kind::list, 0, 2, reader, "[keyword [wildmat|argument]]"},
    {"LISTGROUP", "", Kind::listgroup, 0, 2, reader, "[newsgroup [range]]"},
    {"MODE", "READER", Kind::mode_reader, 0, 0, Needs::reader, ""},
    {"MODE", "STREAM", Kind::mode_stream, 0, 0, transit, ""},
    {"NEWGROUPS", "", Kind::newgroups, 2, 3, reader, "[yy]yymmdd hhmmss [GMT]"},
    {"NEWNEWS", "", Kind::newnews, 3, 4, reader, "wildmat [yy]yymmdd hhmmss [GMT]"},
    {"NEXT", "", Kind::next, 0, 0, reader, ""},
    {"OVER", "", Kind::over, 0, 1, reader, "[range|message-ID]"},
    {"POST", "", Kind::post, 0, 0, reader, ""},
    {"QUIT", "", Kind::quit, 0, 0, Needs::none, ""},
    {"STARTTLS", "", Kind::starttls, 0, 0, Needs::none, ""},
    {"STAT", "", Kind::stat, 0, 1, reader, "[message-ID|number]"},
    {"TAKETHIS", "", Kind::takethis, 1, 1, transit | Needs::block_follows, "message-ID"},
    {"XGTITLE", "", Kind::xgtitle, 0, 1, reader, "[wildmat]"},
    {"XHDR", "", Kind::xhdr, 1, 2, reader, "header [range|message-ID]"},
    {"XOVER", "", Kind::xover, 0, 1, reader, "[range]"},
    {"XPAT", "", Kind::xpat, 3, 255, reader, "header range|message-ID pattern [pattern ...]"},
    {"XRECONCILE", "OPEN", Kind::xreconcile_open, 4, 4, transit, "wildmat since until salt"},
    {"XRECONCILE", "ROUND", Kind::xreconcile_round, 0, 0, transit, ""},
    {"XRECONCILE", "SEND", Kind::xreconcile_send, 0, 0, transit, ""},
    {"XRECONCILE", "NAMES", Kind::xreconcile_names, 0, 0, transit, ""},
};

constexpr ListSpec lists[] = {
    {"ACTIVE", ListKind::active, ListArg::wildmat},
    {"ACTIVE.TIMES", ListKind::active_times, ListArg::wildmat},
    {"COUNTS", ListKind::counts, ListArg::wildmat},  // RFC 6048 §2.2
    {"DISTRIB.PATS", ListKind::distrib_pats, ListArg::none},
    {"DISTRIBUTIONS", ListKind::distributions, ListArg::none},  // RFC 6048 §2.3
    {"HEADERS", ListKind::headers, ListArg::headers},
    {"MODERATORS", ListKind::moderators, ListArg::none},        // RFC 6048 §2.4
    {"MOTD", ListKind::motd, ListArg::none},                    // RFC 6048 §2.5
    {"NEWSGROUPS", ListKind::newsgroups, ListArg::wildmat},
    {"OVERVIEW.FMT", ListKind::overview_fmt, ListArg::none},
    {"SUBSCRIPTIONS", ListKind::subscriptions, ListArg::none},  // RFC 6048 §2.6
};

}  // namespace

std::span<const CommandSpec> command_table() noexcept { return commands; }
std::span<const ListSpec> list_table() noexcept { return lists; }

const CommandSpec* find_command(std::string_view verb, std::string_view subverb) noexcept {
    for (const CommandSpec& spec : commands) {
        if (!iequals(verb, spec.verb)) continue;
        if (spec.subverb.empty() || iequals(subverb, spec.subverb)) return &spec;
    }
    return nullptr;
}

const ListSpec* find_list_keyword(std::string_view keyword) noexcept {
    for (const ListSpec& spec : lists)
        if (iequals(keyword, spec.keyword)) return &spec;
    return nullptr;
}

const CommandSpec* find_verb(std::string_view verb) noexcept {
    for (const CommandSpec& spec : commands)
        if (iequals(verb, spec.verb)) return &spec;
    return nullptr;
}

std::string usage(const CommandSpec& spec) {
    std::string out(spec.verb);
    if (!spec.subverb.empty()) out.append(" ").append(spec.subverb);
    if (!spec.syntax.empty()) out.append(" ").append(spec.syntax);
    return out;
}

}  // namespace tidings::protocol
