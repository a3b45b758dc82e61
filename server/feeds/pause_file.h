// Which outgoing feeds are paused, kept across restarts: `<data_dir>/paused-feeds`, one peer
// name per line. Written whole (temporary file, fsync, rename, directory fsync) at each pause or
// resume, so a crash leaves the old list or the new one, never half of either.
#pragma once

#include <set>
#include <string>

namespace tidings::server {

// The names in the file; empty when there is none. An unreadable file is logged and ignored
// (nothing paused): a missing pause must not stop the node from starting.
std::set<std::string> load_paused_feeds(const std::string& data_dir);
// Replaces the file (removes it when `names` is empty). Returns "" or why not.
std::string save_paused_feeds(const std::string& data_dir, const std::set<std::string>& names);

}  // namespace tidings::server
