// Finding peers (README "Peering"). Nodes sign announcements and proposals with their node key
// (protocol/peering.h, signer.h) and post them as articles to the announcement group, where
// flooding carries them several hops. Every scan_interval_s this reads the group's new articles
// as a reader would, and for each verified message:
//  * announce: the node becomes a candidate (scored by groups in common), unless it is us (our
//    key or our pathhost) or already a peer; with seek = "propose" the best candidates whose
//    announced address resolves get a signed proposal (nothing connects to them before that);
//  * propose (to us): kept for the admin (GET /peering, approve / refuse), approved at once
//    when its key is in trusted_keys;
//  * accept (of our proposal), withdraw (by a peer): the peering is made or ended.
// A peering is a [[peer]] with implicit TLS pinned to the other's key both ways (tls_pin for
// the feed we send, client_pin for the one it sends), written to peering.peers_file (listed in
// the main file's include; the admin's own file is never rewritten), then the configuration is
// reloaded. Nothing connects to or feeds a candidate before that. Refusals (malformed, forged,
// replayed, expired, over the rate) are logged and counted. State (candidates, proposals,
// peerings, how far the group was read) is kept in <data_dir>/peering/state.json.
// I/O thread only.
#pragma once

#include "server/core/node_context.h"
#include "server/core/reload_result.h"
#include "server/net/net.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tidings::protocol::peering {
enum class Kind : std::uint8_t;
struct Message;
class ReplayGuard;
}  // namespace tidings::protocol::peering

namespace tidings::server {

namespace peering {
class Signer;
}

struct PeeringCandidate {
    std::string pin, key, pathhost, offers, wants, contact, message_id;
    std::vector<std::string> addresses;
    std::uint64_t capacity = 0;
    std::int64_t issued = 0, expires = 0;
    int score = 0;  // our carried groups it offers and we want, plus those we offer and it wants
    int reachable = -1;  // -1 not looked at yet; 0/1: an announced address's host resolves
};

struct PeeringProposal {
    std::string nonce;
    bool incoming = true;  // from them to us; false: ours to them
    std::string pin, key, pathhost, offers, wants, contact;
    std::vector<std::string> addresses;
    std::int64_t received = 0, expires = 0;
    std::string state = "pending";  // pending, approved, refused, withdrawn (incoming: decided here)
    std::string decided_by;         // api, trusted_key, them
};

struct PeeringLink {
    std::string name, pin, pathhost, address, wants;
    std::int64_t since = 0;
    std::string via;  // how it was approved: api, trusted_key, accepted (they approved ours)
};

struct PeeringStats {
    std::uint64_t scanned = 0, announced = 0, proposed = 0, approved = 0, accepted = 0, refused = 0, withdrawn = 0;
    std::map<std::string, std::uint64_t> rejected;  // messages not acted on, by reason
    std::string last_error;
};

class Peering {
public:
    Peering(NodeContext& node, std::function<ReloadResult()> reload);
    ~Peering();
    Peering(const Peering&) = delete;
    Peering& operator=(const Peering&) = delete;

    void start();
    void stop();

    // The admin's decisions; each returns empty on success, else why not.
    std::string approve(const std::string& nonce, const std::string& by = "api");
    std::string refuse(const std::string& nonce);
    std::string withdraw(const std::string& name_or_pin);
    std::string propose_to(const std::string& pin);  // a candidate, by hand (seek = "list")
    // Scans the group now (tests, POST /peering/scan); normally the timer does.
    void scan_now();

    const std::string& pin() const;
    const std::map<std::string, PeeringCandidate>& candidates() const { return candidates_; }
    const std::vector<PeeringProposal>& proposals() const { return proposals_; }
    const std::vector<PeeringLink>& links() const { return links_; }
    const PeeringStats& stats() const { return stats_; }
    // Our last signed announcement, as posted (served by GET /peering to whoever asks).
    const std::string& announcement() const { return announcement_; }

private:
    awaitable<void> loop();
    void scan();
    void process(const std::string& body, const std::string& message_id);
    void reject(const std::string& reason, const std::string& message_id, const std::string& detail = {});
    void post(protocol::peering::Message m);
    void announce();
    std::vector<PeeringProposal>::iterator pending(const std::string& nonce, std::string& why);
    std::string answer(PeeringProposal& p, protocol::peering::Kind kind, const std::string& by);
    awaitable<void> seek();
    std::string establish(PeeringLink link);
    std::string rewrite_peers_file();
    bool peered_with(const std::string& pin) const;
    void load_state();
    void save_state();

    NodeContext& node_;
    std::function<ReloadResult()> reload_;
    std::unique_ptr<peering::Signer> signer_;
    std::unique_ptr<protocol::peering::ReplayGuard> guard_;
    std::map<std::string, PeeringCandidate> candidates_;  // by pin
    std::vector<PeeringProposal> proposals_;
    std::vector<PeeringLink> links_;
    PeeringStats stats_;
    std::uint64_t last_number_ = 0;  // of the group, read up to
    std::int64_t last_announce_ = 0;
    std::deque<std::int64_t> proposals_taken_;  // times, for max_proposals_per_hour
    std::unique_ptr<net::steady_timer> wake_;
    bool stopping_ = false, started_ = false;
    std::string empty_;
    std::string announcement_;
};

}  // namespace tidings::server
