// Registers the reader command families (one file each: group.cpp, article.cpp, over.cpp,
// list.cpp, post.cpp) with the dispatcher.
#include "server/reader/reader.h"

#include "protocol/status.h"
#include "server/nntp/auth.h"
#include "server/reader/util.h"

namespace tidings::server {
namespace {

namespace st = protocol::status;

// Always in reader mode: say whether posting is allowed (RFC 3977 §5.3).
awaitable<void> run_mode_reader(Session& s, const protocol::ParseResult&) {
    if (reader_rights(s).post) reader::answer(s, st::ok_banner_post, "Posting allowed");
    else reader::answer(s, st::ok_banner_nopost, "Posting prohibited");
    co_return;
}

using Family = awaitable<void> (*)(Session&, const protocol::Command&);

template <Family F>
awaitable<void> run(Session& s, const protocol::ParseResult& parsed) {
    return F(s, parsed.command);
}

}  // namespace

void install_reader(Dispatcher& d) {
    using K = protocol::Kind;
    d.handle(K::mode_reader, run_mode_reader);
    d.handle(K::group, run<reader::run_group>);
    d.handle(K::listgroup, run<reader::run_listgroup>);
    for (K k : {K::last, K::next}) d.handle(k, run<reader::run_last_next>);
    for (K k : {K::article, K::head, K::body, K::stat}) d.handle(k, run<reader::run_article>);
    for (K k : {K::over, K::xover}) d.handle(k, run<reader::run_over>);
    for (K k : {K::hdr, K::xhdr, K::xpat}) d.handle(k, run<reader::run_hdr>);
    d.handle(K::list, run<reader::run_list>);
    d.handle(K::newgroups, run<reader::run_newgroups>);
    d.handle(K::newnews, run<reader::run_newnews>);
    d.handle(K::post, run<reader::run_post>);
    // XGTITLE has no handler: the dispatcher answers 503.
}

}  // namespace tidings::server
