// jhr/tools/reproduce_command.hpp: `jhr reproduce --data synthetic|lfw-view1|lfw-view2 [--out DIR] ...`.
//
// Trains the five networks of the paper's Table 4 and writes the report folder of
// jhr/experiments/report_files.hpp (report.md, metrics.json, roc.svg, losses.svg, sheet.png).
// Defaults: a reduced FRNET (16/32/64/128 wide, 1/1/1/1 blocks, 128-d) sized for a CPU; the faces are
// 124x108 for LFW and 64x56 for synthetic data unless --face-height/--face-width are given.
#pragma once

#include "backend_dispatch.hpp"
#include "precision_option.hpp"

#include "jhr/backends/reference.hpp"
#include "jhr/experiments/reproduce.hpp"
#if defined(JHR_HAVE_ONEDNN)
#include "jhr/backends/onednn.hpp"
#endif

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <sstream>
#include <string>

namespace jhr::cli {

// The run's options as one `jhr reproduce` command line (recorded in the report).
inline std::string canonical_command(const experiments::reproduce_options& r, const std::string& backend,
                                     const std::string& precision, float frnet_rate) {
    const auto& f = r.table.model.frnet;
    std::ostringstream s;
    s << "jhr reproduce --data " << r.data;
    if (!r.lfw_dir.empty()) s << " --lfw " << r.lfw_dir.string();
    if (!r.pairs_file.empty()) s << " --pairs " << r.pairs_file.string();
    if (!r.train_dir.empty()) s << " --train-dir " << r.train_dir.string();
    s << " --out " << r.out.string() << " --backend " << backend;
    if (precision != "fp32") s << " --precision " << precision;
    s << " --iterations " << r.table.training.iterations << " --batch " << r.table.batch << " --frnet-widths "
      << f.widths[0] << " " << f.widths[1] << " " << f.widths[2] << " " << f.widths[3] << " --frnet-blocks "
      << f.blocks[0] << " " << f.blocks[1] << " " << f.blocks[2] << " " << f.blocks[3] << " --features "
      << f.features << " --face-height " << r.face_height << " --face-width " << r.face_width
      << " --frnet-lr " << frnet_rate << " --seed " << r.table.seed;
    if (r.lfw_train_limit > 0) s << " --train-limit " << r.lfw_train_limit;
    if (!r.table.checkpoint_dir.empty()) s << " --checkpoints " << r.table.checkpoint_dir.string();
    if (r.data == "synthetic")
        s << " --identities " << r.identities << " --images " << r.images << " --test-identities "
          << r.test_identities << " --test-images " << r.test_images;
    return s.str();
}

inline void add_reproduce_command(CLI::App& app) {
    struct options {
        experiments::reproduce_options run;
        std::string backend = default_backend(), precision;
        std::vector<int> widths{16, 32, 64, 128}, blocks{1, 1, 1, 1};
        int face_height = 0, face_width = 0;
        float frnet_rate = 0.02f;
        std::string command;
    };
    auto opts = std::make_shared<options>();
    auto& r = opts->run;
    r.table.training.iterations = 200;
    r.table.training.log_every = 20;
    r.table.model.frnet.features = 128;
    CLI::App* cmd =
        app.add_subcommand("reproduce", "Train the paper's six settings and write a Table 4/5 report");
    cmd->add_option("--data", r.data, "synthetic, lfw-view1 or lfw-view2")
        ->check(CLI::IsMember({"synthetic", "lfw-view1", "lfw-view2"}));
    cmd->add_option("--lfw", r.lfw_dir, "LFW folder (images_deepfunneled, peopleDev*.txt, pairsDev*.txt)");
    cmd->add_option("--pairs", r.pairs_file, "lfw-view2: pairs.txt (10 folds)");
    cmd->add_option("--train-dir", r.train_dir, "lfw-view2: training identity folders (not LFW people)");
    cmd->add_option("--out", r.out, "report folder (created)");
    cmd->add_option("--iterations", r.table.training.iterations, "iterations per trained network")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--batch", r.table.batch, "batch size")->check(CLI::PositiveNumber);
    cmd->add_option("--backend", opts->backend, "reference or onednn");
    add_precision_option(cmd, opts->precision);
    cmd->add_option("--frnet-widths", opts->widths, "FRNET stage widths (4 values; paper 64 128 256 512)")
        ->expected(4);
    cmd->add_option("--frnet-blocks", opts->blocks, "residual blocks per stage (4 values; paper 1 2 5 3)")
        ->expected(4);
    cmd->add_option("--features", r.table.model.frnet.features, "feature dimension (paper 512)");
    cmd->add_option("--face-height", opts->face_height, "face height in pixels (paper 124)");
    cmd->add_option("--face-width", opts->face_width, "face width in pixels (paper 108)");
    cmd->add_option("--frnet-lr", opts->frnet_rate, "FRNET learning rate");
    cmd->add_option("--train-limit", r.lfw_train_limit, "lfw-view1: first people up to this many images");
    cmd->add_option("--identities", r.identities, "synthetic: training identities");
    cmd->add_option("--images", r.images, "synthetic: images per training identity");
    cmd->add_option("--test-identities", r.test_identities, "synthetic: held-out identities (>= 20)");
    cmd->add_option("--test-images", r.test_images, "synthetic: images per held-out identity");
    cmd->add_option("--seed", r.table.seed, "data and initialisation seed");
    cmd->add_option("--checkpoints", r.table.checkpoint_dir,
                    "checkpoint every network here; a rerun with the same options resumes");
    cmd->add_option("--machine", r.machine, "machine description recorded in the report");
    cmd->callback([opts] {
        auto& o = *opts;
        auto& frnet = o.run.table.model.frnet;
        std::copy(o.widths.begin(), o.widths.end(), frnet.widths.begin());
        std::copy(o.blocks.begin(), o.blocks.end(), frnet.blocks.begin());
        const bool lfw = o.run.data != "synthetic";
        o.run.face_height = o.face_height > 0 ? o.face_height : (lfw ? 124 : 64);
        o.run.face_width = o.face_width > 0 ? o.face_width : (lfw ? 108 : 56);
        o.run.table.training.learning_rates = {{"srnet", 1e-5f}, {"frnet", o.frnet_rate}};
        if (lfw && o.run.lfw_dir.empty()) throw error("reproduce: --data " + o.run.data + " needs --lfw DIR");
        o.run.command = canonical_command(o.run, o.backend, o.precision, o.frnet_rate);
        const auto run = [&o]<class B>() {
            apply_precision<B>(o.precision);
            experiments::reproduce<B>(o.run, std::cout);
        };
#if defined(JHR_HAVE_ONEDNN)
        if (o.backend == "onednn") return run.template operator()<onednn>();
#endif
        if (o.backend == "reference") return run.template operator()<reference>();
        throw error("reproduce: backend '" + o.backend + "' is not built");
    });
}

} // namespace jhr::cli
