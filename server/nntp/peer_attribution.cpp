// Peer attribution of NNTP sessions.
#include "server/nntp/peer_attribution.h"

namespace tidings::server {

const config::Peer* peer_for_address(const config::Config& cfg, std::string_view ip) {
    for (const auto& p : cfg.peers)
        if (config::matches_any(p.hosts, ip)) return &p;
    return nullptr;
}

const config::Peer* peer_for_user(const config::Config& cfg, std::string_view user) {
    for (const auto& p : cfg.peers)
        if (!p.auth_user.empty() && p.auth_user == user) return &p;
    return nullptr;
}

const config::Peer* peer_for_client_pin(const config::Config& cfg, std::string_view pin) {
    for (const auto& p : cfg.peers)
        if (!p.client_pin.empty() && p.client_pin == pin) return &p;
    return nullptr;
}

void attribute_peer(Session& s, const config::Peer* peer) {
    if (!peer || !s.info.transit || s.peer) return;
    s.peer = peer;
    s.node.peer_sessions[s.id] = peer->name;
}

}  // namespace tidings::server
