// joint_train: trains the paper's six settings and the Joint Model and prints Table 4
// (verification) and Table 5 (PSNR) for them.
// With no arguments it runs a reduced model on synthetic 64x56 faces (the library's embedded
// data), sized to finish in minutes on a 2-core CPU. With --data it runs on real faces:
//   --data LFW_DIR                          LFW View 1: train on peopleDevTrain.txt's people, test
//                                           on pairsDevTest.txt (tuned on pairsDevTrain.txt);
//   --data TRAIN_DIR --pairs pairs.txt      LFW View 2: train on identity folders (person-disjoint
//                                           from LFW), 10-fold test on pairs.txt, images under --lfw
//                                           (default: the folder holding pairs.txt).
// Real-data runs also write the report folder of jhr reproduce (--out). --help lists the knobs.
#include "jhr/backends/reference.hpp"
#include "jhr/experiments/reproduce.hpp"
#if defined(JHR_HAVE_ONEDNN)
#include "jhr/backends/onednn.hpp"
#endif

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>

namespace {

struct run_options {
    std::string backend =
#if defined(JHR_HAVE_ONEDNN)
        "onednn";
#else
        "reference";
#endif
    std::size_t identities = 20, images = 16, test_identities = 20, test_images = 6;
    int height = 64, width = 56;
    std::string json_path;
    std::filesystem::path data, pairs, lfw, out = "joint_train_report";
    std::size_t train_limit = 0, pairs_limit = 0;
};

void print_tables(const jhr::experiments::table4_result& result, const std::string& what) {
    std::cout << "\nTable 4 on " << what << ", " << result.train_seconds << " s of training\n\n"
              << jhr::eval::markdown_table(result.settings) << "\nTable 5\n\n"
              << jhr::experiments::table5_markdown(result);
}

// --data given: LFW View 1 (an LFW folder without --pairs, or with its pairsDevTest.txt) or View 2.
template <class B>
jhr::experiments::table4_result run_real(const run_options& r, const jhr::experiments::table4_options& o) {
    jhr::experiments::reproduce_options rep;
    const bool view1 = std::filesystem::is_regular_file(r.data / "peopleDevTrain.txt") &&
                       (r.pairs.empty() || r.pairs.filename() == "pairsDevTest.txt");
    rep.data = view1 ? "lfw-view1" : "lfw-view2";
    if (view1) {
        rep.lfw_dir = r.data;
    } else {
        if (r.pairs.empty())
            throw jhr::error(
                "joint_train: " + r.data.string() +
                " has no peopleDevTrain.txt (not an LFW folder): View 2 needs --pairs pairs.txt");
        rep.train_dir = r.data;
        rep.pairs_file = r.pairs;
        rep.lfw_dir = r.lfw.empty() ? r.pairs.parent_path() : r.lfw;
    }
    rep.out = r.out;
    rep.face_height = r.height;
    rep.face_width = r.width;
    rep.lfw_train_limit = r.train_limit;
    rep.lfw_pairs_per_half = r.pairs_limit;
    rep.table = o;
    rep.command =
        "joint_train --data " + r.data.string() + (r.pairs.empty() ? "" : " --pairs " + r.pairs.string());
    return jhr::experiments::reproduce<B>(rep, std::cout);
}

template <class B>
int run(const run_options& r, jhr::experiments::table4_options o) {
    using namespace jhr;
    experiments::table4_result result;
    std::string what;
    if (!r.data.empty()) {
        result = run_real<B>(r, o);
        what = result.test_set + " (report in " + r.out.string() + ")";
    } else {
        data::synthetic_face_options face{r.height, r.width, 1.0, 3.0};
        data::synthetic_source train(data::synthetic_faces(o.seed, face), r.identities, r.images);
        const auto test = experiments::synthetic_verification_set(
            data::synthetic_faces(o.seed + 1000, face), r.test_identities, r.test_images, o.seed + 1);
        o.model.classes = int(r.identities);
        result = experiments::run_table4<B>(std::move(train), test, o, std::cout);
        what = "synthetic faces (" + std::to_string(r.identities) + " training identities x " +
               std::to_string(r.images) + ", test " + std::to_string(r.test_identities) + " x " +
               std::to_string(r.test_images) + ")";
    }
    print_tables(result, what + ", " + std::to_string(r.height) + "x" + std::to_string(r.width) +
                             ", 4x down-sampling, backend " + std::string(B::name));
    if (!r.json_path.empty()) std::ofstream(r.json_path) << result.to_json().dump(2) << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"joint_train: the paper's six settings on synthetic faces, or on LFW with --data"};
    run_options r;
    jhr::experiments::table4_options o;
    // A reduced FRNET for CPU runs; --paper-size restores Table 2.
    o.model.frnet.widths = {16, 32, 64, 128};
    o.model.frnet.blocks = {1, 1, 1, 1};
    o.model.frnet.features = 128;
    o.training.iterations = 120;
    o.training.learning_rates = {{"srnet", 1e-5f}, {"frnet", 0.02f}};
    o.training.log_every = 20;
    bool paper_size = false;
    app.add_option("--backend", r.backend, "reference or onednn")
        ->check(CLI::IsMember({"reference", "onednn"}));
    app.add_option("--identities", r.identities, "training identities");
    app.add_option("--images", r.images, "images per training identity");
    app.add_option("--test-identities", r.test_identities,
                   "held-out identities (10 folds by identity, >= 20)");
    app.add_option("--test-images", r.test_images, "images per held-out identity");
    app.add_option("--height", r.height, "face height in pixels");
    app.add_option("--width", r.width, "face width in pixels");
    app.add_option("--iterations", o.training.iterations, "iterations per trained network");
    app.add_option("--batch", o.batch, "batch size");
    app.add_option("--alpha", o.model.loss.alpha, "pixel loss weight");
    app.add_option("--beta2", o.model.loss.beta2, "center loss weight");
    app.add_option("--seed", o.seed, "data and initialisation seed");
    app.add_option("--json", r.json_path, "also write all metrics as JSON here");
    app.add_option("--data", r.data,
                   "real faces: an LFW folder (View 1), or training identity folders with --pairs (View 2)");
    app.add_option("--pairs", r.pairs, "with --data: LFW pairs.txt (View 2, 10 folds) or pairsDevTest.txt");
    app.add_option("--lfw", r.lfw, "View 2: the LFW image folder (default: the folder holding --pairs)");
    app.add_option("--out", r.out, "with --data: the report folder written (as jhr reproduce)");
    app.add_option("--train-limit", r.train_limit,
                   "View 1: train on the first people up to N images (0: all)");
    app.add_option("--pairs-limit", r.pairs_limit,
                   "View 1: the first N matched and mismatched pairs per list (0: all)");
    app.add_flag("--paper-size", paper_size, "Table 2's FRNET (64/128/256/512 wide, 1/2/5/3 blocks, 512-d)");
    CLI11_PARSE(app, argc, argv);
    if (paper_size) o.model.frnet = jhr::frnet_options{};
    o.model.frnet.input_height = r.height - 2 * o.model.srnet.border();
    o.model.frnet.input_width = r.width - 2 * o.model.srnet.border();
    o.training.seed = o.seed;
    try {
#if defined(JHR_HAVE_ONEDNN)
        if (r.backend == "onednn") return run<jhr::onednn>(r, o);
#endif
        if (r.backend == "reference") return run<jhr::reference>(r, o);
        std::cerr << "joint_train: backend " << r.backend << " is not built\n";
        return 2;
    } catch (const jhr::error& e) {
        std::cerr << "joint_train: " << e.what() << "\n";
        return 1;
    }
}
