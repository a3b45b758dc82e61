// newgroup / rmgroup / checkgroups and X-PGP-Sig, parsed.
#include "protocol/group_control.h"

#include <charconv>

#include "protocol/ascii.h"
#include "protocol/newsgroup.h"

namespace tidings::protocol {
namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (blank(s.front()) || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (blank(s.back()) || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

// Calls fn(line) for each line of `text` without its line end (CRLF or LF); a wire body's
// dot-stuffing is undone (a leading ".." is ".").
template <class Fn>
void each_line(std::string_view text, Fn&& fn) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.starts_with("..")) line.remove_prefix(1);
        if (!fn(line)) return;
    }
}

bool base64_line(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
              c == '='))
            return false;
    return true;
}

}  // namespace

std::string_view to_string(GroupControlKind k) noexcept {
    switch (k) {
        case GroupControlKind::newgroup: return "newgroup";
        case GroupControlKind::rmgroup: return "rmgroup";
        case GroupControlKind::checkgroups: return "checkgroups";
    }
    return "?";
}

std::optional<GroupControl> group_control_of(const ControlCommand& c) {
    GroupControl g;
    const auto& args = c.arguments;
    if (c.verb == "newgroup" || c.verb == "rmgroup") {
        g.kind = c.verb == "newgroup" ? GroupControlKind::newgroup : GroupControlKind::rmgroup;
        if (args.empty() || !is_valid_newsgroup_name(args[0])) return std::nullopt;
        g.group = args[0];
        if (g.kind == GroupControlKind::rmgroup) {
            if (args.size() != 1) return std::nullopt;
            return g;
        }
        // §5.2.1: "newgroup <name> [moderated]"; an unknown flag makes the message one to ignore.
        if (args.size() > 2) return std::nullopt;
        if (args.size() == 2) {
            if (ascii_lower(args[1]) != "moderated") return std::nullopt;
            g.moderated = true;
        }
        return g;
    }
    if (c.verb != "checkgroups") return std::nullopt;
    g.kind = GroupControlKind::checkgroups;
    for (const auto& a : args) {
        if (a.starts_with("#")) {
            // §5.2.3 chksernr: "#" and digits; at most one, and last.
            std::uint64_t n = 0;
            auto [p, ec] = std::from_chars(a.data() + 1, a.data() + a.size(), n);
            if (a.size() < 2 || ec != std::errc() || p != a.data() + a.size() || g.serial) return std::nullopt;
            g.serial = n;
            continue;
        }
        if (g.serial) return std::nullopt;
        std::string_view name = a;
        if (name.starts_with("!")) name.remove_prefix(1);
        if (!is_valid_newsgroup_name(name)) return std::nullopt;
        g.scope.push_back(a);
    }
    return g;
}

std::optional<GroupLine> parse_group_line(std::string_view line) {
    line = trim(line);
    std::size_t end = 0;
    while (end < line.size() && !blank(line[end])) ++end;
    GroupLine g;
    g.name = std::string(line.substr(0, end));
    if (!is_valid_newsgroup_name(g.name)) return std::nullopt;
    std::string_view desc = trim(line.substr(end));
    constexpr std::string_view flag = "(Moderated)";
    if (desc.ends_with(flag)) {
        g.moderated = true;
        desc = trim(desc.substr(0, desc.size() - flag.size()));
    }
    g.description = std::string(desc);
    return g;
}

std::optional<GroupLine> newgroup_line(std::string_view body, std::string_view group) {
    std::optional<GroupLine> tagged, named;
    bool after_tag = false;
    each_line(body, [&](std::string_view line) {
        if (after_tag) {
            after_tag = false;
            if (auto g = parse_group_line(line); g && g->name == group) tagged = g;
            return !tagged;
        }
        if (trim(line) == "For your newsgroups file:") {
            after_tag = true;
            return true;
        }
        if (!named)
            if (auto g = parse_group_line(line); g && g->name == group) named = g;
        return true;
    });
    return tagged ? tagged : named;
}

std::vector<GroupLine> checkgroups_lines(std::string_view body) {
    std::vector<GroupLine> out;
    each_line(body, [&](std::string_view line) {
        if (auto g = parse_group_line(line)) out.push_back(std::move(*g));
        return true;
    });
    return out;
}

bool in_scope(const std::vector<std::string>& scope, std::string_view group) {
    auto under = [&](std::string_view h) {
        return group == h || (group.size() > h.size() && group.starts_with(h) && group[h.size()] == '.');
    };
    bool inside = false;
    for (const auto& s : scope) {
        if (s.starts_with("!")) {
            if (under(std::string_view(s).substr(1))) return false;
        } else if (under(s)) {
            inside = true;
        }
    }
    return inside;
}

std::optional<PgpSignature> pgp_signature_of(const ParsedArticle& a) {
    const HeaderField* f = nullptr;
    for (const auto& h : a.fields)
        if (iequals(h.name, "X-PGP-Sig")) {
            if (f) return std::nullopt;  // two signatures: neither is trusted
            f = &h;
        }
    if (!f) return std::nullopt;
    std::vector<std::string_view> words;
    std::string_view v = f->value;
    while (!v.empty()) {
        std::size_t i = 0;
        while (i < v.size() && (blank(v[i]) || v[i] == '\r' || v[i] == '\n')) ++i;
        std::size_t j = i;
        while (j < v.size() && !(blank(v[j]) || v[j] == '\r' || v[j] == '\n')) ++j;
        if (j > i) words.push_back(v.substr(i, j - i));
        v.remove_prefix(j);
    }
    // version, header list, at least one base64 line, then the "=XXXX" checksum, last.
    if (words.size() < 4) return std::nullopt;
    PgpSignature sig;
    sig.version = std::string(words[0]);
    std::string_view list = words[1];
    while (!list.empty()) {
        auto comma = list.find(',');
        auto name = list.substr(0, comma);
        if (name.empty()) return std::nullopt;
        sig.signed_headers.emplace_back(name);
        list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
    }
    for (std::size_t i = 2; i < words.size(); ++i) {
        if (!base64_line(words[i])) return std::nullopt;
        sig.lines.emplace_back(words[i]);
    }
    const auto& crc = sig.lines.back();
    if (crc.size() != 5 || crc[0] != '=') return std::nullopt;
    return sig;
}

std::optional<std::string> pgp_signed_text(const ParsedArticle& a, const PgpSignature& sig,
                                           std::string_view wire_body) {
    std::string out = "X-Signed-Headers: ";
    for (std::size_t i = 0; i < sig.signed_headers.size(); ++i) {
        if (i) out += ',';
        out += sig.signed_headers[i];
    }
    out += '\n';
    for (const auto& name : sig.signed_headers) {
        // Names compare case-sensitively, as pgpverify does; the value is the raw field after
        // "Name:" and one blank, folds kept (CRLF made LF).
        const HeaderField* found = nullptr;
        for (const auto& f : a.fields)
            if (f.name == name) {
                if (found) return std::nullopt;
                found = &f;
            }
        out += name;
        out += ": ";
        if (found) {
            std::string_view raw = found->raw.substr(found->name.size() + 1);  // after the colon
            if (!raw.empty() && blank(raw.front())) raw.remove_prefix(1);
            if (raw.ends_with("\r\n")) raw.remove_suffix(2);
            for (std::size_t i = 0; i < raw.size(); ++i) {
                if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
                out += raw[i];
            }
        }
        out += '\n';
    }
    out += '\n';
    each_line(wire_body, [&](std::string_view line) {
        out.append(line).push_back('\n');
        return true;
    });
    // pgpverify's last step (and signcontrol's): no spaces or tabs before a line end.
    std::string clean;
    clean.reserve(out.size());
    for (char c : out) {
        if (c == '\n')
            while (!clean.empty() && blank(clean.back())) clean.pop_back();
        clean += c;
    }
    return clean;
}

std::string pgp_armor(const PgpSignature& sig) {
    std::string out = "-----BEGIN PGP SIGNATURE-----\nVersion: " + sig.version + "\n\n";
    for (const auto& l : sig.lines) out.append(l).push_back('\n');
    out += "-----END PGP SIGNATURE-----\n";
    return out;
}

}  // namespace tidings::protocol
