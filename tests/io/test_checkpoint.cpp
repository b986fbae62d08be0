#include "jhr/io/checkpoint.hpp"

#include "temp_dir.hpp"
#include "text.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

using jhr::test::contains;
using jhr::test::slurp;

jhr::named_array filled(const std::string& name, std::vector<std::int64_t> shape, float start) {
    jhr::named_array array{name, std::move(shape), {}};
    std::int64_t count = 1;
    for (const auto d : array.shape) count *= d;
    for (std::int64_t i = 0; i < count; ++i) array.values.push_back(start + 0.25f * float(i));
    return array;
}

// A small checkpoint whose every value depends on `iteration`.
jhr::checkpoint make_checkpoint(std::int64_t iteration) {
    jhr::checkpoint ckpt;
    ckpt.iteration = iteration;
    const float base = float(iteration);
    ckpt.weights = {filled("srnet.0.weight", {2, 1, 3, 3}, base), filled("srnet.0.bias", {2}, -base),
                    filled("frnet.3.1.conv1.weight", {2, 2, 1, 1}, base / 2),
                    filled("softmax.weight", {3, 2}, 1 + base),
                    filled("center_loss.centers", {3, 2}, 2 * base)};
    ckpt.momenta = {filled("srnet.0.weight", {2, 1, 3, 3}, -base), filled("srnet.0.bias", {2}, base),
                    filled("frnet.3.1.conv1.weight", {2, 2, 1, 1}, 0.5f),
                    filled("softmax.weight", {3, 2}, 3)};
    std::mt19937_64 engine(static_cast<std::uint64_t>(iteration));
    engine.discard(5);
    ckpt.rng_state = jhr::save_rng_state(engine);
    ckpt.config = {{"hyper_parameters", {{"learning_rate", 0.01}, {"alpha", 0.5}, {"iteration", iteration}}},
                   {"data", {{"train_list", "lists/train.txt"}, {"scale", 4}}},
                   {"evaluation", {{"folds", 10}}}};
    return ckpt;
}

void check_equal(const std::vector<jhr::named_array>& a, const std::vector<jhr::named_array>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].name == b[i].name);
        CHECK(a[i].shape == b[i].shape);
        CHECK(a[i].values == b[i].values);
    }
}

void check_equal(const jhr::checkpoint& a, const jhr::checkpoint& b) {
    CHECK(a.iteration == b.iteration);
    check_equal(a.weights, b.weights);
    check_equal(a.momenta, b.momenta);
    CHECK(a.rng_state == b.rng_state);
    CHECK(a.config == b.config);
}

std::vector<char> read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const fs::path& path, const std::vector<char>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

std::vector<std::string> listing(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

TEST_CASE("a checkpoint round-trips through save_checkpoint and load_latest_checkpoint") {
    jhr::test::temp_dir dir("ckpt_roundtrip");
    const auto saved = make_checkpoint(7);
    jhr::save_checkpoint(dir.path, saved);
    std::ostringstream warnings;
    const auto loaded = jhr::load_latest_checkpoint(dir.path, warnings);
    check_equal(loaded, saved);
    CHECK(warnings.str().empty());
    CHECK(jhr::has_checkpoint(dir.path));

    std::mt19937_64 original(7), restored;
    original.discard(5);
    jhr::restore_rng_state(restored, loaded.rng_state);
    CHECK(restored() == original());
}

TEST_CASE("the on-disk layout is the documented one") {
    jhr::test::temp_dir dir("ckpt_layout");
    jhr::save_checkpoint(dir.path, make_checkpoint(12));
    CHECK(listing(dir.path) == std::vector<std::string>{"ckpt-12", "latest"});
    CHECK(slurp(dir.path / "latest") == "ckpt-12\n");
    CHECK(listing(dir.path / "ckpt-12") ==
          std::vector<std::string>{"model.safetensors", "state.safetensors"});

    const auto model = jhr::read_safetensors(dir.path / "ckpt-12" / "model.safetensors");
    CHECK(model.metadata.at("format") == "jhr-checkpoint");
    CHECK(model.metadata.at("version") == "1");
    CHECK(model.metadata.at("content") == "model");
    CHECK(model.metadata.at("iteration") == "12");
    CHECK(model.metadata.at("data_crc32").size() == 8);
    std::vector<std::string> names;
    for (const auto& t : model.tensors) names.push_back(t.name);
    CHECK(names == std::vector<std::string>{"srnet.0.weight", "srnet.0.bias", "frnet.3.1.conv1.weight",
                                            "softmax.weight", "center_loss.centers"});

    const auto state = jhr::read_safetensors(dir.path / "ckpt-12" / "state.safetensors");
    CHECK(state.metadata.at("content") == "state");
    CHECK(state.find("iteration")->values<std::int64_t>() == std::vector<std::int64_t>{12});
    CHECK(state.find("iteration")->shape.empty());
    CHECK(state.find("momentum.softmax.weight")->shape == std::vector<std::int64_t>{3, 2});
    CHECK(nlohmann::json::parse(state.metadata.at("config.evaluation")) == nlohmann::json{{"folds", 10}});
    CHECK(!state.metadata.at("rng_state").empty());
}

TEST_CASE("save_checkpoint keeps the newest checkpoints and drops abandoned ones") {
    jhr::test::temp_dir dir("ckpt_keep");
    for (int it = 1; it <= 5; ++it) jhr::save_checkpoint(dir.path, make_checkpoint(it));
    CHECK(listing(dir.path) == std::vector<std::string>{"ckpt-4", "ckpt-5", "latest"});
    jhr::save_checkpoint(dir.path, make_checkpoint(6), 3);
    CHECK(listing(dir.path) == std::vector<std::string>{"ckpt-4", "ckpt-5", "ckpt-6", "latest"});
    jhr::save_checkpoint(dir.path, make_checkpoint(7), 1);
    CHECK(listing(dir.path) == std::vector<std::string>{"ckpt-7", "latest"});

    // Resuming from an earlier checkpoint abandons the later ones.
    jhr::save_checkpoint(dir.path, make_checkpoint(3));
    CHECK(listing(dir.path) == std::vector<std::string>{"ckpt-3", "latest"});
    // Saving the same iteration twice replaces it.
    auto again = make_checkpoint(3);
    again.weights[0].values[0] = 99;
    jhr::save_checkpoint(dir.path, again);
    check_equal(jhr::load_latest_checkpoint(dir.path), again);

    CHECK_THROWS_AS(jhr::save_checkpoint(dir.path, make_checkpoint(8), 0), jhr::error);
}

TEST_CASE("save_checkpoint refuses invalid content") {
    jhr::test::temp_dir dir("ckpt_invalid");
    auto wrong_count = make_checkpoint(1);
    wrong_count.weights[1].values.pop_back();
    CHECK_THROWS_AS(jhr::save_checkpoint(dir.path, wrong_count), jhr::shape_error);
    auto bad_rng = make_checkpoint(1);
    bad_rng.rng_state = "not a state";
    CHECK_THROWS_AS(jhr::save_checkpoint(dir.path, bad_rng), jhr::protocol_error);
    auto bad_config = make_checkpoint(1);
    bad_config.config = nlohmann::json::array({1, 2});
    CHECK_THROWS_AS(jhr::save_checkpoint(dir.path, bad_config), jhr::error);
    auto negative = make_checkpoint(1);
    negative.iteration = -1;
    CHECK_THROWS_AS(jhr::save_checkpoint(dir.path, negative), jhr::error);
    CHECK_FALSE(jhr::has_checkpoint(dir.path));
}

TEST_CASE("every flipped byte of a checkpoint file is detected") {
    jhr::test::temp_dir dir("ckpt_flip");
    jhr::save_checkpoint(dir.path, make_checkpoint(3));
    for (const char* name : {"model.safetensors", "state.safetensors"}) {
        CAPTURE(name);
        const auto path = dir.path / "ckpt-3" / name;
        const auto original = read_bytes(path);
        // Every byte in memory through the parser and the checksums, every 37th also on disk.
        for (std::size_t i = 0; i < original.size(); ++i) {
            CAPTURE(i);
            auto damaged = original;
            damaged[i] = char(damaged[i] ^ 0x01);
            const auto bytes = std::as_bytes(std::span<const char>(damaged));
            CHECK_THROWS_AS(jhr::check_checksums(jhr::parse_safetensors(bytes, name), name),
                            jhr::protocol_error);
            if (i % 37 != 0) continue;
            write_bytes(path, damaged);
            CHECK_THROWS_AS(jhr::load_checkpoint(dir.path / "ckpt-3"), jhr::protocol_error);
        }
        write_bytes(path, original);
    }
    check_equal(jhr::load_checkpoint(dir.path / "ckpt-3"), make_checkpoint(3));
}

TEST_CASE("checksum errors say which checksum failed") {
    jhr::test::temp_dir dir("ckpt_checksum");
    jhr::save_checkpoint(dir.path, make_checkpoint(3));
    const auto path = dir.path / "ckpt-3" / "model.safetensors";
    const auto original = read_bytes(path);

    auto data_flip = original;
    data_flip.back() = char(data_flip.back() ^ 0x40);
    write_bytes(path, data_flip);
    const std::string data_message = path.string() + ": data section CRC-32";
    CHECK_THROWS_WITH_AS(jhr::load_checkpoint(dir.path / "ckpt-3"), doctest::Contains(data_message.c_str()),
                         jhr::protocol_error);

    auto header_edit = original;
    const std::string text(original.begin(), original.end());
    const auto at = text.find("\"iteration\":\"3\"");
    REQUIRE(at != std::string::npos);
    header_edit[at + 13] = '4';
    write_bytes(path, header_edit);
    CHECK_THROWS_WITH_AS(jhr::load_checkpoint(dir.path / "ckpt-3"), doctest::Contains("header CRC-32"),
                         jhr::protocol_error);
}

TEST_CASE("truncating the newest checkpoint falls back to the previous one with a warning") {
    jhr::test::temp_dir dir("ckpt_truncate");
    jhr::save_checkpoint(dir.path, make_checkpoint(1));
    jhr::save_checkpoint(dir.path, make_checkpoint(2));
    const auto path = dir.path / "ckpt-2" / "state.safetensors";
    const auto bytes = read_bytes(path);
    for (const std::size_t size : {std::size_t(0), std::size_t(5), bytes.size() / 2, bytes.size() - 1}) {
        CAPTURE(size);
        write_bytes(path, {bytes.begin(), bytes.begin() + std::ptrdiff_t(size)});
        std::ostringstream warnings;
        check_equal(jhr::load_latest_checkpoint(dir.path, warnings), make_checkpoint(1));
        CHECK(contains(warnings.str(), "skipping damaged checkpoint '" + (dir.path / "ckpt-2").string()));
        CHECK(contains(warnings.str(), "resuming from the older checkpoint"));
    }
}

TEST_CASE("leftovers of a crash mid-save leave the last complete checkpoint loadable") {
    jhr::test::temp_dir dir("ckpt_leftovers");
    jhr::save_checkpoint(dir.path, make_checkpoint(1));
    jhr::save_checkpoint(dir.path, make_checkpoint(2));

    SUBCASE("a half-written staging directory and pointer temporary") {
        fs::create_directories(dir.path / "ckpt-3.tmp.99999");
        write_bytes(dir.path / "ckpt-3.tmp.99999" / "model.safetensors.tmp.99999", {'x', 'y'});
        write_bytes(dir.path / "latest.tmp.99999", {'c', 'k'});
        std::ostringstream warnings;
        CHECK(jhr::load_latest_checkpoint(dir.path, warnings).iteration == 2);
        CHECK(warnings.str().empty());
        jhr::save_checkpoint(dir.path, make_checkpoint(3));
        CHECK(listing(dir.path) == std::vector<std::string>{"ckpt-2", "ckpt-3", "latest"});
    }
    SUBCASE("a complete new directory the pointer does not name yet") {
        jhr::write_file_atomically(dir.path / "latest", std::string_view("ckpt-1\n"));
        CHECK(jhr::load_latest_checkpoint(dir.path).iteration == 1);
    }
    SUBCASE("a pointer to a directory that is missing") {
        fs::remove_all(dir.path / "ckpt-2");
        jhr::write_file_atomically(dir.path / "latest", std::string_view("ckpt-2\n"));
        std::ostringstream warnings;
        CHECK(jhr::load_latest_checkpoint(dir.path, warnings).iteration == 1);
        CHECK(contains(warnings.str(), "ckpt-2"));
    }
    SUBCASE("a newest directory with only one file") {
        fs::remove(dir.path / "ckpt-2" / "model.safetensors");
        std::ostringstream warnings;
        CHECK(jhr::load_latest_checkpoint(dir.path, warnings).iteration == 1);
        CHECK(contains(warnings.str(), "model.safetensors"));
    }
    SUBCASE("files of two different checkpoints") {
        fs::copy_file(dir.path / "ckpt-1" / "state.safetensors", dir.path / "ckpt-2" / "state.safetensors",
                      fs::copy_options::overwrite_existing);
        std::ostringstream warnings;
        CHECK(jhr::load_latest_checkpoint(dir.path, warnings).iteration == 1);
        CHECK(contains(warnings.str(), "state.safetensors from iteration 1"));
    }
    SUBCASE("a missing or garbled pointer") {
        std::ostringstream warnings;
        SUBCASE("missing") {
            fs::remove(dir.path / "latest");
        }
        SUBCASE("garbled") {
            write_bytes(dir.path / "latest", {'c', 'k', '\n'});
        }
        CHECK(jhr::load_latest_checkpoint(dir.path, warnings).iteration == 2);
        CHECK(contains(warnings.str(), "latest"));
    }
}

TEST_CASE("no intact checkpoint is an error that lists every candidate") {
    jhr::test::temp_dir dir("ckpt_none");
    CHECK_FALSE(jhr::has_checkpoint(dir.path));
    CHECK_THROWS_AS(jhr::load_latest_checkpoint(dir.path), jhr::io_error);
    jhr::save_checkpoint(dir.path, make_checkpoint(1));
    jhr::save_checkpoint(dir.path, make_checkpoint(2));
    write_bytes(dir.path / "ckpt-1" / "model.safetensors", {'x'});
    write_bytes(dir.path / "ckpt-2" / "model.safetensors", {'x'});
    std::ostringstream warnings;
    try {
        jhr::load_latest_checkpoint(dir.path, warnings);
        FAIL("loading damaged checkpoints succeeded");
    } catch (const jhr::protocol_error& e) {
        const std::string message = e.what();
        CHECK(contains(message, "no intact checkpoint"));
        CHECK(contains(message, (dir.path / "ckpt-1").string()));
        CHECK(contains(message, (dir.path / "ckpt-2").string()));
        CHECK(contains(message, "file too short"));
    }
}

TEST_CASE("a process killed while saving leaves a complete checkpoint") {
    jhr::test::temp_dir dir("ckpt_kill");
    for (int round = 0; round < 6; ++round) {
        CAPTURE(round);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            try {
                for (int it = 1; it < 100000; ++it)
                    jhr::save_checkpoint(dir.path, make_checkpoint(round * 100000 + it));
            } catch (...) {
                ::_exit(1);
            }
            ::_exit(0);
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!jhr::has_checkpoint(dir.path) && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        // A save takes tens of milliseconds (seven fsyncs), so these delays stop the child at varied stages.
        std::this_thread::sleep_for(std::chrono::milliseconds(3 + 23 * round));
        ::kill(child, SIGKILL);
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        std::ostringstream warnings;
        const auto loaded = jhr::load_latest_checkpoint(dir.path, warnings);
        check_equal(loaded, make_checkpoint(loaded.iteration));
        // At most a note that "latest" is not written yet; never a damaged checkpoint.
        CHECK_MESSAGE(!contains(warnings.str(), "damaged"), warnings.str());
        CHECK(loaded.iteration > round * 100000 - 100000);
    }
}

TEST_CASE("verify_names_and_shapes lists every offender with its shape") {
    const auto ckpt = make_checkpoint(1);
    std::map<std::string, std::vector<std::int64_t>> expected;
    for (const auto& w : ckpt.weights) expected[w.name] = w.shape;
    jhr::verify_names_and_shapes(ckpt.weights, expected, "weights");

    expected.erase("softmax.weight");
    expected["srnet.0.bias"] = {3};
    expected["srnet.1.weight"] = {4, 2, 3, 3};
    auto arrays = ckpt.weights;
    arrays.push_back(arrays[0]);
    try {
        jhr::verify_names_and_shapes(arrays, expected, "weights");
        FAIL("mismatched names passed");
    } catch (const jhr::shape_error& e) {
        CHECK(std::string(e.what()) ==
              "weights do not match the network: missing: srnet.1.weight [4, 2, 3, 3]; "
              "unexpected: softmax.weight [3, 2]; repeated: srnet.0.weight; "
              "wrong shape: srnet.0.bias is [2], expected [3]");
    }
}

TEST_CASE("restore_rng_state rejects garbage and leaves the engine alone") {
    std::mt19937_64 engine(42), copy(42);
    CHECK_THROWS_AS(jhr::restore_rng_state(engine, "1 2 3"), jhr::protocol_error);
    CHECK_THROWS_AS(jhr::restore_rng_state(engine, jhr::save_rng_state(copy) + " 7"), jhr::protocol_error);
    CHECK(engine == copy);
}

TEST_CASE("tools/read_checkpoint.py reads what the C++ wrote") {
    if (std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") != 0) {
        MESSAGE("skipped: /usr/bin/python3 with numpy is not available");
        return;
    }
    jhr::test::temp_dir dir("ckpt_python");
    const auto saved = make_checkpoint(4);
    jhr::save_checkpoint(dir.path, saved);
    const auto out = dir.path / "out.json";
    const std::string command =
        "/usr/bin/python3 '" + std::string(JHR_SOURCE_DIR) + "/tools/read_checkpoint.py' --json '" +
        (dir.path / "ckpt-4" / "model.safetensors").string() + "' > '" + out.string() + "'";
    REQUIRE(std::system(command.c_str()) == 0);
    const auto report = nlohmann::json::parse(slurp(out));
    CHECK(report["checksums"] == "ok");
    CHECK(report["metadata"]["iteration"] == "4");
    REQUIRE(report["tensors"].size() == saved.weights.size());
    for (std::size_t i = 0; i < saved.weights.size(); ++i) {
        const auto& w = saved.weights[i];
        const auto& t = report["tensors"][i];
        CHECK(t["name"] == w.name);
        CHECK(t["dtype"] == "F32");
        CHECK(t["shape"].get<std::vector<std::int64_t>>() == w.shape);
        CHECK(t["crc32"].get<std::uint32_t>() == jhr::crc32(std::as_bytes(std::span<const float>(w.values))));
        double sum = 0;
        for (const float v : w.values) sum += v;
        CHECK(t["sum"].get<double>() == doctest::Approx(sum).epsilon(1e-6));
    }

    auto bytes = read_bytes(dir.path / "ckpt-4" / "model.safetensors");
    bytes.back() = char(bytes.back() ^ 1);
    write_bytes(dir.path / "ckpt-4" / "model.safetensors", bytes);
    CHECK(std::system(command.c_str()) != 0);
}
