// Tests for jhr/train/model_config.hpp: JSON round trip, validation errors naming the key.
#include "jhr/train/model_config.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

jhr::model_config small_config() {
    jhr::joint_model_options m;
    m.frnet.widths = {4, 8, 8, 16};
    m.frnet.blocks = {0, 1, 0, 2};
    m.frnet.features = 16;
    m.loss.beta2 = 0.01f;
    m.classes = 7;
    return jhr::make_model_config(jhr::setting::joint, 64, 56, 3, m);
}

// The message of the protocol_error that parsing `j` throws, or "" when it parses.
std::string parse_error(const nlohmann::json& j) {
    try {
        jhr::model_config_from_json(j);
    } catch (const jhr::protocol_error& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("make_model_config derives FRNET's input from the face size and SRNET's border") {
    const jhr::model_config c = small_config();
    CHECK(c.model.frnet.input_height == 64 - 8);
    CHECK(c.model.frnet.input_width == 56 - 8);
    CHECK_THROWS_AS(jhr::make_model_config(jhr::setting::joint, 20, 20, 4, {}), jhr::protocol_error);
}

TEST_CASE("model config JSON round trip keeps every field") {
    jhr::model_config c = small_config();
    c.data = {{"kind", "synthetic"}, {"identities", 7}};
    const nlohmann::json j = jhr::to_json(c);
    CHECK(j["face"]["height"] == 64);
    CHECK(j["frnet"]["widths"] == nlohmann::json({4, 8, 8, 16}));
    CHECK(j["setting"] == "joint");
    const jhr::model_config back = jhr::model_config_from_json(j);
    CHECK(back.setting == jhr::setting::joint);
    CHECK(back.face_height == 64);
    CHECK(back.face_width == 56);
    CHECK(back.scale == 3);
    CHECK(back.model.classes == 7);
    CHECK(back.model.frnet.widths == c.model.frnet.widths);
    CHECK(back.model.frnet.blocks == c.model.frnet.blocks);
    CHECK(back.model.frnet.features == 16);
    CHECK(back.model.srnet.kernel == 9);
    CHECK(back.model.loss.beta2 == doctest::Approx(0.01));
    CHECK(back.model.loss.reduction == jhr::reduction::mean);
    CHECK(back.data == c.data);
    CHECK(jhr::to_json(back) == j);

    c.setting = jhr::setting::hallucinated;
    c.hallucinator = "/ckpt/srnet";
    CHECK(jhr::model_config_from_json(jhr::to_json(c)).hallucinator == "/ckpt/srnet");
}

TEST_CASE("model config validation names the bad key") {
    const nlohmann::json good = jhr::to_json(small_config());
    CHECK(parse_error(good).empty());
    auto with = [&](const nlohmann::json::json_pointer& key, const nlohmann::json& value) {
        nlohmann::json j = good;
        j[key] = value;
        return parse_error(j);
    };
    using ptr = nlohmann::json::json_pointer;
    CHECK(with(ptr("/frnet/widths"), {4, 8, 8}).find("'frnet.widths'") != std::string::npos);
    CHECK(with(ptr("/frnet/widths/2"), 0).find("'frnet.widths[2]'") != std::string::npos);
    CHECK(with(ptr("/frnet/blocks/0"), -1).find("'frnet.blocks[0]'") != std::string::npos);
    CHECK(with(ptr("/frnet/input_height"), 57).find("'frnet.input_height'") != std::string::npos);
    CHECK(with(ptr("/srnet/kernel"), 8).find("'srnet.kernel'") != std::string::npos);
    CHECK(with(ptr("/setting"), "fancy").find("'setting'") != std::string::npos);
    CHECK(with(ptr("/classes"), 0).find("'classes'") != std::string::npos);
    CHECK(with(ptr("/loss/reduction"), "max").find("'loss.reduction'") != std::string::npos);
    CHECK(with(ptr("/loss/alpha"), "one").find("'loss.alpha'") != std::string::npos);
    CHECK(with(ptr("/version"), 2).find("'version'") != std::string::npos);
    CHECK(with(ptr("/face/height"), 3.5).find("'face.height'") != std::string::npos);
    CHECK(with(ptr("/frnet/typo"), 1).find("'frnet.typo'") != std::string::npos);
    CHECK(with(ptr("/setting"), "hallucinated").find("'hallucinator'") != std::string::npos);

    nlohmann::json missing = good;
    missing["srnet"].erase("features");
    CHECK(parse_error(missing).find("'srnet.features' is missing") != std::string::npos);
    CHECK(parse_error(nlohmann::json::array()).find("expected a JSON object") != std::string::npos);
}

TEST_CASE("a stand-alone SRNET config needs no classes") {
    jhr::model_config c = small_config();
    c.setting = jhr::setting::srnet;
    c.model.classes = 0;
    CHECK_NOTHROW(jhr::model_config_from_json(jhr::to_json(c)));
}

TEST_CASE("first_difference names the first differing key path") {
    const nlohmann::json a = {{"a", 1}, {"b", {{"c", {1, 2, 3}}}}};
    nlohmann::json b = a;
    CHECK(jhr::first_difference(a, b).empty());
    b["b"]["c"][1] = 5;
    CHECK(jhr::first_difference(a, b) == "b.c[1]");
    b = a;
    b["d"] = 0;
    CHECK(jhr::first_difference(a, b) == "d");
    CHECK(jhr::first_difference(nlohmann::json(1), nlohmann::json(1.0)).empty());
}
