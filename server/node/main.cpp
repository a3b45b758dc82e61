// tidingsd: the Tidings news server daemon.
#include <cstdio>
#include <iostream>
#include <string>

#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "config/config.h"
#include "server/net/identity.h"
#include "server/nntp/auth.h"
#include "server/node/cli.h"
#include "server/node/logging.h"
#include "server/node/start.h"

using namespace tidings;

namespace {

// `tidingsd hash-password`: one line from stdin; on a terminal, prompted without echo.
int hash_password_command() {
    const bool tty = isatty(STDIN_FILENO);
    termios saved{};
    if (tty) {
        std::cerr << "Password: " << std::flush;
        tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::string password;
    bool got = static_cast<bool>(std::getline(std::cin, password));
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        std::cerr << "\n";
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (!got || password.empty()) {
        std::cerr << "tidingsd: hash-password: no password given\n";
        return 2;
    }
    std::string hash = server::hash_password(password);
    if (hash.empty()) {
        std::cerr << "tidingsd: hash-password: crypt(3) failed\n";
        return 1;
    }
    std::cout << hash << "\n";
    return 0;
}

// `tidingsd --print-identity`: the pin on stdout (for scripts and peers' tls_pin), the
// certificate's path on stderr.
int print_identity_command(const config::Config& cfg) {
    try {
        auto id = server::load_or_create_identity(cfg.node.identity_cert, cfg.node.identity_key, cfg.node.data_dir,
                                                  cfg.node.pathhost);
        std::cout << id.pin << "\n";
        std::cerr << "tidingsd: certificate " << id.cert_file << (id.created ? " (made now)" : "") << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "tidingsd: identity: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    server::CliOptions opts = server::parse_cli(args);
    if (!opts.error.empty()) {
        std::cerr << "tidingsd: " << opts.error << "\n" << server::usage_text();
        return 2;
    }
    switch (opts.action) {
        case server::CliAction::help:
            std::cout << server::usage_text();
            return 0;
        case server::CliAction::version:
            std::cout << "tidingsd " << TIDINGS_VERSION << "\n";
            return 0;
        case server::CliAction::print_default_config:
            std::cout << config::default_config_toml();
            return 0;
        case server::CliAction::check_config: {
            auto r = config::load_file(opts.config_path);
            for (const auto& e : r.errors) std::cerr << e << "\n";
            if (!r.config) return 2;
            std::cout << opts.config_path << ": OK\n";
            return 0;
        }
        case server::CliAction::hash_password:
            return hash_password_command();
        case server::CliAction::run:
        case server::CliAction::print_identity:
            break;
    }

    // What tidingsd creates (the data folder, the store, the journal, the pause and listen
    // files) is not for other users: the articles may be from private groups, the pause file
    // steers feeds. Owner read-write, group read, others nothing.
    ::umask(027);
    config::Config cfg;
    if (opts.config_path.empty()) {
        cfg = config::default_config();
    } else {
        auto r = config::load_file(opts.config_path);
        for (const auto& e : r.errors) std::cerr << e << "\n";
        if (!r.config) return 2;
        cfg = std::move(*r.config);
    }
    if (opts.action == server::CliAction::print_identity) return print_identity_command(cfg);
    server::setup_logging(config::to_string(cfg.node.log_level), config::to_string(cfg.node.log_format));
    return server::run_node(cfg, opts.config_path);
}
