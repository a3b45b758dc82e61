// Carrying out a judged cancel or Supersedes (server/core/ingest.h's WithdrawalPlan) on the
// store, for transit and POST alike, with one log line and a counter per decision.
#pragma once

#include <string>
#include <string_view>

#include "server/core/ingest.h"
#include "server/core/node_context.h"

namespace tidings::server {

// Applies `plan` made for the article `by` (its Message-ID) from `source` (a peer's name, or
// "local"): a withdrawal judged to apply cancels the target, or — not here yet — remembers its
// id as cancelled so it is refused when it comes; one that waits for its target keeps its keys
// (PendingCancels). Called before the withdrawing article is submitted: the store's single
// writer commits the target's removal no later than the article.
void apply_withdrawal(NodeContext& node, const WithdrawalPlan& plan, std::string_view by, std::string_view source);

// For an article about to be stored: true when a pending cancel named it and its keys match
// the article's Cancel-Lock; the caller refuses it and remembers its id as cancelled.
// `text`: the article (CRLF, as stored).
bool cancelled_on_arrival(NodeContext& node, const std::string& id, std::string_view text);

}  // namespace tidings::server
