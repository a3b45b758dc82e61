#include "server/node/cli.h"

#include <gtest/gtest.h>

using tidings::server::CliAction;
using tidings::server::parse_cli;

TEST(Cli, NoArgumentsRunsTheEmbeddedDefault) {
    auto o = parse_cli({});
    EXPECT_EQ(o.action, CliAction::run);
    EXPECT_TRUE(o.config_path.empty());
    EXPECT_TRUE(o.error.empty());
}

TEST(Cli, ConfigTakesAFileInEitherSpelling) {
    EXPECT_EQ(parse_cli({"--config", "a.toml"}).config_path, "a.toml");
    EXPECT_EQ(parse_cli({"--config=b.toml"}).config_path, "b.toml");
}

TEST(Cli, CheckConfigNeedsAFile) {
    auto o = parse_cli({"--check-config", "x.toml"});
    EXPECT_EQ(o.action, CliAction::check_config);
    EXPECT_EQ(o.config_path, "x.toml");
    EXPECT_FALSE(parse_cli({"--check-config"}).error.empty());
}

TEST(Cli, UnknownArgumentIsAnError) {
    EXPECT_FALSE(parse_cli({"--frob"}).error.empty());
    EXPECT_FALSE(parse_cli({"--config"}).error.empty());
}

TEST(Cli, ConflictingActionsAreAnError) {
    EXPECT_FALSE(parse_cli({"--version", "--help"}).error.empty());
    EXPECT_EQ(parse_cli({"-V"}).action, CliAction::version);
    EXPECT_EQ(parse_cli({"-h"}).action, CliAction::help);
}

TEST(Cli, PrintIdentityTakesAnOptionalConfig) {
    auto a = parse_cli({"--print-identity"});
    EXPECT_TRUE(a.error.empty());
    EXPECT_EQ(a.action, CliAction::print_identity);
    auto b = parse_cli({"--print-identity", "--config", "x.toml"});
    EXPECT_TRUE(b.error.empty());
    EXPECT_EQ(b.action, CliAction::print_identity);
    EXPECT_EQ(b.config_path, "x.toml");
    EXPECT_FALSE(parse_cli({"--print-identity", "--version"}).error.empty());
}
