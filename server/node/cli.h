// tidingsd's command line: a pure parser so it can be unit-tested without starting anything.
#pragma once

#include <string>
#include <vector>

namespace tidings::server {

enum class CliAction { run, check_config, print_default_config, version, help, hash_password, print_identity };

struct CliOptions {
    CliAction action = CliAction::run;
    std::string config_path;  // empty: the embedded default configuration
    std::string error;        // non-empty: a usage mistake; print it with usage_text(), exit 2
};

// Parses argv[1..]. Accepts `--config FILE`, `--config=FILE`, `--check-config FILE`,
// `--print-default-config`, `--print-identity`, `--version`/`-V`, `--help`/`-h`, and the subcommand
// `hash-password` (first argument). Never throws.
CliOptions parse_cli(const std::vector<std::string>& args);

std::string usage_text();

}  // namespace tidings::server
