// jhr/experiments/reproduce.hpp: one call from "which data, which model size" to a report folder
// (the `jhr reproduce` command and its tests).
//
// data = "synthetic": training identities and held-out identities drawn by synthetic_faces (seeds
//        `seed` and `seed + 1000`), 10 person-disjoint folds;
//        "lfw-view1": training on peopleDevTrain.txt's people, PCA and threshold on pairsDevTrain.txt,
//        accuracy on pairsDevTest.txt (verification_set.hpp);
//        "lfw-view2": training on identity folders under `train_dir` (e.g. aligned CASIA-WebFace
//        crops, resized to the face size), 10-fold testing on `pairs_file` (pairs.txt).
// The FRNET input is the face less SRNET's border on every side. Every report file of
// report_files.hpp is written under `out`.
#pragma once

#include "jhr/experiments/report_files.hpp"

#include <sstream>

namespace jhr::experiments {

struct reproduce_options {
    std::string data = "synthetic";
    std::filesystem::path lfw_dir, pairs_file, train_dir, out = "report";
    int face_height = 124, face_width = 108;
    std::size_t identities = 20, images = 16, test_identities = 20, test_images = 6; // synthetic only
    std::size_t lfw_train_limit = 0;    // lfw-view1: stop after the person reaching N images (0: all)
    std::size_t lfw_pairs_per_half = 0; // lfw-view1: first N matched and mismatched pairs per file (0: all)
    table4_options table;
    std::string command, machine;
};

template <Backend B>
table4_result reproduce(reproduce_options r, std::ostream& log);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

inline std::string model_text(const joint_model_options& m, int h, int w, int scale) {
    std::ostringstream s;
    s << "faces " << h << "x" << w << " (LR " << (h + scale - 1) / scale << "x" << (w + scale - 1) / scale
      << "); SRNET " << m.srnet.kernel << "x" << m.srnet.kernel << "-" << m.srnet.features << ", 1x1-"
      << m.srnet.mapping_features << ", 1x1-3; FRNET widths " << m.frnet.widths[0] << "/" << m.frnet.widths[1]
      << "/" << m.frnet.widths[2] << "/" << m.frnet.widths[3] << ", residual blocks " << m.frnet.blocks[0]
      << "/" << m.frnet.blocks[1] << "/" << m.frnet.blocks[2] << "/" << m.frnet.blocks[3] << ", "
      << m.frnet.features << "-d features; " << m.classes << " classes; alpha " << m.loss.alpha << ", beta1 "
      << m.loss.beta1 << ", beta2 " << m.loss.beta2;
    return s.str();
}

template <Backend B, data::sample_source Train, data::sample_source Test>
table4_result run_and_write(Train train, const verification_set<Test>& test, const reproduce_options& r,
                            std::string training_text, std::ostream& log) {
    table4_options o = r.table;
    report_about about;
    about.title = "Table 4 and Table 5: " + r.data;
    about.command = r.command;
    about.training = std::move(training_text);
    about.model = model_text(o.model, r.face_height, r.face_width, o.scale) + "; " +
                  std::to_string(o.training.iterations) + " iterations per network, batch " +
                  std::to_string(o.batch);
    about.backend = B::name;
    about.machine = r.machine;
    about.config = {{"data", r.data},
                    {"face_height", r.face_height},
                    {"face_width", r.face_width},
                    {"iterations", o.training.iterations},
                    {"batch", o.batch},
                    {"scale", o.scale},
                    {"seed", o.seed},
                    {"classes", o.model.classes},
                    {"frnet_widths", o.model.frnet.widths},
                    {"frnet_blocks", o.model.frnet.blocks},
                    {"features", o.model.frnet.features},
                    {"learning_rates", o.training.learning_rates},
                    {"checkpoint_dir", o.checkpoint_dir.string()}};
    const table4_result result = run_table4<B>(std::move(train), test, o, log);
    write_report(r.out, result, about);
    log << "report written to " << r.out.string() << "\n";
    return result;
}

} // namespace detail

template <Backend B>
table4_result reproduce(reproduce_options r, std::ostream& log) {
    auto& m = r.table.model;
    m.frnet.input_height = r.face_height - 2 * m.srnet.border();
    m.frnet.input_width = r.face_width - 2 * m.srnet.border();
    r.table.training.seed = r.table.seed;
    if (r.data == "synthetic") {
        const data::synthetic_face_options face{r.face_height, r.face_width, 1.0, 3.0};
        data::synthetic_source train(data::synthetic_faces(r.table.seed, face), r.identities, r.images);
        const auto test = synthetic_verification_set(data::synthetic_faces(r.table.seed + 1000, face),
                                                     r.test_identities, r.test_images, r.table.seed + 1);
        m.classes = int(r.identities);
        return detail::run_and_write<B>(std::move(train), test, r,
                                        "synthetic faces: " + std::to_string(r.identities) +
                                            " identities x " + std::to_string(r.images) + " images",
                                        log);
    }
    if (r.data == "lfw-view1") {
        lfw_training_set train =
            lfw_view1_training_set(r.lfw_dir, r.face_height, r.face_width, r.lfw_train_limit);
        const std::size_t images = train.faces.size();
        m.classes = train.classes;
        const auto test =
            lfw_view1_verification_set(r.lfw_dir, r.face_height, r.face_width, r.lfw_pairs_per_half);
        return detail::run_and_write<B>(std::move(train.faces), test, r,
                                        "LFW peopleDevTrain.txt: " + std::to_string(train.classes) +
                                            " people, " + std::to_string(images) +
                                            " deep-funneled images (fixed crop)",
                                        log);
    }
    if (r.data == "lfw-view2") {
        if (r.train_dir.empty() || r.pairs_file.empty())
            throw error(
                "reproduce: --data lfw-view2 needs --train-dir (identity folders, person-disjoint from LFW) "
                "and --pairs (pairs.txt)");
        data::file_dataset train = data::scan_identity_folders(r.train_dir);
        m.classes = int(train.identities.size());
        const std::size_t images = train.samples.size();
        data::file_source faces(std::move(train.samples), [h = r.face_height, w = r.face_width](
                                                              const image& img, const data::labelled_path&) {
            return image_height(img) == h && image_width(img) == w ? img : resize_bicubic(img, h, w);
        });
        const auto test = lfw_view2_verification_set(r.lfw_dir, r.pairs_file, r.face_height, r.face_width);
        return detail::run_and_write<B>(std::move(faces), test, r,
                                        r.train_dir.string() + ": " + std::to_string(m.classes) +
                                            " identities, " + std::to_string(images) + " images",
                                        log);
    }
    throw error("reproduce: unknown data '" + r.data + "' (expected synthetic, lfw-view1 or lfw-view2)");
}

} // namespace jhr::experiments
