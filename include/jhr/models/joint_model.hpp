// jhr/models/joint_model.hpp: the paper's Joint Model, one instantiation of the cascade.
//
// SRNET then FRNET; alpha * L_h (pixel loss) on SRNET's output against the centre-cropped HR
// face, beta1 * L_c (softmax) and beta2 * L_d (center loss) on FRNET's 512-d feature (eq. 5).
// Also the single-network cascades the paper's other settings train: SRNET alone (pixel loss)
// and FRNET alone (softmax + center loss).
// Defaults (paper §4.2 setting 6: beta1 = 1, beta2 = 0.008; the value of alpha is missing from
// the text, jhr uses 1; gamma = 0.5 as in the center-loss paper). Every value is an option.
#pragma once

#include "jhr/models/frnet.hpp"
#include "jhr/models/srnet.hpp"
#include "jhr/nets/cascade.hpp"

namespace jhr {

struct loss_options {
    float alpha = 1.0f;   // pixel loss weight
    float beta1 = 1.0f;   // softmax weight
    float beta2 = 0.008f; // center loss weight
    float gamma = 0.5f;   // center learning rate (eq. 13)
    jhr::reduction reduction = reduction::mean;
};

struct joint_model_options {
    srnet_options srnet;
    frnet_options frnet;
    loss_options loss;
    int classes = 0;
};

template <Backend B>
using joint_model = cascade<B, stages<srnet<B>, frnet<B>>,
                            heads<on<0, pixel_head<B>>, on<1, softmax_head<B>>, on<1, center_head<B>>>>;

template <Backend B>
using srnet_model = cascade<B, stages<srnet<B>>, heads<on<0, pixel_head<B>>>>;

template <Backend B>
using frnet_model = cascade<B, stages<frnet<B>>, heads<on<0, softmax_head<B>>, on<0, center_head<B>>>>;

namespace detail {
inline void expect_classes(int classes) {
    if (classes <= 0) throw error("model: the number of classes must be positive, got " + std::to_string(classes));
}
} // namespace detail

template <Backend B>
joint_model<B> make_joint_model(const joint_model_options& o) {
    detail::expect_classes(o.classes);
    const auto& l = o.loss;
    return joint_model<B>({"srnet", "frnet"}, {make_srnet<B>(o.srnet), make_frnet<B>(o.frnet)},
                          on<0, pixel_head<B>>{pixel_head<B>(l.reduction), "pixel", l.alpha},
                          on<1, softmax_head<B>>{softmax_head<B>(o.frnet.features, o.classes, l.reduction), "softmax", l.beta1},
                          on<1, center_head<B>>{center_head<B>(o.frnet.features, o.classes, l.gamma, l.reduction), "center", l.beta2});
}

template <Backend B>
srnet_model<B> make_srnet_model(const joint_model_options& o) {
    return srnet_model<B>({"srnet"}, {make_srnet<B>(o.srnet)},
                          on<0, pixel_head<B>>{pixel_head<B>(o.loss.reduction), "pixel", o.loss.alpha});
}

template <Backend B>
frnet_model<B> make_frnet_model(const joint_model_options& o) {
    detail::expect_classes(o.classes);
    const auto& l = o.loss;
    return frnet_model<B>({"frnet"}, {make_frnet<B>(o.frnet)},
                          on<0, softmax_head<B>>{softmax_head<B>(o.frnet.features, o.classes, l.reduction), "softmax", l.beta1},
                          on<0, center_head<B>>{center_head<B>(o.frnet.features, o.classes, l.gamma, l.reduction), "center", l.beta2});
}

} // namespace jhr
