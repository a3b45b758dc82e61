// Command-line parsing for tidingsd.
#include "server/node/cli.h"

#include <optional>

namespace tidings::server {
namespace {

// Returns the value of `--name VALUE` / `--name=VALUE` at args[i], advancing i past it.
std::optional<std::string> option_value(const std::vector<std::string>& args, std::size_t& i,
                                        const std::string& name, std::string& error) {
    const std::string& a = args[i];
    if (a == name) {
        if (i + 1 >= args.size()) {
            error = name + " needs a FILE argument";
            return std::nullopt;
        }
        return args[++i];
    }
    if (a.rfind(name + "=", 0) == 0) return a.substr(name.size() + 1);
    return std::nullopt;
}

}  // namespace

CliOptions parse_cli(const std::vector<std::string>& args) {
    CliOptions o;
    bool action_set = false;
    auto set_action = [&](CliAction a, const std::string& flag) {
        if (action_set && o.action != a) o.error = "conflicting option " + flag;
        o.action = a;
        action_set = true;
    };
    if (!args.empty() && args[0] == "hash-password") {
        o.action = CliAction::hash_password;
        if (args.size() > 1) o.error = "hash-password takes no arguments (the password is read from stdin)";
        return o;
    }
    for (std::size_t i = 0; i < args.size() && o.error.empty(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            set_action(CliAction::help, a);
        } else if (a == "--version" || a == "-V") {
            set_action(CliAction::version, a);
        } else if (a == "--print-default-config") {
            set_action(CliAction::print_default_config, a);
        } else if (a == "--print-identity") {
            set_action(CliAction::print_identity, a);
        } else if (auto v = option_value(args, i, "--config", o.error)) {
            o.config_path = *v;
        } else if (auto c = option_value(args, i, "--check-config", o.error)) {
            set_action(CliAction::check_config, "--check-config");
            o.config_path = *c;
        } else if (o.error.empty()) {
            o.error = "unknown argument '" + a + "'";
        }
    }
    if (o.error.empty() && o.action == CliAction::check_config && o.config_path.empty())
        o.error = "--check-config needs a FILE argument";
    return o;
}

std::string usage_text() {
    return "Usage: tidingsd [OPTIONS]\n"
           "  (no options)              run on the embedded default configuration\n"
           "  --config FILE             run with the TOML configuration FILE\n"
           "  --check-config FILE       validate FILE; print each mistake as\n"
           "                            file:line:col: key: reason; exit 0 (valid) or 2\n"
           "  --print-default-config    print the embedded default configuration (TOML)\n"
           "  --print-identity          print this node's public-key pin (sha256//BASE64), the\n"
           "                            value peers pin; makes the identity first if missing\n"
           "                            (with --config FILE: that node's)\n"
           "  --version                 print the version\n"
           "  --help                    print this help\n"
           "  hash-password             read a password (stdin, or a prompt without echo) and\n"
           "                            print its yescrypt hash for a [[user]] password_hash\n"
           "Signals: SIGTERM/SIGINT stop gracefully (exit 0).\n";
}

}  // namespace tidings::server
