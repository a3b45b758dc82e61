// Stands in for server/net/net.h (Asio, Beast, OpenSSL: the server's precompiled header) when
// fuzz_compress compiles server/net/compress_layer.cpp: the layer needs only Beast's header-only
// zlib port and Boost.System's error_code, so the fuzz build stays free of Asio and OpenSSL.
#pragma once

#include <utility>

#include <boost/system/error_code.hpp>
