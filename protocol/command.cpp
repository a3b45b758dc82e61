// The command-line parser: one line in, a typed command or a precise failure out. The table it
// reads is command_table.cpp.
#include "protocol/command.h"
#include "protocol/ascii.h"

#include "protocol/date.h"
#include "protocol/message_id.h"
#include "protocol/status.h"
#include "protocol/wildmat.h"

namespace tidings::protocol {

namespace {

constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

// Takes the next blank-separated token off the front of `rest` (already left-trimmed).
std::string_view take_token(std::string_view& rest) noexcept {
    std::size_t end = 0;
    while (end < rest.size() && !is_blank(rest[end])) ++end;
    std::string_view token = rest.substr(0, end);
    rest.remove_prefix(end);
    while (!rest.empty() && is_blank(rest.front())) rest.remove_prefix(1);
    return token;
}

bool has_control(std::string_view s) noexcept {
    for (unsigned char c : s)
        if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
    return false;
}

// RFC 3977 §9.8: capability keywords are a letter then letters, digits, "-" or ".".
bool is_keyword(std::string_view s) noexcept {
    if (s.empty() || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'))) return false;
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.'))
            return false;
    return true;
}

class Parser {
public:
    explicit Parser(ParseResult& r) : r_(r) {}

    // Records a failure. Transit commands keep INN's codes: peers count 435/438/439 as "not
    // wanted" and move on, while a 501 makes some of them stop the feed (innd/nc.c, NCproc).
    bool fail(std::string text) {
        Command& c = r_.command;
        switch (c.kind) {
        case Kind::ihave:
            r_.code = status::fail_ihave_refuse;
            r_.text = "Syntax error in message-ID";
            break;
        case Kind::check:  // RFC 4644 §2.4: "438 <message-id>"
            r_.code = status::fail_check_refuse;
            r_.text = sanitize_for_echo(raw_id_, max_message_id);
            break;
        case Kind::takethis:  // RFC 4644 §2.5: the article follows, read it first
            r_.code = status::fail_takethis_reject;
            r_.text = sanitize_for_echo(raw_id_, max_message_id);
            r_.read_block = true;
            break;
        default:
            r_.code = status::err_syntax;
            r_.text = std::move(text);
            break;
        }
        return false;
    }

    bool syntax() { return fail("Syntax: " + usage(*r_.command.spec)); }

    bool selector(std::string_view arg, bool allow_number, bool allow_range, bool allow_id) {
        ArticleSelector& t = r_.command.target;
        if (!arg.empty() && arg.front() == '<') {
            if (!allow_id || !is_valid_message_id(arg, MessageIdRules::nntp))
                return fail("Syntax error in message-ID");
            t.type = ArticleSelector::Type::message_id;
            t.message_id = arg;
            return true;
        }
        if (allow_range) {
            auto range = parse_range(arg);
            if (!range) return fail("Syntax error in range");
            t.type = ArticleSelector::Type::range;
            t.range = *range;
            return true;
        }
        auto n = allow_number ? parse_article_number(arg) : std::nullopt;
        if (!n) return fail("Syntax error in article number");
        t.type = ArticleSelector::Type::number;
        t.range = {*n, *n};
        return true;
    }

    bool wildmat(std::string_view w) {
        if (wildmat_error(w)) return fail("Syntax error in wildmat");
        r_.command.wildmat = w;
        return true;
    }

    bool date(std::string_view d, std::string_view t, std::string_view gmt) {
        auto parsed = parse_nntp_date(d, t, gmt);
        if (!parsed) return fail("Syntax error in date or time");
        r_.command.date = *parsed;
        return true;
    }

    bool list(std::string_view keyword, std::string_view arg, bool has_arg) {
        Command& c = r_.command;
        c.list = keyword.empty() ? &list_table()[0] : find_list_keyword(keyword);  // ACTIVE: the default
        if (c.list == nullptr) return fail("Unknown LIST keyword");
        if (!has_arg) return true;
        switch (c.list->arg) {
        case ListArg::none:
            return fail("LIST " + std::string(c.list->keyword) + " takes no argument");
        case ListArg::wildmat:
            return wildmat(arg);
        case ListArg::headers:
            if (!iequals(arg, "MSGID") && !iequals(arg, "RANGE"))
                return fail("Syntax: LIST HEADERS [MSGID|RANGE]");
            c.argument = arg;
            return true;
        }
        return true;
    }

    std::string_view raw_id_;

private:
    ParseResult& r_;
};

}  // namespace

std::optional<ArticleNumber> parse_article_number(std::string_view s) noexcept {
    if (s.empty() || s.size() > 16) return std::nullopt;
    ArticleNumber n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<ArticleNumber>(c - '0');
    }
    return n;
}

std::optional<Range> parse_range(std::string_view s) noexcept {
    const std::size_t dash = s.find('-');
    if (dash == std::string_view::npos) {
        auto n = parse_article_number(s);
        if (!n) return std::nullopt;
        return Range{*n, *n};
    }
    auto low = parse_article_number(s.substr(0, dash));
    if (!low) return std::nullopt;
    if (dash + 1 == s.size()) return Range{*low, open_range_end};
    auto high = parse_article_number(s.substr(dash + 1));
    if (!high) return std::nullopt;
    return Range{*low, *high};
}

namespace {

// The arguments of a command line after its verb (and subverb). AUTHINFO USER/PASS take the
// rest of the line (a password may hold spaces, as INN's nnrpd allows); XPAT's patterns are
// the rest after two arguments (`tail`). `more`: arguments past the fourth were left.
struct Args {
    std::string_view v[4];
    std::size_t count = 0;
    std::string_view tail;
    bool more = false;
    std::size_t total() const { return count + (tail.empty() ? 0 : 1) + (more ? 1 : 0); }
};

Args split_args(Kind kind, std::string_view rest) {
    Args a;
    if (kind == Kind::authinfo_user || kind == Kind::authinfo_pass) {
        if (!rest.empty()) a.v[a.count++] = rest;
        return a;
    }
    while (!rest.empty() && a.count < 4) {
        if (kind == Kind::xpat && a.count == 2) {
            a.tail = rest;
            return a;
        }
        a.v[a.count++] = take_token(rest);
    }
    a.more = !rest.empty();
    return a;
}

// Fills the command's typed fields from its arguments (their count is already checked
// against the table), or records the failure.
void fill_arguments(Parser& p, Command& c, const Args& a) {
    const std::size_t argc = a.count;
    const std::string_view* args = a.v;
    const std::string_view tail = a.tail;
    switch (c.kind) {
    case Kind::article:
    case Kind::body:
    case Kind::head:
    case Kind::stat:
        if (argc == 1) p.selector(args[0], true, false, true);
        break;
    case Kind::over:
    case Kind::xover:
        if (argc == 1) p.selector(args[0], false, true, true);
        break;
    case Kind::hdr:
    case Kind::xhdr:
        c.field = args[0];
        if (argc == 2) p.selector(args[1], false, true, true);
        break;
    case Kind::xpat:
        c.field = args[0];
        if (p.selector(args[1], false, true, true)) c.wildmat = tail;
        break;
    case Kind::group:
        c.group = args[0];
        break;
    case Kind::listgroup:
        if (argc >= 1) c.group = args[0];
        if (argc == 2) p.selector(args[1], false, true, false);
        break;
    case Kind::list:
        p.list(argc >= 1 ? args[0] : std::string_view{}, argc == 2 ? args[1] : std::string_view{},
               argc == 2);
        break;
    case Kind::newgroups:
        p.date(args[0], args[1], argc == 3 ? args[2] : std::string_view{});
        break;
    case Kind::newnews:
        if (p.wildmat(args[0])) p.date(args[1], args[2], argc == 4 ? args[3] : std::string_view{});
        break;
    case Kind::ihave:
    case Kind::check:
    case Kind::takethis:
        if (!is_valid_message_id(args[0], MessageIdRules::nntp)) {
            p.fail("Syntax error in message-ID");
            break;
        }
        c.message_id = args[0];
        break;
    case Kind::capabilities:
        if (argc == 1) {
            if (!is_keyword(args[0])) {
                p.fail("Syntax error in keyword");
                break;
            }
            c.argument = args[0];
        }
        break;
    case Kind::authinfo_user:
    case Kind::authinfo_pass:
    case Kind::compress:
        c.argument = args[0];
        break;
    case Kind::authinfo_sasl:
        c.argument = args[0];
        if (argc == 2) c.initial_response = args[1];
        break;
    case Kind::xgtitle:
        if (argc == 1) p.wildmat(args[0]);
        break;
    case Kind::xreconcile_open: {
        if (!p.wildmat(args[0])) break;
        auto since = parse_article_number(args[1]), until = parse_article_number(args[2]);
        if (!since || !until || *since >= *until || *until > 99999999999ULL) {
            p.fail("Syntax error in time window (unix seconds, since < until)");
            break;
        }
        c.since = static_cast<std::int64_t>(*since);
        c.until = static_cast<std::int64_t>(*until);
        bool hex = args[3].size() == 32;
        for (char ch : args[3]) hex = hex && ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
        if (!hex) {
            p.fail("Syntax error in salt (32 lower-case hex digits)");
            break;
        }
        c.salt = args[3];
        break;
    }
    default:
        break;  // no arguments
    }
}

}  // namespace

ParseResult parse_command(std::string_view line) {
    ParseResult r;
    Command& c = r.command;
    std::string_view rest = trim(line);
    if (rest.empty()) {
        c.kind = Kind::empty;
        return r;
    }
    const bool bad_octets = has_control(rest);
    const std::string_view verb = take_token(rest);
    const CommandSpec* spec = find_verb(verb);
    if (spec == nullptr) {
        c.kind = Kind::unknown;
        r.code = status::err_command;
        r.text = "Unknown command";
        return r;
    }
    Parser p(r);
    if (!spec->subverb.empty()) {
        // MODE and AUTHINFO: the second keyword picks the command.
        const std::string_view sub = take_token(rest);
        spec = find_command(verb, sub);
        if (spec == nullptr) {
            r.code = status::err_syntax;
            r.text = iequals(verb, "MODE")         ? "Unknown MODE variant"
                     : iequals(verb, "XRECONCILE") ? "Unknown XRECONCILE subcommand"
                                                   : "Unknown AUTHINFO subcommand";
            return r;
        }
    }
    c.kind = spec->kind;
    c.spec = spec;
    const Args args = split_args(c.kind, rest);
    if (c.kind == Kind::ihave || c.kind == Kind::check || c.kind == Kind::takethis)
        p.raw_id_ = args.count > 0 ? args.v[0] : std::string_view{};
    if (bad_octets) {
        p.fail("Invalid character in command");
        return r;
    }
    if (args.total() < spec->min_args || args.total() > spec->max_args) {
        p.syntax();
        return r;
    }
    fill_arguments(p, c, args);
    return r;
}

}  // namespace tidings::protocol
