// The one place server/ pulls in Asio and Beast: also the precompiled header.
#pragma once

// gcc 12 with Boost 1.74: asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

namespace tidings::server {
namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
}  // namespace tidings::server
