// Peering messages (README "Peering"): what a node says, signed with its node key, to tell the
// network it is willing to peer (announce) and to one node it wants to peer with (propose),
// and that node's answer (accept, refuse) or an end to a peering (withdraw). They travel as the
// body of articles in the announcement group, flooded like any article. Pure: text in, text
// out; the signature itself is made and checked by server/peering/ with OpenSSL.
//
// The body is lines "Name: value" with CRLF ends, in this order:
//
//   Tidings-Peering: 1
//   Kind: announce | propose | accept | refuse | withdraw
//   Key: base64 of the signer's DER SubjectPublicKeyInfo (its pin is sha256// of that)
//   Pathhost: the signer's Path identity
//   Issued: unix seconds             Expires: unix seconds
//   Nonce: 32 lower-case hex digits (random, once per message)
//   To: sha256//... (every kind but announce: the one node it is meant for)
//   In-Reply-To: a proposal's Nonce (accept, refuse)
//   Address: host:port (announce, propose: where it takes pinned TLS; 1 to 8 of them)
//   Offers: wildmat   Wants: wildmat   Capacity: integer   Contact: text   (announce, propose)
//   Signature: base64 of ECDSA-SHA256 (the node key) over every byte before this line
//
// Nothing may follow the Signature line. Limits keep a hostile message small: 8 KiB in all,
// values of at most 512 bytes, each field at most once (Address up to 8 times).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tidings::protocol::peering {

enum class Kind : std::uint8_t { announce, propose, accept, refuse, withdraw };
std::string_view to_string(Kind k) noexcept;

inline constexpr std::size_t max_body_bytes = 8192;
inline constexpr std::size_t max_value_bytes = 512;
inline constexpr std::size_t max_addresses = 8;

struct Message {
    Kind kind = Kind::announce;
    std::string key;  // base64 DER SubjectPublicKeyInfo
    std::string pathhost;
    std::int64_t issued = 0, expires = 0;
    std::string nonce;
    std::string to;           // recipient's pin (not for announce)
    std::string in_reply_to;  // accept, refuse: the proposal's nonce
    std::vector<std::string> addresses;
    std::string offers = "*", wants = "*";
    std::uint64_t capacity = 0;
    std::string contact;
    std::string signature;  // base64; empty before signing
    std::string signed_text;  // what the signature covers (set by format_unsigned and parse)
};

// The lines before the signature, as signed: the fields of `m` that its kind carries.
std::string format_unsigned(const Message& m);
// The whole body: `unsigned_text` then the Signature line.
std::string format_signed(const std::string& unsigned_text, const std::string& signature_b64);

struct Parsed {
    std::optional<Message> message;
    std::string error;  // why not, for the log and the counters
};
// A body as stored (CRLF lines; a trailing empty line and an article's final CRLF tolerated).
Parsed parse(std::string_view body);

// Empty when `m` may be acted on at `now`: issued no later than `max_skew_s` ahead, not expired,
// valid for at most `max_validity_s`. Else why not.
std::string check_times(const Message& m, std::int64_t now, std::int64_t max_skew_s, std::int64_t max_validity_s);

// Refuses replays: a message issued before the newest of the same kind and key already taken,
// or one issued in the same second whose nonce was seen. Older nonces need no memory: their
// messages are older than the newest. Bounded: at most `max_keys` keys (the least recently
// used forgotten), at most `max_same_second` messages of a kind and key in one second.
class ReplayGuard {
public:
    static constexpr std::size_t max_same_second = 16;
    explicit ReplayGuard(std::size_t max_keys = 10000) : max_keys_(max_keys) {}
    // True (and remembered) when `m` is new; false when it is a replay (or over the bound).
    bool admit(const Message& m);
    std::size_t keys() const { return by_key_.size(); }

private:
    struct Newest {
        std::int64_t issued = 0;
        std::set<std::string> nonces;  // of the messages issued then
    };
    struct Seen {
        std::map<Kind, Newest> kinds;
        std::uint64_t touched = 0;
    };
    std::map<std::string, Seen> by_key_;
    std::size_t max_keys_;
    std::uint64_t clock_ = 0;
};

}  // namespace tidings::protocol::peering
