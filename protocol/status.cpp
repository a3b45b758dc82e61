// Standard response texts and status-line formatting.
#include "protocol/status.h"

#include <iterator>

namespace tidings::protocol {

namespace {

struct CodeText {
    int code;
    std::string_view text;
};

// Texts follow RFC 3977's examples where it has them; sorted by code for the lookup.
constexpr CodeText texts[] = {
    {status::info_help, "Help text follows"},
    {status::info_capabilities, "Capability list follows"},
    {status::info_date, "Server date and time"},
    {status::ok_banner_post, "Posting allowed"},
    {status::ok_banner_nopost, "Posting prohibited"},
    {status::ok_stream, "Streaming permitted"},
    {status::ok_quit, "Bye!"},
    {status::ok_compress, "Compression active"},
    {status::ok_group, "Group selected"},
    {status::ok_list, "Information follows"},
    {status::ok_article, "Article follows"},
    {status::ok_head, "Headers follow"},
    {status::ok_body, "Body follows"},
    {status::ok_stat, "Article exists"},
    {status::ok_overview, "Overview information follows"},
    {status::ok_hdr, "Headers follow"},
    {status::ok_newnews, "List of new articles follows"},
    {status::ok_newgroups, "List of new newsgroups follows"},
    {status::ok_ihave, "Article transferred OK"},
    {status::ok_check, "Send it"},
    {status::ok_takethis, "Article transferred OK"},
    {status::ok_post, "Article received OK"},
    {status::ok_authinfo, "Authentication accepted"},
    {status::ok_xgtitle, "Descriptions follow"},
    {status::ok_sasl, "Authentication accepted"},
    {status::ok_reconcile_open, "Reconciliation set ready"},
    {status::ok_reconcile_round, "Answer follows"},
    {status::ok_reconcile_send, "Queued for you"},
    {status::ok_reconcile_names, "Message-IDs follow"},
    {status::cont_ihave, "Send it; end with <CR-LF>.<CR-LF>"},
    {status::cont_post, "Send article to be posted; end with <CR-LF>.<CR-LF>"},
    {status::cont_authinfo, "Password required"},
    {status::cont_starttls, "Continue with TLS negotiation"},
    {status::cont_sasl, "Continue with SASL exchange"},
    {status::cont_reconcile, "Send the message; end with <CR-LF>.<CR-LF>"},
    {status::fail_terminating, "Service temporarily unavailable"},
    {status::fail_wrong_mode, "MODE-READER"},
    {status::fail_action, "Internal fault, try again later"},
    {status::fail_bad_group, "No such newsgroup"},
    {status::fail_no_group, "No newsgroup selected"},
    {status::fail_no_current, "Current article number is invalid"},
    {status::fail_next, "No next article in this group"},
    {status::fail_prev, "No previous article in this group"},
    {status::fail_article_number, "No article with that number"},
    {status::fail_message_id, "No such article"},
    {status::fail_check_defer, "Try again later"},
    {status::fail_ihave_refuse, "Article not wanted"},
    {status::fail_ihave_defer, "Transfer not possible; try again later"},
    {status::fail_ihave_reject, "Transfer rejected; do not retry"},
    {status::fail_check_refuse, "Article not wanted"},
    {status::fail_takethis_reject, "Transfer rejected; do not retry"},
    {status::fail_post_auth, "Posting not permitted"},
    {status::fail_post_reject, "Posting failed"},
    {status::fail_auth_needed, "Authentication required"},
    {status::fail_auth_reject, "Authentication failed"},
    {status::fail_auth_sequence, "Authentication commands issued out of sequence"},
    {status::fail_privacy_needed, "Encryption or stronger authentication required"},
    {status::fail_reconcile_none, "No reconciliation open; XRECONCILE OPEN first"},
    {status::fail_reconcile_message, "Reconciliation message refused"},
    {status::fail_reconcile_limit, "Reconciliation limit reached"},
    {status::fail_reconcile_nofeed, "No outgoing feed to you"},
    {status::err_command, "Unknown command"},
    {status::err_syntax, "Syntax error"},
    {status::err_access, "Permission denied"},
    {status::err_unavailable, "Feature not supported"},
    {status::err_base64, "Invalid base64-encoded argument"},
};

constexpr bool sorted_by_code() {
    for (std::size_t i = 1; i < std::size(texts); ++i)
        if (texts[i - 1].code >= texts[i].code) return false;
    return true;
}
static_assert(sorted_by_code(), "texts must be sorted for the binary search");

}  // namespace

std::string_view standard_text(int code) noexcept {
    std::size_t lo = 0, hi = std::size(texts);
    while (lo < hi) {
        std::size_t mid = (lo + hi) / 2;
        if (texts[mid].code < code) lo = mid + 1;
        else hi = mid;
    }
    if (lo < std::size(texts) && texts[lo].code == code) return texts[lo].text;
    return "Unknown status";
}

void append_response(std::string& out, int code, std::string_view text) {
    if (status::code_class(code) == 0) code = status::err_unavailable;
    if (text.empty()) text = standard_text(code);
    char digits[4] = {static_cast<char>('0' + code / 100), static_cast<char>('0' + code / 10 % 10),
                      static_cast<char>('0' + code % 10), ' '};
    out.append(digits, 4);
    out.append(text);
    out.append("\r\n", 2);
}

std::string response(int code, std::string_view text) {
    std::string out;
    out.reserve(6 + (text.empty() ? 40 : text.size()));
    append_response(out, code, text);
    return out;
}

std::string sanitize_for_echo(std::string_view raw, std::size_t max) {
    std::string out;
    out.reserve(raw.size() < max ? raw.size() : max);
    bool cut = false;
    for (unsigned char c : raw) {
        if (c < 0x20 || c == 0x7f) continue;
        if (out.size() == max) {
            cut = true;
            break;
        }
        out.push_back(c >= 0x80 ? '?' : static_cast<char>(c));
    }
    if (cut && max >= 3) out.replace(max - 3, 3, "...");
    return out;
}

}  // namespace tidings::protocol
