// The reader service (RFC 3977 reading and posting, RFC 6048 LIST keywords, legacy X
// commands): its handlers, registered with the session's dispatcher.
#pragma once

#include "server/nntp/dispatcher.h"

namespace tidings::server {

// Registers the reading and posting commands. The dispatcher has checked, before any of them
// runs, that the listener offers reading, that the session may read (else 480) and the syntax.
void install_reader(Dispatcher& d);

}  // namespace tidings::server
