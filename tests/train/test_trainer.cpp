#include "support/backends.hpp"
#include "train/support.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <memory>
#include <thread>

namespace {
template <class B>
jhr::trainer_options tiny_options(std::int64_t iterations) {
    jhr::trainer_options o;
    o.iterations = iterations;
    o.learning_rates = {{"srnet", 1e-5f}, {"frnet", 0.05f}};
    o.progress = nullptr;
    o.seed = 5;
    return o;
}
// tiny_faces, each load taking 50 ms more: a loader that cannot keep up with the training step.
struct slow_faces {
    jhr::data::synthetic_source faces = jhr::testing::tiny_faces(4, 4);
    std::size_t size() const { return faces.size(); }
    jhr::data::face_sample load(std::size_t i) const {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return faces.load(i);
    }
};
} // namespace

TEST_CASE_TEMPLATE("trainer: the time spent waiting for a slow loader is reported", B, jhr::reference) {
    auto net = jhr::make_joint_model<B>(jhr::testing::tiny_joint_options(4));
    auto lo = jhr::testing::tiny_loader_options(4);
    lo.cache = false;
    jhr::data::batch_loader loader(slow_faces{}, lo);
    jhr::trainer<B, decltype(net)> t(net, tiny_options<B>(3));
    t.start();
    jhr::input_preparer<B> prepare(jhr::setting::joint, 1);
    const auto report = t.run(loader, 4, prepare);
    // Three batches of four 50 ms loads from one worker: 0.6 s of loading, a few ms of training.
    INFO("waited " << report.data_wait_seconds << " s of " << report.seconds << " s");
    CHECK(report.data_wait_seconds > 0.3);
    CHECK(report.input_copy_seconds > 0);
    CHECK(report.data_wait_seconds + report.input_copy_seconds <= report.seconds);
}

TEST_CASE_TEMPLATE("input_preparer: HR faces cut by the loader give the tensors cut here", B,
                   jhr::reference) {
    auto lo = jhr::testing::tiny_loader_options(4);
    jhr::data::batch_loader whole(jhr::testing::tiny_faces(2, 2), lo);
    lo.hr_border = 3;
    jhr::data::batch_loader cut(jhr::testing::tiny_faces(2, 2), lo);
    const auto a = *whole.next(), b = *cut.next();
    CHECK(b.hr_border == 3);
    CHECK(b.hr.shape(2) == a.hr.shape(2) - 6);
    CHECK(b.lr == a.lr);
    for (auto s : {jhr::setting::joint, jhr::setting::hr}) {
        CAPTURE(jhr::to_string(s));
        jhr::input_preparer<B> prepare(s, 3);
        jhr::tensor<B> input_a, target_a, input_b, target_b;
        prepare(a, input_a, target_a);
        prepare(b, input_b, target_b);
        CHECK(input_b.to_host() == input_a.to_host());
        if (s == jhr::setting::joint) CHECK(target_b.to_host() == target_a.to_host());
    }
    jhr::input_preparer<B> narrower(jhr::setting::joint, 2); // the loader cut more than this border
    jhr::tensor<B> input, target;
    CHECK_THROWS_WITH_AS(narrower(b, input, target), doctest::Contains("lost 3 px"), jhr::shape_error);
}

JHR_TYPED_TEST("trainer: joint training on synthetic faces lowers both loss terms", B) {
    auto net = jhr::make_joint_model<B>(jhr::testing::tiny_joint_options(4));
    jhr::data::batch_loader loader(jhr::testing::tiny_faces(4, 8), jhr::testing::tiny_loader_options(8));
    jhr::trainer<B, decltype(net)> t(net, tiny_options<B>(60));
    t.start();
    jhr::input_preparer<B> prepare(jhr::setting::joint, 1);
    const auto report = t.run(loader, 8, prepare);
    REQUIRE(report.losses.size() == 60);
    auto mean = [&](std::size_t from, std::size_t k) {
        double s = 0;
        for (std::size_t i = from; i < from + 10; ++i) s += report.losses[i][k];
        return s / 10;
    };
    INFO("pixel " << mean(0, 0) << " -> " << mean(50, 0) << ", softmax " << mean(0, 1) << " -> "
                  << mean(50, 1));
    CHECK(mean(50, 0) < 0.7 * mean(0, 0));
    CHECK(mean(50, 1) < 0.9 * mean(0, 1));
}

TEST_CASE_TEMPLATE("trainer: a resumed run repeats the uninterrupted one bit for bit", B, jhr::reference) {
    auto run = [](std::int64_t stop_at, bool resume, const std::filesystem::path& dir) {
        auto net = jhr::make_joint_model<B>(jhr::testing::tiny_joint_options(4));
        jhr::data::batch_loader loader(jhr::testing::tiny_faces(4, 4), jhr::testing::tiny_loader_options(4));
        auto o = tiny_options<B>(stop_at);
        o.milestones = {3, 5}; // the schedule crosses a step inside the resumed part
        o.checkpoint_dir = dir;
        o.resume = resume;
        jhr::trainer<B, decltype(net)> t(net, o);
        t.start();
        jhr::input_preparer<B> prepare(jhr::setting::joint, 1);
        return t.run(loader, 4, prepare).losses;
    };
    const auto dir = jhr::testing::fresh_dir("resume");
    const auto whole = run(7, false, dir / "whole");
    const auto first = run(3, false, dir / "split"); // 4 faces per batch, 4 batches per epoch:
    const auto second = run(7, true, dir / "split"); // the resume lands inside epoch 0
    REQUIRE(first.size() == 3);
    REQUIRE(second.size() == 4);
    for (std::size_t i = 0; i < 3; ++i) CHECK(first[i] == whole[i]);
    for (std::size_t i = 0; i < 4; ++i) CHECK(second[i] == whole[3 + i]);
    std::filesystem::remove_all(dir);
}

TEST_CASE_TEMPLATE("trainer: a diverging run stops with a diagnostic and keeps the last checkpoint", B,
                   jhr::reference) {
    const auto dir = jhr::testing::fresh_dir("diverge");
    auto net = jhr::make_joint_model<B>(jhr::testing::tiny_joint_options(4));
    jhr::data::batch_loader loader(jhr::testing::tiny_faces(4, 4), jhr::testing::tiny_loader_options(4));
    auto o = tiny_options<B>(40);
    o.learning_rates = {{"srnet", 1e4f}, {"frnet", 1e4f}};
    o.checkpoint_dir = dir;
    o.checkpoint_every = 1;
    jhr::trainer<B, decltype(net)> t(net, o);
    t.start();
    jhr::input_preparer<B> prepare(jhr::setting::joint, 1);
    CHECK_THROWS_WITH_AS(t.run(loader, 4, prepare), doctest::Contains("diverged"), jhr::training_diverged);
    const auto last_good = jhr::load_latest_checkpoint(dir, std::cerr);
    CHECK(last_good.iteration == t.iteration());
    for (const auto& w : last_good.weights)
        for (float v : w.values) REQUIRE(std::isfinite(v));
    std::filesystem::remove_all(dir);
}

TEST_CASE_TEMPLATE("trainer: a checkpoint with a non-finite parameter is refused, not written", B,
                   jhr::reference) {
    const auto dir = jhr::testing::fresh_dir("nonfinite");
    auto net = jhr::make_joint_model<B>(jhr::testing::tiny_joint_options(4));
    auto o = tiny_options<B>(1);
    o.checkpoint_dir = dir;
    jhr::trainer<B, decltype(net)> t(net, o);
    t.start();
    bool poisoned = false;
    net.for_each_parameter([&](std::string_view, jhr::parameter<B>& p) {
        if (!poisoned) p.value.fill(std::numeric_limits<float>::infinity());
        poisoned = true;
    });
    CHECK_THROWS_WITH_AS(t.save(), doctest::Contains("is not finite"), jhr::training_diverged);
    CHECK((!std::filesystem::exists(dir) || std::filesystem::is_empty(dir)));
    std::filesystem::remove_all(dir);
}

JHR_TYPED_TEST("trainer: FRNET-only and SRNET-only settings train their cascades", B) {
    const auto options = jhr::testing::tiny_joint_options(4);
    jhr::data::batch_loader loader(jhr::testing::tiny_faces(4, 4), jhr::testing::tiny_loader_options(4));
    auto sr = jhr::make_srnet_model<B>(options);
    jhr::trainer<B, decltype(sr)> sr_trainer(sr, tiny_options<B>(8));
    sr_trainer.start();
    jhr::input_preparer<B> sr_input(jhr::setting::srnet, 1);
    CHECK(sr_trainer.run(loader, 4, sr_input).losses.size() == 8);

    // Setting 5: FRNET on the fixed SRNET's output.
    auto fr = jhr::make_frnet_model<B>(options);
    jhr::trainer<B, decltype(fr)> fr_trainer(fr, tiny_options<B>(4));
    fr_trainer.start();
    jhr::input_preparer<B> hallucinated(jhr::setting::hallucinated, 1, &sr.template stage<0>());
    const auto report = fr_trainer.run(loader, 4, hallucinated);
    CHECK(report.names == std::vector<std::string>{"softmax", "center"});
    CHECK_THROWS_AS(jhr::input_preparer<B>(jhr::setting::hallucinated, 1), jhr::error);
}

TEST_CASE_TEMPLATE("trainer: checkpoints record the hyper-parameters", B, jhr::reference) {
    const auto dir = jhr::testing::fresh_dir("config");
    auto net = jhr::make_srnet_model<B>(jhr::testing::tiny_joint_options(4));
    jhr::data::batch_loader loader(jhr::testing::tiny_faces(4, 2), jhr::testing::tiny_loader_options(4));
    auto o = tiny_options<B>(2);
    o.checkpoint_dir = dir;
    o.config = {{"data", "synthetic"}};
    jhr::trainer<B, decltype(net)> t(net, o);
    t.start();
    jhr::input_preparer<B> prepare(jhr::setting::srnet, 1);
    t.run(loader, 4, prepare);
    const auto c = jhr::load_latest_checkpoint(dir, std::cerr);
    CHECK(c.iteration == 2);
    CHECK(c.config.at("data") == "synthetic");
    CHECK(c.config.at("trainer").at("seed") == 5);
    CHECK(c.config.at("trainer").at("learning_rates").at("srnet") == doctest::Approx(1e-5));
    std::filesystem::remove_all(dir);
}

TEST_CASE_TEMPLATE("trainer: the graph option needs a backend that captures graphs", B,
                   JHR_HOST_TEST_BACKENDS) {
    auto net = jhr::make_joint_model<B>(jhr::testing::tiny_joint_options(4));
    auto o = tiny_options<B>(3);
    o.graph = true;
    using trainer = jhr::trainer<B, decltype(net)>;
    CHECK_THROWS_WITH_AS(trainer(net, o), doctest::Contains("captures graphs (cuda)"), jhr::error);
}

#if defined(JHR_HAVE_CUDA)
// Deterministic convolutions, so that the two runs may be compared bit for bit on a GPU too; at fp32
// and at bf16, whose convolutions also capture their conversions and scratch copies.
TEST_CASE("trainer: steps replayed from a CUDA graph equal steps run as they are, across schedule "
          "steps, at fp32 and bf16<jhr::cuda>" *
          doctest::skip(!jhr::cuda::available())) {
    using B = jhr::cuda;
    const bool was_deterministic = B::deterministic();
    B::set_deterministic(true);
    auto run = [](bool graph) {
        auto net = jhr::make_joint_model<B>(jhr::testing::tiny_joint_options(4));
        jhr::data::batch_loader loader(jhr::testing::tiny_faces(4, 4), jhr::testing::tiny_loader_options(4));
        auto o = tiny_options<B>(7);
        o.milestones = {3, 5};
        o.graph = graph;
        jhr::trainer<B, decltype(net)> t(net, o);
        t.start();
        jhr::input_preparer<B> prepare(jhr::setting::joint, 1);
        const auto report = t.run(loader, 4, prepare);
        return std::pair(report, jhr::collect_weights<B>(net));
    };
    for (const jhr::precision p : {jhr::precision::fp32, jhr::precision::bf16}) {
        CAPTURE(jhr::name(p));
        const jhr::precision_scope<B> at(p);
        const auto [eager, eager_weights] = run(false);
        const auto [replayed, replayed_weights] = run(true);
        CHECK(eager.replayed_iterations == 0);
        CHECK(replayed.replayed_iterations == 4); // iterations 0, 3 and 5 (a new factor each) run as they are
        CHECK(replayed.losses == eager.losses);
        REQUIRE(replayed_weights.size() == eager_weights.size());
        for (std::size_t k = 0; k < eager_weights.size(); ++k) {
            CAPTURE(eager_weights[k].name);
            CHECK(replayed_weights[k].values == eager_weights[k].values);
        }
    }
    B::set_deterministic(was_deterministic);
}

namespace {
// tiny_faces(4, 4) whose sample `bad` has label 9: outside a 4-class model.
struct relabelled_faces {
    jhr::data::synthetic_source faces = jhr::testing::tiny_faces(4, 4);
    std::size_t bad = 0;
    std::size_t size() const { return faces.size(); }
    jhr::data::face_sample load(std::size_t i) const {
        jhr::data::face_sample s = faces.load(i);
        if (i == bad) s.label = 9;
        return s;
    }
};
} // namespace

TEST_CASE("trainer: a replayed step's labels are checked too: one out of range is an error<jhr::cuda>" *
          doctest::skip(!jhr::cuda::available())) {
    using B = jhr::cuda;
    auto net = jhr::make_joint_model<B>(jhr::testing::tiny_joint_options(4));
    jhr::data::batch_loader loader(relabelled_faces{.bad = 0}, jhr::testing::tiny_loader_options(4));
    auto o = tiny_options<B>(4);
    o.graph = true;
    jhr::trainer<B, decltype(net)> t(net, o);
    t.start();
    jhr::input_preparer<B> prepare(jhr::setting::joint, 1);
    CHECK_THROWS_WITH_AS(t.run(loader, 4, prepare), doctest::Contains("label 9 of sample"), jhr::shape_error);
    // Iteration 0 runs as is and is captured, later ones replay: the bad batch was a replay's.
    CHECK(t.iteration() >= 1);
}
#endif
