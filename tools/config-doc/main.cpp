// Prints the configuration reference (markdown) generated from the schema, or with
// `--update README.md` rewrites the text between the config markers of that file.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "config/schema.h"

namespace {

int update(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        std::cerr << path << ": cannot read\n";
        return 1;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    const std::string begin = "<!-- config:begin -->\n", end = "<!-- config:end -->";
    auto b = text.find(begin), e = text.find(end);
    if (b == std::string::npos || e == std::string::npos || e < b) {
        std::cerr << path << ": no " << begin.substr(0, begin.size() - 1) << " ... " << end
                  << " markers\n";
        return 1;
    }
    text.replace(b + begin.size(), e - b - begin.size(), tidings::config::reference_markdown());
    std::ofstream(path, std::ios::trunc) << text;
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string arg1 = argc > 1 ? argv[1] : "";
    if (argc == 3 && arg1 == "--update") return update(argv[2]);
    if (argc == 1) {
        std::cout << tidings::config::reference_markdown();
        return 0;
    }
    std::cerr << "usage: tidings-config-doc [--update README.md]\n";
    return 2;
}
