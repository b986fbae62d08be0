// jhr: the command line. Each subcommand lives in its own header and registers itself on the app.
// Exit codes: 0 success, 1 runtime failure (io, protocol, backend), 2 usage error, 3 shape error.
#include "degrade_command.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{"jhr: joint face hallucination and recognition"};
    app.require_subcommand(1);
    jhr::cli::add_degrade_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    } catch (const jhr::shape_error& e) {
        std::cerr << "jhr: shape error: " << e.what() << "\n";
        return 3;
    } catch (const jhr::error& e) {
        std::cerr << "jhr: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
