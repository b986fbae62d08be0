// jhr/backends/cuda/memory.hpp: buffers, transfers (uploads staged in page-locked memory and sent on a
// copy stream, landing in stream order) and the caching allocator's reuse.
#include "gpu.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <span>
#include <vector>

using jhr::testing::to_device;
using jhr::testing::to_host;

TEST_CASE("cuda upload, download and copy move exact bits, floats and labels" * jhr::testing::needs_gpu()) {
    const std::vector<float> values = {1.5f, -2.25f, 3e-30f, 7e30f, 0.0f, -0.0f, 1.0f / 3.0f};
    const auto device = to_device(values);
    CHECK(to_host(device) == values);

    jhr::cuda::buffer<float> copied(values.size());
    jhr::cuda::copy(values.size(), device.data(), copied.data());
    CHECK(to_host(copied) == values);

    const std::vector<std::int32_t> labels = {0, 10574, 7, -1, 2147483647};
    CHECK(to_host(to_device(labels)) == labels);
}

TEST_CASE("cuda uploads are staged: the host data may change at once, and uploads in a row all arrive" *
          jhr::testing::needs_gpu()) {
    // Twelve uploads with nothing in between that waits for the GPU: more than the eight staging
    // buffers, so later ones reuse buffers (smaller uploads in larger buffers, a buffer grown) and
    // must wait for the copies out of them first.
    const std::size_t sizes[] = {300000, 300000, 300000, 2000000, 5,       1000,
                                 1000,   1000,   1000,   1000,    3000000, 7};
    std::vector<jhr::cuda::buffer<float>> device;
    std::vector<std::vector<float>> sent;
    std::vector<float> host;
    for (std::size_t k = 0; k < std::size(sizes); ++k) {
        host.assign(sizes[k], 0.0f);
        for (std::size_t i = 0; i < host.size(); ++i) host[i] = float(k * 7 + i % 1000);
        device.emplace_back(host.size());
        jhr::cuda::upload(std::span<const float>(host), device.back().data());
        sent.push_back(host);
        std::fill(host.begin(), host.end(), -1.0f); // reused at once
    }
    for (std::size_t k = 0; k < std::size(sizes); ++k) {
        CAPTURE(k);
        CHECK(to_host(device[k]) == sent[k]);
    }
    // A kernel right after an upload reads the uploaded data (and no launch check sees a stale
    // status of the staging's event queries).
    const std::vector<float> ones(4096, 1.0f);
    jhr::cuda::buffer<float> summed(ones.size());
    jhr::cuda::upload(std::span<const float>(ones), summed.data());
    jhr::cuda::upload(std::span<const float>(ones), summed.data());
    CHECK(jhr::cuda::sum(ones.size(), summed.data()) == 4096.0);
}

TEST_CASE("cuda uploads land in stream order: kernels queued before an upload read the old data, kernels "
          "after it the new" *
          jhr::testing::needs_gpu()) {
    // The transfer runs on a stream of its own, ahead of the queued kernels; the destination must
    // still be written only after them. 200 additions of x (ones) into y are queued, then twos are
    // uploaded into x and one more addition queued: y = 200 + 2 everywhere.
    const std::size_t n = std::size_t(1) << 22;
    auto x = to_device(std::vector<float>(n, 1.0f));
    jhr::cuda::buffer<float> y(n);
    jhr::cuda::fill(n, 0.0f, y.data());
    for (int i = 0; i < 200; ++i) jhr::cuda::axpy(n, 1.0f, x.data(), y.data());
    const std::vector<float> twos(n, 2.0f);
    jhr::cuda::upload(std::span<const float>(twos), x.data());
    jhr::cuda::axpy(n, 1.0f, x.data(), y.data());
    CHECK(to_host(y) == std::vector<float>(n, 202.0f));
}

TEST_CASE("cuda buffers copy deeply and move without copying" * jhr::testing::needs_gpu()) {
    const std::vector<float> values = {1, 2, 3, 4, 5};
    auto original = to_device(values);
    jhr::cuda::buffer<float> copy(original);
    CHECK(copy.data() != original.data());
    jhr::cuda::fill(values.size(), -1.0f, original.data());
    CHECK(to_host(copy) == values);

    const float* address = copy.data();
    jhr::cuda::buffer<float> moved(std::move(copy));
    CHECK(moved.data() == address);
    CHECK(copy.data() == nullptr);
    jhr::cuda::buffer<float> assigned;
    assigned = std::move(moved);
    CHECK(assigned.data() == address);
    CHECK(to_host(assigned) == values);
}

TEST_CASE("the caching allocator reuses freed blocks of the same size bucket" * jhr::testing::needs_gpu()) {
    jhr::cuda::release_cached_memory();
    jhr::cuda::reset_allocator_statistics();
    const std::size_t in_use_before = jhr::cuda::allocator_statistics().bytes_in_use; // other tests' state
    const void* first = nullptr;
    {
        jhr::cuda::buffer<float> a(1000); // 4000 bytes: the 4096-byte bucket
        first = a.data();
        const auto stats = jhr::cuda::allocator_statistics();
        CHECK(stats.allocations == 1);
        CHECK(stats.reuses == 0);
        CHECK(stats.bytes_in_use == in_use_before + 4096);
        CHECK(stats.peak_bytes_in_use == in_use_before + 4096);
    }
    CHECK(jhr::cuda::allocator_statistics().bytes_cached >= 4096);
    {
        jhr::cuda::buffer<float> b(1020); // 4080 bytes: same bucket, same block
        CHECK(b.data() == first);
        jhr::cuda::buffer<float> c(1000); // the bucket's only block is taken: a new one
        CHECK(c.data() != first);
    }
    auto stats = jhr::cuda::allocator_statistics();
    CHECK(stats.allocations == 2);
    CHECK(stats.reuses == 1);
    CHECK(stats.bytes_in_use == in_use_before);
    CHECK(stats.peak_bytes_in_use == in_use_before + 2 * 4096); // b and c at once

    // A repeated step (same sizes) is served from the cache alone.
    jhr::cuda::reset_allocator_statistics();
    for (int step = 0; step < 3; ++step) {
        jhr::cuda::buffer<float> x(1000), y(1000), large((std::size_t(3) << 20) / 4 + 5);
        jhr::cuda::fill(1000, 1.0f, x.data());
        CHECK(jhr::cuda::sum(1000, x.data()) == 1000.0); // sum's scratch also comes from the cache
    }
    stats = jhr::cuda::allocator_statistics();
    INFO("allocations " << stats.allocations << ", reuses " << stats.reuses);
    CHECK(stats.allocations <= 2); // the large block and the reduction scratch, once each
    CHECK(stats.reuses >= 3 * 4 - 2);

    jhr::cuda::release_cached_memory();
    CHECK(jhr::cuda::allocator_statistics().bytes_cached == 0);
    CHECK(jhr::cuda::allocator_statistics().bytes_in_use == in_use_before);
}
