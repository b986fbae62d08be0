// joint_train: trains the paper's six settings and the Joint Model on synthetic faces (the
// library's embedded data) and prints Table 4 (verification) and Table 5 (PSNR) for them.
// With no arguments it runs a reduced model on 64x56 faces, sized to finish in minutes on a
// 2-core CPU. --help lists the knobs.
#include "jhr/backends/reference.hpp"
#include "jhr/experiments/table4.hpp"
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
};

template <class B>
int run(const run_options& r, jhr::experiments::table4_options o) {
    using namespace jhr;
    data::synthetic_face_options face{r.height, r.width, 1.0, 3.0};
    data::synthetic_source train(data::synthetic_faces(o.seed, face), r.identities, r.images);
    const auto test = experiments::synthetic_verification_set(data::synthetic_faces(o.seed + 1000, face),
                                                              r.test_identities, r.test_images, o.seed + 1);
    o.model.classes = int(r.identities);
    const auto result = experiments::run_table4<B>(std::move(train), test, o, std::cout);
    std::cout << "\nTable 4 on synthetic faces (" << r.identities << " training identities x " << r.images
              << ", test " << r.test_identities << " x " << r.test_images << ", " << r.height << "x"
              << r.width << ", 4x down-sampling, backend " << B::name << ", " << result.train_seconds
              << " s of training)\n\n"
              << eval::markdown_table(result.settings) << "\nTable 5\n\n"
              << experiments::table5_markdown(result);
    if (!r.json_path.empty()) std::ofstream(r.json_path) << result.to_json().dump(2) << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"joint_train: the paper's six settings on synthetic faces"};
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
