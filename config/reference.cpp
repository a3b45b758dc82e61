// The README configuration reference, generated from the schema so it cannot go stale.
#include "config/schema.h"

namespace tidings::config {
namespace {

// Appends only: GCC 12 -O2 warns falsely (-Wrestrict) on "literal" + std::string&&.
std::string default_cell(const KeySpec& k) {
    if (k.required) return "required";
    if (k.def.empty()) return "—";
    std::string out = "`";
    out.append(k.def).append("`");
    return out;
}

}  // namespace

std::string reference_markdown() {
    std::string out =
        "## Configuration\n"
        "\n"
        "One TOML file, given with `--config FILE`; without it `tidingsd` runs on the embedded\n"
        "default (`tidingsd --print-default-config`). `config/tidings.example.toml` shows every\n"
        "key. Unknown keys are errors; `tidingsd --check-config FILE` prints every mistake as\n"
        "`file:line:col: key: reason` and exits 2. A key left out takes its default;\n"
        "\"—\" means unset or derived as described.\n"
        "\n"
        "A top-level `include = [\"peers.toml\", ...]` reads more files of `[[peer]]` tables (and\n"
        "nothing else) as if they followed the main file's: a relative path is taken from the\n"
        "main file's folder, a file that does not exist counts as empty, and mistakes in one are\n"
        "reported with its own name and line. Peering approvals write to such a file\n"
        "(`peering.peers_file`): the admin's own file is never rewritten.\n"
        "\n"
        "This section is generated from `config/schema.cpp` by `tools/config-doc`.\n";
    for (const auto& s : schema()) {
        out.append("\n### `").append(s.array ? "[[" : "[").append(s.name);
        out.append(s.array ? "]]" : "]").append("`\n\n").append(s.doc).append("\n\n");
        out += "| Key | Type | Default | Meaning |\n|---|---|---|---|\n";
        for (const auto& k : s.keys) {
            out.append("| `").append(k.name).append("` | ").append(type_text(k));
            out.append(" | ").append(default_cell(k)).append(" | ").append(k.doc).append(" |\n");
        }
    }
    return out;
}

}  // namespace tidings::config
