// jhr: the command line. Each subcommand lives in its own header and registers itself on the app.
// Exit codes: 0 success, 1 runtime failure (io, protocol, backend), 2 usage error, 3 shape error,
// 4 training diverged.
#include "bench_command.hpp"
#include "degrade_command.hpp"
#include "embed_command.hpp"
#include "eval_command.hpp"
#include "hallucinate_command.hpp"
#include "reproduce_command.hpp"
#include "train_command.hpp"
#include "verify_command.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{"jhr: joint face hallucination and recognition"};
    app.require_subcommand(1);
    jhr::cli::add_bench_command(app);
    jhr::cli::add_degrade_command(app);
    jhr::cli::add_embed_command(app);
    jhr::cli::add_eval_command(app);
    jhr::cli::add_hallucinate_command(app);
    jhr::cli::add_reproduce_command(app);
    jhr::cli::add_train_command(app);
    jhr::cli::add_verify_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    } catch (const jhr::shape_error& e) {
        std::cerr << "jhr: shape error: " << e.what() << "\n";
        return 3;
    } catch (const jhr::training_diverged& e) {
        std::cerr << "jhr: " << e.what() << "\n";
        return 4;
    } catch (const jhr::error& e) {
        std::cerr << "jhr: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "jhr: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
