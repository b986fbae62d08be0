// Tests for jhr/train/face_model.hpp: the face rule, loading a checkpoint and inference shapes.
#include "jhr/backends/reference.hpp"
#include "jhr/train/face_model.hpp"

#include "io/temp_dir.hpp"

#include <doctest/doctest.h>

namespace {

jhr::model_config tiny(jhr::setting s) {
    jhr::joint_model_options m;
    m.frnet.widths = {4, 4, 4, 4};
    m.frnet.blocks = {0, 0, 0, 0};
    m.frnet.features = 6;
    m.srnet.features = 8;
    m.srnet.mapping_features = 4;
    m.classes = 3;
    return jhr::make_model_config(s, 64, 56, 4, m);
}

jhr::image gradient_face(int h, int w) {
    jhr::image img = jhr::make_image(h, w);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c) img(y, x, c) = float((7 * y + 3 * x + 40 * c) % 256);
    return img;
}

template <class Net>
void save(const std::filesystem::path& dir, Net& net, const jhr::model_config& c) {
    jhr::rng r(3);
    net.initialize(r);
    jhr::checkpoint ckpt;
    ckpt.iteration = 1;
    ckpt.weights = jhr::collect_weights<jhr::reference>(net);
    ckpt.config = {{jhr::model_config_key, jhr::to_json(c)}};
    jhr::save_checkpoint(dir, ckpt);
}

} // namespace

TEST_CASE("prepare_face: face size as is, 250x250 LFW box, anything else resized whole") {
    const jhr::image face = gradient_face(64, 56);
    CHECK(jhr::prepare_face(face, 64, 56) == face);
    const jhr::image lfw = gradient_face(250, 250);
    const jhr::image cut = jhr::prepare_face(lfw, 124, 108);
    REQUIRE(jhr::image_height(cut) == 124);
    CHECK(cut(0, 0, 1) == lfw(54, 71, 1)); // the box's corner, unscaled at 124x108
    const jhr::image other = jhr::prepare_face(gradient_face(100, 90), 64, 56);
    CHECK(jhr::image_height(other) == 64);
    CHECK(jhr::image_width(other) == 56);
}

TEST_CASE("face_model loads a joint checkpoint and embeds faces with their flips") {
    jhr::test::temp_dir dir("face_model_joint");
    const jhr::model_config c = tiny(jhr::setting::joint);
    auto net = jhr::make_joint_model<jhr::reference>(c.model);
    save(dir.path, net, c);
    auto model = jhr::face_model<jhr::reference>::load(dir.path);
    CHECK(model.can_embed());
    CHECK(model.can_hallucinate());
    const jhr::image face = gradient_face(64, 56);
    const Eigen::MatrixXd f = model.embed({face, jhr::flip_horizontal(face)}, jhr::test_input::lr);
    REQUIRE(f.rows() == 2);
    REQUIRE(f.cols() == 12);
    // The flipped face's descriptor is the face's with its halves swapped.
    CHECK((f.row(1).head(6) - f.row(0).tail(6)).norm() < 1e-5 * (1 + f.norm()));
    const auto sr = model.hallucinate({face});
    CHECK(jhr::image_height(sr[0]) == 56);
    CHECK(jhr::image_width(sr[0]) == 48);
    CHECK_THROWS_AS(model.embed({gradient_face(60, 56)}, jhr::test_input::lr), jhr::shape_error);
    CHECK_THROWS_AS(model.embed({face}, jhr::test_input::hallucinated), jhr::error);
}

TEST_CASE("face_model refuses what a setting cannot do, and checkpoints without a config") {
    jhr::test::temp_dir dir("face_model_frnet");
    const jhr::model_config c = tiny(jhr::setting::hr);
    auto net = jhr::make_frnet_model<jhr::reference>(c.model);
    save(dir.path / "hr", net, c);
    auto model = jhr::face_model<jhr::reference>::load(dir.path / "hr");
    CHECK(model.embed({gradient_face(64, 56)}, jhr::test_input::hr).cols() == 12);
    CHECK_FALSE(model.can_hallucinate());
    CHECK_THROWS_WITH_AS(model.hallucinate({gradient_face(64, 56)}), doctest::Contains("has no SRNET"),
                         jhr::error);

    jhr::checkpoint bare;
    bare.weights = jhr::collect_weights<jhr::reference>(net);
    jhr::save_checkpoint(dir.path / "bare", bare);
    CHECK_THROWS_WITH_AS(jhr::face_model<jhr::reference>::load(dir.path / "bare"),
                         doctest::Contains("carries no model config"), jhr::protocol_error);
    CHECK_THROWS_WITH_AS(jhr::face_model<jhr::reference>::load(dir.path / "absent"),
                         doctest::Contains("checkpoint directory not found"), jhr::io_error);

    jhr::model_config wrong = c;
    wrong.model.frnet.features = 7;
    jhr::checkpoint mismatched;
    mismatched.weights = bare.weights;
    mismatched.config = {{jhr::model_config_key, jhr::to_json(wrong)}};
    jhr::save_checkpoint(dir.path / "mismatched", mismatched);
    CHECK_THROWS_AS(jhr::face_model<jhr::reference>::load(dir.path / "mismatched"), jhr::shape_error);
}
