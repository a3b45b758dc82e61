#include "server/peering/peering.h"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "protocol/date.h"
#include "protocol/peering.h"
#include "protocol/status.h"
#include "protocol/wildmat.h"
#include "server/net/durable_file.h"
#include "server/peering/signer.h"
#include "server/pull/ingest_fetched.h"
#include "storage/snapshot.h"

namespace tidings::server {

namespace pp = protocol::peering;
using nlohmann::json;

namespace {

// Articles of the group read in one scan (the rest wait for the next).
constexpr std::size_t max_scan = 1000;
// An article bigger than this cannot hold a peering message (8 KiB body and headers): it is
// not read at all, so a flood of large articles into the group costs no memory here.
constexpr std::uint64_t max_message_article = 16 * 1024;
// Proposals remembered; past it the oldest decided ones are forgotten (pending ones stay).
constexpr std::size_t max_proposals = 1000;

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string random_nonce() {
    unsigned char b[16];
    RAND_bytes(b, sizeof b);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (auto c : b) {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

// A TOML basic string.
std::string toml_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;  // parse() let none through
        out += c;
    }
    return out + "\"";
}

// A [[peer]] name from a pathhost: "peering-" and its letters, digits, '.', '-', '_'.
std::string peer_name(std::string_view pathhost) {
    std::string out = "peering-";
    for (char c : pathhost) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '-';
    return out;
}

// Carried groups that `a` offers and `b` wants.
int overlap(const std::vector<std::string>& groups, const std::string& offers, const std::string& wants) {
    protocol::Wildmat o(offers), w(wants);
    int n = 0;
    for (const auto& g : groups) n += o.matches(g) && w.matches(g);
    return n;
}

json to_json(const std::vector<std::string>& v) { return json(v); }

}  // namespace

Peering::Peering(NodeContext& node, std::function<ReloadResult()> reload)
    : node_(node), reload_(std::move(reload)), guard_(std::make_unique<pp::ReplayGuard>()) {
    try {
        signer_ = std::make_unique<peering::Signer>(node_.identity.key_file);
    } catch (const std::exception& e) {
        stats_.last_error = e.what();  // no key: nothing is signed; received messages are still read
    }
    load_state();
}

Peering::~Peering() = default;

const std::string& Peering::pin() const { return signer_ ? signer_->pin() : empty_; }

// The loop runs whatever [peering] says now: a reload may turn announcing or seeking on.
void Peering::start() {
    if (started_) return;
    started_ = true;
    wake_ = std::make_unique<net::steady_timer>(node_.io);
    net::co_spawn(node_.io, loop(), net::detached);
}

void Peering::stop() {
    stopping_ = true;
    if (wake_) wake_->cancel();
}

awaitable<void> Peering::loop() {
    while (!stopping_) {
        // Held for the whole step: an approval reloads, which installs a new generation.
        const GenerationPtr gen = node_.generation();
        const auto& p = gen->config->peering;
        if (p.announce || p.seek != config::Seek::off) {
            try {
                if (p.announce && signer_ && now_s() - last_announce_ >= p.announce_interval_s) announce();
                scan();
                if (p.seek == config::Seek::propose) co_await seek();
            } catch (const std::exception& e) {
                stats_.last_error = e.what();
                spdlog::warn("event=peering_error error=\"{}\"", e.what());
            }
        }
        wake_->expires_after(std::chrono::seconds(p.scan_interval_s));
        boost::system::error_code ec;
        co_await wake_->async_wait(net::redirect_error(use_awaitable, ec));
    }
}

void Peering::scan_now() { scan(); }

void Peering::scan() {
    const std::string group = node_.cfg().peering.group;
    std::vector<std::pair<std::string, std::string>> found;  // message-id, body
    std::uint64_t skipped = 0;
    {
        storage::Snapshot snap(node_.store);
        auto info = snap.group(group);
        if (!info || info->high <= last_number_) return;
        std::vector<std::string> ids;
        snap.overview(group, std::max(last_number_ + 1, info->low), info->high, [&](const storage::OverviewItem& it) {
            last_number_ = it.number;
            // subject, from, date, message-id, references, bytes (RFC 3977 §8.3.2).
            std::vector<std::string_view> f;
            for (std::size_t at = 0; f.size() < 6;) {
                const auto tab = it.record.find('\t', at);
                f.push_back(it.record.substr(at, tab == std::string_view::npos ? std::string_view::npos : tab - at));
                if (tab == std::string_view::npos) break;
                at = tab + 1;
            }
            if (f.size() < 6) return ids.size() < max_scan;
            std::uint64_t bytes = 0;
            for (char ch : f[5]) bytes = ch >= '0' && ch <= '9' ? bytes * 10 + static_cast<std::uint64_t>(ch - '0') : bytes;
            if (bytes > max_message_article) {
                ++skipped;
                return ids.size() < max_scan;
            }
            ids.emplace_back(f[3]);
            return ids.size() < max_scan;
        });
        for (const auto& id : ids) {
            auto text = snap.article(id);
            if (!text) continue;
            auto body_at = text->find("\r\n\r\n");
            if (body_at != std::string_view::npos) found.emplace_back(id, std::string(text->substr(body_at + 4)));
        }
    }
    if (skipped) stats_.rejected["too_big"] += skipped;
    for (const auto& [id, body] : found) {
        ++stats_.scanned;
        process(body, id);
    }
    save_state();
}

void Peering::reject(const std::string& reason, const std::string& message_id, const std::string& detail) {
    ++stats_.rejected[reason];
    spdlog::info("event=peering_rejected reason={} id={} detail=\"{}\"", reason, protocol::sanitize_for_echo(message_id, 250),
                 protocol::sanitize_for_echo(detail, 200));
}

bool Peering::peered_with(const std::string& pin) const {
    if (std::any_of(links_.begin(), links_.end(), [&](const PeeringLink& l) { return l.pin == pin; })) return true;
    for (const auto& p : node_.cfg().peers)
        if (p.tls_pin == pin || p.client_pin == pin) return true;
    return false;
}

void Peering::process(const std::string& raw, const std::string& message_id) {
    // Stored articles are dot-stuffed on the wire; no peering line starts with '.', so a body
    // that does is not ours to read anyway.
    auto parsed = pp::parse(raw);
    if (!parsed.message) return reject("malformed", message_id, parsed.error);
    const pp::Message& m = *parsed.message;
    const GenerationPtr gen = node_.generation();  // an approval below reloads
    const auto& cfg = gen->config->peering;
    const std::string their_pin = peering::pin_of_public_key(m.key);
    if (their_pin.empty() || !peering::verify(m.key, m.signed_text, m.signature))
        return reject("forged", message_id, "the signature does not verify");
    if (their_pin == pin()) return;  // our own, flooded back
    if (m.pathhost == gen->config->node.pathhost)
        return reject("own_pathhost", message_id, "another key claims our pathhost " + m.pathhost);
    if (auto why = pp::check_times(m, now_s(), cfg.max_clock_skew_s, cfg.max_validity_s); !why.empty())
        return reject("expired", message_id, why);
    if (m.kind != pp::Kind::announce && m.to != pin()) {
        ++stats_.rejected["not_for_us"];  // someone else's proposal: not an error, not logged
        return;
    }
    if (!guard_->admit(m)) return reject("replay", message_id, std::string(pp::to_string(m.kind)) + " from " + m.pathhost);
    std::vector<std::string> groups;
    for (const auto& g : gen->config->groups) groups.push_back(g.name);
    switch (m.kind) {
        case pp::Kind::announce: {
            if (peered_with(their_pin)) break;
            if (candidates_.size() >= cfg.max_candidates && !candidates_.count(their_pin)) {
                auto oldest = std::min_element(candidates_.begin(), candidates_.end(),
                                               [](const auto& a, const auto& b) { return a.second.issued < b.second.issued; });
                candidates_.erase(oldest);
            }
            PeeringCandidate& c = candidates_[their_pin];
            c = PeeringCandidate{their_pin, m.key, m.pathhost, m.offers, m.wants, m.contact, message_id,
                                 m.addresses, m.capacity, m.issued, m.expires, 0};
            c.score = overlap(groups, m.offers, cfg.wants) + overlap(groups, cfg.offers, m.wants);
            spdlog::info("event=peering_candidate pathhost={} pin={} score={}", m.pathhost, their_pin, c.score);
            break;
        }
        case pp::Kind::propose: {
            const auto hour_ago = now_s() - 3600;
            while (!proposals_taken_.empty() && proposals_taken_.front() < hour_ago) proposals_taken_.pop_front();
            if (proposals_taken_.size() >= cfg.max_proposals_per_hour)
                return reject("rate", message_id, "more than max_proposals_per_hour");
            proposals_taken_.push_back(now_s());
            PeeringProposal p{m.nonce, true, their_pin, m.key, m.pathhost, m.offers, m.wants, m.contact,
                              m.addresses, now_s(), m.expires};
            if (proposals_.size() >= max_proposals) {
                auto decided = std::find_if(proposals_.begin(), proposals_.end(),
                                            [](const PeeringProposal& x) { return x.state != "pending"; });
                if (decided == proposals_.end()) return reject("rate", message_id, "too many pending proposals");
                proposals_.erase(decided);
            }
            proposals_.push_back(p);
            ++stats_.proposed;
            spdlog::info("event=peering_proposal from={} pin={} nonce={}", m.pathhost, their_pin, m.nonce);
            if (std::find(cfg.trusted_keys.begin(), cfg.trusted_keys.end(), their_pin) != cfg.trusted_keys.end()) {
                std::string why = approve(m.nonce, "trusted_key");
                if (!why.empty()) spdlog::warn("event=peering_auto_approve_failed pin={} error=\"{}\"", their_pin, why);
            }
            break;
        }
        case pp::Kind::accept:
        case pp::Kind::refuse: {
            auto it = std::find_if(proposals_.begin(), proposals_.end(), [&](const PeeringProposal& p) {
                return !p.incoming && p.nonce == m.in_reply_to && p.pin == their_pin && p.state == "pending";
            });
            if (it == proposals_.end()) return reject("unsolicited", message_id, "no proposal of ours with that nonce");
            it->decided_by = "them";
            if (m.kind == pp::Kind::refuse) {
                it->state = "refused";
                spdlog::info("event=peering_refused_by pathhost={} pin={}", it->pathhost, their_pin);
                break;
            }
            it->state = "approved";
            ++stats_.accepted;
            PeeringLink link{peer_name(it->pathhost), their_pin, it->pathhost, it->addresses.front(), it->wants, now_s(), "accepted"};
            std::string why = establish(link);
            if (!why.empty()) stats_.last_error = why;
            break;
        }
        case pp::Kind::withdraw: {
            auto it = std::find_if(links_.begin(), links_.end(), [&](const PeeringLink& l) { return l.pin == their_pin; });
            if (it == links_.end()) break;
            spdlog::info("event=peering_withdrawn_by name={} pin={}", it->name, their_pin);
            links_.erase(it);
            ++stats_.withdrawn;
            if (auto why = rewrite_peers_file(); !why.empty()) stats_.last_error = why;
            break;
        }
    }
}

void Peering::post(pp::Message m) {
    if (!signer_) throw std::runtime_error("peering: no node key to sign with");
    const auto& cfg = node_.cfg();
    m.key = signer_->public_key();
    m.pathhost = cfg.node.pathhost;
    m.issued = now_s();
    m.expires = m.issued + cfg.peering.validity_s;
    if (m.nonce.empty()) m.nonce = random_nonce();
    const std::string unsigned_text = pp::format_unsigned(m);
    const std::string body = pp::format_signed(unsigned_text, signer_->sign(unsigned_text));
    const std::string id = "<peering." + m.nonce + "@" + cfg.node.domain + ">";
    std::string wire = "Path: not-for-mail\r\nFrom: Tidings peering <peering@" + cfg.node.domain +
                       ">\r\nNewsgroups: " + cfg.peering.group + "\r\nSubject: Tidings peering " +
                       std::string(pp::to_string(m.kind)) + " from " + cfg.node.pathhost +
                       "\r\nDate: " + protocol::format_rfc5322_date(m.issued) + "\r\nMessage-ID: " + id +
                       "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + body;
    guard_->admit(m);  // our own copy, when flooded back, is skipped by pin anyway
    if (m.kind == pp::Kind::announce) announcement_ = body;
    std::string kind(pp::to_string(m.kind));
    std::function<void(Fetched)> done = [this, id, kind](Fetched f) {
        if (f == Fetched::stored && node_.wake_feeds) node_.wake_feeds();
        if (f != Fetched::stored) spdlog::warn("event=peering_post_failed kind={} id={}", kind, id);
    };
    ingest_fetched(node_, node_.generation(), "peering", id, std::move(wire), std::move(done));
    spdlog::info("event=peering_posted kind={} id={}", kind, id);
}

void Peering::announce() {
    const auto& p = node_.cfg().peering;
    pp::Message m;
    m.kind = pp::Kind::announce;
    m.addresses = p.addresses;
    m.offers = p.offers;
    m.wants = p.wants;
    m.capacity = p.capacity;
    m.contact = p.contact;
    post(std::move(m));
    last_announce_ = now_s();
    ++stats_.announced;
}

std::string Peering::propose_to(const std::string& their_pin) {
    auto c = candidates_.find(their_pin);
    if (c == candidates_.end()) return "no candidate with that pin";
    if (peered_with(their_pin)) return "already peered";
    if (c->second.expires <= now_s()) return "its announcement expired";
    const auto& p = node_.cfg().peering;
    if (p.addresses.empty()) return "peering.addresses is empty: the peer could not reach us";
    pp::Message m;
    m.kind = pp::Kind::propose;
    m.to = their_pin;
    m.addresses = p.addresses;
    m.offers = p.offers;
    m.wants = p.wants;
    m.capacity = p.capacity;
    m.contact = p.contact;
    m.nonce = random_nonce();
    PeeringProposal ours{m.nonce, false, their_pin, c->second.key, c->second.pathhost, c->second.offers, c->second.wants,
                         c->second.contact, c->second.addresses, now_s(), now_s() + p.validity_s};
    try {
        post(std::move(m));
    } catch (const std::exception& e) {
        return e.what();
    }
    proposals_.push_back(ours);
    save_state();
    return {};
}

// seek = "propose": one proposal per scan, to the best-scoring candidate not yet asked whose
// announced address resolves. Reachability is only a name lookup: nothing connects to a
// candidate before a peering is approved (the TLS handshake after it proves the rest).
awaitable<void> Peering::seek() {
    const PeeringCandidate* best = nullptr;
    for (const auto& [pin, c] : candidates_) {
        if (c.expires <= now_s() || peered_with(pin) || c.score == 0 || c.reachable == 0) continue;
        const bool asked = std::any_of(proposals_.begin(), proposals_.end(),
                                       [&](const PeeringProposal& p) { return p.pin == pin; });
        if (asked) continue;
        if (!best || c.score > best->score) best = &c;
    }
    if (!best) co_return;
    const std::string target = best->pin;
    if (best->reachable < 0) {
        const std::vector<std::string> addresses = best->addresses;
        bool resolves = false;
        net::ip::tcp::resolver resolver(node_.io);
        for (const auto& a : addresses) {
            std::string host = a.substr(0, a.rfind(':'));
            const std::string port = a.substr(a.rfind(':') + 1);
            if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
            boost::system::error_code ec;
            co_await resolver.async_resolve(host, port, net::redirect_error(use_awaitable, ec));
            if (!ec) {
                resolves = true;
                break;
            }
        }
        auto it = candidates_.find(target);  // the map may have changed meanwhile
        if (it == candidates_.end()) co_return;
        it->second.reachable = resolves ? 1 : 0;
        if (!resolves) {
            spdlog::info("event=peering_unreachable pathhost={} pin={}", it->second.pathhost, target);
            co_return;
        }
    }
    std::string why = propose_to(target);
    if (!why.empty()) spdlog::warn("event=peering_propose_failed pin={} error=\"{}\"", target, why);
}

// The pending incoming proposal `nonce`, or why there is none to decide.
std::vector<PeeringProposal>::iterator Peering::pending(const std::string& nonce, std::string& why) {
    auto it = std::find_if(proposals_.begin(), proposals_.end(),
                           [&](const PeeringProposal& p) { return p.incoming && p.nonce == nonce; });
    if (it == proposals_.end()) why = "no proposal " + nonce;
    else if (it->state != "pending") why = "proposal " + nonce + " is " + it->state;
    else if (it->expires <= now_s()) why = "proposal " + nonce + " expired";
    return why.empty() ? it : proposals_.end();
}

// Marks the decision, tells the proposer (accept or refuse, signed), keeps the state.
std::string Peering::answer(PeeringProposal& p, pp::Kind kind, const std::string& by) {
    p.state = kind == pp::Kind::accept ? "approved" : "refused";
    p.decided_by = by;
    ++(kind == pp::Kind::accept ? stats_.approved : stats_.refused);
    pp::Message m;
    m.kind = kind;
    m.to = p.pin;
    m.in_reply_to = p.nonce;
    std::string why;
    try {
        post(std::move(m));
    } catch (const std::exception& e) {
        why = e.what();
    }
    save_state();
    return why;
}

std::string Peering::approve(const std::string& nonce, const std::string& by) {
    std::string why;
    auto it = pending(nonce, why);
    if (!why.empty()) return why;
    if (node_.cfg().peering.peers_file.empty()) return "peering.peers_file is not set";
    why = establish(PeeringLink{peer_name(it->pathhost), it->pin, it->pathhost, it->addresses.front(), it->wants, now_s(), by});
    if (!why.empty()) return why;
    return answer(*it, pp::Kind::accept, by);
}

std::string Peering::refuse(const std::string& nonce) {
    std::string why;
    auto it = pending(nonce, why);
    if (!why.empty()) return why;
    return answer(*it, pp::Kind::refuse, "api");
}

std::string Peering::withdraw(const std::string& name_or_pin) {
    auto it = std::find_if(links_.begin(), links_.end(),
                           [&](const PeeringLink& l) { return l.name == name_or_pin || l.pin == name_or_pin; });
    if (it == links_.end()) return "no peering " + name_or_pin;
    const std::string their_pin = it->pin;
    links_.erase(it);
    ++stats_.withdrawn;
    std::string why = rewrite_peers_file();
    pp::Message m;
    m.kind = pp::Kind::withdraw;
    m.to = their_pin;
    try {
        post(std::move(m));
    } catch (const std::exception& e) {
        if (why.empty()) why = e.what();
    }
    save_state();
    return why;
}

std::string Peering::establish(PeeringLink link) {
    if (node_.cfg().peering.peers_file.empty()) return "peering.peers_file is not set";
    // A name the admin's own file does not use already.
    const std::string base = link.name;
    for (int n = 2;; ++n) {
        const bool taken = std::any_of(node_.cfg().peers.begin(), node_.cfg().peers.end(),
                                       [&](const config::Peer& p) { return p.name == link.name; }) ||
                           std::any_of(links_.begin(), links_.end(), [&](const PeeringLink& l) { return l.name == link.name; });
        if (!taken) break;
        link.name = base + "-" + std::to_string(n);
    }
    spdlog::info("event=peering_established name={} pathhost={} pin={} via={}", link.name, link.pathhost, link.pin, link.via);
    candidates_.erase(link.pin);
    links_.push_back(std::move(link));
    std::string why = rewrite_peers_file();
    save_state();
    return why;
}

// The whole file from links_ (it is ours: nobody else writes it), atomically, then a reload.
std::string Peering::rewrite_peers_file() {
    const std::string path = node_.cfg().peering.peers_file;
    if (path.empty()) return "peering.peers_file is not set";
    std::string out =
        "# Written by tidingsd (README \"Peering\"): one [[peer]] per approved peering, pinned to its\n"
        "# node key both ways. Rewritten at every change; end a peering with\n"
        "# `tidingsctl peering withdraw NAME`.\n";
    for (const auto& l : links_) {
        out += "\n# " + l.pathhost + ": approved " + protocol::format_rfc5322_date(l.since) + " (" + l.via + ")\n";
        out += "[[peer]]\nname = " + toml_string(l.name) + "\npath_identity = " + toml_string(l.pathhost) +
               "\noutgoing = " + toml_string(l.address) + "\ntls = \"implicit\"\ntls_pin = " + toml_string(l.pin) +
               "\nclient_pin = " + toml_string(l.pin) + "\nnewsgroups = " + toml_string(l.wants) +
               // The other side adds us only when our accept (or its own approval) reaches it:
               // until then our feed is refused, so it retries soon rather than after a minute.
               "\nretry_s = 10\n";
    }
    try {
        write_file_durably(path, out, 0644);
    } catch (const std::exception& e) {
        return e.what();
    }
    if (!reload_) return {};
    ReloadResult r = reload_();
    if (!r.errors.empty()) {
        spdlog::error("event=peering_reload_failed error=\"{}\"", r.errors.front());
        return "reload: " + r.errors.front();
    }
    return {};
}

void Peering::load_state() {
    const std::string path = node_.cfg().node.data_dir + "/peering/state.json";
    std::ifstream in(path);
    if (!in) return;
    json j = json::parse(in, nullptr, false);
    if (j.is_discarded()) {
        spdlog::warn("event=peering_state_unreadable path={}", path);
        return;
    }
    last_number_ = j.value("last_number", std::uint64_t{0});
    last_announce_ = j.value("last_announce", std::int64_t{0});
    for (const auto& c : j.value("candidates", json::array())) {
        PeeringCandidate x{c.value("pin", ""), c.value("key", ""), c.value("pathhost", ""), c.value("offers", "*"),
                           c.value("wants", "*"), c.value("contact", ""), c.value("message_id", ""),
                           c.value("addresses", std::vector<std::string>{}), c.value("capacity", std::uint64_t{0}),
                           c.value("issued", std::int64_t{0}), c.value("expires", std::int64_t{0}), c.value("score", 0)};
        pp::Message m;
        m.kind = pp::Kind::announce;
        m.key = x.key;
        m.issued = x.issued;
        m.nonce = "-";  // only the time matters for an older copy
        guard_->admit(m);
        candidates_[x.pin] = std::move(x);
    }
    for (const auto& p : j.value("proposals", json::array())) {
        PeeringProposal x{p.value("nonce", ""), p.value("incoming", true), p.value("pin", ""), p.value("key", ""),
                          p.value("pathhost", ""), p.value("offers", "*"), p.value("wants", "*"), p.value("contact", ""),
                          p.value("addresses", std::vector<std::string>{}), p.value("received", std::int64_t{0}),
                          p.value("expires", std::int64_t{0}), p.value("state", "pending"), p.value("decided_by", "")};
        proposals_.push_back(std::move(x));
    }
    for (const auto& l : j.value("links", json::array()))
        links_.push_back(PeeringLink{l.value("name", ""), l.value("pin", ""), l.value("pathhost", ""), l.value("address", ""),
                                     l.value("wants", "*"), l.value("since", std::int64_t{0}), l.value("via", "")});
}

void Peering::save_state() {
    json j{{"last_number", last_number_}, {"last_announce", last_announce_}};
    j["candidates"] = json::array();
    for (const auto& [pin, c] : candidates_)
        j["candidates"].push_back({{"pin", c.pin}, {"key", c.key}, {"pathhost", c.pathhost}, {"offers", c.offers},
                                   {"wants", c.wants}, {"contact", c.contact}, {"message_id", c.message_id},
                                   {"addresses", to_json(c.addresses)}, {"capacity", c.capacity}, {"issued", c.issued},
                                   {"expires", c.expires}, {"score", c.score}});
    j["proposals"] = json::array();
    for (const auto& p : proposals_)
        j["proposals"].push_back({{"nonce", p.nonce}, {"incoming", p.incoming}, {"pin", p.pin}, {"key", p.key},
                                  {"pathhost", p.pathhost}, {"offers", p.offers}, {"wants", p.wants},
                                  {"contact", p.contact}, {"addresses", to_json(p.addresses)}, {"received", p.received},
                                  {"expires", p.expires}, {"state", p.state}, {"decided_by", p.decided_by}});
    j["links"] = json::array();
    for (const auto& l : links_)
        j["links"].push_back({{"name", l.name}, {"pin", l.pin}, {"pathhost", l.pathhost}, {"address", l.address},
                              {"wants", l.wants}, {"since", l.since}, {"via", l.via}});
    const std::string dir = node_.cfg().node.data_dir + "/peering";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    try {
        write_file_durably(dir + "/state.json", j.dump(1), 0600);
    } catch (const std::exception& e) {
        stats_.last_error = e.what();
        spdlog::warn("event=peering_state_unwritten error=\"{}\"", e.what());
    }
}

}  // namespace tidings::server
