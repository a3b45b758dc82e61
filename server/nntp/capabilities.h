// CAPABILITIES (RFC 3977 §5.2): the list must tell the truth for the session's current state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tidings::server {

// What this session can do right now. The session fills it from the listener's roles, the
// client's access rights, TLS and authentication state, and what the server implements.
struct CapabilityState {
    bool reader = false;          // READER: reading commands available now
    bool mode_reader = false;     // MODE-READER: a MODE READER switch is needed/possible
    bool post = false;            // POST
    bool ihave = false;           // IHAVE
    bool streaming = false;       // STREAMING (RFC 4644)
    bool reconcile = false;       // XRECONCILE 1 (README "Reconciliation"), [reconcile] serve
    bool authinfo_user = false;   // AUTHINFO USER SASL, SASL PLAIN (RFC 4643: only when usable now)
    bool starttls = false;        // STARTTLS (RFC 4642: only before TLS and before auth)
    bool compress = false;        // COMPRESS DEFLATE (RFC 8054: only until it is active)
    bool over_msgid = false;      // OVER MSGID
    bool hdr = false;             // HDR
    bool newnews = false;         // NEWNEWS
    std::vector<std::string> list_keywords;  // LIST ACTIVE NEWSGROUPS ...
};

struct Session;
// What `s` may do now; the single source for CAPABILITIES, the greeting and MODE READER's
// answer, so they never disagree (only what works now: CAPABILITIES must tell the truth).
CapabilityState capability_state(const Session& s);

// The full multi-line response: "101 Capability list:" ... "." with CRLF line ends.
std::string capabilities_response(const CapabilityState& s, std::string_view version);

}  // namespace tidings::server
