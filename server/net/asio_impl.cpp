// Compiles Asio, Asio SSL and Beast once for the whole program (separate compilation: the ~30 s
// of Asio headers are paid by this file, not by every file that uses it).
#include <utility>

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
