#include "protocol/peering.h"

#include <algorithm>
#include <charconv>

#include "protocol/wildmat.h"

namespace tidings::protocol::peering {

namespace {

constexpr std::string_view magic = "Tidings-Peering";
constexpr std::string_view version = "1";

constexpr std::pair<Kind, std::string_view> kind_names[] = {
    {Kind::announce, "announce"}, {Kind::propose, "propose"}, {Kind::accept, "accept"},
    {Kind::refuse, "refuse"},     {Kind::withdraw, "withdraw"},
};

std::optional<Kind> kind_of(std::string_view s) {
    for (const auto& [k, n] : kind_names)
        if (n == s) return k;
    return std::nullopt;
}

bool carries_offer(Kind k) { return k == Kind::announce || k == Kind::propose; }
bool carries_to(Kind k) { return k != Kind::announce; }
bool carries_reply(Kind k) { return k == Kind::accept || k == Kind::refuse; }

void line(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
}

bool printable(std::string_view v) {
    return std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x20 && c != 0x7f; });
}

bool hex32(std::string_view v) {
    return v.size() == 32 && std::all_of(v.begin(), v.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool base64ish(std::string_view v) {
    return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    });
}

bool pin(std::string_view v) { return v.starts_with("sha256//") && base64ish(v.substr(8)); }

// host:port, [v6]:port; the host a name or literal without spaces, the port 1-65535.
bool address(std::string_view v) {
    const auto colon = v.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    unsigned port = 0;
    auto p = v.substr(colon + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (ec != std::errc() || end != p.data() + p.size() || port == 0 || port > 65535) return false;
    auto host = v.substr(0, colon);
    if (host.front() == '[') return host.size() > 2 && host.back() == ']';
    return std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    });
}

// Digits only, no leading zero: one way to write each number, so what was signed is what
// format_unsigned writes back.
template <typename T>
bool number(std::string_view v, T& out) {
    if (v.empty() || v.size() > 19 || (v.size() > 1 && v[0] == '0') || v.find_first_not_of("0123456789") != std::string_view::npos)
        return false;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    return ec == std::errc() && end == v.data() + v.size();
}

}  // namespace

std::string_view to_string(Kind k) noexcept {
    for (const auto& [kind, n] : kind_names)
        if (kind == k) return n;
    return "?";
}

std::string format_unsigned(const Message& m) {
    std::string out;
    line(out, magic, version);
    line(out, "Kind", to_string(m.kind));
    line(out, "Key", m.key);
    line(out, "Pathhost", m.pathhost);
    line(out, "Issued", std::to_string(m.issued));
    line(out, "Expires", std::to_string(m.expires));
    line(out, "Nonce", m.nonce);
    if (carries_to(m.kind)) line(out, "To", m.to);
    if (carries_reply(m.kind)) line(out, "In-Reply-To", m.in_reply_to);
    if (carries_offer(m.kind)) {
        for (const auto& a : m.addresses) line(out, "Address", a);
        line(out, "Offers", m.offers);
        line(out, "Wants", m.wants);
        line(out, "Capacity", std::to_string(m.capacity));
        if (!m.contact.empty()) line(out, "Contact", m.contact);
    }
    return out;
}

std::string format_signed(const std::string& unsigned_text, const std::string& signature_b64) {
    std::string out = unsigned_text;
    line(out, "Signature", signature_b64);
    return out;
}

Parsed parse(std::string_view body) {
    Parsed r;
    auto fail = [&](std::string why) {
        r.error = std::move(why);
        return r;
    };
    if (body.size() > max_body_bytes) return fail("longer than " + std::to_string(max_body_bytes) + " bytes");
    // The fields, in the order format_unsigned writes them; `at` walks the body.
    Message m;
    std::size_t at = 0;
    std::size_t sig_at = std::string_view::npos;
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    while (at < body.size()) {
        const auto eol = body.find("\r\n", at);
        if (eol == std::string_view::npos) return fail("a line without CRLF");
        const auto text = body.substr(at, eol - at);
        const auto start = at;
        at = eol + 2;
        if (text.empty()) {
            if (sig_at == std::string_view::npos) return fail("an empty line before the signature");
            // The article's end: only empty lines may follow the signature.
            if (body.substr(at).find_first_not_of("\r\n") != std::string_view::npos) return fail("text after the signature");
            break;
        }
        if (sig_at != std::string_view::npos) return fail("text after the signature");
        const auto colon = text.find(": ");
        if (colon == std::string_view::npos || colon == 0) return fail("not a \"Name: value\" line");
        const auto name = text.substr(0, colon), value = text.substr(colon + 2);
        if (value.size() > max_value_bytes) return fail(std::string(name) + ": value too long");
        if (value.empty()) return fail(std::string(name) + ": empty");
        if (!printable(value)) return fail(std::string(name) + ": control characters");
        if (name == "Signature") sig_at = start;
        fields.emplace_back(name, value);
    }
    if (sig_at == std::string_view::npos) return fail("no Signature line");
    // Expected order: the fixed head, then the kind's fields.
    std::size_t i = 0;
    auto next = [&](std::string_view name) -> std::optional<std::string_view> {
        if (i < fields.size() && fields[i].first == name) return fields[i++].second;
        return std::nullopt;
    };
    auto need = [&](std::string_view name, std::string_view& out) {
        auto v = next(name);
        if (!v) {
            r.error = "missing or out of order: " + std::string(name);
            return false;
        }
        out = *v;
        return true;
    };
    std::string_view v;
    if (!need(magic, v)) return r;
    if (v != version) return fail("unknown version " + std::string(v));
    if (!need("Kind", v)) return r;
    auto kind = kind_of(v);
    if (!kind) return fail("unknown kind " + std::string(v));
    m.kind = *kind;
    if (!need("Key", v)) return r;
    if (!base64ish(v)) return fail("Key: not base64");
    m.key = v;
    if (!need("Pathhost", v)) return r;
    if (v.empty() || v.find_first_of(" !") != std::string_view::npos) return fail("Pathhost: not a path identity");
    m.pathhost = v;
    if (!need("Issued", v)) return r;
    if (!number(v, m.issued)) return fail("Issued: not a number");
    if (!need("Expires", v)) return r;
    if (!number(v, m.expires)) return fail("Expires: not a number");
    if (!need("Nonce", v)) return r;
    if (!hex32(v)) return fail("Nonce: not 32 lower-case hex digits");
    m.nonce = v;
    if (carries_to(m.kind)) {
        if (!need("To", v)) return r;
        if (!pin(v)) return fail("To: not a sha256// pin");
        m.to = v;
    }
    if (carries_reply(m.kind)) {
        if (!need("In-Reply-To", v)) return r;
        if (!hex32(v)) return fail("In-Reply-To: not a nonce");
        m.in_reply_to = v;
    }
    if (carries_offer(m.kind)) {
        while (auto a = next("Address")) {
            if (m.addresses.size() >= max_addresses) return fail("more than 8 Address lines");
            if (!address(*a)) return fail("Address: not host:port");
            m.addresses.emplace_back(*a);
        }
        if (m.addresses.empty()) return fail("no Address");
        if (!need("Offers", v)) return r;
        if (wildmat_error(v)) return fail("Offers: not a wildmat");
        m.offers = v;
        if (!need("Wants", v)) return r;
        if (wildmat_error(v)) return fail("Wants: not a wildmat");
        m.wants = v;
        if (!need("Capacity", v)) return r;
        if (!number(v, m.capacity)) return fail("Capacity: not a number");
        if (auto c = next("Contact")) m.contact = *c;
    }
    if (!need("Signature", v)) return r;
    if (!base64ish(v)) return fail("Signature: not base64");
    if (i != fields.size()) return fail("unexpected field " + std::string(fields[i].first));
    m.signature = v;
    m.signed_text = std::string(body.substr(0, sig_at));
    if (m.expires <= m.issued) return fail("Expires is not after Issued");
    r.message = std::move(m);
    return r;
}

std::string check_times(const Message& m, std::int64_t now, std::int64_t max_skew_s, std::int64_t max_validity_s) {
    if (m.issued > now + max_skew_s) return "issued in the future";
    if (m.expires <= now) return "expired";
    if (m.expires - m.issued > max_validity_s) return "valid for longer than allowed";
    return {};
}

bool ReplayGuard::admit(const Message& m) {
    auto it = by_key_.find(m.key);
    if (it == by_key_.end()) {
        if (by_key_.size() >= max_keys_) {
            auto oldest = std::min_element(by_key_.begin(), by_key_.end(),
                                           [](const auto& a, const auto& b) { return a.second.touched < b.second.touched; });
            by_key_.erase(oldest);
        }
        it = by_key_.emplace(m.key, Seen{}).first;
    }
    Seen& seen = it->second;
    auto k = seen.kinds.find(m.kind);
    if (k != seen.kinds.end()) {
        Newest& n = k->second;
        if (m.issued < n.issued) return false;
        if (m.issued == n.issued && (n.nonces.count(m.nonce) || n.nonces.size() >= max_same_second)) return false;
        if (m.issued > n.issued) {
            n.issued = m.issued;
            n.nonces.clear();
        }
        n.nonces.insert(m.nonce);
    } else {
        seen.kinds[m.kind] = Newest{m.issued, {m.nonce}};
    }
    seen.touched = ++clock_;
    return true;
}

}  // namespace tidings::protocol::peering
