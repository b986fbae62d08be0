#include "jhr/data/alignment.hpp"
#include "jhr/data/loader.hpp"

#include "support/lfw_dir.hpp"

#include <doctest/doctest.h>

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xview.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>

namespace {

jhr::data::synthetic_source small_source() {
    return {jhr::data::synthetic_faces(5, {.height = 32, .width = 28}), 5, 3};
}

std::vector<jhr::data::face_batch> epoch(jhr::data::batch_loader<jhr::data::synthetic_source>& loader,
                                         std::uint64_t e) {
    loader.start_epoch(e);
    std::vector<jhr::data::face_batch> out;
    while (auto b = loader.next()) out.push_back(std::move(*b));
    return out;
}

// Loads that wait (up to 2 s) until `wanted` of them are in flight at once, and count the most seen.
struct gated_source {
    struct gate {
        std::mutex mutex;
        std::condition_variable cv;
        int in_flight = 0, most = 0, wanted = 0;
    };
    std::shared_ptr<gate> g;
    std::size_t size() const { return 4; }
    jhr::data::face_sample load(std::size_t i) const {
        std::unique_lock lock(g->mutex);
        g->most = std::max(g->most, ++g->in_flight);
        g->cv.notify_all();
        g->cv.wait_for(lock, std::chrono::seconds(2), [&] { return g->most >= g->wanted; });
        --g->in_flight;
        return {jhr::make_image(8, 8), std::int32_t(i)};
    }
};

// Fails its first load of sample 0, then renders every sample.
struct flaky_source {
    std::shared_ptr<std::atomic<bool>> failed = std::make_shared<std::atomic<bool>>(false);
    jhr::data::synthetic_source faces = small_source();
    std::size_t size() const { return faces.size(); }
    jhr::data::face_sample load(std::size_t i) const {
        if (i == 0 && !failed->exchange(true)) throw jhr::io_error("flaky_source: first load of sample 0");
        return faces.load(i);
    }
};

} // namespace

TEST_CASE("to_nchw normalises and transposes") {
    jhr::image img = jhr::make_image(2, 3);
    img(1, 2, 0) = 255.0f;
    const auto t = jhr::data::to_nchw({img, img});
    CHECK(t.shape(0) == 2);
    CHECK(t.shape(1) == 3);
    CHECK(t.shape(2) == 2);
    CHECK(t.shape(3) == 3);
    CHECK(t(1, 0, 1, 2) == doctest::Approx(127.5 / 128));
    CHECK(t(1, 1, 1, 2) == doctest::Approx(-127.5 / 128));
    CHECK_THROWS_AS(jhr::data::to_nchw({img, jhr::make_image(3, 3)}), jhr::shape_error);
}

TEST_CASE("batches: shapes, every sample once per epoch, LR is the degraded HR") {
    jhr::data::batch_loader loader(small_source(), {.batch_size = 4, .seed = 1, .flip = false, .workers = 3});
    CHECK(loader.batches_per_epoch() == 4);
    const auto batches = epoch(loader, 0);
    REQUIRE(batches.size() == 4);
    CHECK(batches[0].lr.shape(0) == 4);
    CHECK(batches[0].hr.shape(1) == 3);
    CHECK(batches[0].hr.shape(2) == 32);
    CHECK(batches[3].labels.size() == 3);
    std::multiset<int> labels;
    for (const auto& b : batches) labels.insert(b.labels.begin(), b.labels.end());
    for (int id = 0; id < 5; ++id) CHECK(labels.count(id) == 3);
    // without flips the HR image of the first sample is one of the source faces, and lr = degrade(hr)
    const auto& b = batches[0];
    const jhr::image hr = jhr::denormalise(xt::transpose(xt::view(b.hr, 0), {1, 2, 0}));
    const jhr::image lr = jhr::degrade(hr, 4, true);
    for (int y = 0; y < 32; y += 5)
        for (int x = 0; x < 28; x += 5)
            CHECK(b.lr(0, 1, y, x) == doctest::Approx((lr(y, x, 1) - 127.5) / 128).epsilon(1e-4));
}

TEST_CASE("same seed gives the same batches for any worker count; epochs and seeds differ") {
    jhr::data::batch_loader one(small_source(), {.batch_size = 4, .seed = 9, .workers = 1, .prefetch = 1});
    jhr::data::batch_loader four(small_source(), {.batch_size = 4, .seed = 9, .cache = true, .workers = 4});
    const auto a = epoch(one, 2), b = epoch(four, 2);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].labels == b[i].labels);
        CHECK(a[i].lr == b[i].lr);
        CHECK(a[i].hr == b[i].hr);
    }
    CHECK(epoch(four, 2)[1].hr == b[1].hr); // cached second pass
    const auto c = epoch(one, 3);
    bool differs = false;
    for (std::size_t i = 0; i < a.size(); ++i) differs |= a[i].labels != c[i].labels || a[i].hr != c[i].hr;
    CHECK(differs);
}

TEST_CASE("every worker builds a batch at once, even where prefetch is smaller") {
    const auto g = std::make_shared<gated_source::gate>();
    g->wanted = 4;
    jhr::data::batch_loader loader(gated_source{g}, {.batch_size = 1, .workers = 4, .prefetch = 1});
    int samples = 0;
    while (auto b = loader.next()) samples += int(b->labels.size());
    CHECK(samples == 4);
    CHECK(g->most == 4);
}

TEST_CASE("a cached sample whose load failed is loaded again, not cached empty") {
    jhr::data::batch_loader loader(flaky_source{},
                                   {.batch_size = 15, .shuffle = false, .flip = false, .cache = true});
    CHECK_THROWS_WITH_AS(loader.next(), doctest::Contains("first load"), jhr::io_error);
    loader.start_epoch(1);
    const auto retried = loader.next();
    REQUIRE(retried.has_value());
    jhr::data::batch_loader plain(small_source(), {.batch_size = 15, .shuffle = false, .flip = false});
    CHECK(retried->hr == plain.next()->hr);
}

TEST_CASE("hr_border cuts the HR faces in the loader; a border the faces cannot lose is an error") {
    jhr::data::batch_loader too_wide(small_source(), {.batch_size = 4, .hr_border = 14});
    CHECK_THROWS_WITH_AS(too_wide.next(), doctest::Contains("cannot cut 14 px"), jhr::shape_error);
    CHECK_THROWS_AS(jhr::data::batch_loader(small_source(), {.hr_border = -1}), jhr::shape_error);
}

TEST_CASE("flip augmentation flips some samples, never changes labels") {
    jhr::data::batch_loader plain(small_source(),
                                  {.batch_size = 15, .seed = 4, .shuffle = false, .flip = false});
    jhr::data::batch_loader flipped(small_source(),
                                    {.batch_size = 15, .seed = 4, .shuffle = false, .flip = true});
    const auto p = *plain.next(), f = *flipped.next();
    CHECK(p.labels == f.labels);
    int flips = 0;
    for (std::size_t n = 0; n < 15; ++n) {
        const bool same = xt::view(p.hr, n) == xt::view(f.hr, n);
        const bool mirrored = xt::view(p.hr, n) == xt::flip(xt::view(f.hr, n), 2);
        CHECK((same || mirrored));
        flips += !same;
    }
    CHECK(flips > 0);
    CHECK(flips < 15);
}

TEST_CASE("a failing sample is rethrown from next()") {
    const auto dir = scratch_dir("loader");
    std::ofstream(dir / "bad.jpg") << "not an image";
    jhr::data::file_source files({{dir / "bad.jpg", 0}},
                                 [](const jhr::image& img, const auto&) { return img; });
    jhr::data::batch_loader loader(std::move(files), {.batch_size = 1});
    CHECK_THROWS_WITH_AS(loader.next(), doctest::Contains("bad.jpg"), jhr::io_error);
    CHECK_FALSE(loader.next().has_value());
}

TEST_CASE("file source over LFW deep-funneled images with the fixed crop") {
    const auto root = lfw_dir();
    if (root.empty()) {
        MESSAGE("skipped: LFW data not found (set JHR_LFW_DIR)");
        return;
    }
    const auto dir = root / "images_deepfunneled";
    std::vector<jhr::data::labelled_path> samples = {{dir / "Aaron_Eckhart" / "Aaron_Eckhart_0001.jpg", 0},
                                                     {dir / "Aaron_Guiel" / "Aaron_Guiel_0001.jpg", 1}};
    jhr::data::file_source files(samples, [](const jhr::image& img, const auto&) {
        return jhr::center_crop(img, jhr::lfw_deep_funneled_box);
    });
    jhr::data::batch_loader loader(std::move(files), {.batch_size = 2, .seed = 3});
    const auto b = *loader.next();
    CHECK(b.lr.shape(0) == 2);
    CHECK(b.lr.shape(2) == 124);
    CHECK(b.lr.shape(3) == 108);
}
