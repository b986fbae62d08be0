// jhr/data/loader.hpp: sample sources and a prefetching, deterministic batch loader.
//
// A sample_source is any type with `std::size_t size() const` and `face_sample load(std::size_t) const`
// returning an HR face (HxWx3, 0..255) and its label; load must be safe to call from several threads.
// Provided: file_source (labelled image files + a preprocessing function such as a centre crop or
// landmark alignment) and synthetic_source (identities x images_per_identity synthetic faces).
//
// batch_loader<Source> yields batches of `batch_size` samples (the last batch of an epoch may be
// smaller) with
//   lr:     degrade(hr, scale, upscale = true), normalised, NCHW (the SR network input),
//   hr:     the HR face less `hr_border` pixels on each side (SRNET's border: the SR target, cut
//           here by the workers rather than on the training thread), normalised, NCHW,
//   labels: one int32 per sample.
// Order: a Fisher-Yates permutation drawn from (seed, epoch) when shuffle is on, else index order.
// Each sample is flipped horizontally with probability 0.5 from a hash of (seed, epoch, position),
// so batches are identical for any worker count. Workers (std::thread) build up to `prefetch`
// batches ahead of the consumer (at least one per worker, so every worker can be busy). With
// `cache`, HR faces are kept after their first load (memory: size() x H x W x 3 floats), and reading
// one takes no lock. An exception in a worker is rethrown by next() for that batch.
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/core/tensor.hpp"
#include "jhr/data/file_dataset.hpp"
#include "jhr/data/resize.hpp"
#include "jhr/data/synthetic_faces.hpp"
#include "jhr/io/image.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <concepts>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace jhr::data {

struct face_sample {
    image hr;
    std::int32_t label = 0;
};

template <typename Source>
concept sample_source = requires(const Source& s, std::size_t i) {
    { s.size() } -> std::convertible_to<std::size_t>;
    { s.load(i) } -> std::same_as<face_sample>;
};

// Labelled files, each read and passed through `preprocess` (for instance a centre crop or alignment).
class file_source {
public:
    using preprocess_fn = std::function<image(const image&, const labelled_path&)>;
    file_source(std::vector<labelled_path> samples, preprocess_fn preprocess)
        : samples_(std::move(samples)), preprocess_(std::move(preprocess)) {}
    std::size_t size() const { return samples_.size(); }
    face_sample load(std::size_t i) const {
        const labelled_path& s = samples_.at(i);
        return {preprocess_(read_image(s.path), s), s.label};
    }

private:
    std::vector<labelled_path> samples_;
    preprocess_fn preprocess_;
};

// Sample i is image i % images_per_identity of identity i / images_per_identity.
class synthetic_source {
public:
    synthetic_source(synthetic_faces faces, std::size_t identities, std::size_t images_per_identity)
        : faces_(std::move(faces)), identities_(identities), per_identity_(images_per_identity) {}
    std::size_t size() const { return identities_ * per_identity_; }
    face_sample load(std::size_t i) const {
        if (i >= size())
            throw shape_error("synthetic_source: index " + std::to_string(i) +
                              " >= " + std::to_string(size()));
        return {faces_.render(std::int64_t(i / per_identity_), std::int64_t(i % per_identity_)),
                std::int32_t(i / per_identity_)};
    }

private:
    synthetic_faces faces_;
    std::size_t identities_, per_identity_;
};

struct loader_options {
    std::size_t batch_size = 32;
    int scale = 4; // down-sampling factor of the LR face
    std::uint64_t seed = 0;
    bool shuffle = true;
    bool flip = true;   // horizontal flip with probability 0.5
    bool cache = false; // keep decoded HR faces in memory
    int workers = 2;
    std::size_t prefetch = 4; // batches built ahead of the consumer; raised to `workers` if fewer
    int hr_border = 0;        // pixels cut from each side of the HR face in face_batch::hr
};

struct face_batch {
    host_tensor lr;
    host_tensor hr;
    std::vector<std::int32_t> labels;
    int hr_border = 0; // pixels already cut from each side of hr
};

// HxWxC images (all the same size) -> NCHW batch, normalised.
host_tensor to_nchw(const std::vector<image>& images);
// Writes img less `border` pixels on each side, normalised, as sample n of the NCHW batch; throws
// shape_error if that size differs from the batch's.
void write_nchw(const image& img, host_tensor& batch, std::size_t n, std::size_t border = 0);

template <sample_source Source>
class batch_loader {
public:
    batch_loader(Source source, loader_options options);
    ~batch_loader() { stop(); }
    batch_loader(const batch_loader&) = delete;
    batch_loader& operator=(const batch_loader&) = delete;

    std::size_t batches_per_epoch() const {
        return (source_.size() + options_.batch_size - 1) / options_.batch_size;
    }
    // Starts (or restarts) an epoch; cancels any batches still being prepared.
    void start_epoch(std::uint64_t epoch);
    // The next batch of the current epoch, or nullopt when the epoch is exhausted.
    std::optional<face_batch> next();
    const Source& source() const { return source_; }

private:
    face_batch build(std::size_t batch) const;
    const face_sample& cached_load(std::size_t index) const;
    void worker_loop();
    void stop();

    Source source_;
    loader_options options_;
    std::uint64_t epoch_ = 0;
    std::vector<std::size_t> order_;
    // One slot per sample, filled at its first load under one of the striped locks (a throwing
    // load leaves it to the next); once `loaded`, read without a lock.
    struct cache_slot {
        std::atomic<bool> loaded{false};
        face_sample sample;
    };
    mutable std::unique_ptr<cache_slot[]> cache_;
    mutable std::array<std::mutex, 64> cache_locks_;

    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::thread> workers_;
    std::map<std::size_t, std::pair<std::optional<face_batch>, std::exception_ptr>> ready_;
    std::size_t next_to_build_ = 0, next_to_yield_ = 0;
    bool stopping_ = false;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

inline void write_nchw(const image& img, host_tensor& batch, std::size_t n, std::size_t border) {
    const std::size_t c = batch.shape(1), h = batch.shape(2), w = batch.shape(3);
    const std::size_t full_h = h + 2 * border, full_w = w + 2 * border;
    if (img.shape(0) != full_h || img.shape(1) != full_w || img.shape(2) != c)
        throw shape_error("to_nchw: image " + std::to_string(n) + " is " + std::to_string(img.shape(0)) +
                          "x" + std::to_string(img.shape(1)) + "x" + std::to_string(img.shape(2)) +
                          ", image 0 is " + std::to_string(full_h) + "x" + std::to_string(full_w) + "x" +
                          std::to_string(c));
    float* dst = batch.data() + n * c * h * w;
    for (std::size_t ch = 0; ch < c; ++ch)
        for (std::size_t y = 0; y < h; ++y) {
            const float* src = img.data() + ((y + border) * full_w + border) * c + ch;
            for (std::size_t x = 0; x < w; ++x) *dst++ = (src[x * c] - pixel_mean) / pixel_scale;
        }
}

inline host_tensor to_nchw(const std::vector<image>& images) {
    if (images.empty()) return host_tensor::from_shape({0, 3, 0, 0});
    host_tensor out =
        host_tensor::from_shape({images.size(), images[0].shape(2), images[0].shape(0), images[0].shape(1)});
    for (std::size_t n = 0; n < images.size(); ++n) write_nchw(images[n], out, n);
    return out;
}

template <sample_source Source>
batch_loader<Source>::batch_loader(Source source, loader_options options)
    : source_(std::move(source)), options_(options) {
    if (options_.batch_size == 0) throw shape_error("batch_loader: batch_size must be positive");
    if (options_.scale < 1)
        throw shape_error("batch_loader: scale must be >= 1, got " + std::to_string(options_.scale));
    if (options_.hr_border < 0)
        throw shape_error("batch_loader: hr_border must be >= 0, got " + std::to_string(options_.hr_border));
    if (options_.workers < 1) options_.workers = 1;
    options_.prefetch = std::max(options_.prefetch, std::size_t(options_.workers));
    if (options_.cache) cache_ = std::make_unique<cache_slot[]>(source_.size());
    start_epoch(0);
}

template <sample_source Source>
void batch_loader<Source>::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
}

template <sample_source Source>
void batch_loader<Source>::start_epoch(std::uint64_t epoch) {
    stop();
    epoch_ = epoch;
    order_.resize(source_.size());
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
    if (options_.shuffle) {
        seeded_random r(seeded_random::mix(options_.seed) ^ seeded_random::mix(epoch + 0x1234567ULL));
        for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[r.next() % i]);
    }
    ready_.clear();
    next_to_build_ = next_to_yield_ = 0;
    stopping_ = false;
    for (int w = 0; w < options_.workers; ++w) workers_.emplace_back([this] { worker_loop(); });
}

template <sample_source Source>
const face_sample& batch_loader<Source>::cached_load(std::size_t index) const {
    cache_slot& slot = cache_[index];
    if (slot.loaded.load(std::memory_order_acquire)) return slot.sample;
    std::lock_guard lock(cache_locks_[index % cache_locks_.size()]);
    if (!slot.loaded.load(std::memory_order_relaxed)) {
        slot.sample = source_.load(index);
        slot.loaded.store(true, std::memory_order_release);
    }
    return slot.sample;
}

template <sample_source Source>
face_batch batch_loader<Source>::build(std::size_t batch) const {
    const std::size_t begin = batch * options_.batch_size;
    const std::size_t end = std::min(begin + options_.batch_size, order_.size());
    const std::size_t border = std::size_t(options_.hr_border);
    face_batch out;
    for (std::size_t pos = begin; pos < end; ++pos) {
        const std::size_t index = order_[pos];
        std::optional<face_sample> loaded;
        const face_sample& s = options_.cache ? cached_load(index) : loaded.emplace(source_.load(index));
        bool flip = false;
        if (options_.flip) {
            const std::uint64_t h = seeded_random::mix(seeded_random::mix(options_.seed ^ 0xf1f1ULL) ^
                                                       seeded_random::mix(epoch_ * 1000003ULL + pos));
            flip = h & 1;
        }
        const image flipped = flip ? flip_horizontal(s.hr) : image();
        const image& hr = flip ? flipped : s.hr;
        if (pos == begin) {
            const std::size_t n = end - begin, h = hr.shape(0), w = hr.shape(1);
            if (2 * border >= h || 2 * border >= w)
                throw shape_error("batch_loader: cannot cut " + std::to_string(border) +
                                  " px per side from a " + std::to_string(h) + "x" + std::to_string(w) +
                                  " face");
            out.lr = host_tensor::from_shape({n, hr.shape(2), h, w});
            out.hr = host_tensor::from_shape({n, hr.shape(2), h - 2 * border, w - 2 * border});
            out.hr_border = options_.hr_border;
        }
        write_nchw(degrade(hr, options_.scale, true), out.lr, pos - begin);
        write_nchw(hr, out.hr, pos - begin, border);
        out.labels.push_back(s.label);
    }
    return out;
}

template <sample_source Source>
void batch_loader<Source>::worker_loop() {
    const std::size_t total = batches_per_epoch();
    while (true) {
        std::size_t batch;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [&] {
                return stopping_ ||
                       (next_to_build_ < total && next_to_build_ < next_to_yield_ + options_.prefetch);
            });
            if (stopping_) return;
            batch = next_to_build_++;
        }
        std::pair<std::optional<face_batch>, std::exception_ptr> result;
        try {
            result.first = build(batch);
        } catch (...) {
            result.second = std::current_exception();
        }
        {
            std::lock_guard lock(mutex_);
            ready_[batch] = std::move(result);
        }
        cv_.notify_all();
    }
}

template <sample_source Source>
std::optional<face_batch> batch_loader<Source>::next() {
    std::unique_lock lock(mutex_);
    if (next_to_yield_ >= batches_per_epoch()) return std::nullopt;
    cv_.wait(lock, [&] { return ready_.count(next_to_yield_) > 0; });
    auto node = ready_.extract(next_to_yield_);
    ++next_to_yield_;
    lock.unlock();
    cv_.notify_all();
    if (node.mapped().second) std::rethrow_exception(node.mapped().second);
    return std::move(node.mapped().first);
}

} // namespace jhr::data
