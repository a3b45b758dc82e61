// Builds the CAPABILITIES response from a session's state.
#include "server/nntp/capabilities.h"

#include "server/nntp/auth.h"
#include "server/nntp/session_state.h"
#include "server/nntp/starttls.h"

namespace tidings::server {

CapabilityState capability_state(const Session& s) {
    CapabilityState c;
    c.ihave = s.may_transit();
    c.streaming = s.may_transit();
    c.reconcile = s.may_transit() && s.cfg().reconcile.serve;
    c.authinfo_user = authinfo_available(s);
    c.starttls = starttls_available(s);
    c.compress = !s.compress_active;
    if (!s.info.reader) return c;
    ReaderRights r = reader_rights(s);
    c.reader = true;
    c.post = r.post;
    c.over_msgid = true;
    c.hdr = true;
    c.newnews = s.cfg().readers.allow_newnews;
    c.list_keywords = {"ACTIVE", "ACTIVE.TIMES", "COUNTS", "DISTRIB.PATS", "HEADERS"};
    if (!s.cfg().node.motd.empty()) c.list_keywords.push_back("MOTD");
    c.list_keywords.push_back("NEWSGROUPS");
    c.list_keywords.push_back("OVERVIEW.FMT");
    return c;
}

std::string capabilities_response(const CapabilityState& s, std::string_view version) {
    std::string out = "101 Capability list:\r\nVERSION 2\r\n";
    out += "IMPLEMENTATION Tidings ";
    out += version;
    out += "\r\n";
    auto line = [&](bool on, std::string_view text) {
        if (!on) return;
        out += text;
        out += "\r\n";
    };
    line(s.reader, "READER");
    line(s.mode_reader, "MODE-READER");
    line(s.post, "POST");
    line(s.ihave, "IHAVE");
    line(s.streaming, "STREAMING");
    line(s.reconcile, "XRECONCILE 1");
    // RFC 4643 §2.1: both AUTHINFO forms, and SASL's mechanisms on a line of their own.
    line(s.authinfo_user, "AUTHINFO USER SASL");
    line(s.authinfo_user, "SASL PLAIN");
    line(s.starttls, "STARTTLS");
    line(s.compress, "COMPRESS DEFLATE");
    line(s.hdr, "HDR");
    line(s.newnews, "NEWNEWS");
    if (s.over_msgid) line(true, "OVER MSGID");
    if (!s.list_keywords.empty()) {
        out += "LIST";
        for (const auto& k : s.list_keywords) {
            out += ' ';
            out += k;
        }
        out += "\r\n";
    }
    out += ".\r\n";
    return out;
}

}  // namespace tidings::server
