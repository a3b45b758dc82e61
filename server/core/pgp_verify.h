// Checking the PGP signature of a control message with Debian's gpgv, as INN's pgpverify does:
// the signed text and the armored signature go to two private temporary files, gpgv checks one
// against the other with the configured keyring, and its machine-readable status lines
// (--status-fd) say who signed. Blocking (a process): call it off the I/O thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace tidings::server {

struct PgpResult {
    bool good = false;         // GOODSIG: a valid signature by a key in the keyring
    std::string signer;        // GOODSIG's user id (the key's primary one), %XX escapes undone
    std::string fingerprint;   // VALIDSIG's
    std::string problem;       // when not good: "bad signature", "unknown key", "expired key", ...
};

// Runs `gpgv` (an absolute path) with `keyring` on `signed_text` and `armor`, the files made in
// `tmp_dir`, killed after `timeout`. Never throws.
PgpResult pgp_verify(const std::string& gpgv, const std::string& keyring, const std::string& tmp_dir,
                     std::string_view signed_text, std::string_view armor, std::chrono::milliseconds timeout);

// Reads gpgv's status lines ("[GNUPG:] GOODSIG <keyid> <user id>", VALIDSIG, BADSIG,
// NO_PUBKEY, EXPKEYSIG, REVKEYSIG...). Pure: unit-tested.
PgpResult parse_gpg_status(std::string_view status);

// Whether a good signature's `signer` is `wanted` ([[control.group_rule]] verify): the whole
// user id, or its first word (INN's pgpverify reports "news.announce.newgroups" for the user id
// "news.announce.newgroups <...>"). Exact, case-sensitive: stricter than INN's regex search.
bool signer_matches(std::string_view signer, std::string_view wanted);

}  // namespace tidings::server
