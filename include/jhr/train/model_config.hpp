// jhr/train/model_config.hpp: the model configuration a checkpoint carries, as JSON.
//
// model_config is everything needed to rebuild a trained network without its training program:
// the setting it was trained in (which cascade: SRNET alone, FRNET alone, or the Joint Model),
// the face size H x W the data pipeline produced, the LR down-sampling factor, the SRNET and FRNET
// sizes, the loss weights, the class count, and a free-form description of the training data.
// The trainer stores it under trainer_options::config["model"] (see model_config_key).
//
// JSON (every key required except "data" and "hallucinator"; unknown keys are refused):
//   {"version": 1, "setting": "joint", "face": {"height": 124, "width": 108}, "scale": 4,
//    "classes": 10575,
//    "srnet": {"channels": 3, "features": 64, "mapping_features": 32, "kernel": 9},
//    "frnet": {"channels": 3, "widths": [64, 128, 256, 512], "blocks": [1, 2, 5, 3],
//              "features": 512, "input_height": 116, "input_width": 100},
//    "loss": {"alpha": 1, "beta1": 1, "beta2": 0.008, "gamma": 0.5, "reduction": "mean"},
//    "hallucinator": "/abs/path/to/srnet/checkpoints",   (setting "hallucinated" only)
//    "data": {...}}
// Requires: FRNET's input is the face less SRNET's border on each side (input_height = H - 2 *
// border, border = (kernel - 1) / 2), since every setting feeds FRNET faces of that size.
// model_config_from_json throws protocol_error naming the offending key ("frnet.widths") and value.
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/models/joint_model.hpp"
#include "jhr/train/setting.hpp"

#include <nlohmann/json.hpp>

#include <set>
#include <string>

namespace jhr {

inline constexpr int model_config_version = 1;
// The key of trainer_options::config (and so of the checkpoint metadata) holding the model config.
inline constexpr const char* model_config_key = "model";

struct model_config {
    jhr::setting setting = setting::joint;
    int face_height = 124, face_width = 108;
    int scale = 4;
    joint_model_options model; // model.frnet.input_* follow from the face size (see make_model_config)
    std::string hallucinator;  // SRNET checkpoint directory, setting::hallucinated only
    nlohmann::json data = nlohmann::json::object();
};

// A consistent config: FRNET's input size set from the face size and SRNET's border.
model_config make_model_config(jhr::setting s, int face_height, int face_width, int scale,
                               joint_model_options model);

nlohmann::json to_json(const model_config& c);
// Parses and validates; throws protocol_error naming the key.
model_config model_config_from_json(const nlohmann::json& j);
// Throws protocol_error naming the first inconsistent key.
void validate(const model_config& c);

// The first key path at which two JSON values differ ("frnet.widths[2]"), or "" when equal.
std::string first_difference(const nlohmann::json& a, const nlohmann::json& b, const std::string& path = "");

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

[[noreturn]] inline void config_fail(const std::string& key, const std::string& message) {
    throw protocol_error("model config: key '" + key + "' " + message);
}

inline const nlohmann::json& config_member(const nlohmann::json& object, const std::string& prefix,
                                           const std::string& key) {
    const auto it = object.find(key);
    if (it == object.end()) config_fail(prefix + key, "is missing");
    return *it;
}

inline void config_known_keys(const nlohmann::json& object, const std::string& prefix,
                              const std::set<std::string>& known) {
    for (const auto& [key, value] : object.items())
        if (!known.contains(key)) config_fail(prefix + key, "is not a model config key");
}

inline const nlohmann::json& config_object(const nlohmann::json& object, const std::string& prefix,
                                           const std::string& key) {
    const nlohmann::json& v = config_member(object, prefix, key);
    if (!v.is_object()) config_fail(prefix + key, "must be an object, got " + v.dump());
    return v;
}

inline int config_int(const nlohmann::json& object, const std::string& prefix, const std::string& key,
                      int min) {
    const nlohmann::json& v = config_member(object, prefix, key);
    if (!v.is_number_integer() || v.get<std::int64_t>() < min || v.get<std::int64_t>() > (1 << 24))
        config_fail(prefix + key, "must be an integer >= " + std::to_string(min) + ", got " + v.dump());
    return v.get<int>();
}

inline float config_float(const nlohmann::json& object, const std::string& prefix, const std::string& key) {
    const nlohmann::json& v = config_member(object, prefix, key);
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0)
        config_fail(prefix + key, "must be a finite number >= 0, got " + v.dump());
    return v.get<float>();
}

inline std::array<int, 4> config_int4(const nlohmann::json& object, const std::string& prefix,
                                      const std::string& key, int min) {
    const nlohmann::json& v = config_member(object, prefix, key);
    std::array<int, 4> out{};
    if (!v.is_array() || v.size() != 4)
        config_fail(prefix + key, "must be an array of 4 integers, got " + v.dump());
    for (std::size_t i = 0; i < 4; ++i) {
        if (!v[i].is_number_integer() || v[i].get<std::int64_t>() < min ||
            v[i].get<std::int64_t>() > (1 << 16))
            config_fail(prefix + key + "[" + std::to_string(i) + "]",
                        "must be an integer >= " + std::to_string(min) + ", got " + v[i].dump());
        out[i] = v[i].get<int>();
    }
    return out;
}

} // namespace detail

inline model_config make_model_config(jhr::setting s, int face_height, int face_width, int scale,
                                      joint_model_options model) {
    model_config c;
    c.setting = s;
    c.face_height = face_height;
    c.face_width = face_width;
    c.scale = scale;
    c.model = model;
    c.model.frnet.input_height = face_height - 2 * model.srnet.border();
    c.model.frnet.input_width = face_width - 2 * model.srnet.border();
    validate(c);
    return c;
}

inline void validate(const model_config& c) {
    const auto& m = c.model;
    auto require = [](bool ok, const std::string& key, const std::string& message) {
        if (!ok) detail::config_fail(key, message);
    };
    require(m.srnet.kernel % 2 == 1, "srnet.kernel", "must be odd, got " + std::to_string(m.srnet.kernel));
    require(m.srnet.channels == m.frnet.channels, "frnet.channels",
            "must equal srnet.channels (" + std::to_string(m.srnet.channels) + "), got " +
                std::to_string(m.frnet.channels));
    require(m.srnet.channels == 3, "srnet.channels",
            "must be 3 (RGB faces), got " + std::to_string(m.srnet.channels));
    const int border = m.srnet.border();
    require(c.face_height > 2 * border && c.face_width > 2 * border, "face",
            std::to_string(c.face_height) + "x" + std::to_string(c.face_width) +
                " is too small for SRNET's " + std::to_string(border) + " px border");
    require(m.frnet.input_height == c.face_height - 2 * border, "frnet.input_height",
            "must be face.height - 2 * srnet border = " + std::to_string(c.face_height - 2 * border) +
                ", got " + std::to_string(m.frnet.input_height));
    require(m.frnet.input_width == c.face_width - 2 * border, "frnet.input_width",
            "must be face.width - 2 * srnet border = " + std::to_string(c.face_width - 2 * border) +
                ", got " + std::to_string(m.frnet.input_width));
    if (c.setting != setting::srnet) {
        require(m.classes > 0, "classes", "must be positive, got " + std::to_string(m.classes));
        try {
            frnet_final_maps(m.frnet);
        } catch (const shape_error& e) {
            detail::config_fail("face", e.what());
        }
    }
    require(c.setting != setting::hallucinated || !c.hallucinator.empty(), "hallucinator",
            "is required for setting 'hallucinated' (the stand-alone SRNET checkpoint)");
}

inline nlohmann::json to_json(const model_config& c) {
    const auto& m = c.model;
    nlohmann::json j = {{"version", model_config_version},
                        {"setting", to_string(c.setting)},
                        {"face", {{"height", c.face_height}, {"width", c.face_width}}},
                        {"scale", c.scale},
                        {"classes", m.classes},
                        {"srnet",
                         {{"channels", m.srnet.channels},
                          {"features", m.srnet.features},
                          {"mapping_features", m.srnet.mapping_features},
                          {"kernel", m.srnet.kernel}}},
                        {"frnet",
                         {{"channels", m.frnet.channels},
                          {"widths", m.frnet.widths},
                          {"blocks", m.frnet.blocks},
                          {"features", m.frnet.features},
                          {"input_height", m.frnet.input_height},
                          {"input_width", m.frnet.input_width}}},
                        {"loss",
                         {{"alpha", m.loss.alpha},
                          {"beta1", m.loss.beta1},
                          {"beta2", m.loss.beta2},
                          {"gamma", m.loss.gamma},
                          {"reduction", m.loss.reduction == reduction::sum ? "sum" : "mean"}}},
                        {"data", c.data}};
    if (!c.hallucinator.empty()) j["hallucinator"] = c.hallucinator;
    return j;
}

inline model_config model_config_from_json(const nlohmann::json& j) {
    using namespace detail;
    if (!j.is_object()) throw protocol_error("model config: expected a JSON object, got " + j.dump());
    config_known_keys(
        j, "",
        {"version", "setting", "face", "scale", "classes", "srnet", "frnet", "loss", "hallucinator", "data"});
    const nlohmann::json& version = config_member(j, "", "version");
    if (version != model_config_version)
        config_fail("version", "is " + version.dump() + ", this build reads version " +
                                   std::to_string(model_config_version));
    model_config c;
    const nlohmann::json& s = config_member(j, "", "setting");
    if (!s.is_string()) config_fail("setting", "must be a string, got " + s.dump());
    try {
        c.setting = parse_setting(s.get<std::string>());
    } catch (const error& e) {
        config_fail("setting", e.what());
    }
    const nlohmann::json& face = config_object(j, "", "face");
    config_known_keys(face, "face.", {"height", "width"});
    c.face_height = config_int(face, "face.", "height", 1);
    c.face_width = config_int(face, "face.", "width", 1);
    c.scale = config_int(j, "", "scale", 1);
    auto& m = c.model;
    m.classes = config_int(j, "", "classes", 0);

    const nlohmann::json& sr = config_object(j, "", "srnet");
    config_known_keys(sr, "srnet.", {"channels", "features", "mapping_features", "kernel"});
    m.srnet.channels = config_int(sr, "srnet.", "channels", 1);
    m.srnet.features = config_int(sr, "srnet.", "features", 1);
    m.srnet.mapping_features = config_int(sr, "srnet.", "mapping_features", 1);
    m.srnet.kernel = config_int(sr, "srnet.", "kernel", 1);

    const nlohmann::json& fr = config_object(j, "", "frnet");
    config_known_keys(fr, "frnet.",
                      {"channels", "widths", "blocks", "features", "input_height", "input_width"});
    m.frnet.channels = config_int(fr, "frnet.", "channels", 1);
    m.frnet.widths = config_int4(fr, "frnet.", "widths", 1);
    m.frnet.blocks = config_int4(fr, "frnet.", "blocks", 0);
    m.frnet.features = config_int(fr, "frnet.", "features", 1);
    m.frnet.input_height = config_int(fr, "frnet.", "input_height", 1);
    m.frnet.input_width = config_int(fr, "frnet.", "input_width", 1);

    const nlohmann::json& loss = config_object(j, "", "loss");
    config_known_keys(loss, "loss.", {"alpha", "beta1", "beta2", "gamma", "reduction"});
    m.loss.alpha = config_float(loss, "loss.", "alpha");
    m.loss.beta1 = config_float(loss, "loss.", "beta1");
    m.loss.beta2 = config_float(loss, "loss.", "beta2");
    m.loss.gamma = config_float(loss, "loss.", "gamma");
    const nlohmann::json& r = config_member(loss, "loss.", "reduction");
    if (r != "mean" && r != "sum")
        config_fail("loss.reduction", "must be \"mean\" or \"sum\", got " + r.dump());
    m.loss.reduction = r == "sum" ? reduction::sum : reduction::mean;

    if (const auto it = j.find("hallucinator"); it != j.end()) {
        if (!it->is_string())
            config_fail("hallucinator", "must be a string (a checkpoint directory), got " + it->dump());
        c.hallucinator = it->get<std::string>();
    }
    if (const auto it = j.find("data"); it != j.end()) {
        if (!it->is_object()) config_fail("data", "must be an object, got " + it->dump());
        c.data = *it;
    }
    validate(c);
    return c;
}

inline std::string first_difference(const nlohmann::json& a, const nlohmann::json& b,
                                    const std::string& path) {
    const std::string here = path.empty() ? "(root)" : path;
    if (a.type() != b.type() && !(a.is_number() && b.is_number())) return here;
    if (a.is_object()) {
        std::set<std::string> keys;
        for (const auto& [k, v] : a.items()) keys.insert(k);
        for (const auto& [k, v] : b.items()) keys.insert(k);
        for (const std::string& k : keys) {
            const std::string sub = path.empty() ? k : path + "." + k;
            if (!a.contains(k) || !b.contains(k)) return sub;
            if (std::string d = first_difference(a[k], b[k], sub); !d.empty()) return d;
        }
        return "";
    }
    if (a.is_array()) {
        if (a.size() != b.size()) return here;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (std::string d = first_difference(a[i], b[i], path + "[" + std::to_string(i) + "]");
                !d.empty())
                return d;
        return "";
    }
    return a == b ? "" : here;
}

} // namespace jhr
