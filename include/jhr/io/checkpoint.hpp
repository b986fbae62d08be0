// jhr/io/checkpoint.hpp: training checkpoints that survive a crash at any moment.
//
// A checkpoint is the network weights, the optimizer momenta, the iteration, the random engine state
// and the run configuration, as plain named float arrays (independent of the network classes).
// On disk (docs/checkpoints.md) it is a directory "<dir>/ckpt-<iteration>" holding model.safetensors
// (the weights) and state.safetensors (tensor "iteration" I64 [], tensors "momentum.<parameter>"
// F32, metadata "rng_state" and "config.<key>"), plus the pointer file "<dir>/latest" naming it.
// Both files carry metadata "format" = "jhr-checkpoint", "version" = "1", "content" = "model" or
// "state", "iteration", and two CRC-32 (jhr/io/crc32.hpp) as 8 lowercase hex digits:
// "data_crc32" of the data section and "header_crc32" of the canonical header, which is the header
// without these two entries, "__metadata__" always present, as compact JSON with sorted keys.
//
// save_checkpoint writes into a staging directory, renames it to ckpt-<iteration>, then replaces
// "latest" atomically, then prunes. load_latest_checkpoint tries the checkpoint "latest" names, then
// every other ckpt-<n> from the newest, warning about each damaged one; so a process killed at any
// point leaves the last complete checkpoint loadable. Requires one writer per directory.
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/io/atomic_file.hpp"
#include "jhr/io/crc32.hpp"
#include "jhr/io/safetensors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <locale>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace jhr {

// A float array with its name and shape (row-major; shape [] is a scalar).
struct named_array {
    std::string name;
    std::vector<std::int64_t> shape;
    std::vector<float> values;
};

struct checkpoint {
    std::int64_t iteration = 0;
    std::vector<named_array> weights;
    std::vector<named_array> momenta; // named after the parameters they belong to
    std::string rng_state;            // save_rng_state's text; may be empty
    nlohmann::json config =
        nlohmann::json::object(); // e.g. {"hyper_parameters": ..., "data": ..., "evaluation": ...}
};

// std::mt19937_64's standard text form, independent of the global locale.
std::string save_rng_state(const std::mt19937_64& engine);
// Throws protocol_error (leaving `engine` unchanged) unless `text` is such a state.
void restore_rng_state(std::mt19937_64& engine, const std::string& text);

// Throws shape_error listing, with shapes, every name of `arrays` that is missing from `expected`,
// absent from it, repeated, or of another shape; `what` names the arrays ("weights", "momenta").
void verify_names_and_shapes(const std::vector<named_array>& arrays,
                             const std::map<std::string, std::vector<std::int64_t>>& expected,
                             const std::string& what);

// Sets / checks metadata "data_crc32" and "header_crc32"; check throws protocol_error naming `source`.
void add_checksums(safetensors_file& file);
void check_checksums(const safetensors_file& file, const std::string& source);

// Saves `ckpt` as <dir>/ckpt-<iteration>, points <dir>/latest at it and deletes older checkpoints
// beyond the newest `keep` (>= 1), any with a higher iteration (left by an abandoned run) and stale
// staging files. Replacing an existing ckpt-<iteration> is not crash-safe for that one checkpoint.
void save_checkpoint(const std::filesystem::path& dir, const checkpoint& ckpt, int keep = 2);

// Loads one checkpoint directory; throws io_error or protocol_error when it is missing or damaged.
checkpoint load_checkpoint(const std::filesystem::path& checkpoint_dir);

// Loads the checkpoint <dir>/latest names, else the newest intact ckpt-<n>, writing a warning line
// to `warnings` for each one skipped. Throws io_error when there is none, protocol_error (listing
// every candidate and what is wrong with it) when all are damaged.
checkpoint load_latest_checkpoint(const std::filesystem::path& dir, std::ostream& warnings = std::cerr);

// True when `dir` holds a "latest" pointer or a ckpt-<n> directory.
bool has_checkpoint(const std::filesystem::path& dir);

// ---------------------------------------------------------------------------------------------
// Implementation

inline std::string save_rng_state(const std::mt19937_64& engine) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    out << engine;
    return out.str();
}

inline void restore_rng_state(std::mt19937_64& engine, const std::string& text) {
    std::istringstream in(text);
    in.imbue(std::locale::classic());
    std::mt19937_64 parsed;
    in >> parsed;
    if (!in || !(in >> std::ws).eof())
        throw protocol_error("rng_state is not a std::mt19937_64 state: '" + text.substr(0, 60) +
                             (text.size() > 60 ? "...'" : "'"));
    engine = parsed;
}

inline void verify_names_and_shapes(const std::vector<named_array>& arrays,
                                    const std::map<std::string, std::vector<std::int64_t>>& expected,
                                    const std::string& what) {
    std::map<std::string, const named_array*> seen;
    std::vector<std::string> missing, unexpected, repeated, mismatched;
    for (const named_array& array : arrays) {
        if (!seen.emplace(array.name, &array).second) {
            repeated.push_back(array.name);
            continue;
        }
        const auto it = expected.find(array.name);
        if (it == expected.end())
            unexpected.push_back(array.name + " " + shape_string(array.shape));
        else if (it->second != array.shape)
            mismatched.push_back(array.name + " is " + shape_string(array.shape) + ", expected " +
                                 shape_string(it->second));
    }
    for (const auto& [name, shape] : expected)
        if (!seen.contains(name)) missing.push_back(name + " " + shape_string(shape));
    std::string message;
    const auto list = [&](const std::string& title, const std::vector<std::string>& items) {
        if (items.empty()) return;
        message += (message.empty() ? "" : "; ") + title + ": ";
        for (std::size_t i = 0; i < items.size(); ++i) message += (i ? ", " : "") + items[i];
    };
    list("missing", missing);
    list("unexpected", unexpected);
    list("repeated", repeated);
    list("wrong shape", mismatched);
    if (!message.empty()) throw shape_error(what + " do not match the network: " + message);
}

namespace detail {

inline std::string hex32(std::uint32_t value) {
    char text[9];
    std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(value));
    return text;
}

inline std::uint32_t data_crc32(const safetensors_file& file) {
    std::uint32_t crc = 0;
    for (const named_tensor& tensor : file.tensors) crc = crc32_update(crc, tensor.bytes);
    return crc;
}

inline std::uint32_t header_crc32(const safetensors_file& file) {
    nlohmann::json canonical = nlohmann::json::object();
    canonical["__metadata__"] = nlohmann::json::object();
    for (const auto& [key, value] : file.metadata)
        if (key != "data_crc32" && key != "header_crc32") canonical["__metadata__"][key] = value;
    std::uint64_t offset = 0;
    for (const named_tensor& tensor : file.tensors) {
        const std::uint64_t end = offset + tensor.bytes.size();
        canonical[tensor.name] = {
            {"dtype", dtype_name(tensor.dtype)}, {"shape", tensor.shape}, {"data_offsets", {offset, end}}};
        offset = end;
    }
    try {
        return crc32(canonical.dump());
    } catch (const nlohmann::json::exception& e) {
        throw protocol_error(std::string("checkpoint header: ") + e.what());
    }
}

inline std::string checkpoint_name(std::int64_t iteration) {
    return "ckpt-" + std::to_string(iteration);
}

// The iteration of a "ckpt-<digits>" name, else nullopt.
inline std::optional<std::int64_t> checkpoint_iteration(std::string_view name) {
    if (!name.starts_with("ckpt-") || name.size() == 5 || name.size() > 23) return std::nullopt;
    std::int64_t iteration = 0;
    const char* first = name.data() + 5;
    const char* last = name.data() + name.size();
    const auto [end, ec] = std::from_chars(first, last, iteration);
    if (ec != std::errc() || end != last || *first < '0' || *first > '9' ||
        (*first == '0' && last - first > 1))
        return std::nullopt;
    return iteration;
}

// ckpt-<n> subdirectories of `dir`, newest first.
inline std::vector<std::pair<std::int64_t, std::filesystem::path>>
list_checkpoints(const std::filesystem::path& dir) {
    std::vector<std::pair<std::int64_t, std::filesystem::path>> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
        if (const auto n = checkpoint_iteration(entry.path().filename().string());
            n && entry.is_directory(ec))
            found.emplace_back(*n, entry.path());
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    return found;
}

inline safetensors_file checkpoint_file(std::string_view content, std::int64_t iteration) {
    safetensors_file file;
    file.metadata = {{"format", "jhr-checkpoint"},
                     {"version", "1"},
                     {"content", std::string(content)},
                     {"iteration", std::to_string(iteration)}};
    return file;
}

inline void add_arrays(safetensors_file& file, const std::vector<named_array>& arrays,
                       const std::string& prefix) {
    for (const named_array& array : arrays)
        file.tensors.push_back(named_tensor::from_values(prefix + array.name, array.shape, array.values));
}

inline std::string required_metadata(const safetensors_file& file, const std::string& key,
                                     const std::string& source) {
    const auto it = file.metadata.find(key);
    if (it == file.metadata.end()) throw protocol_error(source + ": metadata lacks '" + key + "'");
    return it->second;
}

// Reads, checks checksums, format, version and content, and returns the recorded iteration.
inline std::int64_t read_checkpoint_file(const std::filesystem::path& path, std::string_view content,
                                         safetensors_file& file) {
    const std::string source = path.string();
    file = read_safetensors(path);
    check_checksums(file, source);
    if (const auto format = required_metadata(file, "format", source); format != "jhr-checkpoint")
        throw protocol_error(source + ": format is '" + format + "', expected 'jhr-checkpoint'");
    if (const auto version = required_metadata(file, "version", source); version != "1")
        throw protocol_error(source + ": checkpoint version '" + version + "', this build reads version '1'");
    if (const auto found = required_metadata(file, "content", source); found != content)
        throw protocol_error(source + ": content is '" + found + "', expected '" + std::string(content) +
                             "'");
    const std::string text = required_metadata(file, "iteration", source);
    std::int64_t iteration = -1;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), iteration);
    if (ec != std::errc() || end != text.data() + text.size() || iteration < 0)
        throw protocol_error(source + ": iteration '" + text + "' is not a non-negative integer");
    return iteration;
}

inline named_array to_named_array(const named_tensor& tensor, std::string name, const std::string& source) {
    if (tensor.dtype != safetensors_dtype::f32)
        throw protocol_error(source + ": tensor '" + tensor.name + "' is " +
                             std::string(dtype_name(tensor.dtype)) + ", expected F32");
    return {std::move(name), tensor.shape, tensor.values<float>()};
}

} // namespace detail

inline void add_checksums(safetensors_file& file) {
    file.metadata.erase("data_crc32");
    file.metadata.erase("header_crc32");
    const std::string header = detail::hex32(detail::header_crc32(file));
    file.metadata["data_crc32"] = detail::hex32(detail::data_crc32(file));
    file.metadata["header_crc32"] = header;
}

inline void check_checksums(const safetensors_file& file, const std::string& source) {
    const std::string data = detail::required_metadata(file, "data_crc32", source);
    const std::string header = detail::required_metadata(file, "header_crc32", source);
    if (const std::string actual = detail::hex32(detail::data_crc32(file)); actual != data)
        throw protocol_error(source + ": data section CRC-32 is " + actual + ", the header records " + data);
    if (const std::string actual = detail::hex32(detail::header_crc32(file)); actual != header)
        throw protocol_error(source + ": header CRC-32 is " + actual + ", the header records " + header);
}

inline void save_checkpoint(const std::filesystem::path& dir, const checkpoint& ckpt, int keep) {
    namespace fs = std::filesystem;
    if (keep < 1) throw error(where("save_checkpoint: keep is " + std::to_string(keep) + ", must be >= 1"));
    if (ckpt.iteration < 0)
        throw error(where("save_checkpoint: iteration " + std::to_string(ckpt.iteration) + " is negative"));
    if (!ckpt.config.is_object() && !ckpt.config.is_null())
        throw error(where("save_checkpoint: config must be a JSON object, got " + ckpt.config.dump()));
    if (!ckpt.rng_state.empty()) {
        std::mt19937_64 engine;
        restore_rng_state(engine, ckpt.rng_state);
    }

    safetensors_file model = detail::checkpoint_file("model", ckpt.iteration);
    detail::add_arrays(model, ckpt.weights, "");
    add_checksums(model);
    safetensors_file state = detail::checkpoint_file("state", ckpt.iteration);
    const std::int64_t iteration = ckpt.iteration;
    state.tensors.push_back(
        named_tensor::from_values("iteration", {}, std::span<const std::int64_t>(&iteration, 1)));
    detail::add_arrays(state, ckpt.momenta, "momentum.");
    state.metadata["rng_state"] = ckpt.rng_state;
    try {
        if (ckpt.config.is_object())
            for (const auto& [key, value] : ckpt.config.items())
                state.metadata["config." + key] = value.dump();
    } catch (const nlohmann::json::exception& e) {
        throw protocol_error(std::string("save_checkpoint: config: ") + e.what());
    }
    add_checksums(state);

    const std::string name = detail::checkpoint_name(ckpt.iteration);
    const fs::path staging = dir / (name + ".tmp." + std::to_string(static_cast<long long>(::getpid())));
    const fs::path final_dir = dir / name;
    try {
        fs::create_directories(dir);
        fs::remove_all(staging);
        fs::create_directory(staging);
        write_safetensors(staging / "model.safetensors", model);
        write_safetensors(staging / "state.safetensors", state);
        fs::remove_all(final_dir);
        fs::rename(staging, final_dir);
        sync_directory(dir);
    } catch (const fs::filesystem_error& e) {
        throw io_error("cannot save checkpoint '" + final_dir.string() + "': " + e.what());
    }
    write_file_atomically(dir / "latest", name + "\n");

    std::error_code ec;
    int kept = 0;
    for (const auto& [n, path] : detail::list_checkpoints(dir))
        if (n > ckpt.iteration || (n < ckpt.iteration && ++kept >= keep)) fs::remove_all(path, ec);
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string file = entry.path().filename().string();
        if ((file.starts_with("ckpt-") && file.find(".tmp.") != std::string::npos) ||
            file.starts_with("latest.tmp."))
            fs::remove_all(entry.path(), ec);
    }
}

inline checkpoint load_checkpoint(const std::filesystem::path& checkpoint_dir) {
    safetensors_file model, state;
    const auto model_path = checkpoint_dir / "model.safetensors";
    const auto state_path = checkpoint_dir / "state.safetensors";
    const std::int64_t model_iteration = detail::read_checkpoint_file(model_path, "model", model);
    const std::int64_t state_iteration = detail::read_checkpoint_file(state_path, "state", state);
    if (model_iteration != state_iteration)
        throw protocol_error(checkpoint_dir.string() + ": model.safetensors is from iteration " +
                             std::to_string(model_iteration) + ", state.safetensors from iteration " +
                             std::to_string(state_iteration));

    checkpoint ckpt;
    ckpt.iteration = model_iteration;
    for (const named_tensor& tensor : model.tensors)
        ckpt.weights.push_back(detail::to_named_array(tensor, tensor.name, model_path.string()));

    const std::string source = state_path.string();
    bool has_iteration = false;
    for (const named_tensor& tensor : state.tensors) {
        if (tensor.name == "iteration") {
            if (tensor.dtype != safetensors_dtype::i64 || !tensor.shape.empty() ||
                tensor.values<std::int64_t>().at(0) != state_iteration)
                throw protocol_error(source + ": tensor 'iteration' is not the I64 scalar " +
                                     std::to_string(state_iteration) + " its metadata records");
            has_iteration = true;
        } else if (tensor.name.starts_with("momentum.")) {
            ckpt.momenta.push_back(detail::to_named_array(tensor, tensor.name.substr(9), source));
        } else {
            throw protocol_error(source + ": unexpected tensor '" + tensor.name + "'");
        }
    }
    if (!has_iteration) throw protocol_error(source + ": lacks the tensor 'iteration'");

    ckpt.rng_state = detail::required_metadata(state, "rng_state", source);
    if (!ckpt.rng_state.empty()) {
        std::mt19937_64 engine;
        try {
            restore_rng_state(engine, ckpt.rng_state);
        } catch (const protocol_error& e) {
            throw protocol_error(source + ": " + e.what());
        }
    }
    for (const auto& [key, value] : state.metadata) {
        if (!key.starts_with("config.")) continue;
        try {
            ckpt.config[key.substr(7)] = nlohmann::json::parse(value);
        } catch (const nlohmann::json::exception& e) {
            throw protocol_error(source + ": metadata '" + key + "' is not JSON: " + e.what());
        }
    }
    return ckpt;
}

inline bool has_checkpoint(const std::filesystem::path& dir) {
    std::error_code ec;
    return std::filesystem::exists(dir / "latest", ec) || !detail::list_checkpoints(dir).empty();
}

inline checkpoint load_latest_checkpoint(const std::filesystem::path& dir, std::ostream& warnings) {
    std::vector<std::filesystem::path> candidates;
    const auto pointer = dir / "latest";
    std::error_code ec;
    if (std::filesystem::exists(pointer, ec)) {
        std::ifstream in(pointer);
        std::string name;
        std::getline(in, name);
        if (detail::checkpoint_iteration(name))
            candidates.push_back(dir / name);
        else
            warnings << "jhr: warning: '" << pointer.string() << "' names '" << name
                     << "', not a ckpt-<iteration> directory\n";
    } else if (!detail::list_checkpoints(dir).empty()) {
        warnings << "jhr: warning: '" << pointer.string() << "' is missing; trying the newest checkpoint\n";
    }
    for (const auto& [n, path] : detail::list_checkpoints(dir))
        if (candidates.empty() || path != candidates.front()) candidates.push_back(path);
    if (candidates.empty()) throw io_error("no checkpoint in '" + dir.string() + "'");

    std::string failures;
    for (const auto& candidate : candidates) {
        try {
            checkpoint ckpt = load_checkpoint(candidate);
            if (!failures.empty())
                warnings << "jhr: warning: resuming from the older checkpoint '" << candidate.string()
                         << "'\n";
            return ckpt;
        } catch (const error& e) {
            warnings << "jhr: warning: skipping damaged checkpoint '" << candidate.string()
                     << "': " << e.what() << "\n";
            failures += "\n  " + candidate.string() + ": " + e.what();
        }
    }
    throw protocol_error("no intact checkpoint in '" + dir.string() + "':" + failures);
}

} // namespace jhr
