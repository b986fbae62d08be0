// jhr/train/inputs.hpp: turns a loaded batch into the tensors a setting trains or tests on.
//
// input:  what the network receives (LR upscaled for srnet/joint; cropped HR or LR, or a fixed
//         SRNET's output, for the FRNET-only settings),
// target: the centre-cropped HR face, the pixel loss's target (unused by FRNET-only settings).
#pragma once

#include "jhr/data/loader.hpp"
#include "jhr/models/srnet.hpp"
#include "jhr/train/setting.hpp"

namespace jhr {

template <Backend B>
class input_preparer {
public:
    // `hallucinator` is required for setting::hallucinated and must outlive this object.
    input_preparer(jhr::setting s, int border, srnet<B>* hallucinator = nullptr)
        : setting_(s), border_(border), hallucinator_(hallucinator) {
        if (s == setting::hallucinated && !hallucinator)
            throw error("setting 'hallucinated' needs a trained stand-alone SRNET (--srnet-checkpoint)");
    }

    void operator()(const data::face_batch& batch, tensor<B>& input, tensor<B>& target) {
        switch (setting_) {
        case setting::srnet:
        case setting::joint:
            input.assign(batch.lr);
            target.assign(crop_border(batch.hr, border_));
            break;
        case setting::hr: input.assign(crop_border(batch.hr, border_)); break;
        case setting::lr: input.assign(crop_border(batch.lr, border_)); break;
        case setting::hallucinated:
            lr_.assign(batch.lr);
            input.copy_from(hallucinator_->forward(lr_));
            break;
        }
    }
    jhr::setting setting() const { return setting_; }

private:
    jhr::setting setting_;
    int border_;
    srnet<B>* hallucinator_;
    tensor<B> lr_;
};

} // namespace jhr
